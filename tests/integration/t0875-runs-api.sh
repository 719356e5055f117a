#!/bin/bash
# tests/integration/t0875-runs-api.sh: the HTTP side of /v1/runs without a
# working runner - admission (every refusal leaves no row), the 202, history
# sources in the admitted request, Idempotency-Key replay and conflict
# (also raced across responders), GET and the list, the event stream of a
# run whose events are written into state.db directly (replay from
# Last-Event-ID and ?after, two readers, ": stream closed"), stop, steer and
# approval - as CGI and through lighttpd with two responders.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON" curl sqlite3 lighttpd

home=$T/home
mk_home "$home"
# No real runner here: this test plays it with SQL (runner.path: a no-op).
printf 'HERMES_RUNNER=/bin/true\n' >> "$home/.env"
CGI_HOME=$home
AUTH="HTTP_AUTHORIZATION=Bearer $TEST_KEY"
DB=$home/state.db
sql() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }
: > "$T/stderr.all"
post() { cgi_post "$@"; cat "$CGI_ERR" >> "$T/stderr.all"; }
get() { cgi "$AUTH" REQUEST_METHOD=GET "$@"; cat "$CGI_ERR" >> "$T/stderr.all"; }

# ---- admission: every refusal before a run id exists ----------------------------
refuse() { # STATUS CODE DESC BODY [VAR=VALUE...]
	local want=$1 code=$2 desc=$3 body=$4
	shift 4
	post /v1/runs "$body" "$AUTH" "$@"
	is "$RESP_STATUS $(jget 'j["error"]["code"]')" "$want $code" "refused: $desc"
}
post /v1/runs '{"input":"hi"}'  # no key
is "$RESP_STATUS" 401 "no API key: 401"
refuse 400 invalid_json "malformed JSON" '{"input":'
refuse 400 missing_required_parameter "no input" '{"model":"m"}'
refuse 400 missing_required_parameter "empty input string" '{"input":""}'
refuse 400 missing_required_parameter "empty input array" '{"input":[]}'
refuse 400 missing_user_message "last input item without content" '{"input":[{"role":"user"}]}'
refuse 400 invalid_type "input of the wrong type" '{"input":42}'
refuse 400 invalid_type "conversation_history not an array" '{"input":"hi","conversation_history":"x"}'
refuse 400 invalid_history "history entry without content" \
	'{"input":"hi","conversation_history":[{"role":"user","content":"a"},{"role":"assistant"}]}'
is "$(jget 'j["error"]["param"]')" "conversation_history[1]" "  param names the entry"
refuse 400 previous_response_not_found "unknown previous_response_id" \
	'{"input":"hi","previous_response_id":"resp_nope"}'
refuse 400 invalid_session_id "session_id with a slash" '{"input":"hi","session_id":"a/b"}'
refuse 400 invalid_session_id "X-Hermes-Session-Id with .." '{"input":"hi"}' HTTP_X_HERMES_SESSION_ID=../x
refuse 400 invalid_idempotency_key "Idempotency-Key with a space" '{"input":"hi"}' "HTTP_IDEMPOTENCY_KEY=a b"
refuse 400 invalid_idempotency_key "Idempotency-Key of 256 characters" '{"input":"hi"}' \
	"HTTP_IDEMPOTENCY_KEY=$(printf 'k%.0s' $(seq 256))"
is "$(sql 'SELECT count(*) FROM runs')|$(sql 'SELECT count(*) FROM run_idempotency')" "0|0" \
	"no refused request left a run or an idempotency record"

# ---- 202 --------------------------------------------------------------------------
post /v1/runs '{"input":"hello","model":"my-model","instructions":"be brief"}' "$AUTH" \
	HTTP_X_HERMES_SESSION_KEY=user-7
is "$RESP_STATUS" 202 "POST /v1/runs: 202"
run1=$(jget 'j["run_id"]')
like "$run1" '^run_[0-9a-f]{32}$' "run_id is run_ + 32 hex"
# model: the effective one; without a models: list every name is served by
# the single configured upstream, whose public name is the alias.
is "$(jget '[j["object"], j["status"], j["model"], j["replayed"], j["session_id"] == j["run_id"]]')" \
	'["hermes.run", "queued", "hermes-agent", false, true]' "  object, status queued, model (effective), replayed, session = run id"
