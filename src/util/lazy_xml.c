/* src/util/lazy_xml.c: the libxml2 functions html_text uses, forwarding to
 * the library loaded on first use (see lazy_xml.h for why).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/lazy_xml.h"

#include "util/lazy_lib.h"

static struct {
	htmlDocPtr (*html_read_memory)(const char *buf, int size, const char *url,
				       const char *encoding, int options);
	void (*free_doc)(xmlDocPtr doc);
	xmlChar *(*node_get_content)(const xmlNode *n);
	xmlAttrPtr (*has_prop)(const xmlNode *n, const xmlChar *name);
	int (*str_casecmp)(const xmlChar *a, const xmlChar *b);
	xmlFreeFunc *free_var;  /* the global xmlFree (every build exports it) */
} t;

#define SYM(field, name) LAZY_SYM(t, field, name)
static const struct lazy_sym syms[] = {
	SYM(html_read_memory, "htmlReadMemory"),
	SYM(free_doc, "xmlFreeDoc"),
	SYM(node_get_content, "xmlNodeGetContent"),
	SYM(has_prop, "xmlHasProp"),
	SYM(str_casecmp, "xmlStrcasecmp"),
	SYM(free_var, "xmlFree"),
};

static struct lazy_lib lib = LAZY_LIB("libxml2", XML, syms);

enum herr lazy_xml_load(struct herror *err)
{
	return lazy_lib_load(&lib, err);
}

htmlDocPtr lazy_xml_html_read_memory(const char *buf, int size, const char *url,
				     const char *encoding, int options)
{
	struct herror e;

	if(lazy_lib_load(&lib, &e))
		return NULL;
	return t.html_read_memory(buf, size, url, encoding, options);
}

void lazy_xml_free_doc(xmlDocPtr doc)
{
	if(lib.handle)
		t.free_doc(doc);
}

xmlChar *lazy_xml_node_get_content(const xmlNode *n)
{
	return lib.handle ? t.node_get_content(n) : NULL;
}

xmlAttrPtr lazy_xml_has_prop(const xmlNode *n, const xmlChar *name)
{
	return lib.handle ? t.has_prop(n, name) : NULL;
}

int lazy_xml_str_casecmp(const xmlChar *a, const xmlChar *b)
{
	return lib.handle ? t.str_casecmp(a, b) : -1;
}

void lazy_xml_free(void *p)
{
	if(lib.handle && p)
		(*t.free_var)(p);
}
