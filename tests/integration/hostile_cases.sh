# tests/integration/hostile_cases.sh: a hostile client against the newest
# endpoints (the sessions API, background responses, client tools, model
# routing), run against a server in front of hermes-fcgi whose responders
# talk to the scripted upstream and queue background responses on the
# hermes-runner daemon.
# SPDX-License-Identifier: MIT
#
# The test declares HOSTILE_FRONT (bash associative array, see
# run_hostile_cases) before it calls run_hostile_cases.
# Sourced after lib.sh, chat_cases.sh (chat_env, up_script, up_wait_requests,
# pycheck, check, sqlite_home, responder_pid) and runs_cases.sh (runs_env).
# Gives:
#   run_hostile_cases BASE KEY LABEL HOME LOG
#       for a server with ONE responder (LOG: its stderr): every wrong JSON
#       type of every typed member (hostile_matrix.py); bodies that are no
#       object, too deep, too large; query parameters out of range or
#       garbage; odd and overlong path ids; session headers that are not
#       UTF-8 text; requests the server in front may answer itself (odd
#       bytes in the path, long URIs and headers, too many headers, an
#       unknown method: as the test's HOSTILE_FRONT table says, then the
#       next request works on the same responder); chunked and
#       100-continue bodies, bodies cut short, a broken chunk size; the
#       responder SIGKILLed before a head (the server's own answer, as
#       HOSTILE_FRONT[dead] says); a fork title of two lines; each refusal logged with its
#       reason; a DELETE and a second turn while a turn runs in the session
#       (from another process: plain CGI); the responder
#       SIGKILLed in the middle of a session chat stream and a background
#       response's worker SIGKILLed (state.db intact, the next requests
#       work); the responder's descriptors and memory over ~300 such
#       requests.
# Each case is one the server once got wrong, or guards an area where it
# got nothing wrong (see the comments).

HOSTILE_MATRIX=$top_srcdir/tests/integration/hostile_matrix.py

HB=
HK=

# hreq METHOD PATH [curl args...]: a request with the key (http()).
hreq() {
	local method=$1 path=$2
	shift 2
	http "$method" "$HB$path" -H "Authorization: Bearer $HK" "$@"
}

# hjson METHOD PATH BODY [curl args...]: with BODY as application/json.
hjson() {
	local method=$1 path=$2
	printf '%s' "$3" > "$T/hostile.json"
	shift 3
	hreq "$method" "$path" -H 'Content-Type: application/json' --data-binary "@$T/hostile.json" "$@"
}

# proc_fds PID, proc_rss_kb PID
proc_fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l | tr -d ' '; }
proc_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# db_ok HOME: PRAGMA integrity_check of HOME/state.db ("ok" when intact).
db_ok() { sqlite_home "$1" 'PRAGMA integrity_check;' 2>&1 | tr '\n' ' ' | sed 's/ $//'; }

# wait_file_match FILE ERE SECONDS: until FILE has a line matching ERE.
wait_file_match() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# slow_stream SID MESSAGE REPLY OUT: POST MESSAGE to .../SID/chat/stream in
# the background (STREAM_PID), the upstream answering REPLY two characters
# at a time, 0.15 s apart, into OUT; returns once the first delta is there.
STREAM_PID=
slow_stream() {
	up_script "[{\"reply\":\"$3\",\"chunk_size\":2,\"delay\":0.15}]"
	curl -sN --max-time 60 -H "Authorization: Bearer $HK" -H 'Content-Type: application/json' \
		--data-binary "{\"message\":\"$2\"}" "$HB/api/sessions/$1/chat/stream" > "$4" 2>/dev/null &
	STREAM_PID=$!
	wait_file_match "$4" 'assistant.delta' 30 || diag "no delta in $(head -c 300 "$4")"
}

