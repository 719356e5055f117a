/* src/util/fileio.h: writing files completely and replacing them atomically.
 *
 * The one write loop (EINTR and short writes) and the one atomic replace
 * (temporary file in the same directory, fsync, rename, fsync of the
 * directory) for everything that writes: the CGI output, hermesctl init,
 * the workspace file tools. Both return 0 or an errno value; they print
 * nothing and leave the message to the caller.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_FILEIO_H
#define HERMES_UTIL_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Write all n bytes of p to fd, retrying after EINTR and short writes.
 * Returns 0, or the errno of the failed write (EIO when write returned 0).
 * On failure some prefix of p may have been written. */
int fileio_write_all(int fd, const void *p, size_t n)
	__attribute__((warn_unused_result));

/* The permission bits of a replaced file are exactly mode (fchmod), not
 * mode & ~umask (open's default). */
#define FILEIO_EXACT_MODE 1u

/* Replace (or create) name in the directory dirfd with len bytes of data,
 * so that a reader sees either the old or the new content and a crash
 * leaves one of them on disk: the data goes to ".<name>.<random>.tmp"
 * (created O_EXCL, never through a symlink) in the same directory, is
 * fsync'd, renamed over name, and the directory is fsync'd. The new file's
 * mode is mode & ~umask, or exactly mode with FILEIO_EXACT_MODE. dirfd may
 * be an O_PATH descriptor. On error the temporary file is removed and name
 * is untouched. Returns 0 or an errno value. */
int fileio_atomic_write_at(int dirfd, const char *name, const void *data, size_t len,
			   mode_t mode, unsigned flags)
	__attribute__((warn_unused_result));

/* fsync the directory dirfd (which may be O_PATH; it is reopened), so a
 * rename or link in it survives a power cut. A filesystem that cannot sync
 * directories (EINVAL) counts as success. Returns 0 or an errno value. */
int fileio_sync_dir(int dirfd) __attribute__((warn_unused_result));

/* fileio_atomic_write_at for a path: its directory is opened, name is its last
 * component (a path ending in '/' is EISDIR). */
int fileio_atomic_write(const char *path, const void *data, size_t len, mode_t mode,
			unsigned flags)
	__attribute__((warn_unused_result));

#endif
