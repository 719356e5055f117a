/* src/ctl/chat.h: `hermesctl chat` and `hermesctl sessions`.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_CTL_CHAT_H
#define HERMES_CTL_CHAT_H

#include <stdio.h>

/* One agent turn in the terminal: the answer streams to out, tool activity
 * and the session id to msg. session_id may be NULL (new session);
 * session_key (may be NULL) scopes memory.
 * Returns the exit status: 0 completed, 1 failed, 2 partial, 130 interrupted. */
int ctl_chat(const char *session_id, const char *session_key, const char *text, FILE *out,
	     FILE *msg);

/* `sessions show ID`. */
int ctl_sessions_show(const char *id, FILE *out);

struct cfg;
struct store;

/* Load the configuration into c and open the store; NULL (said on out)
 * when either fails. The caller closes the store and releases c. */
struct store *ctl_store_or_say(struct cfg *c, FILE *out);

#endif
