#!/bin/bash
# tests/integration/t0300-apache-fcgid.sh: the HTTP cases through a real
# Apache httpd + mod_fcgid running the shipped apache/hermes-fcgid.conf.in
# (inside apache/test-httpd.conf.in), mounted at / and at /hermes; and the
# shared-hosting files (fcgi/shared-hosting/.htaccess + hermes.fcgi) under
# mod_fcgid and under plain CGI (mod_cgid).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON" curl

home=$T/home
mk_home "$home"

# ---- mounted at / ------------------------------------------------------------------
start_apache fcgid root / "$home"
base=http://127.0.0.1:$APACHE_PORT
run_http_cases "$base" "$TEST_KEY" "apache fcgid /"
# Streaming is only incremental with a zero output buffer, and quiet streams
# survive only with long timeouts (apache/README.md).
directive() { awk -v d="$1" '$1 == d { print $2 }' "$APACHE_DIR/site.conf"; }
is "$(directive FcgidOutputBufferSize)" 0 "the shipped snippet sets FcgidOutputBufferSize 0"
for d in FcgidIOTimeout FcgidBusyTimeout; do
	v=$(directive "$d")
	ok "the shipped snippet sets $d >= 3600 ($v)" test "${v:-0}" -ge 3600
done
v=$(directive FcgidMaxRequestLen)
ok "the shipped snippet sets FcgidMaxRequestLen > 10,000,000 ($v)" test "${v:-0}" -gt 10000000
http GET "$base/v1/models?x=1" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 200 "apache fcgid /: a query string does not change the route"
like "$(grep -c 'hermes-fcgi\[' "$APACHE_DIR/error.log")" '^[1-9]' \
	"apache fcgid /: the responders' log lines land in Apache's error log"
unlike "$(cat "$APACHE_DIR/error.log")" "$TEST_KEY|$WRONG_KEY" "apache fcgid /: no key in the error log"
stop_pid "$APACHE_PID"

# ---- mounted at /hermes ---------------------------------------------------------------
start_apache fcgid prefix /hermes "$home"
base=http://127.0.0.1:$APACHE_PORT
run_http_cases "$base/hermes" "$TEST_KEY" "apache fcgid /hermes"
http GET "$base/hermesx/v1/models" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 404 "apache fcgid /hermes: /hermesx is not the API"
http GET "$base/v1/models" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 404 "apache fcgid /hermes: /v1/models outside the mount is not the API"

# ---- shared hosting: the shipped .htaccess + hermes.fcgi ----------------------------
stop_pid "$APACHE_PID"
# As a customer of a shared host would: both files copied into a web
# directory that allows .htaccess, no server config of our own. The host's
# FcgidMaxRequestLen (default 131072) cannot be raised from .htaccess, so
# Apache itself refuses large bodies there (see fcgi/README.md).
start_apache shared-fcgid shared-fcgid /hermes "$home"
base=http://127.0.0.1:$APACHE_PORT
HTTP_CASES_BIG_BODY_STATUS=500 \
	run_http_cases "$base/hermes" "$TEST_KEY" "shared hosting, mod_fcgid, /hermes"
head -c 100000 /dev/zero | tr '\0' ' ' > "$T/100k.json"
http POST "$base/hermes/v1/models" -H "Authorization: Bearer $TEST_KEY" \
	-H 'Content-Type: application/json' -H 'Expect:' --data-binary "@$T/100k.json"
check_envelope 405 method_not_allowed "shared hosting, mod_fcgid: a 100 KB body still reaches the app"
http GET "$base/hermes/.htaccess"
is "$RESP_STATUS" 404 "shared hosting, mod_fcgid: .htaccess is not served"
stop_pid "$APACHE_PID"

start_apache shared-cgi shared-cgi / "$home"
base=http://127.0.0.1:$APACHE_PORT
HTTP_CASES_MODE=cgi run_smoke_cases "$base" "$TEST_KEY" "shared hosting, plain CGI (mod_cgid), /"
http POST "$base/v1/models" -H "Authorization: Bearer $TEST_KEY" -H 'Content-Type: application/json' \
	-H 'Expect:' --data-binary "@$(big_body)"
check_envelope 413 body_too_large "shared hosting, plain CGI: an 11,000,000-byte body is the app's 413"
http GET "$base/hermes.fcgi/v1/models" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 200 "shared hosting, plain CGI: the wrapper's own URL works too"
stop_pid "$APACHE_PID"

done_testing
