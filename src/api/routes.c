/* src/api/routes.c: every endpoint, declared once. A later issue adds its
 * endpoints here and /v1/capabilities advertises them from this table.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/routes.h"

#include <string.h>

#include "api/chat.h"
#include "api/discovery.h"
#include "api/meta.h"
#include "api/models.h"
#include "api/responses.h"
#include "api/responses_bg.h"
#include "api/responses_get.h"
#include "api/runs.h"
#include "api/sessions.h"
#include "http/req.h"

/* One entry per method and path. .flags say what the dispatcher checks and
 * reads before the handler (http/route.h); .name is the key the route is
 * advertised under in /v1/capabilities (NULL: not advertised). GET routes
 * answer HEAD too; Allow and the CORS preflight's
 * Access-Control-Allow-Methods are derived from this table. */
static const struct route table[] = {
	{ .method = "GET", .pattern = "/health", .name = "health", .fn = api_health },
	{ .method = "GET", .pattern = "/v1/health", .fn = api_health },
	{ .method = "GET", .pattern = "/health/detailed", .name = "health_detailed",
	  .flags = ROUTE_AUTH, .fn = api_health_detailed },
	{ .method = "GET", .pattern = "/v1/models", .name = "models", .flags = ROUTE_AUTH,
	  .fn = api_models },
	{ .method = "GET", .pattern = "/api/model/options", .name = "model_options",
	  .flags = ROUTE_AUTH, .fn = api_model_options },
	{ .method = "GET", .pattern = "/v1/capabilities", .flags = ROUTE_AUTH,
	  .fn = api_capabilities },
	{ .method = "POST", .pattern = "/v1/chat/completions", .name = "chat_completions",
	  .flags = ROUTE_AUTH | ROUTE_JSON, .max_body = REQ_BODY_MAX, .fn = api_chat },
	{ .method = "POST", .pattern = "/v1/responses", .name = "responses",
	  .flags = ROUTE_AUTH | ROUTE_JSON, .max_body = REQ_BODY_MAX,
	  .fn = api_responses_create },   /* the handler opens the store itself */
	{ .method = "GET", .pattern = "/v1/responses/{id}", .name = "response",
	  .flags = ROUTE_AUTH | ROUTE_STORE, .fn = api_responses_get },
	{ .method = "DELETE", .pattern = "/v1/responses/{id}", .name = "response_delete",
	  .flags = ROUTE_AUTH | ROUTE_STORE, .fn = api_responses_delete },
	{ .method = "GET", .pattern = "/v1/responses/{id}/input_items",
	  .name = "response_input_items", .flags = ROUTE_AUTH | ROUTE_STORE,
	  .fn = api_responses_input_items },
	{ .method = "POST", .pattern = "/v1/responses/{id}/cancel", .name = "response_cancel",
	  .flags = ROUTE_AUTH | ROUTE_STORE, .fn = api_responses_cancel },
	{ .method = "POST", .pattern = "/v1/runs", .name = "runs", .flags = ROUTE_AUTH | ROUTE_STORE,
	  .max_body = REQ_BODY_MAX, .fn = api_runs_create },  /* reads the body itself */
	{ .method = "GET", .pattern = "/v1/runs", .name = "runs_list",
	  .flags = ROUTE_AUTH | ROUTE_STORE, .fn = api_runs_list },
	{ .method = "GET", .pattern = "/v1/runs/{id}", .name = "run_status",
	  .flags = ROUTE_AUTH | ROUTE_STORE, .fn = api_runs_get },
	{ .method = "GET", .pattern = "/v1/runs/{id}/events", .name = "run_events",
	  .flags = ROUTE_AUTH | ROUTE_STORE, .fn = api_runs_events },
	{ .method = "POST", .pattern = "/v1/runs/{id}/stop", .name = "run_stop",
	  .flags = ROUTE_AUTH | ROUTE_STORE, .fn = api_runs_stop },
	{ .method = "POST", .pattern = "/v1/runs/{id}/steer", .name = "run_steer",
	  .flags = ROUTE_AUTH | ROUTE_STORE | ROUTE_JSON, .max_body = REQ_BODY_MAX,
	  .fn = api_runs_steer },
	{ .method = "POST", .pattern = "/v1/runs/{id}/approval", .name = "run_approval",
	  .flags = ROUTE_AUTH | ROUTE_STORE | ROUTE_JSON, .max_body = 64 * 1024,
	  .fn = api_runs_approval },
	/* The sessions API; POST bodies are optional, read by the handlers. */
	{ .method = "GET", .pattern = "/api/sessions", .name = "sessions", .flags = ROUTE_AUTH,
	  .fn = api_sessions_list },
	{ .method = "POST", .pattern = "/api/sessions", .name = "session_create",
	  .flags = ROUTE_AUTH, .max_body = REQ_BODY_MAX, .fn = api_sessions_create },
	{ .method = "GET", .pattern = "/api/sessions/{session_id}", .name = "session", .flags = ROUTE_AUTH,
	  .fn = api_session_get },
	{ .method = "PATCH", .pattern = "/api/sessions/{session_id}", .name = "session_update",
	  .flags = ROUTE_AUTH | ROUTE_JSON, .max_body = 64 * 1024, .fn = api_session_update },
	{ .method = "DELETE", .pattern = "/api/sessions/{session_id}", .name = "session_delete",
	  .flags = ROUTE_AUTH, .fn = api_session_delete },
	{ .method = "GET", .pattern = "/api/sessions/{session_id}/messages", .name = "session_messages",
	  .flags = ROUTE_AUTH, .fn = api_session_messages },
	{ .method = "POST", .pattern = "/api/sessions/{session_id}/fork", .name = "session_fork",
	  .flags = ROUTE_AUTH, .max_body = 64 * 1024, .fn = api_session_fork },
	{ .method = "POST", .pattern = "/api/sessions/{session_id}/chat", .name = "session_chat",
	  .flags = ROUTE_AUTH, .max_body = REQ_BODY_MAX, .fn = api_session_chat },
	{ .method = "POST", .pattern = "/api/sessions/{session_id}/chat/stream",
	  .name = "session_chat_stream", .flags = ROUTE_AUTH, .max_body = REQ_BODY_MAX,
	  .fn = api_session_chat_stream },
	{ .method = "GET", .pattern = "/v1/skills", .name = "skills", .flags = ROUTE_AUTH,
	  .fn = api_skills },
	{ .method = "GET", .pattern = "/v1/toolsets", .name = "toolsets", .flags = ROUTE_AUTH,
	  .fn = api_toolsets },
};

const struct route *api_routes(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct route *api_route_named(const char *name)
{
	for(size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if(table[i].name && strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}
