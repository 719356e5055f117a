# tests/integration/upstream.sh: start and drive tests/upstream/upstream.py
# from shell tests. Source after tap.sh (needs TAP_TMP).
# SPDX-License-Identifier: MIT
UPSTREAM_PY="$top_srcdir/tests/upstream/upstream.py"
PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}

# start_upstream [args...]: sets UPSTREAM_PID, UPSTREAM_PORT, UPSTREAM_URL (…/v1).
start_upstream() {
	rm -f "$TAP_TMP/upstream.port"
	"$PYTHON" "$UPSTREAM_PY" --port 0 --port-file "$TAP_TMP/upstream.port" \
		--log "$TAP_TMP/upstream.log" "$@" 2>>"$TAP_TMP/upstream.err" &
	UPSTREAM_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$TAP_TMP/upstream.port" ] && break
		sleep 0.1
	done
	UPSTREAM_PORT=$(cat "$TAP_TMP/upstream.port" 2>/dev/null)
	UPSTREAM_URL="http://127.0.0.1:$UPSTREAM_PORT/v1"
	trap 'kill "$UPSTREAM_PID" 2>/dev/null; wait "$UPSTREAM_PID" 2>/dev/null; rm -rf "$TAP_TMP"' EXIT
	[ -n "$UPSTREAM_PORT" ]
}

# script_upstream 'JSON list of steps': replace the queue and the records.
script_upstream() {
	curl -sf -X POST "http://127.0.0.1:$UPSTREAM_PORT/__reset" >/dev/null &&
		curl -sf -X POST --data-binary "$1" "http://127.0.0.1:$UPSTREAM_PORT/__script" >/dev/null
}

# upstream_requests: the recorded requests as a JSON list.
upstream_requests() {
	curl -sf "http://127.0.0.1:$UPSTREAM_PORT/__requests"
}

# jq_py 'python expression over d' < json: evaluate with d = parsed stdin.
jq_py() {
	"$PYTHON" -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
