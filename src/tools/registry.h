/* src/tools/registry.h: the tools the agent may call, grouped in toolsets.
 *
 * Each tool declares its name, toolset, description and JSON schema once
 * (one file per tool, listed in registry.c); the agent offers the enabled
 * ones to the model and runs calls through tool_run(), which never fails
 * the turn: a bad call becomes an error result the model can read.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_REGISTRY_H
#define HERMES_TOOLS_REGISTRY_H

#include <signal.h>
#include <stdbool.h>

#include "util/buf.h"
#include "util/err.h"

struct json_object;
struct store;
struct tool_confine;

#define TOOL_RESULT_MAX (100u * 1024)

#define TOOL_TOOLSETS_MAX 16

/* The tools' settings, resolved once per process from the configuration
 * (tools/settings.c). Strings are owned (tool_config_release). */
struct tool_config {
	char *home;                 /* HERMES_HOME */
	char *workspace;            /* absolute; tools act inside it */
	char *skills_dir;           /* $HERMES_HOME/skills */
	char *env_passthrough;      /* comma list (terminal.env_passthrough) or NULL */
	char *approvals_mode;       /* "deny", "off" or "ask" */
	long terminal_timeout_s;
	long code_timeout_s;
	bool web_allow_private;     /* web_extract may fetch loopback/private addresses */
	char *never_pass[8];        /* names of the server's own secrets; NULL-terminated */
	const char *toolsets[TOOL_TOOLSETS_MAX + 1]; /* enabled, NULL-terminated */
	char **dotenv_env;          /* "NAME=value" from $HERMES_HOME/.env, NULL-terminated:
	                               under a web server these are not in the process
	                               environment, but passthrough may name them */
	char *toolsets_text;        /* owned storage the toolsets point into */
	char *exec_disabled;        /* owned; why terminal and code_execution are off
	                               (shared web user), or NULL */
	struct tool_confine *confine; /* owned: the exec tools' kernel confinement
	                               (tools/confine.h), or NULL: none */
};

/* What a tool may use while it runs (all borrowed). */
struct tool_ctx {
	struct store *store;                     /* may be NULL */
	const char *session_id;
	const char *session_key;                 /* memory scope; "default" if none */
	const volatile sig_atomic_t *interrupt;  /* may be NULL */
	const char *const *toolsets;             /* enabled toolsets; NULL = defaults */
	const struct tool_config *cfg;           /* may be NULL: built-in defaults */
	struct buf *passthrough;                 /* this turn's extra env names (comma
	                                            list) registered by skill_view; may be NULL */
	/* Call while waiting (~every 100 ms to 1 s): keeps a stream alive,
	 * notices a departed client, enforces the turn's time limit (which then
	 * sets *interrupt). May be NULL. The agent wires it to agent_tick(). */
	void (*tick)(void *ctx);
	/* Ask a human whether a command that matches a dangerous-command rule
	 * may run (approvals.mode ask): true = approved. May block until the
	 * answer comes (a run waits for it). NULL: nobody can answer (chat,
	 * hermesctl), so ask acts as deny. tool, text and the rule are
	 * borrowed for the call. */
	bool (*approve)(void *ctx, const char *tool, const char *text, const char *rule_id,
			const char *rule_description);
	void *tick_ctx;                          /* ctx of tick and approve */
};

/* A tool writes its result text to out (capped at TOOL_RESULT_MAX); an
 * error return with err set becomes "Error: <message>" for the model. */
typedef enum herr (*tool_fn)(const struct tool_ctx *ctx, struct json_object *args,
			     struct buf *out, struct herror *err);

struct tool_def {
	const char *name;
	const char *toolset;
	const char *description;
	const char *schema;       /* JSON Schema of the arguments, as text */
	tool_fn fn;
};

/* Every tool this build has; *n gets the count. */
const struct tool_def *const *tool_all(size_t *n);

/* Is toolset enabled under toolsets (NULL = the default set)? */
bool tool_toolset_enabled(const char *const *toolsets, const char *toolset);

/* The enabled tools in OpenAI "tools" form (new array). */
struct json_object *tool_schemas(const char *const *toolsets);

/* Run one call. The result text (for the model) goes to out; *is_error says
 * whether it is an error. Never fails the caller. */
void tool_run(const struct tool_ctx *ctx, const char *name, const char *args_json,
	      struct buf *out, bool *is_error);

#endif
