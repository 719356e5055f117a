/* src/tools/narrow.c: narrowing the server toolsets for one request.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/narrow.h"

#include <stdio.h>
#include <string.h>

#include "util/str.h"

void tool_narrow_init(struct tool_narrow *n)
{
	memset(n, 0, sizeof(*n));
}

void tool_narrow_none(struct tool_narrow *n)
{
	n->set = true;
	n->list[0] = NULL;
}

const char *const *tool_narrow_list(const struct tool_narrow *n, const char *const *configured)
{
	return n && n->set ? n->list : configured;
}

/* The build's own spelling (a static string) of toolset name, or NULL. */
static const char *canonical(const char *name)
{
	size_t n;
	const struct tool_def *const *all = tool_all(&n);

	if(str_ieq(name, "files"))
		name = "file";
	for(size_t i = 0; i < n; i++)
		if(str_ieq(all[i]->toolset, name))
			return all[i]->toolset;
	return NULL;
}

enum herr tool_narrow_apply(struct tool_narrow *n, const char *const *configured, const char *spec,
			    const char *param, struct herror *err)
{
	const char *const *cur = tool_narrow_list(n, configured);
	const char *named[TOOL_TOOLSETS_MAX + 1], *kept[TOOL_TOOLSETS_MAX + 1];
	char copy[TOOL_NARROW_SPEC_MAX + 1], *p;
	size_t k = 0, out = 0;

	if(strlen(spec) > TOOL_NARROW_SPEC_MAX)
		return herr_set(err, HERR_BAD_REQUEST, "invalid_value", param,
				"The toolset list is longer than %d bytes.", TOOL_NARROW_SPEC_MAX);
	snprintf(copy, sizeof(copy), "%s", spec);
	for(p = copy; p && *p;) {
		char *comma = strchr(p, ',');
		const char *t, *c;
		size_t tl;

		if(comma)
			*comma = '\0';
		t = str_trim(p, strlen(p), &tl);
		((char *)t)[tl] = '\0';
		p = comma ? comma + 1 : NULL;
		if(!tl || str_ieq(t, "none"))
			continue;
		if(!(c = canonical(t)))
			return herr_set(err, HERR_BAD_REQUEST, "invalid_value", param,
					"Unknown toolset '%.60s'; known: web, terminal, file, "
					"code_execution, skills, todo, memory, or none.", t);
		if(k < TOOL_TOOLSETS_MAX)
			named[k++] = c;
	}
	named[k] = NULL;
	/* Keep the enabled ones, each once, in the order named (cur may be
	 * n->list itself: build the new list aside). */
	for(size_t i = 0; i < k; i++) {
		bool dup = false;

		for(size_t j = 0; j < i; j++)
			dup = dup || named[j] == named[i];
		if(!dup && tool_toolset_enabled(cur, named[i]))
			kept[out++] = named[i];
	}
	memcpy(n->list, kept, out * sizeof(kept[0]));
	n->list[out] = NULL;
	n->set = true;
	return HERR_OK;
}

enum herr tool_narrow_text(const struct tool_narrow *n, const char *const *configured,
			   struct buf *out)
{
	const char *const *l = tool_narrow_list(n, configured);
	enum herr rc = HERR_OK;

	if(!l) { /* the default set: every toolset but web */
		size_t cnt;
		const struct tool_def *const *all = tool_all(&cnt);

		for(size_t i = 0; i < cnt && !rc; i++) {
			bool seen = false;

			for(size_t j = 0; j < i; j++)
				seen = seen || !strcmp(all[j]->toolset, all[i]->toolset);
			if(!seen && tool_toolset_enabled(NULL, all[i]->toolset))
				rc = buf_addf(out, "%s%s", buf_len(out) ? "," : "", all[i]->toolset);
		}
		return rc;
	}
	if(!*l)
		return buf_adds(out, "none");
	for(; *l && !rc; l++)
		rc = buf_addf(out, "%s%s", buf_len(out) ? "," : "", *l);
	return rc;
}
