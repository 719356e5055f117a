/* tests/unit/test_responses_page.c: ids and the input_items cursor page
 * (api/responses_page.c) as pure functions. */
#include "config.h"

#include <json-c/json.h>
#include <string.h>

#include "api/responses_page.h"
#include "http/query.h"
#include "tap.h"
#include "util/jsonx.h"

/* Parse qs into opts; returns the error code ("" on success) and fills
 * param with the error's param. */
static const char *opts_of(const char *qs, struct api_page_opts *o, struct query *q,
			   struct herror *err)
{
	herr_clear(err);
	query_release(q);
	if(query_parse(q, qs, err))
		return err->code;
	if(api_page_opts_parse(q, o, err))
		return err->code;
	return "";
}

/* The page of items for qs as "first last has_more: id id id" or the
 * error as "code param". */
static const char *page(struct json_object *items, const char *qs, char *out, size_t cap)
{
	struct query q;
	struct api_page_opts o;
	struct herror err;
	struct json_object *list = NULL, *data;
	const char *code;
	size_t used;

	query_init(&q);
	code = opts_of(qs, &o, &q, &err);
	if(!*code && api_page_list(items, &o, &list, &err))
		code = err.code;
	if(*code) {
		snprintf(out, cap, "%s %s", code, err.param);
		query_release(&q);
		return out;
	}
	data = json_object_object_get(list, "data");
	used = (size_t)snprintf(out, cap, "%s %s %s:", jsonx_get_str(list, "first_id") ?
				jsonx_get_str(list, "first_id") : "null",
				jsonx_get_str(list, "last_id") ? jsonx_get_str(list, "last_id") : "null",
				json_object_get_boolean(json_object_object_get(list, "has_more")) ?
				"true" : "false");
	for(size_t i = 0; i < json_object_array_length(data) && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, " %s",
					 jsonx_get_str(json_object_array_get_idx(data, i), "id"));
	if(strcmp(jsonx_get_str(list, "object"), "list") != 0)
		snprintf(out, cap, "object is not list");
	json_object_put(list);
	query_release(&q);
	return out;
}

int main(void)
{
	char buf[512], longid[API_ID_MAX + 2];
	struct json_object *items = json_object_new_array();
	struct json_object *none = json_object_new_array();

	for(int i = 1; i <= 5; i++) {
		struct json_object *it = json_object_new_object();
		char id[16];

		snprintf(id, sizeof(id), "msg_%d", i);
		jsonx_add_str(it, "id", id);
		jsonx_add_str(it, "type", "message");
		json_object_array_add(items, it);
	}

	/* ids */
	ok(api_id_valid("resp_0123abcDEF-x"), "letters, digits, _ and - are an id");
	ok(!api_id_valid(""), "empty is not an id");
	ok(!api_id_valid(NULL), "NULL is not an id");
	ok(!api_id_valid("resp 1"), "a space is not in an id");
	ok(!api_id_valid("resp%2e"), "%% is not in an id");
	ok(!api_id_valid("r\xc3\xa9sp"), "non-ASCII is not in an id");
	ok(!api_id_valid("a/b"), "/ is not in an id");
	memset(longid, 'a', sizeof(longid) - 1);
	longid[API_ID_MAX] = '\0';
	ok(api_id_valid(longid), "API_ID_MAX bytes is an id");
	longid[API_ID_MAX] = 'a';
	longid[API_ID_MAX + 1] = '\0';
	ok(!api_id_valid(longid), "API_ID_MAX + 1 bytes is not");

	/* pages */
	is_str(page(items, "", buf, sizeof(buf)), "msg_5 msg_1 false: msg_5 msg_4 msg_3 msg_2 msg_1",
	       "default: desc, everything (limit 20)");
	is_str(page(items, "order=asc", buf, sizeof(buf)),
	       "msg_1 msg_5 false: msg_1 msg_2 msg_3 msg_4 msg_5", "order=asc: request order");
	is_str(page(items, "limit=2", buf, sizeof(buf)), "msg_5 msg_4 true: msg_5 msg_4",
	       "limit=2 desc: has_more");
	is_str(page(items, "limit=2&after=msg_4", buf, sizeof(buf)), "msg_3 msg_2 true: msg_3 msg_2",
	       "after=msg_4 desc: the next page");
	is_str(page(items, "limit=2&after=msg_2", buf, sizeof(buf)), "msg_1 msg_1 false: msg_1",
	       "the last page: has_more false");
	is_str(page(items, "after=msg_1", buf, sizeof(buf)), "null null false:",
	       "after the last item: empty page, null ids");
	is_str(page(items, "order=asc&limit=2&after=msg_2", buf, sizeof(buf)),
	       "msg_3 msg_4 true: msg_3 msg_4", "asc after msg_2");
	is_str(page(items, "order=asc&limit=3&after=msg_2", buf, sizeof(buf)),
	       "msg_3 msg_5 false: msg_3 msg_4 msg_5", "asc: a page that ends exactly at the end");
	is_str(page(items, "limit=5", buf, sizeof(buf)),
	       "msg_5 msg_1 false: msg_5 msg_4 msg_3 msg_2 msg_1", "limit = count: has_more false");
	is_str(page(items, "limit=100&foo=bar&include%5B%5D=x", buf, sizeof(buf)),
	       "msg_5 msg_1 false: msg_5 msg_4 msg_3 msg_2 msg_1", "other keys are ignored");
	is_str(page(none, "", buf, sizeof(buf)), "null null false:", "no items: empty page");
	is_str(page(NULL, "order=asc", buf, sizeof(buf)), "null null false:", "absent items: empty page");

	/* wrong values */
	is_str(page(items, "limit=0", buf, sizeof(buf)), "invalid_value limit", "limit=0 is 400");
	is_str(page(items, "limit=101", buf, sizeof(buf)), "invalid_value limit", "limit=101 is 400");
	is_str(page(items, "limit=1000", buf, sizeof(buf)), "invalid_value limit", "limit=1000 is 400");
	is_str(page(items, "limit=-1", buf, sizeof(buf)), "invalid_value limit", "limit=-1 is 400");
	is_str(page(items, "limit=2x", buf, sizeof(buf)), "invalid_value limit", "limit=2x is 400");
	is_str(page(items, "limit=", buf, sizeof(buf)), "invalid_value limit", "empty limit is 400");
	is_str(page(items, "limit=%2B5", buf, sizeof(buf)), "invalid_value limit", "limit=+5 is 400");
	is_str(page(items, "limit=100", buf, sizeof(buf)),
	       "msg_5 msg_1 false: msg_5 msg_4 msg_3 msg_2 msg_1", "limit=100 is allowed");
	is_str(page(items, "order=ASC", buf, sizeof(buf)), "invalid_value order", "order=ASC is 400");
	is_str(page(items, "order=", buf, sizeof(buf)), "invalid_value order", "empty order is 400");
	is_str(page(items, "after=msg_9", buf, sizeof(buf)), "invalid_value after",
	       "an after id that is not an item is 400");
	is_str(page(items, "after=a%20b", buf, sizeof(buf)), "invalid_value after",
	       "an after that cannot be an id is 400");
	is_str(page(items, "after=", buf, sizeof(buf)), "invalid_value after", "empty after is 400");
	is_str(page(items, "limit=%ZZ", buf, sizeof(buf)), "invalid_query_string ",
	       "a malformed query string is 400 before paging");

	is_int(json_object_array_length(items), 5, "the items are not changed by paging");
	json_object_put(items);
	json_object_put(none);
	return tap_done();
}
