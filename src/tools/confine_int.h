/* src/tools/confine_int.h: what confine.c (settings, probe) and
 * confine_run.c (one run) share.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_CONFINE_INT_H
#define HERMES_TOOLS_CONFINE_INT_H

#include <sys/types.h>

/* clone() into a new user and PID namespace; returns as fork() does. */
pid_t tool_confine_clone_ns(void);

/* SIGKILL every process listed in the cgroup directory dir. */
void tool_confine_cgroup_kill(const char *dir);

#endif
