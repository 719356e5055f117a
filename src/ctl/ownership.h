/* src/ctl/ownership.h: find files under HERMES_HOME that another user owns.
 *
 * The responders run as one user (the owner of HERMES_HOME) and must be able
 * to write everything under it: a state.db or workspace file left by root
 * (hermesctl run with sudo, a responder started as root) breaks later turns.
 * The walk is bounded (depth and entry count) and never follows symlinks.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_CTL_OWNERSHIP_H
#define HERMES_CTL_OWNERSHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OWNERSHIP_SHOWN 4           /* foreign paths kept for the report */
#define OWNERSHIP_PATH_MAX 1024
#define OWNERSHIP_MAX_ENTRIES 20000 /* entries visited at most */
#define OWNERSHIP_MAX_DEPTH 16

struct ownership_scan {
	uid_t want;                 /* IN: the owner every entry should have */
	size_t seen;                /* OUT: entries visited */
	size_t foreign;             /* OUT: entries owned by another uid */
	bool truncated;             /* OUT: a bound stopped the walk */
	char shown[OWNERSHIP_SHOWN][OWNERSHIP_PATH_MAX]; /* OUT: the first foreign paths */
	uid_t shown_uid[OWNERSHIP_SHOWN];
};

/* Walk dir (not dir itself) recursively and count what s->want does not
 * own. s->want must be set; the other fields are reset here. */
void ctl_ownership_scan(const char *dir, struct ownership_scan *s);

#endif
