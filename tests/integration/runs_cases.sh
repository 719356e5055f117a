# tests/integration/runs_cases.sh: the /v1/runs cases (issue 11), run
# against a server in front of hermes-fcgi (lighttpd, Apache+mod_fcgid)
# whose responders hand runs to the hermes-runner daemon, which talks to
# the scripted upstream (tests/upstream).
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh and chat_cases.sh (chat_env, up_script, up_requests,
# up_wait_requests, pycheck, check). Gives:
#   runs_env HOME [YAML]        chat_env HOME (plus the NAME=VALUE words of
#                               RUNS_ENV_EXTRA), and config.yaml holding YAML;
#                               the runner of HOME (its pidfile) is stopped
#                               when the test ends, its log shown on failure
#   run_runs_cases HOME LABEL RESTART
#                               lifecycle, polling, events (replay, two
#                               readers, a reader that comes back), stop,
#                               steer, worker and runner SIGKILL, ten parallel
#                               POSTs, the web server restarted mid-run
#                               (RESTART: a function that restarts it and sets
#                               RB), idempotency across two responders (the
#                               second is a CGI run of hermes-fcgi),
#                               validation leaving no rows, the runner's fds
#   run_runs_approval_cases HOME LABEL
#                               approvals.mode ask (timeout 10 s): once,
#                               session, deny, and the timeout
#   run_runs_life_cases HOME LABEL
#                               runner.ttl 2, runner.idle_exit 4: the sweep,
#                               the idle exit and the restart on a POST
#   run_runs_cron_cases HOME LABEL
#                               runner.mode cron (no responder starts a
#                               runner): `hermesctl runner run-once`
# The cases use RB (base URL) and RK (key), set by the caller.

RB=
RK=$TEST_KEY

# runs_env HOME [YAML]
runs_env() {
	local home=$1
	# shellcheck disable=SC2086
	chat_env "$home" ${RUNS_ENV_EXTRA:-}
	if [ -n "${2:-}" ]; then
		printf '%s\n' "$2" > "$home/config.yaml"
		chmod 0600 "$home/config.yaml"
	fi
	track_pidfile "$home/runner.pid"
	track_log "$home/logs/runner.log"
}

# rpost JSON [curl args]: POST /v1/runs; RUN_ID from the answer.
rpost() {
	printf '%s' "$1" > "$T/run.req"
	shift
	http POST "$RB/v1/runs" -H "Authorization: Bearer $RK" -H 'Content-Type: application/json' \
		--data-binary "@$T/run.req" "$@"
	RUN_ID=$(jget 'j.get("run_id") or ""' 2>/dev/null)
}

# rctl ID ACTION [JSON]: POST /v1/runs/ID/ACTION.
rctl() {
	printf '%s' "${3:-{\}}" > "$T/run.ctl"
	http POST "$RB/v1/runs/$1/$2" -H "Authorization: Bearer $RK" -H 'Content-Type: application/json' \
		--data-binary "@$T/run.ctl"
}

# rget ID: GET /v1/runs/ID (RESP_*).
rget() { http GET "$RB/v1/runs/$1" -H "Authorization: Bearer $RK"; }

# rstatus ID: the run's status ("" when none).
rstatus() {
	rget "$1"
	jget 'j.get("status") or ""' 2>/dev/null
}

# rwait ID ERE SECONDS: poll GET every 100 ms until the status matches ERE;
# prints the last status (gives up after 2 s of non-200 answers); the
# statuses seen, in order, are in $T/rwait.seen.
rwait() {
	local i s= n=$(($3 * 10)) gone=0 seen=
	for i in $(seq 1 "$n"); do
		# rget in this shell (not in $(...)), so RESP_STATUS is this answer's.
		rget "$1"
		s=$(jget 'j.get("status") or ""' 2>/dev/null)
		# A run that GET does not know for 2 s will not appear.
		if [ "$RESP_STATUS" != 200 ]; then
			gone=$((gone + 1))
			[ "$gone" -lt 20 ] || break
		fi
		case "$seen " in
		*" $s ") ;;
		*) seen="$seen $s" ;;
		esac
		echo "$seen" > "$T/rwait.seen"
		if printf '%s\n' "$s" | grep -Eq "^($2)\$"; then
			break
		fi
		sleep 0.1
	done
	echo "$s"
}

# revents ID OUT [curl args]: read GET /v1/runs/ID/events into OUT (raw SSE;
# at most RUNS_EV_MAX seconds, default 40).
revents() {
	local id=$1 out=$2
	shift 2
	curl -sN --max-time "${RUNS_EV_MAX:-40}" -H "Authorization: Bearer $RK" "$@" \
		"$RB/v1/runs/$id/events" > "$out" 2>/dev/null
	return 0
}

