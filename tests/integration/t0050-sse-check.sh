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
# ---- Responses streams ------------------------------------------------------------
# rreport FILE MUTATION: a chat_client.py-style report of a good Responses
# stream (a function_call item, then a message of two deltas, then
# response.completed; a keepalive comment before and after the end),
# changed by the Python statement MUTATION (over evs, the list of event
# objects, and j). The report's lines are rebuilt from evs afterwards.
rreport() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
def resp(status, output, **kw):
    r = {"id": "resp_1", "object": "response", "created_at": 1, "status": status, "model": "hermes-agent",
         "output": output, "error": None, "incomplete_details": None, "instructions": None, "metadata": {},
         "parallel_tool_calls": True, "temperature": None, "top_p": None, "tool_choice": "auto", "tools": [],
         "previous_response_id": None, "store": True, "usage": None}
    r.update(kw)
    return r
fc = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "memory", "arguments": "{\"a\":1}", "status": "completed"}
msg0 = {"type": "message", "id": "msg_1", "status": "in_progress", "role": "assistant", "content": []}
part0 = {"type": "output_text", "text": "", "annotations": []}
part = {"type": "output_text", "text": "Hi there", "annotations": []}
msg = dict(msg0, status="completed", content=[part])
usage = {"input_tokens": 3, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 2,
         "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 5}
ids = {"item_id": "msg_1", "output_index": 1, "content_index": 0}
evs = [
    {"type": "response.created", "response": resp("in_progress", [])},
    {"type": "response.in_progress", "response": resp("in_progress", [])},
    {"type": "response.output_item.added", "output_index": 0, "item": dict(fc, arguments="", status="in_progress")},
    {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": "{\"a\":1}"},
    {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 0, "arguments": "{\"a\":1}"},
    {"type": "response.output_item.done", "output_index": 0, "item": fc},
    {"type": "response.output_item.added", "output_index": 1, "item": msg0},
    dict(ids, type="response.content_part.added", part=part0),
    dict(ids, type="response.output_text.delta", delta="Hi ", logprobs=[]),
    dict(ids, type="response.output_text.delta", delta="there", logprobs=[]),
    dict(ids, type="response.output_text.done", text="Hi there", logprobs=[]),
    dict(ids, type="response.content_part.done", part=part),
    {"type": "response.output_item.done", "output_index": 1, "item": msg},
    {"type": "response.completed", "response": resp("completed", [fc, msg], usage=usage, output_text="Hi there")},
]
for i, e in enumerate(evs):
    e["sequence_number"] = i
j = {"status": 200, "headers": {"content-type": "text/event-stream"}, "error": None, "trailer": [": keepalive"]}
names = None
exec(sys.argv[2])
names = names or [e.get("type") if isinstance(e, dict) else None for e in evs]
j["events"], j["lines"] = [], [[0, ": keepalive"], [0, ""]]
for e, n in zip(evs, names):
    d = e if isinstance(e, str) else json.dumps(e)
    j["events"].append({"t": 0.1, "event": n, "data": d})
    j["lines"] += ([[0.1, "event: " + n]] if n else []) + [[0.1, "data: " + d], [0.1, ""]]
j["lines"] += [[0.2, t] for t in j.pop("trailer")]
json.dump(j, open(sys.argv[1], "w"))
PY
}

# rproblems MUTATION [STATUS]: what sse_check.py responses says of that report.
rproblems() {
	rreport "$T/rr.json" "$1"
	"$PYTHON" "$SSE_CHECK" responses "$T/rr.json" ${2:+"$2"}
}

is "$(rproblems 'pass')" "" "responses: a well-formed stream (function_call item, message item, completed): no problem"
is "$(rproblems 'pass' completed)" "" "responses: ...whose terminal status is the one asked for"
is "$("$PYTHON" "$SSE_CHECK" rtext "$T/rr.json")" "Hi there" "responses: rtext is the output_text deltas concatenated"
is "$("$PYTHON" "$SSE_CHECK" rfinal "$T/rr.json" | "$PYTHON" -c 'import json,sys; r=json.load(sys.stdin); print(r["status"], len(r["output"]))')" \
	"completed 2" "responses: rfinal is the terminal event's response"
like "$(rproblems 'evs[3]["delta"] = "{"')" 'function_call_arguments.done is not its deltas' \
	"responses: function-call argument deltas that do not add up are reported"
like "$(rproblems 'pass' failed)" 'terminal event response.completed, want response.failed' \
	"responses: a terminal status other than the one asked for is reported"
like "$(rproblems 'del evs[5]["sequence_number"]')" 'event 5 .* no integer sequence_number' \
	"responses: an event without sequence_number is reported"
like "$(rproblems 'evs[8]["sequence_number"] = 7')" 'sequence_number 7 after 7' \
	"responses: a sequence_number that does not increase is reported"
like "$(rproblems 'del evs[9]["type"]')" 'event 9 has no type' "responses: an event without type is reported"
like "$(rproblems 'evs[9]["type"] = "hermes.tool.progress"')" "type 'hermes.tool.progress' is not a Responses event type" \
	"responses: an event type outside the catalogue is reported"
like "$(rproblems 'names = [e["type"] for e in evs]; names[8] = "response.output_text.done"')" 'event 8: event: response.output_text.done but type response.output_text.delta' \
	"responses: an event: line that differs from the type is reported"
like "$(rproblems 'evs[9] = "{not json"')" 'event 9: data is not a JSON object' "responses: a data line that is not JSON is reported"
like "$(rproblems 'evs[0], evs[1] = evs[1], evs[0]; evs[0]["sequence_number"], evs[1]["sequence_number"] = 0, 1')" \
	'the first event is response.in_progress, want response.created' "responses: a stream not starting with response.created is reported"
like "$(rproblems 'evs[0]["response"]["output"] = [msg]')" 'response.created does not carry an in_progress response with output \[\]' \
	"responses: response.created with output is reported"
like "$(rproblems 'evs[0]["response"]["status"] = "completed"')" 'response.created does not carry an in_progress' \
	"responses: response.created that is not in_progress is reported"
like "$(rproblems 'del evs[1]')" 'the second event is response.output_item.added, want response.in_progress' \
	"responses: a missing response.in_progress is reported"
like "$(rproblems 'evs[8]["item_id"] = "msg_2"')" "event 8 response.output_text.delta: item_id 'msg_2', announced 'msg_1'" \
	"responses: a delta whose item_id was never announced is reported"
like "$(rproblems 'evs[8]["output_index"] = 0')" 'event 8 response.output_text.delta: output_index 0, announced 1' \
	"responses: a delta at another output_index is reported"
like "$(rproblems 'evs[9]["content_index"] = 1')" 'event 9 response.output_text.delta: content_index 1, announced 0' \
	"responses: a delta at another content_index is reported"
like "$(rproblems 'evs[9]["delta"] = "where"')" "output_text.done text 'Hi there' is not the deltas 'Hi where'" \
	"responses: deltas that do not add up to the done text are reported"
like "$(rproblems 'del evs[7]')" 'response.output_text.delta outside a content part' \
	"responses: a delta before content_part.added is reported"
like "$(rproblems 'del evs[6]')" 'outside an output item' "responses: a part without output_item.added is reported"
like "$(rproblems 'evs[6]["output_index"] = 2')" 'output_item.added at output_index 2, want 1' \
	"responses: an item added at a skipped output_index is reported"
like "$(rproblems 'evs[7]["part"] = {"type": "output_text", "text": ""}')" 'want an empty output_text with annotations' \
	"responses: a content part without annotations is reported"
like "$(rproblems 'del evs[10]')" 'content_part.done before output_text.done' \
	"responses: a part closed without output_text.done is reported"
like "$(rproblems 'evs[12]["item"] = dict(msg, id="msg_9")')" "output_item.done item id/type 'msg_9'/'message', announced 'msg_1'/'message'" \
	"responses: output_item.done of another item is reported"
like "$(rproblems 'evs[12]["item"] = dict(msg, content=[dict(part, text="Hi")])')" 'output_item.done content' \
	"responses: output_item.done whose text differs from the parts is reported"
like "$(rproblems 'del evs[12]["item"]["status"]')" 'output_item.done message item without status' \
	"responses: a message item done without status is reported"
like "$(rproblems 'evs.pop()')" 'no terminal event' "responses: a stream without a terminal event is reported"
like "$(rproblems 'evs.append(dict(evs[-1], sequence_number=99))')" 'event 14 \(response.completed\) after the terminal event' \
	"responses: two terminal events are reported"
like "$(rproblems 'evs.append(dict(evs[9], sequence_number=99))')" 'after the terminal event' \
	"responses: an event after the terminal event is reported"
like "$(rproblems 'j["trailer"] = [": keepalive", "", "data: [DONE]", ""]')" "lines after the terminal event: \['data: \[DONE\]'\]" \
	"responses: a data line after the terminal event is reported (comments are fine)"
like "$(rproblems 'evs[13]["response"]["output"] = [msg]')" 'the terminal output .* is not the items streamed' \
	"responses: a terminal object that lacks a streamed item is reported"
like "$(rproblems 'evs[13]["response"]["output"] = [fc, dict(msg, content=[dict(part, text="Bye")])]; evs[13]["response"]["output_text"] = "Bye"')" \
	'terminal output\[1\] text differs' "responses: a terminal object whose text differs from the stream is reported"
like "$(rproblems 'evs[13]["response"]["id"] = "resp_2"')" 'id/created_at/model differ' \
	"responses: a terminal object of another response is reported"
like "$(rproblems 'evs[13]["response"]["output_text"] = "Hi"')" "output_text 'Hi' is not the messages' text" \
	"responses: an output_text that is not the messages' text is reported"
like "$(rproblems 'evs[13]["response"]["hermes_store"] = {}')" 'hermes_store' \
	"responses: the internal hermes_store member is reported"
like "$(rproblems 'del evs[13]["response"]["usage"]')" 'without usage' "responses: a completed object without usage is reported"
like "$(rproblems 'evs[13]["response"]["output"][1]["content"][0]["annotations"] = None')" 'lacks text or annotations' \
	"responses: a final output_text part without annotations is reported"
like "$(rproblems 'evs[13]["response"]["output"][0] = dict(fc, type="hermes_tool")')" 'no known item type' \
	"responses: a custom item type in the final output is reported"
like "$(rproblems 'evs[13]["type"] = "response.failed"; evs[13]["response"]["status"] = "failed"')" 'failed response without error' \
	"responses: response.failed without error {code, message} is reported"
like "$(rproblems 'evs[13]["type"] = "response.incomplete"; evs[13]["response"]["status"] = "incomplete"')" 'without incomplete_details.reason' \
	"responses: response.incomplete without a reason is reported"
is "$(rproblems 'evs[13]["type"] = "response.incomplete"; r = evs[13]["response"]; r["status"] = "incomplete"; r["incomplete_details"] = {"reason": "client_disconnected"}' incomplete)" "" \
	"responses: a response.incomplete with its reason passes"
like "$(rproblems 'evs[13]["type"] = "response.completed"; evs[13]["response"]["status"] = "in_progress"')" "status 'in_progress', want 'completed'" \
	"responses: a terminal event whose status does not match its type is reported"
like "$(rproblems 'evs.insert(13, {"type": "error", "code": "x", "message": "m", "param": None, "sequence_number": 12})')" 'an error event' \
	"responses: an error event (instead of response.failed) is reported"
like "$(rproblems 'j["status"] = 400')" 'status 400' "responses: a non-200 status is reported"
like "$(rproblems 'del evs[12]; evs.pop()')" 'no terminal event' "responses: a stream that stops mid-item is reported"
printf '{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"m","output":[],"error":null,"incomplete_details":null,"instructions":null,"metadata":{},"tools":[],"parallel_tool_calls":true}' > "$T/r.json"
like "$("$PYTHON" "$SSE_CHECK" response "$T/r.json")" 'without usage' "response: a Response object body is checked (no usage)"
# ---- run events (GET /v1/runs/{id}/events) ----------------------------------
# runs_problems MUTATION [TERMINAL] [FIRST]: sse_check.py runs of a good run
# stream (ids 1..4, one terminal event, ': stream closed') changed by the
# Python statement MUTATION (over evs, a list of [id, data-object], and tail).
runs_problems() {
	"$PYTHON" - "$T/run.sse" "$1" <<'PY'
import json, sys
def ev(n, **kw):
    return dict(event=n, run_id="run_" + "a" * 32, timestamp=1700000000.5, **kw)
evs = [[1, ev("message.delta", delta="Hi ")], [2, ev("tool.started", tool="terminal", preview="ls", call_id="c1")],
       [3, ev("tool.completed", tool="terminal", call_id="c1", duration=0.1, error=False)],
       [4, ev("run.completed", output="Hi", usage={"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}, messages=[])]]
tail = ": stream closed\n\n"
exec(sys.argv[2])
with open(sys.argv[1], "w") as f:
    f.write(": keepalive\n\n")
    for n, d in evs:
        f.write("id: %s\ndata: %s\n\n" % (n, d if isinstance(d, str) else json.dumps(d)))
    f.write(tail)
PY
	shift
	"$PYTHON" "$SSE_CHECK" runs "$T/run.sse" "$@"
}
is "$(runs_problems 'pass' run.completed 1)" "" "runs: a well-formed run stream: no problem"
is "$("$PYTHON" "$SSE_CHECK" rev "$T/run.sse" | tr '\n' ' ')" "1 message.delta 2 tool.started 3 tool.completed 4 run.completed " \
	"rev: the ids and names of the events"
like "$(runs_problems 'evs[2][0] = 4; evs[3][0] = 5')" 'id 4, want 3' "runs: a gap in the ids is reported"
like "$(runs_problems 'evs[1][0] = 1')" 'id 1, want 2' "runs: a repeated id is reported"
like "$(runs_problems 'pass' - 2)" 'id 1, want 2' "runs: a stream that does not start where asked is reported"
like "$(runs_problems 'evs.insert(3, [4, evs[3][1]]); evs[4][0] = 5')" '2 terminal events' "runs: two terminal events are reported"
like "$(runs_problems 'evs.pop()')" '0 terminal events' "runs: a stream without a terminal event is reported"
like "$(runs_problems 'evs[2], evs[3] = [3, evs[3][1]], [4, evs[2][1]]')" 'is not the last' "runs: an event after the terminal one is reported"
like "$(runs_problems 'tail = ""')" 'stream closed' "runs: a missing ': stream closed' is reported"
like "$(runs_problems 'pass' run.failed)" 'terminal event run.completed, want run.failed' "runs: the wrong terminal event is reported"
like "$(runs_problems 'evs[0][1] = "{not json"')" 'not a JSON object' "runs: data that is not JSON is reported"
like "$(runs_problems 'del evs[1][1]["timestamp"]')" 'timestamp' "runs: an event without timestamp is reported"
like "$(runs_problems 'evs[1][1]["run_id"] = "run_b"')" "run_id 'run_b'" "runs: an event of another run is reported"
like "$(runs_problems 'evs[0][1].pop("delta")')" 'without a delta' "runs: message.delta without delta is reported"
done_testing
