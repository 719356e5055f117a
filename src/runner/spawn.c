/* src/runner/spawn.c: waking the runner, and starting it when it is gone.
 *
 * DESIGN: a responder that queued a run must never wait for the runner
 * nor hand it anything of its own. The runner is started by a double fork:
 * the middle child calls setsid() (a new session, out of the web server's
 * process group, no controlling terminal) and forks the runner, then exits
 * at once so the responder reaps it and the runner is re-parented to init;
 * the runner closes every inherited descriptor >= 3 (the FastCGI listen
 * socket above all) before exec. Whoever loses the race for the pidfile
 * lock exits quietly (hermes-runner --if-absent). runner_notify decides by
 * runner.mode whether a responder starts one at all: daemon on a queued
 * run, inline (a bounded --once --for N) on a reader of a live run, cron
 * never (the crontab's `hermesctl runner run-once` works the queue).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "runner/runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cfg.h"

bool runner_wake(const char *home)
{
	char path[4096];
	int fd, n = snprintf(path, sizeof(path), "%s/%s", home, RUNNER_FIFO);
	bool ok;

	if(n <= 0 || (size_t)n >= sizeof(path))
		return false;
	/* O_NONBLOCK: ENXIO at once when nobody reads, EAGAIN when the pipe
	 * is full (the runner is awake then anyway). */
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if(fd < 0)
		return false;
	ok = write(fd, "w", 1) == 1 || errno == EAGAIN;
	close(fd);
	return ok;
}

/* The hermes-runner to exec, into out: the setting, else the file next to
 * the running program, else the bare name for execvp's PATH search. */
static void runner_binary(const struct cfg *c, char *out, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if(c->runner_path && *c->runner_path) {
		snprintf(out, cap, "%s", c->runner_path);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if(n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if(slash) {
			*slash = '\0';
			if((size_t)snprintf(out, cap, "%s/hermes-runner", self) < cap &&
			   access(out, X_OK) == 0)
				return;
		}
	}
	snprintf(out, cap, "hermes-runner");
}

/* Close every descriptor >= 3: the ones /proc/self/fd lists, or all up to
 * the limit when /proc is not mounted. */
static void close_inherited(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int keep, fds[1024], n = 0;
	long max;

	if(d) {
		keep = dirfd(d);
		while((e = readdir(d)) && n < (int)(sizeof(fds) / sizeof(fds[0]))) {
			int fd = (int)strtol(e->d_name, NULL, 10);
			if(e->d_name[0] != '.' && fd >= 3 && fd != keep)
				fds[n++] = fd;
		}
		closedir(d);
		for(int i = 0; i < n; i++)
			close(fds[i]);
		if(n < (int)(sizeof(fds) / sizeof(fds[0])))
			return;
	}
	max = sysconf(_SC_OPEN_MAX);
	if(max < 0 || max > 65536)
		max = 65536;
	for(int fd = 3; fd < max; fd++)
		close(fd);
}

void runner_export_secrets(const struct cfg *c)
{
	if(c->api_key)
		setenv("API_SERVER_KEY", c->api_key, 0);
	if(c->upstream_key)
		setenv("OPENAI_API_KEY", c->upstream_key, 0);
	for(size_t i = 0; i < c->models.n; i++)
		if(c->models.v[i].api_key_env && c->models.v[i].api_key)
			setenv(c->models.v[i].api_key_env, c->models.v[i].api_key, 0);
}

/* In the grandchild: become the daemon; seconds > 0: an inline run-once
 * (runner_ensure_inline). Never returns. */
static void exec_runner(const struct cfg *c, const char *binary, long seconds)
{
	const char *home = c->home;
	char log[4096], secs[24];
	int fd;
	sigset_t none;

	close_inherited();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	fd = open("/dev/null", O_RDWR);
	if(fd >= 0) {
		dup2(fd, 0);
		if(fd > 2)
			close(fd);
	}
	snprintf(log, sizeof(log), "%s/logs", home);
	mkdir(log, 0700);
	snprintf(log, sizeof(log), "%s/%s", home, RUNNER_LOG);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
	if(fd < 0)
		fd = open("/dev/null", O_WRONLY);
	if(fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if(fd > 2)
			close(fd);
	}
	if(chdir(home) != 0 && chdir("/") != 0)
		_exit(127);
	setenv("HERMES_HOME", home, 1);
	runner_export_secrets(c);
	snprintf(secs, sizeof(secs), "%ld", seconds);
	if(seconds > 0)
		execlp(binary, "hermes-runner", "--if-absent", "--once", "--for", secs, (char *)NULL);
	else
		execlp(binary, "hermes-runner", "--if-absent", (char *)NULL);
	dprintf(2, "hermes-runner: cannot exec %s: %s\n", binary, strerror(errno));
	_exit(127);
}

static enum herr start(const struct cfg *c, long seconds, struct herror *err)
{
	char binary[PATH_MAX];
	pid_t mid, got;
	int status;

	if(runner_pidfile_alive(c->home, NULL) && runner_wake(c->home))
		return HERR_OK;
	/* Alive but not listening yet (just starting): it claims on start. */
	if(runner_pidfile_alive(c->home, NULL))
		return HERR_OK;
	runner_binary(c, binary, sizeof(binary));
	mid = fork();
	if(mid < 0)
		return herr_set(err, HERR_UNAVAILABLE, "runner_unavailable", NULL,
				"cannot start hermes-runner: fork: %s", strerror(errno));
	if(mid == 0) {
		if(setsid() < 0)
			_exit(1);
		switch(fork()) {
		case -1:
			_exit(1);
		case 0:
			exec_runner(c, binary, seconds);
			break;
		default:
			_exit(0);
		}
	}
	do
		got = waitpid(mid, &status, 0);
	while(got < 0 && errno == EINTR);
	if(got != mid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return herr_set(err, HERR_UNAVAILABLE, "runner_unavailable", NULL,
				"cannot start hermes-runner: setsid or fork failed");
	return HERR_OK;
}

enum herr runner_ensure(const struct cfg *c, struct herror *err)
{
	return start(c, 0, err);
}

enum herr runner_ensure_inline(const struct cfg *c, struct herror *err)
{
	return start(c, c->runner_inline_seconds, err);
}

enum herr runner_notify(const struct cfg *c, bool reader, struct herror *err)
{
	switch(c->runner_mode) {
	case CFG_RUNNER_DAEMON:
		return reader ? HERR_OK : runner_ensure(c, err);
	case CFG_RUNNER_INLINE:
		if(reader)
			return runner_ensure_inline(c, err);
		break;
	case CFG_RUNNER_CRON:
		break;
	}
	/* a cron or inline runner working the queue right now takes the new
	 * run at once instead of at its next one-second poll */
	(void)runner_wake(c->home);
	return HERR_OK;
}
