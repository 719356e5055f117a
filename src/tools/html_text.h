/* src/tools/html_text.h: a fetched page's bytes → readable text for the model.
 *
 * HTML goes through libxml2's HTML parser (never hand-written tag
 * stripping): script/style/noscript/head/template/svg are dropped, block
 * elements become line breaks, white space is collapsed, entities come out
 * decoded. Plain text and JSON pass through with invalid UTF-8 and control
 * bytes cleaned. Output is always valid UTF-8 and capped. Pure functions.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_HTML_TEXT_H
#define HERMES_TOOLS_HTML_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

#define TOOL_HTML_TITLE_MAX 300

enum tool_content_kind {
	TOOL_CONTENT_HTML,   /* text/html, application/xhtml+xml, or sniffed as HTML */
	TOOL_CONTENT_TEXT,   /* text/ *, JSON, XML, YAML: passed through */
	TOOL_CONTENT_OTHER   /* images, PDFs, binaries: not readable */
};

/* Classify a body by its Content-Type (may be NULL; parameters ignored) and,
 * when the type is missing or application/octet-stream, by sniffing body. */
enum tool_content_kind tool_content_kind(const char *content_type, const char *body, size_t len);

/* The charset parameter of a Content-Type, copied into dst (cap bytes);
 * returns dst, or NULL when there is none. */
const char *tool_content_charset(const char *content_type, char *dst, size_t cap);

/* Render HTML (len bytes; encoding: a charset name or NULL to let libxml2
 * sniff <meta>) as text appended to text, at most max bytes (cut at a UTF-8
 * boundary, *truncated set). *title gets the page title, white space
 * collapsed and capped at TOOL_HTML_TITLE_MAX bytes (caller frees), or NULL.
 * text must have room for max more bytes. Never fails: unparseable input
 * gives empty text. */
void tool_html_to_text(const char *html, size_t len, const char *encoding, size_t max,
		       struct buf *text, char **title, bool *truncated);

/* Append s (len bytes) to text as clean UTF-8: invalid sequences become
 * U+FFFD, CR and control bytes other than LF and TAB are dropped; at most
 * max bytes (*truncated set when cut). */
void tool_text_clean(const char *s, size_t len, size_t max, struct buf *text, bool *truncated);

#endif
