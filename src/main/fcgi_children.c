/* src/main/fcgi_children.c: the supervisor of --children (see the header).
 *
 * The loop waits in sigsuspend with SIGCHLD, SIGTERM and SIGINT blocked
 * outside it, so a signal is never lost between a check and the wait.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "main/fcgi_children.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

static volatile sig_atomic_t stop_sig; /* the signal that asked us to stop */

static void on_stop(int sig)
{
	stop_sig = sig;
}

static void on_child(int sig)
{
	(void)sig; /* only wakes sigsuspend */
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sup {
	pid_t pids[FCGI_CHILDREN_MAX];     /* 0: the slot is empty */
	double started[FCGI_CHILDREN_MAX]; /* when its last child was forked */
	int n, live;
	int (*child)(void *ctx);
	void *ctx;
	sigset_t old;                      /* the mask before the supervisor's */
	pid_t self;
};

/* Fork the child of slot i; false when fork failed (logged). The child
 * never returns from here. */
static bool start(struct sup *s, int i)
{
	pid_t pid;

	s->started[i] = now(); /* a failed fork waits its second too */
	pid = fork();

	if(pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &s->old, NULL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if(getppid() != s->self)
			_exit(0);
		_exit(s->child(s->ctx));
	}
	if(pid < 0) {
		LOG_ERR("--children: fork: %s", strerror(errno));
		return false;
	}
	s->pids[i] = pid;
	s->live++;
	return true;
}

/* Reap ended children, emptying their slots. */
static void reap(struct sup *s)
{
	pid_t pid;
	int status;

	while((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for(int i = 0; i < s->n; i++) {
			if(s->pids[i] != pid)
				continue;
			s->pids[i] = 0;
			s->live--;
			if(!stop_sig)
				LOG_WARN("child %ld ended (%s %d); starting another", (long)pid,
					 WIFSIGNALED(status) ? "signal" : "status",
					 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		}
	}
}

/* Refill empty slots, at most one fork a second per slot; false when a
 * slot must wait (the caller looks again soon). */
static bool refill(struct sup *s, const sigset_t *block)
{
	for(int i = 0; i < s->n; i++) {
		if(s->pids[i])
			continue;
		if(now() - s->started[i] < 1.0) {
			struct timespec pause = { 0, 200 * 1000 * 1000 };

			sigprocmask(SIG_SETMASK, &s->old, NULL);
			nanosleep(&pause, NULL);
			sigprocmask(SIG_BLOCK, block, NULL);
			return false;
		}
		if(!start(s, i))
			return false;
	}
	return true;
}

int fcgi_children_run(int n, int (*child)(void *ctx), void *ctx)
{
	struct sup s = { .n = n > FCGI_CHILDREN_MAX ? FCGI_CHILDREN_MAX : n, .child = child,
			 .ctx = ctx, .self = getpid() };
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &s.old);
	for(int i = 0; i < s.n; i++)
		(void)start(&s, i);
	if(!s.live)
		return 1;
	LOG_INFO("serving with %d child processes", s.live);
	for(;;) {
		reap(&s);
		if(stop_sig) {
			for(int i = 0; i < s.n; i++)
				if(s.pids[i])
					kill(s.pids[i], SIGTERM);
			if(!s.live)
				break;
		} else if(!refill(&s, &block)) {
			continue; /* a replacement is due: look again */
		}
		sigsuspend(&s.old);
	}
	sigprocmask(SIG_SETMASK, &s.old, NULL);
	LOG_INFO("signal %d: all children ended", (int)stop_sig);
	return 0;
}
