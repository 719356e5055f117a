# tests/integration/responses_cases.sh: the POST /v1/responses cases, run
# against a server in front of hermes-fcgi (lighttpd, Apache+mod_fcgid)
# whose responders talk to the scripted upstream (tests/upstream).
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh and chat_cases.sh (chat_env, up_script, up_requests,
# pycheck, check, sqlite_home, responder_pid, wait_exit). Gives:
#   run_responses_cases BASE_URL KEY LABEL HOME
#                       create, chaining (previous_response_id, conversation,
#                       item_reference), the 400s, store:false, streaming
#                       through the event-sequence checker, the 100 KB trim,
#                       a client that leaves and an upstream that fails
#                       mid-stream, for a server whose .env came from chat_env
#   run_responses_stop_cases BASE_URL KEY LABEL HOME
#                       SIGTERM to the responder mid-stream, for a server
#                       with ONE responder
# The stream rules live in tests/integration/sse_check.py (responses_problems).

# resp_post BASE KEY JSON [curl args]: POST /v1/responses (http()).
resp_post() {
	CHAT_PATH=/v1/responses chat_post "$@"
}

# resp_get BASE KEY ID [OUT]: GET /v1/responses/ID (http()); with OUT, the
# body is copied there.
resp_get() {
	http GET "$1/v1/responses/$3" -H "Authorization: Bearer $2"
	[ -z "${4:-}" ] || cp "$RESP_BODY" "$4"
}

# resp_stream BASE KEY JSON OUT [client options]: a streamed request through
# chat_client.py; OUT is its JSON report.
resp_stream() {
	CHAT_PATH=/v1/responses chat_stream "$@"
}

# The Responses stream rules (sse_check.responses_problems); argv[0]: the
# terminal status wanted; argv[1]: the prefix of extension event types the
# client asked for.
RESP_RULES='
import sse_check
for _p in sse_check.responses_problems(j, argv[0] if argv else None, argv[1] if len(argv) > 1 else None):
    print(_p)
'

# up_turn_texts FILE N: the non-system messages of the upstream's request N
# as [role, text] pairs (content parts joined), as JSON.
UP_TURNS='[[m["role"], m["content"] if isinstance(m["content"], str) else "".join(p.get("text", "") for p in m["content"] or [])] for m in j[int(argv[0]) if argv else 0]["body"]["messages"] if m["role"] != "system"]'
up_turns() {
	pycheck "$1" "
try:
    print(json.dumps($UP_TURNS))
except (LookupError, TypeError, AttributeError) as e:
    print('no such upstream request: %r in %s' % (e, json.dumps(j)[:300]))" "${2:-0}"
}

# resp_status_of BASE KEY ID: wait (up to 5 s) until GET /v1/responses/ID
# is no longer in_progress; prints its status (or the HTTP status).
resp_status_of() {
	local i s
	for i in $(seq 1 50); do
		resp_get "$1" "$2" "$3"
		s=$RESP_STATUS
		[ "$s" = 200 ] && s=$(jget 'j["status"]')
		[ "$s" = in_progress ] || break
		sleep 0.1
	done
	echo "$s"
}

# ---- the cases ---------------------------------------------------------------------

run_responses_cases() {
	local base=${1%/} key=$2 where=$3 home=$4 r1 m1 r2 sid1 c conv n id f v got before big
	where="$where: responses"

	# ---- create ----------------------------------------------------------------------
	up_script '[{"reply":"Hi there!","usage":{"prompt_tokens":12,"completion_tokens":3}}]'
	resp_post "$base" "$key" '{"model":"hermes-agent","input":"hello there","instructions":"Be terse.","metadata":{"k":"v"}}'
	is "$RESP_STATUS" 200 "$where: create is 200"
	like "$(hdr Content-Type)" '^application/json' "$where: create is application/json"
	check "$where: create → a Response object both SDKs parse (openai-wire §6.1)" \
		"$("$PYTHON" "$SSE_CHECK" response "$RESP_BODY" completed)" "body: $(head -c 800 "$RESP_BODY")"
	check "$where: create → one assistant message with the text, output_text, usage, the echoes" "$(pycheck "$RESP_BODY" '
out = j.get("output") or []
msgs = [o for o in out if o.get("type") == "message"]
if len(msgs) != 1 or not str(msgs[0].get("id", "")).startswith("msg_") or msgs[0].get("status") != "completed":
    print("output: %s" % json.dumps(out)[:400])
elif msgs[0]["content"] != [{"type": "output_text", "text": "Hi there!", "annotations": []}]:
    print("message content: %s" % json.dumps(msgs[0]["content"]))
if j.get("output_text") != "Hi there!":
    print("output_text %r" % j.get("output_text"))
u = j.get("usage") or {}
if (u.get("input_tokens"), u.get("output_tokens"), u.get("total_tokens")) != (12, 3, 15):
    print("usage: %s" % u)
if j.get("model") != "hermes-agent" or j.get("instructions") != "Be terse." or j.get("metadata") != {"k": "v"}:
    print("model/instructions/metadata: %r %r %r" % (j.get("model"), j.get("instructions"), j.get("metadata")))
if j.get("store") is not True or j.get("previous_response_id") is not None or j.get("tools") != []:
    print("store/previous_response_id/tools: %r %r %r" % (j.get("store"), j.get("previous_response_id"), j.get("tools")))
if j.get("error") is not None or j.get("incomplete_details") is not None:
    print("error/incomplete_details not null")
')" "body: $(head -c 800 "$RESP_BODY")"
	r1=$(jget 'j["id"]')
	m1=$(jget '[o["id"] for o in j["output"] if o["type"] == "message"][0]')
	sid1=$(hdr X-Hermes-Session-Id)
	up_requests "$T/up.json"
	is "$(jget 'len(j)' "$T/up.json") $(up_turns "$T/up.json")" '1 [["user", "hello there"]]' \
		"$where: create: the upstream got the input once"
	like "$(jget 'j[0]["body"]["messages"][0]["content"]' "$T/up.json")" 'Be terse\.' \
		"$where: create: instructions are in the upstream's system prompt"
	resp_get "$base" "$key" "$r1" "$T/r1.json"
	is "$RESP_STATUS $(jget 'j["id"] + " " + j["status"]' "$T/r1.json")" "200 $r1 completed" \
		"$where: create: the response is stored (GET finds it completed)"

	# ---- chaining by previous_response_id -----------------------------------------------
	up_script '[{"reply":"You said hello."}]'
	resp_post "$base" "$key" '{"model":"hermes-agent","input":"what did I say?","previous_response_id":"'"$r1"'"}'
	r2=$(jget 'j["id"]')
	is "$RESP_STATUS $(jget 'j["previous_response_id"]') $(jget 'j["output_text"]')" "200 $r1 You said hello." \
		"$where: previous_response_id: 200, echoed, the answer"
	up_requests "$T/up.json"
	is "$(up_turns "$T/up.json")" '[["user", "hello there"], ["assistant", "Hi there!"], ["user", "what did I say?"]]' \
		"$where: previous_response_id: the upstream got the earlier turn before the new input"
	is "$(hdr X-Hermes-Session-Id)" "$sid1" "$where: previous_response_id: the chained turn is in the first turn's session ($sid1)"
	up_script '[{"reply":"Third."}]'
	resp_post "$base" "$key" '{"input":"and now?","previous_response_id":"'"$r2"'"}'
	up_requests "$T/up.json"
	is "$(up_turns "$T/up.json")" '[["user", "hello there"], ["assistant", "Hi there!"], ["user", "what did I say?"], ["assistant", "You said hello."], ["user", "and now?"]]' \
		"$where: previous_response_id: a third turn carries both earlier turns"

	# ---- chaining by conversation ---------------------------------------------------------
	conv="conv-$$-$(printf '%s' "$where" | tr -c 'a-z0-9' '-')"
	up_script '[{"reply":"conv answer one"},{"reply":"conv answer two"},{"reply":"conv answer three"}]'
	resp_post "$base" "$key" '{"input":"conv question one","conversation":"'"$conv"'"}'
	is "$RESP_STATUS $(jget 'j["output_text"]')" "200 conv answer one" "$where: conversation: turn 1"
	resp_post "$base" "$key" '{"input":"conv question two","conversation":"'"$conv"'"}'
	is "$RESP_STATUS $(jget 'j["output_text"]')" "200 conv answer two" "$where: conversation: turn 2"
	resp_post "$base" "$key" '{"input":"conv question three","conversation":"'"$conv"'"}'
	up_requests "$T/up.json"
	is "$(up_turns "$T/up.json" 1)" '[["user", "conv question one"], ["assistant", "conv answer one"], ["user", "conv question two"]]' \
		"$where: conversation: turn 2 got turn 1 upstream"
	is "$(up_turns "$T/up.json" 2)" '[["user", "conv question one"], ["assistant", "conv answer one"], ["user", "conv question two"], ["assistant", "conv answer two"], ["user", "conv question three"]]' \
		"$where: conversation: the name moved to the newest response (turn 3 got turns 1 and 2)"

	# ---- item_reference ----------------------------------------------------------------------
	up_script '[{"reply":"It was hello."}]'
	resp_post "$base" "$key" '{"input":[{"role":"user","content":[{"type":"input_text","text":"hello there"}]},{"type":"item_reference","id":"'"$m1"'"},{"role":"user","content":[{"type":"input_text","text":"say it again"}]}]}'
	is "$RESP_STATUS $(jget 'j["output_text"]')" "200 It was hello." "$where: item_reference ($m1): 200"
	up_requests "$T/up.json"
	is "$(up_turns "$T/up.json")" '[["user", "hello there"], ["assistant", "Hi there!"], ["user", "say it again"]]' \
		"$where: item_reference: the referenced output message reached the upstream as the assistant turn"

	# ---- requests refused before any agent work ------------------------------------------------
	up_script '[{"reply":"must not be used"}]'
	before=$(sqlite_home "$home" 'SELECT count(*) FROM responses;')
	resp_post "$base" "$key" '{"input":"x","previous_response_id":"resp_doesnotexist0000"}'
	check_envelope 400 previous_response_not_found "$where: an unknown previous_response_id is 400 previous_response_not_found"
	is "$(jget 'j["error"]["param"]')" previous_response_id "$where: ...with param previous_response_id"
	resp_post "$base" "$key" '{"input":[{"role":"user","content":"a"},{"type":"item_reference","id":"msg_doesnotexist0000"}]}'
	check_envelope 400 item_not_found "$where: an unknown item_reference is 400 item_not_found"
	is "$(jget 'j["error"]["param"]')" 'input[1].id' "$where: ...with param input[1].id"
	resp_post "$base" "$key" '{"input":"x","previous_response_id":"'"$r1"'","conversation":"'"$conv"'"}'
	check_envelope 400 conversation_conflict "$where: previous_response_id with conversation is 400 conversation_conflict"
	resp_post "$base" "$key" '{"input":[{"role":"user","content":[{"type":"input_text","text":"read this"},{"type":"input_file","file_data":"data:application/pdf;base64,JVBERi0=","filename":"a.pdf"}]}]}'
	check_envelope 400 unsupported_content_type "$where: an input_file part is 400 unsupported_content_type"
	is "$(jget 'j["error"]["param"]')" 'input[0].content[1]' "$where: ...with param input[0].content[1]"
	resp_post "$base" "$key" '{"input":[{"role":"user","content":[{"type":"input_image","image_url":"data:text/plain;base64,aGk="}]}]}'
	check_envelope 400 unsupported_content_type "$where: a non-image data: URL is 400 unsupported_content_type"
	is "$(jget 'j["error"]["param"]')" 'input[0].content[0]' "$where: ...with param input[0].content[0]"
	printf '{"input": "caf\351"}' > "$T/latin1.json"
	http POST "$base/v1/responses" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
		--data-binary "@$T/latin1.json"
	check_envelope 400 invalid_json "$where: invalid UTF-8 in input is 400 invalid_json"
	for f in 'input:5' 'input:{"a":1}' 'stream:"yes"' 'store:"no"' 'previous_response_id:7' 'conversation:[]' \
		'instructions:5' 'metadata:"m"' 'max_output_tokens:"10"' 'temperature:"hot"' 'top_p:[]' \
		'truncation:"sometimes"' 'model:5' 'parallel_tool_calls:"x"'; do
		v=${f#*:}
		f=${f%%:*}
		if [ "$f" = input ]; then
			resp_post "$base" "$key" '{"input":'"$v"'}'
		else
			resp_post "$base" "$key" '{"input":"x","'"$f"'":'"$v"'}'
		fi
		is "$RESP_STATUS $(jget 'j["error"]["type"] + " " + str(j["error"]["param"])')" "400 invalid_request_error $f" \
			"$where: $f: $v is 400 with param $f"
	done
	up_requests "$T/up.json"
	is "$(jget 'len(j)' "$T/up.json")" 0 "$where: none of the refused requests reached the upstream"
	is "$(sqlite_home "$home" 'SELECT count(*) FROM responses;')" "$before" "$where: ...and none was stored"

	# ---- store: false -------------------------------------------------------------------------
	up_script '[{"reply":"not kept"},{"reply":"must not be used"}]'
	before=$(sqlite_home "$home" 'SELECT count(*) FROM responses;')
	resp_post "$base" "$key" '{"input":"forget this","store":false}'
	id=$(jget 'j["id"]')
	is "$RESP_STATUS $(jget 'j["store"]') $(jget 'j["output_text"]')" "200 false not kept" "$where: store false: 200, store false, the text"
	is "$(sqlite_home "$home" 'SELECT count(*) FROM responses;') $(sqlite_home "$home" "SELECT count(*) FROM responses WHERE id = '$id';")" \
		"$before 0" "$where: store false: nothing was stored"
	resp_get "$base" "$key" "$id"
	is "$RESP_STATUS" 404 "$where: store false: GET is 404"
	resp_post "$base" "$key" '{"input":"x","previous_response_id":"'"$id"'"}'
	check_envelope 400 previous_response_not_found "$where: store false: a chain to it is 400 previous_response_not_found"
	resp_stream "$base" "$key" '{"input":"forget this stream","store":false,"stream":true}' "$T/nostore.json"
	check "$where: store false: a stream follows the event rules" "$(pycheck "$T/nostore.json" "$RESP_RULES" completed)"
	is "$(sqlite_home "$home" 'SELECT count(*) FROM responses;')" "$before" "$where: store false: a stream stores nothing either"

	# ---- streaming ---------------------------------------------------------------------------
	up_script '[{"reply":"Hi there, streaming world!","chunk_size":3,"usage":{"prompt_tokens":7,"completion_tokens":4}}]'
	resp_stream "$base" "$key" '{"model":"hermes-agent","input":"stream please","stream":true}' "$T/rs1.json"
	check "$where: stream: the event sequence keeps every invariant (order, sequence numbers, indexes, ids, deltas, one complete terminal event)" \
		"$(pycheck "$T/rs1.json" "$RESP_RULES" completed)" "lines: $(jget 'j["lines"][:60]' "$T/rs1.json" 2>/dev/null | head -c 4000)"
	is "$("$PYTHON" "$SSE_CHECK" rtext "$T/rs1.json")" "Hi there, streaming world!" "$where: stream: the deltas are the text"
	"$PYTHON" "$SSE_CHECK" rfinal "$T/rs1.json" > "$T/rs1.final"
	id=$(jget 'j["id"]' "$T/rs1.final")
	is "$(jget 'j["usage"]["total_tokens"]' "$T/rs1.final")" 11 "$where: stream: the terminal usage counts the upstream's tokens"
	resp_get "$base" "$key" "$id" "$T/rs1.get"
	check "$where: stream: the terminal object equals what GET /v1/responses/$id returns" "$(pycheck "$T/rs1.final" '
g = json.load(open(argv[0]))
if g != j:
    d = sorted(k for k in set(g) | set(j) if g.get(k) != j.get(k))
    print("differ in %s: GET %s / terminal %s" % (d, json.dumps({k: g.get(k) for k in d})[:400], json.dumps({k: j.get(k) for k in d})[:400]))
' "$T/rs1.get")"

	# A tool round trip inside the turn (the agent's own memory tool).
	up_script '[{"reply":"Let me check. ","tool_calls":[{"id":"call_m1","name":"memory","arguments":"{\"action\":\"read\"}"}]},
		{"reply":"Your memory is empty.","chunk_size":4}]'
	resp_stream "$base" "$key" '{"input":"what do you remember","stream":true}' "$T/rs2.json"
	check "$where: stream with a server-side tool call: the event rules hold (no custom event types by default)" \
		"$(pycheck "$T/rs2.json" "$RESP_RULES" completed)" "lines: $(jget 'j["lines"][:80]' "$T/rs2.json" 2>/dev/null | head -c 4000)"
	like "$("$PYTHON" "$SSE_CHECK" rtext "$T/rs2.json")" 'Your memory is empty\.$' "$where: stream with a tool call: the final text is streamed"
	up_requests "$T/up.json"
	is "$(jget 'len(j)' "$T/up.json") $(jget '[m.get("tool_call_id") for m in j[1]["body"]["messages"] if m.get("role") == "tool"]' "$T/up.json")" \
		'2 ["call_m1"]' "$where: stream with a tool call: the second upstream call carries the tool result"
	up_script '[{"tool_calls":[{"id":"call_p1","name":"memory","arguments":"{\"action\":\"read\"}"}]},{"reply":"done"}]'
	resp_stream "$base" "$key" '{"input":"progress please","stream":true}' "$T/rs3.json" -H 'X-Hermes-Events: tool-progress'
	check "$where: X-Hermes-Events: tool-progress: the event rules hold with hermes.* events allowed" \
		"$(pycheck "$T/rs3.json" "$RESP_RULES" completed hermes.)" "lines: $(jget 'j["lines"][:60]' "$T/rs3.json" 2>/dev/null | head -c 4000)"
	is "$(jget '[json.loads(e["data"]).get("toolCallId") or json.loads(e["data"]).get("hermes", {}).get("toolCallId") for e in j["events"] if e["data"].startswith("{\"type\":\"hermes.")]' "$T/rs3.json")" \
		'["call_p1"]' "$where: X-Hermes-Events: tool-progress: one hermes.tool.progress event for the tool start"
	resp_post "$base" "$key" '{"input":"and without streaming","previous_response_id":"'"$(jget 'j["id"]' <("$PYTHON" "$SSE_CHECK" rfinal "$T/rs2.json"))"'"}'
	check "$where: a chain onto a turn with tool calls: a valid Response object" \
		"$("$PYTHON" "$SSE_CHECK" response "$RESP_BODY" completed)" "body: $(head -c 600 "$RESP_BODY")"

	# Reasoning from the upstream: a reasoning item before the message.
	up_script '[{"reasoning":"Thinking it over.","reply":"Reasoned answer."},{"reasoning":"Thinking it over.","reply":"Reasoned answer.","chunk_size":5}]'
	resp_post "$base" "$key" '{"input":"think first"}'
	check "$where: reasoning: a valid Response object with a reasoning item (summary array) then the message" "$(pycheck "$RESP_BODY" '
import sse_check
for p in sse_check.response_problems(j, "completed"):
    print(p)
types = [o.get("type") for o in j.get("output", [])]
if types != ["reasoning", "message"] or j.get("output_text") != "Reasoned answer.":
    print("output types %s, output_text %r" % (types, j.get("output_text")))
elif "Thinking it over." not in json.dumps(j["output"][0]):
    print("the reasoning text is not in the item: %s" % json.dumps(j["output"][0]))
')" "body: $(head -c 800 "$RESP_BODY")"
	resp_stream "$base" "$key" '{"input":"think first","stream":true}' "$T/reason.json"
	check "$where: reasoning: a stream with a reasoning item keeps the event rules" \
		"$(pycheck "$T/reason.json" "$RESP_RULES" completed)" "events: $(jget '[e["data"][:160] for e in j["events"]]' "$T/reason.json" 2>/dev/null | head -c 3000)"
	is "$("$PYTHON" "$SSE_CHECK" rtext "$T/reason.json")" "Reasoned answer." "$where: reasoning: the text deltas are the answer only"

	# ---- the 100 KB trim of tool-call arguments -----------------------------------------------
	"$PYTHON" - "$T/big.script" <<'PY'
import json, sys
args = json.dumps({"action": "read", "pad": "BIGARG" + "x" * 150000})
json.dump([{"tool_calls": [{"id": "call_big", "name": "memory", "arguments": args}], "chunk_size": 4096},
           {"reply": "after the big call"}], open(sys.argv[1], "w"))
PY
	big='
def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
found = [s for s in strings(j) if "BIGARG" in s]
if not found:
    print("the tool call arguments are nowhere in the object")
for s in found:
    if len(s.encode()) > 100 * 1024 + 200:
        print("tool-call arguments of %d bytes: not trimmed to 100 KB" % len(s.encode()))
    elif len(s) >= 150000:
        print("the arguments are whole (%d bytes)" % len(s))
if len(json.dumps(j)) > 100 * 1024 + 20000:
    print("the object is %d bytes" % len(json.dumps(j)))
'
	up_script "@$T/big.script"
	resp_stream "$base" "$key" '{"input":"a big tool call","stream":true}' "$T/big.json"
	check "$where: trim: a turn with a 150 KB tool call streams by the event rules" \
		"$(pycheck "$T/big.json" "$RESP_RULES" completed)" "events: $(jget '[e["data"][:150] for e in j["events"]]' "$T/big.json" 2>/dev/null | head -c 3000)"
	"$PYTHON" "$SSE_CHECK" rfinal "$T/big.json" > "$T/big.final"
	check "$where: trim: the terminal object holds the tool-call arguments trimmed to 100 KB" "$(pycheck "$T/big.final" "$big")"
	up_requests "$T/up.json"
	is "$(jget '[len(c["function"]["arguments"]) for m in j[1]["body"]["messages"] for c in m.get("tool_calls") or []]' "$T/up.json")" \
		"[$(jget 'len(j[0]["tool_calls"][0]["arguments"])' "$T/big.script")]" \
		"$where: trim: the upstream's next call got the arguments whole"
	resp_get "$base" "$key" "$(jget 'j["id"]' "$T/big.final")" "$T/big.get"
	check "$where: trim: GET returns the trimmed object too" "$(pycheck "$T/big.get" "$big")"
	up_script "@$T/big.script"
	resp_post "$base" "$key" '{"input":"a big tool call, not streamed"}'
	check "$where: trim: the non-streaming answer is trimmed too" "$(pycheck "$RESP_BODY" "$big")"

	# ---- the client leaves mid-stream ------------------------------------------------------------
	up_script '[{"reply":"'"$(printf 'word%02d ' $(seq 1 40))"'","chunk_size":7,"delay":0.3}]'
	resp_stream "$base" "$key" '{"input":"a slow one","stream":true}' "$T/gone.json" --close-after-time 2.5
	id=$(jget '[json.loads(e["data"])["response"]["id"] for e in j["events"] if "response.created" in e["data"]][0]' "$T/gone.json")
	is "$(jget 'j["closed_early"]' "$T/gone.json") $(jget 'len([e for e in j["events"] if "output_text.delta" in e["data"]]) > 0' "$T/gone.json")" \
		"true true" "$where: disconnect: the client got text and hung up ($id)"
	is "$(resp_status_of "$base" "$key" "$id")" incomplete "$where: disconnect: the stored response is incomplete, not in_progress"
	check "$where: disconnect: ...with a reason and the text produced so far" "$(pycheck "$RESP_BODY" '
d = j.get("incomplete_details") or {}
if not isinstance(d.get("reason"), str):
    print("incomplete_details: %s" % d)
t = "".join(p.get("text", "") for o in j.get("output", []) if o.get("type") == "message" for p in o.get("content", []))
if not t.startswith("word01") or "word40" in t:
    print("stored text %r" % t[:200])
')" "body: $(head -c 800 "$RESP_BODY")"
	check "$where: disconnect: the stored object is a valid Response" "$("$PYTHON" "$SSE_CHECK" response "$RESP_BODY" incomplete)"

	# ---- the upstream fails mid-stream ----------------------------------------------------------
	up_script '[{"reply":"The connection drops in the middle of this answer","chunk_size":6,"reset_after":4}]'
	resp_stream "$base" "$key" '{"input":"a failing one","stream":true}' "$T/fail.json"
	check "$where: upstream reset mid-stream: the events keep the rules and end in response.failed with error {code, message}" \
		"$(pycheck "$T/fail.json" "$RESP_RULES" failed)" "lines: $(jget 'j["lines"][-12:]' "$T/fail.json" 2>/dev/null | head -c 3000)"
	id=$(jget 'j["id"]' <("$PYTHON" "$SSE_CHECK" rfinal "$T/fail.json"))
	is "$(resp_status_of "$base" "$key" "$id")" failed "$where: upstream reset: the stored response is failed"
	like "$(jget 'j["error"]["code"] + " " + j["error"]["message"]')" '^[a-z_]+ .' "$where: upstream reset: ...with error code and message"
}

