/* src/util/log.h: one line per event on stderr, which lighttpd and Apache
 * put in their error log.
 *
 * Line format:
 *   2026-11-25T00:40:00Z hermes-fcgi[1234] WARNING req=9f2c… src/api/dispatch.c:88 message
 * The request id is set per request by the dispatcher ("-" outside one).
 * Never pass a secret (API key, bearer token) to these functions.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_LOG_H
#define HERMES_UTIL_LOG_H

enum log_level { LOG_LVL_DEBUG = 0, LOG_LVL_INFO, LOG_LVL_WARNING, LOG_LVL_ERROR };

/* Set the program name printed in every line (borrowed; must outlive use). */
void log_init(const char *prog);

/* Lines below level are dropped. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Parse "debug", "info", "warning"/"warn", "error" (any case); returns
 * false and leaves *out alone for anything else. */
int log_level_parse(const char *s, enum log_level *out);

/* The request id shown in each line; NULL for "-". Copied. */
void log_set_request(const char *id);

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define LOG_DEBUG(...) log_write(LOG_LVL_DEBUG, __FILE__, __LINE__, __VA_ARGS__)
#define LOG_INFO(...) log_write(LOG_LVL_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define LOG_WARN(...) log_write(LOG_LVL_WARNING, __FILE__, __LINE__, __VA_ARGS__)
#define LOG_ERR(...) log_write(LOG_LVL_ERROR, __FILE__, __LINE__, __VA_ARGS__)

#endif
