# tests/integration/responses_bg_cases.sh: background responses (issue 12),
# run against a server in front of hermes-fcgi (lighttpd, Apache+mod_fcgid)
# whose responders queue them as runs of the hermes-runner daemon, which
# talks to the scripted upstream (tests/upstream).
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh, chat_cases.sh, responses_cases.sh and runs_cases.sh
# (runs_env, rget, rstatus, runner_pid, stop_runner, renv). Gives:
#   run_resp_bg_cases HOME LABEL
#       create -> poll to completed with the output a foreground request
#       gets for the same script; background + stream cut after the third
#       event and resumed with starting_after (the two parts are the
#       uninterrupted sequence); two resumed readers at once; cancel while
#       the upstream hangs; the responder that accepted the request killed
#       right after the 200; its worker SIGKILLed; chaining off a background response; the 400s
#       and 404s; the run behind it on /v1/runs; /v1/capabilities;
#       Idempotency-Key: replay (body and stream), 409, 400, through a CGI
#       responder, after every responder was killed, six racing CGI
#       responders, another API key, the key on /v1/runs, a foreground
#       request ignoring it
#   run_resp_bg_expiry_cases HOME LABEL
#       runner.ttl 2, runner.idle_exit 4: once the run is swept, a resume is
#       a 404 response_events_expired, the response stays and its key still
#       replays it; a cancel of one left in_progress whose run was swept
#       ends it cancelled, a GET of another failed (run_gone); with
#       API_SERVER_MAX_CONCURRENT_RUNS=1 (RUNS_ENV_EXTRA) a second live one
#       is 429 and stores nothing, while a replay is still answered
# The cases use RB (base URL), RK (key) and RUNS_WEB_PIDS (the web server's
# pid, whose hermes-fcgi descendants are the responders).

# bpost JSON [curl args]: POST /v1/responses; BG_ID from the answer.
bpost() {
	resp_post "$RB" "$RK" "$@"
	BG_ID=$(jget 'j.get("id") or ""' 2>/dev/null)
}

# bcount HOME: how many responses HOME's store holds.
bcount() { sqlite3 "$1/state.db" 'SELECT count(*) FROM responses'; }

# bwait ID ERE SECONDS: poll GET /v1/responses/ID every 100 ms until its
# status matches ERE; prints the last status.
bwait() { resp_wait "$RB" "$RK" "$@"; }

# bcancel ID: POST /v1/responses/ID/cancel (an empty JSON body: lighttpd
# wants a Content-Length on a POST).
bcancel() {
	http POST "$RB/v1/responses/$1/cancel" -H "Authorization: Bearer $RK" \
		-H 'Content-Type: application/json' --data-binary '{}'
}

# bstream JSON OUT [client options]: POST with stream through chat_client.py.
bstream() {
	resp_stream "$RB" "$RK" "$1" "$2" "${@:3}"
}

# bresume ID AFTER OUT [client options]: GET ?stream=true[&starting_after=AFTER]
# ("" for none) through chat_client.py.
bresume() {
	local q="stream=true"
	[ -z "$2" ] || q="$q&starting_after=$2"
	"$PYTHON" "$CHAT_CLIENT" "$RB/v1/responses/$1?$q" "$RK" - "$3" --get "${@:4}" ||
		echo '{"error":"chat_client.py failed"}' > "$3"
}

# bhang INPUT [OUT]: a background response whose upstream never ends, in
# progress, with OUT followed by a reader (bresume into OUT) in the
# background: BG_ID and BG_READER (the reader's pid).
bhang() {
	up_script '[{"reply":"this never ends","never_end":true}]'
	bpost '{"input":"'"$1"'","background":true}'
	up_wait_requests 1 > /dev/null
	bwait "$BG_ID" in_progress 20 > /dev/null
	BG_READER=
	[ -z "${2:-}" ] || { bresume "$BG_ID" "" "$2" & BG_READER=$!; }
}

