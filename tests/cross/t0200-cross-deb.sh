#!/bin/bash
# tests/cross/t0200-cross-deb.sh: the Debian package cross-built for the
# board by `dpkg-buildpackage -a ARCH` (scripts/cross.sh step 5, against
# the target sysroot): its architecture, its files, its Depends (the
# package of every library its programs need, read from the sysroot's dpkg
# database), lintian; then its programs, unpacked from the .deb, run under
# qemu-user: the packaged hermesctl creates a HERMES_HOME and its key as the
# package's postinst does, and the packaged hermes-fcgi answers /v1/models
# and a chat turn as CGI against the scripted upstream. Run by `make
# check-cross` from scripts/cross.sh, which sets CROSS_DEB_DIR (where the
# package was built; deb.log there), CROSS_ARCH, CROSS_SYSROOT, CROSS_EXEC
# and CROSS_ELF_MACHINE.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"

[ -n "${CROSS_EXEC:-}" ] && [ -x "$CROSS_EXEC" ] && [ -n "${CROSS_DEB_DIR:-}" ] &&
	[ -n "${CROSS_ARCH:-}" ] && [ -d "${CROSS_SYSROOT:-}" ] ||
	skip_or_fail "CROSS_DEB_DIR, CROSS_ARCH, CROSS_SYSROOT are not set: run this through scripts/cross.sh"
need dpkg-deb dpkg-query lintian readelf "$PYTHON" curl

version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top_srcdir/debian/changelog")
DEB=$CROSS_DEB_DIR/hermes-fcgi_${version}_$CROSS_ARCH.deb
if [ -s "$DEB" ]; then
	pass "dpkg-buildpackage -a $CROSS_ARCH built hermes-fcgi_${version}_$CROSS_ARCH.deb"
else
	fail "dpkg-buildpackage -a $CROSS_ARCH built hermes-fcgi_${version}_$CROSS_ARCH.deb" \
		"$(tail -n 40 "$CROSS_DEB_DIR/deb.log" 2>&1)"
	done_testing
fi

# ---- the package ----------------------------------------------------------------
is "$(dpkg-deb -f "$DEB" Package Version Architecture | tr '\n' ' ')" \
	"Package: hermes-fcgi Version: $version Architecture: $CROSS_ARCH " \
	"the control file names the package, the changelog's version and $CROSS_ARCH"
is "$(deb_missing "$DEB")" "" "the package holds the programs, man pages, lighttpd and Apache configurations, units"

R=$T/root
dpkg-deb -x "$DEB" "$R" || bail_out "dpkg-deb -x $DEB failed"
for p in hermes-fcgi hermesctl hermes-runner; do
	machine=$(readelf -h "$R/usr/bin/$p" | sed -n 's/^ *Machine: *//p')
	is "$machine" "$CROSS_ELF_MACHINE" "/usr/bin/$p is a $CROSS_ELF_MACHINE program"
	ok "/usr/bin/$p is stripped (its debug symbols are not shipped)" \
		sh -c "! readelf -S '$R/usr/bin/$p' | grep -q '\.symtab'"
done

# Without the sysroot's database dpkg-shlibdeps finds none of the target's
# libraries, and the package would depend on nothing but adduser.
depends=$(dpkg-deb -f "$DEB" Depends)
is "$(deb_deps_missing "$DEB" "$CROSS_SYSROOT/var/lib/dpkg")" "" \
	"Depends names the package of every library the programs need ($depends)"
like "$depends" 'libc6 \(>= [0-9.]+\)' "Depends: libc6 with the version the symbols file requires"
like "$depends" 'libcurl4 \(>= 7\.85\)' "Depends: libcurl4 (>= 7.85), as debian/control says"
unlike "$depends" ":$CROSS_ARCH|:amd64" "Depends names packages, not architecture-qualified ones"

