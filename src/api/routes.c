/* src/api/routes.c: every endpoint, declared once. A later issue adds its
 * endpoints here and /v1/capabilities advertises them from this table.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "api/routes.h"

#include <string.h>

#include "api/chat.h"
#include "api/discovery.h"
#include "api/meta.h"
#include "http/req.h"


static const struct route table[] = {
	{ "GET", "/health", "health", 0, 0, api_health },
	{ "GET", "/v1/health", NULL, 0, 0, api_health },
	{ "GET", "/health/detailed", "health_detailed", ROUTE_AUTH, 0, api_health_detailed },
	{ "GET", "/v1/models", "models", ROUTE_AUTH, 0, api_models },
	{ "GET", "/v1/capabilities", NULL, ROUTE_AUTH, 0, api_capabilities },
	{ "POST", "/v1/chat/completions", "chat_completions", ROUTE_AUTH | ROUTE_JSON | ROUTE_STREAMS,
	  REQ_BODY_MAX, api_chat },
	{ "GET", "/v1/skills", "skills", ROUTE_AUTH, 0, api_skills },
	{ "GET", "/v1/toolsets", "toolsets", ROUTE_AUTH, 0, api_toolsets },
};

const struct route *api_routes(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct route *api_route_named(const char *name)
{
	for(size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if(table[i].name && strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}