# bsweep HOME ID...: let HOME's runner exit idle (runner.idle_exit), wake
# it with a new background response (BG_WAKE; a runner sweeps when it
# starts), and wait until the runs of the responses ID... are gone;
# BG_SWEPT gets the last GET /v1/runs/{id} status of each (404: swept).
bsweep() {
	local home=$1 rp i id out=
	shift
	rp=$(runner_pid "$home")
	for i in $(seq 1 150); do
		[ -n "$rp" ] && kill -0 "$rp" 2>/dev/null || break
		sleep 0.1
	done
	sleep 1
	up_script '[{"reply":"wake up"}]'
	bpost '{"input":"wake the runner","background":true}'
	BG_WAKE=$BG_ID
	for id in "$@"; do
		for i in $(seq 1 100); do
			rget "run_${id#resp_}"
			[ "$RESP_STATUS" = 404 ] && break
			sleep 0.1
		done
		out="$out${out:+ }$RESP_STATUS"
	done
	BG_SWEPT=$out
}

# bkill HOME INPUT: a background response (BG_ID) whose worker is SIGKILLed
# while its upstream hangs; waits until its run failed and nobody read the
# response since, so it is still in_progress.
bkill() {
	local wp
	bhang "$2"
	wp=$(runner_workers "$1")
	[ -z "$wp" ] || kill -KILL $wp
	rwait "run_${BG_ID#resp_}" 'completed|failed|cancelled|interrupted' 20 > /dev/null
}

# web_responders: the hermes-fcgi processes under the web server.
web_responders() {
	local todo=$RUNS_WEB_PIDS p c
	while [ -n "$todo" ]; do
		set -- $todo
		p=$1
		shift
		todo="$*"
		for c in $(children_of "$p"); do
			todo="$todo $c"
			[ "$(comm_of "$c")" != hermes-fcgi ] || echo "$c"
		done
	done
}

# The data of a report's events, one JSON a line.
EV_DATA='
for e in j.get("events") or []:
    print(e["data"])
'

