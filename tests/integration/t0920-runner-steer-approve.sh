#!/bin/bash
# tests/integration/t0920-runner-steer-approve.sh: the worker side of steer
# and approvals, without HTTP (tests/runner/runq plays the endpoints):
# steer text reaches the next model call as a user message with a
# run.steered event; text that arrives too late is pending_steer on the
# terminal event; approvals.mode ask puts the run in waiting_for_approval
# with an approval.request event; once runs the command, deny refuses it,
# session approves the rule for the rest of the run, approvals.timeout
# denies; a stop while waiting cancels.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
. "$top_srcdir/tests/integration/runner_lib.sh"
runner_home
export HERMES_RUNNER_IDLE_EXIT=0

mem='{"id":"c1","name":"memory","arguments":"{\"action\":\"read\"}"}'

"$HERMESCTL" runner start >/dev/null

# ---- steer between tool rounds ----------------------------------------------------
script_upstream "[{\"tool_calls\":[$mem],\"first_delay\":1.5},{\"reply\":\"steered answer\"}]"
"$RUNQ" add run_st '{"input":"start"}'
wake
wait_field run_st worker_pid '^[1-9]'
wait_field run_st status running
"$RUNQ" steer run_st "focus on the tests"
tap_is $? 0 "steer text queued while the run works"
wait_field run_st status completed 100
tap_is "$(field run_st status)" completed "the steered run completes"
tap_is "$(upstream_requests | jq_py "[(m['role'], m.get('content')) for m in d[1]['body']['messages']][-2:]")" \
	"[('tool', 'Memory is empty.'), ('user', 'focus on the tests')]" \
	"the text reaches the next model call as a user message after the tool round"
tap_is "$(events run_st)" "tool.started tool.completed run.steered message.delta run.completed" "run.steered event"
tap_is "$(ev_field run_st run.steered text)" "focus on the tests" "run.steered carries the text"
tap_is "$(ev_field run_st run.completed pending_steer)" "-" "no pending_steer when delivered"

# ---- steer too late: pending_steer ------------------------------------------------
script_upstream '[{"reply":"only answer","first_delay":1.5}]'
"$RUNQ" add run_late '{"input":"one call only"}'
wake
wait_field run_late worker_pid '^[1-9]'
wait_field run_late status running
"$RUNQ" steer run_late "too late for this"
wait_field run_late status completed 100
tap_is "$(field run_late status)" completed "a run with undelivered steer text completes"
tap_is "$(ev_field run_late run.completed pending_steer)" "too late for this" \
	"the text is pending_steer on run.completed"

# ---- approvals -------------------------------------------------------------------
"$HERMESCTL" runner stop >/dev/null
export HERMES_APPROVALS_MODE=ask HERMES_APPROVALS_TIMEOUT=2
"$HERMESCTL" runner start >/dev/null
WS=$HERMES_HOME/workspace
nx="/hermes-t0920-nonexistent-$$"
danger() { printf 'touch %s; rm -rf %s/*' "$1" "$nx"; }
term() { printf '{"id":"%s","name":"terminal","arguments":%s}' "$1" "$("$PYTHON" -c 'import json,sys; print(json.dumps(json.dumps({"command": sys.argv[1]})))' "$2")"; }
tool_text() { upstream_requests | jq_py "[m['content'] for m in d[$1]['body']['messages'] if m.get('tool_call_id') == '$2'][0]"; }

# once
script_upstream "[{\"tool_calls\":[$(term a1 "$(danger ran-once)")]},{\"reply\":\"done\"}]"
"$RUNQ" add run_ap1 '{"input":"delete"}'
wake
wait_field run_ap1 status waiting_for_approval 100
tap_is "$(field run_ap1 status)" waiting_for_approval "a dangerous command: waiting_for_approval"
tap_like "$(event_of run_ap1 approval.request)" "'approval_id': 'apr_[0-9a-f]+'.*'command': 'touch ran-once; rm -rf .*'reason': '.+'.*'choices': \['once', 'session', 'always', 'deny'\]" \
	"approval.request with approval_id, command, reason, choices"
"$RUNQ" approve run_ap1 once
wait_field run_ap1 status completed 100
tap_is "$(field run_ap1 status)" completed "once: the run resumes and completes"
tap_ok "$([ -e "$WS/ran-once" ]; echo $?)" "and the command ran"

# deny
script_upstream "[{\"tool_calls\":[$(term a2 "$(danger ran-deny)")]},{\"reply\":\"done\"}]"
"$RUNQ" add run_ap2 '{"input":"delete"}'
wake
wait_field run_ap2 status waiting_for_approval 100
"$RUNQ" approve run_ap2 deny
wait_field run_ap2 status completed 100
tap_is "$(field run_ap2 status)" completed "deny: the run goes on"
tap_like "$(tool_text 1 a2)" "denied" "the tool result says the request was denied"
tap_ok "$([ ! -e "$WS/ran-deny" ]; echo $?)" "and the command did not run"

# session: asked once for two commands of the same rule
script_upstream "[{\"tool_calls\":[$(term a3 "$(danger ran-s1)")]},{\"tool_calls\":[$(term a4 "$(danger ran-s2)")]},{\"reply\":\"done\"}]"
"$RUNQ" add run_ap3 '{"input":"delete twice"}'
wake
wait_field run_ap3 status waiting_for_approval 100
"$RUNQ" approve run_ap3 session
wait_field run_ap3 status completed 100
tap_is "$(field run_ap3 status)" completed "session: completes"
tap_is "$(events run_ap3 | tr ' ' '\n' | grep -c '^approval.request$')" 1 "asked once for the rule"
tap_ok "$([ -e "$WS/ran-s1" ] && [ -e "$WS/ran-s2" ]; echo $?)" "both commands ran"

# timeout
script_upstream "[{\"tool_calls\":[$(term a5 "$(danger ran-timeout)")]},{\"reply\":\"done\"}]"
"$RUNQ" add run_ap4 '{"input":"delete"}'
wake
wait_field run_ap4 status waiting_for_approval 100
wait_field run_ap4 status completed 100
tap_is "$(field run_ap4 status)" completed "approvals.timeout: the run goes on"
tap_like "$(event_of run_ap4 approval.responded)" "'choice': 'deny'.*'reason': 'timeout'" "denied by the timeout"
tap_ok "$([ ! -e "$WS/ran-timeout" ]; echo $?)" "and the command did not run"

# a stop while waiting
script_upstream "[{\"tool_calls\":[$(term a6 "$(danger ran-stop)")]},{\"reply\":\"unreached\"}]"
export HERMES_APPROVALS_TIMEOUT=60
"$HERMESCTL" runner stop >/dev/null
"$HERMESCTL" runner start >/dev/null
"$RUNQ" add run_ap5 '{"input":"delete"}'
wake
wait_field run_ap5 status waiting_for_approval 100
"$RUNQ" stop run_ap5
wait_field run_ap5 status cancelled 50
tap_is "$(field run_ap5 status)" cancelled "stopped while waiting: cancelled"
tap_ok "$([ ! -e "$WS/ran-stop" ]; echo $?)" "and the command did not run"
"$HERMESCTL" runner stop >/dev/null
tap_end
