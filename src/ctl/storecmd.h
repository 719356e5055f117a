/* src/ctl/storecmd.h: `hermesctl store check|vacuum`.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_CTL_STORECMD_H
#define HERMES_CTL_STORECMD_H

#include <stdio.h>

/* Open $HERMES_HOME/state.db (creating or migrating it), print its
 * backend, path, journal mode, schema version, sizes, row counts and the
 * integrity check to out. Returns the exit status (1 on any problem). */
int ctl_store_check(FILE *out);

/* VACUUM and checkpoint the database. Returns the exit status. */
int ctl_store_vacuum(FILE *out);

#endif
