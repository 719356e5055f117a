/* src/util/lazy_lib.c: dlopen() a library on first use and fill its table
 * (see lazy_lib.h; lazy_curl.c and lazy_xml.c are the two users).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/lazy_lib.h"

#include <dlfcn.h>

#include "util/log.h"

static void clear_slots(const struct lazy_lib *lib)
{
	for(size_t i = 0; i < lib->nsyms; i++)
		*lib->syms[i].slot = NULL;
}

static enum herr unavailable(const struct lazy_lib *lib, struct herror *err)
{
	/* The reason can hold paths of this machine: the log gets it, the
	 * client gets what to do. */
	return herr_set(err, HERR_UNAVAILABLE, "dependency_unavailable", NULL,
			"%s (%s) cannot be loaded on this server: install the Debian package %s.",
			lib->what, lib->soname, lib->package);
}

enum herr lazy_lib_load(struct lazy_lib *lib, struct herror *err)
{
	void *h;
	const char *why;

	if(lib->handle)
		return HERR_OK;
	h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if(!h) {
		why = dlerror();
		LOG_ERR("cannot load %s: %s; install the Debian package %s", lib->soname,
			why ? why : "unknown reason", lib->package);
		return unavailable(lib, err);
	}
	for(size_t i = 0; i < lib->nsyms; i++) {
		*lib->syms[i].slot = dlsym(h, lib->syms[i].name);
		if(!*lib->syms[i].slot) {
			why = dlerror();
			LOG_ERR("%s has no symbol %s (%s): install the Debian package %s", lib->soname,
				lib->syms[i].name, why ? why : "unknown reason", lib->package);
			clear_slots(lib);
			dlclose(h);
			return unavailable(lib, err);
		}
	}
	lib->handle = h;
	return HERR_OK;
}
