/* src/agent/turn_env.h: what a process needs to run agent turns, loaded
 * one way for every host of the agent: hermesctl chat, the responder
 * (api/turn.c, which keeps its configuration and store for the process
 * life) and the runner's workers.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_TURN_ENV_H
#define HERMES_AGENT_TURN_ENV_H

#include <signal.h>

#include "agent/agent.h"
#include "tools/registry.h"
#include "util/cfg.h"
#include "util/err.h"

struct store;

struct agent_env {
	struct cfg cfg;              /* owned */
	struct tool_config tools;    /* owned */
	struct store *store;         /* owned; NULL when it could not be opened */
	struct herror store_err;     /* why the store is NULL */
	bool cfg_ok, tools_ok;       /* what agent_env_release must free */
};

/* Load the configuration ($HERMES_HOME), the tools' settings and open the
 * store. A configuration error fails (err says which setting); a store
 * that cannot be opened does not: e->store is NULL, e->store_err says why
 * and turns run without persistence. Release e in any case. */
enum herr agent_env_load(struct agent_env *e, struct herror *err)
	__attribute__((warn_unused_result));
void agent_env_release(struct agent_env *e);

/* The options of one turn: from the configuration (agent_opts_from_cfg),
 * the tools' settings, the store (may be NULL), the interrupt flag (reset
 * to 0 here, a flag left set by the last turn must not stop this one,
 * unless it is AGENT_STOP_SHUTDOWN: the process is stopping; may be NULL), the session source ("api_server", "cli", "run") and the
 * session key (may be NULL). Everything is borrowed and must outlive o. */
void agent_env_opts(const struct cfg *c, const struct tool_config *tools, struct store *store,
		    volatile sig_atomic_t *interrupt, const char *source, const char *session_key,
		    struct agent_opts *o);

#endif
