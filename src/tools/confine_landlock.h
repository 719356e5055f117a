/* src/tools/confine_landlock.h: the Landlock ABI by raw system calls (libc
 * has no wrappers), with the constants a older <linux/landlock.h> lacks.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_CONFINE_LANDLOCK_H
#define HERMES_TOOLS_CONFINE_LANDLOCK_H

#include <stdint.h>

#include "tools/confine.h"

#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_TRUNCATE (1ULL << 14)     /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15)    /* ABI 5 */
#define LL_NET_BIND_TCP (1ULL << 0)     /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* The probed ABI version, 0 when Landlock is absent or disabled. */
int tool_landlock_abi(void);

/* A ruleset fd (O_CLOEXEC) for one run: rw trees rw (NULL-terminated),
 * read-only trees ro, the system's read-only roots, a few /dev files; every
 * tree in hide left out (its siblings are allowed one by one). TCP per
 * tc->net (ABI 4+), signals and abstract sockets scoped to the run (ABI 6+).
 * -1 with errno on failure. */
int tool_landlock_ruleset(const struct tool_confine *tc, const char *const *rw,
			  const char *const *ro);

#endif
