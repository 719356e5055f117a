#!/bin/bash
# tests/integration/t0880-runs-lighttpd.sh: /v1/runs and the hermes-runner
# daemon through a real lighttpd with the shipped lighttpd/lighttpd.conf.in,
# the runner's workers talking to the scripted upstream (tests/upstream):
# lifecycle, events (replay, several readers), stop, steer, approvals,
# worker/runner deaths, the single runner, a web server restart,
# idempotency, TTL sweep, idle exit, run-once (tests/integration/runs_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3 lighttpd

start_upstream up

# runs_restart: the web server restarted mid-run (a new port; RB follows).
runs_restart() {
	stop_pid "$LIGHTTPD_PID"
	start_lighttpd runs2 / "$T/home" 2
	RB=http://127.0.0.1:$LIGHTTPD_PORT
	RUNS_WEB_PIDS=$LIGHTTPD_PID
}

runs_env "$T/home"
start_lighttpd runs / "$T/home" 2
RB=http://127.0.0.1:$LIGHTTPD_PORT
RUNS_WEB_PIDS=$LIGHTTPD_PID
run_runs_cases "$T/home" lighttpd runs_restart
stop_pid "$LIGHTTPD_PID"
stop_runner "$T/home"

runs_env "$T/home-ap" 'approvals:
  mode: ask
  timeout: 10'
start_lighttpd ap / "$T/home-ap" 1
RB=http://127.0.0.1:$LIGHTTPD_PORT
run_runs_approval_cases "$T/home-ap" "lighttpd approvals"
stop_pid "$LIGHTTPD_PID"
stop_runner "$T/home-ap"

runs_env "$T/home-life" 'runner:
  ttl: 2
  idle_exit: 4'
start_lighttpd life / "$T/home-life" 1
RB=http://127.0.0.1:$LIGHTTPD_PORT
run_runs_life_cases "$T/home-life" "lighttpd ttl/idle"
stop_pid "$LIGHTTPD_PID"
stop_runner "$T/home-life"

runs_env "$T/home-cron" 'runner:
  mode: cron'
start_lighttpd cron / "$T/home-cron" 1
RB=http://127.0.0.1:$LIGHTTPD_PORT
run_runs_cron_cases "$T/home-cron" "lighttpd run-once"
stop_pid "$LIGHTTPD_PID"

done_testing
