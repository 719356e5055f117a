#!/usr/bin/env python3
# tests/upstream/upstream.py: a scripted OpenAI-compatible upstream LLM
# server for the hermes-fcgi tests. Standard library only.
#
#   python3 tests/upstream/upstream.py --port 0 --port-file FILE \
#       [--log FILE] [--script FILE] [--require-key K] [--verbose]
#
# Chat requests consume "steps" from a FIFO queue that the test loads with
# POST /__script (or --script FILE); see tests/upstream/README.md for the
# step format and the control endpoints.
# SPDX-License-Identifier: MIT
"""Scripted OpenAI-compatible upstream server for tests."""

import argparse
import json
import os
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Set on SIGTERM/SIGINT: every sleep wakes up and open streams are dropped.
STOP = threading.Event()

DEFAULT_STEP = {"reply": "ok"}
DEFAULT_MODEL = "test-model"
COMPLETION_ID = "chatcmpl-test"

MODELS = {
    "object": "list",
    "data": [{"id": DEFAULT_MODEL, "object": "model", "created": 0,
              "owned_by": "test"}],
}

# Default (type, code) of the error envelope for a scripted HTTP status,
# close to what api.openai.com sends. A step may override both.
ERROR_KINDS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    502: ("server_error", "bad_gateway"),
    503: ("server_error", "service_unavailable"),
    504: ("server_error", "timeout"),
}


class Aborted(Exception):
    """The handler dropped the connection on purpose; stop processing."""


def error_envelope(status, message, etype=None, code=None):
    """OpenAI-style {"error": {...}} body for an HTTP error status."""
    dtype, dcode = ERROR_KINDS.get(
        status,
        ("server_error" if status >= 500 else "invalid_request_error", None))
    return {"error": {"message": message,
                      "type": etype if etype is not None else dtype,
                      "param": None,
                      "code": code if code is not None else dcode}}


def split_pieces(text, size):
    """Split text into consecutive pieces of at most size characters."""
    size = max(1, int(size))
    return [text[i:i + size] for i in range(0, len(text), size)]


