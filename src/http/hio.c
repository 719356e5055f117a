/* src/http/hio.c: FastCGI, CGI and memory back ends of struct hio.
 *
 * libfcgi notes (SPEC: deployment): FCGX_FPrintF does not know %zu,
 * so only FCGX_PutStr is used; FCGX_Accept_r does not fall back to CGI, so
 * main checks hio_is_cgi() first and serves one request through the CGI
 * back end.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "http/hio.h"

#include <errno.h>
#include <fcgiapp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/xalloc.h"

struct hio_ops {
	ssize_t (*read)(struct hio *io, char *dst, size_t n);
	enum herr (*write)(struct hio *io, const char *p, size_t n);
	enum herr (*flush)(struct hio *io);
};

/* ---- FastCGI -------------------------------------------------------------- */

static ssize_t fcgx_read(struct hio *io, char *dst, size_t n)
{
	FCGX_Request *r = io->fcgx;
	int got;

	if(n > INT_MAX)
		n = INT_MAX;
	got = FCGX_GetStr(dst, (int)n, r->in);
	if(got < 0)
		return -1;
	return got;
}

static enum herr fcgx_fail(struct hio *io)
{
	FCGX_Request *r = io->fcgx;

	io->failed = true;
	io->err_no = FCGX_GetError(r->out);
	return HERR_IO;
}

static enum herr fcgx_write(struct hio *io, const char *p, size_t n)
{
	FCGX_Request *r = io->fcgx;

	while(n) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		if(FCGX_PutStr(p, chunk, r->out) != chunk)
			return fcgx_fail(io);
		p += chunk;
		n -= (size_t)chunk;
	}
	return HERR_OK;
}

static enum herr fcgx_flush(struct hio *io)
{
	FCGX_Request *r = io->fcgx;

	if(FCGX_FFlush(r->out) < 0)
		return fcgx_fail(io);
	return HERR_OK;
}

static const struct hio_ops fcgx_ops = { fcgx_read, fcgx_write, fcgx_flush };

/* ---- plain CGI ------------------------------------------------------------ */

static ssize_t cgi_read(struct hio *io, char *dst, size_t n)
{
	ssize_t got;

	(void)io;
	do
		got = read(STDIN_FILENO, dst, n);
	while(got < 0 && errno == EINTR);
	return got;
}

static enum herr cgi_write(struct hio *io, const char *p, size_t n)
{
	int e = fileio_write_all(STDOUT_FILENO, p, n);

	if(e) {
		io->failed = true;
		io->err_no = e;
		return HERR_IO;
	}
	return HERR_OK;
}

static enum herr cgi_flush(struct hio *io)
{
	(void)io;
	return HERR_OK; /* writes go straight to the fd */
}

static const struct hio_ops cgi_ops = { cgi_read, cgi_write, cgi_flush };

/* ---- memory --------------------------------------------------------------- */

static ssize_t mem_read(struct hio *io, char *dst, size_t n)
{
	size_t left = io->in_len - io->in_pos;

	if(n > left)
		n = left;
	if(n)
		memcpy(dst, io->in + io->in_pos, n);
	io->in_pos += n;
	return (ssize_t)n;
}

static enum herr mem_write(struct hio *io, const char *p, size_t n)
{
	if(buf_add(&io->out, p, n)) {
		io->failed = true;
		return HERR_IO;
	}
	return HERR_OK;
}

static enum herr mem_flush(struct hio *io)
{
	(void)io;
	return HERR_OK;
}

static const struct hio_ops mem_ops = { mem_read, mem_write, mem_flush };

/* ---- common --------------------------------------------------------------- */

static void hio_clear(struct hio *io)
{
	memset(io, 0, sizeof(*io));
	buf_init(&io->out, 0);
}

void hio_init_cgi(struct hio *io, char **envp)
{
	hio_clear(io);
	io->ops = &cgi_ops;
	io->envp = envp;
}

void hio_init_mem(struct hio *io, char **envp, const char *body, size_t len, size_t out_max)
{
	hio_clear(io);
	io->ops = &mem_ops;
	io->envp = envp;
	io->in = body;
	io->in_len = len;
	buf_init(&io->out, out_max);
}

void hio_release(struct hio *io)
{
	buf_release(&io->out);
}

const char *hio_param(const struct hio *io, const char *name)
{
	size_t n = strlen(name);

	for(char **e = io->envp; e && *e; e++)
		if(strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

char **hio_params(const struct hio *io)
{
	return io->envp;
}

ssize_t hio_read(struct hio *io, char *dst, size_t n)
{
	return io->ops->read(io, dst, n);
}

enum herr hio_write(struct hio *io, const char *p, size_t n)
{
	if(io->failed)
		return HERR_IO;
	return io->ops->write(io, p, n);
}

enum herr hio_flush(struct hio *io)
{
	if(io->failed)
		return HERR_IO;
	return io->ops->flush(io);
}

const char *hio_mem_output(const struct hio *io, size_t *len)
{
	*len = buf_len(&io->out);
	return buf_str(&io->out);
}

/* ---- FastCGI server side -------------------------------------------------- */

bool hio_is_cgi(void)
{
	return FCGX_IsCGI() != 0;
}

enum herr hio_server_init(struct hio_server *srv, const char *listen_addr, struct herror *err)
{
	FCGX_Request *r;

	memset(srv, 0, sizeof(*srv));
	if(FCGX_Init() != 0)
		return herr_set(err, HERR_INTERNAL, NULL, NULL, "FCGX_Init failed");
	if(listen_addr) {
		srv->listen_fd = FCGX_OpenSocket(listen_addr, 128);
		if(srv->listen_fd < 0)
			return herr_set(err, HERR_INTERNAL, NULL, NULL,
					"cannot listen on %s: %s (is the address in use, or the "
					"socket directory not writable?)", listen_addr, strerror(errno));
	}
	r = xcalloc(1, sizeof(*r));
	if(FCGX_InitRequest(r, srv->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		free(r);
		return herr_set(err, HERR_INTERNAL, NULL, NULL, "FCGX_InitRequest failed");
	}
	srv->req = r;
	return HERR_OK;
}

enum herr hio_server_accept(struct hio_server *srv, struct hio *io)
{
	FCGX_Request *r = srv->req;

	if(FCGX_Accept_r(r) < 0)
		return HERR_IO;
	hio_clear(io);
	io->ops = &fcgx_ops;
	io->fcgx = r;
	io->envp = r->envp;
	return HERR_OK;
}

void hio_server_finish(struct hio_server *srv, struct hio *io)
{
	FCGX_Finish_r(srv->req);
	io->fcgx = NULL;
	io->envp = NULL;
}

void hio_server_release(struct hio_server *srv)
{
	if(srv->req) {
		FCGX_Free(srv->req, 1);
		free(srv->req);
	}
	srv->req = NULL;
}
