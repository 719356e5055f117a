/* src/runner/loop.c: the runner daemon's loop.
 *
 * DESIGN: the loop owns no run state of its own; the runs table is the
 * queue and the record. It claims the oldest queued run (one transaction,
 * so a second runner or run-once could never take the same run), forks a
 * worker for it, and is woken by the FIFO, by SIGCHLD or by its one-second
 * poll, whichever comes first. A worker that dies without ending its run
 * gets the run failed naming the signal; runs left live by a runner that
 * died (its workers die with it: PR_SET_PDEATHSIG) are marked interrupted
 * when the next runner starts, since only the lock holder may do that.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "runner/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/run_sink.h"
#include "store/store.h"
#include "util/cfg.h"
#include "util/jsonx.h"
#include "util/log.h"

#define POLL_MS 1000
#define SWEEP_SECONDS 60.0
#define SHUTDOWN_SECONDS 15.0
#define WORKERS_MAX 64

struct worker {
	pid_t pid;               /* 0: free slot */
	char run_id[64];
};

struct runner {
	const struct cfg *cfg;
	const struct runner_opts *o;
	struct store *store;
	int lock_fd, fifo_fd, fifo_keep;
	struct worker w[WORKERS_MAX];
	int nw, max;
	double idle_since, last_sweep;
	FILE *msg;
};

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void on_chld(int sig)
{
	(void)sig; /* only to interrupt poll() */
}

static const char *signal_name(int sig)
{
	static const struct { int sig; const char *name; } names[] = {
		{ SIGKILL, "SIGKILL" }, { SIGTERM, "SIGTERM" }, { SIGSEGV, "SIGSEGV" },
		{ SIGABRT, "SIGABRT" }, { SIGBUS, "SIGBUS" },   { SIGILL, "SIGILL" },
		{ SIGFPE, "SIGFPE" },   { SIGINT, "SIGINT" },   { SIGHUP, "SIGHUP" },
		{ SIGQUIT, "SIGQUIT" }, { SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" },
		{ SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" }, { SIGXCPU, "SIGXCPU" },
		{ SIGXFSZ, "SIGXFSZ" },
	};

	for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if(names[i].sig == sig)
			return names[i].name;
	return "an unnamed signal";
}

/* End a run whose worker is gone; a run its worker ended is left alone. */
static void settle(struct runner *r, const char *run_id, enum store_run_status to,
		   const char *event, const char *msg)
{
	struct store_run_fields f = { .error = msg, .worker_pid = -1 };
	struct json_object *fields = json_object_new_object();
	struct herror err;
	enum herr rc;

	herr_clear(&err);
	jsonx_add_str(fields, "error", msg);
	rc = runner_run_end(r->store, run_id, RUNNER_LIVE_STARTED, to, &f, event, fields, &err);
	if(!rc)
		LOG_WARN("run %s: %s", run_id, msg);
	else if(rc != HERR_CONFLICT)
		LOG_ERR("run %s: cannot end it: %s", run_id, err.msg);
}

/* Runs a dead runner left live: interrupted. We hold the lock, so no
 * other runner works any of them. */
static void recover(struct runner *r)
{
	struct store_run *runs = NULL;
	struct herror err;
	size_t n = 0;
	char msg[256];

	herr_clear(&err);
	if(store_run_list(r->store, RUNNER_LIVE_STARTED, 0, &runs, &n, &err)) {
		LOG_ERR("cannot list unfinished runs: %s", err.msg);
		return;
	}
	for(size_t i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg),
			 "The runner stopped before the run ended (its worker, pid %ld, is gone); "
			 "the run was interrupted.", runs[i].worker_pid);
		settle(r, runs[i].id, STORE_RUN_INTERRUPTED, "run.interrupted", msg);
	}
	store_run_list_free(runs, n);
}

