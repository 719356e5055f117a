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

# ---- driving the agent through `hermesctl chat` ------------------------------

# agent_env: a fresh HERMES_HOME and the upstream settings for hermesctl.
agent_env() {
	export HERMES_HOME="$TAP_TMP/home"
	mkdir -p "$HERMES_HOME" && chmod 700 "$HERMES_HOME"
	export OPENAI_BASE_URL="$UPSTREAM_URL" OPENAI_API_KEY=k HERMES_MODEL=test-model
}

# chat [hermesctl chat args]: stdout to $TAP_TMP/out, stderr to $TAP_TMP/err.
chat() { "$HERMESCTL" chat "$@" >"$TAP_TMP/out" 2>"$TAP_TMP/err"; }

# call ID NAME ARGS-JSON: a scripted step asking for one tool call.
call() {
	printf '{"tool_calls":[{"id":"%s","name":"%s","arguments":%s}]}' "$1" "$2" "$3"
}

# tool_result N ID: content of tool message ID in the upstream's request N.
tool_result() {
	upstream_requests | jq_py "[m['content'] for m in d[$1]['body']['messages'] if m.get('tool_call_id') == '$2'][0]"
}

# session_of: the session id the last chat printed.
session_of() { sed -n 's/^\[session \([^:]*\):.*/\1/p' "$TAP_TMP/err" | tail -1; }
