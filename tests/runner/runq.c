/* tests/runner/runq.c: the runs table from the shell, for the runner's
 * tests (the HTTP face is /v1/runs; these tests need none of it).
 *   runq add ID REQUEST_JSON   queue a run (REQUEST_JSON "-": read it from
 *                              stdin, for requests past the argument limit)
 *   runq get ID                {status, last_event, output, usage, error, worker_pid}
 *   runq events ID             [{seq, event}] with event parsed
 *   runq stop ID               the run -> stopping (as POST .../stop does)
 *   runq steer ID TEXT         queue steer text for a running run
 *   runq approve ID CHOICE     answer its newest open approval request
 * HERMES_HOME is the store's directory.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/cfg.h"
#include "util/jsonx.h"

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

int main(int argc, char **argv)
{
	struct cfg c;
	struct store_opts so;
	struct store *s = NULL;
	struct herror err;
	struct store_run run;
	struct json_object *o = NULL;
	int rc = 0;

	herr_clear(&err);
	if(argc < 3) {
		fputs("usage: runq add|get|events|stop ID [JSON]\n", stderr);
		return 2;
	}
	cfg_load(&c, NULL, NULL);
	store_opts_from_cfg(&c, &so);
	if(store_open(&so, &s, &err))
		goto fail;
	if(strcmp(argv[1], "add") == 0 && argc == 4) {
		struct store_run_new r = { .id = argv[2], .request = argv[3] };
		struct buf in;

		buf_init(&in, 64u * 1024 * 1024);
		if(strcmp(argv[3], "-") == 0) {
			if(buf_read_file(&in, "/dev/stdin")) {
				herr_set(&err, HERR_IO, NULL, NULL, "cannot read the request from stdin");
				buf_release(&in);
				goto fail;
			}
			r.request = buf_str(&in);
		}
		rc = store_run_create(s, &r, &err) ? 1 : 0;
		buf_release(&in);
		if(rc)
			goto fail;
	} else if(strcmp(argv[1], "get") == 0) {
		if(store_run_get(s, argv[2], &run, &err))
			goto fail;
		o = json_object_new_object();
		jsonx_add_str(o, "status", store_run_status_name(run.status));
		jsonx_add_owned(o, "last_event", str_or_null(run.last_event));
		jsonx_add_owned(o, "output", str_or_null(run.output));
		jsonx_add_owned(o, "usage", str_or_null(run.usage));
		jsonx_add_owned(o, "error", str_or_null(run.error));
		jsonx_add_int(o, "worker_pid", run.worker_pid);
		store_run_release(&run);
	} else if(strcmp(argv[1], "events") == 0) {
		if(store_events(s, argv[2], 0, 0, &o, &err))
			goto fail;
	} else if(strcmp(argv[1], "stop") == 0) {
		if(store_run_transition(s, argv[2], STORE_RUN_LIVE, STORE_RUN_STOPPING, NULL, NULL, &err))
			goto fail;
	} else if(strcmp(argv[1], "steer") == 0 && argc == 4) {
		if(store_run_steer_add(s, argv[2], argv[3], STORE_RUN_BIT(STORE_RUN_RUNNING), NULL,
				       NULL, &err))
			goto fail;
	} else if(strcmp(argv[1], "approve") == 0 && argc == 4) {
		if(store_run_approval_answer(s, argv[2], NULL, argv[3],
					     STORE_RUN_BIT(STORE_RUN_WAITING_FOR_APPROVAL), NULL, NULL,
					     &err))
			goto fail;
	} else {
		fputs("runq: unknown command\n", stderr);
		rc = 2;
	}
	if(o)
		printf("%s\n", jsonx_text(o, NULL));
	goto out;
fail:
	fprintf(stderr, "runq: %s\n", err.msg);
	rc = 1;
out:
	json_object_put(o);
	store_close(s);
	cfg_release(&c);
	return rc;
}
