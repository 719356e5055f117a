#!/bin/bash
# tests/integration/t0120-ctl.sh: hermesctl init and doctor: the home it
# creates, the key it prints once, and what doctor finds (perms, key
# strength, config files, the upstream through tests/upstream/upstream.py).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMESCTL" "$HERMES_FCGI" "$PYTHON"

mode_of() { stat -c %a "$1" 2>/dev/null; }

# doctor_line CHECK: the doctor output line(s) about CHECK.
doctor_line() {
	printf '%s\n%s\n' "$CTL_OUT" "$CTL_ERR" | grep -Ei "^(ok|warn|FAIL) $1" | head -n 1
}

export HERMES_HOME=$T/home

# ---- init ----------------------------------------------------------------------
( umask 022; ctl init; declare -p CTL_RC CTL_OUT CTL_ERR > "$T/init1" )
. "$T/init1"
is "$CTL_RC" 0 "hermesctl init exits 0"
is "$(mode_of "$HERMES_HOME")" 700 "init creates HERMES_HOME mode 0700 (even with umask 022)"
is "$(mode_of "$HERMES_HOME/.env")" 600 "init creates .env mode 0600"
key_lines=$(printf '%s\n' "$CTL_OUT" | grep -cE '^API_SERVER_KEY=[0-9a-f]{64}$')
is "$key_lines" 1 "init prints API_SERVER_KEY=<64 hex> exactly once on stdout"
key=$(printf '%s\n' "$CTL_OUT" | sed -n 's/^API_SERVER_KEY=//p')
like "$(cat "$HERMES_HOME/.env")" "^API_SERVER_KEY=$key\$" ".env holds the printed key"
ok "init writes a config.yaml" test -f "$HERMES_HOME/config.yaml"
unlike "$CTL_ERR" "$key" "the key is not repeated on stderr"

ctl init
is "$CTL_RC" 0 "a second init exits 0"
like "$(cat "$HERMES_HOME/.env")" "^API_SERVER_KEY=$key\$" "a second init keeps the key"
unlike "$CTL_OUT$CTL_ERR" "$key" "a second init does not print the key again"
like "$CTL_OUT$CTL_ERR" '(keep|already)' "a second init says it keeps the existing key"

ctl init --force
newkey=$(printf '%s\n' "$CTL_OUT" | sed -n 's/^API_SERVER_KEY=//p')
like "$newkey" '^[0-9a-f]{64}$' "init --force prints a new key"
if [ -n "$newkey" ] && [ "$newkey" != "$key" ] && grep -q "^API_SERVER_KEY=$newkey\$" "$HERMES_HOME/.env"; then
	pass "init --force replaces the key in .env"
else
	fail "init --force replaces the key in .env" "$(cat "$HERMES_HOME/.env")"
fi
key=$newkey

# The home init made is served as is.
CGI_HOME=$HERMES_HOME
cgi PATH_INFO=/v1/models "HTTP_AUTHORIZATION=Bearer $key"
is "$RESP_STATUS" 200 "hermes-fcgi accepts the key init printed"

# ---- doctor on a good home --------------------------------------------------------
ctl doctor
is "$CTL_RC" 0 "doctor on a fresh home exits 0"
like "$CTL_OUT$CTL_ERR" '(^|[[:space:]])ok ' "doctor prints ok lines"
unlike "$CTL_OUT" '^FAIL' "doctor finds nothing to FAIL"
like "$(doctor_line upstream)" '^(ok|warn) upstream' "doctor reports on the upstream (none configured)"
unlike "$CTL_OUT$CTL_ERR" "$key" "doctor never prints the key"

# ---- doctor with an upstream that answers ------------------------------------------
start_upstream up
printf 'OPENAI_BASE_URL=%s\nOPENAI_API_KEY=sk-test-upstream\n' "$UPSTREAM_URL" >> "$HERMES_HOME/.env"
ctl doctor
is "$CTL_RC" 0 "doctor with a live upstream exits 0"
like "$(doctor_line upstream)" '^ok upstream' "doctor says ok for the upstream"
# upstream_seen: "METHOD PATH AUTHORIZATION" of each request the upstream got.
upstream_seen() {
	"$PYTHON" - "$UPSTREAM_LOG" <<'PY'
import json, sys
try:
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
except OSError:
    lines = []
for line in lines:
    r = json.loads(line)
    print(r["method"], r["path"], r["headers"].get("authorization", "-"))
PY
}
seen=$(upstream_seen)
like "$seen" '^GET /v1/models' "doctor asked the upstream GET {base_url}/models"
like "$seen" '^GET /v1/models Bearer sk-test-upstream$' "doctor sent OPENAI_API_KEY to the upstream"
unlike "$CTL_OUT$CTL_ERR" 'sk-test-upstream' "doctor never prints the upstream key"

# ---- doctor with the upstream down -------------------------------------------------
dead=$(free_port)
sed -i "s|^OPENAI_BASE_URL=.*|OPENAI_BASE_URL=http://127.0.0.1:$dead/v1|" "$HERMES_HOME/.env"
start=$(date +%s)
ctl doctor
like "$(doctor_line upstream)" '^(FAIL|warn) upstream' "doctor reports an unreachable upstream as FAIL or warn"
ok "doctor gives up on the upstream quickly (< 15 s)" test $(($(date +%s) - start)) -lt 15

# ---- doctor on problems ---------------------------------------------------------------
printf 'API_SERVER_KEY=changeme\n' > "$HERMES_HOME/.env"
ctl doctor
is "$CTL_RC" 1 "doctor with key 'changeme' exits 1"
line=$(printf '%s\n%s\n' "$CTL_OUT" "$CTL_ERR" | grep -E '^FAIL' | grep -i 'key' | head -n 1)
like "$line" '^FAIL ' "doctor has a FAIL line for the weak key ($line)"
like "$line" 'fix:' "the FAIL line says how to fix it"

printf 'API_SERVER_KEY=%s\n' "$key" > "$HERMES_HOME/.env"
chmod 0644 "$HERMES_HOME/.env"
ctl doctor
like "$(printf '%s\n%s\n' "$CTL_OUT" "$CTL_ERR" | grep -E '^(FAIL|warn)' | grep -i 'env' | head -n 1)" \
	'^(FAIL|warn) .*fix:' "doctor flags a world-readable .env with a fix"
chmod 0600 "$HERMES_HOME/.env"

printf 'API_SERVER_KEY=%s\nbroken line\n' "$key" > "$HERMES_HOME/.env"
ctl doctor
is "$CTL_RC" 1 "doctor with a broken .env exits 1"
like "$CTL_OUT$CTL_ERR" '\.env line 2' "doctor names the broken .env line"
like "$(printf '%s\n' "$CTL_OUT" | grep '^FAIL env-file')" '^FAIL env-file: .*\.env line 2.*fix: edit that line' \
	"doctor reports the .env itself as not parsing, with the fix"
unlike "$(doctor_line api-key)" 'not set|run .hermesctl init --force. to' \
	"doctor does not call the key missing or send the user to init --force ($(doctor_line api-key))"
like "$(cat "$HERMES_HOME/.env")" "^API_SERVER_KEY=$key" "the key is still in .env"

ok "hermesctl version prints a version" sh -c '"$HERMESCTL" version | grep -Eq "[0-9]+\.[0-9]+\.[0-9]+"'

done_testing
