/* src/tools/skills.h: skill discovery and SKILL.md front matter.
 *
 * A skill is a folder holding SKILL.md, found under the skills directory
 * ($HERMES_HOME/skills) as <category>/<name>/SKILL.md or <name>/SKILL.md
 * (no category). Only the first 4,000 bytes are read for the front matter
 * (YAML between "---" lines, parsed with libyaml). A broken SKILL.md is
 * skipped with a warning naming the file; it never fails the listing.
 * Used by skills_list, skill_view and GET /v1/skills.
 * SPEC: runs-discovery-security §3.2
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_SKILLS_H
#define HERMES_TOOLS_SKILLS_H

#include <stddef.h>

#include "util/err.h"

struct json_object;

#define TOOL_SKILL_HEAD_MAX 4000   /* bytes read for the front matter */
#define TOOL_SKILL_NAME_MAX 64     /* characters */
#define TOOL_SKILL_DESC_MAX 1024   /* characters; longer → 1,021 + "..." */
#define TOOL_SKILL_ENV_MAX 32      /* required variables kept per skill */
#define TOOL_SKILLS_MAX 1000       /* SKILL.md files considered per scan */

struct tool_skill {
	char *name;          /* owned; ≤ 64 characters, never empty */
	char *description;   /* owned; "" when there is none */
	char *category;      /* owned; NULL = no category */
	char *dir;           /* owned; the skill's folder */
	char *env[TOOL_SKILL_ENV_MAX + 1]; /* owned; required_environment_variables
	                                      names, NULL-terminated */
};

struct tool_skill_list {
	struct tool_skill *v;  /* owned array of n */
	size_t n;
};

/* Parse the head of a SKILL.md (text, len bytes: at most the first
 * TOOL_SKILL_HEAD_MAX bytes). dirname is the default name, fname names the
 * file in messages. Fills s->name, s->description and s->env; leaves
 * category and dir NULL. HERR_BAD_REQUEST (s untouched) when the file is
 * broken: front matter without its closing "---" line, YAML that does not
 * parse or is not a mapping, a name or description that is not text, text
 * that is not UTF-8. HERR_NOT_FOUND (s untouched) when its platforms list
 * (a list or a scalar; macos = darwin, windows = win32) leaves this system
 * out. Pure apart from uname(2). */
enum herr tool_skill_parse(const char *text, size_t len, const char *dirname, const char *fname,
			   struct tool_skill *s, struct herror *err)
	__attribute__((warn_unused_result));

/* Free the contents of s, not s itself. */
void tool_skill_release(struct tool_skill *s);

/* Discover the skills under skills_dir into out (release it with
 * tool_skill_list_release): following symlinks, skipping .git,
 * node_modules and the like, and the references/templates/assets/scripts
 * folders of a skill, and skills for other platforms; the first SKILL.md
 * (by path) with a given name wins;
 * sorted by (category or "", name). Broken files are skipped with a
 * LOG_WARN naming them. A missing skills_dir gives an empty list.
 * HERR_INTERNAL when skills_dir exists but cannot be read. */
enum herr tool_skills_load(const char *skills_dir, struct tool_skill_list *out,
			   struct herror *err)
	__attribute__((warn_unused_result));

void tool_skill_list_release(struct tool_skill_list *l);

/* The skill called name in l (borrowed), or NULL. */
const struct tool_skill *tool_skills_find(const struct tool_skill_list *l, const char *name);

/* GET /v1/skills data: *out_array gets a new array (caller puts) of
 * {"name","description","category"} objects, category null when none.
 * Errors as tool_skills_load. */
enum herr tool_skills_scan(const char *skills_dir, struct json_object **out_array,
			   struct herror *err)
	__attribute__((warn_unused_result));

/* The skills directory: cfg_dir when set, else $HERMES_HOME/skills. Copied
 * into dst (cap bytes); returns dst, or NULL when neither is known. */
const char *tool_skills_dir(const char *cfg_dir, char *dst, size_t cap);

/* The files in a skill's folder other than its SKILL.md, as paths relative
 * to it, sorted; recursing at most 4 levels, skipping .git-style folders and
 * folders that are skills of their own. At most max names go to names
 * (caller frees each); returns how many there are in all (may exceed max). */
size_t tool_skill_files(const char *dir, char **names, size_t max);

#endif
