// SPDX-License-Identifier: MIT
/* test_util.c - the small shared helpers: parse_uint */
#include <limits.h>

#include "../../common/util.h"
#include "unit.h"

static int uint_is(const char *s, unsigned long max, unsigned long want)
{
	unsigned long v = 12345;

	return parse_uint(s, max, &v) == 0 && v == want;
}

static int uint_err(const char *s, unsigned long max, int err)
{
	unsigned long v = 12345;

	return parse_uint(s, max, &v) == err && v == 12345;
}

static void test_parse_uint(void)
{
	char big[32];

	CHECK(uint_is("0", 0, 0) && uint_is("65535", 65535, 65535) &&
		      uint_is("007", 7, 7),
	      "parse_uint: values up to the bound, leading zeros");
	CHECK(uint_err("65536", 65535, -ERANGE) && uint_err("33", 32, -ERANGE),
	      "parse_uint: one above the bound");
	/* found by tests/fuzz/fuzz_fwdspec.c: a bound below 9 let any
	 * value through ("max - digit" wrapped around) */
	CHECK(uint_err("88", 0, -ERANGE) && uint_err("5", 3, -ERANGE) &&
		      uint_err("10", 8, -ERANGE) && uint_is("3", 3, 3),
	      "parse_uint: a bound below 9");
	snprintf(big, sizeof(big), "%lu", ULONG_MAX);
	CHECK(uint_is(big, ULONG_MAX, ULONG_MAX), "parse_uint: ULONG_MAX");
	CHECK(uint_err("18446744073709551616", ULONG_MAX, -ERANGE) &&
		      uint_err("99999999999999999999999", ULONG_MAX, -ERANGE),
	      "parse_uint: above ULONG_MAX");
	CHECK(uint_err("", 10, -EINVAL) && uint_err("+1", 10, -EINVAL) &&
		      uint_err("-1", 10, -EINVAL) && uint_err(" 1", 10, -EINVAL) &&
		      uint_err("1x", 10, -EINVAL),
	      "parse_uint: not a plain decimal");
}

int main(void)
{
	test_parse_uint();
	UNIT_END();
}
