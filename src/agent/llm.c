/* src/agent/llm.c: one upstream chat completion over libcurl.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/llm.h"

#include "util/lazy_curl.h"
#include "util/xfer.h"
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agent/llm_sse.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"

#define LLM_ERR_BODY_MAX 65536
#define LLM_WHOLE_MAX (8u * 1024 * 1024)
#define LLM_EVENT_MAX (2u * 1024 * 1024)
#define LLM_BACKOFF_CAP_MS 30000L
#define LLM_RETRY_AFTER_CAP_S 60L

/* State of one attempt, shared with the curl callbacks. */
struct attempt {
	const struct llm_opts *o;
	CURL *curl;
	struct llm_reply *reply;
	const struct llm_deltas *d;
	struct llm_sse sse;
	struct buf body;            /* error body or whole JSON answer */
	long status;
	int mode;                   /* 0 unknown, 1 SSE, 2 whole JSON, 3 error body */
	long retry_after_s;         /* from Retry-After, -1 if none */
	struct herror err;          /* set when a callback stopped the transfer */
};

const char *llm_fail_name(enum llm_fail f)
{
	static const char *const names[] = { "none", "auth", "rate_limit", "bad_request",
					     "unavailable", "timeout", "malformed", "interrupted",
					     "config" };

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}

static enum herr on_event(void *ctx, const char *data, size_t len)
{
	struct attempt *a = ctx;

	return llm_reply_chunk(a->reply, data, len, a->d, &a->err);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct attempt *a = ud;
	size_t len = size * n;

	if(a->mode == 0) {
		char *ct = NULL;

		curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &a->status);
		curl_easy_getinfo(a->curl, CURLINFO_CONTENT_TYPE, &ct);
		if(a->status != 200)
			a->mode = 3;
		else if(ct && strstr(ct, "text/event-stream"))
			a->mode = 1;
		else
			a->mode = 2;
	}
	if(a->mode == 1) {
		if(llm_sse_feed(&a->sse, p, len, on_event, a, &a->err))
			return 0;
		return len;
	}
	if(a->mode == 3 && buf_len(&a->body) + len > LLM_ERR_BODY_MAX)
		return len; /* keep the start of an error body only */
	if(buf_add(&a->body, p, len)) {
		herr_set(&a->err, HERR_UPSTREAM, "upstream_malformed", NULL,
			 "The upstream's answer is larger than the limit.");
		return 0;
	}
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct attempt *a = ud;
	size_t len = size * n;

	if(len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		char v[32];
		size_t tl;
		const char *t = str_trim(p + 12, len - 12, &tl);
		long s;

		if(tl < sizeof(v)) {
			memcpy(v, t, tl);
			v[tl] = '\0';
			if(str_to_long(v, 0, 86400, &s))
				a->retry_after_s = s;
		}
	}
	return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct attempt *a = ud;

	(void)dt, (void)dn, (void)ut, (void)un;
	return a->o->interrupt && *a->o->interrupt ? 1 : 0;
}

/* The request body (new reference). Its text, jsonx_text(), is made once
 * and kept by the object: curl sends it from there on every attempt, so a
 * conversation near the body cap is not held twice (a copy of the text
 * beside json-c's). The messages and tools are shared, not copied. */
static struct json_object *request_body(const struct llm_opts *o, struct json_object *messages,
					struct json_object *tools)
{
	struct json_object *b = json_object_new_object();