static void reap(struct runner *r)
{
	int status;
	pid_t pid;
	char msg[256];

	while((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for(int i = 0; i < r->max; i++) {
			if(r->w[i].pid != pid)
				continue;
			if(WIFSIGNALED(status)) {
				snprintf(msg, sizeof(msg),
					 "The worker process (pid %ld) was killed by signal %d (%s).",
					 (long)pid, WTERMSIG(status), signal_name(WTERMSIG(status)));
				settle(r, r->w[i].run_id, STORE_RUN_FAILED, "run.failed", msg);
			} else {
				snprintf(msg, sizeof(msg),
					 "The worker process (pid %ld) exited with status %d before "
					 "ending the run.", (long)pid, WEXITSTATUS(status));
				settle(r, r->w[i].run_id, STORE_RUN_FAILED, "run.failed", msg);
			}
			r->w[i].pid = 0;
			r->nw--;
			break;
		}
	}
}

/* In the forked worker: drop what belongs to the daemon, die with it. */
static void become_worker(struct runner *r, pid_t parent, const char *run_id)
{
	struct sigaction sa;

	if(r->lock_fd >= 0)
		close(r->lock_fd);
	if(r->fifo_fd >= 0)
		close(r->fifo_fd);
	if(r->fifo_keep >= 0)
		close(r->fifo_keep);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if(getppid() != parent)
		_exit(1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	runner_export_secrets(r->cfg); /* the daemon scrubbed them; runner_work loads anew */
	sigaction(SIGALRM, &sa, NULL);
	_exit(runner_work(run_id));
}

/* Claim and fork while there is room; true when a run was started. */
static bool claim(struct runner *r)
{
	struct store_run run;
	struct store_run_fields f = { .worker_pid = 0 };
	struct herror err;
	bool started = false;
	int slot;
	pid_t pid, self = getpid();

	while(!stopping && r->nw < r->max) {
		herr_clear(&err);
		if(store_run_claim(r->store, 0, &run, &err)) {
			if(err.rc != HERR_NOT_FOUND)
				LOG_ERR("cannot claim a run: %s", err.msg);
			break;
		}
		for(slot = 0; r->w[slot].pid; slot++)
			;
		snprintf(r->w[slot].run_id, sizeof(r->w[slot].run_id), "%s", run.id);
		fflush(NULL);
		pid = fork();
		if(pid == 0)
			become_worker(r, self, r->w[slot].run_id);
		if(pid < 0) {
			LOG_ERR("run %s: fork: %s", run.id, strerror(errno));
			store_run_release(&run);
			settle(r, r->w[slot].run_id, STORE_RUN_FAILED, "run.failed",
			       "The runner could not start a worker process (fork failed).");
			break;
		}
		r->w[slot].pid = pid;
		r->nw++;
		started = true;
		f.worker_pid = pid;
		if(store_run_update(r->store, run.id, &f, &err))
			LOG_WARN("run %s: cannot record worker pid: %s", run.id, err.msg);
		LOG_INFO("run %s: worker %ld", run.id, (long)pid);
		store_run_release(&run);
	}
	return started;
}

static void sweep(struct runner *r)
{
	struct herror err;
	int n = 0;

	r->last_sweep = runner_now();
	herr_clear(&err);
	if(store_run_sweep(r->store, (double)r->cfg->runner_ttl, &n, &err))
		LOG_ERR("run sweep: %s", err.msg);
	else if(n)
		LOG_INFO("swept %d finished run%s older than %ld s", n, n == 1 ? "" : "s",
			 r->cfg->runner_ttl);
}

static void open_fifo(struct runner *r)
{
	char path[4096];
	struct stat st;

	r->fifo_fd = r->fifo_keep = -1;
	snprintf(path, sizeof(path), "%s/%s", r->cfg->home, RUNNER_FIFO);
	if(mkfifo(path, 0600) != 0 && errno != EEXIST) {
		LOG_WARN("%s: %s; polling only", path, strerror(errno));
		return;
	}
	if(lstat(path, &st) != 0 || !S_ISFIFO(st.st_mode)) {
		LOG_WARN("%s is not a FIFO; polling only", path);
		return;
	}
	r->fifo_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	/* Our own writer, so poll() never sees a hang-up between wakers. */
	r->fifo_keep = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
}

static void wait_wake(struct runner *r)
{
	struct pollfd p = { .fd = r->fifo_fd, .events = POLLIN };
	char drain[256];

	if(r->fifo_fd < 0) {
		poll(NULL, 0, POLL_MS);
		return;
	}
	if(poll(&p, 1, POLL_MS) > 0 && (p.revents & POLLIN))
		while(read(r->fifo_fd, drain, sizeof(drain)) > 0)
			;
}

static void shutdown_workers(struct runner *r)
{
	double until = runner_now() + SHUTDOWN_SECONDS;

	for(int i = 0; i < r->max; i++)
		if(r->w[i].pid)
			kill(r->w[i].pid, SIGTERM);
	while(r->nw && runner_now() < until) {
		reap(r);
		if(r->nw)
			poll(NULL, 0, 100);
	}
	for(int i = 0; i < r->max; i++)
		if(r->w[i].pid)
			kill(r->w[i].pid, SIGKILL);
	while(r->nw && waitpid(-1, NULL, 0) > 0)
		reap(r);
}

/* Leaving when idle races a responder queueing a run: one that still saw
 * this runner alive only wakes it. So the lock goes first, then the queue
 * is looked at once more: a run queued before the lock went is seen here
 * (its row was committed before the responder looked), one queued after
 * finds no runner and starts one. True when the runner stays: a run came,
 * and the lock was taken back. */
static bool idle_exit(struct runner *r)
{
	struct store_run *runs = NULL;
	struct herror err;
	size_t n = 0;

	close(r->lock_fd);
	r->lock_fd = -1;
	herr_clear(&err);
	if(store_run_list(r->store, STORE_RUN_BIT(STORE_RUN_QUEUED), 1, &runs, &n, &err) || !n) {
		store_run_list_free(runs, n);
		LOG_INFO("idle for %ld s: exiting", r->cfg->runner_idle_exit);
		return false;
	}
	store_run_list_free(runs, n);
	if(runner_pidfile_lock(r->cfg->home, &r->lock_fd, NULL, &err)) {
		LOG_INFO("idle: exiting, another runner took over");
		return false;
	}
	r->idle_since = runner_now();
	return true;
}

static void serve(struct runner *r)
{
	double now;

	recover(r);
	sweep(r);
	r->idle_since = runner_now();
	while(!stopping) {
		reap(r);
		if(claim(r) || r->nw)
			r->idle_since = runner_now();
		now = runner_now();
		if(now - r->last_sweep >= SWEEP_SECONDS)
			sweep(r);
		if(!r->nw && r->o->once)
			break;
		if(!r->nw && r->cfg->runner_idle_exit > 0 &&
		   now - r->idle_since >= (double)r->cfg->runner_idle_exit) {
			if(!idle_exit(r))
				break;
			continue;
		}
		wait_wake(r);
	}
	if(stopping)
		LOG_INFO("stopping: %d worker%s to end", r->nw, r->nw == 1 ? "" : "s");
	shutdown_workers(r);
}

int runner_serve(const struct cfg *c, const struct runner_opts *o, FILE *msg)
{
	struct runner r;
	struct store_opts so;
	struct sigaction sa;
	struct herror err;
	long holder = 0;

	memset(&r, 0, sizeof(r));
	r.cfg = c;
	r.o = o;
	r.msg = msg;
	r.max = (int)(c->runner_max_concurrent < WORKERS_MAX ? c->runner_max_concurrent : WORKERS_MAX);
	herr_clear(&err);
	if(runner_pidfile_lock(c->home, &r.lock_fd, &holder, &err)) {
		if(err.rc == HERR_CONFLICT && o->quiet_if_held)
			return 0;
		if(err.rc == HERR_CONFLICT)
			fprintf(msg, "hermes-runner: a runner (pid %ld) already serves %s\n", holder,
				c->home);
		else
			fprintf(msg, "hermes-runner: %s\n", err.msg);
		return err.rc == HERR_CONFLICT ? 0 : 1;
	}
	store_opts_from_cfg(c, &so);
	if(store_open(&so, &r.store, &err)) {
		fprintf(msg, "hermes-runner: %s\n", err.msg);
		close(r.lock_fd);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if(o->seconds > 0) {  /* the inline bound: SIGALRM stops like SIGTERM */
		sigaction(SIGALRM, &sa, NULL);
		alarm((unsigned)o->seconds);
	}
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	open_fifo(&r);
	LOG_INFO("serving %s (pid %ld, at most %d runs at once%s%s)", c->home, (long)getpid(), r.max,
		 o->once ? ", until the queue is empty" : "",
		 o->seconds > 0 ? " or the time is up" : "");
	serve(&r);
	store_close(r.store);
	if(r.fifo_fd >= 0)
		close(r.fifo_fd);
	if(r.fifo_keep >= 0)
		close(r.fifo_keep);
	if(r.lock_fd >= 0)
		close(r.lock_fd);
	return 0;
}
