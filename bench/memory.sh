#!/usr/bin/env bash
# bench/memory.sh: what each process of a hermes-fcgi set-up holds in memory.
#
# Starts the shipped lighttpd config (lighttpd/lighttpd.conf.in, rendered by
# lighttpd/render.sh) with MAXPROCS responders on a free 127.0.0.1 port, a
# scratch HERMES_HOME, the scripted upstream (tests/upstream/upstream.py)
# as the LLM, and the runner (hermesctl runner start). Then it drives the
# set-up through a chat turn, a streamed chat turn, a Responses turn, TURNS
# more mixed turns (tool calls, streams, chained stored responses) and a
# run whose upstream answer streams slowly, and reads /proc/PID/smaps_rollup
# of each process at each stage: RSS, PSS (shared pages divided among the
# processes that map them; the PSS of all processes adds up to what they
# use together) and Private_Dirty (pages only this process wrote: what it
# costs beyond the shared libraries). Prints a markdown table, then a
# second one "at the caps": the peak (VmHWM, reset first) of each process
# that handled a request near the 10 MB body cap (chat, a stored response,
# a run's admission, its worker with compression on and off, the daemon's
# claim) and what that added.
#
# Usage: bench/memory.sh [BUILD_DIR]                (see bench/README.md)
#   BUILD_DIR     where hermes-fcgi, hermesctl and hermes-runner were built
#                 (default: the source tree); HERMES_FCGI / HERMESCTL override.
#   Environment:  TURNS (20) MAXPROCS (2) QUICK=1 (TURNS=2, shorter waits:
#                 the test's mode) LIGHTTPD PYTHON (python3)
#                 BENCH_KEEP=1 keeps the scratch dir (configs, logs)
# Exit status: 0 when every stage ran and every process was measured, 1
# otherwise or when something did not start, 2 on bad usage. The figures
# are reported, never judged. Only processes this script started are
# signalled, by pid (the runner through `hermesctl runner stop`).
# SPDX-License-Identifier: MIT
set -u

bench_name=memory.sh
# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_args "$@"
HERMESCTL=${HERMESCTL:-$builddir/hermesctl}
PYTHON=${PYTHON:-python3}
QUICK=${QUICK:-}
if [ -n "$QUICK" ]; then
	TURNS=${TURNS:-2}
else
	TURNS=${TURNS:-20}
fi
case $TURNS in '' | *[!0-9]*) echo "$bench_name: TURNS must be a number" >&2; exit 2 ;; esac

need_lighttpd
"$PYTHON" -c 'import http.server' 2>/dev/null || die "$PYTHON not found (set PYTHON)"
[ -x "$HERMESCTL" ] || die "no hermesctl at $HERMESCTL (build it, or set HERMESCTL)"
[ -x "$(dirname "$HERMESCTL")/hermes-runner" ] || die "no hermes-runner next to $HERMESCTL"
[ -r /proc/self/smaps_rollup ] || die "/proc/PID/smaps_rollup not available (Linux 4.14 or later)"
sanitized=no
if is_sanitized "$HERMES_FCGI"; then
	sanitized=yes
	echo "$bench_name: note: $HERMES_FCGI is a sanitizer build; the figures measure the sanitizer too" >&2
fi

bench_scratch
bench_home
runner_pid=""

# ---- the scripted upstream ----------------------------------------------------
"$PYTHON" "$srcdir/tests/upstream/upstream.py" --port 0 --port-file "$tmp/upstream.port" \
	</dev/null >"$tmp/upstream.log" 2>&1 &
bench_pids="$bench_pids $!"
for _ in $(seq 1 200); do
	[ -s "$tmp/upstream.port" ] && break
	sleep 0.05
done
[ -s "$tmp/upstream.port" ] || die "upstream.py did not start: $(cat "$tmp/upstream.log")"
up="http://127.0.0.1:$(cat "$tmp/upstream.port")"
cat >>"$home/.env" <<EOF
OPENAI_BASE_URL=$up/v1
OPENAI_API_KEY=bench
HERMES_MODEL=test-model
EOF

upstream_script() { # JSON list of steps: replaces the queue
	printf '%s' "$1" | curl -sf -X POST --data-binary @- "$up/__script" >/dev/null ||
		die "upstream.py refused a script"
}
upstream_reset() { # empty queue, no records (they hold whole request bodies)
	curl -sf -X POST "$up/__reset" >/dev/null || die "upstream.py refused a reset"
}
upstream_count() { # chat requests the upstream has seen since the last reset
	curl -sf "$up/__requests" | "$PYTHON" -c 'import json, sys; print(len(json.load(sys.stdin)))'
}
tool_call() { # id: a step asking for the memory tool (read: no side effect)
	printf '{"tool_calls":[{"id":"%s","name":"memory","arguments":"{\\"action\\":\\"read\\"}"}]}' "$1"
}
# A reply of about 1,600 characters, streamed in 8-character pieces.
long_reply=$(printf 'The quick brown fox jumps over the lazy dog. %.0s' $(seq 1 36))

