/* src/tools/file_write.c: the write_file tool. PLACEHOLDER: being written (issue 5).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/file_tools.h"

static enum herr run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
		     struct herror *err)
{
	(void)ctx, (void)args, (void)out;
	return herr_set(err, HERR_INTERNAL, NULL, NULL, "write_file is not implemented yet");
}

const struct tool_def tool_write_file = {
	"write_file", "file", "PLACEHOLDER", "{\"type\":\"object\"}", run,
};
