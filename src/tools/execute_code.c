/* src/tools/execute_code.c: the execute_code tool. PLACEHOLDER: being written (issue 5).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/exec_tools.h"

static enum herr run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
		     struct herror *err)
{
	(void)ctx, (void)args, (void)out;
	return herr_set(err, HERR_INTERNAL, NULL, NULL, "execute_code is not implemented yet");
}

const struct tool_def tool_execute_code = {
	"execute_code", "code_execution", "PLACEHOLDER", "{\"type\":\"object\"}", run,
};