# What apt on a fresh Debian board of that architecture would do with it:
# the sysroot's private apt (the ARCH package lists, an empty dpkg status)
# simulates `apt-get install ./hermes-fcgi_*.deb`. Every Depends entry must
# be satisfiable from the archive, versions included.
if [ -f "${CROSS_APT_CONFIG:-}" ]; then
	APT_CONFIG=$CROSS_APT_CONFIG apt-get -s -q install "$DEB" > "$T/apt-sim.out" 2>&1
	rc=$?
	is "$rc" 0 "apt-get -s install ./hermes-fcgi_*.deb resolves on an empty $CROSS_ARCH Debian" ||
		diag "$(tail -n 20 "$T/apt-sim.out")"
	like "$(grep '^Inst ' "$T/apt-sim.out" | tr '\n' ' ')" "Inst hermes-fcgi .*" \
		"apt would install hermes-fcgi"
	for p in libcurl4 libsqlite3-0 libfcgi0ldbl libssl3 libc6; do
		like "$(grep "^Inst $p " "$T/apt-sim.out")" "\\[$CROSS_ARCH\\]" "apt would bring $p for $CROSS_ARCH with it"
	done
else
	fail "CROSS_APT_CONFIG names the sysroot's apt configuration" "scripts/cross.sh sets it"
fi

lint=$(lintian --fail-on error,warning,info "${DEB%.deb}.changes" 2>&1)
ok "lintian: no error, warning or info left on the $CROSS_ARCH package" test $? -eq 0 ||
	diag "$lint"

# ---- the packaged programs under qemu ---------------------------------------------
start_upstream up
H=$T/home
mkdir -m 0700 "$H"
# As the postinst does: hermesctl init writes HERMES_HOME/.env with a new key.
env -i PATH=/usr/bin:/bin HERMES_HOME="$H" ${HERMES_ALLOW_ROOT:+HERMES_ALLOW_ROOT=1} \
	"$CROSS_EXEC" "$R/usr/bin/hermesctl" init > "$T/init.out" 2>&1
is "$?" 0 "the packaged hermesctl init runs under qemu" || diag "$(head -c 600 "$T/init.out")"
key=$(sed -n 's/^API_SERVER_KEY=//p' "$H/.env" 2>/dev/null)
like "$key" '^.{32,}$' "hermesctl init wrote a key to HERMES_HOME/.env"
is "$(stat -c %a "$H/.env" 2>&1)" 600 ".env is closed to others (0600)"
{
	echo "OPENAI_BASE_URL=$UPSTREAM_URL"
	echo "OPENAI_API_KEY=sk-upstream-test"
	echo "HERMES_MODEL=test-model"
	echo "HERMES_LLM_MAX_RETRIES=1"
	[ -z "${HERMES_ALLOW_ROOT:-}" ] || echo "HERMES_ALLOW_ROOT=1"
} >> "$H/.env"

HERMES_FCGI=$T/hermes-fcgi
printf '#!/bin/sh\nexec %s %s "$@"\n' "$CROSS_EXEC" "$R/usr/bin/hermes-fcgi" > "$HERMES_FCGI"
chmod +x "$HERMES_FCGI"
CGI_HOME=$H
AUTH="HTTP_AUTHORIZATION=Bearer $key"

cgi PATH_INFO=/v1/models "$AUTH"
is "$CGI_RC $RESP_STATUS" "0 200" "the packaged hermes-fcgi: GET /v1/models with the generated key is 200"
[ "$RESP_STATUS" = 200 ] || diag "stderr: $(head -c 600 "$CGI_ERR")"
is "$(jget 'j["data"][0]["id"]')" hermes-agent "/v1/models lists hermes-agent"
cgi PATH_INFO=/v1/models "HTTP_AUTHORIZATION=Bearer not-the-key"
check_envelope 401 invalid_api_key "a wrong key is 401 invalid_api_key"

up_script '[{"reply":"Packaged for the board.","usage":{"prompt_tokens":5,"completion_tokens":4}}]'
cgi_post /v1/chat/completions '{"model":"hermes-agent","messages":[{"role":"user","content":"hello package"}]}' "$AUTH"
is "$CGI_RC $RESP_STATUS" "0 200" "the packaged hermes-fcgi: a chat turn is 200"
[ "$RESP_STATUS" = 200 ] || diag "stderr: $(head -c 600 "$CGI_ERR")"
is "$(jget 'j["choices"][0]["message"]["content"]')" "Packaged for the board." "the reply is the upstream's text"
up_requests "$T/up.json"
is "$(jget 'j[-1]["body"]["messages"][-1]["content"]' "$T/up.json")" "hello package" \
	"the upstream got the user's message"
done_testing
