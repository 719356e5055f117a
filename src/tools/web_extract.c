/* src/tools/web_extract.c: the web_extract tool: fetch a page, return its text.
 *
 * DESIGN. Redirects are followed here, not by curl (FOLLOWLOCATION 0), so
 * every hop goes through the same check: the URL must be http(s) without a
 * zone id; its host is resolved with getaddrinfo and EVERY address must be
 * public (or web.allow_private_urls set); those addresses are then pinned
 * with CURLOPT_RESOLVE so curl cannot resolve the name again and get a
 * different answer (DNS rebinding). Two more checks back that up: the
 * open-socket callback classifies the exact address curl is about to
 * connect to, and CURLINFO_PRIMARY_IP is classified after the transfer.
 * Proxies are disabled, since a proxy would connect on our behalf.
 * One easy handle per call, cleaned up on every path.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/web_extract.h"

#include <arpa/inet.h>
#include "util/lazy_curl.h"
#include <json-c/json.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tools/html_text.h"
#include "util/jsonx.h"
#include "util/lazy_xml.h"
#include "util/str.h"
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
	const struct tool_web_policy *pol;
	const volatile sig_atomic_t *interrupt;
	struct tool_web_page *page;
	const char *refused;                 /* set by the socket check */
	char refused_addr[INET6_ADDRSTRLEN];
	char errbuf[CURL_ERROR_SIZE];
};

/* ---- address classification ------------------------------------------ */

static const char *class_v4(uint32_t a)
{
	if((a >> 24) == 0)
		return "an unspecified (0.0.0.0/8) address";
	if((a >> 24) == 127)
		return "a loopback address";
	if((a >> 24) == 10 || (a >> 20) == 0xAC1 || (a >> 16) == 0xC0A8)
		return "a private address";
	if((a >> 22) == 0x191)
		return "a private (carrier-grade NAT) address";
	if(a == 0xA9FEA9FE)
		return "the cloud metadata address";
	if((a >> 16) == 0xA9FE)
		return "a link-local address";
	if((a >> 8) == 0xC00000 || (a & 0xFFFE0000u) == 0xC6120000u)
		return "a reserved address";
	if((a >> 28) == 0xE)
		return "a multicast address";
	if((a >> 28) == 0xF)
		return "a reserved (240.0.0.0/4 or broadcast) address";
	return NULL;
}

