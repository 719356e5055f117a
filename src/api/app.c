/* src/api/app.c: process state and the once-per-process configuration.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/app.h"

#include <stdlib.h>
#include <string.h>

#include "http/req.h"
#include "store/store.h"
#include "tools/settings.h"
#include "util/auth.h"
#include "util/log.h"
#include "util/privs.h"

#define STORE_RETRY_S 5

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
	tool_config_release(&app->tools);
	if(app->cfg_loaded)
		cfg_release(&app->cfg);
	app->cfg_loaded = false;
}

struct store *api_app_store(struct app *app, struct herror *err)
{
	struct store_opts o;
	time_t now = time(NULL);

	if(app->store)
		return app->store;
	if(app->store_err.rc && now < app->store_retry_at) {
		*err = app->store_err;
		return NULL;
	}
	store_opts_from_cfg(&app->cfg, &o);
	herr_clear(&app->store_err);
	if(store_open(&o, &app->store, &app->store_err)) {
		LOG_ERR("%s", app->store_err.msg);
		app->store_retry_at = now + STORE_RETRY_S;
		*err = app->store_err;
		return NULL;
	}
	return app->store;
}


const char *api_model_name(const struct app *app)
{
	return app->cfg.model_name && *app->cfg.model_name ? app->cfg.model_name : "hermes-agent";
}

const char *api_mode_name(enum api_mode mode)
{
	return mode == API_MODE_CGI ? "cgi" : "fastcgi";
}

static const char *request_env(void *ctx, const char *name)
{
	return req_param(ctx, name);
}

/* Settings that only matter once the files parsed: log level, key state,
 * the exec tools' policy. Logged once per process under FastCGI; plain CGI
 * serves one request per process, so its routine lines stay at debug. */
static void report_configuration(struct app *app)
{
	enum log_level lvl;
	enum auth_key_state ks;

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
	if(app->tools.exec_disabled)
		LOG_WARN("%s", app->tools.exec_disabled);
	log_write(app->mode == API_MODE_CGI ? LOG_LVL_DEBUG : LOG_LVL_INFO, __FILE__, __LINE__,
		  "configured: HERMES_HOME=%s model_name=%s upstream=%s models=%zu", app->cfg.home,
		  app->cfg.model_name ? app->cfg.model_name : "-",
		  app->cfg.models.n && app->cfg.models.v[app->cfg.models.def].base_url ?
		  app->cfg.models.v[app->cfg.models.def].base_url : "(none)", app->cfg.models.n);
}

void api_app_configure(struct app *app, struct req *r)
{
	if(app->cfg_loaded)
		return;
	app->cfg_loaded = true;
	herr_clear(&app->refusal);
	if(cfg_load(&app->cfg, request_env, r)) {
		LOG_ERR("configuration error: %s", app->cfg.err.msg);
		return;
	}
	/* Before the tools' settings: they create the workspace. */
	if(privs_refuse_root(PRIVS_RESPONDER, app->cfg.allow_root, &app->refusal)) {
		LOG_ERR("%s", app->refusal.msg);
		return;
	}
	if(tool_config_init(&app->tools, &app->cfg, &app->cfg.err)) {
		LOG_ERR("configuration error: %s", app->cfg.err.msg);
		return;
	}
	report_configuration(app);
	/* The configuration holds the keys now: out of the environment with them. */
	privs_scrub_secrets(&app->cfg.models);
}
