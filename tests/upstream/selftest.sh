#!/bin/bash
# tests/upstream/selftest.sh: quick self-test of the scripted upstream
# (tests/upstream/upstream.py) with curl. TAP output through the shared
# test library (tests/integration/lib.sh); needs python3, curl.
#   tests/upstream/selftest.sh        (PYTHON=... to pick an interpreter)
# Only the upstream processes started here are ever signalled.
# SPDX-License-Identifier: MIT
. "$(cd "$(dirname "$0")/../integration" && pwd)/lib.sh"
need curl
tmp=$T

# pycheck DESCRIPTION FILE: runs the python code on stdin with `text` set
# to FILE's content and sse_check's SSE helpers (sse = sse_data, chunks,
# deltas); passes unless it raises.
pycheck() {
	local out st
	out=$({ cat <<PRELUDE
import json, sys
sys.path.insert(0, "$top_srcdir/tests/integration")
from sse_check import sse_data as sse, chunks, deltas
text = open(sys.argv[1], encoding="utf-8").read()
PRELUDE
		cat; } | "$PYTHON" - "$2" 2>&1)
	st=$?
	tap_ok "$st" "$1"
	[ "$st" -eq 0 ] || diag "$(printf '%s\n' "$out" | tail -5)"
}

start_upstream first
pass "upstream starts and writes its port file"
pid=$UPSTREAM_PID
port=$UPSTREAM_PORT
base="http://127.0.0.1:$port"
CURL=(curl -sS --max-time 10)
AUTH=(-H "Authorization: Bearer sk-selftest-123")
script() { "${CURL[@]}" -o /dev/null -X POST --data-binary "$1" "$base/__script"; }
chat() { # body [curl options...]
	local body=$1
	shift
	"${CURL[@]}" -N "${AUTH[@]}" -H 'Content-Type: application/json' \
		--data-binary "$body" "$@" "$base/v1/chat/completions"
}

# ---- models and health ----------------------------------------------------
"${CURL[@]}" "$base/v1/models" >"$tmp/models"
pycheck "GET /v1/models lists test-model" "$tmp/models" <<'EOF'
d = json.loads(text)
assert d["object"] == "list" and d["data"][0]["id"] == "test-model", d
EOF
tap_is "$("${CURL[@]}" "$base/models" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["owned_by"])')" \
	test "GET /models answers too"
tap_is "$("${CURL[@]}" "$base/__health")" ok "GET /__health answers ok"

# ---- default step ---------------------------------------------------------
chat '{"model":"m1","messages":[{"role":"user","content":"hello selftest"}]}' >"$tmp/default"
pycheck "empty queue: non-stream reply is the default \"ok\"" "$tmp/default" <<'EOF'
d = json.loads(text)
assert d["object"] == "chat.completion" and d["model"] == "m1", d
c = d["choices"][0]
assert c["message"] == {"role": "assistant", "content": "ok"}, c
assert c["finish_reason"] == "stop" and d["usage"]["total_tokens"] == 15, d
EOF

# ---- scripted stream ------------------------------------------------------
script '[{"reply":"Hello, streaming world! \u00e9t\u00e9","chunk_size":5,"usage":{"prompt_tokens":7,"completion_tokens":3}}]'
chat '{"model":"m2","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"stream please"}]}' \
	-D "$tmp/stream.h" >"$tmp/stream"
tap_is "$(grep -ci '^content-type: text/event-stream' "$tmp/stream.h")" 1 \
	"stream: Content-Type is text/event-stream"
tap_is "$(grep -ci '^transfer-encoding: chunked' "$tmp/stream.h")" 1 \
	"stream: chunked transfer encoding"
pycheck "stream: every data line is JSON except the final [DONE]" "$tmp/stream" <<'EOF'
data = sse(text)
assert data[-1] == "[DONE]" and data.count("[DONE]") == 1, data[-1]
for d in data[:-1]:
    json.loads(d)
assert all(l == "" or l.startswith("data: ") for l in text.splitlines())
EOF
pycheck "stream: role chunk first, pieces of 5 concatenate to the text" "$tmp/stream" <<'EOF'
ds = deltas(text)
assert ds[0] == {"role": "assistant"}, ds[0]
pieces = [d["content"] for d in ds if "content" in d]
assert all(len(p) <= 5 for p in pieces) and len(pieces) > 1, pieces
assert "".join(pieces) == "Hello, streaming world! \u00e9t\u00e9", pieces
assert chunks(text)[0]["model"] == "m2"
EOF
pycheck "stream: finish_reason stop, then the usage chunk" "$tmp/stream" <<'EOF'
cs = chunks(text)
assert cs[-2]["choices"][0]["finish_reason"] == "stop", cs[-2]
assert cs[-1]["choices"] == [], cs[-1]
assert cs[-1]["usage"] == {"prompt_tokens": 7, "completion_tokens": 3,
                           "total_tokens": 10}, cs[-1]
