/* src/util/privs.h: who the process runs as, and what it may do as that user.
 *
 * The agent's terminal and execute_code tools run commands as the process
 * user. Three rules keep that user the intended one:
 *   - never root by accident: privs_refuse_root() (hermes-fcgi, hermesctl
 *     chat, the runner) unless HERMES_ALLOW_ROOT / security.allow_root;
 *   - never a shell for the account every web application shares:
 *     privs_shared_web_user() names it, the tools settings turn the exec
 *     tools off unless HERMES_ALLOW_SHARED_USER_EXEC says otherwise;
 *   - hermesctl as root acts as the owner of HERMES_HOME:
 *     privs_become_home_owner().
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_PRIVS_H
#define HERMES_UTIL_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

struct cfg_models;

/* Who is refused, so the message names the fix that applies. */
enum privs_program {
	PRIVS_RESPONDER,   /* hermes-fcgi under a web server or spawn-fcgi */
	PRIVS_CTL_CHAT,    /* hermesctl chat */
	PRIVS_RUNNER       /* hermes-runner */
};

/* HERR_OK when the effective uid is not 0, or allowed is true. Otherwise
 * HERR_UNAVAILABLE (503, code "running_as_root") with a message saying how
 * to run as the hermes user for program, and the setting that allows root. */
enum herr privs_refuse_root(enum privs_program program, bool allowed, struct herror *err);

/* When the effective user is a known shared web account (www-data, apache,
 * nobody, http, wwwrun, www), copy its name into out (cap bytes) and return
 * true; false otherwise (out untouched). */
bool privs_shared_web_user(char *out, size_t cap);

/* The uid owning path, or the nearest existing directory above it when
 * path does not exist yet. -1 (as uid_t) when nothing could be stat()ed. */
uid_t privs_path_owner(const char *path);

/* hermesctl run as root: when HERMES_HOME (home, or the nearest existing
 * directory above it) belongs to another user, become that user for good
 * (initgroups, setgid, setuid; HOME, USER, LOGNAME set from its passwd
 * entry) so nothing is created as root. A no-op when not root or when root
 * owns the home. *switched_to (may be NULL) gets the user name (static
 * storage) or NULL. HERR_INTERNAL when a step fails; the process must
 * then not continue. */
enum herr privs_become_home_owner(const char *home, const char **switched_to,
				  struct herror *err);

/* Make this process non-dumpable (PR_SET_DUMPABLE 0): a child running as
 * the same user (a tool's command) can then neither ptrace it nor read its
 * /proc/PID/mem, environ or maps. Core dumps are off with it. */
void privs_harden(void);

/* The server's own secrets (API_SERVER_KEY, OPENAI_API_KEY and the other
 * provider keys, and the api_key_env variable of each of models, which
 * may be NULL) out of the process environment once the configuration
 * holds them: each value is overwritten in place (the initial environment
 * block is what /proc/PID/environ shows), then the name is unset. */
void privs_scrub_secrets(const struct cfg_models *models);

/* The names privs_scrub_secrets clears; NULL-terminated, static. */
extern const char *const privs_secret_names[];

#endif
