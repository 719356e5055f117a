/* src/api/meta.h: discovery and health handlers.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_META_H
#define HERMES_API_META_H

#include "util/err.h"

struct req;

enum herr api_health(void *app, struct req *r);
enum herr api_health_detailed(void *app, struct req *r);
enum herr api_models(void *app, struct req *r);
enum herr api_capabilities(void *app, struct req *r);

#endif
