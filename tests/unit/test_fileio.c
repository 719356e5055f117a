/* tests/unit/test_fileio.c: util/fileio: write_all completes through short
 * writes and EINTR (a slow pipe reader, an interval timer without
 * SA_RESTART) and reports EPIPE; fileio_atomic_write creates and replaces with the
 * asked mode, leaves no temporary file behind on success or failure, leaves
 * the target untouched on failure, and works from an O_PATH directory fd.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util/fileio.h"

#define BIG (4u * 1024 * 1024)

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A child that reads the pipe slowly and reports how many bytes it got and
 * their sum through a second pipe. */
static void test_write_all(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: EINTR */
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } }, off = { { 0, 0 }, { 0, 0 } };
	unsigned long got[2] = { 0, 0 }, sum = 0;
	unsigned char *data = malloc(BIG);
	int p[2], back[2], e;
	pid_t pid;

	for(size_t i = 0; i < BIG; i++)
		sum += (data[i] = (unsigned char)(i * 7 + 3));
	if(!ok(pipe(p) == 0 && pipe(back) == 0, "pipes"))
		return;
	fflush(stdout);
	pid = fork();
	if(pid == 0) {
		unsigned char chunk[4096];
		unsigned long r[2] = { 0, 0 };
		ssize_t n;

		close(p[1]);
		while((n = read(p[0], chunk, sizeof(chunk))) > 0) {
			r[0] += (unsigned long)n;
			for(ssize_t i = 0; i < n; i++)
				r[1] += chunk[i];
			if(r[0] % (256 * 1024) < sizeof(chunk))
				usleep(2000);
		}
		if(write(back[1], r, sizeof(r)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	close(back[1]);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	e = fileio_write_all(p[1], data, BIG);
	setitimer(ITIMER_REAL, &off, NULL);
	close(p[1]);
	ok(e == 0, "write_all of 4 MiB to a slow pipe under a 2 ms timer: %s", strerror(e));
	ok(read(back[0], got, sizeof(got)) == (ssize_t)sizeof(got) && got[0] == BIG && got[1] == sum,
	   "the reader got every byte in order (%lu bytes, %d timer signals)", got[0], (int)alarms);
	close(back[0]);
	waitpid(pid, NULL, 0);

	signal(SIGPIPE, SIG_IGN);
	if(pipe(p) == 0) {
		close(p[0]);
		is_int(fileio_write_all(p[1], "x", 1), EPIPE, "write_all to a pipe nobody reads: EPIPE");
		close(p[1]);
	}
	free(data);
}

static char *slurp(const char *path)
{
	static char b[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof(b) - 1);

	if(fd >= 0)
		close(fd);
	b[n > 0 ? n : 0] = '\0';
	return b;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while(d && (de = readdir(d)))
		n += de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."));
	if(d)
		closedir(d);
	return n;
}

static void test_atomic(void)
{
	char dir[] = "/tmp/hermes-fileio.XXXXXX", path[128], sub[160];
	struct stat st;
	int dfd;

	if(!ok(mkdtemp(dir) != NULL, "temp dir"))
		return;
	snprintf(path, sizeof(path), "%s/env", dir);
	umask(022);
	is_int(fileio_atomic_write(path, "one\n", 4, 0600, 0), 0, "create");
	is_str(slurp(path), "one\n", "... content");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "... mode 0600 (%03o)",
	   (unsigned)(st.st_mode & 0777));
	umask(077);
	is_int(fileio_atomic_write(path, "two", 3, 0640, FILEIO_EXACT_MODE), 0, "replace, exact mode");
	is_str(slurp(path), "two", "... new content");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "... mode exactly 0640 despite umask "
	   "077 (%03o)", (unsigned)(st.st_mode & 0777));
	umask(022);
	is_int(entries(dir), 1, "no temporary file left behind");

	snprintf(sub, sizeof(sub), "%s/adir", dir);
	mkdir(sub, 0755);
	is_int(fileio_atomic_write(sub, "x", 1, 0644, 0), EISDIR, "replacing a directory fails (EISDIR)");
	ok(stat(sub, &st) == 0 && S_ISDIR(st.st_mode), "... the directory is untouched");
	is_int(entries(dir), 2, "... and the temporary file is removed");

	snprintf(sub, sizeof(sub), "%s/missing/file", dir);
	is_int(fileio_atomic_write(sub, "x", 1, 0644, 0), ENOENT, "a missing directory: ENOENT");
	snprintf(sub, sizeof(sub), "%s/", dir);
	is_int(fileio_atomic_write(sub, "x", 1, 0644, 0), EISDIR, "a path ending in '/': EISDIR");

	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	is_int(fileio_atomic_write_at(dfd, "viapath", "three", 5, 0644, 0), 0,
	       "fileio_atomic_write_at on O_PATH");
	is_int(fileio_atomic_write_at(dfd, "a/b", "x", 1, 0644, 0), EINVAL, "a name with '/' is refused");
	close(dfd);
	snprintf(path, sizeof(path), "%s/viapath", dir);
	is_str(slurp(path), "three", "... content");

	snprintf(sub, sizeof(sub), "rm -rf '%s'", dir);
	if(system(sub) != 0)
		ok(0, "cleanup");
}

int main(void)
{
	test_write_all();
	test_atomic();
	return tap_done();
}
