/* src/agent/compress.c: summarise the middle of a long conversation and
 * rotate to a child session.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/compress.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "agent/persist.h"
#include "store/store.h"
#include "util/jsonx.h"
#include "util/log.h"

#define KEEP_TAIL 4
#define TRANSCRIPT_MAX (512u * 1024)

static const char summarizer[] =
	"Summarise the conversation below so that an assistant can continue it without the "
	"original: keep the user's goals, decisions, facts, names, numbers, open tasks and "
	"what the tools returned. Write plain text, at most 300 words.";

long agent_estimate_tokens(struct json_object *messages)
{
	/* counted, not serialised: no copy of the conversation is made */
	return (long)(jsonx_plain_len(messages) / 4);
}

/* Where the kept tail starts: about KEEP_TAIL messages from the end, moved
 * back so it never starts with a tool result cut off from its call. */
static size_t tail_start(struct json_object *ctx)
{
	size_t n = json_object_array_length(ctx);
	size_t i = n > KEEP_TAIL + 1 ? n - KEEP_TAIL : 1;

	while(i > 1) {
		const char *role = jsonx_get_str(json_object_array_get_idx(ctx, i), "role");
		if(!role || strcmp(role, "tool") != 0)
			break;
		i--;
	}
	return i;
}

static int transcript(struct json_object *ctx, size_t from, size_t to, struct buf *out)
{
	for(size_t i = from; i < to; i++) {
		struct json_object *m = json_object_array_get_idx(ctx, i);
		const char *role = jsonx_get_str(m, "role");
		const char *content = jsonx_get_str(m, "content");
		struct json_object *calls = json_object_object_get(m, "tool_calls");

		if(buf_addf(out, "[%s] %s\n", role ? role : "?", content ? content : ""))
			return -1;
		if(calls && buf_addf(out, "[tool calls] %s\n",
				     json_object_to_json_string_ext(calls, JSON_C_TO_STRING_PLAIN)))
			return -1;
	}
	return 0;
}

/* Open the child session in the store; 0 on success. */
static int rotate_store(const struct agent_opts *o, const char *old_id, const char *new_id)
{
	struct json_object *old = NULL;
	struct store_session ss = { 0 };
	struct herror err;
	char title[200];
	int rc = 0;

	if(!o->store)
		return 0;
	herr_clear(&err);
	if(!store_session_get(o->store, old_id, &old, &err)) {
		const char *t = jsonx_get_str(old, "title");
		snprintf(title, sizeof(title), "%s #2", t ? t : "Conversation");
		ss.title = title;
	}
	ss.id = new_id;
	ss.source = o->source ? o->source : "api_server";
	ss.parent_session_id = old_id;
	ss.model = o->model_name ? o->model_name : o->llm.model;
	ss.session_key = o->session_key;
	if(store_session_create(o->store, &ss, &err)) {
		LOG_WARN("compression: child session not created (%s); staying in %s", err.msg, old_id);
		rc = -1;
	} else if(store_session_end(o->store, old_id, "compression", &err)) {
		LOG_WARN("compression: session %s not marked ended: %s", old_id, err.msg);
	}
	json_object_put(old);
	return rc;
}

void agent_compress(const struct agent_opts *o, const struct llm_opts *llm,
		    struct json_object **ctx, struct agent_result *res, const struct agent_sink *sink)
{
	long limit = o->context_length > 0 ? o->context_length : 128000;
	double share = o->compression_threshold > 0 ? o->compression_threshold : 0.5;
	size_t n = json_object_array_length(*ctx), from;
	struct json_object *req, *next;
	struct llm_reply reply;
	struct llm_call_info info;
	struct llm_opts lo = *llm;
	struct herror err;
	struct buf text;
	char old_id[AGENT_SESSION_ID_MAX];
	struct agent_event ev = { .type = AGENT_EV_SESSION_ROTATED };

	if(agent_estimate_tokens(*ctx) <= (long)((double)limit * share))
		return;
	from = tail_start(*ctx);
	if(from <= 1)
		return; /* nothing in the middle to summarise */
	buf_init(&text, TRANSCRIPT_MAX);
	if(transcript(*ctx, 1, from, &text))
		LOG_INFO("compression: transcript cut at %u bytes", TRANSCRIPT_MAX);
	req = json_object_new_array();
	next = json_object_new_object();
	jsonx_add_str(next, "role", "system");
	jsonx_add_str(next, "content", summarizer);
	json_object_array_add(req, next);
	next = json_object_new_object();
	jsonx_add_str(next, "role", "user");
	jsonx_add_str(next, "content", buf_str(&text));
	json_object_array_add(req, next);
	buf_release(&text);
	herr_clear(&err);
	llm_reply_init(&reply);
	lo.stream = false;
	res->api_calls++;
	if(llm_call(&lo, req, NULL, NULL, &reply, &info, &err) || !buf_len(&reply.content)) {
		LOG_WARN("compression: summary call failed (%s); continuing uncompressed",
			 err.msg[0] ? err.msg : "empty summary");
		goto out;
	}
	res->input_tokens += reply.prompt_tokens;
	res->output_tokens += reply.completion_tokens;
	res->total_tokens += reply.total_tokens;

	snprintf(old_id, sizeof(old_id), "%s", res->session_id);
	agent_new_session_id(res->session_id, sizeof(res->session_id));
	if(rotate_store(o, old_id, res->session_id)) {
		snprintf(res->session_id, sizeof(res->session_id), "%s", old_id);
		goto out;
	}
	next = json_object_new_array();
	json_object_array_add(next, json_object_get(json_object_array_get_idx(*ctx, 0)));
	{
		struct json_object *sm = json_object_new_object();
		struct buf s;

		buf_init(&s, LLM_MAX_CONTENT + 256);
		if(buf_addf(&s, "Summary of the earlier conversation (compressed to fit the "
			    "context window):\n%s", buf_str(&reply.content)))
			LOG_WARN("compression: summary too long");
		jsonx_add_str(sm, "role", "user");
		jsonx_add_str(sm, "content", buf_str(&s));
		buf_release(&s);
		agent_persist(o, res, res->session_id, sm);
		json_object_array_add(next, sm);
	}
	for(size_t i = from; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(*ctx, i);

		agent_persist(o, res, res->session_id, m);
		json_object_array_add(next, json_object_get(m));
	}
	json_object_put(*ctx);
	*ctx = next;
	LOG_INFO("compression: session %s continued as %s (%zu messages summarised)", old_id,
		 res->session_id, from - 1);
	ev.session_id = res->session_id;
	ev.old_session_id = old_id;
	agent_emit(sink, &ev);
out:
	llm_reply_release(&reply);
	json_object_put(req);
}
