/* tests/unit/test_route.c */
#include "config.h"

#include "api/dispatch.h"
#include "http/route.h"
#include "tap.h"

static enum herr h(void *app, struct req *r)
{
	(void)app;
	(void)r;
	return HERR_OK;
}

static const struct route table[] = {
	{ "GET", "/v1/models", "models", ROUTE_AUTH, 0, h },
	{ "POST", "/v1/runs", "runs", ROUTE_AUTH | ROUTE_JSON, 1000, h },
	{ "GET", "/v1/runs/{run_id}", "run_status", ROUTE_AUTH, 0, h },
	{ "DELETE", "/v1/runs/{run_id}", NULL, ROUTE_AUTH, 0, h },
	{ "GET", "/v1/runs/{run_id}/events", "run_events", ROUTE_AUTH, 0, h },
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
	is_str(allow, "GET", "Allow lists GET");
	is_int(route_find(table, N, "PUT", "/v1/runs/x", &r, &p, allow, sizeof(allow)),
	       ROUTE_NO_METHOD, "PUT on a run is a wrong method");
	is_str(allow, "GET, DELETE", "Allow lists both methods");
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
	return tap_done();
}
