/* src/tools/sandbox.c: the child-process sandbox for terminal and
 * execute_code: environment scrub, head-and-tail output capture, and one
 * child run in its own process group under a timeout.
 *
 * DESIGN. The child is forked with stdin on /dev/null and stdout/stderr on
 * O_CLOEXEC pipes; it makes itself a process-group leader, resets every
 * signal disposition (a web server may have SIGPIPE or SIGCHLD ignored, and
 * ignored signals survive exec), unblocks all signals, closes every fd above
 * 2 and execs. The parent polls the pipes in 100 ms ticks and watches the
 * leader with waitid(WNOWAIT), which sees the exit without reaping it: while
 * the leader is an unreaped zombie its pid (= the group id) cannot be
 * reused, so signalling the group stays safe until the very end. When the
 * leader exits, the timeout passes or *interrupt is set, the group gets
 * SIGTERM, then SIGKILL after a grace (descendants a command left running
 * in the background are killed too: nothing outlives a tool call); the
 * pipes are drained to EOF (bounded: a process that escaped the group may
 * hold them), and only then is the leader reaped. If SIGCHLD is ignored
 * (or SA_NOCLDWAIT), children would be auto-reaped and their status lost,
 * so the disposition is set to default for the run and restored after.
 * SPEC: runs-discovery-security §4.6
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/registry.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

extern char **environ;

#define TICK_MS 100         /* poll granularity: interrupt is seen within it */
#define SHORT_TICK_MS 10    /* the same once the pipes are closed */
#define GRACE_MS 500        /* SIGTERM → SIGKILL on timeout or interrupt */
#define LEFTOVER_MS 200     /* SIGTERM → SIGKILL for what a finished command left */
#define DRAIN_MS 500        /* after SIGKILL, how long to wait for the pipes' EOF */
#define DROPPED_LOG_MAX 800    /* log lines hold 1 KiB */

/* ---- environment ------------------------------------------------------------ */

/* SPEC: runs-discovery-security §4.6 rule 2 (matched upper-cased) */
static const char *const secret_parts[] = {
	"KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "PASSWD", "AUTH", "DSN",
	"WEBHOOK", "CREDS", "BEARER", "APIKEY", NULL,
};
/* rule 3 (case-sensitive prefixes) */
static const char *const keep_prefixes[] = {
	"PATH", "HOME", "USER", "LANG", "LC_", "TERM", "TMPDIR", "TMP", "TEMP", "SHELL",
	"LOGNAME", "XDG_", "PYTHONPATH", "VIRTUAL_ENV", "CONDA", NULL,
};
/* rule 4, plus TZ (issue 5 lists it among the basics) */
static const char *const keep_exact[] = {
	"HERMES_HOME", "HERMES_PROFILE", "HERMES_CONFIG", "HERMES_ENV", "TZ", NULL,
};
/* The server's own credentials: never passed, even when listed. */
static const char *const never_builtin[] = {
	"API_SERVER_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENROUTER_API_KEY",
	"ANTHROPIC_API_KEY", "HERMES_API_KEY", NULL,
};
static const char *const never_prefixes[] = { "AUXILIARY_", "GATEWAY_RELAY_", NULL };

void tool_env_init(struct tool_env *e)
{
	e->v = xcalloc(1, sizeof(*e->v));
	e->n = 0;
	e->cap = 1;
}

