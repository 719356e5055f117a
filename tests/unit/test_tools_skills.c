/* tests/unit/test_tools_skills.c: SKILL.md front matter (fields, fallbacks,
 * truncation, broken files), discovery in a temp skills directory (categories,
 * junk folders, symlink loops, first name wins, sorting, the warning naming a
 * broken file), and the skills_list / skill_view tools through tool_run
 * (sibling files, file_path confinement, environment passthrough).
 */
#include "config.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "tools/registry.h"
#include "tools/skills.h"

/* ---- parsing ------------------------------------------------------------- */

static enum herr parse(const char *text, struct tool_skill *s, struct herror *err)
{
	memset(s, 0, sizeof(*s));
	herr_clear(err);
	return tool_skill_parse(text, strlen(text), "dir-name", "x/SKILL.md", s, err);
}

static void test_parse(void)
{
	struct tool_skill s;
	struct herror err;
	char big[6000];
	size_t n;

	ok(parse("---\nname: pr-flow\ndescription: Open and merge PRs.\nversion: 1.0\n"
		 "required_environment_variables:\n  - GITHUB_TOKEN\n  - name: OTHER_VAR\n"
		 "    prompt: the other\n  - env_var: THIRD\n  - 'bad name'\n  - GITHUB_TOKEN\n"
		 "prerequisites:\n  env_vars: [LEGACY_VAR]\nsetup:\n  collect_secrets:\n"
		 "    - env_var: SECRET_ONE\n---\n# Title\nBody.\n", &s, &err) == HERR_OK,
	   "front matter parsed");
	is_str(s.name, "pr-flow", "name from front matter");
	is_str(s.description, "Open and merge PRs.", "description from front matter");
	ok(s.category == NULL && s.dir == NULL, "category and dir left to the loader");
	is_str(s.env[0], "GITHUB_TOKEN", "env: a string");
	is_str(s.env[1], "OTHER_VAR", "env: an object with name");
	is_str(s.env[2], "THIRD", "env: an object with env_var");
	is_str(s.env[3], "LEGACY_VAR", "env: prerequisites.env_vars");
	is_str(s.env[4], "SECRET_ONE", "env: setup.collect_secrets");
	ok(s.env[5] == NULL, "invalid names and duplicates dropped");
	tool_skill_release(&s);

	ok(parse("# Heading\n\n  \n## More\nFirst real line.\nSecond.\n", &s, &err) == HERR_OK,
	   "no front matter is fine");
	is_str(s.name, "dir-name", "name falls back to the folder name");
	is_str(s.description, "First real line.", "description: first non-heading body line");
	tool_skill_release(&s);

	ok(parse("---\r\nname: crlf\r\n---\r\n\r\nBody line\r\n", &s, &err) == HERR_OK,
	   "CRLF line endings");
	is_str(s.name, "crlf", "CRLF: name");
	is_str(s.description, "Body line", "CRLF: description without the CR");
	tool_skill_release(&s);

	ok(parse("---\n---\nonly body\n", &s, &err) == HERR_OK, "empty front matter");
	is_str(s.description, "only body", "empty front matter: body description");
	tool_skill_release(&s);

	ok(parse("---\nname: ''\ndescription: ''\n---\n", &s, &err) == HERR_OK, "empty fields");
	is_str(s.name, "dir-name", "empty name → folder name");
	is_str(s.description, "", "no description at all → empty");
	tool_skill_release(&s);

	n = (size_t)snprintf(big, sizeof(big), "---\nname: %s\ndescription: \"", "");
	for(int i = 0; i < 1100; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\xc3\xa9");
	snprintf(big + n, sizeof(big) - n, "\"\n---\n");
	ok(parse(big, &s, &err) == HERR_OK, "long description parsed");
	ok(strlen(s.description) == 1021 * 2 + 3 && strcmp(s.description + 2042, "...") == 0,
	   "description over 1,024 characters → 1,021 + '...' (counted in characters)");
	tool_skill_release(&s);

	n = (size_t)snprintf(big, sizeof(big), "---\nname: ");
	for(int i = 0; i < 70; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "n");
	snprintf(big + n, sizeof(big) - n, "\n---\n");
	ok(parse(big, &s, &err) == HERR_OK && strlen(s.name) == 64, "name cut to 64 characters");
	tool_skill_release(&s);

	n = (size_t)snprintf(big, sizeof(big), "---\ndescription: ");
	for(int i = 0; i < 2000; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\xc3\xa9");
	ok(tool_skill_parse(big, 4000 - 1, "d", "f", &s, &err) == HERR_BAD_REQUEST &&
	   strstr(err.msg, "no closing '---'"), "front matter past 4,000 bytes: broken, and a "
	   "character cut by the read is not a UTF-8 error (%s)", err.msg);

	ok(parse("---\nname: [unclosed\n---\nbody\n", &s, &err) == HERR_BAD_REQUEST &&
	   strstr(err.msg, "x/SKILL.md"), "broken YAML: broken, the message names the file (%s)",
	   err.msg);
	ok(s.name == NULL, "broken: s untouched");
	ok(parse("---\nname: x\ndescription: no end\n", &s, &err) == HERR_BAD_REQUEST,
	   "front matter without its closing line: broken");
	ok(parse("---\n- a\n- b\n---\n", &s, &err) == HERR_BAD_REQUEST, "a YAML list: broken");
	ok(parse("---\nname:\n  a: 1\n---\n", &s, &err) == HERR_BAD_REQUEST &&
	   strstr(err.msg, "'name' must be text"), "a mapping as name: broken");
	ok(parse("---\nname: x\n---\nbad \xff byte\n", &s, &err) == HERR_BAD_REQUEST &&
	   strstr(err.msg, "UTF-8"), "not UTF-8: broken");
	ok(parse("---\nname: w\nplatforms: [windows]\n---\n", &s, &err) == HERR_NOT_FOUND,
	   "platforms without this system: left out");
	ok(parse("---\nname: l\nplatforms: [linux, macos]\n---\n", &s, &err) == HERR_OK,
	   "platforms naming this system: kept");
	tool_skill_release(&s);
}

/* ---- discovery ----------------------------------------------------------- */

static char root[256];

static void put_file(const char *rel, const char *text)
{
	char path[512], dir[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", path);
	if(system(dir) != 0)
		return;
	f = fopen(path, "w");
	if(f) {
		fputs(text, f);
		fclose(f);
	}
}

static void make_tree(void)
{
	char path[512];
	int rc;

	put_file("cat1/alpha/SKILL.md", "---\nname: alpha\ndescription: First skill.\n"
		 "required_environment_variables: [MY_SKILL_VAR, MISSING_SKILL_VAR, OPENAI_API_KEY]\n"
		 "---\n# Alpha\nDo alpha things.\n");
	put_file("cat1/alpha/references/api.md", "API notes\n");
	put_file("cat1/alpha/scripts/run.sh", "echo run\n");
	put_file("cat1/alpha/references/inner/SKILL.md", "---\nname: inner\n---\n");
	put_file("cat1/alpha/.git/config", "x\n");
	put_file("cat2/beta/SKILL.md", "# Beta\n\nBeta from the body.\n");
	put_file("gamma/SKILL.md", "---\nname: gamma\ndescription: No category.\n---\n");
	put_file("broken/bad/SKILL.md", "---\nname: [oops\n---\n");
	put_file("cat3/alpha-copy/SKILL.md", "---\nname: alpha\ndescription: Second alpha.\n---\n");
	put_file("node_modules/pkg/SKILL.md", "---\nname: junk\n---\n");
	put_file(".git/hooks/SKILL.md", "---\nname: junk2\n---\n");
	put_file("outside.txt", "secret outside\n");
	snprintf(path, sizeof(path), "%s/cat1/loop", root);
	rc = symlink("..", path);
	snprintf(path, sizeof(path), "%s/cat1/alpha/escape.md", root);
	rc |= symlink("../../outside.txt", path);
	ok(rc == 0, "tree with a symlink loop and an escaping symlink");
}

static char *capture_stderr_start(int *saved)
{
	static char name[64];
	int fd;

	snprintf(name, sizeof(name), "/tmp/hermes-skills-err.XXXXXX");
	fd = mkstemp(name);

	fflush(stderr);
	*saved = dup(2);
	dup2(fd, 2);
	close(fd);
	return name;
}

static char *capture_stderr_end(int saved, const char *name)
{
	static char text[8192];
	FILE *f;
	size_t n = 0;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(name, "r");
	if(f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';
	unlink(name);
	return text;
}

static void test_load(void)
{
	struct tool_skill_list l;
	struct json_object *arr = NULL;
	struct herror err;
	char *names[8], *log, path[512];
	const char *tmp;
	int saved;
	size_t n;

	make_tree();
	tmp = capture_stderr_start(&saved);
	herr_clear(&err);
	ok(tool_skills_load(root, &l, &err) == HERR_OK, "load");
	log = capture_stderr_end(saved, tmp);
	ok(strstr(log, "broken/bad/SKILL.md") != NULL && strstr(log, "WARN"),
	   "a warning names the broken file");
	is_int(l.n, 3, "three skills (broken, junk folders, skill parts, duplicate left out)");
	if(l.n == 3) {
		is_str(l.v[0].name, "gamma", "sorted: no category first");
		ok(l.v[0].category == NULL, "gamma has no category");
		is_str(l.v[1].name, "alpha", "then cat1/alpha");
		is_str(l.v[1].category, "cat1", "category is the first folder");
		is_str(l.v[1].description, "First skill.", "the first alpha by path wins");
		is_str(l.v[2].name, "beta", "cat2/beta");
		is_str(l.v[2].description, "Beta from the body.", "beta's description from its body");
	}
	ok(tool_skills_find(&l, "alpha") == &l.v[1], "find by name");
	ok(tool_skills_find(&l, "nope") == NULL, "find: unknown name");
	snprintf(path, sizeof(path), "%s/cat1/alpha", root);
	if(l.n > 1)
		is_str(l.v[1].dir, path, "dir is the skill's folder");
	tool_skill_list_release(&l);

	tmp = capture_stderr_start(&saved);
	ok(tool_skills_scan(root, &arr, &err) == HERR_OK, "scan");
	capture_stderr_end(saved, tmp);
	is_str(json_object_to_json_string_ext(json_object_array_get_idx(arr, 0), JSON_C_TO_STRING_PLAIN),
	       "{\"name\":\"gamma\",\"description\":\"No category.\",\"category\":null}",
	       "scan: /v1/skills shape, category null");
	json_object_put(arr);

	snprintf(path, sizeof(path), "%s/cat1/alpha", root);
	n = tool_skill_files(path, names, 8);
	is_int(n, 3, "three other files in alpha (not .git, not the inner skill)");
	if(n == 3) {
		is_str(names[0], "escape.md", "files sorted");
		is_str(names[1], "references/api.md", "files in subfolders");
		is_str(names[2], "scripts/run.sh", "scripts listed");
	}
	for(size_t i = 0; i < n && i < 8; i++)
		free(names[i]);

	snprintf(path, sizeof(path), "%s/none", root);
	ok(tool_skills_load(path, &l, &err) == HERR_OK && l.n == 0, "missing dir: empty list");
	tool_skill_list_release(&l);
	snprintf(path, sizeof(path), "%s/outside.txt", root);
	ok(tool_skills_load(path, &l, &err) == HERR_INTERNAL && strstr(err.msg, "skills directory"),
	   "a file as skills dir: an error (%s)", err.msg);
}

/* ---- the tools ------------------------------------------------------------ */

static struct buf run_out;

/* Borrowed result, valid until the next run(). */
static const char *run(struct tool_ctx *ctx, const char *name, const char *args, bool *is_err)
{
	buf_release(&run_out);
	buf_init(&run_out, TOOL_RESULT_MAX);
	tool_run(ctx, name, args, &run_out, is_err);
	return buf_str(&run_out);
}

static void test_tools(void)
{
	struct tool_config cfg = { .skills_dir = root, .never_pass = { "OPENAI_API_KEY", NULL } };
	struct buf pt;
	struct tool_ctx ctx = { .cfg = &cfg, .passthrough = &pt };
	const char *r;
	bool e;
	int saved;
	char *tmp;

	buf_init(&pt, 64);
	if(buf_adds(&pt, "PRESET"))
		return;
	setenv("MY_SKILL_VAR", "1", 1);
	unsetenv("MISSING_SKILL_VAR");
	setenv("OPENAI_API_KEY", "sk-x", 1);
	tmp = capture_stderr_start(&saved);
	r = run(&ctx, "skills_list", "{}", &e);
	ok(!e && strstr(r, "3 skills") && strstr(r, "- alpha [cat1]: First skill.\n") &&
	   strstr(r, "- beta [cat2]: Beta from the body.\n") && strstr(r, "- gamma: No category.\n"),
	   "skills_list: names, categories, descriptions");
	ok(!strstr(r, "junk") && !strstr(r, "inner"), "skills_list: no junk");
	r = run(&ctx, "skills_list", "{\"category\":\"cat2\"}", &e);
	ok(!e && strstr(r, "1 skill.") && strstr(r, "beta") && !strstr(r, "alpha"),
	   "skills_list: one category");
	r = run(&ctx, "skills_list", "{\"category\":\"zzz\"}", &e);
	ok(!e && strstr(r, "No skills in category 'zzz'. Categories: cat1 cat2"), "unknown category");

	r = run(&ctx, "skill_view", "{\"name\":\"alpha\"}", &e);
	ok(!e && strstr(r, "Skill: alpha (category cat1)") && strstr(r, "Do alpha things."),
	   "skill_view: the SKILL.md text");
	ok(strstr(r, "- references/api.md\n") && strstr(r, "- scripts/run.sh\n"),
	   "skill_view: other files listed");
	ok(strstr(r, "MY_SKILL_VAR: available"), "a set variable is available");
	ok(strstr(r, "setup needed: MISSING_SKILL_VAR"), "a missing one: setup needed");
	ok(strstr(r, "OPENAI_API_KEY: never passed"), "a server credential is never passed");
	is_str(buf_str(&pt), "PRESET,MY_SKILL_VAR", "passthrough: the set variable registered");
	r = run(&ctx, "skill_view", "{\"name\":\"alpha\"}", &e);
	is_str(buf_str(&pt), "PRESET,MY_SKILL_VAR", "passthrough: not registered twice");
	buf_reset(&pt);
	if(buf_adds(&pt, "A_VERY_LONG_NAME_THAT_FILLS,THE_WHOLE_SMALL_PASSTHROUGH_LIST_"))
		return;
	r = run(&ctx, "skill_view", "{\"name\":\"alpha\"}", &e);
	ok(strstr(r, "too many variables"), "a full passthrough list is reported");
	is_str(buf_str(&pt), "A_VERY_LONG_NAME_THAT_FILLS,THE_WHOLE_SMALL_PASSTHROUGH_LIST_",
	       "and left intact");

	r = run(&ctx, "skill_view", "{\"name\":\"alpha\",\"file_path\":\"references/api.md\"}", &e);
	ok(!e && strstr(r, "API notes"), "file_path: a sibling file");
	r = run(&ctx, "skill_view", "{\"name\":\"alpha\",\"file_path\":\"../../outside.txt\"}", &e);
	ok(e && strstr(r, "no '..'") && !strstr(r, "secret"), "file_path with ..: refused");
	r = run(&ctx, "skill_view", "{\"name\":\"alpha\",\"file_path\":\"/etc/passwd\"}", &e);
	ok(e && !strstr(r, "root:"), "absolute file_path: refused");
	r = run(&ctx, "skill_view", "{\"name\":\"alpha\",\"file_path\":\"escape.md\"}", &e);
	ok(e && strstr(r, "outside the skill's folder") && !strstr(r, "secret"),
	   "a symlink out of the folder: refused");
	r = run(&ctx, "skill_view", "{\"name\":\"alpha\",\"file_path\":\"nope.md\"}", &e);
	ok(e && strstr(r, "has no file"), "a missing file");
	r = run(&ctx, "skill_view", "{\"name\":\"nope\"}", &e);
	ok(e && strstr(r, "no skill named 'nope'") && strstr(r, "skills_list"), "unknown skill");
	r = run(&ctx, "skill_view", "{}", &e);
	ok(e && strstr(r, "'name' is required"), "name required");
	ctx.passthrough = NULL;
	r = run(&ctx, "skill_view", "{\"name\":\"gamma\"}", &e);
	ok(!e && strstr(r, "Skill: gamma\n") && !strstr(r, "Other files"), "a lone SKILL.md");
	capture_stderr_end(saved, tmp);
	buf_release(&run_out);
	buf_release(&pt);
}

int main(void)
{
	char cmd[300];

	snprintf(root, sizeof(root), "%s/hermes-skills.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if(!mkdtemp(root)) {
		ok(0, "temp dir");
		return tap_done();
	}
	test_parse();
	test_load();
	test_tools();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if(system(cmd) != 0)
		ok(0, "cleanup");
	return tap_done();
}
