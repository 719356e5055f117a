/* tests/store/store_worker.c: a process that works the store for the
 * multi-process tests (tests/integration/t0500-store.sh).
 *   store_worker write HOME ID N   N mixed writes and reads, checked
 *   store_worker crash HOME        commit runs one by one, printing each,
 *                                  then hold an open write transaction
 *   store_worker rows HOME STOP    commit runs row-0, row-1, ... from one
 *                                  connection (after opening and closing a
 *                                  second one beside it) until the file
 *                                  STOP exists; print "rows N"
 *   store_worker churn HOME N      open and close the store N times, each
 *                                  time with a read, while a second handle
 *                                  of this process stays open; print
 *                                  "churned N"
 * Raw SQLite is used only to hold a transaction open at a known point. */
#include "config.h"

#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

static struct store *open_or_die(const char *home)
{
	struct store_opts o = { .home = home, .max_responses = 1000 };
	struct store *s = NULL;
	struct herror err;

	herr_clear(&err);
	if(store_open(&o, &s, &err)) {
		fprintf(stderr, "open: %s\n", err.msg);
		exit(1);
	}
	return s;
}

static int do_write(const char *home, const char *id, int n)
{
	struct store *s = open_or_die(home);
	struct herror err;
	char rid[64], body[128], *json = NULL;
	struct store_run run = { 0 };

	herr_clear(&err);
	for(int i = 0; i < n; i++) {
		struct store_run_new nr = { .id = rid, .model = "m" };

		snprintf(rid, sizeof(rid), "run-%s-%d", id, i);
		snprintf(body, sizeof(body), "{\"worker\":\"%s\",\"i\":%d}", id, i);
		if(store_run_create(s, &nr, &err) ||
		   store_event_add(s, rid, body, NULL, &err) ||
		   store_response_put(s, rid, body, NULL, &err) ||
		   store_response_get(s, rid, &json, NULL, &err) ||
		   store_run_get(s, rid, &run, &err)) {
			fprintf(stderr, "worker %s op %d: %s\n", id, i, err.msg);
			return 1;
		}
		if(strcmp(json, body) != 0) {
			fprintf(stderr, "worker %s op %d: read back %s\n", id, i, json);
			return 1;
		}
		free(json);
		store_run_release(&run);
	}
	store_close(s);
	printf("done %s %d\n", id, n);
	return 0;
}

static int do_crash(const char *home)
{
	struct store *s = open_or_die(home);
	struct herror err;
	char rid[64];
	sqlite3 *raw = NULL;
	char path[4200];

	herr_clear(&err);
	for(int i = 1; i <= 200; i++) {
		struct store_run_new nr = { .id = rid };

		snprintf(rid, sizeof(rid), "crash-%d", i);
		if(store_run_create(s, &nr, &err)) {
			fprintf(stderr, "crash worker: %s\n", err.msg);
			return 1;
		}
		printf("committed %s\n", rid);
		fflush(stdout);
	}
	snprintf(path, sizeof(path), "%s/state.db", home);
	if(sqlite3_open(path, &raw) != SQLITE_OK ||
	   sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return 1;
	for(int i = 0; i < 1000; i++) {
		char sql[160];
		snprintf(sql, sizeof(sql), "INSERT INTO runs(id, status, created_at, updated_at)"
			 " VALUES('uncommitted-%d', 'queued', 0, 0)", i);
		if(sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK)
			return 1;
	}
	printf("in-tx\n");
	fflush(stdout);
	for(;;)
		pause();
}

static int do_rows(const char *home, const char *stop)
{
	struct store *s = open_or_die(home);
	struct herror err;
	char rid[64];
	struct store_run_new nr = { .id = rid, .model = "m" };
	int n = 0;

	/* A second handle opened and closed beside the first, as a process
	 * with two connections does: it must not take the first one's locks. */
	store_close(open_or_die(home));
	herr_clear(&err);
	while(access(stop, F_OK) != 0) {
		snprintf(rid, sizeof(rid), "row-%d", n);
		if(store_run_create(s, &nr, &err)) {
			fprintf(stderr, "rows: %s: %s\n", rid, err.msg);
			return 1;
		}
		if(++n == 1) {
			printf("first\n");
			fflush(stdout);
		}
	}
	store_close(s);
	printf("rows %d\n", n);
	return 0;
}

static int do_churn(const char *home, int n)
{
	struct store *keep = open_or_die(home);
	struct herror err;
	struct store_run r;

	for(int i = 0; i < n; i++) {
		struct store *s = open_or_die(home);

		herr_clear(&err);
		if(store_run_get(s, "row-0", &r, &err)) {
			fprintf(stderr, "churn round %d: %s\n", i, err.msg);
			return 1;
		}
		store_run_release(&r);
		store_close(s);
	}
	herr_clear(&err);
	if(store_run_get(keep, "row-0", &r, &err)) {
		fprintf(stderr, "churn: the handle kept open: %s\n", err.msg);
		return 1;
	}
	store_run_release(&r);
	store_close(keep);
	printf("churned %d\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if(argc == 5 && strcmp(argv[1], "write") == 0)
		return do_write(argv[2], argv[3], atoi(argv[4]));
	if(argc == 3 && strcmp(argv[1], "crash") == 0)
		return do_crash(argv[2]);
	if(argc == 4 && strcmp(argv[1], "rows") == 0)
		return do_rows(argv[2], argv[3]);
	if(argc == 4 && strcmp(argv[1], "churn") == 0)
		return do_churn(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: store_worker write HOME ID N | crash HOME | rows HOME STOP | "
		"churn HOME N\n");
	return 2;
}
