/* src/tools/web_fetch.c: fetching one page for web_extract (tools/web_fetch.h).
 *
 * DESIGN. Redirects are followed here, not by curl (FOLLOWLOCATION 0), so
 * every hop goes through the same check: the URL must be http(s) without a
 * zone id; its host is resolved with getaddrinfo and EVERY address must pass
 * the outbound policy (util/netpolicy.h); those addresses are then pinned
 * with CURLOPT_RESOLVE so curl cannot resolve the name again and get a
 * different answer (DNS rebinding). Two more checks back that up: the
 * open-socket callback classifies the exact address curl is about to
 * connect to, and CURLINFO_PRIMARY_IP is classified after the transfer.
 * Proxies are disabled, since a proxy would connect on our behalf. The
 * transfer runs on a multi handle polled every XFER_TICK_MS (util/xfer.h), so the
 * turn's tick (keepalive, client-gone detection) and interrupt are served
 * while a slow server trickles or stalls. One easy handle per call, cleaned
 * up on every path.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/web_fetch.h"

#include <arpa/inet.h>
#include "util/lazy_curl.h"
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util/netpolicy.h"
#include "util/xfer.h"
#include "util/xalloc.h"

#define URL_MAX 4096
#define PIN_ADDRS_MAX 8
#define URL_SHOWN 200
#ifdef CURLU_PUNYCODE
#define HOST_FLAGS CURLU_PUNYCODE /* the ASCII name curl itself resolves and pins */
#else
#define HOST_FLAGS 0
#endif

struct fetch {
	CURL *curl;
	const struct netpolicy *pol;
	const struct tool_ctx *ctx;          /* may be NULL */
	struct tool_web_page *page;
	const char *refused;                 /* set by the socket check */
	char refused_addr[INET6_ADDRSTRLEN];
	char errbuf[CURL_ERROR_SIZE];
};

static bool interrupted(const struct fetch *f)
{
	return f->ctx && f->ctx->interrupt && *f->ctx->interrupt;
}

/* ---- curl callbacks ---------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
	struct fetch *f = p;
	size_t n = size * nmemb, room = TOOL_WEB_MAX_BYTES - buf_len(&f->page->body);

	if(n > room) {
		if(room && buf_add(&f->page->body, data, room))
			return 0;
		f->page->truncated = true;
		return 0; /* stop the download; what we have is kept */
	}
	return buf_add(&f->page->body, data, n) ? 0 : n;
}

