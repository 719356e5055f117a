/* src/util/lazy_xml.h: libxml2's HTML parser, loaded on first use.
 *
 * Include this instead of the libxml headers' functions (the types come
 * from them). libxml2 pulls in ICU and libstdc++, whose load-time
 * relocations cost about 1.7 MB of RSS in every process that maps them;
 * only web_extract needs it, so it is dlopen()ed ("libxml2.so.2") the
 * first time. A missing library stops the process with a message, as the
 * dynamic linker would have at start.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_LAZY_XML_H
#define HERMES_UTIL_LAZY_XML_H

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

struct lazy_xml {
	htmlDocPtr (*html_read_memory)(const char *buf, int size, const char *url,
				       const char *encoding, int options);
	void (*free_doc)(xmlDocPtr doc);
	xmlChar *(*node_get_content)(const xmlNode *n);
	xmlAttrPtr (*has_prop)(const xmlNode *n, const xmlChar *name);
	int (*str_casecmp)(const xmlChar *a, const xmlChar *b);
	xmlFreeFunc *free_fn;  /* libxml2's xmlFree is a variable */
};

/* The loaded table (never NULL). */
const struct lazy_xml *lazy_xml(void);

#define htmlReadMemory (lazy_xml()->html_read_memory)
#define xmlFreeDoc (lazy_xml()->free_doc)
#define xmlNodeGetContent (lazy_xml()->node_get_content)
#define xmlHasProp (lazy_xml()->has_prop)
#define xmlStrcasecmp (lazy_xml()->str_casecmp)
#undef xmlFree
#define xmlFree (*lazy_xml()->free_fn)

#endif
