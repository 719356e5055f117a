"""tests/integration/sse_check.py: the stream and envelope invariants the
shell tests check, in one place (called from tests/integration/lib.sh,
chat_cases.sh and tests/upstream/selftest.sh).

Command line (prints one problem a line; nothing, and exit 0, when fine):
  sse_check.py stream REPORT [usage]  a chat_client.py report of a chat
                                      completion stream: OpenAI chunk rules;
                                      "usage": include_usage was asked for
  sse_check.py text REPORT            prints the concatenated delta.content
  sse_check.py envelope BODY [CODE]   BODY (a file) is an OpenAI error
                                      envelope; with CODE, error.code is CODE
                                      ("null" for null)
  sse_check.py responses REPORT [STATUS]
                                      a chat_client.py report of a Responses
                                      stream: the event-sequence invariants;
                                      with STATUS, the terminal status
  sse_check.py rtext REPORT           prints the concatenated output_text deltas
  sse_check.py rfinal REPORT          prints the terminal event's response (JSON)
  sse_check.py response BODY [STATUS] BODY (a file) is a Response object
  sse_check.py runs BODY [TERMINAL] [FIRST]
                                      BODY (raw SSE text of GET
                                      /v1/runs/{id}/events): every event has
                                      id: N (FIRST, FIRST+1, ...; default
                                      any start) and a data: object with
                                      event/run_id/timestamp, exactly one
                                      terminal event (TERMINAL: its name), it
                                      is the last, `: stream closed` after it
  sse_check.py rev BODY               prints "id event" of each complete event
  sse_check.py report BODY STATUS CTYPE
                                      prints a chat_client.py-style report of
                                      the SSE text in BODY (a CGI answer's body)
As a module (tests put this directory on sys.path):
  sse_data(text), chunks(text), deltas(text)   over raw SSE text
  stream_problems(report, usage), stream_text(report), envelope_problems(j, code)
  responses_problems(report, status), responses_final(report),
  responses_text(report), response_problems(obj, status)
  run_events(text), run_events_problems(text, terminal, first)
SPDX-License-Identifier: MIT
"""
import json
import sys

ANY = object()


# ---- raw SSE text ------------------------------------------------------------

def sse_data(text):
    """Payloads of the data: lines of an SSE body."""
    return [line[6:] for line in text.splitlines() if line.startswith("data: ")]


def chunks(text):
    """Parsed JSON payloads, [DONE] left out."""
    return [json.loads(d) for d in sse_data(text) if d != "[DONE]"]


def deltas(text):
    """The delta of the first choice of every chunk that has a choice."""
    return [c["choices"][0]["delta"] for c in chunks(text) if c["choices"]]


# ---- chat_client.py reports ----------------------------------------------------

def _chunk_problems(chunks_, usage):
    out = []
    ids = set((c.get("id"), c.get("created"), c.get("model"), c.get("object")) for c in chunks_)
    if len(ids) != 1:
        out.append("chunks differ in id/created/model/object: %s" % sorted(map(str, ids)))
    else:
        cid, _, _, obj = list(ids)[0]
        if not str(cid).startswith("chatcmpl-") or obj != "chat.completion.chunk":
            out.append("id/object: %s" % (list(ids)[0],))
    withc = [c for c in chunks_ if c.get("choices")]
    if not withc or withc[0]["choices"][0].get("delta", {}).get("role") != "assistant":
        out.append("the first chunk with a choice has no role assistant: %s" % (withc[:1],))
    fin = [c for c in withc if c["choices"][0].get("finish_reason")]
    if len(fin) != 1:
        out.append("%d chunks with a finish_reason, want 1" % len(fin))
    elif fin[0] is not withc[-1]:
        out.append("the finish_reason is not on the last chunk with a choice")
    for c in withc:
        ch = c["choices"][0]
        if ch.get("index") != 0 or not isinstance(ch.get("delta"), dict):
            out.append("a choice without index 0 and a delta object: %s" % json.dumps(c)[:200])
            break
    use = [c for c in chunks_ if c.get("choices") == [] and c.get("usage")]
    if usage:
        if len(use) != 1:
            out.append("%d usage chunks with choices [], want 1" % len(use))
        elif chunks_[-1] is not use[0]:
            out.append("the usage chunk is not the last chunk")
        else:
            u = use[0]["usage"]
            if not all(isinstance(u.get(k), int)
                       for k in ("prompt_tokens", "completion_tokens", "total_tokens")):
                out.append("usage lacks integer counts: %s" % u)
    elif use:
        out.append("a usage chunk without include_usage")
    return out


