# tests/integration/sessions_cases.sh: the sessions API cases (issue 13),
# run against a server in front of hermes-fcgi (lighttpd, Apache+mod_fcgid)
# whose responders talk to the scripted upstream (tests/upstream).
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh and chat_cases.sh (chat_env, up_script, up_requests,
# chat_stream, pycheck, check, hermesctl_home). Gives:
#   sessions_env HOME [NAME=VALUE...]
#                        chat_env HOME with HERMES_RUNNER=/bin/true (a run
#                        stays queued: it holds its session) and the extras
#   run_sessions_cases BASE KEY LABEL HOME
#                        every endpoint and error, paging over 250 sessions,
#                        fork (at a message, independence both ways), the
#                        stream against GET .../messages (two tool rounds),
#                        a session made by chat completions, delete → 409
#                        while a run holds the session, hermesctl sessions
#   run_sessions_rotation_cases BASE KEY LABEL
#                        for a server from sessions_env HOME
#                        HERMES_CONTEXT_LENGTH=256
#                        HERMES_COMPRESSION_THRESHOLD=0.5: a turn that
#                        compression rotates, streamed and not
#   run_sessions_nodb_cases BASE KEY LABEL
#                        for a server whose state.db cannot be opened:
#                        every endpoint is 503 session_db_unavailable

SESSION_CHECK=$top_srcdir/tests/integration/session_check.py

# sessions_env HOME [NAME=VALUE...]
sessions_env() {
	local home=$1
	shift
	chat_env "$home" HERMES_RUNNER=/bin/true "$@"
}

# sreq METHOD PATH [JSON] [curl args]: a request to the sessions API (http()).
sreq() {
	local method=$1 path=$2 body=${3-}
	shift 2
	[ $# -eq 0 ] || shift
	if [ -n "$body" ]; then
		printf '%s' "$body" > "$T/sreq.json"
		http "$method" "$SB$path" -H "Authorization: Bearer $SK" -H 'Content-Type: application/json' \
			--data-binary "@$T/sreq.json" "$@"
	elif [ "$method" = POST ]; then
		# No body: an empty one (Content-Length: 0; lighttpd refuses a
		# POST without the header with 411).
		http "$method" "$SB$path" -H "Authorization: Bearer $SK" --data-binary '' "$@"
	else
		http "$method" "$SB$path" -H "Authorization: Bearer $SK" "$@"
	fi
}

# screate [JSON]: POST /api/sessions; SID gets the new id.
screate() {
	sreq POST /api/sessions "${1-}"
	SID=$(jget 'j.get("id") or ""')
}

# smsgs ID FILE: GET /api/sessions/ID/messages (all, limit 1000) into FILE.
smsgs() {
	sreq GET "/api/sessions/$1/messages?limit=1000"
	cp "$RESP_BODY" "$2"
}

# sstream ID JSON OUT [client options]: POST /api/sessions/ID/chat/stream.
sstream() {
	local id=$1
	shift
	CHAT_PATH=/api/sessions/$id/chat/stream chat_stream "$SB" "$SK" "$@"
}

SB=
SK=

run_sessions_cases() {
	SB=${1%/}
	SK=$2
	local where=$3 home=$4 sid sid2 fork fork2 mid n rid i

	# ---- capabilities ---------------------------------------------------------
	sreq GET /v1/capabilities
	check "$where: capabilities: session_* features true, the nine endpoints listed" "$(pycheck "$RESP_BODY" '
f = j["features"]; e = j["endpoints"]
for k in ("session_resources", "session_chat", "session_chat_streaming", "session_fork"):
    if f.get(k) is not True:
        print("feature %s = %r" % (k, f.get(k)))
want = {"sessions": ("GET", "/api/sessions"), "session_create": ("POST", "/api/sessions"),
        "session": ("GET", "/api/sessions/{session_id}"),
        "session_update": ("PATCH", "/api/sessions/{session_id}"),
        "session_delete": ("DELETE", "/api/sessions/{session_id}"),
        "session_messages": ("GET", "/api/sessions/{session_id}/messages"),
        "session_fork": ("POST", "/api/sessions/{session_id}/fork"),
        "session_chat": ("POST", "/api/sessions/{session_id}/chat"),
        "session_chat_stream": ("POST", "/api/sessions/{session_id}/chat/stream")}
for k, (m, p) in want.items():
    got = e.get(k) or {}
    if (got.get("method"), got.get("path")) != (m, p):
        print("endpoint %s = %r, want %s %s" % (k, got, m, p))
')"

	# ---- create, get, rename ---------------------------------------------------
	screate '{"title":"Sessions test","system_prompt":"SYSTEM-OF-THE-SESSION"}'
	sid=$SID
	is "$RESP_STATUS" 201 "$where: POST /api/sessions → 201"
	check "$where: the created session: id, title, source, counts, has_system_prompt, no prompt text" "$(pycheck "$RESP_BODY" '
import re
if not re.match(r"^[0-9]{8}_[0-9]{6}_[0-9a-f]{6}$", j.get("id", "")): print("id %r" % j.get("id"))
for k, v in (("title", "Sessions test"), ("source", "api_server"), ("message_count", 0),
             ("has_system_prompt", True), ("parent_session_id", None), ("ended_at", None),
             ("end_reason", None), ("input_tokens", 0), ("output_tokens", 0),
             ("last_message_preview", None), ("object", "hermes.session")):
    if k not in j or j[k] != v: print("%s = %r, want %r" % (k, j.get(k, "<absent>"), v))
if not isinstance(j.get("started_at"), float): print("started_at %r" % j.get("started_at"))
if "SYSTEM-OF-THE-SESSION" in json.dumps(j) or "system_prompt" in j: print("the prompt is shown")
')"
	sreq POST /api/sessions
	is "$RESP_STATUS $(jget 'j["title"]')" "201 null" "$where: POST /api/sessions without a body → 201, untitled"
	sreq POST /api/sessions '{"title":5}'
	check_envelope 400 invalid_type "$where: POST /api/sessions with a title that is no string → 400"
	sreq GET "/api/sessions/$sid"
	is "$RESP_STATUS $(jget 'j["id"]') $(jget 'j["title"]')" "200 $sid Sessions test" "$where: GET /api/sessions/{id}"
	sreq PATCH "/api/sessions/$sid" '{"title":"Renamed"}'
	is "$RESP_STATUS $(jget 'j["title"]')" "200 Renamed" "$where: PATCH title → 200 with the new title"
	sreq GET "/api/sessions/$sid"
	is "$(jget 'j["title"]')" Renamed "$where: ... and GET shows it"
	sreq PATCH "/api/sessions/$sid" '{"name":"x"}'
	check_envelope 400 missing_required_parameter "$where: PATCH without title → 400"
	sreq PATCH "/api/sessions/$sid" '{"title":"two\nlines"}'
	check_envelope 400 invalid_value "$where: PATCH with a control character in the title → 400"

	sreq PUT "/api/sessions/$sid" '{"title":"x"}'
	is "$RESP_STATUS $(hdr Allow)" "405 GET, HEAD, PATCH, DELETE" "$where: PUT /api/sessions/{id} → 405 with Allow"
	sreq GET "/api/sessions/$sid/chat"
	is "$RESP_STATUS $(hdr Allow)" "405 POST" "$where: GET …/chat → 405, Allow: POST"
	http GET "$SB/api/sessions"
	check_envelope 401 "$(jget 'j["error"]["code"]')" "$where: GET /api/sessions without the key → 401"

	# ---- 404 on every endpoint --------------------------------------------------
	for i in "GET /api/sessions/nope-$$" "PATCH /api/sessions/nope-$$ {\"title\":\"x\"}" \
		"DELETE /api/sessions/nope-$$" "GET /api/sessions/nope-$$/messages" \
		"POST /api/sessions/nope-$$/fork {}" "POST /api/sessions/nope-$$/chat {\"message\":\"hi\"}" \
		"POST /api/sessions/nope-$$/chat/stream {\"message\":\"hi\"}"; do
		# shellcheck disable=SC2086
		set -- $i
		sreq "$1" "$2" "${3-}"
		check_envelope 404 session_not_found "$where: $1 ${2%%nope*}{unknown}${2##*nope-$$} → 404 session_not_found"
	done

	# ---- chat: JSON answer, stored system prompt, errors --------------------------
	up_script '[{"reply":"Hello from the session."}]'
	sreq POST "/api/sessions/$sid/chat" '{"message":"first turn"}'
	is "$RESP_STATUS $(jget 'j["session_id"]') $(jget 'j["message"]["content"]')" \
		"200 $sid Hello from the session." "$where: chat → 200, the session's id, the answer"
	is "$(hdr X-Hermes-Session-Id)" "$sid" "$where: chat → X-Hermes-Session-Id"
	cp "$RESP_BODY" "$T/chat1.json"
	up_requests "$T/up.json"
	like "$(jget 'json.dumps(j[0]["body"]["messages"][0])' "$T/up.json")" 'SYSTEM-OF-THE-SESSION' \
		"$where: chat: the session's stored system prompt reached the upstream"
	smsgs "$sid" "$T/m1.json"
	check "$where: chat: the answer's messages equal the turn in GET .../messages" \
		"$("$PYTHON" "$SESSION_CHECK" turn "$T/m1.json" <(jget 'json.dumps(j["messages"])' "$T/chat1.json"))"
	is "$(jget '[m["role"] for m in j["data"]]' "$T/m1.json")" '["user", "assistant"]' \
		"$where: GET .../messages: the user message and the answer, in order"
	sreq GET "/api/sessions/$sid"
	is "$(jget 'j["message_count"], j["last_message_preview"]')" '[2, "Hello from the session."]' \
		"$where: the summary counts the messages and previews the last one"
	sreq POST "/api/sessions/$sid/chat" '{}'
	check_envelope 400 missing_message "$where: chat without a message → 400 missing_message"
	sreq POST "/api/sessions/$sid/chat" '{"message":""}'
	check_envelope 400 missing_message "$where: chat with an empty message → 400 missing_message"
	sreq POST "/api/sessions/$sid/chat/stream" '{"input":[]}'
	check_envelope 400 missing_message "$where: stream with an empty input → 400 missing_message (no stream)"
	sreq POST "/api/sessions/$sid/chat" '{"message":"hi","system_message":["x"]}'
	check_envelope 400 invalid_system_message "$where: chat with a system_message that is no string → 400"
	sreq POST "/api/sessions/$sid/chat" '{"message":"hi","instructions":5}'
	check_envelope 400 invalid_system_message "$where: chat with instructions that are no string → 400"
	sreq POST "/api/sessions/$sid/chat" '{"message":'
	check_envelope 400 invalid_json "$where: chat with malformed JSON → 400"
	smsgs "$sid" "$T/m1b.json"
	is "$(jget 'len(j["data"])' "$T/m1b.json")" 2 "$where: the refused requests added no message"

	# ---- content parts and the session key (a session of their own) ------------------------
	screate '{"title":"parts"}'
	up_script '[{"reply":"parts answered"}]'
	sreq POST "/api/sessions/$SID/chat" '{"input":[{"type":"input_text","text":"PARTS-TURN"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}' \
		-H 'X-Hermes-Session-Key: sessions-key-1'
	is "$RESP_STATUS $(jget 'j["message"]["content"]') $(hdr X-Hermes-Session-Key)" "200 parts answered sessions-key-1" \
		"$where: chat with input parts (text + image) → 200; X-Hermes-Session-Key echoed"
	up_requests "$T/up.json"
	check "$where: ... the upstream got the text and the image as parts" "$(pycheck "$T/up.json" '
u = j[0]["body"]["messages"][-1]
c = u.get("content")
if not isinstance(c, list) or "PARTS-TURN" not in json.dumps(c) or "image_url" not in json.dumps(c):
    print("last message %s" % json.dumps(u)[:300])
')"
	sreq POST "/api/sessions/$SID/chat/stream" '{"input":[{"type":"input_audio","input_audio":{"data":"eA==","format":"wav"}}]}'
	check_envelope 400 "$(jget 'j["error"]["code"]')" "$where: a stream with an audio part → a 400 envelope, no stream"
	like "$(jget 'j["error"]["message"]')" 'not supported' "$where: ... saying the part is not supported"

	# ---- a failing upstream ------------------------------------------------------------------
	up_script '[{"status":500},{"status":500},{"status":500},{"status":500}]'
	sreq POST "/api/sessions/$SID/chat" '{"message":"this turn fails"}'
	check_envelope 502 "$(jget 'j["error"]["code"]')" "$where: chat whose upstream fails → 502 envelope"
	up_script '[{"status":500},{"status":500},{"status":500},{"status":500}]'
	sstream "$SID" '{"message":"this stream fails"}' "$T/stf.json"
	check "$where: a stream whose upstream fails: run.started … error, done (seq without gaps)" "$(pycheck "$T/stf.json" '
evs = j.get("events", [])
names = [e["event"] for e in evs]
if j.get("status") != 200 or not names or names[0] != "run.started" or names[-2:] != ["error", "done"]:
    print("status %s, events %s" % (j.get("status"), names))
elif "assistant.completed" in names or "run.completed" in names:
    print("completion events after a failure: %s" % names)
else:
    d = [json.loads(e["data"]) for e in evs]
    if [x.get("seq") for x in d] != list(range(1, len(d) + 1)): print("seq %s" % [x.get("seq") for x in d])
    if not d[-2].get("message"): print("error without a message")
')"

	# ---- the stream, two tool rounds -------------------------------------------------
	up_script '[{"reply":"Let me look. ","tool_calls":[{"id":"call_s1","name":"memory","arguments":"{\"action\":\"read\"}"}]},
		{"tool_calls":[{"id":"call_s2","name":"todo","arguments":"{}"}]},
		{"reply":"All checked: nothing to do.","chunk_size":5}]'
	sstream "$sid" '{"message":"second turn with tools"}' "$T/st1.json"
	smsgs "$sid" "$T/m2.json"
	check "$where: stream with two tool rounds: framing, common fields, order; run.completed.messages = GET .../messages of the turn" \
		"$("$PYTHON" "$SESSION_CHECK" stream "$T/st1.json" "$T/m2.json" "$sid")" \
		"events: $(jget '[e["event"] for e in j["events"]]' "$T/st1.json")"
	is "$(jget '[m["role"] for m in json.loads(j["events"][-2]["data"])["messages"]]' "$T/st1.json")" \
		'["assistant", "tool", "assistant", "tool", "assistant"]' "$where: stream: the turn is assistant, tool, assistant, tool, assistant"
	is "$(jget 'sorted(e["event"] for e in j["events"] if e["event"] in ("message.started", "tool.started", "tool.completed")).count("message.started")' "$T/st1.json")" 3 \
		"$where: stream: one message.started per model call (3)"
	up_requests "$T/up.json"
	check "$where: stream: the upstream saw the first turn (history from the store)" "$(pycheck "$T/up.json" '
ms = json.dumps(j[0]["body"]["messages"])
for w in ("first turn", "Hello from the session.", "second turn with tools"):
    if w not in ms: print("%r not in the first upstream request" % w)
')"

	# ---- messages paging ----------------------------------------------------------
	n=$(jget 'len(j["data"])' "$T/m2.json")
	"$PYTHON" - "$SB" "$SK" "$sid" "$T/m2.json" > "$T/mpage.out" 2>&1 <<'PY'
import json, sys, urllib.request
base, key, sid, allf = sys.argv[1:5]
want = json.load(open(allf))["data"]
got, after, pages = [], 0, 0
while pages < 50:
    u = "%s/api/sessions/%s/messages?limit=2&after=%d" % (base, sid, after)
    r = json.load(urllib.request.urlopen(urllib.request.Request(u, headers={"Authorization": "Bearer " + key})))
    got += r["data"]; pages += 1
    if not r["has_more"]: break
    after = r["next_after"]
if got != want: print("pages of 2 give %s, want %s" % ([m["id"] for m in got], [m["id"] for m in want]))
ids = [m["id"] for m in got]
if ids != sorted(set(ids)): print("ids not strictly increasing: %s" % ids)
PY
	check "$where: GET .../messages in pages of 2 (after=) gives all $n messages once, in order" "$(cat "$T/mpage.out")"
	sreq GET "/api/sessions/$sid/messages?limit=0"
	check_envelope 400 invalid_value "$where: messages?limit=0 → 400"
	check "$where: messages carry only the whitelisted keys" "$(pycheck "$T/m2.json" '
ok = {"id", "session_id", "role", "content", "tool_call_id", "tool_calls", "tool_name", "timestamp",
      "token_count", "finish_reason", "reasoning", "reasoning_content"}
for m in j["data"]:
    if set(m) - ok: print("extra keys %s" % (set(m) - ok))
    if not isinstance(m.get("id"), int): print("id %r" % m.get("id"))
t = [m for m in j["data"] if m["role"] == "tool"]
if not t or t[0].get("tool_call_id") != "call_s1" or t[0].get("tool_name") != "memory": print("tool message %s" % t[:1])
a = [m for m in j["data"] if m.get("tool_calls")]
if not a or a[0]["tool_calls"][0]["id"] != "call_s1": print("tool_calls not an array of calls: %s" % a[:1])
')"

	# ---- fork ---------------------------------------------------------------------
	mid=$(jget '[m["id"] for m in j["data"] if m["role"] == "assistant"][0]' "$T/m2.json")
	sreq POST "/api/sessions/$sid/fork" "{\"message_id\":$mid,\"title\":\"Fork at $mid\"}"
	fork=$(jget 'j.get("id") or ""')
	is "$RESP_STATUS $(jget 'j["parent_session_id"], j["message_count"], j["title"], j["copied_messages"]')" \
		"201 [\"$sid\", 2, \"Fork at $mid\", 2]" "$where: fork at message $mid → 201, parent linked, 2 messages copied"
	smsgs "$fork" "$T/f1.json"
	is "$(jget '[(m["role"], m["content"]) for m in j["data"]]' "$T/f1.json")" \
		"$(jget '[(m["role"], m["content"]) for m in j["data"][:2]]' "$T/m2.json")" \
		"$where: fork at a message: the fork holds the history up to it"
	sreq POST "/api/sessions/$sid/fork" '{"message_id":999999999}'
	check_envelope 404 message_not_found "$where: fork at a message not in the session → 404 message_not_found"
	sreq POST "/api/sessions/$sid/fork" '{"message_id":"x"}'
	check_envelope 400 invalid_type "$where: fork with a message_id that is no integer → 400"
	sreq POST "/api/sessions/$sid/fork"
	fork2=$(jget 'j.get("id") or ""')
	is "$RESP_STATUS $(jget 'j["message_count"]')" "201 $n" "$where: fork without a body copies the whole history ($n)"
	up_script '[{"reply":"fork answer"}]'
	sreq POST "/api/sessions/$fork2/chat" '{"message":"only in the fork"}'
	is "$RESP_STATUS $(jget 'j["session_id"]')" "200 $fork2" "$where: a turn in the fork"
	up_requests "$T/up.json"
	like "$(jget 'json.dumps(j[0]["body"]["messages"])' "$T/up.json")" 'All checked: nothing to do' \
		"$where: ... sees the copied history"
	smsgs "$sid" "$T/m3.json"
	is "$(jget 'j["data"]' "$T/m3.json")" "$(jget 'j["data"]' "$T/m2.json")" \
		"$where: fork independence: the turn in the fork left the parent unchanged"
	up_script '[{"reply":"parent answer"}]'
	sreq POST "/api/sessions/$sid/chat" '{"message":"only in the parent"}'
	smsgs "$fork2" "$T/f2.json"
	check "$where: fork independence: a turn in the parent leaves the fork unchanged" "$(pycheck "$T/f2.json" '
c = json.dumps(j["data"])
if "only in the parent" in c or "parent answer" in c: print("the parent turn is in the fork")
if "only in the fork" not in c: print("the fork lost its own turn")
')"
	smsgs "$fork" "$T/f1b.json"
	is "$(jget 'len(j["data"])' "$T/f1b.json")" 2 "$where: ... and the fork at a message still has its 2"

	# ---- a session made by chat completions ---------------------------------------------
	local web=web-sessions-$$
	up_script '[{"reply":"I will remember PAPAYA."}]'
	printf '{"messages":[{"role":"user","content":"remember the word PAPAYA"}]}' > "$T/cc.json"
	http POST "$SB/v1/chat/completions" -H "Authorization: Bearer $SK" -H 'Content-Type: application/json' \
		-H "X-Hermes-Session-Id: $web" --data-binary "@$T/cc.json"
	is "$RESP_STATUS" 200 "$where: a chat completion with X-Hermes-Session-Id: $web"
	up_script '[{"reply":"The word was PAPAYA."}]'
	sstream "$web" '{"message":"which word?"}' "$T/st2.json"
	smsgs "$web" "$T/m4.json"
	check "$where: a session chat stream in the chat completions session" \
		"$("$PYTHON" "$SESSION_CHECK" stream "$T/st2.json" "$T/m4.json" "$web")"
	up_requests "$T/up.json"
	like "$(jget 'json.dumps(j[0]["body"]["messages"])' "$T/up.json")" 'remember the word PAPAYA.*I will remember PAPAYA' \
		"$where: ... sees the history the chat completion left"
	sreq GET "/api/sessions/$web"
	is "$(jget 'j["source"], j["message_count"]')" '["api_server", 4]' "$where: ... which GET shows (api_server, 4 messages)"

	# ---- delete, and 409 while a run holds the session ------------------------------------
	screate '{"title":"held by a run"}'
	sid2=$SID
	printf '{"input":"queued work","session_id":"%s"}' "$sid2" > "$T/run.json"
	http POST "$SB/v1/runs" -H "Authorization: Bearer $SK" -H 'Content-Type: application/json' --data-binary "@$T/run.json"
	rid=$(jget 'j.get("run_id") or ""')
	is "$RESP_STATUS" 202 "$where: a run on the session (HERMES_RUNNER=/bin/true: it stays queued)"
	sreq DELETE "/api/sessions/$sid2"
	check_envelope 409 session_in_use "$where: DELETE while a run uses the session → 409 session_in_use"
	like "$(jget 'j["error"]["message"]')" "$rid" "$where: ... naming the run"
	sreq GET "/api/sessions/$sid2"
	is "$RESP_STATUS" 200 "$where: ... and the session is still there"
	http POST "$SB/v1/runs/$rid/stop" -H "Authorization: Bearer $SK" --data-binary ""
	for i in $(seq 1 50); do
		http GET "$SB/v1/runs/$rid" -H "Authorization: Bearer $SK"
		case $(jget 'j.get("status")') in cancelled | failed | completed | interrupted) break ;; esac
		sleep 0.1
	done
	sreq DELETE "/api/sessions/$sid2"
	is "$RESP_STATUS $(jget 'j["deleted"], j["id"]')" "200 [true, \"$sid2\"]" "$where: once the run ended, DELETE → 200"
	sreq DELETE "/api/sessions/$fork2"
	is "$RESP_STATUS $(jget 'j["messages_deleted"]')" "200 $((n + 2))" "$where: DELETE a fork → 200 with its $((n + 2)) messages"
	sreq GET "/api/sessions/$fork2/messages"
	check_envelope 404 session_not_found "$where: ... its messages are gone with it"
	smsgs "$sid" "$T/m5.json"
	is "$(jget 'len(j["data"])' "$T/m5.json")" "$((n + 2))" "$where: ... and its parent keeps its messages"

	# ---- paging over 250 sessions -----------------------------------------------------------
	: > "$T/mk.cfg"
	for i in $(seq 1 250); do
		[ "$i" = 1 ] || echo next >> "$T/mk.cfg"
		printf 'url = "%s/api/sessions"\nrequest = "POST"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"title\\":\\"page %d\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
			"$SB" "$SK" "$i" >> "$T/mk.cfg"
	done
	curl -sS --max-time 300 -K "$T/mk.cfg" > "$T/mk.out" 2>&1
	is "$(sort "$T/mk.out" | uniq -c | awk '{print $1, $2}')" "250 201" "$where: 250 sessions created"
	"$PYTHON" - "$SB" "$SK" > "$T/page.out" 2>&1 <<'PY'
import json, sys, urllib.request
base, key = sys.argv[1:3]
def get(q):
    r = urllib.request.Request(base + "/api/sessions?" + q, headers={"Authorization": "Bearer " + key})
    return json.load(urllib.request.urlopen(r))
by_off, off = [], 0
while off < 2000:
    p = get("limit=37&offset=%d" % off)
    by_off += p["data"]; off += 37
    if not p["has_more"]: break
by_cur, cur = [], None
for _ in range(100):
    p = get("limit=23" + ("&cursor=" + cur if cur else ""))
    by_cur += p["data"]
    if not p["has_more"]:
        if p["next_cursor"] is not None: print("last page has a next_cursor")
        break
    cur = p["next_cursor"]
for name, got in (("offset", by_off), ("cursor", by_cur)):
    ids = [s["id"] for s in got]
    if len(ids) != len(set(ids)): print("%s paging: duplicates" % name)
    titles = {s["title"] for s in got}
    miss = [i for i in range(1, 251) if "page %d" % i not in titles]
    if miss: print("%s paging: missing page %s" % (name, miss[:5]))
    keys = [(s["started_at"], s["id"]) for s in got]
    if keys != sorted(keys, reverse=True): print("%s paging: not newest first" % name)
if [s["id"] for s in by_off] != [s["id"] for s in by_cur]: print("offset and cursor paging differ")
print("total %d" % len(by_off), file=sys.stderr)
PY
	check "$where: GET /api/sessions over 250+ sessions by offset (37) and by cursor (23): no duplicate, no gap, newest first" \
		"$(grep -v '^total' "$T/page.out")" "$(grep '^total' "$T/page.out")"
	sreq GET "/api/sessions?limit=201"
	check_envelope 400 invalid_value "$where: limit above 200 → 400"
	sreq GET "/api/sessions?limit=5&cursor=no-such-session"
	is "$RESP_STATUS $(jget 'len(j["data"])')" "200 0" "$where: an unknown cursor gives an empty page"

	# ---- hermesctl sessions -------------------------------------------------------------
	local out exp imp
	out=$(hermesctl_home "$home" sessions list --limit 3 2>&1)
	is "$(printf '%s\n' "$out" | grep -c ' msgs ')" 3 "$where: hermesctl sessions list --limit 3 shows 3"
	like "$out" 'more: --cursor [0-9_a-f]+' "$where: ... and the cursor of the next page"
	out=$(hermesctl_home "$home" sessions list --limit 3 --cursor "$(printf '%s\n' "$out" | sed -n 's/^more: --cursor //p')" 2>&1)
	is "$(printf '%s\n' "$out" | grep -c ' msgs ')" 3 "$where: hermesctl sessions list --cursor: the next 3"
	hermesctl_home "$home" sessions rename "$sid" "Renamed by hermesctl" > "$T/ctl.out" 2>&1
	sreq GET "/api/sessions/$sid"
	is "$(jget 'j["title"]')" "Renamed by hermesctl" "$where: hermesctl sessions rename"
	exp=$T/export.jsonl
	hermesctl_home "$home" sessions export "$sid" > "$exp" 2>"$T/ctl.err"
	is "$(wc -l < "$exp" | tr -d ' ')" "$((n + 2))" "$where: hermesctl sessions export: one line per message"
	imp=$(hermesctl_home "$home" sessions import - --title Imported < "$exp" 2>"$T/ctl.err")
	like "$imp" '^[0-9]{8}_[0-9]{6}_[0-9a-f]{6}$' "$where: hermesctl sessions import prints the new id"
	hermesctl_home "$home" sessions export "$imp" > "$T/export2.jsonl" 2>&1
	is "$(sha256sum < "$T/export2.jsonl")" "$(sha256sum < "$exp")" "$where: export → import → export round trip is identical"
	sreq GET "/api/sessions?source=import"
	is "$(jget '[(s["id"], s["title"], s["message_count"]) for s in j["data"]]')" "[[\"$imp\", \"Imported\", $((n + 2))]]" \
		"$where: the import is a session of source import (GET ?source=import)"
	printf '{"role":"user","content":"ok"}\nnot json\n' > "$T/bad.jsonl"
	hermesctl_home "$home" sessions import - < "$T/bad.jsonl" > "$T/ctl.out" 2>"$T/ctl.err"
	is "$? $(grep -c . "$T/ctl.out")" "1 0" "$where: a broken import fails (exit 1, no id printed)"
	sreq GET "/api/sessions?source=import"
	is "$(jget 'len(j["data"])')" 1 "$where: ... and leaves no session behind"
	out=$(hermesctl_home "$home" sessions fork "$sid" --at "$mid" --title "ctl fork" 2>&1)
	sreq GET "/api/sessions/$out"
	is "$RESP_STATUS $(jget 'j["parent_session_id"], j["message_count"], j["title"]')" "200 [\"$sid\", 2, \"ctl fork\"]" \
		"$where: hermesctl sessions fork --at"
	hermesctl_home "$home" sessions delete "$out" > "$T/ctl.out" 2>&1
	sreq GET "/api/sessions/$out"
	is "$RESP_STATUS" 404 "$where: hermesctl sessions delete"
	hermesctl_home "$home" sessions delete "$out" > "$T/ctl.out" 2>&1
	is "$?" 1 "$where: hermesctl sessions delete of an unknown session fails"
}