# ---- requests -----------------------------------------------------------------
# api METHOD PATH [BODY]: the answer's body in $tmp/resp; prints the status.
RESP=$tmp/resp # where api leaves the body (one file per client)
api() {
	local args=(-s -o "$RESP" -w '%{http_code}' -m 120 -X "$1"
		-H "Authorization: Bearer $key" -H 'Content-Type: application/json')
	[ $# -ge 3 ] && args+=(--data-binary "$3")
	curl "${args[@]}" "$(url "$port" "$2")"
}
must() { # want-status(es, "200|409") METHOD PATH [BODY]
	local want=$1 got
	shift
	got=$(api "$@")
	case "|$want|" in *"|$got|"*) return 0 ;; esac
	die "$1 $2 answered $got, not $want: $(head -c 400 "$RESP")"
}
resp_field() { # python expression over d, the JSON in $RESP
	"$PYTHON" -c "import json, sys; d = json.load(open(sys.argv[1])); print($1)" "$RESP"
}
chat_body() { # text stream(true|false)
	printf '{"model":"hermes-agent","stream":%s,"messages":[{"role":"user","content":"%s"}]}' "$2" "$1"
}

# ---- measuring ----------------------------------------------------------------
rows=()
mem_of() { # pid: "rss pss private_dirty vmhwm" (kB): /proc/PID/smaps_rollup, status
	awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } /^Private_Dirty:/ { d = $2 } /^VmHWM:/ { h = $2 }
		END { if(r == "" || h == "") exit 1; print r, p, d, h }' \
		"/proc/$1/smaps_rollup" "/proc/$1/status" 2>/dev/null
}
row() { # process state pid: measure pid now, add a table row
	local m
	m=$(mem_of "$3") || die "cannot read /proc/$3/smaps_rollup ($1, $2)"
	# shellcheck disable=SC2086
	set -- "$1" "$2" "$3" $m
	rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |")
	echo "measured: $1, $2: pid $3 RSS $4 kB, PSS $5 kB, Private_Dirty $6 kB, VmHWM $7 kB" >&2
}
switches() { # pid: context switches so far (a responder waiting in accept makes none)
	awk '/ctxt_switches/ { s += $2 } END { print s + 0 }' "/proc/$1/status" 2>/dev/null
}
declare -A before=()
mark() { # remember each responder's switches before a request
	local p
	for p in $responder_pids; do before[$p]=$(switches "$p"); done
}
served() { # the responder that served the requests since mark
	local p best="" most=-1 d
	for p in $responder_pids; do
		d=$(($(switches "$p") - ${before[$p]:-0}))
		[ "$d" -gt "$most" ] && { most=$d; best=$p; }
	done
	echo "$best"
}
name_of() { # responder pid: "responder N", N its place among the responders
	local p n=0
	for p in $responder_pids; do
		n=$((n + 1))
		[ "$p" = "$1" ] && { echo "responder $n"; return; }
	done
	echo "responder ?"
}

