/* src/api/responses.c: POST /v1/responses.
 * PLACEHOLDER (branch i10-rget): answers 501 not_implemented until
 * rcreate's branch (i10-rcreate), which replaces this file, is merged.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/responses.h"

#include "http/req.h"

enum herr api_responses_create(void *app, struct req *r)
{
	(void)app;
	herr_set(&r->err, HERR_INTERNAL, "not_implemented", NULL,
		 "POST /v1/responses is not implemented in this build.");
	herr_set_status(&r->err, 501, NULL);
	return r->err.rc;
}
