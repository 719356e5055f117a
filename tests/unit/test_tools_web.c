/* tests/unit/test_tools_web.c: html_text (HTML → text, content kinds, text
 * cleaning), address classification for web_extract (every refused range,
 * mapped/embedded IPv6, public addresses allowed), URL checks, and fetches
 * from a small HTTP server forked on 127.0.0.1: redirect re-checking (with a
 * policy that stands 127.0.0.2 in for a private address), the redirect
 * limit, the size cap, interruption, and the tool's result text.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include "util/lazy_curl.h"
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "tools/html_text.h"
#include "tools/registry.h"
#include "tools/web_extract.h"
#include "tools/web_fetch.h"
#include "util/netpolicy.h"

/* ---- html_text --------------------------------------------------------- */

static char *html(const char *in, size_t max, char **title, bool *cut)
{
	struct buf b;

	buf_init(&b, max + 16);
	*cut = false;
	tool_html_to_text(in, strlen(in), NULL, max, &b, title, cut);
	return buf_take(&b);
}

static void check_html(const char *in, const char *want, const char *desc)
{
	char *title;
	bool cut;
	char *got = html(in, 10000, &title, &cut);

	is_str(got, want, desc);
	free(got);
	free(title);
}

static void test_html(void)
{
	char *title, *got, big[70000];
	bool cut;
	struct buf b;

	got = html("<html><head><title> T &amp;\n U </title><style>body{color:red}</style>"
		   "<script>var secret=1;</script></head><body><p>Hello <b>world</b></p>"
		   "<script>alert('x')</script><noscript>enable js</noscript>"
		   "<div>Line&nbsp;two &lt;tag&gt; &#233;&eacute;</div></body></html>",
		   10000, &title, &cut);
	is_str(title, "T & U", "title: entities decoded, white space collapsed");
	is_str(got, "Hello world\n\nLine two <tag> \xc3\xa9\xc3\xa9",
	       "script, style, noscript and head dropped; entities decoded");
	ok(!cut, "not truncated");
	free(got);
	free(title);

	check_html("<p>one</p><p>two</p><div>three</div><div>four</div>a<br>b<br><br>c",
		   "one\n\ntwo\n\nthree\nfour\na\nb\n\nc", "blocks become lines; <br> a line break");
	check_html("<h2>Head</h2><ul><li>a</li><li>b <i>c</i></li></ul><h1>T</h1>",
		   "## Head\n\n- a\n- b c\n\n# T", "headings and list items marked");
	check_html("<body>  lots   of \n\n\t space  <span>here</span>  </body>",
		   "lots of space here", "white space collapsed, ends trimmed");
	check_html("<pre>a  b\n  c</pre><p>x   y</p>", "a  b\n  c\n\nx y", "<pre> keeps its spacing");
	check_html("<table><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></table>", "1 2\n3",
		   "table cells spaced, rows on lines");
	check_html("<p hidden>gone</p><template>t</template><svg><text>s</text></svg>ok", "ok",
		   "hidden, template, svg dropped");
	check_html("<!-- a comment --><p>x<!-- inner --></p>", "x",
		   "comments dropped");
	check_html("", "", "empty input gives empty text");
	check_html("just text, no tags", "just text, no tags", "bare text");

	got = html("<p>no title here</p>", 100, &title, &cut);
	ok(title == NULL, "no <title>: title NULL");
	free(got);
	free(title);

	/* the cap, at a UTF-8 boundary */
	got = html("<p>\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9</p>", 5, &title, &cut);
	is_str(got, "\xc3\xa9\xc3\xa9", "cut at the cap without splitting a character");
	ok(cut, "truncation reported");
	free(got);
	free(title);

	/* nesting: the walk does not recurse; libxml2 stops parsing past its
	 * depth limit (256), which must not crash us */
	for(int depth = 100; depth <= 5000; depth += 4900) {
		size_t n = 0;
		for(int i = 0; i < depth; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "<div><b>");
		snprintf(big + n, sizeof(big) - n, "deep");
		got = html(big, 100, &title, &cut);
		ok(depth > 128 || strcmp(got, "deep") == 0, "%d levels of nesting (%s)", 2 * depth, got);
		free(got);
		free(title);
	}

	/* a declared charset */
	buf_init(&b, 100);
	cut = false;
	tool_html_to_text("<p>caf\xe9</p>", 9, "iso-8859-1", 90, &b, &title, &cut);
	is_str(buf_str(&b), "caf\xc3\xa9", "latin-1 page converted to UTF-8");
	buf_release(&b);
	free(title);
	buf_init(&b, 100);
	tool_html_to_text("<p>x</p>", 8, "no-such-charset", 90, &b, &title, &cut);
	is_str(buf_str(&b), "x", "an unknown charset falls back to sniffing");
	buf_release(&b);
	free(title);
}

