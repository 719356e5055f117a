/* src/store/lineage.c: following a session through compression rotations.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "store/db.h"

#include <json-c/json.h>
#include <stdio.h>

#include "util/jsonx.h"

enum herr store_session_successor(struct store *s, const char *id, char *out, size_t cap,
				  struct herror *err)
{
	struct json_object *row = NULL;
	const char *child;
	enum herr rc;

	rc = store_db_get_one(s, "SELECT c.id AS id FROM sessions c JOIN sessions p"
			      " ON p.id = c.parent_session_id"
			      " WHERE p.id = ?1 AND p.end_reason = 'compression'"
			      " ORDER BY c.started_at DESC, c.id DESC LIMIT 1", id,
			      "session_not_found", "Successor of session", &row, err);
	if(rc)
		return rc;
	child = jsonx_get_str(row, "id");
	if(!child || (size_t)snprintf(out, cap, "%s", child) >= cap)
		rc = herr_set(err, HERR_INTERNAL, NULL, NULL, "session id too long");
	json_object_put(row);
	return rc;
}
