#!/bin/bash
# tests/integration/t0960-models-lighttpd.sh: model routing through a real
# lighttpd, two scripted upstreams (tests/integration/models_cases.sh), and
# the single-model settings still working as one implicit entry.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"
. "$top_srcdir/tests/integration/models_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl sqlite3 lighttpd

models_upstreams

models_home "$T/home"
start_lighttpd models / "$T/home" 2
run_models_cases "http://127.0.0.1:$LIGHTTPD_PORT" "$T/home" lighttpd
stop_pid "$LIGHTTPD_PID"
stop_runner "$T/home"

models_home "$T/home-f" 'model:
  strict: false'
start_lighttpd forgiving / "$T/home-f" 1
run_models_forgiving_cases "http://127.0.0.1:$LIGHTTPD_PORT" "lighttpd forgiving"
stop_pid "$LIGHTTPD_PID"

# No models: list: the old settings are the one entry, named after the alias.
UPSTREAM_URL=http://127.0.0.1:$MA_PORT/v1
chat_env "$T/home-1" OPENAI_API_KEY=key-a HERMES_MODEL=llama-a
start_lighttpd single / "$T/home-1" 1
B=http://127.0.0.1:$LIGHTTPD_PORT
http GET "$B/v1/models" -H "Authorization: Bearer $TEST_KEY"
is "$(jget '[m["id"] for m in j["data"]]')" '["hermes-agent"]' "single model: /v1/models lists the alias only"
m_reset
m_chat "$B" '{"model":"anything","messages":[{"role":"user","content":"x"}]}'
is "$RESP_STATUS $(jget 'j.get("model")')" "200 hermes-agent" \
	"single model: any name is served (forgiving), model hermes-agent"
check "single model: OPENAI_BASE_URL, OPENAI_API_KEY and HERMES_MODEL used" \
	"$(m_routed "$MA_PORT" "$MB_PORT" key-a llama-a 'pass')"
stop_pid "$LIGHTTPD_PID"

done_testing
