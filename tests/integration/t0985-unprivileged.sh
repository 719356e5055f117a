#!/bin/bash
# tests/integration/t0985-unprivileged.sh: the whole stack as an ordinary
# user (created for the test, removed at the end) whose only writable
# directory is its HERMES_HOME (~/.hermes): lighttpd on a high port, the
# responders and the runner all as that user; chat, responses, runs and the
# store work, and nothing is written outside HERMES_HOME and lighttpd's
# state dir. Then runner.mode cron: responders start no runner; every
# process of the user is killed between requests; the next cron tick
# (`hermesctl runner run-once` in cron's bare environment) works every
# queued run. Then runner.mode inline: a reader of a run's events, and a
# poll of a background response, work the queue, and an inline runner
# stops at runner.inline_seconds.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/runs_cases.sh"
. "$top_srcdir/tests/integration/shared_host_cases.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl lighttpd
sh_setup

# restart NAME: every process of the user killed, lighttpd started again.
restart() {
	kill_run_user
	is "$(run_user_pids | wc -l)" 0 "$1: every process of $RUN_USER is gone"
	start_lighttpd "$1" / "$H" 2
	RB=http://127.0.0.1:$LIGHTTPD_PORT
}
# no_runner_for SECONDS: true when no runner of the user shows up meanwhile.
no_runner_for() { [ "$(sh_most_runners "$1")" = 0 ]; }

# ---- (a) everything as the user ----------------------------------------------
start_lighttpd lt / "$H" 2
RB=http://127.0.0.1:$LIGHTTPD_PORT
sh_api_cases lighttpd
is "$(stat -c %a "$H")" 700 "HERMES_HOME stays 0700"
names=$(for p in $(run_user_pids); do cat "/proc/$p/comm"; done 2>/dev/null | sort -u | tr '\n' ' ')
is "$names" "hermes-fcgi hermes-runner lighttpd " "lighttpd, the responders and the runner run as $RUN_USER"
strays=$(find "$RUN_HOME" /tmp /var/tmp /dev/shm -xdev -user "$RUN_UID" 2>/dev/null |
	grep -v -e "^$H\(/\|\$\)" -e "^$T/lt\(/\|\$\)" | head -5)
is "$strays" "" "nothing written outside HERMES_HOME and lighttpd's state dir"

# ---- (c) runner.mode cron --------------------------------------------------------
sh_yaml 'runner:
  mode: cron
  max_concurrent: 1'
restart cron1
up_script '[{"reply":"cron one"},{"reply":"cron two"},{"reply":"cron three"}]'
rpost '{"input":"first"}'
r1=$RUN_ID
is "$RESP_STATUS" 202 "cron: POST /v1/runs is 202"
ok "cron: no runner is started by the responder" no_runner_for 2
restart cron2
rpost '{"input":"second"}'
r2=$RUN_ID
rpost '{"input":"third"}'
r3=$RUN_ID
is "$(rstatus "$r1") $(rstatus "$r2") $(rstatus "$r3")" "queued queued queued" "cron: three runs queued"
kill_run_user
is "$(run_user_pids | wc -l)" 0 "cron: every process of $RUN_USER killed with the runs queued"
as_run_user "$HERMESCTL" runner status > "$T/status.out"
is "$(sed -n 's/^mode  *//p; s/^queued  *//p' "$T/status.out" | tr '\n' ' ')" "cron 3 " \
	"cron: hermesctl runner status shows the mode and the three queued runs"
sh_cron_tick
is "$?" 0 "cron: the tick (hermesctl runner run-once) exits 0"
is "$(run_user_pids | wc -l)" 0 "cron: and leaves no process behind"
start_lighttpd cron3 / "$H" 2
RB=http://127.0.0.1:$LIGHTTPD_PORT
out=
for r in "$r1" "$r2" "$r3"; do
	rget "$r"
	out="$out $(jget 'j["status"]'):$(jget 'j.get("output")')"
done
is "$out" " completed:cron one completed:cron two completed:cron three" "cron: every queued run completed after the tick"
http GET "$RB/health/detailed" -H "Authorization: Bearer $RK"
is "$(jget 'j["runner"]["mode"]') $(jget 'j["runner"]["running"]')" "cron false" \
	"cron: /health/detailed shows the mode, and no runner running"
revents "$r3" "$T/ev.c"
is "$(rev_check "$T/ev.c" run.completed)" "" "cron: events of a run worked by the tick"

# ---- (d) runner.mode inline ------------------------------------------------------
sh_yaml 'runner:
  mode: inline
  inline_seconds: 6
  max_concurrent: 1'
restart inline1
up_script '[{"reply":"worked by its reader"},{"reply":"background by polling"}]'
rpost '{"input":"inline please"}'
r1=$RUN_ID
ok "inline: no runner is started by the POST" no_runner_for 2
is "$(rstatus "$r1")" queued "inline: the run waits queued"
revents "$r1" "$T/ev.d"
is "$(rev_check "$T/ev.d" run.completed)" "" "inline: GET /v1/runs/{id}/events worked it to run.completed"
is "$(rev_text "$T/ev.d")" "worked by its reader" "inline: ... its text"
http POST "$RB/v1/responses" -H "Authorization: Bearer $RK" -H 'Content-Type: application/json' \
	--data-binary '{"model":"hermes-agent","input":"bg","background":true}'
bid=$(jget 'j.get("id") or ""')
st=
for i in $(seq 1 300); do
	http GET "$RB/v1/responses/$bid" -H "Authorization: Bearer $RK"
	st=$(jget 'j.get("status")')
	case $st in queued|in_progress) sleep 0.2 ;; *) break ;; esac
done
is "$st $(jget 'j["output"][-1]["content"][0]["text"]')" "completed background by polling" \
	"inline: polling a background response works it"
# The bound: an upstream that answers after 60 s, an inline runner of 6 s,
# one run at a time. The reader of the second run starts a runner that
# takes the first (the oldest), stops it at 6 s and exits; the reader starts
# the next one, which works the second run.
up_script '[{"reply":"too late","first_delay":60},{"reply":"after the bound"}]'
rpost '{"input":"hang"}'
r2=$RUN_ID
rpost '{"input":"after it"}'
r3=$RUN_ID
RUNS_EV_MAX=90 revents "$r3" "$T/ev.f"
is "$(rev_check "$T/ev.f" run.completed) $(rev_text "$T/ev.f")" " after the bound" \
	"inline: a reader whose run was not reached in time starts the next runner and gets it worked"
is "$(rstatus "$r2")" cancelled "inline: the run still working at inline_seconds was stopped (cancelled)"
revents "$r2" "$T/ev.e"
is "$(rev_check "$T/ev.e" run.cancelled)" "" "inline: ... with its run.cancelled event"
ok "inline: the inline runner is gone within 15 s more" sh_runners_gone 30

done_testing
