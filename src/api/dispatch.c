/* src/api/dispatch.c: the request pipeline.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/routes.h"
#include "http/hio.h"
#include "http/req.h"
#include "http/resp.h"
#include "util/auth.h"
#include "util/log.h"
#include "util/str.h"

#define ALLOW_MAX 64


/* The request headers a browser may send: the baseline's three, and the
 * server's own (sessions, toolsets) and an SSE reader's resume header. */
#define CORS_ALLOW_HEADERS                                                                 \
	"Authorization, Content-Type, Idempotency-Key, X-Hermes-Session-Id, "              \
	"X-Hermes-Session-Key, X-Hermes-Toolsets, Last-Event-ID"
/* Does path (or a suffix starting at a '/') name a route? The app may be
 * mounted at "/" or under a prefix; lighttpd and Apache split the URL into
 * SCRIPT_NAME and PATH_INFO differently, so the prefix is found by trying
 * the full path first and then each shorter tail. */
static int path_known(const char *path)
{
	size_t n;
	const struct route *t = api_routes(&n);

	for(size_t i = 0; i < n; i++)
		if(route_match(t[i].pattern, path, NULL))
			return 1;
	return 0;
}

const char *api_route_path(const char *path, const char *base_path, int *found)
{
	*found = 0;
	if(base_path && *base_path && strcmp(base_path, "/") != 0) {
		size_t bl = strlen(base_path);

		while(bl && base_path[bl - 1] == '/')
			bl--;
		if(strncmp(path, base_path, bl) != 0 || (path[bl] != '/' && path[bl] != '\0'))
			return path;
		path += bl;
		*found = path_known(path);
		return path;
	}
	for(const char *p = path; p; p = strchr(p + 1, '/')) {
		if(path_known(p)) {
			*found = 1;
			return p;
		}
	}
	return path;
}

/* What the preflight allows: the methods the route table has for the
 * requested path, and OPTIONS (only OPTIONS for a path with no route).
 * SPEC §1.3 lists a fixed "GET, POST, DELETE, OPTIONS"; derived from the
 * table, PATCH routes are allowed and a path is not offered what it lacks. */
static const char *preflight_methods(struct app *app, struct req *r, char *out, size_t cap)
{
	size_t n, used;
	const struct route *table = api_routes(&n);
	int found;
	const char *path = api_route_path(r->path, app->cfg.base_path, &found);

	route_methods(table, n, path, out, cap);
	used = strlen(out);
	snprintf(out + used, cap - used, "%sOPTIONS", used ? ", " : "");
	return out;
}

/* CORS, SPEC §1.3. Returns true when the request is answered (403 or
 * preflight). */
