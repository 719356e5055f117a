/* src/tools/settings.c: the tools' settings from the configuration.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/settings.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/confine.h"
#include "util/buf.h"
#include "util/cfg.h"
#include "util/privs.h"
#include "util/str.h"
#include "util/xalloc.h"

static char *join(const char *dir, const char *name)
{
	struct buf b;

	buf_init(&b, 8192);
	if(buf_addf(&b, "%s/%s", dir, name)) {
		buf_release(&b);
		return xstrdup(dir);
	}
	return buf_take(&b);
}

static bool toolset_known(const char *name)
{
	size_t n;
	const struct tool_def *const *t = tool_all(&n);

	for(size_t i = 0; i < n; i++)
		if(strcmp(t[i]->toolset, name) == 0)
			return true;
	return false;
}

/* Split the comma list into tc->toolsets. */
static enum herr parse_toolsets(struct tool_config *tc, const char *list, struct herror *err)
{
	size_t k = 0;
	char *p;

	tc->toolsets_text = xstrdup(list);
	p = tc->toolsets_text;
	while(p && *p) {
		char *comma = strchr(p, ',');
		size_t tl;
		const char *t;

		if(comma)
			*comma = '\0';
		t = str_trim(p, strlen(p), &tl);
		((char *)t)[tl] = '\0';
		if(tl) {
			if(!toolset_known(t))
				return herr_set(err, HERR_CONFIG, "config_error", NULL,
						"platform_toolsets.api_server / API_SERVER_TOOLSETS names an "
						"unknown toolset '%s'", t);
			if(k < TOOL_TOOLSETS_MAX)
				tc->toolsets[k++] = t;
		}
		p = comma ? comma + 1 : NULL;
	}
	tc->toolsets[k] = NULL;
	return HERR_OK;
}

/* .env as "NAME=value" strings for the sandbox's environment. */
static char **dotenv_strings(const struct cfg *c)
{
	size_t n = c->dotenv ? (size_t)json_object_object_length(c->dotenv) : 0, k = 0;
	char **v = xcalloc(n + 1, sizeof(*v));

	if(!n)
		return v;
	json_object_object_foreach(c->dotenv, name, val) {
		struct buf b;

		buf_init(&b, 1u << 20);
		if(json_object_is_type(val, json_type_string) &&
		   !buf_addf(&b, "%s=%s", name, json_object_get_string(val)))
			v[k++] = buf_take(&b);
		else
			buf_release(&b);
	}
	return v;
}

const char *tool_config_getenv(const struct tool_config *tc, const char *name)
{
	const char *v = getenv(name);
	size_t len = strlen(name);

	if(v || !tc || !tc->dotenv_env)
		return v;
	for(char **e = tc->dotenv_env; *e; e++)
		if(strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

/* As a shared web user (www-data, ...) the exec toolsets are dropped from
 * tc->toolsets unless security.allow_shared_user_exec: a shell as that
 * user reaches every other web application's files on the host. When the
 * configured toolsets hold neither, nothing is said (a CGI deployment that
 * lists its toolsets is not warned on every request). */
static void exec_policy(struct tool_config *tc, const struct cfg *c)
{
	char user[64];
	struct buf b;
	size_t k = 0;

	if(c->allow_shared_user_exec || !privs_shared_web_user(user, sizeof(user)))
		return;
	for(size_t i = 0; tc->toolsets[i]; i++)
		if(strcmp(tc->toolsets[i], "terminal") && strcmp(tc->toolsets[i], "code_execution"))
			tc->toolsets[k++] = tc->toolsets[i];
	if(!tc->toolsets[k])
		return;   /* neither was enabled: nothing to turn off, nothing to say */
	tc->toolsets[k] = NULL;
	buf_init(&b, 1024);
	if(buf_addf(&b, "running as the shared web user %s: terminal and execute_code are off, "
		    "since their commands could read every other web application's files on "
		    "this host. Run hermes-fcgi as a dedicated hermes user (docs/security.md), "
		    "or set HERMES_ALLOW_SHARED_USER_EXEC=1 (security.allow_shared_user_exec: "
		    "true) to allow them.", user))
		return;
	tc->exec_disabled = buf_take(&b);
}

enum herr tool_config_init(struct tool_config *tc, const struct cfg *c, struct herror *err)
{
	static const char *const defaults[] = { "terminal", "file", "code_execution", "memory",
						"skills", "todo", NULL };
	size_t k = 0;

	memset(tc, 0, sizeof(*tc));
	tc->home = xstrdup(c->home);
	tc->workspace = c->workspace && *c->workspace ? xstrdup(c->workspace)
						       : join(c->home, "workspace");
	tc->skills_dir = join(c->home, "skills");
	tc->env_passthrough = c->env_passthrough ? xstrdup(c->env_passthrough) : NULL;
	tc->approvals_mode = xstrdup(c->approvals_mode ? c->approvals_mode : "deny");
	tc->terminal_timeout_s = c->terminal_timeout > 0 ? c->terminal_timeout : 180;
	tc->code_timeout_s = c->code_timeout > 0 ? c->code_timeout : 300;
	tc->web_allow_private = c->web_allow_private;
	tc->dotenv_env = dotenv_strings(c);
	tc->never_pass[k++] = xstrdup("API_SERVER_KEY");
	tc->never_pass[k++] = xstrdup("OPENAI_API_KEY");
	tc->never_pass[k++] = xstrdup("OPENAI_BASE_URL");
	tc->never_pass[k] = NULL;
	if(strcmp(tc->approvals_mode, "deny") && strcmp(tc->approvals_mode, "off") &&
	   strcmp(tc->approvals_mode, "ask"))
		return herr_set(err, HERR_CONFIG, "config_error", NULL,
				"approvals.mode / HERMES_APPROVALS_MODE must be deny, off or ask, "
				"not '%s'", tc->approvals_mode);
	if(c->toolsets) {
		if(parse_toolsets(tc, c->toolsets, err))
			return err->rc;
		exec_policy(tc, c);
		goto workspace;
	}
	k = 0;
	for(size_t i = 0; defaults[i]; i++)
		if(toolset_known(defaults[i]))
			tc->toolsets[k++] = defaults[i];
	tc->toolsets[k] = NULL;
	exec_policy(tc, c);
workspace:
	tc->confine = xcalloc(1, sizeof(*tc->confine));
	if(tool_confine_init(tc->confine, c, err))
		return err->rc;
	if(mkdir(tc->workspace, 0700) != 0 && errno != EEXIST)
		return herr_set(err, HERR_CONFIG, "config_error", NULL,
				"cannot create the workspace %s: %s (set terminal.cwd or "
				"HERMES_WORKSPACE to a writable directory)", tc->workspace,
				strerror(errno));
	return HERR_OK;
}

void tool_config_release(struct tool_config *tc)
{
	free(tc->home);
	free(tc->workspace);
	free(tc->skills_dir);
	free(tc->env_passthrough);
	free(tc->approvals_mode);
	for(size_t i = 0; tc->never_pass[i]; i++)
		free(tc->never_pass[i]);
	free(tc->toolsets_text);
	for(size_t i = 0; tc->dotenv_env && tc->dotenv_env[i]; i++)
		free(tc->dotenv_env[i]);
	free(tc->dotenv_env);
	free(tc->exec_disabled);
	if(tc->confine)
		tool_confine_release(tc->confine);
	free(tc->confine);
	memset(tc, 0, sizeof(*tc));
}
