/* src/api/routes.h: the route table of the API.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_ROUTES_H
#define HERMES_API_ROUTES_H

#include <stddef.h>

#include "http/route.h"

/* The table (static) and its length. */
const struct route *api_routes(size_t *n);

/* The route advertised under capability name, or NULL. */
const struct route *api_route_named(const char *name);

#endif
