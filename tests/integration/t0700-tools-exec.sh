#!/bin/bash
# tests/integration/t0700-tools-exec.sh: terminal and execute_code through
# the agent loop (`hermesctl chat` against the scripted upstream): exit status
# and output reach the next upstream request; a timeout kills the whole
# process group (a background `sleep` included, checked with pgrep on a
# unique marker); output is capped head+tail; the environment a script sees
# (passthrough kept, secrets and the server's keys dropped even when listed);
# dangerous commands refused under approvals deny/ask and run with off
# (only commands that are harmless if run); SIGINT stops a running tool.
# Processes are only ever signalled by the pid this script started.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
start_upstream
agent_env
unset API_SERVER_TOOLSETS HERMES_WORKSPACE HERMES_ENV_PASSTHROUGH HERMES_APPROVALS_MODE \
	HERMES_TERMINAL_TIMEOUT HERMES_CODE_TIMEOUT
WS="$HERMES_HOME/workspace"
U="$$$RANDOM" # unique marker for this run's processes and paths
alive() { pgrep -f "$1" >/dev/null; } # checks only; never kills by name
now_ms() { date +%s%3N; }

# ---- one turn of ordinary calls (default settings: approvals deny) ---------------
# The dangerous command is harmless if run: the target directory does not
# exist; the marker file shows whether the command ran at all.
nx="/hermes-t0700-nonexistent-$U"
[ ! -e "$nx" ] || { echo "Bail out! $nx exists"; exit 1; }
danger="touch ran-$U; rm -rf $nx/*"
calls t1 terminal "$(json_obj command 'echo hi; echo oops >&2; exit 3')" \
	t1b terminal "$(json_obj command 'pwd; test -t 0 || echo no-tty; cat')" \
	t3 terminal "$(json_obj command 'seq 1 200000')" \
	t4b execute_code "$(json_obj language sh code 'echo out; echo err >&2; exit 4')" \
	t5 terminal "$(json_obj command "$danger")" \
	t5d execute_code "$(json_obj code "import os; os.system('touch ran2-$U; rm -rf $nx/*')")"
chat "run them"
tap_is $? 0 "a turn with six terminal/execute_code calls completes"
fetch
r=$(result t1)
tap_like "$r" '^exit status: 3' "terminal: the tool result starts with the exit status 3"
tap_like "$r" '^hi$' "and carries stdout"
tap_like "$r" '^oops$' "and stderr"
tap_is "$(result t1b)" "$(printf 'exit status: 0\n%s\nno-tty' "$(cd "$WS" && pwd -P)")" \
	"cwd is the workspace, stdin is /dev/null"
