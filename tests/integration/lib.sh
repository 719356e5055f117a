# tests/integration/lib.sh: the one shell test library of hermes-fcgi.
# SPDX-License-Identifier: MIT
#
# Sourced by every shell test (tests/integration/tNNNN-*.sh,
# tests/upstream/selftest.sh; tap.sh and upstream.sh are shims that source
# it, for older tests). Sourcing it twice is harmless. Gives:
#   TAP:      plan N, ok DESC CMD..., pass/fail DESC, is GOT WANT DESC,
#             like GOT ERE DESC, unlike GOT ERE DESC, skip DESC REASON, diag,
#             done_testing, skip_all REASON, skip_or_fail REASON, bail_out;
#             tap_ok STATUS DESC, tap_is, tap_like, tap_end (the older
#             tap.sh names, same counter)
#   CI gate:  under CI=true nothing skips: skip, skip_all and skip_or_fail
#             are failures there
#   setup:    $T (a temp dir removed on exit; $TAP_TMP is the same after
#             tap_tmpdir), free_port, wait_port, mk_home DIR [KEY],
#             need PROG... (skip_or_fail when missing)
#   processes: track_pid PID, track_pidfile FILE, track_log FILE; every
#             process a test started is stopped on exit, and only those
#   requests: http METHOD URL [curl args...], cgi [VAR=VALUE...] [< stdin]
#             both set RESP_STATUS, RESP_HDRS (file), RESP_BODY (file);
#             hdr NAME, jget PYEXPR, check_envelope STATUS CODE DESC
#   servers:  start_lighttpd, start_apache, start_spawn_fcgi, start_upstream
#   upstream: script_upstream STEPS, upstream_requests, jq_py, agent_env,
#             chat ARGS (hermesctl chat), call, tool_result, session_of
#   cases:    run_http_cases BASE_URL KEY (the cases every server must pass)
# Stream and error-envelope rules are Python: tests/integration/sse_check.py
# ($SSE_CHECK).
#
# Environment (set by `make check`, defaults for running a test by hand from
# the build tree): top_srcdir, top_builddir, HERMES_FCGI, HERMESCTL.
# CI=true turns a missing program (lighttpd, apache2, ...) into a failure
# instead of a skip. KEEP_TMP=1 keeps $T for inspection.

[ -z "${HERMES_TEST_LIB:-}" ] || return 0
HERMES_TEST_LIB=1

set -u

PATH=$PATH:/usr/sbin:/sbin
export PATH

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${HERMES_FCGI:=$top_builddir/hermes-fcgi}"
: "${HERMESCTL:=$top_builddir/hermesctl}"
export top_srcdir top_builddir HERMES_FCGI HERMESCTL
# hermesctl init probes no local model server unless a test asks for it
# (t0970): a parallel test's scripted upstream must not end up in config.yaml.
export HERMES_DISCOVER_PORTS=off
SSE_CHECK=$top_srcdir/tests/integration/sse_check.py

# python3 for JSON checks and the fake upstream: the system one when there is
# one (version-manager shims can take most of a second to start).
if [ -n "${PYTHON:-}" ]; then
	:
elif [ -x /usr/bin/python3 ]; then
	PYTHON=/usr/bin/python3
else
	PYTHON=$(command -v python3 || echo python3)
fi

# The suite runs as root here, and hermes-fcgi and hermesctl chat refuse
# uid 0 unless allowed: allow it for every test (the environment, cgi's
# clean environment and mk_home's .env, which responders started by a web
# server read). Tests of the refusal unset it and use a home of their own.
if [ "$(id -u)" = 0 ]; then
	export HERMES_ALLOW_ROOT=1
fi

# A known, strong test key (64 hex) and a second one that is not it.
TEST_KEY=5f3c9a1e7b2d48c6a0e4f19b3d7c2a856e1f0b9d4c8a3e7f2b6d1c0a9e8f7b3d
WRONG_KEY=9e8f7b3d5f3c9a1e7b2d48c6a0e4f19b3d7c2a856e1f0b9d4c8a3e7f2b6d1c0a

# ---- TAP -------------------------------------------------------------------

T_NUM=0
T_FAILED=0
T_PLANNED=

plan() {
	T_PLANNED=$1
	echo "1..$1"
}

diag() {
	local line
	printf '%s\n' "$*" | while IFS= read -r line; do
		echo "# $line"
	done
}

pass() {
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $1"
}

# fail DESC [DIAGNOSTIC...]
fail() {
	T_NUM=$((T_NUM + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_NUM - $1"
	shift
	[ $# -eq 0 ] || diag "$@"
}

# ok DESC CMD [ARGS...]: passes when CMD succeeds.
ok() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc" "command failed: $*"
	fi
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "got:  '$1'" "want: '$2'"
	fi
}

# like GOT EXTENDED-REGEX DESC
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "got:  '$(printf '%s' "$1" | head -c 2000)'" "want match: /$2/"
	fi
}

# unlike GOT EXTENDED-REGEX DESC
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3" "got:  '$(printf '%s' "$1" | head -c 2000)'" "want no match: /$2/"
	else
		pass "$3"
	fi
}

# in_ci: CI=true (or 1, yes): nothing may skip.
in_ci() {
	case ${CI:-} in
	true | 1 | yes) return 0 ;;
	esac
	return 1
}

# skip DESC REASON (a failure under CI=true)
skip() {
	if in_ci; then
		fail "$1" "skipped ($2), and under CI=true a skipped test is a failure"
		return
	fi
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $1 # SKIP $2"
}

