/* src/tools/terminal.c: the terminal tool: one /bin/sh -c command in the
 * workspace, in the sandbox (scrubbed environment, stdin /dev/null, own
 * process group, timeout and interrupt kill the group, output capped), after
 * the dangerous-command check. The result is the exit status line, then
 * stdout and stderr interleaved as the command wrote them.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/exec_tools.h"

#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/danger.h"
#include "tools/sandbox.h"
#include "util/jsonx.h"

#define TERMINAL_OUTPUT_MAX 50000
#define TERMINAL_COMMAND_MAX 65536
#define TERMINAL_TIMEOUT_DEFAULT 180

/* The timeout to apply: the argument if given (seconds, > 0), capped at the
 * configured terminal.timeout. */
static enum herr timeout_of(const struct tool_ctx *ctx, struct json_object *args, long *out,
			    struct herror *err)
{
	long cap = ctx->cfg && ctx->cfg->terminal_timeout_s > 0 ? ctx->cfg->terminal_timeout_s
								: TERMINAL_TIMEOUT_DEFAULT;
	struct json_object *t = json_object_object_get(args, "timeout");
	double v;

	*out = cap;
	if(!t || json_object_is_type(t, json_type_null))
		return HERR_OK;
	if(!json_object_is_type(t, json_type_int) && !json_object_is_type(t, json_type_double))
		return herr_set(err, HERR_BAD_REQUEST, NULL, "timeout",
				"'timeout' must be a number of seconds (at most %ld)", cap);
	v = json_object_get_double(t);
	if(!(v >= 1))
		return herr_set(err, HERR_BAD_REQUEST, NULL, "timeout",
				"'timeout' must be at least 1 second (at most %ld)", cap);
	if(v < (double)cap)
		*out = (long)v;
	return HERR_OK;
}

/* The workspace (or "." without a configuration), which must exist. */
static enum herr workspace_of(const struct tool_ctx *ctx, const char **out, struct herror *err)
{
	struct stat st;

	*out = ctx->cfg && ctx->cfg->workspace ? ctx->cfg->workspace : ".";
	if(stat(*out, &st) != 0 || !S_ISDIR(st.st_mode))
		return herr_set(err, HERR_UNAVAILABLE, NULL, NULL,
				"the workspace %s does not exist; the operator must create it or set "
				"terminal.cwd", *out);
	return HERR_OK;
}

static enum herr terminal_run(const struct tool_ctx *ctx, struct json_object *args,
			      struct buf *out, struct herror *err)
{
	const char *cmd = jsonx_get_str(args, "command");
	const char *argv[4] = { "/bin/sh", "-c", cmd, NULL };
	const char *cwd;
	char tmp[512] = "";
	struct tool_env env;
	struct tool_sandbox_result res;
	long timeout_s;
	enum herr rc;

	if(!cmd || !*cmd)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "command",
				"'command' is required: the shell command to run");
	if(strlen(cmd) > TERMINAL_COMMAND_MAX)
		return herr_set(err, HERR_BAD_REQUEST, NULL, "command",
				"the command is longer than %d bytes; write a script with "
				"execute_code instead", TERMINAL_COMMAND_MAX);
	if((rc = timeout_of(ctx, args, &timeout_s, err)) || (rc = workspace_of(ctx, &cwd, err)) ||
	   (rc = tool_danger_check(ctx, "terminal", cmd, err)))
		return rc;
	if((rc = tool_sandbox_tmp_new(tmp, sizeof(tmp), err)))
		return rc;
	tool_env_init(&env);
	tool_sandbox_env(&env, ctx, cwd);
	tool_env_set(&env, "TMPDIR", tmp);
	{
		struct tool_sandbox_opts o = {
			.argv = argv, .confine = ctx->cfg ? ctx->cfg->confine : NULL, .tmpdir = tmp,
			.envp = env.v, .cwd = cwd, .timeout_ms = timeout_s * 1000,
			.interrupt = ctx->interrupt, .tick = ctx->tick, .tick_ctx = ctx->tick_ctx,
			.merge_stderr = true,
			.out_cap = TERMINAL_OUTPUT_MAX,
		};

		rc = tool_sandbox_run(&o, &res, err);
	}
	if(!rc && !(rc = tool_sandbox_status(&res, timeout_s, out))) {
		if(res.out.total)
			rc = tool_capture_render(&res.out, out);
		else
			rc = buf_adds(out, "(no output)");
	}
	if(rc == HERR_TOO_LARGE)
		herr_set(err, rc, NULL, NULL, "the output did not fit in the tool result");
	tool_sandbox_result_release(&res);
	tool_env_release(&env);
	tool_sandbox_tmp_remove(tmp);
	return rc;
}

const struct tool_def tool_terminal = {
	"terminal",
	"terminal",
	"Run a shell command (/bin/sh -c) in the workspace directory and return its exit status "
	"and output (stdout and stderr together; long output keeps its head and tail). stdin is "
	"empty, so nothing can prompt; the environment holds no secrets; everything the command "
	"starts is killed when it ends or times out, so do not start servers or background jobs. "
	"Commands that look destructive (rm -rf /, mkfs, curl | sh, …) are refused.",
	"{\"type\":\"object\",\"properties\":{"
	"\"command\":{\"type\":\"string\",\"description\":\"the shell command line to run\"},"
	"\"timeout\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"seconds before the "
	"command is killed (default and maximum: the configured terminal.timeout)\"}},"
	"\"required\":[\"command\"]}",
	terminal_run,
};
