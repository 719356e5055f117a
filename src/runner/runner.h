/* src/runner/runner.h: waking and starting the runner daemon.
 *
 * STUB (issue 11, branch i11-runsapi): a placeholder until the runner
 * branch lands its runner.h/runner.c; the merge takes the runner's. It only
 * writes the wake byte to $HERMES_HOME/runner.wake (non-blocking, when a
 * runner has the FIFO open) and never starts a runner.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_RUNNER_RUNNER_H
#define HERMES_RUNNER_RUNNER_H

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "util/cfg.h"
#include "util/err.h"

/* Wake the runner of c->home if it runs (else: start it - not in the stub). */
static inline enum herr runner_ensure(const struct cfg *c, struct herror *err)
{
	char path[4096];
	int fd;

	(void)err;
	if(!c->home || snprintf(path, sizeof(path), "%s/runner.wake", c->home) >= (int)sizeof(path))
		return HERR_OK;
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if(fd >= 0) {
		if(write(fd, "w", 1) < 0) {
			/* a full FIFO already holds a wake-up */
		}
		close(fd);
	}
	return HERR_OK;
}

#endif
