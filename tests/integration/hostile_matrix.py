#!/usr/bin/env python3
# tests/integration/hostile_matrix.py: every typed member of the newest
# endpoints (sessions, background responses, client tools, model routing)
# sent with each wrong JSON type, one request each, in one process.
#
#   hostile_matrix.py BASE KEY SESSION_ID
#
# Each answer must be the status and error.code the table below gives, in a
# full OpenAI error envelope (application/json, error.message non-empty,
# error.type a string, error.param naming the member). Prints one line per
# problem, nothing when every answer is right. Only wrong types are sent:
# nothing reaches the upstream. Standard library only.
# SPDX-License-Identifier: MIT
"""Wrong-type matrix over the newest endpoints."""

import json
import sys
import urllib.error
import urllib.request

TYPES = {
    "null": None, "number": 5, "array": [1], "object": {"a": 1},
    "bool": True, "string": "x", "huge": "x" * 20000,
}

USER = {"role": "user", "content": "hi"}
CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


def chat_call(mutate):
    """A chat body whose assistant tool_calls[0] is changed by mutate."""
    call = json.loads(json.dumps(CALL))
    box = [call]
    mutate(box)
    return {"messages": [USER, {"role": "assistant", "content": None, "tool_calls": box},
                         {"role": "user", "content": "more"}]}


def set_at(path):
    """A mutator setting the member at path (a list of keys) of box[0]."""
    def mutate(v):
        def m(box):
            if not path:
                box[0] = v
                return
            o = box[0]
            for k in path[:-1]:
                o = o[k]
            o[path[-1]] = v
        return m
    return mutate


