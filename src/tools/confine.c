/* src/tools/confine.c: the confinement level and settings, the kernel
 * probe and the report; confine_run.c confines one run (its DESIGN note
 * says how). SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/confine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/confine_int.h"
#include "tools/confine_landlock.h"
#include "util/buf.h"
#include "util/cfg.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

/* Hidden always: files only root can read, which a tool run as root
 * (HERMES_ALLOW_ROOT) could otherwise read as their owner. */
#define DEFAULT_HIDDEN "/etc/shadow,/etc/shadow-,/etc/gshadow,/etc/gshadow-,/etc/sudoers," \
	"/etc/sudoers.d,/etc/ssh/ssh_host_rsa_key,/etc/ssh/ssh_host_ecdsa_key," \
	"/etc/ssh/ssh_host_ed25519_key,/etc/ssh/ssh_host_dsa_key,/etc/ssl/private"

const char *tool_confine_level_name(enum tool_confine_level l)
{
	return l == TOOL_CONFINE_STRICT ? "strict" : l == TOOL_CONFINE_BASIC ? "basic" : "off";
}

/* ---- probing ------------------------------------------------------------------ */

/* Can a child be made in a new user + PID namespace? */
static bool probe_userns(void)
{
	char um[32], gm[32];
	int st = 0, ul, gl;
	pid_t pid, got;

	ul = snprintf(um, sizeof(um), "%lu %lu 1\n", (unsigned long)geteuid(), (unsigned long)geteuid());
	gl = snprintf(gm, sizeof(gm), "%lu %lu 1\n", (unsigned long)getegid(), (unsigned long)getegid());
	pid = tool_confine_clone_ns();
	if(pid < 0)
		return false;
	if(pid == 0) /* the whole setup a run needs, or it does not count */
		_exit(getpid() == 1 && tool_confine_map_self(um, (size_t)ul, gm, (size_t)gl) ? 0 : 1);
	do
		got = waitpid(pid, &st, 0);
	while(got < 0 && errno == EINTR);
	return got == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A cgroup v1 pids hierarchy whose directory for this process we may
 * write in (root, or a delegated tree). */
static bool probe_cgroup(char *dir, size_t cap)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024], probe[700];
	bool found = false;

	if(!f)
		return false;
	while(!found && fgets(line, sizeof(line), f)) {
		char *c = strstr(line, ":pids:");

		if(!c)
			continue;
		c[strcspn(c, "\n")] = '\0';
		if((size_t)snprintf(dir, cap, "/sys/fs/cgroup/pids%s", strcmp(c + 6, "/") ? c + 6 : "") < cap)
			found = true;
	}
	fclose(f);
	if(!found)
		return false;
	snprintf(probe, sizeof(probe), "%s/cgroup.procs", dir);
	return access(dir, W_OK) == 0 && access(probe, W_OK) == 0;
}

static void add_missing(struct tool_confine *tc, const char *what)
{
	size_t len = strlen(tc->missing);

	snprintf(tc->missing + len, sizeof(tc->missing) - len, "%s%s", len ? ", " : "", what);
}

/* What the level goes without on this kernel (tc->missing). */
static void find_missing(struct tool_confine *tc)
{
	tc->missing[0] = '\0';
	if(tc->bwrap[0]) { /* bubblewrap does the namespaces and the file system */
		if(tc->net == TOOL_NET_UPSTREAM)
			add_missing(tc, "a port filter (tools.network upstream-only with bubblewrap)");
		if(!tc->f.cgroup_pids && geteuid() == 0)
			add_missing(tc, "pids cgroup (process count bound)");
		return;
	}
	if(!tc->f.landlock_abi)
		add_missing(tc, "landlock (filesystem confinement)");
	else if(tc->net != TOOL_NET_ANY && tc->f.landlock_abi < 4)
		add_missing(tc, "landlock ABI 4 (tools.network)");
	if(!tc->f.userns)
		add_missing(tc, "user+PID namespace (process tree kill, per-run process count)");
	if(!tc->f.cgroup_pids && (geteuid() == 0 || !tc->f.userns))
		add_missing(tc, "pids cgroup (process count bound)");
}

/* ---- settings -------------------------------------------------------------------- */

