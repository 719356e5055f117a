/* src/tools/execute_code.c: the execute_code tool: a Python or sh script
 * written to a 0600 file in a private temporary directory (removed after),
 * run in the workspace in the sandbox with the scrubbed environment plus
 * PYTHONDONTWRITEBYTECODE/PYTHONIOENCODING/PYTHONUTF8, after the
 * dangerous-command check. stdout is capped at 50,000 bytes and stderr at
 * 10,000 (head and tail kept). SPEC: runs-discovery-security §4.6
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/exec_tools.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/danger.h"
#include "tools/sandbox.h"
#include "util/fileio.h"
#include "util/jsonx.h"

#define CODE_STDOUT_MAX 50000
#define CODE_STDERR_MAX 10000
#define CODE_MAX (1024 * 1024)
#define CODE_TIMEOUT_DEFAULT 300

struct script {
	char dir[512];
	char path[600];
	char prefix[2][1024];   /* the interpreter's install trees, read-only */
};

/* Write code to a new 0600 file in the run's new private directory. */
static enum herr script_write(struct script *s, const char *code, const char *ext,
			      struct herror *err)
{
	size_t len = strlen(code);
	int fd, e;

	if(tool_sandbox_tmp_new(s->dir, sizeof(s->dir), err))
		return err->rc;
	snprintf(s->path, sizeof(s->path), "%s/script.%s", s->dir, ext);
	fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if(fd < 0)
		return herr_set(err, HERR_UNAVAILABLE, NULL, NULL, "cannot write the script: %s",
				strerror(errno));
	if((e = fileio_write_all(fd, code, len)) != 0) {
		close(fd);
		return herr_set(err, HERR_UNAVAILABLE, NULL, NULL, "cannot write the script: %s",
				strerror(e));
	}
	close(fd);
	return HERR_OK;
}

/* The tree an interpreter is installed in: two levels above it
 * (/usr/bin/python3 → /usr; a venv's or a version manager's root). */
static void tree_of(const char *path, char *out, size_t cap)
{
	char *slash;

	out[0] = '\0';
	if((size_t)snprintf(out, cap, "%s", path) >= cap)
		return (void)(out[0] = '\0');
	for(int i = 0; i < 2; i++)
		if((slash = strrchr(out, '/')))
			*slash = '\0';
	if(!out[0])
		snprintf(out, cap, "/usr");   /* never the whole filesystem */
}

/* Under confinement the interpreter must stay readable where it lives. */
static void interp_trees(struct script *s, const char *interp)
{
	char real[4096];

	tree_of(interp, s->prefix[0], sizeof(s->prefix[0]));
	if(realpath(interp, real))
		tree_of(real, s->prefix[1], sizeof(s->prefix[1]));
}

/* Check the arguments; *lang is "python" or "sh". */
static enum herr args_of(struct json_object *args, const char **lang, const char **code,
			 struct herror *err)
{
	*lang = jsonx_get_str(args, "language");
	*code = jsonx_get_str(args, "code");
	if(!*lang || !**lang || strcmp(*lang, "python3") == 0)
		*lang = "python";
	if(strcmp(*lang, "python") && strcmp(*lang, "sh"))
		return herr_set(err, HERR_BAD_REQUEST, NULL, "language",
				"'language' must be \"python\" or \"sh\", not '%s'", *lang);
	if(!*code || !**code)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "code",
				"'code' is required: the program to run");
	if(strlen(*code) > CODE_MAX)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "code",
				"the code is longer than %d bytes; split it up", CODE_MAX);
	return HERR_OK;
}

/* The result text: status line, stdout, then stderr if any. */
static enum herr format(const struct tool_sandbox_result *res, long timeout_s, struct buf *out)
{
	enum herr rc = tool_sandbox_status(res, timeout_s, out);

	if(!rc && !res->out.total && !res->err.total)
		return buf_adds(out, "(no output)");
	if(!rc && res->out.total && !(rc = buf_adds(out, "stdout:\n")))
		rc = tool_capture_render(&res->out, out);
	if(!rc && res->err.total && !(rc = buf_adds(out, res->out.total ? "\nstderr:\n" : "stderr:\n")))
		rc = tool_capture_render(&res->err, out);
	return rc;
}

