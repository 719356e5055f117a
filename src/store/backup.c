/* src/store/backup.c: a consistent copy of state.db while responders write
 * (`hermesctl store backup`).
 *
 * DESIGN. The copy is made with SQLite's online backup API from a
 * connection of its own (no migration: a backup taken with a newer
 * hermesctl before the new responders start still has the old schema).
 * Pages go over in steps of BACKUP_STEP_PAGES with a pause between steps,
 * so the copy does not monopolise the disk. Consistency:
 *  - WAL journaling: the source connection holds one read transaction over
 *    all steps, so every step reads the same snapshot (everything committed
 *    before the backup began, nothing after). Readers never block WAL
 *    writers, and because the snapshot does not move the backup is never
 *    restarted.
 *  - DELETE journaling (network filesystems): a read transaction held over
 *    the steps would block every writer, so each step takes its own; a
 *    commit by another process between steps restarts the copy. After
 *    BACKUP_RESTART_BUDGET restarts the rest is copied in one step, holding
 *    the read lock for that one pass (writers wait within their busy
 *    timeout).
 * The copy goes to ".<name>.<random>.tmp" beside DEST (created O_EXCL, mode
 * 0600 under any umask), is switched to journal_mode=DELETE (one
 * self-contained file), must pass PRAGMA integrity_check, is fsync'd, and
 * only then takes the name DEST: link() when DEST must not be replaced (so
 * a DEST that appeared meanwhile is not overwritten either), rename() with
 * BACKUP_FORCE; then the directory is fsync'd. A crash or kill -9 at any
 * point leaves DEST absent or complete; at most a stale ".<name>.*.tmp".
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/rand.h"

#define BACKUP_STEP_PAGES 128      /* 512 KiB at the default page size */
#define BACKUP_PAUSE_MS 10         /* between steps */
#define BACKUP_RESTART_BUDGET 8    /* DELETE journaling: then one pass */
#define BACKUP_BUSY_PAUSE_MS 5     /* a step found the source locked (it
                                      does not wait in the busy handler) */
#define BACKUP_BUSY_MS 60000       /* give up when locked out this long */
#define BACKUP_PATH_MAX 4096

/* What is being copied where; tmp is a name in dirfd, tmp_path its path. */
struct backup {
	const char *dest;
	char src[BACKUP_PATH_MAX];
	char dir[BACKUP_PATH_MAX];
	char tmp[BACKUP_PATH_MAX];
	char tmp_path[BACKUP_PATH_MAX];
	const char *name;          /* last component of dest */
	int dirfd;
	sqlite3 *from, *to;
};

static enum herr sql_fail(sqlite3 *db, const char *what, struct herror *err)
{
	return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL, "backup: %s: %s", what,
			db ? sqlite3_errmsg(db) : "out of memory");
}

static enum herr sys_fail(const char *what, const char *path, struct herror *err)
{
	return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL, "backup: %s %s: %s",
			what, path, strerror(errno));
}

/* Split dest into directory and name; refuse a directory, the source
 * itself, and an existing DEST without BACKUP_FORCE. */
static enum herr check_paths(struct backup *b, unsigned flags, struct herror *err)
{
	const char *slash = strrchr(b->dest, '/');
	struct stat sst, dst;

	b->name = slash ? slash + 1 : b->dest;
	if(!*b->name || !strcmp(b->name, ".") || !strcmp(b->name, ".."))
		return herr_set(err, HERR_BAD_REQUEST, "invalid_request", NULL,
				"backup: %s names a directory; give a file name", b->dest);
	if(!slash)
		snprintf(b->dir, sizeof(b->dir), ".");
	else if(slash == b->dest)
		snprintf(b->dir, sizeof(b->dir), "/");
	else if((size_t)(slash - b->dest) >= sizeof(b->dir))
		return herr_set(err, HERR_BAD_REQUEST, "invalid_request", NULL,
				"backup: destination path too long");
	else
		snprintf(b->dir, sizeof(b->dir), "%.*s", (int)(slash - b->dest), b->dest);
	if(stat(b->src, &sst) != 0)
		return errno == ENOENT
			? herr_set(err, HERR_NOT_FOUND, "store_not_found", NULL,
				   "backup: there is no %s (wrong HERMES_HOME?)", b->src)
			: sys_fail("cannot read", b->src, err);
	if(lstat(b->dest, &dst) == 0) {
		if(S_ISDIR(dst.st_mode))
			return herr_set(err, HERR_BAD_REQUEST, "invalid_request", NULL,
					"backup: %s is a directory; give a file name", b->dest);
		if(dst.st_dev == sst.st_dev && dst.st_ino == sst.st_ino)
			return herr_set(err, HERR_BAD_REQUEST, "invalid_request", NULL,
					"backup: %s is the database itself", b->dest);
		if(!(flags & STORE_BACKUP_FORCE))
			return herr_set(err, HERR_CONFLICT, "backup_exists", NULL,
					"backup: %s exists; choose another name or use --force "
					"to replace it", b->dest);
	}
	return HERR_OK;
}

