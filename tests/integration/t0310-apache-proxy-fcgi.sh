#!/bin/bash
# tests/integration/t0310-apache-proxy-fcgi.sh: the HTTP cases through a real
# Apache httpd + mod_proxy_fcgi running the shipped
# apache/hermes-proxy-fcgi.conf.in, with the responders started by the
# shipped fcgi/spawn-fcgi.sh, mounted at / and at /hermes.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON" curl

home=$T/home
mk_home "$home"
start_spawn_fcgi responders "$home" 2
is "$(pids_in_file "$SPAWN_PIDFILE" | wc -l | tr -d ' ')" 2 "spawn-fcgi.sh started 2 responders and wrote their pids"

# ---- mounted at / ------------------------------------------------------------------
start_apache proxy-fcgi root / "$SPAWN_PORT"
base=http://127.0.0.1:$APACHE_PORT
run_http_cases "$base" "$TEST_KEY" "apache proxy_fcgi /"
http GET "$base/v1/models?x=1" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 200 "apache proxy_fcgi /: a query string does not change the route"
like "$(grep -c 'hermes-fcgi\[' "$SPAWN_LOG")" '^[1-9]' \
	"apache proxy_fcgi /: the responders' log lines land in spawn-fcgi.sh --log"
stop_pid "$APACHE_PID"

# ---- mounted at /hermes ---------------------------------------------------------------
start_apache proxy-fcgi prefix /hermes "$SPAWN_PORT"
base=http://127.0.0.1:$APACHE_PORT
run_http_cases "$base/hermes" "$TEST_KEY" "apache proxy_fcgi /hermes"
http GET "$base/v1/models" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 404 "apache proxy_fcgi /hermes: /v1/models outside the mount is not the API"

# ---- the launcher's --stop ------------------------------------------------------------
pids=$(pids_in_file "$SPAWN_PIDFILE" | tr '\n' ' ')
"$top_srcdir/fcgi/spawn-fcgi.sh" --stop --pidfile "$SPAWN_PIDFILE"
# (a sanitizer build may take a few seconds for its exit-time leak check)
for i in $(seq 1 100); do
	alive=
	for p in $pids; do
		case $(proc_state "$p") in
		''|Z) ;;
		*) alive="$alive $p" ;;
		esac
	done
	[ -n "$alive" ] || break
	sleep 0.1
done
# Whatever is left is still ours to end.
for p in $alive; do track_pid "$p"; done
is "$alive" "" "spawn-fcgi.sh --stop ends the responders it started"

unlike "$(cat "$SPAWN_LOG" "$APACHE_DIR/error.log")" "$TEST_KEY|$WRONG_KEY" "no key in any log"

# ---- the launcher as root without --user ------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	out=$(env -u HERMES_ALLOW_ROOT "$top_srcdir/fcgi/spawn-fcgi.sh" --port "$(free_port)" \
		--bin "$HERMES_FCGI" --home "$home" --pidfile "$T/root.pid" 2>&1)
	rc=$?
	is "$rc" 2 "spawn-fcgi.sh as root without --user refuses to start responders as root"
	like "$out" '--user hermes' "... and says to use --user hermes"
	ok "... and starts nothing" test ! -s "$T/root.pid"
fi

# ---- hermes-fcgi --listen (no spawn-fcgi), spoken to by libfcgi's cgi-fcgi ----------
if command -v cgi-fcgi >/dev/null 2>&1; then
	lport=$(free_port)
	HERMES_HOME=$home "$HERMES_FCGI" --listen "127.0.0.1:$lport" < /dev/null \
		> "$T/listen.log" 2>&1 &
	track_pid $!
	track_log "$T/listen.log"
	if wait_port "$lport" $! 30; then
		env -i REQUEST_METHOD=GET SCRIPT_NAME= PATH_INFO=/v1/models SERVER_ADDR=127.0.0.1 \
			"HTTP_AUTHORIZATION=Bearer $TEST_KEY" cgi-fcgi -bind -connect "127.0.0.1:$lport" \
			> "$T/listen.out" 2>&1
		like "$(head -n 1 "$T/listen.out" | tr -d '\r')" '^Status: 200' \
			"hermes-fcgi --listen 127.0.0.1:PORT serves FastCGI on its own socket"
		like "$(cat "$T/listen.log")" 'listening for FastCGI' "--listen logs where it listens"
	else
		fail "hermes-fcgi --listen 127.0.0.1:PORT serves FastCGI on its own socket" "$(cat "$T/listen.log")"
	fi
else
	skip "hermes-fcgi --listen serves FastCGI on its own socket" "cgi-fcgi (libfcgi-bin) not installed"
fi

done_testing
