/* src/api/meta.c: health, models and capabilities.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/meta.h"

#include <json-c/json.h>
#ifdef HAVE_MALLINFO2
#include <malloc.h>
#endif
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/app.h"
#include "api/routes.h"
#include "http/req.h"
#include "http/resp.h"
#include "runner/runner.h"
#include "store/store.h"
#include "tools/confine.h"
#include "util/auth.h"
#include "util/jsonx.h"

#define PLATFORM "hermes-agent"

/* Send obj and drop it. */
static enum herr send_owned(struct req *r, struct json_object *obj)
{
	enum herr rc = resp_json(r, 200, obj);

	json_object_put(obj);
	return rc;
}

static void iso_time(char *out, size_t cap, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

enum herr api_health(void *app, struct req *r)
{
	struct json_object *o = json_object_new_object();

	(void)app;
	jsonx_add_str(o, "status", "ok");
	jsonx_add_str(o, "platform", PLATFORM);
	jsonx_add_str(o, "version", PACKAGE_VERSION);
	return send_owned(r, o);
}

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer's allocator replaces glibc's (whose mallinfo2 then
 * reports 0); it counts the bytes in use itself. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

/* Heap bytes this process has allocated and not freed; -1 if unknown. */
static int64_t heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return (int64_t)__sanitizer_get_current_allocated_bytes();
#elif defined(HAVE_MALLINFO2)
	struct mallinfo2 mi = mallinfo2();

	return (int64_t)(mi.uordblks + mi.hblkhd);
#else
	return -1;
#endif
}

/* memory: {heap_bytes, sqlite_bytes}. SQLite allocates from the same heap,
 * so heap_bytes - sqlite_bytes is what the rest of the responder holds: a
 * leak shows there, a page cache filling up to store.cache_kb does not. */
static struct json_object *memory_info(void)
{
	struct json_object *m = json_object_new_object();
	int64_t heap = heap_in_use();

	if(heap >= 0)
		jsonx_add_int(m, "heap_bytes", heap);
	else
		jsonx_add_owned(m, "heap_bytes", NULL);
	jsonx_add_int(m, "sqlite_bytes", store_memory_used());
	return m;
}

/* tools: {exec_disabled}: why terminal and execute_code are off (the
 * responder runs as a shared web user), or null. */
static struct json_object *tools_info(const struct app *app)
{
	struct json_object *t = json_object_new_object();

	if(app->tools.exec_disabled)
		jsonx_add_str(t, "exec_disabled", app->tools.exec_disabled);
	else
		jsonx_add_owned(t, "exec_disabled", NULL);
	if(app->tools.confine)
		jsonx_add_owned(t, "confinement", tool_confine_json(app->tools.confine));
	else
		jsonx_add_owned(t, "confinement", NULL);
	return t;
}

