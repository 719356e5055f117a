/* src/tools/web_extract.h: web_extract.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_WEB_EXTRACT_H
#define HERMES_TOOLS_WEB_EXTRACT_H

#include "tools/registry.h"

extern const struct tool_def tool_web_extract;

#endif
