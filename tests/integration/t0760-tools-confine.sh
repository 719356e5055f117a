#!/bin/bash
# tests/integration/t0760-tools-confine.sh: the kernel confinement of
# terminal and execute_code (tools.confinement), driven through the agent
# loop (`hermesctl chat` against the scripted upstream) like t0700:
#  - basic (the default) on this kernel: .env, config.yaml, state.db and the
#    agent process's /proc files cannot be read, nothing outside the
#    workspace and the run's private tmp can be written; the same commands
#    read the secrets at level off (so the checks can see a leak);
#  - resource bounds at strict: a fork bomb, a 2 GB allocation, a 1 GB file
#    and a `setsid sleep` are contained and gone after the call while the
#    responder (hermes-fcgi as CGI) keeps answering;
#  - Landlock (and the namespaces) switched off by tools.confinement_disable:
#    basic runs without them and says so, strict refuses to run;
#  - /health/detailed and hermesctl doctor report the level and features;
#  - read_file refuses a hard link to a file outside the workspace;
#  - the bubblewrap backend (tools.backend) keeps the same files out of reach.
# Processes are only ever looked at with pgrep on a unique marker; this
# script signals none but its own.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
tap_tmpdir
start_upstream
agent_env
unset API_SERVER_TOOLSETS HERMES_WORKSPACE HERMES_ENV_PASSTHROUGH HERMES_APPROVALS_MODE \
	HERMES_TERMINAL_TIMEOUT HERMES_CODE_TIMEOUT HERMES_TOOLS_CONFINEMENT \
	HERMES_TOOLS_CONFINEMENT_DISABLE HERMES_TOOLS_NETWORK
WS="$HERMES_HOME/workspace"
U="$$$RANDOM"
MARK="sk-secret-$U"
mkdir -p "$WS"
printf 'API_SERVER_KEY=%s\nHERMES_ALLOW_ROOT=1\n' "$MARK" >"$HERMES_HOME/.env"
printf '# %s\nmodel:\n  default: test-model\n' "$MARK" >"$HERMES_HOME/config.yaml"
chmod 600 "$HERMES_HOME/.env" "$HERMES_HOME/config.yaml"
export OPENAI_API_KEY="$MARK-upstream"
alive() { pgrep -f "$1" >/dev/null; } # looks only; never kills by name
# gone PATTERN: wait up to 10 s for no process to match.
gone() {
	for _ in $(seq 1 100); do alive "$1" || return 0; sleep 0.1; done
	return 1
}

# The probing commands: each prints what it could read (nothing, when
# confined) and the shell's verdict.
probe_home='cat ../.env ../config.yaml; head -c 16 ../state.db; echo; cat "$HERMES_HOME/.env"; head -c 1 /etc/shadow >/dev/null && echo SHADOW-READ; head -c 1 /etc/hostname >/dev/null && echo ETC-READ'
# Every /proc/PID/environ and mem this process can see (the agent's own
# included), and the parent's by $PPID.
probe_proc='for f in /proc/[0-9]*/environ /proc/$PPID/environ; do cat "$f"; done 2>&1 | tr "\0" "\n" | grep -c '"$MARK"'; head -c 1 /proc/$PPID/mem; ls /proc >/dev/null && echo PROC-LISTED'
probe_write="echo x > ../pwned-$U; echo x > /tmp/pwned-$U; echo x > inside-$U && echo INSIDE-OK; echo x > \"\$TMPDIR/t\" && echo TMP-OK"
probe_py="import os, glob
for p in ['../.env', '../config.yaml', '../state.db', '/proc/%d/environ' % os.getppid(), '/proc/1/mem']:
    try:
        print(p, 'READ', open(p, 'rb').read(64))
    except OSError as e:
        print(p, 'DENIED', e.errno)
for p in glob.glob('/proc/[0-9]*/environ'):
    try:
        print(p, 'LEAK' if b'$MARK' in open(p, 'rb').read() else 'clean')
    except OSError:
        pass
try:
    open('../pwned-py-$U', 'w').write('x'); print('WROTE-OUTSIDE')
except OSError as e:
    print('write outside DENIED', e.errno)
import ctypes
libc = ctypes.CDLL(None)
print('no_new_privs', libc.prctl(39, 0, 0, 0, 0))
print('cap_dac_override_bound', libc.prctl(23, 1, 0, 0, 0))
print('uid', os.getuid(), 'pid', os.getpid())"