# rev_check FILE [TERMINAL] [FIRST]: the run-stream rules (sse_check.py runs).
rev_check() {
	local f=$1
	shift
	"$PYTHON" "$SSE_CHECK" runs "$f" "$@"
}

# rev_py FILE 'code' ARGS...: code with evs = the parsed events of FILE
# (dicts id, data, json), argv = ARGS; prints problems.
rev_py() {
	local f=$1 code=$2
	shift 2
	"$PYTHON" - "$f" "$@" <<PY 2>&1
import json, sys
sys.path.insert(0, "$top_srcdir/tests/integration")
import sse_check
evs = sse_check.run_events(open(sys.argv[1], encoding="utf-8", errors="replace").read())[:-1]
js = [e["json"] if isinstance(e["json"], dict) else {} for e in evs]
names = [x.get("event") for x in js]
argv = sys.argv[2:]
$code
PY
}

# rev_text FILE: the message.delta texts concatenated.
rev_text() {
	rev_py "$1" 'sys.stdout.write("".join(x.get("delta") or "" for x in js if x.get("event") == "message.delta"))'
}

# runner_pid HOME: the pid in HOME/runner.pid when that process is alive.
runner_pid() {
	local p
	p=$(pids_in_file "$1/runner.pid" | head -n 1)
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
	return 0
}

# wait_runner HOME SECONDS: wait until HOME has a live runner; prints its pid.
wait_runner() {
	local i p=
	for i in $(seq 1 $(($2 * 10))); do
		p=$(runner_pid "$1")
		[ -n "$p" ] && break
		sleep 0.1
	done
	echo "$p"
}