is "$(hdr X-Hermes-Session-Key)" user-7 "  the session key is echoed"
is "$(sql "SELECT status FROM runs WHERE id = '$run1'")" queued "  the row is committed as queued"
sql "SELECT request FROM runs WHERE id = '$run1'" > "$T/req.json"
is "$(jget '[j["input"], j["instructions"], j["history"], j["session_key"], j["session_id"] == "'"$run1"'"]' "$T/req.json")" \
	'["hello", "be brief", [], "user-7", true]' "  the admitted request for the runner"

# history sources
post /v1/runs '{"input":"q3","conversation_history":[{"role":"user","content":"q1"},{"role":"assistant","content":"a1"}]}' "$AUTH"
sql "SELECT request FROM runs WHERE id = '$(jget 'j["run_id"]')'" > "$T/req.json"
is "$(jget '[m["content"] for m in j["history"]]' "$T/req.json")" '["q1", "a1"]' "conversation_history is used as sent"
post /v1/runs '{"input":[{"role":"user","content":"e1"},{"role":"assistant","content":"e2"},{"role":"user","content":[{"type":"text","text":"last"}]}]}' "$AUTH"
sql "SELECT request FROM runs WHERE id = '$(jget 'j["run_id"]')'" > "$T/req.json"
is "$(jget '[j["input"], [m["content"] for m in j["history"]]]' "$T/req.json")" '["last", ["e1", "e2"]]' \
	"an input array: the last item is the turn, earlier ones history"
sql "INSERT INTO sessions(id, source, started_at, updated_at) VALUES('proj-a', 'api_server', 1, 1);
     INSERT INTO messages(session_id, role, content, timestamp) VALUES('proj-a', 'user', 'stored q', 1);
     INSERT INTO messages(session_id, role, content, timestamp) VALUES('proj-a', 'assistant', 'stored a', 2);"
post /v1/runs '{"input":"next"}' "$AUTH" HTTP_X_HERMES_SESSION_ID=proj-a
is "$(jget 'j["session_id"]')" proj-a "X-Hermes-Session-Id names the run's session"
sql "SELECT request FROM runs WHERE id = '$(jget 'j["run_id"]')'" > "$T/req.json"
is "$(jget '[m["content"] for m in j["history"]]' "$T/req.json")" '["stored q", "stored a"]' \
	"  and its stored history is loaded"
post /v1/runs '{"input":"next","session_id":"proj-a"}' "$AUTH"
sql "SELECT request FROM runs WHERE id = '$(jget 'j["run_id"]')'" > "$T/req.json"
is "$(jget 'len(j["history"])' "$T/req.json")" 2 "body session_id loads the history too"

sql "INSERT INTO responses VALUES('resp_prev', '{\"id\":\"resp_prev\",\"object\":\"response\",\"output\":[],\"hermes_store\":{\"transcript\":[{\"role\":\"user\",\"content\":\"p1\"},{\"role\":\"assistant\",\"content\":\"r1\"}],\"instructions\":\"stored inst\"}}', 'sess-prev', 1, 1)"
post /v1/runs '{"input":"chained","previous_response_id":"resp_prev"}' "$AUTH"
is "$RESP_STATUS $(jget 'j["session_id"]')" "202 sess-prev" "previous_response_id: the response's session"
sql "SELECT request FROM runs WHERE id = '$(jget 'j["run_id"]')'" > "$T/req.json"
is "$(jget '[[m["content"] for m in j["history"]], j["instructions"]]' "$T/req.json")" '[["p1", "r1"], "stored inst"]' \
	"  its transcript is the history, its instructions kept"

