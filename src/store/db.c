/* src/store/db.c: opening state.db (permissions, pragmas, WAL with its
 * fallback, migrations), closing it, and the statement helpers.
 *
 * WAL needs working shared-memory locks on the -shm file; on NFS, SMB and
 * some FUSE mounts they fail, and SQLite reports SQLITE_PROTOCOL ("locking
 * protocol") or "not authorized" on the first read after the switch. The
 * switch itself succeeds and is written into the file header, so trying it
 * on state.db would leave a database no process can read there. We
 * therefore try WAL on a scratch database in the same directory first and
 * switch state.db only if that works. SPEC: runs-discovery-security §5.2
 *
 * RULE: no code of the store opens and closes a descriptor of an existing
 * state.db, state.db-wal or state.db-shm (only SQLite does). POSIX advisory locks belong to the process and the
 * inode, not to the descriptor: closing ANY descriptor of one of those
 * files drops every lock this process holds on it, including the ones an
 * SQLite connection of this process (another struct store, or this one)
 * relies on. The next process to open the database then believes it is
 * alone, truncates and re-initialises -shm, and every process that has it
 * mapped dies of SIGBUS ("How To Corrupt An SQLite Database File" §2.2;
 * tests/integration/t0505-store-openers.sh). So: state.db is created 0600
 * with O_CREAT|O_EXCL only when it does not exist yet (no connection can
 * hold a lock on a file that did not exist); an existing one, and any
 * sidecar left wider by an older version, is narrowed with chmod() by
 * path; SQLite itself gives new sidecars the database file's mode.
 *
 * Memory: the page cache of the connection is bounded (store_opts.cache_kb,
 * PRAGMA cache_size=-N), so a long-lived responder's heap levels off at a
 * known size instead of growing to SQLite's default of about 2 MB.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cfg.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

#define STORE_BUSY_MS 5000
#define STORE_BEGIN_RETRIES 15
#define STORE_PATH_MAX 4096

static const char nfs_hint[] =
	" (state.db may be on NFS/SMB/FUSE, where SQLite's locking does not work - "
	"see https://www.sqlite.org/wal.html; put HERMES_HOME on a local disk)";

double store_db_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int is_lock_failure(const char *msg)
{
	return msg && (strstr(msg, "locking protocol") || strstr(msg, "not authorized"));
}

enum herr store_db_fail(struct store *s, const char *what, struct herror *err)
{
	int code = sqlite3_extended_errcode(s->db) & 0xff;
	const char *msg = sqlite3_errmsg(s->db);

	if(code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return herr_set(err, HERR_UNAVAILABLE, "store_busy", NULL,
				"state.db stayed locked by another process for %d ms (%s); "
				"try again", STORE_BUSY_MS, what);
	if(is_lock_failure(msg) || code == SQLITE_CANTOPEN || code == SQLITE_FULL ||
	   code == SQLITE_READONLY || code == SQLITE_IOERR || code == SQLITE_CORRUPT ||
	   code == SQLITE_NOTADB)
		return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
				"state.db unavailable: %s: %s%s", what, msg,
				is_lock_failure(msg) ? nfs_hint : "");
	return herr_set(err, HERR_INTERNAL, "store_error", NULL, "state.db: %s: %s", what, msg);
}

enum herr store_db_exec(struct store *s, const char *sql, struct herror *err)
{
	if(sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_db_fail(s, sql, err);
	return HERR_OK;
}

enum herr store_db_begin(struct store *s, struct herror *err)
{
	int rc = SQLITE_OK;

	for(int i = 0; i < STORE_BEGIN_RETRIES; i++) {
		rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if((rc & 0xff) != SQLITE_BUSY)
			break;
		/* 20-150 ms of jitter so writers that timed out together do not
		 * collide again. Not security relevant. */
		sqlite3_sleep(20 + (int)((unsigned)rand() % 131u));
	}
	if(rc != SQLITE_OK)
		return store_db_fail(s, "begin a write transaction", err);
	return HERR_OK;
}

enum herr store_db_finish(struct store *s, enum herr rc, struct herror *err)
{
	if(rc == HERR_OK) {
		if(sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
			return HERR_OK;
		rc = store_db_fail(s, "commit", err);
	}
	if(!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

enum herr store_db_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
			   struct herror *err)
{
	*st = NULL;
	if(sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return store_db_fail(s, "prepare", err);
	}
	return HERR_OK;
}

int store_db_bind_text(sqlite3_stmt *st, int idx, const char *v)
{
	if(!v)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT);
}

int store_db_bind_big_text(sqlite3_stmt *st, int idx, const char *v)
{
	if(!v)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
}

struct json_object *store_db_row(sqlite3_stmt *st)
{
	struct json_object *o = json_object_new_object();
	int n = sqlite3_column_count(st);

