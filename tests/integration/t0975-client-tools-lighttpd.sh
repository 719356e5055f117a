#!/bin/bash
# tests/integration/t0975-client-tools-lighttpd.sh: client tools (chat and responses round
# trips with a server tool call in the same model message, streamed and
# not; tool_choice; definitions; name clash), per-request toolsets
# (X-Hermes-Toolsets, hermes.toolsets, runs) and api.server_tools off,
# through a real lighttpd with the shipped lighttpd/lighttpd.conf.in, against the scripted upstream
# (tests/integration/client_tools_cases.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"
. "$top_srcdir/tests/integration/client_tools_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3 lighttpd

start_upstream up

runs_env "$T/home"
start_lighttpd ct / "$T/home" 2
run_client_tools_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd" "$T/home"
stop_pid "$LIGHTTPD_PID"
stop_runner "$T/home"

# api.server_tools: off (config.yaml): a plain proxy for the client's tools.
runs_env "$T/home-off" 'api:
  server_tools: off'
start_lighttpd off / "$T/home-off" 2
run_server_tools_off_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$TEST_KEY" "lighttpd"
stop_pid "$LIGHTTPD_PID"

done_testing