run_resp_bg_cases() {
	local home=$1 where=$2 fg bg id run s t0 t1 pids n
	local answer="The answer is forty-two, as always."

	# ---- create -> poll, the same output as a foreground request -----------------
	up_script '[{"reply":"'"$answer"'","chunk_size":6}]'
	resp_post "$RB" "$RK" '{"input":"What is the answer?","model":"hermes-agent"}'
	is "$RESP_STATUS" 200 "$where: the foreground request is 200"
	cp "$RESP_BODY" "$T/fg.json"
	up_script '[{"reply":"'"$answer"'","chunk_size":6}]'
	bpost '{"input":"What is the answer?","model":"hermes-agent","background":true}'
	is "$RESP_STATUS" 200 "$where: POST with background: true is 200"
	id=$BG_ID
	like "$id" '^resp_[0-9a-f]{24}$' "$where: ... a resp_ id"
	check "$where: ... answered at once: status queued, background true, output []" "$(pycheck "$RESP_BODY" '
if j.get("status") != "queued" or j.get("background") is not True or j.get("output") != []:
    print("status %r background %r output %r" % (j.get("status"), j.get("background"), j.get("output")))
if j.get("object") != "response" or j.get("store") is not True:
    print("object %r store %r" % (j.get("object"), j.get("store")))
')"
	s=$(bwait "$id" 'completed|failed|incomplete|cancelled' 40)
	is "$s" completed "$where: polling GET /v1/responses/{id} ends completed"
	cp "$RESP_BODY" "$T/bg.json"
	check "$where: the polled output equals the foreground answer's (text, items, usage)" "$(pycheck "$T/bg.json" '
f = json.load(open(argv[0]))
def shape(r):
    return (r.get("status"), r.get("output_text"),
            [(i.get("type"), i.get("role"), i.get("status"), [c.get("text") for c in i.get("content") or []]) for i in r.get("output") or []],
            r.get("usage"), r.get("model"))
if shape(j) != shape(f):
    print("background %r\nforeground %r" % (shape(j), shape(f)))
if j.get("background") is not True or "hermes_store" in j:
    print("background %r, hermes_store shown %r" % (j.get("background"), "hermes_store" in j))
' "$T/fg.json")"
	run=run_${id#resp_}
	rget "$run"
	check "$where: its run $run is on /v1/runs/{id}, completed with the answer" "$(pycheck "$RESP_BODY" '
if j.get("run_id") != argv[0] or j.get("status") != "completed":
    print("run_id %r status %r" % (j.get("run_id"), j.get("status")))
' "$run")" "body: $(head -c 300 "$RESP_BODY")"

	# ---- chaining off the finished background response ----------------------------
	up_script '[{"reply":"Still forty-two."}]'
	resp_post "$RB" "$RK" '{"input":"Are you sure?","previous_response_id":"'"$id"'"}'
	is "$RESP_STATUS" 200 "$where: a request chained off the background response is 200"
	up_requests "$T/up.json"
	is "$(up_turns "$T/up.json" 0)" '[["user", "What is the answer?"], ["assistant", "'"$answer"'"], ["user", "Are you sure?"]]' \
		"$where: ... the upstream saw the background turn before the new one"
	up_script '[{"reply":"Forty-two, background again."}]'
	bpost '{"input":"Once more, in the background.","previous_response_id":"'"$id"'","background":true}'
	s=$(bwait "$BG_ID" 'completed|failed|incomplete|cancelled' 40)
	is "$s $(jget 'j.get("previous_response_id")')" "completed $id" "$(echo "$where: a background response chained off one completes, previous_response_id echoed")"
	up_requests "$T/up.json"
	is "$(up_turns "$T/up.json" 0)" '[["user", "What is the answer?"], ["assistant", "'"$answer"'"], ["user", "Once more, in the background."]]' \
		"$where: ... with the earlier turns as history"
	up_script '[{"reply":"In conversation."}]'
	bpost '{"input":"Start a conversation.","conversation":"bgconv","background":true}'
	s=$(bwait "$BG_ID" 'completed|failed|incomplete|cancelled' 40)
	up_script '[{"reply":"Continued."}]'
	resp_post "$RB" "$RK" '{"input":"Go on.","conversation":"bgconv"}'
	up_requests "$T/up.json"
	is "$s $(up_turns "$T/up.json" 0)" 'completed [["user", "Start a conversation."], ["assistant", "In conversation."], ["user", "Go on."]]' \
		"$where: a conversation continues from its background response"

	# ---- the refusals ----------------------------------------------------------------
	resp_post "$RB" "$RK" '{"input":"x","background":true,"store":false}'
	check "$where: background with store:false → 400 param background" "$(renv 400 '*')$(pycheck "$RESP_BODY" '
if j["error"].get("param") != "background":
    print("param %r" % j["error"].get("param"))
')" "body: $(head -c 300 "$RESP_BODY")"
	bcancel "$(jget 'j["id"]' "$T/fg.json")"
	check "$where: cancel of a foreground response → 400 saying only background responses" "$(renv 400 '*')$(pycheck "$RESP_BODY" '
if "background" not in j["error"].get("message", ""):
    print("message %r" % j["error"].get("message"))
')" "body: $(head -c 300 "$RESP_BODY")"
	bresume "$(jget 'j["id"]' "$T/fg.json")" "" "$T/fgres.json"
	is "$(jget 'j["status"]' "$T/fgres.json")" 404 "$where: a resume of a foreground response is 404"
	bcancel "$id"
	is "$RESP_STATUS $(jget 'j.get("status")') $(jget 'j.get("output_text")')" "200 completed $answer" \
		"$where: cancel of a finished background response returns it unchanged"
	bresume "$id" abc "$T/badq.json"
	is "$(jget 'j["status"]' "$T/badq.json")" 400 "$where: starting_after=abc → 400"
	http GET "$RB/v1/capabilities" -H "Authorization: Bearer $RK"
	check "$where: /v1/capabilities advertises background, resume and cancel" "$(pycheck "$RESP_BODY" '
f = j.get("features") or {}
for k in ("responses_background", "responses_resume", "responses_cancel"):
    if f.get(k) is not True:
        print("%s %r" % (k, f.get(k)))
')"

	# ---- Idempotency-Key (the records of POST /v1/runs, api/idem.h) ---------------
	local ikey="t-bg-idem-$$-$RANDOM" skey="t-bg-idem-s-$$-$RANDOM" other
	local ibody='{"input":"only once, in the background","background":true}'
	up_script '[{"reply":"Queued once."}]'
	bpost "$ibody" -H "Idempotency-Key: $ikey"
	id=$BG_ID
	is "$RESP_STATUS $(jget 'j.get("status")') $(hdr Idempotency-Replayed)" "200 queued " \
		"$where: a background POST with an Idempotency-Key → 200 queued, not replayed"
	s=$(bwait "$id" 'completed|failed|incomplete|cancelled' 40)
	n=$(bcount "$home")
	bpost "$ibody" -H "Idempotency-Key: $ikey"
	is "$RESP_STATUS $BG_ID $(jget 'j.get("status")') $(jget 'j.get("output_text")') $(hdr Idempotency-Replayed)" \
		"200 $id $s Queued once. true" \
		"$where: the same key and body → 200, the same response with its current status, Idempotency-Replayed: true"
	is "$(bcount "$home")" "$n" "$where: ... and nothing new stored"
	bpost '{"input":"another body","background":true}' -H "Idempotency-Key: $ikey"
	check "$where: the same key with another body → 409 idempotency_key_conflict" \
		"$(renv 409 idempotency_key_conflict)" "body: $(head -c 300 "$RESP_BODY")"
	bpost "$ibody" -H "Idempotency-Key: bad key with spaces"
	check "$where: an Idempotency-Key with spaces → 400 invalid_idempotency_key" \
		"$(renv 400 invalid_idempotency_key)"
	is "$(bcount "$home")" "$n" "$where: ... neither stored anything"
	CGI_HOME=$home cgi_post /v1/responses "$ibody" "HTTP_AUTHORIZATION=Bearer $RK" "HTTP_IDEMPOTENCY_KEY=$ikey"
	is "$RESP_STATUS $(jget 'j.get("id")') $(hdr Idempotency-Replayed)" "200 $id true" \
		"$(echo "$where: ... replayed by another responder (a CGI process)")"
	up_script '[{"reply":"Another credential."}]'
	CGI_HOME=$home cgi_post /v1/responses "$ibody" "API_SERVER_KEY=$WRONG_KEY" \
		"HTTP_AUTHORIZATION=Bearer $WRONG_KEY" "HTTP_IDEMPOTENCY_KEY=$ikey"
	other=$(jget 'j.get("id") or ""')
	check "$(echo "$where: the same key and body under another API key (CGI, API_SERVER_KEY) → a new response, not the other key's")" \
		"$([ "$RESP_STATUS" = 200 ] && [ -n "$other" ] && [ "$other" != "$id" ] && [ -z "$(hdr Idempotency-Replayed)" ] ||
			echo "status $RESP_STATUS id $other replayed '$(hdr Idempotency-Replayed)'")"
	[ -z "$other" ] || bwait "$other" 'completed|failed|incomplete|cancelled' 40 > /dev/null
	up_script '[{"reply":"A run, not a response."}]'
	rpost '{"input":"only once, in the background"}' -H "Idempotency-Key: $ikey"
	is "$RESP_STATUS $(jget 'j.get("replayed")')" "202 false" \
		"$where: the response's key on POST /v1/runs → 202, a new run (the key spaces are apart)"
	rwait "$RUN_ID" 'completed|failed|cancelled|interrupted' 20 > /dev/null
	up_script '[{"reply":"In the foreground."}]'
	resp_post "$RB" "$RK" '{"input":"only once, in the background"}' -H "Idempotency-Key: $ikey"
	check "$where: a foreground POST ignores the key: 200, a new completed response, not replayed" \
		"$([ "$RESP_STATUS $(jget 'j.get("status")') $(hdr Idempotency-Replayed)" = "200 completed " ] &&
			[ "$(jget 'j.get("id")')" != "$id" ] || echo "status $RESP_STATUS $(head -c 300 "$RESP_BODY")")"
	up_script '[{"reply":"Foreground again."}]'
	resp_post "$RB" "$RK" '{"input":"a bad key in the foreground"}' -H "Idempotency-Key: bad key"
	is "$RESP_STATUS $(jget 'j.get("status")')" "200 completed" "$where: ... even a malformed one"
	up_script '[{"reply":"Streamed once, replayed.","chunk_size":6}]'
	bstream '{"input":"stream it once","background":true,"stream":true}' "$T/idem1.json" -H "Idempotency-Key: $skey"
	bstream '{"input":"stream it once","background":true,"stream":true}' "$T/idem2.json" -H "Idempotency-Key: $skey"
	check "$where: background + stream with a key, again → the same response's stream from the start, Idempotency-Replayed: true" "$(pycheck "$T/idem2.json" '
