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
. "$top_srcdir/tests/integration/shared_host_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl
sh_setup

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

sh_api_cases cgi
p=$(pgrep -U "$RUN_UID" -x hermes-runner | head -1)
is "${p:+$(stat -c %U "/proc/$p")}" "$RUN_USER" "the runner runs as $RUN_USER"

# A CGI process reads the configuration per request: runner.mode applies at
# once. The daemon runner goes first (the host killed it).
pkill -KILL -U "$RUN_UID" -x hermes-runner
sh_runners_gone 10
sh_yaml 'runner:
  mode: cron'
up_script '[{"reply":"cgi cron"},{"reply":"cgi inline"}]'
rpost '{"input":"for the cron tick"}'
is "$RESP_STATUS $(sh_most_runners 2) $(rstatus "$RUN_ID")" "202 0 queued" "cron: a CGI POST starts no runner; the run waits"
sh_cron_tick
rget "$RUN_ID"
is "$(jget 'j["status"]'):$(jget 'j.get("output")')" "completed:cgi cron" "cron: the tick worked it"
sh_yaml 'runner:
  mode: inline
  inline_seconds: 30'
rpost '{"input":"for its reader"}'
is "$RESP_STATUS $(sh_most_runners 2) $(rstatus "$RUN_ID")" "202 0 queued" "inline: a CGI POST starts no runner; the run waits"
revents "$RUN_ID" "$T/ev.i"
is "$(rev_check "$T/ev.i" run.completed) $(rev_text "$T/ev.i")" " cgi inline" \
	"inline: the CGI request reading its events worked it"

done_testing
