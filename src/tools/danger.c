/* src/tools/danger.c: dangerous-command patterns and the approvals decision.
 *
 * A command (or a script) is normalised first: line continuations,
 * backslashes and quotes are dropped, ",[]" and blanks become one space,
 * newlines become ';', and the usual spellings of the working directory
 * ($(pwd), `pwd`, ${PWD}, $(dirname $PWD)) become $PWD. Rules then look at
 * it three ways:
 *  - whole-text regular expressions (fork bombs, fetched code run, writes
 *    into devices, /proc, /sys, /etc and system directories, rmtree and
 *    its kin in Python, Ruby, Node and Perl, authorized_keys, crontab),
 *  - a self-starting shell function (f(){ f & f; }), and
 *  - per simple command (split at ; & | ( ) { } < > and backquotes; the
 *    word after a redirection is its file), past wrappers such as sudo,
 *    env, nohup, timeout and `sh -c`: danger_cmd.c.
 * Splitting on separators inside quotes over-matches (`echo "x; rm -rf /"`
 * is refused): the safe direction for an approval trigger. It is the
 * trigger for a human's approval, not the protection: indirection such as
 * `d=/; rm -rf $d` is not seen. What the kernel enforces is confine.c
 * (docs/security.md).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/danger.h"
#include "tools/danger_int.h"

#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tools/registry.h"
#include "util/log.h"
#include "util/xalloc.h"

static const struct tool_danger_rule rules[R_COUNT] = {
	[R_RM] = { "rm-root", "recursive delete (or move away) of /, a system directory, the "
			      "home directory or its keys, *, the workspace or a parent of it" },
	[R_FORMAT] = { "disk-format", "formatting, encrypting or wiping a filesystem" },
	[R_DEVICE] = { "device-write", "writing directly to a disk or memory device" },
	[R_FORKBOMB] = { "fork-bomb", "a fork bomb (processes that start themselves without end)" },
	[R_CHMOD] = { "chmod-root", "permission, owner or attribute change of /, a system "
				    "directory or the home directory" },
	[R_PIPE] = { "pipe-to-shell", "running a script fetched from the network (curl or "
				      "wget into a shell or interpreter, or downloaded and run)" },
	[R_POWER] = { "power", "shutting down, halting, rebooting or suspending the machine" },
	[R_KILLALL] = { "kill-all", "signalling every process, init, or all of a user's or "
				    "name's processes" },
	[R_ETC] = { "etc-write", "writing to system configuration or account files "
				 "(/etc/passwd, /etc/shadow, …)" },
	[R_SYSWRITE] = { "system-write", "overwriting or deleting system files or programs "
					 "(/bin, /usr, /lib, /boot, /etc, /var, …)" },
	[R_KERNEL] = { "kernel-write", "writing to kernel interfaces (/proc/sysrq-trigger, "
				       "/proc/sys, /sys, sysctl) or loading and unloading modules" },
	[R_SERVICE] = { "service-stop", "stopping, disabling or masking system services" },
	[R_NET] = { "network-cut", "taking network interfaces or routes down, or flushing the "
				   "firewall" },
	[R_MOUNT] = { "mount", "unmounting or remounting filesystems, or turning swap off" },
	[R_FILL] = { "disk-fill", "filling the disk with a huge file" },
	[R_ACCOUNT] = { "account", "changing user accounts, passwords, SSH authorized keys or "
				   "crontabs" },
	[R_SETUID] = { "setuid", "setting the setuid or setgid bit" },
};

/* Whole-text patterns (POSIX ERE, case-insensitive) over the normalised text. */
#define B "(^|[^[:alnum:]_.-])"
#define END "( |$|;|&|\\||\\))"
#define DISK "/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|dm-|md[0-9]|mapper/|k?mem" END "|port" END ")"
#define AUTHF "/etc/(passwd|shadow|gshadow|group|sudoers)"
#define SHELLS "((ba|da|z|k|fi|tc|c)?sh|python[0-9.]*|perl|ruby|node|php)"
#define SYSDIRS "/(bin|sbin|usr|lib[0-9a-z]*|boot)/"
static const struct {
	enum danger_rule rule;
	const char *re;
} patterns[] = {
	{ R_FORKBOMB, "\\( ?\\)[ ;]*\\{[ ;]*([^ ;{}|&]+)[ ;]*\\|[ ;]*([^ ;{}|&]+)[ ;]*&[ ;]*\\}" },
	{ R_FORKBOMB, "(while|for)[^;]*:[ ;]*([a-z_]+ ?= ?)?os\\.fork\\(" },
	{ R_FORKBOMB, "while (true|:|1) ?; ?do [^;&]*[^&]& ?;? ?done" },
	{ R_FORKBOMB, B "fork while" },
	{ R_FORKBOMB, "loop ?(do|\\{) ?fork" },
	{ R_PIPE, B "(curl|wget|fetch)( [^;&]*)?\\| ?(sudo( -[^ ]+)* )?([^ ;&|]*/)?" SHELLS END },
	{ R_PIPE, B "((ba|da|z|k)?sh|source|eval|\\.|" SHELLS ") [^;&|]*(<\\(|\\$\\(|`) ?(curl|wget)" END },
	{ R_PIPE, B "(curl|wget) [^;]*(-o|-O|--output)[^;]*(&&|;) ?(sudo )?(" SHELLS " |chmod \\+x )" },
	{ R_DEVICE, ">\\|? ?" DISK },
	{ R_DEVICE, B "(tee|cp|mv|shred|blkdiscard|badblocks|fdisk|sfdisk|cfdisk|sgdisk|parted|tar|"
		      "pv|hdparm|mdadm|zpool|pvcreate)"
		      " [^;&|]*" DISK },
	{ R_DEVICE, "open\\( ?" DISK },
	{ R_KERNEL, ">\\|? ?/(proc|sys)/" },
	{ R_KERNEL, B "tee [^;&|]*/(proc|sys)/" },
	{ R_KERNEL, "open\\( ?/(proc|sys)/[^)]* (w|a|r\\+|w\\+|a\\+|wb|ab)" },
	{ R_KERNEL, B "sysctl [^;&|]*(-w|--write|-p|--load|--system|[a-z0-9_.]=)" },
	{ R_ETC, ">\\|? ?/etc/" },
	{ R_ETC, B "tee [^;&|]*" AUTHF },
	{ R_ETC, B "sed [^;&|]*-i[^;&|]* " AUTHF },
	{ R_ETC, B "(cp|mv|install|ln|truncate)( [^;&|]*)? " AUTHF " ?($|;|&|\\|)" },
	{ R_ETC, "open\\( ?" AUTHF "[^)]* (w|a|r\\+|w\\+|a\\+|wb|ab)" },
	{ R_ETC, "(remove|unlink|rmtree)\\( ?" AUTHF },
	{ R_ETC, "path\\( ?" AUTHF " ?\\)\\.(write|unlink|touch|chmod)" },
	{ R_SYSWRITE, ">\\|? ?" SYSDIRS },
	{ R_ACCOUNT, "(>|tee )[^;&|]*authorized_keys" },
	{ R_ACCOUNT, B "crontab (-r|-ir|-ri|-)( |$|;|&|\\|)" },
	{ R_ACCOUNT, "\\| ?crontab" },
	{ R_FILL, B "fallocate [^;&|]*-l ?[0-9]+ ?[gtpe]" },
	{ R_FILL, B "head -c ?[0-9]+ ?[gtpe]" },
	{ R_KILLALL, "os\\.kill\\( ?-?1 " },
	{ R_RM, "rmtree\\( ?(path ?= ?)?(/[^/ )]*/?|~/?|os\\.path\\.expanduser\\( ?~ ?\\)|"
		"path\\.home\\( ?\\))( [^)]*)?\\)" },
	{ R_RM, "(rm_rf|rm_r|remove_dir|remove_entry_secure|rmsync|rmdirsync|removeall|rimraf)"
		"\\( ?(/[^/ )]*/?|~/?)( |\\))" },
};
#undef B
#undef END
#undef DISK
#undef AUTHF
#undef SHELLS
#undef SYSDIRS

