/* src/tools/skills.c: skill discovery and SKILL.md front matter.
 *
 * Two halves: tool_skill_parse() is pure (bytes of a SKILL.md head → name,
 * description, required variables); tool_skills_load() walks the skills
 * directory, reads each SKILL.md head and keeps the good ones. The walk is
 * bounded (depth, entries, SKILL.md count) and follows symlinks with a loop
 * check on the (dev, inode) of the folders above.
 * SPEC: runs-discovery-security §3.2
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/skills.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/yamlcfg.h"

#define WALK_DEPTH_MAX 8
#define WALK_ENTRIES_MAX 20000

/* ---- UTF-8 helpers -------------------------------------------------------- */

static bool u8_valid(const char *s, size_t len)
{
	for(size_t i = 0, n; i < len; i += n)
		if(!(n = utf8_seq((const unsigned char *)s + i, len - i)))
			return false;
	return true;
}

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
	if(!u8_valid(text, len))
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

/* ---- the walk --------------------------------------------------------------- */

struct walk {
	char path[PATH_MAX];    /* the folder being read */
	size_t root_len;
	char **found;           /* owned: SKILL.md paths relative to the root */
	size_t n, cap, entries;
	dev_t dev[WALK_DEPTH_MAX + 1];
	ino_t ino[WALK_DEPTH_MAX + 1];
};