static void test_text(void)
{
	struct buf b;
	bool cut = false;
	char cs[32];

	buf_init(&b, 100);
	tool_text_clean("a\r\nb\x01\tc\xff" "d\xe2\x82", 11, 90, &b, &cut);
	is_str(buf_str(&b), "a\nb\tc\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd",
	       "text: CR and controls dropped, bad UTF-8 replaced");
	ok(!cut, "not cut");
	buf_release(&b);
	buf_init(&b, 100);
	tool_text_clean("{\"k\": \"\xe2\x82\xac\xe2\x82\xac\"}", 14, 10, &b, &cut);
	is_str(buf_str(&b), "{\"k\": \"\xe2\x82\xac", "text cut at the cap on a boundary");
	ok(cut, "cut reported");
	buf_release(&b);

	{ /* across the cleaner's 4 KiB chunks: characters split by a chunk edge survive */
		static char in[12001], want[12004];
		size_t n = 0, w = 0;

		in[n++] = 'x';
		while(n + 2 < 12000) {
			in[n++] = '\xc3';
			in[n++] = '\xa9';
		}
		memcpy(want, in, n);
		w = n;
		in[n++] = '\xff';
		memcpy(want + w, "\xef\xbf\xbd", 3);
		w += 3;
		buf_init(&b, 20000);
		cut = false;
		tool_text_clean(in, n, 20000, &b, &cut);
		ok(buf_len(&b) == w && memcmp(buf_str(&b), want, w) == 0 && !cut,
		   "text: 12 KB of two-byte characters pass whole (%zu of %zu bytes)", buf_len(&b), w);
		buf_release(&b);
	}

	is_int(tool_content_kind("text/html; charset=utf-8", "", 0), TOOL_CONTENT_HTML, "text/html");
	is_int(tool_content_kind("application/xhtml+xml", "", 0), TOOL_CONTENT_HTML, "xhtml");
	is_int(tool_content_kind("application/json", "{}", 2), TOOL_CONTENT_TEXT, "json");
	is_int(tool_content_kind("application/problem+json", "{}", 2), TOOL_CONTENT_TEXT, "+json");
	is_int(tool_content_kind("text/plain", "x", 1), TOOL_CONTENT_TEXT, "text/plain");
	is_int(tool_content_kind("image/png", "\x89PNG", 4), TOOL_CONTENT_OTHER, "image/png");
	is_int(tool_content_kind("application/pdf", "%PDF", 4), TOOL_CONTENT_OTHER, "pdf");
	is_int(tool_content_kind(NULL, "  <!DOCTYPE html><p>", 20), TOOL_CONTENT_HTML,
	       "no type: sniffed HTML");
	is_int(tool_content_kind(NULL, "plain words", 11), TOOL_CONTENT_TEXT, "no type: text");
	is_int(tool_content_kind("application/octet-stream", "a\0b", 3), TOOL_CONTENT_OTHER,
	       "octet-stream with NUL: binary");
	is_str(tool_content_charset("text/html; charset=ISO-8859-1", cs, sizeof(cs)), "ISO-8859-1",
	       "charset parameter");
	is_str(tool_content_charset("text/html;charset=\"utf-8\"", cs, sizeof(cs)), "utf-8",
	       "quoted charset");
	ok(tool_content_charset("text/html", cs, sizeof(cs)) == NULL, "no charset");
	ok(tool_content_charset("text/html; charset=a/b", cs, sizeof(cs)) == NULL,
	   "odd charset ignored");
}

