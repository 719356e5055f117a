/* src/tools/sandbox_env.c: the environment a tool's child process gets:
 * rebuilt from the parent's by the allowlist of spec §4.6, with the
 * passthrough names added and the server's own secrets never passed.
 * SPEC: runs-discovery-security §4.6
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/registry.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

extern char **environ;

#define DROPPED_LOG_MAX 800    /* log lines hold 1 KiB */

/* ---- environment ------------------------------------------------------------ */

/* SPEC: runs-discovery-security §4.6 rule 2 (matched upper-cased) */
static const char *const secret_parts[] = {
	"KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "PASSWD", "AUTH", "DSN",
	"WEBHOOK", "CREDS", "BEARER", "APIKEY", NULL,
};
/* rule 3 (case-sensitive prefixes) */
static const char *const keep_prefixes[] = {
	"PATH", "HOME", "USER", "LANG", "LC_", "TERM", "TMPDIR", "TMP", "TEMP", "SHELL",
	"LOGNAME", "XDG_", "PYTHONPATH", "VIRTUAL_ENV", "CONDA", NULL,
};
/* rule 4, plus TZ (issue 5 lists it among the basics) */
static const char *const keep_exact[] = {
	"HERMES_HOME", "HERMES_PROFILE", "HERMES_CONFIG", "HERMES_ENV", "TZ", NULL,
};
/* The server's own credentials: never passed, even when listed. */
static const char *const never_builtin[] = {
	"API_SERVER_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENROUTER_API_KEY",
	"ANTHROPIC_API_KEY", "HERMES_API_KEY", NULL,
};
static const char *const never_prefixes[] = { "AUXILIARY_", "GATEWAY_RELAY_", NULL };

void tool_env_init(struct tool_env *e)
{
	e->v = xcalloc(1, sizeof(*e->v));
	e->n = 0;
	e->cap = 1;
}

