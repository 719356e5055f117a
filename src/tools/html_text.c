/* src/tools/html_text.c: a fetched page's bytes → readable text.
 *
 * The DOM from libxml2's recovering HTML parser is walked iteratively (no
 * recursion, so deep nesting cannot exhaust the stack). Output state is a
 * pending separator: text runs are written with at most one space between
 * them, block boundaries ask for one or two newlines, and nothing pending is
 * written before the first or after the last run. Every write goes through
 * put(), which enforces the byte cap at a UTF-8 boundary.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/html_text.h"

#include "util/lazy_xml.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/str.h"
#include "util/utf8.h"
#include "util/xalloc.h"

struct out {
	struct buf *b;
	size_t max;       /* bytes this call may append */
	size_t used;
	bool full;
	int nl;           /* newlines wanted before the next run (0..2) */
	bool space;       /* a space wanted before the next run */
	int pre;          /* depth of <pre> */
	const char *prefix; /* "- " or "## " for the next line's first run */
};

static void put(struct out *o, const char *s, size_t n)
{
	if(o->full || !n)
		return;
	if(o->used + n > o->max) {
		n = utf8_trim_end(s, o->max - o->used);
		o->full = true;
	}
	if(n && buf_add(o->b, s, n) == HERR_OK)
		o->used += n;
	else if(n)
		o->full = true;
}

/* Write whatever separator is pending, then the line prefix. */
static void flush(struct out *o)
{
	if(o->used == 0) {
		o->nl = 0;
		o->space = false;
	}
	if(o->nl)
		put(o, "\n\n", (size_t)o->nl);
	else if(o->space)
		put(o, " ", 1);
	o->nl = 0;
	o->space = false;
	if(o->prefix) {
		put(o, o->prefix, strlen(o->prefix));
		o->prefix = NULL;
	}
}

static void want_nl(struct out *o, int n)
{
	if(o->nl < n)
		o->nl = n;
	o->space = false;
}

