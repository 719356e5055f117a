/* tests/agent/llm_fds.c: 1,000 upstream calls, half of them failing
 * (connection refused), leave the fd count where it was. TAP output.
 * Usage: llm_fds UPSTREAM_URL */
#include "config.h"

#include "util/lazy_curl.h"
#include <json-c/json.h>
#include <stdio.h>

#include "../unit/tap.h"
#include "agent/llm.h"
#include "util/jsonx.h"

static int call(const char *url, struct json_object *msgs)
{
	struct llm_opts o = { 0 };
	struct llm_reply r;
	struct llm_call_info info;
	struct herror err;
	int ok;

	o.base_url = url;
	o.stream = true;
	o.max_retries = 0;
	o.connect_timeout_s = 5;
	llm_reply_init(&r);
	herr_clear(&err);
	ok = llm_call(&o, msgs, NULL, NULL, &r, &info, &err) == HERR_OK;
	llm_reply_release(&r);
	return ok;
}

int main(int argc, char **argv)
{
	struct json_object *msgs = json_object_new_array();
	struct json_object *m = json_object_new_object();
	int before, after, good = 0, bad = 0;

	if(argc != 2)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	jsonx_add_str(m, "role", "user");
	jsonx_add_str(m, "content", "hi");
	json_object_array_add(msgs, m);
	call(argv[1], msgs); /* warm up: first-use allocations */
	call("http://127.0.0.1:1/v1", msgs);
	before = tap_count_fds();
	for(int i = 0; i < 1000; i++) {
		if(i % 2 == 0)
			good += call(argv[1], msgs);
		else
			bad += !call("http://127.0.0.1:1/v1", msgs);
	}
	after = tap_count_fds();
	is_int(good, 500, "500 calls succeeded");
	is_int(bad, 500, "500 calls failed (connection refused)");
	is_int(after, before, "fd count flat over the 1,000 calls");
	json_object_put(msgs);
	curl_global_cleanup();
	return tap_done();
}