static bool junk_dir(const char *name, bool in_skill)
{
	static const char *const junk[] = {
		".git", ".github", ".hub", ".archive", ".venv", "venv", "node_modules",
		"site-packages", "__pycache__", ".tox", ".nox", ".pytest_cache", ".mypy_cache",
		".ruff_cache", NULL,
	};
	static const char *const skill_parts[] = { "references", "templates", "assets", "scripts",
						   NULL };

	for(size_t i = 0; junk[i]; i++)
		if(strcmp(name, junk[i]) == 0)
			return true;
	for(size_t i = 0; in_skill && skill_parts[i]; i++)
		if(strcmp(name, skill_parts[i]) == 0)
			return true;
	return false;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the folder w->path (sorted; caller frees each and the
 * array), or NULL when it cannot be read (errno set). */
static char **list_dir(const char *path, size_t *n, size_t *budget)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if(!d)
		return NULL;
	while((e = readdir(d)) != NULL && *budget > 0) {
		if(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		(*budget)--;
		if(*n == cap)
			v = xrealloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if(!v)
		v = xcalloc(1, sizeof(*v));
	qsort(v, *n, sizeof(*v), cmp_name);
	return v;
}

static void walk_dir(struct walk *w, int depth);

/* Visit name inside w->path: record a SKILL.md, descend into a folder. */
static void walk_entry(struct walk *w, int depth, const char *name, bool in_skill)
{
	size_t base = strlen(w->path);
	struct stat st;
	int n = snprintf(w->path + base, sizeof(w->path) - base, "/%s", name);

	if(n < 0 || (size_t)n >= sizeof(w->path) - base || stat(w->path, &st) != 0)
		goto out;
	if(strcmp(name, "SKILL.md") == 0 && S_ISREG(st.st_mode)) {
		if(w->n < TOOL_SKILLS_MAX) {
			if(w->n == w->cap)
				w->found = xrealloc(w->found, (w->cap = w->cap ? w->cap * 2 : 16) *
							      sizeof(*w->found));
			w->found[w->n++] = xstrdup(w->path + w->root_len + 1);
		}
	} else if(S_ISDIR(st.st_mode) && depth < WALK_DEPTH_MAX && !junk_dir(name, in_skill)) {
		for(int i = 0; i <= depth; i++)
			if(w->dev[i] == st.st_dev && w->ino[i] == st.st_ino)
				goto out; /* a symlink loop */
		w->dev[depth + 1] = st.st_dev;
		w->ino[depth + 1] = st.st_ino;
		walk_dir(w, depth + 1);
	}
out:
	w->path[base] = '\0';
}

static void walk_dir(struct walk *w, int depth)
{
	size_t n;
	char **names = list_dir(w->path, &n, &w->entries);
	bool in_skill = false;

	if(!names) {
		LOG_DEBUG("skills: cannot read %s: %s", w->path, strerror(errno));
		return;
	}
	for(size_t i = 0; i < n; i++)
		in_skill |= strcmp(names[i], "SKILL.md") == 0;
	for(size_t i = 0; i < n; i++) {
		walk_entry(w, depth, names[i], in_skill);
		free(names[i]);
	}
	free(names);
}

/* Path order: by components, so "a/b" sorts before "a-b". */
static int cmp_path(const void *a, const void *b)
{
	const unsigned char *p = *(const unsigned char *const *)a;
	const unsigned char *q = *(const unsigned char *const *)b;
	int x, y;

	while(*p && *p == *q)
		p++, q++;
	x = *p == '/' ? 1 : *p ? *p + 1 : 0;
	y = *q == '/' ? 1 : *q ? *q + 1 : 0;
	return x - y;
}

/* Read the head of the SKILL.md at path into buf (cap bytes); returns the
 * byte count, or -1 with errno set. */
static ssize_t read_head(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	size_t got = 0;

	if(fd < 0)
		return -1;
	if(fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	while(got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);
		if(r < 0 && errno == EINTR)
			continue;
		if(r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if(r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return (ssize_t)got;
}

/* Folder name n components up from the end of rel ("a/b/SKILL.md", 1 → "b"). */
static char *component(const char *rel, size_t index)
{
	const char *p = rel;

	for(size_t i = 0; i < index; i++) {
		p = strchr(p, '/');
		if(!p)
			return NULL;
		p++;
	}
	return xstrndup(p, strcspn(p, "/"));
}

static size_t components(const char *rel)
{
	size_t n = 1;

	for(; *rel; rel++)
		n += *rel == '/';
	return n;
}

/* Parse the SKILL.md at root/rel into s. Broken → LOG_WARN, false. */
static bool load_one(const char *root, const char *rel, struct tool_skill *s)
{
	char head[TOOL_SKILL_HEAD_MAX], path[PATH_MAX], *dirname;
	size_t parts = components(rel);
	struct herror err;
	ssize_t n;
	enum herr rc;

	herr_clear(&err);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if((n = read_head(path, head, sizeof(head))) < 0) {
		LOG_WARN("skills: skipping %s: cannot read it: %s", path, strerror(errno));
		return false;
	}
	dirname = parts >= 2 ? component(rel, parts - 2) : NULL;
	if(!dirname) {
		const char *slash = strrchr(root, '/');
		dirname = xstrdup(slash && slash[1] ? slash + 1 : root);
	}
	rc = tool_skill_parse(head, (size_t)n, dirname, path, s, &err);
	free(dirname);
	if(rc == HERR_NOT_FOUND) {
		LOG_DEBUG("skills: %s", err.msg);
		return false;
	}
	if(rc) {
		LOG_WARN("skills: skipping broken %s", err.msg);
		return false;
	}
	s->category = parts >= 3 ? component(rel, 0) : NULL;
	s->dir = xstrndup(path, strlen(path) - strlen("/SKILL.md"));
	return true;
}

const struct tool_skill *tool_skills_find(const struct tool_skill_list *l, const char *name)
{
	for(size_t i = 0; name && i < l->n; i++)
		if(strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

static int cmp_skill(const void *a, const void *b)
{
	const struct tool_skill *x = a, *y = b;
	int c = strcmp(x->category ? x->category : "", y->category ? y->category : "");

	return c ? c : strcmp(x->name, y->name);
}

/* Start the walk at root; false (errno set) when root cannot be read. */
static bool walk_root(struct walk *w, const char *root)
{
	struct stat st;
	int n = snprintf(w->path, sizeof(w->path), "%s", root);

	if(n < 0 || (size_t)n >= sizeof(w->path)) {
		errno = ENAMETOOLONG;
		return false;
	}
	while(n > 1 && w->path[n - 1] == '/')
		w->path[--n] = '\0';
	w->root_len = (size_t)n;
	if(stat(w->path, &st) != 0)
		return false;
	if(!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	if(access(w->path, R_OK | X_OK) != 0)
		return false;
	w->dev[0] = st.st_dev;
	w->ino[0] = st.st_ino;
	w->entries = WALK_ENTRIES_MAX;
	walk_dir(w, 0);
	return true;
}

enum herr tool_skills_load(const char *skills_dir, struct tool_skill_list *out,
			   struct herror *err)
{
	struct walk *w = xcalloc(1, sizeof(*w));
	enum herr rc = HERR_OK;

	memset(out, 0, sizeof(*out));
	if(!walk_root(w, skills_dir)) {
		if(errno != ENOENT)
			rc = herr_set(err, HERR_INTERNAL, NULL, NULL, "cannot read the skills directory "
				      "%s: %s", skills_dir, strerror(errno));
		goto out;
	}
	if(!w->entries)
		LOG_WARN("skills: %s holds more than %d entries; the rest were not searched",
			 skills_dir, WALK_ENTRIES_MAX);
	qsort(w->found, w->n, sizeof(*w->found), cmp_path);
	out->v = xcalloc(w->n ? w->n : 1, sizeof(*out->v));
	for(size_t i = 0; i < w->n; i++) {
		struct tool_skill s = { 0 };

		if(!load_one(w->path, w->found[i], &s))
			continue;
		if(tool_skills_find(out, s.name)) {
			LOG_DEBUG("skills: %s/%s: the name '%s' is taken by an earlier skill", w->path,
				  w->found[i], s.name);
			tool_skill_release(&s);
			continue;
		}
		out->v[out->n++] = s;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_skill);
out:
	for(size_t i = 0; i < w->n; i++)
		free(w->found[i]);
	free(w->found);
	free(w);
	return rc;
}

void tool_skill_list_release(struct tool_skill_list *l)
{
	for(size_t i = 0; i < l->n; i++)
		tool_skill_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

enum herr tool_skills_scan(const char *skills_dir, struct json_object **out_array,
			   struct herror *err)
{
	struct tool_skill_list l;
	enum herr rc = tool_skills_load(skills_dir, &l, err);

	if(rc)
		return rc;
	*out_array = json_object_new_array();
	for(size_t i = 0; i < l.n; i++) {
		struct json_object *o = json_object_new_object();

		jsonx_add_str(o, "name", l.v[i].name);
		jsonx_add_str(o, "description", l.v[i].description);
		jsonx_add_str(o, "category", l.v[i].category);
		json_object_array_add(*out_array, o);
	}
	tool_skill_list_release(&l);
	return HERR_OK;
}

const char *tool_skills_dir(const char *cfg_dir, char *dst, size_t cap)
{
	const char *home = getenv("HERMES_HOME");
	int n;

	if(cfg_dir && *cfg_dir)
		n = snprintf(dst, cap, "%s", cfg_dir);
	else if(home && *home)
		n = snprintf(dst, cap, "%s/skills", home);
	else
		return NULL;
	return n > 0 && (size_t)n < cap ? dst : NULL;
}

struct files {
	char path[PATH_MAX];
	size_t root_len;
	char **names;
	size_t max, n, budget;
};

static void files_dir(struct files *f, int depth)
{
	size_t n, base = strlen(f->path);
	char **names = list_dir(f->path, &n, &f->budget);

	for(size_t i = 0; names && i < n; i++) {
		struct stat st;
		int k = snprintf(f->path + base, sizeof(f->path) - base, "/%s", names[i]);

		if(k > 0 && (size_t)k < sizeof(f->path) - base && stat(f->path, &st) == 0 &&
		   !(depth == 0 && strcmp(names[i], "SKILL.md") == 0)) {
			if(S_ISDIR(st.st_mode) && depth < 3 && !junk_dir(names[i], false)) {
				size_t b2 = strlen(f->path);
				bool skill;

				snprintf(f->path + b2, sizeof(f->path) - b2, "/SKILL.md");
				skill = access(f->path, F_OK) == 0;
				f->path[b2] = '\0';
				if(!skill)
					files_dir(f, depth + 1);
			} else if(S_ISREG(st.st_mode)) {
				if(f->n < f->max)
					f->names[f->n] = xstrdup(f->path + f->root_len + 1);
				f->n++;
			}
		}
		f->path[base] = '\0';
		free(names[i]);
	}
	free(names);
}

size_t tool_skill_files(const char *dir, char **names, size_t max)
{
	struct files *f = xcalloc(1, sizeof(*f));
	size_t n;
	int k = snprintf(f->path, sizeof(f->path), "%s", dir);

	if(k < 0 || (size_t)k >= sizeof(f->path)) {
		free(f);
		return 0;
	}
	f->root_len = (size_t)k;
	f->names = names;
	f->max = max;
	f->budget = WALK_ENTRIES_MAX;
	files_dir(f, 0);
	n = f->n;
	qsort(names, n < max ? n : max, sizeof(*names), cmp_path);
	free(f);
	return n;
}
