/* src/tools/skill_walk.c: finding SKILL.md files under the skills
 * directory, and listing the other files of one skill's folder.
 *
 * Both walks are bounded (depth, entries, SKILL.md count) and visit names in
 * order so results are stable; the discovery walk follows symlinks with a
 * loop check on the (dev, inode) of the folders above.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/skill_walk.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"

#define WALK_DEPTH_MAX 8

/* ---- the walk --------------------------------------------------------------- */

struct walk {
	char *path;             /* the folder being read (out->root's storage) */
	size_t root_len;
	char **found;           /* SKILL.md paths relative to the root (out->paths) */
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

/* Start the walk at root; false (errno set) when root cannot be read. */
static bool walk_root(struct walk *w, const char *root, size_t cap)
{
	struct stat st;
	int n = snprintf(w->path, cap, "%s", root);

	if(n < 0 || (size_t)n >= cap) {
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
	w->entries = TOOL_SKILL_WALK_ENTRIES_MAX;
	walk_dir(w, 0);
	return true;
}

bool tool_skill_walk(const char *root, struct tool_skill_found *out)
{
	struct walk *w = xcalloc(1, sizeof(*w));
	bool good;
	int e;

	memset(out, 0, sizeof(*out));
	w->path = out->root;
	good = walk_root(w, root, sizeof(out->root));
	e = errno;
	out->paths = w->found;
	out->n = w->n;
	out->clipped = good && !w->entries;
	if(out->n)
		qsort(out->paths, out->n, sizeof(*out->paths), cmp_path);
	free(w);
	errno = e;
	return good;
}

void tool_skill_found_release(struct tool_skill_found *f)
{
	for(size_t i = 0; i < f->n; i++)
		free(f->paths[i]);
	free(f->paths);
	f->paths = NULL;
	f->n = 0;
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
	f->budget = TOOL_SKILL_WALK_ENTRIES_MAX;
	files_dir(f, 0);
	n = f->n;
	qsort(names, n < max ? n : max, sizeof(*names), cmp_path);
	free(f);
	return n;
}
