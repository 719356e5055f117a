/* src/util/cfg.c: loading the configuration from env, .env and config.yaml.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/dotenv.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/xalloc.h"
#include "util/yamlcfg.h"

#define CFG_FILE_MAX (1024 * 1024)

char *cfg_default_home(void)
{
	const char *h = getenv("HERMES_HOME");
	struct passwd *pw;
	const char *dir = NULL;
	struct buf b;

	if(h && *h)
		return xstrdup(h);
	pw = getpwuid(getuid());
	if(pw && pw->pw_dir && *pw->pw_dir)
		dir = pw->pw_dir;
	else if(getenv("HOME") && *getenv("HOME"))
		dir = getenv("HOME");
	else
		dir = "/tmp";
	buf_init(&b, 4096);
	if(buf_addf(&b, "%s/.hermes", dir))
		return xstrdup("/tmp/.hermes");
	return buf_take(&b);
}

static char *join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Load one file through parse (dotenv or yaml). Absent is fine. */
static enum herr load_file(struct cfg *cfg, const char *path, int is_yaml)
{
	struct buf text;
	enum herr rc = HERR_OK;
	int e;

	buf_init(&text, CFG_FILE_MAX);
	e = buf_read_file(&text, path);
	if(e == ENOENT)
		goto out;
	if(e) {
		rc = herr_set(&cfg->err, HERR_CONFIG, "config_error", NULL,
			      "%s: cannot read: %s%s", path,
			      e == EFBIG ? "larger than 1 MiB" : strerror(e),
			      e == EACCES ? " (check the owner and mode of HERMES_HOME and its files)" : "");
		goto out;
	}
	if(is_yaml)
		rc = yamlcfg_parse(buf_str(&text), buf_len(&text), path, &cfg->yaml,
				   &cfg->lines, &cfg->err);
	else
		rc = dotenv_parse(buf_str(&text), buf_len(&text), path, &cfg->dotenv, &cfg->err);
out:
	buf_release(&text);
	return rc;
}

struct json_object *cfg_yaml_node(const struct cfg *cfg, const char *path)
{
	struct json_object *node = cfg->yaml, *child;
	char part[128];

	while(node && *path) {
		size_t n = strcspn(path, ".");
		if(n >= sizeof(part) || !json_object_is_type(node, json_type_object))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if(!json_object_object_get_ex(node, part, &child))
			return NULL;
		node = child;
		path += n + (path[n] == '.');
	}
	return node;
}

int cfg_yaml_line(const struct cfg *cfg, const char *path)
{
	struct json_object *v;

	if(!cfg->lines || !json_object_object_get_ex(cfg->lines, path, &v))
		return 0;
	return json_object_get_int(v);
}

static int extra_allowed(const char *name)
{
	return str_starts(name, "HERMES_") || str_starts(name, "API_SERVER_") ||
	       str_starts(name, "OPENAI_");
}

static const char *yaml_scalar(struct cfg *cfg, const char *path, char **scratch)
{
	struct json_object *node = cfg_yaml_node(cfg, path);
	struct buf b;
	size_t n;

	if(!node)
		return NULL;
	switch(json_object_get_type(node)) {
	case json_type_null:
		return NULL;
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return json_object_get_string(node);
	case json_type_array:
		buf_init(&b, CFG_FILE_MAX);
		n = json_object_array_length(node);
		for(size_t i = 0; i < n; i++) {
			struct json_object *it = json_object_array_get_idx(node, i);
			if(json_object_is_type(it, json_type_object) ||
			   json_object_is_type(it, json_type_array)) {
				buf_release(&b);
				goto bad;
			}
			if(buf_addf(&b, "%s%s", i ? "," : "", json_object_get_string(it)))
				goto bad;
		}
		free(*scratch);
		*scratch = buf_take(&b);
		return *scratch;
	case json_type_object:
		break;
	}
bad:
	if(!cfg->err.rc)
		herr_set(&cfg->err, HERR_CONFIG, "config_error", NULL,
			 "%s line %d: key %s must be a value or a list of values, not a mapping",
			 cfg->yaml_path ? cfg->yaml_path : "config.yaml",
			 cfg_yaml_line(cfg, path), path);
	return NULL;
}

const char *cfg_lookup(struct cfg *cfg, const char *env_name, const char *yaml_path,
		       char **scratch)
{
	const char *v;

	if(env_name) {
		v = getenv(env_name);
		if(v && *v)
			return v;
		if(cfg->extra_env && extra_allowed(env_name)) {
			v = cfg->extra_env(cfg->extra_ctx, env_name);
			if(v && *v)
				return v;
		}
		v = cfg->dotenv ? jsonx_get_str(cfg->dotenv, env_name) : NULL;
		if(v && *v)
			return v;
	}
	if(yaml_path)
		return yaml_scalar(cfg, yaml_path, scratch);
	return NULL;
}

