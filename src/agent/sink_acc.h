/* src/agent/sink_acc.h: the accumulator sink, for non-streaming answers:
 * gathers the text and a list of tool activity.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_SINK_ACC_H
#define HERMES_AGENT_SINK_ACC_H

#include "agent/event.h"
#include "util/buf.h"

struct json_object;

struct agent_acc {
	struct buf text;            /* owned: all text deltas */
	struct json_object *tools;  /* owned: [{call_id, tool, arguments, is_error, result}] */
	int rotations;              /* session rotations seen */
	struct agent_sink sink;     /* points at this accumulator */
};

void agent_acc_init(struct agent_acc *a);
void agent_acc_release(struct agent_acc *a);

#endif
