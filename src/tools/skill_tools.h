/* src/tools/skill_tools.h: skills_list, skill_view.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_SKILL_TOOLS_H
#define HERMES_TOOLS_SKILL_TOOLS_H

#include "tools/registry.h"

extern const struct tool_def tool_skills_list;
extern const struct tool_def tool_skill_view;

#endif
