/* src/http/req.c: one request's state, from accept to reset.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "http/req.h"

#include <ctype.h>
#include <json-c/json.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif
#include <string.h>

#include "http/hio.h"
#include "util/jsonx.h"
#include "util/rand.h"
#include "util/str.h"
#include "util/xalloc.h"

#define REQ_HEADERS_MAX 16384

void req_init(struct req *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, REQ_BODY_MAX);
	buf_init(&r->headers, REQ_HEADERS_MAX);
	query_init(&r->q);
	r->method = "GET";
	r->query = "";
	r->route_path = "";
}

/* The request path without the query: SCRIPT_NAME + PATH_INFO when either
 * is set (lighttpd and Apache split the URL differently, see
 * SPEC: deployment), else REQUEST_URI up to '?'. */
static char *request_path(const struct hio *io)
{
	const char *sn = hio_param(io, "SCRIPT_NAME");
	const char *pi = hio_param(io, "PATH_INFO");
	const char *uri = hio_param(io, "REQUEST_URI");
	struct buf b;
	enum herr rc;

	if((sn && *sn) || (pi && *pi)) {
		buf_init(&b, 65536);
		rc = buf_adds(&b, sn ? sn : "");
		if(!rc)
			rc = buf_adds(&b, pi ? pi : "");
		if(!rc && buf_len(&b))
			return buf_take(&b);
		buf_release(&b);
	}
	if(uri && *uri)
		return xstrndup(uri, strcspn(uri, "?"));
	return xstrdup("/");
}

enum herr req_begin(struct req *r, struct hio *io, size_t max_body)
{
	const char *m, *q, *cl;

	r->io = io;
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	herr_clear(&r->err);
	if(rand_hex(r->id, sizeof(r->id), REQ_ID_LEN / 2))
		memcpy(r->id, "0000000000000000", REQ_ID_LEN + 1);
	m = hio_param(io, "REQUEST_METHOD");
	r->method = m && *m ? m : "GET";
	q = hio_param(io, "QUERY_STRING");
	r->query = q ? q : "";
	r->path = request_path(io);
	r->route_path = r->path;

	cl = hio_param(io, "CONTENT_LENGTH");
	if(cl && *cl) {
		size_t n;
		size_t tl;
		const char *t = str_trim(cl, strlen(cl), &tl);
		char tmp[32];

		if(tl == 0 || tl >= sizeof(tmp))
			goto bad_length;
		memcpy(tmp, t, tl);
		tmp[tl] = '\0';
		if(!str_to_size(tmp, (size_t)-1 / 2, &n)) {
			/* Digits only but too big for size_t is still "too large". */
			if(strspn(tmp, "0123456789") == tl) {
				r->has_body = true;
				r->content_length = (size_t)-1 / 2;
				return herr_set(&r->err, HERR_TOO_LARGE, "body_too_large", NULL,
						"Request body too large.");
			}
			goto bad_length;
		}
		r->content_length = n;
		r->has_body = n > 0;
		if(n > max_body)
			return herr_set(&r->err, HERR_TOO_LARGE, "body_too_large", NULL,
					"Request body too large.");
	}
	return HERR_OK;

bad_length:
	return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_content_length", NULL,
			"Content-Length must be a non-negative integer.");
}

void req_reset(struct req *r)
{
	free(r->path);
	r->path = NULL;
	r->route_path = "";
	r->method = "GET";
	r->query = "";
	query_release(&r->q);
	r->q_parsed = false;
	r->q_rc = HERR_OK;
	r->content_length = 0;
	r->has_body = false;
	r->body_read = 0;
	buf_reset(&r->body);
	if(r->json)
		json_object_put(r->json);
	r->json = NULL;
	if(r->trim) {
#ifdef HAVE_MALLOC_TRIM
		malloc_trim(0);
#endif
		r->trim = false;
	}
	r->route = NULL;
	r->params.n = 0;
	buf_reset(&r->headers);
	r->status = 0;
	r->auth_ok = false;
	herr_clear(&r->err);
	r->io = NULL;
}

void req_release(struct req *r)
{
	req_reset(r);
	buf_release(&r->body);
	buf_release(&r->headers);
}

