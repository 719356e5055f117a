#!/usr/bin/env bash
# bench/run-events.sh: how long a run event takes from being written to the
# store to reaching the readers of GET /v1/runs/{id}/events.
#
# Starts the shipped lighttpd config (lighttpd/lighttpd.conf.in, rendered by
# lighttpd/render.sh) with hermes-fcgi on a free 127.0.0.1 port and a scratch
# HERMES_HOME, creates the store through one request, then inserts a run
# row and EVENTS message.delta rows into state.db itself (Python's sqlite3,
# one short transaction each, GAP_MS apart, the way the runner's worker
# writes them), while READERS clients tail the run's events. Each event's
# latency is the time from its row's COMMIT to the arrival of its data: line
# at a reader. A run.completed row ends the stream. Prints the count, the
# median, p95 and maximum per reader and over all readers, in ms. No runner
# or upstream is involved: this is the responder's tail (its PRAGMA
# data_version / wake-up polling) alone.
#
# Usage: bench/run-events.sh [BUILD_DIR]            (see bench/README.md)
#   Environment: EVENTS (200) GAP_MS (20) READERS (2) MAXPROCS (4)
#                LIGHTTPD (lighttpd binary) BENCH_KEEP=1 keeps the scratch dir
# Exit status: 0 when every reader got every event in order, 1 otherwise or
# when something did not start, 2 on bad usage. Timing is reported, never
# judged. Only processes this script started are signalled, by pid.
# SPDX-License-Identifier: MIT
set -u

bench_name=run-events.sh
MAXPROCS=${MAXPROCS:-4}
MOUNT= # the readers below speak to the site root
# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_args "$@"
EVENTS=${EVENTS:-200}
GAP_MS=${GAP_MS:-20}
READERS=${READERS:-2}
PYTHON=${PYTHON:-python3}

need_lighttpd
"$PYTHON" -c 'import sqlite3' 2>/dev/null || die "$PYTHON with sqlite3 not found (set PYTHON)"
if is_sanitized "$HERMES_FCGI"; then
	echo "run-events.sh: note: $HERMES_FCGI is a sanitizer build; the figures include the sanitizer" >&2
fi

bench_scratch
bench_home
start_server "$HERMES_FCGI" hermes
# Any runs request opens (and migrates) state.db.
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -H "Authorization: Bearer $key" \
	"$(url "$port" '/v1/runs?limit=1')" 2>/dev/null)
[ "$code" = 200 ] || { tail -n 20 "$state/error.log" >&2 2>/dev/null; die "GET /v1/runs answered '${code:-nothing}'"; }
[ -f "$home/state.db" ] || die "no $home/state.db after a request"

"$PYTHON" - "$home/state.db" "http://127.0.0.1:$port" "$key" "$EVENTS" "$GAP_MS" "$READERS" <<'PY'
import http.client, json, os, sqlite3, statistics, sys, threading, time
db, base, key, n, gap, nread = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]) / 1000, int(sys.argv[6])
run_id = "run_" + os.urandom(16).hex()
con = sqlite3.connect(db, timeout=10, isolation_level=None)
now = time.time()
con.execute("INSERT INTO runs (id, status, session_id, model, created_at, updated_at) VALUES (?, 'running', ?, 'bench', ?, ?)",
            (run_id, run_id, now, now))
host, port = base.split("//")[1].split(":")
arrivals = [dict() for _ in range(nread)]
errors = []

def reader(i):
    try:
        c = http.client.HTTPConnection(host, int(port), timeout=60)
        c.request("GET", "/v1/runs/%s/events" % run_id, headers={"Authorization": "Bearer " + key})
        r = c.getresponse()
        if r.status != 200:
            errors.append("reader %d: status %d %r" % (i, r.status, r.read(300)))
            return
        cur = None
        while True:
            line = r.fp.readline()
            if not line:
                break
            t = time.time()
            line = line.decode("utf-8", "replace").rstrip("\r\n")
            if line.startswith("id:"):
                cur = int(line[3:].strip())
            elif line.startswith("data:") and cur is not None:
                arrivals[i][cur] = t
            elif line == ": stream closed":
                break
    except Exception as e:
        errors.append("reader %d: %r" % (i, e))

threads = [threading.Thread(target=reader, args=(i,)) for i in range(nread)]
for t in threads:
    t.start()
time.sleep(0.5)  # the readers are connected and tailing
written = {}
for seq in range(1, n + 2):
    ts = time.time()
    ev = {"event": "message.delta", "run_id": run_id, "timestamp": ts, "delta": "x%d " % seq}
    if seq == n + 1:
        ev = {"event": "run.completed", "run_id": run_id, "timestamp": ts, "output": "", "usage": None}
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO run_events (run_id, seq, event, created_at) VALUES (?, ?, ?, ?)",
                (run_id, seq, json.dumps(ev), ts))
    if seq == n + 1:
        con.execute("UPDATE runs SET status = 'completed', last_event = 'run.completed', updated_at = ? WHERE id = ?", (ts, run_id))
    con.execute("COMMIT")
    written[seq] = time.time()
    time.sleep(gap)
for t in threads:
    t.join(60)

def stats(xs):
    xs = sorted(xs)
    if not xs:
        return "no events"
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return "n=%d median=%.1f ms p95=%.1f ms max=%.1f ms" % (len(xs), statistics.median(xs), p95, xs[-1])

bad = bool(errors)
for e in errors:
    print(e)
every = []
for i, a in enumerate(arrivals):
    lat = [(a[s] - written[s]) * 1000 for s in sorted(a) if s in written]
    every += lat
    if sorted(a) != list(range(1, n + 2)):
        bad = True
        print("reader %d: got ids %s..., want 1..%d" % (i, sorted(a)[:5], n + 1))
    print("reader %d: %s" % (i, stats(lat)))
print("all readers (%d events, %g ms apart, %d readers): %s" % (n + 1, gap * 1000, nread, stats(every)))
sys.exit(1 if bad else 0)
PY
