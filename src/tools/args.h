/* src/tools/args.h: reading a tool call's JSON arguments.
 *
 * Every tool gets its arguments as one JSON object from the model; these
 * read one member each, with the range or shape the tool needs, and give an
 * error naming the argument (so the model can correct the call) otherwise.
 * Strings are borrowed from args and live as long as it does.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_ARGS_H
#define HERMES_TOOLS_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct json_object;

/* An optional whole-number argument: absent → def; an integer (or a string
 * of digits) in [min, max] → *out; anything else is an error naming key. */
enum herr tool_arg_long(struct json_object *args, const char *key, long def, long min,
			long max, long *out, struct herror *err)
	__attribute__((warn_unused_result));

/* An optional yes/no argument: absent or null → def; true/false (or the
 * strings "true"/"false") → *out; anything else is an error naming key. */
enum herr tool_arg_bool(struct json_object *args, const char *key, bool def, bool *out,
			struct herror *err)
	__attribute__((warn_unused_result));

#define TOOL_ARG_NONEMPTY 1u  /* "" is an error */
#define TOOL_ARG_NUL 2u       /* embedded NUL bytes are allowed (counted in *len) */

/* A required string argument: *s is borrowed from args, *len its length.
 * An error naming key when absent, not a string, or against flags. */
enum herr tool_arg_str(struct json_object *args, const char *key, unsigned flags,
		       const char **s, size_t *len, struct herror *err)
	__attribute__((warn_unused_result));

#endif