# comm_of PID; stat_field PID N: field N of /proc/PID/stat counted after
# the command (1 state, 2 ppid, 4 session); ppid_of PID, sid_of PID.
comm_of() { cat "/proc/$1/comm" 2>/dev/null; }
stat_field() {
	local line n=$2
	{ read -r line < "/proc/$1/stat"; } 2>/dev/null || return 0
	line=${line##*) }
	# shellcheck disable=SC2086
	set -- $line
	eval "echo \"\${$n:-}\""
}
ppid_of() { stat_field "$1" 2; }
sid_of() { stat_field "$1" 4; }

# runner_daemons HOME: pids of hermes-runner processes (not workers: their
# parent is not a hermes-runner) that hold a file of HOME open (the
# pidfile, state.db). Other tests' runners on this machine have other homes.
runner_daemons() {
	local d p
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[ "$(comm_of "$p")" = hermes-runner ] || continue
		[ "$(comm_of "$(ppid_of "$p")")" != hermes-runner ] || continue
		ls -l "$d/fd" 2>/dev/null | grep -qF -- "-> $1/" || continue
		echo "$p"
	done
}

# runner_workers HOME: the workers (children) of HOME's runner.
runner_workers() {
	local r c
	r=$(runner_pid "$1")
	[ -n "$r" ] || return 0
	for c in $(children_of "$r"); do
		[ "$(comm_of "$c")" = hermes-runner ] && echo "$c"
	done
	return 0
}

# stop_runner HOME: TERM the runner of HOME (started by this test through a
# POST) by its pid and wait until it is gone.
stop_runner() {
	local p
	p=$(runner_pid "$1")
	[ -z "$p" ] || stop_pid "$p"
}

# renv STATUS CODE: what is wrong with RESP_* as STATUS with an OpenAI error
# envelope whose code is CODE.
# (CODE '*': any code).
renv() {
	[ "$RESP_STATUS" = "$1" ] || echo "status $RESP_STATUS, want $1"
	if [ "$2" = '*' ]; then
		"$PYTHON" "$SSE_CHECK" envelope "$RESP_BODY"
	else
		envelope_problem "$2"
	fi
}

# tool step helper: a terminal call as an upstream step (JSON).
tcall() { printf '{"id":"%s","name":"terminal","arguments":{"command":"%s"}}' "$1" "$2"; }

# ---- the main cases ------------------------------------------------------------

run_runs_cases() {
	local home=$1 where=$2 restart=$3 rid rid2 got i s t0 t1 rp rp2 wp ids n
	local final="All done after two rounds."

	# ---- lifecycle with two tool rounds -------------------------------------
	up_script '[{"reply":"Step one. ","tool_calls":['"$(tcall call_a 'echo round-one')"']},
		{"tool_calls":['"$(tcall call_b 'echo round-two')"']},
		{"reply":"'"$final"'","chunk_size":5,"usage":{"prompt_tokens":20,"completion_tokens":6}}]'
	rpost '{"input":"run two tools","model":"hermes-agent"}'
	is "$RESP_STATUS" 202 "$where: POST /v1/runs is 202"
	rid=$RUN_ID
	like "$rid" '^run_[0-9a-f]{32}$' "$where: run_id is run_ + 32 hex"
	is "$(jget 'j.get("status")')" queued "$where: the 202 body says queued"
	s=$(rwait "$rid" 'completed|failed|cancelled|interrupted' 40)
	is "$s" completed "$where: polling GET /v1/runs/{id} ends completed (seen:$(cat "$T/rwait.seen" 2>/dev/null))"
	check "$where: the completed status object (object, ids, times, model, last_event, output, usage summed over three model calls)" "$(pycheck "$RESP_BODY" '
want = {"object": "hermes.run", "run_id": argv[0], "status": "completed", "model": "hermes-agent", "last_event": "run.completed"}
for k, v in want.items():
    if j.get(k) != v:
        print("%s %r, want %r" % (k, j.get(k), v))
for k in ("created_at", "updated_at"):
    if not isinstance(j.get(k), (int, float)):
        print("%s %r is not a number" % (k, j.get(k)))
if isinstance(j.get("created_at"), (int, float)) and isinstance(j.get("updated_at"), (int, float)) and j["updated_at"] < j["created_at"]:
    print("updated_at before created_at")
if not isinstance(j.get("session_id"), str) or not j["session_id"]:
    print("session_id %r" % j.get("session_id"))
if not str(j.get("output") or "").endswith(argv[1]):
    print("output %r" % j.get("output"))
if j.get("usage") != {"input_tokens": 40, "output_tokens": 16, "total_tokens": 56}:
    print("usage %r, want 40/16/56" % j.get("usage"))
' "$rid" "$final")" "body: $(head -c 800 "$RESP_BODY")"
	revents "$rid" "$T/ev1.sse"
	check "$where: the events follow the run-stream rules (ids 1.., run.completed last, : stream closed)" \
		"$(rev_check "$T/ev1.sse" run.completed 1)" "stream: $(head -c 2000 "$T/ev1.sse")"
	check "$where: events: message.delta, tool.started/completed for both calls in order, run.completed with output/usage/messages" "$(rev_py "$T/ev1.sse" '
tools = [(x["event"], x.get("tool"), x.get("call_id")) for x in js if x.get("event", "").startswith("tool.")]
want = [("tool.started", "terminal", "call_a"), ("tool.completed", "terminal", "call_a"),
        ("tool.started", "terminal", "call_b"), ("tool.completed", "terminal", "call_b")]
if tools != want:
    print("tool events %s, want %s" % (tools, want))
for x in js:
    if x.get("event") == "tool.completed" and (not isinstance(x.get("duration"), (int, float)) or x.get("error") is not False):
        print("tool.completed duration/error: %s" % x)
text = "".join(x.get("delta") or "" for x in js if x.get("event") == "message.delta")
if not text.endswith(argv[0]) or "Step one." not in text:
    print("delta text %r" % text)
c = js[-1] if js else {}
if not str(c.get("output") or "").endswith(argv[0]):
    print("run.completed output %r" % c.get("output"))
if not isinstance(c.get("usage"), dict) or c["usage"].get("total_tokens") != 56:
    print("run.completed usage %r" % c.get("usage"))
m = c.get("messages")
if not isinstance(m, list) or not m or not all(isinstance(x, dict) and x.get("role") for x in m):
    print("run.completed messages %r" % (m,))
elif not any(x.get("role") == "assistant" for x in m):
    print("no assistant message in messages")
' "$final")" "events: $("$PYTHON" "$SSE_CHECK" rev "$T/ev1.sse" | tr '\n' ' ')"
	up_requests "$T/up.json"
	check "$where: the upstream got three model calls, the tool outputs in the later ones" "$(pycheck "$T/up.json" '
if len(j) != 3:
    print("%d upstream requests, want 3" % len(j))
else:
    s2, s3 = json.dumps(j[1]["body"]["messages"]), json.dumps(j[2]["body"]["messages"])
    if "round-one" not in s2 or "round-two" not in s3:
        print("tool results missing from the later calls")
')"

	# ---- replay from Last-Event-ID / ?after= ---------------------------------------------
	n=$("$PYTHON" "$SSE_CHECK" rev "$T/ev1.sse" | wc -l)
	revents "$rid" "$T/ev1b.sse" -H 'Last-Event-ID: 2'
	got=$(rev_check "$T/ev1b.sse" run.completed 3)
	check "$where: Last-Event-ID: 2 replays from id 3, the same events" "$got${got:+
}$("$PYTHON" - "$T/ev1.sse" "$T/ev1b.sse" 2 <<PY
import sys
sys.path.insert(0, "$top_srcdir/tests/integration")
import sse_check
a = [(e["id"], e["data"]) for e in sse_check.run_events(open(sys.argv[1]).read())[:-1]]
b = [(e["id"], e["data"]) for e in sse_check.run_events(open(sys.argv[2]).read())[:-1]]
if a[int(sys.argv[3]):] != b:
    print("replay differs: %d events, want %d" % (len(b), len(a) - int(sys.argv[3])))
PY
)" "stream: $(head -c 600 "$T/ev1b.sse")"
	RB_Q="?after=$((n - 1))"
	curl -sN --max-time 20 -H "Authorization: Bearer $RK" "$RB/v1/runs/$rid/events$RB_Q" > "$T/ev1c.sse" 2>/dev/null
	check "$where: ?after=$((n - 1)) gives only the terminal event" "$(rev_check "$T/ev1c.sse" run.completed "$n")"

	# ---- status codes of the other endpoints -------------------------------------------
	rget "run_0123456789abcdef0123456789abcdef"
	check "$where: GET of an unknown run → 404 run_not_found" "$(renv 404 run_not_found)" "body: $(head -c 300 "$RESP_BODY")"
	http GET "$RB/v1/runs/$rid"
	is "$RESP_STATUS" 401 "$where: GET /v1/runs/{id} without a key is 401"
	http GET "$RB/v1/runs?limit=5" -H "Authorization: Bearer $RK"
	check "$where: GET /v1/runs lists the run, newest first" "$(pycheck "$RESP_BODY" '
