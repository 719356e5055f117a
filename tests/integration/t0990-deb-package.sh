#!/bin/bash
# tests/integration/t0990-deb-package.sh: the Debian package (debian/,
# docs/packaging.md) built, checked, installed, served through lighttpd,
# removed and purged.
#
# scripts/deb.sh builds it from this checkout into $T (nocheck: both trees
# of scripts/check.sh run the unit tests already); lintian must report
# nothing but the overrides debian/ justifies. The install runs in a mount
# namespace of this test with /etc, /usr, /var and /run overlaid on a
# tmpfs: whatever apt, the package and its scripts write there vanishes
# with the test, and a hermes installation the machine already has
# (scripts/serve.sh uses /var/lib/hermes too) is neither read nor deleted.
# Inside: `apt-get install ./hermes-fcgi_*.deb` must create the hermes
# user, /var/lib/hermes and a key (kept by a reinstall); `lighty-enable-mod
# hermes`; the responder is started as its systemd units say (no systemd
# here: spawn-fcgi with the units' socket, users and environment); a
# lighttpd of the test's own includes the enabled modules, with the
# module's 127.0.0.1:8642 moved to a free port; /v1/models, a chat turn and
# a queued run (which starts the runner) answer through it from the
# scripted upstream; /v1/models and a chat turn also through an Apache of
# the test's own that includes what `a2enconf hermes` enabled (/hermes).
# `apt-get remove` must leave no process of the package
# and keep /var/lib/hermes; `apt-get purge` deletes it and disables the
# lighttpd module and the Apache configuration (configtests pass after).
# SPDX-License-Identifier: MIT

# Re-run in a mount namespace of its own (root only; see above).
if [ -z "${HERMES_DEB_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1; then
	HERMES_DEB_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "$top_srcdir/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip_or_fail "needs root: installs a package"
[ -n "${HERMES_DEB_NS:-}" ] || skip_or_fail "unshare (util-linux) is not installed"
need dpkg-buildpackage dh fakeroot lintian apt-get lighttpd lighty-enable-mod spawn-fcgi curl "$PYTHON" \
	a2enconf a2enmod apache2ctl

# ---- build and lintian ----------------------------------------------------------
B=$T/deb
started=$(date +%s)
if DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=2" bash "$top_srcdir/scripts/deb.sh" "$B" > "$T/build.log" 2>&1; then
	pass "scripts/deb.sh builds the package ($(($(date +%s) - started)) s)"
else
	fail "scripts/deb.sh builds the package" "$(tail -n 40 "$T/build.log")"
	done_testing
fi
DEB=$(ls "$B"/hermes-fcgi_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -n 1)
ok "the .deb is there" test -s "$DEB"
is "$(deb_missing "$DEB")" "" "the package holds the programs, man pages, lighttpd and Apache configurations, units"
is "$(deb_deps_missing "$DEB" /var/lib/dpkg)" "" "Depends names the package of every library the programs need"
lint=$(lintian --fail-on error,warning,info "${DEB%.deb}.changes" 2>&1)
ok "lintian: no error, warning or info left (overrides are justified in debian/)" test $? -eq 0 ||
	diag "$lint"

# ---- an overlaid system for the rest -------------------------------------------
O=$T/overlay
mkdir -p "$O"
mount -t tmpfs -o mode=0700 tmpfs "$O" || bail_out "cannot mount a tmpfs on $O"
for d in etc usr var run; do
	mkdir -p "$O/$d.up" "$O/$d.work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$O/$d.up,workdir=$O/$d.work" "/$d" ||
		bail_out "cannot overlay /$d"
done
deb_cleanup() {
	local rc=$?
	umount -l /run /var /usr /etc "$O" 2>/dev/null
	set_rc "$rc"
	t_cleanup
}
set_rc() { return "$1"; }
trap deb_cleanup EXIT

# A clean slate inside the overlay: no package, user or data of an earlier
# installation of the machine.
if dpkg-query -W -f='${db:Status-Abbrev}' hermes-fcgi 2>/dev/null | grep -q '^[ir]'; then
	dpkg --purge hermes-fcgi > /dev/null 2>&1
fi
rm -rf /var/lib/hermes /run/hermes-fcgi /etc/lighttpd/conf-enabled/15-hermes.conf
! getent passwd hermes > /dev/null || userdel hermes
! getent group hermes > /dev/null || groupdel hermes

APT=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=120)
# pkg_procs: pids of processes of this mount namespace that run a program
# of the package or run as hermes.
MYNS=$(readlink /proc/self/ns/mnt)
pkg_procs() {
	local d pid uid
	uid=$(id -u hermes 2>/dev/null || echo none)
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$MYNS" ] || continue
		case $(readlink "$d/exe" 2>/dev/null) in
		/usr/bin/hermes-fcgi* | /usr/bin/hermesctl* | /usr/bin/hermes-runner*) echo "$pid"; continue ;;
		esac
		awk -v u="$uid" '$1 == "Uid:" && $2 == u { f = 1 } END { exit !f }' "$d/status" 2>/dev/null &&
			echo "$pid"
	done
}

