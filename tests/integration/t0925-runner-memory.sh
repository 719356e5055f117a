#!/bin/bash
# tests/integration/t0925-runner-memory.sh: the memory a worker holds for a
# run with about 8 MB of history (docs/boards.md). A run is queued straight
# into state.db (tests/runner/runq), the scripted upstream holds its answer,
# and the worker's peak RSS (VmHWM in /proc/PID/status) is read once the
# upstream has the whole request. What that run adds over a run with a
# short history must stay under HWM_FACTOR (4) times the history's size.
# The worker keeps the request's tree, which the turn's messages share,
# and one serialisation of the upstream request: about 2 times the history
# (docs/boards.md has the figures). A worker that also kept the request
# text, a second serialisation or a copy of the body took 5 to 6 times.
# The bound is loose on purpose: this is not a benchmark, it catches a copy
# of the history coming back. Under AddressSanitizer the quarantine is off
# for the runner (freed memory would otherwise never be reused).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/runner_lib.sh"

need "$RUNQ" "$HERMESCTL" "$PYTHON"
[ -r /proc/self/status ] || skip_or_fail "no /proc/PID/status on this system"
HWM_FACTOR=4
if is_asan "$HERMESCTL"; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
	export ASAN_OPTIONS
	diag "AddressSanitizer build: quarantine off"
fi
runner_home
export HERMES_RUNNER_MAX_CONCURRENT=1

# history FILE N LEN: a run request whose history is N messages of LEN
# characters (user and assistant in turn), then the input "Go on.".
history() {
	"$PYTHON" -c 'import json, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
m = [{"role": ("user", "assistant")[i % 2], "content": "[big] " + "y" * (size - 6)} for i in range(n)]
json.dump({"input": "Go on.", "history": m}, sys.stdout)' "$2" "$3" >"$1"
}
# kb_of PID FIELD: a field of /proc/PID/status, in kB.
kb_of() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }
held='{"reply":"held","first_delay":120}'

# hwm_of RUN FILE: queue the run, wait until the upstream has its request
# (the worker has read the run, built the turn and sent the body), print
# the worker's VmHWM in kB; the run is stopped after.
hwm_of() {
	local run=$1 worker="" hwm="" i n
	n=$(upstream_requests | jq_py 'len(d)')
	"$RUNQ" add "$run" - <"$2" || return 1
	wake
	for i in $(seq 1 600); do
		if [ "$(upstream_requests | jq_py 'len(d)')" -gt "$n" ]; then
			worker=$(children_of "$(runner_pid)" | head -n 1)
			[ -n "$worker" ] && hwm=$(kb_of "$worker" VmHWM)
			[ -n "$hwm" ] && break
		fi
		sleep 0.1
	done
	"$RUNQ" stop "$run" >/dev/null 2>&1
	wait_field "$run" status 'cancelled|failed|completed' 600 ||
		diag "run $run did not end after its stop: $("$RUNQ" get "$run")"
	for i in $(seq 1 600); do # its worker gone, so the next one is found
		[ -z "$(children_of "$(runner_pid)")" ] && break
		sleep 0.1
	done
	echo "$hwm"
}

script_upstream "[$held,$held]"
"$HERMESCTL" runner start >/dev/null
tap_like "$(runner_pid)" '^[0-9]+$' "the runner runs"

history "$T/small.json" 4 1000
small=$(hwm_of run_small "$T/small.json")
tap_like "$small" '^[0-9]+$' "a worker with a short history: VmHWM $small kB"

# 128 messages of 62,500 characters: 8,000,000 bytes of history.
history "$T/big.json" 128 62500
bytes=$(stat -c %s "$T/big.json")
bound=$((HWM_FACTOR * bytes / 1024))

# big RUN DESC: queue the big run, judge what its worker adds.
big() {
	local hwm added
	hwm=$(hwm_of "$1" "$T/big.json")
	tap_like "$hwm" '^[0-9]+$' "$2: a worker with $bytes bytes of history peaks at $hwm kB"
	if [ -n "$small" ] && [ -n "$hwm" ]; then
		added=$((hwm - small))
		diag "$2: the big run added $added kB, $((added * 1024 * 10 / bytes)) tenths of its history"
		tap_ok "$([ "$added" -lt "$bound" ] && echo 0 || echo 1)" \
			"$2: what it adds ($added kB) stays under $HWM_FACTOR times its history ($bound kB)"
	else
		tap_ok 1 "$2: what it adds stays under $HWM_FACTOR times its history (not measured)"
	fi
}

# The default settings: the conversation is far over the compression
# threshold, so the upstream first gets the summary call.
script_upstream "[$held,$held]"
big run_big "compression on"
tap_is "$(upstream_requests | jq_py "len(d[-1]['body']['messages'])")" 2 \
	"compression on: the upstream got the summary call"
# Compression off (read from .env by each worker): the whole history goes
# upstream in one body.
echo "HERMES_COMPRESSION=false" >>"$HERMES_HOME/.env"
script_upstream "[$held,$held]"
big run_whole "compression off"
tap_is "$(upstream_requests | jq_py "len(d[-1]['body']['messages'])")" 130 \
	"compression off: the upstream got the whole history (system, 128 messages, the input)"

"$HERMESCTL" runner stop >/dev/null
tap_is $? 0 "runner stop"
done_testing