# done_testing: prints the plan if plan was not called; exit status says
# whether every test passed.
done_testing() {
	[ -n "$T_PLANNED" ] || echo "1..$T_NUM"
	if [ -n "$T_PLANNED" ] && [ "$T_PLANNED" != "$T_NUM" ]; then
		diag "planned $T_PLANNED tests but ran $T_NUM"
		exit 1
	fi
	[ "$T_FAILED" -eq 0 ] || diag "$T_FAILED of $T_NUM tests failed"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

skip_all() {
	if in_ci; then
		echo "1..1"
		echo "not ok 1 - $* (CI=true: a skipped test is a failure)"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

bail_out() {
	echo "Bail out! $*"
	exit 1
}

# The names of the older tap.sh, on the same counter.
tap_ok() { # STATUS DESC: passes when STATUS is 0
	if [ "$1" -eq 0 ]; then pass "$2"; else fail "$2"; fi
}
tap_is() { is "$@"; }     # GOT WANT DESC
tap_like() { like "$@"; } # TEXT ERE DESC
tap_end() { done_testing; }
tap_tmpdir() { TAP_TMP=$T; } # TAP_TMP: $T, removed on exit

# skip_or_fail REASON: the whole test cannot run here (a program is
# missing). Under CI=true that is a failure, otherwise a skip.
skip_or_fail() {
	if in_ci; then
		fail "$* (CI=true: a missing prerequisite is a failure)"
		[ -n "$T_PLANNED" ] || echo "1..$T_NUM"
		exit 1
	fi
	if [ "$T_NUM" -eq 0 ] && [ -z "$T_PLANNED" ]; then
		skip_all "$*"
	fi
	skip "remaining tests" "$*"
	done_testing
}

# need PROG...: skip_or_fail unless every PROG is on PATH (or executable).
need() {
	local p
	for p in "$@"; do
		if [ "${p#/}" != "$p" ]; then
			[ -x "$p" ] || skip_or_fail "$p not built or not executable"
		else
			command -v "$p" >/dev/null 2>&1 || skip_or_fail "$p is not installed"
		fi
	done
}

# ---- temp dir, processes, cleanup -------------------------------------------

T=$(mktemp -d "${TMPDIR:-/tmp}/hermes-it.XXXXXX") || bail_out "mktemp failed"
TAP_TMP=$T
T_PIDS=
T_PIDFILES=
T_LOGS=

# track_pid PID: kill PID when the test ends.
track_pid() { T_PIDS="$T_PIDS $1"; }
# track_pidfile FILE: kill every pid listed in FILE when the test ends.
track_pidfile() { T_PIDFILES="$T_PIDFILES $1"; }
# track_log FILE: shown (tail) in the test output when a test failed.
track_log() { T_LOGS="$T_LOGS $1"; }

# stop_pid PID...: TERM, wait up to 10 s, then KILL.
stop_pid() {
	local pid i alive
	for pid in "$@"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for i in $(seq 1 100); do
		alive=
		for pid in "$@"; do
			# A zombie (exited, not yet reaped) counts as gone.
			case $(proc_state "$pid") in
			Z|'') ;;
			*) alive=1 ;;
			esac
		done
		[ -n "$alive" ] || break
		sleep 0.1
	done
	for pid in "$@"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

# proc_state PID: the state letter of PID (R, S, Z, ...), empty when gone.
proc_state() {
	local line
	{ read -r line < "/proc/$1/stat"; } 2>/dev/null || return 0
	line=${line##*) }
	echo "${line%% *}"
}

pids_in_file() {
	[ -r "$1" ] || return 0
	tr -s ' \t' '\n\n' < "$1" | grep -E '^[0-9]+$' || true
}

t_cleanup() {
	local rc=$? pids f
	trap - EXIT INT TERM
	# A test user (mk_run_user) goes first: its processes, then itself.
	[ -z "${RUN_USER:-}" ] || rm_run_user
	pids=$T_PIDS
	for f in $T_PIDFILES; do
		pids="$pids $(pids_in_file "$f" | tr '\n' ' ')"
	done
	# shellcheck disable=SC2086
	[ -z "${pids// /}" ] || stop_pid $pids
	if [ "$T_FAILED" -gt 0 ] || [ "$rc" -ne 0 ]; then
		for f in $T_LOGS; do
			[ -s "$f" ] || continue
			diag "---- last lines of $f"
			diag "$(tail -n 30 "$f")"
		done
	fi
	if [ -n "${KEEP_TMP:-}" ]; then
		diag "kept $T"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap t_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# children_of PID: pids whose parent is PID (from /proc, no procps needed).
children_of() {
	local st line want=$1
	for st in /proc/[0-9]*/stat; do
		{ read -r line < "$st"; } 2>/dev/null || continue
		line=${line##*) }
		# shellcheck disable=SC2086
		set -- $line
		if [ "${2:-}" = "$want" ]; then
			st=${st#/proc/}
			echo "${st%/stat}"
		fi
	done
}

# ---- ports -------------------------------------------------------------------

free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# listen_inode PORT: inode of the socket listening on 127.0.0.1:PORT.
listen_inode() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v a="0100007F:$hex" '$2 == a && $4 == "0A" { print $10; exit }' /proc/net/tcp 2>/dev/null
}

# owns_socket PID INODE: PID has socket INODE open.
owns_socket() {
	[ -n "$2" ] && ls -l "/proc/$1/fd" 2>/dev/null | grep -q "socket:\[$2\]"
}

# wait_port PORT [PID] [SECONDS]: wait until 127.0.0.1:PORT accepts. With
# PID: the listening socket must be PID's (not some other program's that
# took the port first), and a dead PID ends the wait early.
wait_port() {
	local port=$1 pid=${2:-} secs=${3:-30} i
	for i in $(seq 1 $((secs * 20))); do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			[ -z "$pid" ] && return 0
			[ -r /proc/net/tcp ] || return 0
			owns_socket "$pid" "$(listen_inode "$port")" && return 0
		fi
		sleep 0.05
	done
	return 1
}

# ---- HERMES_HOME ---------------------------------------------------------------

# mk_home DIR [KEY]: a HERMES_HOME (0700) with .env (0600) holding KEY
# (default $TEST_KEY; "" for no key), and HERMES_ALLOW_ROOT=1 when the
# suite runs as root.
mk_home() {
	local dir=$1 key=${2-$TEST_KEY}
	mkdir -p "$dir"
	chmod 0700 "$dir"
	(
		umask 077
		if [ -n "$key" ]; then
			printf '# test HERMES_HOME\nAPI_SERVER_KEY=%s\n' "$key" > "$dir/.env"
		else
			printf '# test HERMES_HOME without a key\n' > "$dir/.env"
		fi
		[ -z "${HERMES_ALLOW_ROOT:-}" ] || printf 'HERMES_ALLOW_ROOT=1\n' >> "$dir/.env"
	)
	chmod 0600 "$dir/.env"
}

# ---- requests ------------------------------------------------------------------

RESP_STATUS=
RESP_HDRS=$T/resp.hdrs
RESP_BODY=$T/resp.body

# http METHOD URL [curl args...]: one request; RESP_STATUS, RESP_HDRS (only
# the final header block), RESP_BODY.
http() {
	local method=$1 url=$2
	shift 2
	: > "$RESP_BODY"
	: > "$T/resp.allhdrs"
	RESP_STATUS=$(curl -sS --max-time 60 -X "$method" -o "$RESP_BODY" \
		-D "$T/resp.allhdrs" -w '%{http_code}' "$@" "$url" 2>"$T/curl.err") ||
		RESP_STATUS="curl-error: $(cat "$T/curl.err")"
	last_header_block < "$T/resp.allhdrs" > "$RESP_HDRS"
}

# The last block of "HTTP/x NNN" + headers (skips 100 Continue), CR removed.
last_header_block() {
	tr -d '\r' | awk '/^HTTP\// { n = 0; delete h } { h[n++] = $0 }
		END { for (i = 0; i < n; i++) if (h[i] != "") print h[i] }'
}

# CGI_ENV: the base environment of a CGI request (see cgi).
CGI_BASE=(
	"PATH=/usr/local/bin:/usr/bin:/bin"
	"GATEWAY_INTERFACE=CGI/1.1"
	"SERVER_PROTOCOL=HTTP/1.1"
	"SERVER_SOFTWARE=hermes-test"
	"SERVER_NAME=localhost"
	"SERVER_PORT=80"
	"SERVER_ADDR=127.0.0.1"
	"REMOTE_ADDR=127.0.0.1"
	"REMOTE_PORT=40000"
	"REQUEST_METHOD=GET"
	"SCRIPT_NAME="
	"QUERY_STRING="
)

# cgi [VAR=VALUE...]: run $HERMES_FCGI once as plain CGI with CGI_BASE plus
# the given variables (later ones win) and HERMES_HOME=$CGI_HOME, stdin from
# $CGI_STDIN (a file; /dev/null by default). Sets RESP_STATUS (from the
# Status: line, 200 if absent), RESP_HDRS, RESP_BODY, CGI_RC, CGI_ERR (file
# with stderr) and CGI_OUT (the raw stdout).
CGI_HOME=
CGI_STDIN=/dev/null
CGI_OUT=$T/cgi.out
CGI_ERR=$T/cgi.err
CGI_RC=
cgi() {
	local -a envs=("${CGI_BASE[@]}")
	[ -z "$CGI_HOME" ] || envs+=("HERMES_HOME=$CGI_HOME")
	[ -z "${HERMES_ALLOW_ROOT:-}" ] || envs+=("HERMES_ALLOW_ROOT=$HERMES_ALLOW_ROOT")
	envs+=("ASAN_OPTIONS=${ASAN_OPTIONS:-}" "UBSAN_OPTIONS=${UBSAN_OPTIONS:-}")
	envs+=("$@")
	env -i "${envs[@]}" "$HERMES_FCGI" < "$CGI_STDIN" > "$CGI_OUT" 2> "$CGI_ERR"
	CGI_RC=$?
	# Headers end at the first empty line (CRLF or LF).
		local hlen
	hlen=$(awk '{ n += length($0) + 1 } /^\r?$/ { print n; f = 1; exit } END { if (!f) print n + 0 }' "$CGI_OUT")
	head -c "$hlen" "$CGI_OUT" | tr -d '\r' | awk 'NF' > "$RESP_HDRS"
	tail -c "+$((hlen + 1))" "$CGI_OUT" > "$RESP_BODY"
	RESP_STATUS=$(awk -F': *' 'tolower($1) == "status" { print substr($2, 1, 3); exit }' "$RESP_HDRS")
	[ -n "$RESP_STATUS" ] || RESP_STATUS=200
}

# cgi_post PATH JSON [VAR=VALUE...]: cgi with JSON as a POSTed
# application/json body to PATH.
cgi_post() {
	local path=$1
	printf '%s' "$2" > "$T/cgi-post.json"
	shift 2
	CGI_STDIN=$T/cgi-post.json
	cgi REQUEST_METHOD=POST PATH_INFO="$path" CONTENT_TYPE=application/json \
		CONTENT_LENGTH="$(wc -c < "$T/cgi-post.json" | tr -d ' ')" "$@"
	CGI_STDIN=/dev/null
}

# hdr NAME: value of header NAME in RESP_HDRS (case-insensitive, last wins).
hdr() {
	awk -v n="$1" 'BEGIN { n = tolower(n) }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); sub(/[ \t\r]+$/, "", v); r = v; f = 1 } }
		END { if (f) print r }' "$RESP_HDRS"
}

# jget PYEXPR [FILE]: evaluate a Python expression over j = the JSON in FILE
# (default RESP_BODY); strings print raw, everything else as JSON. Prints
# "<invalid json>" or "<error: ...>" instead of failing.
jget() {
	"$PYTHON" - "$1" "${2:-$RESP_BODY}" <<'PY'
import json, sys
try:
    j = json.load(open(sys.argv[2], encoding="utf-8"))
except Exception:
    print("<invalid json>")
    sys.exit(0)
try:
    v = eval(sys.argv[1], {"j": j, "json": json})
except Exception as e:
    print("<error: %s: %s>" % (type(e).__name__, e))
    sys.exit(0)
print(v if isinstance(v, str) else json.dumps(v))
PY
}

# resp_wait BASE KEY ID ERE SECONDS: poll GET BASE/v1/responses/ID every
# 100 ms until its status matches ERE (SECONDS at most); prints the last
# status. RESP_BODY holds the last answer.
resp_wait() {
	local i s=
	for i in $(seq 1 $(($5 * 10))); do
		http GET "$1/v1/responses/$3" -H "Authorization: Bearer $2"
		s=$(jget 'j.get("status") or ""' 2>/dev/null)
		printf '%s\n' "$s" | grep -Eq "^($4)\$" && break
		sleep 0.1
	done
	echo "$s"
}

# envelope_problem CODE: prints what is wrong with RESP_* as an OpenAI error
# envelope with error.code CODE (nothing when it is right).
envelope_problem() {
	local ct
	ct=$(hdr Content-Type)
	case $ct in
	application/json*) ;;
	*) echo "Content-Type is '$ct', want application/json" ;;
	esac
	"$PYTHON" "$SSE_CHECK" envelope "$RESP_BODY" "$1"
}

# check_envelope STATUS CODE DESC: one test for status + envelope + code.
check_envelope() {
	local problems
	problems=$(envelope_problem "$2")
	if [ "$RESP_STATUS" != "$1" ]; then
		problems="status $RESP_STATUS, want $1
$problems"
	fi
	if [ -z "$problems" ]; then
		pass "$3"
	else
		fail "$3" "$problems" "body: $(head -c 500 "$RESP_BODY")"
	fi
}

SECURITY_HEADERS=(
	"Content-Security-Policy|default-src 'none'; frame-ancestors 'none'"
	"Permissions-Policy|camera=(), microphone=(), geolocation=()"
	"Strict-Transport-Security|max-age=31536000; includeSubDomains"
	"X-Content-Type-Options|nosniff"
	"X-Frame-Options|DENY"
	"X-XSS-Protection|0"
	"Referrer-Policy|no-referrer"
)

# security_header_problems: what is missing or wrong in RESP_HDRS (one awk
# run: this is called for most responses).
security_header_problems() {
	printf '%s\n' "${SECURITY_HEADERS[@]}" "Cache-Control|no-store" |
		awk -F'|' 'NR == FNR { want[tolower($1)] = $2; name[tolower($1)] = $1; next }
		{
			i = index($0, ":"); if (!i) next
			k = tolower(substr($0, 1, i - 1)); v = substr($0, i + 1)
			sub(/^[ \t]+/, "", v); sub(/[ \t\r]+$/, "", v); got[k] = v; seen[k] = 1
		}
		END {
			for (k in want)
				if (got[k] != want[k])
					printf "%s: \047%s\047, want \047%s\047\n", name[k], got[k], want[k]
			if (got["x-request-id"] !~ /^[0-9a-f]+$/ || length(got["x-request-id"]) != 16)
				printf "X-Request-Id: \047%s\047, want 16 hex\n", got["x-request-id"]
		}' - "$RESP_HDRS"
}

# check_security_headers DESC
check_security_headers() {
	local problems
	problems=$(security_header_problems)
	if [ -z "$problems" ]; then
		pass "$1"
	else
		fail "$1" "$problems"
	fi
}

# big_body: path of a file of 11,000,000 bytes (made once).
big_body() {
	if [ ! -s "$T/big.json" ]; then
		head -c 11000000 /dev/zero | tr '\0' ' ' > "$T/big.json"
	fi
	echo "$T/big.json"
}

# ---- the HTTP cases every server configuration must pass ---------------------

# run_http_cases BASE_URL KEY [LABEL]: BASE_URL is where the API is mounted,
# e.g. http://127.0.0.1:8642 or http://127.0.0.1:8642/hermes (no trailing
# slash). HTTP_CASES_MODE is the responder mode /health/detailed must report
# (fastcgi by default; cgi for plain CGI). HTTP_CASES_BIG_BODY_STATUS=N: the
# status the server in front answers an 11 MB body with, where it cannot pass it.
run_http_cases() {
	local base=${1%/} key=$2 where=${3:-$1} auth got problems m p
	auth="Authorization: Bearer $key"

	http GET "$base/health"
	is "$RESP_STATUS" 200 "$where: GET /health is 200"
	is "$(jget 'j["status"]')" ok "$where: /health says status ok"
	check_security_headers "$where: /health has the security headers, X-Request-Id, Cache-Control"

	http GET "$base/v1/health"
	is "$RESP_STATUS $(jget 'j["status"]')" "200 ok" "$where: GET /v1/health is 200 status ok"

	http GET "$base/v1/models" -H "$auth"
	is "$RESP_STATUS" 200 "$where: GET /v1/models with the key is 200"
	is "$(jget 'j["object"] + " " + j["data"][0]["id"] + " " + j["data"][0]["object"]')" \
		"list hermes-agent model" "$where: /v1/models lists hermes-agent"
	like "$(hdr Content-Type)" '^application/json' "$where: /v1/models is application/json"
	check_security_headers "$where: /v1/models has the security headers"

	http GET "$base/v1/models"
	check_envelope 401 invalid_api_key "$where: /v1/models without a key is 401 invalid_api_key"
	is "$(jget 'j["error"]["message"]')" "Invalid API key" "$where: 401 message"
	check_security_headers "$where: the 401 has the security headers"

	http GET "$base/v1/models" -H "Authorization: Bearer $WRONG_KEY"
	check_envelope 401 invalid_api_key "$where: /v1/models with a wrong key is 401"
	http GET "$base/v1/models" -H "Authorization: Basic $key"
	check_envelope 401 invalid_api_key "$where: /v1/models with a non-Bearer scheme is 401"

	http GET "$base/v1/nope" -H "$auth"
	check_envelope 404 not_found "$where: GET /v1/nope is a 404 envelope"
	check_security_headers "$where: the 404 has the security headers"

	http POST "$base/v1/models" -H "$auth" -H 'Content-Type: application/json' --data-binary '{}'
	check_envelope 405 method_not_allowed "$where: POST /v1/models is a 405 envelope"
	like "$(hdr Allow)" 'GET' "$where: the 405 has an Allow header naming GET"

	if [ -n "${HTTP_CASES_BIG_BODY_STATUS:-}" ]; then
		# A server limit that the deployment cannot raise answers first.
		http POST "$base/v1/models" -H "$auth" -H 'Content-Type: application/json' \
			-H 'Expect:' --data-binary "@$(big_body)"
		is "$RESP_STATUS" "$HTTP_CASES_BIG_BODY_STATUS" \
			"$where: an 11,000,000-byte body is refused by the server before the app"
		unlike "$(head -c 200 "$RESP_BODY")" 'body_too_large' "$where: ... so not by the app"
	else
		http POST "$base/v1/models" -H "$auth" -H 'Content-Type: application/json' \
			-H 'Expect:' --data-binary "@$(big_body)"
		check_envelope 413 body_too_large "$where: an 11,000,000-byte body is a 413 envelope from the app"
		is "$(jget 'j["error"]["message"]')" "Request body too large." "$where: 413 message"
	fi

	http GET "$base/health/detailed"
	check_envelope 401 invalid_api_key "$where: /health/detailed needs the key"
	http GET "$base/health/detailed" -H "$auth"
	is "$RESP_STATUS $(jget 'j["status"]')" "200 ok" "$where: /health/detailed with the key is 200"
	is "$(jget '"%s %s" % (j["responder"]["mode"], type(j["pid"]).__name__)')" "${HTTP_CASES_MODE:-fastcgi} int" \
		"$where: /health/detailed reports a ${HTTP_CASES_MODE:-fastcgi} responder and its pid"

	http GET "$base/v1/capabilities"
	check_envelope 401 invalid_api_key "$where: /v1/capabilities needs the key"
	http GET "$base/v1/capabilities" -H "$auth"
	is "$RESP_STATUS $(jget 'j["object"]')" "200 hermes.api_server.capabilities" \
		"$where: /v1/capabilities is 200"
	cp "$RESP_BODY" "$T/caps.json"
	got=$(jget '" ".join(sorted(k for k in j["endpoints"]))' "$T/caps.json")
	like "$got" 'health' "$where: capabilities advertise endpoints ($got)"
	problems=
	while IFS=' ' read -r m p; do
		[ -n "$m" ] || continue
		p=$(printf '%s' "$p" | sed 's/{[^}]*}/test_id/g')
		if [ "$m" = GET ] || [ "$m" = DELETE ]; then
			http "$m" "$base$p" -H "$auth"
		else
			http "$m" "$base$p" -H "$auth" -H 'Content-Type: application/json' --data-binary '{}'
		fi
		case $RESP_STATUS in
		404)
			[ "$(jget 'j["error"]["code"]')" != not_found ] ||
				problems="$problems $m $p: 404 not_found;"
			;;
		405) problems="$problems $m $p: 405;" ;;
		[0-9][0-9][0-9]) ;;
		*) problems="$problems $m $p: $RESP_STATUS;" ;;
		esac
	done <<EOF