/* Run the script at s->path with interp; the result text goes to out. */
static enum herr run_script(const struct tool_ctx *ctx, struct tool_env *env, const char *interp,
			    const struct script *s, const char *cwd, struct buf *out,
			    struct herror *err)
{
	long timeout_s = ctx->cfg && ctx->cfg->code_timeout_s > 0 ? ctx->cfg->code_timeout_s
								   : CODE_TIMEOUT_DEFAULT;
	const char *argv[3] = { interp, s->path, NULL };
	const char *extra[3] = { s->prefix[0], s->prefix[1], NULL };
	struct tool_sandbox_opts o = {
		.argv = argv, .confine = ctx->cfg ? ctx->cfg->confine : NULL, .tmpdir = s->dir,
		.extra_read = extra, .envp = env->v, .cwd = cwd, .timeout_ms = timeout_s * 1000,
		.interrupt = ctx->interrupt, .tick = ctx->tick, .tick_ctx = ctx->tick_ctx, .out_cap = CODE_STDOUT_MAX, .err_cap = CODE_STDERR_MAX,
	};
	struct tool_sandbox_result res;
	enum herr rc = tool_sandbox_run(&o, &res, err);

	if(!rc && (rc = format(&res, timeout_s, out)))
		herr_set(err, rc, NULL, NULL, "the output did not fit in the tool result");
	tool_sandbox_result_release(&res);
	return rc;
}

static enum herr execute_code_run(const struct tool_ctx *ctx, struct json_object *args,
				  struct buf *out, struct herror *err)
{
	const char *lang, *code, *cwd = ctx->cfg && ctx->cfg->workspace ? ctx->cfg->workspace : ".";
	bool py;
	char interp[1024];
	struct script s = { "", "", { "", "" } };
	struct tool_env env;
	struct stat st;
	enum herr rc;

	if((rc = args_of(args, &lang, &code, err)) ||
	   (rc = tool_danger_check(ctx, "execute_code", code, err)))
		return rc;
	if(stat(cwd, &st) != 0 || !S_ISDIR(st.st_mode))
		return herr_set(err, HERR_UNAVAILABLE, NULL, NULL,
				"the workspace %s does not exist; the operator must create it or set "
				"terminal.cwd", cwd);
	py = strcmp(lang, "python") == 0;
	tool_env_init(&env);
	tool_sandbox_env(&env, ctx, cwd);
	tool_env_set(&env, "PYTHONDONTWRITEBYTECODE", "1");
	tool_env_set(&env, "PYTHONIOENCODING", "utf-8");
	tool_env_set(&env, "PYTHONUTF8", "1");
	if(!tool_sandbox_which(&env, py ? "python3" : "/bin/sh", interp, sizeof(interp))) {
		rc = herr_set(err, HERR_UNAVAILABLE, NULL, "language",
			      py ? "python3 is not installed on this host; use language \"sh\" or "
				   "the terminal tool instead"
				 : "/bin/sh is missing on this host");
		goto out;
	}
	interp_trees(&s, interp);
	if(!(rc = script_write(&s, code, py ? "py" : "sh", err))) {
		tool_env_set(&env, "TMPDIR", s.dir);
		rc = run_script(ctx, &env, interp, &s, cwd, out, err);
	}
out:
	tool_sandbox_tmp_remove(s.dir);
	tool_env_release(&env);
	return rc;
}

const struct tool_def tool_execute_code = {
	"execute_code",
	"code_execution",
	"Run a Python 3 (default) or sh program in the workspace directory and return its exit "
	"status, stdout and stderr (stdout capped at 50,000 bytes, stderr at 10,000; the head "
	"and tail are kept). Print what you need to see. stdin is empty; the environment holds "
	"no secrets; every process it starts is killed when it ends or times out.",
	"{\"type\":\"object\",\"properties\":{"
	"\"language\":{\"type\":\"string\",\"enum\":[\"python\",\"sh\"],\"description\":"
	"\"the interpreter: python (python3, the default) or sh (/bin/sh)\"},"
	"\"code\":{\"type\":\"string\",\"description\":\"the whole program to run\"}},"
	"\"required\":[\"code\"]}",
	execute_code_run,
};