/* ---- normalising -------------------------------------------------------------- */

/* Replace every from in s by to (not longer), in place. */
static void substitute(char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);

	for(char *p = strstr(s, from); p; p = strstr(p + tl, from)) {
		memcpy(p, to, tl);
		memmove(p + tl, p + fl, strlen(p + fl) + 1);
	}
}

/* The usual spellings of the working directory and its parent, as $PWD. */
static void spell_out(char *s)
{
	substitute(s, "$(pwd)", "$PWD");
	substitute(s, "`pwd`", "$PWD");
	substitute(s, "${PWD}", "$PWD");
	substitute(s, "${HOME}", "$HOME");
	substitute(s, "$(dirname $PWD)", "$PWD/..");
}

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
	spell_out(s);
	return s;
}

/* Split s (normalised, modified in place) into simple commands and check
 * each; the first rule broken, or -1. */
static int check_commands(char *s)
{
	size_t max = strlen(s) / 2 + 2, n = 0;
	char **tok = xcalloc(max, sizeof(*tok));
	int hit = -1;
	bool target = false; /* the next word is a redirection's file, not a command */

	for(char *p = s;; p++) {
		bool sep = *p == '\0' || strchr(";&|(){}<>`", *p);

		if(*p == ' ' || sep) {
			char c = *p;

			*p = '\0';
			if(sep && n && hit < 0)
				hit = tool_danger_simple(tok, n);
			if(sep)
				n = 0;
			if(c == '<' || c == '>')
				target = true;
			if(c == '\0')
				break;
			continue;
		}
		if(p == s || p[-1] == '\0') {
			if(target)
				target = false;
			else
				tok[n++] = p;
		}
	}
	free(tok);
	return hit;
}

