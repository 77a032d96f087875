/* SPDX-License-Identifier: MIT */
/*
 * ipaddr.h - an IPv4 or an IPv6 address, where either may be meant
 *
 * A forward's guest side is one (--fwd 8080:[fd71:6278:a00:200::15]:80
 * dials the guest over IPv6), and so is what `qbox nc` and `qbox exec`
 * are told to reach.
 */
#ifndef QBOX_IPADDR_H
#define QBOX_IPADDR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

struct ipaddr {
	int family;		/* AF_INET or AF_INET6; 0: none */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

static inline struct ipaddr ipaddr4(struct in_addr a)
{
	struct ipaddr r = { .family = AF_INET, .v4 = a };

	return r;
}

static inline struct ipaddr ipaddr6(const struct in6_addr *a)
{
	struct ipaddr r = { .family = AF_INET6, .v6 = *a };

	return r;
}

/* Its text ("10.0.2.15", "fd71:6278:a00:200::15"), "" for none */
static inline const char *ipaddr_str(const struct ipaddr *a,
				     char buf[INET6_ADDRSTRLEN])
{
	buf[0] = '\0';
	if (a->family)
		inet_ntop(a->family, &a->v4, buf, INET6_ADDRSTRLEN);
	return buf;
}

/* An IPv4 address, or an IPv6 one with or without brackets, into @out */
static inline bool ipaddr_parse(const char *text, struct ipaddr *out)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(text);

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &out->v4) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']' &&
	    len - 2 < sizeof(buf)) {
		memcpy(buf, text + 1, len - 2);
		buf[len - 2] = '\0';
		text = buf;
	}
	if (inet_pton(AF_INET6, text, &out->v6) != 1)
		return false;
	out->family = AF_INET6;
	return true;
}

/* @a as a socket address with @port (host order); its length */
static inline socklen_t ipaddr_sockaddr(const struct ipaddr *a,
					unsigned int port,
					struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = a->v6;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	s4->sin_addr = a->v4;
	return sizeof(*s4);
}

#endif /* QBOX_IPADDR_H */