$(jget '"\n".join("%s %s" % (v["method"], v["path"]) for v in j["endpoints"].values())' "$T/caps.json")
EOF
	is "$problems" "" "$where: every advertised endpoint is routed (not 404/405)"
}

# run_smoke_cases BASE_URL KEY [LABEL]: the short list (health, models with
# and without the key, 404, headers, responder mode) for setups where every
# request is slow (plain CGI starts a process per request).
run_smoke_cases() {
	local base=${1%/} key=$2 where=${3:-$1}
	http GET "$base/health"
	is "$RESP_STATUS $(jget 'j["status"]')" "200 ok" "$where: GET /health is 200 status ok"
	check_security_headers "$where: /health has the security headers, X-Request-Id, Cache-Control"
	http GET "$base/v1/models" -H "Authorization: Bearer $key"
	is "$RESP_STATUS $(jget 'j["data"][0]["id"]')" "200 hermes-agent" "$where: GET /v1/models with the key lists hermes-agent"
	http GET "$base/v1/models"
	check_envelope 401 invalid_api_key "$where: /v1/models without a key is 401 invalid_api_key"
	http GET "$base/v1/nope" -H "Authorization: Bearer $key"
	check_envelope 404 not_found "$where: GET /v1/nope is a 404 envelope"
	http GET "$base/health/detailed" -H "Authorization: Bearer $key"
	is "$RESP_STATUS $(jget 'j["responder"]["mode"]')" "200 ${HTTP_CASES_MODE:-fastcgi}" \
		"$where: /health/detailed reports a ${HTTP_CASES_MODE:-fastcgi} responder"
}

