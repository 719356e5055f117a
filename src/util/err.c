/* src/util/err.c: filling struct herror.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void herr_clear(struct herror *err)
{
	memset(err, 0, sizeof(*err));
	err->rc = HERR_OK;
}

int herr_status(enum herr rc)
{
	switch(rc) {
	case HERR_OK: return 200;
	case HERR_BAD_REQUEST: return 400;
	case HERR_UNAUTHORIZED: return 401;
	case HERR_FORBIDDEN: return 403;
	case HERR_NOT_FOUND: return 404;
	case HERR_METHOD: return 405;
	case HERR_CONFLICT: return 409;
	case HERR_RATE_LIMIT: return 429;
	case HERR_TOO_LARGE: return 413;
	case HERR_UPSTREAM: return 502;
	case HERR_UNAVAILABLE: return 503;
	case HERR_INTERNAL:
	case HERR_CONFIG:
	case HERR_IO:
		break;
	}
	return 500;
}

const char *herr_type(enum herr rc)
{
	if(rc == HERR_RATE_LIMIT)
		return "rate_limit_error";
	return herr_status(rc) >= 500 ? "server_error" : "invalid_request_error";
}

static void copy_field(char *dst, size_t cap, const char *src)
{
	if(!src) {
		dst[0] = '\0';
		return;
	}
	snprintf(dst, cap, "%s", src);
}

enum herr herr_set(struct herror *err, enum herr rc, const char *code,
		   const char *param, const char *fmt, ...)
{
	va_list ap;

	err->rc = rc;
	err->status = herr_status(rc);
	err->type = herr_type(rc);
	copy_field(err->code, sizeof(err->code), code);
	copy_field(err->param, sizeof(err->param), param);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

void herr_set_status(struct herror *err, int status, const char *type)
{
	err->status = status;
	if(type)
		err->type = type;
}
