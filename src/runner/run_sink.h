/* src/runner/run_sink.h: a run's event log and row, written by its worker
 * (and by the daemon for runs whose worker died).
 *
 * Each event row is the whole SSE data object: {"event", "run_id",
 * "timestamp", ...the fields of the spec's catalogue}. Text deltas are
 * batched: at most one message.delta row per RUN_DELTA_SECONDS, so the
 * table does not get one row per token.
 * SPEC: runs-discovery-security §2.3.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_RUNNER_RUN_SINK_H
#define HERMES_RUNNER_RUN_SINK_H

#include <signal.h>

#include "agent/event.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

struct json_object;

#define RUN_DELTA_SECONDS 0.05
#define RUN_STATUS_POLL_SECONDS 0.25
#define RUN_TEXT_MAX (8u * 1024 * 1024)
#define RUN_APPROVAL_POLL_MS 100

/* The live statuses of a run a worker has started. */
#define RUNNER_LIVE_STARTED                                                           \
	(STORE_RUN_BIT(STORE_RUN_RUNNING) | STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL) | \
	 STORE_RUN_BIT(STORE_RUN_STOPPING))

/* Append event name to run_id with fields (an object or NULL; consumed),
 * writing last_event in the same transaction. */
enum herr runner_event_put(struct store *s, const char *run_id, const char *name,
			struct json_object *fields, struct herror *err)
	__attribute__((warn_unused_result));

/* End run_id: move it from any status in from_mask to `to` writing f, then
 * append the terminal event name with fields (consumed). When the run has
 * already left from_mask (a stop or a restart won the race) nothing is
 * written and HERR_CONFLICT is returned. running/waiting -> cancelled goes
 * through stopping, as the state machine asks. */
enum herr runner_run_end(struct store *s, const char *run_id, unsigned from_mask,
		  enum store_run_status to, const struct store_run_fields *f, const char *name,
		  struct json_object *fields, struct herror *err)
	__attribute__((warn_unused_result));

/* The worker's sink. */
struct run_sink {
	struct store *store;              /* borrowed */
	const char *run_id;               /* borrowed */
	volatile sig_atomic_t *stop;      /* the turn's interrupt, set when the run
	                                     is found stopping */
	struct buf delta;                 /* text not yet written */
	struct buf reasoning;             /* reasoning of the current message */
	double last_flush, last_poll;     /* monotonic seconds */
	struct herror write_err;          /* the first event that could not be written */
	double approval_timeout;          /* seconds an approval request waits: then deny */
	struct json_object *granted;      /* rule ids approved for the rest of the run
	                                     (session, always); owned */
	struct agent_sink sink;           /* points at this */
};

void runner_sink_init(struct run_sink *r, struct store *s, const char *run_id,
		   volatile sig_atomic_t *stop);
/* agent_opts.steer: the run's undelivered steer texts (marked delivered,
 * a run.steered event written), or NULL. */
char *runner_sink_steer(void *ctx);

/* Write the text still batched. */
void runner_sink_flush(struct run_sink *r);
void runner_sink_release(struct run_sink *r);

/* Monotonic seconds. */
double runner_now(void);

#endif
