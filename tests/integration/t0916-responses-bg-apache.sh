#!/bin/bash
# tests/integration/t0916-responses-bg-apache.sh: background responses
# (POST /v1/responses background: true, polling, resume with
# starting_after, cancel) on the hermes-runner daemon through a real Apache
# httpd + mod_fcgid (apache/hermes-fcgid.conf.in) and the scripted upstream
# (tests/integration/responses_bg_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/responses_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"
. "$top_srcdir/tests/integration/responses_bg_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3

start_upstream up

runs_env "$T/home"
start_apache_fcgid bg / "$T/home"
RB=http://127.0.0.1:$APACHE_PORT
RUNS_WEB_PIDS=$APACHE_PID
run_resp_bg_cases "$T/home" "apache fcgid"
stop_pid "$APACHE_PID"
stop_runner "$T/home"

RUNS_ENV_EXTRA="${RUNS_ENV_EXTRA:-} API_SERVER_MAX_CONCURRENT_RUNS=1" runs_env "$T/home-life" 'runner:
  ttl: 2
  idle_exit: 4'
start_apache_fcgid life / "$T/home-life"
RB=http://127.0.0.1:$APACHE_PORT
run_resp_bg_expiry_cases "$T/home-life" "apache ttl"
stop_pid "$APACHE_PID"
stop_runner "$T/home-life"

done_testing
