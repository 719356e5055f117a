/* src/ctl/ownership.c: find files under HERMES_HOME that another user owns.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "ctl/ownership.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void walk(const char *dir, int depth, struct ownership_scan *s)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if(!d)
		return;
	while((e = readdir(d)) != NULL) {
		char path[OWNERSHIP_PATH_MAX];
		struct stat st;

		if(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if(s->seen >= OWNERSHIP_MAX_ENTRIES ||
		   snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path)) {
			s->truncated = true;
			continue;
		}
		s->seen++;
		if(lstat(path, &st) != 0)
			continue;
		if(st.st_uid != s->want) {
			if(s->foreign < OWNERSHIP_SHOWN) {
				snprintf(s->shown[s->foreign], sizeof(s->shown[0]), "%s", path);
				s->shown_uid[s->foreign] = st.st_uid;
			}
			s->foreign++;
		}
		if(S_ISDIR(st.st_mode)) {
			if(depth + 1 >= OWNERSHIP_MAX_DEPTH)
				s->truncated = true;
			else
				walk(path, depth + 1, s);
		}
	}
	closedir(d);
}

void ctl_ownership_scan(const char *dir, struct ownership_scan *s)
{
	s->seen = s->foreign = 0;
	s->truncated = false;
	walk(dir, 0, s);
}
