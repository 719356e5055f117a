#!/bin/bash
# tests/integration/t0810-chat-apache.sh: the POST /v1/chat/completions
# cases of chat_cases.sh through a real Apache httpd + mod_fcgid with the
# shipped apache/hermes-fcgid.conf.in (FcgidOutputBufferSize 0 is what
# makes the stream incremental), against the scripted upstream.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3 sha256sum

start_upstream up

# The responders read HERMES_HOME/.env once, at start: write it first.
chat_env "$T/home"
start_apache_fcgid chat / "$T/home"
CHAT_RESPONDER_LOG=$APACHE_DIR/error.log \
	run_chat_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" "apache fcgid" "$T/home"
run_chat_persist_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" "apache fcgid" "$T/home"
stop_pid "$APACHE_PID"

# A second instance: one turn at a time, a tiny context window so a
# conversation with some history is compressed (session rotation), and two
# model calls per turn at most.
chat_env "$T/home-cap" API_SERVER_MAX_CONCURRENT_RUNS=1 HERMES_CONTEXT_LENGTH=256 \
	HERMES_COMPRESSION_THRESHOLD=0.5 HERMES_MAX_ITERATIONS=2
start_apache_fcgid cap / "$T/home-cap"
run_chat_cap_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" "apache fcgid" "$T/home-cap"
stop_pid "$APACHE_PID"

done_testing
