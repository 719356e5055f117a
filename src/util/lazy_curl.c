/* src/util/lazy_curl.c: the libcurl functions hermes-fcgi uses, defined
 * under libcurl's own names and forwarding to the library loaded on first
 * use (see lazy_curl.h for why). The executable is not linked with libcurl
 * and exports none of these names, so nothing in libcurl binds to them.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/lazy_curl.h"

#include <stdarg.h>
#include <stdbool.h>

#include "util/lazy_lib.h"

/* This file defines the functions; the typecheck macros are for callers. */
#undef curl_easy_setopt
#undef curl_easy_getinfo

typedef void (*curl_fn_arg)(void);  /* any callback, passed on unchanged */

static struct {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *content, unsigned int flags);
	CURLUcode (*url_get)(CURLU *u, CURLUPart part, char **content, unsigned int flags);
	void (*url_cleanup)(CURLU *u);
	void (*free)(void *p);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *c);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *c);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned int n,
				int timeout_ms, int *numfds);
	CURLMsg *(*multi_info_read)(CURLM *m, int *queued);
	CURLMcode (*multi_cleanup)(CURLM *m);
} t;

#define SYM(field, name) LAZY_SYM(t, field, name)
static const struct lazy_sym syms[] = {
	SYM(global_init, "curl_global_init"),
	SYM(global_cleanup, "curl_global_cleanup"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_perform, "curl_easy_perform"),
	SYM(easy_getinfo, "curl_easy_getinfo"),
	SYM(easy_cleanup, "curl_easy_cleanup"),
	SYM(easy_strerror, "curl_easy_strerror"),
	SYM(slist_append, "curl_slist_append"),
	SYM(slist_free_all, "curl_slist_free_all"),
	SYM(url, "curl_url"),
	SYM(url_set, "curl_url_set"),
	SYM(url_get, "curl_url_get"),
	SYM(url_cleanup, "curl_url_cleanup"),
	SYM(free, "curl_free"),
	SYM(multi_init, "curl_multi_init"),
	SYM(multi_add_handle, "curl_multi_add_handle"),
	SYM(multi_remove_handle, "curl_multi_remove_handle"),
	SYM(multi_perform, "curl_multi_perform"),
	SYM(multi_poll, "curl_multi_poll"),
	SYM(multi_info_read, "curl_multi_info_read"),
	SYM(multi_cleanup, "curl_multi_cleanup"),
};

static struct lazy_lib lib = LAZY_LIB("libcurl", CURL, syms);

enum herr lazy_curl_load(struct herror *err)
{
	return lazy_lib_load(&lib, err);
}

/* Loaded, loading now if needed (for a caller that did not call
 * lazy_curl_load() first; the failure is logged by the loader). */
static bool ready(void)
{
	struct herror e;

	return lazy_lib_load(&lib, &e) == HERR_OK;
}

CURLcode curl_global_init(long flags)
{
	return ready() ? t.global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
	if(lib.handle)
		t.global_cleanup();
}

CURL *curl_easy_init(void)
{
	return ready() ? t.easy_init() : NULL;
}

/* The option number says the argument's type (curl.h CURLOPTTYPE_*):
 * read it as that type and pass it on. */
CURLcode curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;

	if(!lib.handle)
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if(opt < CURLOPTTYPE_OBJECTPOINT)
		rc = t.easy_setopt(c, opt, va_arg(ap, long));
	else if(opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = t.easy_setopt(c, opt, va_arg(ap, void *));
	else if(opt < CURLOPTTYPE_OFF_T)
		rc = t.easy_setopt(c, opt, va_arg(ap, curl_fn_arg));
	else if(opt < CURLOPTTYPE_BLOB)
		rc = t.easy_setopt(c, opt, va_arg(ap, curl_off_t));
	else
		rc = t.easy_setopt(c, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *c)
{
	return lib.handle ? t.easy_perform(c) : CURLE_FAILED_INIT;
}

/* Every CURLINFO takes one pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
	va_list ap;
	void *out;

	if(!lib.handle)
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	out = va_arg(ap, void *);
	va_end(ap);
	return t.easy_getinfo(c, info, out);
}

void curl_easy_cleanup(CURL *c)
{
	if(lib.handle)
		t.easy_cleanup(c);
}

const char *curl_easy_strerror(CURLcode rc)
{
	return lib.handle ? t.easy_strerror(rc) : "libcurl is not loaded";
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return ready() ? t.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if(lib.handle)
		t.slist_free_all(l);
}

CURLU *curl_url(void)
{
	return ready() ? t.url() : NULL;
}

CURLUcode curl_url_set(CURLU *u, CURLUPart part, const char *content, unsigned int flags)
{
	return lib.handle ? t.url_set(u, part, content, flags) : CURLUE_BAD_HANDLE;
}

CURLUcode curl_url_get(CURLU *u, CURLUPart part, char **content, unsigned int flags)
{
	return lib.handle ? t.url_get(u, part, content, flags) : CURLUE_BAD_HANDLE;
}

void curl_url_cleanup(CURLU *u)
{
	if(lib.handle)
		t.url_cleanup(u);
}

void curl_free(void *p)
{
	if(lib.handle)
		t.free(p);
}

CURLM *curl_multi_init(void)
{
	return ready() ? t.multi_init() : NULL;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *c)
{
	return lib.handle ? t.multi_add_handle(m, c) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *c)
{
	return lib.handle ? t.multi_remove_handle(m, c) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	return lib.handle ? t.multi_perform(m, running) : CURLM_BAD_HANDLE;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int n, int timeout_ms,
			  int *numfds)
{
	return lib.handle ? t.multi_poll(m, extra, n, timeout_ms, numfds) : CURLM_BAD_HANDLE;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *queued)
{
	return lib.handle ? t.multi_info_read(m, queued) : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	return lib.handle ? t.multi_cleanup(m) : CURLM_BAD_HANDLE;
}
