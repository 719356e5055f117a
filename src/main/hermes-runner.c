/* src/main/hermes-runner.c: the runner daemon (src/runner/runner.h).
 * Started on demand by a responder queueing a run, by `hermesctl runner
 * start`, or by fcgi/hermes-runner.service; under runner.mode inline by a
 * reader of a live run, as --once --for N; never as root.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "runner/runner.h"
#include "util/cfg.h"
#include "util/log.h"
#include "util/privs.h"
#include "util/xalloc.h"
#include "util/str.h"

static void usage(FILE *to)
{
	fputs("usage: hermes-runner [--once] [--if-absent] [--for SECONDS] [--version]\n"
	      "  Works the queued runs of HERMES_HOME (one runner per HERMES_HOME).\n"
	      "  --once       work the queue until it is empty, then exit\n"
	      "  --if-absent  exit quietly when a runner is already running\n"
	      "  --for N      claim runs for N seconds, then stop the workers and exit\n"
	      "               (what a request starts under runner.mode inline)\n",
	      to);
}

int main(int argc, char **argv)
{
	struct runner_opts o = { 0 };
	struct herror err;
	enum log_level lvl;
	struct cfg c;
	int rc;

	log_init("hermes-runner");
	xalloc_tune();
	privs_harden();
	for(int i = 1; i < argc; i++) {
		if(strcmp(argv[i], "--once") == 0) {
			o.once = true;
		} else if(strcmp(argv[i], "--if-absent") == 0) {
			o.quiet_if_held = true;
		} else if(strcmp(argv[i], "--for") == 0 && i + 1 < argc) {
			if(!str_to_long(argv[++i], 1, 86400, &o.seconds)) {
				fprintf(stderr, "hermes-runner: --for wants 1 to 86400 seconds\n");
				return 2;
			}
		} else if(strcmp(argv[i], "--version") == 0) {
			printf("hermes-runner %s\n", PACKAGE_VERSION);
			return 0;
		} else if(strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	herr_clear(&err);
	if(cfg_load(&c, NULL, NULL)) {
		fprintf(stderr, "hermes-runner: configuration error: %s\n", c.err.msg);
		cfg_release(&c);
		return 1;
	}
	if(privs_refuse_root(PRIVS_RUNNER, c.allow_root, &err)) {
		fprintf(stderr, "hermes-runner: %s\n", err.msg);
		cfg_release(&c);
		return 1;
	}
	if(log_level_parse(c.log_level, &lvl))
		log_set_level(lvl);
	privs_scrub_secrets(&c.models);
	rc = runner_serve(&c, &o, stderr);
	cfg_release(&c);
	return rc;
}
