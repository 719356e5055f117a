/* src/util/xfer.h: a libcurl transfer that wakes up while it waits.
 *
 * curl_easy_perform() blocks until the transfer ends, and libcurl's own
 * progress callback runs only about once a second while a peer is quiet.
 * The agent must serve its tick (stream batching, keepalives, noticing a
 * departed client) and its interrupt (client gone, SIGTERM, a time limit)
 * every ~100 ms however slow the upstream LLM or a fetched web server is,
 * so both the LLM client and web_extract run their transfers here.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_XFER_H
#define HERMES_UTIL_XFER_H

#include <signal.h>

#include "util/lazy_curl.h"

#define XFER_TICK_MS 100

struct xfer_wait {
	void (*tick)(void *ctx);                 /* may be NULL */
	void *tick_ctx;
	const volatile sig_atomic_t *interrupt;  /* may be NULL; nonzero stops */
};

/* curl_easy_perform(c) on a multi handle polled every XFER_TICK_MS; after
 * each wake-up w->tick runs, and a set interrupt ends the transfer with
 * CURLE_ABORTED_BY_CALLBACK. c stays the caller's (removed from the multi
 * handle before return). libcurl must be loaded (lazy_curl_load). */
CURLcode xfer_perform(CURL *c, const struct xfer_wait *w);

#endif
