/* src/tools/sandbox.c: one child run for terminal and execute_code, in its
 * own process group under a timeout (the environment is built by
 * sandbox_env.c, the output kept by sandbox_capture.c).
 *
 * DESIGN. The child is forked with stdin on /dev/null and stdout/stderr on
 * O_CLOEXEC pipes; it makes itself a process-group leader, resets every
 * signal disposition (a web server may have SIGPIPE or SIGCHLD ignored, and
 * ignored signals survive exec), unblocks all signals, closes every fd above
 * 2 and execs. The parent polls the pipes in 100 ms ticks and watches the
 * leader with waitid(WNOWAIT), which sees the exit without reaping it: while
 * the leader is an unreaped zombie its pid (= the group id) cannot be
 * reused, so signalling the group stays safe until the very end. When the
 * leader exits, the timeout passes or *interrupt is set, the group gets
 * SIGTERM, then SIGKILL after a grace (descendants a command left running
 * in the background are killed too: nothing outlives a tool call); the
 * pipes are drained to EOF (bounded: a process that escaped the group may
 * hold them), and only then is the leader reaped. If SIGCHLD is ignored
 * (or SA_NOCLDWAIT), children would be auto-reaped and their status lost,
 * so the disposition is set to default for the run and restored after.
 * Under tools.confinement the child is cloned into its own user and PID
 * namespace instead of forked, and confines itself (confine.c) before it
 * execs: then its exit or SIGKILL takes every process it started along.
 * SPEC: runs-discovery-security §4.6
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/confine.h"
#include "tools/registry.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

extern char **environ;

#define TICK_MS 100         /* poll granularity: interrupt is seen within it */
#define SHORT_TICK_MS 10    /* the same once the pipes are closed */
#define GRACE_MS 500        /* SIGTERM → SIGKILL on timeout or interrupt */
#define LEFTOVER_MS 200     /* SIGTERM → SIGKILL for what a finished command left */
#define DRAIN_MS 500        /* after SIGKILL, how long to wait for the pipes' EOF */

/* ---- running a child ------------------------------------------------------------- */

/* What the child needs after fork; the messages are formatted before it,
 * as the child may only make async-signal-safe calls. */
struct child_plan {
	const struct tool_sandbox_opts *o;
	struct tool_confine_plan *confine;
	int in, out, err;             /* err < 0: stderr goes to out */
	char exec_msg[600], cwd_msg[600];
	size_t exec_len, cwd_len;
};

/* Milliseconds of the monotonic clock: 64-bit, as a 32-bit long holds
 * only 24.8 days of uptime in milliseconds. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child_say(const char *msg, size_t len)
{
	ssize_t w = write(2, msg, len);

	(void)w;
}

static void close_from(int lo)
{
	struct rlimit rl;
	long max = 4096;

#ifdef SYS_close_range
	if(syscall(SYS_close_range, (unsigned)lo, ~0u, 0) == 0)
		return;
#endif
	if(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = (long)rl.rlim_cur;
	if(max > 65536)
		max = 65536;
	for(int fd = lo; fd < max; fd++)
		close(fd);
}

static const char *errno_word(int e)
{
	switch(e) {
	case ENOENT: return "no such file\n";
	case EACCES: return "permission denied\n";
	case ENOEXEC: return "not an executable\n";
	case E2BIG: return "arguments or environment too large\n";
	case ENOMEM: return "out of memory\n";
	default: return "cannot start it\n";
	}
}

static void __attribute__((noreturn)) child_run(const struct child_plan *p)
{
	struct sigaction dfl;
	struct rlimit nocore = { 0, 0 };
	sigset_t none;
	int in, out, errfd;
	const char *why;

	setpgid(0, 0);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for(int s = 1; s < NSIG; s++)
		if(s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The pipes may be on fds 0-2 when the server started us with those
	 * closed: move everything above 9 first, then into place. */
	in = fcntl(p->in, F_DUPFD, 10);
	out = fcntl(p->out, F_DUPFD, 10);
	errfd = p->err >= 0 ? fcntl(p->err, F_DUPFD, 10) : out;
	if(in < 0 || out < 0 || errfd < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(126);
	if((why = tool_confine_child(p->confine))) {
		child_say(why, strlen(why));
		_exit(126);
	}
	close_from(3);
	if(chdir(p->o->cwd) != 0) {
		child_say(p->cwd_msg, p->cwd_len);
		_exit(126);
	}
	setrlimit(RLIMIT_CORE, &nocore);
	if(p->confine->argv)
		execve(p->confine->argv[0], p->confine->argv, p->o->envp);
	else
		execve(p->o->argv[0], (char *const *)p->o->argv, p->o->envp);
	why = errno_word(errno);
	child_say(p->exec_msg, p->exec_len);
	child_say(why, strlen(why));
	_exit(127);
}