run_hostile_cases() {
	HB=${1%/}
	HK=$2
	local where=$3 home=$4 log=$5 sid rid pid fds0 fds1 rss0 rss1 i n xri worker
	local runner_pid long

	hjson POST /api/sessions '{"title":"hostile"}'
	sid=$(jget 'j.get("id") or ""')
	is "$RESP_STATUS" 201 "$where: a session to attack"

	# ---- every wrong type of every typed member ------------------------------
	# Found: the tool_calls of an assistant message in a chat history were
	# sent upstream unchecked (a number, a string, arguments as an object).
	check "$where: each member of sessions, responses, client tools and routing with each wrong JSON type → 400 with the code and param" \
		"$("$PYTHON" "$HOSTILE_MATRIX" "$HB" "$HK" "$sid" 2>&1)"

	# ---- bodies --------------------------------------------------------------
	# Found: a body that was a bare number or null said "unexpected end of
	# input" instead of what is wrong with it.
	for b in 5 null true '"text"' '[]'; do
		hjson POST /api/sessions "$b"
		check_envelope 400 invalid_json "$where: POST /api/sessions with the body $b → 400 invalid_json"
		like "$(jget 'j["error"]["message"]')" 'must be a JSON object' \
			"$where: ... saying the body must be a JSON object"
	done
	hjson POST /v1/chat/completions '{"messages":[{"role":"user","content":"hi"}]} x'
	check_envelope 400 invalid_json "$where: trailing bytes after the JSON value → 400 invalid_json"
	# 100,000 levels of nesting: refused before json-c recurses.
	"$PYTHON" -c 'import sys; n = 100000; sys.stdout.write("{\"title\":" + "[" * n + "]" * n + "}")' > "$T/deep.json"
	hreq POST /api/sessions -H 'Content-Type: application/json' --data-binary "@$T/deep.json"
	check_envelope 400 invalid_json "$where: 100,000 levels of nesting → 400 invalid_json"
	like "$(jget 'j["error"]["message"]')" 'too deep' "$where: ... saying the nesting is too deep"
	hreq POST /v1/responses -H 'Content-Type: application/json' --data-binary "@$(big_body)"
	check_envelope 413 body_too_large "$where: a body over the cap on /v1/responses → 413"
	# Duplicate keys: the last one counts (as json-c and OpenAI's parser do),
	# so a valid value cannot hide a wrong one.
	hjson POST /v1/responses '{"input":"hi","background":true,"background":"yes"}'
	check_envelope 400 invalid_type "$where: a duplicate key: the last value is checked"

	# Found: a tool schema nested 30 deep (the edge allows 64) was stored,
	# read back with json-c's default depth of 32, taken for corrupt JSON and
	# the stored response deleted: GET was 404, chaining off it 400.
	"$PYTHON" -c 'import sys; k = 60; sys.stdout.write("{\"input\":\"deep schema\",\"BG\"\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":" + "{\"a\":" * k + "1" + "}" * k + "}]}")' > "$T/schema.tmpl"
	sed 's/"BG"//' "$T/schema.tmpl" > "$T/schema.json"
	up_script '[{"reply":"schema seen"}]'
	hreq POST /v1/responses -H 'Content-Type: application/json' --data-binary "@$T/schema.json"
	rid=$(jget 'j.get("id") or ""')
	is "$RESP_STATUS" 200 "$where: a response with a tool schema nested 60 deep → 200"
	hreq GET "/v1/responses/$rid"
	is "$RESP_STATUS $(jget 'j["id"]')" "200 $rid" "$where: ... it reads back (GET → 200)"
	hjson POST /v1/responses "{\"input\":\"next\",\"previous_response_id\":\"$rid\"}"
	is "$RESP_STATUS" 200 "$where: ... and a response chains off it"
	sed 's/"BG"/"background":true,/' "$T/schema.tmpl" > "$T/schema-bg.json"
	up_script '[{"reply":"schema seen in the background"}]'
	hreq POST /v1/responses -H 'Content-Type: application/json' --data-binary "@$T/schema-bg.json"
	rid=$(jget 'j.get("id") or ""')
	is "$(resp_wait "$HB" "$HK" "$rid" 'completed|failed|cancelled' 60)" completed \
		"$where: the same in the background: the worker reads its request, completes"
	hreq GET "/v1/responses/$rid?stream=true"
	is "$RESP_STATUS $(grep -c '^event: response\.\(created\|completed\)$' "$RESP_BODY")" "200 2" \
		"$where: ... and its resumed stream holds response.created and response.completed"

	# Found: a string with an embedded NUL was read as the C string before
	# it: "model":"local\u0000x" was routed to the model "local".
	hjson POST /v1/chat/completions '{"model":"hermes-agent\u0000x","messages":[{"role":"user","content":"hi"}]}'
	check_envelope 400 invalid_value "$where: chat: a model name with \\u0000 in it → 400 invalid_value"
	is "$(jget 'j["error"]["param"]')" model "$where: ... param model"
	hjson POST /v1/responses '{"model":"hermes-agent\u0000x","input":"hi","background":true}'
	check_envelope 400 invalid_value "$where: background response: a model name with \\u0000 → 400 invalid_value"

	# ---- query parameters ---------------------------------------------------
	# Found: limit=-1 said "from 0 to 200" while 0 is refused too.
	hreq GET "/api/sessions?limit=-1"
	check_envelope 400 invalid_value "$where: GET /api/sessions?limit=-1 → 400 invalid_value"
	like "$(jget 'j["error"]["message"]')" 'from 1 to 200' "$where: ... naming the range 1 to 200"
	hreq GET "/api/sessions/$sid/messages?limit=0"
	like "$RESP_STATUS $(jget 'j["error"]["message"]')" '^400 .*from 1 to 1000' \
		"$where: GET .../messages?limit=0 → 400 naming the range 1 to 1000"
	for q in limit=1e9 limit=99999999999999999999 limit=abc 'limit=' offset=-5 offset=abc; do
		hreq GET "/api/sessions?$q"
		check_envelope 400 invalid_value "$where: GET /api/sessions?$q → 400 invalid_value"
	done
	hreq GET "/api/sessions/$sid/messages?after=abc"
	check_envelope 400 invalid_value "$where: GET .../messages?after=abc → 400 invalid_value"
	hreq GET "/api/sessions?cursor=garbage"
	is "$RESP_STATUS $(jget '[len(j["data"]), j["has_more"]]')" "200 [0, false]" \
		"$where: an unknown cursor is an empty last page"
	hreq GET "/api/sessions?$(printf 'a=1&%.0s' $(seq 1 70))"
	check_envelope 400 invalid_query_string "$where: 70 query parameters → 400 invalid_query_string"

	# ---- path ids ----------------------------------------------------------
	hreq GET "/api/sessions/$(printf 'a%.0s' $(seq 1 256))"
	check_envelope 404 session_not_found "$where: a 256-byte session id → 404 session_not_found"
	# Found: a session named by a 256-byte X-Hermes-Session-Id (allowed) was
	# stored under its first 127 bytes: the next turn under the same header
	# lost the history, and /api/sessions/{id} could not find it.
	long=$(printf 'L%.0s' $(seq 1 256))
	up_script '[{"reply":"first"},{"reply":"second"}]'
	for i in 1 2; do
		hjson POST /v1/chat/completions "{\"messages\":[{\"role\":\"user\",\"content\":\"turn $i\"}]}" \
			-H "X-Hermes-Session-Id: $long"
	done
	is "$RESP_STATUS $(hdr X-Hermes-Session-Id)" "200 $long" "$where: a 256-byte X-Hermes-Session-Id is echoed whole"
	hreq GET "/api/sessions/$long/messages"
	is "$RESP_STATUS $(jget '[m["content"] for m in j["data"]]')" \
		'200 ["turn 1", "first", "turn 2", "second"]' \
		"$where: ... and GET /api/sessions/{that id}/messages holds both turns"
	hreq DELETE "/api/sessions/$long"
	is "$RESP_STATUS" 200 "$where: ... and DELETE finds it"
	hreq DELETE "/api/sessions/$(printf 'a%.0s' $(seq 1 300))"
	check_envelope 404 not_found "$where: a 300-byte session id → 404 (no route)"
	hreq GET "/api/sessions/%C3%A9%20x/messages"
	check_envelope 404 session_not_found "$where: a %-encoded unicode id → 404 session_not_found"
	hjson POST "/v1/responses/resp_$(printf 'b%.0s' $(seq 1 200))/cancel" '{}'
	check_envelope 404 response_not_found "$where: cancel of an overlong response id → 404"
	hreq GET "/v1/responses/resp_nope?stream=true&starting_after=-5"
	like "$RESP_STATUS" '^(400|404)$' "$where: resume of an unknown id with starting_after=-5 → 4xx, not 5xx"

	# ---- requests the web server in front may answer itself ----------------
	# What reaches hermes-fcgi differs by server: HOSTILE_FRONT (an
	# associative array the test declares) gives, per case, "hermes STATUS
	# [CODE]" (hermes-fcgi answers: an envelope with CODE, or STATUS alone)
	# or "server STATUS" (the server answers itself: no hermes envelope).
	# Either way no 5xx, and the responder lives on.
	pid=$(responder_pid "$HB" "$HK")
	long=$(printf 'u%.0s' $(seq 1 9000))
	front_case pct_ff "an id of %FF%FE (not UTF-8)" GET "/api/sessions/%FF%FE"
	front_case raw_ff "an id of the raw bytes FF FE" GET "/api/sessions/$(printf '\377\376')"
	front_case overlong_utf8 "a path with %C0%AF (overlong /)" GET "/v1/models/%C0%AF"
	front_case nul "a path with %00" GET "/api/sessions/a%00b"
	# Apache decodes %0A into PATH_INFO: the log must not get a forged line.
	front_case newline "a path with %0A" GET "/api/sessions/x%0AFORGED%20line"
	is "$(grep -c '^FORGED' "$log")" 0 "$where: ... and the log has no line it forged"
	front_case enc_slash "a path with %2F" GET "/api/sessions/a%2Fb/messages"
	front_case dotdot "a path with %2e%2e%2f" GET "/v1/responses/%2e%2e%2fx"
	front_case long_uri "a 9,000-byte path" GET "/api/sessions/$long"
	front_case long_query "a 9,000-byte query" GET "/api/sessions?x=$long"
	front_case big_header "a 9,000-byte header" GET /api/sessions -H "X-Big: $long"
	front_case ctl_header "a header value with a control byte" GET /api/sessions \
		-H "$(printf 'X-Ctl: a\001b')"
	front_case bad_name "a header name with a space" GET /api/sessions -H 'Bad Name: x'
	front_case tab_session "an X-Hermes-Session-Id with a tab in it" POST /v1/chat/completions \
		-H 'Content-Type: application/json' --data-binary '{"messages":[{"role":"user","content":"hi"}]}' \
		-H "$(printf 'X-Hermes-Session-Id: a\tb')"
	local -a many=()
	for i in $(seq 1 120); do many+=(-H "X-N$i: v"); done
	front_case many_headers "120 headers" GET /api/sessions "${many[@]}"
	front_case brew "an unknown method (BREW)" BREW /api/sessions
	# Bodies the server has to frame: chunked, after 100-continue.
	hreq POST /api/sessions -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
		--data-binary '{"title":"chunked"}'
	is "$RESP_STATUS $(jget 'j.get("title")')" "201 chunked" "$where: a chunked request body → 201"
	hreq POST /api/sessions -H 'Content-Type: application/json' -H 'Expect: 100-continue' \
		--data-binary '{"title":"expect"}'
	is "$RESP_STATUS $(jget 'j.get("title")')" "201 expect" "$where: a body after Expect: 100-continue → 201"
	# Bodies cut short by a client that goes away, and a broken chunk size.
	"$PYTHON" - "$HB" "$HK" > "$T/cut.out" 2>&1 <<'PY'
import socket, sys, time, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
head = ("POST %s/api/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
        "Content-Type: application/json\r\n" % (u.path, sys.argv[2])).encode()
for rest in (b"Content-Length: 1000\r\n\r\n{\"title\":", b"Content-Length: 1000\r\n\r\n",
             b"Transfer-Encoding: chunked\r\n\r\n5\r\n{\"tit"):
    s = socket.create_connection((u.hostname, u.port))
    s.sendall(head + rest)
    time.sleep(0.3)
    s.close()
s = socket.create_connection((u.hostname, u.port))
s.settimeout(30)
s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n")
print(s.recv(12).decode("latin-1"))
PY
	is "$(cat "$T/cut.out")" "HTTP/1.1 400" "$where: a broken chunk size → 400"
	http GET "$HB/health"
	is "$RESP_STATUS" 200 "$where: after three bodies cut short by the client, the next request works"
	is "$(responder_pid "$HB" "$HK")" "$pid" \
		"$where: the same responder answered all of those (none crashed)"

	# ---- session headers ---------------------------------------------------
	# Found: an X-Hermes-Session-Id that is not UTF-8 was stored as a session
	# id, and from then on GET /api/sessions answered invalid UTF-8.
	hjson POST /v1/chat/completions '{"messages":[{"role":"user","content":"hi"}]}' \
		-H "$(printf 'X-Hermes-Session-Id: hostile-\377\376')"
	check_envelope 400 invalid_session_id "$where: X-Hermes-Session-Id with invalid UTF-8 → 400 invalid_session_id"
	xri=$(hdr X-Request-Id)
	hjson POST /v1/chat/completions '{"messages":[{"role":"user","content":"hi"}]}' \
		-H "$(printf 'X-Hermes-Session-Key: key-\300\257')"
	check_envelope 400 invalid_session_key "$where: X-Hermes-Session-Key with an overlong UTF-8 form → 400 invalid_session_key"
	hreq GET "/api/sessions?limit=200"
	check "$where: GET /api/sessions is valid UTF-8 JSON, no session from those headers" "$("$PYTHON" - "$RESP_BODY" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
try:
    j = json.loads(raw.decode("utf-8"))
except Exception as e:
    print("not UTF-8 JSON: %s" % e)
    sys.exit(0)
for s in j["data"]:
    if s["id"].startswith("hostile-"):
        print("stored: %r" % s["id"])
PY
)"
	# Found: a refused request left no line in the log.
	like "$(grep "req=$xri" "$log")" '400 invalid_session_id: Invalid session ID' \
		"$where: the refusal is logged with its request id, status, code and reason"

	# ---- titles --------------------------------------------------------------
	# Found: fork took a title of two lines (create and rename refuse it).
	hjson POST "/api/sessions/$sid/fork" "$(printf '{"title":"two\\nlines"}')"
	check_envelope 400 invalid_value "$where: fork with a title of two lines → 400 invalid_value"

	# ---- a DELETE while a turn runs in the session -----------------------
	# Found: DELETE removed a session while a chat turn in it was streaming;
	# the turn then said it completed, and nothing of it was kept.
	slow_stream "$sid" "hold the session" "a slow answer in many small pieces" "$T/hold.sse"
	pid=$STREAM_PID
	# from another process: the one responder is busy with the stream
	CGI_HOME=$home cgi REQUEST_METHOD=DELETE PATH_INFO="/api/sessions/$sid" \
		"HTTP_AUTHORIZATION=Bearer $HK"
	check_envelope 409 session_in_use "$where: DELETE (plain CGI) while a chat turn runs in the session → 409 session_in_use"
	like "$(jget 'j["error"]["message"]')" 'turn in progress' "$where: ... naming the turn in progress"
	CGI_HOME=$home cgi_post "/api/sessions/$sid" '{"title":"renamed mid-turn"}' REQUEST_METHOD=PATCH \
		"HTTP_AUTHORIZATION=Bearer $HK"
	is "$RESP_STATUS $(jget 'j["title"]')" "200 renamed mid-turn" "$where: PATCH (plain CGI) while the turn runs renames"
	# Found: two turns at once in one session interleaved their messages, and
	# each answer's transcript held the other's.
	CGI_HOME=$home cgi_post "/api/sessions/$sid/chat" '{"message":"a second turn at once"}' \
		"HTTP_AUTHORIZATION=Bearer $HK"
	check_envelope 409 session_busy "$where: a second turn (plain CGI) in the session while one runs → 409 session_busy"
	wait "$pid"
	like "$(grep -c 'run.completed' "$T/hold.sse")" '^1$' "$where: the turn completes"
	hreq GET "/api/sessions/$sid/messages"
	is "$(jget '[m["role"] for m in j["data"]]')" '["user", "assistant"]' \
		"$where: ... and both its messages are kept"
	hreq DELETE "/api/sessions/$sid"
	is "$RESP_STATUS $(jget 'j["messages_deleted"]')" "200 2" "$where: DELETE after the turn → 200"

	# Found: a session stream whose answer could not be saved ended with
	# run.completed and no word of it (the JSON answer and chat streams warn).
	hjson POST /api/sessions '{"title":"unsaved"}'
	sid=$(jget 'j.get("id") or ""')
	sqlite_home "$home" "CREATE TRIGGER hermes_test_refuse BEFORE INSERT ON messages
		WHEN NEW.role = 'assistant' AND NEW.session_id = '$sid'
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
	slow_stream "$sid" "save me" "not saved" "$T/unsaved.sse"
	wait "$STREAM_PID"
	sqlite_home "$home" "DROP TRIGGER hermes_test_refuse;"
	like "$(grep -A1 '^event: run.completed' "$T/unsaved.sse" | sed -n 's/^data: //p' |
		"$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["hermes"]["warnings"][0])' 2>&1)" \
		'assistant message of this turn was not saved' \
		"$where: a session stream whose answer was not saved says so in run.completed (hermes.warnings)"

	# ---- the responder SIGKILLed in the middle of a session chat stream -------
	hjson POST /api/sessions '{"title":"killed"}'
	sid=$(jget 'j.get("id") or ""')
	pid=$(responder_pid "$HB" "$HK")
	slow_stream "$sid" "before the kill" "this stream is cut short by a SIGKILL of the responder" \
		"$T/kill.sse"
	kill -KILL "$pid" 2>/dev/null
	wait "$STREAM_PID"
	is "$(grep -c 'run.completed' "$T/kill.sse")" 0 "$where: the killed stream ends without run.completed"
	is "$(db_ok "$home")" ok "$where: after SIGKILL of the responder mid-stream: integrity_check ok"
	up_script '[{"reply":"after the kill"}]'
	hjson POST "/api/sessions/$sid/chat" '{"message":"again"}'
	is "$RESP_STATUS $(jget 'j["message"]["content"]')" "200 after the kill" \
		"$where: the next turn in that session works (a new responder)"
	hreq GET "/api/sessions/$sid/messages"
	is "$(jget '[m["role"] for m in j["data"]]')" '["user", "user", "assistant"]' \
		"$where: the killed turn kept its user message, the next one both"

	# ---- the responder SIGKILLed before the head of a JSON answer ----------
	# The server reports the dead responder itself (HOSTILE_FRONT[dead]).
	pid=$(responder_pid "$HB" "$HK")
	up_script '[{"reply":"a slow answer, never sent","chunk_size":2,"delay":0.3}]'
	curl -s --max-time 60 -D "$T/dead.hdrs" -o "$T/dead.body" -H "Authorization: Bearer $HK" \
		-H 'Content-Type: application/json' \
		--data-binary '{"messages":[{"role":"user","content":"die before the head"}]}' \
		"$HB/v1/chat/completions" > /dev/null &
	STREAM_PID=$!
	# (if the request has not reached the upstream by then, the kill still
	# comes before the head)
	up_wait_requests 1 > /dev/null
	kill -KILL "$pid" 2>/dev/null
	wait "$STREAM_PID"
	RESP_STATUS=$(awk 'NR == 1 { print $2 }' "$T/dead.hdrs")
	cp "$T/dead.body" "$RESP_BODY"
	front_check dead "$where: the responder SIGKILLed before the head of a JSON answer"
	# lighttpd answers 503 for a second while it restarts the responder.
	for i in $(seq 1 300); do
		hreq GET /health/detailed
		[ "$RESP_STATUS" = 200 ] && break
		sleep 0.1
	done
	is "$RESP_STATUS" 200 "$where: ... and a new responder answers"

	# ---- a background response's worker SIGKILLed ------------------------------
	up_script '[{"reply":"a background answer that never ends","never_end":true}]'
	hjson POST /v1/responses '{"input":"background, to be killed","background":true}'
	rid=$(jget 'j.get("id") or ""')
	is "$(resp_wait "$HB" "$HK" "$rid" in_progress 30)" in_progress "$where: background response in progress"
	runner_pid=$(pids_in_file "$home/runner.pid" | head -1)
	worker=
	for i in $(seq 1 100); do
		worker=$(children_of "${runner_pid:-0}" | head -1)
		[ -n "$worker" ] && break
		sleep 0.1
	done
	ok "$where: its worker process found" test -n "$worker"
	[ -z "$worker" ] || kill -KILL "$worker"
	is "$(resp_wait "$HB" "$HK" "$rid" 'failed|cancelled|completed' 60)" failed \
		"$where: the worker SIGKILLed → the response is failed"
	is "$(db_ok "$home")" ok "$where: after SIGKILL of the worker: integrity_check ok"
	hreq GET "/v1/responses/$rid?stream=true&starting_after=0"
	like "$RESP_STATUS $(grep -c '^event: response.failed' "$RESP_BODY")" '^200 1$' \
		"$where: its resumed stream ends with response.failed"
	hjson POST "/v1/responses/$rid/cancel" '{}'
	is "$RESP_STATUS $(jget 'j["status"]')" "200 failed" "$where: cancel of the failed one → 200, stays failed"
	up_script '[{"reply":"the next background one"}]'
	hjson POST /v1/responses '{"input":"next","background":true}'
	rid=$(jget 'j.get("id") or ""')
	is "$(resp_wait "$HB" "$HK" "$rid" 'completed|failed|cancelled' 60)" completed \
		"$where: the next background response completes"

	# ---- descriptors and memory of the responder over ~300 hostile requests ----
	pid=$(responder_pid "$HB" "$HK")
	"$PYTHON" "$HOSTILE_MATRIX" "$HB" "$HK" "$(hostile_session)" > /dev/null 2>&1
	fds0=$(proc_fds "$pid")
	rss0=$(proc_rss_kb "$pid")
	for i in 1 2; do
		"$PYTHON" "$HOSTILE_MATRIX" "$HB" "$HK" "$(hostile_session)" > "$T/matrix.$i" 2>&1
	done
	for i in $(seq 1 10); do
		hreq GET "/api/sessions?limit=-1"
		hreq POST /api/sessions -H 'Content-Type: application/json' --data-binary "@$T/deep.json"
		hjson POST /v1/chat/completions '{"messages":[{"role":"user","content":"hi"}]}' \
			-H "$(printf 'X-Hermes-Session-Id: x\377')"
	done
	n=$(cat "$T/matrix.1" "$T/matrix.2" | wc -l | tr -d ' ')
	is "$n" 0 "$where: the matrix still passes twice more"
	is "$(responder_pid "$HB" "$HK")" "$pid" "$where: the same responder served all ~300 requests"
	fds1=$(proc_fds "$pid")
	rss1=$(proc_rss_kb "$pid")
	diag "responder $pid over ~300 hostile requests: fds $fds0 -> $fds1, VmRSS ${rss0} kB -> ${rss1} kB"
	ok "$where: the responder's descriptors stay put ($fds0 -> $fds1)" test "$fds1" -le "$fds0"
	if is_asan "$HERMES_FCGI"; then
		# ASan's quarantine holds freed memory on purpose: no figure to check.
		pass "$where: memory not checked under ASan"
	else
		ok "$where: the responder's memory stays put (${rss0} kB -> ${rss1} kB, at most +4 MB)" \
			test "$((rss1 - rss0))" -le 4096
	fi
}