/* Byte length of the white space at s (ASCII or U+00A0), 0 if none. */
static size_t ws_len(const char *s, size_t left)
{
	unsigned char c = (unsigned char)*s;

	if(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
		return 1;
	if(c == 0xC2 && left > 1 && (unsigned char)s[1] == 0xA0)
		return 2;
	return 0;
}

static void put_text(struct out *o, const char *s)
{
	size_t len = strlen(s), i = 0;

	if(o->pre) {
		flush(o);
		for(size_t j = 0; j < len; j++)
			if(s[j] != '\r')
				put(o, s + j, 1);
		return;
	}
	while(i < len && !o->full) {
		size_t w = ws_len(s + i, len - i), start;

		if(w) {
			o->space = true;
			i += w;
			continue;
		}
		start = i;
		while(i < len && !ws_len(s + i, len - i))
			i++;
		flush(o);
		put(o, s + start, i - start);
	}
}

static bool name_in(const xmlChar *name, const char *const *set)
{
	for(; *set; set++)
		if(xmlStrcasecmp(name, (const xmlChar *)*set) == 0)
			return true;
	return false;
}

static const char *const dropped[] = {
	"script", "style", "noscript", "head", "template", "svg", "math", "canvas",
	"iframe", "object", "embed", NULL,
};
static const char *const paragraphs[] = {
	"p", "pre", "blockquote", "table", "ul", "ol", "dl", "figure", "hr", "address",
	"h1", "h2", "h3", "h4", "h5", "h6", NULL,
};
static const char *const blocks[] = {
	"div", "section", "article", "aside", "header", "footer", "nav", "main", "form",
	"fieldset", "details", "summary", "dialog", "li", "dt", "dd", "tr", "caption",
	"figcaption", "center", "hgroup", "menu", "body", "html", "legend", "option", NULL,
};

static bool is_dropped(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE &&
	       (name_in(n->name, dropped) || xmlHasProp((xmlNode *)n, (const xmlChar *)"hidden"));
}

/* Break size a block element asks for around itself, 0 for inline ones. */
static int block_nl(const xmlNode *n)
{
	if(name_in(n->name, paragraphs))
		return 2;
	return name_in(n->name, blocks) ? 1 : 0;
}

/* Opening side of n; returns whether to walk into its children. */
static bool enter(struct out *o, const xmlNode *n)
{
	static const char *const hashes[] = { "# ", "## ", "### ", "#### ", "##### ", "###### " };
	const char *nm = (const char *)n->name;

	if(n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if(n->content)
			put_text(o, (const char *)n->content);
		return false;
	}
	if(n->type != XML_ELEMENT_NODE)
		return n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE;
	if(is_dropped(n))
		return false;
	if(xmlStrcasecmp(n->name, (const xmlChar *)"br") == 0) {
		o->nl = o->nl < 2 ? o->nl + 1 : 2;
		o->space = false;
		return false;
	}
	if(xmlStrcasecmp(n->name, (const xmlChar *)"td") == 0 ||
	   xmlStrcasecmp(n->name, (const xmlChar *)"th") == 0) {
		o->space = true;
		return true;
	}
	if(block_nl(n))
		want_nl(o, block_nl(n));
	if(xmlStrcasecmp(n->name, (const xmlChar *)"li") == 0)
		o->prefix = "- ";
	else if((nm[0] == 'h' || nm[0] == 'H') && nm[1] >= '1' && nm[1] <= '6' && !nm[2])
		o->prefix = hashes[nm[1] - '1'];
	if(xmlStrcasecmp(n->name, (const xmlChar *)"pre") == 0)
		o->pre++;
	return true;
}

/* Closing side of an element whose children were walked. */
static void leave(struct out *o, const xmlNode *n)
{
	if(n->type != XML_ELEMENT_NODE)
		return;
	if(xmlStrcasecmp(n->name, (const xmlChar *)"pre") == 0 && o->pre > 0)
		o->pre--;
	if(block_nl(n)) {
		want_nl(o, block_nl(n));
		o->prefix = NULL;
	}
}

static void walk(struct out *o, xmlNode *root)
{
	xmlNode *n = root;

	while(n && !o->full) {
		if(enter(o, n) && n->children) {
			n = n->children;
			continue;
		}
		for(;;) {
			if(n->type == XML_ELEMENT_NODE && !is_dropped(n))
				leave(o, n);
			if(n == root)
				return;
			if(n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
		}
	}
}

/* The first <title>'s text, collapsed and capped; caller frees; or NULL. */
static char *find_title(xmlNode *root)
{
	xmlNode *n = root;

	while(n) {
		if(n->type == XML_ELEMENT_NODE && xmlStrcasecmp(n->name, (const xmlChar *)"title") == 0) {
			xmlChar *c = xmlNodeGetContent(n);
			struct buf b;
			struct out o = { .b = &b, .max = TOOL_HTML_TITLE_MAX };

			buf_init(&b, TOOL_HTML_TITLE_MAX + 8);
			if(c)
				put_text(&o, (const char *)c);
			xmlFree(c);
			if(!buf_len(&b)) {
				buf_release(&b);
				return NULL;
			}
			return buf_take(&b);
		}
		if(n->type != XML_ELEMENT_NODE || !is_dropped(n) ||
		   xmlStrcasecmp(n->name, (const xmlChar *)"head") == 0) {
			if(n->children) {
				n = n->children;
				continue;
			}
		}
		while(n && !n->next)
			n = n->parent;
		if(n)
			n = n->next;
	}
	return NULL;
}

void tool_html_to_text(const char *html, size_t len, const char *encoding, size_t max,
		       struct buf *text, char **title, bool *truncated)
{
	const int opts = HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
			 HTML_PARSE_RECOVER;
	struct out o = { .b = text, .max = max };
	htmlDocPtr doc = NULL;

	*title = NULL;
	if(len == 0 || len > INT_MAX)
		return;
	if(encoding && *encoding)
		doc = htmlReadMemory(html, (int)len, NULL, encoding, opts);
	if(!doc) /* no charset, or one libxml2 does not know: let it sniff */
		doc = htmlReadMemory(html, (int)len, NULL, NULL, opts);
	if(!doc)
		return;
	*title = find_title((xmlNode *)doc);
	walk(&o, (xmlNode *)doc);
	if(o.full)
		*truncated = true;
	xmlFreeDoc(doc);
}

/* A control byte tool_text_clean drops. Bytes below 0x80 never occur inside
 * a multi-byte UTF-8 sequence, so the text can be cut at them safely. */
static bool dropped_ctl(unsigned char c)
{
	return (c < 0x20 || c == 0x7F) && c != '\n' && c != '\t';
}

#define CLEAN_CHUNK 4096

void tool_text_clean(const char *s, size_t len, size_t max, struct buf *text, bool *truncated)
{
	struct out o = { .b = text, .max = max };
	const unsigned char *u = (const unsigned char *)s;
	struct buf chunk;
	size_t i = 0;

	buf_init(&chunk, 3 * CLEAN_CHUNK + 16);
	while(i < len && !o.full) {
		size_t end = i;

		while(end < len && end - i < CLEAN_CHUNK && !dropped_ctl(u[end]))
			end++;
		if(end < len && end - i == CLEAN_CHUNK && !dropped_ctl(u[end]))
			end = i + utf8_trim_end(s + i, CLEAN_CHUNK); /* the rest goes in the next chunk */
		buf_reset(&chunk);
		if(end > i && utf8_sanitize(&chunk, s + i, end - i, false) == HERR_OK)
			put(&o, buf_str(&chunk), buf_len(&chunk));
		for(i = end; i < len && dropped_ctl(u[i]); i++)
			;
	}
	buf_release(&chunk);
	if(o.full)
		*truncated = true;
}

static bool type_is(const char *t, size_t tl, const char *want)
{
	return tl == strlen(want) && strncasecmp(t, want, tl) == 0;
}

static bool type_ends(const char *t, size_t tl, const char *suffix)
{
	size_t sl = strlen(suffix);
	return tl >= sl && strncasecmp(t + tl - sl, suffix, sl) == 0;
}

/* Does the body look like an HTML document? */
static enum tool_content_kind sniff(const char *body, size_t len)
{
	size_t i = 0, n = len < 1024 ? len : 1024;

	while(i < n && ws_len(body + i, n - i))
		i++;
	if(i < n && body[i] == '<') {
		for(size_t j = i; j + 5 <= n; j++)
			if(strncasecmp(body + j, "<html", 5) == 0 || strncasecmp(body + j, "<body", 5) == 0 ||
			   (j + 14 <= n && strncasecmp(body + j, "<!doctype html", 14) == 0))
				return TOOL_CONTENT_HTML;
	}
	if(memchr(body, '\0', n))
		return TOOL_CONTENT_OTHER;
	for(size_t j = 0; j < n;) {
		size_t k = utf8_seq((const unsigned char *)body + j, len - j);
		if(!k)
			return TOOL_CONTENT_OTHER;
		j += k;
	}
	return TOOL_CONTENT_TEXT;
}

enum tool_content_kind tool_content_kind(const char *content_type, const char *body, size_t len)
{
	const char *semi;
	size_t tl;
	const char *t;

	if(!content_type || !*content_type)
		return sniff(body, len);
	semi = strchr(content_type, ';');
	t = str_trim(content_type, semi ? (size_t)(semi - content_type) : strlen(content_type), &tl);
	if(type_is(t, tl, "text/html") || type_is(t, tl, "application/xhtml+xml"))
		return TOOL_CONTENT_HTML;
	if(type_is(t, tl, "application/octet-stream") || tl == 0)
		return sniff(body, len);
	if((tl > 5 && strncasecmp(t, "text/", 5) == 0) || type_is(t, tl, "application/json") ||
	   type_is(t, tl, "application/xml") || type_is(t, tl, "application/javascript") ||
	   type_is(t, tl, "application/yaml") || type_is(t, tl, "application/x-yaml") ||
	   type_is(t, tl, "application/x-ndjson") || type_ends(t, tl, "+json") ||
	   type_ends(t, tl, "+xml"))
		return TOOL_CONTENT_TEXT;
	return TOOL_CONTENT_OTHER;
}

const char *tool_content_charset(const char *content_type, char *dst, size_t cap)
{
	const char *p = content_type;
	size_t n = 0;

	if(!p || cap < 2)
		return NULL;
	while((p = strchr(p, ';')) != NULL) {
		p++;
		while(*p == ' ' || *p == '\t')
			p++;
		if(strncasecmp(p, "charset=", 8) == 0) {
			p += 8;
			if(*p == '"')
				p++;
			while(p[n] && p[n] != '"' && p[n] != ';' && p[n] != ' ' && n + 1 < cap) {
				char c = p[n];
				if(!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				     (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':'))
					return NULL;
				dst[n] = c;
				n++;
			}
			dst[n] = '\0';
			return n ? dst : NULL;
		}
	}
	return NULL;
}