# ---- servers ---------------------------------------------------------------------

# start_lighttpd NAME MOUNT HOME [MAXPROCS]: lighttpd on a free port with the
# shipped template (lighttpd/render.sh). Sets LIGHTTPD_PORT, LIGHTTPD_PID,
# LIGHTTPD_DIR (state dir: error.log, and hermes-fcgi.log with the
# responders' stderr). lighttpd stays the user that starts it (RUN_USER=,
# no server.username).
start_lighttpd() {
	local name=$1 mount=$2 home=$3 maxprocs=${4:-2} dir=$T/$1 try
	need lighttpd
	mkdir -p "$dir"
	run_user_owns "$dir"
	LIGHTTPD_DIR=$dir
	track_log "$dir/error.log"
	track_log "$dir/hermes-fcgi.log"
	track_log "$dir/lighttpd.out"
	# A free port may be taken by a parallel test before lighttpd binds it:
	# try another one then.
	for try in 1 2 3; do
		LIGHTTPD_PORT=$(free_port)
		"$top_srcdir/lighttpd/render.sh" BIND=127.0.0.1 PORT="$LIGHTTPD_PORT" \
			STATEDIR="$dir" BIN="$HERMES_FCGI" HERMES_HOME="$home" \
			MOUNT="$mount" MAXPROCS="$maxprocs" RUN_USER= > "$dir/lighttpd.conf" ||
			bail_out "lighttpd/render.sh failed"
		# shellcheck disable=SC2086
		${RUN_AS:-} lighttpd -D -f "$dir/lighttpd.conf" < /dev/null > "$dir/lighttpd.out" 2>&1 &
		LIGHTTPD_PID=$!
		track_pid "$LIGHTTPD_PID"
		wait_port "$LIGHTTPD_PORT" "$LIGHTTPD_PID" 30 && return 0
		stop_pid "$LIGHTTPD_PID"
		diag "lighttpd ($name) exited at start (try $try): $(tail -n 3 "$dir/error.log" "$dir/lighttpd.out" 2>/dev/null)"
	done
	diag "$(cat "$dir/lighttpd.out" "$dir/error.log" 2>/dev/null)"
	bail_out "lighttpd ($name) did not start"
}

