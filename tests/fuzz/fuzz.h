/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz/ share
 *
 * Each target is one LLVMFuzzerTestOneInput() linked with the real sources
 * of what it fuzzes (see the Makefile's fuzz section) and built with
 * clang's -fsanitize=fuzzer,address,undefined. A crash, a sanitizer report,
 * a leak or a FUZZ_ASSERT() that fails makes libFuzzer stop and keep the
 * input; tests/fuzz/run.sh turns that into a FAIL line.
 */
#ifndef QBOX_FUZZ_H
#define QBOX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * A property the code under test promises, checked on every input: its
 * failure is a bug like a crash, and abort() makes libFuzzer keep the input.
 */
#define FUZZ_ASSERT(cond)                                                     \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: fuzz property failed: %s\n",  \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

/*
 * The input as a C string: a malloc'd copy with a NUL after it (so a
 * parser reading past the input's end is caught by ASan at the copy's
 * end, not by luck). Embedded NULs end the string early, as they would
 * for text from argv or a socket line.
 */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif /* QBOX_FUZZ_H */
