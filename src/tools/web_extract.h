/* src/tools/web_extract.h: web_extract: fetch a public http(s) page and
 * return its readable text.
 *
 * Guard rails: only http and https; no proxy; connect 10 s, whole fetch
 * 30 s; at most 2 MB downloaded; at most 5 redirects, each one re-checked
 * like the first URL. Every address a host resolves to is classified, and
 * the checked addresses are pinned for the transfer (CURLOPT_RESOLVE), the
 * socket curl opens is checked again, and so is the peer after the transfer,
 * so DNS rebinding cannot slip a private address past the check.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_WEB_EXTRACT_H
#define HERMES_TOOLS_WEB_EXTRACT_H

#include <signal.h>
#include <stdbool.h>

#include "tools/registry.h"

struct sockaddr;

#define TOOL_WEB_MAX_BYTES (2u * 1024 * 1024)
#define TOOL_WEB_MAX_REDIRECTS 5
#define TOOL_WEB_CONNECT_TIMEOUT_S 10
#define TOOL_WEB_TOTAL_TIMEOUT_S 30

extern const struct tool_def tool_web_extract;

/* Why sa must not be fetched from: a static phrase such as "a loopback
 * address", or NULL for a public address. IPv4-mapped, IPv4-compatible,
 * NAT64 and 6to4 IPv6 forms are judged by the IPv4 address inside. */
const char *tool_web_addr_class(const struct sockaddr *sa);

/* What the fetcher enforces. classify NULL = tool_web_addr_class; tests
 * may pass their own to stand in for a private range with a loopback one. */
struct tool_web_policy {
	bool allow_private;
	const char *(*classify)(const struct sockaddr *sa);
};

/* A fetched page. Release with tool_web_page_release. */
struct tool_web_page {
	char *final_url;     /* owned: the URL after redirects */
	char *content_type;  /* owned, or NULL */
	long status;         /* HTTP status of the final response */
	struct buf body;     /* at most TOOL_WEB_MAX_BYTES */
	bool truncated;      /* the body was cut at TOOL_WEB_MAX_BYTES */
};

/* GET url under pol, following redirects itself. interrupt may be NULL;
 * nonzero stops the transfer within a second. On success page is filled
 * (any HTTP status). Errors (err->msg tells the model what to do):
 * HERR_BAD_REQUEST bad URL or scheme; HERR_FORBIDDEN a refused address (also
 * after a redirect); HERR_UPSTREAM network failure, timeout or too many
 * redirects; HERR_IO interrupted. page is released on error. */
enum herr tool_web_fetch(const struct tool_web_policy *pol, const char *url,
			 const volatile sig_atomic_t *interrupt, struct tool_web_page *page,
			 struct herror *err)
	__attribute__((warn_unused_result));

void tool_web_page_release(struct tool_web_page *page);

#endif
