/* src/tools/confine_landlock.c: the Landlock ruleset of a tool run.
 *
 * DESIGN. Landlock rules grant access beneath a directory and cannot take
 * part of it back. To leave a tree out (HERMES_HOME when it lies under a
 * readable or writable root, the trees tools.hide_paths names), the root
 * that holds it is not granted whole: its entries are, one by one, and the
 * one leading to the hidden tree is opened up the same way, down to the
 * hidden tree itself, which gets no rule. Symlinks met on the way are
 * skipped (a rule would land on their target). Entries created later in
 * such a split directory are not covered: keep HERMES_HOME out of the
 * workspace. SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/confine_landlock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SPLIT_DEPTH_MAX 16

/* The ruleset attribute up to ABI 6 (handled_access_net ABI 4, scoped
 * ABI 6); the kernel takes a longer struct whose unknown fields are 0. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
} __attribute__((packed));

#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

/* The system's read-only trees (those that exist are granted). */
static const char *const system_roots[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", NULL,
};
/* Device files: read-write (the sinks) and read-only (randomness). */
static const char *const dev_rw[] = { "/dev/null", "/dev/zero", "/dev/full", NULL };
static const char *const dev_ro[] = { "/dev/random", "/dev/urandom", NULL };

int tool_landlock_abi(void)
{
	long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

/* Every filesystem right this ABI knows. */
static uint64_t fs_all(int abi)
{
	uint64_t all = (1ULL << 13) - 1; /* ABI 1: EXECUTE … MAKE_SYM */

	if(abi >= 2)
		all |= 1ULL << 13; /* REFER */
	if(abi >= 3)
		all |= LL_FS_TRUNCATE;
	if(abi >= 5)
		all |= LL_FS_IOCTL_DEV;
	return all;
}

/* The rights a non-directory may carry. */
static uint64_t file_rights(int abi)
{
	return fs_all(abi) & (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE |
			      LL_FS_IOCTL_DEV);
}

struct rules {
	int fd, abi;
	const char *const *hide;
};

static int add_fd(const struct rules *r, int fd, uint64_t access)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access, .parent_fd = fd };
	struct stat st;

	if(fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		pb.allowed_access &= file_rights(r->abi);
	return (int)syscall(__NR_landlock_add_rule, r->fd, LL_RULE_PATH_BENEATH, &pb, 0);
}

/* Is a equal to or beneath b? */
static bool beneath(const char *a, const char *b)
{
	size_t n = strlen(b);

	if(n == 1 && b[0] == '/')
		return true;
	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

static int allow_tree(const struct rules *r, const char *path, uint64_t access, int depth);

/* path holds a hidden tree: grant its entries one by one. */
static int split_dir(const struct rules *r, const char *path, uint64_t access, int depth)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if(!d)
		return 0;   /* unreadable: nothing to grant */
	while(rc == 0 && (e = readdir(d))) {
		char sub[4096];
		struct stat st;

		if(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if((size_t)snprintf(sub, sizeof(sub), "%s%s%s", path, strcmp(path, "/") ? "/" : "",
				    e->d_name) >= sizeof(sub))
			continue;
		if(lstat(sub, &st) != 0 || S_ISLNK(st.st_mode))
			continue;
		rc = allow_tree(r, sub, access, depth + 1);
	}
	closedir(d);
	return rc;
}

/* Grant access beneath path (canonical), leaving out the hidden trees. */
static int allow_tree(const struct rules *r, const char *path, uint64_t access, int depth)
{
	bool split = false;
	int fd, rc;

	for(size_t i = 0; r->hide && r->hide[i]; i++) {
		/* a root asked for by name (the workspace under HERMES_HOME) is
		 * granted; what a split reaches beneath a hidden tree is not */
		if(depth > 0 && beneath(path, r->hide[i]))
			return 0;
		if(beneath(r->hide[i], path) && strcmp(r->hide[i], path) != 0)
			split = true;
	}
	if(split)
		return depth < SPLIT_DEPTH_MAX ? split_dir(r, path, access, depth) : 0;
	fd = open(path, O_PATH | O_CLOEXEC);
	if(fd < 0)
		return 0;   /* absent: nothing to grant */
	rc = add_fd(r, fd, access);
	close(fd);
	return rc;
}

/* Canonicalise p and grant it. */
static int allow_path(const struct rules *r, const char *p, uint64_t access)
{
	char real[4096];

	if(!p || !*p || !realpath(p, real))
		return 0;
	return allow_tree(r, real, access, 0);
}

static int allow_list(const struct rules *r, const char *const *list, uint64_t access)
{
	for(size_t i = 0; list && list[i]; i++)
		if(allow_path(r, list[i], access))
			return -1;
	return 0;
}

static int net_rules(const struct rules *r, const struct tool_confine *tc)
{
	struct ll_net_port_attr np = { .allowed_access = LL_NET_CONNECT_TCP,
				       .port = tc->upstream_port };

	if(tc->net != TOOL_NET_UPSTREAM || !tc->upstream_port)
		return 0;
	return (int)syscall(__NR_landlock_add_rule, r->fd, LL_RULE_NET_PORT, &np, 0);
}

int tool_landlock_ruleset(const struct tool_confine *tc, const char *const *rw,
			  const char *const *ro)
{
	int abi = tc->f.landlock_abi;
	uint64_t rx = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
	struct ll_ruleset_attr attr = { .handled_access_fs = fs_all(abi) };
	size_t size = sizeof(attr.handled_access_fs);
	struct rules r = { -1, abi, (const char *const *)tc->hide_paths };
	int e;

	if(abi >= 4 && tc->net != TOOL_NET_ANY) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = 2 * sizeof(uint64_t);
	}
	if(abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	r.fd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if(r.fd < 0)
		return -1;
	fcntl(r.fd, F_SETFD, FD_CLOEXEC);
	if(allow_list(&r, rw, fs_all(abi)) || allow_list(&r, system_roots, rx) ||
	   allow_list(&r, (const char *const *)tc->read_paths, rx) || allow_list(&r, ro, rx) ||
	   allow_list(&r, dev_rw, LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE) ||
	   allow_list(&r, dev_ro, LL_FS_READ_FILE) || net_rules(&r, tc))
		goto fail;
	return r.fd;
fail:
	e = errno;
	close(r.fd);
	errno = e;
	return -1;
}
