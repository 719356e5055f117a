/* src/tools/memory.h: the memory tool (entries per session key, kept in
 * the store).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_MEMORY_H
#define HERMES_TOOLS_MEMORY_H

#include "tools/registry.h"

extern const struct tool_def tool_memory;

#endif