/* ---- fetching ----------------------------------------------------------- */

static int srv_port;
static pid_t srv_pid;

static void respond(int fd, const char *path)
{
	char head[512];
	const char *body = "";
	size_t blen;
	int n;

	if(strncmp(path, "/redir-private", 14) == 0) {
		n = snprintf(head, sizeof(head), "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:%d/page"
			     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", srv_port);
	} else if(strncmp(path, "/redir-file", 11) == 0) {
		n = snprintf(head, sizeof(head), "HTTP/1.1 301 Moved\r\nLocation: file:///etc/passwd"
			     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
	} else if(strncmp(path, "/loop", 5) == 0) {
		n = snprintf(head, sizeof(head), "HTTP/1.1 302 Found\r\nLocation: /loop%d\r\n"
			     "Content-Length: 0\r\nConnection: close\r\n\r\n", (int)strtol(path + 5, NULL, 10) + 1);
	} else if(strncmp(path, "/hop", 4) == 0) {
		n = snprintf(head, sizeof(head), "HTTP/1.1 307 Temporary\r\nLocation: /page\r\n"
			     "Content-Length: 0\r\nConnection: close\r\n\r\n");
	} else if(strncmp(path, "/big", 4) == 0) {
		static char chunk[65536];
		memset(chunk, 'a', sizeof(chunk));
		n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			     "Content-Length: %d\r\nConnection: close\r\n\r\n", 48 * 65536);
		if(write(fd, head, (size_t)n) < 0)
			return;
		for(int i = 0; i < 48; i++)
			if(write(fd, chunk, sizeof(chunk)) < 0)
				return;
		return;
	} else if(strncmp(path, "/slow", 5) == 0) {
		n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab");
		if(write(fd, head, (size_t)n) < 0)
			return;
		for(int i = 0; i < 200; i++) { /* until the client hangs up */
			struct pollfd p = { .fd = fd, .events = POLLIN };
			char c;
			if(poll(&p, 1, 100) == 1 && read(fd, &c, 1) <= 0)
				return;
		}
		return;
	} else if(strncmp(path, "/png", 4) == 0) {
		body = "\x89PNG\r\n";
		n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
			     "Content-Length: 6\r\nConnection: close\r\n\r\n");
	} else if(strncmp(path, "/page", 5) == 0) {
		body = "<html><head><title>Test page</title><script>var hidden='SCRIPTTEXT';"
		       "</script></head><body><h1>Hello</h1><p>Readable &amp; text.</p></body></html>";
		n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: text/html; "
			     "charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			     strlen(body));
	} else {
		n = snprintf(head, sizeof(head), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
			     "Connection: close\r\n\r\n");
	}
	blen = strlen(body);
	if(write(fd, head, (size_t)n) < 0 || write(fd, body, blen) < 0)
		return;
}

static void serve(int ls)
{
	for(;;) {
		char req[2048] = "", path[256] = "/";
		size_t got = 0;
		int fd = accept(ls, NULL, NULL);

		if(fd < 0)
			continue;
		while(got < sizeof(req) - 1 && !strstr(req, "\r\n\r\n")) {
			ssize_t r = read(fd, req + got, sizeof(req) - 1 - got);
			if(r <= 0)
				break;
			got += (size_t)r;
			req[got] = '\0';
		}
		req[got] = '\0';
		if(strncmp(req, "GET ", 4) == 0) {
			size_t k = strcspn(req + 4, " ");
			snprintf(path, sizeof(path), "%.*s", (int)k, req + 4);
		}
		respond(fd, path);
		close(fd);
	}
}