def _sse_http_problems(j):
    """A stream report's client error, status other than 200 and
    Content-Type other than text/event-stream."""
    out = []
    if j.get("error"):
        out.append("client error: %s" % j["error"])
    if j.get("status") != 200:
        out.append("status %s, want 200" % j.get("status"))
    ct = j.get("headers", {}).get("content-type", "")
    if not ct.startswith("text/event-stream"):
        out.append("Content-Type %r, want text/event-stream" % ct)
    return out


def stream_problems(j, usage=False):
    """What is wrong with a chat completion stream (a chat_client report j)
    by OpenAI's chunk rules: 200, text/event-stream, JSON chunks with one
    id/created/model/object, role first, one finish_reason on the last
    chunk with a choice, then the usage chunk when asked for, then [DONE]."""
    out = _sse_http_problems(j)
    evs = j.get("events") or []
    if not evs:
        return out + ["no events"]
    if evs[-1]["data"] != "[DONE]" or evs[-1]["event"]:
        out.append("last event is %r, want data: [DONE]" % evs[-1])
    chunks_ = []
    for e in evs[:-1]:
        if e["data"] == "[DONE]":
            out.append("[DONE] before the end")
            continue
        try:
            c = json.loads(e["data"])
        except ValueError:
            out.append("data is not JSON: %r" % e["data"][:200])
            continue
        if e["event"] is None:
            chunks_.append(c)
        if not isinstance(c.get("choices"), list):
            out.append("a chunk without a choices array: %s" % e["data"][:200])
    return out + _chunk_problems(chunks_, usage)


def stream_text(j):
    """The concatenated delta.content of a chat_client report."""
    out = []
    for e in j.get("events", []):
        if e["event"] or e["data"] == "[DONE]":
            continue
        try:
            out.append(json.loads(e["data"])["choices"][0]["delta"].get("content") or "")
        except (ValueError, LookupError, TypeError, AttributeError):
            pass
    return "".join(out)


# ---- error envelopes --------------------------------------------------------------

def envelope_problems(j, code=ANY):
    """What is wrong with j as an OpenAI error envelope; with code, also
    that error.code is code (None for null)."""
    e = j.get("error") if isinstance(j, dict) else None
    if not isinstance(e, dict):
        return ["no error object: %s" % json.dumps(j)[:300]]
    out = []
    missing = [k for k in ("message", "type", "param", "code") if k not in e]
    if missing:
        out.append("error object lacks %s: %s" % (", ".join(missing), json.dumps(e)))
    if not isinstance(e.get("message"), str) or not e.get("message"):
        out.append("error.message is not a non-empty string")
    if not isinstance(e.get("type"), str):
        out.append("error.type is not a string")
    if "choices" in j:
        out.append("an error body with choices")
    if code is not ANY and e.get("code") != code:
        out.append("error.code is %r, want %r" % (e.get("code"), code))
    return out


# ---- Responses streams (openai-wire §6.5/§6.6) ------------------------------------

