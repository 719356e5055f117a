/* src/tools/search_match.c: literal and bounded-regex line matching for
 * search_files (tools/search_match.h).
 *
 * Why PCRE2 and not <regex.h>: glibc's regexec has no step or memory bound
 * and backreferences make it exponential ("(.*)(.*)(.*)(.*)(.*)\5\4\3\2\1x"
 * over 52 'a' took 11 s; "((a{1,80}){1,80}){1,80}" seconds and ~480 MB), all
 * inside the responder. PCRE2's interpreter counts its steps, depth and
 * heap and stops with an error at the limits set in the match context; its
 * compile step refuses oversized or over-nested patterns. No JIT: the
 * interpreter's limits are the ones documented, and patterns are compiled
 * once per call anyway.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/search_match.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"

struct tool_search_match {
	const char *text;            /* literal: borrowed */
	size_t len;
	pcre2_code *re;              /* regex: owned, with what follows */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	struct timespec deadline;
};

static enum herr compile(struct tool_search_match *m, const char *pattern, size_t len,
			 struct herror *err)
{
	pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off = 0;
	int code = 0;

	if(!cctx)
		abort();
	pcre2_set_max_pattern_length(cctx, SEARCH_PATTERN_MAX);
	pcre2_set_parens_nest_limit(cctx, 50);
	m->re = pcre2_compile((PCRE2_SPTR)pattern, len,
			      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C, &code,
			      &off, cctx);
	pcre2_compile_context_free(cctx);
	if(!m->re) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return herr_set(err, HERR_BAD_REQUEST, NULL, "pattern",
				"the regular expression is refused at offset %zu: %s; fix it, or "
				"search for plain text (regex: false)", (size_t)off, (const char *)msg);
	}
	m->md = pcre2_match_data_create(1, NULL);
	m->mctx = pcre2_match_context_create(NULL);
	if(!m->md || !m->mctx)
		abort();
	pcre2_set_match_limit(m->mctx, SEARCH_MATCH_LIMIT);
	pcre2_set_depth_limit(m->mctx, SEARCH_DEPTH_LIMIT);
	pcre2_set_heap_limit(m->mctx, SEARCH_HEAP_LIMIT_KIB);
	clock_gettime(CLOCK_MONOTONIC, &m->deadline);
	m->deadline.tv_sec += SEARCH_REGEX_SECONDS;
	return HERR_OK;
}

enum herr tool_search_match_new(const char *pattern, size_t len, bool regex,
				struct tool_search_match **m, struct herror *err)
{
	enum herr rc = HERR_OK;

	*m = xcalloc(1, sizeof(**m));
	(*m)->text = pattern;
	(*m)->len = len;
	if(len > SEARCH_PATTERN_MAX)
		rc = herr_set(err, HERR_BAD_REQUEST, NULL, "pattern",
			      "the pattern is longer than %d bytes; search for a shorter one",
			      SEARCH_PATTERN_MAX);
	else if(regex)
		rc = compile(*m, pattern, len, err);
	if(rc) {
		tool_search_match_free(*m);
		*m = NULL;
	}
	return rc;
}

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static int too_costly(struct herror *err, const char *what)
{
	herr_set(err, HERR_TOO_LARGE, NULL, "pattern",
		 "the regular expression %s; simplify it (avoid nested repeats and "
		 "backreferences), narrow the path or glob, or search for plain text", what);
	return -1;
}

int tool_search_match_line(struct tool_search_match *m, const char *line, size_t len,
			   struct herror *err)
{
	int rc;

	if(!m->re)
		return m->len <= len && memmem(line, len, m->text, m->len) ? 1 : 0;
	rc = pcre2_match(m->re, (PCRE2_SPTR)line, len, 0, 0, m->md, m->mctx);
	if(rc >= 0)
		return 1;
	if(rc != PCRE2_ERROR_NOMATCH) {
		PCRE2_UCHAR msg[120];

		if(rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
		   rc == PCRE2_ERROR_HEAPLIMIT)
			return too_costly(err, "needs too much work on one line (over the match, "
					  "depth or memory limit)");
		pcre2_get_error_message(rc, msg, sizeof(msg));
		herr_set(err, HERR_BAD_REQUEST, NULL, "pattern", "the regular expression failed: %s",
			 (const char *)msg);
		return -1;
	}
	if(past(&m->deadline))
		return too_costly(err, "search took longer than its time limit");
	return 0;
}

void tool_search_match_free(struct tool_search_match *m)
{
	if(!m)
		return;
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->mctx);
	pcre2_code_free(m->re);
	free(m);
}
