# tests/integration/runner_lib.sh: helpers of the runner tests (t0910,
# t0920): the runs table through tests/runner/runq, with HERMES_HOME set.
# SPDX-License-Identifier: MIT
: "${RUNQ:=$top_builddir/tests/runner/runq}"

# runner_home: the scripted upstream, HERMES_HOME with the agent's
# settings (agent_env), and the runner's pidfile and log tracked.
runner_home() {
	start_upstream
	agent_env
	track_pidfile "$HERMES_HOME/runner.pid"
	track_log "$HERMES_HOME/logs/runner.log"
}

# field RUN NAME: a field of the run row.
field() { "$RUNQ" get "$1" | jq_py "d['$2']"; }
# events RUN: the names of its events, in order.
# Consecutive message.delta events count as one: the sink batches text
# every 50 ms, so a reply may come as one delta or several on a busy box.
events() {
	"$RUNQ" events "$1" |
		jq_py "' '.join(t for i, t in enumerate(n) if t != 'message.delta' or not i or n[i - 1] != t) if (n := [json.loads(e['event'])['event'] for e in d]) is not None else ''"
}
# event_of RUN EVENT [N]: the Nth (default first) EVENT of RUN, as a Python dict.
event_of() { "$RUNQ" events "$1" | jq_py "[json.loads(e['event']) for e in d if json.loads(e['event'])['event'] == '$2'][${3:-0}]"; }
# ev_field RUN EVENT KEY: KEY of the first EVENT of RUN, "-" when absent.
ev_field() { "$RUNQ" events "$1" | jq_py "[json.loads(e['event']) for e in d if json.loads(e['event'])['event'] == '$2'][0].get('$3', '-')"; }
# wait_field RUN FIELD ERE [TENTHS]: until the field matches (default 10 s).
wait_field() {
	local i
	for i in $(seq 1 "${4:-100}"); do
		field "$1" "$2" | grep -Eq "$3" && return 0
		sleep 0.1
	done
	return 1
}
# wake: the byte a responder writes after queueing a run.
wake() { printf w > "$HERMES_HOME/runner.wake" 2>/dev/null || true; }
# runner_pid: the pid hermesctl runner status shows.
runner_pid() { "$HERMESCTL" runner status | sed -n 's/^pid  *//p'; }
