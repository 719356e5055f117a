/* src/tools/skill_parse.c: a SKILL.md head → name, description, platforms
 * and required environment variables (tool_skill_parse: no file system;
 * ignored variable names are logged at debug level).
 * SPEC: runs-discovery-security §3.2
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/skills.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/yamlcfg.h"

/* Byte offset just past the first max characters of s (or strlen(s)). */
static size_t u8_prefix(const char *s, size_t max)
{
	size_t i = 0, len = strlen(s);

	for(size_t k = 0; k < max && i < len; k++) {
		size_t n = utf8_seq((const unsigned char *)s + i, len - i);
		i += n ? n : 1;
	}
	return i;
}


/* ---- front matter ----------------------------------------------------------- */

/* Length of the line at t (without its newline) and where the next starts. */
static size_t line_at(const char *t, size_t len, size_t *next)
{
	const char *nl = memchr(t, '\n', len);
	size_t n = nl ? (size_t)(nl - t) : len;

	*next = nl ? n + 1 : len;
	return n;
}

static bool is_fence(const char *line, size_t n)
{
	size_t tl;
	const char *t = str_trim(line, n, &tl);

	return t == line && tl == 3 && memcmp(t, "---", 3) == 0;
}

/* Split text into front matter and body. Returns 1 with *yaml and *ylen set when
 * there is front matter, 0 when there is none (*body = text), -1 when the
 * closing "---" line is missing. */
static int split_front(const char *t, size_t len, const char **yaml, size_t *ylen,
		       const char **body)
{
	size_t first, next, n = line_at(t, len, &first);

	*body = t;
	if(!is_fence(t, n))
		return 0;
	for(size_t off = first; off < len; off += next) {
		n = line_at(t + off, len - off, &next);
		if(is_fence(t + off, n)) {
			/* from the first fence's newline: YAML line N is file line N */
			*yaml = t + first - 1;
			*ylen = off - first + 1;
			*body = t + off + next;
			return 1;
		}
	}
	return -1;
}

/* A scalar front matter field as owned text in *out (NULL when absent).
 * Objects and arrays are an error. */
