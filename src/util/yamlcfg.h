/* src/util/yamlcfg.h: parse config.yaml (libyaml) into a JSON tree.
 *
 * Mappings become objects, sequences arrays; plain scalars become null,
 * booleans, integers or doubles when they look like one, everything else a
 * string. Beside the tree comes a flat object mapping each dotted path
 * ("model.base_url", "toolsets[1]") to the line it starts on, so a later
 * type check can name the line. Pure function.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_YAMLCFG_H
#define HERMES_UTIL_YAMLCFG_H

#include <stddef.h>

#include "util/err.h"

struct json_object;

#define YAMLCFG_MAX_DEPTH 32

/* Parse text (len bytes; fname only for messages). On success *tree (an
 * object; empty for an empty file) and *lines are new references the caller
 * puts. On failure HERR_CONFIG, code config_error, message
 * "<fname> line N: ...". */
enum herr yamlcfg_parse(const char *text, size_t len, const char *fname,
			struct json_object **tree, struct json_object **lines,
			struct herror *err)
	__attribute__((warn_unused_result));

#endif
