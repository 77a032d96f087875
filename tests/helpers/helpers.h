/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - what the C test programs share: a fatal error, a clock in
 * milliseconds, and frames built and read by hand, from Ethernet up
 *
 * Theory of operation: tests/helpers/ holds small standalone programs,
 * one .c each, linked with nothing of qbox's (the Makefile's
 * PLAIN_HELPERS); the unit tests and fuzz targets that build or read the
 * same frames include this too. So everything here is static inline: a
 * program keeps what it calls, and the rest costs it nothing and draws no
 * unused-function warning. Addresses and numbers are passed in host
 * order and written big-endian (common/bytes.h); MACs are 6 bytes.
 */
#ifndef QBOX_TESTS_HELPERS_H
#define QBOX_TESTS_HELPERS_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bytes.h"

/* ---- the program ------------------------------------------------------- */

/*
 * fatal() - "PROGRAM: MESSAGE" on stderr, then exit 2, which the tests
 * tell from a helper's own verdict (0 or 1). Not die(): the unit tests
 * that include this also include common/err.h, whose die() it would
 * clash with.
 */
__attribute__((format(printf, 1, 2), noreturn))
static inline void fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

/* now_ms() - the monotonic clock in milliseconds, for deadlines */
static inline int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- frames ------------------------------------------------------------ */

/* csum_add() and csum_fold() are common/bytes.h's */

/* csum() - the Internet checksum of @len bytes at @p alone */
static inline uint16_t csum(const uint8_t *p, size_t len)
{
	return csum_fold(csum_add(0, p, len));
}

/* eth_header() - an Ethernet header at @f; returns where its payload goes */
static inline uint8_t *eth_header(uint8_t *f, const uint8_t dst[6],
				  const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	be16_put(f + 12, type);
	return f + 14;
}

/*
 * ip4_header() - an IPv4 header at @p, without options, for a datagram
 * of @payload bytes of @proto from @src to @dst: TTL 64, no fragments,
 * its checksum set. Returns where the payload goes.
 */
static inline uint8_t *ip4_header(uint8_t *p, uint8_t proto, uint32_t src,
				  uint32_t dst, size_t payload)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	be16_put(p + 2, (uint16_t)(20 + payload));
	p[8] = 64;
	p[9] = proto;
	be32_put(p + 12, src);
	be32_put(p + 16, dst);
	be16_put(p + 10, csum(p, 20));
	return p + 20;
}

/*
 * udp_header() - a UDP header at @p for @payload bytes, with no checksum
 * (allowed over IPv4); returns where the payload goes
 */
static inline uint8_t *udp_header(uint8_t *p, uint16_t sport, uint16_t dport,
				  size_t payload)
{
	be16_put(p, sport);
	be16_put(p + 2, dport);
	be16_put(p + 4, (uint16_t)(8 + payload));
	be16_put(p + 6, 0);
	return p + 8;
}

/*
 * arp_answer() - into @r (42 bytes), the answer of @mac to the ARP
 * request @req, a whole frame of 42 bytes or more: "@mac has the address
 * you asked for", from @mac to the asker
 */
static inline void arp_answer(uint8_t r[42], const uint8_t *req,
			      const uint8_t mac[6])
{
	eth_header(r, req + 6, mac, 0x0806);
	memcpy(r + 14, req + 14, 6);	/* htype, ptype, hlen, plen */
	be16_put(r + 20, 2);
	memcpy(r + 22, mac, 6);
	memcpy(r + 28, req + 38, 4);	/* the address asked for */
	memcpy(r + 32, req + 22, 10);	/* the asker's sha and spa */
}

/* ---- DHCP -------------------------------------------------------------- */

#define DHCP_COOKIE 0x63825363u	/* the cookie after BOOTP's 236 bytes */

/*
 * dhcp_request() - the fixed part of a DHCP request of @type at @b: a
 * BOOTREQUEST for Ethernet, @xid, @chaddr, the cookie and option 53
 * (@type); the rest of BOOTP's 240 bytes zero. Returns its length, 243:
 * where the next option goes.
 */
static inline size_t dhcp_request(uint8_t *b, uint8_t type, uint32_t xid,
				  const uint8_t chaddr[6])
{
	memset(b, 0, 240);
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	be32_put(b + 4, xid);
	memcpy(b + 28, chaddr, 6);
	be32_put(b + 236, DHCP_COOKIE);
	b[240] = 53;
	b[241] = 1;
	b[242] = type;
	return 243;
}

/*
 * dhcp_opt() - option @code of the DHCP message @d of @len bytes: its
 * value, and its length in *@olen. NULL when it is missing, or when the
 * options run past @len before it (a message cut short or lying).
 */
static inline const uint8_t *dhcp_opt(const uint8_t *d, size_t len,
				      uint8_t code, size_t *olen)
{
	size_t i = 240;

	while (i < len && d[i] != 255) {
		if (d[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + d[i + 1] > len)
			return NULL;
		if (d[i] == code) {
			*olen = d[i + 1];
			return d + i + 2;
		}
		i += 2 + (size_t)d[i + 1];
	}
	return NULL;
}

#endif /* QBOX_TESTS_HELPERS_H */
