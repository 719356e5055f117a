/* src/tools/file_write.c: the write_file tool: create or replace a file of
 * the workspace with the given content, atomically (temporary file and
 * rename), creating missing directories above it inside the workspace.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/file_tools.h"

#include <json-c/json.h>

#include "tools/args.h"
#include "tools/workspace.h"

#define WRITE_MAX (16UL * 1024 * 1024)

static enum herr write_run(const struct tool_ctx *ctx, struct json_object *args,
			   struct buf *out, struct herror *err)
{
	struct tool_ws ws = { NULL, -1 };
	struct tool_ws_path p = { -1, NULL, NULL, false, NULL };
	const char *path, *content;
	size_t plen, clen;
	bool created = false;
	enum herr rc;

	if((rc = tool_arg_str(args, "path", TOOL_ARG_NONEMPTY, &path, &plen, err)) ||
	   (rc = tool_arg_str(args, "content", TOOL_ARG_NUL, &content, &clen, err)))
		return rc;
	if(clen > WRITE_MAX)
		return herr_set(err, HERR_TOO_LARGE, NULL, "content",
				"content is %zu bytes; write_file takes at most %lu", clen, WRITE_MAX);
	if(!(rc = tool_ws_open(ctx, &ws, err)) &&
	   !(rc = tool_ws_resolve(&ws, path, TOOL_WS_CREATE, &p, err)) &&
	   !(rc = tool_ws_write_atomic(&p, content, clen, &created, err)))
		rc = buf_addf(out, "Wrote %zu bytes to %s (%s).", clen, p.shown,
			      created ? "new file" : "replaced the old content");
	tool_ws_path_release(&p);
	tool_ws_close(&ws);
	return rc;
}

const struct tool_def tool_write_file = {
	"write_file",
	"file",
	"Create or overwrite a file in the workspace with the given content (the whole file). "
	"Missing directories are created. Paths are relative to the workspace; paths outside it "
	"are refused. To change part of an existing file, use patch instead.",
	"{\"type\":\"object\",\"properties\":{"
	"\"path\":{\"type\":\"string\",\"description\":\"file path, relative to the workspace\"},"
	"\"content\":{\"type\":\"string\",\"description\":\"the complete new content of the file\"}},"
	"\"required\":[\"path\",\"content\"]}",
	write_run,
};
