/* src/tools/skill_view.c: the skill_view tool: a skill's SKILL.md and the
 * list of the other files in its folder, or one of those files.
 *
 * Viewing a skill registers its required_environment_variables that are set
 * on the server into ctx->passthrough (the comma list the terminal and
 * execute_code children inherit for the rest of the turn); missing ones are
 * reported as "setup needed: NAME"; the server's own credentials are never
 * registered. A file_path must stay inside the skill's folder, symlinks
 * included. SPEC: runs-discovery-security §4.6 (skill declaration)
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/skill_tools.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/html_text.h"
#include "tools/sandbox.h"
#include "tools/settings.h"
#include "tools/skills.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

#define FILES_SHOWN 200
#define FILES_LIST_MAX (16u * 1024)
#define VIEW_MARGIN 256
#define SNIFF_BYTES 8192

/* ---- environment ---------------------------------------------------------- */

/* Would the sandbox refuse name even when it is registered? (The server's
 * own credentials: the sandbox's built-in list plus cfg->never_pass.) */
static bool never_passed(const struct tool_ctx *ctx, const char *name)
{
	struct tool_scrub_rules r = {
		.passthrough_turn = name,
		.never_pass = ctx->cfg ? (const char *const *)ctx->cfg->never_pass : NULL,
	};

	return !tool_env_name_passes(name, &r);
}

/* Add name to the comma list pt; false if it does not fit (pt unchanged). */
static bool pass_add(struct buf *pt, const char *name)
{
	char *saved;
	bool ok = true;

	if(str_list_has(buf_str(pt), ",", name))
		return true;
	saved = xstrdup(buf_str(pt));
	if(buf_addf(pt, "%s%s", buf_len(pt) ? "," : "", name)) {
		ok = false; /* the failed append emptied pt: put back what was there */
		if(buf_adds(pt, saved))
			LOG_WARN("skill_view: the passthrough list was lost");
	}
	free(saved);
	return ok;
}

static enum herr env_report(const struct tool_ctx *ctx, const struct tool_skill *s,
			    struct buf *out)
{
	enum herr rc = HERR_OK;

	if(s->env[0])
		rc = buf_adds(out, "\nEnvironment variables this skill needs:\n");
	for(size_t i = 0; s->env[i] && !rc; i++) {
		const char *name = s->env[i], *val = tool_config_getenv(ctx->cfg, name);

		if(never_passed(ctx, name))
			rc = buf_addf(out, "- %s: never passed to tools (it is one of the server's own "
				      "credentials)\n", name);
		else if(!val || !*val)
			rc = buf_addf(out, "- setup needed: %s (not set on the server; ask the "
				      "operator to set it)\n", name);
		else if(!ctx->passthrough)
			rc = buf_addf(out, "- %s: set on the server\n", name);
		else if(pass_add(ctx->passthrough, name))
			rc = buf_addf(out, "- %s: available (passed to terminal and execute_code "
				      "for the rest of this turn)\n", name);
		else
			rc = buf_addf(out, "- %s: set, but too many variables are registered this "
				      "turn to pass it\n", name);
	}
	return rc;
}

/* ---- files ----------------------------------------------------------------- */

/* Read up to cap bytes of the regular file at path into b (cleaned to
 * UTF-8); *more set when the file is longer. */
static enum herr read_text(const char *path, const char *shown, size_t cap, struct buf *b,
			   bool *more, struct herror *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	char *raw = NULL;
	size_t got = 0;
	enum herr rc = HERR_OK;

	if(fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = herr_set(err, HERR_NOT_FOUND, NULL, "file_path", "cannot read %s: %s", shown,
			      fd < 0 ? strerror(errno) : "not a regular file");
		goto out;
	}
	raw = xmalloc(cap + 1);
	while(got < cap + 1) {
		ssize_t r = read(fd, raw + got, cap + 1 - got);
		if(r < 0 && errno == EINTR)
			continue;
		if(r <= 0)
			break;
		got += (size_t)r;
	}
	*more = got > cap;
	if(*more)
		got = cap;
	if(memchr(raw, '\0', got < SNIFF_BYTES ? got : SNIFF_BYTES)) {
		rc = herr_set(err, HERR_BAD_REQUEST, NULL, "file_path", "%s is a binary file; "
			      "only text files can be viewed", shown);
		goto out;
	}
	tool_text_clean(raw, got, cap, b, more);
out:
	if(fd >= 0)
		close(fd);
	free(raw);
	return rc;
}

