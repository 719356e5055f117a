#!/bin/bash
# tests/integration/t0510-store-walfallback.sh: where the filesystem's
# locks fail (NFS without lockd, simulated by tests/shim/nolock-shm.so
# failing fcntl locks on -shm files), the real SQLite reports "locking
# protocol"; a new database falls back to DELETE journaling with one
# warning, and a database already in WAL there is reported unavailable
# with the cause and the network-filesystem hint.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
shim_env() {
	env LD_PRELOAD="$NOLOCK_SHM" ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" "$@"
}

# ---- a new database on a filesystem without working locks ---------------
export HERMES_HOME="$TAP_TMP/nfs"
out=$(shim_env "$HERMESCTL" store check 2>"$TAP_TMP/err1")
rc=$?
tap_is "$rc" 0 "store opens on a filesystem where WAL locks fail"
tap_like "$out" '^journal_mode: delete$' "it fell back to journal_mode=DELETE"
tap_like "$out" '^integrity: ok$' "and works"
warnings=$(grep -c 'WARNING.*WAL journal_mode unsupported on this filesystem' "$TAP_TMP/err1")
tap_is "$warnings" 1 "exactly one warning says why"
tap_like "$(cat "$TAP_TMP/err1")" 'locking protocol' "the warning carries SQLite's cause"
left=$(ls -A "$HERMES_HOME" | grep -c walprobe)
tap_is "$left" 0 "the WAL probe leaves no files behind"
out=$(shim_env "$HERMESCTL" store check 2>"$TAP_TMP/err2")
tap_like "$out" '^journal_mode: delete$' "a second process uses the DELETE database too"
tap_like "$(cat "$TAP_TMP/err2")" 'state.db.nowal' "without probing again (the outcome is recorded)"

# ---- a WAL database moved onto such a filesystem -------------------------
export HERMES_HOME="$TAP_TMP/moved"
"$HERMESCTL" store check >/dev/null 2>&1
out=$(shim_env "$HERMESCTL" store check 2>/dev/null)
rc=$?
tap_is "$rc" 1 "a WAL database where locks fail is not used"
tap_like "$out" 'locking protocol' "the cause is named"
tap_like "$out" 'NFS/SMB/FUSE' "with the network-filesystem hint"

key=0123456789abcdef0123456789abcdef
printf 'API_SERVER_KEY=%s\n' "$key" >"$HERMES_HOME/.env"
body=$(shim_env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/health/detailed \
	SERVER_ADDR=127.0.0.1 HTTP_AUTHORIZATION="Bearer $key" "$HERMES_FCGI" </dev/null 2>/dev/null |
	sed '1,/^\r$/d')
state=$(printf '%s' "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin)["store"]; print(d["state"]); print(d.get("cause",""))')
tap_like "$state" '^unavailable$' "/health/detailed reports the store unavailable"
tap_like "$state" 'locking protocol.*NFS' "with the cause and the hint"
tap_end