static int start_server(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if(ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 16) ||
	   getsockname(ls, (struct sockaddr *)&a, &al))
		return -1;
	srv_port = ntohs(a.sin_port);
	fflush(stdout);
	srv_pid = fork();
	if(srv_pid == 0) {
		serve(ls);
		_exit(0);
	}
	close(ls);
	return srv_pid > 0 ? 0 : -1;
}

/* Stands in for a real private range: refuse 127.0.0.2, allow 127.0.0.1. */
static const char *only_dot_one(const struct sockaddr *sa)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

	if(sa->sa_family == AF_INET && ntohl(in->sin_addr.s_addr) == 0x7F000001)
		return NULL;
	return "a private address (test policy)";
}

static enum herr fetch(const struct netpolicy *pol, const char *path,
		       const struct tool_ctx *ctx, struct tool_web_page *pg, struct herror *err)
{
	char url[256];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", srv_port, path);
	herr_clear(err);
	return tool_web_fetch(pol, url, ctx, pg, err);
}

static void test_urls(void)
{
	static const struct { const char *url; enum herr rc; const char *msg; } cases[] = {
		{ "ftp://example.com/x", HERR_BAD_REQUEST, "only http and https" },
		{ "file:///etc/passwd", HERR_BAD_REQUEST, "only http and https" },
		{ "gopher://127.0.0.1/", HERR_BAD_REQUEST, "only http and https" },
		{ "not a url", HERR_BAD_REQUEST, "not a valid absolute URL" },
		{ "http://", HERR_BAD_REQUEST, "not a valid" },
		{ "http://127.0.0.1:1/", HERR_FORBIDDEN, "loopback" },
		{ "http://localhost:1/", HERR_FORBIDDEN, "loopback" },
		{ "http://[::1]:1/", HERR_FORBIDDEN, "loopback" },
		{ "http://[::ffff:127.0.0.1]:1/", HERR_FORBIDDEN, "loopback" },
		{ "http://[::ffff:169.254.169.254]/", HERR_FORBIDDEN, "metadata" },
		{ "http://169.254.169.254/latest/meta-data/", HERR_FORBIDDEN, "metadata" },
		{ "http://2130706433:1/", HERR_FORBIDDEN, "loopback" },
		{ "http://0x7f.1:1/", HERR_FORBIDDEN, "loopback" },
		{ "http://0177.0.0.1:1/", HERR_FORBIDDEN, "loopback" },
		{ "http://0.0.0.0:1/", HERR_FORBIDDEN, "unspecified" },
		{ "http://10.0.0.1/", HERR_FORBIDDEN, "private" },
		{ "https://192.168.1.1/", HERR_FORBIDDEN, "private" },
		{ "http://[fe80::1%25eth0]/", HERR_FORBIDDEN, "link-local" },
		{ "http://user:pw@127.0.0.1:1/", HERR_FORBIDDEN, "loopback" },
	};
	struct netpolicy pol = { .allow_private = false };
	struct tool_web_page pg;
	struct herror err;

	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum herr rc;

		herr_clear(&err);
		rc = tool_web_fetch(&pol, cases[i].url, NULL, &pg, &err);
		ok(rc == cases[i].rc && strstr(err.msg, cases[i].msg), "%s: refused (%s)",
		   cases[i].url, err.msg);
	}
}

static volatile sig_atomic_t intr;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The tick records the widest gap between calls and sets the interrupt
 * at its fifth call, as a turn whose client left would. */
struct ticks {
	int n;
	double last, max_gap;
};

static void on_tick(void *p)
{
	struct ticks *t = p;
	double n = now();

	if(t->n && n - t->last > t->max_gap)
		t->max_gap = n - t->last;
	t->last = n;
	if(++t->n == 5)
		intr = 1;
}

