#!/bin/bash
# tests/integration/t0520-store-backup.sh: `hermesctl store backup` while a
# writer commits rows (WAL and DELETE journaling): the copy passes
# integrity_check, holds every row committed before the backup began and is
# a consistent prefix of the writer's rows; the writer is not blocked; mode
# 0600 under umask 000; an existing destination is kept unless --force;
# kill -9 mid-backup leaves no file at DEST; the restore of
# docs/operations.md (server stopped, sidecars removed, copy installed)
# works even over the -wal of a writer killed with SIGKILL. Then
# `hermesctl sessions prune --older-than DAYS`.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
need sqlite3 "$STORE_WORKER" "$HERMESCTL"

q() { sqlite3 -cmd '.timeout 10000' "$@"; } # DB SQL

# start_writer HOME: store_worker commits runs row-0, row-1, ... until
# $HOME.stop exists; returns once the first row is committed.
start_writer() {
	rm -f "$1.stop"
	"$STORE_WORKER" rows "$1" "$1.stop" >"$1.out" 2>"$1.err" &
	WPID=$!
	track_pid "$WPID"
	for _ in $(seq 1 600); do
		grep -q '^first$' "$1.out" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# ballast DB MB: a table of MB one-MiB blobs, so a backup takes many steps.
ballast() {
	q "$1" "CREATE TABLE IF NOT EXISTS ballast(b BLOB);
		WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $2)
		INSERT INTO ballast SELECT randomblob(1048576) FROM c;"
}

# check_copy COPY BEFORE LABEL: sound, every row committed before the backup
# (BEFORE) present, and the rows a gapless prefix row-0..row-(n-1).
check_copy() {
	local n max
	is "$(q "$1" 'PRAGMA integrity_check')" ok "$3: the copy passes integrity_check"
	n=$(q "$1" "SELECT count(*) FROM runs WHERE id GLOB 'row-*'")
	max=$(q "$1" "SELECT coalesce(max(CAST(substr(id, 5) AS INTEGER)), -1) FROM runs")
	ok "$3: it has every row committed before the backup began ($n >= $2)" \
		[ "${n:-0}" -ge "$2" ]
	is "$max" "$((n - 1))" "$3: its rows are one snapshot (row-0..row-$((n - 1)), no gap)"
	is "$(q "$1" 'SELECT count(*) FROM ballast')" "$4" "$3: the ballast table is complete"
}

backup_under_writer() { # HOME COPY LABEL BALLAST_MB JOURNAL
	local home=$1 copy=$2 before after out rc
	export HERMES_HOME="$home"
	"$HERMESCTL" store check >"$home.check" 2>&1
	like "$(cat "$home.check")" "^journal_mode: $5\$" "$3: state.db uses journal_mode=$5"
	ballast "$home/state.db" "$4"
	start_writer "$home" || fail "$3: the writer did not start"
	before=$(q "$home/state.db" 'SELECT count(*) FROM runs')
	out=$(umask 000; "$HERMESCTL" store backup "$copy" 2>&1)
	rc=$?
	after=$(q "$home/state.db" 'SELECT count(*) FROM runs')
	touch "$home.stop"
	wait "$WPID"
	is "$?" 0 "$3: the writer ran on without error during the backup"
	is "$rc" 0 "$3: store backup succeeds while the writer commits"
	like "$out" 'integrity ok' "$3: it reports the checked copy"
	ok "$3: the writer committed rows while the backup ran ($before -> $after)" \
		[ "$after" -gt "$before" ]
	is "$(stat -c %a "$copy")" 600 "$3: the copy is mode 0600 under umask 000"
	is "$(q "$copy" 'PRAGMA journal_mode')" delete "$3: the copy is one file (journal_mode=delete)"
	check_copy "$copy" "$before" "$3" "$4"
	is "$(find "$(dirname "$copy")" -maxdepth 1 -name '.*.tmp*' | wc -l)" 0 \
		"$3: no temporary file is left"
}

# ---- WAL ----------------------------------------------------------------
home="$T/home"
backup_under_writer "$home" "$T/b1.db" "WAL" 24 wal

# ---- refuses to overwrite; --force replaces -----------------------------
sum=$(md5sum <"$T/b1.db")
out=$("$HERMESCTL" store backup "$T/b1.db" 2>&1)
is "$?" 1 "a second backup to the same DEST fails"
like "$out" 'exists.*--force' "it says DEST exists and names --force"
is "$(md5sum <"$T/b1.db")" "$sum" "the existing file is untouched"
chmod 644 "$T/b1.db"
out=$("$HERMESCTL" store backup --force "$T/b1.db" 2>&1)
is "$?" 0 "--force replaces it"
is "$(stat -c %a "$T/b1.db")" 600 "the replacement is mode 0600"
is "$(q "$T/b1.db" 'PRAGMA integrity_check')" ok "the replacement passes integrity_check"
out=$("$HERMESCTL" store backup "$home/state.db" 2>&1)
is "$?" 1 "the database itself is refused as DEST"
out=$("$HERMESCTL" store backup "$T/" 2>&1)
is "$?" 1 "a directory is refused as DEST"

# ---- DELETE journaling (the network-filesystem fallback) ------------------
home2="$T/home-delete"
mkdir -m 700 "$home2"
: >"$home2/state.db.nowal" # as if the WAL probe had failed here
backup_under_writer "$home2" "$T/b2.db" "DELETE" 4 delete

