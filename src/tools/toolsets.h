/* src/tools/toolsets.h: the toolsets as GET /v1/toolsets shows them.
 * SPEC: runs-discovery-security §3.3
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_TOOLSETS_H
#define HERMES_TOOLS_TOOLSETS_H

struct json_object;

/* [{name, label, description, enabled, configured, tools[]}] in registry
 * order, enabled per toolsets (NULL = the default set). New array. */
struct json_object *tool_toolsets(const char *const *toolsets);

#endif