	if(o->model && *o->model)
		jsonx_add_str(b, "model", o->model);
	jsonx_add_owned(b, "messages", json_object_get(messages));
	if(tools && json_object_array_length(tools)) {
		jsonx_add_owned(b, "tools", json_object_get(tools));
		if(o->tool_choice)
			jsonx_add_owned(b, "tool_choice", json_object_get(o->tool_choice));
	}
	if(o->temperature_set)
		jsonx_add_owned(b, "temperature", json_object_new_double(o->temperature));
	if(o->top_p_set)
		jsonx_add_owned(b, "top_p", json_object_new_double(o->top_p));
	if(o->max_tokens > 0)
		jsonx_add_int(b, "max_tokens", o->max_tokens);
	if(o->reasoning_effort && *o->reasoning_effort)
		jsonx_add_str(b, "reasoning_effort", o->reasoning_effort);
	if(o->stream) {
		struct json_object *so = json_object_new_object();

		jsonx_add_bool(b, "stream", 1);
		jsonx_add_bool(so, "include_usage", 1);
		jsonx_add_owned(b, "stream_options", so);
	}
	return b;
}

/* The upstream's own message from an error body, for the user. */
static void upstream_message(const struct buf *body, char *out, size_t cap)
{
	struct json_object *o = json_tokener_parse(buf_str(body));
	struct json_object *e = json_object_object_get(o, "error");
	const char *m = NULL;

	if(json_object_is_type(e, json_type_object))
		m = jsonx_get_str(e, "message");
	else if(json_object_is_type(e, json_type_string))
		m = json_object_get_string(e);
	else if(o)
		m = jsonx_get_str(o, "message");
	if(m)
		str_sanitize(out, cap, m);
	else
		str_sanitize(out, cap, buf_len(body) ? buf_str(body) : "(empty body)");
	json_object_put(o);
}

/* Classify a finished attempt; returns 1 if it may be retried. */
static int classify(struct attempt *a, CURLcode cc, struct llm_call_info *info,
		    struct herror *err)
{
	char msg[300];

	info->http_status = a->status;
	if(cc == CURLE_ABORTED_BY_CALLBACK || (a->o->interrupt && *a->o->interrupt)) {
		info->fail = LLM_FAIL_INTERRUPTED;
		herr_set(err, HERR_IO, "interrupted", NULL, "The call was interrupted.");
		return 0;
	}
	if(cc == CURLE_WRITE_ERROR && a->err.rc) {
		*err = a->err;
		info->fail = strcmp(a->err.code, "upstream_error") == 0 ? LLM_FAIL_UNAVAILABLE
								       : LLM_FAIL_MALFORMED;
		return 0;
	}
	if(cc == CURLE_OPERATION_TIMEDOUT) {
		info->fail = LLM_FAIL_TIMEOUT;
		herr_set(err, HERR_UPSTREAM, "upstream_timeout", NULL,
			 "The upstream did not answer in time (%s).", curl_easy_strerror(cc));
		herr_set_status(err, 504, NULL);
		return 1;
	}
	if(cc != CURLE_OK) {
		info->fail = LLM_FAIL_UNAVAILABLE;
		herr_set(err, HERR_UPSTREAM, "upstream_unavailable", NULL,
			 "The upstream at %s could not be reached: %s.", a->o->base_url,
			 curl_easy_strerror(cc));
		return 1;
	}
	if(a->status != 200) {
		upstream_message(&a->body, msg, sizeof(msg));
		if(a->status == 401 || a->status == 403) {
			info->fail = LLM_FAIL_AUTH;
			herr_set(err, HERR_UPSTREAM, "upstream_auth", NULL,
				 "The upstream rejected the API key (HTTP %ld: %s); check "
				 "OPENAI_API_KEY.", a->status, msg);
			return 0;
		}
		if(a->status == 429) {
			info->fail = LLM_FAIL_RATE_LIMIT;
			herr_set(err, HERR_UPSTREAM, "upstream_rate_limited", NULL,
				 "The upstream is rate limiting (HTTP 429: %s).", msg);
			herr_set_status(err, 429, "rate_limit_error");
			return 1;
		}
		if(a->status == 408 || a->status >= 500) {
			info->fail = a->status == 408 ? LLM_FAIL_TIMEOUT : LLM_FAIL_UNAVAILABLE;
			herr_set(err, HERR_UPSTREAM, "upstream_unavailable", NULL,
				 "The upstream failed (HTTP %ld: %s).", a->status, msg);
			return 1;
		}
		info->fail = LLM_FAIL_BAD_REQUEST;
		herr_set(err, HERR_UPSTREAM, "upstream_bad_request", NULL,
			 "The upstream refused the request (HTTP %ld: %s).", a->status, msg);
		return 0;
	}
	if(a->mode == 2) {
		if(llm_reply_whole(a->reply, buf_str(&a->body), buf_len(&a->body), err)) {
			info->fail = strcmp(err->code, "upstream_error") == 0 ? LLM_FAIL_UNAVAILABLE
									     : LLM_FAIL_MALFORMED;
			return 0;
		}
		return -1;
	}
	if(!a->reply->done && !a->reply->finish_reason[0]) {
		info->fail = LLM_FAIL_UNAVAILABLE;
		herr_set(err, HERR_UPSTREAM, "upstream_unavailable", NULL,
			 "The upstream's stream ended before the answer was complete.");
		return 1;
	}
	return -1; /* success */
}

