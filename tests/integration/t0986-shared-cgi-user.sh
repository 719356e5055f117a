#!/bin/bash
# tests/integration/t0986-shared-cgi-user.sh: the fcgi/shared-hosting CGI
# set-up as a shared-host account runs it: Apache on a high port started by
# an ordinary user (created for the test, removed at the end), mod_cgid,
# the shipped .htaccess (ExecCGI, mod_rewrite) and hermes.fcgi in its web
# directory, no FcgidPassHeader or CGIPassAuth anywhere in the server's
# config. Apache drops Authorization for scripts: without the .htaccess's
# workaround (SetEnvIf + RewriteRule E=HTTP_AUTHORIZATION) the right key is
# refused, with it chat, responses, runs (the runner started from a CGI
# request, as the user) and the store work; runner.mode cron (the tick
# works the queue) and inline (the CGI request reading the events does).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl
mk_run_user
start_upstream up
H=$RUN_HOME/.hermes
chat_env "$H"
chown -R "$RUN_USER:$RUN_GID" "$H"
track_log "$H/logs/runner.log"

start_apache shared-cgi cgi /hermes/ "$H"
RB=http://127.0.0.1:$APACHE_PORT/hermes
ht=$APACHE_DIR/htdocs/hermes/.htaccess

is "$(cat "$APACHE_DIR/httpd.conf" "$APACHE_DIR/site.conf" | grep -v '^[[:space:]]*#' |
	grep -ci -e FcgidPassHeader -e CGIPassAuth)" 0 \
	"the server's config passes no Authorization (no FcgidPassHeader, no CGIPassAuth)"
is "$(stat -c %U "/proc/$APACHE_PID")" "$RUN_USER" "Apache runs as $RUN_USER"

# Without the workaround: the host's default, Authorization dropped.
cp "$ht" "$T/htaccess.orig"
grep -v -e 'HTTP_AUTHORIZATION' -e 'HTTP:Authorization' "$T/htaccess.orig" > "$ht"
http GET "$RB/v1/models" -H "Authorization: Bearer $RK"
is "$RESP_STATUS $(jget 'j["error"]["code"]')" "401 invalid_api_key" \
	"without the .htaccess workaround the right key is refused (Authorization dropped)"
cp "$T/htaccess.orig" "$ht"
http GET "$RB/v1/models" -H "Authorization: Bearer $RK"
is "$RESP_STATUS" 200 "with the documented workaround the key gets through"
http GET "$RB/v1/models" -H "Authorization: Bearer $WRONG_KEY"
is "$RESP_STATUS" 401 "... and a wrong key is still refused"

up_script '[{"reply":"cgi chat"},{"reply":"cgi stored"},{"reply":"cgi run"}]'
http POST "$RB/v1/chat/completions" -H "Authorization: Bearer $RK" -H 'Content-Type: application/json' \
	--data-binary '{"model":"hermes-agent","messages":[{"role":"user","content":"hi"}]}'
is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 cgi chat" "chat completion through CGI"
http POST "$RB/v1/responses" -H "Authorization: Bearer $RK" -H 'Content-Type: application/json' \
	--data-binary '{"model":"hermes-agent","input":"store this"}'
rid=$(jget 'j.get("id") or ""')
is "$RESP_STATUS $(jget 'j["output"][-1]["content"][0]["text"]')" "200 cgi stored" "a response through CGI"
http GET "$RB/v1/responses/$rid" -H "Authorization: Bearer $RK"
is "$RESP_STATUS $(jget 'j["id"]')" "200 $rid" "... read back from the store by another CGI process"
rpost '{"input":"work through cgi"}'
is "$RESP_STATUS" 202 "POST /v1/runs through CGI"
is "$(rwait "$RUN_ID" 'completed|failed|cancelled|interrupted' 60) $(jget 'j.get("output")')" \
	"completed cgi run" "the runner a CGI request started worked it"
p=$(pgrep -U "$RUN_UID" -x hermes-runner | head -1)
is "${p:+$(stat -c %U "/proc/$p")}" "$RUN_USER" "the runner runs as $RUN_USER"
is "$(stat -c %U "$H/state.db")" "$RUN_USER" "state.db is the user's"

# A CGI process reads the configuration per request: runner.mode applies at
# once. The daemon runner goes first (the host killed it).
pkill -KILL -U "$RUN_UID" -x hermes-runner
for i in $(seq 1 100); do
	[ -z "$(pgrep -U "$RUN_UID" -x hermes-runner)" ] && break
	sleep 0.1
done
# yaml TEXT: HERMES_HOME/config.yaml, the user's file.
yaml() {
	printf '%s\n' "$1" > "$H/config.yaml"
	chown "$RUN_USER:$RUN_GID" "$H/config.yaml"
	chmod 0600 "$H/config.yaml"
}
# runners_for SECONDS: the most hermes-runner processes of the user seen.
runners_for() {
	local i n most=0
	for i in $(seq 1 $(($1 * 10))); do
		n=$(pgrep -U "$RUN_UID" -x hermes-runner | wc -l)
		[ "$n" -le "$most" ] || most=$n
		sleep 0.1
	done
	echo "$most"
}
yaml 'runner:
  mode: cron'
up_script '[{"reply":"cgi cron"},{"reply":"cgi inline"}]'
rpost '{"input":"for the cron tick"}'
is "$RESP_STATUS $(runners_for 2) $(rstatus "$RUN_ID")" "202 0 queued" "cron: a CGI POST starts no runner; the run waits"
as_run_user env -i HOME="$RUN_HOME" LOGNAME="$RUN_USER" SHELL=/bin/sh PATH=/usr/bin:/bin \
	${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
	/bin/sh -c '$HOME/bin/hermesctl runner run-once >> $HOME/.hermes/logs/runner-cron.log 2>&1'
rget "$RUN_ID"
is "$(jget 'j["status"]'):$(jget 'j.get("output")')" "completed:cgi cron" "cron: the tick worked it"
yaml 'runner:
  mode: inline
  inline_seconds: 30'
rpost '{"input":"for its reader"}'
is "$RESP_STATUS $(runners_for 2) $(rstatus "$RUN_ID")" "202 0 queued" "inline: a CGI POST starts no runner; the run waits"
revents "$RUN_ID" "$T/ev.i"
is "$(rev_check "$T/ev.i" run.completed) $(rev_text "$T/ev.i")" " cgi inline" \
	"inline: the CGI request reading its events worked it"

done_testing
