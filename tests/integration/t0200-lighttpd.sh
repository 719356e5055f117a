#!/bin/bash
# tests/integration/t0200-lighttpd.sh: the HTTP cases through a real lighttpd
# running the shipped lighttpd/lighttpd.conf.in, mounted at / and at /hermes.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON" curl lighttpd

home=$T/home
mk_home "$home"

# ---- mounted at / ------------------------------------------------------------------
start_lighttpd root / "$home" 2
base=http://127.0.0.1:$LIGHTTPD_PORT
run_http_cases "$base" "$TEST_KEY" "lighttpd /"
# Streaming is only incremental with this setting (lighttpd/README.md);
# the stream tests of the streaming endpoints measure it end to end.
like "$(grep -E '^[[:space:]]*server\.stream-response-body' "$LIGHTTPD_DIR/lighttpd.conf")" '= *2' \
	"the shipped config sets server.stream-response-body = 2"
like "$(grep -E '^[[:space:]]*server\.max-request-size' "$LIGHTTPD_DIR/lighttpd.conf")" '= *(1[6-9][0-9]{3}|[2-9][0-9]{4}|[0-9]{6,})' \
	"the shipped config allows request bodies of at least 16 MB"

# HEAD through lighttpd: the GET's status and headers, no body.
for p in /health /v1/models /v1/capabilities; do
	http GET "$base$p" -H "Authorization: Bearer $TEST_KEY"
	get_status=$RESP_STATUS get_len=$(hdr Content-Length)
	http HEAD "$base$p" -I -H "Authorization: Bearer $TEST_KEY"
	is "$RESP_STATUS $(hdr Content-Length)" "$get_status $get_len" "lighttpd /: HEAD $p is the GET's status and Content-Length (was 405)"
	unlike "$(cat "$RESP_BODY")" '[{]' "lighttpd /: HEAD $p has no body"
done
http HEAD "$base/v1/chat/completions" -I -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS $(hdr Allow)" "405 POST" "lighttpd /: HEAD on the POST-only chat path is 405 Allow: POST"

http GET "$base/v1/models?x=1&y=2" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 200 "lighttpd /: a query string does not change the route"
http GET "$base/" -H "Authorization: Bearer $TEST_KEY"
check_envelope 404 not_found "lighttpd /: GET / is the app's 404 envelope"
like "$(grep -c 'hermes-fcgi\[' "$LIGHTTPD_DIR/hermes-fcgi.log")" '^[1-9]' \
	"lighttpd /: the responders' log lines land in STATEDIR/hermes-fcgi.log (server.breakagelog)"
unlike "$(cat "$LIGHTTPD_DIR/hermes-fcgi.log" "$LIGHTTPD_DIR/error.log")" "$TEST_KEY|$WRONG_KEY" \
	"lighttpd /: no key in the logs"

# ---- mounted at /hermes ---------------------------------------------------------------
# A small quarantine: a sanitizer build would otherwise keep 256 MB of freed
# memory for use-after-free checks, and the RSS checks below measure the heap.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=4:allocator_release_to_os_interval_ms=0" \
	start_lighttpd prefix /hermes "$home" 1
base=http://127.0.0.1:$LIGHTTPD_PORT
run_http_cases "$base/hermes" "$TEST_KEY" "lighttpd /hermes"

http GET "$base/v1/models" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 404 "lighttpd /hermes: /v1/models outside the mount is not the API"

# ---- a body of millions of JSON values leaves no big responder behind ---------
# One responder (MAXPROCS 1), so /health/detailed names the one that parsed.
responder_rss_kb() {
	local pid
	http GET "$base/hermes/health/detailed" -H "Authorization: Bearer $TEST_KEY"
	pid=$(jget 'j["pid"]')
	awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0
}
rss0=$(responder_rss_kb)
"$PYTHON" -c 'import sys; sys.stdout.write("{\"messages\":[" + ",".join(["[]"] * 3300000) + "]}")' > "$T/arrays.json"
http POST "$base/hermes/v1/chat/completions" -H "Authorization: Bearer $TEST_KEY" \
	-H 'Content-Type: application/json' -H 'Expect:' --data-binary "@$T/arrays.json"
check_envelope 413 too_many_values "lighttpd /hermes: 3.3 million empty arrays (9.9 MB) are refused before parsing: 413 too_many_values"
rss1=$(responder_rss_kb)
diag "responder VmRSS before ${rss0} kB, after the 3.3M-value body ${rss1} kB"
ok "lighttpd /hermes: the responder's RSS grew by less than 64 MB ($rss0 -> $rss1 kB)" \
	test "$((rss1 - rss0))" -lt 65536
