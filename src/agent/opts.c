/* src/agent/opts.c: agent options from the configuration.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/opts.h"

#include <string.h>

#include "util/cfg.h"
#include "util/cfg_models.h"

void agent_opts_from_cfg(const struct cfg *c, struct agent_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->llm.stream = c->stream;
	o->llm.connect_timeout_s = c->connect_timeout;
	o->llm.idle_timeout_s = c->idle_timeout;
	o->llm.total_timeout_s = c->total_timeout;
	o->llm.max_retries = (int)c->max_retries;
	o->llm.backoff_ms = 500;
	o->max_turns = (int)c->max_turns;
	o->max_turn_seconds = c->max_turn_seconds;
	o->context_length = c->context_length;
	o->compression = c->compression;
	o->compression_threshold = c->compression_threshold;
	/* the upstream: the default model (the single-model settings without a
	 * models: list) */
	if(c->models.n)
		agent_opts_model(o, &c->models.v[c->models.def], c->models.listed);
}

void agent_opts_model(struct agent_opts *o, const struct cfg_model *m, bool listed)
{
	o->llm.base_url = m->base_url;
	o->llm.api_key = m->api_key;
	o->llm.model = m->model;
	o->llm.reasoning_effort = m->reasoning_effort;
	o->llm.temperature_set = m->temperature_set;
	o->llm.temperature = m->temperature;
	o->llm.max_tokens = m->max_tokens;
	if(m->context_length > 0)
		o->context_length = m->context_length;
	o->model_name = listed ? m->name : NULL;
}
