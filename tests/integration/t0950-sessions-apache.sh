#!/bin/bash
# tests/integration/t0950-sessions-apache.sh: the sessions API
# (/api/sessions...) through a real Apache httpd + mod_fcgid with the shipped
# apache/hermes-fcgid.conf.in, the responders talking to the scripted upstream
# (tests/integration/sessions_cases.sh): every endpoint and error, paging,
# fork, the chat stream against GET .../messages, compression rotation, the
# store unavailable, hermesctl sessions.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/sessions_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sha256sum

start_upstream up

sessions_env "$T/home"
start_apache_fcgid sess / "$T/home"
run_sessions_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" "apache fcgid" "$T/home"
stop_pid "$APACHE_PID"

sessions_env "$T/home-rot" HERMES_CONTEXT_LENGTH=256 HERMES_COMPRESSION_THRESHOLD=0.5
start_apache_fcgid rot / "$T/home-rot"
run_sessions_rotation_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" "apache fcgid"
stop_pid "$APACHE_PID"

# A state.db that is no database: the store cannot be opened.
sessions_env "$T/home-nodb"
printf 'this is not an SQLite database, just some bytes\n%.0s' $(seq 1 200) > "$T/home-nodb/state.db"
start_apache_fcgid nodb / "$T/home-nodb"
run_sessions_nodb_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" "apache fcgid"
stop_pid "$APACHE_PID"

done_testing