d = j.get("data")
if not isinstance(d, list) or not d or d[0].get("run_id") != argv[0]:
    print("list %s" % json.dumps(j)[:300])
' "$rid")"
	rctl "$rid" stop
	is "$RESP_STATUS" 409 "$where: stop of a finished run → 409"
	like "$(cat "$RESP_BODY")" 'completed' "$where: ... naming the current status"
	rctl "$rid" steer '{"input":"too late"}'
	check "$where: steer of a finished run → 409 run_not_accepting_steer" "$(renv 409 run_not_accepting_steer)"

	# ---- two simultaneous readers, a reader that leaves and comes back --------------
	up_script '[{"reply":"Looking. ","tool_calls":['"$(tcall call_r 'echo reader')"']},
		{"reply":"one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen","chunk_size":4,"delay":0.15}]'
	rpost '{"input":"a slow run with readers"}'
	rid=$RUN_ID
	revents "$rid" "$T/ra.sse" &
	local pa=$!
	revents "$rid" "$T/rb.sse" &
	local pb=$!
	# The leaving reader comes once the run has written its first event, so
	# its 2 s hold something however slowly the runner starts on a busy box.
	for _ in $(seq 1 200); do
		rget "$rid"
		[ -n "$(jget 'j.get("last_event") or ""' 2>/dev/null)" ] && break
		sleep 0.1
	done
	# It holds 2 s; on a box so loaded that 2 s brought no event (the
	# responder still starting), it comes again and holds longer.
	for hold in 2 4 8; do
		RUNS_EV_MAX=$hold revents "$rid" "$T/rc1.sse"
		got=$("$PYTHON" "$SSE_CHECK" rev "$T/rc1.sse" | tail -n 1)
		got=${got%% *}
		[ -n "$got" ] && break
	done
	revents "$rid" "$T/rc2.sse" -H "Last-Event-ID: ${got:-0}"
	wait "$pa" "$pb"
	check "$where: reader A: the run-stream rules" "$(rev_check "$T/ra.sse" run.completed 1)" "stream: $(head -c 1500 "$T/ra.sse")"
	check "$where: two simultaneous readers see the identical sequence; the one that left after ${hold} s (last id ${got:-none}) and came back with Last-Event-ID missed and repeated nothing" "$("$PYTHON" - "$T/ra.sse" "$T/rb.sse" "$T/rc1.sse" "$T/rc2.sse" <<PY
import sys
sys.path.insert(0, "$top_srcdir/tests/integration")
import sse_check
def ev(p):
    return [(e["id"], e["data"]) for e in sse_check.run_events(open(p).read())[:-1]]
a, b, c1, c2 = (ev(p) for p in sys.argv[1:5])
if a != b:
    print("A and B differ: %d vs %d events" % (len(a), len(b)))
if not c1:
    print("the leaving reader got nothing in 2 s")
if c1 + c2 != a:
    print("leave + return: %s + %s, A: %s" % ([x[0] for x in c1], [x[0] for x in c2], [x[0] for x in a]))
