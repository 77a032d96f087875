// SPDX-License-Identifier: MIT
/* streamproto.c - QEMU's stream protocol, decoded (see streamproto.h) */
#include "dataplane/streamproto.h"

#include <string.h>

#include "common/bytes.h"

void stream_rx_init(struct stream_rx *rx)
{
	rx->hdr_got = 0;
	rx->len = 0;
	rx->got = 0;
	rx->skip = false;
	rx->skipped = 0;
	rx->frame_len = 0;
}

/* The header is complete: what kind of frame follows */
static enum stream_rx_status header_done(struct stream_rx *rx)
{
	rx->len = be32_get(rx->hdr);
	if (rx->len == 0 || rx->len > STREAM_LEN_MAX)
		return STREAM_RX_BAD;
	rx->got = 0;
	rx->skip = rx->len < STREAM_FRAME_MIN || rx->len > STREAM_FRAME_MAX;
	return STREAM_RX_MORE;
}

enum stream_rx_status stream_rx_push(struct stream_rx *rx, const uint8_t *buf,
				     size_t len, size_t *used)
{
	size_t i = 0, n;

	/* a bad stream stays bad: its header is kept whole */
	if (rx->hdr_got == STREAM_HDR_LEN && (rx->len == 0 ||
					      rx->len > STREAM_LEN_MAX)) {
		*used = 0;
		return STREAM_RX_BAD;
	}
	while (i < len) {
		if (rx->hdr_got < STREAM_HDR_LEN) {
			rx->hdr[rx->hdr_got++] = buf[i++];
			if (rx->hdr_got == STREAM_HDR_LEN &&
			    header_done(rx) == STREAM_RX_BAD) {
				*used = i;
				return STREAM_RX_BAD;
			}
			continue;
		}
		n = len - i;
		if (n > rx->len - rx->got)
			n = rx->len - rx->got;
		if (!rx->skip)
			memcpy(rx->frame + rx->got, buf + i, n);
		rx->got += n;
		i += n;
		if (rx->got < rx->len)
			continue;
		rx->hdr_got = 0;	/* the next header starts here */
		if (rx->skip) {
			rx->skipped++;
			continue;
		}
		rx->frame_len = rx->len;
		*used = i;
		return STREAM_RX_FRAME;
	}
	*used = i;
	return STREAM_RX_MORE;
}

void stream_hdr_put(uint8_t hdr[STREAM_HDR_LEN], uint32_t len)
{
	be32_put(hdr, len);
}
