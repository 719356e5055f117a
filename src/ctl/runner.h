/* src/ctl/runner.h: `hermesctl runner start|stop|status|run-once`.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_CTL_RUNNER_H
#define HERMES_CTL_RUNNER_H

#include <stdio.h>

/* Run the verb against $HERMES_HOME's runner:
 *   start     start it detached unless it runs (runner_ensure), wait up to
 *             5 s for it to hold the pidfile; 0 running, 1 it did not come up;
 *   stop      SIGTERM to it, wait up to 30 s for it to exit; 0 stopped or
 *             none ran, 1 it is still running;
 *   status    pid, uptime, queued and running runs; 0 running, 3 not;
 *   run-once  work the queue in this process until it is empty (for hosts
 *             that allow only cron jobs); 0, 1 on an error.
 * Results on out, problems on msg; 2 for an unknown verb. */
int ctl_runner(const char *verb, FILE *out, FILE *msg);

#endif