/* The settings resolved at load time: field, env name, yaml path, default. */
struct setting {
	size_t off;
	const char *env;
	const char *yaml;
	const char *def;
};

#define F(name) offsetof(struct cfg, name)
static const struct setting settings[] = {
	{ F(api_key), "API_SERVER_KEY", "platforms.api_server.extra.key", NULL },
	{ F(cors_origins), "API_SERVER_CORS_ORIGINS", "platforms.api_server.extra.cors_origins", NULL },
	{ F(model_name), "API_SERVER_MODEL_NAME", "platforms.api_server.extra.model_name", "hermes-agent" },
	{ F(base_path), "API_SERVER_BASE_PATH", "platforms.api_server.extra.base_path", NULL },
	{ F(base_url), "OPENAI_BASE_URL", "model.base_url", NULL },
	{ F(upstream_key), "OPENAI_API_KEY", "model.api_key", NULL },
	{ F(model), "HERMES_MODEL", "model.default", NULL },
	{ F(provider), "HERMES_PROVIDER", "model.provider", NULL },
	{ F(log_level), "HERMES_LOG_LEVEL", "logging.level", "info" },
	{ F(toolsets), "API_SERVER_TOOLSETS", "platform_toolsets.api_server", NULL },
	{ F(workspace), "HERMES_WORKSPACE", "terminal.cwd", NULL },
	{ F(env_passthrough), "HERMES_ENV_PASSTHROUGH", "terminal.env_passthrough", NULL },
	{ F(approvals_mode), "HERMES_APPROVALS_MODE", "approvals.mode", "deny" },
	{ F(runner_path), "HERMES_RUNNER", "runner.path", NULL },
	{ F(tools_confinement), "HERMES_TOOLS_CONFINEMENT", "tools.confinement", "basic" },
	{ F(tools_network), "HERMES_TOOLS_NETWORK", "tools.network", "any" },
	{ F(tools_backend), "HERMES_TOOLS_BACKEND", "tools.backend", "native" },
	{ F(tools_read_paths), "HERMES_TOOLS_READ_PATHS", "tools.read_paths", NULL },
	{ F(tools_hide_paths), "HERMES_TOOLS_HIDE_PATHS", "tools.hide_paths", NULL },
	{ F(tools_confinement_disable), "HERMES_TOOLS_CONFINEMENT_DISABLE",
	  "tools.confinement_disable", NULL },
	{ F(runner_mode_name), "HERMES_RUNNER_MODE", "runner.mode", "daemon" },
};

/* Numeric and boolean settings, checked at load time so a bad value is a
 * config error naming where it came from. */
enum num_kind { NUM_INT, NUM_REAL, NUM_BOOL };
struct num_setting {
	size_t off;
	enum num_kind kind;
	const char *env;
	const char *yaml;
	double def, min, max;
};

