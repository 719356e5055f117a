/* src/tools/confine_int.h: what confine.c (settings, probe) and
 * confine_run.c (one run) share.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_CONFINE_INT_H
#define HERMES_TOOLS_CONFINE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* clone() into a new user and PID namespace; returns as fork() does. */
pid_t tool_confine_clone_ns(void);

/* In a process just cloned into a new user namespace: map its uid and
 * gid ("ID ID 1\n" lines) and deny setgroups. Async-signal-safe; false
 * when the kernel or a security policy refuses. */
bool tool_confine_map_self(const char *uid_map, size_t uid_len, const char *gid_map,
			   size_t gid_len);

/* SIGKILL every process listed in the cgroup directory dir. */
void tool_confine_cgroup_kill(const char *dir);

#endif
