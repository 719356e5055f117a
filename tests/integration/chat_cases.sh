# tests/integration/chat_cases.sh: the POST /v1/chat/completions cases,
# run against a server in front of hermes-fcgi (lighttpd, Apache+mod_fcgid)
# whose responders talk to the scripted upstream (tests/upstream).
# SPDX-License-Identifier: MIT
#
# Sourced after lib.sh. Gives:
#   chat_env HOME [NAME=VALUE...]   HERMES_HOME .env for these cases: the key,
#                                   OPENAI_BASE_URL=$UPSTREAM_URL, fast retries,
#                                   plus the extra settings. Call it before the
#                                   server starts (responders read it once).
#   run_chat_cases BASE_URL KEY LABEL [HOME]
#                                   every case for a server whose .env came
#                                   from chat_env with no extra settings;
#                                   with HOME, also what the store holds
#   run_chat_cap_cases BASE_URL KEY LABEL [HOME]
#                                   429 at the concurrency cap and session
#                                   rotation after compression, for a server
#                                   whose .env came from chat_env HOME
#                                   API_SERVER_MAX_CONCURRENT_RUNS=1
#                                   HERMES_CONTEXT_LENGTH=256
#                                   HERMES_COMPRESSION_THRESHOLD=0.5
#                                   HERMES_MAX_ITERATIONS=2
# Needs start_upstream to have run (UPSTREAM_PORT, UPSTREAM_URL).
#
# Streams are read by a small Python client (tests/integration/chat_client.py)
# that stamps every SSE line with its arrival time, so the cases can say
# "the first content arrived long before the upstream finished". The rules
# every stream and error body must follow live in tests/integration/sse_check.py.

CHAT_CLIENT=$top_srcdir/tests/integration/chat_client.py

# chat_env HOME [NAME=VALUE...]
chat_env() {
	local home=$1 kv
	shift
	mk_home "$home"
	{
		echo "OPENAI_BASE_URL=$UPSTREAM_URL"
		echo "OPENAI_API_KEY=sk-upstream-test"
		echo "HERMES_MODEL=test-model"
		echo "HERMES_LLM_MAX_RETRIES=1"
		for kv in "$@"; do
			echo "$kv"
		done
	} >> "$home/.env"
}

# up_script 'JSON steps' (or @FILE): reset the scripted upstream (queue and records)
# and load the steps.
up_script() {
	if ! curl -sf -X POST "http://127.0.0.1:$UPSTREAM_PORT/__reset" > /dev/null ||
		! curl -sf -X POST --data-binary "$1" "http://127.0.0.1:$UPSTREAM_PORT/__script" > /dev/null; then
		diag "could not script the upstream"
	fi
}

# up_requests FILE: the upstream's recorded requests into FILE.
up_requests() {
	curl -sf "http://127.0.0.1:$UPSTREAM_PORT/__requests" > "$1" || echo '[]' > "$1"
}

# up_wait_requests N: wait (up to 5 s) until the upstream has recorded N
# requests; prints how many it has.
up_wait_requests() {
	local i n=0
	for i in $(seq 1 100); do
		up_requests "$T/up.json"
		n=$(jget 'len(j)' "$T/up.json")
		[ "$n" = "$1" ] && break
		sleep 0.05
	done
	echo "$n"
}

# wait_exit PID TRIES: wait until PID is gone, polling every 100 ms; prints
# the number of polls it took, nothing if it never went.
wait_exit() {
	local i
	for i in $(seq 1 "$2"); do
		kill -0 "$1" 2>/dev/null || { echo "$i"; return 0; }
		sleep 0.1
	done
}

# chat_post BASE KEY JSON [curl args]: a non-streaming request (http())
# to CHAT_PATH (default /v1/chat/completions).
chat_post() {
	local base=$1 key=$2 body=$3
	shift 3
	printf '%s' "$body" > "$T/chat.req"
	http POST "$base${CHAT_PATH:-/v1/chat/completions}" -H "Authorization: Bearer $key" \
		-H 'Content-Type: application/json' --data-binary "@$T/chat.req" "$@"
}

# chat_post_timed BASE KEY JSON [curl args]: chat_post, with the seconds
# it took in CHAT_SPAN.
chat_post_timed() {
	local t0 t1
	t0=$(date +%s.%N)
	chat_post "$@"
	t1=$(date +%s.%N)
	CHAT_SPAN=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
}

# chat_stream BASE KEY JSON OUT [client options]: a request to CHAT_PATH
# (default /v1/chat/completions) through chat_client.py; OUT is its JSON
# report.
chat_stream() {
	local base=$1 key=$2 body=$3 out=$4
	shift 4
	printf '%s' "$body" > "$out.req"
	"$PYTHON" "$CHAT_CLIENT" "$base${CHAT_PATH:-/v1/chat/completions}" "$key" "$out.req" "$out" "$@" ||
		echo '{"error":"chat_client.py failed"}' > "$out"
}

# pycheck FILE 'python code' ARGS...: run code with j = the JSON in FILE
# and argv = ARGS; the code prints problems (one a line), nothing when fine.
pycheck() {
	local f=$1 code=$2
	shift 2
	"$PYTHON" - "$f" "$@" <<PY 2>&1
import json, sys
sys.path.insert(0, "$top_srcdir/tests/integration")
try:
    j = json.load(open(sys.argv[1], encoding="utf-8"))
except Exception as e:
    print("not JSON: %s: %r" % (e, open(sys.argv[1], "rb").read()[:300]))
    sys.exit(0)
argv = sys.argv[2:]
$code
PY
}

# check DESC PROBLEMS [CONTEXT]: pass when PROBLEMS is empty.
check() {
	if [ -z "$2" ]; then
		pass "$1"
	else
		fail "$1" "$2" ${3:+"$3"}
	fi
}

# any_envelope_problem STATUS: RESP_* is STATUS with a full OpenAI error
# envelope (any code); prints what is wrong.
any_envelope_problem() {
	[ "$RESP_STATUS" = "$1" ] || echo "status $RESP_STATUS, want $1"
	case $(hdr Content-Type) in
	application/json*) ;;
	*) echo "Content-Type '$(hdr Content-Type)', want application/json" ;;
	esac
	"$PYTHON" "$SSE_CHECK" envelope "$RESP_BODY"
}

# The checks every stream must pass (OpenAI chunk rules); prints problems.
# argv[0]: "usage" when include_usage was asked for.
# (sse_check.stream_problems; evs is left defined for code appended to it).
STREAM_RULES='
import sse_check
evs = j.get("events") or []
for _p in sse_check.stream_problems(j, argv[:1] == ["usage"]):
    print(_p)
'

# stream_text FILE: the concatenated delta.content of a chat_client report.
stream_text() {
	"$PYTHON" "$SSE_CHECK" text "$1"
}

# up_conns: established TCP connections whose local port is the upstream's
# (the upstream's side of the responders' connections).
up_conns() {
	local hex
	hex=$(printf '%04X' "$UPSTREAM_PORT")
	awk -v p=":$hex" '$4 == "01" && substr($2, length($2) - 4) == p { n++ } END { print n + 0 }' /proc/net/tcp
}

