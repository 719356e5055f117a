#!/bin/sh
# lighttpd/render.sh: render lighttpd/lighttpd.conf.in (or
# hermes-external.conf.in) to stdout.
# SPDX-License-Identifier: MIT
#
# usage: lighttpd/render.sh [NAME=VALUE ...] > lighttpd.conf
#
# NAME is one of the placeholders (without the @s); a value not given as an
# argument is taken from the environment variable of the same name, else the
# default below:
#   BIND=127.0.0.1  PORT=8642  MOUNT=/  MAXPROCS=2
#   HERMES_HOME=/var/lib/hermes/.hermes  BIN=`command -v hermes-fcgi`
#   RUN_USER=hermes  RUN_GROUP=its group (RUN_USER= , empty, leaves
#     the two lines out: lighttpd then stays the user that started it)
#   STATEDIR (required; created with STATEDIR/htdocs if missing)
#   TEMPLATE=<dir of this script>/lighttpd.conf.in, or "external" for
#     hermes-external.conf.in (FCGI_HOST=127.0.0.1, FCGI_PORT=9000, or
#     FCGI_SOCKET; STATEDIR and BIN are not needed there)
set -eu

die() { echo "render.sh: $*" >&2; exit 2; }

for arg in "$@"; do
	case $arg in
	BIND=*|PORT=*|STATEDIR=*|BIN=*|HERMES_HOME=*|MOUNT=*|MAXPROCS=*|TEMPLATE=*|RUN_USER=*|RUN_GROUP=*|FCGI_HOST=*|FCGI_PORT=*|FCGI_SOCKET=*)
		name=${arg%%=*}
		eval "$name=\${arg#*=}"
		;;
	-h|--help) sed -n '2,18p' "$0"; exit 0 ;;
	*) die "unknown argument '$arg' (want NAME=VALUE)" ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
BIND=${BIND:-127.0.0.1}
PORT=${PORT:-8642}
MOUNT=${MOUNT:-/}
MAXPROCS=${MAXPROCS:-2}
HERMES_HOME=${HERMES_HOME:-/var/lib/hermes/.hermes}
BIN=${BIN:-$(command -v hermes-fcgi || true)}
STATEDIR=${STATEDIR:-}
TEMPLATE=${TEMPLATE:-$here/lighttpd.conf.in}
[ "$TEMPLATE" != external ] || TEMPLATE=$here/hermes-external.conf.in
# Unset: hermes. Set but empty: no server.username/groupname lines.
RUN_USER=${RUN_USER-hermes}
if [ -n "$RUN_USER" ]; then
	RUN_GROUP=${RUN_GROUP:-$(id -gn "$RUN_USER" 2>/dev/null || echo "$RUN_USER")}
else
	RUN_GROUP=
fi
[ "$RUN_USER" != root ] || die "RUN_USER=root: the agent's tools would run as root; use a dedicated user (hermes)"
FCGI_HOST=${FCGI_HOST:-127.0.0.1}
FCGI_PORT=${FCGI_PORT:-9000}
FCGI_SOCKET=${FCGI_SOCKET:-}

external=0
case $(basename "$TEMPLATE") in hermes-external*) external=1 ;; esac
if [ "$external" = 0 ]; then
	[ -n "$STATEDIR" ] || die "STATEDIR is required"
	[ -n "$BIN" ] || die "BIN is required (hermes-fcgi not on PATH)"
fi
STATEDIR=${STATEDIR:-/var/lib/hermes/lighttpd}
BIN=${BIN:-/usr/local/bin/hermes-fcgi}
case $FCGI_PORT in ''|*[!0-9]*) die "FCGI_PORT must be a number: '$FCGI_PORT'" ;; esac
case $FCGI_SOCKET in ''|/*) ;; *) die "FCGI_SOCKET must be an absolute path: '$FCGI_SOCKET'" ;; esac
case $PORT in ''|*[!0-9]*) die "PORT must be a number: '$PORT'" ;; esac
case $MAXPROCS in ''|*[!0-9]*) die "MAXPROCS must be a number: '$MAXPROCS'" ;; esac
for v in "$STATEDIR" "$BIN" "$HERMES_HOME"; do
	case $v in /*) ;; *) die "paths must be absolute: '$v'" ;; esac
done
case $MOUNT in
/) ;;
/*/) MOUNT=${MOUNT%/} ;;
/*) ;;
*) die "MOUNT must start with /: '$MOUNT'" ;;
esac
for v in "$BIND" "$STATEDIR" "$BIN" "$HERMES_HOME" "$MOUNT" "$RUN_USER" "$RUN_GROUP" "$FCGI_HOST" "$FCGI_SOCKET"; do
	case $v in *'"'*|*'\'*|*'
'*) die "value must not contain a quote, backslash or newline: '$v'" ;; esac
done
[ -r "$TEMPLATE" ] || die "cannot read template $TEMPLATE"

[ "$external" = 1 ] || mkdir -p "$STATEDIR/htdocs"

# Escape a value for the replacement side of a sed s|||: \ & and |.
esc() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }

# No user: drop the server.username/groupname lines. A socket: drop the
# host/port lines, else the socket line.
drop='@@keep-every-line@@'
[ -n "$RUN_USER" ] || drop="$drop|@RUN_USER@|@RUN_GROUP@"
if [ -n "$FCGI_SOCKET" ]; then
	drop="$drop|@FCGI_HOST@|@FCGI_PORT@"
else
	drop="$drop|@FCGI_SOCKET@"
fi

grep -Ev "$drop" "$TEMPLATE" |
sed -e "s|@BIND@|$(esc "$BIND")|g" \
    -e "s|@PORT@|$(esc "$PORT")|g" \
    -e "s|@STATEDIR@|$(esc "$STATEDIR")|g" \
    -e "s|@BIN@|$(esc "$BIN")|g" \
    -e "s|@HERMES_HOME@|$(esc "$HERMES_HOME")|g" \
    -e "s|@MOUNT@|$(esc "$MOUNT")|g" \
    -e "s|@MAXPROCS@|$(esc "$MAXPROCS")|g" \
    -e "s|@RUN_USER@|$(esc "$RUN_USER")|g" \
    -e "s|@RUN_GROUP@|$(esc "$RUN_GROUP")|g" \
    -e "s|@FCGI_HOST@|$(esc "$FCGI_HOST")|g" \
    -e "s|@FCGI_PORT@|$(esc "$FCGI_PORT")|g" \
    -e "s|@FCGI_SOCKET@|$(esc "$FCGI_SOCKET")|g"
