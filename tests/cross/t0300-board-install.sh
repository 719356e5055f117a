#!/bin/bash
# tests/cross/t0300-board-install.sh: the cross-built package on a board.
# The board is a minimal Debian root of the package's architecture
# (BOARD_ROOT, made by scripts/board.sh), every program in it run under
# qemu-user through scripts/board-ns.sh, on a copy that vanishes with the
# test. As a board owner would: `apt-get install ./hermes-fcgi_*.deb`
# (offline: apt knows no source, the root holds the dependencies), whose postinst makes the
# hermes user, /var/lib/hermes and the key; the upstream added to .env;
# the responder started as the systemd units say (spawn-fcgi: no systemd in
# the root); `lighty-enable-mod hermes` and the root's own lighttpd serving
# the module on 127.0.0.1 (moved to a free port); /v1/models, a chat turn
# and a queued run (the responder starts the packaged runner) answered
# from the scripted upstream on the machine; `apt-get remove` leaves
# nothing of the package running and keeps the data; `apt-get purge`
# deletes it and disables the module. Run by scripts/board.sh, which sets
# BOARD_ROOT, CROSS_ARCH and CROSS_DEB_DIR.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"

[ -d "${BOARD_ROOT:-}" ] && [ -n "${CROSS_ARCH:-}" ] && [ -n "${CROSS_DEB_DIR:-}" ] ||
	skip_or_fail "BOARD_ROOT, CROSS_ARCH, CROSS_DEB_DIR are not set: run this through scripts/board.sh"
[ "$(id -u)" = 0 ] || skip_or_fail "needs root: namespaces"
need nsenter unshare chroot curl "$PYTHON"
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top_srcdir/debian/changelog")
DEB=$CROSS_DEB_DIR/hermes-fcgi_${version}_$CROSS_ARCH.deb
[ -s "$DEB" ] || bail_out "no $DEB: scripts/cross.sh $CROSS_ARCH builds it"

NS="bash $top_srcdir/scripts/board-ns.sh"
HOLDER=$($NS start "$CROSS_ARCH" "$BOARD_ROOT" "$T/board") ||
	bail_out "cannot start the board's namespace"
board_cleanup() {
	local rc=$? p
	# Whatever still runs in the board (its lighttpd, responder, runner).
	for p in $(board_procs); do kill -9 "$p" 2>/dev/null; done
	$NS stop "$HOLDER"
	set_rc "$rc"
	t_cleanup
}
set_rc() { return "$1"; }
trap board_cleanup EXIT
# board CMD...: CMD as root in the board.
board() { $NS run "$HOLDER" "$@"; }
# board_procs: pids of the processes in the board's mount namespace, but
# for the holder itself.
MNTNS=$(readlink "/proc/$HOLDER/ns/mnt")
board_procs() {
	local d
	for d in /proc/[0-9]*; do
		[ "${d#/proc/}" != "$HOLDER" ] || continue
		[ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$MNTNS" ] && echo "${d#/proc/}"
	done
}
# board_pkg_procs: those of them that run as hermes or a program of the package.
board_pkg_procs() {
	local p uid
	uid=$(board id -u hermes 2>/dev/null || echo none)
	for p in $(board_procs); do
		# Under binfmt_misc the program is qemu's; its name is in the cmdline.
		case $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) in
		*/usr/bin/hermes-fcgi* | */usr/bin/hermes-runner* | */usr/bin/hermesctl*) echo "$p"; continue ;;
		esac
		awk -v u="$uid" '$1 == "Uid:" && $2 == u { f = 1 } END { exit !f }' "/proc/$p/status" 2>/dev/null &&
			echo "$p"
	done
}

is "$(board dpkg --print-architecture)" "$CROSS_ARCH" "the board root is a $CROSS_ARCH Debian, run under qemu-user"

