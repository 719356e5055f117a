/* src/api/responses.h: POST /v1/responses.
 *
 * The request (api/responses_input.h) runs as one agent turn through the
 * turn orchestrator (api/turn.h, slot kind "response"); the answer is a
 * Response object (agent/response_obj.h) as a JSON body or as the typed
 * event stream (api/responses_stream.h). With store (the default) the
 * in_progress snapshot is stored before the turn runs and rewritten when
 * it ends: completed, incomplete (the client left, the server is stopping,
 * an output limit) or failed; a conversation name then moves to it. With
 * background: true the stored snapshot is queued and the turn is a run of
 * hermes-runner instead (api/responses_bg.h).
 * SPEC: openai-wire.md §6; hermes-chat-responses.md "Responses"
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_RESPONSES_H
#define HERMES_API_RESPONSES_H

#include "util/err.h"

struct req;

/* The route handler; app is the struct app. */
enum herr api_responses_create(void *app, struct req *r);

#endif
