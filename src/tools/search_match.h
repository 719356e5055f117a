/* src/tools/search_match.h: how search_files decides that a line matches.
 *
 * The pattern is literal text unless the call asks for a regular
 * expression. Regular expressions run on PCRE2 with bounds on everything a
 * hostile pattern can make grow: pattern length, nesting, compiled size,
 * backtracking steps per line (match limit), backtracking depth and heap
 * per line, and the wall-clock time of the whole search. A pattern that
 * hits a bound is refused with an error the model can act on; no pattern
 * can hold the responder longer than SEARCH_REGEX_SECONDS.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_SEARCH_MATCH_H
#define HERMES_TOOLS_SEARCH_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define SEARCH_PATTERN_MAX 1000        /* bytes of a pattern */
#define SEARCH_MATCH_LIMIT 1000000u    /* PCRE2 match limit per line */
#define SEARCH_DEPTH_LIMIT 10000u      /* PCRE2 backtracking depth per line */
#define SEARCH_HEAP_LIMIT_KIB 8192u    /* PCRE2 backtracking heap per line */
#define SEARCH_REGEX_SECONDS 10        /* a whole regex search */

struct tool_search_match;

/* Make a matcher for pattern (borrowed; len bytes, no NUL inside): literal
 * text, or with regex a PCRE2 pattern (UTF-8, invalid bytes in the
 * searched text never match). HERR_BAD_REQUEST with a message naming the
 * problem (and its offset) when the pattern is refused. *m is owned by
 * the caller (tool_search_match_free). */
enum herr tool_search_match_new(const char *pattern, size_t len, bool regex,
				struct tool_search_match **m, struct herror *err)
	__attribute__((warn_unused_result));

/* Does line[0..len) match? 1 yes, 0 no, -1 when a regex went over one of
 * its bounds on this line or the search has run longer than
 * SEARCH_REGEX_SECONDS (err set: HERR_TOO_LARGE, a message saying to
 * simplify the pattern). */
int tool_search_match_line(struct tool_search_match *m, const char *line, size_t len,
			   struct herror *err);

void tool_search_match_free(struct tool_search_match *m);

#endif