# ---- kill -9 mid-backup ----------------------------------------------------
export HERMES_HOME="$home"
ballast "$home/state.db" 40
"$HERMESCTL" store backup "$T/k.db" >"$T/k.out" 2>&1 &
kpid=$!
track_pid "$kpid"
mid=no
for _ in $(seq 1 1000); do
	tmp=$(find "$T" -maxdepth 1 -name '.k.db.*.tmp' -size +1M 2>/dev/null | head -1)
	if [ -n "$tmp" ]; then
		mid=yes
		break
	fi
	kill -0 "$kpid" 2>/dev/null || break
	sleep 0.01
done
kill -KILL "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
is "$mid" yes "hermesctl was killed while the copy was being written"
ok "kill -9 mid-backup leaves no file at DEST" [ ! -e "$T/k.db" ]
"$HERMESCTL" store backup "$T/k.db" >/dev/null 2>&1
is "$?" 0 "the next backup to that DEST succeeds"
is "$(q "$T/k.db" 'PRAGMA integrity_check')" ok "and passes integrity_check"

# ---- restore as docs/operations.md says -----------------------------------
# A backup is taken while a writer runs; then the "server" (the writer)
# dies by SIGKILL with committed rows still in -wal; the restore removes
# the sidecars and installs the copy.
home4="$T/home-restore"
export HERMES_HOME="$home4"
start_writer "$home4" || fail "restore: the writer did not start"
"$HERMESCTL" store backup "$T/b4.db" >/dev/null 2>&1
is "$?" 0 "restore: a backup is taken while the writer runs"
sleep 0.3
kill -KILL "$WPID"
wait "$WPID" 2>/dev/null
ok "restore: the killed writer left a -wal" [ -s "$home4/state.db-wal" ]
want=$(q "$T/b4.db" 'SELECT count(*) FROM runs')
(
	cd "$home4" &&
		rm -f state.db-wal state.db-shm state.db-journal &&
		install -m 0600 "$T/b4.db" state.db
)
check=$("$HERMESCTL" store check 2>/dev/null)
like "$check" '^integrity: ok$' "restore: the restored state.db passes integrity_check"
like "$check" "^runs: $want\$" "restore: it holds the backup's $want runs"
like "$check" '^journal_mode: wal$' "restore: the store switches it back to WAL"
is "$(stat -c %a "$home4/state.db")" 600 "restore: state.db is mode 0600"
"$STORE_WORKER" write "$home4" after 20 >/dev/null 2>"$T/after.err"
is "$?" 0 "restore: writers work on the restored file"
like "$("$HERMESCTL" store check 2>/dev/null)" "^runs: $((want + 20))\$" \
	"restore: their rows are added to the restored ones"

# ---- sessions prune --------------------------------------------------------
home3="$T/home-prune"
export HERMES_HOME="$home3"
"$HERMESCTL" store check >/dev/null 2>&1
old=$(($(date +%s) - 10 * 86400))
q "$home3/state.db" "PRAGMA foreign_keys=ON;
INSERT INTO sessions(id, source, started_at, updated_at) VALUES
 ('s-old', 'api_server', $old, $old),
 ('s-new', 'api_server', $old, strftime('%s','now')),
 ('s-rotated', 'api_server', $old, $old),
 ('s-rotated-child', 'api_server', $old, strftime('%s','now')),
 ('s-chain', 'api_server', $old, $old),
 ('s-chain-child', 'api_server', $old, $old + 86400);
UPDATE sessions SET end_reason = 'compression' WHERE id IN ('s-rotated', 's-chain');
UPDATE sessions SET parent_session_id = 's-rotated' WHERE id = 's-rotated-child';
UPDATE sessions SET parent_session_id = 's-chain' WHERE id = 's-chain-child';
INSERT INTO messages(session_id, role, content, timestamp) VALUES
 ('s-old', 'user', 'a', $old), ('s-old', 'assistant', 'b', $old),
 ('s-new', 'user', 'c', $old), ('s-rotated', 'user', 'd', $old),
 ('s-chain-child', 'user', 'e', $old);
INSERT INTO todos(session_id, items, updated_at) VALUES ('s-old', '[]', $old);"
out=$("$HERMESCTL" sessions prune --older-than 7 2>&1)
is "$?" 0 "sessions prune --older-than 7 succeeds"
like "$out" '^pruned 3 sessions, 3 messages' "it reports 3 sessions and 3 messages"
is "$(q "$home3/state.db" 'SELECT group_concat(id, " ") FROM (SELECT id FROM sessions ORDER BY id)')" \
	"s-new s-rotated s-rotated-child" \
	"recent sessions and the rotated session a recent one descends from are kept"
is "$(q "$home3/state.db" 'SELECT group_concat(content, "") FROM (SELECT content FROM messages ORDER BY content)')" \
	"cd" "the pruned sessions' messages are gone, the others kept"
is "$(q "$home3/state.db" 'SELECT count(*) FROM todos')" 0 "the pruned session's todo list is gone"
is "$(q "$home3/state.db" 'PRAGMA foreign_key_check' | wc -l)" 0 "no dangling references"
out=$("$HERMESCTL" sessions prune --older-than 0 2>&1)
like "$out" '^pruned 3 sessions' "--older-than 0 deletes every session"
"$HERMESCTL" sessions prune --older-than 7x >/dev/null 2>&1
is "$?" 2 "a malformed number of days is refused (exit 2)"
done_testing