# ---- the cases -----------------------------------------------------------------

run_chat_cases() {
	local base=${1%/} key=$2 where=$3 home=${4:-} got p words long sid1 sid2 s f i want hv t0 t1 n span limit
	local user='{"role":"user","content":"hello there"}'

	# ---- non-streaming result mapping -------------------------------------------
	up_script '[{"reply":"Hi there!","usage":{"prompt_tokens":12,"completion_tokens":3}}]'
	chat_post "$base" "$key" '{"model":"hermes-agent","messages":['"$user"']}'
	is "$RESP_STATUS" 200 "$where: completed turn is 200"
	like "$(hdr Content-Type)" '^application/json' "$where: completed turn is application/json"
	check "$where: completed → chat.completion with finish_reason stop, the text, usage" "$(pycheck "$RESP_BODY" '
if j.get("object") != "chat.completion" or not str(j.get("id", "")).startswith("chatcmpl-"):
    print("object/id: %r %r" % (j.get("object"), j.get("id")))
if j.get("model") != "hermes-agent":
    print("model %r, want hermes-agent" % j.get("model"))
if not isinstance(j.get("created"), int):
    print("created is not an integer")
c = j["choices"][0]
if c.get("index") != 0 or c.get("finish_reason") != "stop" or "logprobs" not in c:
    print("choice: %s" % json.dumps(c))
m = c["message"]
if m.get("role") != "assistant" or m.get("content") != "Hi there!" or "refusal" not in m:
    print("message: %s" % json.dumps(m))
u = j.get("usage") or {}
if u.get("prompt_tokens") != 12 or u.get("completion_tokens") != 3 or u.get("total_tokens") != 15:
    print("usage: %s" % u)
if "hermes" in j:
    print("a completed turn carries hermes extras")
')" "body: $(head -c 600 "$RESP_BODY")"
	is "$(hdr X-Hermes-Completed) $(hdr X-Hermes-Partial)" "true false" \
		"$where: completed → X-Hermes-Completed true, X-Hermes-Partial false"
	is "$(hdr X-Hermes-Error)" "" "$where: completed → no X-Hermes-Error"
	up_requests "$T/up.json"
	check "$where: the upstream got the turn once, with the user text last" "$(pycheck "$T/up.json" '
if len(j) != 1:
    print("%d upstream requests, want 1" % len(j))
else:
    m = j[0]["body"]["messages"]
    if m[-1] != {"role": "user", "content": "hello there"}:
        print("last message %s" % m[-1])
    if m[0]["role"] != "system":
        print("first message is not the system prompt")
')"

	up_script '[{"reply":"This answer was cut","finish_reason":"length"}]'
	chat_post "$base" "$key" '{"model":"hermes-agent","messages":['"$user"']}'
	is "$RESP_STATUS" 200 "$where: partial with text (upstream finish_reason length) is 200"
	check "$where: partial → finish_reason length, the text, a hermes object" "$(pycheck "$RESP_BODY" '
c = j["choices"][0]
if c.get("finish_reason") != "length":
    print("finish_reason %r" % c.get("finish_reason"))
if c["message"].get("content") != "This answer was cut":
    print("content %r" % c["message"].get("content"))
h = j.get("hermes")
if not isinstance(h, dict):
    print("no hermes object")
elif h.get("completed") is not False or h.get("partial") is not True or "error" not in h:
    print("hermes: %s" % h)
')" "body: $(head -c 600 "$RESP_BODY")"
	is "$(hdr X-Hermes-Completed) $(hdr X-Hermes-Partial)" "false true" \
		"$where: partial → X-Hermes-Completed false, X-Hermes-Partial true"

	for s in 400 401; do
		up_script '[{"status":'"$s"',"message":"upstream says no '"$s"'"}]'
		chat_post "$base" "$key" '{"messages":['"$user"']}'
		check "$where: upstream $s → 502 with the full OpenAI error envelope" \
			"$(any_envelope_problem 502)" "body: $(head -c 600 "$RESP_BODY")"
		like "$(hdr X-Hermes-Error)" '.' "$where: upstream $s → X-Hermes-Error is set ($(hdr X-Hermes-Error))"
		is "$(hdr X-Hermes-Completed)" false "$where: upstream $s → X-Hermes-Completed false"
		unlike "$(cat "$RESP_BODY")" '"choices"' "$where: upstream $s is not a 200-style completion"
	done
	up_script '[{"status":503},{"status":503},{"status":503},{"status":503}]'
	chat_post "$base" "$key" '{"messages":['"$user"']}'
	check "$where: upstream 503 on every attempt (retries exhausted) → 502 envelope" \
		"$(any_envelope_problem 502)" "body: $(head -c 600 "$RESP_BODY")"
	up_requests "$T/up.json"
	is "$(jget 'len(j)' "$T/up.json")" 2 "$where: with HERMES_LLM_MAX_RETRIES=1 the 503 was tried twice"
	up_script '[{"status":503},{"reply":"second try"}]'
	chat_post "$base" "$key" '{"messages":['"$user"']}'
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 second try" \
		"$where: one 503 then a reply → 200 with the reply"

	# ---- streaming shape -----------------------------------------------------------
	up_script '[{"reply":"Hi there, streaming world!","chunk_size":3,"usage":{"prompt_tokens":7,"completion_tokens":4}}]'
	chat_stream "$base" "$key" '{"model":"hermes-agent","stream":true,"stream_options":{"include_usage":true},"messages":['"$user"']}' "$T/s1.json"
	check "$where: stream with include_usage follows the chunk rules (same id/created/model, choices, role, finish_reason, usage chunk, [DONE])" \
		"$(pycheck "$T/s1.json" "$STREAM_RULES" usage)" "lines: $(jget 'j["lines"][:40]' "$T/s1.json" | head -c 3000)"
	is "$(stream_text "$T/s1.json")" "Hi there, streaming world!" "$where: the stream's deltas are the text"
	is "$(jget '[c for c in [json.loads(e["data"]) for e in j["events"][:-1]] if c.get("choices")==[]][0]["usage"]["total_tokens"]' "$T/s1.json")" 11 \
		"$where: the usage chunk counts the upstream's tokens"
	is "$(jget '[json.loads(e["data"]) for e in j["events"] if e["data"] != "[DONE]"][-2]["choices"][0]["finish_reason"]' "$T/s1.json")" stop \
		"$where: the last content chunk says finish_reason stop"
	like "$(jget 'j["headers"].get("x-hermes-session-id", "")' "$T/s1.json")" '^api-[0-9a-f]{16}$' \
		"$where: a stream has X-Hermes-Session-Id"

	up_script '[{"reply":"No usage please","chunk_size":5}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":['"$user"']}' "$T/s2.json"
	check "$where: stream without include_usage: the rules, and no usage chunk" \
		"$(pycheck "$T/s2.json" "$STREAM_RULES")" "lines: $(jget 'j["lines"][:40]' "$T/s2.json" | head -c 3000)"

	up_script '[{"status":400,"message":"bad upstream request"}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":['"$user"']}' "$T/s3.json"
	check "$where: a stream whose upstream fails ends with data: {\"error\":…} then [DONE], never text" "$(pycheck "$T/s3.json" '
evs = j.get("events", [])
if j.get("status") != 200 or not evs or evs[-1]["data"] != "[DONE]":
    print("status %s, last %s" % (j.get("status"), evs[-1:] ))
else:
    errs = [json.loads(e["data"]) for e in evs[:-1] if "\"error\"" in e["data"]]
    if len(errs) != 1 or not isinstance(errs[0].get("error"), dict) or not errs[0]["error"].get("message"):
        print("want one error chunk with error.message: %s" % [e["data"][:200] for e in evs])
    for e in evs[:-1]:
        c = json.loads(e["data"])
        for ch in c.get("choices") or []:
            if (ch.get("delta") or {}).get("content"):
                print("error shown as content: %r" % ch["delta"]["content"])
')" "lines: $(jget 'j["lines"]' "$T/s3.json" | head -c 2000)"

	up_script '[{"reply":"Cut short","finish_reason":"length"}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":['"$user"']}' "$T/s4.json"
	check "$where: a partial stream (upstream finish_reason length): the rules, finish_reason length with a hermes object" "$(pycheck "$T/s4.json" "$STREAM_RULES
fin = [json.loads(e['data']) for e in evs[:-1] if not e['event'] and (json.loads(e['data']).get('choices') or [{}])[0].get('finish_reason')]
if fin and (fin[0]['choices'][0]['finish_reason'] != 'length' or not isinstance(fin[0].get('hermes'), dict)):
    print('final chunk: %s' % json.dumps(fin[0]))
")" "lines: $(jget 'j["lines"]' "$T/s4.json" | head -c 2000)"

	up_script '[{"reply":"The connection drops in the middle of this answer","chunk_size":6,"reset_after":4}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":['"$user"']}' "$T/s5.json"
	check "$where: the upstream resets mid-stream: the text so far, then data: {\"error\":…}, then [DONE] (a whole chunked stream)" "$(pycheck "$T/s5.json" '
if j.get("error"):
    print("client error (broken stream?): %s" % j["error"])
evs = j.get("events", [])
if not evs or evs[-1]["data"] != "[DONE]":
    print("no [DONE] at the end")
else:
    ds = [json.loads(e["data"]) for e in evs[:-1]]
    text = "".join((c.get("choices") or [{}])[0].get("delta", {}).get("content") or "" for c in ds)
    if not "The connection drops in the middle of this answer".startswith(text) or not text:
        print("text so far %r" % text)
    if not isinstance(ds[-1].get("error"), dict):
        print("the last chunk before [DONE] is not an error: %s" % json.dumps(ds[-1]))
')" "lines: $(jget 'j["lines"]' "$T/s5.json" | head -c 2000)"

	# ---- incremental streaming ---------------------------------------------------------
	words="alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango "
	up_script '[{"reply":"'"$words"'","chunk_size":8,"delay":0.1}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":['"$user"']}' "$T/inc.json"
	is "$(stream_text "$T/inc.json")" "$words" "$where: slow stream: the text arrives whole"
	check "$where: slow stream (20 words, 100 ms apart): first content long before the end" "$(pycheck "$T/inc.json" '
evs = j.get("events", [])
tc = [e["t"] for e in evs if e["data"] != "[DONE]" and not e["event"] and (json.loads(e["data"]).get("choices") or [{}])[0].get("delta", {}).get("content")]
if len(tc) < 5:
    print("only %d content chunks: not incremental" % len(tc))
else:
    last = evs[-1]["t"]
    if not tc[0] < last - 1.0:
        print("first content at %.3f s, end at %.3f s: want first < end - 1.0 s" % (tc[0], last))
    if tc[-1] - tc[0] < 1.0:
        print("content chunks arrived within %.3f s: buffered, not streamed" % (tc[-1] - tc[0]))
')" "times: $(jget '[(e["t"], e["data"] if e["data"] == "[DONE]" else (json.loads(e["data"]).get("choices") or [{}])[0].get("delta")) for e in j["events"]]' "$T/inc.json" | head -c 3000)"

	# ---- batching ---------------------------------------------------------------------
	long=$("$PYTHON" -c 'import string; s = (string.ascii_letters + string.digits) * 9; print(s[:500], end="")')
	up_script '[{"reply":"'"$long"'","chunk_size":1,"delay":0.002}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":['"$user"']}' "$T/batch.json"
	is "$(stream_text "$T/batch.json")" "$long" "$where: 500 one-character deltas: the concatenation is exactly the text"
	# At most 25 for a one-second stream; a loaded machine that stretches
	# the upstream's pace gets one more chunk per 50 ms window.
	got=$(jget '" ".join(str(x) for x in (lambda tc: (len(tc), round(tc[-1] - tc[0], 3) if tc else 0, max(25, int((tc[-1] - tc[0]) / 0.05) + 3) if tc else 25))([e["t"] for e in j["events"] if not e["event"] and e["data"] != "[DONE]" and (json.loads(e["data"]).get("choices") or [{}])[0].get("delta", {}).get("content")]))' "$T/batch.json")
	read -r n span limit <<< "$got"
	check "$where: 500 deltas in about a second ($span s) arrive as at most $limit content chunks ($n)" \
		"$([ "$n" -ge 2 ] && [ "$n" -le "$limit" ] 2>/dev/null || echo "$n content chunks")"

	# ---- tool progress in a stream ---------------------------------------------------
	# Each tool start is one progress event whose data is a chunk with
	# "choices": [] and a "hermes" object. It is an unnamed event by default
	# (the openai npm SDK 4.x breaks on named events) and
	# `event: hermes.tool.progress` with X-Hermes-Events: tool-progress.
	for hv in "" "tool-progress"; do
		local name=None label="$where: tool progress (default: unnamed)" hopt=()
		if [ -n "$hv" ]; then
			name=hermes.tool.progress
			label="$where: tool progress (X-Hermes-Events: $hv)"
			hopt=(-H "X-Hermes-Events: $hv")
		fi
		up_script '[{"reply":"Let me check. ","tool_calls":[{"id":"call_m1","name":"memory","arguments":"{\"action\":\"read\"}"}]},
			{"reply":"Your memory is empty.","chunk_size":4}]'
		chat_stream "$base" "$key" '{"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"what do you remember"}]}' "$T/tool.json" "${hopt[@]}"
		check "$label: a stream with a tool round trip follows the chunk rules" \
			"$(pycheck "$T/tool.json" "$STREAM_RULES" usage)" "lines: $(jget 'j["lines"]' "$T/tool.json" | head -c 3000)"
		check "$label: exactly one progress event for the tool start ($([ "$name" = None ] && echo unnamed || echo "event: $name")), a chunk with choices [] and hermes {tool, emoji, label, toolCallId, status}; the text after it" "$(pycheck "$T/tool.json" '
