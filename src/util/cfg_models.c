/* src/util/cfg_models.c: the models list of config.yaml, or the implicit
 * single entry of the older settings.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/cfg_models.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cfg.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/xalloc.h"

#define NAME_MAX_LEN 128

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static enum herr bad(struct cfg *cfg, size_t i, const char *what)
{
	char path[32];

	snprintf(path, sizeof(path), "models[%zu]", i);
	return herr_set(&cfg->err, HERR_CONFIG, "config_error", NULL,
			"%s line %d: models entry %zu: %s", cfg->yaml_path,
			cfg_yaml_line(cfg, path), i + 1, what);
}

/* A string member, or NULL when absent; *ok false when of another type. */
static const char *member_str(struct json_object *e, const char *key, bool *ok)
{
	struct json_object *v;

	if(!json_object_object_get_ex(e, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	if(!json_object_is_type(v, json_type_string)) {
		*ok = false;
		return NULL;
	}
	return json_object_get_string(v);
}

/* The numbers and the default flag of entry i. */
/* long is 32 bits on armhf: a bigger number is refused, not cut short. */
static bool fits_long(int64_t v)
{
	return (int64_t)(long)v == v;
}

static enum herr entry_numbers(struct cfg *cfg, size_t i, struct json_object *e,
			       struct cfg_model *m, bool *is_default)
{
	struct json_object *v;

	m->context_length = cfg->context_length;
	if(json_object_object_get_ex(e, "context_length", &v)) {
		if(!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1024 ||
		   !fits_long(json_object_get_int64(v)))
			return bad(cfg, i, "context_length must be a whole number of tokens >= 1024");
		m->context_length = (long)json_object_get_int64(v);
	}
	if(json_object_object_get_ex(e, "max_tokens", &v)) {
		if(!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1 ||
		   !fits_long(json_object_get_int64(v)))
			return bad(cfg, i, "max_tokens must be a whole number >= 1");
		m->max_tokens = (long)json_object_get_int64(v);
	}
	if(json_object_object_get_ex(e, "temperature", &v)) {
		if((!json_object_is_type(v, json_type_double) &&
		    !json_object_is_type(v, json_type_int)) ||
		   json_object_get_double(v) < 0 || json_object_get_double(v) > 2)
			return bad(cfg, i, "temperature must be a number from 0 to 2");
		m->temperature = json_object_get_double(v);
		m->temperature_set = true;
	}
	*is_default = false;
	if(json_object_object_get_ex(e, "default", &v)) {
		if(!json_object_is_type(v, json_type_boolean))
			return bad(cfg, i, "default must be true or false");
		*is_default = json_object_get_boolean(v);
	}
	return HERR_OK;
}

/* The strings of entry i; the key from api_key or the api_key_env variable. */
static enum herr entry_strings(struct cfg *cfg, size_t i, struct json_object *e,
			       struct cfg_model *m, char **scratch)
{
	bool ok = true;
	const char *name = member_str(e, "name", &ok);
	const char *url = member_str(e, "base_url", &ok);
	const char *model = member_str(e, "model", &ok);
	const char *key = member_str(e, "api_key", &ok);
	const char *key_env = member_str(e, "api_key_env", &ok);
	const char *effort = member_str(e, "reasoning_effort", &ok);

	if(!ok)
		return bad(cfg, i, "name, base_url, model, api_key, api_key_env and "
			   "reasoning_effort must be strings");
	if(!name || !*name || strlen(name) > NAME_MAX_LEN)
		return bad(cfg, i, "name is required (at most 128 characters)");
	if(!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
		return bad(cfg, i, "base_url is required and must start with http:// or https://");
	if(key && key_env)
		return bad(cfg, i, "give api_key or api_key_env, not both");
	if(key_env)
		key = cfg_lookup(cfg, key_env, NULL, scratch);
	m->name = xstrdup(name);
	m->base_url = xstrdup(url);
	m->model = dup_or_null(model);
	m->api_key = dup_or_null(key);
	m->api_key_env = dup_or_null(key_env);
	m->reasoning_effort = dup_or_null(effort);
	return HERR_OK;
}

static enum herr load_list(struct cfg *cfg, struct json_object *list, struct cfg_models *out)
{
	size_t n = json_object_array_length(list);
	char *scratch = NULL;
	bool have_default = false;
	enum herr rc = HERR_OK;

	if(n == 0 || n > CFG_MODELS_MAX)
		return bad(cfg, 0, "models must list 1 to 64 entries");
	out->v = xcalloc(n, sizeof(*out->v));
	out->listed = true;
	for(size_t i = 0; i < n && !rc; i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		bool is_default;

		if(!json_object_is_type(e, json_type_object)) {
			rc = bad(cfg, i, "must be a mapping (name:, base_url:, model: ...)");
			break;
		}
		out->n = i + 1;
		if((rc = entry_strings(cfg, i, e, &out->v[i], &scratch)) ||
		   (rc = entry_numbers(cfg, i, e, &out->v[i], &is_default)))
			break;
		for(size_t j = 0; j < i && !rc; j++)
			if(strcmp(out->v[j].name, out->v[i].name) == 0)
				rc = bad(cfg, i, "the name is used twice");
		if(is_default && have_default && !rc)
			rc = bad(cfg, i, "only one entry may say default: true");
		if(is_default) {
			out->def = i;
			have_default = true;
		}
	}
	free(scratch);
	return rc;
}

static void implicit_entry(const struct cfg *cfg, struct cfg_models *out)
{
	struct cfg_model *m;

	out->v = xcalloc(1, sizeof(*out->v));
	out->n = 1;
	m = &out->v[0];
	m->name = xstrdup(cfg->model_name && *cfg->model_name ? cfg->model_name : "hermes-agent");
	m->base_url = dup_or_null(cfg->base_url);
	m->model = dup_or_null(cfg->model);
	m->api_key = dup_or_null(cfg->upstream_key);
	m->context_length = cfg->context_length;
}

/* model.strict (HERMES_MODEL_STRICT): on by default with a list. */
static enum herr load_strict(struct cfg *cfg, struct cfg_models *out)
{
	char *scratch = NULL;
	const char *v = cfg_lookup(cfg, "HERMES_MODEL_STRICT", "model.strict", &scratch);
	enum herr rc = HERR_OK;

	out->strict = out->listed;
	if(v && (str_ieq(v, "true") || str_ieq(v, "1") || str_ieq(v, "yes") || str_ieq(v, "on")))
		out->strict = true;
	else if(v && (str_ieq(v, "false") || str_ieq(v, "0") || str_ieq(v, "no") ||
		      str_ieq(v, "off")))
		out->strict = false;
	else if(v)
		rc = herr_set(&cfg->err, HERR_CONFIG, "config_error", NULL,
			      "HERMES_MODEL_STRICT / model.strict must be true or false, not '%s'", v);
	free(scratch);
	return rc;
}

enum herr cfg_models_load(struct cfg *cfg, struct cfg_models *out)
{
	struct json_object *list = cfg_yaml_node(cfg, "models");

	memset(out, 0, sizeof(*out));
	if(list && !json_object_is_type(list, json_type_null)) {
		if(!json_object_is_type(list, json_type_array))
			return herr_set(&cfg->err, HERR_CONFIG, "config_error", NULL,
					"%s line %d: models must be a list (lines starting with -)",
					cfg->yaml_path, cfg_yaml_line(cfg, "models"));
		if(load_list(cfg, list, out))
			return cfg->err.rc;
	} else {
		implicit_entry(cfg, out);
	}
	return load_strict(cfg, out);
}

void cfg_models_release(struct cfg_models *m)
{
	for(size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].base_url);
		free(m->v[i].model);
		free(m->v[i].api_key);
		free(m->v[i].api_key_env);
		free(m->v[i].reasoning_effort);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static const struct cfg_model *find(const struct cfg_models *m, const char *name)
{
	for(size_t i = 0; name && i < m->n; i++)
		if(strcmp(m->v[i].name, name) == 0)
			return &m->v[i];
	return NULL;
}

const struct cfg_model *cfg_models_pick(const struct cfg_models *m, const char *name,
					const char *alias)
{
	const struct cfg_model *e;

	if(!m->n)
		return NULL;
	if(!name || !*name || (alias && strcmp(name, alias) == 0))
		return &m->v[m->def];
	if((e = find(m, name)))
		return e;
	return m->strict ? NULL : &m->v[m->def];
}

const struct cfg_model *cfg_models_named(const struct cfg_models *m, const char *name)
{
	const struct cfg_model *e = find(m, name);

	return e ? e : (m->n ? &m->v[m->def] : NULL);
}
