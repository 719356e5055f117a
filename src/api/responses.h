/* src/api/responses.h: POST /v1/responses.
 * PLACEHOLDER (branch i10-rget): only the declaration the route table
 * needs; rcreate's branch replaces this file with the real handler.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RESPONSES_H
#define HERMES_API_RESPONSES_H

#include "util/err.h"

struct req;

/* Create a response (SPEC: openai-wire §6). */
enum herr api_responses_create(void *app, struct req *r);

#endif