want_name = None if argv[0] == "None" else argv[0]
evs = j.get("events", [])
def js(e):
    try:
        return json.loads(e["data"])
    except Exception:
        return {}
prog = [e for e in evs if isinstance(js(e).get("hermes"), dict) and js(e)["hermes"].get("type") == "tool.progress"]
names = set(e["event"] for e in evs if e not in prog)
if names != {None}:
    print("events other than progress are named: %s" % names)
if len(prog) != 1:
    print("%d progress events, want 1" % len(prog))
else:
    if prog[0]["event"] != want_name:
        print("progress event name %r, want %r" % (prog[0]["event"], want_name))
    c = js(prog[0])
    if c.get("choices") != [] or c.get("object") != "chat.completion.chunk":
        print("progress data is not an empty chunk: %s" % prog[0]["data"][:300])
    h = c.get("hermes") or {}
    for k in ("tool", "emoji", "label", "toolCallId", "status"):
        if not isinstance(h.get(k), str) or not h.get(k):
            print("hermes.%s missing: %s" % (k, h))
    if h.get("tool") != "memory" or h.get("toolCallId") != "call_m1":
        print("tool/toolCallId: %s" % h)
    first = js(evs[0])
    if (c.get("id"), c.get("created"), c.get("model")) != (first.get("id"), first.get("created"), first.get("model")):
        print("progress chunk id/created/model differ from the stream")
    i = evs.index(prog[0])
    after = "".join((js(e).get("choices") or [{}])[0].get("delta", {}).get("content") or "" for e in evs[i + 1:])
    if "Your memory is empty." not in after:
        print("final text not after the progress event: %r" % after)
