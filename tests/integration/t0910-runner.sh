#!/bin/bash
# tests/integration/t0910-runner.sh: hermes-runner without HTTP: runs queued
# straight into state.db (tests/runner/runq), the scripted upstream
# answering. run-once works a queue with no daemon; ten racing starts leave
# one runner; the runner holds no inherited fd and is out of the starter's
# session; a worker killed by SIGKILL fails its run naming the signal; a
# runner killed mid-run leaves an orphan that the next runner marks
# interrupted; stop by signal and by status; TTL sweep; idle exit; root.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
. "$top_srcdir/tests/integration/runner_lib.sh"
runner_home

# runners_here: hermes-runner processes whose cwd is this HERMES_HOME.
runners_here() {
	local p n=0
	for p in $(pgrep -x hermes-runner || true); do
		[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$HERMES_HOME" ] && n=$((n + 1))
	done
	echo "$n"
}
hang='{"reply":"never seen","first_delay":30}'

# ---- run-once works a queue with no daemon ----------------------------------
script_upstream "[$(call c1 memory '"{\"action\":\"read\"}"'),$(call c2 memory '"{\"action\":\"read\"}"'),{\"reply\":\"Two rounds done.\",\"chunk_size\":3},{\"reply\":\"second run\"}]"
"$RUNQ" add run_a '{"input":"do two rounds","instructions":"be brief"}'
"$RUNQ" add run_b '{"input":[{"role":"user","content":"earlier"},{"role":"assistant","content":"ok"},{"role":"user","content":"and now?"}]}'
# One at a time, so the two runs take the scripted answers in order.
HERMES_RUNNER_MAX_CONCURRENT=1 "$HERMESCTL" runner run-once >"$T/once.out" 2>&1
tap_is $? 0 "run-once exits 0 when the queue is empty"
tap_is "$(field run_a status)" completed "run_a completed"
tap_is "$(field run_a output)" "Two rounds done." "its output"
tap_like "$("$RUNQ" get run_a)" '"usage":"\{\\"input_tokens\\":[0-9]+' "usage on the row"
tap_is "$(events run_a)" "tool.started tool.completed tool.started tool.completed message.delta run.completed" \
	"events in order, text batched into one delta"
tap_is "$("$RUNQ" events run_a | jq_py "[e['seq'] for e in d]")" "[1, 2, 3, 4, 5, 6]" "numbered from 1"
tap_is "$("$RUNQ" events run_a | jq_py "[m['role'] for m in json.loads(d[-1]['event'])['messages']]")" \
	"['assistant', 'tool', 'assistant', 'tool', 'assistant']" "run.completed carries the turn's messages"
tap_is "$(field run_a last_event)" run.completed "last_event"
tap_is "$(field run_b status)" completed "run_b (a message list) completed"
tap_is "$(upstream_requests | jq_py "[m['role'] for m in d[3]['body']['messages']]")" \
	"['system', 'user', 'assistant', 'user']" "its earlier messages went upstream as history"
tap_is "$(runners_here)" 0 "no daemon was left behind"

# ---- ten racing starts: exactly one runner ----------------------------------
starters=
for i in $(seq 1 10); do
	"$HERMESCTL" runner start >/dev/null 2>&1 &
	starters="$starters $!"
done
# shellcheck disable=SC2086
wait $starters
sleep 0.5
tap_is "$(runners_here)" 1 "ten parallel starts leave exactly one hermes-runner"
pid=$(runner_pid)
tap_like "$pid" '^[0-9]+$' "hermesctl runner status shows its pid"
tap_is "$(cat "$HERMES_HOME/runner.pid")" "$pid" "runner.pid holds it"
"$HERMESCTL" runner stop >/dev/null
tap_is $? 0 "runner stop"
tap_is "$(runners_here)" 0 "and it is gone"
"$HERMESCTL" runner status >/dev/null
tap_is $? 3 "status exits 3 with no runner"

# ---- no inherited fd, own session ------------------------------------------
exec 9>"$T/inherited"
"$HERMESCTL" runner start >/dev/null
exec 9>&-
pid=$(runner_pid)
leaked=$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -c "$T/inherited")
tap_is "$leaked" 0 "the runner holds no fd its starter had open"
tap_is "$(ls "/proc/$pid/fd" | sort -n | head -3 | tr '\n' ' ')" "0 1 2 " "stdin, stdout, stderr are open"
tap_like "$(readlink "/proc/$pid/fd/2")" "logs/runner.log$" "stderr is its log"
read -r st < "/proc/$pid/stat"; set -- ${st##*) }
read -r mine < "/proc/$$/stat"; mine=${mine##*) }; mine_sid=$(echo "$mine" | cut -d' ' -f4)
tap_ok "$([ "$4" != "$mine_sid" ] && echo 0 || echo 1)" "the runner is in a session of its own"
tap_ok "$([ "$2" != "$$" ] && echo 0 || echo 1)" "and not a child of its starter's shell"

# ---- a worker killed by SIGKILL: failed, naming the signal -------------------
script_upstream "[$hang]"
"$RUNQ" add run_k '{"input":"hang"}'
wait_field run_k worker_pid '^[1-9]'
wpid=$(field run_k worker_pid)
tap_is "$(field run_k status)" running "the run is running in worker $wpid"
kill -KILL "$wpid"
wait_field run_k status failed
tap_is "$(field run_k status)" failed "SIGKILL of the worker: failed"
tap_like "$(field run_k error)" 'signal 9 \(SIGKILL\)' "the error names the signal"
tap_like "$(events run_k)" 'run.failed$' "run.failed is the last event"

# ---- stop: by signal, and by status alone -----------------------------------
script_upstream "[$hang,$hang]"
"$RUNQ" add run_s '{"input":"hang"}'
wait_field run_s worker_pid '^[1-9]'
"$RUNQ" stop run_s
kill -TERM "$(field run_s worker_pid)"
wait_field run_s status cancelled 50
tap_is "$(field run_s status)" cancelled "stopping + SIGTERM to the worker: cancelled"
tap_like "$(events run_s)" 'run.cancelled$' "run.cancelled"
"$RUNQ" add run_t '{"input":"hang"}'
wait_field run_t worker_pid '^[1-9]'
"$RUNQ" stop run_t
wait_field run_t status cancelled 50
tap_is "$(field run_t status)" cancelled "stopping without a signal: the worker notices and cancels"

# ---- the runner killed mid-run: the next one marks the orphan interrupted ----
script_upstream "[$hang,{\"reply\":\"after restart\"}]"
"$RUNQ" add run_o '{"input":"hang"}'
wait_field run_o worker_pid '^[1-9]'
wpid=$(field run_o worker_pid)
kill -KILL "$(runner_pid)"
sleep 0.3
tap_like "$(proc_state "$wpid")" '^Z?$' "its worker died with it"
tap_is "$(field run_o status)" running "the orphan still reads running"
"$HERMESCTL" runner start >/dev/null
wait_field run_o status interrupted
tap_is "$(field run_o status)" interrupted "the next runner marks it interrupted"
tap_like "$(field run_o error)" "runner stopped before the run ended" "with a clear error"
tap_like "$(events run_o)" 'run.interrupted$' "run.interrupted event"
script_upstream '[{"reply":"after restart"}]'
"$RUNQ" add run_n '{"input":"new"}'
wake
wait_field run_n status completed
tap_is "$(field run_n output)" "after restart" "a run queued afterwards completes"
"$HERMESCTL" runner stop >/dev/null

# ---- TTL sweep ----------------------------------------------------------------
sleep 1.2
HERMES_RUNNER_TTL=1 "$HERMESCTL" runner run-once >/dev/null 2>&1
"$RUNQ" get run_a >/dev/null 2>&1
tap_is $? 1 "runner.ttl: finished runs are swept"
tap_is "$("$RUNQ" events run_a 2>/dev/null | jq_py 'len(d)')" 0 "with their events"

# ---- idle exit ------------------------------------------------------------------
HERMES_RUNNER_IDLE_EXIT=1 "$HERMESCTL" runner start >/dev/null
pid=$(runner_pid)
for i in $(seq 1 40); do [ -z "$(proc_state "$pid")" ] && break; sleep 0.1; done
tap_is "$(proc_state "$pid")" "" "runner.idle_exit: the idle runner exits"
"$HERMESCTL" runner status >/dev/null
tap_is $? 3 "and status says so"

# ---- /health/detailed and doctor ----------------------------------------------
printf 'API_SERVER_KEY=%s\n' "$TEST_KEY" > "$HERMES_HOME/.env"
chmod 600 "$HERMES_HOME/.env"
CGI_HOME=$HERMES_HOME
health() { cgi REQUEST_METHOD=GET PATH_INFO=/health/detailed "HTTP_AUTHORIZATION=Bearer $TEST_KEY"; jq_py "$1" < "$RESP_BODY"; }
"$RUNQ" add run_q '{"input":"waiting"}'
tap_is "$(health "[d['runner'][k] for k in ('running', 'pid', 'queued', 'working')]")" \
	"[False, None, 1, 0]" "/health/detailed: no runner, one run queued"
tap_like "$(health "d['runner']['oldest_queued_age_s']")" '^[0-9]+$' "with the oldest queued run's age"
tap_like "$("$HERMESCTL" doctor)" "warn runner: 1 run is queued and no hermes-runner is running" \
	"doctor warns: runs queued, no runner"
script_upstream '[{"reply":"done"}]'
HERMES_RUNNER_IDLE_EXIT=0 "$HERMESCTL" runner start >/dev/null
wait_field run_q status completed
pid=$(runner_pid)
tap_is "$(health "[d['runner'][k] for k in ('running', 'pid', 'queued', 'working', 'oldest_queued_age_s')]")" \
	"[True, $pid, 0, 0, None]" "/health/detailed: the runner, its pid, an empty queue"
tap_like "$(health "d['runner']['uptime_s']")" '^[0-9]+$' "and its uptime"
tap_like "$("$HERMESCTL" doctor)" "ok runner: hermes-runner is running \(pid $pid\)" "doctor: ok"
"$HERMESCTL" runner stop >/dev/null

# ---- never as root -----------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	out=$(env -u HERMES_ALLOW_ROOT "$top_builddir/hermes-runner" --once 2>&1)
	tap_is $? 1 "as root without security.allow_root it refuses"
	tap_like "$out" "root" "saying why"
else
	out=$("$top_builddir/hermes-runner" --once 2>&1)
	tap_is $? 0 "hermes-runner --once as a normal user"
fi
tap_end