# (label, method, path, body(v), param, {type: (code[, param])}, valid
# types): every answer is a 400 with that error.code (and error.param: the
# member's, or the one given); the valid types are not sent. "*" is the
# default.
def cases(sid):
    it = ("invalid_type",)
    return [
        ("session title", "POST", "/api/sessions", lambda v: {"title": v}, "title",
         {"*": it, "huge": ("string_above_max_length",)}, ("null", "string")),
        ("session system_prompt", "POST", "/api/sessions", lambda v: {"system_prompt": v},
         "system_prompt", {"*": it}, ("null", "string", "huge")),
        ("rename title", "PATCH", "/api/sessions/" + sid, lambda v: {"title": v}, "title",
         {"*": it, "huge": ("string_above_max_length",)}, ("null", "string")),
        ("fork title", "POST", "/api/sessions/%s/fork" % sid, lambda v: {"title": v}, "title",
         {"*": it, "huge": ("string_above_max_length",)}, ("null", "string")),
        ("fork message_id", "POST", "/api/sessions/%s/fork" % sid,
         lambda v: {"message_id": v}, "message_id", {"*": it}, ("null", "number")),
        ("session chat message", "POST", "/api/sessions/%s/chat" % sid,
         lambda v: {"message": v}, "message",
         {"*": it, "null": ("missing_message",), "array": ("unsupported_content_type",)},
         ("string", "huge")),
        ("session chat system_message", "POST", "/api/sessions/%s/chat" % sid,
         lambda v: {"message": "hi", "system_message": v}, "system_message",
         {"*": ("invalid_system_message",)}, ("null", "string", "huge")),
        ("responses background", "POST", "/v1/responses",
         lambda v: {"input": "hi", "background": v}, "background", {"*": it},
         ("null", "bool")),
        ("responses model", "POST", "/v1/responses", lambda v: {"input": "hi", "model": v},
         "model", {"*": it}, ("null", "string", "huge")),
        ("responses tools", "POST", "/v1/responses", lambda v: {"input": "hi", "tools": v},
         "tools", {"*": it}, ("null", "array")),
        ("responses tools[0]", "POST", "/v1/responses",
         lambda v: {"input": "hi", "tools": [v]}, "tools[0]",
         {"*": it, "object": ("missing_required_parameter", "tools[0].type")}, ()),
        ("responses tools[0].name", "POST", "/v1/responses",
         lambda v: {"input": "hi", "tools": [{"type": "function", "name": v}]}, "tools[0].name",
         {"*": it, "null": ("missing_required_parameter",), "huge": ("invalid_value",)},
         ("string",)),
        ("responses tool_choice", "POST", "/v1/responses",
         lambda v: {"input": "hi", "tools": [{"type": "function", "name": "f"}],
                    "tool_choice": v}, "tool_choice",
         {"*": it, "object": ("missing_required_parameter", "tool_choice.type"),
          "string": ("invalid_value",),
          "huge": ("invalid_value",)}, ("null",)),
        ("responses hermes.toolsets", "POST", "/v1/responses",
         lambda v: {"input": "hi", "hermes": {"toolsets": v}}, "hermes.toolsets",
         {"*": it, "string": ("invalid_value",), "huge": ("invalid_value",)},
         ("null", "array")),
        ("chat model", "POST", "/v1/chat/completions",
         lambda v: {"messages": [USER], "model": v}, "model", {"*": it},
         ("null", "string", "huge")),
        ("chat tools[0].function", "POST", "/v1/chat/completions",
         lambda v: {"messages": [USER], "tools": [{"type": "function", "function": v}]},
         "tools[0].function", {"*": it, "null": ("missing_required_parameter",)}, ("object",)),
        ("chat tool_calls[0]", "POST", "/v1/chat/completions",
         lambda v: chat_call(set_at([])(v)), "messages[1].tool_calls[0]",
         {"*": it, "object": ("missing_required_parameter", "messages[1].tool_calls[0].id")},
         ()),
        ("chat tool_calls[0].id", "POST", "/v1/chat/completions",
         lambda v: chat_call(set_at(["id"])(v)), "messages[1].tool_calls[0].id",
         {"*": it, "null": ("missing_required_parameter",)}, ("string", "huge")),
        ("chat tool_calls[0].function", "POST", "/v1/chat/completions",
         lambda v: chat_call(set_at(["function"])(v)), "messages[1].tool_calls[0].function",
         {"*": it, "null": ("missing_required_parameter",),
          "object": ("missing_required_parameter", "messages[1].tool_calls[0].function.name")},
         ()),
        ("chat tool_calls[0].function.arguments", "POST", "/v1/chat/completions",
         lambda v: chat_call(set_at(["function", "arguments"])(v)),
         "messages[1].tool_calls[0].function.arguments",
         {"*": it, "null": ("missing_required_parameter",)}, ("string", "huge")),
    ]


def send(base, key, method, path, body):
    data = json.dumps(body).encode()
    rq = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(rq, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def envelope_problem(ctype, raw, code, param):
    if not ctype.startswith("application/json"):
        return "Content-Type %r" % ctype
    try:
        err = json.loads(raw)["error"]
    except Exception:
        return "no error envelope: %r" % raw[:200]
    if not isinstance(err.get("message"), str) or not err["message"]:
        return "error.message %r" % err.get("message")
    if not isinstance(err.get("type"), str):
        return "error.type %r" % err.get("type")
    if err.get("code") != code:
        return "error.code %r, want %r (%s)" % (err.get("code"), code, err.get("message"))
    if code in ("invalid_type", "missing_required_parameter") and err.get("param") != param:
        return "error.param %r, want %r" % (err.get("param"), param)
    return None


def main():
    base, key, sid = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    sent = 0
    for label, method, path, body, param, want, valid in cases(sid):
        for tname, v in TYPES.items():
            if tname in valid:
                continue
            w = want.get(tname, want["*"])
            status = 400
            status_got, ctype, raw = send(base, key, method, path, body(v))
            sent += 1
            if status_got != status:
                print("%s = %s: status %s, want %s: %r" % (label, tname, status_got, status,
                                                         raw[:200]))
                continue
            p = envelope_problem(ctype, raw, w[0], w[1] if len(w) > 1 else param)
            if p:
                print("%s = %s: %s" % (label, tname, p))
    if sent < 100:
        print("only %d requests sent" % sent)


if __name__ == "__main__":
    main()
