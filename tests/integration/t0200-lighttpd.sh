#!/bin/bash
# tests/integration/t0200-lighttpd.sh: the HTTP cases through a real lighttpd
# running the shipped lighttpd/lighttpd.conf.in, mounted at / and at /hermes.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON" curl lighttpd

home=$T/home
mk_home "$home"

# ---- mounted at / ------------------------------------------------------------------
start_lighttpd root / "$home" 2
base=http://127.0.0.1:$LIGHTTPD_PORT
run_http_cases "$base" "$TEST_KEY" "lighttpd /"
# Streaming is only incremental with this setting (shared/spec/deployment.md);
# the stream tests of the streaming endpoints measure it end to end.
like "$(grep -E '^[[:space:]]*server\.stream-response-body' "$LIGHTTPD_DIR/lighttpd.conf")" '= *2' \
	"the shipped config sets server.stream-response-body = 2"
like "$(grep -E '^[[:space:]]*server\.max-request-size' "$LIGHTTPD_DIR/lighttpd.conf")" '= *(1[6-9][0-9]{3}|[2-9][0-9]{4}|[0-9]{6,})' \
	"the shipped config allows request bodies of at least 16 MB"

http GET "$base/v1/models?x=1&y=2" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 200 "lighttpd /: a query string does not change the route"
http GET "$base/" -H "Authorization: Bearer $TEST_KEY"
check_envelope 404 not_found "lighttpd /: GET / is the app's 404 envelope"
like "$(grep -c 'hermes-fcgi\[' "$LIGHTTPD_DIR/hermes-fcgi.log")" '^[1-9]' \
	"lighttpd /: the responders' log lines land in STATEDIR/hermes-fcgi.log (server.breakagelog)"
unlike "$(cat "$LIGHTTPD_DIR/hermes-fcgi.log" "$LIGHTTPD_DIR/error.log")" "$TEST_KEY|$WRONG_KEY" \
	"lighttpd /: no key in the logs"

# ---- mounted at /hermes ---------------------------------------------------------------
start_lighttpd prefix /hermes "$home" 1
base=http://127.0.0.1:$LIGHTTPD_PORT
run_http_cases "$base/hermes" "$TEST_KEY" "lighttpd /hermes"

http GET "$base/v1/models" -H "Authorization: Bearer $TEST_KEY"
is "$RESP_STATUS" 404 "lighttpd /hermes: /v1/models outside the mount is not the API"
http GET "$base/hermes/v1/models?x=1" -H "Authorization: Bearer $TEST_KEY"
is "$(jget 'j["data"][0]["id"]')" hermes-agent "lighttpd /hermes: /hermes/v1/models?x=1 is /v1/models"

done_testing
