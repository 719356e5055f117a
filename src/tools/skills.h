/* src/tools/skills.h: skill discovery and SKILL.md front matter (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_SKILLS_H
#define HERMES_TOOLS_SKILLS_H

#endif