a = json.load(open(argv[0]))
def rid(r):
    return json.loads(r["events"][0]["data"])["response"]["id"] if r.get("events") else None
if j.get("status") != 200 or (j.get("headers") or {}).get("idempotency-replayed") != "true":
    print("status %r headers %r" % (j.get("status"), j.get("headers")))
elif rid(j) is None or rid(j) != rid(a):
    print("ids %r %r" % (rid(a), rid(j)))
elif [e["data"] for e in j["events"]] != [e["data"] for e in a["events"]]:
    print("%d events, first stream %d" % (len(j["events"]), len(a["events"])))
' "$T/idem1.json")"
	check "$where: ... the replayed stream follows the Responses stream rules, completed" \
		"$(pycheck "$T/idem2.json" "$RESP_RULES" completed)" "events: $(head -c 600 "$T/idem2.json")"
	pids=$(web_responders)
	[ -z "$pids" ] || kill -KILL $pids
	bwait "$id" 'completed|failed|incomplete|cancelled' 40 > /dev/null
	bpost "$ibody" -H "Idempotency-Key: $ikey"
	is "$RESP_STATUS $BG_ID $(hdr Idempotency-Replayed)" "200 $id true" \
		"$where: every responder SIGKILLed → the key still replays the response (durable)"
	# identical requests racing through six responders (CGI processes) at once
	local rkey="t-bg-race-$$-$RANDOM" i racers=
	up_script '[{"reply":"Raced once."}]'
	n=$(bcount "$home")
	printf '%s' '{"input":"race me","background":true}' > "$T/race.req"
	for i in 1 2 3 4 5 6; do
		(
			CGI_OUT=$T/race$i.out RESP_BODY=$T/race$i.json RESP_HDRS=$T/race$i.hdrs
			CGI_ERR=$T/race$i.err CGI_STDIN=$T/race.req CGI_HOME=$home
			cgi REQUEST_METHOD=POST PATH_INFO=/v1/responses CONTENT_TYPE=application/json \
				CONTENT_LENGTH="$(wc -c < "$T/race.req" | tr -d ' ')" \
				"HTTP_AUTHORIZATION=Bearer $RK" "HTTP_IDEMPOTENCY_KEY=$rkey"
		) &
		racers="$racers $!"
	done
	wait $racers
	check "$where: six identical keyed requests at once → one response, every answer its id" "$(pycheck "$T/race1.json" '
