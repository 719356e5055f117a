/* src/tools/web_fetch.h: fetching one public http(s) page for web_extract.
 *
 * Guard rails: only http and https; no proxy; connect 10 s, whole fetch
 * 30 s; at most 2 MB downloaded; at most 5 redirects, each one re-checked
 * like the first URL. Every address a host resolves to goes through the
 * outbound address policy (util/netpolicy.h) and the checked addresses are
 * pinned for the transfer (CURLOPT_RESOLVE); the socket curl opens is
 * checked again, and so is the peer after the transfer, so DNS rebinding
 * cannot slip a refused address past the check. While it waits the fetch
 * wakes every 100 ms to call the tool context's tick and check its
 * interrupt flag.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_WEB_FETCH_H
#define HERMES_TOOLS_WEB_FETCH_H

#include <stdbool.h>

#include "tools/registry.h"
#include "util/buf.h"
#include "util/err.h"

struct netpolicy;

#define TOOL_WEB_MAX_BYTES (2u * 1024 * 1024)
#define TOOL_WEB_MAX_REDIRECTS 5
#define TOOL_WEB_CONNECT_TIMEOUT_S 10
#define TOOL_WEB_TOTAL_TIMEOUT_S 30

/* A fetched page. Release with tool_web_page_release. */
struct tool_web_page {
	char *final_url;     /* owned: the URL after redirects */
	char *content_type;  /* owned, or NULL */
	long status;         /* HTTP status of the final response */
	struct buf body;     /* at most TOOL_WEB_MAX_BYTES */
	bool truncated;      /* the body was cut at TOOL_WEB_MAX_BYTES */
};

/* GET url under pol (borrowed), following redirects itself. ctx (borrowed,
 * may be NULL) gives the interrupt flag and the tick, called about every
 * XFER_TICK_MS (util/xfer.h) while the transfer runs; a set flag stops it within
 * that time. On success page is filled (any HTTP status). Errors
 * (err->msg tells the model what to do): HERR_BAD_REQUEST bad URL or
 * scheme; HERR_FORBIDDEN a refused address (also after a redirect);
 * HERR_UPSTREAM network failure, timeout or too many redirects; HERR_IO
 * interrupted. page is released on error. */
enum herr tool_web_fetch(const struct netpolicy *pol, const char *url,
			 const struct tool_ctx *ctx, struct tool_web_page *page,
			 struct herror *err)
	__attribute__((warn_unused_result));

void tool_web_page_release(struct tool_web_page *page);

#endif