static void test_ticks(const struct netpolicy *priv)
{
	struct ticks t = { 0 };
	struct tool_ctx ctx = { .interrupt = &intr, .tick = on_tick, .tick_ctx = &t };
	struct tool_web_page pg;
	struct herror err;
	enum herr rc;
	double t0 = now();

	intr = 0;
	t.last = t0;
	rc = fetch(priv, "/slow", &ctx, &pg, &err);
	ok(rc == HERR_IO && strstr(err.msg, "interrupted"),
	   "an interrupt set from the tick stops a stalled transfer (%s)", err.msg);
	ok(now() - t0 < 1.5, "... promptly (%.2f s, 5 ticks)", now() - t0);
	ok(t.n >= 5 && t.max_gap < 0.25, "the tick is called while the transfer waits (%d calls, "
	   "widest gap %.3f s)", t.n, t.max_gap);
	if(rc == HERR_OK)
		tool_web_page_release(&pg);
	intr = 0;
}

static void test_fetch(void)
{
	struct netpolicy test = { .classify = only_dot_one }, dflt = { 0 },
			       priv = { .allow_private = true };
	struct tool_web_page pg;
	struct herror err;
	enum herr rc;

	if(!ok(start_server() == 0, "test server on 127.0.0.1"))
		return;
	rc = fetch(&dflt, "/page", NULL, &pg, &err);
	ok(rc == HERR_FORBIDDEN && strstr(err.msg, "loopback") &&
	   strstr(err.msg, "web.allow_private_urls"), "default policy refuses 127.0.0.1 (%s)", err.msg);

	rc = fetch(&priv, "/page", NULL, &pg, &err);
	ok(rc == HERR_OK && pg.status == 200 && strstr(buf_str(&pg.body), "Readable"),
	   "allow_private: the page is fetched");
	ok(rc == HERR_OK && pg.content_type && strstr(pg.content_type, "text/html"), "content type kept");
	if(rc == HERR_OK)
		tool_web_page_release(&pg);

	rc = fetch(&test, "/hop", NULL, &pg, &err);
	ok(rc == HERR_OK && pg.status == 200 && strstr(pg.final_url, "/page"),
	   "a redirect to an allowed address is followed; final URL reported");
	if(rc == HERR_OK)
		tool_web_page_release(&pg);

	rc = fetch(&test, "/redir-private", NULL, &pg, &err);
	ok(rc == HERR_FORBIDDEN && strstr(err.msg, "redirect target") &&
	   strstr(err.msg, "127.0.0.2"), "a redirect to a refused address is refused (%s)", err.msg);

	rc = fetch(&priv, "/redir-file", NULL, &pg, &err);
	ok(rc == HERR_BAD_REQUEST && strstr(err.msg, "redirect") && strstr(err.msg, "only http"),
	   "a redirect to file:// is refused (%s)", err.msg);

	rc = fetch(&test, "/loop0", NULL, &pg, &err);
	ok(rc == HERR_UPSTREAM && strstr(err.msg, "more than 5"), "more than 5 redirects: refused (%s)",
	   err.msg);

	rc = fetch(&priv, "/big", NULL, &pg, &err);
	ok(rc == HERR_OK && pg.truncated && buf_len(&pg.body) == TOOL_WEB_MAX_BYTES,
	   "the download stops at 2 MB, marked truncated");
	if(rc == HERR_OK)
		tool_web_page_release(&pg);

	rc = fetch(&priv, "/missing", NULL, &pg, &err);
	ok(rc == HERR_OK && pg.status == 404, "an HTTP error status is reported");
	if(rc == HERR_OK)
		tool_web_page_release(&pg);

	test_ticks(&priv);
}