# Just under the cap: the tree is built, and the heap given back afterwards.
"$PYTHON" -c 'import sys; sys.stdout.write("{\"model\":[" + ",".join(["[]"] * 199990) + "],\"messages\":[]}")' > "$T/arrays2.json"
http POST "$base/hermes/v1/chat/completions" -H "Authorization: Bearer $TEST_KEY" \
	-H 'Content-Type: application/json' -H 'Expect:' --data-binary "@$T/arrays2.json"
is "$RESP_STATUS" 400 "lighttpd /hermes: 199,990 values are parsed (and then refused as a bad request)"
rss2=$(responder_rss_kb)
diag "responder VmRSS after a 200k-value tree ${rss2} kB"
ok "lighttpd /hermes: after a 200k-value tree the RSS stays within 64 MB of the start ($rss0 -> $rss2 kB)" \
	test "$((rss2 - rss0))" -lt 65536
http GET "$base/hermes/v1/models?x=1" -H "Authorization: Bearer $TEST_KEY"
is "$(jget 'j["data"][0]["id"]')" hermes-agent "lighttpd /hermes: /hermes/v1/models?x=1 is /v1/models"

# ---- no key: only local Host names (DNS rebinding) -------------------------------
nokey=$T/nokey
mk_home "$nokey" ""
start_lighttpd nokey / "$nokey" 1
base=http://127.0.0.1:$LIGHTTPD_PORT
http GET "$base/v1/models"
is "$RESP_STATUS" 200 "lighttpd, no key: Host 127.0.0.1:port is served"
http GET "$base/v1/models" -H "Host: localhost:$LIGHTTPD_PORT"
is "$RESP_STATUS" 200 "lighttpd, no key: Host localhost:port is served"
http GET "$base/v1/models" -H "Host: rebind.example:$LIGHTTPD_PORT"
check_envelope 403 host_not_allowed "lighttpd, no key: Host rebind.example (DNS rebinding) is 403 host_not_allowed"
http POST "$base/v1/chat/completions" -H "Host: rebind.example" -H 'Content-Type: application/json' \
	--data-binary '{"messages":[{"role":"user","content":"run ls"}]}'
check_envelope 403 host_not_allowed "lighttpd, no key: a chat turn under a foreign Host is refused"
stop_pid "$LIGHTTPD_PID"

# ---- an external responder: lighttpd/hermes-external.conf.in ----------------------
# What Debian's lighttpd gets: no bin-path, the responders started by
# fcgi/spawn-fcgi.sh; the snippet included into a minimal server config.
ext=$T/external
mkdir -p "$ext/htdocs"
start_spawn_fcgi ext-responders "$home" 2
"$top_srcdir/lighttpd/render.sh" TEMPLATE=external MOUNT=/hermes FCGI_PORT="$SPAWN_PORT" \
	> "$ext/15-hermes-fcgi.conf" || bail_out "render.sh TEMPLATE=external failed"
unlike "$(grep -v '^[[:space:]]*#' "$ext/15-hermes-fcgi.conf")" 'bin-path|@[A-Z_]+@' \
	"the external snippet starts nothing and has no placeholder left"
eport=$(free_port)
cat > "$ext/lighttpd.conf" <<EOF
server.port          = $eport
server.bind          = "127.0.0.1"
server.document-root = "$ext/htdocs"
server.errorlog      = "$ext/error.log"
server.pid-file      = "$ext/lighttpd.pid"
include "$ext/15-hermes-fcgi.conf"
EOF
track_log "$ext/error.log"
lighttpd -D -f "$ext/lighttpd.conf" < /dev/null > "$ext/out" 2>&1 &
epid=$!
track_pid "$epid"
if wait_port "$eport" "$epid" 30; then
	run_smoke_cases "http://127.0.0.1:$eport/hermes" "$TEST_KEY" "lighttpd + external responder /hermes"
	# Restart the responders (spawn-fcgi.sh --stop, start on the same port):
	# lighttpd answers 503 for at most disable-time (1 s), then serves again.
	"$top_srcdir/fcgi/spawn-fcgi.sh" --stop --pidfile "$SPAWN_PIDFILE"
	HERMES_ALLOW_ROOT=1 "$top_srcdir/fcgi/spawn-fcgi.sh" --port "$SPAWN_PORT" --children 2 \
		--pidfile "$SPAWN_PIDFILE" --bin "$HERMES_FCGI" --home "$home" --log "$SPAWN_LOG" \
		< /dev/null > /dev/null 2>&1 || diag "spawn-fcgi.sh restart failed"
	wait_port "$SPAWN_PORT" "" 30 || diag "responders not back on $SPAWN_PORT"
	sleep 1.2
	http GET "http://127.0.0.1:$eport/hermes/v1/models" -H "Authorization: Bearer $TEST_KEY"
	is "$RESP_STATUS" 200 "lighttpd + external responder: served again after a responder restart (disable-time 1 s)"
else
	fail "lighttpd with the external snippet starts" "$(cat "$ext/out" "$ext/error.log" 2>/dev/null)"
fi
stop_pid "$epid"


done_testing