r=$(result t3)
tap_like "$r" '^exit status: 0' "large output: exit status"
tap_like "$(printf '%s' "$r" | sed -n 2,4p | tr '\n' ' ')" '^1 2 3 $' "the head is kept"
tap_like "$r" '^\[\.\.\. [0-9]+ bytes cut \.\.\.\]$' "the middle is replaced by a marker saying how much was cut"
tap_like "$(printf '%s' "$r" | tail -2 | tr '\n' ' ')" '^199999 200000 ?$' "the tail is kept"
tap_ok "$([ "${#r}" -le 51000 ]; echo $?)" "the result is capped (${#r} bytes)"
tap_is "$(result t4b)" "$(printf 'exit status: 4\nstdout:\nout\n\nstderr:\nerr')" \
	"execute_code sh: status, stdout and stderr apart"
r=$(result t5)
tap_like "$r" "^Error: refused: .*'rm-root'" "approvals deny (default): a dangerous command is refused, naming the rule"
tap_like "$r" "approvals.mode is 'deny'" "the refusal names the setting"
tap_ok "$([ ! -e "$WS/ran-$U" ]; echo $?)" "the refused command did not run"
tap_like "$(result t5d)" "^Error: refused: this code matches .*'rm-root'" "execute_code is checked too"
tap_ok "$([ ! -e "$WS/ran2-$U" ]; echo $?)" "and did not run"

# ---- approvals ask (nobody can answer on chat) and off -----------------------------
calls t5b terminal "$(json_obj command "$danger")"
HERMES_APPROVALS_MODE=ask chat "delete"
fetch
tap_like "$(result t5b)" "^Error: refused: .*nobody can approve" "approvals ask on chat: refused as deny, and says so"
tap_ok "$([ ! -e "$WS/ran-$U" ]; echo $?)" "still not run"
calls t5c terminal "$(json_obj command "$danger")"
HERMES_APPROVALS_MODE=off chat "delete"
fetch
tap_like "$(result t5c)" '^exit status: 0' "approvals off: the command runs"
tap_ok "$([ -e "$WS/ran-$U" ]; echo $?)" "and had its effect"

# ---- timeouts kill the whole process group -----------------------------------------
calls t2 terminal "$(json_obj command "sleep 300.${U}1 & echo started; sleep 300.${U}2; echo never")" \
	t2b terminal '{"command":"sleep 30","timeout":1}' \
	t2c terminal '{"command":"echo capped","timeout":9999}'
t0=$(now_ms)
HERMES_TERMINAL_TIMEOUT=2 chat "sleep"
rc=$?
t1=$(now_ms)
tap_is "$rc" 0 "a turn whose commands time out still completes"
sleep 0.3
tap_ok "$(alive "300\\.${U}" && echo 1 || echo 0)" "no process of the command is left (background sleep included)"
fetch
r=$(result t2)
tap_like "$r" '^exit status: timed out after 2 s' "the result says it timed out after 2 s"
tap_like "$r" '^started$' "output before the timeout is kept"
tap_ok "$([ $((t1 - t0)) -lt 9000 ]; echo $?)" "the turn took $((t1 - t0)) ms, not 300 s"
tap_like "$(result t2b)" '^exit status: timed out after 1 s' "the timeout argument applies under the cap"
tap_like "$(result t2c)" '^capped$' "a timeout above terminal.timeout is capped, not refused"

# ---- execute_code: the environment the child sees; its timeout --------------------
code=$'import os\nfor k in sorted(os.environ): print(k + "=" + os.environ[k])\nprint("CWD=" + os.getcwd())\nprint("FILE=" + __file__)'
calls t4 execute_code "$(json_obj code "$code")"
# Under a web server .env values are not in the process environment;
# passthrough still finds them there.
printf 'DOTENV_PASS=fromdotenv\nDOTENV_OTHER=notlisted\n' >>"$HERMES_HOME/.env"
MY_PASS=passval SOME_TOKEN=tokval LISTED_TOKEN=listedval API_SERVER_KEY=serverkey \
	HERMES_FOO=bar HERMES_ENV_PASSTHROUGH="MY_PASS,LISTED_TOKEN,API_SERVER_KEY,OPENAI_API_KEY,DOTENV_PASS" \
	chat "print the environment"
tap_is $? 0 "a turn with execute_code completes"
fetch
r=$(result t4)
tap_like "$r" '^exit status: 0' "the script exited 0"
tap_like "$r" '^MY_PASS=passval$' "a passthrough variable is present"
tap_like "$r" '^LISTED_TOKEN=listedval$' "a secret-looking name listed in env_passthrough passes (spec §4.6 rule 1)"
tap_like "$r" '^DOTENV_PASS=fromdotenv$' "a passthrough variable set only in HERMES_HOME/.env is present"
tap_ok "$(printf '%s' "$r" | grep -q '^DOTENV_OTHER=' && echo 1 || echo 0)" "an unlisted .env variable is absent"
tap_ok "$(printf '%s' "$r" | grep -q '^SOME_TOKEN=' && echo 1 || echo 0)" "SOME_TOKEN (not listed) is absent"
tap_ok "$(printf '%s' "$r" | grep -q '^API_SERVER_KEY=\|serverkey' && echo 1 || echo 0)" \
	"API_SERVER_KEY is absent although listed in the passthrough"
tap_ok "$(printf '%s' "$r" | grep -q '^OPENAI_API_KEY=' && echo 1 || echo 0)" \
	"OPENAI_API_KEY is absent although listed in the passthrough"
tap_ok "$(printf '%s' "$r" | grep -q '^OPENAI_BASE_URL=\|^HERMES_MODEL=\|^HERMES_FOO=' && echo 1 || echo 0)" \
	"other server settings (OPENAI_BASE_URL, HERMES_MODEL, HERMES_FOO) are absent"
tap_like "$r" "^HERMES_HOME=$HERMES_HOME\$" "HERMES_HOME is present"
tap_like "$r" '^PATH=.' "PATH is present"
tap_like "$r" '^PYTHONUTF8=1$' "PYTHONUTF8=1 set"
tap_like "$r" '^PYTHONDONTWRITEBYTECODE=1$' "PYTHONDONTWRITEBYTECODE=1 set"
tap_like "$r" "^CWD=$(cd "$WS" && pwd -P)\$" "the script runs in the workspace"
f=$(printf '%s' "$r" | sed -n 's/^FILE=//p')
tap_ok "$([ -n "$f" ] && [ ! -e "$f" ] && [ ! -e "$(dirname "$f")" ]; echo $?)" \
	"the script file and its private directory are removed ($f)"
# Its own turn, so the script above runs under the default limit: on a
# loaded 2-core box (make -j4 check, sanitizers) starting python can take
# more than a second or two. 4 s leaves this one the time to print.
calls t4c execute_code "$(json_obj code $'import time\nprint("begun", flush=True)\ntime.sleep(30)')"
t0=$(now_ms)
HERMES_CODE_TIMEOUT=4 chat "sleep in python"
tap_is $? 0 "a turn whose script times out still completes"
t1=$(now_ms)
fetch
r=$(result t4c)
tap_like "$r" '^exit status: timed out after 4 s' "execute_code honours code_execution.timeout"
tap_like "$r" '^begun$' "with the output so far"
tap_ok "$([ $((t1 - t0)) -ge 4000 ] && [ $((t1 - t0)) -lt 20000 ]; echo $?)" \
	"the turn took $((t1 - t0)) ms: the limit, not the script's 30 s"

# ---- interrupt: SIGINT to hermesctl stops a running tool promptly -----------------
calls t6 terminal "$(json_obj command "sleep 60.${U}3")"
"$HERMESCTL" chat "wait" >"$TAP_TMP/out" 2>"$TAP_TMP/err" &
pid=$!
for _ in $(seq 1 100); do alive "60\\.${U}3" && break; sleep 0.1; done
tap_ok "$(alive "60\\.${U}3"; echo $?)" "the tool's sleep is running"
t0=$(now_ms)
kill -INT "$pid"
wait "$pid"
rc=$?
t1=$(now_ms)
tap_is "$rc" 130 "hermesctl reports the interrupted turn (exit 130)"
tap_ok "$([ $((t1 - t0)) -lt 3000 ]; echo $?)" "it stopped $((t1 - t0)) ms after SIGINT"
tap_ok "$(alive "60\\.${U}3" && echo 1 || echo 0)" "the tool's sleep is gone"
tap_end