# the cap: live runs (queued included) against API_SERVER_MAX_CONCURRENT_RUNS
live=$(sql "SELECT count(*) FROM runs WHERE status IN ('queued', 'running', 'waiting_for_approval', 'stopping')")
post /v1/runs '{"input":"one too many"}' "$AUTH" API_SERVER_MAX_CONCURRENT_RUNS="$live"
is "$RESP_STATUS $(jget 'j["error"]["code"]') $(hdr Retry-After)" "429 rate_limit_exceeded 1" "at the cap: 429 with Retry-After"
is "$(sql "SELECT count(*) FROM runs WHERE request LIKE '%one too many%'")" 0 "  and no row"

# ---- idempotency --------------------------------------------------------------------
post /v1/runs '{"input":"idem","model":"m"}' "$AUTH" HTTP_IDEMPOTENCY_KEY=key-1
is "$RESP_STATUS $(jget 'j["replayed"]')" "202 false" "first request with a key: a new run"
irun=$(jget 'j["run_id"]')
post /v1/runs '{ "model" : "m", "input" : "idem" }' "$AUTH" HTTP_IDEMPOTENCY_KEY=key-1
is "$RESP_STATUS $(jget 'j["replayed"]') $(jget 'j["run_id"]')" "202 true $irun" \
	"same key, same body (other key order and spacing): replay of the same run"
is "$(hdr Idempotency-Replayed)" true "  with Idempotency-Replayed: true"
post /v1/runs '{"input":"other","model":"m"}' "$AUTH" HTTP_IDEMPOTENCY_KEY=key-1
is "$RESP_STATUS $(jget 'j["error"]["code"]')" "409 idempotency_key_conflict" "same key, other body: 409"
post /v1/runs '{"input":"idem","model":"m"}' "$AUTH" HTTP_IDEMPOTENCY_KEY=key-1 HTTP_X_HERMES_SESSION_KEY=other
is "$RESP_STATUS" 409 "same key and body under another session key: 409 (the key is in the fingerprint)"
is "$(sql "SELECT count(*) FROM runs WHERE request LIKE '%idem%'")" 1 "  one run for the key in all"
sql "UPDATE run_idempotency SET created_at = created_at - 90000"
post /v1/runs '{"input":"idem","model":"m"}' "$AUTH" HTTP_IDEMPOTENCY_KEY=key-1
is "$RESP_STATUS $(jget 'j["replayed"]')" "202 false" "after 24 h the key starts a new run"

# ---- GET, list, 404 -------------------------------------------------------------------
get PATH_INFO="/v1/runs/$run1"
is "$RESP_STATUS $(jget '[j["run_id"], j["status"], j["last_event"], j["output"]]')" \
	"200 [\"$run1\", \"queued\", null, null]" "GET /v1/runs/{id}"
get PATH_INFO=/v1/runs/run_00000000000000000000000000000000
is "$RESP_STATUS $(jget 'j["error"]["code"]')" "404 run_not_found" "unknown run: 404 run_not_found"
get PATH_INFO=/v1/runs/nope
is "$RESP_STATUS" 404 "an id that cannot be a run: 404"
total=$(sql "SELECT count(*) FROM runs")
get PATH_INFO=/v1/runs QUERY_STRING=limit=100
is "$(jget 'len(j["data"])')" "$total" "the list holds every run"
is "$(jget '[r["run_id"] for r in j["data"]]')" \
	"$(sql "SELECT id FROM runs ORDER BY created_at DESC, rowid DESC" | "$PYTHON" -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))')" \
	"  newest first"
newest=$(jget 'j["data"][0]["run_id"]') second=$(jget 'j["data"][1]["run_id"]')
get PATH_INFO=/v1/runs QUERY_STRING=limit=1
is "$(jget '[len(j["data"]), j["has_more"], j["last_id"]]')" "[1, true, \"$newest\"]" "limit=1: one, has_more"
get PATH_INFO=/v1/runs QUERY_STRING="limit=1&after=$newest"
is "$(jget 'j["data"][0]["run_id"]')" "$second" "after=: the next page"
sql "UPDATE runs SET status = 'failed' WHERE id = '$run1'"
get PATH_INFO=/v1/runs QUERY_STRING=status=failed
is "$(jget '[r["run_id"] for r in j["data"]]')" "[\"$run1\"]" "status= filters"
get PATH_INFO=/v1/runs QUERY_STRING=status=sideways
is "$RESP_STATUS $(jget 'j["error"]["param"]')" "400 status" "an unknown status: 400"
get PATH_INFO=/v1/runs QUERY_STRING=limit=0
is "$RESP_STATUS $(jget 'j["error"]["param"]')" "400 limit" "limit=0: 400"

