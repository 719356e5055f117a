/* tests/unit/tap.h: a tiny TAP producer for the C unit tests.
 *
 * ok(cond, fmt, ...), is_int, is_str print one TAP line each; skip(fmt, ...)
 * prints "ok N - # SKIP reason", except under CI=true, where nothing may
 * skip (the same rule as tests/integration/lib.sh skip_or_fail): there it is
 * a failing test. tap_done() prints the plan and gives main's exit status.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TESTS_TAP_H
#define HERMES_TESTS_TAP_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define skip(...) tap_skip(__FILE__, __LINE__, __VA_ARGS__)

/* CI=true (or 1, yes): a skipped test is a failure. */
static inline int tap_in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && (!strcmp(ci, "true") || !strcmp(ci, "1") || !strcmp(ci, "yes"));
}

/* A wall-clock bound of SECONDS times HERMES_TEST_TIME_SCALE (scripts/cross.sh
 * sets it: under qemu-user a program runs several times slower, and the bound
 * is there to catch a runaway, not to measure the machine). */
static inline double tap_time_bound(double seconds)
{
	const char *s = getenv("HERMES_TEST_TIME_SCALE");
	double k = s ? strtod(s, NULL) : 1.0;

	return k > 1.0 ? seconds * k : seconds;
}

static inline int tap_ok(int c, const char *f, int l, const char *desc, ...)
	__attribute__((format(printf, 4, 5)));
static inline int tap_ok(int c, const char *f, int l, const char *desc, ...)
{
	char text[1024], *dir;
	va_list ap;

	va_start(ap, desc);
	vsnprintf(text, sizeof(text), desc, ap);
	va_end(ap);
	/* A "# SKIP" directive written by hand is a skip too. Under CI it is
	 * a failure, printed without the '#' (TAP would still read a skip). */
	dir = c ? strstr(text, "# SKIP") : NULL;
	if(dir && tap_in_ci()) {
		c = 0;
		*dir = '\0';
		printf("not ok %d - %sSKIP under CI=true is a failure:%s\n", ++tap_n, text, dir + 6);
	} else {
		printf("%sok %d - %s\n", c ? "" : "not ", ++tap_n, text);
	}
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

/* skip(fmt, ...): one skipped test with its reason; a failure under CI. */
static inline int tap_skip(const char *f, int l, const char *why, ...)
	__attribute__((format(printf, 3, 4)));
static inline int tap_skip(const char *f, int l, const char *why, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, why);
	vsnprintf(text, sizeof(text), why, ap);
	va_end(ap);
	return tap_ok(1, f, l, "# SKIP %s", text);
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
