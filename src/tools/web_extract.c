/* src/tools/web_extract.c: the web_extract tool. PLACEHOLDER: being written (issue 5).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/web_extract.h"

static enum herr run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
		     struct herror *err)
{
	(void)ctx, (void)args, (void)out;
	return herr_set(err, HERR_INTERNAL, NULL, NULL, "web_extract is not implemented yet");
}

const struct tool_def tool_web_extract = {
	"web_extract", "web", "PLACEHOLDER", "{\"type\":\"object\"}", run,
};
