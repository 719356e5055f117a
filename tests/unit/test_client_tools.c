/* tests/unit/test_client_tools.c: toolset narrowing (tools/narrow.c) and
 * the checks of a request's client tools (api/client_tools.c).
 */
#include "config.h"

#include <json-c/json.h>
#include <string.h>

#include "agent/agent.h"
#include "api/client_tools.h"
#include "tap.h"
#include "tools/narrow.h"
#include "util/jsonx.h"

static const char *list_text(const struct tool_narrow *n, const char *const *configured)
{
	static char text[256];
	struct buf b;

	buf_init(&b, sizeof(text));
	if(tool_narrow_text(n, configured, &b))
		snprintf(text, sizeof(text), "<too long>");
	else
		snprintf(text, sizeof(text), "%s", buf_str(&b));
	buf_release(&b);
	return text;
}

static void narrowing(void)
{
	static const char *const configured[] = { "file", "memory", "todo", NULL };
	struct tool_narrow n;
	struct herror err;

	tool_narrow_init(&n);
	ok(tool_narrow_list(&n, configured) == configured, "no narrowing: the configured list");
	is_str(list_text(&n, NULL), "terminal,file,code_execution,memory,skills,todo",
	       "the default set as text (everything but web)");
	ok(!tool_narrow_apply(&n, configured, " todo , Files,web,todo", "h", &err),
	   "a list with spaces, case, an alias and a duplicate is accepted");
	is_str(list_text(&n, configured), "todo,file", "narrowed: named and configured, once each; "
	       "web (not configured) is not added");
	ok(!tool_narrow_apply(&n, configured, "memory,todo", "b", &err), "a second narrowing");
	is_str(list_text(&n, configured), "todo", "narrows within the first (never widens)");
	tool_narrow_init(&n);
	ok(!tool_narrow_apply(&n, configured, "none", "h", &err), "none");
	is_str(list_text(&n, configured), "none", "none leaves nothing");
	ok(!tool_toolset_enabled(tool_narrow_list(&n, configured), "file"), "none: file is off");
	tool_narrow_init(&n);
	ok(tool_narrow_apply(&n, configured, "file,bogus", "X-Hermes-Toolsets", &err) ==
	   HERR_BAD_REQUEST && !strcmp(err.param, "X-Hermes-Toolsets") && strstr(err.msg, "bogus"),
	   "an unknown toolset: 400 with the param and the name");
	tool_narrow_init(&n);
	ok(!tool_narrow_apply(&n, NULL, "web,memory", "h", &err), "narrowing the default set");
	is_str(list_text(&n, NULL), "memory", "web is not in the default set: not added");
}

static enum herr parse(struct api_ctools *ct, const char *body, bool responses, struct herror *err)
{
	struct json_object *b = json_tokener_parse(body);
	enum herr rc = api_ctools_parse(ct, b, responses, err);

	json_object_put(b);
	return rc;
}

static void client_tools(void)
{
	struct api_ctools ct;
	struct agent_opts o;
	struct herror err;
	static const char *const files[] = { "file", NULL };
	static const char *const mem[] = { "memory", NULL };

	ok(!parse(&ct, "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a-b_1\","
		  "\"parameters\":{\"type\":\"object\"}}}],\"tool_choice\":\"required\"}", false, &err),
	   "chat: a function and tool_choice required");
	memset(&o, 0, sizeof(o));
	api_ctools_apply(&ct, &o);
	ok(o.client_tools && json_object_array_length(o.client_tools) == 1 &&
	   !strcmp(json_object_get_string(o.tool_choice), "required"), "offered with tool_choice required");
	api_ctools_release(&ct);
	ok(!parse(&ct, "{\"tools\":[{\"type\":\"function\",\"name\":\"read_file\"}],"
		  "\"tool_choice\":{\"type\":\"function\",\"name\":\"read_file\"}}", true, &err),
	   "responses: a function named read_file, named tool_choice");
	is_str(jsonx_text(ct.choice, NULL), "{\"type\":\"function\",\"function\":{\"name\":\"read_file\"}}",
	       "the named choice in chat form for the upstream");
	ok(api_ctools_check(&ct, files, &err) == HERR_BAD_REQUEST &&
	   !strcmp(err.code, "tool_name_conflict") && !strcmp(err.param, "tools[0].name"),
	   "read_file clashes when the file toolset is on");
	ok(!api_ctools_check(&ct, mem, &err), "and not when it is off");
	api_ctools_release(&ct);
	ok(!parse(&ct, "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
		  "\"tool_choice\":\"none\"}", false, &err), "tool_choice none");
	memset(&o, 0, sizeof(o));
	api_ctools_apply(&ct, &o);
	ok(!o.client_tools && !o.tool_choice, "none: nothing offered, nothing sent");
	api_ctools_release(&ct);
	ok(!parse(&ct, "{}", false, &err) && !json_object_array_length(ct.tools), "no tools");
	api_ctools_release(&ct);
	ok(parse(&ct, "{\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}}}", false,
		 &err) == HERR_BAD_REQUEST && !strcmp(err.param, "tool_choice"),
	   "a named tool_choice without tools: 400");
	api_ctools_release(&ct);
	ok(parse(&ct, "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":1}}]}",
		 false, &err) == HERR_BAD_REQUEST && !strcmp(err.param, "tools[0].function.strict"),
	   "strict must be a boolean");
	api_ctools_release(&ct);
	ok(parse(&ct, "{\"tools\":[7]}", false, &err) == HERR_BAD_REQUEST &&
	   !strcmp(err.param, "tools[0]"), "a tool that is not an object: 400 at tools[0]");
	api_ctools_release(&ct);
}

int main(void)
{
	narrowing();
	client_tools();
	return tap_done();
}
