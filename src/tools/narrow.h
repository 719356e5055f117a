/* src/tools/narrow.h: one request's server toolsets, narrowed from the
 * configured ones by what the request names (X-Hermes-Toolsets, the
 * "hermes.toolsets" body member, a run's stored request).
 *
 * A narrowing only ever removes toolsets: a name the configuration does
 * not enable is dropped, never added; "none" (or api.server_tools off)
 * leaves no server tool at all. Names are the toolsets of this build
 * ("files" is accepted for "file"); an unknown name is an error, so a
 * typo does not silently leave the model without tools.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_NARROW_H
#define HERMES_TOOLS_NARROW_H

#include <stdbool.h>

#include "tools/registry.h"
#include "util/buf.h"
#include "util/err.h"

#define TOOL_NARROW_SPEC_MAX 1024  /* bytes of a comma list a request may send */

struct tool_narrow {
	bool set;                                  /* a narrowing applies */
	const char *list[TOOL_TOOLSETS_MAX + 1];   /* NULL-terminated; static strings */
};

/* No narrowing: the configured toolsets apply. */
void tool_narrow_init(struct tool_narrow *n);

/* The toolsets in force: n's list when set, else configured (NULL = the
 * default set). Borrowed. */
const char *const *tool_narrow_list(const struct tool_narrow *n, const char *const *configured);

/* Narrow n by spec, a comma list of toolset names or "none" (borrowed),
 * within what is in force now (tool_narrow_list(n, configured)). An
 * unknown name or a spec over TOOL_NARROW_SPEC_MAX is 400 invalid_value
 * with param (borrowed; may be NULL) naming where it came from. */
enum herr tool_narrow_apply(struct tool_narrow *n, const char *const *configured, const char *spec,
			    const char *param, struct herror *err) __attribute__((warn_unused_result));

/* Nothing at all: the server's own tools are off. */
void tool_narrow_none(struct tool_narrow *n);

/* The list in force as a comma list into out ("none" when empty). */
enum herr tool_narrow_text(const struct tool_narrow *n, const char *const *configured,
			   struct buf *out);

#endif
