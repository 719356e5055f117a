/* src/agent/opts.h: agent options from the configuration.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_OPTS_H
#define HERMES_AGENT_OPTS_H

#include "agent/agent.h"

struct cfg;

/* Fill o from cfg (borrowed strings: cfg must outlive o). store, source,
 * session_key and the interrupt flag are the caller's to set. */
void agent_opts_from_cfg(const struct cfg *c, struct agent_opts *o);

#endif
