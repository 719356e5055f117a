/* tests/unit/test_approve.c: the tool context's approve callback decides
 * approvals.mode ask (tools/danger.c); without one, ask is deny. */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "tools/danger.h"
#include "tools/registry.h"

struct asked {
	int calls;
	bool answer;
	char tool[32], rule[32], text[64];
};

static bool approve(void *ctx, const char *tool, const char *text, const char *rule_id,
		    const char *rule_description)
{
	struct asked *a = ctx;

	a->calls++;
	snprintf(a->tool, sizeof(a->tool), "%s", tool);
	snprintf(a->rule, sizeof(a->rule), "%s", rule_id);
	snprintf(a->text, sizeof(a->text), "%s", text);
	(void)rule_description;
	return a->answer;
}

int main(void)
{
	struct tool_config cfg;
	struct tool_ctx ctx;
	struct herror err;
	struct asked a = { 0 };

	memset(&cfg, 0, sizeof(cfg));
	memset(&ctx, 0, sizeof(ctx));
	cfg.approvals_mode = "ask";
	ctx.cfg = &cfg;
	herr_clear(&err);
	is_int(tool_danger_check(&ctx, "terminal", "rm -rf /", &err), HERR_FORBIDDEN,
	       "ask without approve: refused");
	ok(strstr(err.msg, "nobody can approve") != NULL, "and says nobody can approve");

	ctx.approve = approve;
	ctx.tick_ctx = &a;
	a.answer = true;
	herr_clear(&err);
	is_int(tool_danger_check(&ctx, "terminal", "rm -rf /", &err), HERR_OK, "approved: runs");
	ok(a.calls == 1 && !strcmp(a.tool, "terminal") && !strcmp(a.rule, "rm-root") &&
	   !strcmp(a.text, "rm -rf /"), "the callback got the tool, the rule and the command");
	a.answer = false;
	herr_clear(&err);
	is_int(tool_danger_check(&ctx, "execute_code", "kill -9 -1", &err), HERR_FORBIDDEN,
	       "denied: refused");
	ok(strstr(err.msg, "denied") && strstr(err.msg, "kill-all"), "the refusal says it was denied");
	is_int(tool_danger_check(&ctx, "terminal", "ls -l", &err), HERR_OK, "harmless: not asked");
	is_int(a.calls, 2, "asked only for matching commands");
	cfg.approvals_mode = "deny";
	is_int(tool_danger_check(&ctx, "terminal", "rm -rf /", &err), HERR_FORBIDDEN,
	       "deny never asks");
	is_int(a.calls, 2, "not asked under deny");
	return tap_done();
}
