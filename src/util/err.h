/* src/util/err.h: the one error code type and the error detail it carries.
 *
 * Every fallible function returns enum herr (HERR_OK = 0). Detail for the
 * client (HTTP status, OpenAI type/code/param, message) lives in a struct
 * herror owned by the caller, filled by herr_set() in the style of curl's
 * failf(). Only http/resp.c renders it.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_ERR_H
#define HERMES_UTIL_ERR_H

#include <stddef.h>

enum herr {
	HERR_OK = 0,
	HERR_BAD_REQUEST,     /* 400: the client sent something invalid */
	HERR_UNAUTHORIZED,    /* 401 */
	HERR_FORBIDDEN,       /* 403 */
	HERR_NOT_FOUND,       /* 404 */
	HERR_METHOD,          /* 405 */
	HERR_CONFLICT,        /* 409: the thing exists already / wrong state */
	HERR_TOO_LARGE,       /* 413, or a capped buffer that would overflow */
	HERR_RATE_LIMIT,      /* 429 */
	HERR_INTERNAL,        /* 500 */
	HERR_CONFIG,          /* 500: a configuration file is broken */
	HERR_UPSTREAM,        /* 502 */
	HERR_UNAVAILABLE,     /* 503 */
	HERR_IO               /* the client connection failed (nothing to render) */
};

#define HERR_MSG_MAX 512
#define HERR_CODE_MAX 48
#define HERR_PARAM_MAX 96

/* Detail of the last error. Embedded in its owner (struct req, struct cfg);
 * all strings are inline, so it needs no release. */
struct herror {
	enum herr rc;
	int status;                  /* HTTP status to answer with */
	const char *type;            /* OpenAI error.type, static string */
	char code[HERR_CODE_MAX];    /* OpenAI error.code; "" renders as null */
	char param[HERR_PARAM_MAX];  /* OpenAI error.param; "" renders as null */
	char msg[HERR_MSG_MAX];      /* human-readable, never holds a secret */
};

/* Empty the error (rc = HERR_OK). */
void herr_clear(struct herror *err);

/* Record an error and return rc, so callers can write
 *   return herr_set(err, HERR_BAD_REQUEST, "invalid_json", NULL, "...");
 * code and param may be NULL. status and type follow from rc (see
 * herr_status()); override them with herr_set_status() when needed. */
enum herr herr_set(struct herror *err, enum herr rc, const char *code,
		   const char *param, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Override the HTTP status (and, if not NULL, the OpenAI type). */
void herr_set_status(struct herror *err, int status, const char *type);

/* The default HTTP status for rc. */
int herr_status(enum herr rc);

/* The default OpenAI error.type for rc: invalid_request_error for 4xx,
 * server_error for 5xx. Static string. */
const char *herr_type(enum herr rc);

#endif