# ---- lighttpd with its responders, no request yet -------------------------------
# Ready when the port listens and lighttpd has spawned its responders: no
# request, so that the first rows show responders that served nothing.
server_ready() {
	port_in_use "$1" && [ "$(children_of "$lighttpd_pid" | wc -l)" -ge "$MAXPROCS" ]
}
start_server "$HERMES_FCGI" hermes
responder_pids=$(echo "$responder_pids" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
nresp=$(echo "$responder_pids" | wc -w)
[ "$nresp" -eq "$MAXPROCS" ] || die "lighttpd started $nresp responders, not $MAXPROCS"
sleep 0.5 # their start-up (configuration, libraries) is over
for p in $responder_pids; do
	row "$(name_of "$p")" "idle, before its first request" "$p"
done

# ---- one request of each kind -------------------------------------------------
mark
must 200 GET /v1/models
p=$(served)
row "$(name_of "$p")" "after GET /v1/models" "$p"

upstream_script "[{\"reply\":\"Hello from the upstream.\"}]"
mark
must 200 POST /v1/chat/completions "$(chat_body "Say hello." false)"
p=$(served)
row "$(name_of "$p")" "after a chat turn" "$p"

upstream_script "[{\"reply\":\"$long_reply\",\"chunk_size\":8}]"
mark
must 200 POST /v1/chat/completions "$(chat_body "Tell me a story." true)"
grep -q '\[DONE\]' "$RESP" || die "the streamed chat turn did not end with [DONE]"
p=$(served)
row "$(name_of "$p")" "after a streamed chat turn" "$p"

upstream_script "[$(tool_call c0),{\"reply\":\"Stored answer.\"}]"
mark
must 200 POST /v1/responses '{"model":"hermes-agent","input":"Remember this.","store":true}'
prev=$(resp_field "d['id']")
p=$(served)
row "$(name_of "$p")" "after a Responses turn (a tool call, stored)" "$p"

# ---- TURNS more, mixed, from two clients at once --------------------------------
# Two clients, so that both responders work (lighttpd gives a request to
# the responder with the fewest connections: one client alone only ever
# reaches the same one; the streamed turns last about 2 s). Each turn's
# upstream steps are matched by a marker in its text ("[turn N]"), since
# the two clients' requests interleave.
steps=""
for i in $(seq 1 "$TURNS"); do
	case $((i % 3)) in
	0) steps="$steps,{\"match\":\"[turn $i]\",$(tool_call "c$i" | sed 's/^{//'),{\"match\":\"[turn $i]\",\"reply\":\"Turn $i done.\"}" ;;
	1) steps="$steps,{\"match\":\"[turn $i]\",\"reply\":\"$long_reply\",\"chunk_size\":8,\"delay\":0.01}" ;;
	2) steps="$steps,{\"match\":\"[turn $i]\",\"reply\":\"Answer $i, continuing the stored conversation.\"}" ;;
	esac
done
upstream_script "[${steps#,}]"
client() { # first-turn: turns first-turn, first-turn + 2, ... up to TURNS
	local i prev=""
	trap - EXIT
	RESP=$tmp/resp.$1
	for i in $(seq "$1" 2 "$TURNS"); do
		case $((i % 3)) in
		0) must 200 POST /v1/chat/completions "$(chat_body "[turn $i] Look at your memory." false)" ;;
		1)
			must 200 POST /v1/chat/completions "$(chat_body "[turn $i] A story, please." true)"
			grep -q '\[DONE\]' "$RESP" || die "turn $i: the stream did not end with [DONE]"
			;;
		2)
			must 200 POST /v1/responses "{\"model\":\"hermes-agent\",\"input\":\"[turn $i] Go on.\",${prev:+\"previous_response_id\":\"$prev\",}\"store\":true}"
			prev=$(resp_field "d['id']")
			;;
		esac
	done
}
declare -A start=()
for p in $responder_pids; do start[$p]=$(switches "$p"); done
client 1 &
c1=$!
client 2 &
c2=$!
wait "$c1" || die "client 1 of the mixed turns failed"
wait "$c2" || die "client 2 of the mixed turns failed"
# Each responder that took part (which ones did depends on timing).
for p in $responder_pids; do
	[ "$(switches "$p")" -gt "${start[$p]}" ] || continue
	row "$(name_of "$p")" "after $TURNS more mixed turns (tools, streams, stored responses)" "$p"
done

# ---- requests at the body cap ------------------------------------------------------
# About 9.7 MB each, under the 10,000,000-byte cap. Each responder's peak
# (VmHWM) is reset first (clear_refs), so the caps table shows what that
# one request took beyond what the responder held before it: the body, the
# tree parsed from it, the turn's messages (which share the tree's strings)
# and the text sent upstream. The main table shows what stays afterwards.
caps=()
hwm_reset() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null; } # VmHWM := VmRSS
kb_of() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }
declare -A rss_before=()
cap_mark() { # reset the responders' peaks, remember their RSS; then mark
	local p
	for p in $responder_pids; do
		hwm_reset "$p" || die "cannot reset the peak of responder $p (/proc/$p/clear_refs)"
		rss_before[$p]=$(kb_of "$p" VmRSS)
	done
	mark
}
cap_row() { # request body-file process pid before-kB: a row of the caps table
	local hwm bytes
	hwm=$(kb_of "$4" VmHWM)
	bytes=$(stat -c %s "$2")
	[ -n "$hwm" ] || die "cannot read /proc/$4/status ($1)"
	caps+=("| $1 | $bytes | $3 | $5 | $hwm | $((hwm - $5)) | $(awk -v a="$((hwm - $5))" -v b="$bytes" 'BEGIN { printf "%.1f", a * 1024 / b }') |")
	echo "measured: $1: $3 (pid $4) VmHWM $hwm kB, $((hwm - $5)) kB over $5 kB, body $bytes bytes" >&2
}
big_messages() { # N: N messages of 60,000 characters, user and assistant in turn
	"$PYTHON" -c 'import json, sys
print(json.dumps([{"role": ("user", "assistant")[i % 2], "content": "[big] " + "y" * 60000} for i in range(int(sys.argv[1]))]))' "$1"
}
msgs=$(big_messages 161)
printf '{"model":"hermes-agent","messages":%s}' "$msgs" >"$tmp/big.json"
printf '{"model":"hermes-agent","input":%s}' "$msgs" >"$tmp/bigresp.json"
printf '{"input":"Go on.","conversation_history":%s}' "$(big_messages 160)" >"$tmp/bigrun.json"
unset msgs

