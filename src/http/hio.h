/* src/http/hio.h: the I/O seam between the protocol and everything above.
 *
 * A struct hio gives one request's CGI parameters, its body stream and its
 * output stream, over one of three back ends: FastCGI (libfcgi), plain CGI
 * (environ, stdin, stdout) and memory (unit tests). This is the only module
 * that includes fcgiapp.h. A failed write marks the hio failed (client
 * gone); later writes fail at once.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_HTTP_HIO_H
#define HERMES_HTTP_HIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"
#include "util/err.h"

struct hio_ops;

struct hio {
	const struct hio_ops *ops;
	void *fcgx;                /* borrowed FCGX_Request (FastCGI back end) */
	char **envp;               /* borrowed parameter array, NULL-terminated */
	const char *in;            /* memory back end: request body (borrowed) */
	size_t in_len, in_pos;
	struct buf out;            /* memory back end: what was written (owned) */
	bool failed;               /* a write or flush failed */
	int err_no;                /* errno of the failure, if known */
};

/* Back ends. The memory one copies nothing: envp and body are borrowed and
 * must outlive the hio; release it with hio_release(). */
void hio_init_cgi(struct hio *io, char **envp);
void hio_init_mem(struct hio *io, char **envp, const char *body, size_t len, size_t out_max);
void hio_release(struct hio *io);

/* CGI parameter by name (borrowed; valid for this request) or NULL. */
const char *hio_param(const struct hio *io, const char *name);

/* The whole NULL-terminated parameter array (borrowed). */
char **hio_params(const struct hio *io);

/* Read up to n body bytes: returns the count, 0 at end, -1 on error. */
ssize_t hio_read(struct hio *io, char *dst, size_t n);

/* Write all n bytes / flush to the client. HERR_IO if the client is gone. */
enum herr hio_write(struct hio *io, const char *p, size_t n) __attribute__((warn_unused_result));
enum herr hio_flush(struct hio *io) __attribute__((warn_unused_result));

/* Memory back end: everything written so far (borrowed). */
const char *hio_mem_output(const struct hio *io, size_t *len);

/* ---- the FastCGI server side (used by main/hermes-fcgi.c only) -------- */

struct hio_server {
	void *req;     /* owned FCGX_Request */
	int listen_fd; /* 0 = inherited from the web server */
};

/* True when this process was started as plain CGI (fd 0 is no FastCGI
 * listening socket). */
bool hio_is_cgi(void);

/* Prepare to accept on fd 0, or on a socket opened for listen_addr
 * ("host:port", ":port" or a unix socket path) if not NULL. */
enum herr hio_server_init(struct hio_server *srv, const char *listen_addr, struct herror *err)
	__attribute__((warn_unused_result));

/* Wait for the next request and point io at it. HERR_IO when the server
 * should stop (listening socket closed, signal). */
enum herr hio_server_accept(struct hio_server *srv, struct hio *io)
	__attribute__((warn_unused_result));

/* Finish the current request (flushes and ends it). */
void hio_server_finish(struct hio_server *srv, struct hio *io);

void hio_server_release(struct hio_server *srv);

#endif