# run_probes LEVEL [VAR=VALUE...]: one turn with the four probes.
run_probes() {
	calls p1 terminal "$(json_obj command "$probe_home")" \
		p2 terminal "$(json_obj command "$probe_proc")" \
		p3 terminal "$(json_obj command "$probe_write")" \
		p4 execute_code "$(json_obj code "$probe_py")"
	env HERMES_TOOLS_CONFINEMENT="$1" "${@:2}" "$HERMESCTL" chat "probe" >"$T/out" 2>"$T/err"
	tap_is $? 0 "level $1${2:+ ($2)}: the probing turn completes"
	fetch
}

# writes_confined LABEL: probe p3 wrote in the workspace and its $TMPDIR only.
writes_confined() {
	local r
	r=$(result p3)
	tap_ok "$([ ! -e "$HERMES_HOME/pwned-$U" ] && [ ! -e "/tmp/pwned-$U" ]; echo $?)" \
		"$1: nothing is written beside the workspace or in /tmp"
	tap_like "$r" '^INSIDE-OK$' "$1: the workspace is writable"
	tap_like "$r" '^TMP-OK$' "$1: the run's private \$TMPDIR is writable"
}

# ---- level off: the probes do see the secrets (the checks below can fail) ---------
run_probes off
tap_like "$(cat "$T/err")" 'tools.confinement is off' "off: hermesctl warns at startup"
tap_like "$(result p1)" "API_SERVER_KEY=$MARK" "off: the terminal reads ../.env (today's reach)"
[ "$(id -u)" != 0 ] || tap_like "$(result p1)" '^SHADOW-READ$' "off, as root: /etc/shadow is readable"
tap_like "$(result p4)" '\.\./\.env READ' "off: execute_code reads ../.env"
tap_ok "$([ -e "$HERMES_HOME/pwned-$U" ]; echo $?)" "off: the terminal writes outside the workspace"
rm -f "$HERMES_HOME/pwned-$U" "/tmp/pwned-$U" "$HERMES_HOME/pwned-py-$U" "$WS/inside-$U"

# ---- level basic (the default) on this kernel ----------------------------------
run_probes basic
r=$(result p1)
tap_ok "$(printf '%s' "$r" | grep -q "$MARK\|SQLite format" && echo 1 || echo 0)" \
	"basic: .env, config.yaml and state.db are not readable from the terminal"
tap_like "$r" 'Permission denied' "the shell says permission denied"
tap_ok "$(printf '%s' "$r" | grep -q SHADOW-READ && echo 1 || echo 0)" "basic: /etc/shadow is hidden (root could read it as its owner)"
tap_like "$r" '^ETC-READ$' "while the rest of /etc is readable"
r=$(result p2)
tap_like "$r" '^0$' "basic: no /proc/PID/environ (the agent's, \$PPID's) shows the key"
tap_ok "$(printf '%s' "$r" | grep -q PROC-LISTED && echo 1 || echo 0)" "and /proc cannot even be listed"
writes_confined basic
r=$(result p4)
tap_like "$r" '\.\./\.env DENIED 13' "execute_code: ../.env denied (EACCES)"
tap_like "$r" '\.\./config\.yaml DENIED' "execute_code: config.yaml denied"
tap_like "$r" '\.\./state\.db DENIED' "execute_code: state.db denied"
tap_like "$r" '/proc/[0-9]+/environ DENIED' "execute_code: the parent's environ denied"
tap_like "$r" '/proc/1/mem DENIED' "execute_code: /proc/1/mem denied"
tap_ok "$(printf '%s' "$r" | grep -q 'LEAK' && echo 1 || echo 0)" "execute_code: no process environment with the key"
tap_like "$r" 'write outside DENIED' "execute_code: writing outside the workspace denied"
tap_ok "$([ ! -e "$HERMES_HOME/pwned-py-$U" ]; echo $?)" "and nothing was written"
tap_like "$r" '^no_new_privs 1$' "the tool child runs with no_new_privs"
tap_like "$r" '^cap_dac_override_bound 0$' "and no capability left in its bounding set (root too)"
tap_like "$r" "^uid $(id -u) pid [0-9]+\$" "its uid is the caller's, mapped in its user namespace"

