/* src/tools/workspace.c: confining the file tools to the workspace, and the
 * few file operations they share (open for reading, atomic replace, text
 * checks).
 *
 * Resolution (tool_ws_resolve): realpath() the longest prefix of the path
 * that exists, refuse it unless it is inside the workspace's real path, then
 * re-walk that prefix from the workspace fd with openat(O_NOFOLLOW) per
 * component (realpath output has no symlinks and no "..", so the walk can
 * only stay inside; a symlink swapped in meanwhile makes it fail). The part
 * that does not exist yet may not contain ".."; with TOOL_WS_CREATE its
 * directories are made with mkdirat() from the same fds.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/fileio.h"
#include "util/str.h"
#include "util/xalloc.h"

#ifdef O_PATH
#define WS_O_DIR (O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define WS_O_DIR (O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

#define WS_BINARY_SAMPLE 8192
#define WS_COMPONENTS_MAX 256

/* ---- the workspace itself ------------------------------------------------ */

enum herr tool_ws_open(const struct tool_ctx *ctx, struct tool_ws *ws, struct herror *err)
{
	const char *w = ctx && ctx->cfg ? ctx->cfg->workspace : NULL;

	ws->root = NULL;
	ws->fd = -1;
	if(!w || !*w)
		return herr_set(err, HERR_FORBIDDEN, "no_workspace", NULL,
				"file access is off: no workspace is configured on this server "
				"(the operator sets terminal.cwd or HERMES_WORKSPACE); answer without "
				"reading or writing files");
	ws->root = realpath(w, NULL);
	if(!ws->root)
		return herr_set(err, HERR_UNAVAILABLE, "no_workspace", NULL,
				"the workspace %.200s cannot be used: %s; file tools are unavailable "
				"until the operator fixes it", w, strerror(errno));
	ws->fd = open(ws->root, WS_O_DIR);
	if(ws->fd < 0) {
		herr_set(err, HERR_UNAVAILABLE, "no_workspace", NULL,
			 "the workspace %.200s cannot be opened: %s", ws->root, strerror(errno));
		tool_ws_close(ws);
		return err->rc;
	}
	return HERR_OK;
}

void tool_ws_close(struct tool_ws *ws)
{
	free(ws->root);
	ws->root = NULL;
	if(ws->fd >= 0)
		close(ws->fd);
	ws->fd = -1;
}

void tool_ws_path_release(struct tool_ws_path *p)
{
	if(p->dirfd >= 0)
		close(p->dirfd);
	p->dirfd = -1;
	free(p->name);
	free(p->shown);
	p->name = p->shown = NULL;
	p->exists = false;
}

/* ---- resolution ------------------------------------------------------------ */

