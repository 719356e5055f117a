/* src/tools/file_patch.c: the patch tool: replace an exact string in a file
 * of the workspace. old_string must occur exactly once unless replace_all is
 * set; the file is rewritten atomically and keeps its permission bits.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/file_tools.h"

#include <json-c/json.h>
#include <string.h>
#include <unistd.h>

#include "tools/args.h"
#include "tools/workspace.h"

#define PATCH_FILE_MAX (8UL * 1024 * 1024)
#define PATCH_RESULT_MAX (32UL * 1024 * 1024)

struct edit {
	const char *old, *new;
	size_t olen, nlen;
	bool all;
	size_t count, first_line;   /* out: occurrences; line of the first (1-based) */
};

/* Count the non-overlapping occurrences of e->old in text. */
static void count_matches(const char *text, size_t len, struct edit *e)
{
	const char *p = text, *end = text + len, *hit;

	e->count = 0;
	while((hit = memmem(p, (size_t)(end - p), e->old, e->olen))) {
		if(!e->count++) {
			e->first_line = 1;
			for(const char *q = text; q < hit; q++)
				e->first_line += *q == '\n';
		}
		p = hit + e->olen;
	}
}

/* Build the patched text into res (all occurrences when e->all, else the one). */
static enum herr apply(const char *text, size_t len, const struct edit *e, struct buf *res)
{
	const char *p = text, *end = text + len, *hit;
	enum herr rc = HERR_OK;

	while(!rc && (hit = memmem(p, (size_t)(end - p), e->old, e->olen))) {
		if(!(rc = buf_add(res, p, (size_t)(hit - p))))
			rc = buf_add(res, e->new, e->nlen);
		p = hit + e->olen;
		if(!e->all)
			break;
	}
	return rc ? rc : buf_add(res, p, (size_t)(end - p));
}

static enum herr check_count(const struct edit *e, const char *shown, struct herror *err)
{
	if(e->count == 0)
		return herr_set(err, HERR_BAD_REQUEST, "no_match", "old_string",
				"old_string was not found in %.300s; read the file again with read_file "
				"and copy the exact text (whitespace and indentation included, without "
				"the line-number prefix)", shown);
	if(e->count > 1 && !e->all)
		return herr_set(err, HERR_BAD_REQUEST, "ambiguous_match", "old_string",
				"old_string occurs %zu times in %.300s (first at line %zu); include more "
				"surrounding text so it occurs exactly once, or set replace_all=true to "
				"replace every occurrence", e->count, shown, e->first_line);
	return HERR_OK;
}

/* Read p's file, check the matches, write the patched text. */
static enum herr patch_file(const struct tool_ws_path *p, struct edit *e, struct herror *err)
{
	struct buf text, res;
	size_t size;
	int fd = -1;
	enum herr rc;

	buf_init(&text, PATCH_FILE_MAX);
	buf_init(&res, PATCH_RESULT_MAX);
	if((rc = tool_ws_open_file(p, &fd, &size, err)) ||
	   (rc = tool_ws_read_all(fd, PATCH_FILE_MAX, p->shown, &text, err)))
		goto out;
	if(tool_ws_is_binary(buf_str(&text), buf_len(&text))) {
		rc = herr_set(err, HERR_BAD_REQUEST, "binary_file", "path",
			      "%.300s is a binary file; patch edits text files only", p->shown);
		goto out;
	}
	count_matches(buf_str(&text), buf_len(&text), e);
	if((rc = check_count(e, p->shown, err)))
		goto out;
	if((rc = apply(buf_str(&text), buf_len(&text), e, &res))) {
		rc = herr_set(err, HERR_TOO_LARGE, NULL, "new_string",
			      "the patched file would be larger than %lu bytes", PATCH_RESULT_MAX);
		goto out;
	}
	rc = tool_ws_write_atomic(p, buf_str(&res), buf_len(&res), NULL, err);
out:
	if(fd >= 0)
		close(fd);
	buf_release(&text);
	buf_release(&res);
	return rc;
}

static enum herr patch_args(struct json_object *args, struct edit *e, struct herror *err)
{
	struct json_object *all = NULL;
	enum herr rc;

	if((rc = tool_arg_str(args, "old_string", TOOL_ARG_NONEMPTY | TOOL_ARG_NUL, &e->old,
				 &e->olen, err)) ||
	   (rc = tool_arg_str(args, "new_string", TOOL_ARG_NUL, &e->new, &e->nlen, err)))
		return rc;
	if(json_object_object_get_ex(args, "replace_all", &all) && all) {
		if(!json_object_is_type(all, json_type_boolean))
			return herr_set(err, HERR_BAD_REQUEST, NULL, "replace_all",
					"'replace_all' must be true or false");
		e->all = json_object_get_boolean(all);
	}
	if(e->olen == e->nlen && memcmp(e->old, e->new, e->olen) == 0)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "new_string",
				"new_string is the same as old_string; nothing would change");
	return HERR_OK;
}

static enum herr patch_run(const struct tool_ctx *ctx, struct json_object *args,
			   struct buf *out, struct herror *err)
{
	struct tool_ws ws = { NULL, -1 };
	struct tool_ws_path p = { -1, NULL, NULL, false, NULL };
	struct edit e = { NULL, NULL, 0, 0, false, 0, 0 };
	const char *path;
	size_t plen;
	enum herr rc;

	if((rc = tool_arg_str(args, "path", TOOL_ARG_NONEMPTY, &path, &plen, err)) ||
	   (rc = patch_args(args, &e, err)))
		return rc;
	if(!(rc = tool_ws_open(ctx, &ws, err)) &&
	   !(rc = tool_ws_resolve(&ws, path, TOOL_WS_EXISTING, &p, err)) &&
	   !(rc = patch_file(&p, &e, err)))
		rc = buf_addf(out, "Patched %s: replaced %zu occurrence%s (first at line %zu).", p.shown,
			      e.count, e.count == 1 ? "" : "s", e.first_line);
	tool_ws_path_release(&p);
	tool_ws_close(&ws);
	return rc;
}

const struct tool_def tool_patch = {
	"patch",
	"file",
	"Edit a file in the workspace by replacing old_string with new_string, both exact text "
	"(whitespace included; without read_file's line-number prefix). old_string must occur "
	"exactly once, so include enough surrounding lines to make it unique, or set "
	"replace_all=true to replace every occurrence. An empty new_string deletes the text.",
	"{\"type\":\"object\",\"properties\":{"
	"\"path\":{\"type\":\"string\",\"description\":\"file path, relative to the workspace\"},"
	"\"old_string\":{\"type\":\"string\",\"description\":\"exact text to replace\"},"
	"\"new_string\":{\"type\":\"string\",\"description\":\"the replacement text\"},"
	"\"replace_all\":{\"type\":\"boolean\",\"description\":\"replace every occurrence "
	"(default false)\"}},"
	"\"required\":[\"path\",\"old_string\",\"new_string\"]}",
	patch_run,
};
