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

# A key the web server hands the responder in its environment (Apache
# SetEnv, lighttpd bin-environment), named by api_key_env: the responder
# scrubs it from its environment once read, and hands it on to the runner
# it starts, whose worker calls that model's upstream with it.
models_home "$T/home-e" 'model:
  strict: true'
sed -i 's/^    api_key: key-b$/    api_key_env: OPENROUTER_API_KEY/' "$T/home-e/config.yaml"
CGI_HOME=$T/home-e
m_reset
cgi_post /v1/runs '{"model":"remote","input":"run with a key from the environment"}' \
	"HTTP_AUTHORIZATION=Bearer $TEST_KEY" OPENROUTER_API_KEY=key-b
run=$(jget 'j.get("run_id") or ""')
is "$RESP_STATUS" 202 "CGI, key in the environment: the run is queued"
for i in $(seq 1 600); do
	s=$(sqlite3 "$T/home-e/state.db" "SELECT status FROM runs WHERE id = '$run'" 2>/dev/null)
	case $s in completed|failed|cancelled) break ;; esac
	sleep 0.1
done
is "$s" completed "CGI, key in the environment: the runner's worker completed the run"
check "CGI, key in the environment: the worker called upstream B with it" \
	"$(m_routed "$MB_PORT" "$MA_PORT" key-b vendor/model-b "$M_B_EXTRA")"
stop_runner "$T/home-e"

done_testing
