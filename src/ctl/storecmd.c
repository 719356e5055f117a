/* src/ctl/storecmd.c: the store subcommands of hermesctl (check, vacuum,
 * backup) and sessions prune.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "ctl/storecmd.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/cfg.h"

/* Open the store of the configured HERMES_HOME or say why not. */
static struct store *open_store(FILE *out)
{
	struct cfg cfg;
	struct store_opts o;
	struct store *s = NULL;
	struct herror err;

	herr_clear(&err);
	if(cfg_load(&cfg, NULL, NULL)) {
		fprintf(out, "FAIL config: %s\n", cfg.err.msg);
		cfg_release(&cfg);
		return NULL;
	}
	store_opts_from_cfg(&cfg, &o);
	if(store_open(&o, &s, &err))
		fprintf(out, "FAIL store: %s\n", err.msg);
	cfg_release(&cfg);
	return s;
}

int ctl_store_check(FILE *out)
{
	struct store *s = open_store(out);
	struct json_object *info = NULL;
	struct herror err;
	char *report = NULL;
	int ok = 0;

	if(!s)
		return 1;
	herr_clear(&err);
	if(store_info(s, &info, &err)) {
		fprintf(out, "FAIL store: %s\n", err.msg);
		store_close(s);
		return 1;
	}
	json_object_object_foreach(info, key, val)
		fprintf(out, "%s: %s\n", key, json_object_get_string(val));
	fprintf(out, "schema_latest: %d\n", store_schema_latest());
	json_object_put(info);
	if(store_check(s, &ok, &report, &err))
		fprintf(out, "FAIL integrity: %s\n", err.msg);
	else if(!ok)
		fprintf(out, "FAIL integrity:\n%s", report);
	else
		fprintf(out, "integrity: ok\n");
	free(report);
	store_close(s);
	return ok ? 0 : 1;
}

int ctl_store_vacuum(FILE *out)
{
	struct store *s = open_store(out);
	struct herror err;
	int rc = 0;

	if(!s)
		return 1;
	herr_clear(&err);
	if(store_vacuum(s, &err)) {
		fprintf(out, "FAIL vacuum: %s\n", err.msg);
		rc = 1;
	} else {
		fprintf(out, "vacuum: ok\n");
	}
	store_close(s);
	return rc;
}

int ctl_store_backup(const char *dest, bool force, FILE *out)
{
	struct cfg cfg;
	struct store_backup_info info;
	struct herror err;
	int rc = 0;

	herr_clear(&err);
	if(cfg_load(&cfg, NULL, NULL)) {
		fprintf(out, "FAIL config: %s\n", cfg.err.msg);
		cfg_release(&cfg);
		return 1;
	}
	if(store_backup(cfg.home, dest, force ? STORE_BACKUP_FORCE : 0, &info, &err)) {
		fprintf(out, "FAIL %s\n", err.msg);
		rc = 1;
	} else {
		fprintf(out, "backup: %s (%lld bytes, schema version %d, integrity ok)\n", dest,
			(long long)info.bytes, info.schema_version);
	}
	cfg_release(&cfg);
	return rc;
}

int ctl_sessions_prune(const char *days, FILE *out)
{
	struct store *s;
	struct herror err;
	int64_t nsess = 0, nmsg = 0;
	char *end;
	long n;
	int rc = 0;

	errno = 0;
	n = strtol(days, &end, 10);
	if(errno || end == days || *end || n < 0 || n > 36500) {
		fprintf(out, "FAIL --older-than wants a number of days (0 to 36500), not '%s'\n",
			days);
		return 2;
	}
	if(!(s = open_store(out)))
		return 1;
	herr_clear(&err);
	if(store_session_prune(s, (double)n * 86400.0, &nsess, &nmsg, &err)) {
		fprintf(out, "FAIL prune: %s\n", err.msg);
		rc = 1;
	} else {
		fprintf(out, "pruned %lld sessions, %lld messages (idle more than %ld days)\n",
			(long long)nsess, (long long)nmsg, n);
	}
	store_close(s);
	return rc;
}
