/* src/api/app.c: process state and the once-per-process configuration.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/app.h"

#include <stdlib.h>
#include <string.h>

#include "http/req.h"
#include "store/store.h"
#include "util/auth.h"
#include "util/log.h"
#include "util/str.h"

#define STORE_RETRY_S 5
#define MAX_STORED_LIMIT 100000

void api_app_init(struct app *app, enum api_mode mode)
{
	memset(app, 0, sizeof(*app));
	app->mode = mode;
	app->started = time(NULL);
}

void api_app_release(struct app *app)
{
	store_close(app->store);
	app->store = NULL;
	if(app->cfg_loaded)
		cfg_release(&app->cfg);
	app->cfg_loaded = false;
}

struct store *api_app_store(struct app *app, struct herror *err)
{
	struct store_opts o = { 0 };
	time_t now = time(NULL);

	if(app->store)
		return app->store;
	if(app->store_err.rc && now < app->store_retry_at) {
		*err = app->store_err;
		return NULL;
	}
	o.home = app->cfg.home;
	o.max_responses = app->max_stored_responses;
	herr_clear(&app->store_err);
	if(store_open(&o, &app->store, &app->store_err)) {
		LOG_ERR("%s", app->store_err.msg);
		app->store_retry_at = now + STORE_RETRY_S;
		*err = app->store_err;
		return NULL;
	}
	return app->store;
}

/* Settings that must be numbers are checked here, once, with the same
 * file-line-key message as a syntax error. */
static void check_numbers(struct app *app)
{
	const char *path = "platforms.api_server.extra.max_stored_responses";
	size_t n;

	if(str_to_size(app->cfg.max_stored_responses, MAX_STORED_LIMIT, &n) && n > 0) {
		app->max_stored_responses = (int)n;
		return;
	}
	if(cfg_yaml_line(&app->cfg, path) && !getenv("API_SERVER_MAX_STORED_RESPONSES"))
		herr_set(&app->cfg.err, HERR_CONFIG, "config_error", NULL,
			 "%s line %d: key %s must be a whole number from 1 to %d",
			 app->cfg.yaml_path, cfg_yaml_line(&app->cfg, path), path, MAX_STORED_LIMIT);
	else
		herr_set(&app->cfg.err, HERR_CONFIG, "config_error", NULL,
			 "API_SERVER_MAX_STORED_RESPONSES must be a whole number from 1 to %d",
			 MAX_STORED_LIMIT);
}

const char *api_mode_name(enum api_mode mode)
{
	return mode == API_MODE_CGI ? "cgi" : "fastcgi";
}

static const char *request_env(void *ctx, const char *name)
{
	return req_param(ctx, name);
}

void api_app_configure(struct app *app, struct req *r)
{
	enum log_level lvl;
	enum auth_key_state ks;

	if(app->cfg_loaded)
		return;
	app->cfg_loaded = true;
	if(!cfg_load(&app->cfg, request_env, r))
		check_numbers(app);
	if(app->cfg.err.rc) {
		LOG_ERR("configuration error: %s", app->cfg.err.msg);
		return;
	}
	if(app->cfg.log_level) {
		if(log_level_parse(app->cfg.log_level, &lvl))
			log_set_level(lvl);
		else
			LOG_WARN("HERMES_LOG_LEVEL/logging.level '%s' is not one of debug, info, "
				 "warning, error; using info", app->cfg.log_level);
	}
	ks = auth_key_state(app->cfg.api_key);
	if(ks != AUTH_KEY_OK)
		LOG_WARN("%s Requests from non-loopback addresses get 503 until this is fixed.",
			 auth_key_problem(ks));
	LOG_INFO("configured: HERMES_HOME=%s model_name=%s upstream=%s", app->cfg.home,
		 app->cfg.model_name ? app->cfg.model_name : "-",
		 app->cfg.base_url ? app->cfg.base_url : "(none)");
}
