/* src/store/admin.c: what `hermesctl store` and /health/detailed report:
 * sizes, counts, integrity, vacuum; and pruning old sessions.
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

/* Sessions written since the cutoff and every session they descend from:
 * a client may still address a rotated session by its first id. */
#define PRUNE_KEEP                                                               \
	"WITH RECURSIVE keep(id) AS (SELECT id FROM sessions WHERE updated_at >= ?1" \
	" UNION SELECT p.parent_session_id FROM sessions p JOIN keep k ON p.id = k.id" \
	" WHERE p.parent_session_id IS NOT NULL) "
#define PRUNE_VICTIMS "SELECT id FROM sessions WHERE id NOT IN (SELECT id FROM keep)"

static enum herr prune_step(struct store *s, const char *sql, double cutoff, int64_t *n,
			    struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, sql, &st, err);
	int step;

	if(rc)
		return rc;
	sqlite3_bind_double(st, 1, cutoff);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else if(step == SQLITE_DONE)
		*n = sqlite3_changes(s->db);
	else
		rc = store_db_fail(s, "prune sessions", err);
	sqlite3_finalize(st);
	return rc;
}

enum herr store_session_prune(struct store *s, double max_age, int64_t *sessions,
			      int64_t *messages, struct herror *err)
{
	double cutoff = store_db_now() - max_age;
	int64_t nmsg = 0, nsess = 0, ntodo = 0;
	enum herr rc = store_db_begin(s, err);

	if(rc)
		return rc;
	/* Messages go with their session (ON DELETE CASCADE); count them first. */
	rc = prune_step(s, PRUNE_KEEP "SELECT count(*) FROM messages WHERE session_id IN ("
			PRUNE_VICTIMS ")", cutoff, &nmsg, err);
	if(!rc)
		rc = prune_step(s, PRUNE_KEEP "DELETE FROM todos WHERE session_id IN ("
				PRUNE_VICTIMS ")", cutoff, &ntodo, err);
	if(!rc)
		rc = prune_step(s, PRUNE_KEEP "DELETE FROM sessions WHERE id IN (" PRUNE_VICTIMS ")",
				cutoff, &nsess, err);
	rc = store_db_finish(s, rc, err);
	if(!rc && sessions)
		*sessions = nsess;
	if(!rc && messages)
		*messages = nmsg;
	return rc;
}
