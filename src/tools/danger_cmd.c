/* src/tools/danger_cmd.c: the dangerous-command rules that look at one
 * simple command (its words, past wrappers such as sudo, env, nohup,
 * timeout and `sh -c`): what it deletes, overwrites, stops or changes.
 * danger.c splits the text and runs the whole-text patterns.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/danger_int.h"

#include <stdbool.h>
#include <string.h>

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

/* Does the path hold a ".." component? */
static bool has_dotdot(const char *t)
{
	for(const char *p = strstr(t, ".."); p; p = strstr(p + 1, ".."))
		if((p == t || p[-1] == '/') && (p[2] == '\0' || p[2] == '/' || p[2] == '*'))
			return true;
	return false;
}

/* The top-level directories of the system (and /home). */
static const char *const system_tops[] = {
	"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "opt", "proc",
	"root", "run", "sbin", "srv", "sys", "usr", "var", "snap", NULL,
};
/* Paths under them a command may write to. */
static const char *const system_sinks[] = {
	"/dev/null", "/dev/zero", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/",
	"/proc/self/fd/", "/var/tmp/", "/dev/shm/", "/run/user/", NULL,
};

static bool one_of(const char *s, const char *const *list)
{
	for(; *list; list++)
		if(strcmp(s, *list) == 0)
			return true;
	return false;
}

/* An absolute path into the system's directories (not a sink such as
 * /dev/null, not /home/<user>/<deeper>). */
static bool system_path(const char *t)
{
	char top[16];
	size_t len;

	if(t[0] != '/')
		return false;
	for(size_t i = 0; system_sinks[i]; i++)
		if(strncmp(t, system_sinks[i], strlen(system_sinks[i])) == 0 ||
		   strcmp(t, system_sinks[i]) == 0)
			return false;
	while(*t == '/')
		t++;
	len = strcspn(t, "/");
	if(len == 0 || len >= sizeof(top))
		return len == 0;
	memcpy(top, t, len);
	top[len] = '\0';
	if(!one_of(top, system_tops))
		return false;
	if(strcmp(top, "home") == 0) { /* /home/<user> and its direct contents only */
		const char *user = t + len + strspn(t + len, "/");
		size_t ul = strcspn(user, "/");

		return only_contents(user + ul) || is_globby(user, ul);
	}
	return true;
}

/* After a home prefix (~, $HOME): is the rest the home itself, its
 * contents, or a directory of keys (~/.ssh, ~/.gnupg, ~/.hermes)? */
static bool home_rest(const char *rest)
{
	static const char *const keys[] = { ".ssh", ".gnupg", ".hermes", NULL };

	if(only_contents(rest))
		return true;
	rest += strspn(rest, "/");
	for(size_t i = 0; keys[i]; i++) {
		size_t n = strlen(keys[i]);

		if(strncmp(rest, keys[i], n) == 0 && (rest[n] == '\0' || only_contents(rest + n)))
			return true;
	}
	return false;
}

/* Would deleting (recursively) the operand t wreck the machine, the
 * account, the workspace or the state beside it? */
