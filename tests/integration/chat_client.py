#!/usr/bin/env python3
# tests/integration/chat_client.py: the streaming client of chat_cases.sh.
# SPDX-License-Identifier: MIT
#
# chat_client.py URL KEY BODY-FILE OUT-JSON [options]
#   -H 'Name: value'       extra request header (repeatable)
#   --close-after-content  close the connection after the first content delta
#   --close-after-time S   close the connection S seconds after sending
#   --timeout S            give up reading after S seconds (default 60)
#   --close-after-events N close the connection after the N-th event
#   --get                  GET the URL (BODY-FILE is not read; may be -)
# Writes {"status", "headers": {lowercased: value}, "body" (text),
#         "lines": [[t, line], ...], "events": [{"t", "event", "data"}],
#         "t_headers", "t_end", "closed_early", "error"} to OUT-JSON.
# Times are seconds since the request was sent.
import http.client, json, socket, sys, time, urllib.parse

url, key, body_file, out = sys.argv[1:5]
extra, close_after, timeout, close_time = [], False, 60.0, None
close_events, method = None, "POST"
args = sys.argv[5:]
i = 0
while i < len(args):
    if args[i] == "-H":
        extra.append(args[i + 1]); i += 2
    elif args[i] == "--close-after-content":
        close_after = True; i += 1
    elif args[i] == "--close-after-time":
        close_time = float(args[i + 1]); i += 2
    elif args[i] == "--close-after-events":
        close_events = int(args[i + 1]); i += 2
    elif args[i] == "--get":
        method = "GET"; i += 1
    elif args[i] == "--timeout":
        timeout = float(args[i + 1]); i += 2
    else:
        sys.exit("unknown option " + args[i])
u = urllib.parse.urlsplit(url)
body = open(body_file, "rb").read() if method == "POST" else None
hdrs = {"Content-Type": "application/json", "Accept": "*/*"}
if key:
    hdrs["Authorization"] = "Bearer " + key
for h in extra:
    n, v = h.split(":", 1)
    hdrs[n.strip()] = v.strip()
res = {"status": None, "headers": {}, "body": "", "lines": [], "events": [],
       "t_headers": None, "t_end": None, "closed_early": False, "error": None}
t0 = time.monotonic()
conn = http.client.HTTPConnection(u.hostname, u.port,
                                  timeout=close_time if close_time else timeout)
try:
    conn.request(method, u.path + (("?" + u.query) if u.query else ""), body, hdrs)
    r = conn.getresponse()
    res["t_headers"] = time.monotonic() - t0
    res["status"] = r.status
    for n, v in r.getheaders():
        res["headers"][n.lower()] = v
    ctype = res["headers"].get("content-type", "")
    if ctype.startswith("text/event-stream"):
        ev = {"event": None, "data": []}
        while True:
            if close_time:
                # A deadline for the whole exchange, not per read: comment
                # lines (keepalives) must not extend it.
                left = close_time - (time.monotonic() - t0)
                if left <= 0:
                    raise socket.timeout("closing as asked")
                conn.sock.settimeout(left)
            line = r.readline()
            if not line:
                break
            t = time.monotonic() - t0
            s = line.decode("utf-8", "replace").rstrip("\r\n")
            res["lines"].append([round(t, 4), s])
            if s == "":
                if ev["data"] or ev["event"]:
                    d = "\n".join(ev["data"])
                    res["events"].append({"t": round(ev["t"], 4), "event": ev["event"], "data": d})
                    if close_events and len(res["events"]) >= close_events:
                        stop = True
                    elif close_after and not res["closed_early"]:
                        try:
                            j = json.loads(d)
                            stop = bool(j["choices"][0]["delta"].get("content"))
                        except Exception:
                            stop = False
                    else:
                        stop = False
                    if stop:
                        res["closed_early"] = True
                        # Close hard (RST avoided: a normal FIN).
                        try:
                            conn.sock.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
                        conn.close()
                        break
                ev = {"event": None, "data": []}
                continue
            if s.startswith(":"):
                continue
            if "t" not in ev:
                ev["t"] = t
            if s.startswith("event:"):
                ev["event"] = s[6:].lstrip(" ")
            elif s.startswith("data:"):
                ev["data"].append(s[5:][1:] if s[5:].startswith(" ") else s[5:])
    else:
        res["body"] = r.read().decode("utf-8", "replace")
except socket.timeout as e:
    if close_time:
        res["closed_early"] = True
    else:
        res["error"] = "timeout: %s" % e
except Exception as e:
    res["error"] = "%s: %s" % (type(e).__name__, e)
res["t_end"] = round(time.monotonic() - t0, 4)
try:
    conn.close()
except Exception:
    pass
json.dump(res, open(out, "w"))
