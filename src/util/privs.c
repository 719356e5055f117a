/* src/util/privs.c: who the process runs as, and what it may do as that user.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cfg_models.h"

#define ALLOW_ROOT_HINT \
	" To allow root anyway set HERMES_ALLOW_ROOT=1 (or security.allow_root: true in " \
	"config.yaml)."

enum herr privs_refuse_root(enum privs_program program, bool allowed, struct herror *err)
{
	if(geteuid() != 0 || allowed)
		return HERR_OK;
	switch(program) {
	case PRIVS_CTL_CHAT:
		return herr_set(err, HERR_UNAVAILABLE, "running_as_root", NULL,
				"hermesctl chat runs as root (uid 0) and refuses: the agent's tools "
				"would run commands as root and leave root-owned files in HERMES_HOME. "
				"Run it as the owner of HERMES_HOME: runuser -u hermes -- hermesctl chat "
				"MESSAGE (as root, hermesctl switches to the owner of a HERMES_HOME that "
				"is not root's by itself)." ALLOW_ROOT_HINT);
	case PRIVS_RUNNER:
		return herr_set(err, HERR_UNAVAILABLE, "running_as_root", NULL,
				"hermes-runner runs as root (uid 0) and refuses: the agent's tools "
				"would run commands as root. Run it as the hermes user (systemd "
				"User=hermes, or runuser -u hermes -- hermes-runner)." ALLOW_ROOT_HINT);
	case PRIVS_RESPONDER:
		break;
	}
	return herr_set(err, HERR_UNAVAILABLE, "running_as_root", NULL,
			"hermes-fcgi runs as root (uid 0) and refuses to serve: the agent's tools "
			"would run commands as root. Run it as the hermes user: lighttpd "
			"server.username = \"hermes\" and server.groupname = \"hermes\"; Apache "
			"mod_fcgid with FcgidWrapper under suexec, or mod_proxy_fcgi to spawn-fcgi "
			"-u hermes -g hermes; systemd User=hermes." ALLOW_ROOT_HINT);
}

bool privs_shared_web_user(char *out, size_t cap)
{
	static const char *const shared[] = { "www-data", "apache", "nobody", "http", "wwwrun",
					       "www" };
	struct passwd *pw = getpwuid(geteuid());

	if(!pw || !pw->pw_name)
		return false;
	for(size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		if(strcmp(pw->pw_name, shared[i]) == 0) {
			snprintf(out, cap, "%s", pw->pw_name);
			return true;
		}
	}
	return false;
}

uid_t privs_path_owner(const char *path)
{
	char dir[4096];
	struct stat st;
	size_t n = strlen(path);

	if(n >= sizeof(dir))
		return (uid_t)-1;
	memcpy(dir, path, n + 1);
	for(;;) {
		char *slash;

		if(stat(dir, &st) == 0)
			return st.st_uid;
		if(errno != ENOENT && errno != ENOTDIR)
			return (uid_t)-1;
		/* drop trailing slashes, then the last component */
		while(n > 1 && dir[n - 1] == '/')
			dir[--n] = '\0';
		slash = strrchr(dir, '/');
		if(!slash)
			return (uid_t)-1;
		if(slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		n = strlen(dir);
	}
}

enum herr privs_become_home_owner(const char *home, const char **switched_to,
				  struct herror *err)
{
	static char name[256];
	struct passwd *pw;
	uid_t owner;

	if(switched_to)
		*switched_to = NULL;
	if(geteuid() != 0)
		return HERR_OK;
	owner = privs_path_owner(home);
	if(owner == (uid_t)-1 || owner == 0)
		return HERR_OK;
	pw = getpwuid(owner);
	if(!pw)
		return herr_set(err, HERR_INTERNAL, "no_such_user", NULL,
				"HERMES_HOME %s belongs to uid %lu, which has no passwd entry; "
				"run hermesctl as that uid (setpriv --reuid %lu ...) or chown it to "
				"the hermes user", home, (unsigned long)owner, (unsigned long)owner);
	snprintf(name, sizeof(name), "%s", pw->pw_name);
	/* The same HERMES_HOME after the switch: its default depends on the user. */
	if(setenv("HERMES_HOME", home, 1) != 0 || setenv("HOME", pw->pw_dir, 1) != 0 ||
	   setenv("USER", name, 1) != 0 || setenv("LOGNAME", name, 1) != 0)
		return herr_set(err, HERR_INTERNAL, "setenv_failed", NULL,
				"cannot set the environment for user %s: %s", name, strerror(errno));
	if(initgroups(name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	   setuid(pw->pw_uid) != 0)
		return herr_set(err, HERR_INTERNAL, "setuid_failed", NULL,
				"cannot switch to %s, the owner of HERMES_HOME %s: %s; run "
				"runuser -u %s -- hermesctl ...", name, home, strerror(errno), name);
	if(setuid(0) == 0)
		return herr_set(err, HERR_INTERNAL, "setuid_failed", NULL,
				"switched to %s but root could be regained; refusing to go on", name);
	if(switched_to)
		*switched_to = name;
	return HERR_OK;
}

const char *const privs_secret_names[] = {
	"API_SERVER_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY", "ANTHROPIC_API_KEY",
	"HERMES_API_KEY", NULL,
};

extern char **environ;

void privs_harden(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void scrub(const char *name)
{
	size_t n = strlen(name);

	for(char **e = environ; e && *e; e++) {
		if(strncmp(*e, name, n) == 0 && (*e)[n] == '=') {
			volatile char *v = *e + n + 1;

			while(*v)
				*v++ = 'x';
		}
	}
	unsetenv(name);
}

void privs_scrub_secrets(const struct cfg_models *models)
{
	for(size_t i = 0; privs_secret_names[i]; i++)
		scrub(privs_secret_names[i]);
	for(size_t i = 0; models && i < models->n; i++)
		if(models->v[i].api_key_env)
			scrub(models->v[i].api_key_env);
}
