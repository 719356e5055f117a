/* src/ctl/runner.c: the runner from the command line.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "ctl/runner.h"

#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "runner/runner.h"
#include "store/store.h"
#include "util/cfg.h"
#include "util/privs.h"

/* Wait up to ms for the runner of home to be alive (want) or gone. */
static long wait_for(const char *home, bool want, int ms)
{
	long pid = runner_pidfile_alive(home, NULL);

	for(int waited = 0; (pid != 0) != want && waited < ms; waited += 50) {
		poll(NULL, 0, 50);
		pid = runner_pidfile_alive(home, NULL);
	}
	return pid;
}

static int start(const struct cfg *c, FILE *out, FILE *msg)
{
	struct herror err;
	long pid;

	herr_clear(&err);
	if(runner_ensure(c, &err)) {
		fprintf(msg, "hermesctl: %s\n", err.msg);
		return 1;
	}
	pid = wait_for(c->home, true, 5000);
	if(!pid) {
		fprintf(msg, "hermesctl: the runner did not start; see %s/%s\n", c->home, RUNNER_LOG);
		return 1;
	}
	fprintf(out, "runner running (pid %ld)\n", pid);
	return 0;
}

static int stop(const struct cfg *c, FILE *out, FILE *msg)
{
	long pid = runner_pidfile_alive(c->home, NULL);

	if(!pid) {
		fprintf(out, "no runner is running\n");
		return 0;
	}
	if(pid < 0 || kill((pid_t)pid, SIGTERM) != 0) {
		fprintf(msg, "hermesctl: cannot signal the runner (pid %ld)\n", pid);
		return 1;
	}
	if(wait_for(c->home, false, 30000)) {
		fprintf(msg, "hermesctl: the runner (pid %ld) is still running\n", pid);
		return 1;
	}
	fprintf(out, "runner stopped (pid %ld)\n", pid);
	return 0;
}

static void print_field(FILE *out, struct json_object *info, const char *key, const char *label,
			const char *unit)
{
	struct json_object *v = json_object_object_get(info, key);

	if(v)
		fprintf(out, "%-12s %s%s\n", label, json_object_get_string(v), unit);
}

static int status(const struct cfg *c, FILE *out)
{
	struct store_opts so;
	struct store *s = NULL;
	struct json_object *info;
	struct herror err;
	int alive;

	herr_clear(&err);
	store_opts_from_cfg(c, &so);
	if(store_open(&so, &s, &err))
		fprintf(out, "store: %s\n", err.msg);
	runner_info(c->home, s, &info);
	alive = json_object_get_boolean(json_object_object_get(info, "running"));
	fprintf(out, "runner       %s\n", alive ? "running" : "not running");
	fprintf(out, "mode         %s\n", c->runner_mode_name);
	print_field(out, info, "pid", "pid", "");
	print_field(out, info, "uptime_s", "uptime", " s");
	print_field(out, info, "queued", "queued", "");
	print_field(out, info, "working", "working", "");
	print_field(out, info, "oldest_queued_age_s", "oldest queued", " s");
	json_object_put(info);
	store_close(s);
	return alive ? 0 : 3;
}

int ctl_runner(const char *verb, FILE *out, FILE *msg)
{
	struct runner_opts o = { .once = true };
	struct herror err;
	struct cfg c;
	int rc = 2;

	herr_clear(&err);
	if(cfg_load(&c, NULL, NULL)) {
		fprintf(msg, "configuration error: %s\n", c.err.msg);
		cfg_release(&c);
		return 1;
	}
	if(strcmp(verb, "start") == 0 || strcmp(verb, "run-once") == 0) {
		if(privs_refuse_root(PRIVS_RUNNER, c.allow_root, &err)) {
			fprintf(msg, "hermesctl: %s\n", err.msg);
			cfg_release(&c);
			return 1;
		}
	}
	if(strcmp(verb, "start") == 0)
		rc = start(&c, out, msg);
	else if(strcmp(verb, "stop") == 0)
		rc = stop(&c, out, msg);
	else if(strcmp(verb, "status") == 0)
		rc = status(&c, out);
	else if(strcmp(verb, "run-once") == 0)
		rc = runner_serve(&c, &o, msg);
	cfg_release(&c);
	return rc;
}