/* Make sure our child is not auto-reaped (SIGCHLD ignored / SA_NOCLDWAIT);
 * true if *saved must be restored afterwards. */
static bool chld_default(struct sigaction *saved)
{
	struct sigaction dfl;

	if(sigaction(SIGCHLD, NULL, saved) != 0)
		return false;
	if(saved->sa_handler != SIG_IGN && !(saved->sa_flags & SA_NOCLDWAIT))
		return false;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	return sigaction(SIGCHLD, &dfl, NULL) == 0;
}

/* Signal the group, and the leader itself should it have left the group.
 * Only called while the leader is unreaped, so neither id can be reused. */
static void kill_group(pid_t pid, int sig)
{
	kill(-pid, sig);
	kill(pid, sig);
}

/* Has the leader exited? Looks without reaping (WNOWAIT). */
static bool leader_exited(pid_t pid, bool *unknown)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) {
		if(errno == EINTR)
			return false;
		*unknown = true; /* ECHILD: a SIGCHLD handler reaped it */
		return true;
	}
	return si.si_pid == pid;
}

struct pump {
	int fd;
	struct tool_capture *cap;
};

/* One read from a ready pipe; closes it at EOF or error. */
static void pump_read(struct pump *p)
{
	char chunk[16384];
	ssize_t r = read(p->fd, chunk, sizeof(chunk));

	if(r > 0) {
		tool_capture_feed(p->cap, chunk, (size_t)r);
	} else if(r == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(p->fd);
		p->fd = -1;
	}
}

/* Wait up to ms for pipe data and read what is ready; false when all the
 * pipes are closed. */
static bool pump_all(struct pump *pumps, size_t n, long ms)
{
	struct pollfd fds[2];
	size_t k = 0;

	for(size_t i = 0; i < n; i++)
		if(pumps[i].fd >= 0)
			fds[k++] = (struct pollfd){ .fd = pumps[i].fd, .events = POLLIN };
	if(poll(k ? fds : NULL, k, (int)(ms < 0 ? 0 : ms)) > 0)
		for(size_t i = 0, j = 0; i < n; i++)
			if(pumps[i].fd >= 0 && fds[j++].revents)
				pump_read(&pumps[i]);
	for(size_t i = 0; i < n; i++)
		if(pumps[i].fd >= 0)
			return true;
	return false;
}

static long min_l(long a, long b)
{
	return a < b ? a : b;
}

/* The supervision loop (see DESIGN): returns once the group is killed and
 * the pipes are drained or given up on; the leader is left to reap. */
static void supervise(const struct tool_sandbox_opts *o, pid_t pid, struct pump *pumps,
		      size_t n, struct tool_sandbox_result *res)
{
	int64_t start = now_ms(), next = -1;
	bool done = false, piped = true;
	int stage = 0; /* 0 running, 1 SIGTERM sent, 2 SIGKILL sent */

	for(;;) {
		int64_t t = now_ms();
		long tick;

		if(!done)
			done = leader_exited(pid, &res->status_unknown);
		if(o->tick) /* lets a streaming caller send keepalives, notice a gone client */
			o->tick(o->tick_ctx);
		if(stage == 0) {
			if(!done && o->interrupt && *o->interrupt)
				res->interrupted = true;
			else if(!done && t - start >= o->timeout_ms)
				res->timed_out = true;
			if(done || res->interrupted || res->timed_out) {
				kill_group(pid, SIGTERM);
				stage = 1;
				next = t + (done ? LEFTOVER_MS : GRACE_MS);
			}
		}
		if(stage == 1 && (t >= next || (done && !piped))) {
			kill_group(pid, SIGKILL);
			stage = 2;
			next = t + DRAIN_MS;
		}
		if(stage == 2 && ((done && !piped) || t >= next))
			break;
		/* with the pipes closed only the leader's exit is awaited: look often */
		tick = piped ? TICK_MS : SHORT_TICK_MS;
		piped = pump_all(pumps, n, stage ? min_l(tick, (long)(next - t))
						: min_l(tick, (long)(start + o->timeout_ms - t)));
	}
	res->elapsed_ms = (long)(now_ms() - start);
}

static void reap(pid_t pid, struct tool_sandbox_result *res)
{
	int st = 0;

	while(waitpid(pid, &st, 0) < 0) {
		if(errno != EINTR) {
			res->status_unknown = true;
			return;
		}
	}
	if(WIFEXITED(st)) {
		res->exit_code = WEXITSTATUS(st);
	} else if(WIFSIGNALED(st)) {
		res->signal = WTERMSIG(st);
	}
}