# Every event type of ResponseStreamEvent (openai-wire §6.5): anything else
# makes the openai stream helper throw.
RESPONSE_EVENT_TYPES = set("""
response.created response.queued response.in_progress response.completed
response.failed response.incomplete response.output_item.added
response.output_item.done response.content_part.added response.content_part.done
response.output_text.delta response.output_text.done
response.output_text.annotation.added response.refusal.delta response.refusal.done
response.function_call_arguments.delta response.function_call_arguments.done
response.custom_tool_call_input.delta response.custom_tool_call_input.done
response.reasoning_text.delta response.reasoning_text.done
response.reasoning_summary_part.added response.reasoning_summary_part.done
response.reasoning_summary_text.delta response.reasoning_summary_text.done
response.audio.delta response.audio.done response.audio.transcript.delta
response.audio.transcript.done error
""".split())
# A cancelled background response ends with response.cancelled (docs/api.md
# "Background responses"): the one type of ours outside that list.
RESPONSE_EVENT_TYPES.add("response.cancelled")
RESPONSE_TERMINAL = {"response.completed": "completed", "response.failed": "failed",
                     "response.incomplete": "incomplete", "response.cancelled": "cancelled"}
RESPONSE_ITEM_TYPES = {"message", "reasoning", "function_call", "function_call_output"}


def _message_text(item):
    return "".join(p.get("text") or "" for p in item.get("content") or []
                   if isinstance(p, dict) and p.get("type") == "output_text")


def response_problems(r, status=None):
    """What is wrong with r as a Response object as both SDKs parse it
    (openai-wire §6.1/§6.2); with status, also that r.status is status."""
    if not isinstance(r, dict):
        return ["not a Response object: %s" % json.dumps(r)[:300]]
    out = []
    if not str(r.get("id", "")).startswith("resp_"):
        out.append("id %r does not start with resp_" % r.get("id"))
    if r.get("object") != "response":
        out.append("object %r, want response" % r.get("object"))
    if not isinstance(r.get("created_at"), int) or isinstance(r.get("created_at"), bool):
        out.append("created_at is not an integer")
    if not isinstance(r.get("model"), str) or not r.get("model"):
        out.append("model is not a non-empty string")
    if r.get("status") not in ("completed", "failed", "in_progress", "incomplete", "cancelled", "queued"):
        out.append("status %r" % r.get("status"))
    elif status is not None and r.get("status") != status:
        out.append("status %r, want %r" % (r.get("status"), status))
    for k in ("error", "incomplete_details", "instructions", "metadata"):
        if k not in r:
            out.append("no %s member" % k)
    if not isinstance(r.get("tools"), list):
        out.append("tools is not an array")
    if not isinstance(r.get("parallel_tool_calls"), bool):
        out.append("parallel_tool_calls is not a boolean")
    if "hermes_store" in r:
        out.append("the internal hermes_store member is shown")
    st = r.get("status")
    if st == "completed" and r.get("error") is not None:
        out.append("a completed response with error %s" % r.get("error"))
    if st == "failed":
        e = r.get("error")
        if not isinstance(e, dict) or not isinstance(e.get("code"), str) or not e.get("message"):
            out.append("a failed response without error {code, message}: %s" % e)
    if st == "incomplete":
        d = r.get("incomplete_details")
        if not isinstance(d, dict) or not isinstance(d.get("reason"), str):
            out.append("an incomplete response without incomplete_details.reason: %s" % d)
    u = r.get("usage")
    if u is not None:
        if not isinstance(u, dict) or not all(isinstance(u.get(k), int) for k in
                                               ("input_tokens", "output_tokens", "total_tokens")):
            out.append("usage lacks integer counts: %s" % u)
        elif not isinstance(u.get("input_tokens_details"), dict) or \
                not isinstance(u.get("output_tokens_details"), dict):
            out.append("usage lacks the details objects: %s" % u)
    elif st == "completed":
        out.append("a completed response without usage")
    outp = r.get("output")
    if not isinstance(outp, list):
        return out + ["output is not an array"]
    for i, it in enumerate(outp):
        if not isinstance(it, dict) or it.get("type") not in RESPONSE_ITEM_TYPES:
            out.append("output[%d] is of no known item type: %s" % (i, json.dumps(it)[:200]))
            continue
        if not isinstance(it.get("id"), str) or not it["id"]:
            out.append("output[%d] has no id" % i)
        if it["type"] == "message":
            if it.get("role") != "assistant" or it.get("status") not in ("in_progress", "completed", "incomplete"):
                out.append("output[%d]: role/status %r %r" % (i, it.get("role"), it.get("status")))
            for k, p in enumerate(it.get("content") if isinstance(it.get("content"), list) else [None]):
                if not isinstance(p, dict) or p.get("type") not in ("output_text", "refusal"):
                    out.append("output[%d].content[%d] is not an output_text part" % (i, k))
                elif p["type"] == "output_text" and (not isinstance(p.get("text"), str)
                                                     or p.get("annotations") != []):
                    out.append("output[%d].content[%d] lacks text or annotations []" % (i, k))
        elif it["type"] == "function_call":
            if not all(isinstance(it.get(k), str) for k in ("call_id", "name", "arguments")):
                out.append("output[%d]: a function_call without call_id/name/arguments" % i)
        elif it["type"] == "reasoning" and not isinstance(it.get("summary"), list):
            out.append("output[%d]: a reasoning item whose summary is not an array" % i)
    if "output_text" in r:
        want = "".join(_message_text(it) for it in outp if isinstance(it, dict) and it.get("type") == "message")
        if r["output_text"] != want:
            out.append("output_text %r is not the messages' text %r" % (str(r["output_text"])[:80], want[:80]))
    return out


