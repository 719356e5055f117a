#!/bin/bash
# tests/integration/t0900-install-docs.sh: docs/install.md, followed
# literally. The `sh` blocks of its lighttpd, Apache mod_fcgid and plain-CGI
# sections run in order on this machine, with the variables of each
# section's first block set to test values (a created user instead of
# hermes, paths under $T, free ports); then a chat turn goes through each
# deployment to the scripted upstream. So the page cannot drift from what
# works.
#
# How the page marks its blocks: an HTML comment right before a ```sh fence,
#   <!-- docs-test: SECTION vars -->   NAME=VALUE lines; each NAME must have
#                                      a test value below
#   <!-- docs-test: SECTION root -->   run as root, from the top of the
#                                      checkout
#   <!-- docs-test: SECTION user -->   run as the created user, from a
#                                      directory holding the uploaded files
#   <!-- docs-test: skip (why) -->     not run (packages, systemd, the
#                                      system's servers): the test does the
#                                      equivalent itself
# An untagged ```sh block is a failure. Only the created user and files
# under $T are written; the test's own lighttpd and Apache listen on free
# loopback ports.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$HERMESCTL" "$PYTHON" curl lighttpd useradd userdel runuser
[ "$(id -u)" = 0 ] || skip_or_fail "needs root: the page's root blocks create a user"
apache_bin > /dev/null || skip_or_fail "Apache httpd (apache2) is not installed"
MODS=$(apache_modules_dir) || skip_or_fail "Apache modules directory not found"
for m in fcgid cgid rewrite mime; do
	[ -e "$MODS/mod_$m.so" ] || skip_or_fail "Apache mod_$m is not installed"
done

DOC=$top_srcdir/docs/install.md
B=$T/blocks
mkdir -p "$B"
# The created user must reach its files under $T.
chmod 0711 "$T"

# ---- the created user, removed at the end ------------------------------------------
TUSER=
for i in 1 2 3 4 5; do
	u=hdt$(( (RANDOM % 90000) + 10000 ))
	getent passwd "$u" >/dev/null 2>&1 || getent group "$u" >/dev/null 2>&1 || { TUSER=$u; break; }
done
[ -n "$TUSER" ] || bail_out "no free test user name"