ids = set()
for f in [argv[0] + str(i) + ".json" for i in range(1, 7)]:
    try:
        ids.add(json.load(open(f)).get("id"))
    except Exception as e:
        ids.add("%s: %s" % (f, e))
if len(ids) != 1 or None in ids:
    print("ids %s" % sorted(map(str, ids)))
' "$T/race")$([ "$(bcount "$home")" = $((n + 1)) ] || echo " $(bcount "$home") responses stored, $n before")"
	bwait "$(jget 'j.get("id") or ""' "$T/race1.json")" 'completed|failed|incomplete|cancelled' 40 > /dev/null
	http GET "$RB/v1/capabilities" -H "Authorization: Bearer $RK"
	is "$(jget 'j["features"].get("responses_idempotency")')" \
		'{"supported": true, "durable": true, "retention_seconds": 86400, "background_only": true}' \
		"$where: /v1/capabilities advertises responses_idempotency"

	# ---- background + stream: cut after three events, resumed ----------------------
	up_script '[{"reply":"one two three four five six seven eight nine ten eleven twelve","chunk_size":4,"delay":0.1}]'
	bstream '{"input":"count slowly","background":true,"stream":true}' "$T/cut.json" --close-after-events 3
	id=$(pycheck "$T/cut.json" 'print(json.loads(j["events"][0]["data"])["response"]["id"])')
	check "$where: the background stream was cut after its third event" "$(pycheck "$T/cut.json" '
