/* src/agent/result_extras.h: how an agent result reads on the wire, the
 * parts shared by the chat completion, the Response object and the
 * runner's background responses (moved from api/chat_result.h so the
 * runner, which may not include api/, builds the same Response object;
 * the names are kept so callers did not change).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_RESULT_EXTRAS_H
#define HERMES_AGENT_RESULT_EXTRAS_H

#include <stdbool.h>

struct agent_result;
struct json_object;

/* Interrupted because the process is stopping (SIGTERM): 503. */
bool agent_result_shutdown(const struct agent_result *res);

/* The "hermes" extras {completed, partial, status, error, warnings}
 * (new reference); warnings (only when something was not saved) holds the
 * persistence failure. */
struct json_object *agent_result_extras(const struct agent_result *res);

/* Does the answer carry the extras (not completed, or a warning)? */
bool agent_result_needs_extras(const struct agent_result *res);

#endif