# procs_of_user: pids of processes running as $TUSER (all started here).
procs_of_user() {
	local uid st pid
	uid=$(id -u "$TUSER" 2>/dev/null) || return 0
	for st in /proc/[0-9]*/status; do
		pid=${st#/proc/}
		pid=${pid%/status}
		awk -v u="$uid" '$1 == "Uid:" && $2 == u { f = 1 } END { exit !f }' "$st" 2>/dev/null &&
			echo "$pid"
	done
}

docs_cleanup() {
	local rc=$? pids f
	pids=$T_PIDS
	for f in $T_PIDFILES; do
		pids="$pids $(pids_in_file "$f" | tr '\n' ' ')"
	done
	# shellcheck disable=SC2086
	[ -z "${pids// /}" ] || stop_pid $pids
	if getent passwd "$TUSER" >/dev/null 2>&1; then
		pids=$(procs_of_user | tr '\n' ' ')
		# shellcheck disable=SC2086
		[ -z "${pids// /}" ] || stop_pid $pids
		userdel "$TUSER" 2>/dev/null || diag "userdel $TUSER failed"
	fi
	! getent group "$TUSER" >/dev/null 2>&1 || groupdel "$TUSER" 2>/dev/null || true
	set_rc "$rc"
	t_cleanup
}
set_rc() { return "$1"; }
trap docs_cleanup EXIT

# ---- the blocks of the page ---------------------------------------------------------
# One file per ```sh block: $B/NNN.tag (the docs-test tag), $B/NNN.sh.
awk -v dir="$B" '
	/^<!-- docs-test: .* -->$/ {
		tag = $0; sub(/^<!-- docs-test: /, "", tag); sub(/ -->$/, "", tag)
		pending = 1; next
	}
	/^```sh$/ {
		n++; file = sprintf("%s/%03d", dir, n)
		printf "%s\n", (pending ? tag : "UNTAGGED line " NR) > (file ".tag")
		close(file ".tag")
		printf "" > (file ".sh")
		pending = 0; inblock = 1; next
	}
	inblock && /^```$/ { inblock = 0; close(file ".sh"); next }
	inblock { print > (file ".sh"); next }
	NF { pending = 0 }
' "$DOC"
nblocks=$(find "$B" -name '*.tag' | wc -l)
ok "docs/install.md has sh blocks ($nblocks)" test "$nblocks" -gt 5
untagged=$(grep -l UNTAGGED "$B"/*.tag 2>/dev/null | while read -r f; do cat "$f"; done | tr '\n' ' ')
is "$untagged" "" "every sh block of docs/install.md carries a docs-test tag"
for s in home lighttpd fcgid cgi; do
	got=$(grep -lx "$s root\|$s user" "$B"/*.tag 2>/dev/null | wc -l)
	ok "docs/install.md has runnable blocks for '$s' ($got)" test "$got" -gt 0
done

# The test values of the page's variables.
LPORT=$(free_port)
start_upstream up
declare -A VAL=(
	[HERMES_USER]=$TUSER
	[HERMES_BASE]=$T/hermes
	[HERMES_HOME]=$T/hermes/.hermes
	[PREFIX]=$T/prefix
	[OPENAI_BASE_URL]=$UPSTREAM_URL
	[OPENAI_API_KEY]=sk-docs-test
	[HERMES_MODEL]=test-model
	[LIGHTTPD_DIR]=$T/hermes/lighttpd
	[LIGHTTPD_CONF]=$T/etc/lighttpd.conf
	[BIND]=127.0.0.1
	[PORT]=$LPORT
	[MOUNT]=/
	[SUEXEC_DIR]=$T/www/hermes-fcgi
	[APACHE_SNIPPET]=$T/etc/hermes-fcgid.conf
	[WEBDIR]=$T/cgi/htdocs/hermes
)
missing=
for f in $(grep -lx '.* vars' "$B"/*.tag); do
	for name in $(sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' "${f%.tag}.sh"); do
		[ -n "${VAL[$name]+x}" ] || missing="$missing $name"
	done
done
is "$missing" "" "every variable the page sets has a test value (else it would be a system path)"

# prelude: the variables as shell assignments.
PRELUDE=$T/prelude.sh
{
	echo 'set -euo pipefail'
	for name in "${!VAL[@]}"; do
		printf '%s=%q\n' "$name" "${VAL[$name]}"
	done
} > "$PRELUDE"

# run_section SECTION: the section's root and user blocks, in page order.
run_section() {
	local s=$1 f tag n sh rc
	for f in "$B"/*.tag; do
		tag=$(cat "$f")
		n=$(basename "$f" .tag)
		sh=$B/$n.run.sh
		case $tag in
		"$s root")
			{ cat "$PRELUDE"; echo "cd $(printf '%q' "$top_srcdir")"; cat "$B/$n.sh"; } > "$sh"
			bash "$sh" > "$B/$n.out" 2>&1
			rc=$?
			;;
		"$s user")
			{ cat "$PRELUDE"; echo "cd $(printf '%q' "$UPLOAD")"; cat "$B/$n.sh"; } > "$sh"
			chmod 0644 "$sh"
			(cd "$UPLOAD" && runuser -u "$TUSER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin \
				HOME="${VAL[HERMES_BASE]}" bash "$sh") > "$B/$n.out" 2>&1
			rc=$?
			;;
		*) continue ;;
		esac
		if [ "$rc" -eq 0 ]; then
			pass "install.md, $tag block $n ($(head -n 1 "$B/$n.sh")) runs"
		else
			fail "install.md, $tag block $n ($(head -n 1 "$B/$n.sh")) runs" \
				"exit $rc; block:" "$(cat "$B/$n.sh")" "output:" "$(tail -n 20 "$B/$n.out")"
		fi
	done
}

# chat_turn BASE KEY LABEL: one chat turn, answered by the scripted upstream.
chat_turn() {
	script_upstream '[{"reply":"Hello from the install page"}]' || diag "could not script the upstream"
	http POST "$1/v1/chat/completions" -H "Authorization: Bearer $2" \
		-H 'Content-Type: application/json' \
		--data-binary '{"model":"hermes-agent","messages":[{"role":"user","content":"hi"}]}'
	is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" \
		"200 Hello from the install page" "$3: a chat turn answers with the upstream's reply"
}

# responder_users: the users the hermes-fcgi responders run as (sorted, unique).
responder_users() {
	local exe=${VAL[PREFIX]}/bin/hermes-fcgi st pid
	for st in /proc/[0-9]*/exe; do
		[ "$(readlink "$st" 2>/dev/null)" = "$exe" ] || continue
		pid=${st#/proc/}
		stat -c %U "/proc/${pid%/exe}" 2>/dev/null
	done | sort -u | tr '\n' ' '
}

# The skipped build block's equivalent: `make install` into PREFIX.
install -d -m 0755 "${VAL[PREFIX]}/bin" "$T/etc"
install -m 0755 "$HERMES_FCGI" "$HERMESCTL" "${VAL[PREFIX]}/bin/"
UPLOAD=$T/upload
install -d -m 0755 "$UPLOAD"

# ---- 2. the hermes user and HERMES_HOME ------------------------------------------------
run_section home
HH=${VAL[HERMES_HOME]}
is "$(stat -c '%U %a' "$HH" 2>/dev/null)" "$TUSER 700" "HERMES_HOME belongs to the created user, mode 0700"
is "$(stat -c '%U %a' "$HH/.env" 2>/dev/null)" "$TUSER 600" ".env belongs to the created user, mode 0600"
is "$(find "$HH" -uid 0 2>/dev/null | head -n 3)" "" "the page's root blocks leave no root-owned file in HERMES_HOME"
KEY=$(sed -n 's/^API_SERVER_KEY=//p' "$HH/.env" | head -n 1)
like "$KEY" '^[0-9a-f]{64}$' "hermesctl init wrote a key"
like "$(grep -c '^OPENAI_BASE_URL=' "$HH/.env")" '^1$' "the upstream block added OPENAI_BASE_URL to .env"

# ---- lighttpd --------------------------------------------------------------------------
LD=${VAL[LIGHTTPD_DIR]}
track_pidfile "$LD/lighttpd.pid"
track_log "$LD/error.log"
track_log "$LD/hermes-fcgi.log"
# lighttpd_checks LABEL: through the lighttpd of the page's config, a chat
# turn; lighttpd and its responders run as the created user, not root.
lighttpd_checks() {
	chat_turn "http://127.0.0.1:$LPORT" "$KEY" "$1"
	is "$(responder_users)" "$TUSER " "$1: the responders run as the created user, not root"
	is "$(stat -c %U "/proc/$(pids_in_file "$LD/lighttpd.pid" | head -n 1)" 2>/dev/null)" "$TUSER" \
		"$1: lighttpd itself runs as the created user"
}
run_section lighttpd
if wait_port "$LPORT" "" 20; then
	pass "lighttpd listens on the page's PORT"
	lighttpd_checks "lighttpd (page)"
else
	fail "lighttpd listens on the page's PORT" "$(tail -n 20 "$LD/error.log" 2>/dev/null)"
fi
stop_pid $(pids_in_file "$LD/lighttpd.pid")
# The same config started as root (issue 17, point 1): server.username makes
# lighttpd and its responders the created user, never root.
rm -f "$LD/lighttpd.pid"
if lighttpd -f "${VAL[LIGHTTPD_CONF]}" > "$T/lighttpd-root.out" 2>&1 && wait_port "$LPORT" "" 20; then
	pass "the rendered lighttpd config starts as root"
	lighttpd_checks "lighttpd started as root (server.username)"
else
	fail "the rendered lighttpd config starts as root" "$(cat "$T/lighttpd-root.out")"
fi
stop_pid $(pids_in_file "$LD/lighttpd.pid")

# ---- Apache with mod_fcgid ---------------------------------------------------------------
run_section fcgid
SNIP=${VAL[APACHE_SNIPPET]}
like "$(grep -c '^SuexecUserGroup '"$TUSER"' ' "$SNIP" 2>/dev/null)" '^1$' \
	"the page's snippet runs the responders as the created user (SuexecUserGroup)"
# This machine has no suexec program (apache2-suexec-pristine), and suexec
# would refuse programs outside /var/www anyway: the test's Apache runs as
# the created user itself, which is what suexec gives, and the snippet's
# suexec block (the same lines render.sh SUEXEC=off leaves out) is removed.
AD=$T/apache-fcgid
mkdir -p "$AD/htdocs"
chmod 0755 "$AD" "$AD/htdocs"
sed '/^# suexec:begin/,/^# suexec:end/d' "$SNIP" > "$AD/hermes-fcgid.conf"
APORT=$(free_port)
printf '<VirtualHost 127.0.0.1:%s>\n\tInclude "%s"\n</VirtualHost>\n' "$APORT" "$AD/hermes-fcgid.conf" > "$AD/site.conf"
if start_site_httpd "$AD" "$AD/site.conf" "$TUSER" "$APORT" HERMES_FCGID; then
	pass "Apache with the page's mod_fcgid snippet in a virtual host starts"
	chat_turn "http://127.0.0.1:$APORT" "$KEY" "Apache mod_fcgid (page)"
	is "$(responder_users)" "$TUSER " "Apache mod_fcgid (page): the responders run as the created user"
else
	fail "Apache with the page's mod_fcgid snippet in a virtual host starts" "$(cat "$AD/httpd.out" "$AD/error.log" 2>/dev/null)"
fi
stop_pid "$SITE_HTTPD_PID"

# ---- plain CGI on shared hosting -----------------------------------------------------------
# What the reader uploads: the programs and the two shipped files.
cp "$HERMES_FCGI" "$UPLOAD/hermes-fcgi"
cp "$HERMESCTL" "$UPLOAD/hermesctl"
cp "$top_srcdir/fcgi/shared-hosting/.htaccess" "$top_srcdir/fcgi/shared-hosting/hermes.fcgi" "$UPLOAD/"
chown -R "$TUSER:" "$UPLOAD"
CD=$T/cgi
mkdir -p "$CD/htdocs"
chmod 0755 "$CD"
# The host gives the account its web directory.
chown "$TUSER:" "$CD/htdocs"
run_section cgi
CPORT=$(free_port)
echo "# shared hosting: everything is in the .htaccess" > "$CD/site.conf"
if start_site_httpd "$CD" "$CD/site.conf" "$TUSER" "$CPORT" HERMES_SHARED HERMES_CGI; then
	pass "Apache with the page's shared-hosting files starts (AllowOverride FileInfo Options)"
	base=http://127.0.0.1:$CPORT/hermes
	http GET "$base/v1/models" -H "Authorization: Bearer $KEY"
	is "$RESP_STATUS $(jget 'j["data"][0]["id"]')" "200 hermes-agent" \
		"plain CGI (page): Authorization reaches the app without CGIPassAuth"
	http GET "$base/health/detailed" -H "Authorization: Bearer $KEY"
	is "$RESP_STATUS $(jget 'j["responder"]["mode"]')" "200 cgi" "plain CGI (page): the .htaccess runs it as plain CGI"
	chat_turn "$base" "$KEY" "plain CGI (page)"
else
	fail "Apache with the page's shared-hosting files starts (AllowOverride FileInfo Options)" \
		"$(cat "$CD/httpd.out" "$CD/error.log" 2>/dev/null)"
fi
stop_pid "$SITE_HTTPD_PID"

# hermes.fcgi names the HERMES_HOME problem instead of a generic 500.
W=${VAL[WEBDIR]}/hermes.fcgi
wrap() { # USER [VAR=VALUE...]: run the installed wrapper as a CGI script
	local u=$1
	shift
	runuser -u "$u" -- env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 \
		REQUEST_METHOD=GET "$@" sh "$W" 2>/dev/null
}
webuser=$(apache_user)
out=$(wrap "$webuser")
like "$out" '^Status: 500' "hermes.fcgi as the shared web user ($webuser): a 500 ..."
like "$out" "shared account '$webuser'.*HERMES_HOME" "... whose JSON message names the shared account and HERMES_HOME"
out=$(wrap "$TUSER" HERMES_HOME=/nonexistent/.hermes)
like "$out" 'HERMES_HOME /nonexistent/.hermes does not exist' "hermes.fcgi: a missing HERMES_HOME is named"
out=$(wrap "$TUSER" HERMES_HOME=/)
like "$out" 'HERMES_HOME / is not writable' "hermes.fcgi: a HERMES_HOME the account cannot write is named"

done_testing
