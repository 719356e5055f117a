/* src/tools/confine.h: kernel confinement of the tool child (terminal,
 * execute_code): Landlock filesystem and TCP rules, a new user and PID
 * namespace, NO_NEW_PRIVS with every capability dropped, resource limits
 * and a process-count bound, at the level tools.confinement asks for.
 *
 * The parent half (tool_confine_prepare) runs before the fork and does all
 * that allocates or opens files; the child half (tool_confine_child) only
 * makes async-signal-safe system calls. See docs/security.md.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_CONFINE_H
#define HERMES_TOOLS_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

struct cfg;
struct json_object;

enum tool_confine_level { TOOL_CONFINE_OFF, TOOL_CONFINE_BASIC, TOOL_CONFINE_STRICT };
enum tool_confine_net { TOOL_NET_ANY, TOOL_NET_UPSTREAM, TOOL_NET_NONE };

/* What this kernel offers (probed once per process). */
struct tool_confine_features {
	int landlock_abi;          /* 0: no Landlock */
	bool userns;               /* clone(CLONE_NEWUSER|CLONE_NEWPID) works */
	bool cgroup_pids;          /* a pids cgroup we may create children in */
	char cgroup_dir[512];      /* that cgroup's directory */
};

/* The settings and the probe, resolved once (tool_confine_init). */
struct tool_confine {
	enum tool_confine_level level;
	enum tool_confine_net net;
	unsigned short upstream_port;   /* tools.network upstream-only: the port allowed */
	long mem_mb, file_mb, nproc, nofile;
	char **read_paths;              /* owned, NULL-terminated: extra read-only trees */
	char **hide_paths;              /* owned, NULL-terminated, canonical: never reachable
	                                   (HERMES_HOME first, then tools.hide_paths) */
	struct tool_confine_features f;
	char bwrap[256];                /* tools.backend bubblewrap: the bwrap binary the
	                                   runs exec; "" = the native backend */
	char missing[256];              /* features the level goes without ("" = none) */
};

/* Resolve the settings of c (tools.confinement, tools.network, limits,
 * paths; tools.confinement_disable names features to treat as absent)
 * and probe the kernel. HERR_CONFIG on a bad value. Logs once: a warning
 * when the level is off, what basic goes without. */
enum herr tool_confine_init(struct tool_confine *tc, const struct cfg *c, struct herror *err)
	__attribute__((warn_unused_result));
void tool_confine_release(struct tool_confine *tc);

const char *tool_confine_level_name(enum tool_confine_level l);

/* The level and features as a JSON object (new) for /health/detailed. */
struct json_object *tool_confine_json(const struct tool_confine *tc);

/* One run's confinement, prepared in the parent. */
struct tool_confine_plan {
	const struct tool_confine *tc;   /* borrowed; NULL = none */
	int ruleset_fd;                  /* Landlock ruleset, or -1 */
	bool newns;                      /* clone into a new user + PID namespace */
	char uid_map[32], gid_map[32];
	size_t uid_len, gid_len;
	char cgroup[600];                /* this run's pids cgroup, or "" */
	long cpu_s;                      /* RLIMIT_CPU */
	char **argv;                     /* owned: bwrap's argv around the command, or
	                                    NULL: exec the command itself */
	int sync[2];                     /* parent → child: set up, go on */
};

/* Prepare a run of argv (cwd read-write, tmpdir read-write, extra_read:
 * NULL-terminated read-only trees, may be NULL). With the bubblewrap
 * backend p->argv is then the command wrapped in bwrap. With tc NULL or level off,
 * p is an empty plan. HERR_UNAVAILABLE (err says which feature) when the
 * level is strict and something cannot be had. Release with
 * tool_confine_plan_release whatever the result. */
enum herr tool_confine_prepare(struct tool_confine_plan *p, const struct tool_confine *tc,
			       const char *const *argv, const char *cwd, const char *tmpdir,
			       const char *const *extra_read, long timeout_s, struct herror *err)
	__attribute__((warn_unused_result));

/* Fork the child: clone into new namespaces when the plan says so, else
 * fork. Returns as fork() does. */
pid_t tool_confine_spawn(struct tool_confine_plan *p);

/* Parent, after the spawn: put the child in its cgroup, then let it go on. */
void tool_confine_started(struct tool_confine_plan *p, pid_t pid);

/* Child, after the spawn: apply the plan. NULL on success, else a static
 * message (the child must then _exit). Async-signal-safe. */
const char *tool_confine_child(struct tool_confine_plan *p);

/* Parent, at the end of the run: kill what is left in the run's cgroup,
 * remove it, close the ruleset. */
void tool_confine_plan_release(struct tool_confine_plan *p);

#endif