static bool is_inside(const char *root, const char *real)
{
	size_t n = strlen(root);

	if(strcmp(root, "/") == 0)
		return real[0] == '/';
	return strncmp(real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

static bool has_dotdot(const char *path)
{
	for(const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

static enum herr refuse_outside(const struct tool_ws *ws, const char *path, struct herror *err)
{
	/* Looked inside before symlinks were followed: say which way it got out. */
	bool lexical = (path[0] != '/' || is_inside(ws->root, path)) && !has_dotdot(path);

	return herr_set(err, HERR_FORBIDDEN, "outside_workspace", "path",
			"path '%.300s' is outside the workspace %.200s%s; use a path inside it", path,
			ws->root, lexical ? " (a symlink on the way leads out of it)" : "");
}

/* Move the last component of cur (a malloc'd absolute path) to the front of
 * tail. Returns false when nothing is left to move. */
static bool move_last(char *cur, struct buf *tail)
{
	size_t n = strlen(cur);
	char *slash, *rest;
	enum herr rc;

	while(n > 1 && cur[n - 1] == '/')
		cur[--n] = '\0';
	slash = strrchr(cur, '/');
	if(!slash || n <= 1)
		return false;
	rest = xstrdup(buf_str(tail));
	buf_reset(tail);
	rc = buf_adds(tail, slash + 1);
	if(!rc && *rest)
		rc = buf_addf(tail, "/%s", rest);
	free(rest);
	if(slash == cur)
		cur[1] = '\0';
	else
		*slash = '\0';
	return rc == HERR_OK;
}

/* Split full (absolute) into *real, the realpath of its longest existing
 * prefix (malloc'd), and tail, the rest. */
static enum herr split_existing(const char *full, const char *path, char **real, struct buf *tail,
				struct herror *err)
{
	char *cur = xstrdup(full);
	struct stat st;

	*real = NULL;
	while(!(*real = realpath(cur, NULL))) {
		int e = errno;

		if(e != ENOENT && e != ENOTDIR) {
			herr_set(err, e == EACCES ? HERR_FORBIDDEN : HERR_BAD_REQUEST, NULL, "path",
				 "cannot resolve path '%.300s': %s", path, strerror(e));
			break;
		}
		if(lstat(cur, &st) == 0 && S_ISLNK(st.st_mode)) {
			herr_set(err, HERR_BAD_REQUEST, NULL, "path",
				 "path '%.300s' goes through a symlink that points to nothing; use the "
				 "real path of the file instead", path);
			break;
		}
		if(!move_last(cur, tail)) {
			herr_set(err, HERR_BAD_REQUEST, NULL, "path", "path '%.300s' is too long", path);
			break;
		}
	}
	free(cur);
	return *real ? HERR_OK : err->rc;
}

/* Split s (modified in place) at '/' into comp[], skipping empty and "."
 * parts. ".." is refused: s is the part that does not exist yet. */
static enum herr split_components(char *s, bool missing, const char *path, char **comp,
				  size_t *n, struct herror *err)
{
	for(char *p = s, *next; p && *p; p = next) {
		next = strchr(p, '/');
		if(next)
			*next++ = '\0';
		if(!*p || strcmp(p, ".") == 0)
			continue;
		if(missing && strcmp(p, "..") == 0)
			return herr_set(err, HERR_BAD_REQUEST, NULL, "path",
					"path '%.300s' uses '..' after a directory that does not exist; "
					"give the path without '..'", path);
		if(*n >= WS_COMPONENTS_MAX)
			return herr_set(err, HERR_BAD_REQUEST, NULL, "path",
					"path '%.300s' is nested too deeply", path);
		comp[(*n)++] = p;
	}
	return HERR_OK;
}

/* Open (creating it first if create) directory name under fd, never through
 * a symlink. Returns the new fd or -1 with errno set. */
static int open_subdir(int fd, const char *name, bool create)
{
	int sub;
	struct stat st;

	if(create && mkdirat(fd, name, 0777) != 0 && errno != EEXIST)
		return -1;
	sub = openat(fd, name, WS_O_DIR | O_NOFOLLOW);
	if(sub < 0)
		return -1;
	if(fstat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) { /* O_PATH may open a symlink */
		close(sub);
		errno = ELOOP;
		return -1;
	}
	return sub;
}

static const char *walk_problem(int e)
{
	switch(e) {
	case ENOTDIR:
		return "is not a directory; use another path";
	case ELOOP:
		return "changed into a symlink while it was being opened; try again with the real path";
	case ENOENT:
		return "disappeared while it was being opened; try again";
	case EACCES:
	case EPERM:
		return "cannot be opened or created: permission denied";
	default:
		return "cannot be opened or created";
	}
}

/* Walk comp[0..n-1) from the workspace fd into p->dirfd; comp[k..] are new. */
static enum herr walk(const struct tool_ws *ws, char **comp, size_t n, size_t k,
		      const char *path, struct tool_ws_path *p, struct herror *err)
{
	int fd = dup(ws->fd);

	if(fd < 0)
		return herr_set(err, HERR_INTERNAL, NULL, NULL, "cannot open the workspace: %s",
				strerror(errno));
	for(size_t i = 0; i + 1 < n; i++) {
		int sub = open_subdir(fd, comp[i], i >= k);
		int e = errno;

		close(fd);
		if(sub < 0)
			return herr_set(err, e == ENOENT ? HERR_NOT_FOUND : HERR_BAD_REQUEST, NULL, "path",
					"path '%.300s': '%.200s' %s", path, comp[i], walk_problem(e));
		fd = sub;
	}
	p->dirfd = fd;
	p->name = xstrdup(n ? comp[n - 1] : ".");
	return HERR_OK;
}

/* Join comp[0..n) as the workspace-relative name shown to the model. */
static char *join_shown(char **comp, size_t n)
{
	struct buf b;

	buf_init(&b, (size_t)TOOL_WS_PATH_MAX * 2);
	for(size_t i = 0; i < n; i++)
		if(buf_addf(&b, "%s%s", i ? "/" : "", comp[i]))
			break;
	return buf_len(&b) ? buf_take(&b) : xstrdup(".");
}

enum herr tool_ws_resolve(const struct tool_ws *ws, const char *path, enum tool_ws_mode mode,
			  struct tool_ws_path *p, struct herror *err)
{
	char *full = NULL, *real = NULL, *rest = NULL, *comp[WS_COMPONENTS_MAX];
	size_t n = 0, k, plen = path ? strlen(path) : 0;
	struct buf tail;
	enum herr rc;

	p->dirfd = -1;
	p->name = p->shown = NULL;
	p->exists = false;
	p->root = ws->root;
	buf_init(&tail, (size_t)TOOL_WS_PATH_MAX * 2);
	if(!plen)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "path",
				"'path' is required: a file path relative to the workspace %.200s",
				ws->root);
	if(plen > TOOL_WS_PATH_MAX)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "path", "the path is longer than %d bytes",
				TOOL_WS_PATH_MAX);
	full = path[0] == '/' ? xstrdup(path) : NULL;
	if(!full) {
		struct buf f;

		buf_init(&f, (size_t)TOOL_WS_PATH_MAX * 2);
		if(buf_addf(&f, "%s/%s", ws->root, path) == HERR_OK)
			full = buf_take(&f);
		else
			return herr_set(err, HERR_BAD_REQUEST, NULL, "path", "the path is too long");
	}
	if((rc = split_existing(full, path, &real, &tail, err)))
		goto out;
	if(!is_inside(ws->root, real)) {
		rc = refuse_outside(ws, path, err);
		goto out;
	}
	if((rc = split_components(real + strlen(ws->root), false, path, comp, &n, err)))
		goto out;
	k = n;
	rest = buf_take(&tail);
	if((rc = split_components(rest, true, path, comp, &n, err)))
		goto out;
	p->exists = n == k;
	if(!p->exists && mode == TOOL_WS_EXISTING) {
		rc = herr_set(err, HERR_NOT_FOUND, "not_found", "path",
			      "'%.300s' does not exist in the workspace; check the path (search_files "
			      "can find files)", path);
		goto out;
	}
	if((rc = walk(ws, comp, n, k, path, p, err)))
		goto out;
	p->shown = join_shown(comp, n);
out:
	if(rc)
		tool_ws_path_release(p);
	buf_release(&tail);
	free(rest);
	free(real);
	free(full);
	return rc;
}

/* ---- reading --------------------------------------------------------------- */

enum herr tool_ws_open_file(const struct tool_ws_path *p, int *fd, size_t *size,
			    struct herror *err)
{
	struct stat st;
	int e;

	*fd = openat(p->dirfd, p->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if(*fd < 0) {
		e = errno;
		return herr_set(err, e == ENOENT ? HERR_NOT_FOUND : HERR_FORBIDDEN, NULL, "path",
				"cannot open '%.300s': %s", p->shown,
				e == ELOOP ? "it is a symlink that changed while being opened; try again"
					   : strerror(e));
	}
	if(fstat(*fd, &st) != 0)
		st.st_mode = 0;
	if(!S_ISREG(st.st_mode)) {
		e = S_ISDIR(st.st_mode);
		close(*fd);
		*fd = -1;
		return herr_set(err, HERR_BAD_REQUEST, NULL, "path",
				e ? "'%.300s' is a directory; use search_files to look inside it"
				  : "'%.300s' is not a regular file (device, FIFO or socket); only "
				    "regular files can be read", p->shown);
	}
	if(!tool_ws_links_inside(p->root, &st)) {
		close(*fd);
		*fd = -1;
		return herr_set(err, HERR_FORBIDDEN, NULL, "path",
				"'%.300s' is a hard link to a file that also has a name outside the "
				"workspace (%lu names); it is not read. Copy what you need into the "
				"workspace instead.", p->shown, (unsigned long)st.st_nlink);
	}
	fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) & ~O_NONBLOCK);
	*size = (size_t)st.st_size;
	return HERR_OK;
}

enum herr tool_ws_read_all(int fd, size_t max, const char *shown, struct buf *out,
			   struct herror *err)
{
	char chunk[65536];
	ssize_t r;

	buf_reset(out);
	while((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if(r < 0 && errno == EINTR)
			continue;
		if(r < 0)
			return herr_set(err, HERR_INTERNAL, NULL, NULL, "cannot read '%.300s': %s",
					shown, strerror(errno));
		if(buf_len(out) + (size_t)r > max || buf_add(out, chunk, (size_t)r)) {
			buf_release(out);
			return herr_set(err, HERR_TOO_LARGE, NULL, "path",
					"'%.300s' is larger than %zu bytes, too large for this tool; use "
					"the terminal tool for big files", shown, max);
		}
	}
	return HERR_OK;
}

bool tool_ws_is_binary(const char *data, size_t len)
{
	return memchr(data, '\0', len < WS_BINARY_SAMPLE ? len : WS_BINARY_SAMPLE) != NULL;
}

bool tool_ws_fd_is_binary(int fd)
{
	char sample[WS_BINARY_SAMPLE];
	ssize_t r;

	do
		r = pread(fd, sample, sizeof(sample), 0);
	while(r < 0 && errno == EINTR);
	return r > 0 && tool_ws_is_binary(sample, (size_t)r);
}

/* ---- writing --------------------------------------------------------------- */

/* Whether the target exists (*mode: its permission bits); refuses anything
 * but a writable regular file. */
static enum herr target_mode(const struct tool_ws_path *p, bool *exists, mode_t *mode,
			     struct herror *err)
{
	struct stat st;

	*exists = false;
	*mode = 0644;
	if(fstatat(p->dirfd, p->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? HERR_OK
				       : herr_set(err, HERR_FORBIDDEN, NULL, "path", "cannot write '%.300s': %s",
						  p->shown, strerror(errno));
	if(S_ISDIR(st.st_mode))
		return herr_set(err, HERR_BAD_REQUEST, NULL, "path",
				"'%.300s' is a directory; give the path of a file", p->shown);
	if(!S_ISREG(st.st_mode))
		return herr_set(err, HERR_BAD_REQUEST, NULL, "path",
				"'%.300s' is not a regular file; only regular files can be written",
				p->shown);
	if(!(st.st_mode & 0222))
		return herr_set(err, HERR_FORBIDDEN, NULL, "path",
				"'%.300s' is read-only (mode %03o); it was left unchanged", p->shown,
				(unsigned)(st.st_mode & 0777));
	*exists = true;
	*mode = st.st_mode & 0777;
	return HERR_OK;
}

enum herr tool_ws_write_atomic(const struct tool_ws_path *p, const char *data, size_t len,
			       bool *created, struct herror *err)
{
	mode_t mode;
	bool exists;
	enum herr rc;
	int e;

	if((rc = target_mode(p, &exists, &mode, err)))
		return rc;
	if(created)
		*created = !exists;
	/* New files: 0644 & ~umask (open applies it); replaced ones keep their bits. */
	e = fileio_atomic_write_at(p->dirfd, p->name, data, len, mode,
				   exists ? FILEIO_EXACT_MODE : 0);
	if(e)
		return herr_set(err, e == EACCES || e == EPERM || e == EROFS ? HERR_FORBIDDEN
									: HERR_INTERNAL,
				NULL, "path", "cannot write '%.300s': %s", p->shown, strerror(e));
	return HERR_OK;
}
