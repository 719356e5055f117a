/* src/tools/terminal.c: the terminal tool. PLACEHOLDER: being written (issue 5).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/exec_tools.h"

static enum herr run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
		     struct herror *err)
{
	(void)ctx, (void)args, (void)out;
	return herr_set(err, HERR_INTERNAL, NULL, NULL, "terminal is not implemented yet");
}

const struct tool_def tool_terminal = {
	"terminal", "terminal", "PLACEHOLDER", "{\"type\":\"object\"}", run,
};