static const struct num_setting numbers[] = {
	{ F(max_stored_responses), NUM_INT, "API_SERVER_MAX_STORED_RESPONSES",
	  "platforms.api_server.extra.max_stored_responses", 100, 1, 100000 },
	{ F(store_cache_kb), NUM_INT, "HERMES_STORE_CACHE_KB", "store.cache_kb", 512, 16, 1048576 },
	{ F(max_concurrent_runs), NUM_INT, "API_SERVER_MAX_CONCURRENT_RUNS",
	  "gateway.api_server.max_concurrent_runs", 10, 0, 100000 },
	{ F(max_turns), NUM_INT, "HERMES_MAX_ITERATIONS", "agent.max_turns", 90, 1, 10000 },
	{ F(max_turn_seconds), NUM_INT, "HERMES_MAX_TURN_SECONDS", "agent.max_turn_seconds", 600, 0,
	  86400 },
	{ F(connect_timeout), NUM_INT, "HERMES_LLM_CONNECT_TIMEOUT", "model.connect_timeout", 10, 1, 600 },
	{ F(idle_timeout), NUM_INT, "HERMES_LLM_IDLE_TIMEOUT", "model.idle_timeout", 120, 1, 86400 },
	{ F(total_timeout), NUM_INT, "HERMES_LLM_TOTAL_TIMEOUT", "model.total_timeout", 600, 1, 86400 },
	{ F(max_retries), NUM_INT, "HERMES_LLM_MAX_RETRIES", "model.max_retries", 3, 0, 20 },
	{ F(stream), NUM_BOOL, "HERMES_LLM_STREAM", "model.stream", 1, 0, 1 },
	{ F(context_length), NUM_INT, "HERMES_CONTEXT_LENGTH", "model.context_length", 128000, 256,
	  100000000 },
	{ F(compression), NUM_BOOL, "HERMES_COMPRESSION", "compression.enabled", 1, 0, 1 },
	{ F(terminal_timeout), NUM_INT, "HERMES_TERMINAL_TIMEOUT", "terminal.timeout", 180, 1, 86400 },
	{ F(code_timeout), NUM_INT, "HERMES_CODE_TIMEOUT", "code_execution.timeout", 300, 1, 86400 },
	{ F(tools_max_memory_mb), NUM_INT, "HERMES_TOOLS_MAX_MEMORY_MB", "tools.max_memory_mb", 1024,
	  16, 1048576 },
	{ F(tools_max_file_mb), NUM_INT, "HERMES_TOOLS_MAX_FILE_MB", "tools.max_file_mb", 256, 1,
	  1048576 },
	{ F(tools_max_processes), NUM_INT, "HERMES_TOOLS_MAX_PROCESSES", "tools.max_processes", 128,
	  4, 100000 },
	{ F(tools_max_open_files), NUM_INT, "HERMES_TOOLS_MAX_OPEN_FILES", "tools.max_open_files",
	  256, 16, 1048576 },
	{ F(web_allow_private), NUM_BOOL, "HERMES_WEB_ALLOW_PRIVATE", "web.allow_private_urls", 0, 0, 1 },
	{ F(server_tools), NUM_BOOL, "API_SERVER_TOOLS", "api.server_tools", 1, 0, 1 },
	{ F(allow_root), NUM_BOOL, "HERMES_ALLOW_ROOT", "security.allow_root", 0, 0, 1 },
	{ F(allow_shared_user_exec), NUM_BOOL, "HERMES_ALLOW_SHARED_USER_EXEC",
	  "security.allow_shared_user_exec", 0, 0, 1 },
	{ F(approvals_timeout), NUM_INT, "HERMES_APPROVALS_TIMEOUT", "approvals.timeout", 300, 1,
	  86400 },
	{ F(runner_max_concurrent), NUM_INT, "HERMES_RUNNER_MAX_CONCURRENT", "runner.max_concurrent",
	  2, 1, 64 },
	{ F(runner_ttl), NUM_INT, "HERMES_RUNNER_TTL", "runner.ttl", 3600, 1, 31536000 },
	{ F(runner_idle_exit), NUM_INT, "HERMES_RUNNER_IDLE_EXIT", "runner.idle_exit", 600, 0,
	  31536000 },
	{ F(runner_inline_seconds), NUM_INT, "HERMES_RUNNER_INLINE_SECONDS", "runner.inline_seconds",
	  120, 5, 86400 },
	{ F(compression_threshold), NUM_REAL, "HERMES_COMPRESSION_THRESHOLD", "compression.threshold",
	  0.5, 0.05, 0.95 },
};
#undef F

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };

	for(size_t i = 0; i < 4; i++) {
		if(str_ieq(v, yes[i]))
			return *out = 1, 1;
		if(str_ieq(v, no[i]))
			return *out = 0, 1;
	}
	return 0;
}

/* Where a setting's value came from, for the error message. */
static void origin(struct cfg *cfg, const char *env, const char *yaml, char *out, size_t cap)
{
	const char *e = getenv(env);

	if(e && *e)
		snprintf(out, cap, "environment variable %s", env);
	else if(cfg->dotenv && jsonx_get_str(cfg->dotenv, env))
		snprintf(out, cap, "%s: %s", cfg->env_path, env);
	else if(cfg_yaml_node(cfg, yaml))
		snprintf(out, cap, "%s line %d: key %s", cfg->yaml_path, cfg_yaml_line(cfg, yaml),
			 yaml);
	else
		snprintf(out, cap, "%s", env);
}

static enum herr load_numbers(struct cfg *cfg, char **scratch)
{
	for(size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		const struct num_setting *n = &numbers[i];
		const char *v = cfg_lookup(cfg, n->env, n->yaml, scratch);
		char *field = (char *)cfg + n->off;
		char where[600], *end;
		double d;
		int b;

		if(cfg->err.rc)
			return cfg->err.rc;
		if(n->kind == NUM_BOOL) {
			b = (int)n->def;
			if(v && !parse_bool(v, &b))
				goto bad;
			*(bool *)(void *)field = b != 0;
			continue;
		}
		d = n->def;
		if(v) {
			d = strtod(v, &end);
			if(end == v || *end || d < n->min || d > n->max ||
			   (n->kind == NUM_INT && d != (double)(long)d))
				goto bad;
		}
		if(n->kind == NUM_INT)
			*(long *)(void *)field = (long)d;
		else
			*(double *)(void *)field = d;
		continue;
bad:
		origin(cfg, n->env, n->yaml, where, sizeof(where));
		if(n->kind == NUM_BOOL)
			return herr_set(&cfg->err, HERR_CONFIG, "config_error", NULL,
					"%s must be true or false, not '%s'", where, v);
		return herr_set(&cfg->err, HERR_CONFIG, "config_error", NULL,
				"%s must be a %s from %g to %g, not '%s'", where,
				n->kind == NUM_INT ? "whole number" : "number", n->min, n->max, v);
	}
	return HERR_OK;
}

