/* src/util/lazy_curl.h: libcurl, loaded on first use.
 *
 * Include this where libcurl is used: it brings <curl/curl.h>, whose
 * compile-time type checks of curl_easy_setopt()/curl_easy_getinfo() stay
 * on, and call sites stay ordinary libcurl code. Nothing links libcurl:
 * src/util/lazy_curl.c defines the libcurl functions hermes-fcgi uses under
 * libcurl's own names, forwarding to the library dlopen()ed (by the soname
 * configure found) the first time, so a responder that only answers cheap
 * endpoints never maps libcurl and what it pulls in (TLS libraries with
 * load-time constructors cost about 2.5 MB of RSS per process).
 *
 * Call lazy_curl_load() before the first libcurl call of a request: when
 * the library cannot be loaded it is the 503 the client gets. Without it,
 * the forwarders fail as libcurl would when out of memory (curl_easy_init
 * and curl_url NULL, the others CURLE_FAILED_INIT / a *_BAD_HANDLE code, the
 * cleanups nothing); they never abort.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_LAZY_CURL_H
#define HERMES_UTIL_LAZY_CURL_H

#include <curl/curl.h>

#include "util/err.h"

/* Load libcurl if it is not loaded yet. HERR_OK, or HERR_UNAVAILABLE with
 * err saying which Debian package to install (a 503 envelope). */
enum herr lazy_curl_load(struct herror *err);

#endif