def _events(j):
    """The parsed events of a report: (event name, data object or None, raw)."""
    return [(e.get("event"), _json_or_none(e.get("data")), e.get("data")) for e in j.get("events") or []]


def sse_report(text, status, ctype):
    """A chat_client.py-style report (status, headers, lines, events) of a
    whole SSE body, e.g. what a CGI run wrote."""
    j = {"status": status, "headers": {"content-type": ctype}, "lines": [], "events": [], "error": None}
    ev = {"event": None, "data": []}
    for line in text.splitlines() + [""]:
        j["lines"].append([0, line])
        if line == "":
            if ev["data"] or ev["event"]:
                j["events"].append({"t": 0, "event": ev["event"], "data": "\n".join(ev["data"])})
            ev = {"event": None, "data": []}
        elif line.startswith("event:"):
            ev["event"] = line[6:].lstrip(" ")
        elif line.startswith("data:"):
            ev["data"].append(line[6:] if line.startswith("data: ") else line[5:])
    j["lines"].pop()
    return j


def _json_or_none(d):
    try:
        return json.loads(d)
    except (TypeError, ValueError):
        return None


class _Seq:
    """The state of one Responses stream as the checker walks it."""

    def __init__(self):
        self.out = []
        self.items = []       # output_item.done items (or the open one), by output_index
        self.open = None      # the open item: {"id", "type", "index", "parts": [...]}
        self.part = None      # the open content part: {"index", "deltas": [...], "done"}
        self.args = None      # function_call_arguments deltas of the open item

    def p(self, msg):
        self.out.append(msg)

    def where(self, k, ev):
        oi = ev.get("output_index")
        if self.open is None:
            self.p("event %d %s outside an output item" % (k, ev["type"]))
            return False
        if oi != self.open["index"]:
            self.p("event %d %s: output_index %r, announced %r" % (k, ev["type"], oi, self.open["index"]))
        if "item_id" in ev or not ev["type"].startswith("response.output_item"):
            if ev.get("item_id") != self.open["id"]:
                self.p("event %d %s: item_id %r, announced %r" % (k, ev["type"], ev.get("item_id"), self.open["id"]))
        return True

    def in_part(self, k, ev):
        if not self.where(k, ev):
            return False
        if self.part is None or self.part["done"]:
            self.p("event %d %s outside a content part" % (k, ev["type"]))
            return False
        if ev.get("content_index") != self.part["index"]:
            self.p("event %d %s: content_index %r, announced %r" % (k, ev["type"], ev.get("content_index"), self.part["index"]))
        return True

    def event(self, k, ev):
        t = ev["type"]
        if t == "response.output_item.added":
            if self.open is not None:
                self.p("event %d: output_item.added while output %d is still open" % (k, self.open["index"]))
            it = ev.get("item") or {}
            if ev.get("output_index") != len(self.items):
                self.p("event %d: output_item.added at output_index %r, want %d" % (k, ev.get("output_index"), len(self.items)))
            if not isinstance(it.get("id"), str) or not it.get("id") or it.get("type") not in RESPONSE_ITEM_TYPES:
                self.p("event %d: output_item.added with item %s" % (k, json.dumps(it)[:200]))
            if it.get("type") == "message" and (it.get("content") != [] or it.get("role") != "assistant"
                                                 or it.get("status") != "in_progress"):
                self.p("event %d: a message item added with content/role/status %s" % (k, json.dumps(it)[:200]))
            self.open = {"id": it.get("id"), "type": it.get("type"), "index": len(self.items), "parts": []}
            self.items.append(None)
            self.part, self.args = None, []
        elif t == "response.content_part.added":
            if self.where(k, ev):
                if self.part is not None and not self.part["done"]:
                    self.p("event %d: content_part.added while part %d is open" % (k, self.part["index"]))
                if ev.get("content_index") != len(self.open["parts"]):
                    self.p("event %d: content_part.added at content_index %r, want %d" % (k, ev.get("content_index"), len(self.open["parts"])))
                pt = ev.get("part") or {}
                if pt.get("type") != "output_text" or pt.get("text") != "" or pt.get("annotations") != []:
                    self.p("event %d: content_part.added part %s, want an empty output_text with annotations []" % (k, json.dumps(pt)[:200]))
                self.part = {"index": len(self.open["parts"]), "deltas": [], "done": False, "text": None, "closed": False}
                self.open["parts"].append(self.part)
        elif t == "response.output_text.delta":
            if self.in_part(k, ev):
                if self.part["text"] is not None:
                    self.p("event %d: output_text.delta after output_text.done" % k)
                if not isinstance(ev.get("delta"), str) or not isinstance(ev.get("logprobs"), list):
                    self.p("event %d: output_text.delta without a string delta and logprobs []" % k)
                self.part["deltas"].append(ev.get("delta") or "")
        elif t == "response.output_text.done":
            if self.in_part(k, ev):
                if self.part["text"] is not None:
                    self.p("event %d: a second output_text.done" % k)
                want = "".join(self.part["deltas"])
                if ev.get("text") != want:
                    self.p("event %d: output_text.done text %r is not the deltas %r" % (k, str(ev.get("text"))[:80], want[:80]))
                self.part["text"] = ev.get("text")
        elif t == "response.content_part.done":
            if self.in_part(k, ev):
                if self.part["text"] is None:
                    self.p("event %d: content_part.done before output_text.done" % k)
                pt = ev.get("part") or {}
                if pt.get("type") != "output_text" or pt.get("text") != self.part["text"] or pt.get("annotations") != []:
                    self.p("event %d: content_part.done part %s, want output_text %r with annotations []" % (k, json.dumps(pt)[:200], str(self.part["text"])[:80]))
                self.part["done"] = True
        elif t == "response.output_item.done":
            if self.where(k, ev):
                it = ev.get("item") or {}
                if it.get("id") != self.open["id"] or it.get("type") != self.open["type"]:
                    self.p("event %d: output_item.done item id/type %r/%r, announced %r/%r" % (k, it.get("id"), it.get("type"), self.open["id"], self.open["type"]))
                if self.part is not None and not self.part["done"]:
                    self.p("event %d: output_item.done while content part %d is open" % (k, self.part["index"]))
                if self.open["type"] == "message":
                    want = [p["text"] for p in self.open["parts"]]
                    got = [p.get("text") for p in it.get("content") or [] if isinstance(p, dict)]
                    if got != want:
                        self.p("event %d: output_item.done content %r, the parts said %r" % (k, [str(g)[:40] for g in got], [str(w)[:40] for w in want]))
                if self.open["type"] in ("message", "function_call") and not isinstance(it.get("status"), str):
                    self.p("event %d: output_item.done %s item without status" % (k, self.open["type"]))
                self.items[self.open["index"]] = it
                self.open, self.part = None, None
        elif t == "response.function_call_arguments.delta":
            if self.where(k, ev):
                self.args.append(ev.get("delta") or "")
        elif t == "response.function_call_arguments.done":
            if self.where(k, ev) and self.args and ev.get("arguments") != "".join(self.args):
                self.p("event %d: function_call_arguments.done is not its deltas" % k)
        elif "output_index" in ev:
            self.where(k, ev)


