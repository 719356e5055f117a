#!/bin/bash
# tests/integration/t0990-bench-memory.sh: bench/memory.sh in its quick mode
# (QUICK=1: two mixed turns, short waits), so the script docs/boards.md
# takes its tables from keeps working. It must exit 0, print a table row
# with five numbers for each process and stage, a row of the caps table
# for each request near the body cap, and leave nothing running.
# The figures themselves are never judged (this tree may be an ASan build).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$top_builddir/hermes-runner" "$PYTHON" curl lighttpd ss
[ -r /proc/self/smaps_rollup ] || skip_or_fail "/proc/PID/smaps_rollup is missing (Linux before 4.14)"

# The bench's scratch dir goes under $T, so whatever it leaves is found there.
mkdir -p "$T/bench"
QUICK=1 TMPDIR=$T/bench PYTHON=$PYTHON \
	bash "$top_srcdir/bench/memory.sh" "$top_builddir" >"$T/out" 2>"$T/err"
rc=$?
track_log "$T/err"
is "$rc" 0 "bench/memory.sh QUICK=1 exits 0"
out=$(cat "$T/out")

num='[0-9]+'
row() { # process-ERE state-ERE DESC: a row with a pid and four figures
	like "$out" "^\| $1 \| $2 \| $num \| $num \| $num \| $num \| $num \|\$" "$3"
}
like "$out" '^\| process \| state \| pid \| RSS kB \| PSS kB \| Private_Dirty kB \| VmHWM kB \|$' "the table's header"
like "$out" '^Build: .*hermes-fcgi' "it names the build it measured"
row 'responder 1' 'idle, before its first request' "responder 1, idle"
row 'responder 2' 'idle, before its first request' "responder 2, idle"
row 'responder [12]' 'after GET /v1/models' "a responder after GET /v1/models"
row 'responder [12]' 'after a chat turn' "a responder after a chat turn"
row 'responder [12]' 'after a streamed chat turn' "a responder after a streamed chat turn"
row 'responder [12]' 'after a Responses turn \(a tool call, stored\)' "a responder after a Responses turn"
row 'responder [12]' 'after 2 more mixed turns \(tools, streams, stored responses\)' "a responder after the mixed turns"
row 'responder [12]' 'after a 9.7 MB chat request \(161 messages; the cap is 10 MB\)' "a responder after a request near the body cap"
row 'responder [12]' 'after a 9.7 MB Responses request \(161 input messages, stored\)' "a responder after a Responses request near the body cap"
row hermes-runner 'daemon, idle' "the runner daemon, idle"
row hermes-runner 'worker, mid-run \(streaming its answer, after a tool round\)' "a worker mid-run"
row hermes-runner 'daemon, while its worker runs' "the runner daemon while its worker runs"
row hermes-runner 'worker of a run with 9.7 MB of history, at its first upstream call \(the summary.s\)' "a worker of a run near the body cap"
row hermes-runner 'worker of a run with 9.7 MB of history, compression off, at its upstream call' "a worker of a run near the body cap, compression off"
row lighttpd 'serving the set-up above' "lighttpd"
like "$out" "^\| all of them \| lighttpd, 2 responders, runner daemon and worker, at that moment \| - \| - \| \*\*$num\*\* \| \*\*$num\*\* \| - \|\$" \
	"the set-up's total PSS and Private_Dirty"

# The caps table: what one request near the body cap adds to each process.
like "$out" '^\| request \| body bytes \| process \| before kB \| peak kB \| added kB \| added / body \|$' "the caps table's header"
cap() { # request-ERE process-ERE DESC: a row with the body size and four figures
	like "$out" "^\| $1 \| 9[0-9]{6} \| $2 \| $num \| $num \| -?$num \| -?[0-9]+\.[0-9] \|\$" "$3"
}
cap 'chat completion, 161 messages' 'responder [12]' "caps: a chat completion"
cap 'response \(stored\), 161 input messages' 'responder [12]' "caps: a stored response"
cap 'run admitted \(POST /v1/runs\), 160 messages' 'responder [12]' "caps: a run's admission"
cap 'run worker, 160 messages, at its first upstream call \(the summary.s\)' worker "caps: a run's worker"
cap 'run claim, 160 messages, at its first upstream call \(the summary.s\)' 'runner daemon' "caps: the daemon claiming it"
cap 'run worker, 160 messages, compression off, at its upstream call' worker "caps: a run's worker, compression off"
cap 'run claim, 160 messages, compression off, at its upstream call' 'runner daemon' "caps: the daemon claiming that one"

# Nothing left: no scratch dir, and no process working in it or naming it
# (the runner's cwd is its HERMES_HOME; lighttpd's config and the
# upstream's port file are in it).
is "$(ls -A "$T/bench")" "" "the bench removed its scratch dir"
left=""
for p in /proc/[0-9]*; do
	[ "${p#/proc/}" != $$ ] || continue
	case "$(readlink "$p/cwd" 2>/dev/null) $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" in
	*"$T/bench/"*) left="$left ${p#/proc/}" ;;
	esac
done
is "$left" "" "no process of the bench is left running"
[ "$rc" -eq 0 ] || diag "$(tail -n 20 "$T/err")"
done_testing