	for(int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		struct json_object *v = NULL;

		switch(sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			v = json_object_new_int64(sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = json_object_new_double(sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT:
		case SQLITE_BLOB:
			v = json_object_new_string_len((const char *)sqlite3_column_text(st, i),
						       sqlite3_column_bytes(st, i));
			break;
		default:
			break;
		}
		jsonx_add_owned(o, name, v);
	}
	return o;
}

enum herr store_db_rows(struct store *s, sqlite3_stmt *st, struct json_object **out,
			struct herror *err)
{
	struct json_object *arr = json_object_new_array();
	int rc;

	while((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_array_add(arr, store_db_row(st));
	if(rc != SQLITE_DONE) {
		json_object_put(arr);
		*out = NULL;
		return store_db_fail(s, "read rows", err);
	}
	*out = arr;
	return HERR_OK;
}

enum herr store_db_step_done(struct store *s, sqlite3_stmt *st, const char *what,
			     struct herror *err)
{
	int rc = sqlite3_step(st);

	if(rc == SQLITE_DONE || rc == SQLITE_ROW)
		return HERR_OK;
	if((sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT)
		return herr_set(err, HERR_CONFLICT, "conflict", NULL, "%s: %s", what,
				sqlite3_errmsg(s->db));
	return store_db_fail(s, what, err);
}

enum herr store_db_exec_id(struct store *s, const char *sql, const char *id, const char *what,
			   int *changes, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, sql, &st, err);

	if(rc)
		return rc;
	store_db_bind_text(st, 1, id);
	rc = store_db_step_done(s, st, what, err);
	if(changes)
		*changes = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return rc;
}

/* ---- opening -------------------------------------------------------------- */

static enum herr path_join(char *out, const char *dir, const char *name, struct herror *err)
{
	int n = snprintf(out, STORE_PATH_MAX, "%s/%s", dir, name);

	if(n < 0 || n >= STORE_PATH_MAX)
		return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
				"state.db unavailable: HERMES_HOME path is too long");
	return HERR_OK;
}

/* Narrow an existing file to 0600 by path (never through a descriptor:
 * see the RULE above). A missing file is fine. */
static void narrow_by_path(const char *path)
{
	struct stat st;

	if(stat(path, &st) == 0 && (st.st_mode & 0177) && chmod(path, 0600) != 0)
		LOG_WARN("cannot narrow %s to mode 0600: %s", path, strerror(errno));
}

/* Create path 0600 (any umask) if it does not exist yet, else narrow it by
 * path. Only a file this call created is opened and closed: no connection
 * can hold a lock on it. */
static enum herr ensure_private(const char *path, struct herror *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if(fd >= 0) {
		if(fchmod(fd, 0600) != 0)
			LOG_WARN("cannot set %s to mode 0600: %s", path, strerror(errno));
		close(fd);
		return HERR_OK;
	}
	if(errno == EEXIST) {
		narrow_by_path(path);
		if(access(path, R_OK | W_OK) == 0)
			return HERR_OK;
	}
	return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
			"state.db unavailable: cannot open %s: %s (check that HERMES_HOME "
			"belongs to the user the web server runs hermes-fcgi as)",
			path, strerror(errno));
}

/* Sidecars left wider than 0600 (by an older version, or a copy) are
 * narrowed; new ones get state.db's mode from SQLite. */
static void narrow_sidecars(const char *path)
{
	static const char *const ext[] = { "-wal", "-shm", "-journal" };
	char side[STORE_PATH_MAX + 16];

	for(size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", path, ext[i]);
		narrow_by_path(side);
	}
}

static enum herr make_home(const char *home, struct herror *err)
{
	struct stat st;

	if(mkdir(home, 0700) != 0 && errno != EEXIST)
		return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
				"state.db unavailable: cannot create HERMES_HOME %s: %s "
				"(run 'hermesctl init' as the user that runs hermes-fcgi)",
				home, strerror(errno));
	if(stat(home, &st) != 0 || !S_ISDIR(st.st_mode))
		return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
				"state.db unavailable: HERMES_HOME %s is not a directory", home);
	return HERR_OK;
}

/* Journal mode of an open connection into out ("wal", "delete", …). */
static int read_journal_mode(sqlite3 *db, char *out, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);

