/* src/ctl/sessions.c: the hermesctl sessions subcommands that browse and
 * change sessions through the store (the REST sessions API's twins).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "ctl/sessions.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "ctl/chat.h"
#include "store/store.h"
#include "util/cfg.h"
#include "util/jsonx.h"
#include "util/str.h"

#define IMPORT_LINE_MAX (8u << 20)

/* The value after option name in argv (from index i on), or NULL. */
static const char *opt(int argc, char **argv, int i, const char *name)
{
	for(; i + 1 < argc; i++)
		if(strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int list(struct store *s, int argc, char **argv, FILE *out, struct herror *err)
{
	const char *v;
	long limit = 50, offset = 0;
	struct json_object *rows = NULL;
	size_t n;

	if(((v = opt(argc, argv, 1, "--limit")) && !str_to_long(v, 1, 10000, &limit)) ||
	   ((v = opt(argc, argv, 1, "--offset")) && !str_to_long(v, 0, 1000000000L, &offset)))
		return 2;
	if(store_session_page(s, opt(argc, argv, 1, "--source"), (int)limit + 1, (int)offset,
			      opt(argc, argv, 1, "--cursor"), &rows, err))
		return 1;
	n = json_object_array_length(rows);
	for(size_t i = 0; i < n && i < (size_t)limit; i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);
		const char *title = jsonx_get_str(r, "title");
		const char *parent = jsonx_get_str(r, "parent_session_id");

		fprintf(out, "%s  %-10s %3d msgs  %s%s%s\n", jsonx_get_str(r, "id"),
			jsonx_get_str(r, "source"),
			json_object_get_int(json_object_object_get(r, "message_count")),
			title ? title : "(untitled)", parent ? "  <- " : "", parent ? parent : "");
	}
	if(n > (size_t)limit)
		fprintf(out, "more: --cursor %s\n",
			jsonx_get_str(json_object_array_get_idx(rows, (size_t)limit - 1), "id"));
	json_object_put(rows);
	return 0;
}

static int fork_cmd(struct store *s, int argc, char **argv, FILE *out, struct herror *err)
{
	struct store_session child = { 0 };
	char id[AGENT_SESSION_ID_MAX];
	const char *at = opt(argc, argv, 2, "--at");
	long upto = 0;

	if(argc < 2 || (at && !str_to_long(at, 1, 0x7fffffffL, &upto)))
		return 2;
	agent_new_session_id(id, sizeof(id));
	child.id = id;
	child.title = opt(argc, argv, 2, "--title");
	if(store_session_fork(s, argv[1], &child, upto, NULL, err))
		return 1;
	fprintf(out, "%s\n", id);
	return 0;
}

/* One message row as an export line (the fields an import restores). */
static void export_line(struct json_object *m, FILE *out)
{
	static const char *const keys[] = { "role", "content", "tool_call_id", "tool_name",
					    "finish_reason", "reasoning", "token_count", NULL };
	struct json_object *o = json_object_new_object(), *v;
	const char *calls = jsonx_get_str(m, "tool_calls");

	for(size_t i = 0; keys[i]; i++)
		if(json_object_object_get_ex(m, keys[i], &v) && v)
			jsonx_add_owned(o, keys[i], json_object_get(v));
	if(calls)
		jsonx_add_owned(o, "tool_calls", json_tokener_parse(calls));
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static int export_cmd(struct store *s, int argc, char **argv, FILE *out, struct herror *err)
{
	struct json_object *row = NULL, *msgs = NULL;

	if(argc != 2)
		return 2;
	if(store_session_get(s, argv[1], &row, err) || store_messages(s, argv[1], &msgs, err)) {
		json_object_put(row);
		return 1;
	}
	for(size_t i = 0; i < json_object_array_length(msgs); i++)
		export_line(json_object_array_get_idx(msgs, i), out);
	json_object_put(row);
	json_object_put(msgs);
	return 0;
}

/* Add one export line to session id; line number n for the message. */
static int import_line(struct store *s, const char *id, const char *line, size_t n,
		       struct herror *err)
{
	struct json_object *m = json_tokener_parse(line), *calls;
	struct store_message sm = { .session_id = id };
	int rc = 1;

	if(!m || !json_object_is_type(m, json_type_object) || !jsonx_get_str(m, "role")) {
		herr_set(err, HERR_BAD_REQUEST, "invalid_import", NULL,
			 "line %zu is not a message object with a role", n);
		goto out;
	}
	sm.role = jsonx_get_str(m, "role");
	sm.content = jsonx_get_str(m, "content");
	calls = json_object_object_get(m, "tool_calls");
	sm.tool_calls = calls ? json_object_to_json_string_ext(calls, JSON_C_TO_STRING_PLAIN) : NULL;
	sm.tool_call_id = jsonx_get_str(m, "tool_call_id");
	sm.tool_name = jsonx_get_str(m, "tool_name");
	sm.finish_reason = jsonx_get_str(m, "finish_reason");
	sm.reasoning = jsonx_get_str(m, "reasoning");
	sm.token_count = json_object_get_int64(json_object_object_get(m, "token_count"));
	rc = store_message_add(s, &sm, NULL, err) ? 1 : 0;
out:
	json_object_put(m);
	return rc;
}

/* The new session is created first and deleted again when a line fails,
 * so a failed import leaves nothing behind. */
static int import_cmd(struct store *s, int argc, char **argv, FILE *out, struct herror *err)
{
	struct store_session ss = { .source = "import" };
	char id[AGENT_SESSION_ID_MAX], *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	FILE *in;
	int rc = 0;

	if(argc < 2)
		return 2;
	in = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "re");
	if(!in) {
		herr_set(err, HERR_NOT_FOUND, NULL, NULL, "cannot read %s", argv[1]);
		return 1;
	}
	agent_new_session_id(id, sizeof(id));
	ss.id = id;
	ss.title = opt(argc, argv, 2, "--title");
	if(store_session_create(s, &ss, err))
		rc = 1;
	while(!rc && (len = getline(&line, &cap, in)) > 0) {
		n++;
		if((size_t)len > IMPORT_LINE_MAX) {
			herr_set(err, HERR_TOO_LARGE, NULL, NULL, "line %zu is longer than %u bytes", n,
				 IMPORT_LINE_MAX);
			rc = 1;
		} else if(len > 1 || line[0] != '\n') {
			rc = import_line(s, id, line, n, err);
		}
	}
	free(line);
	if(in != stdin)
		fclose(in);
	if(rc) {
		struct herror ignored;

		herr_clear(&ignored);
		if(store_session_remove(s, id, NULL, &ignored))
			fprintf(stderr, "hermesctl: the partial import %s stays: %s\n", id, ignored.msg);
		return rc;
	}
	fprintf(out, "%s\n", id);
	return 0;
}

static int run(struct store *s, int argc, char **argv, FILE *out, struct herror *err)
{
	const char *cmd = argv[0];

	if(strcmp(cmd, "list") == 0)
		return list(s, argc, argv, out, err);
	if(strcmp(cmd, "rename") == 0 && argc == 3)
		return store_session_set_title(s, argv[1], argv[2][0] ? argv[2] : NULL, err) ? 1 : 0;
	if(strcmp(cmd, "fork") == 0)
		return fork_cmd(s, argc, argv, out, err);
	if(strcmp(cmd, "delete") == 0 && argc == 2)
		return store_session_remove(s, argv[1], NULL, err) ? 1 : 0;
	if(strcmp(cmd, "export") == 0)
		return export_cmd(s, argc, argv, out, err);
	if(strcmp(cmd, "import") == 0)
		return import_cmd(s, argc, argv, out, err);
	return 2;
}

int ctl_sessions(int argc, char **argv, FILE *out, FILE *msg)
{
	struct cfg c;
	struct store *s;
	struct herror err;
	int rc = 1;

	if(argc < 1)
		return 2;
	herr_clear(&err);
	s = ctl_store_or_say(&c, msg);
	if(s) {
		rc = run(s, argc, argv, out, &err);
		if(rc == 1)
			fprintf(msg, "hermesctl sessions %s: %s\n", argv[0], err.msg);
	}
	store_close(s);
	cfg_release(&c);
	return rc;
}