/* Create the temporary file 0600 (exactly) beside dest and open both
 * connections. */
static enum herr open_both(struct backup *b, struct herror *err)
{
	char hex[16];
	int fd;

	b->dirfd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if(b->dirfd < 0)
		return sys_fail("cannot open directory", b->dir, err);
	if(rand_hex(hex, sizeof(hex), 6))
		return herr_set(err, HERR_INTERNAL, "internal_error", NULL, "backup: no randomness");
	snprintf(b->tmp, sizeof(b->tmp), ".%.200s.%s.tmp", b->name, hex);
	if((size_t)snprintf(b->tmp_path, sizeof(b->tmp_path), "%s/%s", b->dir, b->tmp) >=
	   sizeof(b->tmp_path)) {
		b->tmp[0] = '\0';
		return herr_set(err, HERR_BAD_REQUEST, "invalid_request", NULL,
				"backup: path too long");
	}
	fd = openat(b->dirfd, b->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if(fd < 0) {
		b->tmp[0] = '\0';
		return sys_fail("cannot create a file in", b->dir, err);
	}
	if(fchmod(fd, 0600) != 0) {
		close(fd);
		return sys_fail("cannot set the mode of", b->tmp_path, err);
	}
	close(fd); /* our own new, empty file: no SQLite lock to lose */
	if(sqlite3_open_v2(b->src, &b->from, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return sql_fail(b->from, "open state.db", err);
	sqlite3_busy_timeout(b->from, 5000);
	if(sqlite3_open_v2(b->tmp_path, &b->to, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return sql_fail(b->to, "open the copy", err);
	sqlite3_busy_timeout(b->to, 5000);
	return HERR_OK;
}

/* Is the source in WAL mode? (A query; it changes nothing.) */
static int source_is_wal(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int wal = 0;

	if(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	   sqlite3_step(st) == SQLITE_ROW)
		wal = !sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	return wal;
}

/* The step loop (see DESIGN). */
static enum herr copy_pages(struct backup *b, struct store_backup_info *info,
			    struct herror *err)
{
	int wal = source_is_wal(b->from), busy_ms = 0, step, last_left = -1, pages;
	sqlite3_backup *bk;

	/* WAL: pin one snapshot for every step (BEGIN is deferred; the SELECT
	 * starts the read transaction). */
	if(wal && sqlite3_exec(b->from, "BEGIN; SELECT count(*) FROM sqlite_schema",
			       NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(b->from, "start a read transaction", err);
	bk = sqlite3_backup_init(b->to, "main", b->from, "main");
	if(!bk)
		return sql_fail(b->to, "start", err);
	do {
		pages = info->restarts >= BACKUP_RESTART_BUDGET ? -1 : BACKUP_STEP_PAGES;
		step = sqlite3_backup_step(bk, pages);
		if(step == SQLITE_BUSY || step == SQLITE_LOCKED) {
			busy_ms += BACKUP_BUSY_PAUSE_MS;
			sqlite3_sleep(BACKUP_BUSY_PAUSE_MS);
			continue;
		}
		if(step == SQLITE_OK) {
			int left = sqlite3_backup_remaining(bk);

			if(last_left >= 0 && left >= last_left)
				info->restarts++;
			last_left = left;
			sqlite3_sleep(BACKUP_PAUSE_MS);
		}
	} while((step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED) &&
		busy_ms < BACKUP_BUSY_MS);
	info->pages = sqlite3_backup_pagecount(bk);
	sqlite3_backup_finish(bk);
	if(wal)
		sqlite3_exec(b->from, "COMMIT", NULL, NULL, NULL);
	if(step == SQLITE_DONE)
		return HERR_OK;
	if(step == SQLITE_BUSY || step == SQLITE_LOCKED)
		return herr_set(err, HERR_UNAVAILABLE, "store_busy", NULL,
				"backup: state.db stayed locked for %d s; try again",
				BACKUP_BUSY_MS / 1000);
	return herr_set(err, HERR_UNAVAILABLE, "store_unavailable", NULL, "backup: copy: %s",
			sqlite3_errstr(step));
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Make the copy one self-contained file, check it, and close it. */
static enum herr seal(struct backup *b, struct store_backup_info *info, struct herror *err)
{
	sqlite3_stmt *st = NULL;
	const char *first = NULL;
	char report[256] = "";
	int step;

	if(sqlite3_exec(b->to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(b->to, "set journal_mode=DELETE on the copy", err);
	if(sqlite3_prepare_v2(b->to, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(b->to, "integrity_check", err);
	step = sqlite3_step(st);
	if(step == SQLITE_ROW && (first = (const char *)sqlite3_column_text(st, 0)))
		snprintf(report, sizeof(report), "%s", first);
	sqlite3_finalize(st);
	if(step != SQLITE_ROW)
		return sql_fail(b->to, "integrity_check", err);
	if(strcmp(report, "ok") != 0)
		return herr_set(err, HERR_INTERNAL, "backup_corrupt", NULL,
				"backup: the copy fails integrity_check (%s); state.db itself may be "
				"damaged - run hermesctl store check", report);
	info->schema_version = (int)one_int(b->to, "PRAGMA user_version");
	info->bytes = one_int(b->to, "PRAGMA page_count") * one_int(b->to, "PRAGMA page_size");
	if(sqlite3_close(b->to) != SQLITE_OK)
		return sql_fail(b->to, "close the copy", err);
	b->to = NULL;
	return HERR_OK;
}

/* fsync the copy, give it its name, fsync the directory. */
static enum herr publish(struct backup *b, unsigned flags, struct herror *err)
{
	int fd = openat(b->dirfd, b->tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), e = 0;

	if(fd < 0)
		return sys_fail("cannot reopen", b->tmp_path, err);
	if(fsync(fd) != 0)
		e = errno;
	close(fd);
	if(e) {
		errno = e;
		return sys_fail("cannot sync", b->tmp_path, err);
	}
	if(flags & STORE_BACKUP_FORCE) {
		if(renameat(b->dirfd, b->tmp, b->dirfd, b->name) != 0)
			return sys_fail("cannot rename the copy to", b->dest, err);
	} else {
		if(linkat(b->dirfd, b->tmp, b->dirfd, b->name, 0) != 0)
			return errno == EEXIST
				? herr_set(err, HERR_CONFLICT, "backup_exists", NULL,
					   "backup: %s appeared meanwhile; use --force to "
					   "replace it", b->dest)
				: sys_fail("cannot create", b->dest, err);
		unlinkat(b->dirfd, b->tmp, 0);
	}
	b->tmp[0] = '\0';
	if((e = fileio_sync_dir(b->dirfd)) != 0) {
		errno = e;
		return sys_fail("cannot sync directory", b->dir, err);
	}
	return HERR_OK;
}

/* Remove the temporary file and whatever SQLite left beside it. */
static void remove_tmp(struct backup *b)
{
	static const char *const ext[] = { "", "-journal", "-wal", "-shm" };
	char p[BACKUP_PATH_MAX + 16];

	if(!b->tmp[0] || b->dirfd < 0)
		return;
	for(size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", b->tmp, ext[i]);
		unlinkat(b->dirfd, p, 0);
	}
}

enum herr store_backup(const char *home, const char *dest, unsigned flags,
		       struct store_backup_info *info, struct herror *err)
{
	struct backup b = { .dest = dest, .dirfd = -1 };
	enum herr rc;

	memset(info, 0, sizeof(*info));
	if((size_t)snprintf(b.src, sizeof(b.src), "%s/state.db", home) >= sizeof(b.src) ||
	   strlen(dest) >= BACKUP_PATH_MAX - 256)
		return herr_set(err, HERR_BAD_REQUEST, "invalid_request", NULL,
				"backup: path too long");
	if((rc = check_paths(&b, flags, err)) || (rc = open_both(&b, err)) ||
	   (rc = copy_pages(&b, info, err)) || (rc = seal(&b, info, err)))
		goto out;
	rc = publish(&b, flags, err);
out:
	sqlite3_close_v2(b.to);
	sqlite3_close_v2(b.from);
	remove_tmp(&b);
	if(b.dirfd >= 0)
		close(b.dirfd);
	return rc;
}
