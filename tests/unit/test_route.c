/* tests/unit/test_route.c */
#include "config.h"

#include "api/dispatch.h"
#include "api/routes.h"
#include "http/route.h"
#include "tap.h"

static enum herr h(void *app, struct req *r)
{
	(void)app;
	(void)r;
	return HERR_OK;
}

static const struct route table[] = {
	{ .method = "GET", .pattern = "/v1/models", .name = "models", .flags = ROUTE_AUTH, .fn = h },
	{ .method = "POST", .pattern = "/v1/runs", .name = "runs", .flags = ROUTE_AUTH | ROUTE_JSON,
	  .max_body = 1000, .fn = h },
	{ .method = "GET", .pattern = "/v1/runs/{run_id}", .name = "run_status", .flags = ROUTE_AUTH,
	  .fn = h },
	{ .method = "DELETE", .pattern = "/v1/runs/{run_id}", .flags = ROUTE_AUTH, .fn = h },
	{ .method = "PATCH", .pattern = "/v1/runs/{run_id}", .flags = ROUTE_AUTH, .fn = h },
	{ .method = "GET", .pattern = "/v1/runs/{run_id}/events", .name = "run_events",
	  .flags = ROUTE_AUTH, .fn = h },
	{ .method = "POST", .pattern = "/webhooks/{name}", .flags = ROUTE_RAW, .fn = h },
};
#define N (sizeof(table) / sizeof(table[0]))

