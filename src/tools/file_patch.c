/* src/tools/file_patch.c: the patch tool. PLACEHOLDER: being written (issue 5).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/file_tools.h"

static enum herr run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
		     struct herror *err)
{
	(void)ctx, (void)args, (void)out;
	return herr_set(err, HERR_INTERNAL, NULL, NULL, "patch is not implemented yet");
}

const struct tool_def tool_patch = {
	"patch", "file", "PLACEHOLDER", "{\"type\":\"object\"}", run,
};