PY
)"
	like "$(rstatus "$rid")" '^completed$' "$where: the run whose reader left is completed"

	# ---- stop of a run whose upstream hangs ----------------------------------------------
	up_script '[{"reply":"this never ends","never_end":true}]'
	rpost '{"input":"hang please"}'
	rid=$RUN_ID
	s=$(rwait "$rid" running 20)
	up_wait_requests 1 > /dev/null
	t0=$(date +%s.%N)
	rctl "$rid" stop
	t1=$(date +%s.%N)
	is "$RESP_STATUS" 200 "$where: POST /stop of a running run is 200"
	like "$(jget 'j.get("status")')" '^(stopping|cancelled)$' "$where: the stop answer carries the run's status"
	s=$(rwait "$rid" 'cancelled|completed|failed|interrupted' 6)
	t1=$(date +%s.%N)
	is "$s" cancelled "$where: the stopped run (upstream hanging) is cancelled"
	check "$where: cancelled within 5 s of the stop request ($(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s)" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN{ if (b - a > 5.0) print "took " b - a " s" }')"
	revents "$rid" "$T/stop.sse"
	check "$where: the stopped run's events end with run.cancelled" "$(rev_check "$T/stop.sse" run.cancelled 1)" "stream: $(head -c 800 "$T/stop.sse")"

	# ---- steer ---------------------------------------------------------------------------
	up_script '[{"tool_calls":['"$(tcall call_s 'sleep 2; echo slept')"']},{"reply":"steered fine"}]'
	rpost '{"input":"do a slow tool"}'
	rid=$RUN_ID
	s=$(rwait "$rid" running 20)
	up_wait_requests 1 > /dev/null
	sleep 0.3
	rctl "$rid" steer '{"input":"please also mention bananas"}'
	is "$RESP_STATUS $(jget 'j.get("accepted")')" "200 true" "$where: steer during a tool round → 200 accepted"
	s=$(rwait "$rid" 'completed|failed|cancelled|interrupted' 30)
	is "$s" completed "$where: the steered run completes"
	is "$(jget 'j.get("pending_steer")')" null "$where: a delivered steer leaves no pending_steer"
	up_requests "$T/up.json"
	check "$where: the next model call after the tool round has the steer text as a user message" "$(pycheck "$T/up.json" '
if len(j) != 2:
    print("%d upstream requests, want 2" % len(j))
else:
    m = j[1]["body"]["messages"]
    if not any(x.get("role") == "user" and "please also mention bananas" in json.dumps(x.get("content")) for x in m):
        print("no user message with the steer text: %s" % json.dumps(m)[-600:])
')"
	revents "$rid" "$T/steer.sse"
	check "$where: a run.steered event with the text" "$(rev_py "$T/steer.sse" '
st = [x for x in js if x.get("event") == "run.steered"]
if len(st) != 1 or "bananas" not in json.dumps(st[0]):
    print("run.steered events: %s" % st)
