/* src/main/fcgi_children.h: a FastCGI responder that serves with several
 * processes on one listening socket (--children N), for a socket a single
 * process would otherwise own: a systemd socket unit, spawn-fcgi without
 * -F, --listen. The parent only supervises: it holds no configuration,
 * store or request; each child is a whole responder of its own.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_MAIN_FCGI_CHILDREN_H
#define HERMES_MAIN_FCGI_CHILDREN_H

#define FCGI_CHILDREN_MAX 64

/* Fork n children that each return child(ctx)'s value as their exit
 * status, and keep n running: a child that dies while the parent is not
 * stopping is replaced (at most one replacement a second, so a responder
 * that cannot start does not spin). SIGTERM or SIGINT to the parent is
 * passed on to every child, which finish their request; the parent
 * returns 0 once all have ended. A child's parent dying (kill -9) sends
 * the child SIGTERM. Returns 1 when no child could be forked. */
int fcgi_children_run(int n, int (*child)(void *ctx), void *ctx);

#endif