static bool dangerous_target(const char *t)
{
	if(has_dotdot(t))
		return true; /* a parent: not worth resolving */
	if(t[0] == '~') { /* ~, ~/, ~/ and a glob, ~user */
		const char *slash = strchr(t, '/');

		return !slash || home_rest(slash);
	}
	if(strncmp(t, "$HOME", 5) == 0)
		return home_rest(t + 5);
	if(strncmp(t, "$PWD", 4) == 0 || strncmp(t, "$OLDPWD", 7) == 0)
		return only_contents(t + (t[1] == 'P' ? 4 : 7));
	if(t[0] == '/') {
		size_t len;

		if(strstr(t, "/./") || system_path(t))
			return true;
		while(*t == '/')
			t++;
		len = strcspn(t, "/");
		return len == 0 || is_globby(t, len) || only_contents(t + len);
	}
	return is_globby(t, strlen(t)) || strcmp(t, "./*") == 0 || strcmp(t, ".*") == 0;
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

/* Is a[i] the long option opt or an abbreviation of it (GNU getopt
 * accepts unique prefixes: --recurs, --rec)? */
static bool long_opt(const char *a, const char *opt, size_t min)
{
	size_t n = strlen(a);

	return n >= min && strncmp(a, opt, n) == 0;
}

/* Recursive flag among a[0..n) (-r, -R, -fr, --recursive, --recurs; not after --)? */
static bool recursive(char **a, size_t n)
{
	for(size_t i = 0; i < n; i++) {
		if(strcmp(a[i], "--") == 0)
			return false;
		if(long_opt(a[i], "--recursive", 5))
			return true;
		if(a[i][0] == '-' && a[i][1] != '-' && strpbrk(a[i] + 1, "rR"))
			return true;
	}
	return false;
}

static bool has_arg(char **a, size_t n, const char *word)
{
	for(size_t i = 0; i < n; i++)
		if(strcmp(a[i], word) == 0)
			return true;
	return false;
}

/* Does any operand (not an option) satisfy pred? */
static bool any_operand(char **a, size_t n, bool (*pred)(const char *))
{
	bool opts = true;

	for(size_t i = 0; i < n; i++) {
		if(opts && strcmp(a[i], "--") == 0) {
			opts = false;
			continue;
		}
		if((!opts || a[i][0] != '-') && pred(a[i]))
			return true;
	}
	return false;
}

/* The last operand (the destination of cp, mv, ln, install), or the value
 * of -t / --target-directory; NULL if none. */
static const char *destination(char **a, size_t n)
{
	const char *last = NULL;

	for(size_t i = 0; i < n; i++) {
		if(strcmp(a[i], "-t") == 0 && i + 1 < n)
			return a[i + 1];
		if(strncmp(a[i], "--target-directory=", 19) == 0)
			return a[i] + 19;
		if(a[i][0] != '-')
			last = a[i];
	}
	return last;
}

/* The first operand (what mv moves away). */
static const char *first_operand(char **a, size_t n)
{
	for(size_t i = 0; i < n; i++)
		if(a[i][0] != '-')
			return a[i];
	return NULL;
}

/* kill … -1 or 1: every process, or init. */
static bool kills_all(char **a, size_t n)
{
	size_t i = 0;

	if(i < n && (strcmp(a[i], "-s") == 0 || strcmp(a[i], "-n") == 0))
		i += 2;
	else if(i < n && a[i][0] == '-' && strcmp(a[i], "--") != 0)
		i++;
	for(; i < n; i++)
		if(strcmp(a[i], "-1") == 0 || strcmp(a[i], "1") == 0)
			return true;
	return false;
}

/* find START… -delete | -exec rm/shred/unlink: deletes under its start points. */
static bool find_deletes(char **a, size_t n)
{
	static const char *const killers[] = { "rm", "shred", "unlink", "truncate", NULL };
	bool danger = false, del = false;
	size_t i = 0;

	for(; i < n && a[i][0] != '-' && a[i][0] != '!'; i++)
		danger = danger || dangerous_target(a[i]);
	for(; i < n; i++)
		if(strcmp(a[i], "-delete") == 0 ||
		   ((strcmp(a[i], "-exec") == 0 || strcmp(a[i], "-execdir") == 0) && i + 1 < n &&
		    one_of(base(a[i + 1]), killers)))
			del = true;
	return danger && del;
}

static bool dd_to(char **a, size_t n, bool device)
{
	for(size_t i = 0; i < n; i++) {
		const char *of = a[i] + 3;

		if(strncmp(a[i], "of=", 3) != 0)
			continue;
		if(device && strncmp(of, "/dev/", 5) == 0 && system_path(of))
			return true;
		if(!device && strncmp(of, "/dev/", 5) != 0 && system_path(of))
			return true;
	}
	return false;
}

/* chmod with a setuid/setgid bit: u+s, g+s, +s, or an octal mode 2xxx-7xxx. */
static bool sets_suid(char **a, size_t n)
{
	for(size_t i = 0; i < n; i++) {
		const char *m = a[i];
		size_t len = strlen(m);

		if(strchr(m, '+') && strchr(strchr(m, '+'), 's'))
			return true;
		if(len == 4 && strspn(m, "01234567") == 4 && m[0] >= '2')
			return true;
	}
	return false;
}

static bool system_or_dangerous(const char *t)
{
	return dangerous_target(t) || system_path(t);
}

/* systemctl VERB …: power, or a service stopped. */
static int systemctl_rule(char **a, size_t n)
{
	static const char *const power[] = { "shutdown", "reboot", "halt", "poweroff", "kexec",
					     "suspend", "hibernate", "hybrid-sleep",
					     "suspend-then-hibernate", "rescue", "emergency",
					     "isolate", "soft-reboot", NULL };
	static const char *const targets[] = { "reboot.target", "poweroff.target", "halt.target",
					       "kexec.target", "rescue.target",
					       "emergency.target", "suspend.target", NULL };
	static const char *const stop[] = { "stop", "disable", "mask", "kill", NULL };

	for(size_t k = 0; k < n; k++)
		if(one_of(a[k], power) || one_of(a[k], targets))
			return R_POWER;
	for(size_t k = 0; k < n; k++)
		if(one_of(a[k], stop))
			return R_SERVICE;
	return -1;
}

/* ip/ifconfig/iptables/nft/ufw/nmcli/ifdown: the network cut. */
static int network_rule(const char *w, char **a, size_t n)
{
	if(strcmp(w, "iptables") == 0 || strcmp(w, "ip6tables") == 0)
		return has_arg(a, n, "-F") || has_arg(a, n, "--flush") || has_arg(a, n, "-X") ||
		       has_arg(a, n, "-P") || has_arg(a, n, "--policy") ? R_NET : -1;
	if(strcmp(w, "nft") == 0)
		return has_arg(a, n, "flush") || has_arg(a, n, "delete") ? R_NET : -1;
	if(strcmp(w, "ufw") == 0)
		return has_arg(a, n, "disable") || has_arg(a, n, "reset") || has_arg(a, n, "deny") ?
			R_NET : -1;
	if(strcmp(w, "ip") == 0)
		return (has_arg(a, n, "link") && has_arg(a, n, "down")) ||
		       ((has_arg(a, n, "route") || has_arg(a, n, "addr") || has_arg(a, n, "address")) &&
			(has_arg(a, n, "del") || has_arg(a, n, "delete") || has_arg(a, n, "flush"))) ?
			R_NET : -1;
	if(strcmp(w, "ifconfig") == 0)
		return has_arg(a, n, "down") ? R_NET : -1;
	if(strcmp(w, "nmcli") == 0)
		return has_arg(a, n, "off") || has_arg(a, n, "down") || has_arg(a, n, "delete") ?
			R_NET : -1;
	if(strcmp(w, "ifdown") == 0)
		return R_NET;
	return -1;
}

/* Commands whose mere use is flagged, with their rule. */
static const struct {
	const char *name;
	int rule;
} always[] = {
	{ "mke2fs", R_FORMAT }, { "mkswap", R_FORMAT }, { "mkntfs", R_FORMAT },
	{ "mkdosfs", R_FORMAT }, { "wipefs", R_FORMAT }, { "mkfs", R_FORMAT },
	{ "cryptsetup", R_FORMAT }, { "shutdown", R_POWER }, { "reboot", R_POWER },
	{ "halt", R_POWER }, { "poweroff", R_POWER }, { "kexec", R_POWER },
	{ "killall5", R_KILLALL }, { "killall", R_KILLALL }, { "insmod", R_KERNEL },
	{ "rmmod", R_KERNEL }, { "userdel", R_ACCOUNT }, { "usermod", R_ACCOUNT },
	{ "passwd", R_ACCOUNT }, { "chpasswd", R_ACCOUNT }, { "deluser", R_ACCOUNT },
	{ "groupdel", R_ACCOUNT }, { "gpasswd", R_ACCOUNT }, { "chsh", R_ACCOUNT },
	{ "vipw", R_ACCOUNT }, { "visudo", R_ACCOUNT }, { "swapoff", R_MOUNT },
	{ "ifdown", R_NET },
};

static int always_rule(const char *w)
{
	for(size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if(strcmp(w, always[i].name) == 0)
			return always[i].rule;
	return strncmp(w, "mkfs.", 5) == 0 ? R_FORMAT : -1;
}

/* rm, chmod & co., mv, cp & co.: the file-changing commands. */
static int file_rule(const char *w, char **a, size_t n)
{
	if(strcmp(w, "rm") == 0) {
		if(recursive(a, n) && any_operand(a, n, dangerous_target))
			return R_RM;
		return any_operand(a, n, system_path) ? R_SYSWRITE : -1;
	}
	if(one_of(w, (const char *const[]){ "chmod", "chown", "chgrp", "chattr", "setfacl", NULL })) {
		if(strcmp(w, "chmod") == 0 && sets_suid(a, n))
			return R_SETUID;
		if(recursive(a, n) && any_operand(a, n, dangerous_target))
			return R_CHMOD;
		for(size_t i = 0; i < n; i++)
			if(a[i][0] == '/' && only_contents(a[i]))
				return R_CHMOD;
		return -1;
	}
	if(strcmp(w, "mv") == 0) {
		const char *src = first_operand(a, n), *dst = destination(a, n);

		if(src && dangerous_target(src))
			return R_RM;
		return dst && dst != src && system_path(dst) ? R_SYSWRITE : -1;
	}
	if(one_of(w, (const char *const[]){ "cp", "install", "ln", NULL })) {
		const char *dst = destination(a, n);

		return dst && system_path(dst) ? R_SYSWRITE : -1;
	}
	if(one_of(w, (const char *const[]){ "shred", "truncate", "unlink", "tee", NULL }))
		return any_operand(a, n, system_path) ? R_SYSWRITE : -1;
	if(strcmp(w, "rsync") == 0) {
		const char *dst = destination(a, n);

		return has_arg(a, n, "--delete") && dst && system_or_dangerous(dst) ? R_RM : -1;
	}
	if(strcmp(w, "dd") == 0)
		return dd_to(a, n, true) ? R_DEVICE : dd_to(a, n, false) ? R_SYSWRITE : -1;
	if(strcmp(w, "find") == 0)
		return find_deletes(a, n) ? R_RM : -1;
	return -1;
}

/* Processes, power, services, kernel, mounts. */
static int system_rule(const char *w, char **a, size_t n)
{
	if(strcmp(w, "systemctl") == 0)
		return systemctl_rule(a, n);
	if(strcmp(w, "loginctl") == 0)
		return n && (one_of(a[0], (const char *const[]){ "poweroff", "reboot", "suspend",
							      "hibernate", NULL }) ||
			     strncmp(a[0], "terminate-", 10) == 0 || strncmp(a[0], "kill-", 5) == 0)
			? R_POWER : -1;
	if((strcmp(w, "init") == 0 || strcmp(w, "telinit") == 0) && n &&
	   (strcmp(a[0], "0") == 0 || strcmp(a[0], "6") == 0))
		return R_POWER;
	if(strcmp(w, "service") == 0 && n >= 2 && strcmp(a[1], "stop") == 0)
		return R_SERVICE;
	if(strcmp(w, "kill") == 0)
		return kills_all(a, n) ? R_KILLALL : -1;
	if(strcmp(w, "pkill") == 0)
		return has_arg(a, n, "-u") || has_arg(a, n, ".") || has_arg(a, n, "-U") ? R_KILLALL : -1;
	if(strcmp(w, "modprobe") == 0)
		return has_arg(a, n, "-r") || has_arg(a, n, "--remove") ? R_KERNEL : -1;
	if(strcmp(w, "mount") == 0)
		for(size_t i = 0; i < n; i++)
			if(strstr(a[i], "remount"))
				return R_MOUNT;
	if(strcmp(w, "umount") == 0)
		return has_arg(a, n, "-a") || any_operand(a, n, dangerous_target) ||
		       any_operand(a, n, system_path) ? R_MOUNT : -1;
	return network_rule(w, a, n);
}

int tool_danger_simple(char **tok, size_t n)
{
	size_t i = command_word(tok, n);
	const char *w;
	int rule;

	if(i >= n)
		return -1;
	w = base(tok[i]);
	/* /etc/init.d/NAME stop */
	if(strncmp(tok[i], "/etc/init.d/", 12) == 0 && n - i >= 2 && strcmp(tok[i + 1], "stop") == 0)
		return R_SERVICE;
	if((rule = always_rule(w)) >= 0)
		return rule;
	if((rule = file_rule(w, tok + i + 1, n - i - 1)) >= 0)
		return rule;
	return system_rule(w, tok + i + 1, n - i - 1);
}
