/* src/agent/opts.h: agent options from the configuration.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_OPTS_H
#define HERMES_AGENT_OPTS_H

#include "agent/agent.h"

struct cfg;
struct cfg_model;

/* Fill o from cfg (borrowed strings: cfg must outlive o). store, source,
 * session_key and the interrupt flag are the caller's to set. */
void agent_opts_from_cfg(const struct cfg *c, struct agent_opts *o);

/* Route o to model entry m (borrowed; must outlive o): its upstream, key,
 * model id, context length and sampling defaults. With a configured models
 * list the stored session records m's public name. */
void agent_opts_model(struct agent_opts *o, const struct cfg_model *m, bool listed);

#endif
