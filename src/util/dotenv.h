/* src/util/dotenv.h: parse a .env file (KEY=VALUE lines) into a JSON object.
 *
 * Accepted: blank lines, '#' comments, an optional "export " prefix, values
 * bare (an unquoted " #" starts a comment), 'single-quoted' (literal) or
 * "double-quoted" (\n \t \" \\ escapes). A later line overrides an earlier
 * one. Anything else is an error naming the line. Pure function.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_DOTENV_H
#define HERMES_UTIL_DOTENV_H

#include <stddef.h>

#include "util/err.h"

struct json_object;

/* Parse text (len bytes). fname is only used in messages. On success *out
 * is a new JSON object of string members (caller puts it). On failure
 * HERR_CONFIG with code config_error and a message "<fname> line N: ...". */
enum herr dotenv_parse(const char *text, size_t len, const char *fname,
		       struct json_object **out, struct herror *err)
	__attribute__((warn_unused_result));

#endif