upstream_script "[]"
cap_mark
must 200 POST /v1/chat/completions "@$tmp/big.json"
p=$(served)
row "$(name_of "$p")" "after a 9.7 MB chat request (161 messages; the cap is 10 MB)" "$p"
cap_row "chat completion, 161 messages" "$tmp/big.json" "$(name_of "$p")" "$p" "${rss_before[$p]}"

upstream_script "[]"
cap_mark
must 200 POST /v1/responses "@$tmp/bigresp.json"
p=$(served)
row "$(name_of "$p")" "after a 9.7 MB Responses request (161 input messages, stored)" "$p"
cap_row "response (stored), 161 input messages" "$tmp/bigresp.json" "$(name_of "$p")" "$p" "${rss_before[$p]}"

# ---- the runner --------------------------------------------------------------
# shellcheck disable=SC2317 # called by bench_cleanup
bench_before_cleanup() {
	[ -n "$runner_pid" ] || return 0
	HERMES_HOME=$home "$HERMESCTL" runner stop >/dev/null 2>&1
	for _ in $(seq 1 50); do
		kill -0 "$runner_pid" 2>/dev/null || return 0
		sleep 0.1
	done
	[ "$(basename "$(readlink "/proc/$runner_pid/exe" 2>/dev/null)")" = hermes-runner ] &&
		kill -KILL "$runner_pid" 2>/dev/null
	return 0
}
HERMES_HOME=$home "$HERMESCTL" runner start >"$tmp/runner.out" 2>&1 || die "hermesctl runner start failed: $(cat "$tmp/runner.out")"
read -r runner_pid <"$home/runner.pid" 2>/dev/null || die "no $home/runner.pid after hermesctl runner start"
kill -0 "$runner_pid" 2>/dev/null || die "the runner (pid $runner_pid) is not running"
sleep 0.5 # its start-up sweep is over
row hermes-runner "daemon, idle" "$runner_pid"

# A run: a tool round, then an answer that streams for about ten seconds.
# The worker is measured while the answer streams; then the run is stopped.
upstream_reset
n0=0
upstream_script "[$(tool_call r1),{\"reply\":\"$long_reply\",\"chunk_size\":8,\"delay\":0.05}]"
mark
must 202 POST /v1/runs '{"input":"Look at your memory, then tell me a long story."}'
run_id=$(resp_field "d['run_id']")
worker=""
for _ in $(seq 1 300); do
	if [ "$(upstream_count)" -ge $((n0 + 2)) ]; then
		worker=$(children_of "$runner_pid" | head -n 1)
		[ -n "$worker" ] && break
	fi
	sleep 0.1
done
[ -n "$worker" ] || die "no worker streaming run $run_id after 30 s ($(cat "$tmp/resp"))"
if [ -n "$QUICK" ]; then sleep 0.3; else sleep 1; fi
row hermes-runner "worker, mid-run (streaming its answer, after a tool round)" "$worker"
base_worker_hwm=$(kb_of "$worker" VmHWM)
row hermes-runner "daemon, while its worker runs" "$runner_pid"
row lighttpd "serving the set-up above" "$lighttpd_pid"
# The whole set-up at that moment: PSS adds up across processes.
total_pss=0 total_pd=0
for p in "$lighttpd_pid" $responder_pids "$runner_pid" "$worker"; do
	read -r _ s d _ < <(mem_of "$p") || die "cannot read /proc/$p/smaps_rollup"
	total_pss=$((total_pss + s)) total_pd=$((total_pd + d))
done
total_row="| all of them | lighttpd, $MAXPROCS responders, runner daemon and worker, at that moment | - | - | **$total_pss** | **$total_pd** | - |"
must '200|409' POST "/v1/runs/$run_id/stop" "{}" # 409: it ended meanwhile

