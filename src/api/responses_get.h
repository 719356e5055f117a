/* src/api/responses_get.h: stored responses read back and deleted.
 *
 * GET /v1/responses/{id}, DELETE /v1/responses/{id} and
 * GET /v1/responses/{id}/input_items. The row POST /v1/responses stored is
 * the Response object plus one private member, "hermes_store" (the input
 * items, the transcript for chaining, the instructions); none of these
 * answers shows that member. An id that cannot be one (api_id_valid), a
 * missing row and a row whose JSON is corrupt are all 404
 * response_not_found; a corrupt row is deleted on the way.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RESPONSES_GET_H
#define HERMES_API_RESPONSES_GET_H

#include "util/err.h"

struct req;

/* The stored Response object. */
enum herr api_responses_get(void *app, struct req *r);

/* {"id","object":"response.deleted","deleted":true}; the conversation
 * names pointing at it go too. */
enum herr api_responses_delete(void *app, struct req *r);

/* The input items of the response, one cursor page (api/responses_page.h). */
enum herr api_responses_input_items(void *app, struct req *r);

#endif
