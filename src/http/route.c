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

/* Is m a whole entry of the ", "-list allow? */
static int listed(const char *allow, const char *m)
{
	size_t ml = strlen(m);

	for(const char *p = allow; (p = strstr(p, m)) != NULL; p += ml)
		if((p == allow || p[-1] == ' ') && (p[ml] == ',' || p[ml] == '\0'))
			return 1;
	return 0;
}

/* Append m to the ", "-list in allow unless it is there already; a method
 * that does not fit is left out. Returns the new length. */
static size_t add_method(char *allow, size_t cap, size_t used, const char *m)
{
	int w;

	if(listed(allow, m))
		return used;
	w = snprintf(allow + used, cap - used, "%s%s", used ? ", " : "", m);
	if(w < 0 || (size_t)w >= cap - used) {
		allow[used] = '\0';
		return used;
	}
	return used + (size_t)w;
}

size_t route_methods(const struct route *table, size_t n, const char *path, char *allow,
		     size_t cap)
{
	size_t used = 0, count = 0;
	char scratch[8];

	if(!cap) {   /* only the count is wanted */
		allow = scratch;
		cap = 1;
	}
	allow[0] = '\0';
	for(size_t i = 0; i < n; i++) {
		if(!route_match(table[i].pattern, path, NULL))
			continue;
		count++;
		used = add_method(allow, cap, used, table[i].method);
		if(strcmp(table[i].method, "GET") == 0)
			used = add_method(allow, cap, used, "HEAD");
	}
	return count;
}

static int method_matches(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 ||
	       (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

enum route_result route_find(const struct route *table, size_t n, const char *method,
			     const char *path, const struct route **out,
			     struct route_params *params, char *allow, size_t allow_cap)
{
	for(size_t i = 0; i < n; i++) {
		if(method_matches(table[i].method, method) &&
		   route_match(table[i].pattern, path, params)) {
			*out = &table[i];
			return ROUTE_FOUND;
		}
	}
	if(params)
		params->n = 0;
	return route_methods(table, n, path, allow, allow_cap) ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}

const char *route_param(const struct route_params *params, const char *name)
{
	for(size_t i = 0; i < params->n; i++)
		if(strcmp(params->v[i].name, name) == 0)
			return params->v[i].value;
	return NULL;
}
