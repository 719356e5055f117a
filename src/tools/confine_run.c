/* src/tools/confine_run.c: confining one tool run: the parent half
 * (tool_confine_prepare, _spawn, _started, _plan_release) and the child
 * half (tool_confine_child).
 *
 * DESIGN. The child is cloned into a new user and PID namespace: it is
 * PID 1 there, so when it exits or is killed the kernel kills everything
 * it started, setsid descendants included. It maps its own uid and gid
 * (so files it makes stay the user's), waits until the parent has put it
 * in its pids cgroup (when one can be made), sets the resource limits
 * (RLIMIT_NPROC counts per user namespace, so it bounds this run alone,
 * except for real root, which the kernel exempts: root needs the cgroup),
 * sets NO_NEW_PRIVS, drops every capability (bounding set included, so an
 * exec as root regains none), and restricts itself with the Landlock
 * ruleset the parent built. What the kernel lacks is skipped at basic and
 * refused at strict. SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tools/confine_int.h"
#include "tools/confine_landlock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define CGROUP_RMDIR_TRIES 50   /* x 20 ms: the killed processes take a moment to go */

pid_t tool_confine_clone_ns(void)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD),
			      NULL, NULL, NULL, NULL);
}

/* ---- one run: the parent half ------------------------------------------------------ */

static enum herr make_cgroup(struct tool_confine_plan *p, struct herror *err)
{
	static unsigned seq;
	char file[700], val[32];
	int fd, n;

	snprintf(p->cgroup, sizeof(p->cgroup), "%s/hermes-tool-%ld-%u", p->tc->f.cgroup_dir,
		 (long)getpid(), ++seq);
	if(mkdir(p->cgroup, 0700) != 0)
		goto fail;
	snprintf(file, sizeof(file), "%s/pids.max", p->cgroup);
	n = snprintf(val, sizeof(val), "%ld\n", p->tc->nproc);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if(fd < 0 || write(fd, val, (size_t)n) != n) {
		if(fd >= 0)
			close(fd);
		rmdir(p->cgroup);
		goto fail;
	}
	close(fd);
	return HERR_OK;
fail:
	p->cgroup[0] = '\0';
	if(p->tc->level != TOOL_CONFINE_STRICT)
		LOG_WARN("tools.confinement basic: the run's pids cgroup cannot be made under %s "
			 "(%s); this call runs without its process-count bound",
			 p->tc->f.cgroup_dir, strerror(errno));
	if(p->tc->level == TOOL_CONFINE_STRICT)
		return herr_set(err, HERR_UNAVAILABLE, "confinement_unavailable", NULL,
				"tools.confinement is strict and the run's pids cgroup cannot be made "
				"under %s: %s", p->tc->f.cgroup_dir, strerror(errno));
	return HERR_OK;
}

/* ---- the bubblewrap backend ---- */

struct argv_b {
	char **v;
	size_t n, cap;
};

