/* src/http/resp.c: status line, headers, bodies and error envelopes.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "http/resp.h"

#include <json-c/json.h>
#include <string.h>

#include "http/hio.h"
#include "http/req.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/utf8.h"

/* SPEC: runs-discovery-security §1.3, on every response. */
static const char security_headers[] =
	"Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
	"Permissions-Policy: camera=(), microphone=(), geolocation=()\r\n"
	"Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"X-Frame-Options: DENY\r\n"
	"X-XSS-Protection: 0\r\n"
	"Referrer-Policy: no-referrer\r\n"
	"Cache-Control: no-store\r\n";

const char *resp_reason(int status)
{
	switch(status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

void resp_header(struct req *r, const char *name, const char *value)
{
	if(str_has_ctl(name, strlen(name)) || str_has_ctl(value, strlen(value))) {
		LOG_WARN("dropped response header %s: control byte in value", name);
		return;
	}
	if(buf_addf(&r->headers, "%s: %s\r\n", name, value))
		LOG_WARN("dropped response header %s: header block full", name);
}

/* Status line and headers into out; content_length < 0 means streamed. */
static enum herr head(struct req *r, struct buf *out, int status, const char *ctype,
		      long long content_length)
{
	enum herr rc;

	rc = buf_addf(out, "Status: %d %s\r\nContent-Type: %s\r\nX-Request-Id: %s\r\n",
		      status, resp_reason(status), ctype, r->id);
	if(!rc && content_length >= 0)
		rc = buf_addf(out, "Content-Length: %lld\r\n", content_length);
	if(!rc)
		rc = buf_adds(out, security_headers);
	if(!rc && buf_len(&r->headers))
		rc = buf_add(out, buf_str(&r->headers), buf_len(&r->headers));
	if(!rc)
		rc = buf_adds(out, "\r\n");
	return rc;
}

/* Compose the head (and body, unless streaming or HEAD) into one buffer
 * and write it in one go. content_length < 0: streamed, no body here. */
static enum herr send_head(struct req *r, int status, const char *content_type,
			   const char *body, long long content_length)
{
	size_t len = content_length > 0 ? (size_t)content_length : 0;
	struct buf out;
	enum herr rc;

	if(r->status) {
		LOG_ERR("response already started (%d); cannot send %d", r->status, status);
		return HERR_INTERNAL;
	}
	buf_init(&out, len + 65536);
	rc = head(r, &out, status, content_type, content_length);
	if(!rc && len && strcmp(r->method, "HEAD") != 0)
		rc = buf_add(&out, body, len);
	if(rc) {
		buf_release(&out);
		return HERR_INTERNAL;
	}
	r->status = status;
	rc = hio_write(r->io, buf_str(&out), buf_len(&out));
	buf_release(&out);
	return rc;
}

enum herr resp_send(struct req *r, int status, const char *content_type,
		    const char *body, size_t len)
{
	return send_head(r, status, content_type, body, (long long)len);
}

enum herr resp_json(struct req *r, int status, struct json_object *obj)
{
	size_t len;
	const char *text = jsonx_text(obj, &len);

	return resp_send(r, status, "application/json", text, len);
}

/* A JSON string of s (NULL: null) holding only valid UTF-8: error texts
 * quote client input (a part type, a media type, a Host), and a strict JSON
 * client cannot parse an envelope with invalid UTF-8 in it. Invalid bytes
 * become U+FFFD; this is the one place every envelope passes through. */
static struct json_object *clean_string(const char *s)
{
	struct buf b;
	struct json_object *o;
	size_t len;

	if(!s)
		return NULL;
	len = strlen(s);
	if(utf8_valid(s, len))
		return json_object_new_string_len(s, (int)len);
	buf_init(&b, 3 * len + 1);
	if(utf8_sanitize(&b, s, len, true))
		return json_object_new_string("(unprintable message)");
	o = json_object_new_string_len(buf_str(&b), (int)buf_len(&b));
	buf_release(&b);
	return o;
}

struct json_object *resp_error_object(const struct herror *err)
{
	struct json_object *env = json_object_new_object();
	struct json_object *e = json_object_new_object();
	enum herr rc = err->rc ? err->rc : HERR_INTERNAL;

	jsonx_add_owned(e, "message", clean_string(err->msg[0] ? err->msg :
						   resp_reason(herr_status(rc))));
	jsonx_add_str(e, "type", err->type ? err->type : herr_type(rc));
	jsonx_add_owned(e, "param", clean_string(err->param[0] ? err->param : NULL));
	jsonx_add_owned(e, "code", clean_string(err->code[0] ? err->code : NULL));
	jsonx_add_owned(env, "error", e);
	return env;
}

enum herr resp_error(struct req *r, const struct herror *err)
{
	struct json_object *env = resp_error_object(err);
	int status = err->status ? err->status : herr_status(err->rc ? err->rc : HERR_INTERNAL);
	enum herr rc = resp_json(r, status, env);

	json_object_put(env);
	return rc;
}

enum herr resp_stream_begin(struct req *r, int status, const char *content_type)
{
	enum herr rc = send_head(r, status, content_type, NULL, -1);

	if(!rc)
		rc = hio_flush(r->io);
	return rc;
}

enum herr resp_stream_write(struct req *r, const char *p, size_t n)
{
	enum herr rc;

	if(strcmp(r->method, "HEAD") == 0)   /* the head went out; HEAD has no body */
		return HERR_OK;
	rc = hio_write(r->io, p, n);

	if(!rc)
		rc = hio_flush(r->io);
	return rc;
}
