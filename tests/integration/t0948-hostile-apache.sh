#!/bin/bash
# tests/integration/t0948-hostile-apache.sh: a hostile client against the
# sessions API, background responses, client tools and model routing
# through a real Apache httpd + mod_fcgid with the shipped
# apache/hermes-fcgid.conf.in (one responder: FcgidMaxProcessesPerClass 1),
# the scripted upstream and the hermes-runner daemon
# (tests/integration/hostile_cases.sh). Where Apache answers a request
# itself, the cases assert its answer and that the next request works.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"
. "$top_srcdir/tests/integration/hostile_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3

# What Apache answers itself and what it passes on (hostile_cases.sh): it
# decodes %FF, %C0%AF and %0A for hermes-fcgi, refuses %00 and an encoded slash
# (AllowEncodedSlashes Off) with a 404 of its own, a long URI with 414, a
# long or bad header and more than 100 headers (LimitRequestFields) with 400;
# it passes an unknown method on, and answers a dead responder with its own
# 500 ("End of script output before headers").
declare -A HOSTILE_FRONT=(
	[pct_ff]='hermes 404 session_not_found' [raw_ff]='hermes 404 session_not_found'
	[overlong_utf8]='hermes 404 not_found'
	[newline]='hermes 404 session_not_found'
	[nul]='server 404' [enc_slash]='server 404' [dotdot]='server 404'
	[long_uri]='server 414' [long_query]='server 414' [big_header]='server 400'
	[ctl_header]='server 400' [bad_name]='server 400'
	[tab_session]='hermes 400 invalid_session_id' [many_headers]='server 400'
	[brew]='hermes 405 method_not_allowed' [dead]='server 500'
)

start_upstream up

runs_env "$T/home"
APACHE_SITE_EXTRA='FcgidMaxProcessesPerClass 1' start_apache_fcgid hostile / "$T/home"
HOSTILE_SERVER=apache run_hostile_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" \
	"apache fcgid" "$T/home" "$APACHE_DIR/error.log"
stop_pid "$APACHE_PID"
stop_runner "$T/home"

done_testing