static void arg(struct argv_b *a, const char *s)
{
	if(a->n + 2 > a->cap) {
		a->cap = a->cap * 2 + 32;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static void arg3(struct argv_b *a, const char *opt, const char *x, const char *y)
{
	arg(a, opt);
	arg(a, x);
	if(y)
		arg(a, y);
}

static bool under(const char *path, const char *tree)
{
	size_t n = strlen(tree);

	return strncmp(path, tree, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Bind the tree read-only (ro) or read-write at its canonical path. */
static void bind_tree(struct argv_b *a, const char *path, bool rw, char ***bound, size_t *nb)
{
	char real[4096];

	if(!path || !*path || !realpath(path, real))
		return;
	arg3(a, rw ? "--bind" : "--ro-bind", real, real);
	*bound = xrealloc(*bound, (*nb + 2) * sizeof(**bound));
	(*bound)[(*nb)++] = xstrdup(real);
	(*bound)[*nb] = NULL;
}

/* bwrap … -- argv: the system trees read-only, the workspace and the tmp
 * directory read-write, fresh /dev and /proc, hidden trees masked, the
 * network unshared for tools.network none. */
static char **bwrap_argv(const struct tool_confine *tc, const char *const *argv, const char *cwd,
			 const char *tmpdir, const char *const *extra_read)
{
	static const char *const roots[] = { "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
					     "/libx32", "/etc", "/opt", NULL };
	struct argv_b a = { NULL, 0, 0 };
	char **bound = NULL;
	size_t nb = 0;

	arg(&a, tc->bwrap);
	arg(&a, "--die-with-parent");
	arg(&a, "--unshare-pid");
	arg(&a, "--unshare-ipc");
	arg(&a, "--unshare-uts");
	arg(&a, "--unshare-cgroup-try");
	if(tc->net == TOOL_NET_NONE)
		arg(&a, "--unshare-net");
	for(size_t i = 0; roots[i]; i++) {
		char target[256];
		ssize_t n = readlink(roots[i], target, sizeof(target) - 1);

		if(n > 0) { /* merged /usr: /bin -> usr/bin */
			target[n] = '\0';
			arg3(&a, "--symlink", target, roots[i]);
		} else {
			bind_tree(&a, roots[i], false, &bound, &nb);
		}
	}
	for(size_t i = 0; tc->read_paths && tc->read_paths[i]; i++)
		bind_tree(&a, tc->read_paths[i], false, &bound, &nb);
	for(size_t i = 0; extra_read && extra_read[i]; i++)
		bind_tree(&a, extra_read[i], false, &bound, &nb);
	bind_tree(&a, cwd, true, &bound, &nb);
	bind_tree(&a, tmpdir, true, &bound, &nb);
	arg3(&a, "--dev", "/dev", NULL);
	arg3(&a, "--proc", "/proc", NULL);
	/* Hidden trees under a bound one: a dir gets an empty tmpfs, a file
	 * /dev/null. The workspace and tmp dir themselves stay. */
	for(size_t i = 0; tc->hide_paths && tc->hide_paths[i]; i++) {
		const char *h = tc->hide_paths[i];
		struct stat st;
		bool inside = false;

		for(size_t k = 0; k < nb; k++)
			inside = inside || (under(h, bound[k]) && strcmp(h, bound[k]) != 0);
		if(!inside || stat(h, &st) != 0)
			continue;
		if(S_ISDIR(st.st_mode))
			arg3(&a, "--tmpfs", h, NULL);
		else
			arg3(&a, "--ro-bind", "/dev/null", h);
	}
	arg3(&a, "--chdir", cwd, NULL);
	arg(&a, "--");
	for(size_t i = 0; argv[i]; i++)
		arg(&a, argv[i]);
	for(size_t k = 0; k < nb; k++)
		free(bound[k]);
	free(bound);
	return a.v;
}

static enum herr strict_refuse(const struct tool_confine *tc, struct herror *err)
{
	return herr_set(err, HERR_UNAVAILABLE, "confinement_unavailable", NULL,
			"tools.confinement is strict and this host lacks %s, so terminal and "
			"execute_code do not run; the operator can set tools.confinement: basic "
			"(docs/security.md)", tc->missing);
}

enum herr tool_confine_prepare(struct tool_confine_plan *p, const struct tool_confine *tc,
			       const char *const *argv, const char *cwd, const char *tmpdir,
			       const char *const *extra_read, long timeout_s, struct herror *err)
{
	const char *rw[3] = { cwd, tmpdir, NULL };
	enum herr rc;

	memset(p, 0, sizeof(*p));
	p->ruleset_fd = -1;
	p->sync[0] = p->sync[1] = -1;
	if(!tc || tc->level == TOOL_CONFINE_OFF)
		return HERR_OK;
	p->tc = tc;
	if(tc->level == TOOL_CONFINE_STRICT && tc->missing[0])
		return strict_refuse(tc, err);
	p->cpu_s = timeout_s + 5;
	if(tc->bwrap[0]) {
		p->argv = bwrap_argv(tc, argv, cwd, tmpdir, extra_read);
	} else if(tc->f.landlock_abi) {
		p->ruleset_fd = tool_landlock_ruleset(tc, rw, extra_read);
		if(p->ruleset_fd < 0 && tc->level == TOOL_CONFINE_STRICT)
			return herr_set(err, HERR_UNAVAILABLE, "confinement_unavailable", NULL,
					"tools.confinement is strict and the Landlock rules cannot be "
					"built: %s", strerror(errno));
	}
	p->newns = tc->f.userns && !tc->bwrap[0];
	p->uid_len = (size_t)snprintf(p->uid_map, sizeof(p->uid_map), "%lu %lu 1\n",
				      (unsigned long)geteuid(), (unsigned long)geteuid());
	p->gid_len = (size_t)snprintf(p->gid_map, sizeof(p->gid_map), "%lu %lu 1\n",
				      (unsigned long)getegid(), (unsigned long)getegid());
	if(tc->f.cgroup_pids && (rc = make_cgroup(p, err)))
		return rc;
	if(pipe2(p->sync, O_CLOEXEC) != 0)
		return herr_set(err, HERR_INTERNAL, NULL, NULL, "cannot set up the run: %s",
				strerror(errno));
	return HERR_OK;
}

pid_t tool_confine_spawn(struct tool_confine_plan *p)
{
	return p->newns ? tool_confine_clone_ns() : fork();
}

static bool write_file(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool done;

	if(fd < 0)
		return false;
	done = write(fd, s, len) == (ssize_t)len;
	close(fd);
	return done;
}

bool tool_confine_map_self(const char *uid_map, size_t uid_len, const char *gid_map,
			   size_t gid_len)
{
	bool done;

	/* A non-dumpable process's /proc files belong to root: only for these
	 * three writes is the process dumpable (exec sets it anyway). */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	done = write_file("/proc/self/setgroups", "deny", 4) &&
	       write_file("/proc/self/uid_map", uid_map, uid_len) &&
	       write_file("/proc/self/gid_map", gid_map, gid_len);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return done;
}

void tool_confine_started(struct tool_confine_plan *p, pid_t pid)
{
	if(!p->tc)
		return;
	if(pid > 0 && p->cgroup[0]) {
		char file[700], val[32];
		int n = snprintf(val, sizeof(val), "%ld\n", (long)pid);

		snprintf(file, sizeof(file), "%s/cgroup.procs", p->cgroup);
		write_file(file, val, (size_t)n);
	}
	if(p->sync[1] >= 0) {
		ssize_t w = write(p->sync[1], "g", 1);

		(void)w;
		close(p->sync[1]);
		p->sync[1] = -1;
	}
	if(p->sync[0] >= 0) {
		close(p->sync[0]);
		p->sync[0] = -1;
	}
}

/* Kill what is left in the run's cgroup (it holds only this run's processes). */
void tool_confine_cgroup_kill(const char *dir)
{
	char file[700], line[32];
	FILE *f;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	if(!(f = fopen(file, "re")))
		return;
	while(fgets(line, sizeof(line), f)) {
		long pid = strtol(line, NULL, 10);

		if(pid > 1)
			kill((pid_t)pid, SIGKILL);
	}
	fclose(f);
}

void tool_confine_plan_release(struct tool_confine_plan *p)
{
	if(p->cgroup[0]) {
		struct timespec ts = { 0, 20 * 1000000L };

		for(int i = 0; i < CGROUP_RMDIR_TRIES && rmdir(p->cgroup) != 0 && errno == EBUSY; i++) {
			tool_confine_cgroup_kill(p->cgroup);
			nanosleep(&ts, NULL);
		}
		p->cgroup[0] = '\0';
	}
	if(p->ruleset_fd >= 0)
		close(p->ruleset_fd);
	for(size_t i = 0; p->argv && p->argv[i]; i++)
		free(p->argv[i]);
	free(p->argv);
	p->argv = NULL;
	if(p->sync[0] >= 0)
		close(p->sync[0]);
	if(p->sync[1] >= 0)
		close(p->sync[1]);
	p->ruleset_fd = p->sync[0] = p->sync[1] = -1;
}

/* ---- one run: the child half (async-signal-safe only) ---------------------------- */

static void limit(int res, long soft)
{
	struct rlimit rl = { (rlim_t)soft, (rlim_t)soft };

	setrlimit(res, &rl);
}

static bool drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	for(int cap = 0; cap < 64; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return syscall(SYS_capset, &h, d) == 0;
}

const char *tool_confine_child(struct tool_confine_plan *p)
{
	const struct tool_confine *tc = p->tc;
	char go;

	if(!tc)
		return NULL;
	if(p->newns && !tool_confine_map_self(p->uid_map, p->uid_len, p->gid_map, p->gid_len))
		return "sandbox: cannot map the user into the run's user namespace (a policy "
		       "such as AppArmor's restricting unprivileged user namespaces?); set "
		       "tools.confinement_disable: userns\n";
	/* the supervisor killed (kill -9 of a responder): the run dies with it */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if(p->sync[1] >= 0)
		close(p->sync[1]);
	if(p->sync[0] >= 0 && read(p->sync[0], &go, 1) != 1)
		return "sandbox: the parent went away before the run was set up\n";
	limit(RLIMIT_CPU, p->cpu_s);
	limit(RLIMIT_DATA, tc->mem_mb * 1024L * 1024L);
	limit(RLIMIT_FSIZE, tc->file_mb * 1024L * 1024L);
	limit(RLIMIT_NOFILE, tc->nofile);
	if(p->newns)   /* counted per user namespace: this run alone */
		limit(RLIMIT_NPROC, tc->nproc);
	if(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return "sandbox: cannot set no_new_privs\n";
	if(tc->bwrap[0]) /* bwrap needs its capabilities (as root) and drops them itself */
		return NULL;
	if(!drop_caps() && tc->level == TOOL_CONFINE_STRICT)
		return "sandbox: cannot drop capabilities\n";
	if(p->ruleset_fd >= 0 && syscall(__NR_landlock_restrict_self, p->ruleset_fd, 0) != 0)
		return "sandbox: cannot apply the Landlock rules\n";
	return NULL;
}