run_sessions_rotation_cases() {
	SB=${1%/}
	SK=$2
	local where=$3 sid tip i
	local words='with enough words in it to take a good part of the small context window of this test'

	# HERMES_CONTEXT_LENGTH=256 at 0.5, and compression keeps the last 4
	# messages: two turns of history, then the third turn is compressed
	# before its first model call and continues in a child session.
	screate '{"title":"Rotating"}'
	sid=$SID
	for i in 1 2; do
		up_script "[{\"reply\":\"answer $i $words\"}]"
		sreq POST "/api/sessions/$sid/chat" "{\"message\":\"question $i $words\"}"
		is "$RESP_STATUS $(jget 'j["session_id"]')" "200 $sid" "$where: rotation: turn $i stays in the session"
	done
	up_script '[{"match":"Summarise the conversation","reply":"SUMMARY-ROT"},{"reply":"answered after the rotation","chunk_size":6}]'
	sstream "$sid" '{"message":"third question"}' "$T/rot.json"
	tip=$(jget 'json.loads(j["events"][-2]["data"])["session_id"]' "$T/rot.json")
	like "$tip" '^[0-9]{8}_[0-9]{6}_[0-9a-f]{6}$' "$where: rotation: run.completed names a session ($tip)"
	unlike "$tip" "^$sid\$" "$where: rotation: ... the child, not the rotated one"
	smsgs "$sid" "$T/rm.json"
	check "$where: rotation: stream rules; GET .../messages of the old id reads the tip; run.completed.messages = the turn there" \
		"$("$PYTHON" "$SESSION_CHECK" stream "$T/rot.json" "$T/rm.json" "$tip")" \
		"events: $(jget '[e["event"] for e in j["events"]]' "$T/rot.json")"
	like "$(jget 'json.dumps(j["data"])' "$T/rm.json")" 'SUMMARY-ROT' "$where: rotation: the tip holds the summary"
	sreq GET "/api/sessions/$sid"
	is "$(jget 'j["end_reason"]')" compression "$where: rotation: the old session ended with reason compression"
	sreq GET "/api/sessions/$tip"
	is "$(jget 'j["parent_session_id"]')" "$sid" "$where: rotation: the child's parent is the old session"
	up_script '[{"match":"Summarise the conversation","reply":"SUMMARY-ROT2"},{"reply":"fourth answer"}]'
	sreq POST "/api/sessions/$sid/chat" '{"message":"fourth question, through the old id"}'
	is "$RESP_STATUS" 200 "$where: rotation: a turn through the old id"
	unlike "$(jget 'j["session_id"]')" "^$sid\$" "$where: rotation: ... reports the effective id ($(jget 'j["session_id"]'))"
	cp "$RESP_BODY" "$T/rc.json"
	smsgs "$sid" "$T/rm2.json"
	check "$where: rotation: the JSON answer's messages equal the turn in GET .../messages" \
		"$("$PYTHON" "$SESSION_CHECK" turn "$T/rm2.json" <(jget 'json.dumps(j["messages"])' "$T/rc.json"))"
}

run_sessions_nodb_cases() {
	SB=${1%/}
	SK=$2
	local where=$3 i
	for i in "GET /api/sessions" "POST /api/sessions {}" "GET /api/sessions/x" "PATCH /api/sessions/x {\"title\":\"t\"}" \
		"DELETE /api/sessions/x" "GET /api/sessions/x/messages" "POST /api/sessions/x/fork {}" \
		"POST /api/sessions/x/chat {\"message\":\"hi\"}" "POST /api/sessions/x/chat/stream {\"message\":\"hi\"}"; do
		# shellcheck disable=SC2086
		set -- $i
		sreq "$1" "$2" "${3-}"
		check_envelope 503 session_db_unavailable "$where: store unavailable: $1 $2 → 503 session_db_unavailable"
	done
	like "$(jget 'j["error"]["message"]')" 'Session database unavailable: .+' "$where: store unavailable: the message names the cause"
}