static uint32_t v4_at(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static const char *class_v6(const unsigned char *b)
{
	static const unsigned char zero[12], mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff },
					     nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if(memcmp(b, zero, 12) == 0) {
		uint32_t low = v4_at(b + 12);
		if(low == 0)
			return "an unspecified (::) address";
		return low == 1 ? "a loopback address" : class_v4(low);
	}
	if(memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return class_v4(v4_at(b + 12));
	if(b[0] == 0x20 && b[1] == 0x02) /* 6to4 carries an IPv4 address */
		return class_v4(v4_at(b + 2));
	if(b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1)
		return "a private (local NAT64) address";
	if((b[0] & 0xFE) == 0xFC)
		return "a private (fc00::/7) address";
	if(b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
		return "a link-local address";
	if(b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)
		return "a private (site-local) address";
	if(b[0] == 0xFF)
		return "a multicast address";
	if(b[0] == 0x01 && b[1] == 0 && memcmp(b + 2, zero, 6) == 0)
		return "a reserved (discard) address";
	return NULL;
}

const char *tool_web_addr_class(const struct sockaddr *sa)
{
	if(sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return class_v4(ntohl(in->sin_addr.s_addr));
	}
	if(sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return class_v6(in6->sin6_addr.s6_addr);
	}
	return "not an internet address";
}

/* Why the policy refuses sa (static phrase), or NULL. */
static const char *refusal(const struct tool_web_policy *pol, const struct sockaddr *sa)
{
	if(sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return "not an internet address";
	if(pol->allow_private)
		return NULL;
	return (pol->classify ? pol->classify : tool_web_addr_class)(sa);
}

static void addr_text(const struct sockaddr *sa, char *dst, size_t cap)
{
	const void *a = sa->sa_family == AF_INET
		? (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
		: (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

	if(!inet_ntop(sa->sa_family, a, dst, (socklen_t)cap))
		snprintf(dst, cap, "?");
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

static int on_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct fetch *f = p;

	(void)dt, (void)dn, (void)ut, (void)un;
	return f->interrupt && *f->interrupt ? 1 : 0;
}

/* The last line of defence: the address curl is about to connect to. */
static curl_socket_t on_open_socket(void *p, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch *f = p;
	const char *why;

	if(purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	why = refusal(f->pol, &a->addr);
	if(why) {
		f->refused = why;
		addr_text(&a->addr, f->refused_addr, sizeof(f->refused_addr));
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
	buf_init(&b, 1024);
	rc = buf_addf(&b, "%s:%s:", bare, port);
	for(const struct addrinfo *ai = res; ai && !rc; ai = ai->ai_next) {
		const char *why = refusal(f->pol, ai->ai_addr);

		addr_text(ai->ai_addr, addr, sizeof(addr));
		if(why) {
			rc = refuse(err, hop, url, addr, why);
			break;
		}
		if(n++ < PIN_ADDRS_MAX)
			rc = buf_addf(&b, ai->ai_family == AF_INET6 ? "%s[%s]" : "%s%s",
				      n > 1 ? "," : "", addr);
	}
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
	if(f->interrupt && *f->interrupt)
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
	why = sa ? refusal(f->pol, sa) : "not an internet address";
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
	if(f->interrupt && *f->interrupt)
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
	cc = curl_easy_perform(f->curl);
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
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, f);
}

enum herr tool_web_fetch(const struct tool_web_policy *pol, const char *url,
			 const volatile sig_atomic_t *interrupt, struct tool_web_page *page,
			 struct herror *err)
{
	struct fetch f = { .pol = pol, .interrupt = interrupt, .page = page };
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

/* ---- the tool ----------------------------------------------------------- */

/* Append src to out, cut to fit in room bytes at a UTF-8 boundary. */
static enum herr add_cut(struct buf *out, const char *src, size_t len, size_t room)
{
	if(len > room) {
		len = room;
		while(len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	}
	return buf_add(out, src, len);
}

static enum herr render(const struct tool_web_page *pg, enum tool_content_kind kind,
			struct buf *out)
{
	const size_t note = 160, head_max = 2 * URL_SHOWN + TOOL_HTML_TITLE_MAX + 64;
	char charset[64];
	char *title = NULL;
	bool cut = pg->truncated;
	struct buf text;
	enum herr rc;

	buf_init(&text, TOOL_RESULT_MAX);
	if(kind == TOOL_CONTENT_HTML)
		tool_html_to_text(buf_str(&pg->body), buf_len(&pg->body),
				  tool_content_charset(pg->content_type, charset, sizeof(charset)),
				  TOOL_RESULT_MAX - head_max - note, &text, &title, &cut);
	else
		tool_text_clean(buf_str(&pg->body), buf_len(&pg->body),
				TOOL_RESULT_MAX - head_max - note, &text, &cut);
	rc = buf_addf(out, "URL: %.*s\n", 2 * URL_SHOWN, pg->final_url);
	if(!rc && title)
		rc = buf_addf(out, "Title: %s\n", title);
	if(!rc)
		rc = buf_adds(out, "\n");
	if(!rc)
		rc = buf_len(&text) ? add_cut(out, buf_str(&text), buf_len(&text),
					      TOOL_RESULT_MAX - note - buf_len(out))
				    : buf_adds(out, "(the page has no readable text)");
	if(!rc && cut)
		rc = buf_adds(out, "\n\n[truncated: the page is longer than a tool result may be]");
	free(title);
	buf_release(&text);
	return rc;
}

static enum herr web_run(const struct tool_ctx *ctx, struct json_object *args,
			 struct buf *out, struct herror *err)
{
	struct tool_web_policy pol = { .allow_private = ctx->cfg && ctx->cfg->web_allow_private };
	const char *url = jsonx_get_str(args, "url");
	struct tool_web_page pg;
	enum tool_content_kind kind;
	enum herr rc;

	if(!url || !*url)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "url",
				"'url' is required: the http:// or https:// address of the page");
	if((rc = tool_web_fetch(&pol, url, ctx->interrupt, &pg, err)))
		return rc;
	if(pg.status >= 400) {
		rc = herr_set(err, HERR_UPSTREAM, NULL, "url", "the server answered HTTP %ld for "
			      "%.*s; check the URL or try another page", pg.status, URL_SHOWN,
			      pg.final_url);
		goto out;
	}
	kind = tool_content_kind(pg.content_type, buf_str(&pg.body), buf_len(&pg.body));
	if(kind == TOOL_CONTENT_OTHER) {
		rc = herr_set(err, HERR_BAD_REQUEST, NULL, "url", "%.*s is %s, not a web page or "
			      "text; web_extract only reads HTML and text", URL_SHOWN, pg.final_url,
			      pg.content_type ? pg.content_type : "binary data");
		goto out;
	}
	if(kind == TOOL_CONTENT_HTML && (rc = lazy_xml_load(err)))
		goto out;
	rc = render(&pg, kind, out);
	if(rc)
		herr_set(err, rc, NULL, NULL, "the page text does not fit in a tool result");
out:
	tool_web_page_release(&pg);
	return rc;
}

const struct tool_def tool_web_extract = {
	"web_extract",
	"web",
	"Fetch a public web page (http or https) and return its readable text: the final "
	"URL after redirects, the title, then the text without scripts, styles or markup. "
	"Long pages are truncated. Private and local network addresses are refused.",
	"{\"type\":\"object\",\"properties\":{"
	"\"url\":{\"type\":\"string\",\"description\":\"the page's full http:// or https:// URL\"}},"
	"\"required\":[\"url\"]}",
	web_run,
};