marks = ["\U0001f527", "call_m1", "{\"action\"", "tool.progress"]
for e in evs:
    for ch in js(e).get("choices") or []:
        t = (ch.get("delta") or {}).get("content") or ""
        if any(m in t for m in marks):
            print("tool progress inside delta.content: %r" % t)
' "$name")" "events: $(jget '[(e["event"], e["data"][:200]) for e in j["events"]]' "$T/tool.json" | head -c 3000)"
	done
	up_requests "$T/up.json"
	check "$where: the tool round trip: the second upstream call carries the memory tool's result" "$(pycheck "$T/up.json" '
if len(j) != 2:
    print("%d upstream requests, want 2" % len(j))
else:
    m = j[1]["body"]["messages"]
    tr = [x for x in m if x.get("role") == "tool" and x.get("tool_call_id") == "call_m1"]
    if len(tr) != 1:
        print("no tool result for call_m1 in %s" % json.dumps(m)[-600:])
')"

	up_script '[{"tool_calls":[{"id":"call_t1","name":"todo","arguments":"{}"},{"id":"call_t2","name":"memory","arguments":"{\"action\":\"read\"}"}]},
		{"reply":"done"}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"two tools"}]}' "$T/tool2.json"
	is "$(jget '" ".join(json.loads(e["data"])["hermes"]["toolCallId"] for e in j["events"] if "\"hermes\"" in e["data"])' "$T/tool2.json")" \
		"call_t1 call_t2" "$where: two tool calls → two progress events, in order"
	is "$(stream_text "$T/tool2.json")" "done" "$where: tool calls without text: only the final text is content"

	# ---- multimodal -------------------------------------------------------------------
	up_script '[{"reply":"a cat"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},{"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}}]}]}'
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 a cat" "$where: text + https image_url is accepted"
	up_requests "$T/up.json"
	check "$where: the upstream gets the canonical content list (text, image_url with url and detail)" "$(pycheck "$T/up.json" '
c = j[-1]["body"]["messages"][-1]["content"] if j else None
want = [{"type": "text", "text": "what is this?"}, {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}}]
if c != want:
    print("last message content %s, want %s" % (json.dumps(c), json.dumps(want)))