# apache_bin: the httpd binary (apache2 on Debian).
apache_bin() {
	command -v apache2 2>/dev/null || command -v httpd 2>/dev/null
}

# apache_modules_dir: where mod_*.so live.
apache_modules_dir() {
	local d
	for d in /usr/lib/apache2/modules /usr/lib64/httpd/modules /usr/lib/httpd/modules \
		/usr/libexec/apache2 /usr/local/apache2/modules; do
		[ -e "$d/mod_alias.so" ] && { echo "$d"; return 0; }
	done
	return 1
}

# as_user USER CMD...: run CMD as USER (we are root); false if that fails.
as_user() {
	local u=$1
	shift
	if command -v runuser >/dev/null 2>&1; then
		runuser -u "$u" -- "$@" 2>/dev/null
	else
		su -s /bin/sh "$u" -c '"$0" "$@"' -- "$@" 2>/dev/null
	fi
}

# apache_user: the unprivileged user Apache's workers run as when we are root
# (the test user of mk_run_user, when there is one, runs the whole of it).
apache_user() {
	if [ -n "${RUN_USER:-}" ]; then
		echo "$RUN_USER"
	elif getent passwd www-data >/dev/null 2>&1; then
		echo www-data
	elif getent passwd daemon >/dev/null 2>&1; then
		echo daemon
	else
		echo nobody
	fi
}

# start_site_httpd DIR SITE USER PORT [DEFINE...]: Apache httpd with
# apache/test-httpd.conf.in on 127.0.0.1:PORT, DIR its state dir (logs,
# pid; DIR/htdocs must exist), SITE included, its workers running as USER,
# started with -D for each DEFINE (HERMES_PROXY_FCGI, HERMES_FCGID, ...).
# Sets SITE_HTTPD_PID (tracked); false when it does not come to listen
# (its output: DIR/httpd.out, DIR/error.log).
start_site_httpd() {
	local dir=$1 site=$2 user=$3 port=$4 httpd mods d
	local -a defines=()
	shift 4
	httpd=$(apache_bin) || skip_or_fail "Apache httpd (apache2) is not installed"
	mods=$(apache_modules_dir) || skip_or_fail "Apache modules directory not found"
	for d in "$@"; do
		defines+=("-D$d")
	done
	"$top_srcdir/apache/render.sh" test-httpd PORT="$port" STATEDIR="$dir" SITE="$site" \
		MODULES_DIR="$mods" RUN_USER="$user" RUN_GROUP="$(id -gn "$user")" > "$dir/httpd.conf" ||
		bail_out "apache/render.sh test-httpd failed"
	track_log "$dir/error.log"
	"$httpd" -f "$dir/httpd.conf" "${defines[@]}" -DFOREGROUND < /dev/null > "$dir/httpd.out" 2>&1 &
	SITE_HTTPD_PID=$!
	track_pid "$SITE_HTTPD_PID"
	wait_port "$port" "$SITE_HTTPD_PID" 30
}

