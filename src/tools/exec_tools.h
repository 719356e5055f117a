/* src/tools/exec_tools.h: the tools that run programs on the host:
 * terminal (a /bin/sh -c command; terminal.c) and execute_code (a Python or
 * sh script; execute_code.c). Both go through the dangerous-command check
 * (danger.h) and run in the sandbox (sandbox.h): scrubbed environment,
 * workspace as cwd, stdin /dev/null, own process group killed on timeout
 * or interrupt, capped output.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_EXEC_TOOLS_H
#define HERMES_TOOLS_EXEC_TOOLS_H

#include "tools/registry.h"

/* args {command, timeout?}; timeout capped at terminal.timeout */
extern const struct tool_def tool_terminal;
/* args {language: "python"|"sh", code}; timeout code_execution.timeout */
extern const struct tool_def tool_execute_code;

#endif