')"
	p='data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
	up_script '[{"reply":"a pixel"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"'"$p"'"}}]}]}'
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 a pixel" \
		"$where: a user turn with only a data:image/png image is valid"
	up_requests "$T/up.json"
	is "$(jget 'j[-1]["body"]["messages"][-1]["content"][0]["image_url"]["url"][:22]' "$T/up.json")" "data:image/png;base64," \
		"$where: the data: image reaches the upstream as an image_url part"

	chat_post "$base" "$key" '{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":[{"type":"text","text":"read this"},{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0=","filename":"a.pdf"}}]}]}'
	check_envelope 400 unsupported_content_type "$where: a file part is 400 unsupported_content_type"
	is "$(jget 'j["error"]["param"] + " " + j["error"]["type"]')" "messages[3].content[1] invalid_request_error" \
		"$where: the file part's param is messages[3].content[1]"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},{"type":"text","text":"hi"}]}]}'
	check "$where: an input_audio part is a 400 envelope" "$(any_envelope_problem 400)" "body: $(head -c 400 "$RESP_BODY")"
	is "$(jget 'j["error"]["param"]')" "messages[0].content[0]" "$where: the input_audio part's param is messages[0].content[0]"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:text/plain;base64,aGk="}}]}]}'
	check_envelope 400 unsupported_content_type "$where: a non-image data: URL is 400 unsupported_content_type"
	is "$(jget 'j["error"]["param"]')" "messages[0].content[0]" "$where: ...with param messages[0].content[0]"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":[{"type":"file_id","file_id":"file-abc"}]}]}'
	check_envelope 400 unsupported_content_type "$where: a file_id part is 400 unsupported_content_type"
	chat_post "$base" "$key" '{"messages":[{"role":"system","content":"sys"},{"role":"assistant","content":"hi"}]}'
	check "$where: no user message → 400 envelope" "$(any_envelope_problem 400)" "body: $(head -c 400 "$RESP_BODY")"
	chat_post "$base" "$key" '{"messages":[]}'
	check "$where: empty messages → 400 envelope" "$(any_envelope_problem 400)" "body: $(head -c 400 "$RESP_BODY")"
	up_requests "$T/up.json"
	is "$(jget 'len(j)' "$T/up.json")" 1 "$where: rejected requests never reach the upstream"

	# ---- sessions ---------------------------------------------------------------------
	s='{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"session derivation test"}]}'
	up_script '[{"reply":"one"},{"reply":"two"}]'
	chat_post "$base" "$key" "$s"
	sid1=$(hdr X-Hermes-Session-Id)
	want=$(printf 'You are terse.\nsession derivation test' | sha256sum | cut -c1-16)
	is "$sid1" "api-$want" "$where: without X-Hermes-Session-Id the id is api- + 16 hex of SHA-256(system \\n first user)"
	chat_post "$base" "$key" '{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"session derivation test"},{"role":"assistant","content":"one"},{"role":"user","content":"and more"}]}'
	is "$(hdr X-Hermes-Session-Id)" "$sid1" "$where: the same conversation re-sent with a new turn lands in the same session"
	up_requests "$T/up.json"
	is "$(jget '[m["content"] for m in j[1]["body"]["messages"][1:]]' "$T/up.json")" \
		'["session derivation test", "one", "and more"]' "$where: the earlier messages are the history, the last user message the input"
	if [ -n "$home" ]; then
		got=$(hermesctl_home "$home" sessions show "$sid1" 2>&1)
		like "$(printf '%s\n' "$got" | grep -E '^\[(user|assistant)\]' | tr '\n' '|')" \
			'^\[user\] session derivation test\|\[assistant\] one\|\[user\] and more\|\[assistant\] two\|$' \
			"$where: both turns are persisted to the derived session"
	fi

	up_script '[{"reply":"x"},{"reply":"y"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"with a header"}]}' \
		-H 'X-Hermes-Session-Id: my-session.01' -H 'X-Hermes-Session-Key: channel-42'
	is "$RESP_STATUS $(hdr X-Hermes-Session-Id) $(hdr X-Hermes-Session-Key)" "200 my-session.01 channel-42" \
		"$where: X-Hermes-Session-Id and X-Hermes-Session-Key are echoed"
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"with a header"}]}' "$T/sh.json" \
		-H 'X-Hermes-Session-Id: my-session.01' -H 'X-Hermes-Session-Key: channel-42'
	is "$(jget 'j["headers"].get("x-hermes-session-id", "") + " " + j["headers"].get("x-hermes-session-key", "")' "$T/sh.json")" \
		"my-session.01 channel-42" "$where: ...in a stream too"
	# Continuation: X-Hermes-Session-Id and only the new message continue
	# the stored session; a client that sends its full history is used as
	# sent (docs/api.md "Sessions").
	hv="cont-$(printf '%s' "$where" | tr -c 'a-z0-9' '-')-$$"
	up_script '[{"reply":"Noted: PELICAN-42."},{"reply":"It is PELICAN-42."}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"My codeword is PELICAN-42."}]}' \
		-H "X-Hermes-Session-Id: $hv"
	is "$RESP_STATUS $(hdr X-Hermes-Session-Id)" "200 $hv" "$where: continuation: turn 1 in the named session"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"What is my codeword?"}]}' \
		-H "X-Hermes-Session-Id: $hv"
	is "$RESP_STATUS $(hdr X-Hermes-Session-Id)" "200 $hv" "$where: continuation: turn 2 with the header and only the new message"
	up_requests "$T/up.json"
	is "$(jget '[(m["role"], m["content"]) for m in j[1]["body"]["messages"][1:]]' "$T/up.json")" \
		'[["user", "My codeword is PELICAN-42."], ["assistant", "Noted: PELICAN-42."], ["user", "What is my codeword?"]]' \
		"$where: continuation: turn 2 sent the stored turn 1 upstream before the new message"
	up_script '[{"reply":"Streamed: PELICAN-42."}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"Say it again."}]}' "$T/cont.json" \
		-H "X-Hermes-Session-Id: $hv"
	up_requests "$T/up.json"
	is "$(jget '[m["content"] for m in j[0]["body"]["messages"][1:]]' "$T/up.json")" \
		'["My codeword is PELICAN-42.", "Noted: PELICAN-42.", "What is my codeword?", "It is PELICAN-42.", "Say it again."]' \
		"$where: continuation: a streamed turn 3 continues turns 1 and 2"
	up_script '[{"reply":"as sent"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"My codeword is PELICAN-42."},{"role":"assistant","content":"Noted."},{"role":"user","content":"Full history this time."}]}' \
		-H "X-Hermes-Session-Id: $hv"
	up_requests "$T/up.json"
	is "$(jget '[m["content"] for m in j[0]["body"]["messages"][1:]]' "$T/up.json")" \
		'["My codeword is PELICAN-42.", "Noted.", "Full history this time."]' \
		"$where: continuation: a request with its full history is used as sent"
	# The session key scopes long-term memory.
	up_script '[{"tool_calls":[{"id":"call_k1","name":"memory","arguments":"{\"action\":\"add\",\"content\":\"keyholder likes green tea\"}"}]},{"reply":"noted"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"remember my tea"}]}' -H 'X-Hermes-Session-Key: key-alice'
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 noted" "$where: session key alice: a memory add turn"
	up_script '[{"tool_calls":[{"id":"call_k2","name":"memory","arguments":"{\"action\":\"read\"}"}]},{"reply":"nothing"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"what tea"}]}' -H 'X-Hermes-Session-Key: key-bob'
	up_requests "$T/up.json"
	is "$(jget '[m["content"] for m in j[1]["body"]["messages"] if m.get("tool_call_id") == "call_k2"][0]' "$T/up.json")" \
		"Memory is empty." "$where: session key bob does not see alice's memory"
	up_script '[{"reply":"green"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"what tea again"}]}' -H 'X-Hermes-Session-Key: key-alice'
	up_requests "$T/up.json"
	like "$(jget 'j[0]["body"]["messages"][0]["content"]' "$T/up.json")" 'keyholder likes green tea' \
		"$where: session key alice: her memory is in the system prompt of a new conversation"

	long=$(printf 'a%.0s' $(seq 1 257))
	chat_post "$base" "$key" '{"messages":['"$user"']}' -H "X-Hermes-Session-Id: $long"
	check "$where: a 257-character X-Hermes-Session-Id is 400" "$(any_envelope_problem 400)" "body: $(head -c 400 "$RESP_BODY")"
	chat_post "$base" "$key" '{"messages":['"$user"']}' -H "X-Hermes-Session-Id: ${long:1}"
	is "$RESP_STATUS" 200 "$where: a 256-character X-Hermes-Session-Id is fine"
	chat_post "$base" "$key" '{"messages":['"$user"']}' -H 'X-Hermes-Session-Id: ../../etc/passwd'
	check "$where: an X-Hermes-Session-Id with ../ is 400" "$(any_envelope_problem 400)" "body: $(head -c 400 "$RESP_BODY")"
	chat_post "$base" "$key" '{"messages":['"$user"']}' -H "X-Hermes-Session-Key: $long"
	check "$where: a 257-character X-Hermes-Session-Key is 400" "$(any_envelope_problem 400)" "body: $(head -c 400 "$RESP_BODY")"
	chat_post "$base" "$WRONG_KEY" '{"messages":['"$user"']}'
	check_envelope 401 invalid_api_key "$where: a wrong key is 401"

	# ---- client gone mid-stream -------------------------------------------------------
	up_script '[{"reply":"'"$(printf 'word%02d ' $(seq 1 40))"'","chunk_size":7,"delay":0.3}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"a slow one"}]}' "$T/gone.json" \
		--close-after-content
	is "$(jget 'j["closed_early"]' "$T/gone.json")" true "$where: disconnect: the client got content and hung up"
	# The upstream would go on for 12 s; the responder must drop it within
	# a few: then the upstream has no established connection left.
	f=
	for i in $(seq 1 50); do
		[ "$(up_conns)" = 0 ] && { f=$i; break; }
		sleep 0.1
	done
	if [ -n "$f" ]; then
		pass "$where: disconnect: the upstream's connection was closed early (${f}00 ms after the client left)"
	else
		fail "$where: disconnect: the upstream's connection was closed early" \
			"still $(up_conns) established connection(s) to the upstream 5 s after the client left"
	fi
	if [ -n "$home" ]; then
		sid2=api-$(printf '\na slow one' | sha256sum | cut -c1-16)
		got=$(hermesctl_home "$home" sessions show "$sid2" 2>&1)
		like "$(printf '%s\n' "$got" | grep -E '^\[(user|assistant)\]' | tr '\n' '|')" \
			'^\[user\] a slow one\|\[assistant\] word01 [^|]*\|$' \
			"$where: disconnect: the partial turn is persisted (what the client was sent)"
		unlike "$got" 'word40' "$where: disconnect: ...and not the rest of the upstream's answer"
	fi
	if [ -n "${CHAT_RESPONDER_LOG:-}" ]; then
		for i in $(seq 1 20); do
			grep -q 'client went away' "$CHAT_RESPONDER_LOG" 2>/dev/null && break
			sleep 0.1
		done
		like "$(grep -E 'client went away|interrupt' "$CHAT_RESPONDER_LOG" | tail -n 3)" 'client went away' \
			"$where: disconnect: the responder logged that the client went away"
	fi

	# The same while the stream is quiet: the upstream sends nothing after
	# its first chunk (never_end); only the keepalive writes can notice.
	up_script '[{"never_end":true}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"a quiet one"}]}' "$T/gone2.json" \
		--close-after-time 1.5
	up_requests "$T/up.json"
	is "$(jget 'j["closed_early"]' "$T/gone2.json") $(jget 'round(j["t_end"])' "$T/gone2.json") $(jget 'len(j)' "$T/up.json")" "true 2 1" \
		"$where: quiet disconnect: the turn reached the upstream and the client hung up after about 1.5 s"
	f=
	for i in $(seq 1 50); do
		[ "$(up_conns)" = 0 ] && { f=$i; break; }
		sleep 0.1
	done
	if [ -n "$f" ]; then
		pass "$where: quiet disconnect: the upstream's connection was closed (${f}00 ms after the client left)"
	else
		fail "$where: quiet disconnect: the upstream's connection was closed" \
			"still $(up_conns) established connection(s) to the upstream 5 s after the client left"
	fi
	up_script '[{"reply":"after the disconnect"}]'
	t0=$(date +%s.%N)
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"next one"}]}' --max-time 10
	t1=$(date +%s.%N)
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 after the disconnect" \
		"$where: disconnect: the next request succeeds ($(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s)"
}