# ---- the bubblewrap backend (tools.backend: bubblewrap) -----------------------------
if command -v bwrap >/dev/null || [ -n "${CI:-}" ]; then
	run_probes basic HERMES_TOOLS_BACKEND=bubblewrap
	tap_ok "$(result p1 | grep -q "$MARK\|SQLite format\|SHADOW-READ" && echo 1 || echo 0)" \
		"bubblewrap: .env, config.yaml, state.db and /etc/shadow are out of reach"
	tap_like "$(result p1)" '^ETC-READ$' "bubblewrap: /etc is readable"
	writes_confined bubblewrap
	r=$(result p4)
	tap_like "$r" '\.\./\.env DENIED' "bubblewrap: execute_code cannot open ../.env"
	tap_ok "$(printf '%s' "$r" | grep -q 'LEAK' && echo 1 || echo 0)" "bubblewrap: no process environment with the key"
	tap_like "$r" '^no_new_privs 1$' "bubblewrap: no_new_privs"
	rm -f "$WS/inside-$U"
	calls b1 terminal "$(json_obj command "setsid sleep 600.${U}7 & sleep 0.3; kill -0 \$! 2>/dev/null && echo started")"
	HERMES_TOOLS_BACKEND=bubblewrap chat "leave"
	fetch
	tap_like "$(result b1)" '^started$' "bubblewrap: the setsid sleep started"
	tap_ok "$(gone "600\\.${U}7"; echo $?)" "bubblewrap: and is gone after the call"
	CGI_HOME=$HERMES_HOME cgi PATH_INFO=/health/detailed HTTP_AUTHORIZATION="Bearer $MARK" \
		HERMES_TOOLS_BACKEND=bubblewrap
	tap_is "$(jget 'j["tools"]["confinement"]["backend"]')" bubblewrap "/health/detailed names the backend"
else
	tap_ok 0 "# SKIP bwrap is not installed (scripts/deps.sh installs bubblewrap)"
fi

# ---- a workspace that holds HERMES_HOME: granted around it ----------------------------
outer="$T/outer-ws"
mkdir -p "$outer/sub"
printf 'keep\n' >"$outer/sub/file"
calls w1 terminal "$(json_obj command "cat sub/file; ls >/dev/null && echo LISTED; echo new > sub/new && echo WROTE; cat $HERMES_HOME/.env; ls $HERMES_HOME >/dev/null && echo HOME-LISTED")"
mv "$HERMES_HOME" "$outer/home"
HERMES_HOME="$outer/home" HERMES_WORKSPACE="$outer" "$HERMESCTL" chat "w" >"$T/out" 2>"$T/err"
mv "$outer/home" "$HERMES_HOME"
fetch
r=$(result w1)
tap_like "$r" '^keep$' "HERMES_HOME inside the workspace: the rest of the workspace is readable"
tap_like "$r" '^WROTE$' "and writable"
tap_ok "$(printf '%s' "$r" | grep -q "$MARK\|HOME-LISTED" && echo 1 || echo 0)" "while HERMES_HOME in it stays out of reach"

# ---- without Landlock (simulated): basic runs and says what it lacks; strict refuses
run_probes basic HERMES_TOOLS_CONFINEMENT_DISABLE=landlock
tap_like "$(result p1)" "API_SERVER_KEY=$MARK" "basic without Landlock: files are reachable again (documented)"
tap_like "$(cat "$T/err")" 'lacks landlock' "and the startup log names what is missing"
rm -f "$HERMES_HOME/pwned-$U" "/tmp/pwned-$U" "$HERMES_HOME/pwned-py-$U" "$WS/inside-$U"
run_probes strict HERMES_TOOLS_CONFINEMENT_DISABLE=landlock
tap_like "$(result p1)" '^Error: tools.confinement is strict and this host lacks landlock' \
	"strict without Landlock: the terminal refuses to run (fails closed)"
tap_like "$(result p4)" '^Error: tools.confinement is strict' "and so does execute_code"
tap_ok "$([ ! -e "$HERMES_HOME/pwned-$U" ]; echo $?)" "nothing ran"
run_probes strict
tap_ok "$(result p1 | grep -q "$MARK" && echo 1 || echo 0)" "strict on this kernel: confined like basic"
tap_like "$(result p3)" '^INSIDE-OK$' "and runs"

# ---- tools.network (Landlock ABI 4+): TCP connect limited -------------------------
netpy="import socket, errno
for name, port in (('upstream', $UPSTREAM_PORT), ('other', 9)):
    s = socket.socket()
    try:
        s.connect(('127.0.0.1', port)); print(name, 'connected')
    except OSError as e:
        print(name, errno.errorcode.get(e.errno, e.errno))
    s.close()"
