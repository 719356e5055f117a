/* src/tools/file_read.c: the read_file tool: a text file of the workspace,
 * a window of lines at a time, each with its number ("     7|text").
 * Binary files are refused; the result stays under TOOL_RESULT_MAX and says
 * how to read on when it stops early.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/file_tools.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tools/args.h"
#include "tools/workspace.h"
#include "util/utf8.h"

#define READ_LIMIT_DEFAULT 500
#define READ_LIMIT_MAX 2000
#define READ_LINE_MAX 2000                     /* longer lines are cut */
#define READ_BUDGET (TOOL_RESULT_MAX - 1024)   /* room left for the footer */
#define READ_COUNT_MAX (64UL * 1024 * 1024)    /* bytes scanned to count the lines */

struct window {
	long first, limit;          /* 1-based first line; most lines to show */
	size_t shown, total;        /* lines shown; lines seen */
	bool full, partial_count;   /* output budget reached; stopped counting */
	bool interrupted;
};

/* Show one line (without its newline) if it is in the window and fits. */
static enum herr show_line(struct window *w, const char *line, size_t len, struct buf *out)
{
	size_t cut = len > READ_LINE_MAX ? READ_LINE_MAX : len;
	enum herr rc;

	if(buf_len(out) + 3 * cut + 64 > READ_BUDGET) {
		w->full = true;
		return HERR_OK;
	}
	if((rc = buf_addf(out, "%6zu|", w->total)) || (rc = utf8_sanitize(out, line, cut, false)))
		return rc;
	if(cut < len && (rc = buf_addf(out, " [... line cut, %zu more bytes]", len - cut)))
		return rc;
	w->shown++;
	return buf_add(out, "\n", 1);
}

/* Read f line by line: show the window, then count on (capped) to report the total. */
static enum herr read_lines(const struct tool_ctx *ctx, FILE *f, struct window *w,
			    struct buf *out)
{
	char *line = NULL;
	size_t cap = 0, scanned = 0;
	ssize_t n;
	enum herr rc = HERR_OK;

	while((n = getline(&line, &cap, f)) > 0) {
		size_t len = (size_t)n;

		w->total++;
		scanned += len;
		if(line[len - 1] == '\n')
			len--;
		if(len && line[len - 1] == '\r')
			len--;
		if((long)w->total >= w->first && (long)w->shown < w->limit && !w->full &&
		   (rc = show_line(w, line, len, out)))
			break;
		if(ctx->interrupt && *ctx->interrupt) {
			w->interrupted = true;
			break;
		}
		/* Counting past the window is capped; reaching it is not (offset may be large). */
		if(scanned > READ_COUNT_MAX && (long)w->total >= w->first) {
			w->partial_count = getc(f) != EOF;
			break;
		}
	}
	free(line);
	return rc;
}

static enum herr footer(const struct window *w, const char *shown, struct buf *out,
			struct herror *err)
{
	size_t last = w->shown ? (size_t)w->first + w->shown - 1 : 0;

	if(w->total == 0)
		return buf_addf(out, "(%.300s is empty)", shown);
	if((long)w->total < w->first)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "offset",
				"offset %ld is past the end of %.300s, which has %zu lines", w->first,
				shown, w->total);
	if(last < w->total || w->partial_count)
		return buf_addf(out, "[lines %ld-%zu of %s%zu in %.300s; call read_file with offset=%zu to "
				"read on]", w->first, last, w->partial_count ? "more than " : "",
				w->total, shown, last + 1);
	return HERR_OK;
}

static enum herr read_run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
			  struct herror *err)
{
	struct tool_ws ws = { NULL, -1 };
	struct tool_ws_path p = { -1, NULL, NULL, false, NULL };
	struct window w = { 1, READ_LIMIT_DEFAULT, 0, 0, false, false, false };
	const char *path;
	size_t plen, size;
	FILE *f = NULL;
	int fd = -1;
	enum herr rc;

	if((rc = tool_arg_str(args, "path", TOOL_ARG_NONEMPTY, &path, &plen, err)) ||
	   (rc = tool_arg_long(args, "offset", 1, 1, LONG_MAX, &w.first, err)) ||
	   (rc = tool_arg_long(args, "limit", READ_LIMIT_DEFAULT, 1, READ_LIMIT_MAX, &w.limit,
				  err)) ||
	   (rc = tool_ws_open(ctx, &ws, err)) ||
	   (rc = tool_ws_resolve(&ws, path, TOOL_WS_EXISTING, &p, err)) ||
	   (rc = tool_ws_open_file(&p, &fd, &size, err)))
		goto out;
	if(tool_ws_fd_is_binary(fd)) {
		rc = herr_set(err, HERR_BAD_REQUEST, "binary_file", "path",
			      "%.300s is a binary file (%zu bytes); read_file shows text only", p.shown,
			      size);
		goto out;
	}
	if(!(f = fdopen(fd, "r"))) {
		rc = herr_set(err, HERR_INTERNAL, NULL, NULL, "cannot read %.300s", p.shown);
		goto out;
	}
	fd = -1;
	if(!(rc = read_lines(ctx, f, &w, out)))
		rc = w.interrupted ? herr_set(err, HERR_UNAVAILABLE, NULL, NULL,
					      "read_file was interrupted")
				   : footer(&w, p.shown, out, err);
	if(!rc && ferror(f))
		rc = herr_set(err, HERR_INTERNAL, NULL, NULL, "reading %.300s failed", p.shown);
out:
	if(f)
		fclose(f);
	if(fd >= 0)
		close(fd);
	tool_ws_path_release(&p);
	tool_ws_close(&ws);
	return rc;
}

const struct tool_def tool_read_file = {
	"read_file",
	"file",
	"Read a text file from the workspace. Lines come back numbered as 'N|text' (the "
	"number and '|' are not part of the file). Use offset (first line, 1-based) and limit "
	"(lines, default 500, at most 2000) to page through long files. Paths are relative to "
	"the workspace; paths outside it are refused. Binary files are refused.",
	"{\"type\":\"object\",\"properties\":{"
	"\"path\":{\"type\":\"string\",\"description\":\"file path, relative to the workspace\"},"
	"\"offset\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"first line to show (default 1)\"},"
	"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":2000,"
	"\"description\":\"most lines to show (default 500)\"}},"
	"\"required\":[\"path\"]}",
	read_run,
};
