/* src/tools/danger.c: dangerous-command patterns and the approvals decision.
 *
 * A command (or a script) is normalised first: line continuations,
 * backslashes and quotes are dropped, ",[]" and blanks become one space and
 * newlines become ';'. Two kinds of rule then look at it:
 *  - whole-text regular expressions (fork bomb, curl|sh, redirects into a
 *    disk device or /etc), and
 *  - per simple command (split at ; & | ( ) { } < > and backquotes, past
 *    wrappers such as sudo, env, nohup, timeout and `sh -c`): rm/chmod/chown
 *    of /, a top-level directory, ~ or *, mkfs, dd of=/dev/…, shutdown,
 *    kill -9 -1, find / -delete.
 * Splitting on separators inside quotes over-matches (`echo "x; rm -rf /"`
 * is refused): that is the safe direction for a tripwire. It is a tripwire,
 * not a sandbox: indirection such as `d=/; rm -rf $d` is not seen
 * (docs/security.md says so).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/danger.h"

#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tools/registry.h"
#include "util/log.h"
#include "util/xalloc.h"

enum rule_id { R_RM, R_FORMAT, R_DEVICE, R_FORKBOMB, R_CHMOD, R_PIPE, R_POWER, R_KILLALL,
	       R_ETC };

static const struct tool_danger_rule rules[] = {
	[R_RM] = { "rm-root", "recursive delete of /, a top-level directory, the home "
			      "directory, * or a parent of the workspace" },
	[R_FORMAT] = { "disk-format", "formatting or wiping a filesystem" },
	[R_DEVICE] = { "device-write", "writing directly to a disk or memory device" },
	[R_FORKBOMB] = { "fork-bomb", "a fork bomb" },
	[R_CHMOD] = { "chmod-root", "recursive permission or owner change of /, a top-level "
				    "directory or the home directory" },
	[R_PIPE] = { "pipe-to-shell", "running a script fetched from the network (curl or "
				      "wget into a shell)" },
	[R_POWER] = { "power", "shutting down, halting or rebooting the machine" },
	[R_KILLALL] = { "kill-all", "signalling every process (kill -9 -1)" },
	[R_ETC] = { "etc-write", "writing to system configuration or account files "
				 "(/etc/passwd, /etc/shadow, …)" },
};

/* Whole-text patterns (POSIX ERE, case-insensitive) over the normalised text. */
#define B "(^|[^[:alnum:]_.-])"
#define END "( |$|;|&|\\||\\))"
#define DISK "/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|dm-|md[0-9]|mapper/|k?mem" END "|port" END ")"
#define AUTHF "/etc/(passwd|shadow|gshadow|group|sudoers)"
static const struct {
	enum rule_id rule;
	const char *re;
} patterns[] = {
	{ R_FORKBOMB, "\\( ?\\)[ ;]*\\{[ ;]*([^ ;{}|&]+)[ ;]*\\|[ ;]*([^ ;{}|&]+)[ ;]*&[ ;]*\\}" },
	{ R_FORKBOMB, "while (true|1) ?:[ ;]*os\\.fork\\(" },
	{ R_PIPE, B "(curl|wget|fetch)( [^;&|]*)?\\| ?(sudo )?([^ ;&|]*/)?"
		    "((ba|da|z|k|fi|tc|c)?sh|python[0-9.]*|perl|ruby|node)" END },
	{ R_PIPE, B "((ba|da|z|k)?sh|source|eval|\\.) [^;&|]*(<\\(|\\$\\(|`) ?(curl|wget)" END },
	{ R_DEVICE, ">\\|? ?" DISK },
	{ R_DEVICE, B "(tee|cp|mv|shred|blkdiscard|badblocks|fdisk|sfdisk|cfdisk|sgdisk|parted)"
		      " [^;&|]*" DISK },
	{ R_ETC, ">\\|? ?/etc/" },
	{ R_ETC, B "tee [^;&|]*" AUTHF },
	{ R_ETC, B "sed [^;&|]*-i[^;&|]* " AUTHF },
	{ R_ETC, B "(cp|mv|install|ln|truncate)( [^;&|]*)? " AUTHF " ?($|;|&|\\|)" },
	{ R_ETC, "open\\( ?" AUTHF "[^)]* (w|a|r\\+|w\\+|a\\+|wb|ab)" },
	{ R_RM, "rmtree\\( ?(/[^/ )]*/? ?\\)|~/? ?\\)|os\\.path\\.expanduser\\( ?~ ?\\) ?\\)|"
		"path\\.home\\( ?\\) ?\\))" },
};
#undef B
#undef END
#undef DISK
#undef AUTHF