def responses_problems(j, status=None, extra_prefix=None):
    """What is wrong with a Responses stream (a chat_client report j) by the
    event-sequence invariants (openai-wire §6.5/§6.6): response.created
    (in_progress, output []) then response.in_progress; per output item
    output_item.added, content_part.added, output_text.delta*,
    output_text.done, content_part.done, output_item.done with agreeing
    output_index/content_index/item_id and the deltas adding up; every
    event with its type and a strictly increasing sequence_number; exactly
    one terminal event, last, whose response is complete and agrees with
    the items streamed; nothing after it but comments. With status, the
    terminal status must be it. Event types starting with extra_prefix
    (e.g. "hermes.") are allowed where the client asked for them."""
    out = _sse_http_problems(j)
    evs = _events(j)
    if not evs:
        return out + ["no events"]
    seq = _Seq()
    last_sn, created, terms = None, None, []
    for k, (name, ev, raw) in enumerate(evs):
        if not isinstance(ev, dict):
            out.append("event %d: data is not a JSON object: %r" % (k, str(raw)[:200]))
            continue
        t = ev.get("type")
        if not isinstance(t, str):
            out.append("event %d has no type: %s" % (k, raw[:200]))
            continue
        if name is not None and name != t:
            out.append("event %d: event: %s but type %s" % (k, name, t))
        if t not in RESPONSE_EVENT_TYPES and not (extra_prefix and t.startswith(extra_prefix)):
            out.append("event %d: type %r is not a Responses event type" % (k, t))
        if "hermes_store" in raw:
            out.append("event %d (%s) shows the internal hermes_store member" % (k, t))
        sn = ev.get("sequence_number")
        if not isinstance(sn, int) or isinstance(sn, bool):
            out.append("event %d (%s) has no integer sequence_number" % (k, t))
        else:
            if last_sn is not None and sn <= last_sn:
                out.append("event %d (%s): sequence_number %d after %d" % (k, t, sn, last_sn))
            last_sn = sn
        if terms:
            out.append("event %d (%s) after the terminal event" % (k, t))
            continue
        if k == 0:
            r = ev.get("response")
            if t != "response.created":
                out.append("the first event is %s, want response.created" % t)
            elif not isinstance(r, dict) or r.get("output") != [] or r.get("status") != \
                    ("queued" if r.get("background") is True else "in_progress"):
                out.append("response.created does not carry an in_progress response with output [] (background: queued): %s" % raw[:300])
            else:
                created = r
                out.extend("response.created: " + p for p in response_problems(r, r.get("status")))
            continue
        if k == 1 and t != "response.in_progress":
            out.append("the second event is %s, want response.in_progress" % t)
        if t in ("response.created", "response.queued"):
            out.append("event %d: a second %s" % (k, t))
        if t == "error":
            out.append("event %d: an error event (want a response.failed terminal event): %s" % (k, raw[:200]))
        if t in RESPONSE_TERMINAL:
            terms.append((k, ev))
            continue
        if t == "response.in_progress":
            r = ev.get("response") or {}
            if created is not None and r.get("id") != created.get("id"):
                out.append("response.in_progress carries another id %r" % r.get("id"))
            continue
        seq.event(k, ev)
    out.extend(seq.out)
    if not terms:
        return out + ["no terminal event (response.completed/failed/incomplete)"]
    k, ev = terms[0]
    r = ev.get("response")
    want = RESPONSE_TERMINAL[ev["type"]]
    out.extend("%s: %s" % (ev["type"], p) for p in response_problems(r, want))
    if status is not None and want != status:
        out.append("terminal event %s, want response.%s" % (ev["type"], status))
    if not isinstance(r, dict):
        return out
    if created is not None and (r.get("id"), r.get("created_at"), r.get("model")) != \
            (created.get("id"), created.get("created_at"), created.get("model")):
        out.append("the terminal response's id/created_at/model differ from response.created's")
    if seq.open is not None and want == "completed":
        out.append("output %d is still open at response.completed" % seq.open["index"])
    outp = r.get("output") if isinstance(r.get("output"), list) else []
    got = [(it.get("id"), it.get("type")) for it in outp if isinstance(it, dict)]
    announced = [(it.get("id"), it.get("type")) if it else None for it in seq.items]
    if seq.open is not None:
        announced[seq.open["index"]] = (seq.open["id"], seq.open["type"])
    if got != announced:
        out.append("the terminal output %s is not the items streamed %s" % (got, announced))
    else:
        for i, it in enumerate(seq.items):
            if it and it.get("type") == "message" and _message_text(outp[i]) != _message_text(it):
                out.append("the terminal output[%d] text differs from its output_item.done" % i)
    # Nothing but comments (keepalives) after the terminal event's data line.
    lines = j.get("lines") or []
    at = [i for i, (_, ln) in enumerate(lines) if ln.startswith("data:") and '"%s"' % ev["type"] in ln]
    tail = [ln for _, ln in lines[at[-1] + 1:]] if at else []
    extra = [ln for ln in tail if ln and not ln.startswith(":")]
    if extra:
        out.append("lines after the terminal event: %r" % extra[:3])
    return out


