#!/bin/bash
# tests/integration/t0050-sse-check.sh: the stream and envelope checker
# (tests/integration/sse_check.py) that the server tests rely on finds what
# it must: a good stream passes, and each broken variant is reported.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

# report FILE MUTATION: a chat_client.py-style report of a good stream with
# include_usage, changed by the Python statement MUTATION (over evs).
report() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
base = {"id": "chatcmpl-1", "created": 1, "model": "hermes-agent", "object": "chat.completion.chunk"}
def ch(delta, finish=None):
    return dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": finish}])
chunks = [ch({"role": "assistant"}), ch({"content": "Hi "}), ch({"content": "there"}),
          ch({}, "stop"),
          dict(base, choices=[], usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3})]
evs = [{"t": 0.1, "event": None, "data": json.dumps(c)} for c in chunks]
evs.append({"t": 0.2, "event": None, "data": "[DONE]"})
j = {"status": 200, "headers": {"content-type": "text/event-stream"}, "events": evs, "error": None}
exec(sys.argv[2])
json.dump(j, open(sys.argv[1], "w"))
PY
}

# problems MUTATION [usage]: what sse_check.py stream says of that report.
problems() {
	report "$T/r.json" "$1"
	"$PYTHON" "$SSE_CHECK" stream "$T/r.json" ${2:-usage}
}

is "$(problems 'pass')" "" "a well-formed stream with usage: no problem"
is "$("$PYTHON" "$SSE_CHECK" text "$T/r.json")" "Hi there" "text: the deltas' content concatenated"
like "$(problems 'pass' nousage)" 'usage chunk without include_usage' "a usage chunk nobody asked for is reported"
like "$(problems 'evs.pop()')" 'want data: \[DONE\]' "a stream without [DONE] is reported"
like "$(problems 'j["status"] = 500')" 'status 500' "a non-200 status is reported"
like "$(problems 'j["headers"]["content-type"] = "application/json"')" 'want text/event-stream' \
	"a wrong Content-Type is reported"
like "$(problems 'evs.insert(2, dict(evs[3]))')" '2 chunks with a finish_reason' "two finish_reasons are reported"
like "$(problems 'evs[1]["data"] = evs[1]["data"].replace("chatcmpl-1", "chatcmpl-2")')" 'differ in id' \
	"chunks with different ids are reported"
like "$(problems 'evs[0], evs[1] = evs[1], evs[0]')" 'no role assistant' "a first chunk without the role is reported"
like "$(problems 'evs[4], evs[3] = evs[3], evs[4]')" 'usage chunk is not the last' "usage before the finish chunk is reported"
like "$(problems 'evs[1]["data"] = "{not json"')" 'not JSON' "a data line that is not JSON is reported"
like "$(problems 'evs.insert(1, {"t": 0, "event": None, "data": "[DONE]"})')" '\[DONE\] before the end' \
	"[DONE] in the middle is reported"
like "$(problems 'j["events"] = []')" 'no events' "an empty stream is reported"

printf '{"error":{"message":"m","type":"server_error","param":null,"code":"x"}}' > "$T/e.json"
is "$("$PYTHON" "$SSE_CHECK" envelope "$T/e.json" x)" "" "a full envelope with the right code: no problem"
like "$("$PYTHON" "$SSE_CHECK" envelope "$T/e.json" y)" "error.code is 'x', want 'y'" "a wrong code is reported"
printf '{"error":{"message":"","type":"server_error","code":null}}' > "$T/e.json"
like "$("$PYTHON" "$SSE_CHECK" envelope "$T/e.json")" 'lacks param' "a missing param is reported"
like "$("$PYTHON" "$SSE_CHECK" envelope "$T/e.json")" 'message is not a non-empty string' "an empty message is reported"
printf 'oops' > "$T/e.json"
like "$("$PYTHON" "$SSE_CHECK" envelope "$T/e.json")" 'not JSON' "a body that is not JSON is reported"
done_testing