def compact(obj):
    """JSON without spaces, as most providers send it."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def validate_steps(steps):
    """A JSON list of step objects (one bare object is accepted as a list)."""
    if isinstance(steps, dict):
        steps = [steps]
    if not isinstance(steps, list) or \
            not all(isinstance(s, dict) for s in steps):
        raise ValueError("expected a JSON list of step objects")
    return steps


class State:
    """The script queue and the request records, shared by all threads."""

    def __init__(self, log_path=None):
        self.lock = threading.Lock()
        self.queue = []
        self.records = []
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None

    def set_script(self, steps, append=False):
        with self.lock:
            if not append:
                self.queue = []
            self.queue.extend(steps)
            return len(self.queue)

    def pending(self):
        with self.lock:
            return list(self.queue)

    def take_step(self, texts):
        """Remove and return the step for a chat request whose body text
        (in the spellings given by texts) is searched for "match" strings.

        The first step whose "match" occurs in the body wins; otherwise the
        first step without "match"; otherwise the default step."""
        with self.lock:
            for i, step in enumerate(self.queue):
                m = step.get("match")
                if m is not None and any(str(m) in t for t in texts):
                    return self.queue.pop(i)
            for i, step in enumerate(self.queue):
                if step.get("match") is None:
                    return self.queue.pop(i)
        return dict(DEFAULT_STEP)

    def record(self, rec):
        with self.lock:
            self.records.append(rec)
            if self.log:
                self.log.write(json.dumps(rec, ensure_ascii=False) + "\n")
                self.log.flush()

    def snapshot(self):
        with self.lock:
            return list(self.records)

    def reset(self):
        with self.lock:
            self.queue = []
            self.records = []


class Handler(BaseHTTPRequestHandler):
    """One HTTP/1.1 connection; persistent unless the client or a step
    says otherwise. Every response carries Content-Length or is chunked."""

    protocol_version = "HTTP/1.1"
    server_version = "hermes-test-upstream/1.0"

    def version_string(self):
        return self.server_version

    # ---- plumbing -------------------------------------------------------

    def setup(self):
        super().setup()
        # Send every SSE chunk as soon as it is written.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP,
                                       socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, fmt, *args):  # noqa: N802 (stdlib name)
        if self.server.verbose:
            super().log_message(fmt, *args)

    @property
    def state(self):
        return self.server.state

    def do_GET(self):  # noqa: N802
        self._dispatch()

    def do_POST(self):  # noqa: N802
        self._dispatch()

    def do_PUT(self):  # noqa: N802
        self._dispatch()

    def do_DELETE(self):  # noqa: N802
        self._dispatch()

    def _read_body(self):
        """The request body, de-chunked; b"" if there is none."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ValueError("truncated chunked body")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    # Skip optional trailers up to the blank line.
                    while True:
                        line = self.rfile.readline(65537)
                        if line in (b"\r\n", b"\n", b""):
                            break
                    return b"".join(parts)
                data = self.rfile.read(size)
                if len(data) != size:
                    raise ValueError("truncated chunk")
                parts.append(data)
                self.rfile.readline(65537)  # CRLF after the chunk data
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        data = self.rfile.read(length) if length else b""
        if len(data) != length:
            raise ValueError("truncated body")
        return data

    def _make_record(self, raw):
        headers = {}
        for k, v in self.headers.items():
            k = k.lower()
            headers[k] = headers[k] + ", " + v if k in headers else v
        body = raw_body = None
        if raw:
            text = raw.decode("utf-8", "replace")
            try:
                body = json.loads(text)
            except ValueError:
                raw_body = text
        return {"method": self.command, "path": self.path,
                "headers": headers, "body": body, "raw_body": raw_body,
                "time": time.time()}

    def _sleep(self, seconds):
        """Sleep, but drop the connection at once if the server stops."""
        seconds = float(seconds or 0)
        if seconds > 0:
            STOP.wait(seconds)
        if STOP.is_set():
            self._abort()

    def _abort(self):
        """Reset the connection: SO_LINGER 0 makes close() send an RST
        instead of a FIN, so the client sees a broken transfer."""
        try:
            self.rfile.close()  # drop its reference so close() frees the fd
        except OSError:
            pass
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass
        raise Aborted()

    def _wait_for_disconnect(self):
        """Send nothing and return once the client closes the connection
        (or the server stops). Never writes, so idle timeouts can fire."""
        sock = self.connection
        while not STOP.is_set():
            try:
                readable, _, _ = select.select([sock], [], [], 0.5)
                if not readable:
                    continue
                if not sock.recv(1, socket.MSG_PEEK):
                    return  # orderly close by the client
            except (OSError, ValueError):
                return  # reset, or the socket is gone
            STOP.wait(0.5)  # the client sent data: ignore it, don't spin

    def _start(self, status, content_type, extra=None, length=None):
        """Status line and headers. length=None means a streamed body:
        chunked for HTTP/1.1 clients, close-delimited for HTTP/1.0."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
            self._chunked = False
        elif self.request_version == "HTTP/1.0":
            self.send_header("Connection", "close")
            self.close_connection = True
            self._chunked = False
        else:
            self.send_header("Transfer-Encoding", "chunked")
            self._chunked = True
        for k, v in (extra or {}).items():
            self.send_header(str(k), str(v))
        self.end_headers()  # flushes the headers to the socket

    def _write_chunk(self, data):
        """One piece of a streamed body, written and sent immediately."""
        if not data:
            return
        if self._chunked:
            data = b"%x\r\n" % len(data) + data + b"\r\n"
        self.wfile.write(data)

    def _end_chunks(self):
        if self._chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _send_body(self, status, content_type, body, extra=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self._start(status, content_type, extra, length=len(body))
        self.wfile.write(body)

    def _send_json(self, status, obj, extra=None):
        self._send_body(status, "application/json", compact(obj), extra)

    def _send_error(self, status, message, etype=None, code=None,
                    extra=None):
        self._send_json(status, error_envelope(status, message, etype, code),
                        extra)

    # ---- routing --------------------------------------------------------

    def _dispatch(self):
        path = self.path.split("?", 1)[0]
        try:
            try:
                raw = self._read_body()
            except ValueError as e:
                self.close_connection = True
                self._send_error(400, "bad request body: %s" % e)
                return
            # Control endpoints (/__*) are not recorded.
            if not path.startswith("/__"):
                self.state.record(self._make_record(raw))
            route = ROUTES.get((self.command, path))
            if route is None:
                self._send_error(404, "Unknown request URL: %s %s"
                                 % (self.command, path))
                return
            route(self, raw)
        except Aborted:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError,
                ConnectionAbortedError):
            self.close_connection = True  # the client went away

    def _authorized(self):
        """With --require-key K, OpenAI endpoints want "Bearer K"."""
        key = self.server.require_key
        if key is None or \
                self.headers.get("Authorization", "") == "Bearer " + key:
            return True
        self._send_error(401, "Incorrect API key provided.")
        return False

    # ---- control endpoints ----------------------------------------------

    def h_health(self, raw):
        self._send_body(200, "text/plain", "ok")

    def _load_steps(self, raw, append):
        try:
            steps = validate_steps(json.loads(raw.decode("utf-8") or "null"))
        except ValueError as e:
            self._send_error(400, str(e))
            return
        n = self.state.set_script(steps, append=append)
        self._send_json(200, {"queued": n})

    def h_script(self, raw):
        self._load_steps(raw, append=False)

    def h_append(self, raw):
        self._load_steps(raw, append=True)

    def h_queue(self, raw):
        self._send_json(200, self.state.pending())

    def h_requests(self, raw):
        self._send_json(200, self.state.snapshot())

    def h_reset(self, raw):
        self.state.reset()
        self._send_json(200, {"reset": True})

    # ---- OpenAI endpoints -----------------------------------------------

    def h_models(self, raw):
        if self._authorized():
            self._send_json(200, self.server.models or MODELS)

    def h_chat(self, raw):
        if not self._authorized():
            return
        text = raw.decode("utf-8", "replace")
        try:
            req = json.loads(text)
            if not isinstance(req, dict):
                raise ValueError("not an object")
        except ValueError:
            self._send_error(400, "We could not parse the JSON body of "
                             "your request.")
            return
        # "match" strings are looked for in the body as sent and in an
        # unescaped spelling (non-ASCII text may arrive as \uXXXX).
        step = self.state.take_step([text, compact(req)])
        model = req.get("model") or DEFAULT_MODEL
        stream = req.get("stream") is True
        opts = req.get("stream_options")
        include_usage = isinstance(opts, dict) and \
            opts.get("include_usage") is True

        self._sleep(step.get("first_delay"))
        extra = step.get("headers") or {}
        if "raw" in step:
            self._reply_raw(step, extra)
            return
        status = int(step.get("status", 200))
        if status >= 400:
            self._send_error(status, step.get("message", "scripted error"),
                             step.get("type"), step.get("code"), extra)
            return
        if stream:
            self._reply_stream(step, model, include_usage, status, extra)
        else:
            self._reply_json(step, model, status, extra)

    # ---- step rendering -------------------------------------------------

    @staticmethod
    def _step_parts(step):
        """(reply text or None, reasoning or None, tool calls, finish
        reason, usage) of a step, with defaults filled in."""
        calls = []
        for i, tc in enumerate(step.get("tool_calls") or []):
            fn = tc.get("function") or {}  # OpenAI spelling also accepted
            args = tc.get("arguments", fn.get("arguments", ""))
            if not isinstance(args, str):
                args = compact(args)
            calls.append({"id": tc.get("id") or "call_%d" % (i + 1),
                          "name": tc.get("name") or fn.get("name") or "tool",
                          "arguments": args})
        text = step.get("reply")
        if text is None and not calls:
            text = DEFAULT_STEP["reply"]
        reasoning = step.get("reasoning")
        finish = step.get("finish_reason") or \
            ("tool_calls" if calls else "stop")
        usage = dict(step.get("usage") or {})
        usage.setdefault("prompt_tokens", 10)
        usage.setdefault("completion_tokens", 5)
        usage.setdefault("total_tokens",
                         usage["prompt_tokens"] + usage["completion_tokens"])
        return text, reasoning, calls, finish, usage

    def _reply_json(self, step, model, status, extra):
        """A non-streaming chat.completion."""
        text, reasoning, calls, finish, usage = self._step_parts(step)
        message = {"role": "assistant", "content": text}
        if reasoning is not None:
            message["reasoning_content"] = reasoning
        if calls:
            message["tool_calls"] = [
                {"id": c["id"], "type": "function",
                 "function": {"name": c["name"],
                              "arguments": c["arguments"]}}
                for c in calls]
        body = compact({
            "id": COMPLETION_ID, "object": "chat.completion", "created": 0,
            "model": model,
            "choices": [{"index": 0, "message": message,
                         "finish_reason": finish}],
            "usage": usage}).encode("utf-8")
        if step.get("reset_after") is not None:
            self._abort()  # nothing is sent at all
        self._start(status, "application/json", extra, length=len(body))
        if step.get("never_end"):
            # Headers promise a body that never comes.
            self._wait_for_disconnect()
            self.close_connection = True
            return
        self._sleep(step.get("delay"))
        self.wfile.write(body)

    def _reply_stream(self, step, model, include_usage, status, extra):
        """A chat.completion.chunk SSE stream."""
        text, reasoning, calls, finish, usage = self._step_parts(step)
        size = step.get("chunk_size", 4)

        def chunk(delta, finish_reason=None):
            return {"id": COMPLETION_ID, "object": "chat.completion.chunk",
                    "created": 0, "model": model,
                    "choices": [{"index": 0, "delta": delta,
                                 "finish_reason": finish_reason}]}

        events = [chunk({"role": "assistant"})]
        if step.get("malformed"):
            events.append(b"data: {not json\n\n")
        else:
            for piece in split_pieces(reasoning or "", size):
                events.append(chunk({"reasoning_content": piece}))
            for piece in split_pieces(text or "", size):
                events.append(chunk({"content": piece}))
            for i, c in enumerate(calls):
                events.append(chunk({"tool_calls": [{
                    "index": i, "id": c["id"], "type": "function",
                    "function": {"name": c["name"], "arguments": ""}}]}))
                for piece in split_pieces(c["arguments"], size):
                    events.append(chunk({"tool_calls": [{
                        "index": i, "function": {"arguments": piece}}]}))
            events.append(chunk({}, finish))
            if include_usage:
                events.append({"id": COMPLETION_ID,
                               "object": "chat.completion.chunk",
                               "created": 0, "model": model,
                               "choices": [], "usage": usage})
        events = [e if isinstance(e, bytes)
                  else b"data: " + compact(e).encode("utf-8") + b"\n\n"
                  for e in events]

        headers = {"Cache-Control": "no-cache"}
        headers.update(extra)
        self._start(status, "text/event-stream", headers)
        delay = step.get("delay")
        if step.get("never_end"):
            self._sleep(delay)
            self._write_chunk(events[0])
            self._wait_for_disconnect()
            self.close_connection = True
            return
        reset_after = step.get("reset_after")
        for n, event in enumerate(events):
            if reset_after is not None and n >= int(reset_after):
                self._abort()
            self._sleep(delay)
            self._write_chunk(event)
        if reset_after is not None:
            self._abort()  # never send [DONE] nor the last chunk
        self._sleep(delay)
        self._write_chunk(b"data: [DONE]\n\n")
        self._end_chunks()

    def _reply_raw(self, step, extra):
        """The step's "raw" body as-is: a string with Content-Length, or a
        list of strings sent as separate flushed chunks."""
        raw = step["raw"]
        status = int(step.get("status", 200))
        ctype = step.get("content_type", "text/plain")
        if isinstance(raw, list):
            self._start(status, ctype, extra)
            reset_after = step.get("reset_after")
            for n, piece in enumerate(raw):
                if reset_after is not None and n >= int(reset_after):
                    self._abort()
                self._sleep(step.get("delay"))
                self._write_chunk(str(piece).encode("utf-8"))
            if reset_after is not None:
                self._abort()
            self._end_chunks()
        else:
            self._sleep(step.get("delay"))
            self._send_body(status, ctype, str(raw), extra)


ROUTES = {
    ("GET", "/v1/models"): Handler.h_models,
    ("GET", "/models"): Handler.h_models,
    ("POST", "/v1/chat/completions"): Handler.h_chat,
    ("POST", "/chat/completions"): Handler.h_chat,
    ("GET", "/__health"): Handler.h_health,
    ("POST", "/__script"): Handler.h_script,
    ("GET", "/__script"): Handler.h_queue,
    ("POST", "/__append"): Handler.h_append,
    ("GET", "/__requests"): Handler.h_requests,
    ("POST", "/__reset"): Handler.h_reset,
}


class Server(ThreadingHTTPServer):
    # Connection threads never hold up exit (never_end streams included).
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def server_bind(self):
        # HTTPServer.server_bind() calls getfqdn(), a reverse DNS lookup
        # that can stall start-up; the name is not needed.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


def write_port_file(path, port):
    """Write the port so that readers never see a partial file."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Scripted OpenAI-compatible upstream for tests.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0,
                    help="port to bind; 0 picks a free one")
    ap.add_argument("--port-file", help="write the bound port here")
    ap.add_argument("--log", help="append each request as a JSON line")
    ap.add_argument("--script", help="JSON file with the initial steps")
    ap.add_argument("--require-key", metavar="K",
                    help='answer 401 unless "Authorization: Bearer K"')
    ap.add_argument("--verbose", action="store_true",
                    help="log requests and handler errors to stderr")
    ap.add_argument("--models", metavar="ID,ID",
                    help="model ids GET /v1/models lists (default test-model)")
    args = ap.parse_args(argv)

    state = State(args.log)
    if args.script:
        with open(args.script, encoding="utf-8") as f:
            state.set_script(validate_steps(json.load(f)))

    server = Server((args.host, args.port), Handler)
    server.state = state
    server.require_key = args.require_key
    server.verbose = args.verbose
    server.models = None
    if args.models:
        server.models = {"object": "list", "data": [
            {"id": m, "object": "model", "created": 0, "owned_by": "test"}
            for m in args.models.split(",") if m]}

    def on_signal(signum, frame):
        STOP.set()
        # shutdown() waits for serve_forever(), which runs in this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    if args.port_file:
        write_port_file(args.port_file, server.server_address[1])
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