if j.get("status") != 200 or len(j.get("events") or []) != 3 or not j.get("closed_early"):
    print("status %r, %d events, closed_early %r" % (j.get("status"), len(j.get("events") or []), j.get("closed_early")))
')"
	n=$(pycheck "$T/cut.json" 'print(json.loads(j["events"][-1]["data"])["sequence_number"])')
	bresume "$id" "$n" "$T/rest.json"
	s=$(bwait "$id" 'completed|failed|incomplete|cancelled' 40)
	is "$s" completed "$where: the response whose client left completes"
	bresume "$id" "" "$T/whole.json"
	check "$where: the whole replayed stream follows the Responses stream rules, completed" \
		"$(pycheck "$T/whole.json" "$RESP_RULES" completed)" "events: $(head -c 600 "$T/whole.json")"
	check "$where: cut (3 events) + resume starting_after=$n = the uninterrupted sequence exactly" "$(pycheck "$T/cut.json" '
w = json.load(open(argv[0])); r = json.load(open(argv[1]))
a = [e["data"] for e in j["events"]] + [e["data"] for e in r.get("events") or []]
b = [e["data"] for e in w.get("events") or []]
if a != b:
    print("%d + %d events, whole %d; first difference at %s" % (len(j["events"]), len(r.get("events") or []), len(b),
          next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))))
sn = [json.loads(d)["sequence_number"] for d in b]
if sn != list(range(len(sn))):
    print("sequence numbers %s" % sn)
' "$T/whole.json" "$T/rest.json")"
	check "$where: the resumed part's event lines name the types" "$(pycheck "$T/rest.json" '
for e in j.get("events") or []:
    if e["event"] != json.loads(e["data"])["type"]:
        print("event %r data type %r" % (e["event"], json.loads(e["data"])["type"]))
')"

	# ---- two resumed readers at once --------------------------------------------------
	up_script '[{"reply":"alpha beta gamma delta epsilon zeta eta theta iota kappa","chunk_size":4,"delay":0.1}]'
	bpost '{"input":"two readers","background":true}'
	id=$BG_ID
	bresume "$id" 0 "$T/r1.json" & pids=$!
	bresume "$id" 0 "$T/r2.json" & pids="$pids $!"
	wait $pids
	bresume "$id" "" "$T/r0.json"
	check "$where: two readers resumed at once each got every event after 0, the same as a later replay" "$(pycheck "$T/r1.json" '
