/* src/api/app.h: the per-process state of the responder.
 *
 * One struct app lives for the whole process (main owns it). The
 * configuration is read once, at the first request, because only then are
 * the web server's FastCGI parameters (Apache SetEnv) visible.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_APP_H
#define HERMES_API_APP_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "tools/registry.h"
#include "util/cfg.h"
#include "util/err.h"

struct req;
struct hio;
struct store;

enum api_mode { API_MODE_FASTCGI, API_MODE_CGI };

struct app {
	struct cfg cfg;            /* owned; valid once cfg_loaded */
	bool cfg_loaded;
	enum api_mode mode;
	unsigned long requests;    /* requests served by this process */
	time_t started;            /* wall clock at start */

	struct tool_config tools;  /* owned; valid once cfg_loaded without error */
	struct herror refusal;     /* rc set: the process refuses to serve (uid 0);
	                              every request answers with it */
	struct store *store;       /* owned; opened on first use, kept open */
	struct herror store_err;   /* why the last open failed */
	time_t store_retry_at;     /* next open attempt after a failure */
	volatile sig_atomic_t interrupt; /* the current agent turn must stop (client gone) */
};

void api_app_init(struct app *app, enum api_mode mode);
void api_app_release(struct app *app);

/* Load the configuration on first use; later calls do nothing. Leaves
 * app->cfg.err set when a file is broken, app->refusal when the process
 * must not serve (root without security.allow_root). */
void api_app_configure(struct app *app, struct req *r);

/* The store, opened on first use and kept for the life of the process.
 * NULL when it cannot be opened: err gets the cause (503 store_unavailable).
 * A failed open is retried at most every few seconds. */
struct store *api_app_store(struct app *app, struct herror *err);

/* The advertised model name (API_SERVER_MODEL_NAME, default hermes-agent). */
const char *api_model_name(const struct app *app);

/* "fastcgi" or "cgi". */
const char *api_mode_name(enum api_mode mode);

#endif
