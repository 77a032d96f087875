// SPDX-License-Identifier: MIT
/*
 * test_streamproto.c - QEMU's stream protocol decoder: frames split
 * anywhere, several in one read, and every kind of bad length
 */
#include <stdlib.h>

#include "dataplane/streamproto.h"
#include "tests/unit/unit.h"

static struct stream_rx rx;

/* Append a frame of @len bytes (byte i is @seed + i) to @buf at @at */
static size_t put_frame(uint8_t *buf, size_t at, uint32_t len, uint8_t seed)
{
	uint32_t i;

	stream_hdr_put(buf + at, len);
	for (i = 0; i < len; i++)
		buf[at + STREAM_HDR_LEN + i] = (uint8_t)(seed + i);
	return at + STREAM_HDR_LEN + len;
}

static bool frame_is(uint32_t len, uint8_t seed)
{
	uint32_t i;

	if (rx.frame_len != len)
		return false;
	for (i = 0; i < len; i++)
		if (rx.frame[i] != (uint8_t)(seed + i))
			return false;
	return true;
}

/*
 * Feed @len bytes in chunks of @chunk; count the frames (checked against
 * @seeds in order). Returns the number of frames, or -1 on STREAM_RX_BAD.
 */
static int feed(const uint8_t *buf, size_t len, size_t chunk,
		const uint32_t *lens, const uint8_t *seeds, bool *all_right)
{
	size_t off = 0;
	int frames = 0;

	*all_right = true;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk, used;
		const uint8_t *p = buf + off;

		off += n;
		while (n) {
			enum stream_rx_status s = stream_rx_push(&rx, p, n,
								  &used);

			if (used > n)
				*all_right = false;
			p += used;
			n -= used;
			if (s == STREAM_RX_BAD)
				return -1;
			if (s == STREAM_RX_FRAME) {
				if (!frame_is(lens[frames], seeds[frames]))
					*all_right = false;
				frames++;
			} else if (n) {
				*all_right = false;	/* MORE leaves nothing */
			}
		}
	}
	return frames;
}

/* One header with length @len, then a few bytes: malformed? */
static bool bad_length(uint32_t len)
{
	uint8_t buf[16] = { 0 };
	size_t used;

	stream_rx_init(&rx);
	stream_hdr_put(buf, len);
	return stream_rx_push(&rx, buf, sizeof(buf), &used) == STREAM_RX_BAD &&
	       used == STREAM_HDR_LEN &&
	       stream_rx_push(&rx, buf, 1, &used) == STREAM_RX_BAD && used == 0;
}

int main(void)
{
	static uint8_t buf[4 * 70000];
	static const uint32_t lens[] = { 60, 14, 1518, 42 };
	static const uint8_t seeds[] = { 1, 2, 3, 4 };
	uint8_t hdr[STREAM_HDR_LEN];
	size_t len = 0, chunk, used;
	bool right;
	int i;

	stream_hdr_put(hdr, 0x01020304);
	CHECK(hdr[0] == 1 && hdr[1] == 2 && hdr[2] == 3 && hdr[3] == 4,
	      "header: big-endian");

	for (i = 0; i < 4; i++)
		len = put_frame(buf, len, lens[i], seeds[i]);
	for (chunk = 1; chunk <= len; chunk = chunk < 8 ? chunk + 1 : chunk * 3) {
		stream_rx_init(&rx);
		CHECK(feed(buf, len, chunk, lens, seeds, &right) == 4 && right,
		      "four frames (60, 14, 1518, 42 bytes) fed %zu bytes at a "
		      "time", chunk);
	}

	/* well-formed lengths that are no frame: skipped, the stream goes on */
	len = put_frame(buf, 0, 13, 9);
	len = put_frame(buf, len, 60, 1);
	len = put_frame(buf, len, 1519, 9);
	len = put_frame(buf, len, 14, 2);
	len = put_frame(buf, len, STREAM_LEN_MAX, 9);
	len = put_frame(buf, len, 1, 9);
	len = put_frame(buf, len, 1518, 3);
	for (chunk = 1; chunk <= len; chunk = chunk * 7) {
		stream_rx_init(&rx);
		CHECK(feed(buf, len, chunk, lens, seeds, &right) == 3 && right &&
			      rx.skipped == 4,
		      "frames of 13, 1519, 65536 and 1 bytes are skipped, the "
		      "others kept (fed %zu at a time)", chunk);
	}

	CHECK(bad_length(0), "length 0 is malformed");
	CHECK(bad_length(STREAM_LEN_MAX + 1), "length 65537 is malformed");
	CHECK(bad_length(0xffffffffU), "length 0xffffffff is malformed");
	CHECK(bad_length(0x80000000U), "length 2^31 is malformed");

	/* a bad header after good frames, split across calls */
	len = put_frame(buf, 0, 60, 1);
	stream_hdr_put(buf + len, 0);
	len += STREAM_HDR_LEN;
	stream_rx_init(&rx);
	CHECK(stream_rx_push(&rx, buf, len - 2, &used) == STREAM_RX_FRAME &&
		      used == 64 && frame_is(60, 1) &&
		      stream_rx_push(&rx, buf + used, len - 2 - used, &used) ==
			      STREAM_RX_MORE &&
		      stream_rx_push(&rx, buf + len - 2, 2, &used) ==
			      STREAM_RX_BAD,
	      "a zero length after a good frame, its header split: malformed");

	/* a frame completes exactly at the end of the input */
	len = put_frame(buf, 0, 20, 7);
	stream_rx_init(&rx);
	CHECK(stream_rx_push(&rx, buf, len, &used) == STREAM_RX_FRAME &&
		      used == len && frame_is(20, 7) &&
		      stream_rx_push(&rx, buf, 0, &used) == STREAM_RX_MORE &&
		      used == 0,
	      "a frame ending with the input; nothing more");

	/* random garbage: never a frame longer than the buffer, never a crash */
	srand(1);
	for (i = 0; i < 20000; i++) {
		size_t n = (size_t)(rand() % 64) + 1, k, off = 0;
		uint8_t junk[64];
		enum stream_rx_status s = STREAM_RX_MORE;

		if (i % 1000 == 0)
			stream_rx_init(&rx);
		for (k = 0; k < n; k++)
			junk[k] = (uint8_t)(rand() % 4 ? rand() % 8 : rand());
		while (off < n && s != STREAM_RX_BAD) {
			s = stream_rx_push(&rx, junk + off, n - off, &used);
			off += used;
			if (s == STREAM_RX_FRAME &&
			    (rx.frame_len < STREAM_FRAME_MIN ||
			     rx.frame_len > STREAM_FRAME_MAX))
				break;
		}
		if (s == STREAM_RX_BAD)
			stream_rx_init(&rx);
		else if (off < n)
			break;
	}
	CHECK(i == 20000, "20000 random chunks: frames always within bounds");
	UNIT_END();
}