	if(rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Does WAL work in dir? 1 yes, 0 no (lock failure; why in reason), -1 on
 * another error (in reason). */
static int wal_works(const char *dir, char *reason, size_t cap)
{
	char probe[STORE_PATH_MAX], side[STORE_PATH_MAX + 8];
	sqlite3 *db = NULL;
	int ok = -1;
	struct herror e;

	herr_clear(&e);
	snprintf(probe, sizeof(probe), "%s/.state-walprobe-%ld.db", dir, (long)getpid());
	unlink(probe); /* a stale probe of a crashed process with this pid */
	if(ensure_private(probe, &e)) {
		snprintf(reason, cap, "%s", e.msg);
		return -1;
	}
	if(sqlite3_open_v2(probe, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	   sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS p(x);"
			"INSERT INTO p VALUES(1); SELECT count(*) FROM p;", NULL, NULL, NULL) == SQLITE_OK) {
		ok = 1;
	} else {
		const char *msg = db ? sqlite3_errmsg(db) : "out of memory";
		snprintf(reason, cap, "%s", msg);
		ok = is_lock_failure(msg) ? 0 : -1;
	}
	sqlite3_close_v2(db);
	unlink(probe);
	snprintf(side, sizeof(side), "%s-wal", probe);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", probe);
	unlink(side);
	return ok;
}

static enum herr set_journal(struct store *s, const char *home, struct herror *err)
{
	static int warned;
	char mode[16] = "", reason[STORE_PATH_MAX + 64], marker[STORE_PATH_MAX + 16];
	int works;

	if(read_journal_mode(s->db, mode, sizeof(mode)) != SQLITE_OK)
		return store_db_fail(s, "read journal_mode", err);
	if(strcmp(mode, "wal") == 0)
		goto done;
	/* A failed probe is recorded, so later processes on the same mount do
	 * not each wait out SQLite's lock retries (about 10 s) again. */
	snprintf(marker, sizeof(marker), "%s/state.db.nowal", home);
	if(access(marker, F_OK) == 0) {
		works = 0;
		snprintf(reason, sizeof(reason), "recorded in %s; delete that file to try WAL again",
			 marker);
	} else {
		works = wal_works(home, reason, sizeof(reason));
		if(works == 0) {
			struct herror ignore;
			herr_clear(&ignore);
			(void)ensure_private(marker, &ignore);
		}
	}
	if(works < 0)
		return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
				"state.db unavailable: WAL probe failed: %s", reason);
	if(works == 0) {
		if(!warned)
			LOG_WARN("state.db: WAL journal_mode unsupported on this filesystem (%s) - "
				 "falling back to journal_mode=DELETE; concurrent writers will wait "
				 "longer. Put HERMES_HOME on a local disk to avoid this.", reason);
		warned = 1;
		if(store_db_exec(s, "PRAGMA journal_mode=DELETE", err))
			return err->rc;
	} else if(store_db_exec(s, "PRAGMA journal_mode=WAL", err)) {
		return err->rc;
	}
	if(read_journal_mode(s->db, mode, sizeof(mode)) != SQLITE_OK)
		return store_db_fail(s, "read journal_mode", err);
done:
	snprintf(s->journal, sizeof(s->journal), "%s", mode);
	return HERR_OK;
}


void store_opts_from_cfg(const struct cfg *c, struct store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->home = c->home;
	o->max_responses = (int)c->max_stored_responses;
	o->cache_kb = (int)c->store_cache_kb;
}

enum herr store_open(const struct store_opts *opts, struct store **out, struct herror *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	char path[STORE_PATH_MAX], pragmas[128];
	enum herr rc;

	*out = NULL;
	s->max_responses = opts->max_responses > 0 ? opts->max_responses
						   : STORE_MAX_RESPONSES_DEFAULT;
	s->cache_kb = opts->cache_kb > 0 ? opts->cache_kb : STORE_CACHE_KB_DEFAULT;
	if((rc = make_home(opts->home, err)) || (rc = path_join(path, opts->home, "state.db", err)))
		goto fail;
	s->path = xstrdup(path);
	if((rc = ensure_private(path, err)))
		goto fail;
	narrow_sidecars(path);
	if(sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL,
			      "state.db unavailable: cannot open %s: %s", path,
			      s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	snprintf(pragmas, sizeof(pragmas), "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
		 " PRAGMA cache_size=-%d;", s->cache_kb);
	if((rc = set_journal(s, opts->home, err)) || (rc = store_db_exec(s, pragmas, err)) ||
	   (rc = store_schema_migrate(s, opts->schema_target, err)))
		goto fail;
	*out = s;
	return HERR_OK;
fail:
	if(err->rc == HERR_OK)
		herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL, "state.db unavailable");
	store_close(s);
	return err->rc;
}

int64_t store_memory_used(void)
{
	return (int64_t)sqlite3_memory_used();
}

void store_close(struct store *s)
{
	if(!s)
		return;
	/* close_v2 finalizes nothing by itself: every statement is finalized by
	 * the function that prepared it, so the close completes at once. */
	if(s->db && sqlite3_close(s->db) != SQLITE_OK) {
		LOG_ERR("state.db: close with statements still open: %s", sqlite3_errmsg(s->db));
		sqlite3_close_v2(s->db);
	}
	free(s->path);
	free(s);
}

/* Run a one-row SELECT bound to id; HERR_NOT_FOUND with code/what if empty. */
enum herr store_db_get_one(struct store *s, const char *sql, const char *id, const char *code,
			   const char *what, struct json_object **out, struct herror *err)
{
	sqlite3_stmt *st;
	enum herr rc = store_db_prepare(s, sql, &st, err);
	int step;

	*out = NULL;
	if(rc)
		return rc;
	store_db_bind_text(st, 1, id);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW)
		*out = store_db_row(st);
	else if(step != SQLITE_DONE)
		rc = store_db_fail(s, what, err);
	else
		rc = herr_set(err, HERR_NOT_FOUND, code, NULL, "%s %s not found.", what, id);
	sqlite3_finalize(st);
	return rc;
}