# ---- events ------------------------------------------------------------------------------
post /v1/runs '{"input":"events"}' "$AUTH"
erun=$(jget 'j["run_id"]')
ev() { printf '{"event":"%s","run_id":"%s","timestamp":1.5%s}' "$1" "$erun" "${2:-}"; }
sql "UPDATE runs SET status = 'running' WHERE id = '$erun';
     INSERT INTO run_events VALUES('$erun', 1, '$(ev message.delta ',"delta":"Hel"')', 1);
     INSERT INTO run_events VALUES('$erun', 2, '$(ev message.delta ',"delta":"lo"')', 1);
     INSERT INTO run_events VALUES('$erun', 3, '$(ev run.completed ',"output":"Hello"')', 1);
     UPDATE runs SET status = 'completed' WHERE id = '$erun';"
get PATH_INFO="/v1/runs/$erun/events"
like "$RESP_STATUS $(hdr Content-Type)" "^200 text/event-stream" "events: an SSE stream"
is "$(grep '^id:' "$RESP_BODY" | tr '\n' ' ')" "id: 1 id: 2 id: 3 " "  every event with its sequence number"
is "$(grep '^data:' "$RESP_BODY" | sed -n 3p)" "data: $(ev run.completed ',"output":"Hello"')" "  the stored JSON unchanged"
is "$(tail -n 2 "$RESP_BODY" | head -n 1)" ": stream closed" "  ends with : stream closed after the terminal event"
get PATH_INFO="/v1/runs/$erun/events" HTTP_LAST_EVENT_ID=1
is "$(grep '^id:' "$RESP_BODY" | tr '\n' ' ')" "id: 2 id: 3 " "Last-Event-ID: 1 resumes after it"
get PATH_INFO="/v1/runs/$erun/events" QUERY_STRING=after=2
is "$(grep '^id:' "$RESP_BODY" | tr '\n' ' ')" "id: 3 " "?after=2 resumes after it"
sql "UPDATE runs SET status = 'running' WHERE id = '$erun'"
get REQUEST_METHOD=HEAD PATH_INFO="/v1/runs/$erun/events"
is "$RESP_STATUS $(wc -c < "$RESP_BODY" | tr -d ' ')" "200 0" "HEAD of a live run's events: the head at once, no body"
sql "UPDATE runs SET status = 'completed' WHERE id = '$erun'"
get PATH_INFO="/v1/runs/$erun/events" QUERY_STRING=after=x
is "$RESP_STATUS" 400 "?after=x: 400"
get PATH_INFO=/v1/runs/run_00000000000000000000000000000000/events
is "$RESP_STATUS" 404 "events of an unknown run: 404"

# ---- stop ------------------------------------------------------------------------------------
post /v1/runs '{"input":"stop me"}' "$AUTH"
srun=$(jget 'j["run_id"]')
post "/v1/runs/$srun/stop" '' "$AUTH"
is "$RESP_STATUS $(jget 'j["status"]')" "200 cancelled" "stop of a queued run: cancelled at once"
is "$(sql "SELECT json_extract(event, '\$.event') FROM run_events WHERE run_id = '$srun'")" run.cancelled \
	"  with a run.cancelled event"
post "/v1/runs/$srun/stop" '' "$AUTH"
is "$RESP_STATUS $(jget 'j["error"]["code"]') $(jget 'j["status"]')" "409 run_already_finished cancelled" \
	"stop of a finished run: 409 with its status"
post /v1/runs '{"input":"running"}' "$AUTH"
rrun=$(jget 'j["run_id"]')
sleep 60 & worker=$!
track_pid "$worker"
sql "UPDATE runs SET status = 'running', worker_pid = $worker WHERE id = '$rrun'"
t0=$(date +%s.%N)
post "/v1/runs/$rrun/stop" '' "$AUTH"
t1=$(date +%s.%N)
is "$RESP_STATUS $(jget 'j["status"]') $(jget 'j["last_event"]')" "200 stopping run.stopping" \
	"stop of a running run whose worker never answers: stopping"
