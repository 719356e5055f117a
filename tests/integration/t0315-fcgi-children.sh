#!/bin/bash
# tests/integration/t0315-fcgi-children.sh: hermes-fcgi --listen ADDR
# --children N (one socket, N responder processes under a supervising
# parent), behind a real Apache httpd + mod_proxy_fcgi: N children answer;
# a slow streamed turn does not hold up other requests; a child killed
# with SIGKILL is replaced; SIGTERM to the parent ends every child and the
# parent with status 0; bad values are refused.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"

need "$HERMES_FCGI" "$PYTHON" curl

# wait_children N: until the parent has N children (30 s); prints the count.
wait_children() {
	local i n=0
	for i in $(seq 1 300); do
		n=$(children_of "$P" | wc -l | tr -d ' ')
		[ "$n" = "$1" ] && break
		sleep 0.1
	done
	echo "$n"
}

start_upstream up
chat_env "$T/home"

# ---- refused values ------------------------------------------------------------
for bad in 0 65 x 3x ''; do
	"$HERMES_FCGI" --listen "127.0.0.1:$(free_port)" --children "$bad" < /dev/null > "$T/bad.out" 2>&1
	is "$?" 2 "--children '$bad' is refused with status 2"
done
like "$(cat "$T/bad.out")" 'must be 1 to 64' "... saying what is allowed"

# ---- three children on one socket ------------------------------------------------
port=$(free_port)
HERMES_HOME=$T/home "$HERMES_FCGI" --listen "127.0.0.1:$port" --children 3 < /dev/null \
	> "$T/children.log" 2>&1 &
P=$!
track_pid "$P"
track_log "$T/children.log"
wait_port "$port" "$P" 30 || fail "hermes-fcgi --listen --children 3 listens" "$(cat "$T/children.log")"
is "$(wait_children 3)" 3 "--children 3: the parent has three child processes"
for c in $(children_of "$P"); do track_pid "$c"; done
like "$(cat "$T/children.log")" 'serving with 3 child processes' "the parent logs how many children serve"

start_apache proxy-fcgi kids / "$port"
B=http://127.0.0.1:$APACHE_PORT
http GET "$B/v1/models" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 200 "a request through Apache proxy_fcgi is answered"

# A streamed turn that takes about 4 s holds one child; another request is
# answered by another child before that stream ends.
up_script '[{"reply":"one two three four five six seven eight","chunk_size":4,"delay":0.5}]'
chat_stream "$B" "$TEST_KEY" '{"stream":true,"messages":[{"role":"user","content":"slow"}]}' "$T/slow.json" &
sp=$!
for i in $(seq 1 100); do
	up_requests "$T/up.json"
	[ "$(jget 'len(j)' "$T/up.json")" = 1 ] && break
	sleep 0.1
done
http GET "$B/v1/models" -H "Authorization: Bearer $TEST_KEY"
models_status=$RESP_STATUS
stream_done_before=$(kill -0 "$sp" 2>/dev/null && echo running || echo ended)
wait "$sp"
is "$models_status $stream_done_before" "200 running" \
	"while a slow stream holds one child, another child answers (the stream was still running)"
is "$(stream_text "$T/slow.json")" "one two three four five six seven eight" "... and the stream completes"

# ---- a child killed with SIGKILL is replaced ---------------------------------------
victim=$(children_of "$P" | head -n 1)
kill -KILL "$victim"
for i in $(seq 1 100); do
	children_of "$P" | grep -qx "$victim" || break
	sleep 0.1
done
is "$(wait_children 3)" 3 "a child killed with SIGKILL is replaced: three children again"
ok "... and the killed one is not among them" sh -c "! printf '%s\n' $(children_of "$P" | tr '\n' ' ') | grep -qx $victim"
for c in $(children_of "$P"); do track_pid "$c"; done
like "$(cat "$T/children.log")" "child $victim ended \(signal 9\); starting another" "the parent logs the replacement"
http GET "$B/v1/models" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 200 "requests are still answered"

# ---- SIGTERM to the parent ends everything -------------------------------------------
kids=$(children_of "$P" | tr '\n' ' ')
kill -TERM "$P"
for i in $(seq 1 300); do
	[ -n "$(proc_state "$P")" ] && [ "$(proc_state "$P")" != Z ] || break
	sleep 0.1
done
wait "$P"
is "$?" 0 "SIGTERM: the parent exits with status 0"
alive=
for c in $kids; do
	case $(proc_state "$c") in ''|Z) ;; *) alive="$alive $c" ;; esac
done
is "$alive" "" "SIGTERM: every child has ended"
like "$(cat "$T/children.log")" 'all children ended' "the parent logs that its children ended"
stop_pid "$APACHE_PID"

done_testing
