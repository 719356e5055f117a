/* src/main/hermesctl.c: the admin CLI.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "util/lazy_curl.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/chat.h"
#include "ctl/discover.h"
#include "ctl/doctor.h"
#include "ctl/init.h"
#include "ctl/runner.h"
#include "ctl/sessions.h"
#include "ctl/storecmd.h"
#include "util/cfg.h"
#include "util/log.h"
#include "util/privs.h"
#include "util/xalloc.h"

static void usage(FILE *to)
{
	fputs("usage: hermesctl COMMAND\n"
	      "  init [--force]  create HERMES_HOME with a new API key (printed once)\n"
	      "                  and look for local model servers on 127.0.0.1\n"
	      "  doctor [--discover]\n"
	      "                  check HERMES_HOME, key, config files and the upstream;\n"
	      "                  --discover first looks for local model servers\n"
	      "  chat [-s SESSION] [-k KEY] MESSAGE\n"
	      "                  one agent turn, streamed to the terminal; -s continues a\n"
	      "                  session, -k scopes memory (like X-Hermes-Session-Key)\n"
	      "  sessions list [--limit N] [--offset N] [--cursor ID] [--source S]\n"
	      "                  sessions, newest first (a page; \"more:\" gives the next)\n"
	      "  sessions show ID  a session and its messages\n"
	      "  sessions rename ID TITLE | delete ID | fork ID [--at MSG_ID] [--title T]\n"
	      "  sessions export ID  its messages as JSON lines\n"
	      "  sessions import FILE|- [--title T]\n"
	      "                  a new session holding an export's messages\n"
	      "  store check     open state.db, show version, sizes, integrity_check\n"
	      "  store vacuum    compact state.db\n"
	      "  store backup [--force] DEST\n"
	      "                  consistent copy of state.db while the server runs\n"
	      "  sessions prune --older-than DAYS\n"
	      "                  delete sessions idle for more than DAYS days\n"
	      "  runner start|stop|status\n"
	      "                  the hermes-runner daemon that works /v1/runs\n"
	      "  runner run-once work the queued runs in the foreground, then exit (cron)\n"
	      "  version         print the version\n"
	      "HERMES_HOME defaults to ~/.hermes of the current user. Run as root,\n"
	      "hermesctl switches to the owner of HERMES_HOME first.\n",
	      to);
}

/* Run as root, hermesctl becomes the owner of HERMES_HOME before touching
 * anything, so state.db, the workspace and new files stay the responders'
 * (docs/operations.md, "hermesctl"). */
static int act_as_home_owner(void)
{
	struct herror err;
	const char *user = NULL;
	char *home = cfg_default_home();
	int rc = 0;

	herr_clear(&err);
	if(privs_become_home_owner(home, &user, &err)) {
		fprintf(stderr, "hermesctl: %s\n", err.msg);
		rc = 1;
	} else if(user) {
		fprintf(stderr, "hermesctl: running as %s, the owner of %s\n", user, home);
	}
	free(home);
	return rc;
}

int main(int argc, char **argv)
{
	int rc;

	log_init("hermesctl");
	xalloc_tune();
	privs_harden();
	if(argc < 2) {
		usage(stderr);
		return 2;
	}
	if(strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("hermesctl %s\n", PACKAGE_VERSION);
		return 0;
	}
	if(strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if(act_as_home_owner())
		return 1;
	if(strcmp(argv[1], "init") == 0) {
		bool force = argc > 2 && strcmp(argv[2], "--force") == 0;
		char *home = cfg_default_home();

		if(argc > 2 && !force) {
			usage(stderr);
			free(home);
			return 2;
		}
		rc = ctl_init(home, force, stdout, stderr);
		free(home);
		if(!rc) {
			curl_global_init(CURL_GLOBAL_DEFAULT);
			rc = ctl_discover(stderr);
			curl_global_cleanup();
		}
		return rc;
	}
	if(strcmp(argv[1], "doctor") == 0) {
		if(argc > 2 && strcmp(argv[2], "--discover") != 0) {
			usage(stderr);
			return 2;
		}
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if(argc > 2 && ctl_discover(stdout)) {
			curl_global_cleanup();
			return 1;
		}
		rc = ctl_doctor(stdout);
		curl_global_cleanup();
		return rc;
	}
	if(strcmp(argv[1], "chat") == 0) {
		const char *sid = NULL, *key = NULL;
		int i = 2;

		while(i + 1 < argc - 1 && argv[i][0] == '-') {
			if(strcmp(argv[i], "-s") == 0)
				sid = argv[i + 1];
			else if(strcmp(argv[i], "-k") == 0)
				key = argv[i + 1];
			else
				break;
			i += 2;
		}
		if(i != argc - 1) {
			usage(stderr);
			return 2;
		}
		curl_global_init(CURL_GLOBAL_DEFAULT);
		rc = ctl_chat(sid, key, argv[i], stdout, stderr);
		curl_global_cleanup();
		return rc;
	}
	if(strcmp(argv[1], "sessions") == 0 && argc == 4 && strcmp(argv[2], "show") == 0)
		return ctl_sessions_show(argv[3], stdout);
	if(strcmp(argv[1], "store") == 0 && argc == 3 && strcmp(argv[2], "check") == 0)
		return ctl_store_check(stdout);
	if(strcmp(argv[1], "store") == 0 && argc == 3 && strcmp(argv[2], "vacuum") == 0)
		return ctl_store_vacuum(stdout);
	if(strcmp(argv[1], "store") == 0 && argc >= 4 && strcmp(argv[2], "backup") == 0) {
		bool force = strcmp(argv[3], "--force") == 0;

		if(argc == 4 + force && argv[argc - 1][0] != '-')
			return ctl_store_backup(argv[argc - 1], force, stdout);
	}
	if(strcmp(argv[1], "runner") == 0 && argc == 3 &&
	   (strcmp(argv[2], "start") == 0 || strcmp(argv[2], "stop") == 0 ||
	    strcmp(argv[2], "status") == 0 || strcmp(argv[2], "run-once") == 0)) {
		if(strcmp(argv[2], "run-once") == 0)
			curl_global_init(CURL_GLOBAL_DEFAULT);
		rc = ctl_runner(argv[2], stdout, stderr);
		if(strcmp(argv[2], "run-once") == 0)
			curl_global_cleanup();
		return rc;
	}
	if(strcmp(argv[1], "sessions") == 0 && argc == 5 && strcmp(argv[2], "prune") == 0 &&
	   strcmp(argv[3], "--older-than") == 0)
		return ctl_sessions_prune(argv[4], stdout);
	if(strcmp(argv[1], "sessions") == 0 && argc >= 3 && strcmp(argv[2], "show") != 0 &&
	   strcmp(argv[2], "prune") != 0) {
		rc = ctl_sessions(argc - 2, argv + 2, stdout, stderr);
		if(rc != 2)
			return rc;
	}
	usage(stderr);
	return 2;
}
