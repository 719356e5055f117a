/* src/tools/file_tools.h: read_file, write_file, patch, search_files.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_FILE_TOOLS_H
#define HERMES_TOOLS_FILE_TOOLS_H

#include "tools/registry.h"

extern const struct tool_def tool_read_file;
extern const struct tool_def tool_write_file;
extern const struct tool_def tool_patch;
extern const struct tool_def tool_search_files;

#endif
