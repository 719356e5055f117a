#!/bin/bash
# tests/integration/t0850-responses-cgi.sh: POST /v1/responses with
# hermes-fcgi run as plain CGI (one process per request) against the
# scripted upstream: create, a chain by previous_response_id across two
# processes, a stream whose event sequence keeps the rules of sse_check.py
# and whose terminal object is what a later GET returns, and the 400 of an
# unknown previous_response_id before any upstream call.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"
. "$top_srcdir/tests/integration/responses_cases.sh"

need "$HERMES_FCGI" "$PYTHON" curl sqlite3

start_upstream up
chat_env "$T/home"
CGI_HOME=$T/home
AUTH="HTTP_AUTHORIZATION=Bearer $TEST_KEY"

# cgi_resp JSON: POST JSON to /v1/responses as CGI.
cgi_resp() {
	cgi_post /v1/responses "$1" "$AUTH"
}

up_script '[{"reply":"Hi from CGI.","usage":{"prompt_tokens":5,"completion_tokens":2}}]'
cgi_resp '{"model":"hermes-agent","input":"hello cgi"}'
is "$CGI_RC $RESP_STATUS" "0 200" "CGI: create is 200"
check "CGI: create → a valid Response object" "$("$PYTHON" "$SSE_CHECK" response "$RESP_BODY" completed)" \
	"body: $(head -c 600 "$RESP_BODY") stderr: $(head -c 600 "$CGI_ERR")"
is "$(jget 'j["output_text"]')" "Hi from CGI." "CGI: create → the text"
r1=$(jget 'j["id"]')
is "$(sqlite3 "$T/home/state.db" "SELECT count(*) FROM responses WHERE id = '$r1';")" 1 "CGI: create: the response is stored"

up_script '[{"reply":"Chained in another process."}]'
cgi_resp '{"input":"and again","previous_response_id":"'"$r1"'"}'
is "$RESP_STATUS $(jget 'j["previous_response_id"]')" "200 $r1" "CGI: a chain in a second process is 200 and echoes previous_response_id"
up_requests "$T/up.json"
is "$(up_turns "$T/up.json")" '[["user", "hello cgi"], ["assistant", "Hi from CGI."], ["user", "and again"]]' \
	"CGI: the chained turn sent the stored turn upstream"

up_script '[{"reply":"Streamed from a CGI process.","chunk_size":5}]'
cgi_resp '{"input":"stream cgi","stream":true}'
"$PYTHON" "$SSE_CHECK" report "$RESP_BODY" "$RESP_STATUS" "$(hdr Content-Type)" > "$T/cgi-stream.json"
check "CGI: a stream keeps every event-sequence rule" "$(pycheck "$T/cgi-stream.json" "$RESP_RULES" completed)" \
	"body: $(head -c 3000 "$RESP_BODY")"
is "$("$PYTHON" "$SSE_CHECK" rtext "$T/cgi-stream.json")" "Streamed from a CGI process." "CGI: the stream's deltas are the text"
"$PYTHON" "$SSE_CHECK" rfinal "$T/cgi-stream.json" > "$T/cgi.final"
id=$(jget 'j["id"]' "$T/cgi.final")
cgi REQUEST_METHOD=GET PATH_INFO="/v1/responses/$id" "$AUTH"
is "$RESP_STATUS" 200 "CGI: GET /v1/responses/$id is 200"
check "CGI: the terminal object equals what GET returns" "$(pycheck "$T/cgi.final" '
g = json.load(open(argv[0]))
if g != j:
    d = sorted(k for k in set(g) | set(j) if g.get(k) != j.get(k))
    print("differ in %s" % d)
' "$RESP_BODY")"

up_script '[{"reply":"must not be used"}]'
cgi_resp '{"input":"x","previous_response_id":"resp_doesnotexist0000"}'
check_envelope 400 previous_response_not_found "CGI: an unknown previous_response_id is 400 previous_response_not_found"
up_requests "$T/up.json"
is "$(jget 'len(j)' "$T/up.json")" 0 "CGI: ...and nothing reached the upstream"

# No upstream configured: a background request is answered as a foreground
# one would be (503 upstream_not_configured), and nothing is queued.
mk_home "$T/home-none"
CGI_HOME=$T/home-none
cgi_resp '{"input":"x"}'
check_envelope 503 upstream_not_configured "CGI, no upstream: a foreground response is 503 upstream_not_configured"
n=$(sqlite3 "$T/home-none/state.db" "SELECT count(*) FROM responses")
cgi_resp '{"input":"x","background":true}'
check_envelope 503 upstream_not_configured "CGI, no upstream: a background one is the same 503 at once"
is "$(sqlite3 "$T/home-none/state.db" "SELECT (SELECT count(*) FROM runs) || ' ' || (SELECT count(*) FROM responses)")" "0 $n" \
	"CGI, no upstream: ...and neither a run nor a response was stored"
done_testing
