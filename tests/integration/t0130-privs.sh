#!/bin/bash
# tests/integration/t0130-privs.sh: who the agent runs as.
#   - hermes-fcgi as root (as CGI and behind lighttpd) refuses with a 503
#     naming the fix unless HERMES_ALLOW_ROOT / security.allow_root; so does
#     hermesctl chat, and neither leaves a file behind;
#   - as the shared web user www-data the exec tools are off, reported in
#     /health/detailed and /v1/toolsets, and a turn cannot run terminal;
#     HERMES_ALLOW_SHARED_USER_EXEC turns them back on;
#   - hermesctl run as root on a HERMES_HOME a created user owns acts as that
#     user (no root-owned file), and doctor names a root-owned file.
# Needs root (the suite runs as root); a non-root run skips it.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" setpriv useradd userdel
[ "$(id -u)" = 0 ] || skip_all "needs root: it checks what root and other users get"
getent passwd www-data >/dev/null || skip_or_fail "no www-data user"

# Everything below decides for itself whether root is allowed.
unset HERMES_ALLOW_ROOT
chmod 0711 "$T"
AUTH="HTTP_AUTHORIZATION=Bearer $TEST_KEY"

# ---- root, as CGI ------------------------------------------------------------------
root_home=$T/root-home
mk_home "$root_home"
CGI_HOME=$root_home
cgi PATH_INFO=/health
check_envelope 503 running_as_root "as root without the setting: /health is 503 running_as_root"
msg=$(jget 'j["error"]["message"]')
like "$msg" 'server\.username = "hermes"' "  the message gives lighttpd's server.username line"
like "$msg" 'FcgidWrapper' "  and Apache's FcgidWrapper"
like "$msg" 'HERMES_ALLOW_ROOT=1' "  and the setting that allows root"
like "$(cat "$CGI_ERR")" 'ERROR .*runs as root.*server\.username' "  the log (the web server's error log) says the same"
cgi PATH_INFO=/v1/models "$AUTH"
check_envelope 503 running_as_root "  every route answers it (/v1/models with the key)"
is "$(ls -A "$root_home")" ".env" "  nothing was created in HERMES_HOME (no workspace, no state.db)"

printf 'HERMES_ALLOW_ROOT=1\n' >> "$root_home/.env"
cgi PATH_INFO=/v1/models "$AUTH"
is "$RESP_STATUS" 200 "HERMES_ALLOW_ROOT=1 in .env: served as root"
sed -i '/^HERMES_ALLOW_ROOT/d' "$root_home/.env"
printf 'security:\n  allow_root: true\n' > "$root_home/config.yaml"
cgi PATH_INFO=/v1/models "$AUTH"
is "$RESP_STATUS" 200 "security.allow_root: true in config.yaml: served as root"
printf 'security:\n  allow_root: maybe\n' > "$root_home/config.yaml"
cgi PATH_INFO=/v1/models "$AUTH"
like "$RESP_STATUS $(jget 'j["error"]["message"]')" '^500 .*allow_root must be true or false' \
	"security.allow_root: maybe is a config error"
rm -f "$root_home/config.yaml"

# ---- root, behind lighttpd (the responders it spawns) ---------------------------------
if command -v lighttpd >/dev/null 2>&1; then
	start_lighttpd lroot / "$root_home" 1
	http GET "http://127.0.0.1:$LIGHTTPD_PORT/health"
	check_envelope 503 running_as_root "lighttpd spawning it as root: /health is 503 running_as_root"
	like "$(jget 'j["error"]["message"]')" 'server\.username' "  naming server.username"
	like "$(cat "$LIGHTTPD_DIR/hermes-fcgi.log" "$LIGHTTPD_DIR/error.log" 2>/dev/null)" \
		'runs as root.*server\.username' "  and the responder's log line says it once"
	http GET "http://127.0.0.1:$LIGHTTPD_PORT/health"
	is "$RESP_STATUS" 503 "  the responder keeps answering (no respawn loop)"
	n=$(cat "$LIGHTTPD_DIR/hermes-fcgi.log" "$LIGHTTPD_DIR/error.log" 2>/dev/null | grep -c 'runs as root')
	is "$n" 1 "  logged once per process, not per request"
	stop_pid "$LIGHTTPD_PID"

	allowed=$T/allowed-home
	mk_home "$allowed"
	printf 'HERMES_ALLOW_ROOT=1\n' >> "$allowed/.env"
	start_lighttpd lallowed / "$allowed" 1
	http GET "http://127.0.0.1:$LIGHTTPD_PORT/v1/models" -H "Authorization: Bearer $TEST_KEY"
	is "$RESP_STATUS" 200 "lighttpd with HERMES_ALLOW_ROOT=1 in .env: served"
	stop_pid "$LIGHTTPD_PID"