# hermesctl_home HOME ARGS...: hermesctl on HOME as the user that owns it
# (Apache's responders run as another user when the tests run as root; a
# store file created by root would lock them out).
hermesctl_home() {
	local home=$1 owner
	shift
	owner=$(stat -c %U "$home")
	if [ "$owner" = "$(id -un)" ]; then
		HERMES_HOME=$home "$HERMESCTL" "$@"
	else
		as_user "$owner" env HERMES_HOME="$home" "$HERMESCTL" "$@"
	fi
}

# sqlite_home HOME SQL: run SQL on HOME/state.db as the user that owns HOME.
sqlite_home() {
	local home=$1 owner
	owner=$(stat -c %U "$home")
	if [ "$owner" = "$(id -un)" ]; then
		sqlite3 -cmd '.timeout 5000' "$home/state.db" "$2"
	else
		as_user "$owner" sqlite3 -cmd '.timeout 5000' "$home/state.db" "$2"
	fi
}

# run_chat_persist_cases BASE_URL KEY LABEL HOME: a turn whose assistant
# message cannot be saved (a trigger in state.db refuses it: a real SQLite
# failure inside the real file) still answers, and says so.
run_chat_persist_cases() {
	local base=${1%/} key=$2 where=$3 home=$4 sid="persist-$$" got
	sqlite_home "$home" "CREATE TRIGGER hermes_test_refuse BEFORE INSERT ON messages
		WHEN NEW.role = 'assistant' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
	up_script '[{"reply":"answer that is not saved"},{"reply":"streamed, not saved"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"save me"}]}' -H "X-Hermes-Session-Id: $sid"
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 answer that is not saved" \
		"$where: persist failure: the turn still answers"
	like "$(hdr X-Hermes-Persist-Error)" "assistant message of this turn was not saved to session $sid" \
		"$where: persist failure: X-Hermes-Persist-Error says what was not saved"
	like "$(jget 'j["hermes"]["warnings"][0]')" "assistant message of this turn was not saved to session $sid: " \
		"$where: persist failure: ...and so does hermes.warnings, with the store's reason"
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"save me too"}]}' "$T/persist.json" \
		-H "X-Hermes-Session-Id: $sid"
	check "$where: persist failure in a stream: the last chunk's hermes.warnings says so" "$(pycheck "$T/persist.json" '
evs = [e for e in j.get("events", []) if e["data"] != "[DONE]"]
last = json.loads(evs[-1]["data"]) if evs else {}
w = (last.get("hermes") or {}).get("warnings") or []
if not (w and "not saved" in w[0]):
    print("no warning in the last chunk: %s" % json.dumps(last)[:400])
if not j.get("events") or j["events"][-1]["data"] != "[DONE]":
    print("no [DONE]")
')"
	sqlite_home "$home" "DROP TRIGGER hermes_test_refuse;"
	got=$(hermesctl_home "$home" sessions show "$sid" 2>&1)
	is "$(printf '%s\n' "$got" | grep -E '^\[(user|assistant)\]' | tr '\n' '|')" '[user] save me|[user] save me too|' \
		"$where: persist failure: the store holds what was saved, nothing half-written"
	is "$(sqlite_home "$home" 'PRAGMA integrity_check;')" ok "$where: persist failure: state.db passes integrity_check"
	up_script '[{"reply":"saved again"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"and now?"}]}' -H "X-Hermes-Session-Id: $sid"
	is "$RESP_STATUS $(hdr X-Hermes-Persist-Error)" "200 " "$where: persist failure: once the store works again no warning"
}

# responder_pid BASE KEY: the pid of the responder that answers
# /health/detailed (run with one responder so it is the one).
responder_pid() {
	http GET "$1/health/detailed" -H "Authorization: Bearer $2"
	jget 'j["pid"]'
}