def responses_final(j):
    """The response of the terminal event of a Responses stream report
    (None when there is none)."""
    for _, ev, _ in reversed(_events(j)):
        if isinstance(ev, dict) and ev.get("type") in RESPONSE_TERMINAL:
            return ev.get("response")
    return None


def responses_text(j):
    """The concatenated output_text deltas of a Responses stream report."""
    return "".join(ev.get("delta") or "" for _, ev, _ in _events(j)
                   if isinstance(ev, dict) and ev.get("type") == "response.output_text.delta")


# ---- command line -------------------------------------------------------------------

# ---- /v1/runs/{id}/events ----------------------------------------------------

RUN_TERMINAL = ("run.completed", "run.failed", "run.cancelled", "run.interrupted")


def run_events(text):
    """The complete events of raw SSE text (an event ends at a blank line; a
    cut-off last event is dropped): dicts {id, data (raw), json, comments
    (the comment lines before it)}; plus the comment lines after the last
    one as the element {"trailer": [...]}."""
    out, cur, comments = [], {"id": None, "data": []}, []
    for line in text.replace("\r\n", "\n").split("\n")[:-1]:
        if line == "":
            if cur["data"] or cur["id"] is not None:
                d = "\n".join(cur["data"])
                out.append({"id": cur["id"], "data": d, "json": _json_or_none(d), "comments": comments})
                comments = []
            cur = {"id": None, "data": []}
        elif line.startswith(":"):
            comments.append(line)
        elif line.startswith("id:"):
            cur["id"] = line[3:].strip()
        elif line.startswith("data:"):
            cur["data"].append(line[6:] if line.startswith("data: ") else line[5:])
    out.append({"trailer": comments})
    return out