/* Is rel a plain relative path (no "..", not absolute)? */
static bool rel_ok(const char *rel)
{
	if(!*rel || rel[0] == '/')
		return false;
	for(const char *p = rel; *p;) {
		size_t k = strcspn(p, "/");
		if(k == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += k + (p[k] == '/');
	}
	return true;
}

/* One file of the skill, confined to its folder (symlinks resolved). */
static enum herr view_file(const struct tool_skill *s, const char *rel, struct buf *out,
			   struct herror *err)
{
	char dir[PATH_MAX], want[PATH_MAX], real[PATH_MAX];
	size_t dl;
	bool more = false;
	enum herr rc;

	if(!rel_ok(rel) || !realpath(s->dir, dir) ||
	   snprintf(want, sizeof(want), "%s/%s", dir, rel) >= (int)sizeof(want))
		return herr_set(err, HERR_BAD_REQUEST, NULL, "file_path", "file_path must be a path "
				"inside the skill's folder, as listed by skill_view (no '..')");
	dl = strlen(dir);
	if(!realpath(want, real))
		return herr_set(err, HERR_NOT_FOUND, NULL, "file_path", "skill '%s' has no file "
				"'%.200s'; call skill_view with just the name to list its files",
				s->name, rel);
	if(strncmp(real, dir, dl) != 0 || real[dl] != '/')
		return herr_set(err, HERR_FORBIDDEN, NULL, "file_path", "'%.200s' leads outside the "
				"skill's folder; only files inside it can be viewed", rel);
	if((rc = buf_addf(out, "File %s of skill %s:\n\n", rel, s->name)))
		return rc;
	if((rc = read_text(real, rel, TOOL_RESULT_MAX - buf_len(out) - VIEW_MARGIN, out, &more,
			   err)))
		return rc;
	return more ? buf_adds(out, "\n\n[truncated: the file is longer than a tool result may be]")
		    : HERR_OK;
}

/* "Other files in this skill" into list (capped; empty when none). */
static void files_list(const struct tool_skill *s, struct buf *list)
{
	char *names[FILES_SHOWN];
	size_t n = tool_skill_files(s->dir, names, FILES_SHOWN);
	size_t kept = n < FILES_SHOWN ? n : FILES_SHOWN, listed = 0;
	enum herr rc = HERR_OK;

	if(n)
		rc = buf_addf(list, "\nOther files in this skill (view one with skill_view "
			      "{\"name\": \"%s\", \"file_path\": \"<path>\"}):\n", s->name);
	for(size_t i = 0; i < kept; i++) {
		if(!rc && buf_len(list) + strlen(names[i]) + 128 < FILES_LIST_MAX) {
			rc = buf_addf(list, "- %s\n", names[i]);
			listed += rc == HERR_OK;
		}
		free(names[i]);
	}
	if(!rc && listed < n)
		rc = buf_addf(list, "- ... and %zu more\n", n - listed);
	if(rc)
		buf_reset(list);
}

static enum herr view_skill(const struct tool_ctx *ctx, const struct tool_skill *s,
			    struct buf *out, struct herror *err)
{
	char path[PATH_MAX];
	struct buf list;
	bool more = false;
	enum herr rc;

	buf_init(&list, FILES_LIST_MAX);
	files_list(s, &list);
	snprintf(path, sizeof(path), "%s/SKILL.md", s->dir);
	rc = buf_addf(out, "Skill: %s%s%s%s\nFolder: %s\n", s->name, s->category ? " (category " : "",
		      s->category ? s->category : "", s->category ? ")" : "", s->dir);
	if(!rc)
		rc = env_report(ctx, s, out);
	if(!rc)
		rc = buf_adds(out, "\n");
	if(!rc)
		rc = read_text(path, "SKILL.md", TOOL_RESULT_MAX - buf_len(out) - buf_len(&list) -
			       VIEW_MARGIN, out, &more, err);
	if(!rc && more)
		rc = buf_adds(out, "\n\n[truncated: SKILL.md is longer than a tool result may be]");
	if(!rc && buf_len(&list) && buf_str(out)[buf_len(out) - 1] != '\n')
		rc = buf_adds(out, "\n");
	if(!rc)
		rc = buf_add(out, buf_str(&list), buf_len(&list));
	buf_release(&list);
	return rc;
}

static enum herr view_run(const struct tool_ctx *ctx, struct json_object *args,
			  struct buf *out, struct herror *err)
{
	const char *name = jsonx_get_str(args, "name"), *file = jsonx_get_str(args, "file_path");
	const struct tool_skill *s;
	struct tool_skill_list l;
	char dirbuf[PATH_MAX];
	const char *dir = tool_skills_dir(ctx->cfg ? ctx->cfg->skills_dir : NULL, dirbuf,
					  sizeof(dirbuf));
	enum herr rc;

	if(!name || !*name)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "name",
				"'name' is required: a skill name from skills_list");
	if(!dir)
		return herr_set(err, HERR_UNAVAILABLE, NULL, NULL,
				"skills are not available: the server has no skills directory");
	if((rc = tool_skills_load(dir, &l, err)))
		return rc;
	if(!(s = tool_skills_find(&l, name)))
		rc = herr_set(err, HERR_NOT_FOUND, NULL, "name", "there is no skill named '%.64s'; "
			      "call skills_list to see the skills there are", name);
	else if(file && *file)
		rc = view_file(s, file, out, err);
	else
		rc = view_skill(ctx, s, out, err);
	if(rc == HERR_TOO_LARGE)
		herr_set(err, rc, NULL, NULL, "the skill does not fit in a tool result");
	tool_skill_list_release(&l);
	return rc;
}

const struct tool_def tool_skill_view = {
	"skill_view",
	"skills",
	"Read a skill's instructions (its SKILL.md) and the list of the other files in its "
	"folder; pass file_path to read one of those files. Also tells which environment "
	"variables the skill needs and makes those that are set available to terminal and "
	"execute_code for the rest of this turn.",
	"{\"type\":\"object\",\"properties\":{"
	"\"name\":{\"type\":\"string\",\"description\":\"the skill's name, from skills_list\"},"
	"\"file_path\":{\"type\":\"string\",\"description\":\"optional: a file of the skill, "
	"relative to its folder, as listed by skill_view\"}},"
	"\"required\":[\"name\"]}",
	view_run,
};