# ---- install --------------------------------------------------------------------
board sh -c 'cat > /tmp/hermes-fcgi.deb' < "$DEB"
# Offline: apt on the board knows no source (nothing to download from), so
# every dependency must already be in the root.
board sh -c ': > /etc/apt/sources.list; rm -f /etc/apt/sources.list.d/*'
step_ok "apt-get install ./hermes-fcgi_${version}_$CROSS_ARCH.deb on the board" "$T/install.log" \
	board env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/hermes-fcgi.deb || done_testing
like "$(board getent passwd hermes)" '^hermes:x:[0-9]+:[0-9]+:[^:]*:/var/lib/hermes:/usr/sbin/nologin$' \
	"postinst: the hermes user, home /var/lib/hermes, no login shell"
is "$(board stat -c '%U:%G %a' /var/lib/hermes /var/lib/hermes/.hermes /var/lib/hermes/.hermes/.env 2>&1 | tr '\n' ' ')" \
	"hermes:hermes 750 hermes:hermes 700 hermes:hermes 600 " "postinst: /var/lib/hermes, HERMES_HOME and .env belong to hermes, closed to others"
KEY=$(board sed -n 's/^API_SERVER_KEY=//p' /var/lib/hermes/.hermes/.env)
like "$KEY" '^.{32,}$' "postinst: hermesctl init (run under qemu) wrote a key"
is "$(board hermesctl --version 2>&1)" "hermesctl $version" "/usr/bin/hermesctl runs on the board"

start_upstream up
board runuser -u hermes -- sh -c 'umask 077; cat >> /var/lib/hermes/.hermes/.env' <<EOF
OPENAI_BASE_URL=$UPSTREAM_URL
OPENAI_API_KEY=sk-board-test
HERMES_MODEL=test-model
EOF

# ---- the responder, as the systemd units start it ----------------------------
unit() { board sed -n "s/^$2=//p" "/lib/systemd/system/$1" | tail -n 1; }
SOCK=$(unit hermes-fcgi.socket ListenStream)
board install -d -m "$(unit hermes-fcgi.socket DirectoryMode)" "$(dirname "$SOCK")"
board spawn-fcgi -s "$SOCK" -M "$(unit hermes-fcgi.socket SocketMode)" \
	-U "$(unit hermes-fcgi.socket SocketUser)" -G "$(unit hermes-fcgi.socket SocketGroup)" \
	-u "$(unit hermes-fcgi.service User)" -g "$(unit hermes-fcgi.service Group)" -P /run/spawn.pid \
	-- /usr/bin/env -i PATH=/usr/bin:/bin "$(unit hermes-fcgi.service Environment)" HERMES_DISCOVER_PORTS=off \
	$(unit hermes-fcgi.service ExecStart) > "$T/spawn.out" 2>&1 ||
	fail "spawn-fcgi starts the packaged responder on the board" "$(cat "$T/spawn.out")"
is "$(board stat -c '%U:%G %a' "$SOCK" 2>&1)" "hermes:www-data 660" "the responder's socket: hermes, group www-data, 0660"

# ---- lighttpd on the board ------------------------------------------------------
board lighty-enable-mod hermes > "$T/enable.out" 2>&1 || fail "lighty-enable-mod hermes" "$(cat "$T/enable.out")"
is "$(board readlink /etc/lighttpd/conf-enabled/15-hermes.conf)" "../conf-available/15-hermes.conf" \
	"lighty-enable-mod hermes enables the module"
APORT=$(free_port)
WPORT=$(free_port)
pkg_lighttpd_conf /srv/l "$WPORT" | board sh -c "mkdir -p /srv/l/htdocs /srv/l/conf && chown www-data: /srv/l &&
	for f in 10-fastcgi.conf 15-hermes.conf; do
		sed 's/127\\.0\\.0\\.1:8642/127.0.0.1:$APORT/' /etc/lighttpd/conf-enabled/\$f > /srv/l/conf/\$f
	done
	cat > /srv/l/lighttpd.conf"
board lighttpd -tt -f /srv/l/lighttpd.conf > "$T/tt.out" 2>&1 ||
	fail "the board's lighttpd accepts the module" "$(cat "$T/tt.out")"
