#!/bin/bash
# tests/integration/t0505-store-openers.sh: processes that open and close
# state.db while another one writes must not break the writer. POSIX
# advisory locks belong to a process and an inode: a store that opened and
# closed state.db or its -shm beside its own connection dropped its locks,
# the next opener re-initialised -shm, and the writer died of SIGBUS
# (issue 9, point 1). Process A commits rows from one connection until told
# to stop; process B opens and closes the store 300 times (keeping a second
# handle open, as a runner with two connections would) - three rounds.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir

ROUNDS=${STORE_OPENER_ROUNDS:-300}
for pass in 1 2 3; do
	home="$TAP_TMP/home$pass"
	stop="$TAP_TMP/stop$pass"
	export HERMES_HOME="$home"
	"$STORE_WORKER" rows "$home" "$stop" >"$TAP_TMP/a$pass.out" 2>"$TAP_TMP/a$pass.err" &
	apid=$!
	# B starts only once A has committed its first row (and so holds its
	# connection and the -shm mapping).
	for _ in $(seq 1 600); do
		grep -q '^first$' "$TAP_TMP/a$pass.out" 2>/dev/null && break
		kill -0 "$apid" 2>/dev/null || break
		sleep 0.05
	done
	"$STORE_WORKER" churn "$home" "$ROUNDS" >"$TAP_TMP/b$pass.out" 2>"$TAP_TMP/b$pass.err"
	brc=$?
	touch "$stop"
	wait "$apid"
	arc=$?
	tap_is "$arc" 0 "pass $pass: the writer survives $ROUNDS opens and closes (no SIGBUS)"
	tap_is "$brc" 0 "pass $pass: the opener finishes its $ROUNDS rounds"
	grep -h -E 'BUS|ERROR|rows:|churn' "$TAP_TMP/a$pass.err" "$TAP_TMP/b$pass.err" | head -3 |
		sed 's/^/# /'
	rows=$(sed -n 's/^rows //p' "$TAP_TMP/a$pass.out")
	check=$("$HERMESCTL" store check 2>/dev/null)
	tap_like "$check" "^runs: ${rows:-none}\$" "pass $pass: every committed row is present (${rows:-none})"
	tap_like "$check" '^integrity: ok$' "pass $pass: integrity_check passes"
done
tap_end
