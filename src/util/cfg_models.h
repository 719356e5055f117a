/* src/util/cfg_models.h: the upstream models a client can pick by name.
 *
 * config.yaml `models:` is a list of {name, base_url, model, api_key |
 * api_key_env, context_length, temperature, max_tokens, reasoning_effort,
 * default}. Without it the single-model settings (OPENAI_BASE_URL,
 * HERMES_MODEL, OPENAI_API_KEY, model.*) form one implicit entry named
 * after the agent's alias (API_SERVER_MODEL_NAME), so nothing changes for
 * configurations written before the list existed.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_CFG_MODELS_H
#define HERMES_UTIL_CFG_MODELS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct cfg;

#define CFG_MODELS_MAX 64

struct cfg_model {              /* every string owned by the list */
	char *name;             /* what clients send as "model" */
	char *base_url;         /* upstream API root (".../v1"); may be NULL */
	char *model;            /* upstream model id; may be NULL */
	char *api_key;          /* resolved key; NULL = no Authorization */
	char *api_key_env;      /* the variable it came from (api_key_env:); may be NULL */
	char *reasoning_effort; /* default sent upstream; may be NULL */
	long context_length;    /* tokens */
	long max_tokens;        /* default; 0 = not sent */
	double temperature;
	bool temperature_set;
};

struct cfg_models {
	struct cfg_model *v;    /* owned, n entries */
	size_t n;
	size_t def;             /* index of the default entry */
	bool listed;            /* from config.yaml models: (not the implicit entry) */
	bool strict;            /* unknown names are refused (model.strict) */
};

/* Build the list from a loaded cfg (its files and single-model settings);
 * api_key_env names are looked up like every setting (environment, .env).
 * An invalid list sets cfg->err (file, line, what is wrong) and returns it. */
enum herr cfg_models_load(struct cfg *cfg, struct cfg_models *out);

/* Free what m owns (not the struct); m is left empty. */
void cfg_models_release(struct cfg_models *m);

/* The entry a request's model name picks: the entry of that name; the
 * default for no name or the agent's alias; for another name the default
 * unless strict. NULL: unknown and strict. Borrowed from m. */
const struct cfg_model *cfg_models_pick(const struct cfg_models *m, const char *name,
					const char *alias);

/* The entry named exactly name, else the default (a run queued before the
 * configuration changed still runs). Borrowed; NULL only for an empty list. */
const struct cfg_model *cfg_models_named(const struct cfg_models *m, const char *name);

#endif
