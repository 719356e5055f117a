/* src/util/fileio.c: complete writes and atomic replacement (util/fileio.h).
 *
 * Why the directory fsync: rename() is atomic for readers at once, but it
 * is durable only once the directory entry itself reaches the disk; after a
 * power cut without it the old name (or no name) may come back even though
 * the new file's data was synced.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/rand.h"
#include "util/xalloc.h"

int fileio_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while(n) {
		ssize_t w = write(fd, c, n);

		if(w < 0 && errno == EINTR)
			continue;
		if(w < 0)
			return errno;
		if(w == 0)
			return EIO;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int fileio_sync_dir(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), e = 0;

	if(fd < 0)
		return errno;
	if(fsync(fd) != 0 && errno != EINVAL) /* EINVAL: the filesystem cannot sync directories */
		e = errno;
	close(fd);
	return e;
}

/* Write data to the new file fd (mode fixed first if asked), sync and close it. */
static int fill(int fd, const void *data, size_t len, mode_t mode, unsigned flags)
{
	int e = 0;

	if((flags & FILEIO_EXACT_MODE) && fchmod(fd, mode) != 0)
		e = errno;
	if(!e)
		e = fileio_write_all(fd, data, len);
	if(!e && fsync(fd) != 0)
		e = errno;
	if(close(fd) != 0 && !e)
		e = errno;
	return e;
}

int fileio_atomic_write_at(int dirfd, const char *name, const void *data, size_t len,
			   mode_t mode, unsigned flags)
{
	char hex[16], tmp[160];
	int fd, e;

	if(!*name || strchr(name, '/'))
		return EINVAL;
	if(rand_hex(hex, sizeof(hex), 6))
		return EIO;
	snprintf(tmp, sizeof(tmp), ".%.100s.%s.tmp", name, hex);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if(fd < 0)
		return errno;
	e = fill(fd, data, len, mode, flags);
	if(!e && renameat(dirfd, tmp, dirfd, name) != 0)
		e = errno;
	if(e) {
		unlinkat(dirfd, tmp, 0);
		return e;
	}
	return fileio_sync_dir(dirfd);
}

int fileio_atomic_write(const char *path, const void *data, size_t len, mode_t mode,
			unsigned flags)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int dirfd, e;

	if(slash && !slash[1])
		return EISDIR;
	if(!slash)
		dir = xstrdup(".");
	else if(slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if(dirfd < 0)
		return errno;
	e = fileio_atomic_write_at(dirfd, slash ? slash + 1 : path, data, len, mode, flags);
	close(dirfd);
	return e;
}