static bool cors(struct app *app, struct req *r)
{
	const char *origin = req_header(r, "Origin");
	const char *list = app->cfg.cors_origins;
	bool allowed = false, wildcard = false;
	char methods[ALLOW_MAX];

	if(!origin || !*origin)
		return false;
	if(list) {
		const char *p = list;
		size_t olen = strlen(origin);

		while(*p) {
			size_t len = strcspn(p, ","), tl;
			const char *t = str_trim(p, len, &tl);

			if(tl == 1 && *t == '*')
				wildcard = allowed = true;
			else if(tl == olen && strncmp(t, origin, olen) == 0)
				allowed = true;
			p += len;
			if(*p == ',')
				p++;
		}
	}
	if(!allowed) {
		char o[128];

		str_sanitize(o, sizeof(o), origin);
		LOG_WARN("origin %s not allowed; add it to API_SERVER_CORS_ORIGINS", o);
		herr_set(&r->err, HERR_FORBIDDEN, "origin_not_allowed", NULL,
			 "Origin not allowed. Add it to API_SERVER_CORS_ORIGINS to allow browser access.");
		return true;
	}
	resp_header(r, "Access-Control-Allow-Origin", wildcard ? "*" : origin);
	if(!wildcard)
		resp_header(r, "Vary", "Origin");
	/* a browser script may read the session a turn was stored in */
	resp_header(r, "Access-Control-Expose-Headers", "X-Hermes-Session-Id, X-Hermes-Session-Key");
	if(strcmp(r->method, "OPTIONS") == 0) {
		resp_header(r, "Access-Control-Allow-Methods", preflight_methods(app, r, methods,
										 sizeof(methods)));
		resp_header(r, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
		resp_header(r, "Access-Control-Max-Age", "600");
		if(resp_send(r, 200, "text/plain", "", 0))
			LOG_DEBUG("client went away during preflight answer");
		return true;
	}
	return false;
}

/* Without a strong key a loopback listener is served only under a local
 * Host: a web page the machine's owner opens could otherwise point its own
 * host name at 127.0.0.1 (DNS rebinding) and drive the agent. A request
 * without Host (HTTP/1.0 tools) is not a browser's and passes. */
static bool host_gate(struct app *app, struct req *r)
{
	const char *host = req_header(r, "Host"), *name;
	char *scratch = NULL, shown[80];
	bool local;

	if(!host)
		return false;
	name = cfg_lookup(&app->cfg, "API_SERVER_HOST", "platforms.api_server.extra.host", &scratch);
	if(!name)
		name = req_param(r, "API_SERVER_HOST");   /* web server SetEnv */
	local = auth_host_is_local(host, name);
	free(scratch);
	if(local)
		return false;
	str_sanitize(shown, sizeof(shown), host);
	LOG_WARN("refused Host %s on a loopback listener without API_SERVER_KEY "
		 "(set the key, or use localhost)", shown);
	herr_set(&r->err, HERR_FORBIDDEN, "host_not_allowed", NULL,
		 "Host '%s' is not a local name. Without a strong API_SERVER_KEY only localhost, "
		 "127.0.0.1 and [::1] (or API_SERVER_HOST) are served; set API_SERVER_KEY to "
		 "use other host names.", shown);
	return true;
}

/* The API-key gate, SPEC §4.1 with the loopback allowance: without
 * a strong key only loopback listeners answer, and only to local Hosts. */
static bool key_gate(struct app *app, struct req *r)
{
	enum auth_key_state ks = auth_key_state(app->cfg.api_key);

	if(ks == AUTH_KEY_OK)
		return false;
	if(auth_addr_is_loopback(req_param(r, "SERVER_ADDR")))
		return host_gate(app, r);
	herr_set(&r->err, HERR_UNAVAILABLE,
		 ks == AUTH_KEY_MISSING ? "api_key_not_configured" : "weak_api_key", NULL,
		 "%s", auth_key_problem(ks));
	return true;
}

static void log_auth_failure(struct req *r)
{
	char peer[64], xff[128], xri[64], path[256], ua[128];
	const char *v;

	str_sanitize(peer, sizeof(peer), (v = req_param(r, "REMOTE_ADDR")) ? v : "-");
	str_sanitize(xff, sizeof(xff), (v = req_header(r, "X-Forwarded-For")) ? v : "-");
	str_sanitize(xri, sizeof(xri), (v = req_header(r, "X-Real-IP")) ? v : "-");
	str_sanitize(path, sizeof(path), r->path);
	str_sanitize(ua, sizeof(ua), (v = req_header(r, "User-Agent")) ? v : "-");
	LOG_WARN("invalid API key: peer=%s x-forwarded-for=%s x-real-ip=%s %s %s ua=%s%s", peer,
		 xff, xri, r->method, path, ua,
		 req_header(r, "Authorization") ? "" :
		 " (no Authorization header reached the app; under Apache mod_fcgid add "
		 "'FcgidPassHeader Authorization')");
}

/* Route, authenticate, parse, run the handler. Errors land in r->err. */
static void handle(struct app *app, struct req *r)
{
	size_t n;
	const struct route *table = api_routes(&n);
	char allow[ALLOW_MAX];
	int found;
	enum route_result res;

	r->route_path = api_route_path(r->path, app->cfg.base_path, &found);
	res = route_find(table, n, r->method, r->route_path, &r->route, &r->params, allow,
			 sizeof(allow));
	if(res == ROUTE_NO_PATH) {
		/* The path the client asked for (REQUEST_URI; PATH_INFO
		 * without one), never r->path: SCRIPT_NAME + PATH_INFO may name
		 * the script's file (a rewrite to /hermes/hermes.fcgi). */
		const char *uri = req_param(r, "REQUEST_URI");
		char p[256];

		if(!uri || !*uri)
			uri = req_param(r, "PATH_INFO");
		str_sanitize(p, sizeof(p), uri && *uri ? uri : "/");
		p[strcspn(p, "?")] = '\0';
		herr_set(&r->err, HERR_NOT_FOUND, "not_found", NULL, "No route for %s %s.",
			 r->method, p);
		return;
	}
	if(res == ROUTE_NO_METHOD) {
		resp_header(r, "Allow", allow);
		herr_set(&r->err, HERR_METHOD, "method_not_allowed", NULL,
			 "Method %s is not allowed here; allowed: %s.", r->method, allow);
		return;
	}
	if((r->route->flags & ROUTE_AUTH) && app->cfg.api_key &&
	   auth_key_state(app->cfg.api_key) != AUTH_KEY_MISSING) {
		if(!auth_check(req_header(r, "Authorization"), app->cfg.api_key)) {
			log_auth_failure(r);
			herr_set(&r->err, HERR_UNAUTHORIZED, "invalid_api_key", NULL, "Invalid API key");
			return;
		}
		r->auth_ok = true;
	}
	if(r->route->max_body && r->has_body && r->content_length > r->route->max_body) {
		herr_set(&r->err, HERR_TOO_LARGE, "body_too_large", NULL, "Request body too large.");
		return;
	}
	if((r->route->flags & ROUTE_STORE) && !api_app_store(app, &r->err))
		return;
	if(req_read_for_route(r))
		return;
	if(r->route->fn(app, r) && !r->err.rc)
		herr_set(&r->err, HERR_INTERNAL, "internal_error", NULL,
			 "The handler failed without saying why.");
}

/* A broken configuration answers 500 config_error everywhere. Its detail
 * names files and lines under HERMES_HOME, so it goes only to a request
 * that proves it holds the key (one the broken files did not hide: the
 * environment, the web server's SetEnv, a file that parsed); everyone
 * else is told where to look. The log always has the detail. */
static void config_error_answer(struct app *app, struct req *r)
{
	char *scratch = NULL;
	const char *key = cfg_lookup(&app->cfg, "API_SERVER_KEY", "platforms.api_server.extra.key",
				     &scratch);
	bool shown;

	if(!key)
		key = req_param(r, "API_SERVER_KEY");
	shown = auth_key_state(key) == AUTH_KEY_OK &&
		auth_check(req_header(r, "Authorization"), key);
	free(scratch);
	if(shown) {
		r->err = app->cfg.err;
		return;
	}
	herr_set(&r->err, HERR_CONFIG, "config_error", NULL,
		 "The server's configuration has an error. The web server's error log names the "
		 "file and line, and so does 'hermesctl doctor' (or send this request with the "
		 "API key).");
}

/* One line for a request answered with an error: a failure (5xx but 503)
 * is an ERROR; a refused request (4xx: bad input, unknown id, too large)
 * an INFO line saying why, as the client is told. A 503 is logged where
 * it is decided (once per process for a responder running as root). The
 * message may quote client text: sanitised. */
static void log_refusal(const struct req *r, const char *path)
{
	char msg[HERR_MSG_MAX], method[16];
	int st = r->err.status;

	str_sanitize(msg, sizeof(msg), r->err.msg);
	str_sanitize(method, sizeof(method), r->method ? r->method : "-");
	if(st >= 500 && st != 503)
		LOG_ERR("%s %s -> %d %s: %s", method, path, st, r->err.code, msg);
	else if(st >= 400 && st < 500)
		LOG_INFO("%s %s -> %d %s: %s", method, path, st, r->err.code, msg);
}

void api_serve(struct app *app, struct req *r, struct hio *io)
{
	enum herr begin = req_begin(r, io, REQ_BODY_MAX);
	char path[256];

	log_set_request(r->id);
	app->requests++;
	api_app_configure(app, r);
	if(app->cfg.err.rc) {
		config_error_answer(app, r);
		goto answer;
	}
	if(app->refusal.rc) {
		r->err = app->refusal;
		goto answer;
	}
	if(cors(app, r))
		goto answer;
	if(begin)
		goto answer;
	if(key_gate(app, r))
		goto answer;
	handle(app, r);
answer:
	str_sanitize(path, sizeof(path), r->path ? r->path : "-");
	if(r->err.rc && !r->status) {
		log_refusal(r, path);
		if(resp_error(r, &r->err))
			LOG_DEBUG("client went away before the error answer");
	}
	req_drain(r);
	LOG_DEBUG("%s %s %d %.1fms", r->method, path, r->status, req_elapsed_ms(r));
	req_reset(r);
	log_set_request(NULL);
}
