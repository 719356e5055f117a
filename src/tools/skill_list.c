/* src/tools/skill_list.c: the skills_list tool: the installed skills' names,
 * categories and descriptions, one line each, so the model can pick one to
 * read with skill_view. The list stays under TOOL_RESULT_MAX.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/skill_tools.h"

#include <limits.h>
#include <string.h>

#include "tools/skills.h"
#include "util/jsonx.h"

#define LIST_MARGIN 128

static bool wanted(const struct tool_skill *s, const char *category)
{
	return !category || !*category || (s->category && strcmp(s->category, category) == 0);
}

/* "Categories: a, b" for a category that matched nothing. */
static enum herr no_match(const struct tool_skill_list *l, const char *category, struct buf *out)
{
	enum herr rc = buf_addf(out, "No skills in category '%.64s'. Categories:", category);

	for(size_t i = 0; i < l->n && !rc; i++)
		if(l->v[i].category && (i == 0 || !l->v[i - 1].category ||
					strcmp(l->v[i].category, l->v[i - 1].category)) &&
		   buf_len(out) + strlen(l->v[i].category) + LIST_MARGIN < TOOL_RESULT_MAX)
			rc = buf_addf(out, " %s", l->v[i].category);
	return rc;
}

static enum herr lines(const struct tool_skill_list *l, const char *category, size_t total,
		       struct buf *out)
{
	size_t shown = 0;
	enum herr rc = buf_addf(out, "%zu skill%s. Before doing a task one of them covers, read "
				"its instructions with skill_view {\"name\": \"<name>\"}.\n", total,
				total == 1 ? "" : "s");

	for(size_t i = 0; i < l->n && !rc; i++) {
		const struct tool_skill *s = &l->v[i];
		size_t need = strlen(s->name) + strlen(s->description) +
			      (s->category ? strlen(s->category) : 0) + 16;

		if(!wanted(s, category))
			continue;
		if(buf_len(out) + need + LIST_MARGIN > TOOL_RESULT_MAX)
			return buf_addf(out, "... and %zu more (list one category at a time with "
					"{\"category\": \"<name>\"})\n", total - shown);
		rc = buf_addf(out, "- %s%s%s%s%s%s\n", s->name, s->category ? " [" : "",
			      s->category ? s->category : "", s->category ? "]" : "",
			      *s->description ? ": " : "", s->description);
		shown++;
	}
	return rc;
}

static enum herr list_run(const struct tool_ctx *ctx, struct json_object *args,
			  struct buf *out, struct herror *err)
{
	const char *category = jsonx_get_str(args, "category");
	struct tool_skill_list l;
	char dirbuf[PATH_MAX];
	const char *dir = tool_skills_dir(ctx->cfg ? ctx->cfg->skills_dir : NULL, dirbuf,
					  sizeof(dirbuf));
	size_t total = 0;
	enum herr rc;

	if(!dir)
		return herr_set(err, HERR_UNAVAILABLE, NULL, NULL,
				"skills are not available: the server has no skills directory");
	if((rc = tool_skills_load(dir, &l, err)))
		return rc;
	for(size_t i = 0; i < l.n; i++)
		total += wanted(&l.v[i], category);
	if(!l.n)
		rc = buf_adds(out, "No skills are installed.");
	else if(!total)
		rc = no_match(&l, category, out);
	else
		rc = lines(&l, category, total, out);
	tool_skill_list_release(&l);
	if(rc)
		herr_set(err, rc, NULL, NULL, "the skill list does not fit in a tool result");
	return rc;
}

const struct tool_def tool_skills_list = {
	"skills_list",
	"skills",
	"List the installed skills: reusable instructions for specific tasks, each with a "
	"name, an optional category and a one-line description. Read one with skill_view "
	"before doing a task it covers.",
	"{\"type\":\"object\",\"properties\":{"
	"\"category\":{\"type\":\"string\",\"description\":\"only skills in this category\"}}}",
	list_run,
};