enum herr api_health_detailed(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct json_object *o = json_object_new_object();
	struct json_object *resp = json_object_new_object();
	struct json_object *cfg = json_object_new_object();
	char started[32];

	jsonx_add_str(o, "status", "ok");
	jsonx_add_str(o, "platform", PLATFORM);
	jsonx_add_str(o, "version", PACKAGE_VERSION);
	jsonx_add_int(o, "pid", (int64_t)getpid());
	/* No runner exists yet (runs issue): nothing drives a gateway state. */
	jsonx_add_owned(o, "gateway_state", NULL);
	jsonx_add_owned(o, "platforms", json_object_new_object());
	jsonx_add_int(o, "active_agents", 0);
	jsonx_add_bool(o, "gateway_busy", 0);
	jsonx_add_bool(o, "gateway_drainable", 0);
	jsonx_add_owned(o, "exit_reason", NULL);
	jsonx_add_owned(o, "updated_at", NULL);

	iso_time(started, sizeof(started), app->started);
	jsonx_add_str(resp, "mode", api_mode_name(app->mode));
	jsonx_add_int(resp, "requests_served", (int64_t)app->requests);
	jsonx_add_str(resp, "started_at", started);
	jsonx_add_owned(o, "responder", resp);
	jsonx_add_owned(o, "memory", memory_info());

	{
		struct herror serr;
		struct json_object *info = NULL, *store = NULL;

		herr_clear(&serr);
		if(api_app_store(app, &serr) && !store_info(app->store, &info, &serr)) {
			store = info;
			jsonx_add_str(store, "state", "ok");
		} else {
			store = json_object_new_object();
			jsonx_add_str(store, "state", "unavailable");
			jsonx_add_str(store, "cause", serr.msg);
		}
		jsonx_add_owned(o, "store", store);
		runner_info(app->cfg.home, app->store, &info);
		jsonx_add_str(info, "mode", app->cfg.runner_mode_name);
		jsonx_add_owned(o, "runner", info);
	}
	jsonx_add_bool(cfg, "api_key_ok", auth_key_state(app->cfg.api_key) == AUTH_KEY_OK);
	jsonx_add_bool(cfg, "upstream_configured", app->cfg.models.n &&
		       app->cfg.models.v[app->cfg.models.def].base_url != NULL);
	jsonx_add_bool(cfg, "cors", app->cfg.cors_origins != NULL);
	jsonx_add_owned(o, "config", cfg);
	jsonx_add_owned(o, "tools", tools_info(app));
	return send_owned(r, o);
}

/* One model of the list. */
static struct json_object *model_obj(const char *id, time_t created)
{
	struct json_object *m = json_object_new_object();

	jsonx_add_str(m, "id", id);
	jsonx_add_str(m, "object", "model");
	jsonx_add_int(m, "created", (int64_t)created);
	jsonx_add_str(m, "owned_by", "hermes");
	jsonx_add_owned(m, "permission", json_object_new_array());
	jsonx_add_str(m, "root", id);
	jsonx_add_owned(m, "parent", NULL);
	return m;
}

/* The agent's alias, then every configured model (docs/models.md). */
enum herr api_models(void *vapp, struct req *r)
{
	struct app *app = vapp;
	const struct cfg_models *ms = &app->cfg.models;
	struct json_object *o = json_object_new_object();
	struct json_object *data = json_object_new_array();
	const char *name = api_model_name(app);
	time_t now = time(NULL);

	json_object_array_add(data, model_obj(name, now));
	for(size_t i = 0; ms->listed && i < ms->n; i++)
		if(strcmp(ms->v[i].name, name) != 0)
			json_object_array_add(data, model_obj(ms->v[i].name, now));
	jsonx_add_str(o, "object", "list");
	jsonx_add_owned(o, "data", data);
	return send_owned(r, o);
}

/* A feature is advertised only when the route that serves it exists; later
 * issues add routes and the flags follow. SPEC: runs-discovery-security §3.1 */
static const struct {
	const char *feature;
	const char *route;   /* capability name of the route that implements it */
} features[] = {
	{ "chat_completions", "chat_completions" },
	{ "chat_completions_streaming", "chat_completions" },
	{ "responses_api", "responses" },
	{ "responses_streaming", "responses" },
	/* Not in the reference's list: GET, DELETE and input_items of a stored
	 * response, which it serves (all but input_items) without a flag. */
	{ "responses_retrieve", "response" },
	{ "responses_delete", "response_delete" },
	{ "responses_input_items", "response_input_items" },
	/* background responses on the runner (issue 12): POST with background,
	 * GET ?stream=true&starting_after=N, POST .../cancel */
	{ "responses_background", "response_cancel" },
	{ "responses_resume", "response_cancel" },
	{ "responses_cancel", "response_cancel" },
	{ "run_submission", "runs" },
	{ "run_status", "run_status" },
	{ "run_events_sse", "run_events" },
	{ "run_stop", "run_stop" },
	{ "run_approval_response", "run_approval" },
	/* later upstream additions (§2.10), and the list this server adds */
	{ "run_steer", "run_steer" },
	{ "run_list", "runs_list" },
	{ "run_events_replay", "run_events" },
	{ "tool_progress_events", "chat_completions" },
	{ "approval_events", "run_approval" },
	{ "session_resources", "sessions" },
	{ "session_chat", "session_chat" },
	{ "session_chat_streaming", "session_chat_stream" },
	{ "session_fork", "session_fork" },
	{ "skills_api", "skills" },
	{ "model_routing", "models" },
	{ "model_options", "model_options" },
	/* client tools (docs/api.md "Client tools") */
	{ "client_tools", "chat_completions" },
	{ "client_tools_responses", "responses" },
};

