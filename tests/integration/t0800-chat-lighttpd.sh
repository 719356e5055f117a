#!/bin/bash
# tests/integration/t0800-chat-lighttpd.sh: POST /v1/chat/completions
# through a real lighttpd with the shipped lighttpd/lighttpd.conf.in, the
# responders talking to the scripted upstream (tests/upstream): result
# mapping, stream shape, incremental streaming, batching, tool progress,
# multimodal parts, sessions, client disconnect, the concurrency cap and
# session rotation (tests/integration/chat_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3 lighttpd sha256sum

start_upstream up

# The responders read HERMES_HOME/.env once, at start: write it first.
chat_env "$T/home"
start_lighttpd chat / "$T/home" 2
CHAT_RESPONDER_LOG=$LIGHTTPD_DIR/hermes-fcgi.log \
	run_chat_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd" "$T/home"
run_chat_persist_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd" "$T/home"
stop_pid "$LIGHTTPD_PID"

# A second instance: one turn at a time, a tiny context window so a
# conversation with some history is compressed (session rotation), and two
# model calls per turn at most.
chat_env "$T/home-cap" API_SERVER_MAX_CONCURRENT_RUNS=1 HERMES_CONTEXT_LENGTH=256 \
	HERMES_COMPRESSION_THRESHOLD=0.5 HERMES_MAX_ITERATIONS=2
start_lighttpd cap / "$T/home-cap" 2
run_chat_cap_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd" "$T/home-cap"
stop_pid "$LIGHTTPD_PID"

# One responder, so SIGTERM can be sent to the one serving the stream.
chat_env "$T/home-stop"
start_lighttpd stop / "$T/home-stop" 1
run_chat_stop_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd" "$T/home-stop" \
	"$LIGHTTPD_DIR/hermes-fcgi.log"
stop_pid "$LIGHTTPD_PID"

# agent.max_turn_seconds: a small limit.
chat_env "$T/home-limit" HERMES_MAX_TURN_SECONDS=2
start_lighttpd limit / "$T/home-limit" 1
run_chat_limit_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd" "$T/home-limit"
stop_pid "$LIGHTTPD_PID"

done_testing
