/* src/tools/workspace_links.c: hard links in the workspace.
 *
 * A hard link made in the workspace to a file outside it (HERMES_HOME/.env,
 * made by a command while confinement was off, or by another user of the
 * directory) passes every path check: the name is inside. So a file with
 * more than one name is read only when all its names are found by walking
 * the workspace (same device and inode); the walk is bounded, and a file
 * whose names are not all found within the bound is refused.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/workspace.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINK_WALK_ENTRIES 100000
#define LINK_WALK_DEPTH 64

struct walk {
	dev_t dev;
	ino_t ino;
	nlink_t found;
	long budget;
};

static void walk_dir(int fd, struct walk *w, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if(!d) {
		close(fd);
		return;
	}
	while(w->budget > 0 && (e = readdir(d))) {
		struct stat st;

		w->budget--;
		if(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if(fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if(S_ISREG(st.st_mode) && st.st_dev == w->dev && st.st_ino == w->ino) {
			w->found++;
		} else if(S_ISDIR(st.st_mode) && st.st_dev == w->dev && depth < LINK_WALK_DEPTH) {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if(sub >= 0)
				walk_dir(sub, w, depth + 1);
		}
	}
	closedir(d);
}

bool tool_ws_links_inside(const char *root, const struct stat *st)
{
	struct walk w = { st->st_dev, st->st_ino, 0, LINK_WALK_ENTRIES };
	int fd;

	if(st->st_nlink <= 1)
		return true;
	if(!root || (fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return false;
	walk_dir(fd, &w, 0);
	return w.found >= st->st_nlink;
}
