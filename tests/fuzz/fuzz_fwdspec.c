// SPDX-License-Identifier: MIT
/*
 * fuzz_fwdspec.c - --fwd values: fwd_spec_parse(), fwd_host_parse() and
 * the number parser under the ports (parse_uint)
 *
 * The input is one --fwd value. A forward accepted has a known protocol
 * and address family and ports in 1..65535; written back in the canonical
 * form of spec.h ("udp:[::1]:5353:10.0.2.15:53") it parses to the same
 * forward, and its host side alone ("udp:[::1]:5353", what `qbox fwd
 * --remove` sends) parses to the same host side. parse_uint() gets the
 * input with a bound taken from its last 8 bytes: what it accepts is a
 * plain decimal no larger than the bound. fwd_range_expand() gives at
 * most its room of forwards, each no longer than the input and with a
 * first-to-last range's ports counting up by one; a range that expands
 * to more than one names each port once.
 */
#include <arpa/inet.h>

#include "common/util.h"
#include "plan/spec.h"
#include "tests/fuzz/fuzz.h"

/* The host side of @f as spec.h writes it: "udp:[::1]:5353" */
static void host_format(const struct fwd_spec *f, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	const char *proto = f->proto == IPPROTO_UDP ? "udp" : "tcp";

	if (f->host_family == AF_INET6) {
		inet_ntop(AF_INET6, &f->host6, addr, sizeof(addr));
		snprintf(buf, size, "%s:[%s]:%u", proto, addr, f->host_port);
	} else {
		inet_ntop(AF_INET, &f->host4, addr, sizeof(addr));
		snprintf(buf, size, "%s:%s:%u", proto, addr, f->host_port);
	}
}

static void check_host_side(const struct fwd_spec *a,
			    const struct fwd_spec *b)
{
	FUZZ_ASSERT(a->proto == b->proto && a->host_port == b->host_port &&
		    a->host_family == b->host_family);
	if (a->host_family == AF_INET6)
		FUZZ_ASSERT(!memcmp(&a->host6, &b->host6, sizeof(a->host6)));
	else
		FUZZ_ASSERT(a->host4.s_addr == b->host4.s_addr);
}

static void check_valid(const struct fwd_spec *f)
{
	FUZZ_ASSERT(f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP);
	FUZZ_ASSERT(f->host_family == AF_INET || f->host_family == AF_INET6);
	FUZZ_ASSERT(f->host_port >= 1);
}

static void fuzz_spec(const char *s)
{
	struct fwd_spec f, g;
	struct qerr e = { 0 };
	char buf[160], guest[INET6_ADDRSTRLEN];
	size_t n;

	if (fwd_spec_parse(s, &f, &e) < 0) {
		FUZZ_ASSERT(e.usage && e.msg[0]);
		return;
	}
	check_valid(&f);
	FUZZ_ASSERT(f.guest_port >= 1);
	host_format(&f, buf, sizeof(buf));
	n = strlen(buf);
	if (f.guest.family) {
		FUZZ_ASSERT(f.guest.family == AF_INET ||
			    f.guest.family == AF_INET6);
		ipaddr_str(&f.guest, guest);
		snprintf(buf + n, sizeof(buf) - n,
			 f.guest.family == AF_INET6 ? ":[%s]:%u" : ":%s:%u",
			 guest, f.guest_port);
	} else {
		snprintf(buf + n, sizeof(buf) - n, ":%u", f.guest_port);
	}
	FUZZ_ASSERT(fwd_spec_parse(buf, &g, &e) == 0);
	check_host_side(&f, &g);
	FUZZ_ASSERT(g.guest_port == f.guest_port &&
		    g.guest.family == f.guest.family &&
		    (!f.guest.family ||
		     !memcmp(&g.guest.v6, &f.guest.v6,
			     f.guest.family == AF_INET6 ? 16 : 4)));
	buf[n] = '\0';
	FUZZ_ASSERT(fwd_host_parse(buf, &g, &e) == 0);
	check_host_side(&f, &g);
}

static void fuzz_host(const char *s)
{
	struct fwd_spec f, g;
	struct qerr e = { 0 };
	char buf[128];

	if (fwd_host_parse(s, &f, &e) < 0) {
		FUZZ_ASSERT(e.usage && e.msg[0]);
		return;
	}
	check_valid(&f);
	host_format(&f, buf, sizeof(buf));
	FUZZ_ASSERT(fwd_host_parse(buf, &g, &e) == 0);
	check_host_side(&f, &g);
}

static void fuzz_range(const char *s, bool host_side)
{
	static char out[8][FWD_TEXT_MAX];
	struct fwd_spec f, prev;
	struct qerr e = { 0 };
	int n, i;

	n = fwd_range_expand(s, host_side, out, 8, &e);
	if (n < 0) {
		FUZZ_ASSERT(e.usage && e.msg[0]);
		return;
	}
	FUZZ_ASSERT(n >= 1 && n <= 8);
	if (n == 1) {
		FUZZ_ASSERT(strlen(out[0]) < FWD_TEXT_MAX);
		return;
	}
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(strlen(out[i]) <= strlen(s));
		/* a piece that parses counts up from the one before */
		if ((host_side ? fwd_host_parse(out[i], &f, &e) :
				 fwd_spec_parse(out[i], &f, &e)) < 0)
			return;
		if (i && prev.host_port)
			FUZZ_ASSERT(f.host_port == prev.host_port + 1);
		prev = f;
	}
}

static void fuzz_uint(const uint8_t *data, size_t size, const char *s)
{
	unsigned long max = 0, v;
	char back[32];
	size_t i;

	/* the bound from the last bytes: after a NUL, they are not in @s */
	for (i = size > sizeof(max) ? size - sizeof(max) : 0; i < size; i++)
		max = max << 8 | data[i];
	if (parse_uint(s, max, &v) < 0)
		return;
	FUZZ_ASSERT(v <= max);
	snprintf(back, sizeof(back), "%lu", v);
	/* decimal digits only; leading zeros are the one other spelling */
	s += strspn(s, "0");
	FUZZ_ASSERT(!strcmp(back, *s ? s : "0"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);

	fuzz_spec(s);
	fuzz_host(s);
	fuzz_range(s, false);
	fuzz_range(s, true);
	fuzz_uint(data, size, s);
	free(s);
	return 0;
}
