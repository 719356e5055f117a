/* src/runner/info.c: the runner and its queue at a glance.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "runner/runner.h"

#include <json-c/json.h>
#include <sys/time.h>

#include "runner/run_sink.h"
#include "store/store.h"
#include "util/jsonx.h"

void runner_info(const char *home, struct store *s, struct json_object **out)
{
	struct json_object *o = json_object_new_object();
	struct store_run *runs = NULL;
	struct herror err;
	struct timeval tv;
	double started = 0, now;
	long pid = runner_pidfile_alive(home, &started);
	size_t n = 0;

	gettimeofday(&tv, NULL);
	now = (double)tv.tv_sec + tv.tv_usec / 1e6;
	herr_clear(&err);
	jsonx_add_bool(o, "running", pid != 0);
	jsonx_add_owned(o, "pid", pid > 0 ? json_object_new_int64(pid) : NULL);
	jsonx_add_owned(o, "uptime_s", pid && started > 0 && now >= started ?
				       json_object_new_int64((int64_t)(now - started)) : NULL);
	if(s && !store_run_list(s, STORE_RUN_BIT(STORE_RUN_QUEUED), 0, &runs, &n, &err)) {
		jsonx_add_int(o, "queued", (int64_t)n);
		/* oldest first */
		jsonx_add_owned(o, "oldest_queued_age_s",
				n ? json_object_new_int64((int64_t)(now - runs[0].created_at)) : NULL);
		store_run_list_free(runs, n);
	} else {
		jsonx_add_owned(o, "queued", NULL);
		jsonx_add_owned(o, "oldest_queued_age_s", NULL);
	}
	runs = NULL;
	n = 0;
	herr_clear(&err);
	if(s && !store_run_list(s, RUNNER_LIVE_STARTED, 0, &runs, &n, &err)) {
		jsonx_add_int(o, "working", (int64_t)n);
		store_run_list_free(runs, n);
	} else {
		jsonx_add_owned(o, "working", NULL);
	}
	*out = o;
}