static enum herr field_text(struct json_object *fm, const char *key, const char *fname,
			    char **out, struct herror *err)
{
	struct json_object *v = NULL;

	*out = NULL;
	if(!fm || !json_object_object_get_ex(fm, key, &v) || !v)
		return HERR_OK;
	if(json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
		return herr_set(err, HERR_BAD_REQUEST, NULL, key, "%s: '%s' must be text", fname, key);
	*out = xstrdup(json_object_get_string(v));
	return HERR_OK;
}

static bool env_name_ok(const char *s)
{
	if(!s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for(s++; *s; s++)
		if(!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		     (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static void env_add(struct tool_skill *s, const char *name, const char *fname)
{
	size_t k = 0;

	if(!env_name_ok(name)) {
		LOG_DEBUG("skills: %s: ignoring environment variable name '%.64s'", fname,
			  name ? name : "");
		return;
	}
	for(; s->env[k]; k++)
		if(strcmp(s->env[k], name) == 0)
			return;
	if(k < TOOL_SKILL_ENV_MAX)
		s->env[k] = xstrdup(name);
}

/* Names from a list of strings or of {name|env_var: …} objects (a single
 * string counts as a list of one). */
static void env_from(struct tool_skill *s, struct json_object *v, const char *fname)
{
	size_t n;

	if(!v)
		return;
	if(json_object_is_type(v, json_type_string)) {
		env_add(s, json_object_get_string(v), fname);
		return;
	}
	if(!json_object_is_type(v, json_type_array))
		return;
	n = json_object_array_length(v);
	for(size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		const char *name = json_object_is_type(e, json_type_string) ? json_object_get_string(e)
				 : jsonx_get_str(e, "name") ? jsonx_get_str(e, "name")
				 : jsonx_get_str(e, "env_var");
		env_add(s, name, fname);
	}
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return o && json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void env_all(struct tool_skill *s, struct json_object *fm, const char *fname)
{
	struct json_object *secrets = member(member(fm, "setup"), "collect_secrets");

	env_from(s, member(fm, "required_environment_variables"), fname);
	env_from(s, member(member(fm, "prerequisites"), "env_vars"), fname);
	if(secrets && json_object_is_type(secrets, json_type_array))
		for(size_t i = 0; i < json_object_array_length(secrets); i++)
			env_add(s, jsonx_get_str(json_object_array_get_idx(secrets, i), "env_var"), fname);
}

/* Trim, turn line breaks and tabs into spaces, cut to max characters
 * (longer → max-3 + "..." when ellipsis). Takes ownership of s. */
static char *tidy(char *s, size_t max, bool ellipsis)
{
	size_t tl, cut;
	const char *t = str_trim(s, strlen(s), &tl);
	char *r;

	memmove(s, t, tl);
	s[tl] = '\0';
	for(char *p = s; *p; p++)
		if(*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if(s[u8_prefix(s, max)] == '\0')
		return s;
	cut = u8_prefix(s, ellipsis ? max - 3 : max);
	r = xmalloc(cut + 4);
	memcpy(r, s, cut);
	memcpy(r + cut, ellipsis ? "..." : "", ellipsis ? 4 : 1);
	free(s);
	return r;
}

/* The first body line that is not empty and not a # heading, or NULL. */
static char *body_description(const char *body, size_t len)
{
	size_t next;

	for(size_t off = 0; off < len; off += next) {
		size_t n = line_at(body + off, len - off, &next), tl;
		const char *t = str_trim(body + off, n, &tl);

		if(tl && t[0] != '#')
			return xstrndup(t, tl);
	}
	return NULL;
}

/* Does one platforms entry name this system? macos = darwin, windows = win32. */
static bool platform_is(const char *want, const char *sys)
{
	if(str_ieq(want, "macos"))
		want = "darwin";
	else if(str_ieq(want, "windows"))
		want = "win32";
	return str_ieq(want, sys);
}

/* Is the skill for this system? platforms: a list or a scalar; absent = all. */
static bool platform_ok(struct json_object *v)
{
	struct utsname u;
	char sys[sizeof(u.sysname)];
	size_t n;

	if(!v || uname(&u) != 0)
		return true;
	snprintf(sys, sizeof(sys), "%s", u.sysname);
	if(json_object_is_type(v, json_type_string))
		return platform_is(json_object_get_string(v), sys);
	if(!json_object_is_type(v, json_type_array) || !(n = json_object_array_length(v)))
		return true;
	for(size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		if(json_object_is_type(e, json_type_string) &&
		   platform_is(json_object_get_string(e), sys))
			return true;
	}
	return false;
}

enum herr tool_skill_parse(const char *text, size_t len, const char *dirname, const char *fname,
			   struct tool_skill *s, struct herror *err)
{
	struct json_object *fm = NULL, *lines = NULL;
	struct tool_skill r = { 0 };
	const char *yaml = NULL, *body;
	size_t ylen = 0;
	enum herr rc = HERR_OK;
	int front;

	len = utf8_trim_end(text, len);
	if(len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		text += 3, len -= 3;
	if(!utf8_valid(text, len))
		return herr_set(err, HERR_BAD_REQUEST, NULL, NULL, "%s: not UTF-8 text", fname);
	front = split_front(text, len, &yaml, &ylen, &body);
	if(front < 0)
		return herr_set(err, HERR_BAD_REQUEST, NULL, NULL, "%s: the front matter has no "
				"closing '---' line within the first %d characters", fname,
				TOOL_SKILL_HEAD_MAX);
	if(front > 0 && yamlcfg_parse(yaml, ylen, fname, &fm, &lines, err)) {
		char why[HERR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", err->msg);
		return herr_set(err, HERR_BAD_REQUEST, NULL, NULL, "%s (front matter YAML)", why);
	}
	json_object_put(lines);
	if(!platform_ok(member(fm, "platforms"))) {
		rc = herr_set(err, HERR_NOT_FOUND, NULL, NULL, "%s: for other platforms", fname);
		goto out;
	}
	if((rc = field_text(fm, "name", fname, &r.name, err)) ||
	   (rc = field_text(fm, "description", fname, &r.description, err)))
		goto out;
	if(r.name && (str_has_ctl(r.name, strlen(r.name)) || !*r.name)) {
		free(r.name);
		r.name = NULL;
	}
	r.name = tidy(r.name ? r.name : xstrdup(dirname), TOOL_SKILL_NAME_MAX, false);
	if(!r.description || !*r.description) {
		free(r.description);
		r.description = body_description(body, len - (size_t)(body - text));
	}
	r.description = tidy(r.description ? r.description : xstrdup(""), TOOL_SKILL_DESC_MAX, true);
	if(!*r.name) {
		rc = herr_set(err, HERR_BAD_REQUEST, NULL, NULL, "%s: the skill has no name", fname);
		goto out;
	}
	env_all(&r, fm, fname);
	*s = r;
	memset(&r, 0, sizeof(r));
out:
	tool_skill_release(&r);
	json_object_put(fm);
	return rc;
}

void tool_skill_release(struct tool_skill *s)
{
	free(s->name);
	free(s->description);
	free(s->category);
	free(s->dir);
	for(size_t i = 0; s->env[i]; i++)
		free(s->env[i]);
	memset(s, 0, sizeof(*s));
}