# start_apache VARIANT NAME MOUNT ARG: Apache httpd on a free port with
# apache/test-httpd.conf.in and the shipped files for VARIANT:
#   fcgid:        apache/hermes-fcgid.conf.in; ARG is HERMES_HOME
#   proxy-fcgi:   apache/hermes-proxy-fcgi.conf.in; ARG is the port the
#                 responders listen on (start_spawn_fcgi)
#   shared-fcgid, shared-cgi: fcgi/shared-hosting/.htaccess + hermes.fcgi
#                 copied into the document root at MOUNT (AllowOverride All,
#                 mod_rewrite), run by mod_fcgid (the .htaccess's FastCGI
#                 lines enabled) or mod_cgid; the wrapper's
#                 two settings are edited as its comment says; ARG is
#                 HERMES_HOME
# APACHE_SITE_EXTRA: directives appended to the site's file.
# Sets APACHE_PORT, APACHE_PID, APACHE_DIR. When run as root, Apache's
# workers (and the responders mod_fcgid/mod_cgid start) run as apache_user:
# the state dir is made reachable, HERMES_HOME is given to that user and the
# binary is copied into $T if that user cannot execute it where it is.
start_apache() {
	local variant=$1 name=$2 mount=$3 arg=$4 dir=$T/$2 httpd mods user group
	local bin=$HERMES_FCGI need_mod m webdir try
	local -a defines
	httpd=$(apache_bin) || skip_or_fail "Apache httpd (apache2) is not installed"
	mods=$(apache_modules_dir) || skip_or_fail "Apache modules directory not found"
	case $variant in
	fcgid) need_mod="fcgid"; defines=(-DHERMES_FCGID) ;;
	proxy-fcgi) need_mod="proxy proxy_fcgi"; defines=(-DHERMES_PROXY_FCGI) ;;
	shared-fcgid) need_mod="fcgid rewrite mime"; defines=(-DHERMES_SHARED -DHERMES_FCGID) ;;
	shared-cgi) need_mod="cgid rewrite mime"; defines=(-DHERMES_SHARED -DHERMES_CGI) ;;
	*) bail_out "start_apache: unknown variant $variant" ;;
	esac
	for m in $need_mod; do
		[ -e "$mods/mod_$m.so" ] || skip_or_fail "Apache mod_$m is not installed"
	done
	mkdir -p "$dir/htdocs"
	APACHE_DIR=$dir
	user=$(apache_user)
	group=$(id -gn "$user")
	if [ "$(id -u)" = 0 ]; then
		# The workers need to reach the state dir (fcgid sockets) and the
		# responders they start must run the binary and own HERMES_HOME.
		chmod 0711 "$T"
		chmod 0755 "$dir" "$dir/htdocs"
		if ! as_user "$user" test -x "$dir/htdocs"; then
			bail_out "$user cannot reach $dir: put TMPDIR somewhere every user can search"
		fi
		if [ "$variant" != proxy-fcgi ]; then
			chown -R "$user:$group" "$arg"
			if ! as_user "$user" test -x "$bin"; then
				mkdir -p "$T/bin"
				cp "$bin" "$T/bin/hermes-fcgi"
				chmod 0755 "$T/bin" "$T/bin/hermes-fcgi"
				bin=$T/bin/hermes-fcgi
			fi
		fi
	fi
	APACHE_PORT=$(free_port)
	case $variant in
	fcgid)
		"$top_srcdir/apache/render.sh" fcgid BIN="$bin" HERMES_HOME="$arg" \
			MOUNT="$mount" SUEXEC=off > "$dir/site.conf"
		;;
	proxy-fcgi)
		"$top_srcdir/apache/render.sh" proxy-fcgi FCGI_PORT="$arg" \
			MOUNT="$mount" > "$dir/site.conf"
		;;
	shared-*)
		webdir=$dir/htdocs${mount%/}
		mkdir -p "$webdir"
		chmod 0755 "$webdir"
		# shared-fcgid: FastCGI as the .htaccess says to ask for it.
		if [ "$variant" = shared-fcgid ]; then
			sed 's/^#fcgid //' "$top_srcdir/fcgi/shared-hosting/.htaccess"
		else
			cat "$top_srcdir/fcgi/shared-hosting/.htaccess"
		fi > "$webdir/.htaccess"
		sed -e "s|^HERMES_HOME=\\\${HERMES_HOME:-}\$|HERMES_HOME=$arg|" \
			-e "s|^HERMES_FCGI=\\\${HERMES_FCGI:-}\$|HERMES_FCGI=$bin|" \
			"$top_srcdir/fcgi/shared-hosting/hermes.fcgi" > "$webdir/hermes.fcgi"
		chmod 0755 "$webdir/hermes.fcgi"
		chmod 0644 "$webdir/.htaccess"
		grep -q "^HERMES_HOME=$arg\$" "$webdir/hermes.fcgi" ||
			bail_out "could not set HERMES_HOME in the copied hermes.fcgi"
		echo "# shared hosting: everything is in $webdir/.htaccess" > "$dir/site.conf"
		;;
	esac || bail_out "apache/render.sh for $variant failed"
	# APACHE_SITE_EXTRA: more directives for the site (e.g. one responder).
	[ -z "${APACHE_SITE_EXTRA:-}" ] || printf '%s\n' "$APACHE_SITE_EXTRA" >> "$dir/site.conf"
	"$top_srcdir/apache/render.sh" test-httpd PORT="$APACHE_PORT" STATEDIR="$dir" \
		SITE="$dir/site.conf" MODULES_DIR="$mods" RUN_USER="$user" \
		RUN_GROUP="$group" > "$dir/httpd.conf" ||
		bail_out "apache/render.sh test-httpd failed"
	track_log "$dir/error.log"
	track_log "$dir/httpd.out"
	run_user_owns "$dir"
	# A free port may be taken by a parallel test before Apache binds it:
	# try another one then.
	for try in 1 2 3; do
		# shellcheck disable=SC2086
		${RUN_AS:-} "$httpd" -f "$dir/httpd.conf" "${defines[@]}" -DFOREGROUND < /dev/null \
			> "$dir/httpd.out" 2>&1 &
		APACHE_PID=$!
		track_pid "$APACHE_PID"
		wait_port "$APACHE_PORT" "$APACHE_PID" 30 && return 0
		stop_pid "$APACHE_PID"
		grep -q 'Address already in use' "$dir/httpd.out" "$dir/error.log" 2>/dev/null || break
		diag "Apache ($name): port $APACHE_PORT taken (try $try)"
		APACHE_PORT=$(free_port)
		"$top_srcdir/apache/render.sh" test-httpd PORT="$APACHE_PORT" STATEDIR="$dir" \
			SITE="$dir/site.conf" MODULES_DIR="$mods" RUN_USER="$user" \
			RUN_GROUP="$group" > "$dir/httpd.conf" ||
			bail_out "apache/render.sh test-httpd failed"
	done
	diag "$(cat "$dir/httpd.out" "$dir/error.log" 2>/dev/null)"
	bail_out "Apache ($name) did not start"
}

# ---- a user of the test's own (unprivileged, shared-host tests) ---------------

