#!/bin/bash
# tests/integration/t0860-responses-get.sh: stored responses read back:
# GET /v1/responses/{id}, DELETE /v1/responses/{id} and
# GET /v1/responses/{id}/input_items (paging, wrong query values), ids that
# cannot be ids, a corrupt stored row - as CGI and through lighttpd. Rows
# are written into state.db with the sqlite3 CLI in the stored-row format
# (the Response object plus the private "hermes_store" member), so most of
# it does not depend on POST; the last part creates responses with POST
# (scripted upstream) and reads them back, and fills the LRU cap.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"

need "$HERMES_FCGI" "$PYTHON" curl sqlite3 lighttpd

home=$T/home
mk_home "$home"
CGI_HOME=$home
AUTH="HTTP_AUTHORIZATION=Bearer $TEST_KEY"
DB=$home/state.db
sql() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }

# row ID NITEMS FILE: a stored row (JSON text) with NITEMS input items
# msg_ID_1..N, written to FILE.
row() {
	"$PYTHON" - "$1" "$2" > "$3" <<'PY'
import json, sys
rid, n = sys.argv[1], int(sys.argv[2])
items = [{"type": "message", "id": "msg_%s_%d" % (rid, i), "role": "user",
          "content": [{"type": "input_text", "text": "turn %d" % i}]} for i in range(1, n + 1)]
print(json.dumps({
    "id": rid, "object": "response", "created_at": 1767225600, "status": "completed",
    "model": "hermes-agent",
    "output": [{"type": "message", "id": "msg_out_" + rid, "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": "Hi there!", "annotations": []}]}],
    "error": None, "incomplete_details": None, "instructions": None, "metadata": {"k": "v"},
    "parallel_tool_calls": True, "temperature": None, "top_p": None, "tool_choice": "auto",
    "tools": [], "previous_response_id": None, "store": True, "truncation": "disabled",
    "usage": {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 3,
              "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 15},
    "hermes_store": {"input_items": items,
                     "transcript": [{"role": "user", "content": "turn 1"},
                                    {"role": "assistant", "content": "Hi there!"}],
                     "instructions": None}}))
PY
}
# put_row ID NITEMS: store it (and name conversation conv_ID after it).
put_row() {
	row "$1" "$2" "$T/$1.json"
	sql "INSERT INTO responses(id, data, session_id, created_at, accessed_at)
	     VALUES('$1', CAST(readfile('$T/$1.json') AS TEXT), 'sess_$1', 1767225600, 1767225600);
	     INSERT INTO conversations(name, response_id) VALUES('conv_$1', '$1');"
}
: > "$T/stderr.all"
keep_err() { cat "$CGI_ERR" >> "$T/stderr.all"; }
get() { cgi PATH_INFO="$1" QUERY_STRING="${2:-}" "$AUTH"; keep_err; }

# The first request opens (creates) state.db.
get /v1/responses/resp_none
check_envelope 404 response_not_found "an unknown id is 404 response_not_found"
like "$(jget 'j["error"]["message"]')" 'resp_none' "  the message names the id"
ok "state.db exists after the first request" test -f "$DB"

put_row resp_a1 5
put_row resp_b2 0

