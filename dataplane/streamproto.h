/* SPDX-License-Identifier: MIT */
/*
 * streamproto.h - QEMU's stream protocol: Ethernet frames on a byte stream
 *
 * `-netdev stream` (and the older `-netdev socket`) send every frame
 * preceded by its length, a 4-byte big-endian integer. A named network's
 * generic socket speaks it (dataplane/stream_relay.c). The decoder is pure:
 * bytes in, frames out, so every malformed input is unit-tested.
 *
 * Which lengths are accepted:
 *   0, or more than STREAM_LEN_MAX   malformed: the connection is dropped
 *                                    (no peer speaking the protocol sends
 *                                    these; what follows cannot be trusted
 *                                    to be a frame boundary)
 *   below STREAM_FRAME_MIN, or above STREAM_FRAME_MAX
 *                                    well-formed but no frame the segment
 *                                    carries: skipped, counted, the stream
 *                                    goes on
 *   otherwise                        a frame
 */
#ifndef QBOX_STREAMPROTO_H
#define QBOX_STREAMPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_HDR_LEN 4
#define STREAM_LEN_MAX 65536	/* QEMU never sends more (no vnet header) */
#define STREAM_FRAME_MIN 14	/* an Ethernet header */
#define STREAM_FRAME_MAX 1518	/* MTU 1500, the header and one VLAN tag */

enum stream_rx_status {
	STREAM_RX_MORE,		/* every byte taken, no frame complete yet */
	STREAM_RX_FRAME,	/* a frame is complete: rx->frame, rx->frame_len */
	STREAM_RX_BAD,		/* a malformed length: drop the connection */
};

/* The decoder of one connection: where it is in the stream */
struct stream_rx {
	uint8_t hdr[STREAM_HDR_LEN];
	size_t hdr_got;		/* header bytes seen of the current frame */
	uint32_t len;		/* the current frame's length, once known */
	size_t got;		/* its bytes seen */
	bool skip;		/* its bytes are not kept (see above) */
	uint64_t skipped;	/* frames skipped */
	size_t frame_len;	/* after STREAM_RX_FRAME */
	uint8_t frame[STREAM_FRAME_MAX];
};

/* A decoder at the start of a stream */
void stream_rx_init(struct stream_rx *rx);

/**
 * stream_rx_push() - feed bytes to the decoder
 * @rx:		decoder
 * @buf:	bytes as they came, split anywhere
 * @len:	how many
 * @used:	filled: how many were taken (all of them, unless a frame
 *		completed or the stream turned out malformed)
 *
 * Call again with the rest after STREAM_RX_FRAME. After STREAM_RX_BAD the
 * decoder stays bad.
 * Return: what happened
 */
enum stream_rx_status stream_rx_push(struct stream_rx *rx, const uint8_t *buf,
				     size_t len, size_t *used);

/* Write the header of a frame of @len bytes */
void stream_hdr_put(uint8_t hdr[STREAM_HDR_LEN], uint32_t len);

#endif /* QBOX_STREAMPROTO_H */