is "$("$PYTHON" -c "print(4.5 <= $t1 - $t0 < 8)")" True "  after waiting about 5 s"
wait "$worker" 2>/dev/null
is "$?" 143 "  the worker got SIGTERM"

# ---- steer -----------------------------------------------------------------------------------
post "/v1/runs/$run1/steer" '{"text":"left"}' "$AUTH"
is "$RESP_STATUS $(jget 'j["error"]["code"]')" "409 run_not_accepting_steer" "steer of a run that is not running: 409"
post /v1/runs '{"input":"steer me"}' "$AUTH"
strun=$(jget 'j["run_id"]')
post "/v1/runs/$strun/steer" '{"input":"left"}' "$AUTH"
is "$RESP_STATUS" 409 "steer of a queued run: 409"
sql "UPDATE runs SET status = 'running' WHERE id = '$strun'"
post "/v1/runs/$strun/steer" '{"message":"   "}' "$AUTH"
is "$RESP_STATUS $(jget 'j["error"]["code"]')" "400 invalid_steer_input" "blank steer text: 400"
post "/v1/runs/$strun/steer" '{"input":"go left"}' "$AUTH"
is "$RESP_STATUS $(jget '[j["object"], j["accepted"]]')" '200 ["hermes.run.steer", true]' "steer of a running run: accepted"
is "$(sql "SELECT text || '|' || delivered FROM run_steers WHERE run_id = '$strun'")" "go left|0" "  queued for the worker"

# ---- approval ------------------------------------------------------------------------------------
post "/v1/runs/$strun/approval" '{"choice":"once"}' "$AUTH"
is "$RESP_STATUS $(jget 'j["error"]["code"]')" "409 approval_not_active" "approval of a run not waiting: 409"
sql "UPDATE runs SET status = 'waiting_for_approval' WHERE id = '$strun';
     INSERT INTO run_approvals(run_id, request_id, command, reason, created_at) VALUES('$strun', 'ap_1', 'rm -rf /tmp/x', 'recursive delete', 1);"
get PATH_INFO="/v1/runs/$strun"
is "$(jget '[j["status"], j["approval"]["approval_id"], j["approval"]["command"]]')" \
	'["waiting_for_approval", "ap_1", "rm -rf /tmp/x"]' "a waiting run shows its approval request"
post "/v1/runs/$strun/approval" '{"choice":"maybe"}' "$AUTH"
is "$RESP_STATUS $(jget 'j["error"]["code"]')" "400 invalid_approval_choice" "an unknown choice: 400"
post "/v1/runs/$strun/approval" '{"choice":" Approve "}' "$AUTH"
is "$RESP_STATUS $(jget '[j["choice"], j["approval_id"], j["resolved"]]')" '200 ["once", "ap_1", 1]' \
	"approve is once: answered"
is "$(sql "SELECT choice FROM run_approvals WHERE run_id = '$strun'")" once "  the answer is recorded"
is "$(sql "SELECT json_extract(event, '\$.event') || ' ' || json_extract(event, '\$.choice') FROM run_events WHERE run_id = '$strun'")" \
	"approval.responded once" "  with an approval.responded event"
post "/v1/runs/$strun/approval" '{"choice":"deny","approval_id":"ap_1"}' "$AUTH"
is "$RESP_STATUS $(jget 'j["error"]["code"]')" "409 approval_not_pending" "a second answer: 409"

get PATH_INFO=/v1/capabilities
is "$(jget '[j["features"][f] for f in ("run_submission", "run_status", "run_events_sse", "run_stop", "run_steer", "run_list", "run_approval_response")]')" \
	'[true, true, true, true, true, true, true]' "capabilities: the run features"
is "$(jget 'j["features"]["runs_idempotency"]')" '{"supported": true, "durable": true, "retention_seconds": 86400}' \
	"  and runs_idempotency"
