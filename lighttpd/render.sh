#!/bin/sh
# lighttpd/render.sh: render lighttpd/lighttpd.conf.in to stdout.
# SPDX-License-Identifier: MIT
#
# usage: lighttpd/render.sh [NAME=VALUE ...] > lighttpd.conf
#
# NAME is one of the placeholders (without the @s); a value not given as an
# argument is taken from the environment variable of the same name, else the
# default below:
#   BIND=127.0.0.1  PORT=8642  MOUNT=/  MAXPROCS=2
#   HERMES_HOME=$HOME/.hermes  BIN=`command -v hermes-fcgi`
#   STATEDIR (required; created with STATEDIR/htdocs if missing)
#   TEMPLATE=<dir of this script>/lighttpd.conf.in
set -eu

die() { echo "render.sh: $*" >&2; exit 2; }

for arg in "$@"; do
	case $arg in
	BIND=*|PORT=*|STATEDIR=*|BIN=*|HERMES_HOME=*|MOUNT=*|MAXPROCS=*|TEMPLATE=*)
		name=${arg%%=*}
		eval "$name=\${arg#*=}"
		;;
	-h|--help) sed -n '2,14p' "$0"; exit 0 ;;
	*) die "unknown argument '$arg' (want NAME=VALUE)" ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
BIND=${BIND:-127.0.0.1}
PORT=${PORT:-8642}
MOUNT=${MOUNT:-/}
MAXPROCS=${MAXPROCS:-2}
HERMES_HOME=${HERMES_HOME:-${HOME:-/root}/.hermes}
BIN=${BIN:-$(command -v hermes-fcgi || true)}
STATEDIR=${STATEDIR:-}
TEMPLATE=${TEMPLATE:-$here/lighttpd.conf.in}

[ -n "$STATEDIR" ] || die "STATEDIR is required"
[ -n "$BIN" ] || die "BIN is required (hermes-fcgi not on PATH)"
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
for v in "$BIND" "$STATEDIR" "$BIN" "$HERMES_HOME" "$MOUNT"; do
	case $v in *'"'*|*'\'*|*'
'*) die "value must not contain a quote, backslash or newline: '$v'" ;; esac
done
[ -r "$TEMPLATE" ] || die "cannot read template $TEMPLATE"

mkdir -p "$STATEDIR/htdocs"

# Escape a value for the replacement side of a sed s|||: \ & and |.
esc() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }

sed -e "s|@BIND@|$(esc "$BIND")|g" \
    -e "s|@PORT@|$(esc "$PORT")|g" \
    -e "s|@STATEDIR@|$(esc "$STATEDIR")|g" \
    -e "s|@BIN@|$(esc "$BIN")|g" \
    -e "s|@HERMES_HOME@|$(esc "$HERMES_HOME")|g" \
    -e "s|@MOUNT@|$(esc "$MOUNT")|g" \
    -e "s|@MAXPROCS@|$(esc "$MAXPROCS")|g" \
    "$TEMPLATE"