for net in any upstream-only none; do
	calls n1 execute_code "$(json_obj code "$netpy")"
	HERMES_TOOLS_NETWORK=$net chat "connect"
	fetch
	eval "net_$(printf '%s' "$net" | tr - _)=\$(result n1)"
done
tap_like "$net_any" '^upstream connected$' "tools.network any: the upstream's port connects"
tap_like "$net_any" '^other ECONNREFUSED$' "any: another port is only refused by nobody listening"
tap_like "$net_upstream_only" '^upstream connected$' "upstream-only: the upstream's port connects"
tap_like "$net_upstream_only" '^other EACCES$' "upstream-only: another port is denied by the kernel"
tap_like "$net_none" '^upstream EACCES$' "none: even the upstream's port is denied"
HERMES_TOOLS_NETWORK=somewhere chat "x"
tap_like "$(cat "$T/out" "$T/err")" 'tools.network / HERMES_TOOLS_NETWORK must be none, upstream-only or any' \
	"a bad tools.network is a configuration error naming the setting"
HERMES_TOOLS_CONFINEMENT=loose chat "x"
tap_like "$(cat "$T/out" "$T/err")" 'tools.confinement / HERMES_TOOLS_CONFINEMENT must be strict, basic or off' \
	"a bad tools.confinement is a configuration error naming the setting"

# ---- resource bounds (strict: it refuses when the process bound is missing) ---------
cgi_home_health() {
	CGI_HOME=$HERMES_HOME cgi PATH_INFO=/health/detailed HTTP_AUTHORIZATION="Bearer $MARK" \
		HERMES_TOOLS_CONFINEMENT=strict
}
bomb="sh -c 'f(){ f & f; }; f' bomb-$U"
hog='b = bytearray(2 * 1024 ** 3)
print("allocated", len(b))'
calls r1 terminal "$(json_obj command "$bomb")" \
	r2 execute_code "$(json_obj code "$hog")" \
	r3 terminal "$(json_obj command "dd if=/dev/zero of=big-$U bs=1M count=1024 2>&1; ls -l big-$U")" \
	r4 terminal "$(json_obj command "setsid sleep 600.$U & sleep 0.3; kill -0 \$! 2>/dev/null && echo started")"
HERMES_TOOLS_CONFINEMENT=strict HERMES_APPROVALS_MODE=off HERMES_TERMINAL_TIMEOUT=8 \
	"$HERMESCTL" chat "abuse" >"$T/out" 2>"$T/err" &
cpid=$!
# While the bomb runs, the responder answers.
for _ in $(seq 1 200); do alive "bomb-$U" && break; sleep 0.05; done
cgi_home_health
tap_is "$RESP_STATUS" 200 "the responder answers /health/detailed while the fork bomb runs"
n=$(pgrep -fc "bomb-$U")
tap_ok "$([ "${n:-0}" -le 130 ]; echo $?)" "the fork bomb holds at most tools.max_processes processes ($n seen)"
wait "$cpid"
tap_is $? 0 "the turn with a fork bomb, a memory hog, a disk filler and a setsid sleep completes"
fetch
tap_like "$(result r1)" 'fork|Resource temporarily unavailable' "the fork bomb hit the process bound (fork failed)"
tap_ok "$(gone "bomb-$U"; echo $?)" "no fork bomb process is left after the call"
tap_ok "$(gone "600\\.$U"; echo $?)" "the setsid sleep is gone after the call"
tap_like "$(result r4)" '^started$' "the setsid sleep had started"
tap_like "$(result r2)" 'MemoryError' "the 2 GB allocation fails inside the tool (RLIMIT_DATA)"
sz=$(stat -c %s "$WS/big-$U" 2>/dev/null || echo 0)
tap_ok "$([ "$sz" -le $((256 * 1024 * 1024)) ]; echo $?)" "the 1 GB file stopped at tools.max_file_mb ($sz bytes)"
tap_like "$(result r3)" 'signal 25|File size limit' "the disk filler was stopped by RLIMIT_FSIZE"
rm -f "$WS/big-$U"
cgi_home_health
tap_is "$RESP_STATUS" 200 "the responder still answers afterwards"