int main(void)
{
	struct route_params p;
	const struct route *r = NULL;
	char allow[64];
	int found;

	ok(route_match("/v1/models", "/v1/models", &p), "literal match");
	ok(!route_match("/v1/models", "/v1/models/", &p), "trailing slash does not match");
	ok(route_match("/v1/runs/{run_id}", "/v1/runs/run_abc", &p), "parameter matches");
	is_str(route_param(&p, "run_id"), "run_abc", "parameter value captured");
	ok(!route_match("/v1/runs/{run_id}", "/v1/runs/", &p), "empty segment does not match");
	ok(!route_match("/v1/runs/{run_id}", "/v1/runs/a/b", &p), "two segments do not match");

	is_int(route_find(table, N, "GET", "/v1/models", &r, &p, allow, sizeof(allow)), ROUTE_FOUND,
	       "GET /v1/models found");
	is_str(r->name, "models", "right route");
	is_int(route_find(table, N, "POST", "/v1/models", &r, &p, allow, sizeof(allow)),
	       ROUTE_NO_METHOD, "POST /v1/models is a wrong method");
	is_str(allow, "GET, HEAD", "Allow lists GET and the HEAD it implies");
	is_int(route_find(table, N, "PUT", "/v1/runs/x", &r, &p, allow, sizeof(allow)),
	       ROUTE_NO_METHOD, "PUT on a run is a wrong method");
	is_str(allow, "GET, HEAD, DELETE, PATCH", "Allow lists every method of the path");
	is_int(route_find(table, N, "HEAD", "/v1/models", &r, &p, allow, sizeof(allow)),
	       ROUTE_FOUND, "HEAD finds the GET route");
	is_str(r->method, "GET", "  the GET route");
	is_int(route_find(table, N, "HEAD", "/v1/runs", &r, &p, allow, sizeof(allow)),
	       ROUTE_NO_METHOD, "HEAD on a POST-only path is a wrong method");
	is_str(allow, "POST", "  Allow: POST");
	is_int(route_find(table, N, "PATCH", "/v1/runs/r9", &r, &p, NULL, 0), ROUTE_FOUND,
	       "PATCH found (no Allow buffer needed)");
	is_int(route_find(table, N, "PUT", "/v1/runs/r9", &r, &p, NULL, 0), ROUTE_NO_METHOD,
	       "a wrong method is told from an unknown path without an Allow buffer");
	is_int(route_methods(table, N, "/webhooks/gh", allow, sizeof(allow)), 1, "one route for the webhook");
	is_str(allow, "POST", "  its methods");
	is_int(route_methods(table, N, "/nope", allow, sizeof(allow)), 0, "no route: count 0");
	is_str(allow, "", "  and no methods");
	is_int(route_methods(table, N, "/v1/runs/x", allow, 12), 3, "a small buffer keeps what fits");
	is_str(allow, "GET, HEAD", "  whole entries only");
	is_int(route_find(table, N, "GET", "/v1/nope", &r, &p, allow, sizeof(allow)), ROUTE_NO_PATH,
	       "unknown path");
	is_int(route_find(table, N, "GET", "/v1/runs/r1/events", &r, &p, allow, sizeof(allow)),
	       ROUTE_FOUND, "nested route found");
	is_str(route_param(&p, "run_id"), "r1", "nested parameter");

	/* Mount prefixes (api_route_path uses the real API table). */
	is_str(api_route_path("/v1/models", NULL, &found), "/v1/models", "root mount");
	ok(found, "root mount found");
	is_str(api_route_path("/hermes/v1/models", NULL, &found), "/v1/models", "prefix stripped");
	is_str(api_route_path("/a/b/health", NULL, &found), "/health", "deep prefix stripped");
	is_str(api_route_path("/hermes/v1/models", "/hermes", &found), "/v1/models",
	       "configured base path stripped");
	ok(found, "configured base path found");
	is_str(api_route_path("/other/v1/models", "/hermes", &found), "/other/v1/models",
	       "configured base path is strict");
	ok(!found, "other prefix not found when base path configured");
	api_route_path("/hermes/v1/nope", NULL, &found);
	ok(!found, "unknown route under a prefix not found");

	/* The Responses routes of the real table: {id} alone and {id} with a
	 * trailing segment are told apart. */
	{
		size_t an;
		const struct route *at = api_routes(&an);

		is_int(route_find(at, an, "GET", "/v1/responses/resp_1", &r, &p, allow, sizeof(allow)),
		       ROUTE_FOUND, "GET /v1/responses/{id} found");
		is_str(r->pattern, "/v1/responses/{id}", "  the retrieve route");
		is_str(route_param(&p, "id"), "resp_1", "  id captured");
		is_int(route_find(at, an, "GET", "/v1/responses/resp_1/input_items", &r, &p, allow,
				  sizeof(allow)), ROUTE_FOUND, "GET .../input_items found");
		is_str(r->pattern, "/v1/responses/{id}/input_items", "  the input items route");
		is_str(route_param(&p, "id"), "resp_1", "  id captured before the trailing segment");
		is_int(route_find(at, an, "DELETE", "/v1/responses/resp_2", &r, &p, allow, sizeof(allow)),
		       ROUTE_FOUND, "DELETE /v1/responses/{id} found");
		is_str(r->method, "DELETE", "  the delete route");
		is_int(route_find(at, an, "POST", "/v1/responses", &r, &p, allow, sizeof(allow)),
		       ROUTE_FOUND, "POST /v1/responses found");
		is_int(route_find(at, an, "DELETE", "/v1/responses/x/input_items", &r, &p, allow,
				  sizeof(allow)), ROUTE_NO_METHOD, "DELETE on input_items is a wrong method");
		is_str(allow, "GET, HEAD", "  Allow: GET, HEAD");
		is_int(route_find(at, an, "POST", "/v1/responses/x", &r, &p, allow, sizeof(allow)),
		       ROUTE_NO_METHOD, "POST on a stored response is a wrong method");
		is_str(allow, "GET, HEAD, DELETE", "  Allow: GET, HEAD, DELETE");
		is_int(route_find(at, an, "GET", "/v1/responses/x/input_items/y", &r, &p, allow,
				  sizeof(allow)), ROUTE_NO_PATH, "a segment past input_items has no route");
		is_int(route_find(at, an, "GET", "/v1/responses/x/other", &r, &p, allow, sizeof(allow)),
		       ROUTE_NO_PATH, "another trailing segment has no route");
		is_int(route_find(at, an, "GET", "/v1/responses//input_items", &r, &p, allow,
				  sizeof(allow)), ROUTE_NO_PATH, "an empty id has no route");
		is_int(route_find(at, an, "GET", "/v1/responses/x/input_items/", &r, &p, allow,
				  sizeof(allow)), ROUTE_NO_PATH, "a trailing slash has no route");
		ok(api_route_named("responses") && api_route_named("response") &&
		   api_route_named("response_delete") && api_route_named("response_input_items"),
		   "the four Responses routes are advertised");
		is_str(api_route_path("/hermes/v1/responses/resp_1/input_items", NULL, &found),
		       "/v1/responses/resp_1/input_items", "a mount prefix is stripped before input_items");
	}
	return tap_done();
}