enum herr req_query(struct req *r, const struct query **out)
{
	*out = &r->q;
	if(!r->q_parsed) {
		r->q_parsed = true;
		r->q_rc = query_parse(&r->q, r->query, &r->err);
	}
	return r->q_rc;
}

const char *req_param(const struct req *r, const char *name)
{
	return r->io ? hio_param(r->io, name) : NULL;
}

const char *req_header(const struct req *r, const char *name)
{
	char key[128];
	size_t i = 0, j;

	if(str_ieq(name, "Content-Type"))
		return req_param(r, "CONTENT_TYPE");
	if(str_ieq(name, "Content-Length"))
		return req_param(r, "CONTENT_LENGTH");
	memcpy(key, "HTTP_", 5);
	j = 5;
	for(; name[i] && j < sizeof(key) - 1; i++, j++)
		key[j] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	if(name[i])
		return NULL;
	key[j] = '\0';
	return req_param(r, key);
}

enum herr req_read_body(struct req *r)
{
	char chunk[16384];

	while(r->body_read < r->content_length) {
		size_t want = r->content_length - r->body_read;
		ssize_t got;

		if(want > sizeof(chunk))
			want = sizeof(chunk);
		got = hio_read(r->io, chunk, want);
		if(got <= 0)
			return herr_set(&r->err, HERR_BAD_REQUEST, "incomplete_body", NULL,
					"The request body ended after %zu of %zu bytes.",
					r->body_read, r->content_length);
		r->body_read += (size_t)got;
		if(r->body_read > REQ_TRIM_BODY)
			r->trim = true;
		if(buf_add(&r->body, chunk, (size_t)got))
			return herr_set(&r->err, HERR_TOO_LARGE, "body_too_large", NULL,
					"Request body too large.");
	}
	return HERR_OK;
}

/* What a request nests, stored and read back, must parse again. */
_Static_assert(REQ_JSON_DEPTH + 16 <= JSONX_STORED_DEPTH,
	       "JSONX_STORED_DEPTH leaves no room above REQ_JSON_DEPTH");

enum herr req_read_json(struct req *r)
{
	enum herr rc;
	size_t values = 0;

	if(!r->has_body)
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_json", NULL,
				"The request body must be a JSON object.");
	rc = req_read_body(r);
	if(rc)
		return rc;
	rc = jsonx_check(buf_str(&r->body), buf_len(&r->body), REQ_JSON_DEPTH, REQ_JSON_VALUES_MAX,
			 &values, &r->err);
	if(values > REQ_TRIM_VALUES)
		r->trim = true;
	if(rc)
		return rc;
	rc = jsonx_parse(buf_str(&r->body), buf_len(&r->body), REQ_JSON_DEPTH, &r->json, &r->err);
	/* Only the tree is used from here: a body near the cap is not held
	 * twice for the rest of the request (a small buffer stays for reuse). */
	buf_reset(&r->body);
	if(rc)
		return rc;
	if(!json_object_is_type(r->json, json_type_object)) {
		json_object_put(r->json);
		r->json = NULL;
		return herr_set(&r->err, HERR_BAD_REQUEST, "invalid_json", NULL,
				"The request body must be a JSON object.");
	}
	return HERR_OK;
}

enum herr req_read_for_route(struct req *r)
{
	if(!r->route)
		return HERR_OK;
	if(r->route->flags & ROUTE_JSON)
		return req_read_json(r);
	if(r->route->flags & ROUTE_RAW)
		return req_read_body(r);
	return HERR_OK;
}

void req_drain(struct req *r)
{
	char chunk[16384];
	size_t limit = r->content_length;

	if(!r->io || !r->has_body)
		return;
	if(limit > REQ_DRAIN_MAX)
		limit = REQ_DRAIN_MAX;
	while(r->body_read < limit) {
		size_t want = limit - r->body_read;
		ssize_t got;

		if(want > sizeof(chunk))
			want = sizeof(chunk);
		got = hio_read(r->io, chunk, want);
		if(got <= 0)
			break;
		r->body_read += (size_t)got;
	}
}

double req_elapsed_ms(const struct req *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - r->started.tv_sec) * 1e3 +
	       (double)(now.tv_nsec - r->started.tv_nsec) / 1e6;
}