# run_responses_stop_cases BASE_URL KEY LABEL HOME: SIGTERM to a responder
# in the middle of a streamed response, for a server with ONE responder.
run_responses_stop_cases() {
	local base=${1%/} key=$2 where="$3: responses" home=$4 pid bg id
	pid=$(responder_pid "$base" "$key")
	like "$pid" '^[0-9]+$' "$where: SIGTERM: the responder's pid ($pid)"
	up_script '[{"reply":"'"$(printf 'word%02d ' $(seq 1 40))"'","chunk_size":7,"delay":0.3}]'
	resp_stream "$base" "$key" '{"input":"stop me gracefully","stream":true}' "$T/rterm.json" &
	bg=$!
	up_wait_requests 1 > /dev/null
	sleep 1
	kill -TERM "$pid"
	wait "$bg"
	check "$where: SIGTERM mid-stream: the events keep the rules and end in response.incomplete" \
		"$(pycheck "$T/rterm.json" "$RESP_RULES" incomplete)" "lines: $(jget 'j["lines"][-12:]' "$T/rterm.json" 2>/dev/null | head -c 3000)"
	is "$(jget 'j["t_end"] < 5' "$T/rterm.json")" true "$where: SIGTERM: the stream ended promptly ($(jget 'j["t_end"]' "$T/rterm.json") s)"
	id=$(jget '[json.loads(e["data"])["response"]["id"] for e in j["events"] if "response.created" in e["data"]][0]' "$T/rterm.json")
	is "$(jget 'j["incomplete_details"]["reason"]' <("$PYTHON" "$SSE_CHECK" rfinal "$T/rterm.json"))" server_shutdown \
		"$where: SIGTERM: incomplete_details.reason is server_shutdown"
	is "$(wait_exit "$pid" 50 | grep -c .)" 1 "$where: SIGTERM: the responder exited"
	is "$(resp_status_of "$base" "$key" "$id")" incomplete "$where: SIGTERM: the stored response is incomplete (a new responder reads it)"
	like "$(jget 'j["incomplete_details"]["reason"] + " " + "".join(p.get("text", "") for o in j["output"] if o["type"] == "message" for p in o["content"])')" '^server_shutdown word01 ' \
		"$where: SIGTERM: ...with reason server_shutdown and the text produced so far"
	is "$(sqlite_home "$home" "SELECT count(*) FROM responses WHERE json_extract(data, '$.status') = 'in_progress';")" 0 \
		"$where: SIGTERM: no stored response is left in_progress"
}