# ---- install --------------------------------------------------------------------
step_ok "apt-get install ./hermes-fcgi_*.deb" "$T/install.log" "${APT[@]}" install "$DEB" || done_testing
like "$(getent passwd hermes)" '^hermes:x:[0-9]+:[0-9]+:[^:]*:/var/lib/hermes:/usr/sbin/nologin$' \
	"postinst: the hermes user, home /var/lib/hermes, no login shell"
uid=$(id -u hermes)
ok "postinst: hermes is a system user (uid $uid)" test "$uid" -lt 1000
is "$(stat -c '%U:%G %a' /var/lib/hermes /var/lib/hermes/.hermes /var/lib/hermes/.hermes/.env 2>&1 | tr '\n' ' ')" \
	"hermes:hermes 750 hermes:hermes 700 hermes:hermes 600 " "postinst: /var/lib/hermes, HERMES_HOME and .env belong to hermes, closed to others"
KEY=$(sed -n 's/^API_SERVER_KEY=//p' /var/lib/hermes/.hermes/.env)
like "$KEY" '^[0-9a-f]{64}$' "postinst: hermesctl init wrote a key"
unlike "$(cat "$T/install.log")" "$KEY" "the key is not printed to apt's output"
"${APT[@]}" install --reinstall "$DEB" > "$T/reinstall.log" 2>&1 ||
	fail "apt-get install --reinstall" "$(tail -n 30 "$T/reinstall.log")"
is "$(sed -n 's/^API_SERVER_KEY=//p' /var/lib/hermes/.hermes/.env)" "$KEY" "a reinstall (upgrade path) keeps the key"
is "$(runuser -u hermes -- env HERMES_HOME=/var/lib/hermes/.hermes hermesctl version 2>&1)" \
	"$(sed -n '1s/^[^ ]* (\([^)]*\)).*/hermesctl \1/p' "$top_srcdir/debian/changelog")" "/usr/bin/hermesctl runs"

# The upstream, as the board owner would add it to .env.
start_upstream up
runuser -u hermes -- sh -c 'umask 077; cat >> /var/lib/hermes/.hermes/.env' <<EOF2
OPENAI_BASE_URL=$UPSTREAM_URL
OPENAI_API_KEY=sk-deb-test
HERMES_MODEL=test-model
EOF2

# ---- the responder, as the systemd units start it ----------------------------
unit() { sed -n "s/^$2=//p" "/lib/systemd/system/$1" | tail -n 1; }
SOCK=$(unit hermes-fcgi.socket ListenStream)
SVC_ENV=$(unit hermes-fcgi.service Environment)
EXEC=$(unit hermes-fcgi.service ExecStart)
is "$SOCK $(unit hermes-fcgi.service User) $EXEC" "/run/hermes-fcgi/hermes-fcgi.sock hermes /usr/bin/hermes-fcgi --children 4" \
	"the units: the socket, the responder as hermes, /usr/bin/hermes-fcgi --children 4"
