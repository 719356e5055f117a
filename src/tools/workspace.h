/* src/tools/workspace.h: confining the file tools to the workspace.
 *
 * A model-given path (relative to the workspace, or absolute) is resolved
 * with realpath() on the part that exists and refused unless the result lies
 * inside the workspace (ctx->cfg->workspace). The directory that holds the
 * target is then reached again by openat() from the workspace's own fd, one
 * component at a time with O_NOFOLLOW, so a symlink swapped in after the check
 * cannot lead the tool out. Everything afterwards works relative to that fd.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_WORKSPACE_H
#define HERMES_TOOLS_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "tools/registry.h"

struct json_object;

/* Longest path accepted from the model. */
#define TOOL_WS_PATH_MAX 4096

/* The workspace opened for one tool call (tool_ws_open / tool_ws_close). */
struct tool_ws {
	char *root;   /* owned: the workspace's real path */
	int fd;       /* owned: the workspace directory, or -1 */
};

enum tool_ws_mode {
	TOOL_WS_EXISTING,  /* the target must exist */
	TOOL_WS_CREATE     /* the target may be missing; missing directories above it are created */
};

/* A target inside the workspace (tool_ws_resolve / tool_ws_path_release). */
struct tool_ws_path {
	int dirfd;     /* owned: the directory holding name, or -1 */
	char *name;    /* owned: the last component; "." when the target is the workspace */
	char *shown;   /* owned: the path relative to the workspace ("." for itself) */
	bool exists;   /* the target existed when it was resolved */
	const char *root; /* borrowed: the workspace's real path (ws->root) */
};

/* Open the workspace of ctx->cfg. Refuses (HERR_FORBIDDEN) when there is no
 * configuration; HERR_UNAVAILABLE when the directory cannot be opened. On
 * error ws is left closed (tool_ws_close is still safe). */
enum herr tool_ws_open(const struct tool_ctx *ctx, struct tool_ws *ws, struct herror *err)
	__attribute__((warn_unused_result));

/* Free and close ws; safe on a closed or failed one. */
void tool_ws_close(struct tool_ws *ws);

/* Resolve path (borrowed) inside ws into p. HERR_FORBIDDEN with a message
 * naming the path and the workspace when it resolves outside (through "..",
 * an absolute path or a symlink); HERR_NOT_FOUND when mode is
 * TOOL_WS_EXISTING and it does not exist; HERR_BAD_REQUEST for an empty or
 * malformed path. With TOOL_WS_CREATE, missing directories above the target
 * are created (0777 & ~umask). On error p holds nothing (release is safe). */
enum herr tool_ws_resolve(const struct tool_ws *ws, const char *path, enum tool_ws_mode mode,
			  struct tool_ws_path *p, struct herror *err)
	__attribute__((warn_unused_result));

void tool_ws_path_release(struct tool_ws_path *p);

/* Open p's target for reading without following a symlink or blocking on a
 * FIFO; only regular files are accepted (a directory gets a message pointing
 * to search_files), and a hard link with a name outside the workspace is
 * refused (HERR_FORBIDDEN). *fd (caller closes) and *size are set on success. */
enum herr tool_ws_open_file(const struct tool_ws_path *p, int *fd, size_t *size,
			    struct herror *err)
	__attribute__((warn_unused_result));

struct stat;
/* Are all the names of the regular file st (st_nlink of them) inside the
 * workspace at root? Walks it (bounded; workspace_links.c); true at once
 * for a file with one name. */
bool tool_ws_links_inside(const char *root, const struct stat *st);

/* Read all of fd (at most max bytes, else HERR_TOO_LARGE naming shown) into
 * out, which is reset first. */
enum herr tool_ws_read_all(int fd, size_t max, const char *shown, struct buf *out,
			   struct herror *err)
	__attribute__((warn_unused_result));

/* Replace (or create) p's target with len bytes of data, atomically: a
 * temporary file in the same directory, fsync, rename over the name, fsync
 * of the directory (fileio_atomic_write_at).
 * A new file gets 0644 & ~umask; a replaced one keeps its permission bits.
 * *created (may be NULL) says whether the file is new. */
enum herr tool_ws_write_atomic(const struct tool_ws_path *p, const char *data, size_t len,
			       bool *created, struct herror *err)
	__attribute__((warn_unused_result));

/* Does this leading sample of a file look binary (holds a NUL byte)? */
bool tool_ws_is_binary(const char *data, size_t len);

/* Does fd's first 8 KiB look binary? Reads with pread; the offset is kept. */
bool tool_ws_fd_is_binary(int fd);

#endif
