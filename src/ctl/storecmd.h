/* src/ctl/storecmd.h: `hermesctl store check|vacuum|backup`, `hermesctl
 * sessions prune`.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_CTL_STORECMD_H
#define HERMES_CTL_STORECMD_H

#include <stdbool.h>
#include <stdio.h>

/* Open $HERMES_HOME/state.db (creating or migrating it), print its
 * backend, path, journal mode, schema version, sizes, row counts and the
 * integrity check to out. Returns the exit status (1 on any problem). */
int ctl_store_check(FILE *out);

/* VACUUM and checkpoint the database. Returns the exit status. */
int ctl_store_vacuum(FILE *out);

/* Copy $HERMES_HOME/state.db to dest (store_backup: online, consistent,
 * mode 0600, checked, atomic; the schema is not migrated). An existing
 * dest is replaced only with force. Prints one line; returns the exit
 * status (0 done, 1 failed). */
int ctl_store_backup(const char *dest, bool force, FILE *out);

/* Delete sessions idle for more than days days (a decimal number, 0 to
 * 36500) with their messages (store_session_prune). Prints how many;
 * returns 0, 1 on a store error, 2 for a bad number. */
int ctl_sessions_prune(const char *days, FILE *out);

#endif