/* Is the word w (len bytes) in body (up to end) as a whole word? */
static bool has_word(const char *body, const char *end, const char *w, size_t len)
{
	for(const char *p = body; p + len <= end; p++)
		if(memcmp(p, w, len) == 0 && (p == body || strchr(" ;&|(){}", p[-1])) &&
		   (p + len == end || strchr(" ;&|(){}", p[len])))
			return true;
	return false;
}

/* A single & (background) or | (pipe) in body: not && or ||. */
static bool spawns(const char *body, const char *end)
{
	for(const char *p = body; p < end; p++)
		if((*p == '&' || *p == '|') && p[1] != *p && (p == body || p[-1] != *p) &&
		   !(*p == '&' && p > body && p[-1] == '>'))
			return true;
	return false;
}

/* A shell function that starts itself in the background or a pipe:
 * NAME() { … NAME & … } or function NAME { … NAME | … }. */
static bool recursive_function(const char *s)
{
	regex_t re;
	regmatch_t m[4];
	bool hit = false;
	const char *p = s;

	if(regcomp(&re, "(function )?([[:alpha:]_:][[:alnum:]_:.-]*) ?(\\( ?\\))? ?;? ?\\{",
		   REG_EXTENDED) != 0)
		return false;
	while(!hit && regexec(&re, p, 4, m, p == s ? 0 : REG_NOTBOL) == 0) {
		const char *name = p + m[2].rm_so, *body = p + m[0].rm_eo, *end = body;
		size_t len = (size_t)(m[2].rm_eo - m[2].rm_so);
		int depth = 1;

		if(m[1].rm_so >= 0 || m[3].rm_so >= 0) {
			for(; *end && depth; end++)
				depth += *end == '{' ? 1 : *end == '}' ? -1 : 0;
			hit = has_word(body, end, name, len) && spawns(body, end);
		}
		p += m[0].rm_eo;
	}
	regfree(&re);
	return hit;
}

static int check_patterns(const char *s)
{
	if(recursive_function(s))
		return R_FORKBOMB;
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
