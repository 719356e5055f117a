/* src/runner/runner.h: hermes-runner, the daemon that works queued runs.
 *
 * A FastCGI responder may be recycled at any moment, so a run (POST
 * /v1/runs) is only queued by it; one small detached daemon per
 * HERMES_HOME claims queued runs from state.db and works each in a forked
 * worker process (runner.mode cron and inline change who starts it:
 * runner_notify). Files in HERMES_HOME:
 *   runner.pid   the daemon's pid, flock()ed (exclusively) while it lives:
 *                the lock, not the number, says whether a runner is alive,
 *                so a stale file after a crash or reboot means nothing;
 *   runner.wake  a FIFO: one byte written to it wakes the daemon at once
 *                (it also polls the queue every second as the fallback);
 *   logs/runner.log  the daemon's stderr.
 * SPEC: runs-discovery-security §2; docs/operations.md "The runner".
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_RUNNER_RUNNER_H
#define HERMES_RUNNER_RUNNER_H

#include <stdbool.h>
#include <stdio.h>

#include "util/err.h"

struct cfg;
struct json_object;
struct store;

#define RUNNER_PIDFILE "runner.pid"
#define RUNNER_FIFO "runner.wake"
#define RUNNER_LOG "logs/runner.log"

/* ---- pidfile (src/runner/pidfile.c) ------------------------------------- */

/* Become the runner of home: open (create, 0600) home/runner.pid, take its
 * flock without waiting and write our pid. *fd gets the descriptor
 * (close-on-exec; keep it open for the process life: closing it lets the
 * next runner in). HERR_CONFLICT (runner_running) when another process
 * holds the lock; *holder (may be NULL) then gets its pid (0 if unknown). */
enum herr runner_pidfile_lock(const char *home, int *fd, long *holder, struct herror *err)
	__attribute__((warn_unused_result));

/* The pid of the live runner of home, 0 when none holds the lock (-1:
 * held, the number not written yet). With
 * started (may be NULL): when the runner took the lock (the pidfile's
 * mtime, Unix seconds). */
long runner_pidfile_alive(const char *home, double *started);

/* ---- starting and waking (src/runner/spawn.c) --------------------------- */

/* Make sure the runner of c->home works the queue soon: wake it when it
 * runs (one byte on the FIFO, never blocking), else start it detached:
 * double fork, setsid, every fd >= 3 closed, stdin /dev/null, stdout and
 * stderr to its log, exec hermes-runner (c->runner_path, else next to the
 * running program, else from PATH). Ten callers racing start at most ten
 * processes of which exactly one stays (the pidfile lock). */
enum herr runner_ensure(const struct cfg *c, struct herror *err)
	__attribute__((warn_unused_result));

/* What a responder does for the runner, by runner.mode (c->runner_mode):
 * reader false (a run was just queued): daemon: runner_ensure; cron and
 * inline: only wake a runner that is alive. reader true (a request is about
 * to follow a live run's events): inline: runner_ensure_inline; daemon and
 * cron: nothing. The api_runs_waker of hermes-fcgi. */
enum herr runner_notify(const struct cfg *c, bool reader, struct herror *err)
	__attribute__((warn_unused_result));

/* runner.mode inline: unless a runner is alive (then only wake it), start
 * `hermes-runner --once --if-absent --for c->runner_inline_seconds`
 * detached as runner_ensure does: it works the queue until it is empty or
 * the seconds are up, then stops its workers (15 s grace) and exits. */
enum herr runner_ensure_inline(const struct cfg *c, struct herror *err)
	__attribute__((warn_unused_result));

/* Write the wake byte to home's FIFO; false if nobody listens. */
bool runner_wake(const char *home);

/* ---- the daemon (src/runner/loop.c) ------------------------------------- */

struct runner_opts {
	bool once;          /* work the queue until empty and every worker done, then
	                       return (hermesctl runner run-once) */
	bool quiet_if_held; /* another runner holds the lock: return 0 quietly (the
	                       loser of a start race) */
	long seconds;       /* > 0: claim nothing after this many seconds, stop the
	                       workers (as on SIGTERM) and return (runner.mode inline) */
};

/* Serve c->home: take the pidfile, mark orphaned live runs interrupted,
 * then claim, fork workers, reap them, sweep and exit after idle_exit
 * seconds idle or on SIGTERM/SIGINT. Messages go to msg. Exit status. */
int runner_serve(const struct cfg *c, const struct runner_opts *o, FILE *msg);

/* ---- one run, in a forked worker (src/runner/worker.c) ------------------ */

/* Work run_id to a terminal status; called in the forked child, which
 * then _exit()s with the result (0 = the run ended as it should). */
int runner_work(const char *run_id);

/* The keys a process scrubbed from its environment once its configuration
 * held them (privs_scrub_secrets), set again from c (never overwriting):
 * for a process about to load the configuration anew, a runner the
 * responder starts or a worker the runner forks. */
void runner_export_secrets(const struct cfg *c);

/* ---- what it is doing (src/runner/info.c) ------------------------------ */

/* The runner of home and its queue, for /health/detailed, hermesctl runner
 * status and doctor: {running, pid, uptime_s, queued, working,
 * oldest_queued_age_s}. running is false (pid and uptime_s null) when no
 * process holds the pidfile lock; working counts runs being worked
 * (statuses running, waiting_for_approval, stopping); oldest_queued_age_s is null
 * with an empty queue. s may be NULL: counts are then null. *out is new. */
void runner_info(const char *home, struct store *s, struct json_object **out);

#endif