static void test_tool(void)
{
	static const char *const sets[] = { "web", NULL };
	struct tool_config cfg = { .web_allow_private = true };
	struct tool_ctx ctx = { .toolsets = sets };
	char args[256];
	struct buf out;
	bool is_err;

	buf_init(&out, TOOL_RESULT_MAX);
	snprintf(args, sizeof(args), "{\"url\":\"http://127.0.0.1:%d/page\"}", srv_port);
	tool_run(&ctx, "web_extract", args, &out, &is_err);
	ok(is_err && strstr(buf_str(&out), "Error: refused to fetch"), "tool: refused by default");
	buf_reset(&out);
	ctx.cfg = &cfg;
	tool_run(&ctx, "web_extract", args, &out, &is_err);
	snprintf(args, sizeof(args), "URL: http://127.0.0.1:%d/page\nTitle: Test page\n\n"
		 "# Hello\n\nReadable & text.", srv_port);
	ok(!is_err, "tool: fetched with web.allow_private_urls");
	is_str(buf_str(&out), args, "tool: URL, title, then the text (no script)");
	buf_reset(&out);
	snprintf(args, sizeof(args), "{\"url\":\"http://127.0.0.1:%d/png\"}", srv_port);
	tool_run(&ctx, "web_extract", args, &out, &is_err);
	ok(is_err && strstr(buf_str(&out), "image/png"), "tool: an image is refused as not text");
	buf_reset(&out);
	snprintf(args, sizeof(args), "{\"url\":\"http://127.0.0.1:%d/missing\"}", srv_port);
	tool_run(&ctx, "web_extract", args, &out, &is_err);
	ok(is_err && strstr(buf_str(&out), "HTTP 404"), "tool: HTTP 404 is an error result");
	buf_reset(&out);
	tool_run(&ctx, "web_extract", "{}", &out, &is_err);
	ok(is_err && strstr(buf_str(&out), "'url' is required"), "tool: url required");
	buf_reset(&out);
	{
		struct ticks t = { 0 };
		double t0 = now();

		intr = 0;
		ctx.interrupt = &intr;
		ctx.tick = on_tick;
		ctx.tick_ctx = &t;
		snprintf(args, sizeof(args), "{\"url\":\"http://127.0.0.1:%d/slow\"}", srv_port);
		tool_run(&ctx, "web_extract", args, &out, &is_err);
		ok(is_err && strstr(buf_str(&out), "interrupted") && now() - t0 < 1.5,
		   "tool: interrupted from the tick, promptly (%.2f s): %s", now() - t0, buf_str(&out));
		intr = 0;
	}
	buf_release(&out);
}

/* This host's own interface addresses are refused before any connection:
 * the refusal comes from the resolve check, which runs before curl does. */
static void test_own_addrs(void)
{
	struct netpolicy dflt = { 0 }, host_only = { .classify = netpolicy_host_class };
	struct ifaddrs *list = NULL;
	struct tool_web_page pg;
	struct herror err;
	char ip[INET6_ADDRSTRLEN], url[128];
	int n = 0;

	if(!ok(getifaddrs(&list) == 0, "getifaddrs"))
		return;
	for(const struct ifaddrs *i = list; i; i = i->ifa_next) {
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : 0;
		enum herr rc;

		if(fam != AF_INET && fam != AF_INET6)
			continue;
		netpolicy_addr_text(i->ifa_addr, ip, sizeof(ip));
		snprintf(url, sizeof(url), fam == AF_INET6 ? "http://[%s]:1/" : "http://%s:1/", ip);
		herr_clear(&err);
		rc = tool_web_fetch(&dflt, url, NULL, &pg, &err);
		ok(rc == HERR_FORBIDDEN || (fam == AF_INET6 && rc == HERR_BAD_REQUEST),
		   "own address %s (%s) refused: %s", ip, i->ifa_name, err.msg);
		n++;
	}
	freeifaddrs(list);
	ok(n > 0, "%d interface addresses checked", n);
	herr_clear(&err);
	ok(tool_web_fetch(&host_only, "http://127.0.0.1:1/", NULL, &pg, &err) == HERR_FORBIDDEN &&
	   strstr(err.msg, "an address of this host"), "the host check alone refuses 127.0.0.1 (%s)",
	   err.msg);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_html();
	test_text();
	test_urls();
	test_own_addrs();
	test_fetch();
	if(srv_pid > 0) {
		test_tool();
		kill(srv_pid, SIGKILL);
		waitpid(srv_pid, NULL, 0);
	}
	curl_global_cleanup();
	return tap_done();
}
