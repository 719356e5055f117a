/* src/tools/skill_list.c: the skills_list tool. PLACEHOLDER: being written (issue 5).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/skill_tools.h"

static enum herr run(const struct tool_ctx *ctx, struct json_object *args, struct buf *out,
		     struct herror *err)
{
	(void)ctx, (void)args, (void)out;
	return herr_set(err, HERR_INTERNAL, NULL, NULL, "skills_list is not implemented yet");
}

const struct tool_def tool_skills_list = {
	"skills_list", "skills", "PLACEHOLDER", "{\"type\":\"object\"}", run,
};
