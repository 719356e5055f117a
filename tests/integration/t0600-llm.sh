#!/bin/bash
# tests/integration/t0600-llm.sh: the upstream client through `hermesctl
# chat` against the scripted upstream: streaming, retries and backoff,
# Retry-After, no retry on 400, error classes, timeouts, interrupt.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
start_upstream
tap_ok $? "scripted upstream started"

export HERMES_HOME="$TAP_TMP/home"
mkdir -p "$HERMES_HOME" && chmod 700 "$HERMES_HOME"
export OPENAI_BASE_URL="$UPSTREAM_URL" OPENAI_API_KEY=upstream-secret-key HERMES_MODEL=test-model

# ---- a streamed answer ---------------------------------------------------
script_upstream '[{"reply":"Hello from the upstream","chunk_size":3}]'
chat "hi"
tap_is $? 0 "chat completes"
tap_is "$(cat "$TAP_TMP/out")" "Hello from the upstream" "the streamed answer is printed whole"
req=$(upstream_requests)
tap_is "$(printf '%s' "$req" | jq_py 'd[0]["headers"].get("authorization")')" \
	"Bearer upstream-secret-key" "the upstream key is sent as a bearer token"
tap_is "$(printf '%s' "$req" | jq_py 'd[0]["body"]["stream"], d[0]["body"]["stream_options"]["include_usage"]')" \
	"True True" "streaming with usage is requested"
tap_is "$(printf '%s' "$req" | jq_py 'd[0]["body"]["model"]')" "test-model" "model from HERMES_MODEL"
tap_is "$(printf '%s' "$req" | jq_py '[m["role"] for m in d[0]["body"]["messages"]]')" \
	"['system', 'user']" "system prompt then the user message"
names=$(printf '%s' "$req" | jq_py '[t["function"]["name"] for t in d[0]["body"]["tools"]]')
tap_like "$names" "'memory'" "the enabled tools are offered"
tap_ok "$(printf '%s' "$names" | grep -q web_extract; echo $((! $?)))" "web is off by default"
tap_like "$(cat "$TAP_TMP/err")" 'completed, 1 model call, 15 tokens' "usage from the final chunk"

# ---- non-streaming providers ---------------------------------------------
script_upstream '[{"reply":"plain json"}]'
HERMES_LLM_STREAM=false chat "hi"
tap_is "$(cat "$TAP_TMP/out")" "plain json" "non-streaming path"
tap_is "$(upstream_requests | jq_py 'd[0]["body"].get("stream")')" "None" "no stream flag sent"

# ---- retries ---------------------------------------------------------------
script_upstream '[{"status":503},{"status":500},{"reply":"third time"}]'
chat "hi"
tap_is $? 0 "5xx twice, then success"
tap_is "$(upstream_requests | jq_py 'len(d)')" 3 "three attempts"
tap_is "$(cat "$TAP_TMP/out")" "third time" "the answer of the successful attempt"

script_upstream '[{"status":429,"headers":{"Retry-After":"2"}},{"reply":"after waiting"}]'
chat "hi"
tap_is $? 0 "429 then success"
gap=$(upstream_requests | jq_py 'round(d[1]["time"] - d[0]["time"], 1)')
tap_ok "$(python3 -c "print(0 if $gap >= 1.9 else 1)")" "Retry-After: 2 honoured (gap ${gap}s)"

script_upstream '[{"status":400,"message":"context_length_exceeded: too long"}]'
chat "hi"
tap_is $? 1 "400 fails the turn"
tap_is "$(upstream_requests | jq_py 'len(d)')" 1 "400 is not retried"
tap_like "$(cat "$TAP_TMP/err")" 'refused the request \(HTTP 400: context_length_exceeded: too long\)' \
	"the upstream's own message is kept"

script_upstream '[{"status":401,"message":"bad key"}]'
chat "hi"
tap_is "$(upstream_requests | jq_py 'len(d)')" 1 "401 is not retried"
tap_like "$(cat "$TAP_TMP/err")" 'rejected the API key.*OPENAI_API_KEY' "401 says which setting to fix"

script_upstream '[{"status":503},{"status":503},{"status":503},{"status":503},{"status":503}]'
HERMES_LLM_MAX_RETRIES=2 chat "hi"
tap_is $? 1 "persistent 503 fails"
tap_is "$(upstream_requests | jq_py 'len(d)')" 3 "max_retries=2 means three attempts"

# ---- broken streams --------------------------------------------------------
script_upstream '[{"reply":"aaaa bbbb","reset_after":1},{"reply":"clean"}]'
chat "hi"
tap_is "$(cat "$TAP_TMP/out")" "clean" "reset before any text: retried"
script_upstream '[{"reply":"aaaabbbbccccdddd","reset_after":3},{"reply":"never sent"}]'
chat "hi"
tap_is $? 1 "reset after text was shown: the turn fails"
tap_is "$(upstream_requests | jq_py 'len(d)')" 1 "and is not retried (output already forwarded)"
tap_like "$(cat "$TAP_TMP/err")" 'ended before the answer was complete|could not be reached' "says the stream broke"

script_upstream '[{"reply":"x","malformed":true}]'
chat "hi"
tap_is $? 1 "malformed stream fails"
tap_like "$(cat "$TAP_TMP/err")" 'not a JSON object' "classified as malformed"

script_upstream '[{"reply":"x","never_end":true}]'
HERMES_LLM_IDLE_TIMEOUT=2 HERMES_LLM_MAX_RETRIES=0 chat "hi"
tap_is $? 1 "a stream that never ends hits the idle timeout"
tap_like "$(cat "$TAP_TMP/err")" 'did not answer in time' "classified as a timeout"

# ---- interrupt -----------------------------------------------------------
script_upstream '[{"reply":"x","never_end":true}]'
"$HERMESCTL" chat "hi" >"$TAP_TMP/out" 2>"$TAP_TMP/err" &
cpid=$!
sleep 1.5
t0=$(date +%s.%N)
kill -INT "$cpid"
wait "$cpid"
rc=$?
t1=$(date +%s.%N)
took=$(python3 -c "print(round($t1 - $t0, 2))")
tap_is "$rc" 130 "SIGINT interrupts a transfer in progress"
echo "# interrupt to exit: ${took}s"
tap_ok "$(python3 -c "print(0 if $took < 3 else 1)")" "the process stops promptly (${took}s)"
tap_like "$(cat "$TAP_TMP/err")" 'interrupted' "reported as interrupted"

unset OPENAI_BASE_URL
chat "hi"
tap_like "$(cat "$TAP_TMP/err")" 'No upstream LLM is configured: set OPENAI_BASE_URL' \
	"no upstream: a message that says what to set"
tap_end
