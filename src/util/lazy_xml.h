/* src/util/lazy_xml.h: libxml2's HTML parser, loaded on first use.
 *
 * Include this instead of the libxml headers (the types come from them).
 * libxml2 pulls in ICU and libstdc++, whose load-time relocations cost
 * about 1.7 MB of RSS in every process that maps them; only web_extract
 * needs it, so it is dlopen()ed (by the soname configure found) the first
 * time. The few libxml2 functions used are redirected to typed forwarders
 * in src/util/lazy_xml.c (libxml2's xmlFree is a variable or a macro
 * depending on its build, so its names cannot simply be defined here).
 *
 * Call lazy_xml_load() before parsing: when the library cannot be loaded it
 * is the 503 the client gets. Without it, htmlReadMemory() returns NULL and
 * the others do nothing (never an abort).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_LAZY_XML_H
#define HERMES_UTIL_LAZY_XML_H

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "util/err.h"

/* Load libxml2 if it is not loaded yet. HERR_OK, or HERR_UNAVAILABLE with
 * err saying which Debian package to install (a 503 envelope). */
enum herr lazy_xml_load(struct herror *err);

/* The forwarders: libxml2's own contracts. */
htmlDocPtr lazy_xml_html_read_memory(const char *buf, int size, const char *url,
				     const char *encoding, int options);
void lazy_xml_free_doc(xmlDocPtr doc);
xmlChar *lazy_xml_node_get_content(const xmlNode *n);
xmlAttrPtr lazy_xml_has_prop(const xmlNode *n, const xmlChar *name);
int lazy_xml_str_casecmp(const xmlChar *a, const xmlChar *b);
void lazy_xml_free(void *p);

#define htmlReadMemory lazy_xml_html_read_memory
#define xmlFreeDoc lazy_xml_free_doc
#define xmlNodeGetContent lazy_xml_node_get_content
#define xmlHasProp lazy_xml_has_prop
#define xmlStrcasecmp lazy_xml_str_casecmp
#undef xmlFree
#define xmlFree lazy_xml_free

#endif