def run_events_problems(text, terminal=None, first=None):
    evs = run_events(text)
    trailer = evs.pop()["trailer"]
    ps = []
    if not evs:
        return ["no event in the stream"]
    want = None if first is None else int(first)
    run_id = None
    terms = []
    for i, e in enumerate(evs):
        try:
            n = int(e["id"])
        except (TypeError, ValueError):
            ps.append("event %d: id %r is not a number" % (i, e["id"]))
            continue
        if want is not None and n != want:
            ps.append("event %d: id %d, want %d (ids must rise by exactly 1)" % (i, n, want))
        want = n + 1
        j = e["json"]
        if not isinstance(j, dict):
            ps.append("event %d (id %s): data is not a JSON object: %r" % (i, e["id"], e["data"][:200]))
            continue
        if not isinstance(j.get("event"), str) or not j["event"]:
            ps.append("event id %s: no event name" % e["id"])
        if not isinstance(j.get("timestamp"), (int, float)) or isinstance(j.get("timestamp"), bool):
            ps.append("event id %s: timestamp %r is not a number" % (e["id"], j.get("timestamp")))
        if run_id is None:
            run_id = j.get("run_id")
        if not isinstance(j.get("run_id"), str) or j.get("run_id") != run_id:
            ps.append("event id %s: run_id %r (first was %r)" % (e["id"], j.get("run_id"), run_id))
        if j.get("event") in RUN_TERMINAL:
            terms.append(i)
        if j.get("event") == "message.delta" and not isinstance(j.get("delta"), str):
            ps.append("event id %s: message.delta without a delta string" % e["id"])
    if len(terms) != 1:
        ps.append("%d terminal events, want exactly 1" % len(terms))
    elif terms[0] != len(evs) - 1:
        ps.append("the terminal event (id %s) is not the last" % evs[terms[0]]["id"])
    else:
        name = evs[-1]["json"].get("event")
        if terminal is not None and name != terminal:
            ps.append("terminal event %s, want %s" % (name, terminal))
        if ": stream closed" not in trailer:
            ps.append("no ': stream closed' after the terminal event (trailer %r)" % trailer)
    return ps