# ---- runs near the body cap -----------------------------------------------------------
# 160 messages of 60,000 characters as the run's history. The upstream
# holds its answer, so the worker is measured once it has read the run,
# built the turn and called the upstream; then the run is stopped. The
# first run has the default settings: its conversation is far over the
# compression threshold, so that call is the summary's. The second has
# compression off (HERMES_COMPRESSION=false in .env, read by each worker):
# the whole history goes upstream. A worker's peak is set against that of
# the ordinary run's worker above.
worker_calling() { # what: print the worker once the upstream has a request
	local w
	for _ in $(seq 1 300); do
		if [ "$(upstream_count)" -gt 0 ]; then
			w=$(children_of "$runner_pid" | head -n 1)
			[ -n "$w" ] && { echo "$w"; return 0; }
		fi
		sleep 0.1
	done
	die "no worker calling the upstream for $1 after 30 s"
}
big_run() { # state: queue bigrun.json, measure its worker and the daemon
	local p0 worker
	upstream_reset
	upstream_script '[{"reply":"held","first_delay":60},{"reply":"held","first_delay":60}]'
	hwm_reset "$runner_pid" || die "cannot reset the runner's peak"
	p0=$(kb_of "$runner_pid" VmRSS)
	cap_mark
	must 202 POST /v1/runs "@$tmp/bigrun.json"
	run_id=$(resp_field "d['run_id']")
	p=$(served)
	[ -n "$admitted" ] || {
		admitted=1
		cap_row "run admitted (POST /v1/runs), 160 messages" "$tmp/bigrun.json" "$(name_of "$p")" "$p" "${rss_before[$p]}"
	}
	worker=$(worker_calling "run $run_id") || exit 1
	row hermes-runner "worker of a run with 9.7 MB of history, $1" "$worker"
	cap_row "run worker, 160 messages, $1" "$tmp/bigrun.json" "worker" "$worker" "$base_worker_hwm"
	cap_row "run claim, 160 messages, $1" "$tmp/bigrun.json" "runner daemon" "$runner_pid" "$p0"
	must '200|409' POST "/v1/runs/$run_id/stop" "{}" # 409: it ended meanwhile
	for _ in $(seq 1 100); do
		[ -z "$(children_of "$runner_pid")" ] && break
		sleep 0.1
	done
}
admitted=""
big_run "at its first upstream call (the summary's)"
echo "HERMES_COMPRESSION=false" >>"$home/.env"
big_run "compression off, at its upstream call"

# A background response of the same 161 messages (compression still off):
# its worker also loads the stored response (input items and transcript).
upstream_reset
upstream_script '[{"reply":"held","first_delay":60},{"reply":"held","first_delay":60}]'
"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1])); d["background"] = True; json.dump(d, sys.stdout)' \
	"$tmp/bigresp.json" >"$tmp/bigbg.json"
cap_mark
must 200 POST /v1/responses "@$tmp/bigbg.json"
resp_id=$(resp_field "d['id']")
p=$(served)
cap_row "background response admitted, 161 input messages" "$tmp/bigbg.json" "$(name_of "$p")" "$p" "${rss_before[$p]}"
worker=$(worker_calling "response $resp_id") || exit 1
row hermes-runner "worker of a background response of 9.7 MB, compression off, at its upstream call" "$worker"
cap_row "background response worker, 161 input messages, compression off" "$tmp/bigbg.json" "worker" "$worker" "$base_worker_hwm"
must '200|409' POST "/v1/responses/$resp_id/cancel" "{}"
rows+=("$total_row")

# ---- the table -------------------------------------------------------------------
cflags=$(sed -n 's/^CFLAGS = //p' "$builddir/Makefile" 2>/dev/null)
echo
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'). Machine: $(uname -m), Linux $(uname -r)," \
	"$(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%d MB", $2 / 1024 }' /proc/meminfo) RAM."
echo "Build: $HERMES_FCGI (CFLAGS '${cflags:-?}', sanitizers: $sanitized)."
echo "$("$LIGHTTPD" -v 2>&1 | head -n 1 | cut -d' ' -f1), max-procs $MAXPROCS; store.cache_kb and" \
	"runner.max_concurrent at their defaults; upstream: tests/upstream/upstream.py."
echo
echo "| process | state | pid | RSS kB | PSS kB | Private_Dirty kB | VmHWM kB |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
echo
echo "RSS counts every shared page in full for each process, so it is not added up." \
	"VmHWM is the process's peak RSS so far."
echo
echo "At the caps: the peak (VmHWM) of the process while it served one request of"
echo "about 9.7 MB, and what that adds over its RSS before (for a worker: over the"
echo "peak of the ordinary run's worker above)."
echo
echo "| request | body bytes | process | before kB | peak kB | added kB | added / body |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: |"
printf '%s\n' "${caps[@]}"
exit 0
