#!/usr/bin/env python3
# tests/integration/session_check.py: the rules of the session chat
# stream (POST /api/sessions/{id}/chat/stream) for sessions_cases.sh.
# SPDX-License-Identifier: MIT
#
#   session_check.py stream REPORT.json MESSAGES.json [SESSION_ID]
#       REPORT is chat_client.py's report of the stream, MESSAGES the body
#       of GET /api/sessions/{id}/messages read after it. Prints one
#       problem a line, nothing when the stream is right:
#       - 200 text/event-stream with X-Hermes-Session-Id; every event has
#         an `event:` name and one JSON `data:`; names from the catalogue;
#       - every payload has session_id, run_id (run_<hex>, one per stream),
#         seq (1, 2, 3, ... without gaps) and ts (a number);
#       - run.started first with user_message; done last; message.started
#         before any assistant.delta / tool.* of its message; tool.started
#         and tool.completed paired; assistant.completed then run.completed
#         just before done, with the effective session id (SESSION_ID when
#         given) and completed true;
#       - run.completed.messages equals the assistant and tool messages
#         after the last user message of the GET, key for key;
#       - the text of the deltas equals assistant.completed's content
#         (the last message's text).
#   session_check.py turn MESSAGES.json TRANSCRIPT.json
#       the transcript (a JSON array, e.g. a chat answer's "messages")
#       equals the turn's messages in the GET (as above).
import json
import re
import sys

NAMES = {"run.started", "message.started", "assistant.delta", "tool.progress", "tool.started",
         "tool.completed", "assistant.completed", "run.completed", "error", "done"}


def turn_of(msgs):
    """The assistant/tool messages after the last user message."""
    data = msgs.get("data", [])
    start = 0
    for i, m in enumerate(data):
        if m.get("role") == "user":
            start = i + 1
    return [m for m in data[start:] if m.get("role") in ("assistant", "tool")]


def compare(got, want, what):
    out = []
    if got != want:
        out.append("%s differs from GET .../messages:\n  stream: %s\n  GET:    %s"
                   % (what, json.dumps(got)[:1500], json.dumps(want)[:1500]))
    return out


def stream(rep, msgs, sid):
    p = []
    if rep.get("status") != 200:
        return ["status %s, body %r" % (rep.get("status"), rep.get("body", "")[:300])]
    if not rep["headers"].get("content-type", "").startswith("text/event-stream"):
        p.append("content-type %s" % rep["headers"].get("content-type"))
    if not rep["headers"].get("x-hermes-session-id"):
        p.append("no X-Hermes-Session-Id header")
    evs = rep.get("events", [])
    if not evs:
        return p + ["no events"]
    names, datas = [], []
    for e in evs:
        if not e.get("event"):
            p.append("an event without an event: line: %r" % e)
        if e.get("event") not in NAMES:
            p.append("unknown event %r" % e.get("event"))
        if "\n" in e["data"]:
            p.append("%s: more than one data line" % e.get("event"))
        try:
            d = json.loads(e["data"])
        except ValueError:
            p.append("%s: data is not JSON" % e.get("event"))
            d = {}
        names.append(e.get("event"))
        datas.append(d)
    run_ids = {d.get("run_id") for d in datas}
    if len(run_ids) != 1 or not re.match(r"^run_[0-9a-f]+$", str(next(iter(run_ids)))):
        p.append("run_id not one run_<hex>: %s" % run_ids)
    for i, (n, d) in enumerate(zip(names, datas)):
        if d.get("seq") != i + 1:
            p.append("%s: seq %s, want %d" % (n, d.get("seq"), i + 1))
        if not isinstance(d.get("ts"), (int, float)):
            p.append("%s: no ts" % n)
        if not d.get("session_id"):
            p.append("%s: no session_id" % n)
    if names[0] != "run.started" or datas[0].get("user_message", {}).get("role") != "user":
        p.append("first event %s, want run.started with user_message" % names[0])
    if names[-1] != "done":
        p.append("last event %s, want done" % names[-1])
    if names[-3:-1] != ["assistant.completed", "run.completed"]:
        return p + ["events end %s, want assistant.completed, run.completed, done" % names[-3:]]
    started, open_tools = set(), {}
    for n, d in zip(names, datas):
        if n == "message.started":
            started.add(d.get("message", {}).get("id"))
        elif n in ("assistant.delta", "tool.started", "tool.completed"):
            if d.get("message_id") not in started:
                p.append("%s for message %s before its message.started" % (n, d.get("message_id")))
            if n == "tool.started":
                open_tools[d.get("tool_call_id")] = d.get("tool_name")
            elif n == "tool.completed":
                if open_tools.pop(d.get("tool_call_id"), None) != d.get("tool_name"):
                    p.append("tool.completed %s without its tool.started" % d.get("tool_call_id"))
    if open_tools:
        p.append("tool.started without tool.completed: %s" % open_tools)
    ac, rc = datas[-3], datas[-2]
    for n, d in (("assistant.completed", ac), ("run.completed", rc)):
        if d.get("completed") is not True:
            p.append("%s: completed %s" % (n, d.get("completed")))
        if sid and d.get("session_id") != sid:
            p.append("%s: session_id %s, want %s" % (n, d.get("session_id"), sid))
    if msgs.get("session_id") != rc.get("session_id"):
        p.append("GET .../messages reads session %s, run.completed says %s"
                 % (msgs.get("session_id"), rc.get("session_id")))
    u = rc.get("usage", {})
    if not all(isinstance(u.get(k), int) for k in ("input_tokens", "output_tokens", "total_tokens")):
        p.append("run.completed.usage %s" % u)
    p += compare(rc.get("messages"), turn_of(msgs), "run.completed.messages")
    last = ac.get("message_id")
    text = "".join(d.get("delta", "") for n, d in zip(names, datas)
                   if n == "assistant.delta" and d.get("message_id") == last)
    if text != ac.get("content"):
        p.append("deltas of the last message %r != assistant.completed.content %r"
                 % (text, ac.get("content")))
    return p


def main():
    if sys.argv[1] == "stream":
        rep = json.load(open(sys.argv[2], encoding="utf-8"))
        msgs = json.load(open(sys.argv[3], encoding="utf-8"))
        sid = sys.argv[4] if len(sys.argv) > 4 else None
        probs = stream(rep, msgs, sid)
    else:
        msgs = json.load(open(sys.argv[2], encoding="utf-8"))
        got = json.load(open(sys.argv[3], encoding="utf-8"))
        probs = compare(got, turn_of(msgs), "the transcript")
    for x in probs:
        print(x)


main()