void tool_env_release(struct tool_env *e)
{
	for(size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	e->v = NULL;
	e->n = e->cap = 0;
}

/* Index of name in e, or e->n. */
static size_t env_find(const struct tool_env *e, const char *name, size_t len)
{
	for(size_t i = 0; i < e->n; i++)
		if(strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=')
			return i;
	return e->n;
}

void tool_env_set(struct tool_env *e, const char *name, const char *value)
{
	size_t len = strlen(name), i = env_find(e, name, len);
	size_t vlen = strlen(value);
	char *s = xmalloc(len + vlen + 2);

	memcpy(s, name, len);
	s[len] = '=';
	memcpy(s + len + 1, value, vlen + 1);
	if(i < e->n) {
		free(e->v[i]);
		e->v[i] = s;
		return;
	}
	if(e->n + 2 > e->cap) {
		e->cap = e->cap * 2 + 8;
		e->v = xrealloc(e->v, e->cap * sizeof(*e->v));
	}
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

const char *tool_env_get(const struct tool_env *e, const char *name)
{
	size_t len = strlen(name), i = env_find(e, name, len);

	return i < e->n ? e->v[i] + len + 1 : NULL;
}

/* Does hay contain needle (upper-case ASCII), comparing hay upper-cased? */
static bool contains_upper(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);

	for(; *hay; hay++) {
		size_t k = 0;

		while(k < nl && hay[k]) {
			char c = hay[k];

			if(c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if(c != needle[k])
				break;
			k++;
		}
		if(k == nl)
			return true;
	}
	return false;
}

static bool in_names(const char *name, const char *const *names)
{
	for(; names && *names; names++)
		if(strcmp(name, *names) == 0)
			return true;
	return false;
}

static bool has_prefix(const char *name, const char *const *prefixes)
{
	for(; *prefixes; prefixes++)
		if(str_starts(name, *prefixes))
			return true;
	return false;
}

/* Is name an item of the comma list (items trimmed of blanks, brackets
 * and quotes, so a YAML flow list "[A, B]" works too)? */
static bool in_list(const char *name, const char *list)
{
	size_t nl = strlen(name);

	while(list && *list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		while(len && strchr(" \t\r\n[]\"'", *list))
			list++, len--;
		while(len && strchr(" \t\r\n[]\"'", list[len - 1]))
			len--;
		if(len == nl && memcmp(list, name, nl) == 0)
			return true;
		list = end ? end + 1 : NULL;
	}
	return false;
}

bool tool_env_name_passes(const char *name, const struct tool_scrub_rules *r)
{
	if(in_names(name, never_builtin) || has_prefix(name, never_prefixes) ||
	   in_names(name, r->never_pass))
		return false;
	if(in_list(name, r->passthrough_cfg) || in_list(name, r->passthrough_turn))
		return true;
	for(size_t i = 0; secret_parts[i]; i++)
		if(contains_upper(name, secret_parts[i]))
			return false;
	return has_prefix(name, keep_prefixes) || in_names(name, keep_exact);
}

/* qsort order of "NAME=value" strings by NAME. */
static int cmp_names(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	for(; *x && *x != '=' && *x == *y; x++, y++)
		;
	return (unsigned char)(*x == '=' ? 0 : *x) - (unsigned char)(*y == '=' ? 0 : *y);
}

static void add_dropped(struct buf *dropped, const char *const *names, size_t n)
{
	for(size_t i = 0; i < n; i++) {
		size_t len = strcspn(names[i], "=");

		if(buf_len(dropped) + len + 2 > dropped->max)
			break;
		if((buf_len(dropped) && buf_add(dropped, ",", 1)) || buf_add(dropped, names[i], len))
			break;
	}
}

void tool_env_scrub(struct tool_env *e, const char *const *parent,
		    const struct tool_scrub_rules *r, struct buf *dropped)
{
	size_t n = 0, nd = 0;
	const char **drop;

	while(parent && parent[n])
		n++;
	drop = xcalloc(n + 1, sizeof(*drop));
	for(size_t i = 0; i < n; i++) {
		const char *eq = strchr(parent[i], '=');
		char *name;

		if(!eq || eq == parent[i])
			continue;
		name = xstrndup(parent[i], (size_t)(eq - parent[i]));
		if(tool_env_name_passes(name, r))
			tool_env_set(e, name, eq + 1);
		else
			drop[nd++] = parent[i];
		free(name);
	}
	qsort(drop, nd, sizeof(*drop), cmp_names);
	if(dropped)
		add_dropped(dropped, drop, nd);
	free(drop);
}

void tool_sandbox_env(struct tool_env *e, const struct tool_ctx *ctx, const char *home_default)
{
	struct tool_scrub_rules r = {
		ctx->cfg ? ctx->cfg->env_passthrough : NULL,
		ctx->passthrough && buf_len(ctx->passthrough) ? buf_str(ctx->passthrough) : NULL,
		ctx->cfg ? (const char *const *)ctx->cfg->never_pass : NULL,
	};
	const char *tz = getenv("HERMES_TIMEZONE");
	struct buf dropped;

	buf_init(&dropped, DROPPED_LOG_MAX);
	tool_env_scrub(e, (const char *const *)environ, &r, &dropped);
	if(!tool_env_get(e, "PATH"))
		tool_env_set(e, "PATH", TOOL_SANDBOX_DEFAULT_PATH);
	if(!tool_env_get(e, "HOME") && home_default)
		tool_env_set(e, "HOME", home_default);
	if(tz && *tz)
		tool_env_set(e, "TZ", tz);
	if(buf_len(&dropped))
		LOG_DEBUG("sandbox: variables dropped from the child environment (list one in "
			  "terminal.env_passthrough to pass it): %s", buf_str(&dropped));
	buf_release(&dropped);
}

bool tool_sandbox_which(const struct tool_env *e, const char *name, char *out, size_t cap)
{
	const char *path = tool_env_get(e, "PATH");

	if(strchr(name, '/')) {
		if(access(name, X_OK) != 0)
			return false;
		return (size_t)snprintf(out, cap, "%s", name) < cap;
	}
	if(!path || !*path)
		path = TOOL_SANDBOX_DEFAULT_PATH;
	while(*path) {
		size_t len = strcspn(path, ":");
		int w = snprintf(out, cap, "%.*s/%s", (int)len, path, name);

		if(len && path[0] == '/' && w > 0 && (size_t)w < cap && access(out, X_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/* ---- output capture ------------------------------------------------------------ */

void tool_capture_init(struct tool_capture *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->head_cap = cap / 2;
	c->tail_cap = cap - c->head_cap;
	c->head = c->head_cap ? xmalloc(c->head_cap) : NULL;
	c->tail = c->tail_cap ? xmalloc(c->tail_cap) : NULL;
}

void tool_capture_release(struct tool_capture *c)
{
	free(c->head);
	free(c->tail);
	memset(c, 0, sizeof(*c));
}

void tool_capture_feed(struct tool_capture *c, const char *p, size_t n)
{
	size_t h = c->head_cap - c->head_len;

	c->total += n;
	if(h > n)
		h = n;
	if(h) {
		memcpy(c->head + c->head_len, p, h);
		c->head_len += h;
		p += h;
		n -= h;
	}
	if(!n || !c->tail_cap)
		return;
	if(n >= c->tail_cap) {
		memcpy(c->tail, p + n - c->tail_cap, c->tail_cap);
		c->tail_pos = 0;
		c->tail_len = c->tail_cap;
		return;
	}
	while(n) {
		size_t k = c->tail_cap - c->tail_pos;

		if(k > n)
			k = n;
		memcpy(c->tail + c->tail_pos, p, k);
		c->tail_pos = (c->tail_pos + k) % c->tail_cap;
		c->tail_len = c->tail_len + k > c->tail_cap ? c->tail_cap : c->tail_len + k;
		p += k;
		n -= k;
	}
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need;

	if(s[0] < 0x80)
		return 1;
	if(s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 1;
	else if(s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 2, lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
	else if(s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 3, lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	if(n <= need || s[1] < lo || s[1] > hi)
		return 0;
	for(size_t k = 2; k <= need; k++)
		if((s[k] & 0xC0) != 0x80)
			return 0;
	return need + 1;
}

/* Append p[0..n) with invalid UTF-8 and NUL bytes replaced by U+FFFD. */
static enum herr add_utf8(struct buf *out, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, start = 0;
	enum herr rc;

	while(i < n) {
		size_t len = s[i] ? utf8_seq(s + i, n - i) : 0;

		if(len) {
			i += len;
			continue;
		}
		if((rc = buf_add(out, p + start, i - start)) || (rc = buf_add(out, "\xEF\xBF\xBD", 3)))
			return rc;
		start = ++i;
	}
	return buf_add(out, p + start, i - start);
}

/* How many bytes of p[0..n) to keep so it does not end inside a character. */
static size_t utf8_trim_end(const char *p, size_t n)
{
	for(size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = (unsigned char)p[n - back];

		if((c & 0xC0) == 0x80)
			continue;
		if(c >= 0xC0 && !utf8_seq((const unsigned char *)p + n - back, back))
			return n - back;
		break;
	}
	return n;
}

enum herr tool_capture_render(const struct tool_capture *c, struct buf *out)
{
	unsigned long long cut = c->total - c->head_len - c->tail_len;
	char *lin = c->tail_len ? xmalloc(c->tail_len) : NULL;
	size_t h = c->head_len, skip = 0;
	enum herr rc;

	if(c->tail_len < c->tail_cap) {
		if(c->tail_len)
			memcpy(lin, c->tail, c->tail_len);
	} else if(c->tail_len) {
		memcpy(lin, c->tail + c->tail_pos, c->tail_cap - c->tail_pos);
		memcpy(lin + c->tail_cap - c->tail_pos, c->tail, c->tail_pos);
	}
	if(cut) { /* cut at character boundaries, and count what that drops */
		h = utf8_trim_end(c->head, c->head_len);
		while(skip < c->tail_len && skip < 3 && (lin[skip] & 0xC0) == 0x80)
			skip++;
		cut += (c->head_len - h) + skip;
	}
	rc = add_utf8(out, c->head, h);
	if(!rc && cut)
		rc = buf_addf(out, "%s[... %llu bytes cut ...]\n", h && c->head[h - 1] != '\n' ? "\n" : "",
			      cut);
	if(!rc && c->tail_len)
		rc = add_utf8(out, lin + skip, c->tail_len - skip);
	free(lin);
	return rc;
}

/* ---- running a child ------------------------------------------------------------- */

/* What the child needs after fork; the messages are formatted before it,
 * as the child may only make async-signal-safe calls. */
struct child_plan {
	const struct tool_sandbox_opts *o;
	int in, out, err;             /* err < 0: stderr goes to out */
	char exec_msg[600], cwd_msg[600];
	size_t exec_len, cwd_len;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child_say(const char *msg, size_t len)
{
	ssize_t w = write(2, msg, len);

	(void)w;
}

static void close_from(int lo)
{
	struct rlimit rl;
	long max = 4096;

#ifdef SYS_close_range
	if(syscall(SYS_close_range, (unsigned)lo, ~0u, 0) == 0)
		return;
#endif
	if(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = (long)rl.rlim_cur;
	if(max > 65536)
		max = 65536;
	for(int fd = lo; fd < max; fd++)
		close(fd);
}

static const char *errno_word(int e)
{
	switch(e) {
	case ENOENT: return "no such file\n";
	case EACCES: return "permission denied\n";
	case ENOEXEC: return "not an executable\n";
	case E2BIG: return "arguments or environment too large\n";
	case ENOMEM: return "out of memory\n";
	default: return "cannot start it\n";
	}
}

static void __attribute__((noreturn)) child_run(const struct child_plan *p)
{
	struct sigaction dfl;
	struct rlimit nocore = { 0, 0 };
	sigset_t none;
	int in, out, errfd;
	const char *why;

	setpgid(0, 0);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for(int s = 1; s < NSIG; s++)
		if(s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The pipes may be on fds 0-2 when the server started us with those
	 * closed: move everything above 9 first, then into place. */
	in = fcntl(p->in, F_DUPFD, 10);
	out = fcntl(p->out, F_DUPFD, 10);
	errfd = p->err >= 0 ? fcntl(p->err, F_DUPFD, 10) : out;
	if(in < 0 || out < 0 || errfd < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(126);
	close_from(3);
	if(chdir(p->o->cwd) != 0) {
		child_say(p->cwd_msg, p->cwd_len);
		_exit(126);
	}
	setrlimit(RLIMIT_CORE, &nocore);
	execve(p->o->argv[0], (char *const *)p->o->argv, p->o->envp);
	why = errno_word(errno);
	child_say(p->exec_msg, p->exec_len);
	child_say(why, strlen(why));
	_exit(127);
}

/* Make sure our child is not auto-reaped (SIGCHLD ignored / SA_NOCLDWAIT);
 * true if *saved must be restored afterwards. */
static bool chld_default(struct sigaction *saved)
{
	struct sigaction dfl;

	if(sigaction(SIGCHLD, NULL, saved) != 0)
		return false;
	if(saved->sa_handler != SIG_IGN && !(saved->sa_flags & SA_NOCLDWAIT))
		return false;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	return sigaction(SIGCHLD, &dfl, NULL) == 0;
}

/* Signal the group, and the leader itself should it have left the group.
 * Only called while the leader is unreaped, so neither id can be reused. */
static void kill_group(pid_t pid, int sig)
{
	kill(-pid, sig);
	kill(pid, sig);
}

/* Has the leader exited? Looks without reaping (WNOWAIT). */
static bool leader_exited(pid_t pid, bool *unknown)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) {
		if(errno == EINTR)
			return false;
		*unknown = true; /* ECHILD: a SIGCHLD handler reaped it */
		return true;
	}
	return si.si_pid == pid;
}

struct pump {
	int fd;
	struct tool_capture *cap;
};

/* One read from a ready pipe; closes it at EOF or error. */
static void pump_read(struct pump *p)
{
	char chunk[16384];
	ssize_t r = read(p->fd, chunk, sizeof(chunk));

	if(r > 0) {
		tool_capture_feed(p->cap, chunk, (size_t)r);
	} else if(r == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(p->fd);
		p->fd = -1;
	}
}

/* Wait up to ms for pipe data and read what is ready; false when all the
 * pipes are closed. */
static bool pump_all(struct pump *pumps, size_t n, long ms)
{
	struct pollfd fds[2];
	size_t k = 0;

	for(size_t i = 0; i < n; i++)
		if(pumps[i].fd >= 0)
			fds[k++] = (struct pollfd){ .fd = pumps[i].fd, .events = POLLIN };
	if(poll(k ? fds : NULL, k, (int)(ms < 0 ? 0 : ms)) > 0)
		for(size_t i = 0, j = 0; i < n; i++)
			if(pumps[i].fd >= 0 && fds[j++].revents)
				pump_read(&pumps[i]);
	for(size_t i = 0; i < n; i++)
		if(pumps[i].fd >= 0)
			return true;
	return false;
}

static long min_l(long a, long b)
{
	return a < b ? a : b;
}

/* The supervision loop (see DESIGN): returns once the group is killed and
 * the pipes are drained or given up on; the leader is left to reap. */
static void supervise(const struct tool_sandbox_opts *o, pid_t pid, struct pump *pumps,
		      size_t n, struct tool_sandbox_result *res)
{
	long start = now_ms(), next = -1;
	bool done = false, piped = true;
	int stage = 0; /* 0 running, 1 SIGTERM sent, 2 SIGKILL sent */

	for(;;) {
		long t = now_ms(), tick;

		if(!done)
			done = leader_exited(pid, &res->status_unknown);
		if(stage == 0) {
			if(!done && o->interrupt && *o->interrupt)
				res->interrupted = true;
			else if(!done && t - start >= o->timeout_ms)
				res->timed_out = true;
			if(done || res->interrupted || res->timed_out) {
				kill_group(pid, SIGTERM);
				stage = 1;
				next = t + (done ? LEFTOVER_MS : GRACE_MS);
			}
		}
		if(stage == 1 && (t >= next || (done && !piped))) {
			kill_group(pid, SIGKILL);
			stage = 2;
			next = t + DRAIN_MS;
		}
		if(stage == 2 && ((done && !piped) || t >= next))
			break;
		/* with the pipes closed only the leader's exit is awaited: look often */
		tick = piped ? TICK_MS : SHORT_TICK_MS;
		piped = pump_all(pumps, n, stage ? min_l(tick, next - t)
						: min_l(tick, start + o->timeout_ms - t));
	}
	res->elapsed_ms = now_ms() - start;
}

static void reap(pid_t pid, struct tool_sandbox_result *res)
{
	int st = 0;

	while(waitpid(pid, &st, 0) < 0) {
		if(errno != EINTR) {
			res->status_unknown = true;
			return;
		}
	}
	if(WIFEXITED(st)) {
		res->exit_code = WEXITSTATUS(st);
	} else if(WIFSIGNALED(st)) {
		res->signal = WTERMSIG(st);
	}
}

static void close_fd(int *fd)
{
	if(*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void plan_messages(struct child_plan *p)
{
	int w = snprintf(p->exec_msg, sizeof(p->exec_msg), "sandbox: cannot execute %s: ",
			 p->o->argv[0]);

	p->exec_len = w < 0 ? 0 : (size_t)w < sizeof(p->exec_msg) ? (size_t)w : sizeof(p->exec_msg) - 1;
	w = snprintf(p->cwd_msg, sizeof(p->cwd_msg), "sandbox: cannot enter the workspace %s\n",
		     p->o->cwd);
	p->cwd_len = w < 0 ? 0 : (size_t)w < sizeof(p->cwd_msg) ? (size_t)w : sizeof(p->cwd_msg) - 1;
}

enum herr tool_sandbox_run(const struct tool_sandbox_opts *o, struct tool_sandbox_result *res,
			   struct herror *err)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, devnull = -1;
	struct child_plan plan = { .o = o };
	struct pump pumps[2];
	struct sigaction saved;
	bool restore = false;
	enum herr rc = HERR_OK;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	tool_capture_init(&res->out, o->out_cap);
	tool_capture_init(&res->err, o->merge_stderr ? 0 : o->err_cap);
	if(pipe2(outp, O_CLOEXEC) != 0 || (!o->merge_stderr && pipe2(errp, O_CLOEXEC) != 0) ||
	   (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		rc = herr_set(err, HERR_INTERNAL, NULL, NULL,
			      "cannot set up the command's pipes: %s", strerror(errno));
		goto out;
	}
	plan.in = devnull;
	plan.out = outp[1];
	plan.err = errp[1];
	plan_messages(&plan);
	restore = chld_default(&saved);
	pid = fork();
	if(pid < 0) {
		rc = herr_set(err, HERR_INTERNAL, NULL, NULL, "cannot start the command: %s",
			      strerror(errno));
		goto out;
	}
	if(pid == 0)
		child_run(&plan);
	setpgid(pid, pid); /* also in the child: whichever runs first */
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	close_fd(&devnull);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	if(errp[0] >= 0)
		fcntl(errp[0], F_SETFL, O_NONBLOCK);
	pumps[0] = (struct pump){ outp[0], &res->out };
	pumps[1] = (struct pump){ errp[0], &res->err };
	supervise(o, pid, pumps, 2, res);
	outp[0] = pumps[0].fd;
	errp[0] = pumps[1].fd;
	reap(pid, res);
out:
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&devnull);
	if(restore)
		sigaction(SIGCHLD, &saved, NULL);
	return rc;
}

void tool_sandbox_result_release(struct tool_sandbox_result *res)
{
	tool_capture_release(&res->out);
	tool_capture_release(&res->err);
}

enum herr tool_sandbox_status(const struct tool_sandbox_result *res, long timeout_s,
			      struct buf *out)
{
	if(res->timed_out)
		return buf_addf(out, "exit status: timed out after %ld s; the command and every "
			       "process it started were killed. Make it finish sooner (smaller "
			       "steps, less output) and do not start background jobs.\n", timeout_s);
	if(res->interrupted)
		return buf_adds(out, "exit status: interrupted by the user; the command and every "
				"process it started were killed.\n");
	if(res->signal)
		return buf_addf(out, "exit status: killed by signal %d (%s)\n", res->signal,
				strsignal(res->signal));
	if(res->status_unknown)
		return buf_adds(out, "exit status: unknown (the process was reaped elsewhere)\n");
	return buf_addf(out, "exit status: %d\n", res->exit_code);
}
