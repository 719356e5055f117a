/* src/util/cfg.h: the process configuration, Hermes-compatible.
 *
 * Each setting has an environment name and, where Hermes has one, a
 * config.yaml path. Lookup order, first hit wins:
 *   1. the process environment (FcgidInitialEnv, bin-environment, systemd);
 *   2. the extra environment given to cfg_load (the first request's FastCGI
 *      params, so Apache SetEnv and .htaccess SetEnv work too; only names
 *      starting with HERMES_, API_SERVER_ or OPENAI_ are taken from it);
 *   3. $HERMES_HOME/.env;
 *   4. $HERMES_HOME/config.yaml.
 * Loaded once per process. A broken file leaves cfg->err set (HERR_CONFIG,
 * message naming file, line and key); the caller answers 500 with it.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_CFG_H
#define HERMES_UTIL_CFG_H

#include <stdbool.h>

#include "util/cfg_models.h"
#include "util/err.h"

struct json_object;

/* getenv-like lookup in an extra environment; may be NULL. */
typedef const char *(*cfg_env_fn)(void *ctx, const char *name);

/* runner.mode: how queued runs get worked (docs/operations.md "The runner"). */
enum cfg_runner_mode {
	CFG_RUNNER_DAEMON, /* a responder that queues a run starts hermes-runner */
	CFG_RUNNER_CRON,   /* nothing is started: `hermesctl runner run-once` from cron */
	CFG_RUNNER_INLINE, /* a request that reads a run's events starts a bounded
	                      run-once (runner.inline_seconds) */
};

struct cfg {
	/* Resolved settings. Each is owned (free()d by cfg_release) or NULL. */
	char *home;           /* HERMES_HOME; default ~/.hermes of the process user */
	char *api_key;        /* API_SERVER_KEY | platforms.api_server.extra.key */
	char *cors_origins;   /* API_SERVER_CORS_ORIGINS | …extra.cors_origins (comma list) */
	char *model_name;     /* API_SERVER_MODEL_NAME | …extra.model_name; default hermes-agent */
	char *base_path;      /* API_SERVER_BASE_PATH | …extra.base_path; NULL = automatic */
	char *base_url;       /* OPENAI_BASE_URL | model.base_url */
	char *upstream_key;   /* OPENAI_API_KEY | model.api_key */
	char *model;          /* HERMES_MODEL | model.default */
	char *provider;       /* HERMES_PROVIDER | model.provider */
	char *log_level;      /* HERMES_LOG_LEVEL | logging.level; default info */
	char *toolsets;       /* API_SERVER_TOOLSETS | platform_toolsets.api_server (list);
	                         NULL = all but web */
	char *workspace;      /* HERMES_WORKSPACE | terminal.cwd; NULL = $HERMES_HOME/workspace */
	char *env_passthrough; /* HERMES_ENV_PASSTHROUGH | terminal.env_passthrough (list) */
	char *approvals_mode; /* HERMES_APPROVALS_MODE | approvals.mode: deny, off, ask; deny */
	char *runner_path;    /* HERMES_RUNNER | runner.path: the hermes-runner binary;
	                         NULL = next to the running program, else PATH */
	char *tools_confinement; /* HERMES_TOOLS_CONFINEMENT | tools.confinement:
	                            strict, basic, off; basic */
	char *tools_backend;  /* HERMES_TOOLS_BACKEND | tools.backend: native,
	                         bubblewrap; native */
	char *tools_network;  /* HERMES_TOOLS_NETWORK | tools.network: any,
	                         upstream-only, none; any */
	char *tools_read_paths; /* HERMES_TOOLS_READ_PATHS | tools.read_paths (list) */
	char *tools_hide_paths; /* HERMES_TOOLS_HIDE_PATHS | tools.hide_paths (list) */
	char *tools_confinement_disable; /* HERMES_TOOLS_CONFINEMENT_DISABLE |
	                            tools.confinement_disable: features to treat as
	                            absent (landlock, userns, cgroup) */
	char *runner_mode_name; /* HERMES_RUNNER_MODE | runner.mode: daemon, cron, inline;
	                         daemon (checked at load into runner_mode) */