')"
	up_script '[{"reply":"a slow final answer with no more tool rounds at all","chunk_size":3,"delay":0.1}]'
	rpost '{"input":"answer slowly"}'
	rid=$RUN_ID
	s=$(rwait "$rid" running 20)
	up_wait_requests 1 > /dev/null
	sleep 0.3
	rctl "$rid" steer '{"text":"too late for this"}'
	is "$RESP_STATUS" 200 "$where: steer during the last model call → 200"
	s=$(rwait "$rid" 'completed|failed|cancelled|interrupted' 30)
	is "$s $(jget 'j.get("pending_steer")')" "completed too late for this" "$where: a steer that came too late is pending_steer on the status"
	revents "$rid" "$T/steer2.sse"
	is "$(rev_py "$T/steer2.sse" 'print(js[-1].get("event"), js[-1].get("pending_steer"))')" "run.completed too late for this" \
		"$where: ... and on the run.completed event"

	# ---- SIGKILL of a worker --------------------------------------------------------------
	up_script '[{"tool_calls":['"$(tcall call_k 'sleep 6; echo never')"']},{"reply":"unreached"}]'
	rpost '{"input":"a worker to kill"}'
	rid=$RUN_ID
	s=$(rwait "$rid" running 20)
	up_wait_requests 1 > /dev/null
	wp=$(runner_workers "$home" | head -n 1)
	check "$where: the running run has a worker process (a child of the runner)" "$([ -n "$wp" ] || echo "no worker found under runner $(runner_pid "$home")")"
	[ -z "$wp" ] || kill -KILL "$wp"
	s=$(rwait "$rid" 'completed|failed|cancelled|interrupted' 10)
	is "$s" failed "$where: SIGKILL of the worker → failed"
	like "$(jget 'j.get("error") or ""')" '(SIGKILL|signal 9|[Kk]illed)' "$where: ... with an error naming the signal"
	revents "$rid" "$T/kill.sse"
	check "$where: ... and run.failed ends its events" "$(rev_check "$T/kill.sse" run.failed 1)" "stream: $(head -c 800 "$T/kill.sse")"

	# ---- the runner holds no fd of the web server ------------------------------------------
	rp=$(runner_pid "$home")
	check "$where: the runner holds no socket or pipe of the web server, and is in a session of its own" "$(
		[ -n "$rp" ] || echo "no runner"
		fdset() { local q; for q in "$@"; do ls -l "/proc/$q/fd" 2>/dev/null; done | sed -n 's/.*-> \(\(socket\|pipe\):\[[0-9]*\]\)$/\1/p' | sort -u; }
		kids=$(for q in $RUNS_WEB_PIDS; do children_of "$q"; done)
		ws=$(fdset $RUNS_WEB_PIDS $kids $(for q in $kids; do children_of "$q"; done))
		shared=$(comm -12 <(fdset "$rp") <(printf '%s\n' "$ws"))
		[ -z "$shared" ] || echo "shared with the web server: $shared"
		for q in $RUNS_WEB_PIDS; do
			[ "$(sid_of "$rp")" != "$(sid_of "$q")" ] || echo "same session as $q"
		done
	)" "runner fds: $(ls -l "/proc/$rp/fd" 2>/dev/null | sed -n 's/.*-> //p' | tr '\n' ' ')"

	# ---- SIGKILL of the runner mid-run ---------------------------------------------------
	up_script '[{"reply":"hanging","never_end":true}]'
	rpost '{"input":"the runner dies under me"}'
	rid=$RUN_ID
	s=$(rwait "$rid" running 20)
	up_wait_requests 1 > /dev/null
	rp=$(runner_pid "$home")
	wp=$(runner_workers "$home")
	# The way a host that kills stray processes does it: all of them at once.
	# shellcheck disable=SC2086
	[ -z "$rp" ] || kill -KILL "$rp" $wp
	sleep 0.5
	up_script '[{"reply":"after the restart"}]'
	rpost '{"input":"a new run"}'
	rid2=$RUN_ID
	is "$RESP_STATUS" 202 "$where: a POST after the runner was killed is 202"
	rp2=$(wait_runner "$home" 10)
	check "$where: the runner is back (new pid $rp2, old $rp)" "$([ -n "$rp2" ] && [ "$rp2" != "$rp" ] || echo "no new runner")"
	s=$(rwait "$rid" 'completed|failed|cancelled|interrupted' 40)
	is "$s" interrupted "$where: the orphaned run is interrupted"
	like "$(jget 'j.get("error") or ""')" '.' "$where: ... with an error"
	revents "$rid" "$T/orphan.sse"
	check "$where: ... and its events end with run.interrupted" "$(rev_check "$T/orphan.sse" run.interrupted 1)" "stream: $(head -c 800 "$T/orphan.sse")"
	is "$(rwait "$rid2" 'completed|failed|cancelled|interrupted' 30) $(jget 'j.get("output")')" "completed after the restart" \
		"$where: the run queued after the restart completes"

	# ---- ten parallel POSTs with no runner ---------------------------------------------
	stop_runner "$home"
	is "$(runner_daemons "$home" | wc -l)" 0 "$where: no runner for the home before the parallel POSTs"
	up_script '[{"reply":"p"},{"reply":"p"},{"reply":"p"},{"reply":"p"},{"reply":"p"},{"reply":"p"},{"reply":"p"},{"reply":"p"},{"reply":"p"},{"reply":"p"}]'
	printf '{"input":"parallel"}' > "$T/par.req"
	ids=
	for i in 1 2 3 4 5 6 7 8 9 10; do
		curl -sS --max-time 30 -o "$T/par.$i" -w '%{http_code}' -H "Authorization: Bearer $RK" \
			-H 'Content-Type: application/json' --data-binary "@$T/par.req" "$RB/v1/runs" > "$T/par.$i.code" 2>&1 &
		ids="$ids $!"
	done
	# shellcheck disable=SC2086
	wait $ids
	is "$(cat "$T"/par.*.code | tr -d '\n')" "202202202202202202202202202202" "$where: ten parallel POSTs are all 202"
	sleep 1
	got=$(runner_daemons "$home" | tr '\n' ' ')
	is "$(echo "$got" | wc -w)" 1 "$where: ten parallel POSTs with no runner → exactly one hermes-runner for the home ($got)"
	n=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		s=$(rwait "$(jget 'j.get("run_id") or "none"' "$T/par.$i")" 'completed|failed|cancelled|interrupted' 30)
		[ "$s" = completed ] && n=$((n + 1))
	done
	is "$n" 10 "$where: the ten parallel runs all complete"

	# ---- the web server restarted mid-run ---------------------------------------------
	up_script '[{"reply":"alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima","chunk_size":3,"delay":0.1}]'
	rpost '{"input":"survive the web server"}'
	rid=$RUN_ID
	s=$(rwait "$rid" running 20)
	up_wait_requests 1 > /dev/null
	rp=$(runner_pid "$home")
	"$restart"
	is "$(runner_pid "$home")" "$rp" "$where: the runner outlived the web server's restart"
	s=$(rwait "$rid" 'completed|failed|cancelled|interrupted' 30)
	is "$s $(jget 'j.get("output")')" "completed alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima" \
		"$where: the run completes across a web server restart"
	revents "$rid" "$T/restart.sse"
	check "$where: ... and its events are all readable afterwards" "$(rev_check "$T/restart.sse" run.completed 1)" "stream: $(head -c 800 "$T/restart.sse")"
	is "$(rev_text "$T/restart.sse")" "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima" \
		"$where: ... the deltas are the whole text"

	# ---- idempotency across two responders (web server, then a CGI process) ----------
	up_script '[{"reply":"idempotent"}]'
	local ikey="t-idem-$$-$RANDOM"
	rpost '{"input":"only once"}' -H "Idempotency-Key: $ikey"
	rid=$RUN_ID
	is "$RESP_STATUS" 202 "$where: POST with an Idempotency-Key is 202"
	CGI_HOME=$home cgi_post /v1/runs '{"input":"only once"}' "HTTP_AUTHORIZATION=Bearer $RK" "HTTP_IDEMPOTENCY_KEY=$ikey"
	is "$RESP_STATUS $(jget 'j.get("run_id")') $(jget 'j.get("replayed")') $(hdr Idempotency-Replayed)" "202 $rid true true" \
		"$where: the same key and body through another responder (CGI) → 202 replay of the same run, replayed, Idempotency-Replayed: true"
	rpost '{"input":"another body"}' -H "Idempotency-Key: $ikey"
	check "$where: the same key with another body → 409 idempotency_key_conflict" "$(renv 409 idempotency_key_conflict)" \
		"body: $(head -c 300 "$RESP_BODY")"
	rwait "$rid" 'completed|failed|cancelled|interrupted' 20 > /dev/null

	# ---- validation failures leave no row ------------------------------------------------
	http GET "$RB/v1/runs?limit=100" -H "Authorization: Bearer $RK"
	n=$(jget 'len(j.get("data") or [])')
	rpost '{"input":""}'
	check "$where: empty input → 400 envelope" "$(renv 400 '*')"
	rpost '{"input":"x","conversation_history":[{"role":"user"}]}'
	check "$where: a history entry without content → 400 envelope" "$(renv 400 '*')"
	rpost '{"input":'
	check "$where: invalid JSON → 400 envelope" "$(renv 400 '*')"
	rpost '{"input":"x"}' -H "Idempotency-Key: bad key with spaces"
	check "$where: an Idempotency-Key with spaces → 400 invalid_idempotency_key" "$(renv 400 invalid_idempotency_key)"
	RK=$WRONG_KEY rpost '{"input":"x"}'
	is "$RESP_STATUS" 401 "$where: a wrong key → 401"
	http GET "$RB/v1/runs?limit=100" -H "Authorization: Bearer $RK"
	is "$(jget 'len(j.get("data") or [])')" "$n" "$where: the refused requests left no run row ($n before)"
}

