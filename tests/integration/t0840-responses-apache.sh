#!/bin/bash
# tests/integration/t0840-responses-apache.sh: the POST /v1/responses cases of
# responses_cases.sh through a real Apache httpd + mod_fcgid with the
# shipped apache/hermes-fcgid.conf.in, against the scripted upstream.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/responses_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3

start_upstream up

# The responders read HERMES_HOME/.env once, at start: write it first.
chat_env "$T/home"
start_apache_fcgid resp / "$T/home"
run_responses_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" "apache fcgid" "$T/home"
stop_pid "$APACHE_PID"

done_testing