	/* Numbers and switches (env | config.yaml; default), checked at load. */
	long max_stored_responses;   /* API_SERVER_MAX_STORED_RESPONSES | …extra.max_stored_responses; 100 */
	long store_cache_kb;         /* HERMES_STORE_CACHE_KB | store.cache_kb; 512 KiB of
	                                SQLite page cache per process */
	long max_concurrent_runs;    /* API_SERVER_MAX_CONCURRENT_RUNS |
	                                gateway.api_server.max_concurrent_runs; 10, 0 = no cap */
	long max_turns;              /* HERMES_MAX_ITERATIONS | agent.max_turns; 90 */
	long max_turn_seconds;       /* HERMES_MAX_TURN_SECONDS | agent.max_turn_seconds;
	                                600 s; 0 = no limit */
	long connect_timeout;        /* HERMES_LLM_CONNECT_TIMEOUT | model.connect_timeout; 10 s */
	long idle_timeout;           /* HERMES_LLM_IDLE_TIMEOUT | model.idle_timeout; 120 s */
	long total_timeout;          /* HERMES_LLM_TOTAL_TIMEOUT | model.total_timeout; 600 s */
	long max_retries;            /* HERMES_LLM_MAX_RETRIES | model.max_retries; 3 */
	bool stream;                 /* HERMES_LLM_STREAM | model.stream; true */
	long context_length;         /* HERMES_CONTEXT_LENGTH | model.context_length; 128000 */
	bool compression;            /* HERMES_COMPRESSION | compression.enabled; true */
	double compression_threshold; /* HERMES_COMPRESSION_THRESHOLD | compression.threshold; 0.5 */
	long terminal_timeout;       /* HERMES_TERMINAL_TIMEOUT | terminal.timeout; 180 s */
	long code_timeout;           /* HERMES_CODE_TIMEOUT | code_execution.timeout; 300 s */
	long tools_max_memory_mb;    /* HERMES_TOOLS_MAX_MEMORY_MB | tools.max_memory_mb; 1024 */
	long tools_max_file_mb;      /* HERMES_TOOLS_MAX_FILE_MB | tools.max_file_mb; 256 */
	long tools_max_processes;    /* HERMES_TOOLS_MAX_PROCESSES | tools.max_processes; 128 */
	long tools_max_open_files;   /* HERMES_TOOLS_MAX_OPEN_FILES | tools.max_open_files; 256 */
	bool web_allow_private;      /* HERMES_WEB_ALLOW_PRIVATE | web.allow_private_urls; false */
	bool allow_root;             /* HERMES_ALLOW_ROOT | security.allow_root; false: the
	                                responder and hermesctl chat refuse uid 0 */
	bool allow_shared_user_exec; /* HERMES_ALLOW_SHARED_USER_EXEC |
	                                security.allow_shared_user_exec; false: as www-data,
	                                apache, nobody, http the exec tools are off */
	long approvals_timeout;      /* HERMES_APPROVALS_TIMEOUT | approvals.timeout; 300 s a
	                                run waits for an approval answer, then denies */
	long runner_max_concurrent;  /* HERMES_RUNNER_MAX_CONCURRENT | runner.max_concurrent;
	                                2 runs worked at once by hermes-runner */
	long runner_ttl;             /* HERMES_RUNNER_TTL | runner.ttl; 3600 s: finished
	                                runs and their events are swept after this */
	long runner_idle_exit;       /* HERMES_RUNNER_IDLE_EXIT | runner.idle_exit; 600 s
	                                with nothing to do and the runner exits; 0 = never */
	enum cfg_runner_mode runner_mode; /* from runner_mode_name */
	long runner_inline_seconds;  /* HERMES_RUNNER_INLINE_SECONDS | runner.inline_seconds;
	                                120 s an inline runner claims runs before it
	                                stops its workers and exits */
	bool server_tools;           /* API_SERVER_TOOLS | api.server_tools; true: off
	                                leaves the API without the server's own tools */

	struct cfg_models models;    /* the models clients pick by name (owned); the
	                                implicit single entry without config.yaml models: */

	/* Sources, kept for later lookups by other modules. Owned. */
	struct json_object *dotenv;  /* object of strings, or NULL */
	struct json_object *yaml;    /* tree, or NULL */
	struct json_object *lines;   /* dotted path → line, or NULL */
	char *env_path;              /* $HERMES_HOME/.env */
	char *yaml_path;             /* $HERMES_HOME/config.yaml */

	cfg_env_fn extra_env;        /* only valid during cfg_load */
	void *extra_ctx;

	struct herror err;           /* rc != HERR_OK: a file is broken */
	bool env_broken;             /* err is about $HERMES_HOME/.env (unreadable or
	                                not KEY=VALUE lines): its key is unknown */
};

/* Load the configuration. extra_env may be NULL. Always leaves cfg usable
 * (release it with cfg_release); returns cfg->err.rc. */
enum herr cfg_load(struct cfg *cfg, cfg_env_fn extra_env, void *extra_ctx);

/* Free everything cfg owns (not the struct). */
void cfg_release(struct cfg *cfg);

/* Look a setting up by env name and yaml path (either may be NULL), in the
 * order above; the extra environment is not consulted after cfg_load.
 * Borrowed result, valid until cfg_release; NULL if unset. A yaml value
 * that is a list is joined with commas into *scratch (caller frees; may be
 * set even on NULL return). A mapping where a scalar is expected sets
 * cfg->err and returns NULL. */
const char *cfg_lookup(struct cfg *cfg, const char *env_name, const char *yaml_path,
		       char **scratch);

/* Borrowed yaml node at a dotted path ("a.b.c"), or NULL. */
struct json_object *cfg_yaml_node(const struct cfg *cfg, const char *path);

/* The line a yaml path starts on, 0 if unknown. */
int cfg_yaml_line(const struct cfg *cfg, const char *path);

/* Default HERMES_HOME for this process: $HERMES_HOME, else ~/.hermes of the
 * process user. Caller frees. */
char *cfg_default_home(void);

#endif