r2 = json.load(open(argv[0])); r0 = json.load(open(argv[1]))
a = [e["data"] for e in j.get("events") or []]
b = [e["data"] for e in r2.get("events") or []]
c = [e["data"] for e in r0.get("events") or []][1:]
if not a or a != b or a != c:
    print("reader 1: %d events, reader 2: %d, replay after 0: %d" % (len(a), len(b), len(c)))
elif json.loads(a[-1])["type"] != "response.completed":
    print("last %s" % json.loads(a[-1])["type"])
' "$T/r2.json" "$T/r0.json")"

	# ---- cancel while the upstream hangs ----------------------------------------------
	bhang 'hang please' "$T/cancel.json"
	id=$BG_ID pids=$BG_READER
	t0=$(date +%s.%N)
	bcancel "$id"
	t1=$(date +%s.%N)
	is "$RESP_STATUS $(jget 'j.get("status")')" "200 cancelled" "$where: cancel while the upstream hangs → 200, status cancelled"
	check "$where: ... within the bounded wait ($(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s)" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN{ if (b - a > 6.0) print "took " b - a " s" }')"
	is "$(bwait "$id" cancelled 5)" cancelled "$where: GET says cancelled"
	is "$(rstatus "run_${id#resp_}")" cancelled "$where: its run is cancelled"
	wait $pids
	check "$where: a reader following it got the stream ending in response.cancelled" \
		"$(pycheck "$T/cancel.json" "$RESP_RULES" cancelled)" "events: $(head -c 600 "$T/cancel.json")"
	bcancel "$id"
	is "$RESP_STATUS $(jget 'j.get("status")')" "200 cancelled" "$where: a second cancel returns it unchanged"

	# ---- the worker killed: the response is ended when next read -------------------
	bhang 'hang until killed' "$T/killed-live.json"
	id=$BG_ID t0=$BG_READER
	pids=$(runner_workers "$home")
	check "$where: the worker of the background response ($(echo $pids))" "$([ -n "$pids" ] || echo none)"
	[ -z "$pids" ] || kill -KILL $pids
	# no GET until the reader is done: the reader itself ends the response
	wait $t0
	check "$where: a reader following it when its worker is SIGKILLed gets response.failed at the end" \
		"$(pycheck "$T/killed-live.json" "$RESP_RULES" failed)" "events: $(head -c 600 "$T/killed-live.json")"
	s=$(bwait "$id" 'completed|failed|incomplete|cancelled' 20)
	is "$s $(jget '(j.get("error") or {}).get("code")')" "failed run_failed" \
		"$where: ... GET says failed, error.code run_failed"
	bresume "$id" "" "$T/killed.json"
	check "$where: ... and a later replay ends with response.failed too" \
		"$(pycheck "$T/killed.json" "$RESP_RULES" failed)" "events: $(head -c 600 "$T/killed.json")"

	# ---- the responder that accepted it killed right after the 200 -----------------
	up_script '[{"reply":"Survived the responder.","chunk_size":4,"delay":0.2}]'
	bpost '{"input":"outlive the responder","background":true}'
	id=$BG_ID
	pids=$(web_responders)
	check "$where: the responders found ($(echo $pids))" "$([ -n "$pids" ] || echo none)"
	[ -z "$pids" ] || kill -KILL $pids
	s=$(bwait "$id" 'completed|failed|incomplete|cancelled' 40)
	is "$s $(jget 'j.get("output_text")')" "completed Survived the responder." \
		"$where: every responder SIGKILLed right after the 200 → the response still completes"
}

