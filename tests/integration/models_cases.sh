# tests/integration/models_cases.sh: model routing (issue 14, point 1)
# against a server in front of hermes-fcgi (lighttpd, Apache+mod_fcgid),
# with two scripted upstreams, one per configured model.
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh, chat_cases.sh and runs_cases.sh. Gives:
#   models_upstreams            starts the upstreams A and B (each wants its
#                               own key; B lists other model ids)
#   models_home HOME [YAML]     a HERMES_HOME whose config.yaml lists "local"
#                               (A) and "remote" (B, the default), then YAML
#   run_models_cases BASE HOME LABEL
#                               /v1/models, /api/model/options, capabilities,
#                               routing on chat, responses and runs (each
#                               upstream gets only its requests, with its key
#                               and model id, and the per-model defaults),
#                               the effective model in the answers, the run
#                               and the stored session, unknown names (strict)
#   run_models_forgiving_cases BASE LABEL
#                               model.strict: false routes unknown names to
#                               the default

MA_PORT=
MB_PORT=

models_upstreams() {
	start_upstream ua --require-key key-a
	MA_PORT=$UPSTREAM_PORT
	start_upstream ub --require-key key-b --models vendor/model-b
	MB_PORT=$UPSTREAM_PORT
}

# models_home HOME [YAML]
models_home() {
	local home=$1
	mk_home "$home"
	{
		echo "KEY_FOR_A=key-a"
		echo "HERMES_LLM_MAX_RETRIES=1"
		echo "HERMES_ALLOW_SHARED_USER_EXEC=1"
	} >> "$home/.env"
	cat > "$home/config.yaml" <<YAML
models:
  - name: local
    base_url: http://127.0.0.1:$MA_PORT/v1
    model: llama-a
    api_key_env: KEY_FOR_A
    temperature: 0.25
    context_length: 8192
  - name: remote
    base_url: http://127.0.0.1:$MB_PORT/v1
    model: vendor/model-b
    api_key: key-b
    max_tokens: 77
    reasoning_effort: low
    default: true
${2:-}
YAML
	chmod 0600 "$home/config.yaml"
	track_pidfile "$home/runner.pid"
	track_log "$home/logs/runner.log"
}

# m_reset: both upstreams forget what they got.
m_reset() {
	curl -sf -X POST "http://127.0.0.1:$MA_PORT/__reset" > /dev/null
	curl -sf -X POST "http://127.0.0.1:$MB_PORT/__reset" > /dev/null
}

# m_got PORT FILE: that upstream's recorded chat requests into FILE.
m_got() {
	curl -sf "http://127.0.0.1:$1/__requests" |
		"$PYTHON" -c 'import json,sys; print(json.dumps([r for r in json.load(sys.stdin) if r["path"].endswith("/chat/completions")]))' > "$2"
}

# m_routed WANT_PORT OTHER_PORT KEY MODEL EXTRA_PY: what is wrong with the
# upstream requests after one routed turn (nothing if right).
m_routed() {
	m_got "$1" "$T/m.want.json"
	m_got "$2" "$T/m.other.json"
	pycheck "$T/m.want.json" '
other = json.load(open(argv[4]))
if len(j) < 1:
    print("the routed upstream got no chat request")
elif other:
    print("the other upstream got %d request(s)" % len(other))
else:
    for r in j:
        b = r["body"]
        if r["headers"].get("authorization") != "Bearer " + argv[0]:
            print("authorization %r" % r["headers"].get("authorization"))
        if b.get("model") != argv[1]:
            print("model %r, want %r" % (b.get("model"), argv[1]))
        '"$5"'
' "$3" "$4" x x "$T/m.other.json"
}

# The checks of local (A) and remote (B) requests beyond key and model.
M_A_EXTRA='
        if b.get("temperature") != 0.25: print("temperature %r" % b.get("temperature"))
        if "max_tokens" in b or "reasoning_effort" in b: print("B defaults sent to A: %r" % b)'
M_B_EXTRA='
        if b.get("max_tokens") != 77: print("max_tokens %r" % b.get("max_tokens"))
        if b.get("reasoning_effort") != "low": print("reasoning_effort %r" % b.get("reasoning_effort"))
        if "temperature" in b: print("A default sent to B: %r" % b.get("temperature"))'

m_chat() { # BASE JSON
	printf '%s' "$2" > "$T/m.req"
	http POST "$1/v1/chat/completions" -H "Authorization: Bearer $TEST_KEY" \
		-H 'Content-Type: application/json' --data-binary "@$T/m.req"
}

m_post() { # BASE PATH JSON
	printf '%s' "$3" > "$T/m.req"
	http POST "$1$2" -H "Authorization: Bearer $TEST_KEY" \
		-H 'Content-Type: application/json' --data-binary "@$T/m.req"
}