/* ---- normalising -------------------------------------------------------------- */

/* A copy of text with quotes/backslashes dropped, blanks collapsed,
 * newlines as ';'. Caller frees. */
static char *normalise(const char *text)
{
	char *s = xmalloc(strlen(text) + 1), *w = s;

	for(const char *p = text; *p; p++) {
		char c = *p;

		if(c == '\\' && p[1] == '\n') {
			p++;
			continue;
		}
		if(c == '\\' || c == '\'' || c == '"')
			continue;
		if(c == '\n')
			c = ';';
		else if(c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == ',' || c == '[' ||
			c == ']')
			c = ' ';
		if(c == ' ' && (w == s || w[-1] == ' '))
			continue;
		*w++ = c;
	}
	*w = '\0';
	return s;
}

/* ---- targets ---------------------------------------------------------------- */

/* Is s empty, or only slashes, "*" or "." after slashes? (What is left of a
 * path after a root, a top-level directory or a home directory.) */
static bool only_contents(const char *s)
{
	while(*s == '/')
		s++;
	if(*s == '*' || *s == '.')
		s++;
	while(*s == '/')
		s++;
	return *s == '\0';
}

static bool is_globby(const char *s, size_t len)
{
	for(size_t i = 0; i < len; i++)
		if(!strchr("*?[]", s[i]))
			return false;
	return len > 0;
}

/* Would deleting (recursively) the operand t wreck the machine, the
 * account or the state beside the workspace? */
static bool dangerous_target(const char *t)
{
	if(t[0] == '~') { /* ~, ~/, ~/ and a glob, ~user */
		const char *slash = strchr(t, '/');

		return !slash || only_contents(slash);
	}
	if(strncmp(t, "$HOME", 5) == 0)
		return only_contents(t + 5);
	if(strncmp(t, "${HOME}", 7) == 0)
		return only_contents(t + 7);
	if(t[0] == '/') {
		size_t len;

		if(strstr(t, "/..") || strstr(t, "/./"))
			return true; /* not worth resolving: refuse */
		while(*t == '/')
			t++;
		len = strcspn(t, "/");
		return len == 0 || is_globby(t, len) || only_contents(t + len);
	}
	if(is_globby(t, strlen(t)) || strcmp(t, "./*") == 0 || strcmp(t, ".*") == 0)
		return true;
	return strncmp(t, "..", 2) == 0 && (t[2] == '\0' || t[2] == '/');
}

/* ---- simple commands ----------------------------------------------------------- */

static const char *const wrappers[] = {
	"sudo", "doas", "env", "nohup", "exec", "command", "builtin", "time", "nice", "ionice",
	"xargs", "timeout", "stdbuf", "setsid", "busybox", "then", "do", "else", "if", "while",
	"until", "!", "eval", "watch", "unbuffer", "strace", "chronic", "nsenter", "unshare", NULL,
};
static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh",
				      "fish", NULL };
/* wrapper options that take a value (sudo -u root, nice -n 5, timeout -s KILL …) */
static const char *const value_opts[] = { "-u", "-g", "-C", "-h", "-p", "-U", "-D", "-r", "-t",
					  "-T", "-n", "-c", "-s", "-k", "-I", "-P", "-d", "-a",
					  "-E", "-L", NULL };

