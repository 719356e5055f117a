/* tests/unit/test_tools_files.c: the file tools against a temporary
 * workspace: path confinement (.., absolute, symlinks out and in, missing
 * parents), and read_file, write_file, patch, search_files through tool_run. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "tools/registry.h"
#include "tools/workspace.h"

static char base[256], ws_dir[300], outside[300];
static struct tool_config cfg;
static struct tool_ctx ctx;

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if(f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *slurp(const char *path)
{
	static char text[65536];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	text[0] = '\0';
	if(f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
	}
	return f ? text : NULL;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* A symlink NAME in the workspace pointing at TARGET (p: scratch buffer).
 * The fixture cannot be set up without it: exit 99 (a hard error). */
static void link_at(char *p, size_t cap, const char *target, const char *name)
{
	snprintf(p, cap, "%s/%s", ws_dir, name);
	if(symlink(target, p) != 0) {
		perror(p);
		exit(99);
	}
}

static void setup(void)
{
	char p[600];

	snprintf(base, sizeof(base), "%s/tools-files.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if(!mkdtemp(base))
		exit(99);
	snprintf(ws_dir, sizeof(ws_dir), "%s/ws", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	mkdir(ws_dir, 0700);
	mkdir(outside, 0700);
	snprintf(p, sizeof(p), "%s/secret.txt", outside);
	put(p, "top secret needle\n");
	snprintf(p, sizeof(p), "%s/sub", ws_dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/sub/a.txt", ws_dir);
	put(p, "hello\nneedle here\nbye\n");
	link_at(p, sizeof(p), "/etc", "etc");
	link_at(p, sizeof(p), "/etc/passwd", "pw");
	link_at(p, sizeof(p), outside, "out");
	link_at(p, sizeof(p), "sub", "in");
	link_at(p, sizeof(p), "../outside/nope.txt", "dangling");
	cfg.workspace = ws_dir;
	ctx.cfg = &cfg;
	ctx.session_key = "default";
}

/* Resolve path; returns the rc, with the message in err and shown in *shown. */
static enum herr resolve(const char *path, enum tool_ws_mode mode, struct herror *err,
			 char *shown, size_t cap)
{
	struct tool_ws ws;
	struct tool_ws_path p = { -1, NULL, NULL, false, NULL };
	enum herr rc;

	herr_clear(err);
	shown[0] = '\0';
	if(!(rc = tool_ws_open(&ctx, &ws, err)) && !(rc = tool_ws_resolve(&ws, path, mode, &p, err)))
		snprintf(shown, cap, "%s", p.shown);
	tool_ws_path_release(&p);
	tool_ws_close(&ws);
	return rc;
}

static void test_confinement(void)
{
	struct herror err;
	char shown[512], abs_in[700], p[700];
	struct tool_ctx bare = { 0 };
	struct tool_ws ws;

	herr_clear(&err);
	is_int(tool_ws_open(&bare, &ws, &err), HERR_FORBIDDEN, "no configuration: refused");
	ok(strstr(err.msg, "no workspace is configured") != NULL, "... with a message saying why");
	tool_ws_close(&ws);

	is_int(resolve("sub/a.txt", TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_OK,
	       "a relative path inside resolves");
	is_str(shown, "sub/a.txt", "... shown relative to the workspace");

	is_int(resolve("../x", TOOL_WS_CREATE, &err, shown, sizeof(shown)), HERR_FORBIDDEN,
	       "../x is refused");
	ok(strstr(err.msg, "path '../x' is outside the workspace") && strstr(err.msg, "use a path inside it"),
	   "... with a message the model can act on: %s", err.msg);
	snprintf(p, sizeof(p), "%s/x", base);
	ok(!exists(p), "... and nothing was created outside");

	is_int(resolve("sub/../../x", TOOL_WS_CREATE, &err, shown, sizeof(shown)), HERR_FORBIDDEN,
	       "sub/../../x is refused");
	is_int(resolve("sub/../sub/../../x", TOOL_WS_CREATE, &err, shown, sizeof(shown)),
	       HERR_FORBIDDEN, "a deeper .. escape is refused");
	is_int(resolve("/etc/passwd", TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_FORBIDDEN,
	       "an absolute path outside is refused");
	ok(strstr(err.msg, "outside the workspace") != NULL, "... as outside the workspace");
	is_int(resolve("/", TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_FORBIDDEN,
	       "/ is refused");

	snprintf(abs_in, sizeof(abs_in), "%s/sub/a.txt", ws_dir);
	is_int(resolve(abs_in, TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_OK,
	       "an absolute path inside is allowed");
	is_str(shown, "sub/a.txt", "... and shown relative");

	is_int(resolve("etc/passwd", TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_FORBIDDEN,
	       "through a symlink to /etc: refused");
	ok(strstr(err.msg, "symlink") != NULL, "... and the message names the symlink: %s", err.msg);
	is_int(resolve("pw", TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_FORBIDDEN,
	       "a symlink to /etc/passwd: refused");
	is_int(resolve("out/new.txt", TOOL_WS_CREATE, &err, shown, sizeof(shown)), HERR_FORBIDDEN,
	       "creating through a symlink to a directory outside: refused");
	is_int(resolve("out/deep/new.txt", TOOL_WS_CREATE, &err, shown, sizeof(shown)),
	       HERR_FORBIDDEN, "creating directories through it: refused");
	snprintf(p, sizeof(p), "%s/deep", outside);
	ok(!exists(p), "... and no directory was made outside");
	is_int(resolve("dangling", TOOL_WS_CREATE, &err, shown, sizeof(shown)), HERR_BAD_REQUEST,
	       "a dangling symlink is refused");
	snprintf(p, sizeof(p), "%s/nope.txt", outside);
	ok(!exists(p), "... and its target was not created");

	is_int(resolve("in/a.txt", TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_OK,
	       "a symlink that stays inside is allowed");
	is_str(shown, "sub/a.txt", "... and resolves to its target");

	is_int(resolve("nodir/x.txt", TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_NOT_FOUND,
	       "a missing parent: not found when the file must exist");
	ok(strstr(err.msg, "does not exist") != NULL, "... saying so");
	snprintf(p, sizeof(p), "%s/nodir", ws_dir);
	ok(!exists(p), "... and nothing is created");
	is_int(resolve("nodir/deeper/x.txt", TOOL_WS_CREATE, &err, shown, sizeof(shown)), HERR_OK,
	       "a missing parent is created for a new file");
	snprintf(p, sizeof(p), "%s/nodir/deeper", ws_dir);
	ok(exists(p), "... inside the workspace");
	is_str(shown, "nodir/deeper/x.txt", "... shown relative");
	is_int(resolve("gone/../../x", TOOL_WS_CREATE, &err, shown, sizeof(shown)), HERR_BAD_REQUEST,
	       ".. after a missing directory is refused");
	snprintf(p, sizeof(p), "%s/gone", ws_dir);
	ok(!exists(p), "... before anything is created");
	is_int(resolve("sub/a.txt/x", TOOL_WS_CREATE, &err, shown, sizeof(shown)), HERR_BAD_REQUEST,
	       "a file used as a directory: refused");
	is_int(resolve(".", TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_OK,
	       ". is the workspace");
	is_str(shown, ".", "... shown as .");
	is_int(resolve("", TOOL_WS_EXISTING, &err, shown, sizeof(shown)), HERR_BAD_REQUEST,
	       "an empty path is refused");
}

/* A directory swapped for a symlink out after the check: the write still
 * lands in the directory that was checked, because it goes through its fd. */
static void test_swap_race(void)
{
	struct herror err;
	struct tool_ws ws;
	struct tool_ws_path p = { -1, NULL, NULL, false, NULL };
	char dir[700], moved[700], f[800];

	herr_clear(&err);
	if(tool_ws_open(&ctx, &ws, &err) ||
	   tool_ws_resolve(&ws, "race/dir/f.txt", TOOL_WS_CREATE, &p, &err)) {
		ok(0, "resolve race/dir/f.txt: %s", err.msg);
		tool_ws_close(&ws);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/race/dir", ws_dir);
	snprintf(moved, sizeof(moved), "%s/race/moved", ws_dir);
	ok(rename(dir, moved) == 0 && symlink(outside, dir) == 0, "swap the checked directory for a symlink out");
	is_int(tool_ws_write_atomic(&p, "x\n", 2, NULL, &err), HERR_OK, "write through the held fd");
	snprintf(f, sizeof(f), "%s/f.txt", outside);
	ok(!exists(f), "... nothing lands outside");
	snprintf(f, sizeof(f), "%s/f.txt", moved);
	ok(exists(f), "... it lands in the directory that was checked");
	tool_ws_path_release(&p);
	tool_ws_close(&ws);
}

/* ok() that shows the tool's result when it fails. */
static void check(bool c, const char *desc, const char *r)
{
	if(ok(c, "%s", desc))
		return;
	for(const char *p = r, *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		printf("#   %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
	}
}

/* Run a tool with JSON arguments; returns the result text (static). */
static const char *run(const char *name, const char *args, bool *is_error)
{
	static char text[TOOL_RESULT_MAX + 1];
	struct buf out;
	bool e;

	buf_init(&out, TOOL_RESULT_MAX);
	tool_run(&ctx, name, args, &out, &e);
	snprintf(text, sizeof(text), "%s", buf_str(&out));
	buf_release(&out);
	if(is_error)
		*is_error = e;
	return text;
}

static void test_write_read(void)
{
	bool e;
	const char *r;
	char p[700];
	struct stat st;

	r = run("write_file", "{\"path\":\"notes/n.txt\",\"content\":\"one\\ntwo\\nthree\\n\"}", &e);
	check(!e && strstr(r, "Wrote 14 bytes to notes/n.txt"), "write_file creates a file", r);
	snprintf(p, sizeof(p), "%s/notes/n.txt", ws_dir);
	is_str(slurp(p), "one\ntwo\nthree\n", "... with the content");
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644, "... mode 0644 under umask 022");
	r = run("read_file", "{\"path\":\"notes/n.txt\"}", &e);
	is_str(r, "     1|one\n     2|two\n     3|three\n", "read_file numbers the lines");
	r = run("read_file", "{\"path\":\"notes/n.txt\",\"offset\":2,\"limit\":1}", &e);
	check(!e && strstr(r, "     2|two\n") && !strstr(r, "one") &&
	   strstr(r, "[lines 2-2 of 3 in notes/n.txt; call read_file with offset=3"),
	   "offset and limit select a window and say how to read on", r);
	r = run("read_file", "{\"path\":\"notes/n.txt\",\"offset\":9}", &e);
	check(e && strstr(r, "past the end"), "an offset past the end is an error", r);
	chmod(p, 0600);
	r = run("write_file", "{\"path\":\"notes/n.txt\",\"content\":\"\"}", &e);
	check(!e && strstr(r, "replaced"), "write_file replaces", r);
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 0,
	   "... keeping the mode of the old file");
	r = run("read_file", "{\"path\":\"notes/n.txt\"}", &e);
	check(!e && strstr(r, "is empty"), "an empty file says so", r);
	r = run("write_file", "{\"path\":\"../escape.txt\",\"content\":\"x\"}", &e);
	check(e && strstr(r, "Error: path '../escape.txt' is outside the workspace"), "write_file ../", r);
	snprintf(p, sizeof(p), "%s/escape.txt", base);
	ok(!exists(p), "... nothing written outside");
	r = run("write_file", "{\"path\":\"out/secret.txt\",\"content\":\"owned\"}", &e);
	ok(e && strstr(r, "outside the workspace"), "write_file through a symlink out: refused");
	snprintf(p, sizeof(p), "%s/secret.txt", outside);
	is_str(slurp(p), "top secret needle\n", "... the file outside is unchanged");
	r = run("read_file", "{\"path\":\"pw\"}", &e);
	check(e && strstr(r, "outside the workspace") && !strstr(r, "root:"), "read_file pw", r);
	r = run("write_file", "{\"path\":\"sub\",\"content\":\"x\"}", &e);
	check(e && strstr(r, "is a directory"), "write_file onto a directory", r);
	r = run("read_file", "{\"path\":\"sub\"}", &e);
	check(e && strstr(r, "is a directory; use search_files"), "read_file of a directory", r);
	r = run("read_file", "{}", &e);
	check(e && strstr(r, "'path' is required"), "a missing path", r);
}

static void test_read_limits(void)
{
	char p[700];
	FILE *f;
	bool e;
	const char *r;

	snprintf(p, sizeof(p), "%s/bin.dat", ws_dir);
	f = fopen(p, "w");
	fwrite("ab\0cd", 1, 5, f);
	fclose(f);
	r = run("read_file", "{\"path\":\"bin.dat\"}", &e);
	check(e && strstr(r, "binary file"), "a binary file is refused", r);
	snprintf(p, sizeof(p), "%s/fifo", ws_dir);
	if(mkfifo(p, 0600) == 0) {
		r = run("read_file", "{\"path\":\"fifo\"}", &e);
		check(e && strstr(r, "not a regular file"), "a FIFO is refused without blocking", r);
	} else {
		skip("mkfifo failed");
	}
	snprintf(p, sizeof(p), "%s/long.txt", ws_dir);
	f = fopen(p, "w");
	for(int i = 1; i <= 3000; i++)
		fprintf(f, "line %d %0100d\n", i, 0);
	fclose(f);
	r = run("read_file", "{\"path\":\"long.txt\"}", &e);
	check(!e && strstr(r, "   500|line 500 ") && !strstr(r, "|line 501 ") &&
	      strstr(r, "[lines 1-500 of 3000 in long.txt; call read_file with offset=501"),
	      "500 lines by default, with a footer", r);
	r = run("read_file", "{\"path\":\"long.txt\",\"limit\":2000}", &e);
	check(!e && strlen(r) < TOOL_RESULT_MAX && strstr(r, "call read_file with offset="),
	      "a window larger than the result cap stops early and says where to go on", r);
	snprintf(p, sizeof(p), "%s/latin1.txt", ws_dir);
	put(p, "caf\xe9\n");
	r = run("read_file", "{\"path\":\"latin1.txt\"}", &e);
	is_str(r, "     1|caf\xEF\xBF\xBD\n", "invalid UTF-8 is replaced, not passed on");
}

static void test_patch(void)
{
	char p[700];
	bool e;
	const char *r;
	struct stat st;

	snprintf(p, sizeof(p), "%s/p.txt", ws_dir);
	put(p, "alpha\nbeta\nbeta\ngamma\n");
	chmod(p, 0750);
	r = run("patch", "{\"path\":\"p.txt\",\"old_string\":\"beta\",\"new_string\":\"B\"}", &e);
	check(e && strstr(r, "old_string occurs 2 times in p.txt (first at line 2)") &&
	   strstr(r, "replace_all=true"), "two matches without replace_all: refused", r);
	is_str(slurp(p), "alpha\nbeta\nbeta\ngamma\n", "... the file is unchanged");
	r = run("patch", "{\"path\":\"p.txt\",\"old_string\":\"delta\",\"new_string\":\"D\"}", &e);
	check(e && strstr(r, "old_string was not found in p.txt"), "no match: refused", r);
	r = run("patch", "{\"path\":\"p.txt\",\"old_string\":\"\",\"new_string\":\"D\"}", &e);
	ok(e && strstr(r, "must not be empty"), "empty old_string: refused");
	r = run("patch", "{\"path\":\"p.txt\",\"old_string\":\"gamma\\n\",\"new_string\":\"G\\n\"}", &e);
	check(!e && strstr(r, "Patched p.txt: replaced 1 occurrence (first at line 4)"),
	   "a unique match is replaced", r);
	is_str(slurp(p), "alpha\nbeta\nbeta\nG\n", "... in the file");
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0750, "... which keeps its mode");
	r = run("patch", "{\"path\":\"p.txt\",\"old_string\":\"beta\",\"new_string\":\"\","
		"\"replace_all\":true}", &e);
	check(!e && strstr(r, "replaced 2 occurrences"), "replace_all replaces every match", r);
	is_str(slurp(p), "alpha\n\n\nG\n", "... deleting them");
	r = run("patch", "{\"path\":\"p.txt\",\"old_string\":\"alpha\",\"new_string\":\"x\","
		"\"replace_all\":\"yes\"}", &e);
	ok(e && strstr(r, "true or false"), "replace_all must be a boolean");
	r = run("patch", "{\"path\":\"out/secret.txt\",\"old_string\":\"top\",\"new_string\":\"x\"}", &e);
	ok(e && strstr(r, "outside the workspace"), "patch through a symlink out: refused");
	r = run("patch", "{\"path\":\"nope.txt\",\"old_string\":\"a\",\"new_string\":\"b\"}", &e);
	check(e && strstr(r, "does not exist"), "patch of a missing file", r);
}

static void test_search(void)
{
	bool e;
	const char *r;
	char p[700];

	snprintf(p, sizeof(p), "%s/.git", ws_dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/.git/config", ws_dir);
	put(p, "needle in git\n");
	snprintf(p, sizeof(p), "%s/code.c", ws_dir);
	put(p, "int main(void) { return 0; } /* needle */\n");
	snprintf(p, sizeof(p), "%s/bin2.dat", ws_dir);
	put(p, "needle");
	{
		FILE *f = fopen(p, "a");

		fwrite("\0", 1, 1, f);
		fclose(f);
	}
	r = run("search_files", "{\"pattern\":\"needle\"}", &e);
	check(!e && strstr(r, "code.c:1: int main(void)") && strstr(r, "sub/a.txt:2: needle here"),
	   "search_files finds lines as file:line: text", r);
	ok(!strstr(r, "secret") && !strstr(r, "out/"), "... without following a symlink out");
	ok(!strstr(r, ".git") && !strstr(r, "bin2.dat"), "... skipping .git and binary files");
	ok(!strstr(r, "in/a.txt"), "... and not following symlinks inside either");
	ok(strstr(r, "[2 matches in ") != NULL, "... with a count");
	r = run("search_files", "{\"pattern\":\"ne+dle (here|there)\",\"regex\":true}", &e);
	check(!e && strstr(r, "sub/a.txt:2:") && !strstr(r, "code.c"), "regex:true: a regex works", r);
	r = run("search_files", "{\"pattern\":\"ne+dle (here|there)\"}", &e);
	check(!e && strstr(r, "No matches"), "without regex the same pattern is plain text", r);
	r = run("search_files", "{\"pattern\":\"main(\"}", &e);
	check(!e && strstr(r, "code.c:1:"), "a pattern that is no valid regex is plain text", r);
	r = run("search_files", "{\"pattern\":\"main(\",\"regex\":true}", &e);
	check(e && strstr(r, "regular expression is refused at offset 5"),
	      "regex:true with an invalid regex: an error naming the offset", r);
	r = run("search_files", "{\"pattern\":\"needle\",\"regex\":\"maybe\"}", &e);
	check(e && strstr(r, "'regex' must be true or false"), "regex must be a boolean", r);
	r = run("search_files", "{\"pattern\":\"needle\",\"glob\":\"*.c\"}", &e);
	ok(!e && strstr(r, "code.c:1:") && !strstr(r, "a.txt"), "glob filters file names");
	r = run("search_files", "{\"pattern\":\"needle\",\"path\":\"sub\"}", &e);
	ok(!e && strstr(r, "sub/a.txt:2:") && !strstr(r, "code.c"), "path limits the search");
	r = run("search_files", "{\"pattern\":\"needle\",\"limit\":1}", &e);
	check(!e && strstr(r, "stopped after 1 matches: the limit"), "limit stops early", r);
	r = run("search_files", "{\"pattern\":\"needle\",\"path\":\"out\"}", &e);
	check(e && strstr(r, "outside the workspace"), "path through a symlink out: refused", r);
	r = run("search_files", "{\"pattern\":\"needle\",\"path\":\"/etc\"}", &e);
	ok(e && strstr(r, "outside the workspace"), "an absolute path outside: refused");
	r = run("search_files", "{\"pattern\":\"zzz-nothing\"}", &e);
	check(!e && strstr(r, "No matches for 'zzz-nothing' in ."), "no match says so", r);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Patterns that held a responder for seconds under <regex.h> are refused
 * quickly, as regexes and as the literal text they are by default; regex
 * metacharacters in a plain search are matched literally. */
static void test_search_hostile(void)
{
	char p[700], line[64];
	const char *r;
	double t0;
	bool e;

	snprintf(p, sizeof(p), "%s/hostile", ws_dir);
	mkdir(p, 0755);
	memset(line, 'a', 52);
	snprintf(line + 52, sizeof(line) - 52, "\n");
	snprintf(p, sizeof(p), "%s/hostile/a52.txt", ws_dir);
	put(p, line);
	snprintf(p, sizeof(p), "%s/hostile/meta.txt", ws_dir);
	put(p, "x = a.b*c(d)[e]{2}\\f$ ^g|h?\naxb\n");

	/* The reproducer: PCRE2 sees the required 'x' is missing at once. */
	t0 = now_s();
	r = run("search_files", "{\"pattern\":\"(.*)(.*)(.*)(.*)(.*)\\\\5\\\\4\\\\3\\\\2\\\\1x\","
		"\"regex\":true,\"path\":\"hostile/a52.txt\"}", &e);
	ok(now_s() - t0 < tap_time_bound(2.0), "backreference pattern over 52 'a': finishes quickly (%.3f s)",
	   now_s() - t0);
	/* Made to backtrack: the start optimisations off (any pattern may ask). */
	t0 = now_s();
	r = run("search_files", "{\"pattern\":\"(*NO_START_OPT)(.*)(.*)(.*)(.*)(.*)\\\\5\\\\4\\\\3\\\\2\\\\1x\","
		"\"regex\":true,\"path\":\"hostile/a52.txt\"}", &e);
	check(e && strstr(r, "too much work") && now_s() - t0 < tap_time_bound(2.0),
	      "backreference blow-up (no start optimisation): refused quickly", r);
	printf("# backreference pattern, no start optimisation: %.3f s\n", now_s() - t0);
	t0 = now_s();
	r = run("search_files", "{\"pattern\":\"((a{1,80}){1,80}){1,80}\",\"regex\":true,"
		"\"path\":\"hostile\"}", &e);
	check(e && strstr(r, "regular expression is refused") && now_s() - t0 < tap_time_bound(2.0),
	      "nested counted repeats: refused quickly", r);
	printf("# nested repeats: %.3f s\n", now_s() - t0);
	t0 = now_s();
	r = run("search_files", "{\"pattern\":\"(.*)(.*)(.*)(.*)(.*)\\\\5\\\\4\\\\3\\\\2\\\\1x\","
		"\"path\":\"hostile/a52.txt\"}", &e);
	check(!e && strstr(r, "No matches") && now_s() - t0 < tap_time_bound(2.0),
	      "the same pattern without regex: plain text, no match, quickly", r);
	r = run("search_files", "{\"pattern\":\"a.b*c(d)[e]{2}\\\\f$ ^g|h?\",\"path\":\"hostile/meta.txt\"}", &e);
	check(!e && strstr(r, "meta.txt:1: x = a.b*c(d)[e]{2}") && strstr(r, "[1 match in"),
	      "regex metacharacters are matched literally by default", r);
	r = run("search_files", "{\"pattern\":\"a.b\",\"path\":\"hostile/meta.txt\"}", &e);
	check(!e && !strstr(r, "meta.txt:2:"), "... '.' is not a wildcard in plain text", r);
	r = run("search_files", "{\"pattern\":\"^a.b$\",\"regex\":true,\"path\":\"hostile/meta.txt\"}", &e);
	check(!e && strstr(r, "meta.txt:2: axb") && !strstr(r, "meta.txt:1:"),
	      "... and is one with regex:true", r);
}

/* A long regex search calls the tick about every 100 ms and stops within a
 * tick once the interrupt is set from it. */
struct ticks {
	int n;
	volatile sig_atomic_t stop;
};

static void on_tick(void *p)
{
	struct ticks *t = p;

	if(++t->n == 3)
		t->stop = 1;
}

static void test_search_ticks(void)
{
	struct ticks t = { 0, 0 };
	struct tool_ctx saved = ctx;
	char p[700], line[32];
	const char *r;
	double t0;
	FILE *f;
	bool e;

	snprintf(p, sizeof(p), "%s/slow", ws_dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/slow/many.txt", ws_dir);
	f = fopen(p, "w");
	memset(line, 'a', 22);
	line[22] = '\0';
	for(int i = 0; f && i < 200000; i++)
		fprintf(f, "%s\n", line);
	if(f)
		fclose(f);
	ctx.interrupt = &t.stop;
	ctx.tick = on_tick;
	ctx.tick_ctx = &t;
	t0 = now_s();
	r = run("search_files", "{\"pattern\":\"(*NO_START_OPT)(a|aa)*c\",\"regex\":true,\"path\":\"slow\"}", &e);
	check(!e && strstr(r, "the request was interrupted") && t.n >= 3 && now_s() - t0 < tap_time_bound(1.5),
	      "a long regex search ticks and stops on the interrupt set from the tick", r);
	printf("# interrupted after %.3f s, %d ticks\n", now_s() - t0, t.n);
	ctx = saved;
	unlink(p);
}

static void test_no_workspace(void)
{
	struct tool_ctx saved = ctx;
	bool e;
	const char *r;

	ctx.cfg = NULL;
	r = run("read_file", "{\"path\":\"sub/a.txt\"}", &e);
	ok(e && strstr(r, "no workspace is configured"), "without configuration read_file refuses");
	r = run("write_file", "{\"path\":\"x.txt\",\"content\":\"x\"}", &e);
	ok(e && strstr(r, "no workspace is configured"), "... and write_file too");
	ctx = saved;
}

static void test_interrupt(void)
{
	static volatile sig_atomic_t stop = 1;
	bool e;
	const char *r;

	ctx.interrupt = &stop;
	r = run("search_files", "{\"pattern\":\"needle\"}", &e);
	check(!e && strstr(r, "the request was interrupted") && !strstr(r, "needle here"),
	      "an interrupted search stops and says so", r);
	r = run("read_file", "{\"path\":\"long.txt\"}", &e);
	check(e && strstr(r, "interrupted"), "an interrupted read stops", r);
	ctx.interrupt = NULL;
}

static void cleanup(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if(system(cmd) != 0)
		printf("# could not remove %s\n", base);
}

int main(void)
{
	umask(022);
	setup();
	test_confinement();
	test_swap_race();
	test_write_read();
	test_read_limits();
	test_patch();
	test_search();
	test_search_hostile();
	test_search_ticks();
	test_no_workspace();
	test_interrupt();
	cleanup();
	return tap_done();
}
