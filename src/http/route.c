/* src/http/route.c: matching a path against the route table.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "http/route.h"

#include <stdio.h>
#include <string.h>

int route_match(const char *pattern, const char *path, struct route_params *params)
{
	struct route_params tmp;

	if(!params)
		params = &tmp;
	params->n = 0;
	while(*pattern && *path) {
		if(*pattern == '{') {
			const char *close = strchr(pattern, '}');
			size_t plen = strcspn(path, "/"), nlen;

			if(!close || plen == 0 || plen >= ROUTE_PARAM_LEN || params->n >= ROUTE_PARAMS_MAX)
				return 0;
			nlen = (size_t)(close - pattern - 1);
			if(nlen >= sizeof(params->v[0].name))
				return 0;
			memcpy(params->v[params->n].name, pattern + 1, nlen);
			params->v[params->n].name[nlen] = '\0';
			memcpy(params->v[params->n].value, path, plen);
			params->v[params->n].value[plen] = '\0';
			params->n++;
			pattern = close + 1;
			path += plen;
			continue;
		}
		if(*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

enum route_result route_find(const struct route *table, size_t n, const char *method,
			     const char *path, const struct route **out,
			     struct route_params *params, char *allow, size_t allow_cap)
{
	size_t used = 0;
	int path_found = 0;

	if(allow_cap)
		allow[0] = '\0';
	for(size_t i = 0; i < n; i++) {
		if(!route_match(table[i].pattern, path, params))
			continue;
		if(strcmp(table[i].method, method) == 0) {
			*out = &table[i];
			return ROUTE_FOUND;
		}
		path_found = 1;
		if(allow_cap && !strstr(allow, table[i].method)) {
			int w = snprintf(allow + used, allow_cap - used, "%s%s",
					 used ? ", " : "", table[i].method);
			if(w > 0 && (size_t)w < allow_cap - used)
				used += (size_t)w;
		}
	}
	if(params)
		params->n = 0;
	return path_found ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}

const char *route_param(const struct route_params *params, const char *name)
{
	for(size_t i = 0; i < params->n; i++)
		if(strcmp(params->v[i].name, name) == 0)
			return params->v[i].value;
	return NULL;
}
