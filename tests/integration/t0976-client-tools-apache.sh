#!/bin/bash
# tests/integration/t0976-client-tools-apache.sh: client tools (chat and responses round
# trips with a server tool call in the same model message, streamed and
# not; tool_choice; definitions; name clash), per-request toolsets
# (X-Hermes-Toolsets, hermes.toolsets, runs) and api.server_tools off,
# through a real Apache httpd + mod_fcgid with the shipped apache/hermes-fcgid.conf.in, against the scripted upstream
# (tests/integration/client_tools_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"
. "$top_srcdir/tests/integration/client_tools_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3

start_upstream up

runs_env "$T/home"
start_apache_fcgid ct / "$T/home"
run_client_tools_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" "apache fcgid" "$T/home"
stop_pid "$APACHE_PID"
stop_runner "$T/home"

# api.server_tools: off (config.yaml): a plain proxy for the client's tools.
runs_env "$T/home-off" 'api:
  server_tools: off'
start_apache_fcgid off / "$T/home-off"
run_server_tools_off_cases "http://127.0.0.1:$APACHE_PORT" "$TEST_KEY" "apache fcgid"
stop_pid "$APACHE_PID"

done_testing
