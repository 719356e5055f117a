/* src/ctl/sessions.h: `hermesctl sessions list|rename|fork|delete|export|
 * import` (show and prune live in ctl/chat.c and ctl/storecmd.c).
 *   list [--limit N] [--offset N] [--cursor ID] [--source S]
 *       summaries, newest first; when more follow, a last line
 *       "more: --cursor ID" gives the next page
 *   rename ID TITLE          ("" clears the title)
 *   fork ID [--at MESSAGE_ID] [--title T]   prints the new session's id
 *   delete ID                refused while a live run uses the session
 *   export ID                the session's messages as JSON lines (role,
 *                            content, tool_calls, tool_call_id, tool_name,
 *                            finish_reason, reasoning, token_count)
 *   import FILE [--title T]  a new session (source "import") holding the
 *                            messages of an export ("-": stdin); prints its id
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_CTL_SESSIONS_H
#define HERMES_CTL_SESSIONS_H

#include <stdio.h>

/* Run `sessions argv[0] ...` (argc words); results to out, errors to msg.
 * Returns the exit status: 0 done, 1 failed, 2 usage. */
int ctl_sessions(int argc, char **argv, FILE *out, FILE *msg);

#endif
