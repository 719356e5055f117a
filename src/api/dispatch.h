/* src/api/dispatch.h: one request from accept to reset.
 *
 * The middleware order follows the reference server's (SPEC:
 * runs-discovery-security §1.3): configuration, CORS, body limit, API-key gate, routing, auth, body
 * parsing, handler; any error is rendered once, by http/resp.c.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_DISPATCH_H
#define HERMES_API_DISPATCH_H

struct app;
struct req;
struct hio;

/* Serve the request waiting on io with r (req_init()ed once per process);
 * r is reset on return. */
void api_serve(struct app *app, struct req *r, struct hio *io);

/* The API path of r once the mount prefix is removed (borrowed), given the
 * configured base path (NULL = automatic). Exposed for unit tests. */
const char *api_route_path(const char *path, const char *base_path, int *found);

#endif
