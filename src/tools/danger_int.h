/* src/tools/danger_int.h: what danger.c (patterns over the whole text) and
 * danger_cmd.c (one simple command at a time) share: the rule ids.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_DANGER_INT_H
#define HERMES_TOOLS_DANGER_INT_H

#include <stddef.h>

enum danger_rule {
	R_RM, R_FORMAT, R_DEVICE, R_FORKBOMB, R_CHMOD, R_PIPE, R_POWER, R_KILLALL, R_ETC,
	R_SYSWRITE, R_KERNEL, R_SERVICE, R_NET, R_MOUNT, R_FILL, R_ACCOUNT, R_SETUID,
	R_COUNT
};

/* The rule the simple command tok[0..n) (normalised words) breaks, or -1. */
int tool_danger_simple(char **tok, size_t n);

#endif