# run_chat_stop_cases BASE_URL KEY LABEL HOME LOG: SIGTERM to a responder
# in the middle of a streamed turn (what the web server sends on a graceful
# restart or reload), for a server with ONE responder.
run_chat_stop_cases() {
	local base=${1%/} key=$2 where=$3 home=$4 log=$5 pid bg gone got sid
	pid=$(responder_pid "$base" "$key")
	like "$pid" '^[0-9]+$' "$where: SIGTERM: the responder's pid from /health/detailed ($pid)"
	up_script '[{"reply":"'"$(printf 'word%02d ' $(seq 1 40))"'","chunk_size":7,"delay":0.3}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"stop me gracefully"}]}' "$T/term.json" &
	bg=$!
	n=$(up_wait_requests 1)
	sleep 1
	kill -TERM "$pid"
	wait "$bg"
	check "$where: SIGTERM mid-stream: content, then an error chunk (server_shutdown), then [DONE]" "$(pycheck "$T/term.json" '
evs = j.get("events", [])
if j.get("error") or j.get("status") != 200:
    print("client: status %s error %s" % (j.get("status"), j.get("error")))
if not evs or evs[-1]["data"] != "[DONE]":
    print("the stream does not end with [DONE]: %s" % evs[-2:])
else:
    last = json.loads(evs[-2]["data"])
    if not isinstance(last.get("error"), dict) or last["error"].get("code") != "server_shutdown":
        print("the chunk before [DONE] is no server_shutdown error: %s" % json.dumps(last)[:300])
text = "".join((json.loads(e["data"])["choices"][0]["delta"].get("content") or "")
               for e in evs[:-1] if json.loads(e["data"]).get("choices"))
if "word01" not in text or "word40" in text:
    print("content %r: want the start of the answer, not all of it" % text[:80])
if j.get("t_end", 99) > 5:
    print("the stream ended %.1f s after the request" % j["t_end"])
')" "lines: $(jget 'j["lines"][-4:]' "$T/term.json")"
	gone=$(wait_exit "$pid" 50)
	is "$([ -n "$gone" ] && echo 1 || echo 0)" 1 "$where: SIGTERM: the responder exited (${gone:-never}00 ms after the stream ended)"
	like "$(grep -E 'SIGTERM|stopping' "$log" | tail -n 2)" 'SIGTERM: stopping after' "$where: SIGTERM: the responder logged its stop"
	is "$(sqlite_home "$home" 'PRAGMA integrity_check;')" ok "$where: SIGTERM: state.db passes integrity_check"
	sid=api-$(printf '\nstop me gracefully' | sha256sum | cut -c1-16)
	got=$(sqlite_home "$home" "SELECT role || ':' || coalesce(content, '') FROM messages WHERE session_id = '$sid' ORDER BY id;")
	is "$got" "$(printf 'user:stop me gracefully\nassistant:%s' "$(stream_text "$T/term.json")")" \
		"$where: SIGTERM: the session holds the user message and exactly the text the client got"
	is "$(sqlite_home "$home" "SELECT message_count FROM sessions WHERE id = '$sid';") $(sqlite_home "$home" 'SELECT count(*) FROM turns;')" "2 0" \
		"$where: SIGTERM: the session's message count matches and the turn's slot is free"

	# The web server starts a new responder; it serves, and an idle one
	# stops at once on SIGTERM (libfcgi's accept returns).
	up_script '[{"reply":"after the restart"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"still there?"}]}' --max-time 20
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 after the restart" \
		"$where: SIGTERM: a new responder serves the next request"
	pid=$(responder_pid "$base" "$key")
	kill -TERM "$pid"
	gone=$(wait_exit "$pid" 30)
	is "$([ -n "$gone" ] && echo 1 || echo 0)" 1 "$where: SIGTERM: an idle responder leaves accept and exits (${gone:-never}00 ms)"
}

# run_chat_limit_cases BASE_URL KEY LABEL HOME: agent.max_turn_seconds, for
# a server whose .env came from chat_env HOME HERMES_MAX_TURN_SECONDS=2.
run_chat_limit_cases() {
	local base=${1%/} key=$2 where=$3 span
	up_script '[{"reply":"'"$(printf 'slow%02d ' $(seq 1 40))"'","chunk_size":7,"delay":0.3}]'
	chat_post_timed "$base" "$key" '{"messages":[{"role":"user","content":"a long one"}]}' --max-time 20
	span=$CHAT_SPAN
	is "$RESP_STATUS $(jget 'j["choices"][0]["finish_reason"]') $(hdr X-Hermes-Partial)" "200 length true" \
		"$where: max_turn_seconds 2: a 12 s turn ends as partial with its text ($span s)"
	is "$(awk -v s="$span" 'BEGIN{print (s >= 1.8 && s < 5) ? 1 : 0}')" 1 "$where: max_turn_seconds 2: ...after about 2 s ($span s)"
	like "$(jget 'j["hermes"]["error"]')" 'agent.max_turn_seconds' "$where: max_turn_seconds: the hermes error names the setting"
	like "$(jget 'j["choices"][0]["message"]["content"]')" '^slow01 ' "$where: max_turn_seconds: what was produced is kept"

	up_script '[{"reply":"'"$(printf 'slow%02d ' $(seq 1 40))"'","chunk_size":7,"delay":0.3}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"a long stream"}]}' "$T/limit.json"
	check "$where: max_turn_seconds 2 in a stream: text, then finish_reason length with the reason, [DONE] after about 2 s" "$(pycheck "$T/limit.json" '
evs = j.get("events", [])
if not evs or evs[-1]["data"] != "[DONE]":
    print("no [DONE]")
else:
    fin = json.loads(evs[-2]["data"])
    ch = (fin.get("choices") or [{}])[0]
    if ch.get("finish_reason") != "length" or "max_turn_seconds" not in str((fin.get("hermes") or {}).get("error")):
        print("last chunk: %s" % json.dumps(fin)[:300])
if not (1.8 <= j.get("t_end", 0) < 5):
    print("ended after %s s" % j.get("t_end"))
')"

	# A Retry-After of 30 s is waited in ticks: the limit ends it too.
	up_script '[{"status":429,"headers":{"Retry-After":"30"}},{"reply":"too late"}]'
	chat_post_timed "$base" "$key" '{"messages":[{"role":"user","content":"rate limited"}]}' --max-time 40
	span=$CHAT_SPAN
	is "$RESP_STATUS $(jget 'j["error"]["code"]')" "502 max_turn_seconds" \
		"$where: max_turn_seconds: a turn waiting out Retry-After 30 is stopped without text (502)"
	is "$(awk -v s="$span" 'BEGIN{print (s < 5) ? 1 : 0}')" 1 "$where: max_turn_seconds: ...the back-off sleep ends at the limit ($span s, not 30)"
}

