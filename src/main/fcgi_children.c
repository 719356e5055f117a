/* src/main/fcgi_children.c: the supervisor of --children (see the header).
 *
 * The loop waits in sigsuspend with SIGCHLD, SIGTERM and SIGINT blocked
 * outside it, so a signal is never lost between a check and the wait.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "main/fcgi_children.h"

#include <errno.h>
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

/* Fork one child; its pid, or -1. The child never returns from here. */
static pid_t spawn(int (*child)(void *ctx), void *ctx, const sigset_t *old, pid_t parent)
{
	pid_t pid = fork();

	if(pid != 0)
		return pid;
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, old, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if(getppid() != parent)
		_exit(0);
	_exit(child(ctx));
}

int fcgi_children_run(int n, int (*child)(void *ctx), void *ctx)
{
	pid_t pids[FCGI_CHILDREN_MAX] = { 0 };
	double started[FCGI_CHILDREN_MAX] = { 0 };
	struct sigaction sa;
	sigset_t block, old;
	pid_t self = getpid(), pid;
	int live = 0, status;

	if(n > FCGI_CHILDREN_MAX)
		n = FCGI_CHILDREN_MAX;
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
	sigprocmask(SIG_BLOCK, &block, &old);
	for(int i = 0; i < n; i++) {
		if((pids[i] = spawn(child, ctx, &old, self)) < 0) {
			LOG_ERR("--children: fork: %s", strerror(errno));
			pids[i] = 0;
			continue;
		}
		started[i] = now();
		live++;
	}
	if(!live)
		return 1;
	LOG_INFO("serving with %d child processes", live);
	for(;;) {
		/* reap, and replace what died while we are not stopping */
		while((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for(int i = 0; i < n; i++) {
				if(pids[i] != pid)
					continue;
				pids[i] = 0;
				live--;
				if(!stop_sig)
					LOG_WARN("child %ld ended (%s %d); starting another",
						 (long)pid, WIFSIGNALED(status) ? "signal" : "status",
						 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			}
		}
		if(stop_sig) {
			for(int i = 0; i < n; i++)
				if(pids[i])
					kill(pids[i], SIGTERM);
			if(!live)
				break;
		} else {
			for(int i = 0; i < n; i++) {
				if(pids[i])
					continue;
				if(now() - started[i] < 1.0) { /* at most one a second */
					struct timespec pause = { 0, 200 * 1000 * 1000 };

					sigprocmask(SIG_SETMASK, &old, NULL);
					nanosleep(&pause, NULL);
					sigprocmask(SIG_BLOCK, &block, NULL);
					break;
				}
				if((pids[i] = spawn(child, ctx, &old, self)) < 0) {
					LOG_ERR("--children: fork: %s", strerror(errno));
					pids[i] = 0;
					break;
				}
				started[i] = now();
				live++;
			}
			if(live < n)
				continue; /* a replacement is due: look again */
		}
		sigsuspend(&old);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	LOG_INFO("signal %d: all children ended", (int)stop_sig);
	return 0;
}
