#!/bin/bash
# tests/integration/t0965-models-apache.sh: model routing through a real
# Apache httpd + mod_fcgid, two scripted upstreams
# (tests/integration/models_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"
. "$top_srcdir/tests/integration/models_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3

models_upstreams

models_home "$T/home"
start_apache_fcgid models / "$T/home"
run_models_cases "http://127.0.0.1:$APACHE_PORT" "$T/home" "apache fcgid"
stop_pid "$APACHE_PID"
stop_runner "$T/home"

models_home "$T/home-f" 'model:
  strict: false'
start_apache_fcgid forgiving / "$T/home-f"
run_models_forgiving_cases "http://127.0.0.1:$APACHE_PORT" "apache forgiving"
stop_pid "$APACHE_PID"

done_testing
