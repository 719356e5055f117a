#!/bin/sh
# apache/render.sh: render one of the apache/*.conf.in templates to stdout.
# SPDX-License-Identifier: MIT
#
# usage: apache/render.sh TEMPLATE [NAME=VALUE ...] > out.conf
#
# TEMPLATE is a path or one of: fcgid, proxy-fcgi, test-httpd. NAME is a
# placeholder without the @s; a value not given as an argument is taken from
# the environment variable of the same name, else the default:
#   BIN=`command -v hermes-fcgi`   HERMES_HOME=/var/lib/hermes/.hermes
#   MOUNT=/  (or PREFIX="" ; either one determines the other)
#   FCGI_PORT=9000   PORT=8642
#   RUN_USER=www-data (daemon if there is no www-data)  RUN_GROUP=its group
#     (test-httpd only: Apache's own user)
#   HERMES_USER=hermes  HERMES_GROUP=its group (fcgid: the suexec user)
#   SUEXEC=on (fcgid; off leaves out the suexec block: for an Apache whose
#     own User is the dedicated user)
#   MODULES_DIR=/usr/lib/apache2/modules   STATEDIR, SITE (test-httpd only)
set -eu

die() { echo "render.sh: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: render.sh TEMPLATE [NAME=VALUE ...]"
here=$(cd "$(dirname "$0")" && pwd)
case $1 in
fcgid) TEMPLATE=$here/hermes-fcgid.conf.in ;;
proxy-fcgi) TEMPLATE=$here/hermes-proxy-fcgi.conf.in ;;
test-httpd) TEMPLATE=$here/test-httpd.conf.in ;;
-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
*) TEMPLATE=$1 ;;
esac
shift
for arg in "$@"; do
	case $arg in
	BIN=*|HERMES_HOME=*|MOUNT=*|PREFIX=*|FCGI_PORT=*|PORT=*|RUN_USER=*|RUN_GROUP=*|HERMES_USER=*|HERMES_GROUP=*|SUEXEC=*|MODULES_DIR=*|STATEDIR=*|SITE=*)
		name=${arg%%=*}
		eval "$name=\${arg#*=}"
		;;
	*) die "unknown argument '$arg' (want NAME=VALUE)" ;;
	esac
done
[ -r "$TEMPLATE" ] || die "cannot read template $TEMPLATE"

defuser=daemon
getent passwd www-data >/dev/null 2>&1 && defuser=www-data
BIN=${BIN:-$(command -v hermes-fcgi || echo /usr/local/bin/hermes-fcgi)}
HERMES_HOME=${HERMES_HOME:-/var/lib/hermes/.hermes}
FCGI_PORT=${FCGI_PORT:-9000}
PORT=${PORT:-8642}
RUN_USER=${RUN_USER:-$defuser}
RUN_GROUP=${RUN_GROUP:-$(id -gn "$RUN_USER" 2>/dev/null || echo "$RUN_USER")}
HERMES_USER=${HERMES_USER:-hermes}
HERMES_GROUP=${HERMES_GROUP:-$(id -gn "$HERMES_USER" 2>/dev/null || echo "$HERMES_USER")}
[ "$HERMES_USER" != root ] || die "HERMES_USER=root: the agent's tools would run as root; use a dedicated user (hermes)"
SUEXEC=${SUEXEC:-on}
case $SUEXEC in on|off) ;; *) die "SUEXEC must be on or off: '$SUEXEC'" ;; esac
MODULES_DIR=${MODULES_DIR:-/usr/lib/apache2/modules}
STATEDIR=${STATEDIR:-}
SITE=${SITE:-}
if [ -n "${PREFIX+x}" ] && [ -z "${MOUNT:-}" ]; then
	MOUNT=${PREFIX:-/}
fi
MOUNT=${MOUNT:-/}
case $MOUNT in
/) PREFIX= ;;
/*) MOUNT=${MOUNT%/}; PREFIX=$MOUNT ;;
*) die "MOUNT must start with /: '$MOUNT'" ;;
esac
case $PREFIX in *[!A-Za-z0-9/_.~-]*) die "MOUNT may only hold [A-Za-z0-9/_.~-]: '$MOUNT'" ;; esac
for v in "$RUN_USER" "$RUN_GROUP" "$HERMES_USER" "$HERMES_GROUP"; do
	case $v in ''|*[!A-Za-z0-9._-]*) die "user and group names may only hold [A-Za-z0-9._-]: '$v'" ;; esac
done
for v in "$PORT" "$FCGI_PORT"; do
	case $v in ''|*[!0-9]*) die "ports must be numbers: '$v'" ;; esac
done
case $(basename "$TEMPLATE") in
test-httpd*)
	[ -n "$STATEDIR" ] || die "STATEDIR is required"
	[ -n "$SITE" ] || die "SITE is required"
	;;
esac
for v in "$BIN" "$HERMES_HOME" "$STATEDIR" "$SITE" "$MODULES_DIR"; do
	case $v in ''|/*) ;; *) die "paths must be absolute: '$v'" ;; esac
	case $v in *'"'*|*'\'*|*'
'*|*' '*) die "paths must not hold quotes, backslashes, spaces or newlines: '$v'" ;; esac
done

# Escape a value for the replacement side of a sed s|||: \ & and |.
esc() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }

if [ "$SUEXEC" = off ]; then
	sed '/^# suexec:begin/,/^# suexec:end/d' "$TEMPLATE"
else
	cat "$TEMPLATE"
fi |
sed -e "s|@BIN@|$(esc "$BIN")|g" \
    -e "s|@HERMES_HOME@|$(esc "$HERMES_HOME")|g" \
    -e "s|@MOUNT@|$(esc "$MOUNT")|g" \
    -e "s|@PREFIX@|$(esc "$PREFIX")|g" \
    -e "s|@FCGI_PORT@|$(esc "$FCGI_PORT")|g" \
    -e "s|@PORT@|$(esc "$PORT")|g" \
    -e "s|@RUN_USER@|$(esc "$RUN_USER")|g" \
    -e "s|@RUN_GROUP@|$(esc "$RUN_GROUP")|g" \
    -e "s|@HERMES_USER@|$(esc "$HERMES_USER")|g" \
    -e "s|@HERMES_GROUP@|$(esc "$HERMES_GROUP")|g" \
    -e "s|@MODULES_DIR@|$(esc "$MODULES_DIR")|g" \
    -e "s|@STATEDIR@|$(esc "$STATEDIR")|g" \
    -e "s|@SITE@|$(esc "$SITE")|g"
