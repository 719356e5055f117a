/* src/util/buf.c: the capped buffer.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"
#include "util/xalloc.h"

#define BUF_KEEP_MAX (64 * 1024)
#define BUF_MIN_CAP 64

void buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_release(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(struct buf *b)
{
	if(b->cap > BUF_KEEP_MAX) {
		buf_release(b);
		return;
	}
	b->len = 0;
	if(b->p)
		b->p[0] = '\0';
}

size_t buf_room(const struct buf *b)
{
	return b->max > b->len ? b->max - b->len : 0;
}

enum herr buf_add_trunc(struct buf *b, const void *data, size_t n)
{
	size_t room = buf_room(b), keep;

	if(n <= room)
		return buf_add(b, data, n);
	keep = utf8_trim_end(data, room);
	if(keep && buf_add(b, data, keep))
		return HERR_TOO_LARGE; /* keep <= room: cannot happen */
	return HERR_TOO_LARGE; /* cut: what fits is in b */
}

/* Make room for n more bytes plus the NUL. */
static enum herr buf_grow(struct buf *b, size_t n)
{
	size_t need, ncap;

	if(n > b->max || b->len > b->max - n) {
		buf_release(b);
		return HERR_TOO_LARGE;
	}
	need = b->len + n + 1;
	if(need <= b->cap)
		return HERR_OK;
	ncap = b->cap ? b->cap : BUF_MIN_CAP;
	while(ncap < need)
		ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
	b->p = xrealloc(b->p, ncap);
	b->cap = ncap;
	return HERR_OK;
}

enum herr buf_add(struct buf *b, const void *data, size_t n)
{
	enum herr rc = buf_grow(b, n);

	if(rc)
		return rc;
	if(n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return HERR_OK;
}

enum herr buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum herr buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum herr rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if(n < 0)
		return HERR_INTERNAL;
	rc = buf_grow(b, (size_t)n);
	if(rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return HERR_OK;
}

const char *buf_str(const struct buf *b)
{
	return b->p ? b->p : "";
}

size_t buf_len(const struct buf *b)
{
	return b->len;
}

char *buf_take(struct buf *b)
{
	char *p = b->p ? b->p : xstrdup("");

	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int buf_read_file(struct buf *b, const char *path)
{
	char chunk[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC), e = 0;
	ssize_t n;

	if(fd < 0)
		return errno;
	for(;;) {
		n = read(fd, chunk, sizeof(chunk));
		if(n < 0 && errno == EINTR)
			continue;
		if(n <= 0) {
			e = n < 0 ? errno : 0;
			break;
		}
		if(buf_add(b, chunk, (size_t)n)) {
			e = EFBIG;
			break;
		}
	}
	close(fd);
	return e;
}