def _load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, path, rest = argv[0], argv[1], argv[2:]
    if cmd in ("runs", "rev"):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if cmd == "rev":
            for e in run_events(text)[:-1]:
                print("%s %s" % (e["id"], (e["json"] or {}).get("event") if isinstance(e["json"], dict) else None))
            return 0
        for p in run_events_problems(text, rest[0] if rest and rest[0] != "-" else None,
                                     rest[1] if len(rest) > 1 else None):
            print(p)
        return 0
    if cmd == "report":
        with open(path, encoding="utf-8", errors="replace") as f:
            json.dump(sse_report(f.read(), int(rest[0]), rest[1]), sys.stdout)
        return 0
    try:
        j = _load(path)
    except (OSError, ValueError) as e:
        with open(path, "rb") as f:
            print("not JSON (%s): %r" % (e, f.read()[:300]))
        return 0
    if cmd == "stream":
        problems = stream_problems(j, rest[:1] == ["usage"])
    elif cmd == "text":
        sys.stdout.write(stream_text(j))
        return 0
    elif cmd == "responses":
        problems = responses_problems(j, rest[0] if rest else None)
    elif cmd == "rtext":
        sys.stdout.write(responses_text(j))
        return 0
    elif cmd == "rfinal":
        print(json.dumps(responses_final(j), sort_keys=True))
        return 0
    elif cmd == "response":
        problems = response_problems(j, rest[0] if rest else None)
    elif cmd == "envelope":
        code = ANY if not rest else (None if rest[0] == "null" else rest[0])
        problems = envelope_problems(j, code)
    else:
        sys.exit("unknown command %r\n%s" % (cmd, __doc__))
    for p in problems:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
