/* src/tools/todo.h: the todo tool (a per-session task list).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_TODO_H
#define HERMES_TOOLS_TODO_H

#include "tools/registry.h"

extern const struct tool_def tool_todo;

#endif