install -d -m "$(unit hermes-fcgi.socket DirectoryMode)" "$(dirname "$SOCK")"
SPID=$T/spawn.pid
track_pidfile "$SPID"
spawn-fcgi -s "$SOCK" -M "$(unit hermes-fcgi.socket SocketMode)" \
	-U "$(unit hermes-fcgi.socket SocketUser)" -G "$(unit hermes-fcgi.socket SocketGroup)" \
	-u "$(unit hermes-fcgi.service User)" -g "$(unit hermes-fcgi.service Group)" -P "$SPID" \
	-- /usr/bin/env -i PATH=/usr/bin:/bin "$SVC_ENV" HERMES_DISCOVER_PORTS=off $EXEC \
	> "$T/spawn.out" 2>&1 || fail "spawn-fcgi starts the responder" "$(cat "$T/spawn.out")"
is "$(stat -c '%U:%G %a' "$SOCK" 2>&1)" "hermes:www-data 660" "the responder's socket: hermes, group www-data, 0660"
is "$(stat -c %U "/proc/$(pids_in_file "$SPID" | head -n 1)" 2>&1)" hermes "the responder runs as hermes"
# --children 4: the parent spawn-fcgi started has four responder children.
sp=$(pids_in_file "$SPID" | head -n 1)
for i in $(seq 1 100); do
	kids=$(children_of "$sp" | wc -l)
	[ "$kids" = 4 ] && break
	sleep 0.1
done
is "$kids" 4 "the responder serves with four child processes (--children 4)"

# ---- lighttpd with the enabled module ---------------------------------------------
lighty-enable-mod hermes > "$T/enable.out" 2>&1 || fail "lighty-enable-mod hermes" "$(cat "$T/enable.out")"
is "$(readlink /etc/lighttpd/conf-enabled/15-hermes.conf) $(readlink /etc/lighttpd/conf-enabled/10-fastcgi.conf)" \
	"../conf-available/15-hermes.conf ../conf-available/10-fastcgi.conf" \
	"lighty-enable-mod hermes enables the module and the fastcgi module it depends on"
L=$T/lighttpd
mkdir -p "$L/htdocs" "$L/conf"
chmod 0755 "$T" "$L" "$L/htdocs"
# lighttpd opens its log as www-data.
chown www-data: "$L"
APORT=$(free_port)
WPORT=$(free_port)
for f in 10-fastcgi.conf 15-hermes.conf; do
	sed "s/127\.0\.0\.1:8642/127.0.0.1:$APORT/" "/etc/lighttpd/conf-enabled/$f" > "$L/conf/$f"
done
like "$(cat "$L/conf/15-hermes.conf")" "127.0.0.1:$APORT" "the module serves 127.0.0.1:8642 (moved to a free port here)"
pkg_lighttpd_conf "$L" "$WPORT" > "$L/lighttpd.conf"
track_log "$L/error.log"
lighttpd -tt -f "$L/lighttpd.conf" > "$L/tt.out" 2>&1 || fail "lighttpd -tt accepts the module" "$(cat "$L/tt.out")"
lighttpd -D -f "$L/lighttpd.conf" < /dev/null > "$L/out" 2>&1 &
LPID=$!
track_pid "$LPID"
wait_port "$APORT" "$LPID" 30 || bail_out "lighttpd did not listen on the module's port: $(cat "$L/out" "$L/error.log" 2>/dev/null)"
BASE=http://127.0.0.1:$APORT

http GET "$BASE/v1/models" -H "Authorization: Bearer $KEY"
is "$RESP_STATUS $(jget 'j["data"][0]["id"]')" "200 hermes-agent" "GET /v1/models through lighttpd and the packaged responder"
http GET "$BASE/v1/models"
is "$RESP_STATUS" 401 "without the key: 401"
script_upstream '[{"reply":"Hello from the package"}]' || diag "could not script the upstream"
http POST "$BASE/v1/chat/completions" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
	--data-binary '{"model":"hermes-agent","messages":[{"role":"user","content":"hi"}]}'
is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 Hello from the package" \
	"a chat turn answers with the upstream's reply"
script_upstream '[{"reply":"Run done"}]' || diag "could not script the upstream"
http POST "$BASE/v1/runs" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
	--data-binary '{"input":"a run","model":"hermes-agent"}'
RUN_ID=$(jget 'j.get("run_id") or ""' 2>/dev/null)
is "$RESP_STATUS" 202 "POST /v1/runs queues a run"
st=
for i in $(seq 1 300); do
	http GET "$BASE/v1/runs/$RUN_ID" -H "Authorization: Bearer $KEY"
	st=$(jget 'j.get("status") or ""' 2>/dev/null)
	case $st in completed | failed | cancelled) break ;; esac
	sleep 0.1
