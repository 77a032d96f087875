/* SPDX-License-Identifier: MIT */
/*
 * unit.h - the smallest test harness that does the job
 *
 * CHECK(cond, name) prints "PASS: name" or "FAIL: name: file:line"; main()
 * returns the number of failures, so tests/run.sh sees both the lines and
 * the exit status.
 */
#ifndef QBOX_UNIT_H
#define QBOX_UNIT_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int unit_failures;

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		char name_[2048];                                              \
		snprintf(name_, sizeof(name_), __VA_ARGS__);                  \
		if (cond) {                                                   \
			printf("PASS: %s\n", name_);                          \
		} else {                                                      \
			printf("FAIL: %s: %s:%d: %s\n", name_, __FILE__,      \
			       __LINE__, #cond);                              \
			unit_failures++;                                      \
		}                                                             \
	} while (0)

#define UNIT_END() return unit_failures ? 1 : 0

#endif /* QBOX_UNIT_H */
