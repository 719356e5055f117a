/* src/tools/sandbox.h: the child-process sandbox shared by terminal and
 * execute_code: the environment scrub, capped head-and-tail output capture,
 * and running one child in its own process group with a timeout, confined
 * by the kernel as tools.confinement says (tools/confine.h).
 *
 * Invariants: a run leaves nothing behind. Every pipe end is O_CLOEXEC and
 * closed before tool_sandbox_run() returns; the child's whole process group
 * is killed (SIGTERM, then SIGKILL) when the command ends, times out or is
 * interrupted; the child is reaped whatever the process's SIGCHLD setting.
 * SPEC: runs-discovery-security §4.6 (the scrub)
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_SANDBOX_H
#define HERMES_TOOLS_SANDBOX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

struct tool_ctx;

/* Used when the scrubbed environment has no PATH (web servers often start
 * their FastCGI children with none). */
#define TOOL_SANDBOX_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* ---- environment ---------------------------------------------------------- */

/* A child environment: v holds n owned "NAME=value" strings and a NULL. */
struct tool_env {
	char **v;
	size_t n, cap;
};

/* Which parent variables pass the scrub (all borrowed). */
struct tool_scrub_rules {
	const char *passthrough_cfg;    /* comma list (terminal.env_passthrough) or NULL */
	const char *passthrough_turn;   /* comma list registered this turn, or NULL */
	const char *const *never_pass;  /* NULL-terminated names that never pass, even
	                                   when listed (the built-in list — API_SERVER_KEY,
	                                   OPENAI_API_KEY, … — always applies too); may be NULL */
};

void tool_env_init(struct tool_env *e);
/* Frees the strings and the array, not the struct. */
void tool_env_release(struct tool_env *e);
/* Set NAME=value, replacing an existing NAME (copies both). */
void tool_env_set(struct tool_env *e, const char *name, const char *value);
/* The value of name, or NULL; borrowed, valid until the next tool_env_* call. */
const char *tool_env_get(const struct tool_env *e, const char *name);

/* Does the variable name pass the §4.6 rules, in order: never_pass → drop;
 * passthrough → keep; a secret-looking substring (KEY, TOKEN, SECRET, …,
 * upper-cased) → drop; an allowed prefix (PATH, HOME, LANG, LC_, …) or one
 * of HERMES_HOME/PROFILE/CONFIG/ENV or TZ → keep; anything else → drop. */
bool tool_env_name_passes(const char *name, const struct tool_scrub_rules *r);

/* Fill e (initialised, empty) from parent, a NULL-terminated list of
 * "NAME=value" strings (borrowed), keeping what passes. If dropped is not
 * NULL the dropped names are appended to it sorted, comma-separated (a name
 * that does not fit is left out: the list is for a log line). */
void tool_env_scrub(struct tool_env *e, const char *const *parent,
		    const struct tool_scrub_rules *r, struct buf *dropped);

/* The sandbox environment for a tool call: the process environment
 * scrubbed with ctx's passthrough lists and never-pass names, PATH
 * defaulted, HOME defaulted to home_default when absent (may be NULL),
 * TZ from HERMES_TIMEZONE when set. Logs one LOG_DEBUG line naming the
 * dropped variables. e must be initialised and empty. */
void tool_sandbox_env(struct tool_env *e, const struct tool_ctx *ctx, const char *home_default);

/* Find an executable name on the PATH of e (or TOOL_SANDBOX_DEFAULT_PATH);
 * a name with a '/' is taken as is. Writes the path to out (cap bytes);
 * false if not found. */
bool tool_sandbox_which(const struct tool_env *e, const char *name, char *out, size_t cap);

/* ---- output capture ------------------------------------------------------- */

/* Keeps the first and the last bytes of a stream up to a cap; the middle
 * is counted, not stored. The memory (cap bytes) is allocated at init. */
struct tool_capture {
	char *head, *tail;          /* owned */
	size_t head_cap, head_len;
	size_t tail_cap, tail_len;  /* tail is a ring: tail_len <= tail_cap */
	size_t tail_pos;            /* next write position in the ring */
	unsigned long long total;   /* bytes fed */
};

void tool_capture_init(struct tool_capture *c, size_t cap);
void tool_capture_release(struct tool_capture *c);
void tool_capture_feed(struct tool_capture *c, const char *p, size_t n);

/* Append the captured text to out: everything if it fit, else the head, a
 * line "[... N bytes cut ...]" and the tail. Invalid UTF-8 and NUL bytes
 * become U+FFFD so the text can go into JSON. HERR_TOO_LARGE if out is
 * too small (out released, as every buf append). */
enum herr tool_capture_render(const struct tool_capture *c, struct buf *out)
	__attribute__((warn_unused_result));

/* ---- running a child ------------------------------------------------------ */

struct tool_confine;

struct tool_sandbox_opts {
	const char *const *argv;   /* argv[0] is an absolute path */
	const struct tool_confine *confine; /* kernel confinement; NULL = none */
	const char *tmpdir;        /* the run's private temporary directory (read-write
	                              under confinement); may be NULL */
	const char *const *extra_read; /* more read-only trees (the interpreter's); may be NULL */
	char *const *envp;         /* the child's whole environment */
	const char *cwd;           /* the child's working directory */
	long timeout_ms;           /* > 0 */
	const volatile sig_atomic_t *interrupt; /* nonzero → stop; may be NULL */
	void (*tick)(void *ctx);   /* called every poll tick (~100 ms); may be NULL */
	void *tick_ctx;
	bool merge_stderr;         /* stderr into the stdout capture (terminal) */
	size_t out_cap, err_cap;   /* capture caps; err_cap unused when merged */
};

struct tool_sandbox_result {
	int exit_code;         /* the exit status, or -1 when killed or unknown */
	int signal;            /* the signal that ended the child, or 0 */
	bool timed_out;        /* the timeout killed it */
	bool interrupted;      /* ctx->interrupt killed it */
	bool status_unknown;   /* somebody else reaped it (a SIGCHLD handler) */
	long elapsed_ms;
	struct tool_capture out, err;
};

/* A private temporary directory for one run: a new 0700 directory under
 * $TMPDIR (else /tmp) into dir (cap bytes). HERR_UNAVAILABLE when it cannot
 * be made (dir is then ""). */
enum herr tool_sandbox_tmp_new(char *dir, size_t cap, struct herror *err)
	__attribute__((warn_unused_result));
/* Remove dir and whatever the run left in it; dir becomes "". */
void tool_sandbox_tmp_remove(char *dir);

/* Run the child: stdin /dev/null, stdout/stderr into res->out/err, its own
 * process group, killed as a group at the end (see the file comment),
 * confined as o->confine says (tools/confine.h).
 * res is initialised here; release it with tool_sandbox_result_release()
 * whatever the return. HERR_INTERNAL (err set) when the child could
 * not be started (no pipes, no fork); HERR_UNAVAILABLE when the
 * confinement level is strict and the kernel cannot provide it. */
enum herr tool_sandbox_run(const struct tool_sandbox_opts *o, struct tool_sandbox_result *res,
			   struct herror *err) __attribute__((warn_unused_result));
void tool_sandbox_result_release(struct tool_sandbox_result *res);

/* Append the status line for res ("exit status: 3", "timed out after 2 s
 * …", "killed by signal 9", …) and a newline to out. timeout_s is the
 * limit that applied, for the message. */
enum herr tool_sandbox_status(const struct tool_sandbox_result *res, long timeout_s,
			      struct buf *out) __attribute__((warn_unused_result));

#endif
