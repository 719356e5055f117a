/* src/tools/exec_tools.h: terminal, execute_code.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_EXEC_TOOLS_H
#define HERMES_TOOLS_EXEC_TOOLS_H

#include "tools/registry.h"

extern const struct tool_def tool_terminal;
extern const struct tool_def tool_execute_code;

#endif
