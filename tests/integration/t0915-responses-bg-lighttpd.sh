#!/bin/bash
# tests/integration/t0915-responses-bg-lighttpd.sh: background responses
# (POST /v1/responses background: true, polling, resume with
# starting_after, cancel) on the hermes-runner daemon through a real
# lighttpd with the shipped lighttpd/lighttpd.conf.in and the scripted
# upstream (tests/integration/responses_bg_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/responses_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"
. "$top_srcdir/tests/integration/responses_bg_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3 lighttpd

start_upstream up

runs_env "$T/home"
start_lighttpd bg / "$T/home" 2
RB=http://127.0.0.1:$LIGHTTPD_PORT
RUNS_WEB_PIDS=$LIGHTTPD_PID
run_resp_bg_cases "$T/home" lighttpd
stop_pid "$LIGHTTPD_PID"
stop_runner "$T/home"

RUNS_ENV_EXTRA="${RUNS_ENV_EXTRA:-} API_SERVER_MAX_CONCURRENT_RUNS=1" runs_env "$T/home-life" 'runner:
  ttl: 2
  idle_exit: 4'
start_lighttpd life / "$T/home-life" 1
RB=http://127.0.0.1:$LIGHTTPD_PORT
run_resp_bg_expiry_cases "$T/home-life" "lighttpd ttl"
stop_pid "$LIGHTTPD_PID"
stop_runner "$T/home-life"

done_testing
