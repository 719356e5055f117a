/* src/util/lazy_curl.h: libcurl, loaded on first use.
 *
 * Include this instead of <curl/curl.h>. The curl functions hermes-fcgi
 * uses are redirected to a table filled by dlopen("libcurl.so.4") the
 * first time one is called, so a responder that only answers cheap
 * endpoints never maps libcurl and what it pulls in (TLS libraries with
 * load-time constructors cost about 2.5 MB of RSS per process). Call sites
 * stay ordinary libcurl code. If the library cannot be loaded the process
 * stops with a message naming it, as the dynamic linker would have at start.
 * One request at a time per process, so the lazy init needs no lock.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_LAZY_CURL_H
#define HERMES_UTIL_LAZY_CURL_H

#include <curl/curl.h>

struct lazy_curl {
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
	CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **content, unsigned int flags);
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
};

/* The loaded table (never NULL). */
const struct lazy_curl *lazy_curl(void);

/* libcurl's typecheck wrappers are macros; the table replaces them. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (lazy_curl()->global_init)
#define curl_global_cleanup (lazy_curl()->global_cleanup)
#define curl_easy_init (lazy_curl()->easy_init)
#define curl_easy_setopt (lazy_curl()->easy_setopt)
#define curl_easy_perform (lazy_curl()->easy_perform)
#define curl_easy_getinfo (lazy_curl()->easy_getinfo)
#define curl_easy_cleanup (lazy_curl()->easy_cleanup)
#define curl_easy_strerror (lazy_curl()->easy_strerror)
#define curl_slist_append (lazy_curl()->slist_append)
#define curl_slist_free_all (lazy_curl()->slist_free_all)
#define curl_url (lazy_curl()->url)
#define curl_url_set (lazy_curl()->url_set)
#define curl_url_get (lazy_curl()->url_get)
#define curl_url_cleanup (lazy_curl()->url_cleanup)
#define curl_free (lazy_curl()->free)
#define curl_multi_init (lazy_curl()->multi_init)
#define curl_multi_add_handle (lazy_curl()->multi_add_handle)
#define curl_multi_remove_handle (lazy_curl()->multi_remove_handle)
#define curl_multi_perform (lazy_curl()->multi_perform)
#define curl_multi_poll (lazy_curl()->multi_poll)
#define curl_multi_info_read (lazy_curl()->multi_info_read)
#define curl_multi_cleanup (lazy_curl()->multi_cleanup)

#endif
