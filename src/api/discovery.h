/* src/api/discovery.h: GET /v1/toolsets and GET /v1/skills.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_DISCOVERY_H
#define HERMES_API_DISCOVERY_H

#include "util/err.h"

struct req;

enum herr api_toolsets(void *app, struct req *r);
enum herr api_skills(void *app, struct req *r);

#endif
