/* src/tools/danger.h: dangerous-command patterns and the approvals decision
 * checked before terminal and execute_code run anything.
 *
 * The match is deliberately syntactic and errs on the side of refusing:
 * quotes and backslashes are dropped, white space is collapsed, and each
 * simple command is looked at past sudo/env/nohup/sh -c style wrappers, so
 * `sudo  /bin/rm -r -f "/"` and `echo 'rm -rf /'` both match. It decides
 * when a human is asked (approvals.mode ask) or the command refused (deny);
 * it is not a security boundary: the kernel confinement of the tool child
 * (tools/confine.h) is.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_DANGER_H
#define HERMES_TOOLS_DANGER_H

#include "util/err.h"

struct tool_ctx;

struct tool_danger_rule {
	const char *id;           /* short stable name, e.g. "rm-root" */
	const char *description;  /* what it guards against, for the model */
};

/* The first rule text matches, or NULL. text may hold several lines. The
 * returned rule is static. */
const struct tool_danger_rule *tool_danger_match(const char *text);

/* Decide whether text (a command or a script; tool names the tool, for the
 * message) may run under ctx->cfg->approvals_mode (deny when cfg is NULL):
 * HERR_OK when it matches no rule or the mode is off; otherwise
 * HERR_FORBIDDEN with err->msg a refusal the model can read, naming the
 * rule and the setting. Under ask, ctx->approve (when set) is asked and
 * its answer decides; without it ask behaves as deny and says so. */
enum herr tool_danger_check(const struct tool_ctx *ctx, const char *tool, const char *text,
			    struct herror *err) __attribute__((warn_unused_result));

#endif
