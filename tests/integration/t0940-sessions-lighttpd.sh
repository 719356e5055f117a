#!/bin/bash
# tests/integration/t0940-sessions-lighttpd.sh: the sessions API
# (/api/sessions...) through a real lighttpd with the shipped
# lighttpd/lighttpd.conf.in, the responders talking to the scripted upstream
# (tests/integration/sessions_cases.sh): every endpoint and error, paging,
# fork, the chat stream against GET .../messages, compression rotation, the
# store unavailable, hermesctl sessions.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/sessions_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl lighttpd sha256sum

start_upstream up

sessions_env "$T/home"
start_lighttpd sess / "$T/home" 2
run_sessions_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" lighttpd "$T/home"
stop_pid "$LIGHTTPD_PID"

sessions_env "$T/home-rot" HERMES_CONTEXT_LENGTH=256 HERMES_COMPRESSION_THRESHOLD=0.5
start_lighttpd rot / "$T/home-rot" 1
run_sessions_rotation_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd"
stop_pid "$LIGHTTPD_PID"

# A state.db that is no database: the store cannot be opened.
sessions_env "$T/home-nodb"
printf 'this is not an SQLite database, just some bytes\n%.0s' $(seq 1 200) > "$T/home-nodb/state.db"
start_lighttpd nodb / "$T/home-nodb" 1
run_sessions_nodb_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd"
stop_pid "$LIGHTTPD_PID"

done_testing
