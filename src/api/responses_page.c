/* src/api/responses_page.c: one page of a stored response's input items.
 * SPEC: openai-wire §6.3 (the cursor page)
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/responses_page.h"

#include <json-c/json.h>
#include <string.h>

#include "http/query.h"
#include "util/jsonx.h"

bool api_id_valid(const char *id)
{
	size_t n = 0;

	if(!id)
		return false;
	for(const char *p = id; *p; p++, n++) {
		char c = *p;

		if(n >= API_ID_MAX)
			return false;
		if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

/* limit: 1 to 3 decimal digits, value 1..API_PAGE_LIMIT_MAX. */
static bool parse_limit(const char *s, size_t *out)
{
	size_t v = 0, n = 0;

	for(; s[n]; n++) {
		if(s[n] < '0' || s[n] > '9' || n >= 3)
			return false;
		v = v * 10 + (size_t)(s[n] - '0');
	}
	if(n == 0 || v < 1 || v > API_PAGE_LIMIT_MAX)
		return false;
	*out = v;
	return true;
}

enum herr api_page_opts_parse(const struct query *q, struct api_page_opts *o,
			      struct herror *err)
{
	struct api_page_opts v = { .limit = API_PAGE_LIMIT_DEFAULT, .desc = true, .after = NULL };
	const char *s;

	if(q && (s = query_get(q, "limit")) && !parse_limit(s, &v.limit))
		return herr_set(err, HERR_BAD_REQUEST, "invalid_value", "limit",
				"limit must be an integer from 1 to %d.", API_PAGE_LIMIT_MAX);
	if(q && (s = query_get(q, "order"))) {
		if(strcmp(s, "asc") == 0)
			v.desc = false;
		else if(strcmp(s, "desc") != 0)
			return herr_set(err, HERR_BAD_REQUEST, "invalid_value", "order",
					"order must be 'asc' or 'desc'.");
	}
	if(q && (s = query_get(q, "after"))) {
		if(!api_id_valid(s))
			return herr_set(err, HERR_BAD_REQUEST, "invalid_value", "after",
					"after must be an item id.");
		v.after = s;
	}
	*o = v;
	return HERR_OK;
}

/* The id of items[i] in page order, or NULL. */
static const char *id_at(struct json_object *items, size_t n, size_t i, bool desc)
{
	return jsonx_get_str(json_object_array_get_idx(items, desc ? n - 1 - i : i), "id");
}

enum herr api_page_list(struct json_object *items, const struct api_page_opts *o,
			struct json_object **out, struct herror *err)
{
	size_t n = 0, start = 0, end;
	struct json_object *list, *data;

	*out = NULL;
	if(items && json_object_is_type(items, json_type_array))
		n = json_object_array_length(items);
	if(o->after) {
		for(start = 0; start < n; start++) {
			const char *id = id_at(items, n, start, o->desc);

			if(id && strcmp(id, o->after) == 0)
				break;
		}
		if(start == n)
			return herr_set(err, HERR_BAD_REQUEST, "invalid_value", "after",
					"No input item with id '%s' in this response.", o->after);
		start++;
	}
	end = n - start > o->limit ? start + o->limit : n;
	data = json_object_new_array();
	for(size_t i = start; i < end; i++)
		json_object_array_add(data, json_object_get(json_object_array_get_idx(
						    items, o->desc ? n - 1 - i : i)));
	list = json_object_new_object();
	jsonx_add_str(list, "object", "list");
	jsonx_add_owned(list, "data", data);
	/* first_id/last_id: the ids of the page's ends, null for an empty page. */
	jsonx_add_str(list, "first_id", end > start ? id_at(items, n, start, o->desc) : NULL);
	jsonx_add_str(list, "last_id", end > start ? id_at(items, n, end - 1, o->desc) : NULL);
	jsonx_add_bool(list, "has_more", end < n);
	*out = list;
	return HERR_OK;
}
