/* src/agent/turn_env.c: loading what agent turns need.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/turn_env.h"

#include <string.h>

#include "agent/opts.h"
#include "store/store.h"
#include "tools/settings.h"

enum herr agent_env_load(struct agent_env *e, struct herror *err)
{
	struct store_opts so;

	memset(e, 0, sizeof(*e));
	herr_clear(&e->store_err);
	e->cfg_ok = true;
	if(cfg_load(&e->cfg, NULL, NULL)) {
		*err = e->cfg.err;
		return err->rc ? err->rc : HERR_CONFIG;
	}
	e->tools_ok = true;
	if(tool_config_init(&e->tools, &e->cfg, err))
		return err->rc ? err->rc : HERR_CONFIG;
	store_opts_from_cfg(&e->cfg, &so);
	if(store_open(&so, &e->store, &e->store_err))
		e->store = NULL;
	return HERR_OK;
}

void agent_env_release(struct agent_env *e)
{
	store_close(e->store);
	e->store = NULL;
	if(e->tools_ok)
		tool_config_release(&e->tools);
	if(e->cfg_ok)
		cfg_release(&e->cfg);
	e->tools_ok = e->cfg_ok = false;
}

void agent_env_opts(const struct cfg *c, const struct tool_config *tools, struct store *store,
		    volatile sig_atomic_t *interrupt, const char *source, const char *session_key,
		    struct agent_opts *o)
{
	agent_opts_from_cfg(c, o);
	o->tools = tools;
	o->store = store;
	if(interrupt && *interrupt != AGENT_STOP_SHUTDOWN)
		*interrupt = 0;
	o->interrupt = interrupt;
	o->source = source;
	o->session_key = session_key && *session_key ? session_key : NULL;
}
