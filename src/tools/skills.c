/* src/tools/skills.c: skill discovery and SKILL.md front matter (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/skills.h"