static const char *const never[] = {
	"admin_config_rw", "jobs_admin", "memory_write_api", "audio_api", "realtime_voice",
};

/* An Idempotency-Key feature: records in state.db (api/idem.h); only
 * background requests use them when background_only. */
static struct json_object *idem_feature(bool background_only)
{
	struct json_object *idem = json_object_new_object();

	jsonx_add_bool(idem, "supported", 1);
	jsonx_add_bool(idem, "durable", 1);
	jsonx_add_int(idem, "retention_seconds", (int64_t)STORE_IDEM_RETENTION);
	if(background_only)
		jsonx_add_bool(idem, "background_only", 1);
	return idem;
}

enum herr api_capabilities(void *vapp, struct req *r)
{
	struct app *app = vapp;
	struct json_object *o = json_object_new_object();
	struct json_object *auth = json_object_new_object();
	struct json_object *rt = json_object_new_object();
	struct json_object *feat = json_object_new_object();
	struct json_object *eps = json_object_new_object();
	size_t n;
	const struct route *t = api_routes(&n);

	jsonx_add_str(o, "object", "hermes.api_server.capabilities");
	jsonx_add_str(o, "platform", PLATFORM);
	jsonx_add_str(o, "model", api_model_name(app));
	jsonx_add_str(auth, "type", "bearer");
	jsonx_add_bool(auth, "required", auth_key_state(app->cfg.api_key) != AUTH_KEY_MISSING);
	jsonx_add_owned(o, "auth", auth);
	jsonx_add_str(rt, "mode", "server_agent");
	jsonx_add_str(rt, "tool_execution", "server");
	jsonx_add_bool(rt, "split_runtime", 0);
	jsonx_add_str(rt, "description",
		      "The API server creates a server-side Hermes AIAgent; tools execute on the "
		      "API-server host unless a future explicit split-runtime mode is enabled.");
	jsonx_add_owned(o, "runtime", rt);

	for(size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		jsonx_add_bool(feat, features[i].feature, api_route_named(features[i].route) != NULL);
	for(size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		jsonx_add_bool(feat, never[i], 0);
	jsonx_add_bool(feat, "cors", app->cfg.cors_origins != NULL);
	jsonx_add_str(feat, "session_continuity_header", "X-Hermes-Session-Id");
	jsonx_add_str(feat, "session_key_header", "X-Hermes-Session-Key");
	jsonx_add_str(feat, "toolsets_header", "X-Hermes-Toolsets");
	jsonx_add_bool(feat, "server_tools", app->cfg.server_tools);
	if(api_route_named("runs"))
		jsonx_add_owned(feat, "runs_idempotency", idem_feature(false));
	if(api_route_named("response_cancel")) /* background responses (api/idem.h) */
		jsonx_add_owned(feat, "responses_idempotency", idem_feature(true));
	jsonx_add_owned(o, "features", feat);

	for(size_t i = 0; i < n; i++) {
		struct json_object *e;

		if(!t[i].name)
			continue;
		e = json_object_new_object();
		jsonx_add_str(e, "method", t[i].method);
		jsonx_add_str(e, "path", t[i].pattern);
		jsonx_add_owned(eps, t[i].name, e);
	}
	jsonx_add_owned(o, "endpoints", eps);
	return send_owned(r, o);
}
