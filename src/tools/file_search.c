/* src/tools/file_search.c: the search_files tool: lines of workspace files
 * that contain pattern (plain text, or with regex:true a PCRE2 regular
 * expression run under limits: tools/search_match.h), as "file:line: text".
 *
 * The walk starts from a directory reached through tool_ws_resolve and goes
 * down with openat(O_NOFOLLOW) only: symlinks are never followed, so it
 * cannot leave the workspace. .git/.hg/.svn and binary files are skipped;
 * entries are visited in name order so results are stable. Matches, output
 * size, files visited and depth are capped; ctx->interrupt, checked between
 * lines, stops the walk, and ctx->tick is called about every 100 ms.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/file_tools.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tools/args.h"
#include "tools/search_match.h"
#include "tools/workspace.h"
#include "util/utf8.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/xalloc.h"

#define SEARCH_LIMIT_DEFAULT 100
#define SEARCH_LIMIT_MAX 1000
#define SEARCH_DEPTH_MAX 32
#define SEARCH_FILES_MAX 20000
#define SEARCH_FILE_SIZE_MAX (16L * 1024 * 1024)
#define SEARCH_LINE_SHOW 300
#define SEARCH_BUDGET (TOOL_RESULT_MAX - 1024)

struct search {
	const struct tool_ctx *ctx;
	const char *root;             /* borrowed: the workspace's real path */
	const char *pattern, *glob;
	struct tool_search_match *match;
	size_t limit, matches, files;
	const char *stop;           /* why the walk stopped early, or NULL */
	struct buf *out;
	struct herror *err;
	struct timespec ticked;     /* when ctx->tick was last called */
};

#define SEARCH_TICK_NS 100000000L

/* Has the turn been interrupted? Calls ctx->tick when 100 ms have passed
 * since the last call, so a long search keeps the stream alive. */
static bool interrupted(struct search *s)
{
	struct timespec now;

	if(s->ctx->tick) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* 64-bit: on a 32-bit long 3 s of nanoseconds would overflow */
		if((int64_t)(now.tv_sec - s->ticked.tv_sec) * 1000000000 +
			   (now.tv_nsec - s->ticked.tv_nsec) >=
		   SEARCH_TICK_NS) {
			s->ticked = now;
			s->ctx->tick(s->ctx->tick_ctx);
		}
	}
	return s->ctx->interrupt && *s->ctx->interrupt;
}

/* Add a file name; control bytes become '?' so a name holding a newline
 * cannot fake a result line. */
static enum herr add_name(struct buf *out, const char *rel)
{
	size_t len = strlen(rel);
	char *clean;
	enum herr rc;

	if(!str_has_ctl(rel, len))
		return utf8_sanitize(out, rel, len, false);
	clean = xmalloc(len + 1);
	str_sanitize(clean, len + 1, rel);
	rc = utf8_sanitize(out, clean, strlen(clean), false);
	free(clean);
	return rc;
}

/* Add "rel:n: text" (text cut to SEARCH_LINE_SHOW bytes). */
static enum herr add_match(struct search *s, const char *rel, size_t n, const char *line,
			   size_t len)
{
	size_t cut = len > SEARCH_LINE_SHOW ? SEARCH_LINE_SHOW : len;
	enum herr rc;

	if(buf_len(s->out) + 3 * (strlen(rel) + cut) + 64 > SEARCH_BUDGET) {
		s->stop = "the result grew too long";
		return HERR_OK;
	}
	if((rc = add_name(s->out, rel)) || (rc = buf_addf(s->out, ":%zu: ", n)) ||
	   (rc = utf8_sanitize(s->out, line, cut, false)) ||
	   (rc = buf_adds(s->out, cut < len ? " [...]\n" : "\n")))
		return rc;
	if(++s->matches >= s->limit)
		s->stop = "the limit of matches was reached";
	return HERR_OK;
}

static enum herr scan_lines(struct search *s, FILE *f, const char *rel)
{
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	enum herr rc = HERR_OK;

