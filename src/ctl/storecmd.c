/* src/ctl/storecmd.c: the store subcommands of hermesctl.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "ctl/storecmd.h"

#include <json-c/json.h>
#include <stdlib.h>

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
