/* src/main/hermes-fcgi.c: the responder. FastCGI when a web server starts
 * it with a listening socket on fd 0 (lighttpd bin-path, mod_fcgid,
 * spawn-fcgi, systemd socket), or on its own socket with --listen; plain CGI
 * (one request) when started with a CGI environment instead.
 *
 * Graceful stop: the web servers end responders with SIGTERM (a graceful
 * restart, lighttpd reload, FcgidMaxRequestsPerProcess). The handler only
 * sets two flags: the turn's interrupt (AGENT_STOP_SHUTDOWN), so a turn in
 * progress ends at its next tick (within ~100 ms) and its stream gets an
 * error chunk and [DONE], and `stopping`, so the loop accepts no further
 * request. It is installed without SA_RESTART and libfcgi's accept was
 * told FCGI_FAIL_ACCEPT_ON_INTR, so an idle responder blocked in accept
 * returns from it at once; then the store is closed and the process exits 0.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "api/app.h"
#include "api/dispatch.h"
#include "api/runs.h"
#include "http/hio.h"
#include "http/req.h"
#include "main/fcgi_children.h"
#include "runner/runner.h"
#include "util/log.h"
#include "util/privs.h"
#include "util/xalloc.h"
#include "util/str.h"

extern char **environ;

static volatile sig_atomic_t stopping;            /* SIGTERM came: serve no more */
static volatile sig_atomic_t *turn_interrupt;     /* the app's interrupt flag */

static void on_sigterm(int sig)
{
	(void)sig;
	stopping = 1;
	if(turn_interrupt)
		*turn_interrupt = AGENT_STOP_SHUTDOWN;
}

/* SIGTERM interrupts (no SA_RESTART): a blocked accept() returns EINTR. */
static void catch_sigterm(struct app *app)
{
	struct sigaction sa;

	turn_interrupt = &app->interrupt;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigterm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
}

static void usage(FILE *to)
{
	fputs("usage: hermes-fcgi [--listen ADDR] [--children N] [--version]\n"
	      "  Started by a web server (FastCGI socket on fd 0) it serves FastCGI;\n"
	      "  started with a CGI environment it answers one CGI request.\n"
	      "  --listen ADDR  open a FastCGI socket: host:port, :port or a unix path\n"
	      "  --children N   serve the socket with N processes (1-64; default 1,\n"
	      "                 or HERMES_FCGI_CHILDREN) under a supervising parent\n",
	      to);
}

static int serve_cgi(struct app *app)
{
	struct hio io;
	struct req r;

	hio_init_cgi(&io, environ);
	req_init(&r);
	api_serve(app, &r, &io);
	req_release(&r);
	hio_release(&io);
	return 0;
}

/* One responder's life on an open server socket: its own app (the
 * configuration, the store), requests until SIGTERM. */
static int serve_fastcgi(void *ctx)
{
	struct hio_server *srv = ctx;
	struct app app;
	struct hio io;
	struct req r;

	api_app_init(&app, API_MODE_FASTCGI);
	catch_sigterm(&app);
	req_init(&r);
	while(!stopping && hio_server_accept(srv, &io) == HERR_OK) {
		api_serve(&app, &r, &io);
		hio_server_finish(srv, &io);
		hio_release(&io);
	}
	if(stopping)
		LOG_INFO("SIGTERM: stopping after %lu request%s", app.requests,
			 app.requests == 1 ? "" : "s");
	req_release(&r);
	api_app_release(&app);
	return 0;
}

/* N from --children or HERMES_FCGI_CHILDREN (NULL: 1); 0 when it is not
 * 1-64. */
static int children_count(const char *v)
{
	long n;

	if(!v)
		return 1;
	return str_to_long(v, 1, FCGI_CHILDREN_MAX, &n) ? (int)n : 0;
}

static int fastcgi(const char *listen_addr, int children)
{
	struct hio_server srv;
	struct herror err;
	int rc;

	herr_clear(&err);
	if(hio_server_init(&srv, listen_addr, &err)) {
		LOG_ERR("%s", err.msg);
		hio_server_release(&srv);
		return 1;
	}
	if(listen_addr)
		LOG_INFO("listening for FastCGI on %s", listen_addr);
	rc = children > 1 ? fcgi_children_run(children, serve_fastcgi, &srv) : serve_fastcgi(&srv);
	hio_server_release(&srv);
	return rc;
}

int main(int argc, char **argv)
{
	const char *listen_addr = NULL, *children = getenv("HERMES_FCGI_CHILDREN");
	struct app app;
	int rc, n;

	log_init("hermes-fcgi");
	xalloc_tune();
	privs_harden();
	if(children && !*children) /* set empty: as if not set */
		children = NULL;
	signal(SIGPIPE, SIG_IGN);
	api_runs_set_waker(runner_notify);
	/* libcurl (and with it OpenSSL's TLS setup) is initialised on first use
	 * by curl_easy_init, not here: a responder that only answers cheap
	 * endpoints never pays its memory. One request at a time, so the lazy
	 * global init is safe. */
	for(int i = 1; i < argc; i++) {
		if(strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			listen_addr = argv[++i];
		} else if(strcmp(argv[i], "--children") == 0 && i + 1 < argc) {
			children = argv[++i];
		} else if(strcmp(argv[i], "--version") == 0) {
			printf("hermes-fcgi %s\n", PACKAGE_VERSION);
			return 0;
		} else if(strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if(!listen_addr && hio_is_cgi()) {
		if(!getenv("GATEWAY_INTERFACE") && !getenv("REQUEST_METHOD")) {
			fputs("hermes-fcgi: no FastCGI socket on fd 0 and no CGI environment.\n", stderr);
			usage(stderr);
			return 2;
		}
		api_app_init(&app, API_MODE_CGI);
		catch_sigterm(&app);
		rc = serve_cgi(&app);
		api_app_release(&app);
		return rc;
	}
	if(!(n = children_count(children))) {
		fprintf(stderr, "hermes-fcgi: --children (HERMES_FCGI_CHILDREN) must be 1 to %d, not '%s'.\n",
			FCGI_CHILDREN_MAX, children);
		return 2;
	}
	return fastcgi(listen_addr, n);
}