is "$(jget 'j["endpoints"]["run_steer"]')" '{"method": "POST", "path": "/v1/runs/{id}/steer"}' "  and the endpoints"
unlike "$(cat "$T/stderr.all")" 'runtime error|AddressSanitizer|LeakSanitizer' "no sanitizer report from the CGI runs"

# ---- through lighttpd, two responders ---------------------------------------------------------------
lhome=$T/lhome
mk_home "$lhome"
printf 'HERMES_RUNNER=/bin/true\n' >> "$lhome/.env"
start_lighttpd runs /hermes "$lhome" 2
base=http://127.0.0.1:$LIGHTTPD_PORT/hermes
H="Authorization: Bearer $TEST_KEY"
DB=$lhome/state.db
http POST "$base/v1/runs" -H "$H" -H 'Content-Type: application/json' -d '{"input":"via lighttpd"}'
is "$RESP_STATUS" 202 "lighttpd: 202"
lrun=$(jget 'j["run_id"]')
http GET "$base/v1/runs/$lrun" -H "$H"
is "$RESP_STATUS $(jget 'j["status"]')" "200 queued" "lighttpd: GET"
racers=
for i in 1 2 3 4 5 6; do
	curl -sS --max-time 30 -o "$T/race.$i" -H "$H" -H 'Content-Type: application/json' \
		-H 'Idempotency-Key: race-1' -d '{"input":"raced"}' "$base/v1/runs" &
	racers="$racers $!"
done
wait $racers
is "$(cat "$T"/race.* | "$PYTHON" -c 'import sys,json; print(len({json.loads(l)["run_id"] for l in sys.stdin.read().replace("}{","}\n{").splitlines()}))')" 1 \
	"six parallel POSTs with one key over two responders: one run id"
is "$(sql "SELECT count(*) FROM runs WHERE request LIKE '%raced%'")" 1 "  and one row"
http POST "$base/v1/runs" -H "$H" -H 'Content-Type: application/json' -H 'Idempotency-Key: race-1' -d '{"input":"changed"}'
is "$RESP_STATUS" 409 "  a changed body under that key: 409"

# two readers of a live run
sql "UPDATE runs SET status = 'running' WHERE id = '$lrun'"
curl -sS -N --max-time 30 -H "$H" "$base/v1/runs/$lrun/events" > "$T/reader1" &
r1=$!
curl -sS -N --max-time 30 -H "$H" "$base/v1/runs/$lrun/events" > "$T/reader2" &
r2=$!
curl -sS -N --max-time 1 -H "$H" "$base/v1/runs/$lrun/events" > "$T/leaver" 2>/dev/null
erun=$lrun
for i in 1 2 3 4 5; do
	sql "INSERT INTO run_events VALUES('$lrun', $i, '$(ev message.delta ",\"delta\":\"d$i\"")', 1)"
	sleep 0.1
done
is "$(sql "SELECT status FROM runs WHERE id = '$lrun'")" running "a reader that left did not stop the run"
sql "INSERT INTO run_events VALUES('$lrun', 6, '$(ev run.completed ',"output":"d"')', 1);
     UPDATE runs SET status = 'completed' WHERE id = '$lrun';"
wait "$r1" "$r2"
is "$(grep -c '^id:' "$T/reader1") $(tail -n 2 "$T/reader1" | head -n 1)" "6 : stream closed" \
	"reader 1: all six events, then : stream closed"
is "$(grep -E '^(id|data):' "$T/reader2")" "$(grep -E '^(id|data):' "$T/reader1")" "reader 2 saw the identical sequence"
curl -sS -N --max-time 30 -H "$H" -H 'Last-Event-ID: 4' "$base/v1/runs/$lrun/events" > "$T/reader3"
is "$(grep '^id:' "$T/reader3" | tr '\n' ' ')" "id: 5 id: 6 " "a reader coming back with Last-Event-ID: 4 gets 5 and 6"
unlike "$(cat "$LIGHTTPD_DIR/hermes-fcgi.log")" 'runtime error|AddressSanitizer|LeakSanitizer' \
	"no sanitizer report from the responders"
done_testing
