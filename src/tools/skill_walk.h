/* src/tools/skill_walk.h: the bounded walk that finds SKILL.md files
 * (internal to the skills family: skills.c reads what it finds).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_SKILL_WALK_H
#define HERMES_TOOLS_SKILL_WALK_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "tools/skills.h"

#define TOOL_SKILL_WALK_ENTRIES_MAX 20000  /* directory entries looked at per walk */

/* What one walk found (tool_skill_found_release). */
struct tool_skill_found {
	char root[PATH_MAX];  /* the root as walked (no trailing '/') */
	char **paths;         /* owned: SKILL.md paths relative to root, in path order */
	size_t n;             /* at most TOOL_SKILLS_MAX */
	bool clipped;         /* the entry budget ran out before the walk ended */
};

/* Walk root (followed through symlinks, at most 8 folders deep, skipping
 * junk folders and a skill's own references/templates/assets/scripts) and
 * collect its SKILL.md files into out. false, with errno set and out empty,
 * when root cannot be read (ENOENT: it does not exist). */
bool tool_skill_walk(const char *root, struct tool_skill_found *out);

/* Free what out holds (not out itself). */
void tool_skill_found_release(struct tool_skill_found *out);

#endif
