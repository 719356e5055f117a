/* src/tools/file_search.c: the search_files tool. PLACEHOLDER: being written (issue 5).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/file_tools.h"

static enum herr run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
		     struct herror *err)
{
	(void)ctx, (void)args, (void)out;
	return herr_set(err, HERR_INTERNAL, NULL, NULL, "search_files is not implemented yet");
}

const struct tool_def tool_search_files = {
	"search_files", "file", "PLACEHOLDER", "{\"type\":\"object\"}", run,
};