done
is "$st" completed "the run completes (the responder started the runner)"
RPID=$(pids_in_file /var/lib/hermes/.hermes/runner.pid | head -n 1)
is "$(stat -c %U "/proc/$RPID" 2>&1) $(readlink "/proc/$RPID/exe" 2>&1)" "hermes /usr/bin/hermes-runner" \
	"the runner runs as hermes, from the package"

# ---- Apache with the enabled configuration -----------------------------------------
# a2enconf hermes; Apache of the test's own (apache/test-httpd.conf.in on a
# free port, as www-data, mod_proxy_fcgi) includes what a2enconf enabled.
a2enmod -q proxy_fcgi setenvif > /dev/null 2>&1
a2enconf -q hermes > "$T/a2enconf.out" 2>&1 || fail "a2enconf hermes" "$(cat "$T/a2enconf.out")"
ok "apache2ctl configtest with the hermes configuration enabled" sh -c "apache2ctl configtest > /dev/null 2>&1"
AD=$T/apache
mkdir -p "$AD/htdocs"
chmod 0755 "$AD" "$AD/htdocs"
echo 'Include /etc/apache2/conf-enabled/hermes.conf' > "$AD/site.conf"
HPORT=$(free_port)
if start_site_httpd "$AD" "$AD/site.conf" www-data "$HPORT" HERMES_PROXY_FCGI; then
	http GET "http://127.0.0.1:$HPORT/hermes/v1/models" -H "Authorization: Bearer $KEY"
	is "$RESP_STATUS $(jget 'j["data"][0]["id"]')" "200 hermes-agent" \
		"GET /hermes/v1/models through Apache (a2enconf hermes) and the packaged responder"
	script_upstream '[{"reply":"Hello through Apache"}]' || diag "could not script the upstream"
	http POST "http://127.0.0.1:$HPORT/hermes/v1/chat/completions" -H "Authorization: Bearer $KEY" \
		-H 'Content-Type: application/json' \
		--data-binary '{"model":"hermes-agent","messages":[{"role":"user","content":"hi"}]}'
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 Hello through Apache" \
		"a chat turn through Apache"
else
	fail "Apache with the hermes configuration starts" "$(cat "$AD/httpd.out" "$AD/error.log" 2>/dev/null)"
fi
stop_pid "$SITE_HTTPD_PID"

# ---- remove ----------------------------------------------------------------------
# What systemd and the admin would do before: lighttpd and the units stop.
stop_pid "$LPID"
stop_pid $(pids_in_file "$SPID")
step_ok "apt-get remove hermes-fcgi" "$T/remove.log" "${APT[@]}" remove hermes-fcgi
left=$(until_empty pkg_procs)
is "$left" "" "after remove nothing of the package runs (prerm stopped the runner a responder started)"
[ -z "$left" ] || stop_pid $left
ok "remove deletes the programs" test ! -e /usr/bin/hermes-fcgi
is "$(sed -n 's/^API_SERVER_KEY=//p' /var/lib/hermes/.hermes/.env 2>&1)" "$KEY" "remove keeps /var/lib/hermes: the key"
ok "remove keeps /var/lib/hermes: state.db" test -s /var/lib/hermes/.hermes/state.db

# ---- purge ---------------------------------------------------------------------------
step_ok "apt-get purge hermes-fcgi" "$T/purge.log" "${APT[@]}" purge hermes-fcgi
ok "purge deletes /var/lib/hermes" test ! -e /var/lib/hermes
is "$(dpkg-query -W -f='${db:Status-Abbrev}' hermes-fcgi 2>/dev/null)" "" "purge leaves no trace in dpkg's database"
is "$(ls /etc/lighttpd/conf-enabled/ /etc/apache2/conf-enabled/ | grep -c hermes)" 0 \
	"purge disables the lighttpd module and the Apache configuration"
ok "the system lighttpd config is valid after purge" lighttpd -tt -f /etc/lighttpd/lighttpd.conf
ok "apache2ctl configtest after purge" sh -c "apache2ctl configtest > /dev/null 2>&1"
done_testing
