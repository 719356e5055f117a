#!/bin/bash
# tests/integration/t0500-store.sh: state.db shared by many processes:
# 8 writers at once lose nothing; a writer killed with SIGKILL inside a
# transaction leaves a sound database with every committed row.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
home="$TAP_TMP/home"

# ---- 8 processes x 500 mixed writes and reads ---------------------------
export HERMES_HOME="$home"
pids=()
for i in 1 2 3 4 5 6 7 8; do
	"$STORE_WORKER" write "$home" "w$i" 500 >"$TAP_TMP/w$i.out" 2>"$TAP_TMP/w$i.err" &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
tap_is "$fails" 0 "8 concurrent writers all finish without error"
cat "$TAP_TMP"/w*.err | grep -v 'INFO' | head -5 | sed 's/^/# /'
done_lines=$(cat "$TAP_TMP"/w*.out | grep -c '^done ')
tap_is "$done_lines" 8 "every writer reports done"
check=$("$HERMESCTL" store check 2>/dev/null)
tap_like "$check" '^runs: 4000$' "all 4,000 runs are in the database (none lost)"
tap_like "$check" '^responses: 1000$' "responses capped at the LRU limit the workers set"
tap_like "$check" '^integrity: ok$' "integrity_check passes"
tap_like "$check" '^journal_mode: wal$' "WAL journaling on a local disk"

# ---- SIGKILL inside an open write transaction ---------------------------
home2="$TAP_TMP/crash"
export HERMES_HOME="$home2"
coproc CRASH { exec "$STORE_WORKER" crash "$home2" 2>"$TAP_TMP/crash.err"; }
cpid=$CRASH_PID
committed=0
while read -r -t 60 line <&"${CRASH[0]}"; do
	case "$line" in
	committed*) committed=$((committed + 1)) ;;
	in-tx) break ;;
	esac
done
tap_is "$line" "in-tx" "writer reached the open transaction"
kill -KILL "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
check=$("$HERMESCTL" store check 2>/dev/null)
tap_like "$check" '^integrity: ok$' "database passes integrity_check after SIGKILL"
tap_like "$check" "^runs: $committed\$" "all $committed committed rows present, no uncommitted row"

# ---- SIGKILL at a random point of a write loop ---------------------------
home3="$TAP_TMP/crash2"
export HERMES_HOME="$home3"
"$STORE_WORKER" write "$home3" k 100000 >/dev/null 2>&1 &
kpid=$!
sleep 1.5
kill -KILL "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
check=$("$HERMESCTL" store check 2>/dev/null)
tap_like "$check" '^integrity: ok$' "database sound after a kill mid-loop"
tap_end
