/* src/util/log.c: the logger singleton (program name, level, request id).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/str.h"

static const char *log_prog = "hermes";
static enum log_level log_level = LOG_LVL_INFO;
static char log_req[40] = "-";

void log_init(const char *prog)
{
	log_prog = prog;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	if(!s)
		return 0;
	if(str_ieq(s, "debug"))
		*out = LOG_LVL_DEBUG;
	else if(str_ieq(s, "info"))
		*out = LOG_LVL_INFO;
	else if(str_ieq(s, "warning") || str_ieq(s, "warn"))
		*out = LOG_LVL_WARNING;
	else if(str_ieq(s, "error"))
		*out = LOG_LVL_ERROR;
	else
		return 0;
	return 1;
}

void log_set_request(const char *id)
{
	snprintf(log_req, sizeof(log_req), "%s", id ? id : "-");
}

static const char *level_name(enum log_level level)
{
	static const char *const names[] = { "DEBUG", "INFO", "WARNING", "ERROR" };
	return names[level];
}

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
{
	char msg[1024], stamp[32], clean[1024];
	struct tm tm;
	time_t now;
	va_list ap;

	if(level < log_level)
		return;
	/* VPATH builds pass "../../src/x.c"; show the path from src/. */
	if(strstr(file, "src/"))
		file = strstr(file, "src/");
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One event, one line: a message never breaks the line format. */
	str_sanitize(clean, sizeof(clean), msg);
	fprintf(stderr, "%s %s[%ld] %s req=%s %s:%d %s\n", stamp, log_prog,
		(long)getpid(), level_name(level), log_req, file, line, clean);
	fflush(stderr);
}
