/* src/api/models.h: the models a client can pick (GET /v1/models,
 * GET /api/model/options; GET /v1/models is api/meta.c's) and the pick of
 * one request's "model".
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_MODELS_H
#define HERMES_API_MODELS_H

#include "util/err.h"

struct app;
struct req;
struct cfg_model;

/* The entry the request's model name (may be NULL) routes to, borrowed
 * from the configuration. NULL when it names no model and model.strict is
 * on: err is then 404 model_not_found, param "model", in OpenAI's shape. */
const struct cfg_model *api_model_pick(struct app *app, const char *name, struct herror *err);

/* GET /api/model/options: the same list in the shape model pickers read
 * ({model, provider, providers: [{slug, name, models}]}, plus "models" with
 * the details of each entry; no keys, no upstream URLs). */
enum herr api_model_options(void *app, struct req *r);

#endif