run_resp_bg_expiry_cases() {
	local home=$1 where=$2 id n wake ekey="t-bg-exp-$$-$RANDOM" ebody killed gone first
	ebody='{"input":"a short background response","background":true}'
	up_script '[{"reply":"short lived"}]'
	bpost "$ebody" -H "Idempotency-Key: $ekey"
	id=$BG_ID first=$BG_ID
	is "$(bwait "$id" 'completed|failed|incomplete|cancelled' 30)" completed \
		"$where: a background response completes (runner.ttl 2, runner.idle_exit 4)"
	# Two whose workers die: their runs end failed, the responses stay
	# in_progress while nobody reads them (API_SERVER_MAX_CONCURRENT_RUNS=1:
	# one at a time).
	bkill "$home" 'cancel me once swept'
	killed=$BG_ID
	bkill "$home" 'read me once swept'
	gone=$BG_ID
	is "$(rstatus "run_${killed#resp_}") $(rstatus "run_${gone#resp_}")" "failed failed" \
		"$where: two background responses whose workers were SIGKILLed: their runs failed"
	bsweep "$home" "$id" "$killed" "$gone"
	is "$BG_SWEPT" "404 404 404" "$where: the three runs are swept after runner.ttl"
	wake=$BG_WAKE
	bresume "$id" 0 "$T/expired.json"
	check "$where: a resume after that → 404 response_events_expired" "$(pycheck "$T/expired.json" '
b = json.loads(j.get("body") or "{}")
if j.get("status") != 404 or (b.get("error") or {}).get("code") != "response_events_expired":
    print("status %r body %r" % (j.get("status"), j.get("body")[:300]))
elif "expired" not in b["error"].get("message", ""):
    print("message %r" % b["error"].get("message"))
')"
	resp_get "$RB" "$RK" "$id"
	is "$RESP_STATUS $(jget 'j.get("status")') $(jget 'j.get("output_text")')" "200 completed short lived" \
		"$where: ... while the response stays"
	bpost "$ebody" -H "Idempotency-Key: $ekey"
	is "$RESP_STATUS $BG_ID $(jget 'j.get("status")') $(hdr Idempotency-Replayed)" "200 $id completed true" \
		"$where: ... and its Idempotency-Key still replays it (the record and the response outlive the run)"

	# ---- a cancel once the run is swept: cancelled (the client asked) ----------
	bcancel "$killed"
	is "$RESP_STATUS $(jget 'j.get("status")') $(jget 'j.get("error")')" "200 cancelled null" \
		"$where: cancel of an in_progress response whose run was swept → 200 cancelled, no error"
	resp_get "$RB" "$RK" "$killed"
	is "$RESP_STATUS $(jget 'j.get("status")')" "200 cancelled" "$where: ... and GET says cancelled"
	resp_get "$RB" "$RK" "$gone"
	is "$RESP_STATUS $(jget 'j.get("status")') $(jget '(j.get("error") or {}).get("code")')" "200 failed run_gone" \
		"$where: a GET (no cancel) of one whose run was swept → failed, error.code run_gone"
	bcancel "$gone"
	is "$RESP_STATUS $(jget 'j.get("status")')" "200 failed" "$where: ... a cancel after that returns it unchanged"

	# ---- API_SERVER_MAX_CONCURRENT_RUNS (1 here) counts background responses ----
	is "$(bwait "$wake" 'completed|failed|incomplete|cancelled' 30)" completed \
		"$where: the response that woke the runner completes"
	up_script '[{"reply":"this never ends","never_end":true}]'
	bpost '{"input":"take the only slot","background":true}'
	id=$BG_ID
	n=$(bcount "$home")
	bpost '{"input":"one too many","background":true}'
	check "$where: a background response past the runs cap → 429 rate_limit_exceeded" "$(renv 429 rate_limit_exceeded)"
	is "$(bcount "$home")" "$n" "$where: ... and nothing was stored"
	bpost "$ebody" -H "Idempotency-Key: $ekey"
	is "$RESP_STATUS $BG_ID $(hdr Idempotency-Replayed)" "200 $first true" \
		"$where: ... while a key seen before still replays (looked up before the cap)"
	bcancel "$id"
	is "$RESP_STATUS $(jget 'j.get("status")')" "200 cancelled" "$where: the one in the slot cancelled"
}