static void close_fd(int *fd)
{
	if(*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void plan_messages(struct child_plan *p)
{
	int w = snprintf(p->exec_msg, sizeof(p->exec_msg), "sandbox: cannot execute %s: ",
			 p->o->argv[0]);

	p->exec_len = w < 0 ? 0 : (size_t)w < sizeof(p->exec_msg) ? (size_t)w : sizeof(p->exec_msg) - 1;
	w = snprintf(p->cwd_msg, sizeof(p->cwd_msg), "sandbox: cannot enter the workspace %s\n",
		     p->o->cwd);
	p->cwd_len = w < 0 ? 0 : (size_t)w < sizeof(p->cwd_msg) ? (size_t)w : sizeof(p->cwd_msg) - 1;
}

enum herr tool_sandbox_run(const struct tool_sandbox_opts *o, struct tool_sandbox_result *res,
			   struct herror *err)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, devnull = -1;
	struct tool_confine_plan cp;
	struct child_plan plan = { .o = o, .confine = &cp };
	struct pump pumps[2];
	struct sigaction saved;
	bool restore = false;
	enum herr rc = HERR_OK;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	tool_capture_init(&res->out, o->out_cap);
	tool_capture_init(&res->err, o->merge_stderr ? 0 : o->err_cap);
	if((rc = tool_confine_prepare(&cp, o->confine, o->argv, o->cwd, o->tmpdir, o->extra_read,
				      o->timeout_ms / 1000, err)))
		goto out;
	if(pipe2(outp, O_CLOEXEC) != 0 || (!o->merge_stderr && pipe2(errp, O_CLOEXEC) != 0) ||
	   (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		rc = herr_set(err, HERR_INTERNAL, NULL, NULL,
			      "cannot set up the command's pipes: %s", strerror(errno));
		goto out;
	}
	plan.in = devnull;
	plan.out = outp[1];
	plan.err = errp[1];
	plan_messages(&plan);
	restore = chld_default(&saved);
	pid = tool_confine_spawn(&cp);
	if(pid < 0) {
		rc = herr_set(err, HERR_INTERNAL, NULL, NULL, "cannot start the command: %s",
			      strerror(errno));
		goto out;
	}
	if(pid == 0)
		child_run(&plan);
	setpgid(pid, pid); /* also in the child: whichever runs first */
	tool_confine_started(&cp, pid);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	close_fd(&devnull);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	if(errp[0] >= 0)
		fcntl(errp[0], F_SETFL, O_NONBLOCK);
	pumps[0] = (struct pump){ outp[0], &res->out };
	pumps[1] = (struct pump){ errp[0], &res->err };
	supervise(o, pid, pumps, 2, res);
	outp[0] = pumps[0].fd;
	errp[0] = pumps[1].fd;
	reap(pid, res);
out:
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&devnull);
	tool_confine_plan_release(&cp);
	if(restore)
		sigaction(SIGCHLD, &saved, NULL);
	return rc;
}

enum herr tool_sandbox_tmp_new(char *dir, size_t cap, struct herror *err)
{
	const char *tmp = getenv("TMPDIR");

	if(!tmp || tmp[0] != '/')
		tmp = "/tmp";
	if((size_t)snprintf(dir, cap, "%s/hermes-tool.XXXXXX", tmp) >= cap || !mkdtemp(dir)) {
		dir[0] = '\0';
		return herr_set(err, HERR_UNAVAILABLE, NULL, NULL,
				"cannot create a temporary directory in %s: %s", tmp, strerror(errno));
	}
	return HERR_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

void tool_sandbox_tmp_remove(char *dir)
{
	if(dir[0])
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
}

void tool_sandbox_result_release(struct tool_sandbox_result *res)
{
	tool_capture_release(&res->out);
	tool_capture_release(&res->err);
}

enum herr tool_sandbox_status(const struct tool_sandbox_result *res, long timeout_s,
			      struct buf *out)
{
	if(res->timed_out)
		return buf_addf(out, "exit status: timed out after %ld s; the command and every "
			       "process it started were killed. Make it finish sooner (smaller "
			       "steps, less output) and do not start background jobs.\n", timeout_s);
	if(res->interrupted)
		return buf_adds(out, "exit status: interrupted by the user; the command and every "
				"process it started were killed.\n");
	if(res->signal)
		return buf_addf(out, "exit status: killed by signal %d (%s)\n", res->signal,
				strsignal(res->signal));
	if(res->status_unknown)
		return buf_adds(out, "exit status: unknown (the process was reaped elsewhere)\n");
	return buf_addf(out, "exit status: %d\n", res->exit_code);
}
