/* tests/unit/tap.h: a tiny TAP producer for the C unit tests.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TESTS_TAP_H
#define HERMES_TESTS_TAP_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static inline int tap_ok(int c, const char *f, int l, const char *desc, ...)
	__attribute__((format(printf, 4, 5)));
static inline int tap_ok(int c, const char *f, int l, const char *desc, ...)
{
	va_list ap;

	printf("%sok %d - ", c ? "" : "not ", ++tap_n);
	va_start(ap, desc);
	vprintf(desc, ap);
	va_end(ap);
	printf("\n");
	if(!c) {
		printf("#   failed at %s:%d\n", f, l);
		tap_failed++;
	}
	return c;
}

static inline int tap_is_int(long long got, long long want, const char *f, int l,
			     const char *desc)
{
	int c = tap_ok(got == want, f, l, "%s", desc);

	if(!c)
		printf("#   got %lld, want %lld\n", got, want);
	return c;
}

static inline int tap_is_str(const char *got, const char *want, const char *f, int l,
			     const char *desc)
{
	int c = tap_ok(got && want ? strcmp(got, want) == 0 : got == want, f, l, "%s", desc);

	if(!c)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return c;
}

/* Open file descriptors of this process (for leak checks). */
static inline int tap_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while(d && (e = readdir(d)))
		if(e->d_name[0] != '.')
			n++;
	if(d)
		closedir(d);
	return n;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
