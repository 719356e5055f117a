/* src/ctl/init.h: `hermesctl init` — a working HERMES_HOME with a fresh key.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_CTL_INIT_H
#define HERMES_CTL_INIT_H

#include <stdbool.h>
#include <stdio.h>

/* Create home (0700) with .env (0600) holding a new API_SERVER_KEY and a
 * commented config.yaml. An existing strong key is kept unless force.
 * The new key is printed once to out as "API_SERVER_KEY=<key>"; progress
 * and problems go to msg. Returns the process exit status. */
int ctl_init(const char *home, bool force, FILE *out, FILE *msg);

#endif