run_models_cases() {
	local base=$1 home=$2 label=$3 sid rid run i s

	http GET "$base/v1/models" -H "Authorization: Bearer $TEST_KEY"
	is "$(jget '[m["id"] for m in j["data"]]')" '["hermes-agent", "local", "remote"]' \
		"$label: /v1/models lists the alias and both models"
	http GET "$base/api/model/options" -H "Authorization: Bearer $TEST_KEY"
	check "$label: /api/model/options: default, the provider's models, details, no keys" "$(pycheck "$RESP_BODY" '
if j.get("model") != "remote" or j["providers"][0]["models"] != ["local", "remote"]:
    print("model/providers: %r" % j)
d = {m["id"]: m for m in j.get("models", [])}
if d.get("local", {}).get("upstream_model") != "llama-a" or d["local"].get("context_length") != 8192:
    print("local details %r" % d.get("local"))
if d.get("remote", {}).get("default") is not True or d["local"].get("default") is not False:
    print("default flags %r" % d)
if "key-" in json.dumps(j) or "127.0.0.1" in json.dumps(j):
    print("a key or upstream URL is shown")
')"
	http GET "$base/health/detailed" -H "Authorization: Bearer $TEST_KEY"
	is "$(jget 'j["config"]["upstream_configured"]')" true \
		"$label: /health/detailed: an upstream is configured (the models list)"
	http GET "$base/v1/capabilities" -H "Authorization: Bearer $TEST_KEY"
	is "$(jget '[j["features"].get("model_routing"), j["features"].get("model_options"), j["endpoints"].get("model_options", {}).get("path")]')" \
		'[true, true, "/api/model/options"]' "$label: capabilities advertise model routing and options"

	m_reset
	m_chat "$base" '{"model":"local","messages":[{"role":"user","content":"to A"}]}'
	is "$RESP_STATUS $(jget 'j.get("model")')" "200 local" "$label: chat model local → 200, model local"
	sid=$(hdr X-Hermes-Session-Id)
	check "$label: chat local: only upstream A, key-a, llama-a, temperature 0.25" \
		"$(m_routed "$MA_PORT" "$MB_PORT" key-a llama-a "$M_A_EXTRA")"
	is "$(sqlite3 "$home/state.db" "SELECT model FROM sessions WHERE id = '$sid'")" local \
		"$label: the stored session records model local"

	m_reset
	m_chat "$base" '{"model":"remote","messages":[{"role":"user","content":"to B"}]}'
	is "$RESP_STATUS $(jget 'j.get("model")')" "200 remote" "$label: chat model remote → 200, model remote"
	check "$label: chat remote: only upstream B, key-b, vendor/model-b, max_tokens, reasoning_effort" \
		"$(m_routed "$MB_PORT" "$MA_PORT" key-b vendor/model-b "$M_B_EXTRA")"

	m_reset
	printf '%s' '{"model":"local","stream":true,"messages":[{"role":"user","content":"stream to A"}]}' > "$T/m.req"
	curl -sN --max-time 60 -H "Authorization: Bearer $TEST_KEY" -H 'Content-Type: application/json' \
		--data-binary "@$T/m.req" "$base/v1/chat/completions" > "$T/m.sse"
	is "$(grep -c '"model":"local"' "$T/m.sse") $(grep -c '"model":"hermes-agent"' "$T/m.sse")" \
		"$(grep -c '^data: {' "$T/m.sse") 0" "$label: streamed chat chunks carry model local"
	check "$label: streamed chat local went to A only" \
		"$(m_routed "$MA_PORT" "$MB_PORT" key-a llama-a "$M_A_EXTRA")"

	m_reset
	m_chat "$base" '{"model":"hermes-agent","messages":[{"role":"user","content":"alias"}]}'
	is "$RESP_STATUS $(jget 'j.get("model")')" "200 remote" "$label: the agent alias routes to the default (remote)"
	check "$label: alias → upstream B only" "$(m_routed "$MB_PORT" "$MA_PORT" key-b vendor/model-b "$M_B_EXTRA")"

	m_reset
	m_post "$base" /v1/responses '{"model":"local","input":"responses to A"}'
	rid=$(jget 'j.get("id") or ""')
	is "$RESP_STATUS $(jget 'j.get("model")')" "200 local" "$label: responses model local → 200, model local"
	check "$label: responses local went to A only" \
		"$(m_routed "$MA_PORT" "$MB_PORT" key-a llama-a "$M_A_EXTRA")"
	http GET "$base/v1/responses/$rid" -H "Authorization: Bearer $TEST_KEY"
	is "$(jget 'j.get("model")')" local "$label: the stored response says model local"

	m_reset
	m_post "$base" /v1/responses '{"model":"remote","input":"responses to B","max_output_tokens":50}'
	is "$RESP_STATUS $(jget 'j.get("model")')" "200 remote" "$label: responses model remote → 200"
	check "$label: responses remote: B only; the request's max_output_tokens beats the model's max_tokens" \
		"$(m_routed "$MB_PORT" "$MA_PORT" key-b vendor/model-b '
        if b.get("max_tokens") != 50: print("max_tokens %r" % b.get("max_tokens"))')"

	# A background response is a run: the runner's worker routes it by the
	# name the responder picked (local, not the default remote).
	m_reset
	m_post "$base" /v1/responses '{"model":"local","background":true,"input":"background to A"}'
	rid=$(jget 'j.get("id") or ""')
	is "$RESP_STATUS $(jget 'j.get("model")')" "200 local" "$label: background response model local → 200"
	s=$(resp_wait "$base" "$TEST_KEY" "$rid" 'completed|failed|cancelled|incomplete' 60)
	is "$s $(jget 'j.get("model")')" "completed local" "$label: the background response completed, model local"
	check "$label: its worker called upstream A only, key-a, llama-a" \
		"$(m_routed "$MA_PORT" "$MB_PORT" key-a llama-a "$M_A_EXTRA")"

	m_reset
	m_post "$base" /v1/runs '{"model":"local","input":"run on A"}'
	run=$(jget 'j.get("run_id") or ""')
	is "$RESP_STATUS $(jget 'j.get("model")')" "202 local" "$label: runs model local → 202, model local"
	RB=$base RK=$TEST_KEY
	s=$(rwait "$run" 'completed|failed|cancelled' 60)
	is "$s" completed "$label: the run completed"
	is "$(jget 'j.get("model")')" local "$label: the run status says model local"
	is "$(sqlite3 "$home/state.db" "SELECT model FROM runs WHERE id = '$run'")" local \
		"$label: the run row records model local"
	check "$label: the runner's worker called upstream A only, key-a, llama-a" \
		"$(m_routed "$MA_PORT" "$MB_PORT" key-a llama-a "$M_A_EXTRA")"

	m_reset
	m_post "$base" /v1/runs '{"input":"run on the default"}'
	run=$(jget 'j.get("run_id") or ""')
	s=$(rwait "$run" 'completed|failed|cancelled' 60)
	is "$s $(jget 'j.get("model")')" "completed remote" "$label: a run without model uses the default (remote)"
	check "$label: that run called upstream B only" \
		"$(m_routed "$MB_PORT" "$MA_PORT" key-b vendor/model-b "$M_B_EXTRA")"

	m_reset
	m_chat "$base" '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}'
	check_envelope 404 model_not_found "$label: chat with an unknown model → 404 model_not_found"
	is "$(jget 'j["error"]["param"]')" model "$label: … param model"
	m_post "$base" /v1/responses '{"model":"gpt-4o","input":"x"}'
	check_envelope 404 model_not_found "$label: responses with an unknown model → 404 model_not_found"
	i=$(sqlite3 "$home/state.db" "SELECT count(*) FROM runs")
	m_post "$base" /v1/runs '{"model":"gpt-4o","input":"x"}'
	check_envelope 404 model_not_found "$label: runs with an unknown model → 404 model_not_found"
	is "$(sqlite3 "$home/state.db" "SELECT count(*) FROM runs")" "$i" "$label: … and no run row"
	m_got "$MA_PORT" "$T/m.a.json"
	m_got "$MB_PORT" "$T/m.b.json"
	is "$(jget 'len(j)' "$T/m.a.json") $(jget 'len(j)' "$T/m.b.json")" "0 0" \
		"$label: unknown models reach no upstream"
}

run_models_forgiving_cases() {
	local base=$1 label=$2

	m_reset
	m_chat "$base" '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}'
	is "$RESP_STATUS $(jget 'j.get("model")')" "200 remote" \
		"$label: model.strict false: an unknown name → the default (remote)"
	check "$label: … upstream B only" "$(m_routed "$MB_PORT" "$MA_PORT" key-b vendor/model-b "$M_B_EXTRA")"
	m_reset
	m_post "$base" /v1/responses '{"model":"gpt-4o","input":"x"}'
	is "$RESP_STATUS $(jget 'j.get("model")')" "200 remote" "$label: … on responses too"
	m_chat "$base" '{"model":"local","messages":[{"role":"user","content":"x"}]}'
	is "$RESP_STATUS $(jget 'j.get("model")')" "200 local" "$label: … a known name still picks its model"
}
