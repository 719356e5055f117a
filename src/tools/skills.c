/* src/tools/skills.c: the skills list: each SKILL.md the walk finds
 * (tools/skill_walk.c) is read up to TOOL_SKILL_HEAD_MAX bytes, parsed
 * (tools/skill_parse.c) and kept unless broken, for another platform or a
 * duplicate name; then sorted by category and name for GET /v1/skills,
 * skills_list and skill_view.
 * SPEC: runs-discovery-security §3.2
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/skills.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/skill_walk.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

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

enum herr tool_skills_load(const char *skills_dir, struct tool_skill_list *out,
			   struct herror *err)
{
	struct tool_skill_found *w = xcalloc(1, sizeof(*w));
	enum herr rc = HERR_OK;

	memset(out, 0, sizeof(*out));
	if(!tool_skill_walk(skills_dir, w)) {
		if(errno != ENOENT)
			rc = herr_set(err, HERR_INTERNAL, NULL, NULL, "cannot read the skills directory "
				      "%s: %s", skills_dir, strerror(errno));
		goto out;
	}
	if(w->clipped)
		LOG_WARN("skills: %s holds more than %d entries; the rest were not searched",
			 skills_dir, TOOL_SKILL_WALK_ENTRIES_MAX);
	out->v = xcalloc(w->n ? w->n : 1, sizeof(*out->v));
	for(size_t i = 0; i < w->n; i++) {
		struct tool_skill s = { 0 };

		if(!load_one(w->root, w->paths[i], &s))
			continue;
		if(tool_skills_find(out, s.name)) {
			LOG_DEBUG("skills: %s/%s: the name '%s' is taken by an earlier skill", w->root,
				  w->paths[i], s.name);
			tool_skill_release(&s);
			continue;
		}
		out->v[out->n++] = s;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_skill);
out:
	tool_skill_found_release(w);
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
