#!/bin/sh
# fcgi/spawn-fcgi.sh: start hermes-fcgi responders on a FastCGI socket with
# spawn-fcgi, for web servers that connect to an already running FastCGI
# application (Apache mod_proxy_fcgi, nginx fastcgi_pass, lighttpd "host").
# SPDX-License-Identifier: MIT
#
# usage: fcgi/spawn-fcgi.sh [options]
#   --addr ADDR       address to listen on (default 127.0.0.1)
#   --port PORT       TCP port (default 9000)
#   --socket PATH     listen on a unix socket instead of ADDR:PORT
#   --children N      responder processes sharing the socket (default 4;
#                     each serves one request at a time)
#   --pidfile PATH    where the responders' pids go, one a line (default
#                     $HERMES_HOME/hermes-fcgi.pid; as root
#                     /run/hermes-fcgi-PORT.pid, out of the user's reach)
#   --bin PATH        the hermes-fcgi binary (default: the installed one,
#                     /usr/local/bin/hermes-fcgi, else `command -v`)
#   --home DIR        HERMES_HOME for the responders (default $HERMES_HOME,
#                     else ~/.hermes of --user, else of the caller)
#   --user USER       when started as root: the user (and its group) to run
#                     the responders as (required then, unless
#                     HERMES_ALLOW_ROOT=1: never root by accident)
#   --log FILE        the responders' stderr (their log lines) is appended
#                     here (default $HERMES_HOME/hermes-fcgi.log; spawn-fcgi
#                     itself would send it to /dev/null)
#   --stop            stop the responders listed in the pidfile and exit
# The responders inherit this script's environment, so API_SERVER_KEY,
# OPENAI_BASE_URL etc. may also be exported before calling it.
set -eu

die() { echo "spawn-fcgi.sh: $*" >&2; exit 2; }

addr=127.0.0.1 port=9000 socket='' children=4 pidfile='' bin='' home='' user='' log='' stop=0
while [ $# -gt 0 ]; do
	case $1 in
	--addr) addr=${2:?}; shift ;;
	--port) port=${2:?}; shift ;;
	--socket) socket=${2:?}; shift ;;
	--children) children=${2:?}; shift ;;
	--pidfile) pidfile=${2:?}; shift ;;
	--bin) bin=${2:?}; shift ;;
	--home) home=${2:?}; shift ;;
	--user) user=${2:?}; shift ;;
	--log) log=${2:?}; shift ;;
	--stop) stop=1 ;;
	-h|--help) sed -n '2,28p' "$0"; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
	shift
done

if [ -z "$home" ] && [ -z "${HERMES_HOME:-}" ] && [ -n "$user" ]; then
	# ~/.hermes of the user the responders run as (/var/lib/hermes/.hermes
	# for hermes), not of root.
	uhome=$(getent passwd "$user" | cut -d: -f6)
	[ -n "$uhome" ] || die "no such user '$user' (or no home directory): use --home"
	home=$uhome/.hermes
fi
home=${home:-${HERMES_HOME:-${HOME:-/root}/.hermes}}
if [ -z "$pidfile" ] && [ "$(id -u)" = 0 ]; then
	# root writes the pidfile: not in a directory the responders' user (the
	# agent's shell) could plant a symlink in.
	if [ -n "$socket" ]; then
		pidfile=/run/hermes-fcgi-$(basename "$socket").pid
	else
		pidfile=/run/hermes-fcgi-$port.pid
	fi
fi
pidfile=${pidfile:-$home/hermes-fcgi.pid}
log=${log:-$home/hermes-fcgi.log}

if [ "$stop" = 1 ]; then
	[ -r "$pidfile" ] || die "no pidfile $pidfile"
	# spawn-fcgi ends the file without a newline: read the last line too.
	pids=$(tr -cs '0-9' ' ' < "$pidfile")
	[ -n "${pids# }" ] || die "no pids in $pidfile"
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	# Give them 10 s to finish the request at hand, then insist.
	i=0
	while [ $i -lt 100 ]; do
		alive=
		for pid in $pids; do
			kill -0 "$pid" 2>/dev/null || continue
			# An exited responder not yet reaped (a zombie) is gone too.
			st=$(sed 's/.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null)
			[ "$st" = Z ] || alive="$alive $pid"
		done
		[ -n "$alive" ] || break
		sleep 0.1 2>/dev/null || sleep 1
		i=$((i + 1))
	done
	if [ -n "$alive" ]; then
		echo "spawn-fcgi.sh: killing$alive after 10 s" >&2
		# shellcheck disable=SC2086
		kill -KILL $alive 2>/dev/null || true
	fi
	rm -f "$pidfile"
	exit 0
fi

command -v spawn-fcgi >/dev/null 2>&1 ||
	die "spawn-fcgi is not installed (apt-get install spawn-fcgi)"
if [ -z "$bin" ]; then
	if [ -x /usr/local/bin/hermes-fcgi ]; then
		bin=/usr/local/bin/hermes-fcgi
	else
		bin=$(command -v hermes-fcgi || true)
	fi
fi
[ -n "$bin" ] && [ -x "$bin" ] || die "hermes-fcgi binary not found (make install, or --bin PATH)"
case $children in ''|*[!0-9]*|0) die "--children must be a positive number" ;; esac
if [ "$(id -u)" = 0 ]; then
	[ -n "$user" ] || [ "${HERMES_ALLOW_ROOT:-}" = 1 ] ||
		die "started as root without --user: the responders, and the agent's tools, would run as root (use --user hermes)"
	[ "$user" != root ] || die "--user root: the agent's tools would run as root (use --user hermes)"
fi

HERMES_HOME=$home
export HERMES_HOME
set -- -F "$children" -P "$pidfile"
if [ -n "$socket" ]; then
	set -- "$@" -s "$socket" -M 0600
else
	case $port in ''|*[!0-9]*) die "--port must be a number" ;; esac
	set -- "$@" -a "$addr" -p "$port"
fi
if [ -n "$user" ]; then
	set -- "$@" -u "$user" -g "$(id -gn "$user")"
	[ -z "$socket" ] || set -- "$@" -U "$user"
fi
# The log file must be writable by the responders' user: create it as that
# user (root following a symlink the user planted would be worse).
if [ ! -e "$log" ]; then
	if [ -n "$user" ] && [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$user" --regid="$(id -gn "$user")" --init-groups -- \
			sh -c 'umask 077; : >> "$1"' sh "$log" || die "cannot create $log as $user"
	else
		(umask 077; : >> "$log") || die "cannot create $log"
	fi
fi
# spawn-fcgi binds the socket, hands it to each child as fd 0 (hermes-fcgi
# then runs its FastCGI loop), writes the children's pids and exits. The
# children get /dev/null as stderr: the small sh in between (replaced by
# hermes-fcgi through exec, so the pids stay right) appends it to the log.
exec spawn-fcgi "$@" -- /bin/sh -c 'exec "$0" 2>>"$1"' "$bin" "$log"