# front_case NAME LABEL METHOD PATH [curl args...]: one request the server
# in front may answer itself; checked against HOSTILE_FRONT[NAME] (see
# run_hostile_cases), then GET /health must answer 200.
front_case() {
	local name=$1 label="$where: $2" method=$3 path=$4
	shift 4
	curl -s --max-time 60 --path-as-is -X "$method" -D "$RESP_HDRS.raw" -o "$RESP_BODY" \
		-H "Authorization: Bearer $HK" "$@" "$HB$path" > /dev/null
	RESP_STATUS=$(awk 'NR == 1 { print $2 }' "$RESP_HDRS.raw")
	tr -d '\r' < "$RESP_HDRS.raw" | awk 'NF' > "$RESP_HDRS"
	front_check "$name" "$label"
	http GET "$HB/health"
	is "$RESP_STATUS" 200 "$label: ... and the next request works"
}

# front_check NAME LABEL: the answer in RESP_STATUS/RESP_BODY is the one
# HOSTILE_FRONT[NAME] says.
front_check() {
	local name=$1 label=$2 want kind st code
	want=${HOSTILE_FRONT[$name]:-}
	[ -n "$want" ] || bail_out "HOSTILE_FRONT[$name] is not set"
	read -r kind st code <<< "$want"
	case $kind in
	hermes)
		if [ -n "$code" ]; then
			check_envelope "$st" "$code" "$label → $st $code from hermes-fcgi"
		else
			is "$RESP_STATUS" "$st" "$label → $st from hermes-fcgi"
		fi
		;;
	server)
		is "$RESP_STATUS $(jget 'isinstance(j, dict) and "error" in j' | sed 's/^<invalid json>$/false/')" \
			"$st false" \
			"$label → $st from the server itself (no hermes-fcgi envelope)"
		;;
	*) bail_out "HOSTILE_FRONT[$name]: $want" ;;
	esac
}

# hostile_session: a new session's id (for the matrix).
hostile_session() {
	curl -s --max-time 30 -X POST -H "Authorization: Bearer $HK" --data-binary '' "$HB/api/sessions" |
		"$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