board lighttpd -D -f /srv/l/lighttpd.conf < /dev/null > "$T/lighttpd.out" 2>&1 &
# $! is the shell running board(); lighttpd's own pid is in its pid file.
wait_port "$APORT" "" 90 ||
	bail_out "the board's lighttpd did not listen: $(cat "$T/lighttpd.out"; board cat /srv/l/error.log)"
LPID=$(board cat /srv/l/lighttpd.pid 2>/dev/null | tr -dc 0-9)
ok "lighttpd on the board listens on the module's port (pid ${LPID:-?})" owns_socket "${LPID:-0}" "$(listen_inode "$APORT")"
like "$(readlink "/proc/${LPID:-0}/exe")" "qemu-.*-static" "lighttpd on the board runs under qemu-user"
BASE=http://127.0.0.1:$APORT

http GET "$BASE/v1/models" -H "Authorization: Bearer $KEY"
is "$RESP_STATUS $(jget 'j["data"][0]["id"]')" "200 hermes-agent" \
	"GET /v1/models through the board's lighttpd and the packaged responder"
http GET "$BASE/v1/models"
is "$RESP_STATUS" 401 "without the key: 401"
up_script '[{"reply":"Hello from the board package"}]'
http POST "$BASE/v1/chat/completions" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
	--data-binary '{"model":"hermes-agent","messages":[{"role":"user","content":"hi board"}]}'
is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 Hello from the board package" \
	"a chat turn answers with the upstream's reply"
up_script '[{"reply":"Run done on the board"}]'
http POST "$BASE/v1/runs" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
	--data-binary '{"input":"a run","model":"hermes-agent"}'
is "$RESP_STATUS" 202 "POST /v1/runs queues a run"
RUN_ID=$(jget 'j.get("run_id") or ""')
st=
for _ in $(seq 1 600); do
	http GET "$BASE/v1/runs/$RUN_ID" -H "Authorization: Bearer $KEY"
	st=$(jget 'j.get("status") or ""')
	case $st in completed | failed | cancelled) break ;; esac
	sleep 0.2
done
is "$st" completed "the run completes: the responder started the packaged runner"
RPID=$(board cat /var/lib/hermes/.hermes/runner.pid 2>/dev/null | head -n 1 | tr -dc 0-9)
is "$(awk '$1 == "Uid:" { print $2 }' "/proc/${RPID:-0}/status" 2>&1)" "$(board id -u hermes)" \
	"the runner runs as hermes"
like "$(tr '\0' ' ' < "/proc/${RPID:-0}/cmdline" 2>&1)" "/usr/bin/hermes-runner" \
	"the runner is the package's /usr/bin/hermes-runner"

# ---- remove and purge ----------------------------------------------------------------
# What systemd and the admin would do before: lighttpd and the units stop.
for p in $(board cat /srv/l/lighttpd.pid); do kill "$p" 2>/dev/null; done
for p in $(board cat /run/spawn.pid); do kill "$p" 2>/dev/null; done
step_ok "apt-get remove hermes-fcgi on the board" "$T/remove.log" \
	board env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q hermes-fcgi
left=$(until_empty board_pkg_procs)
is "$left" "" "after remove nothing of the package runs on the board (prerm stopped the runner)"
ok "remove deletes the programs" board test ! -e /usr/bin/hermes-fcgi
is "$(board sed -n 's/^API_SERVER_KEY=//p' /var/lib/hermes/.hermes/.env 2>&1)" "$KEY" "remove keeps /var/lib/hermes: the key"
step_ok "apt-get purge hermes-fcgi on the board" "$T/purge.log" \
	board env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q hermes-fcgi
ok "purge deletes /var/lib/hermes" board test ! -e /var/lib/hermes
is "$(board sh -c 'ls /etc/lighttpd/conf-enabled/ | grep -c hermes')" 0 "purge disables the lighttpd module"
ok "the board's lighttpd config is valid after purge" board lighttpd -tt -f /etc/lighttpd/lighttpd.conf
done_testing
