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
As a module (tests put this directory on sys.path):
  sse_data(text), chunks(text), deltas(text)   over raw SSE text
  stream_problems(report, usage), stream_text(report), envelope_problems(j, code)
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


def stream_problems(j, usage=False):
    """What is wrong with a chat completion stream (a chat_client report j)
    by OpenAI's chunk rules: 200, text/event-stream, JSON chunks with one
    id/created/model/object, role first, one finish_reason on the last
    chunk with a choice, then the usage chunk when asked for, then [DONE]."""
    out = []
    if j.get("error"):
        out.append("client error: %s" % j["error"])
    if j.get("status") != 200:
        out.append("status %s, want 200" % j.get("status"))
    ct = j.get("headers", {}).get("content-type", "")
    if not ct.startswith("text/event-stream"):
        out.append("Content-Type %r, want text/event-stream" % ct)
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


# ---- command line -------------------------------------------------------------------

def _load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, path, rest = argv[0], argv[1], argv[2:]
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
