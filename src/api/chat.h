/* src/api/chat.h: POST /v1/chat/completions.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_API_CHAT_H
#define HERMES_API_CHAT_H

#include "util/err.h"

struct req;

enum herr api_chat(void *app, struct req *r);

#endif
