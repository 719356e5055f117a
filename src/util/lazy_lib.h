/* src/util/lazy_lib.h: the dlopen() core shared by lazy_curl.c and
 * lazy_xml.c: open a library by the soname configure found, fill a table
 * of function pointers, or say (as a 503) which Debian package to install.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_LAZY_LIB_H
#define HERMES_UTIL_LAZY_LIB_H

#include <stddef.h>

#include "util/err.h"

/* One symbol to load: its name in the library and where its address goes. */
struct lazy_sym {
	const char *name;
	void **slot;
};

/* A library to load on first use. `handle` is NULL until lazy_lib_load()
 * succeeded; the table's slots are all filled from then on. */
struct lazy_lib {
	const char *what;     /* "libcurl", for messages */
	const char *soname;   /* HERMES_*_SONAME from configure */
	const char *package;  /* HERMES_*_PACKAGE: the Debian package to install */
	const struct lazy_sym *syms;
	size_t nsyms;
	void *handle;
};

/* Table rows and the library, in the users' files:
 *   static const struct lazy_sym syms[] = { LAZY_SYM(t, easy_init, "curl_easy_init"), ... };
 *   static struct lazy_lib lib = LAZY_LIB("libcurl", CURL, syms);
 * PREFIX names the HERMES_<PREFIX>_SONAME / _PACKAGE that configure
 * defines. Function pointers from dlsym: POSIX guarantees the conversion. */
#define LAZY_SYM(table, field, name) { (name), (void **)(void *)&(table).field }
#define LAZY_LIB(what, prefix, syms) \
	{ (what), HERMES_##prefix##_SONAME, HERMES_##prefix##_PACKAGE, (syms), \
	  sizeof(syms) / sizeof((syms)[0]), NULL }

/* Load lib if it is not loaded yet. On failure nothing stays loaded (the
 * next call tries again, so installing the package needs no restart), the
 * dynamic linker's reason is logged, and err holds HERR_UNAVAILABLE (503,
 * code "dependency_unavailable") with a message naming the library and the
 * package to install. One request at a time per process: no lock. */
enum herr lazy_lib_load(struct lazy_lib *lib, struct herror *err);

#endif
