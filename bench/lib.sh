# shellcheck shell=bash
# bench/lib.sh: what the bench scripts share (sourced, not run).
#
#   bench_name=memory.sh
#   . "$(cd "$(dirname "$0")" && pwd)/lib.sh"
#   bench_args "$@"          # srcdir, builddir, HERMES_FCGI; exit 2 on bad usage
#   need_lighttpd            # LIGHTTPD
#   bench_scratch            # tmp (removed on exit unless BENCH_KEEP=1)
#   bench_home               # home (a HERMES_HOME with .env), key
#   start_server "$HERMES_FCGI" hermes   # lighttpd_pid, port, responder_pids
#
# The shipped lighttpd config (lighttpd/lighttpd.conf.in, rendered by
# lighttpd/render.sh) on a free 127.0.0.1 port, MAXPROCS responders, mounted
# at MOUNT. Only processes the scripts started are signalled, by pid: the
# lighttpd, the responders it spawned (while they still run the binary it
# was given), and what a script registers in bench_pids.
# SPDX-License-Identifier: MIT

bench_name=${bench_name:-bench}

die() {
	echo "$bench_name: $*" >&2
	exit 1
}

# bench_args [BUILD_DIR]: srcdir (the checkout), builddir (default: the
# checkout), HERMES_FCGI (default BUILD_DIR/hermes-fcgi).
bench_args() {
	srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	builddir=${1:-$srcdir}
	if [ $# -gt 1 ] || [ ! -d "$builddir" ]; then
		echo "usage: $bench_name [BUILD_DIR]   (see bench/README.md)" >&2
		exit 2
	fi
	builddir=$(cd "$builddir" && pwd)
	HERMES_FCGI=${HERMES_FCGI:-$builddir/hermes-fcgi}
	MAXPROCS=${MAXPROCS:-2}
	MOUNT=${MOUNT:-}
	MOUNT=${MOUNT%/} # "/" and "" both mean the site root; URLs use "$MOUNT/v1/..."
	[ -f "$srcdir/lighttpd/lighttpd.conf.in" ] || die "missing $srcdir/lighttpd/lighttpd.conf.in"
	[ -x "$srcdir/lighttpd/render.sh" ] || die "missing $srcdir/lighttpd/render.sh"
	[ -x "$HERMES_FCGI" ] || die "no hermes-fcgi at $HERMES_FCGI (build it, see bench/README.md, or set HERMES_FCGI)"
	command -v curl >/dev/null || die "curl not found (apt-get install curl)"
}

find_prog() { # name [extra dirs...]: print the path of a program or nothing
	local name=$1 d
	shift
	command -v "$name" 2>/dev/null && return 0
	for d in "$@" /usr/sbin /usr/local/sbin /sbin; do
		[ -x "$d/$name" ] && { echo "$d/$name"; return 0; }
	done
	return 1
}

need_lighttpd() { # LIGHTTPD, from the environment or PATH and the sbin dirs
	LIGHTTPD=${LIGHTTPD:-$(find_prog lighttpd)} || true
	if [ -z "$LIGHTTPD" ] || [ ! -x "$LIGHTTPD" ]; then
		die "lighttpd not found (apt-get install lighttpd, or set LIGHTTPD)"
	fi
}

is_sanitized() { # binary: true for an ASan/UBSan/TSan build
	ldd "$1" 2>/dev/null | grep -Eq 'lib(asan|ubsan|tsan)'
}

# ---- scratch space and processes, cleaned on exit ------------------------------
lighttpd_pid=""   # the lighttpd start_server started
responder_pids="" # its bin-path children, seen while it ran
responder_bin=""  # their executable, to recognise them after lighttpd exits
bench_pids=""     # other processes a script started (stopped on exit, by pid)

stop_server() { # stop the lighttpd we started and the responders it spawned
	local p
	if [ -n "$lighttpd_pid" ]; then
		kill -TERM "$lighttpd_pid" 2>/dev/null
		for _ in $(seq 1 50); do
			kill -0 "$lighttpd_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$lighttpd_pid" 2>/dev/null
		wait "$lighttpd_pid" 2>/dev/null
		lighttpd_pid=""
	fi
	# lighttpd ends its bin-path children itself; make sure, by pid, and
	# only while the pid still runs the binary we gave lighttpd.
	for p in $responder_pids; do
		for _ in $(seq 1 20); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		if [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$responder_bin" ]; then
			kill -KILL "$p" 2>/dev/null
		fi
	done
	responder_pids=""
}

# shellcheck disable=SC2317 # called by the EXIT trap
bench_cleanup() {
	local p
	# A script's own tear-down first (it may need the server still up).
	if declare -F bench_before_cleanup >/dev/null; then
		bench_before_cleanup
	fi
	stop_server
	for p in $bench_pids; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "scratch kept in $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}

bench_scratch() { # tmp: a scratch dir, removed (with what runs) on exit
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hermes-bench.XXXXXX") || die "mktemp failed"
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# bench_home: home=$tmp/home, a HERMES_HOME (0700) whose .env (0600) holds a
# fresh 64-hex API_SERVER_KEY (also in key), so every request runs the auth
# check. The bench runs lighttpd and the responders as the user that runs
# it; as root the responder (and the runner) refuse to serve unless told
# (docs/security.md), so as root .env says HERMES_ALLOW_ROOT=1.
bench_home() {
	home=$tmp/home
	mkdir -m 0700 "$home" || die "cannot create $home"
	key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
	[ ${#key} -eq 64 ] || die "cannot generate an API key"
	(umask 077 && printf 'API_SERVER_KEY=%s\n' "$key" >"$home/.env")
	if [ "$(id -u)" -eq 0 ]; then
		printf 'HERMES_ALLOW_ROOT=1\n' >>"$home/.env"
	fi
}

# ---- lighttpd ------------------------------------------------------------------
port_in_use() {
	ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

pick_port() { # a free 127.0.0.1 TCP port in the ephemeral-free range
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		port_in_use "$p" || { echo "$p"; return 0; }
	done
	return 1
}

render_conf() { # bin port statedir out
	"$srcdir/lighttpd/render.sh" \
		BIND=127.0.0.1 PORT="$2" STATEDIR="$3" BIN="$1" \
		HERMES_HOME="$home" MOUNT="${MOUNT:-/}" MAXPROCS="$MAXPROCS" RUN_USER= \
		TEMPLATE="$srcdir/lighttpd/lighttpd.conf.in" >"$4"
}

children_of() { # pid: direct children (the bin-path responders)
	local f ppid
	for f in /proc/[0-9]*/stat; do
		# field 4 is ppid; comm (field 2) may hold spaces, so cut after ')'
		ppid=$(sed -e 's/^.*) [A-Za-z] //' -e 's/ .*//' "$f" 2>/dev/null) || continue
		[ "$ppid" = "$1" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
	done
}

url() { echo "http://127.0.0.1:$1$MOUNT${2:-/v1/models}"; } # port [path]

# server_ready port: GET /v1/models answers 200 (a script may redefine it,
# e.g. to start no responder on a request).
server_ready() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' -m 2 \
		-H "Authorization: Bearer $key" "$(url "$1")" 2>/dev/null)" = 200 ]
}

# start_server bin tag: lighttpd with bin on a free port, until server_ready;
# sets lighttpd_pid, port, responder_pids, state (its STATEDIR: error.log,
# and hermes-fcgi.log with the responders' stderr).
start_server() {
	local bin=$1 tag=$2 conf log
	responder_bin=$(readlink -f "$bin")
	for _ in 1 2 3 4 5; do
		port=$(pick_port) || die "no free port found"
		state=$tmp/state-$tag-$port
		conf=$state.conf
		log=$state.log
		render_conf "$bin" "$port" "$state" "$conf" || die "lighttpd/render.sh failed"
		"$LIGHTTPD" -tt -f "$conf" >"$log" 2>&1 || { cat "$log" >&2; die "lighttpd rejects $conf"; }
		"$LIGHTTPD" -D -f "$conf" >>"$log" 2>&1 </dev/null &
		lighttpd_pid=$!
		for _ in $(seq 1 100); do
			kill -0 "$lighttpd_pid" 2>/dev/null || break
			if server_ready "$port"; then
				responder_pids=$(children_of "$lighttpd_pid" | tr '\n' ' ')
				[ -n "$responder_pids" ] || die "no responder processes under lighttpd pid $lighttpd_pid"
				return 0
			fi
			sleep 0.1
		done
		if kill -0 "$lighttpd_pid" 2>/dev/null; then
			echo "$bench_name: $tag on port $port is not ready; GET $(url "$port"):" >&2
			curl -s -m 2 -H "Authorization: Bearer $key" "$(url "$port")" >&2
			echo >&2
			tail -n 20 "$log" "$state/error.log" >&2
			stop_server
			die "$tag did not come up"
		fi
		wait "$lighttpd_pid" 2>/dev/null
		lighttpd_pid=""
		cat "$state/error.log" >>"$log" 2>/dev/null
		grep -qi 'address already in use' "$log" || { tail -n 20 "$log" >&2; die "lighttpd ($tag) exited at start"; }
	done
	die "could not bind a free port in 5 tries"
}