# mk_run_user: create a fresh unprivileged user for this test (needs root)
# and run the servers as it: start_lighttpd and start_apache then start
# lighttpd or httpd as that user ($RUN_AS), on their high ports. Its home
# RUN_HOME ($T/user) is root's and read-only to it; it may write only
# RUN_HOME/.hermes (its HERMES_HOME, 0700, empty) and the servers' state
# dirs. RUN_HOME/bin holds copies of hermes-fcgi, hermes-runner and
# hermesctl, as a shared-host account keeps them; HERMES_FCGI and HERMESCTL
# point there. Sets RUN_USER, RUN_UID, RUN_GID, RUN_HOME, RUN_AS. On exit
# every process of the user is killed (it owns nothing else) and the user
# is deleted.
mk_run_user() {
	local b
	[ "$(id -u)" = 0 ] || skip_or_fail "creating a test user needs root"
	need useradd userdel setpriv pkill
	RUN_HOME=$T/user
	RUN_USER=hermest$$
	# A parallel test adding or deleting a user holds /etc/passwd's lock for
	# a moment: useradd then fails at once, so try again.
	for b in 1 2 3 4 5 6 7 8 9 10; do
		useradd -M -d "$RUN_HOME" -s /bin/sh -U "$RUN_USER" 2> "$T/useradd.err" && break
		getent passwd "$RUN_USER" > /dev/null && break
		[ "$b" != 10 ] || { RUN_USER=; bail_out "useradd failed: $(cat "$T/useradd.err")"; }
		sleep 1
	done
	RUN_UID=$(id -u "$RUN_USER")
	RUN_GID=$(id -g "$RUN_USER")
	RUN_AS="setpriv --reuid=$RUN_UID --regid=$RUN_GID --init-groups env -u HERMES_ALLOW_ROOT HOME=$RUN_HOME USER=$RUN_USER LOGNAME=$RUN_USER"
	chmod 0711 "$T"
	mkdir -p "$RUN_HOME/bin" "$RUN_HOME/.hermes"
	for b in hermes-fcgi hermes-runner hermesctl; do
		cp "$top_builddir/$b" "$RUN_HOME/bin/$b" || bail_out "cannot copy $b"
	done
	chmod 0755 "$RUN_HOME" "$RUN_HOME/bin" "$RUN_HOME/bin/"*
	chown "$RUN_USER:$RUN_GID" "$RUN_HOME/.hermes"
	chmod 0700 "$RUN_HOME/.hermes"
	HERMES_FCGI=$RUN_HOME/bin/hermes-fcgi
	HERMESCTL=$RUN_HOME/bin/hermesctl
}

# as_run_user CMD...: CMD as the test user, in its environment (exec: the
# pid of `as_run_user CMD &` is CMD's).
as_run_user() {
	# shellcheck disable=SC2086
	$RUN_AS "$@"
}

# run_user_pids: the pids of the test user's processes.
run_user_pids() { pgrep -U "$RUN_UID" || true; }

# kill_run_user: SIGKILL every process of the test user, and wait until
# they are gone (10 s).
kill_run_user() {
	local i
	pkill -KILL -U "$RUN_UID" 2>/dev/null || true
	for i in $(seq 1 100); do
		[ -z "$(run_user_pids)" ] && return 0
		sleep 0.1
	done
	return 1
}

# run_user_owns PATH...: chown to the test user, if there is one.
run_user_owns() {
	[ -z "${RUN_USER:-}" ] || chown "$RUN_USER:$RUN_GID" "$@"
}

rm_run_user() {
	local i
	kill_run_user || diag "processes of $RUN_USER left: $(run_user_pids)"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		userdel "$RUN_USER" 2>/dev/null
		getent passwd "$RUN_USER" > /dev/null || break
		[ "$i" != 10 ] || diag "userdel $RUN_USER failed"
		sleep 1
	done
	groupdel "$RUN_USER" 2>/dev/null || true
	RUN_USER=
}

# start_spawn_fcgi NAME HOME [CHILDREN]: hermes-fcgi responders on a free
# loopback port through the shipped fcgi/spawn-fcgi.sh. Sets SPAWN_PORT,
# SPAWN_PIDFILE, SPAWN_LOG (the responders' stderr, through --log).
start_spawn_fcgi() {
	local name=$1 home=$2 children=${3:-2} dir=$T/$1
	need spawn-fcgi
	mkdir -p "$dir"
	SPAWN_PORT=$(free_port)
	SPAWN_PIDFILE=$dir/spawn-fcgi.pid
	SPAWN_LOG=$dir/responders.log
	track_pidfile "$SPAWN_PIDFILE"
	track_log "$SPAWN_LOG"
	track_log "$dir/spawn-fcgi.out"
	# As root without --user the script refuses unless told root is meant.
	HERMES_ALLOW_ROOT=1 "$top_srcdir/fcgi/spawn-fcgi.sh" --port "$SPAWN_PORT" --children "$children" \
		--pidfile "$SPAWN_PIDFILE" --bin "$HERMES_FCGI" --home "$home" \
		--log "$SPAWN_LOG" < /dev/null > "$dir/spawn-fcgi.out" 2>&1 ||
		{ diag "$(cat "$dir/spawn-fcgi.out")"; bail_out "fcgi/spawn-fcgi.sh failed"; }
	wait_port "$SPAWN_PORT" "" 30 || bail_out "responders not listening on $SPAWN_PORT"
}

# start_upstream [NAME] [upstream.py args...]: the scripted OpenAI-compatible
# upstream (tests/upstream/upstream.py, see tests/upstream/README.md) on a
# free port; NAME (default "upstream") is its state dir under $T, so a test
# may start several. Sets UPSTREAM_PID, UPSTREAM_PORT, UPSTREAM_URL (…/v1),
# UPSTREAM_LOG (one JSON line per request it got). The process is tracked
# (stopped on exit); a start that fails is a Bail out.
start_upstream() {
	local name=upstream dir i
	if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
		name=$1
		shift
	fi
	dir=$T/$name
	need "$PYTHON"
	mkdir -p "$dir"
	rm -f "$dir/port"
	UPSTREAM_LOG=$dir/requests.jsonl
	"$PYTHON" "$top_srcdir/tests/upstream/upstream.py" --port 0 \
		--port-file "$dir/port" --log "$UPSTREAM_LOG" "$@" \
		< /dev/null > "$dir/out.log" 2>&1 &
	UPSTREAM_PID=$!
	track_pid "$UPSTREAM_PID"
	track_log "$dir/out.log"
	for i in $(seq 1 200); do
		[ -s "$dir/port" ] && break
		kill -0 "$UPSTREAM_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$dir/port" ] || bail_out "upstream.py did not start: $(cat "$dir/out.log")"
	UPSTREAM_PORT=$(cat "$dir/port")
	UPSTREAM_URL=http://127.0.0.1:$UPSTREAM_PORT/v1
}

# script_upstream 'JSON list of steps': replace the queue and the records.
script_upstream() {
	curl -sf -X POST "http://127.0.0.1:$UPSTREAM_PORT/__reset" >/dev/null &&
		curl -sf -X POST --data-binary "$1" "http://127.0.0.1:$UPSTREAM_PORT/__script" >/dev/null
}

# upstream_requests: the recorded requests as a JSON list.
upstream_requests() {
	curl -sf "http://127.0.0.1:$UPSTREAM_PORT/__requests"
}