	while(!s->stop && !rc && (len = getline(&line, &cap, f)) > 0) {
		n++;
		if(line[len - 1] == '\n')
			line[--len] = '\0';
		if(len && line[len - 1] == '\r')
			line[--len] = '\0';
		if(interrupted(s)) {
			s->stop = "the request was interrupted";
			break;
		}
		switch(tool_search_match_line(s->match, line, (size_t)len, s->err)) {
		case 1:
			rc = add_match(s, rel, n, line, (size_t)len);
			break;
		case -1:
			rc = s->err->rc;
			break;
		}
	}
	free(line);
	return rc;
}

/* Search the regular file name in dirfd (shown as rel); others are skipped. */
static enum herr scan_file(struct search *s, int dirfd, const char *name, const char *rel)
{
	struct stat st;
	FILE *f;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	enum herr rc;

	if(fd < 0)
		return HERR_OK;
	/* a hard link with a name outside the workspace is not searched (workspace_links.c) */
	if(fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > SEARCH_FILE_SIZE_MAX ||
	   !tool_ws_links_inside(s->root, &st) || tool_ws_fd_is_binary(fd) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return HERR_OK;
	}
	if(++s->files >= SEARCH_FILES_MAX)
		s->stop = "too many files were visited; give a narrower path or glob";
	rc = scan_lines(s, f, rel);
	fclose(f);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of d but "." and "..", sorted (caller frees each and the array). */
static char **list_dir(DIR *d, size_t *n)
{
	char **names = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	while((de = readdir(d)) && *n < SEARCH_FILES_MAX) {
		if(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if(*n == cap) {
			cap = cap ? cap * 2 : 32;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = xstrdup(de->d_name);
	}
	if(*n)
		qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

static enum herr walk_dir(struct search *s, int dirfd, const char *rel, int depth);

/* Visit one entry of the directory dirfd. */
static enum herr visit(struct search *s, int dirfd, const char *name, const char *rel, int depth)
{
	struct stat st;
	char *child;
	size_t len = strlen(rel) + strlen(name) + 2;
	enum herr rc = HERR_OK;

	if(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISLNK(st.st_mode))
		return HERR_OK;
	if(S_ISDIR(st.st_mode) && (!strcmp(name, ".git") || !strcmp(name, ".hg") ||
				   !strcmp(name, ".svn") || depth >= SEARCH_DEPTH_MAX))
		return HERR_OK;
	if(S_ISREG(st.st_mode) && s->glob && fnmatch(s->glob, name, FNM_PERIOD) != 0)
		return HERR_OK;
	child = xmalloc(len);
	if(strcmp(rel, ".") == 0)
		snprintf(child, len, "%s", name);
	else
		snprintf(child, len, "%s/%s", rel, name);
	if(S_ISDIR(st.st_mode)) {
		int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if(sub >= 0)
			rc = walk_dir(s, sub, child, depth + 1);
	} else if(S_ISREG(st.st_mode)) {
		rc = scan_file(s, dirfd, name, child);
	}
	free(child);
	return rc;
}

/* Search everything below the directory fd (taken over and closed). */
static enum herr walk_dir(struct search *s, int fd, const char *rel, int depth)
{
	DIR *d = fdopendir(fd);
	char **names;
	size_t n;
	enum herr rc = HERR_OK;

	if(!d) {
		close(fd);
		return HERR_OK;
	}
	names = list_dir(d, &n);
	for(size_t i = 0; i < n; i++) {
		if(!rc && !s->stop && interrupted(s))
			s->stop = "the request was interrupted";
		if(!rc && !s->stop)
			rc = visit(s, dirfd(d), names[i], rel, depth);
		free(names[i]);
	}
	free(names);
	closedir(d);
	return rc;
}

/* Search the target of p: a directory (walked) or a single file. */
static enum herr search_target(struct search *s, const struct tool_ws_path *p, struct herror *err)
{
	struct stat st;
	int fd;

	if(fstatat(p->dirfd, p->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return herr_set(err, HERR_NOT_FOUND, NULL, "path", "cannot search %.300s: %s", p->shown,
				strerror(errno));
	if(S_ISREG(st.st_mode)) {
		const char *base = strrchr(p->shown, '/');

		if(s->glob && fnmatch(s->glob, base ? base + 1 : p->shown, FNM_PERIOD) != 0)
			return HERR_OK;
		return scan_file(s, p->dirfd, p->name, p->shown);
	}
	fd = openat(p->dirfd, p->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if(fd < 0)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "path",
				"cannot search %.300s: %s; give a directory or a regular file", p->shown,
				strerror(errno));
	return walk_dir(s, fd, p->shown, 0);
}

static enum herr summary(const struct search *s, const char *shown, struct buf *out)
{
	if(!s->matches && !s->stop)
		return buf_addf(out, "No matches for '%.200s' in %.300s (%zu text files searched%s%.200s).",
				s->pattern, shown, s->files, s->glob ? ", names matching " : "",
				s->glob ? s->glob : "");
	if(s->stop)
		return buf_addf(out, "[stopped after %zu matches: %s; narrow the pattern, path or glob%s]",
				s->matches, s->stop,
				s->matches >= s->limit && s->limit < SEARCH_LIMIT_MAX ? ", or raise limit" : "");
	return buf_addf(out, "[%zu match%s in %zu files searched]", s->matches,
			s->matches == 1 ? "" : "es", s->files);
}

static enum herr search_run(const struct tool_ctx *ctx, struct json_object *args,
			    struct buf *out, struct herror *err)
{
	struct search s = { .ctx = ctx, .out = out, .err = err };
	struct tool_ws ws = { NULL, -1 };
	struct tool_ws_path p = { -1, NULL, NULL, false, NULL };
	const char *path = jsonx_get_str(args, "path");
	size_t len;
	long limit;
	bool regex;
	enum herr rc;

	if((rc = tool_arg_str(args, "pattern", TOOL_ARG_NONEMPTY, &s.pattern, &len, err)) ||
	   (rc = tool_arg_long(args, "limit", SEARCH_LIMIT_DEFAULT, 1, SEARCH_LIMIT_MAX, &limit,
				  err)) ||
	   (rc = tool_arg_bool(args, "regex", false, &regex, err)) ||
	   (rc = tool_search_match_new(s.pattern, len, regex, &s.match, err)))
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &s.ticked);
	s.limit = (size_t)limit;
	s.glob = jsonx_get_str(args, "glob");
	if(s.glob && !*s.glob)
		s.glob = NULL;
	if(!(rc = tool_ws_open(ctx, &ws, err)) && (s.root = ws.root) &&
	   !(rc = tool_ws_resolve(&ws, path && *path ? path : ".", TOOL_WS_EXISTING, &p, err)) &&
	   !(rc = search_target(&s, &p, err)))
		rc = summary(&s, p.shown, out);
	tool_search_match_free(s.match);
	tool_ws_path_release(&p);
	tool_ws_close(&ws);
	return rc;
}

const struct tool_def tool_search_files = {
	"search_files",
	"file",
	"Search the text files of the workspace for lines containing pattern as plain text "
	"(regex metacharacters are matched literally), or matching it as a Perl-compatible "
	"regular expression such as 'foo(bar|baz)+' when regex is true. Returns "
	"'file:line: text' lines. Optional: regex (default false), path (a subdirectory or file "
	"to search, default the whole workspace), glob (only file names matching it, e.g. "
	"'*.c'), limit (most matches, default 100). Binary files, .git and symlinks are "
	"skipped; a regular expression too costly to run is refused.",
	"{\"type\":\"object\",\"properties\":{"
	"\"pattern\":{\"type\":\"string\",\"description\":\"text to find (or a regular "
	"expression when regex is true)\"},"
	"\"regex\":{\"type\":\"boolean\",\"description\":\"treat pattern as a Perl-compatible "
	"regular expression (default false: plain text)\"},"
	"\"path\":{\"type\":\"string\",\"description\":\"directory or file to search, relative to "
	"the workspace (default: all of it)\"},"
	"\"glob\":{\"type\":\"string\",\"description\":\"only files whose name matches, e.g. *.py\"},"
	"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,"
	"\"description\":\"most matching lines to return (default 100)\"}},"
	"\"required\":[\"pattern\"]}",
	search_run,
};