# run_chat_cap_cases BASE_URL KEY LABEL [HOME]: see the top of this file.
run_chat_cap_cases() {
	local base=${1%/} key=$2 where=$3 home=${4:-} i n sid derived bg got
	local user='{"role":"user","content":"cap test"}'

	# ---- 429 at the concurrency cap -------------------------------------------------
	up_script '[{"reply":"'"$(printf 'slow%02d ' $(seq 1 10))"'","chunk_size":7,"delay":0.25},{"reply":"after the cap"}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"the slow one"}]}' "$T/cap1.json" &
	bg=$!
	n=$(up_wait_requests 1)
	is "$n $(up_conns)" "1 1" "$where: cap 1: the first (slow) turn reached the upstream, on one open connection"
	chat_post "$base" "$key" '{"messages":['"$user"']}'
	check_envelope 429 rate_limit_exceeded "$where: cap 1: a second turn meanwhile is 429 rate_limit_exceeded"
	is "$(jget 'j["error"]["type"]') $(hdr Retry-After)" "rate_limit_error 1" \
		"$where: cap 1: the 429 has type rate_limit_error and Retry-After: 1"
	chat_stream "$base" "$key" '{"stream":true,"messages":['"$user"']}' "$T/cap2.json"
	is "$(jget '"%s %s %s" % (j["status"], j["headers"].get("retry-after"), json.loads(j["body"])["error"]["code"])' "$T/cap2.json")" \
		"429 1 rate_limit_exceeded" "$where: cap 1: a streaming second turn is a plain 429 too"
	http GET "$base/v1/models" -H "Authorization: Bearer $key"
	is "$RESP_STATUS" 200 "$where: cap 1: requests that are not turns are not limited"
	wait "$bg"
	is "$(stream_text "$T/cap1.json")" "$(printf 'slow%02d ' $(seq 1 10))" "$where: cap 1: the first turn completed"
	chat_post "$base" "$key" '{"messages":['"$user"']}'
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 after the cap" \
		"$where: cap 1: after the first turn finished a new turn succeeds"

	up_script '[{"reply":"'"$(printf 'slow%02d ' $(seq 1 30))"'","chunk_size":7,"delay":0.3},{"reply":"after the abort"}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"abandoned"}]}' "$T/cap3.json" \
		--close-after-content
	got=
	for i in $(seq 1 50); do
		chat_post "$base" "$key" '{"messages":['"$user"']}'
		[ "$RESP_STATUS" = 429 ] || { got=$i; break; }
		sleep 0.1
	done
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 after the abort" \
		"$where: cap 1: after a client abandoned its stream the slot frees (${got:-never}: tries, 100 ms apart)"

	# ---- partial without text: max_turns reached --------------------------------
	# HERMES_MAX_ITERATIONS=2: two tool calls in a row and no answer.
	local loop='{"tool_calls":[{"id":"call_l","name":"memory","arguments":"{\"action\":\"read\"}"}]}'
	up_script "[$loop,$loop,$loop]"
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"loop"}]}'
	check "$where: max_turns reached without text (partial, no text) → 502 envelope" \
		"$(any_envelope_problem 502)" "body: $(head -c 400 "$RESP_BODY")"
	is "$(hdr X-Hermes-Completed) $(hdr X-Hermes-Partial)" "false true" \
		"$where: max_turns reached → X-Hermes-Completed false, X-Hermes-Partial true"
	like "$(hdr X-Hermes-Error)" 'max_turns|model calls' "$where: max_turns reached → X-Hermes-Error says why"
	up_requests "$T/up.json"
	is "$(jget 'len(j)' "$T/up.json")" 2 "$where: max_turns 2 → two upstream calls"
	up_script "[$loop,$loop,$loop]"
	chat_stream "$base" "$key" '{"stream":true,"messages":[{"role":"user","content":"loop"}]}' "$T/mt.json"
	check "$where: max_turns reached in a stream: two progress events, an error chunk, [DONE]" "$(pycheck "$T/mt.json" '
evs = j.get("events", [])
if len([e for e in evs if "\"tool.progress\"" in e["data"]]) != 2:
    print("want 2 progress events")
if not evs or evs[-1]["data"] != "[DONE]":
    print("no [DONE] at the end")
elif not isinstance(json.loads(evs[-2]["data"]).get("error"), dict):
    print("no error chunk before [DONE]")
')" "lines: $(jget 'j["lines"]' "$T/mt.json" | head -c 2000)"

	# ---- session rotation after compression -------------------------------------------
	# HERMES_CONTEXT_LENGTH=256 at 0.5: a conversation with some history is
	# compressed before the first upstream call of the turn.
	local hist='{"role":"system","content":"Rotation system."},
		{"role":"user","content":"first question about the rotation test, with enough words to take room"},
		{"role":"assistant","content":"first answer with enough words to take room in the context window"},
		{"role":"user","content":"second question, still taking room in the context window"},
		{"role":"assistant","content":"second answer, still taking room in the context window"},
		{"role":"user","content":"third question"},
		{"role":"assistant","content":"third answer"}'
	derived=api-$(printf 'Rotation system.\nfirst question about the rotation test, with enough words to take room' | sha256sum | cut -c1-16)
	up_script '[{"match":"Summarise the conversation","reply":"SUMMARY-ONE"},{"reply":"after rotation"}]'
	chat_post "$base" "$key" '{"messages":['"$hist"',{"role":"user","content":"fourth question"}]}'
	sid=$(hdr X-Hermes-Session-Id)
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 after rotation" \
		"$where: rotation: the compressed turn completes"
	up_requests "$T/up.json"
	check "$where: rotation: the middle was summarised upstream and the turn continued with the summary" "$(pycheck "$T/up.json" '
if len(j) != 2:
    print("%d upstream requests, want 2 (summary + turn)" % len(j))
else:
    if "Summarise the conversation" not in j[0]["body"]["messages"][0]["content"]:
        print("the first call is not the summary call")
    if "SUMMARY-ONE" not in json.dumps(j[1]["body"]["messages"]):
        print("the turn does not carry the summary")
')"
	like "$sid" '^[0-9]{8}_[0-9]{6}_[0-9a-f]{6}$' \
		"$where: rotation: X-Hermes-Session-Id is the child's id ($sid), not the derived $derived"
	if [ -n "$home" ] && [ -n "$sid" ]; then
		like "$(hermesctl_home "$home" sessions show "$sid" 2>&1)" "\"parent_session_id\": ?\"$derived\"" \
			"$where: rotation: the child session's parent is the derived session"
	fi

	up_script '[{"match":"Summarise the conversation","reply":"SUMMARY-TWO"},{"reply":"streamed after rotation"}]'
	chat_stream "$base" "$key" '{"stream":true,"messages":['"$hist"',{"role":"user","content":"fifth question"}]}' "$T/rot.json"
	got=$(jget 'j["headers"].get("x-hermes-session-id", "")' "$T/rot.json")
	like "$got" '^[0-9]{8}_[0-9]{6}_[0-9a-f]{6}$' "$where: rotation: a stream's X-Hermes-Session-Id is the child's id ($got)"
	is "$(stream_text "$T/rot.json")" "streamed after rotation" "$where: rotation: the streamed turn completes"
	unlike "$got" "^$sid\$" "$where: rotation: each rotation makes a new child"

	# A named session that was rotated continues in its child: turn 2 with
	# the header and only the new message gets the child's stored history
	# (the summary) and the child's id.
	local named="rot-named-$$"
	up_script '[{"match":"Summarise the conversation","reply":"SUMMARY-NAMED"},{"reply":"named and rotated"}]'
	chat_post "$base" "$key" '{"messages":['"$hist"',{"role":"user","content":"sixth question"}]}' \
		-H "X-Hermes-Session-Id: $named"
	got=$(hdr X-Hermes-Session-Id)
	like "$RESP_STATUS $got" '^200 [0-9]{8}_[0-9]{6}_[0-9a-f]{6}$' "$where: rotation: a named session rotates into a child ($got)"
	up_script '[{"match":"Summarise the conversation","reply":"SUMMARY-AGAIN"},{"reply":"continued in the child"}]'
	chat_post "$base" "$key" '{"messages":[{"role":"user","content":"seventh question"}]}' \
		-H "X-Hermes-Session-Id: $named"
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 continued in the child" \
		"$where: rotation: the named session's next turn completes"
	unlike "$(hdr X-Hermes-Session-Id)" "^$named\$" "$where: rotation: ...in the child, not the rotated parent"
	up_requests "$T/up.json"
	like "$(jget 'json.dumps(j[0]["body"]["messages"])' "$T/up.json")" 'SUMMARY-NAMED' \
		"$where: rotation: ...with the child's stored history (its summary)"
}