# jq_py 'python expression over d' < json: evaluate with d = parsed stdin.
jq_py() {
	"$PYTHON" -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

# ---- the Debian package ---------------------------------------------------------

# step_ok NAME LOG CMD...: run CMD with its output in LOG; pass NAME, or
# fail it with LOG's last lines (and return 1).
step_ok() {
	local name=$1 log=$2
	shift 2
	if "$@" > "$log" 2>&1; then
		pass "$name"
	else
		fail "$name" "$(tail -n 30 "$log")"
		return 1
	fi
}

# until_empty CMD...: run CMD every 0.2 s, for up to 20 s, until it prints
# nothing; print what it printed last (one line).
until_empty() {
	local out= i
	for i in $(seq 1 100); do
		out=$("$@" | tr '\n' ' ')
		[ -n "$out" ] || break
		sleep 0.2
	done
	printf '%s' "$out"
}

# pkg_lighttpd_conf DIR PORT: a lighttpd.conf of a test's own for the
# package's lighttpd modules copied into DIR/conf: 127.0.0.1:PORT (the
# modules add their own port), as www-data, pid file and error log in DIR.
pkg_lighttpd_conf() {
	cat <<EOF
server.document-root = "$1/htdocs"
server.bind          = "127.0.0.1"
server.port          = $2
server.pid-file      = "$1/lighttpd.pid"
server.errorlog      = "$1/error.log"
server.username      = "www-data"
server.groupname     = "www-data"
include "$1/conf/*.conf"
EOF
}

# deb_missing DEB: the files every hermes-fcgi package holds (programs, man
# pages, lighttpd and Apache configurations, systemd units) that DEB lacks;
# nothing when it has them all. t0990 (native) and tests/cross/t0200
# (cross-built) check the same list.
deb_missing() {
	local contents f missing=
	contents=$(dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|')
	for f in /usr/bin/hermes-fcgi /usr/bin/hermesctl /usr/bin/hermes-runner \
		/usr/share/man/man1/hermes-fcgi.1.gz /usr/share/man/man1/hermesctl.1.gz \
		/usr/share/man/man1/hermes-runner.1.gz /etc/lighttpd/conf-available/15-hermes.conf \
		/etc/apache2/conf-available/hermes.conf /lib/systemd/system/hermes-fcgi.socket \
		/lib/systemd/system/hermes-fcgi.service /lib/systemd/system/hermes-runner.service; do
		printf '%s\n' "$contents" | grep -qx "$f" || missing="$missing $f"
	done
	printf '%s' "${missing# }"
}

# deb_deps_missing DEB ADMINDIR: for each library the package's programs
# need (ELF NEEDED), the package that ships it according to the dpkg
# database ADMINDIR (/var/lib/dpkg, or a cross sysroot's); those not named
# in DEB's Depends are printed ("?SONAME" when no package ships it).
deb_deps_missing() {
	local deb=$1 adm=$2 x dir sonames so pkg depends missing=
	x=$(mktemp -d "$T/debx.XXXXXX")
	dpkg-deb -x "$deb" "$x" || { printf 'cannot unpack %s' "$deb"; return; }
	sonames=$(for dir in "$x"/usr/bin/*; do readelf -d "$dir"; done |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
	depends=$(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed 's/(.*//; s/[[:space:]]//g')
	for so in $sonames; do
		pkg=$(dpkg-query --admindir="$adm" -S "*/$so" 2>/dev/null | head -n 1 | sed 's/[:,].*//')
		if [ -z "$pkg" ]; then
			missing="$missing ?$so"
		elif ! printf '%s\n' "$depends" | grep -qx "$pkg"; then
			missing="$missing $pkg($so)"
		fi
	done
	rm -rf "$x"
	printf '%s' "${missing# }"
}

# ---- driving the agent through `hermesctl chat` ------------------------------------

# agent_env: a fresh HERMES_HOME ($T/home) and the upstream settings for
# hermesctl, exported.
agent_env() {
	export HERMES_HOME="$T/home"
	mkdir -p "$HERMES_HOME" && chmod 700 "$HERMES_HOME"
	export OPENAI_BASE_URL="$UPSTREAM_URL" OPENAI_API_KEY=k HERMES_MODEL=test-model
}

# ctl ARGS...: run hermesctl; CTL_OUT, CTL_ERR (text), CTL_RC.
ctl() {
	"$HERMESCTL" "$@" > "$T/ctl.out" 2> "$T/ctl.err"
	CTL_RC=$?
	CTL_OUT=$(cat "$T/ctl.out")
	CTL_ERR=$(cat "$T/ctl.err")
}

# chat [hermesctl chat args]: stdout to $T/out, stderr to $T/err.
chat() { "$HERMESCTL" chat "$@" >"$T/out" 2>"$T/err"; }

# call ID NAME ARGS-JSON: a scripted step asking for one tool call.
call() {
	printf '{"tool_calls":[{"id":"%s","name":"%s","arguments":%s}]}' "$1" "$2" "$3"
}

# tool_result N ID: content of tool message ID in the upstream's request N.
tool_result() {
	upstream_requests | jq_py "[m['content'] for m in d[$1]['body']['messages'] if m.get('tool_call_id') == '$2'][0]"
}

# json_obj k v k v …: a JSON object of strings (plain bash: no process);
# json_str s: one JSON string.
json_str() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/\\n}
	s=${s//$'\t'/\\t}
	printf '"%s"' "$s"
}
json_obj() {
	local o="{" sep=""
	while [ $# -ge 2 ]; do
		o="$o$sep$(json_str "$1"):$(json_str "$2")"
		sep=","
		shift 2
	done
	printf '%s}' "$o"
}
# calls ID TOOL ARGS-JSON [ID TOOL ARGS-JSON …]: script one model reply
# asking for all these calls (run in order in one turn), then a final reply.
calls() {
	local c="" sep=""
	while [ $# -ge 3 ]; do
		c="$c$sep{\"id\":\"$1\",\"name\":\"$2\",\"arguments\":$3}"
		sep=","
		shift 3
	done
	script_upstream "[{\"tool_calls\":[$c]},{\"reply\":\"done\"}]"
}
# calls, fetch and result drive several tool calls in one chat turn.
# fetch: save each tool result the upstream received in the turn's second
# request as $TAP_TMP/res.<call id> (one python run per turn).
fetch() {
	rm -f "$TAP_TMP"/res.*
	upstream_requests | "$PYTHON" -c '
import json, os, sys
d = json.load(sys.stdin)
for m in d[1]["body"]["messages"]:
    if m.get("tool_call_id"):
        with open(os.path.join(sys.argv[1], "res." + m["tool_call_id"]), "w", encoding="utf-8") as f:
            f.write(m["content"])' "$TAP_TMP"
}
result() { cat "$TAP_TMP/res.$1" 2>/dev/null; }

# session_of: the session id the last chat printed.
session_of() { sed -n 's/^\[session \([^:]*\):.*/\1/p' "$T/err" | tail -1; }

# is_asan BINARY: true when BINARY was built with AddressSanitizer.
is_asan() {
	{ nm -D "$1" 2>/dev/null; nm "$1" 2>/dev/null; ldd "$1" 2>/dev/null; } |
		grep -Eq '__asan_init|libasan'
}

# Shorthands with the names the tests' briefs use.
start_apache_fcgid() { start_apache fcgid "$@"; }        # NAME MOUNT HOME
start_apache_proxy() { start_apache proxy-fcgi "$@"; }   # NAME MOUNT FCGI_PORT
