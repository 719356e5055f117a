/* src/api/sessions.h: the REST sessions API (/api/sessions...): browse,
 * create, rename, delete and fork stored sessions, page through their
 * messages, and chat inside one (session_chat.c, session_stream.c).
 *
 * Every handler needs the store; without it the answer is 503
 * session_db_unavailable with the cause (never a 500).
 * SPEC: runs-discovery-security §2.9, §3.1, §5.3, §5.5; docs/api.md
 * "Sessions API".
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_SESSIONS_H
#define HERMES_API_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct app;
struct req;
struct store;
struct json_object;

#define API_SESSIONS_LIMIT_DEFAULT 20
#define API_SESSIONS_LIMIT_MAX 200
#define API_MESSAGES_LIMIT_DEFAULT 100
#define API_MESSAGES_LIMIT_MAX 1000
#define API_SESSION_TITLE_MAX 200

/* Route handlers (api/routes.c). */
enum herr api_sessions_list(void *app, struct req *r);     /* GET /api/sessions */
enum herr api_sessions_create(void *app, struct req *r);   /* POST /api/sessions */
enum herr api_session_get(void *app, struct req *r);       /* GET /api/sessions/{id} */
enum herr api_session_update(void *app, struct req *r);    /* PATCH /api/sessions/{id} */
enum herr api_session_delete(void *app, struct req *r);    /* DELETE /api/sessions/{id} */
enum herr api_session_messages(void *app, struct req *r);  /* GET …/{id}/messages */
enum herr api_session_fork(void *app, struct req *r);      /* POST …/{id}/fork */
enum herr api_session_chat(void *app, struct req *r);      /* POST …/{id}/chat */
enum herr api_session_chat_stream(void *app, struct req *r); /* POST …/{id}/chat/stream */

/* The store, or NULL with r->err set to 503 session_db_unavailable (the
 * message carries the cause). Borrowed from app. */
struct store *api_sessions_store(struct app *app, struct req *r);

/* A summary row (store_session_summary) as the API shows it: object
 * "hermes.session" added (obj borrowed, changed in place). */
void api_session_public(struct json_object *row);

/* A stored message row as clients see it: only id, session_id, role,
 * content, tool_call_id, tool_calls (parsed), tool_name, timestamp,
 * token_count, finish_reason, reasoning, reasoning_content, those present
 * (new reference). The same whitelist for GET …/messages and a chat
 * turn's transcript. */
struct json_object *api_session_message_public(struct json_object *row, const char *session_id);

/* The request body as a JSON object into r->json: an absent or empty body
 * is {} (these bodies are optional), anything else as req_read_json. */
enum herr api_sessions_body(struct req *r) __attribute__((warn_unused_result));

/* Read an integer query parameter name of r into *out (left alone when
 * absent), from min to max: else 400 invalid_value naming that range. */
enum herr api_query_count(struct req *r, const char *name, long min, long max, long *out)
	__attribute__((warn_unused_result));

/* The optional string member key of the body (r->json) into *out
 * (borrowed; NULL when absent or null): at most max bytes (400
 * string_above_max_length), without control bytes unless multiline
 * (400 invalid_value). Titles and system prompts are read with it. */
enum herr api_session_text(struct req *r, const char *key, size_t max, bool multiline,
			   const char **out) __attribute__((warn_unused_result));

#endif
