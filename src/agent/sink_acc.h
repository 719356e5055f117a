/* src/agent/sink_acc.h: the accumulator sink, for non-streaming answers:
 * gathers the text (what fits under its cap, cut at a character), a list
 * of tool activity with any approval asked for, and the count of
 * assistant messages. It has no tick and no approve: nobody can answer.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_SINK_ACC_H
#define HERMES_AGENT_SINK_ACC_H

#include <stdbool.h>

#include "agent/event.h"
#include "util/buf.h"

struct json_object;

struct agent_acc {
	struct buf text;            /* owned: all text deltas */
	struct json_object *tools;  /* owned: [{call_id, tool, arguments, is_error, result,
	                               approval: {rule, approved}}] */
	int rotations;              /* session rotations seen */
	int messages;               /* assistant messages ended */
	bool truncated;             /* the text passed the cap and was cut */
	struct agent_sink sink;     /* points at this accumulator */
};

void agent_acc_init(struct agent_acc *a);
void agent_acc_release(struct agent_acc *a);

#endif
