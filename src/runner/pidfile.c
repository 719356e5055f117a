/* src/runner/pidfile.c: one runner per HERMES_HOME.
 *
 * DESIGN: the kernel's flock() on runner.pid is the truth, the number in
 * the file is only for humans and signals. A runner that dies for any
 * reason (SIGKILL, OOM, reboot) drops the lock with its last descriptor,
 * so there is no stale-pidfile logic to get wrong, and when ten processes
 * race to become the runner exactly one flock(LOCK_EX|LOCK_NB) succeeds.
 * Workers close the descriptor after fork: a lock shared with a worker
 * would outlive its runner.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "runner/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int pid_path(const char *home, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", home, RUNNER_PIDFILE);

	return n > 0 && (size_t)n < cap;
}

static long read_pid(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	long pid;
	char *end;

	if(n <= 0)
		return 0;
	text[n] = '\0';
	pid = strtol(text, &end, 10);
	return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

enum herr runner_pidfile_lock(const char *home, int *fd, long *holder, struct herror *err)
{
	char path[4096], text[32];
	int f, n;

	*fd = -1;
	if(holder)
		*holder = 0;
	if(!pid_path(home, path, sizeof(path)))
		return herr_set(err, HERR_INTERNAL, "runner_error", NULL, "HERMES_HOME path too long");
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if(f < 0)
		return herr_set(err, HERR_UNAVAILABLE, "runner_error", NULL, "%s: cannot open: %s",
				path, strerror(errno));
	if(flock(f, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		if(holder)
			*holder = read_pid(f);
		close(f);
		if(e == EWOULDBLOCK)
			return herr_set(err, HERR_CONFLICT, "runner_running", NULL,
					"a runner already serves %s", home);
		return herr_set(err, HERR_UNAVAILABLE, "runner_error", NULL, "%s: cannot lock: %s",
				path, strerror(e));
	}
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	/* A file left by an older run, or made under another umask, is 0600 too. */
	if(fchmod(f, 0600) != 0 || ftruncate(f, 0) != 0 || pwrite(f, text, (size_t)n, 0) != n) {
		int e = errno;

		close(f);
		return herr_set(err, HERR_UNAVAILABLE, "runner_error", NULL, "%s: cannot write: %s",
				path, strerror(e));
	}
	*fd = f;
	return HERR_OK;
}

long runner_pidfile_alive(const char *home, double *started)
{
	char path[4096];
	struct stat st;
	long pid = 0;
	int f;

	if(started)
		*started = 0;
	if(!pid_path(home, path, sizeof(path)))
		return 0;
	f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if(f < 0)
		return 0;
	if(flock(f, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
		pid = read_pid(f);
		if(!pid)
			pid = -1; /* held, number not written yet: alive all the same */
		if(started && fstat(f, &st) == 0)
			*started = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
	}
	close(f);
	return pid;
}
