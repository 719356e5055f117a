#!/bin/bash
# tests/integration/t0890-runs-apache.sh: /v1/runs and the hermes-runner
# daemon through a real Apache httpd + mod_fcgid (apache/hermes-fcgid.conf.in),
# the runner's workers talking to the scripted upstream (tests/upstream):
# lifecycle, events (replay, several readers), stop, steer, approvals,
# worker/runner deaths, the single runner, a web server restart,
# idempotency, TTL sweep, idle exit, run-once (tests/integration/runs_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3

start_upstream up

# Apache runs the responders (and so the runner) as the shared web user,
# where terminal is off unless allowed (docs/security.md); the cases run
# terminal commands.
RUNS_ENV_EXTRA=HERMES_ALLOW_SHARED_USER_EXEC=1

# runs_restart: the web server restarted mid-run (a new port; RB follows).
runs_restart() {
	stop_pid "$APACHE_PID"
	start_apache_fcgid runs2 / "$T/home"
	RB=http://127.0.0.1:$APACHE_PORT
	RUNS_WEB_PIDS=$APACHE_PID
}

runs_env "$T/home"
start_apache_fcgid runs / "$T/home"
RB=http://127.0.0.1:$APACHE_PORT
RUNS_WEB_PIDS=$APACHE_PID
run_runs_cases "$T/home" "apache fcgid" runs_restart
stop_pid "$APACHE_PID"
stop_runner "$T/home"

runs_env "$T/home-ap" 'approvals:
  mode: ask
  timeout: 10'
start_apache_fcgid ap / "$T/home-ap"
RB=http://127.0.0.1:$APACHE_PORT
run_runs_approval_cases "$T/home-ap" "apache fcgid approvals"
stop_pid "$APACHE_PID"
stop_runner "$T/home-ap"

runs_env "$T/home-life" 'runner:
  ttl: 2
  idle_exit: 4'
start_apache_fcgid life / "$T/home-life"
RB=http://127.0.0.1:$APACHE_PORT
run_runs_life_cases "$T/home-life" "apache fcgid ttl/idle"
stop_pid "$APACHE_PID"
stop_runner "$T/home-life"

runs_env "$T/home-cron" 'runner:
  mode: cron'
start_apache_fcgid cron / "$T/home-cron"
RB=http://127.0.0.1:$APACHE_PORT
run_runs_cron_cases "$T/home-cron" "apache fcgid run-once"
stop_pid "$APACHE_PID"

done_testing