else
	skip_or_fail "lighttpd is not installed"
fi

# ---- hermesctl chat as root ----------------------------------------------------------
start_upstream
chat_home=$T/chat-home
mk_home "$chat_home"
HERMES_HOME=$chat_home OPENAI_BASE_URL=$UPSTREAM_URL OPENAI_API_KEY=k HERMES_MODEL=m \
	"$HERMESCTL" chat "hello" > "$T/out" 2> "$T/err"
is "$?" 1 "hermesctl chat as root on root's home exits 1"
like "$(cat "$T/err")" 'runuser -u hermes -- hermesctl chat' "  naming the runuser line"
like "$(cat "$T/err")" 'HERMES_ALLOW_ROOT=1' "  and the setting"
is "$(ls -A "$chat_home")" ".env" "  and creates nothing in HERMES_HOME"
script_upstream '[{"reply":"hi root"}]'
HERMES_HOME=$chat_home HERMES_ALLOW_ROOT=1 OPENAI_BASE_URL=$UPSTREAM_URL OPENAI_API_KEY=k \
	HERMES_MODEL=m "$HERMESCTL" chat "hello" > "$T/out" 2> "$T/err"
is "$?:$(cat "$T/out")" "0:hi root" "  with HERMES_ALLOW_ROOT=1 it runs"

# ---- the shared web user www-data ------------------------------------------------------
# The binary where www-data can run it, started through setpriv as CGI.
mkdir -p "$T/bin"
cp "$HERMES_FCGI" "$T/bin/hermes-fcgi"
chmod 0755 "$T/bin" "$T/bin/hermes-fcgi"
cat > "$T/bin/as-www-data" <<EOF
#!/bin/sh
exec setpriv --reuid=www-data --regid=www-data --init-groups "$T/bin/hermes-fcgi"
EOF
chmod 0755 "$T/bin/as-www-data"
www=$T/www-home
mk_home "$www"
printf 'OPENAI_BASE_URL=%s\nOPENAI_API_KEY=k\nHERMES_MODEL=m\n' "$UPSTREAM_URL" >> "$www/.env"
chown -R www-data:www-data "$www"
CGI_HOME=$www
www_cgi() { HERMES_FCGI=$T/bin/as-www-data cgi "$@"; }

www_cgi PATH_INFO=/health/detailed "$AUTH"
is "$RESP_STATUS" 200 "as www-data: /health/detailed is 200"
like "$(jget 'j["tools"]["exec_disabled"]')" 'shared web user www-data.*HERMES_ALLOW_SHARED_USER_EXEC' \
	"  tools.exec_disabled says why and names the setting"
like "$(cat "$CGI_ERR")" 'WARNING .*shared web user www-data' "  the log says so"
www_cgi PATH_INFO=/v1/toolsets "$AUTH"
is "$(jget '[(t["name"], t["enabled"]) for t in j["data"] if t["name"] in ("terminal", "code_execution", "file")]')" \
	'[["terminal", false], ["file", true], ["code_execution", false]]' \
	"  /v1/toolsets: terminal and code_execution off, file on"

