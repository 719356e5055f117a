#!/usr/bin/env bash
# scripts/serve.sh: README command 1. Installs what is needed, builds and
# installs hermes-fcgi, writes a default HERMES_HOME with a fresh API key
# (printed once), and runs lighttpd on http://127.0.0.1:8642 in the
# foreground. Ctrl-C stops it. Run as root (it re-runs itself with sudo if
# not and sudo is there). Later runs rebuild only what changed.
#
#   system user       hermes (created if missing), home /var/lib/hermes
#   HERMES_HOME       /var/lib/hermes/.hermes  (.env holds API_SERVER_KEY)
#   lighttpd config   /etc/hermes/lighttpd.conf (rendered from lighttpd/; root's,
#                     so the hermes user cannot change what root reads)
#   lighttpd state    /var/lib/hermes/lighttpd/ (hermes-fcgi.log, error.log, pid, socket)
#   programs          /usr/local/bin/hermes-fcgi, /usr/local/bin/hermesctl
#
# lighttpd and the responders it spawns run as the hermes user; port 8642
# needs no root. Settings can be overridden from the environment:
# HERMES_PORT, HERMES_BIND, HERMES_MOUNT, HERMES_MAXPROCS, HERMES_PREFIX.
# SPDX-License-Identifier: MIT
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo -E bash "$0" "$@"
	fi
	echo "serve.sh: run this as root (it installs packages, a system user and programs): su -c 'bash scripts/serve.sh'" >&2
	exit 1
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${HERMES_PREFIX:-/usr/local}
PORT=${HERMES_PORT:-8642}
BIND=${HERMES_BIND:-127.0.0.1}
MOUNT=${HERMES_MOUNT:-/}
MAXPROCS=${HERMES_MAXPROCS:-4}
USER_NAME=hermes
BASE=/var/lib/hermes
HHOME=$BASE/.hermes
STATEDIR=$BASE/lighttpd
CONF=/etc/hermes/lighttpd.conf
BIN=$PREFIX/bin/hermes-fcgi
CTL=$PREFIX/bin/hermesctl

say() { printf '\n== serve: %s\n' "$*"; }
die() { printf '\nserve.sh: %s\n' "$*" >&2; exit 1; }

# Run a command as the hermes user, with its HOME and HERMES_HOME.
as_hermes() {
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$BASE" USER="$USER_NAME" LOGNAME="$USER_NAME" HERMES_HOME="$HHOME" \
		${LANG:+LANG="$LANG"} \
		${OPENAI_BASE_URL:+OPENAI_BASE_URL="$OPENAI_BASE_URL"} \
		${OPENAI_API_KEY:+OPENAI_API_KEY="$OPENAI_API_KEY"} \
		setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups -- "$@"
}

port_taken() {
	# bash's /dev/tcp: a connect that succeeds means something listens.
	(exec 3<>"/dev/tcp/$BIND/$PORT") 2>/dev/null
}

say "dependencies"
bash "$ROOT/scripts/deps.sh"

# Fail early, before a long build, if the port is in use.
if port_taken; then
	die "something is already listening on $BIND:$PORT.
  Stop it first (a system lighttpd or apache2? 'ss -ltnp' shows who), or pick
  another port: HERMES_PORT=8643 bash scripts/serve.sh"
fi

say "build (build/release, prefix $PREFIX)"
cd "$ROOT"
if [ -f "$ROOT/config.status" ]; then
	# A VPATH build refuses a source tree configured in place.
	(make -s distclean >/dev/null 2>&1) || rm -f "$ROOT/config.status"
fi
# Build once; later starts rebuild only what changed. autoreconf only when
# there is no configure or configure.ac / Makefile.am / m4 changed since;
# configure only when there is no build/release or configure changed since;
# make decides about the sources.
if [ ! -x configure ] || [ ! -f Makefile.in ] || [ configure.ac -nt configure ] ||
	[ Makefile.am -nt Makefile.in ] || [ -n "$(find m4 -newer configure -type f 2>/dev/null | head -n 1)" ]; then
	autoreconf -fi
fi
mkdir -p build/release
(
	cd build/release
	if [ ! -f config.status ] || [ ../../configure -nt config.status ] ||
		! grep -q -- "--prefix=$PREFIX" config.status; then
		../../configure --prefix="$PREFIX"
	fi
	make -j"$(nproc 2>/dev/null || echo 2)"
	# Installs only when the installed copies differ: a running server
	# keeps its binary otherwise.
	if ! cmp -s hermes-fcgi "$BIN" || ! cmp -s hermesctl "$CTL"; then
		make install
	fi
)

say "user $USER_NAME and HERMES_HOME $HHOME"
if ! id -u "$USER_NAME" >/dev/null 2>&1; then
	useradd --system --user-group --home-dir "$BASE" --no-create-home \
		--shell /usr/sbin/nologin --comment "hermes-fcgi" "$USER_NAME"
	echo "created system user $USER_NAME"
