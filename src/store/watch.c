/* src/store/watch.c: noticing writes of other processes cheaply.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

enum herr store_data_version(struct store *s, int64_t *out, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, "PRAGMA data_version", &st, err);

	if(rc)
		return rc;
	if(sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = store_db_fail(s, "read data_version", err);
	sqlite3_finalize(st);
	return rc;
}
