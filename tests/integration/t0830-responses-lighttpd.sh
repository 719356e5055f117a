#!/bin/bash
# tests/integration/t0830-responses-lighttpd.sh: POST /v1/responses through a
# real lighttpd with the shipped lighttpd/lighttpd.conf.in, the responders
# talking to the scripted upstream (tests/upstream): create, chaining by
# previous_response_id, conversation and item_reference, the 400s,
# store:false, the event sequence through sse_check.py, the 100 KB trim, a
# client that leaves and an upstream that fails mid-stream, and SIGTERM of
# the responder mid-stream (tests/integration/responses_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/responses_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3 lighttpd

start_upstream up

# The responders read HERMES_HOME/.env once, at start: write it first.
chat_env "$T/home"
start_lighttpd resp / "$T/home" 2
run_responses_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd" "$T/home"
stop_pid "$LIGHTTPD_PID"

# One responder, so SIGTERM can be sent to the one serving the stream.
chat_env "$T/home-stop"
start_lighttpd stop / "$T/home-stop" 1
run_responses_stop_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd" "$T/home-stop"
stop_pid "$LIGHTTPD_PID"

done_testing