/* Split a comma list into a NULL-terminated array; canonical paths when
 * canon (entries that do not exist are dropped). */
static char **split_list(const char *list, bool canon, const char *first)
{
	size_t n = 2;
	char **v, *copy = xstrdup(list ? list : ""), *save = NULL;
	size_t k = 0;

	for(const char *p = copy; *p; p++)
		n += *p == ',';
	v = xcalloc(n + 1, sizeof(*v));
	if(first)
		v[k++] = xstrdup(first);
	for(char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char real[4096];
		size_t len;
		const char *s = str_trim(t, strlen(t), &len);

		t[(s - t) + (ptrdiff_t)len] = '\0';
		if(!len)
			continue;
		if(canon && !realpath(s, real))
			continue;
		v[k++] = xstrdup(canon ? real : s);
	}
	free(copy);
	return v;
}

static void free_list(char **v)
{
	for(size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The port of base_url (http://host[:port]/...), 0 when unknown. */
static unsigned short url_port(const char *url)
{
	const char *host, *colon, *end;
	long port;

	if(!url || !(host = strstr(url, "://")))
		return 0;
	host += 3;
	end = host + strcspn(host, "/?#");
	if(*host == '[')
		host = memchr(host, ']', (size_t)(end - host)) ? memchr(host, ']', (size_t)(end - host)) : host;
	colon = memchr(host, ':', (size_t)(end - host));
	if(!colon)
		return str_starts(url, "https") ? 443 : 80;
	port = strtol(colon + 1, NULL, 10);
	return port > 0 && port < 65536 ? (unsigned short)port : 0;
}

static enum herr parse_level(struct tool_confine *tc, const struct cfg *c, struct herror *err)
{
	const char *l = c->tools_confinement ? c->tools_confinement : "basic";
	const char *n = c->tools_network ? c->tools_network : "any";

	if(strcmp(l, "strict") == 0)
		tc->level = TOOL_CONFINE_STRICT;
	else if(strcmp(l, "basic") == 0)
		tc->level = TOOL_CONFINE_BASIC;
	else if(strcmp(l, "off") == 0)
		tc->level = TOOL_CONFINE_OFF;
	else
		return herr_set(err, HERR_CONFIG, "config_error", NULL,
				"tools.confinement / HERMES_TOOLS_CONFINEMENT must be strict, basic or "
				"off, not '%s'", l);
	if(strcmp(n, "any") == 0)
		tc->net = TOOL_NET_ANY;
	else if(strcmp(n, "upstream-only") == 0)
		tc->net = TOOL_NET_UPSTREAM;
	else if(strcmp(n, "none") == 0)
		tc->net = TOOL_NET_NONE;
	else
		return herr_set(err, HERR_CONFIG, "config_error", NULL,
				"tools.network / HERMES_TOOLS_NETWORK must be none, upstream-only or "
				"any, not '%s'", n);
	return HERR_OK;
}

/* Remove the cgroups of runs whose process is gone (killed mid-call):
 * hermes-tool-PID-N with PID not alive. Only empty ones can go. */
static void sweep_cgroups(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if(!d)
		return;
	while((e = readdir(d))) {
		char path[1024], *end;
		long pid;

		if(strncmp(e->d_name, "hermes-tool-", 12) != 0)
			continue;
		pid = strtol(e->d_name + 12, &end, 10);
		if(pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path)) {
			tool_confine_cgroup_kill(path);
			rmdir(path);
		}
	}
	closedir(d);
}

/* name in /usr/bin, /bin, /usr/local/bin: the system's copy, not one the
 * PATH of a request could point elsewhere. */
static bool find_program(const char *name, char *out, size_t cap)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/local/bin", NULL };

	for(size_t i = 0; dirs[i]; i++)
		if((size_t)snprintf(out, cap, "%s/%s", dirs[i], name) < cap && access(out, X_OK) == 0)
			return true;
	out[0] = '\0';
	return false;
}

/* The probe results for this process: the kernel does not change under it. */
static void probe(struct tool_confine_features *f)
{
	static bool done;
	static struct tool_confine_features cached;

	if(!done) {
		cached.landlock_abi = tool_landlock_abi();
		cached.userns = probe_userns();
		cached.cgroup_pids = probe_cgroup(cached.cgroup_dir, sizeof(cached.cgroup_dir));
		if(cached.cgroup_pids)
			sweep_cgroups(cached.cgroup_dir);
		done = true;
	}
	*f = cached;
}

enum herr tool_confine_init(struct tool_confine *tc, const struct cfg *c, struct herror *err)
{
	char home[4096];
	const char *off = c->tools_confinement_disable;
	enum herr rc;

	memset(tc, 0, sizeof(*tc));
	if((rc = parse_level(tc, c, err)))
		return rc;
	tc->upstream_port = url_port(c->base_url);
	tc->mem_mb = c->tools_max_memory_mb;
	tc->file_mb = c->tools_max_file_mb;
	tc->nproc = c->tools_max_processes;
	tc->nofile = c->tools_max_open_files;
	tc->read_paths = split_list(c->tools_read_paths, false, NULL);
	{
		struct buf hide;

		buf_init(&hide, 65536);
		if(buf_adds(&hide, DEFAULT_HIDDEN) ||
		   (c->tools_hide_paths && buf_addf(&hide, ",%s", c->tools_hide_paths)))
			return herr_set(err, HERR_CONFIG, "config_error", NULL,
					"tools.hide_paths / HERMES_TOOLS_HIDE_PATHS is too long");
		tc->hide_paths = split_list(buf_str(&hide), true,
					    realpath(c->home, home) ? home : NULL);
		buf_release(&hide);
	}
	if(tc->level == TOOL_CONFINE_OFF) {
		LOG_WARN("tools.confinement is off: terminal and execute_code run with the full "
			 "reach of this user (HERMES_HOME/.env, state.db, every file it can write); "
			 "set tools.confinement: basic or strict (docs/security.md)");
		return HERR_OK;
	}
	probe(&tc->f);
	if(c->tools_backend && strcmp(c->tools_backend, "bubblewrap") == 0) {
		if(!find_program("bwrap", tc->bwrap, sizeof(tc->bwrap)))
			return herr_set(err, HERR_CONFIG, "config_error", NULL,
					"tools.backend is bubblewrap but no bwrap program is installed "
					"(Debian package bubblewrap)");
	} else if(c->tools_backend && strcmp(c->tools_backend, "native") != 0) {
		return herr_set(err, HERR_CONFIG, "config_error", NULL,
				"tools.backend / HERMES_TOOLS_BACKEND must be native or bubblewrap, "
				"not '%s'", c->tools_backend);
	}
	if(str_list_has(off, ", ", "landlock"))
		tc->f.landlock_abi = 0;
	if(str_list_has(off, ", ", "userns"))
		tc->f.userns = false;
	if(str_list_has(off, ", ", "cgroup"))
		tc->f.cgroup_pids = false;
	find_missing(tc);
	if(tc->missing[0])
		LOG_INFO("tools.confinement %s: this host lacks %s%s", tool_confine_level_name(tc->level),
			 tc->missing, tc->level == TOOL_CONFINE_STRICT
				? "; terminal and execute_code refuse to run"
				: "; the tools run without it (docs/security.md)");
	return HERR_OK;
}

void tool_confine_release(struct tool_confine *tc)
{
	free_list(tc->read_paths);
	free_list(tc->hide_paths);
	memset(tc, 0, sizeof(*tc));
}

struct json_object *tool_confine_json(const struct tool_confine *tc)
{
	struct json_object *o = json_object_new_object(), *k = json_object_new_object();
	static const char *const nets[] = { "any", "upstream-only", "none" };

	jsonx_add_str(o, "level", tool_confine_level_name(tc->level));
	jsonx_add_str(o, "network", nets[tc->net]);
	jsonx_add_str(o, "backend", tc->bwrap[0] ? "bubblewrap" : "native");
	jsonx_add_int(k, "landlock_abi", tc->f.landlock_abi);
	jsonx_add_bool(k, "user_pid_namespace", tc->f.userns);
	jsonx_add_bool(k, "pids_cgroup", tc->f.cgroup_pids);
	jsonx_add_owned(o, "kernel", k);
	if(tc->missing[0] && tc->level != TOOL_CONFINE_OFF)
		jsonx_add_str(o, "missing", tc->missing);
	else
		jsonx_add_owned(o, "missing", NULL);
	return o;
}