/* runner.mode: one of three words, else a config error naming its source. */
static enum herr load_runner_mode(struct cfg *cfg)
{
	static const char *const names[] = { "daemon", "cron", "inline" };
	char where[600];

	for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if(str_ieq(cfg->runner_mode_name, names[i])) {
			cfg->runner_mode = (enum cfg_runner_mode)i;
			return HERR_OK;
		}
	origin(cfg, "HERMES_RUNNER_MODE", "runner.mode", where, sizeof(where));
	return herr_set(&cfg->err, HERR_CONFIG, "config_error", NULL,
			"%s must be daemon, cron or inline, not '%s'", where, cfg->runner_mode_name);
}

/* Hermes also accepts `model: name` as a plain string. */
static void resolve_model_shorthand(struct cfg *cfg)
{
	struct json_object *m = cfg_yaml_node(cfg, "model");

	if(!cfg->model && m && json_object_is_type(m, json_type_string))
		cfg->model = xstrdup(json_object_get_string(m));
}

static enum herr check_mapping(struct cfg *cfg, const char *path)
{
	struct json_object *n = cfg_yaml_node(cfg, path);

	if(!n || json_object_is_type(n, json_type_object) || json_object_is_type(n, json_type_null))
		return HERR_OK;
	if(strcmp(path, "model") == 0 && json_object_is_type(n, json_type_string))
		return HERR_OK;
	return herr_set(&cfg->err, HERR_CONFIG, "config_error", NULL,
			"%s line %d: key %s must be a mapping (indented key: value lines)",
			cfg->yaml_path, cfg_yaml_line(cfg, path), path);
}

enum herr cfg_load(struct cfg *cfg, cfg_env_fn extra_env, void *extra_ctx)
{
	static const char *const mappings[] = {
		"model", "platforms", "platforms.api_server", "platforms.api_server.extra", "logging",
		"security", "runner",
	};
	const char *home;
	char *scratch = NULL;

	memset(cfg, 0, sizeof(*cfg));
	herr_clear(&cfg->err);
	cfg->extra_env = extra_env;
	cfg->extra_ctx = extra_ctx;
	home = getenv("HERMES_HOME");
	if((!home || !*home) && extra_env)
		home = extra_env(extra_ctx, "HERMES_HOME");
	cfg->home = (home && *home) ? xstrdup(home) : cfg_default_home();
	cfg->env_path = join_path(cfg->home, ".env");
	cfg->yaml_path = join_path(cfg->home, "config.yaml");

	if(load_file(cfg, cfg->env_path, 0)) {
		cfg->env_broken = true;
		goto out;
	}
	if(load_file(cfg, cfg->yaml_path, 1))
		goto out;
	for(size_t i = 0; i < sizeof(mappings) / sizeof(mappings[0]); i++)
		if(check_mapping(cfg, mappings[i]))
			goto out;
	for(size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		const struct setting *s = &settings[i];
		const char *v = cfg_lookup(cfg, s->env, s->yaml, &scratch);
		char **field = (char **)(void *)((char *)cfg + s->off);

		if(cfg->err.rc)
			goto out;
		if(!v)
			v = s->def;
		*field = v ? xstrdup(v) : NULL;
	}
	resolve_model_shorthand(cfg);
	if(!load_numbers(cfg, &scratch) && !load_runner_mode(cfg))
		cfg_models_load(cfg, &cfg->models);
out:
	free(scratch);
	cfg->extra_env = NULL;
	cfg->extra_ctx = NULL;
	return cfg->err.rc;
}

void cfg_release(struct cfg *cfg)
{
	for(size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		char **field = (char **)(void *)((char *)cfg + settings[i].off);
		free(*field);
		*field = NULL;
	}
	free(cfg->home);
	free(cfg->env_path);
	free(cfg->yaml_path);
	json_object_put(cfg->dotenv);
	json_object_put(cfg->yaml);
	json_object_put(cfg->lines);
	cfg_models_release(&cfg->models);
	memset(cfg, 0, sizeof(*cfg));
}
