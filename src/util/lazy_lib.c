/* src/util/lazy_lib.c: dlopen()ing libcurl and libxml2 on first use (see
 * lazy_curl.h and lazy_xml.h for why).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/lazy_curl.h"
#include "util/lazy_xml.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* Sonames: stable since libcurl 7.16 and libxml2 2.0. */
#define CURL_SONAME "libcurl.so.4"
#define XML_SONAME "libxml2.so.2"

static void *open_or_die(const char *soname, const char *pkg)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if(!h) {
		fprintf(stderr, "hermes: cannot load %s (%s): install the Debian package %s\n", soname,
			dlerror(), pkg);
		abort();
	}
	return h;
}

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if(!p) {
		fprintf(stderr, "hermes: symbol %s missing from a loaded library (%s)\n", name, dlerror());
		abort();
	}
	return p;
}

/* Function pointers from dlsym: POSIX guarantees the conversion works. */
#define LOAD(h, field, name) (*(void **)(void *)&(field) = sym((h), (name)))

const struct lazy_curl *lazy_curl(void)
{
	static struct lazy_curl t;
	static int loaded;
	void *h;

	if(loaded)
		return &t;
	h = open_or_die(CURL_SONAME, "libcurl4 (libcurl4-openssl-dev to build)");
	LOAD(h, t.global_init, "curl_global_init");
	LOAD(h, t.global_cleanup, "curl_global_cleanup");
	LOAD(h, t.easy_init, "curl_easy_init");
	LOAD(h, t.easy_setopt, "curl_easy_setopt");
	LOAD(h, t.easy_perform, "curl_easy_perform");
	LOAD(h, t.easy_getinfo, "curl_easy_getinfo");
	LOAD(h, t.easy_cleanup, "curl_easy_cleanup");
	LOAD(h, t.easy_strerror, "curl_easy_strerror");
	LOAD(h, t.slist_append, "curl_slist_append");
	LOAD(h, t.slist_free_all, "curl_slist_free_all");
	LOAD(h, t.url, "curl_url");
	LOAD(h, t.url_set, "curl_url_set");
	LOAD(h, t.url_get, "curl_url_get");
	LOAD(h, t.url_cleanup, "curl_url_cleanup");
	LOAD(h, t.free, "curl_free");
	LOAD(h, t.multi_init, "curl_multi_init");
	LOAD(h, t.multi_add_handle, "curl_multi_add_handle");
	LOAD(h, t.multi_remove_handle, "curl_multi_remove_handle");
	LOAD(h, t.multi_perform, "curl_multi_perform");
	LOAD(h, t.multi_poll, "curl_multi_poll");
	LOAD(h, t.multi_info_read, "curl_multi_info_read");
	LOAD(h, t.multi_cleanup, "curl_multi_cleanup");
	loaded = 1;
	return &t;
}

const struct lazy_xml *lazy_xml(void)
{
	static struct lazy_xml t;
	static int loaded;
	void *h;

	if(loaded)
		return &t;
	h = open_or_die(XML_SONAME, "libxml2 (libxml2-dev to build)");
	LOAD(h, t.html_read_memory, "htmlReadMemory");
	LOAD(h, t.free_doc, "xmlFreeDoc");
	LOAD(h, t.node_get_content, "xmlNodeGetContent");
	LOAD(h, t.has_prop, "xmlHasProp");
	LOAD(h, t.str_casecmp, "xmlStrcasecmp");
	t.free_fn = sym(h, "xmlFree");
	loaded = 1;
	return &t;
}