# ---- approvals ------------------------------------------------------------------------

run_runs_approval_cases() {
	local home=$1 where=$2 rid s choice nx mark
	nx="/hermes-t0880-nonexistent-$$"
	for choice in once session always deny; do
		# In the workspace: the only place the confined command may write
		# (tools.confinement; HERMES_HOME itself is out of its reach).
		mark=$home/workspace/approved-$choice
		up_script '[{"tool_calls":['"$(tcall call_d "touch $mark; rm -rf $nx/*")"']},{"reply":"after the approval"}]'
		rpost '{"input":"do something dangerous"}'
		rid=$RUN_ID
		s=$(rwait "$rid" waiting_for_approval 20)
		is "$s" waiting_for_approval "$where: a dangerous command under approvals.mode ask → waiting_for_approval ($choice)"
		RUNS_EV_MAX=1 revents "$rid" "$T/ap.sse"
		check "$where: an approval.request event with approval_id, the command, a reason and the choices ($choice)" "$(rev_py "$T/ap.sse" '
ar = [x for x in js if x.get("event") == "approval.request"]
if len(ar) != 1:
    print("%d approval.request events" % len(ar))
else:
    a = ar[0]
    if "rm -rf" not in str(a.get("command")) or not a.get("approval_id") or not (a.get("reason") or a.get("description")):
        print("approval.request: %s" % a)
    if not set(["once", "deny"]) <= set(a.get("choices") or []):
        print("choices %r" % a.get("choices"))
')" "stream: $(head -c 800 "$T/ap.sse")"
		rctl "$rid" approval '{"choice":"'"$choice"'"}'
		is "$RESP_STATUS $(jget 'j.get("choice")')" "200 $choice" "$where: POST /approval $choice → 200"
		s=$(rwait "$rid" 'completed|failed|cancelled|interrupted' 20)
		is "$s $(jget 'j.get("output")')" "completed after the approval" "$where: the run completes after $choice"
		if [ "$choice" = deny ]; then
			ok "$where: deny → the command did not run" test ! -e "$mark"
		else
			ok "$where: $choice → the command ran" test -e "$mark"
		fi
		revents "$rid" "$T/ap2.sse"
		check "$where: approval.responded ($choice) in the events, run.completed last" "$(rev_check "$T/ap2.sse" run.completed 1)$(rev_py "$T/ap2.sse" '
if not any(x.get("event") == "approval.responded" and x.get("choice") == argv[0] for x in js):
    print("no approval.responded with choice %s" % argv[0])
' "$choice")"
	done
	rctl "$rid" approval '{"choice":"once"}'
	like "$RESP_STATUS" '^409$' "$where: an approval for a finished run → 409"

	mark=$home/workspace/approved-timeout
	up_script '[{"tool_calls":['"$(tcall call_t "touch $mark; rm -rf $nx/*")"']},{"reply":"after the timeout"}]'
	rpost '{"input":"nobody answers"}'
	rid=$RUN_ID
	s=$(rwait "$rid" waiting_for_approval 20)
	is "$s" waiting_for_approval "$where: waiting for an approval nobody gives"
	s=$(rwait "$rid" 'completed|failed|cancelled|interrupted' 40)
	is "$s $(jget 'j.get("output")')" "completed after the timeout" "$where: approvals.timeout (10 s) denies and the run goes on"
	ok "$where: the timed-out command did not run" test ! -e "$mark"
	up_requests "$T/up.json"
	like "$(jget 'json.dumps(j[-1]["body"]["messages"][-1])' "$T/up.json")" '(denied|refused|timed out|timeout)' \
		"$where: the model is told the command was not run"
}

# ---- TTL sweep, idle exit and restart ------------------------------------------

run_runs_life_cases() {
	local home=$1 where=$2 rid rp s i
	up_script '[{"reply":"short lived"}]'
	rpost '{"input":"a short run"}'
	rid=$RUN_ID
	s=$(rwait "$rid" 'completed|failed|cancelled|interrupted' 20)
	is "$s" completed "$where: a run completes (runner.ttl 2, runner.idle_exit 4)"
	rp=$(runner_pid "$home")
	check "$where: the runner is running" "$([ -n "$rp" ] || echo none)"
	for i in $(seq 1 150); do
		[ -n "$rp" ] && kill -0 "$rp" 2>/dev/null || break
		sleep 0.1
	done
	check "$where: the idle runner exits by itself (runner.idle_exit 4)" "$([ -n "$rp" ] && kill -0 "$rp" 2>/dev/null && echo "runner $rp still alive")"
	sleep 1
	up_script '[{"reply":"back again"}]'
	rpost '{"input":"wake up"}'
	local rid2=$RUN_ID
	is "$(rwait "$rid2" 'completed|failed|cancelled|interrupted' 20) $(jget 'j.get("output")')" "completed back again" \
		"$where: the next POST starts the runner again and the run completes"
	# The runner sweeps when it starts and then every minute.
	for i in $(seq 1 50); do
		rget "$rid"
		[ "$RESP_STATUS" = 404 ] && break
		sleep 0.1
	done
	check "$where: the run finished more than runner.ttl ago is swept (GET 404 run_not_found)" "$(renv 404 run_not_found)"
	check "$where: a new runner pid" "$(s=$(runner_pid "$home"); [ -n "$s" ] && [ "$s" != "$rp" ] || echo "runner now '$s', before '$rp'")"
}

# ---- hermesctl runner run-once ---------------------------------------------------

run_runs_cron_cases() {
	local home=$1 where=$2 rid s
	up_script '[{"reply":"done by cron"}]'
	rpost '{"input":"work me from cron"}'
	rid=$RUN_ID
	is "$RESP_STATUS" 202 "$where: POST with no runner available is 202"
	sleep 1
	is "$(rstatus "$rid")" queued "$where: ... and the run stays queued"
	is "$(runner_daemons "$home" | wc -l)" 0 "$where: no runner daemon for the home"
	HERMES_HOME=$home timeout 60 "$HERMESCTL" runner run-once > "$T/once.out" 2>&1
	is "$?" 0 "$where: hermesctl runner run-once exits 0 ($(head -c 300 "$T/once.out"))"
	is "$(rstatus "$rid") $(jget 'j.get("output")')" "completed done by cron" "$where: run-once worked the queue"
	is "$(runner_daemons "$home" | wc -l)" 0 "$where: no daemon left behind"
}