fi
install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" "$BASE"
install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$HHOME"
install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" "$STATEDIR"

# hermesctl init prints a new key once, or says the existing one is kept.
# It also probes 127.0.0.1 for local model servers (Ollama, llama.cpp,
# LM Studio, vLLM, LocalAI) and writes those that answer into config.yaml
# when no upstream is configured (docs/models.md).
init_out=$(as_hermes "$CTL" init 2>&1) || die "hermesctl init failed:
$init_out"
[ -z "$init_out" ] || printf '%s\n' "$init_out"
new_key=$(printf '%s\n' "$init_out" | sed -n 's/^API_SERVER_KEY=//p' | head -n 1)

say "lighttpd config $CONF"
install -d -m 0755 "$(dirname "$CONF")"
STATEDIR="$STATEDIR" BIN="$BIN" HERMES_HOME="$HHOME" BIND="$BIND" PORT="$PORT" \
	MOUNT="$MOUNT" MAXPROCS="$MAXPROCS" RUN_USER="$USER_NAME" \
	sh "$ROOT/lighttpd/render.sh" >"$CONF.tmp"
mv -f "$CONF.tmp" "$CONF"
chmod 0644 "$CONF"
chown -R "$USER_NAME:$USER_NAME" "$STATEDIR"
as_hermes lighttpd -tt -f "$CONF" >/dev/null || die "lighttpd rejected $CONF (see above)"

say "hermesctl doctor"
doctor_rc=0
doctor_out=$(as_hermes "$CTL" doctor 2>&1) || doctor_rc=$?
printf '%s\n' "$doctor_out"
[ "$doctor_rc" -eq 0 ] || echo "(doctor reported problems; the server starts anyway)"

# Is an upstream LLM configured? doctor's "upstream" line says, through the
# same configuration loader the responders use; without one, look ourselves.
upstream=unknown
case "$doctor_out" in
*"warn upstream: no upstream"*) upstream=no ;;
*"ok upstream"* | *"FAIL upstream"* | *"warn upstream"*) upstream=yes ;;
esac
if [ "$upstream" = unknown ]; then
	upstream=no
	if [ -n "${OPENAI_BASE_URL:-}" ]; then
		upstream=yes
	elif grep -Eq '^[[:space:]]*(export[[:space:]]+)?OPENAI_BASE_URL=[[:space:]]*[^[:space:]#]' "$HHOME/.env" 2>/dev/null; then
		upstream=yes
	elif [ -f "$HHOME/config.yaml" ] &&
		awk '/^model:/{m=1; next} /^[^[:space:]#]/{m=0}
		     m && /^[[:space:]]+base_url:[[:space:]]*[^[:space:]#"'\'']/{f=1}
		     m && /^[[:space:]]+base_url:[[:space:]]*["'\''][^"'\'']/{f=1}
		     END{exit !f}' "$HHOME/config.yaml"; then
		upstream=yes
	fi
fi

URL="http://$BIND:$PORT${MOUNT%/}"
echo
discovered=$(printf '%s\n' "$init_out" | sed -n 's/^discovery: found /  /p')
if [ -n "$discovered" ]; then
	echo "Local model servers discovered on 127.0.0.1:"
	printf '%s\n' "$discovered"
	printf '%s\n' "$init_out" | grep '^discovery: \(wrote\|not written\)' || true
	echo
fi
if [ "$upstream" = no ]; then
	echo "No upstream LLM configured: set OPENAI_BASE_URL and OPENAI_API_KEY in $HHOME/.env (or model.base_url or a models: list in config.yaml; docs/models.md) and restart"
	echo
fi
echo "hermes-fcgi is starting on $URL (lighttpd in the foreground; Ctrl-C stops it)"
echo "Logs: $STATEDIR/hermes-fcgi.log (responders), $STATEDIR/error.log (lighttpd)"
echo "Try it:"
if [ -n "$new_key" ]; then
	echo "  curl -H \"Authorization: Bearer $new_key\" $URL/v1/models"
else
	echo "  KEY=\$(sed -n 's/^API_SERVER_KEY=//p' $HHOME/.env)   # as root"
	echo "  curl -H \"Authorization: Bearer \$KEY\" $URL/v1/models"
fi
echo

# Check once more: the port may have been taken during the build.
if port_taken; then
	die "something is already listening on $BIND:$PORT; stop it or set HERMES_PORT"
fi
cd "$BASE"
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME="$BASE" USER="$USER_NAME" LOGNAME="$USER_NAME" HERMES_HOME="$HHOME" \
	${OPENAI_BASE_URL:+OPENAI_BASE_URL="$OPENAI_BASE_URL"} \
	${OPENAI_API_KEY:+OPENAI_API_KEY="$OPENAI_API_KEY"} \
	setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups -- \
	lighttpd -D -f "$CONF"