#define TICK_MS XFER_TICK_MS

static int attempt_once(const struct llm_opts *o, const char *body, size_t body_len,
			const struct llm_deltas *d,
			struct llm_reply *reply, struct llm_call_info *info, long *retry_after,
			struct herror *err)
{
	struct attempt a;
	struct curl_slist *h = NULL;
	struct buf url, auth;
	CURLcode cc;
	int verdict;
	size_t bl = strlen(o->base_url);

	memset(&a, 0, sizeof(a));
	a.o = o;
	a.reply = reply;
	a.d = d;
	a.retry_after_s = -1;
	herr_clear(&a.err);
	llm_sse_init(&a.sse, LLM_EVENT_MAX);
	buf_init(&a.body, LLM_WHOLE_MAX);
	buf_init(&url, 8192);
	buf_init(&auth, 8192);
	while(bl && o->base_url[bl - 1] == '/')
		bl--;
	if(buf_add(&url, o->base_url, bl) || buf_adds(&url, "/chat/completions")) {
		verdict = 0;
		info->fail = LLM_FAIL_CONFIG;
		herr_set(err, HERR_CONFIG, "config_error", NULL, "OPENAI_BASE_URL is too long.");
		goto out;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, o->stream ? "Accept: text/event-stream" : "Accept: application/json");
	if(o->api_key && *o->api_key && !buf_addf(&auth, "Authorization: Bearer %s", o->api_key))
		h = curl_slist_append(h, buf_str(&auth));
	a.curl = curl_easy_init();
	if(!a.curl) {
		verdict = 0;
		info->fail = LLM_FAIL_UNAVAILABLE;
		herr_set(err, HERR_INTERNAL, "internal_error", NULL, "libcurl could not start.");
		goto out;
	}
	curl_easy_setopt(a.curl, CURLOPT_URL, buf_str(&url));
	curl_easy_setopt(a.curl, CURLOPT_HTTPHEADER, h);
	/* not copied by curl: body outlives the transfer */
	curl_easy_setopt(a.curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	curl_easy_setopt(a.curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(a.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(a.curl, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s > 0 ? o->connect_timeout_s : 10L);
	curl_easy_setopt(a.curl, CURLOPT_TIMEOUT, o->total_timeout_s > 0 ? o->total_timeout_s : 600L);
	/* Idle timeout: fewer than 1 byte/s for idle seconds aborts. */
	curl_easy_setopt(a.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(a.curl, CURLOPT_LOW_SPEED_TIME, o->idle_timeout_s > 0 ? o->idle_timeout_s : 120L);
	curl_easy_setopt(a.curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(a.curl, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(a.curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(a.curl, CURLOPT_HEADERDATA, &a);
	curl_easy_setopt(a.curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(a.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(a.curl, CURLOPT_XFERINFODATA, &a);
	curl_easy_setopt(a.curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(a.curl, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = xfer_perform(a.curl, &(struct xfer_wait){ o->tick, o->tick_ctx, o->interrupt });
	if(cc != CURLE_OK && a.status == 0)
		curl_easy_getinfo(a.curl, CURLINFO_RESPONSE_CODE, &a.status);
	verdict = classify(&a, cc, info, err);
	*retry_after = a.retry_after_s;
out:
	curl_easy_cleanup(a.curl);
	curl_slist_free_all(h);
	llm_sse_release(&a.sse);
	buf_release(&a.body);
	buf_release(&url);
	buf_release(&auth);
	return verdict;
}

/* Sleep ms (the retry back-off, up to a minute of Retry-After) in steps of
 * TICK_MS, calling o->tick and checking the interrupt flag at each: a
 * stream stays alive, a departed client, a SIGTERM or the turn's time
 * limit end the wait within a step. */
static void nap(const struct llm_opts *o, long ms)
{
	while(ms > 0 && !(o->interrupt && *o->interrupt)) {
		long step = ms > TICK_MS ? TICK_MS : ms;
		struct timespec ts = { 0, step * 1000000L };

		nanosleep(&ts, NULL);
		ms -= step;
		if(o->tick)
			o->tick(o->tick_ctx);
	}
}

enum herr llm_configured(const struct llm_opts *o, struct herror *err)
{
	if(o->base_url && *o->base_url)
		return HERR_OK;
	return herr_set(err, HERR_UNAVAILABLE, "upstream_not_configured", NULL,
			"No upstream LLM is configured: set OPENAI_BASE_URL (and "
			"OPENAI_API_KEY) in $HERMES_HOME/.env or model.base_url in config.yaml.");
}

enum herr llm_call(const struct llm_opts *o, struct json_object *messages,
		   struct json_object *tools, const struct llm_deltas *d, struct llm_reply *out,
		   struct llm_call_info *info, struct herror *err)
{
	struct json_object *body;
	const char *text;
	size_t text_len;
	int retries = o->max_retries >= 0 ? o->max_retries : 3;
	long backoff = o->backoff_ms > 0 ? o->backoff_ms : 500;

	memset(info, 0, sizeof(*info));
	if(llm_configured(o, err)) {
		info->fail = LLM_FAIL_CONFIG;
		return err->rc;
	}
	if(lazy_curl_load(err)) { /* a 503 naming the package to install */
		info->fail = LLM_FAIL_CONFIG;
		return err->rc;
	}
	body = request_body(o, messages, tools);
	text = jsonx_text(body, &text_len); /* owned by body */
	for(;;) {
		long retry_after = -1, wait;
		int verdict;

		info->attempts++;
		herr_clear(err);
		verdict = attempt_once(o, text, text_len, d, out, info, &retry_after, err);
		if(verdict < 0) {
			info->fail = LLM_FAIL_NONE;
			break;
		}
		if(!verdict || out->forwarded || info->attempts > retries)
			break;
		wait = backoff << (info->attempts - 1);
		if(wait > LLM_BACKOFF_CAP_MS || wait <= 0)
			wait = LLM_BACKOFF_CAP_MS;
		/* Jitter, not security relevant. */
		wait += (long)((unsigned)rand() % (unsigned)backoff);
		if(retry_after >= 0)
			wait = (retry_after > LLM_RETRY_AFTER_CAP_S ? LLM_RETRY_AFTER_CAP_S : retry_after) *
			       1000L;
		LOG_INFO("upstream %s (attempt %d, %s); retrying in %ld ms", llm_fail_name(info->fail),
			 info->attempts, err->msg, wait);
		nap(o, wait);
		if(o->interrupt && *o->interrupt) {
			info->fail = LLM_FAIL_INTERRUPTED;
			herr_set(err, HERR_IO, "interrupted", NULL, "The call was interrupted.");
			break;
		}
		llm_reply_reset(out);
	}
	json_object_put(body);
	return info->fail == LLM_FAIL_NONE ? HERR_OK : err->rc;
}