# ---- the same without a PID namespace: the run's cgroup or group kill --------
calls s1 terminal "$(json_obj command "setsid sleep 600.${U}8 & sleep 0.3; kill -0 \$! 2>/dev/null && echo started")"
HERMES_TOOLS_CONFINEMENT=basic HERMES_TOOLS_CONFINEMENT_DISABLE=userns chat "leave"
fetch
if [ "$(id -u)" = 0 ]; then
	tap_ok "$(gone "600\\.${U}8"; echo $?)" "without a PID namespace (root: the pids cgroup) the setsid sleep is gone too"
else
	tap_ok "0" "without a PID namespace and no pids cgroup a setsid process may stay (documented)"
	pid=$(pgrep -f "600\\.${U}8") && kill "$pid"
fi

# ---- reporting ------------------------------------------------------------------
cgi_home_health
tap_is "$(jget 'j["tools"]["confinement"]["level"]')" strict "/health/detailed reports the level"
tap_is "$(jget 'j["tools"]["confinement"]["kernel"]["landlock_abi"] >= 1')" true \
	"and the Landlock ABI found"
tap_is "$(jget 'j["tools"]["confinement"]["kernel"]["user_pid_namespace"]')" true \
	"and the namespaces"
"$HERMESCTL" doctor >"$T/doc" 2>&1
tap_like "$(cat "$T/doc")" '^ok confinement: tools.confinement basic \(native backend\)' "hermesctl doctor reports the level and backend"
tap_like "$(cat "$T/doc")" 'landlock ABI [0-9]' "and the kernel features"
HERMES_TOOLS_CONFINEMENT=strict HERMES_TOOLS_CONFINEMENT_DISABLE=landlock "$HERMESCTL" doctor >"$T/doc" 2>&1
tap_like "$(cat "$T/doc")" '^FAIL confinement: .*lacks landlock' "doctor fails strict without Landlock"

# ---- the agent's own environment: keys scrubbed once the configuration is read --
calls e1 terminal "$(json_obj command "sleep 30.$U")"
"$HERMESCTL" chat "wait" >"$T/out" 2>"$T/err" &
cpid=$!
for _ in $(seq 1 200); do alive "30\\.$U" && break; sleep 0.05; done
tap_ok "$(alive "30\\.$U"; echo $?)" "the tool's sleep runs"
envs=$(tr '\0' '\n' <"/proc/$cpid/environ" 2>/dev/null)
# root reads it despite PR_SET_DUMPABLE 0; the same user may not at all
[ "$(id -u)" != 0 ] || tap_like "$envs" '^HERMES_HOME=' "root can read hermesctl's environment"
tap_ok "$(printf '%s' "$envs" | grep -q "$MARK" && echo 1 || echo 0)" \
	"OPENAI_API_KEY's value is gone from hermesctl's /proc/PID/environ while a tool runs"
# kill -9 of the agent's process (a responder killed mid-call): the run dies with it
kill -KILL "$cpid"
{ wait "$cpid"; } 2>/dev/null
tap_ok "$(gone "30\\.$U"; echo $?)" "after kill -9 of the agent process, the tool's sleep is gone (parent-death signal)"
calls e2 terminal "$(json_obj command "echo next")"
chat "next"
if [ -w /sys/fs/cgroup/pids ] && [ "$(id -u)" = 0 ]; then
	left=$(ls -d /sys/fs/cgroup/pids/hermes-tool-"$cpid"-* 2>/dev/null)
	tap_is "$left" "" "the killed run's pids cgroup was swept by the next process"
fi

# ---- hard links out of the workspace ---------------------------------------------
ln "$HERMES_HOME/.env" "$WS/envlink-$U"
printf 'inside\n' >"$WS/in-$U"
ln "$WS/in-$U" "$WS/in2-$U"
calls h1 read_file "$(json_obj path "envlink-$U")" h2 read_file "$(json_obj path "in2-$U")" \
	h3 search_files "$(json_obj pattern "API_SERVER_KEY")"
chat "read"
fetch
tap_like "$(result h1)" '^Error: .*hard link' "read_file refuses a hard link to a file outside the workspace"
tap_ok "$(result h1 | grep -q "$MARK" && echo 1 || echo 0)" "and shows none of it"
tap_like "$(result h2)" 'inside' "a hard link whose names are all in the workspace is read"
tap_ok "$(result h3 | grep -q "$MARK" && echo 1 || echo 0)" "search_files does not search the outside link either"
tap_end
