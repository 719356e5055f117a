/* src/tools/skill_view.c: the skill_view tool. PLACEHOLDER: being written (issue 5).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/skill_tools.h"

static enum herr run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
		     struct herror *err)
{
	(void)ctx, (void)args, (void)out;
	return herr_set(err, HERR_INTERNAL, NULL, NULL, "skill_view is not implemented yet");
}

const struct tool_def tool_skill_view = {
	"skill_view", "skills", "PLACEHOLDER", "{\"type\":\"object\"}", run,
};
