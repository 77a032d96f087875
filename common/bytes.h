/* SPDX-License-Identifier: MIT */
/*
 * bytes.h - big-endian integers in byte buffers (network byte order)
 *
 * Wire formats read and written byte by byte, so that an unaligned field
 * or a buffer from the network is never cast to a wider type. One copy
 * for the code, the tests and the fuzz targets.
 */
#ifndef QBOX_BYTES_H
#define QBOX_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * csum_add() - the Internet checksum's sum (RFC 1071) of @len bytes at @p
 * added to @sum: 16-bit big-endian words, an odd last byte padded with a
 * zero. Sums add up, so a pseudo-header and its segment are summed in
 * turn and folded once, by csum_fold(), which folds in the carries and
 * complements.
 */
static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += be16_get(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* The checksum of sum @sum: folded, complemented */
static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The sum of IPv6 packet @ip6's pseudo-header (RFC 8200 8.1) for an
 * upper-layer packet of @len bytes and protocol @nh */
static inline uint32_t csum_pseudo6(const uint8_t *ip6, uint32_t len,
				    uint8_t nh)
{
	uint8_t tail[8] = { 0 };

	be32_put(tail, len);
	tail[7] = nh;
	return csum_add(csum_add(0, ip6 + 8, 32), tail, 8);
}

#endif /* QBOX_BYTES_H */
