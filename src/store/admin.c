/* src/store/admin.c: what `hermesctl store` and /health/detailed report:
 * sizes, counts, integrity, vacuum.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/jsonx.h"

static int64_t file_size(const char *path, const char *suffix)
{
	char p[4200];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (int64_t)st.st_size : 0;
}

static int64_t pragma_int(struct store *s, const char *sql, int64_t def)
{
	sqlite3_stmt *st = NULL;
	int64_t v = def;

	if(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	   sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The page cache bound the connection really has, in KiB (PRAGMA
 * cache_size: negative is KiB, positive is pages). */
static int64_t cache_kb(struct store *s)
{
	int64_t v = pragma_int(s, "PRAGMA cache_size", 0);

	return v < 0 ? -v : v * pragma_int(s, "PRAGMA page_size", 4096) / 1024;
}

enum herr store_info(struct store *s, struct json_object **out, struct herror *err)
{
	static const char *const tables[] = { "responses", "sessions", "messages", "runs" };
	struct json_object *o = json_object_new_object();
	enum herr rc = HERR_OK;

	jsonx_add_str(o, "backend", "sqlite");
	jsonx_add_str(o, "path", s->path);
	jsonx_add_str(o, "journal_mode", s->journal);
	jsonx_add_int(o, "schema_version", s->version);
	jsonx_add_int(o, "cache_kb", cache_kb(s));
	jsonx_add_int(o, "size_bytes", file_size(s->path, ""));
	jsonx_add_int(o, "wal_bytes", file_size(s->path, "-wal"));
	for(size_t i = 0; i < sizeof(tables) / sizeof(tables[0]) && !rc; i++) {
		char sql[64];
		sqlite3_stmt *st;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
		if((rc = store_db_prepare(s, sql, &st, err)))
			break;
		if(sqlite3_step(st) == SQLITE_ROW)
			jsonx_add_int(o, tables[i], sqlite3_column_int64(st, 0));
		else
			rc = store_db_fail(s, "count rows", err);
		sqlite3_finalize(st);
	}
	if(rc) {
		json_object_put(o);
		o = NULL;
	}
	*out = o;
	return rc;
}

enum herr store_check(struct store *s, int *ok_out, char **report, struct herror *err)
{
	sqlite3_stmt *st;
	struct buf b;
	enum herr rc = store_db_prepare(s, "PRAGMA integrity_check", &st, err);
	int step;

	*ok_out = 0;
	*report = NULL;
	if(rc)
		return rc;
	buf_init(&b, 1 << 20);
	while((step = sqlite3_step(st)) == SQLITE_ROW)
		if(buf_addf(&b, "%s\n", (const char *)sqlite3_column_text(st, 0)))
			break;
	if(step != SQLITE_ROW && step != SQLITE_DONE)
		rc = store_db_fail(s, "integrity_check", err);
	sqlite3_finalize(st);
	*ok_out = !rc && buf_len(&b) && !strcmp(buf_str(&b), "ok\n");
	*report = buf_take(&b);
	return rc;
}

enum herr store_vacuum(struct store *s, struct herror *err)
{
	enum herr rc = store_db_exec(s, "VACUUM", err);

	if(!rc && strcmp(s->journal, "wal") == 0 &&
	   sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
		rc = store_db_fail(s, "checkpoint", err);
	return rc;
}
