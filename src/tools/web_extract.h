/* src/tools/web_extract.h: web_extract: fetch a public http(s) page
 * (tools/web_fetch.h) and return its readable text (tools/html_text.h).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_WEB_EXTRACT_H
#define HERMES_TOOLS_WEB_EXTRACT_H

#include "tools/registry.h"

extern const struct tool_def tool_web_extract;

#endif
