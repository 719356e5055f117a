/* tests/shim/nolock-shm.c: an LD_PRELOAD shim that makes byte-range locks
 * on SQLite's "-shm" files fail with ENOLCK, the way NFS without a working
 * lock manager does. With it, the real SQLite fails WAL reads with
 * SQLITE_PROTOCOL ("locking protocol") after its retries, which is the
 * failure the WAL fallback exists for. Locks on the database file itself
 * keep working, as they do on such mounts with DELETE journaling.
 * Built without sanitizers; load it with ASAN_OPTIONS=verify_asan_link_order=0.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int fcntl(int fd, int cmd, ...);
int fcntl64(int fd, int cmd, ...);

static int is_shm(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if(n < 5)
		return 0;
	path[n] = '\0';
	return strcmp(path + n - 4, "-shm") == 0;
}

static int shimmed(int fd, int cmd, void *arg, const char *sym)
{
	int (*real)(int, int, ...) = (int (*)(int, int, ...))dlsym(RTLD_NEXT, sym);

	if((cmd == F_SETLK || cmd == F_SETLKW) && is_shm(fd) &&
	   ((struct flock *)arg)->l_type != F_UNLCK) {
		errno = ENOLCK;
		return -1;
	}
	return real(fd, cmd, arg);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return shimmed(fd, cmd, arg, "fcntl");
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return shimmed(fd, cmd, arg, "fcntl64");
}
