/* src/tools/web_extract.c: the web_extract tool: fetch a page
 * (tools/web_fetch.c), turn it into readable text (tools/html_text.c) and
 * render the result the model reads.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/web_extract.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "tools/html_text.h"
#include "tools/web_fetch.h"
#include "util/jsonx.h"
#include "util/lazy_xml.h"
#include "util/netpolicy.h"

#define URL_SHOWN 200

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
	struct netpolicy pol = { .allow_private = ctx->cfg && ctx->cfg->web_allow_private };
	const char *url = jsonx_get_str(args, "url");
	struct tool_web_page pg;
	enum tool_content_kind kind;
	enum herr rc;

	if(!url || !*url)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "url",
				"'url' is required: the http:// or https:// address of the page");
	if((rc = tool_web_fetch(&pol, url, ctx, &pg, err)))
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
