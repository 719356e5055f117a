/* src/api/responses_page.h: one page of a stored response's input items.
 *
 * GET /v1/responses/{id}/input_items answers an OpenAI cursor page
 * {object:"list", data, first_id, last_id, has_more}. The query says which
 * page: limit (1-100, default 20), order ("asc" | "desc", default "desc"
 * as on OpenAI: newest item first) and after (an item id: the page starts
 * with the item that follows it in that order). Everything here is pure: a
 * query and a JSON array in, a page or an error out.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RESPONSES_PAGE_H
#define HERMES_API_RESPONSES_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct json_object;
struct query;

#define API_PAGE_LIMIT_DEFAULT 20
#define API_PAGE_LIMIT_MAX 100
#define API_ID_MAX 128   /* longest response or item id accepted */

struct api_page_opts {
	size_t limit;        /* 1..API_PAGE_LIMIT_MAX */
	bool desc;           /* order=desc: last item first */
	const char *after;   /* borrowed from the query, or NULL */
};

/* True when id can name a stored response or item: 1..API_ID_MAX bytes of
 * [A-Za-z0-9_-]. Anything else is not looked up (404 / 400). */
bool api_id_valid(const char *id);

/* The page options of q (may be NULL: the defaults). Other keys are
 * ignored (the SDKs send include[]). A wrong limit, order or after is 400
 * invalid_value with param naming the key; o is untouched then. */
enum herr api_page_opts_parse(const struct query *q, struct api_page_opts *o,
			      struct herror *err) __attribute__((warn_unused_result));

/* The list object for one page of items (a JSON array, borrowed; NULL or a
 * non-array is an empty list). Items of the page are shared with items
 * (json_object_get), the list is new (caller puts it). An after id that is
 * not among the items is 400 invalid_value, param "after". */
enum herr api_page_list(struct json_object *items, const struct api_page_opts *o,
			struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

#endif