static bool one_of(const char *s, const char *const *list)
{
	for(; *list; list++)
		if(strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *base(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash && slash[1] ? slash + 1 : s;
}

static bool is_assignment(const char *s)
{
	const char *eq = strchr(s, '=');

	if(!eq || eq == s || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for(const char *p = s; p < eq; p++)
		if(!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

/* Index of the command word in tok[0..n), past assignments and wrappers. */
static size_t command_word(char **tok, size_t n)
{
	size_t i = 0;

	while(i < n) {
		const char *w = base(tok[i]);

		if(is_assignment(tok[i])) {
			i++;
		} else if(one_of(w, wrappers)) {
			bool is_timeout = strcmp(w, "timeout") == 0;

			for(i++; i < n && tok[i][0] == '-'; i++)
				if(one_of(tok[i], value_opts) && i + 1 < n)
					i++;
			if(is_timeout && i < n && tok[i][0] >= '0' && tok[i][0] <= '9')
				i++;
		} else if(one_of(w, shells) && i + 1 < n && tok[i + 1][0] == '-' &&
			  strchr(tok[i + 1], 'c')) {
			for(i++; i < n && tok[i][0] == '-'; i++)
				;
		} else {
			break;
		}
	}
	return i;
}

/* Recursive flag among a[0..n) (-r, -R, -fr, --recursive; not after --)? */
static bool recursive(char **a, size_t n)
{
	for(size_t i = 0; i < n; i++) {
		if(strcmp(a[i], "--") == 0)
			return false;
		if(strcmp(a[i], "--recursive") == 0)
			return true;
		if(a[i][0] == '-' && a[i][1] != '-' && strpbrk(a[i] + 1, "rR"))
			return true;
	}
	return false;
}

static bool any_dangerous_operand(char **a, size_t n)
{
	bool opts = true;

	for(size_t i = 0; i < n; i++) {
		if(opts && strcmp(a[i], "--") == 0) {
			opts = false;
			continue;
		}
		if((!opts || a[i][0] != '-') && dangerous_target(a[i]))
			return true;
	}
	return false;
}

/* kill … -1: the pid -1 after the signal option. */
static bool kills_all(char **a, size_t n)
{
	size_t i = 0;

	if(i < n && (strcmp(a[i], "-s") == 0 || strcmp(a[i], "-n") == 0))
		i += 2;
	else if(i < n && a[i][0] == '-' && strcmp(a[i], "--") != 0)
		i++;
	for(; i < n; i++)
		if(strcmp(a[i], "-1") == 0)
			return true;
	return false;
}

/* find START… -delete | -exec rm: deletes under its start points. */
static bool find_deletes(char **a, size_t n)
{
	bool danger = false, del = false;
	size_t i = 0;

	for(; i < n && a[i][0] != '-' && a[i][0] != '!'; i++)
		danger = danger || dangerous_target(a[i]);
	for(; i < n; i++)
		if(strcmp(a[i], "-delete") == 0 ||
		   ((strcmp(a[i], "-exec") == 0 || strcmp(a[i], "-execdir") == 0) && i + 1 < n &&
		    strcmp(base(a[i + 1]), "rm") == 0))
			del = true;
	return danger && del;
}

static bool dd_to_device(char **a, size_t n)
{
	static const char *const safe[] = { "/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr",
					    "/dev/tty", NULL };

	for(size_t i = 0; i < n; i++)
		if(strncmp(a[i], "of=/dev/", 8) == 0 && !one_of(a[i] + 3, safe) &&
		   strncmp(a[i] + 3, "/dev/fd/", 8) != 0)
			return true;
	return false;
}

/* The rule the simple command tok[0..n) breaks, or -1. */
static int check_simple(char **tok, size_t n)
{
	static const char *const formatters[] = { "mke2fs", "mkswap", "mkntfs", "mkdosfs", "wipefs",
						  "mkfs", NULL };
	static const char *const power[] = { "shutdown", "reboot", "halt", "poweroff", NULL };
	size_t i = command_word(tok, n);
	const char *w;
	char **a;
	size_t na;

	if(i >= n)
		return -1;
	w = base(tok[i]);
	a = tok + i + 1;
	na = n - i - 1;
	if(strcmp(w, "rm") == 0)
		return recursive(a, na) && any_dangerous_operand(a, na) ? R_RM : -1;
	if(strcmp(w, "chmod") == 0 || strcmp(w, "chown") == 0 || strcmp(w, "chgrp") == 0)
		return recursive(a, na) && any_dangerous_operand(a, na) ? R_CHMOD : -1;
	if(one_of(w, formatters) || strncmp(w, "mkfs.", 5) == 0)
		return R_FORMAT;
	if(strcmp(w, "dd") == 0)
		return dd_to_device(a, na) ? R_DEVICE : -1;
	if(one_of(w, power))
		return R_POWER;
	if((strcmp(w, "init") == 0 || strcmp(w, "telinit") == 0) && na &&
	   (strcmp(a[0], "0") == 0 || strcmp(a[0], "6") == 0))
		return R_POWER;
	if(strcmp(w, "systemctl") == 0)
		for(size_t k = 0; k < na; k++)
			if(one_of(a[k], power) || strcmp(a[k], "kexec") == 0)
				return R_POWER;
	if(strcmp(w, "kill") == 0)
		return kills_all(a, na) ? R_KILLALL : -1;
	if(strcmp(w, "killall5") == 0)
		return R_KILLALL;
	if(strcmp(w, "find") == 0)
		return find_deletes(a, na) ? R_RM : -1;
	return -1;
}

/* Split s (normalised, modified in place) into simple commands and check
 * each; the first rule broken, or -1. */
static int check_commands(char *s)
{
	size_t max = strlen(s) / 2 + 2, n = 0;
	char **tok = xcalloc(max, sizeof(*tok));
	int hit = -1;

	for(char *p = s;; p++) {
		bool sep = *p == '\0' || strchr(";&|(){}<>`", *p);

		if(*p == ' ' || sep) {
			char c = *p;

			*p = '\0';
			if(sep && n && hit < 0)
				hit = check_simple(tok, n);
			if(sep)
				n = 0;
			if(c == '\0')
				break;
			continue;
		}
		if(p == s || p[-1] == '\0')
			tok[n++] = p;
	}
	free(tok);
	return hit;
}

static int check_patterns(const char *s)
{
	for(size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		regex_t re;
		bool hit;

		if(regcomp(&re, patterns[i].re, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
			LOG_ERR("danger pattern %zu does not compile", i);
			continue;
		}
		hit = regexec(&re, s, 0, NULL, 0) == 0;
		regfree(&re);
		if(hit)
			return (int)patterns[i].rule;
	}
	return -1;
}

const struct tool_danger_rule *tool_danger_match(const char *text)
{
	char *s = normalise(text);
	int hit = check_patterns(s);

	if(hit < 0)
		hit = check_commands(s);
	free(s);
	return hit < 0 ? NULL : &rules[hit];
}

enum herr tool_danger_check(const struct tool_ctx *ctx, const char *tool, const char *text,
			    struct herror *err)
{
	const char *mode = ctx->cfg && ctx->cfg->approvals_mode ? ctx->cfg->approvals_mode : "deny";
	const struct tool_danger_rule *r = tool_danger_match(text);
	const char *why;

	if(!r)
		return HERR_OK;
	if(strcmp(mode, "off") == 0) {
		LOG_INFO("%s: running a command that matches the dangerous-command rule '%s' "
			 "(approvals.mode is off)", tool, r->id);
		return HERR_OK;
	}
	if(strcmp(mode, "ask") == 0 && ctx->approve) {
		if(ctx->approve(ctx->tick_ctx, tool, text, r->id, r->description)) {
			LOG_INFO("%s: running a command that matches the dangerous-command rule "
				 "'%s': approved", tool, r->id);
			return HERR_OK;
		}
		why = "approvals.mode is 'ask' and the request to run it was denied";
	} else if(strcmp(mode, "ask") == 0)
		why = "approvals.mode is 'ask', but nobody can approve commands on this endpoint, "
		      "so it acts as 'deny'";
	else
		why = "approvals.mode is 'deny'";
	return herr_set(err, HERR_FORBIDDEN, "dangerous_command", NULL,
			"refused: this %s matches the dangerous-command rule '%s' (%s) and %s, so "
			"it was not run. Do not retry it or try to get around the rule: do the task "
			"another way (for example act only on specific paths inside the workspace), "
			"or give the user the exact command to run themselves.",
			strcmp(tool, "terminal") == 0 ? "command" : "code", r->id, r->description,
			why);
}