void tool_env_release(struct tool_env *e)
{
	for(size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	e->v = NULL;
	e->n = e->cap = 0;
}

/* Index of name in e, or e->n. */
static size_t env_find(const struct tool_env *e, const char *name, size_t len)
{
	for(size_t i = 0; i < e->n; i++)
		if(strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=')
			return i;
	return e->n;
}

void tool_env_set(struct tool_env *e, const char *name, const char *value)
{
	size_t len = strlen(name), i = env_find(e, name, len);
	size_t vlen = strlen(value);
	char *s = xmalloc(len + vlen + 2);

	memcpy(s, name, len);
	s[len] = '=';
	memcpy(s + len + 1, value, vlen + 1);
	if(i < e->n) {
		free(e->v[i]);
		e->v[i] = s;
		return;
	}
	if(e->n + 2 > e->cap) {
		e->cap = e->cap * 2 + 8;
		e->v = xrealloc(e->v, e->cap * sizeof(*e->v));
	}
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

const char *tool_env_get(const struct tool_env *e, const char *name)
{
	size_t len = strlen(name), i = env_find(e, name, len);

	return i < e->n ? e->v[i] + len + 1 : NULL;
}

/* Does hay contain needle (upper-case ASCII), comparing hay upper-cased? */
static bool contains_upper(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);

	for(; *hay; hay++) {
		size_t k = 0;

		while(k < nl && hay[k]) {
			char c = hay[k];

			if(c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if(c != needle[k])
				break;
			k++;
		}
		if(k == nl)
			return true;
	}
	return false;
}

static bool in_names(const char *name, const char *const *names)
{
	for(; names && *names; names++)
		if(strcmp(name, *names) == 0)
			return true;
	return false;
}

static bool has_prefix(const char *name, const char *const *prefixes)
{
	for(; *prefixes; prefixes++)
		if(str_starts(name, *prefixes))
			return true;
	return false;
}

/* Is name an item of the comma list (items trimmed of blanks, brackets
 * and quotes, so a YAML flow list "[A, B]" works too)? */
static bool in_list(const char *name, const char *list)
{
	size_t nl = strlen(name);

	while(list && *list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		while(len && strchr(" \t\r\n[]\"'", *list))
			list++, len--;
		while(len && strchr(" \t\r\n[]\"'", list[len - 1]))
			len--;
		if(len == nl && memcmp(list, name, nl) == 0)
			return true;
		list = end ? end + 1 : NULL;
	}
	return false;
}

bool tool_env_name_passes(const char *name, const struct tool_scrub_rules *r)
{
	if(in_names(name, never_builtin) || has_prefix(name, never_prefixes) ||
	   in_names(name, r->never_pass))
		return false;
	if(in_list(name, r->passthrough_cfg) || in_list(name, r->passthrough_turn))
		return true;
	for(size_t i = 0; secret_parts[i]; i++)
		if(contains_upper(name, secret_parts[i]))
			return false;
	return has_prefix(name, keep_prefixes) || in_names(name, keep_exact);
}

/* qsort order of "NAME=value" strings by NAME. */
static int cmp_names(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	for(; *x && *x != '=' && *x == *y; x++, y++)
		;
	return (unsigned char)(*x == '=' ? 0 : *x) - (unsigned char)(*y == '=' ? 0 : *y);
}

static void add_dropped(struct buf *dropped, const char *const *names, size_t n)
{
	for(size_t i = 0; i < n; i++) {
		size_t len = strcspn(names[i], "=");

		if(buf_len(dropped) + len + 2 > dropped->max)
			break;
		if((buf_len(dropped) && buf_add(dropped, ",", 1)) || buf_add(dropped, names[i], len))
			break;
	}
}

void tool_env_scrub(struct tool_env *e, const char *const *parent,
		    const struct tool_scrub_rules *r, struct buf *dropped)
{
	size_t n = 0, nd = 0;
	const char **drop;

	while(parent && parent[n])
		n++;
	drop = xcalloc(n + 1, sizeof(*drop));
	for(size_t i = 0; i < n; i++) {
		const char *eq = strchr(parent[i], '=');
		char *name;

		if(!eq || eq == parent[i])
			continue;
		name = xstrndup(parent[i], (size_t)(eq - parent[i]));
		if(tool_env_name_passes(name, r))
			tool_env_set(e, name, eq + 1);
		else
			drop[nd++] = parent[i];
		free(name);
	}
	qsort(drop, nd, sizeof(*drop), cmp_names);
	if(dropped)
		add_dropped(dropped, drop, nd);
	free(drop);
}

void tool_sandbox_env(struct tool_env *e, const struct tool_ctx *ctx, const char *home_default)
{
	struct tool_scrub_rules r = {
		ctx->cfg ? ctx->cfg->env_passthrough : NULL,
		ctx->passthrough && buf_len(ctx->passthrough) ? buf_str(ctx->passthrough) : NULL,
		ctx->cfg ? (const char *const *)ctx->cfg->never_pass : NULL,
	};
	const char *tz = getenv("HERMES_TIMEZONE");
	struct buf dropped;

	buf_init(&dropped, DROPPED_LOG_MAX);
	/* .env first, so the process environment wins where both have a name. */
	if(ctx->cfg && ctx->cfg->dotenv_env)
		tool_env_scrub(e, (const char *const *)ctx->cfg->dotenv_env, &r, NULL);
	tool_env_scrub(e, (const char *const *)environ, &r, &dropped);
	if(!tool_env_get(e, "PATH"))
		tool_env_set(e, "PATH", TOOL_SANDBOX_DEFAULT_PATH);
	if(!tool_env_get(e, "HOME") && home_default)
		tool_env_set(e, "HOME", home_default);
	if(tz && *tz)
		tool_env_set(e, "TZ", tz);
	if(buf_len(&dropped))
		LOG_DEBUG("sandbox: variables dropped from the child environment (list one in "
			  "terminal.env_passthrough to pass it): %s", buf_str(&dropped));
	buf_release(&dropped);
}

bool tool_sandbox_which(const struct tool_env *e, const char *name, char *out, size_t cap)
{
	const char *path = tool_env_get(e, "PATH");

	if(strchr(name, '/')) {
		if(access(name, X_OK) != 0)
			return false;
		return (size_t)snprintf(out, cap, "%s", name) < cap;
	}
	if(!path || !*path)
		path = TOOL_SANDBOX_DEFAULT_PATH;
	while(*path) {
		size_t len = strcspn(path, ":");
		int w = snprintf(out, cap, "%.*s/%s", (int)len, path, name);

		if(len && path[0] == '/' && w > 0 && (size_t)w < cap && access(out, X_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

