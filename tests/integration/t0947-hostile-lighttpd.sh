#!/bin/bash
# tests/integration/t0947-hostile-lighttpd.sh: a hostile client against the
# sessions API, background responses, client tools and model routing
# through a real lighttpd with the shipped lighttpd/lighttpd.conf.in (one
# responder), the scripted upstream and the hermes-runner daemon
# (tests/integration/hostile_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"
. "$top_srcdir/tests/integration/hostile_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3 lighttpd

# What lighttpd answers itself and what it passes on (hostile_cases.sh): it
# refuses %FF, raw bytes, %C0%AF, %0A and %00 in the path and bad headers with
# 400, long URIs and headers with 431, an unknown method with 501, answers a
# dead responder with its own 500, and passes %2F and 120 headers on.
declare -A HOSTILE_FRONT=(
	[pct_ff]='server 400' [raw_ff]='server 400' [overlong_utf8]='server 400'
	[newline]='server 400' [nul]='server 400' [enc_slash]='hermes 404 not_found' [dotdot]='hermes 404 not_found'
	[long_uri]='server 431' [long_query]='server 431' [big_header]='server 431'
	[ctl_header]='server 400' [bad_name]='server 400'
	[tab_session]='hermes 400 invalid_session_id' [many_headers]='hermes 200'
	[brew]='server 501' [dead]='server 500'
)

start_upstream up

runs_env "$T/home"
start_lighttpd hostile / "$T/home" 1
run_hostile_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" lighttpd "$T/home" \
	"$LIGHTTPD_DIR/hermes-fcgi.log"
stop_pid "$LIGHTTPD_PID"
stop_runner "$T/home"

done_testing