EOF
script '[{"reply":"no usage here"}]'
chat '{"stream":true,"messages":[]}' >"$tmp/stream2"
pycheck "stream without include_usage has no usage chunk" "$tmp/stream2" <<'EOF'
cs = chunks(text)
assert not any("usage" in c for c in cs), cs
assert "".join(d.get("content", "") for d in deltas(text)) == "no usage here"
EOF

# ---- tool calls -------------------------------------------------------------
args='{\"action\":\"add\",\"target\":\"memory\",\"content\":\"User likes green tea.\"}'
script "[{\"reply\":\"Saving.\",\"tool_calls\":[{\"id\":\"call_1\",\"name\":\"memory\",\"arguments\":\"$args\"},{\"id\":\"call_2\",\"name\":\"todo\",\"arguments\":\"{}\"}]}]"
chat '{"stream":true,"stream_options":{"include_usage":true},"messages":[]}' >"$tmp/tools"
pycheck "tool_calls stream: first delta of each call has id, type, name" "$tmp/tools" <<'EOF'
tcs = [d["tool_calls"][0] for d in deltas(text) if "tool_calls" in d]
firsts = [t for t in tcs if "id" in t]
assert [(t["index"], t["id"], t["type"], t["function"]["name"],
         t["function"]["arguments"]) for t in firsts] == \
    [(0, "call_1", "function", "memory", ""), (1, "call_2", "function", "todo", "")], firsts
rest = [t for t in tcs if "id" not in t]
assert rest and all(set(t) == {"index", "function"} and
                    set(t["function"]) == {"arguments"} for t in rest), rest
EOF
pycheck "tool_calls stream: argument pieces concatenate to the original" "$tmp/tools" <<'EOF'
args = {}
for d in deltas(text):
    for t in d.get("tool_calls", []):
        args[t["index"]] = args.get(t["index"], "") + t["function"].get("arguments", "")
assert json.loads(args[0]) == {"action": "add", "target": "memory",
                               "content": "User likes green tea."}, args
assert args[1] == "{}", args
EOF
pycheck "tool_calls stream: content first, finish_reason tool_calls, usage, [DONE]" "$tmp/tools" <<'EOF'
ds = deltas(text)
kinds = [("content" if "content" in d else "tool" if "tool_calls" in d else "") for d in ds]
assert kinds.index("tool") > max(i for i, k in enumerate(kinds) if k == "content"), kinds
cs = chunks(text)
assert cs[-2]["choices"][0]["finish_reason"] == "tool_calls", cs[-2]
assert "usage" in cs[-1] and sse(text)[-1] == "[DONE]"
EOF
script "[{\"tool_calls\":[{\"id\":\"call_9\",\"name\":\"memory\",\"arguments\":\"$args\"}]}]"
chat '{"messages":[]}' >"$tmp/tools-json"
pycheck "non-stream tool_calls: content null, full arguments" "$tmp/tools-json" <<'EOF'
c = json.loads(text)["choices"][0]
m = c["message"]
assert m["content"] is None and c["finish_reason"] == "tool_calls", c
tc = m["tool_calls"][0]
assert tc["id"] == "call_9" and tc["type"] == "function", tc
assert tc["function"]["name"] == "memory", tc
assert json.loads(tc["function"]["arguments"])["content"] == "User likes green tea.", tc
EOF

# ---- scripted errors --------------------------------------------------------
script '[{"status":429,"headers":{"Retry-After":"1"},"message":"slow down"}]'
code=$(chat '{"stream":true,"messages":[]}' -D "$tmp/429.h" -o "$tmp/429" -w '%{http_code}')
tap_is "$code" 429 "scripted status 429"
tap_is "$(grep -i '^retry-after:' "$tmp/429.h" | tr -d '\r')" "Retry-After: 1" \
	"429 carries the scripted Retry-After header"
pycheck "429 body is an OpenAI error envelope" "$tmp/429" <<'EOF'
e = json.loads(text)["error"]
assert e["message"] == "slow down" and e["code"] == "rate_limit_exceeded", e
assert set(e) == {"message", "type", "param", "code"}, e
EOF

# ---- broken streams ---------------------------------------------------------
script '[{"reply":"abcdefghijklmnopqrstuvwxyz","reset_after":3}]'
chat '{"stream":true,"messages":[]}' >"$tmp/reset" 2>"$tmp/reset.err"
rc=$?
case $rc in 18|56) st=0 ;; *) st=1 ;; esac
tap_ok $st "reset_after: curl fails with 18 or 56 (got $rc)"
pycheck "reset_after: 3 chunks arrive, no [DONE]" "$tmp/reset" <<'EOF'
assert "[DONE]" not in sse(text) and len(chunks(text)) == 3, text
EOF
script '[{"reply":"x","malformed":true}]'
chat '{"stream":true,"messages":[]}' >"$tmp/malformed"
pycheck "malformed: a broken data line between the first chunk and [DONE]" "$tmp/malformed" <<'EOF'
d = sse(text)
assert len(d) == 3 and d[1] == "{not json" and d[2] == "[DONE]", d
json.loads(d[0])
EOF
script '[{"never_end":true}]'
chat '{"stream":true,"messages":[]}' --max-time 1 >"$tmp/never" 2>/dev/null
tap_is $? 28 "never_end: the client times out"
pycheck "never_end: the first chunk arrived" "$tmp/never" <<'EOF'
assert deltas(text) == [{"role": "assistant"}], text
EOF
tap_is "$("${CURL[@]}" "$base/__health")" ok "server still answers after the dropped connections"

