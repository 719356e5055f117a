/* tests/unit/test_runner_pidfile.c: runner/pidfile: one lock holder per
 * HERMES_HOME (a second open, in this process or in twenty racing
 * children, is refused and told the holder's pid), the file is 0600 with
 * the holder's pid, liveness follows the lock rather than the file (a
 * stale file with a pid in it means nothing), and closing the descriptor
 * lets the next one in.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/runner.h"
#include "tap.h"

#define RACERS 20

int main(void)
{
	char home[] = "/tmp/hermes-test-pidfile-XXXXXX", path[256];
	struct herror err;
	struct stat st;
	long holder = -5;
	int fd, fd2, wins = 0, status;
	FILE *f;

	if(!mkdtemp(home))
		return 1;
	snprintf(path, sizeof(path), "%s/%s", home, RUNNER_PIDFILE);
	is_int(runner_pidfile_alive(home, NULL), 0, "no pidfile: no runner");

	/* A stale file with a live pid in it (ours) but no lock. */
	f = fopen(path, "w");
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
	is_int(runner_pidfile_alive(home, NULL), 0, "a stale pidfile without its lock: no runner");

	herr_clear(&err);
	is_int(runner_pidfile_lock(home, &fd, &holder, &err), HERR_OK, "first lock taken");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "runner.pid is 0600");
	is_int(runner_pidfile_alive(home, NULL), getpid(), "alive: the holder's pid");
	is_int(runner_pidfile_lock(home, &fd2, &holder, &err), HERR_CONFLICT,
	       "a second lock is refused, even in the same process");
	is_str(err.code, "runner_running", "code runner_running");
	is_int(holder, getpid(), "and told who holds it");
	is_int(fd2, -1, "no descriptor is left with the loser");
	close(fd);
	is_int(runner_pidfile_alive(home, NULL), 0, "closing the descriptor releases it");

	/* Twenty processes race: exactly one wins, and keeps it until it exits. */
	for(int i = 0; i < RACERS; i++) {
		if(fork() == 0) {
			struct herror e;
			int lfd;

			herr_clear(&e);
			if(runner_pidfile_lock(home, &lfd, NULL, &e))
				_exit(1);
			usleep(300000);
			_exit(0);
		}
	}
	while(wait(&status) > 0)
		wins += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	is_int(wins, 1, "twenty racers: exactly one holds the lock");
	is_int(runner_pidfile_alive(home, NULL), 0, "the winner's exit released it");

	unlink(path);
	rmdir(home);
	return tap_done();
}