# A turn whose model asks for terminal anyway.
body=$T/chat.json
printf '{"model":"hermes-agent","messages":[{"role":"user","content":"who are you"}]}' > "$body"
turn() {
	script_upstream "[$(call c1 terminal '{"command":"id -un"}'),{\"reply\":\"done\"}]"
	CGI_STDIN=$body www_cgi REQUEST_METHOD=POST PATH_INFO=/v1/chat/completions \
		CONTENT_TYPE=application/json CONTENT_LENGTH="$(wc -c < "$body")" "$AUTH"
	CGI_STDIN=/dev/null
}
turn
is "$RESP_STATUS" 200 "  a chat turn as www-data completes"
is "$(upstream_requests | jq_py "sorted(t['function']['name'] for t in d[0]['body'].get('tools', []) if t['function']['name'] in ('terminal', 'execute_code'))")" \
	"[]" "  the model is not offered terminal or execute_code"
like "$(tool_result 1 c1)" "tool 'terminal' is not available" "  a terminal call it makes anyway is refused"
unlike "$(tool_result 1 c1)" 'www-data' "  (no command ran)"

www_cgi PATH_INFO=/health/detailed "$AUTH" API_SERVER_TOOLSETS=file,memory
is "$(jget 'j["tools"]["exec_disabled"]'):$(cat "$CGI_ERR")" "null:" \
	"  toolsets configured without exec tools: nothing disabled, nothing logged"

printf 'HERMES_ALLOW_SHARED_USER_EXEC=1\n' >> "$www/.env"
www_cgi PATH_INFO=/health/detailed "$AUTH"
is "$(jget 'j["tools"]["exec_disabled"]')" null "HERMES_ALLOW_SHARED_USER_EXEC=1: exec_disabled is null"
www_cgi PATH_INFO=/v1/toolsets "$AUTH"
is "$(jget '[t["enabled"] for t in j["data"] if t["name"] == "terminal"]')" '[true]' "  terminal is on"
turn
like "$(tool_result 1 c1)" "www-data" "  and terminal runs, as www-data"

# ---- hermesctl as root on a home another user owns --------------------------------------
user=hmt$$
useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$user" ||
	bail_out "useradd $user failed"
remove_user() { local rc=$?; userdel "$user" 2>/dev/null; (exit $rc); t_cleanup; }
trap remove_user EXIT
group=$(id -gn "$user")
uhome=$T/user-parent/.hermes
mkdir -p "$T/user-parent"
chown "$user:$group" "$T/user-parent"
chmod 0755 "$T/user-parent"

export HERMES_HOME=$uhome
"$HERMESCTL" init > "$T/out" 2> "$T/err"
is "$?" 0 "hermesctl init as root where the parent belongs to $user exits 0"
like "$(cat "$T/err")" "running as $user, the owner of" "  it says it runs as $user"
is "$(stat -c %U "$uhome")" "$user" "  HERMES_HOME belongs to $user"
script_upstream '[{"reply":"hi"}]'
OPENAI_BASE_URL=$UPSTREAM_URL OPENAI_API_KEY=k HERMES_MODEL=m \
	"$HERMESCTL" chat "hello" > "$T/out" 2> "$T/err"
is "$?:$(cat "$T/out")" "0:hi" "hermesctl chat as root on it runs (as $user, no HERMES_ALLOW_ROOT needed)"
"$HERMESCTL" sessions list > /dev/null 2>&1
"$HERMESCTL" store check > "$T/out" 2>&1
is "$?" 0 "hermesctl store check as root on it exits 0"
ok "  state.db and the workspace exist" test -e "$uhome/state.db" -a -d "$uhome/workspace"
is "$(find "$uhome" ! -user "$user" | head -n 5)" "" "  no file under HERMES_HOME belongs to anyone but $user"

"$HERMESCTL" doctor > "$T/out" 2>&1
like "$(grep ' ownership' "$T/out")" "^ok ownership: .*all owned by $user" "doctor: ownership ok"
touch "$uhome/workspace/from-root"
"$HERMESCTL" doctor > "$T/out" 2>&1
is "$?" 1 "doctor with a root-owned file exits 1"
line=$(grep ' ownership' "$T/out")
like "$line" "^FAIL ownership: 1 of .*from-root \\(root\\)" "  names the root-owned file ($line)"
like "$line" "fix: chown -R $user:$group $uhome" "  with the chown line"

done_testing
