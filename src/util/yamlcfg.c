/* src/util/yamlcfg.c: config.yaml → JSON tree, with line numbers.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/yamlcfg.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/str.h"
#include "util/xalloc.h"

#define PATH_MAX_LEN 512

struct frame {
	struct json_object *node;  /* borrowed: owned by its parent or root */
	int is_map;
	char *key;                 /* owned: pending mapping key, NULL if none */
	size_t path_len;           /* length of this node's path in ctx.path */
	size_t index;              /* next sequence index */
};

struct ctx {
	struct frame stack[YAMLCFG_MAX_DEPTH];
	int depth;
	struct json_object *root;  /* owned until handed out */
	struct json_object *lines; /* owned until handed out */
	char path[PATH_MAX_LEN];
	const char *fname;
	struct herror *err;
};

static struct json_object *scalar_value(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	int64_t lv;
	char *end;

	if(ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_object_new_string_len(s, (int)len);
	if(len == 0 || strcmp(s, "~") == 0 || str_ieq(s, "null"))
		return NULL;
	if(str_ieq(s, "true"))
		return json_object_new_boolean(1);
	if(str_ieq(s, "false"))
		return json_object_new_boolean(0);
	if(str_to_int64(s, -INT64_C(2147483647) * 1024, INT64_C(2147483647) * 1024, &lv))
		return json_object_new_int64(lv);
	errno = 0;
	if(strchr("+-.0123456789", s[0])) {
		double d = strtod(s, &end);
		if(!errno && *end == '\0')
			return json_object_new_double(d);
	}
	return json_object_new_string_len(s, (int)len);
}

static enum herr fail(struct ctx *c, const yaml_event_t *ev, const char *why)
{
	return herr_set(c->err, HERR_CONFIG, "config_error", NULL, "%s line %lu: %s",
			c->fname, ev ? (unsigned long)ev->start_mark.line + 1 : 0UL, why);
}

/* Attach value (owned) to the current container, recording its path/line.
 * is_container: push a frame for it. Returns rc. */
static enum herr attach(struct ctx *c, const yaml_event_t *ev, struct json_object *value,
			int is_container, int is_map)
{
	struct frame *top = &c->stack[c->depth - 1];
	size_t base = top->path_len;
	int n;

	if(top->is_map) {
		if(!top->key) {
			/* value is a key: only scalar keys are supported */
			json_object_put(value);
			if(is_container || ev->type != YAML_SCALAR_EVENT)
				return fail(c, ev, "only plain keys are supported in mappings");
			top->key = xstrdup((const char *)ev->data.scalar.value);
			return HERR_OK;
		}
		n = snprintf(c->path + base, sizeof(c->path) - base, "%s%s",
			     base ? "." : "", top->key);
	} else {
		n = snprintf(c->path + base, sizeof(c->path) - base, "[%zu]", top->index);
	}
	if(n < 0 || (size_t)n >= sizeof(c->path) - base) {
		json_object_put(value);
		return fail(c, ev, "key path too long");
	}
	json_object_object_add(c->lines, c->path,
			       json_object_new_int((int)ev->start_mark.line + 1));
	if(top->is_map) {
		json_object_object_add(top->node, top->key, value);
		free(top->key);
		top->key = NULL;
	} else {
		json_object_array_add(top->node, value);
		top->index++;
	}
	if(is_container) {
		struct frame *f;
		if(c->depth >= YAMLCFG_MAX_DEPTH)
			return fail(c, ev, "nesting too deep");
		f = &c->stack[c->depth++];
		memset(f, 0, sizeof(*f));
		f->node = value;
		f->is_map = is_map;
		f->path_len = base + (size_t)n;
	} else {
		c->path[base] = '\0';
	}
	return HERR_OK;
}

static void pop(struct ctx *c)
{
	struct frame *f = &c->stack[--c->depth];

	free(f->key);
	f->key = NULL;
	if(c->depth > 0) {
		struct frame *up = &c->stack[c->depth - 1];
		c->path[up->path_len] = '\0';
	}
}

/* Handle one event once the root mapping is open. *done set at its end. */
static enum herr on_event(struct ctx *c, const yaml_event_t *ev, int *done)
{
	switch(ev->type) {
	case YAML_SCALAR_EVENT:
		return attach(c, ev, scalar_value(ev), 0, 0);
	case YAML_MAPPING_START_EVENT:
		return attach(c, ev, json_object_new_object(), 1, 1);
	case YAML_SEQUENCE_START_EVENT:
		return attach(c, ev, json_object_new_array(), 1, 0);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		pop(c);
		*done = c->depth == 0;
		return HERR_OK;
	case YAML_ALIAS_EVENT:
		return fail(c, ev, "YAML aliases (*name) are not supported");
	default:
		return HERR_OK;
	}
}

static enum herr parse_events(struct ctx *c, yaml_parser_t *p)
{
	yaml_event_t ev;
	enum herr rc = HERR_OK;
	int started = 0, done = 0;

	while(!done) {
		if(!yaml_parser_parse(p, &ev)) {
			char why[256];
			snprintf(why, sizeof(why), "%s%s%s", p->problem ? p->problem : "syntax error",
				 p->context ? " " : "", p->context ? p->context : "");
			return herr_set(c->err, HERR_CONFIG, "config_error", NULL, "%s line %lu: %s",
					c->fname, (unsigned long)p->problem_mark.line + 1, why);
		}
		if(ev.type == YAML_STREAM_END_EVENT || (ev.type == YAML_DOCUMENT_END_EVENT && !started)) {
			done = 1;
		} else if(!started) {
			if(ev.type == YAML_MAPPING_START_EVENT) {
				started = 1;
				c->stack[0].node = c->root;
				c->stack[0].is_map = 1;
				c->depth = 1;
			} else if(ev.type == YAML_SCALAR_EVENT && ev.data.scalar.length == 0) {
				done = 1; /* an empty document */
			} else if(ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
				  ev.type == YAML_ALIAS_EVENT) {
				rc = fail(c, &ev, "the top level must be a mapping (key: value lines)");
			}
		} else {
			rc = on_event(c, &ev, &done);
		}
		yaml_event_delete(&ev);
		if(rc)
			return rc;
	}
	return HERR_OK;
}

enum herr yamlcfg_parse(const char *text, size_t len, const char *fname,
			struct json_object **tree, struct json_object **lines,
			struct herror *err)
{
	yaml_parser_t parser;
	struct ctx c;
	enum herr rc;

	memset(&c, 0, sizeof(c));
	c.root = json_object_new_object();
	c.lines = json_object_new_object();
	c.fname = fname;
	c.err = err;
	if(!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	rc = parse_events(&c, &parser);
	yaml_parser_delete(&parser);
	while(c.depth > 0)
		pop(&c);
	if(rc) {
		json_object_put(c.root);
		json_object_put(c.lines);
		return rc;
	}
	*tree = c.root;
	*lines = c.lines;
	return HERR_OK;
}