# ---- match, keep-alive, chunked request bodies ------------------------------
script '[{"reply":"generic"},{"match":"TITLE-REQ","reply":"A title"}]'
a=$(chat '{"messages":[{"role":"user","content":"make a TITLE-REQ"}]}')
b=$(chat '{"messages":[{"role":"user","content":"anything"}]}')
pick='import json,sys; print(json.load(sys.stdin)["choices"][0]["message"]["content"])'
tap_is "$(printf '%s' "$a" | "$PYTHON" -c "$pick")|$(printf '%s' "$b" | "$PYTHON" -c "$pick")" \
	"A title|generic" "match: the matching step is taken first, others in order"
script '[{"reply":"first"}]'
"${CURL[@]}" -v -N --data-binary '{"stream":true,"messages":[]}' "$base/v1/chat/completions" \
	--next -sS "$base/v1/models" >"$tmp/ka" 2>"$tmp/ka.err"
tap_ok $(( $(grep -c 'Re-using existing connection' "$tmp/ka.err") == 1 ? 0 : 1 )) \
	"keep-alive: the connection is reused after a chunked stream"
printf '{"model":"chunky","messages":[{"role":"user","content":"sent chunked"}]}' |
	"${CURL[@]}" -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' \
		--data-binary @- "$base/v1/chat/completions" >"$tmp/chunked"
pycheck "chunked request body is read" "$tmp/chunked" <<'EOF'
assert json.loads(text)["model"] == "chunky", text
EOF

# ---- request records ----------------------------------------------------------
"${CURL[@]}" "$base/__requests" >"$tmp/requests"
pycheck "/__requests records the Authorization header" "$tmp/requests" <<'EOF'
r = [x for x in json.loads(text) if x["path"] == "/v1/chat/completions"]
assert r[0]["headers"]["authorization"] == "Bearer sk-selftest-123", r[0]
assert r[0]["method"] == "POST" and isinstance(r[0]["time"], float), r[0]
EOF
pycheck "/__requests records the messages" "$tmp/requests" <<'EOF'
r = [x for x in json.loads(text) if x["path"] == "/v1/chat/completions"]
assert r[0]["body"]["messages"] == [{"role": "user", "content": "hello selftest"}], r[0]
assert r[-1]["body"]["messages"][0]["content"] == "sent chunked", r[-1]
EOF
pycheck "/__requests leaves out control requests" "$tmp/requests" <<'EOF'
r = json.loads(text)
assert not [x for x in r if x["path"].startswith("/__")], r
assert [x["path"] for x in r[:2]] == ["/v1/models", "/models"], r[:2]
EOF
cp "$T/first/requests.jsonl" "$tmp/log.snap"
pycheck "--log holds the same requests as JSON lines" "$tmp/requests" <<'EOF'
lines = open(sys.argv[1].replace("requests", "log.snap"), encoding="utf-8").read().splitlines()
assert [json.loads(l) for l in lines] == json.loads(text), len(lines)
EOF
"${CURL[@]}" -o /dev/null -X POST "$base/__reset"
tap_is "$("${CURL[@]}" "$base/__requests")" "[]" "/__reset clears the records"

# ---- --require-key ------------------------------------------------------------
start_upstream second --require-key sk-right
pid2=$UPSTREAM_PID
base2="http://127.0.0.1:$UPSTREAM_PORT"
c1=$("${CURL[@]}" -o "$tmp/401" -w '%{http_code}' -H 'Authorization: Bearer sk-wrong' "$base2/v1/models")
c2=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer sk-right' "$base2/v1/models")
tap_is "$c1,$c2" "401,200" "--require-key: 401 for a wrong key, 200 for the right one"
pycheck "401 body is an OpenAI error envelope" "$tmp/401" <<'EOF'
assert json.loads(text)["error"]["code"] == "invalid_api_key", text
EOF

# ---- shutdown -------------------------------------------------------------------
for p in "$pid" "$pid2"; do kill -TERM "$p"; done
st=0
for _ in $(seq 50); do
	kill -0 "$pid" 2>/dev/null || kill -0 "$pid2" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && st=1
wait "$pid"; rc1=$?
wait "$pid2"; rc2=$?
tap_is "$st:$rc1:$rc2" "0:0:0" "SIGTERM stops the upstreams promptly with status 0"
done_testing