/* The last line of defence: the address curl is about to connect to. */
static curl_socket_t on_open_socket(void *p, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch *f = p;
	const char *why;

	if(purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	why = netpolicy_refusal(f->pol, &a->addr);
	if(why) {
		f->refused = why;
		netpolicy_addr_text(&a->addr, f->refused_addr, sizeof(f->refused_addr));
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* ---- one hop ------------------------------------------------------------ */

static enum herr refuse(struct herror *err, int hop, const char *url, const char *addr,
			const char *why)
{
	return herr_set(err, HERR_FORBIDDEN, "url_refused", "url",
			"refused to fetch %s%.*s: it resolves to %s, %s. web_extract only reads "
			"public web pages; use a public URL (an operator can allow private "
			"addresses with web.allow_private_urls)",
			hop ? "the redirect target " : "", URL_SHOWN, url, addr, why);
}

/* Resolve host:port, refuse if any address is refused, else build the
 * CURLOPT_RESOLVE pin "host:port:a1,a2,…" into *pin (caller frees). */
static enum herr resolve_pin(const struct fetch *f, int hop, const char *url, const char *host,
			     const char *port, struct curl_slist **pin, struct herror *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	const struct addrinfo *bad = NULL;
	const char *why;
	char bare[256], addr[INET6_ADDRSTRLEN];
	struct buf b;
	size_t hl = strlen(host), n = 0;
	enum herr rc = HERR_OK;
	int gai;

	if(hl >= sizeof(bare))
		return herr_set(err, HERR_BAD_REQUEST, NULL, "url", "the host name is too long");
	if(host[0] == '[' && hl > 2)
		snprintf(bare, sizeof(bare), "%.*s", (int)(hl - 2), host + 1);
	else
		snprintf(bare, sizeof(bare), "%s", host);
	if((gai = getaddrinfo(bare, port, &hints, &res)) != 0)
		return herr_set(err, HERR_UPSTREAM, NULL, "url", "cannot resolve '%s': %s; check the "
				"host name", bare, gai_strerror(gai));
	if((why = netpolicy_check_list(f->pol, res, &bad))) {
		rc = refuse(err, hop, url, netpolicy_addr_text(bad->ai_addr, addr, sizeof(addr)), why);
		freeaddrinfo(res);
		return rc;
	}
	buf_init(&b, 1024);
	rc = buf_addf(&b, "%s:%s:", bare, port);
	for(const struct addrinfo *ai = res; ai && !rc && n < PIN_ADDRS_MAX; ai = ai->ai_next, n++)
		rc = buf_addf(&b, ai->ai_family == AF_INET6 ? "%s[%s]" : "%s%s", n ? "," : "",
			      netpolicy_addr_text(ai->ai_addr, addr, sizeof(addr)));
	freeaddrinfo(res);
	if(!rc && host[0] != '[') /* curl never resolves an IPv6 literal */
		*pin = curl_slist_append(NULL, buf_str(&b));
	buf_release(&b);
	if(rc == HERR_TOO_LARGE)
		rc = herr_set(err, HERR_BAD_REQUEST, NULL, "url", "the host has too many addresses");
	return rc;
}

/* Parse and check url; on success *u holds the parsed URL and *pin the
 * pinned addresses (both caller frees). */
static enum herr check_url(const struct fetch *f, int hop, const char *url, CURLU **u,
			   struct curl_slist **pin, struct herror *err)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *zone = NULL;
	enum herr rc = HERR_OK;

	*u = curl_url();
	if(!*u)
		abort();
	if(strlen(url) > URL_MAX || curl_url_set(*u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ||
	   curl_url_get(*u, CURLUPART_SCHEME, &scheme, 0))
		goto invalid;
	if(strcmp(scheme, "http") && strcmp(scheme, "https")) {
		rc = herr_set(err, HERR_BAD_REQUEST, NULL, "url", "refused %s%.*s: only http and https "
			      "URLs can be fetched", hop ? "the redirect to " : "", URL_SHOWN, url);
		goto out;
	}
	if(curl_url_get(*u, CURLUPART_HOST, &host, HOST_FLAGS) || !*host)
		goto invalid;
	if(curl_url_get(*u, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK) {
		rc = herr_set(err, HERR_FORBIDDEN, "url_refused", "url", "refused %.*s: addresses "
			      "with a zone id are link-local", URL_SHOWN, url);
		goto out;
	}
	if(curl_url_get(*u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) {
		rc = herr_set(err, HERR_BAD_REQUEST, NULL, "url", "%.*s has no usable port",
			      URL_SHOWN, url);
		goto out;
	}
	rc = resolve_pin(f, hop, url, host, port, pin, err);
	goto out;
invalid:
	rc = herr_set(err, HERR_BAD_REQUEST, NULL, "url", "%s%.*s is not a valid absolute URL; "
		      "pass a full http:// or https:// URL", hop ? "the redirect target " : "",
		      URL_SHOWN, url);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(zone);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Map the transfer's outcome to rc. */
static enum herr transfer_result(struct fetch *f, CURLcode cc, int hop, const char *url,
				 struct herror *err)
{
	if(interrupted(f))
		return herr_set(err, HERR_IO, NULL, NULL, "interrupted while fetching the page");
	if(f->refused)
		return refuse(err, hop, url, f->refused_addr, f->refused);
	if(cc == CURLE_WRITE_ERROR && f->page->truncated)
		return HERR_OK;
	if(cc == CURLE_OPERATION_TIMEDOUT)
		return herr_set(err, HERR_UPSTREAM, NULL, "url", "fetching %.*s timed out (the limit "
				"is %d s in all); try again later or another page", URL_SHOWN, url,
				TOOL_WEB_TOTAL_TIMEOUT_S);
	if(cc != CURLE_OK)
		return herr_set(err, HERR_UPSTREAM, NULL, "url", "fetching %.*s failed: %s",
				URL_SHOWN, url, f->errbuf[0] ? f->errbuf : curl_easy_strerror(cc));
	return HERR_OK;
}

/* After the transfer: the peer we actually talked to must pass too. */
static enum herr check_peer(struct fetch *f, int hop, const char *url, struct herror *err)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	const struct sockaddr *sa = NULL;
	const char *ip = NULL, *why;

	if(curl_easy_getinfo(f->curl, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK || !ip || !*ip)
		return herr_set(err, HERR_UPSTREAM, NULL, "url", "fetching %.*s failed: no peer "
				"address", URL_SHOWN, url);
	if(inet_pton(AF_INET, ip, &s4.sin_addr) == 1)
		sa = (const struct sockaddr *)&s4;
	else if(inet_pton(AF_INET6, ip, &s6.sin6_addr) == 1)
		sa = (const struct sockaddr *)&s6;
	why = sa ? netpolicy_refusal(f->pol, sa) : "not an internet address";
	return why ? refuse(err, hop, url, ip, why) : HERR_OK;
}

/* Fetch url once. *next gets the redirect target (caller frees) or NULL. */
static enum herr fetch_hop(struct fetch *f, int hop, const char *url, double deadline,
			   char **next, struct herror *err)
{
	CURLU *u = NULL;
	struct curl_slist *pin = NULL;
	const char *loc = NULL;
	double left = deadline - now_s();
	enum herr rc;
	CURLcode cc;

	*next = NULL;
	if(interrupted(f))
		return transfer_result(f, CURLE_ABORTED_BY_CALLBACK, hop, url, err);
	if((rc = check_url(f, hop, url, &u, &pin, err)))
		goto out;
	if(left <= 0) {
		rc = transfer_result(f, CURLE_OPERATION_TIMEDOUT, hop, url, err);
		goto out;
	}
	buf_reset(&f->page->body);
	f->page->truncated = false;
	f->errbuf[0] = '\0';
	curl_easy_setopt(f->curl, CURLOPT_CURLU, u);
	curl_easy_setopt(f->curl, CURLOPT_RESOLVE, pin);
	curl_easy_setopt(f->curl, CURLOPT_TIMEOUT_MS, (long)(left * 1000) + 1);
	cc = xfer_perform(f->curl, &(struct xfer_wait){ f->ctx ? f->ctx->tick : NULL,
						       f->ctx ? f->ctx->tick_ctx : NULL,
						       f->ctx ? f->ctx->interrupt : NULL });
	curl_easy_setopt(f->curl, CURLOPT_CURLU, NULL);
	curl_easy_setopt(f->curl, CURLOPT_RESOLVE, NULL);
	if((rc = transfer_result(f, cc, hop, url, err)) || (rc = check_peer(f, hop, url, err)))
		goto out;
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &f->page->status);
	if(f->page->status >= 300 && f->page->status < 400 &&
	   curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
		*next = xstrdup(loc);
out:
	curl_url_cleanup(u);
	curl_slist_free_all(pin);
	return rc;
}

static void set_common(struct fetch *f)
{
	CURL *c = f->curl;

	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* a proxy would bypass the address checks */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)TOOL_WEB_CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION " (web_extract)");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, f);
}

enum herr tool_web_fetch(const struct netpolicy *pol, const char *url,
			 const struct tool_ctx *ctx, struct tool_web_page *page,
			 struct herror *err)
{
	struct fetch f = { .pol = pol, .ctx = ctx, .page = page };
	double deadline = now_s() + TOOL_WEB_TOTAL_TIMEOUT_S;
	char *cur = xstrdup(url), *next = NULL;
	const char *ct = NULL;
	enum herr rc = HERR_OK;

	memset(page, 0, sizeof(*page));
	buf_init(&page->body, TOOL_WEB_MAX_BYTES);
	if((rc = lazy_curl_load(err)))
		goto out;
	if(!(f.curl = curl_easy_init())) {
		rc = herr_set(err, HERR_INTERNAL, NULL, NULL, "cannot start a transfer");
		goto out;
	}
	set_common(&f);
	for(int hop = 0;; hop++) {
		if((rc = fetch_hop(&f, hop, cur, deadline, &next, err)))
			goto out;
		if(!next)
			break;
		if(hop == TOOL_WEB_MAX_REDIRECTS) {
			rc = herr_set(err, HERR_UPSTREAM, NULL, "url", "%.*s redirects more than %d "
				      "times; give up on it or try the final page's URL directly",
				      URL_SHOWN, url, TOOL_WEB_MAX_REDIRECTS);
			goto out;
		}
		free(cur);
		cur = next;
		next = NULL;
	}
	if(curl_easy_getinfo(f.curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		page->content_type = xstrdup(ct);
	page->final_url = cur;
	cur = NULL;
out:
	if(f.curl)
		curl_easy_cleanup(f.curl);
	free(cur);
	free(next);
	if(rc)
		tool_web_page_release(page);
	return rc;
}

void tool_web_page_release(struct tool_web_page *page)
{
	free(page->final_url);
	free(page->content_type);
	buf_release(&page->body);
	page->final_url = page->content_type = NULL;
	page->status = 0;
	page->truncated = false;
}