# ---- GET ---------------------------------------------------------------------
get /v1/responses/resp_a1
is "$RESP_STATUS" 200 "GET a stored response is 200"
like "$(hdr Content-Type)" '^application/json' "  application/json"
is "$(jget '"hermes_store" in j')" "false" "  the private hermes_store member is not shown"
want=$("$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); del j["hermes_store"]; print(json.dumps(j, sort_keys=True))' "$T/resp_a1.json")
is "$(jget 'json.dumps(j, sort_keys=True)')" "$want" "  the rest is the stored Response object, unchanged"
check_security_headers "  with the security headers"
cgi PATH_INFO=/v1/responses/resp_a1
keep_err
check_envelope 401 invalid_api_key "GET without the key is 401"
cgi PATH_INFO=/v1/responses/resp_a1 REQUEST_METHOD=HEAD "$AUTH"
keep_err
is "$RESP_STATUS $(wc -c < "$RESP_BODY" | tr -d ' ')" "200 0" "HEAD is 200 without a body"

# ---- input_items ---------------------------------------------------------------
get /v1/responses/resp_a1/input_items
is "$RESP_STATUS" 200 "input_items is 200"
is "$(jget '" ".join([j["object"], j["first_id"], j["last_id"], str(j["has_more"])] + [d["id"] for d in j["data"]])')" \
	"list msg_resp_a1_5 msg_resp_a1_1 False msg_resp_a1_5 msg_resp_a1_4 msg_resp_a1_3 msg_resp_a1_2 msg_resp_a1_1" \
	"  default order is desc (newest first), all five items, has_more false"
is "$(jget 'j["data"][4]')" "$("$PYTHON" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["hermes_store"]["input_items"][0]))' "$T/resp_a1.json")" \
	"  an item is returned as stored"
get /v1/responses/resp_a1/input_items 'order=asc&limit=2'
is "$(jget '" ".join([j["first_id"], j["last_id"], str(j["has_more"])] + [d["id"] for d in j["data"]])')" \
	"msg_resp_a1_1 msg_resp_a1_2 True msg_resp_a1_1 msg_resp_a1_2" "order=asc&limit=2: the first page, has_more"
# Walk every page with after=last_id, as the SDK's auto-pagination does.
seen= after= pages=0
while :; do
	get /v1/responses/resp_a1/input_items "limit=2${after:+&after=$after}"
	[ "$RESP_STATUS" = 200 ] || break
	pages=$((pages + 1))
	seen="$seen $(jget '" ".join(d["id"] for d in j["data"])')"
	[ "$(jget 'j["has_more"]')" = true ] || break
	after=$(jget 'j["last_id"]')
	[ $pages -lt 10 ] || break
done
is "$pages:$seen" "3: msg_resp_a1_5 msg_resp_a1_4 msg_resp_a1_3 msg_resp_a1_2 msg_resp_a1_1" \
	"paging with after=last_id visits every item once, in order, in 3 pages"
get /v1/responses/resp_b2/input_items
is "$RESP_STATUS $(jget '[j["data"], j["first_id"], j["last_id"], j["has_more"]]')" "200 [[], null, null, false]" \
	"a response without input items: empty page, null ids"

for c in 'limit=0 limit' 'limit=101 limit' 'limit=ten limit' 'limit= limit' \
	'order=newest order' 'after=msg_nope after' 'after=a%20b after' 'limit=5&order=up order'; do
	q=${c% *} param=${c##* }
	get /v1/responses/resp_a1/input_items "$q"
	check_envelope 400 invalid_value "input_items?$q is 400 invalid_value"
	is "$(jget 'j["error"]["param"]')" "$param" "  param is $param"
done
get /v1/responses/resp_a1/input_items 'limit=%ZZ'
check_envelope 400 invalid_query_string "a malformed query string is 400 invalid_query_string"
get /v1/responses/resp_a1/input_items 'limit=100&include%5B%5D=message.input_image.image_url'
is "$RESP_STATUS $(jget 'len(j["data"])')" "200 5" "limit=100 and include[] (ignored) are accepted"
get /v1/responses/resp_none/input_items
check_envelope 404 response_not_found "input_items of an unknown id is 404"
get /v1/responses/resp_none/input_items 'limit=0'
check_envelope 400 invalid_value "a wrong limit is 400 even for an unknown id (query checked first)"

# ---- ids that cannot be ids: 404, never 500 ----------------------------------------
long=resp_$(printf 'a%.0s' $(seq 1 124))
for id in "$long" 'resp.1' 'resp%201' "r%C3%A9sp" '..' 'resp_a1%00' "resp'1" 'resp_a1;DROP'; do
	get "/v1/responses/$id"
	check_envelope 404 response_not_found "GET /v1/responses/$(printf %.20s "$id") is 404 response_not_found"
	cgi PATH_INFO="/v1/responses/$id" REQUEST_METHOD=DELETE "$AUTH"
	keep_err
	check_envelope 404 response_not_found "  DELETE of it is 404 too"
done
get "/v1/responses/resp_$(printf 'a%.0s' $(seq 1 123))"
check_envelope 404 response_not_found "an id of 128 bytes is looked up (and not found)"
like "$(jget 'j["error"]["message"]')" 'resp_aaa' "  its message names it"
is "$(sql 'SELECT count(*) FROM responses')" 2 "no bad id touched the stored rows"

# ---- methods ---------------------------------------------------------------------
cgi PATH_INFO=/v1/responses/resp_a1 REQUEST_METHOD=POST "$AUTH"
keep_err
is "$RESP_STATUS $(hdr Allow)" "405 GET, HEAD, DELETE" "POST on a stored response is 405 with Allow"
cgi PATH_INFO=/v1/responses/resp_a1/input_items REQUEST_METHOD=DELETE "$AUTH"
keep_err
is "$RESP_STATUS $(hdr Allow)" "405 GET, HEAD" "DELETE on input_items is 405"

# ---- corrupt rows: 404 and deleted, never 500 ---------------------------------------
sql "INSERT INTO responses(id, data, session_id, created_at, accessed_at)
     VALUES('resp_bad', '{\"id\":\"resp_bad\",\"object\":\"resp', NULL, 1, 1),
           ('resp_arr', '[1,2,3]', NULL, 1, 1),
           ('resp_other', '{\"id\":\"resp_zzz\",\"object\":\"response\"}', NULL, 1, 1),
           ('resp_bad2', '{\"id\":\"resp_bad2\",', NULL, 1, 1),
           ('resp_trail', '{\"id\":\"resp_trail\",\"object\":\"response\"} trailing', NULL, 1, 1);
     INSERT INTO conversations(name, response_id) VALUES('conv_bad', 'resp_bad');"
get /v1/responses/resp_bad
check_envelope 404 response_not_found "a row of truncated JSON is 404 response_not_found"
is "$(sql "SELECT count(*) FROM responses WHERE id = 'resp_bad'")" 0 "  and the row is deleted"
is "$(sql "SELECT count(*) FROM conversations WHERE name = 'conv_bad'")" 0 "  with the conversation name pointing at it"
like "$(cat "$CGI_ERR")" 'resp_bad.*corrupt' "  a warning names the row"
get /v1/responses/resp_bad
check_envelope 404 response_not_found "  it stays 404"
get /v1/responses/resp_arr
check_envelope 404 response_not_found "a row holding a JSON array is 404"
is "$(sql "SELECT count(*) FROM responses WHERE id = 'resp_arr'")" 0 "  and deleted"
get /v1/responses/resp_other
check_envelope 404 response_not_found "a row whose object names another id is 404"
get /v1/responses/resp_trail
check_envelope 404 response_not_found "a row with data after its JSON object is 404"
is "$(sql "SELECT count(*) FROM responses WHERE id = 'resp_trail'")" 0 "  and deleted"
get /v1/responses/resp_bad2/input_items
check_envelope 404 response_not_found "input_items of a corrupt row is 404"
is "$(sql "SELECT count(*) FROM responses WHERE id LIKE 'resp_bad%'")" 0 "  and deleted"

# ---- DELETE ------------------------------------------------------------------------
is "$(sql "SELECT response_id FROM conversations WHERE name = 'conv_resp_a1'")" resp_a1 \
	"conversation conv_resp_a1 points at resp_a1"
cgi PATH_INFO=/v1/responses/resp_a1 REQUEST_METHOD=DELETE
keep_err
check_envelope 401 invalid_api_key "DELETE without the key is 401"
cgi PATH_INFO=/v1/responses/resp_a1 REQUEST_METHOD=DELETE "$AUTH"
keep_err
is "$RESP_STATUS $(jget 'json.dumps(j, sort_keys=True)')" \
	'200 {"deleted": true, "id": "resp_a1", "object": "response.deleted"}' \
	"DELETE is 200 {id, object: response.deleted, deleted: true}"
is "$(sql "SELECT count(*) FROM conversations WHERE name = 'conv_resp_a1'")" 0 "  its conversation name is dropped"
is "$(sql "SELECT count(*) FROM conversations WHERE name = 'conv_resp_b2'")" 1 "  another response's name is kept"
get /v1/responses/resp_a1
check_envelope 404 response_not_found "GET after DELETE is 404"
get /v1/responses/resp_a1/input_items
check_envelope 404 response_not_found "input_items after DELETE is 404"
cgi PATH_INFO=/v1/responses/resp_a1 REQUEST_METHOD=DELETE "$AUTH"
keep_err
check_envelope 404 response_not_found "a second DELETE is 404"
unlike "$(cat "$T/stderr.all")" 'runtime error|AddressSanitizer|LeakSanitizer' "no sanitizer report in any CGI run"

# ---- what POST stored, read back; eviction at the cap (CGI) ------------------------
start_upstream up
phome=$T/phome
chat_env "$phome" API_SERVER_MAX_STORED_RESPONSES=3
CGI_HOME=$phome
DB=$phome/state.db
# post JSON: POST /v1/responses as CGI.
post() {
	printf '%s' "$1" > "$T/post.json"
	CGI_STDIN=$T/post.json
	cgi REQUEST_METHOD=POST PATH_INFO=/v1/responses CONTENT_TYPE=application/json \
		CONTENT_LENGTH="$(wc -c < "$T/post.json" | tr -d ' ')" "$AUTH"
	CGI_STDIN=/dev/null
	keep_err
}
up_script '[{"reply":"First answer."}]'
post '{"model":"hermes-agent","conversation":"c1","metadata":{"k":"v"},"input":[{"role":"developer","content":"Be brief."},{"type":"message","role":"user","content":[{"type":"input_text","text":"first"},{"type":"input_text","text":"question"}]}]}'
is "$RESP_STATUS" 200 "POST /v1/responses is 200"
cp "$RESP_BODY" "$T/r1.json"
r1=$(jget 'j["id"]')
get "/v1/responses/$r1"
is "$RESP_STATUS" 200 "GET of the POSTed response is 200"
is "$(jget 'json.dumps(j, sort_keys=True)')" "$(jget 'json.dumps(j, sort_keys=True)' "$T/r1.json")" \
	"GET returns exactly what POST returned"
get "/v1/responses/$r1/input_items" 'order=asc'
is "$RESP_STATUS $(jget '[(d.get("type"), d.get("role")) for d in j["data"]]')" \
	'200 [["message", "developer"], ["message", "user"]]' "input_items: the request's two input items, in request order (asc)"
is "$(jget '[c["text"] for c in j["data"][1]["content"]]')" '["first", "question"]' "  the user item's parts as sent"
is "$(jget 'all(isinstance(d.get("id"), str) and d["id"] for d in j["data"]) and j["first_id"] == j["data"][0]["id"] and j["last_id"] == j["data"][-1]["id"]')" \
	true "  every item has an id; first_id/last_id name the ends"
first=$(jget 'j["first_id"]')
get "/v1/responses/$r1/input_items" 'limit=1'
is "$(jget '[len(j["data"]), j["has_more"]]')" '[1, true]' "  limit=1: one item, has_more"
get "/v1/responses/$r1/input_items" "limit=1&after=$(jget 'j["last_id"]')"
is "$(jget '[j["first_id"], j["has_more"]]')" "[\"$first\", false]" "  the next page (after) is the other item, and the last"
is "$(sql "SELECT response_id FROM conversations WHERE name = 'c1'")" "$r1" "conversation c1 points at the first response"

# Three more responses with a cap of 3: the least recently used (the first)
# is evicted, with its conversation name.
for n in 2 3 4; do
	up_script '[{"reply":"Answer '"$n"'."}]'
	post '{"input":"turn '"$n"'"}'
	is "$RESP_STATUS" 200 "POST number $n is 200"
done
is "$(sql 'SELECT count(*) FROM responses')" 3 "the store holds API_SERVER_MAX_STORED_RESPONSES=3 responses"
get "/v1/responses/$r1"
check_envelope 404 response_not_found "the evicted first response is 404"
get "/v1/responses/$r1/input_items"
check_envelope 404 response_not_found "  and its input_items too"
is "$(sql "SELECT count(*) FROM conversations WHERE name = 'c1'")" 0 "  its conversation name is freed"
up_script '[{"reply":"A new start."}]'
post '{"input":"again","conversation":"c1"}'
is "$RESP_STATUS $(jget 'j["previous_response_id"]')" "200 null" \
	"the freed name starts a new conversation (no previous response, no 404)"
up_requests "$T/up.json"
is "$(jget '[m["role"] for m in j[-1]["body"]["messages"] if m["role"] != "system"]' "$T/up.json")" '["user"]' \
	"  and the upstream got none of the evicted turns"
unlike "$(cat "$T/stderr.all")" 'runtime error|AddressSanitizer|LeakSanitizer' "no sanitizer report in the POST runs"

# ---- through lighttpd ------------------------------------------------------------------
lhome=$T/lhome
mk_home "$lhome"
start_lighttpd rget /hermes "$lhome"
base=http://127.0.0.1:$LIGHTTPD_PORT/hermes
H="Authorization: Bearer $TEST_KEY"
http GET "$base/v1/responses/resp_x" -H "$H"
check_envelope 404 response_not_found "lighttpd: an unknown id is 404"
DB=$lhome/state.db
put_row resp_l1 3
http GET "$base/v1/responses/resp_l1" -H "$H"
is "$RESP_STATUS $(jget '[j["id"], j["object"], "hermes_store" in j]')" '200 ["resp_l1", "response", false]' \
	"lighttpd: GET returns the stored object without hermes_store"
http GET "$base/v1/responses/resp_l1/input_items?limit=2&order=asc" -H "$H"
is "$RESP_STATUS $(jget '[d["id"] for d in j["data"]] + [j["has_more"]]')" \
	'200 ["msg_resp_l1_1", "msg_resp_l1_2", true]' "lighttpd: input_items pages"
http GET "$base/v1/responses/resp_l1/input_items?after=msg_resp_l1_2&order=asc" -H "$H"
is "$RESP_STATUS $(jget '[d["id"] for d in j["data"]] + [j["has_more"]]')" \
	'200 ["msg_resp_l1_3", false]' "lighttpd: the next page with after"
http GET "$base/v1/responses/resp_l1/input_items?order=sideways" -H "$H"
check_envelope 400 invalid_value "lighttpd: a wrong order is 400"
for id in 'resp%2E1' 'r%C3%A9sp' "resp_$(printf 'b%.0s' $(seq 1 200))" 'a%20b'; do
	http GET "$base/v1/responses/$id" -H "$H"
	check_envelope 404 response_not_found "lighttpd: id $(printf %.16s "$id") is 404"
done
sql "INSERT INTO responses(id, data, session_id, created_at, accessed_at)
     VALUES('resp_lbad', '{\"id\":', NULL, 1, 1)"
http GET "$base/v1/responses/resp_lbad" -H "$H"
check_envelope 404 response_not_found "lighttpd: a corrupt row is 404"
http DELETE "$base/v1/responses/resp_l1" -H "$H"
is "$RESP_STATUS $(jget '[j["id"], j["object"], j["deleted"]]')" '200 ["resp_l1", "response.deleted", true]' \
	"lighttpd: DELETE"
is "$(sql "SELECT count(*) FROM conversations")" 0 "lighttpd: the conversation name went with it"
http GET "$base/v1/responses/resp_l1" -H "$H"
check_envelope 404 response_not_found "lighttpd: GET after DELETE is 404"
http GET "$base/v1/capabilities" -H "$H"
is "$(jget '[j["features"][k] for k in ("responses_api", "responses_retrieve", "responses_delete", "responses_input_items")]')" \
	'[true, true, true, true]' "capabilities: the Responses flags"
is "$(jget '[j["endpoints"][k]["method"] + " " + j["endpoints"][k]["path"] for k in ("responses", "response", "response_delete", "response_input_items")]')" \
	'["POST /v1/responses", "GET /v1/responses/{id}", "DELETE /v1/responses/{id}", "GET /v1/responses/{id}/input_items"]' \
	"capabilities: the four Responses endpoints"
unlike "$(cat "$LIGHTTPD_DIR/hermes-fcgi.log")" 'runtime error|AddressSanitizer|LeakSanitizer' \
	"no sanitizer report from the responders"
done_testing
