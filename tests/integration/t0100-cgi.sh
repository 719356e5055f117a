#!/bin/bash
# tests/integration/t0100-cgi.sh: hermes-fcgi as plain CGI: a CGI
# environment and a file on stdin in, "Status:" + headers + body out.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON"

home=$T/home
mk_home "$home"
nokey=$T/nokey
mk_home "$nokey" ""
weak=$T/weak
mk_home "$weak" changeme
CGI_HOME=$home
AUTH="HTTP_AUTHORIZATION=Bearer $TEST_KEY"
: > "$T/stderr.all"
keep_err() { cat "$CGI_ERR" >> "$T/stderr.all"; }

# ---- health ------------------------------------------------------------------
cgi PATH_INFO=/health
keep_err
is "$CGI_RC" 0 "CGI run exits 0"
like "$(head -n 1 "$CGI_OUT" | tr -d '\r')" '^Status: 200( |$)' "first line is Status: 200"
is "$(jget '"%s %s" % (j["status"], j["platform"])')" "ok hermes-agent" "GET /health says ok hermes-agent"
is "$(hdr Content-Length)" "$(wc -c < "$RESP_BODY" | tr -d ' ')" "Content-Length matches the body"
check_security_headers "/health has the seven security headers, X-Request-Id, Cache-Control"
is "$(cat "$CGI_ERR")" "" "plain CGI logs nothing for a good request (no per-request configuration line)"
cgi PATH_INFO=/v1/models "HTTP_AUTHORIZATION=Bearer $WRONG_KEY"
keep_err
rid=$(hdr X-Request-Id)
like "$(cat "$CGI_ERR")" "req=$rid" "a log line carries the request id of X-Request-Id"

cgi PATH_INFO=/v1/health
is "$RESP_STATUS $(jget 'j["status"]')" "200 ok" "GET /v1/health is 200"

# ---- models, auth ------------------------------------------------------------
cgi PATH_INFO=/v1/models "$AUTH"
keep_err
is "$RESP_STATUS" 200 "GET /v1/models with the key is 200"
is "$(jget '"%s %s %s %s" % (j["object"], j["data"][0]["id"], j["data"][0]["owned_by"], type(j["data"][0]["created"]).__name__)')" \
	"list hermes-agent hermes int" "/v1/models lists hermes-agent"
like "$(hdr Content-Type)" '^application/json' "/v1/models is application/json"

cgi PATH_INFO=/v1/models
keep_err
check_envelope 401 invalid_api_key "/v1/models without a key is 401 invalid_api_key"
is "$(jget 'j["error"]["message"]')" "Invalid API key" "401 message is 'Invalid API key'"
check_security_headers "the 401 has the security headers"

cgi PATH_INFO=/v1/models "HTTP_AUTHORIZATION=Bearer $WRONG_KEY"
keep_err
check_envelope 401 invalid_api_key "a wrong key is 401"
cgi PATH_INFO=/v1/models "HTTP_AUTHORIZATION=bearer $TEST_KEY"
keep_err
check_envelope 401 invalid_api_key "the scheme is case-sensitive ('bearer' is 401)"
cgi PATH_INFO=/v1/models "HTTP_AUTHORIZATION=Bearer ${TEST_KEY}x"
keep_err
check_envelope 401 invalid_api_key "the key plus one byte is 401"

cgi PATH_INFO=/health/detailed
check_envelope 401 invalid_api_key "/health/detailed needs the key"
cgi PATH_INFO=/health/detailed "$AUTH"
is "$RESP_STATUS $(jget 'j["responder"]["mode"]')" "200 cgi" "/health/detailed with the key: 200, responder mode cgi"

# ---- 404, 405 ------------------------------------------------------------------
cgi PATH_INFO=/v1/nope "$AUTH"
check_envelope 404 not_found "GET /v1/nope is a 404 envelope"
check_security_headers "the 404 has the security headers"

printf '{"a":1}' > "$T/small.json"
CGI_STDIN=$T/small.json
cgi REQUEST_METHOD=POST PATH_INFO=/v1/models CONTENT_TYPE=application/json CONTENT_LENGTH=7 "$AUTH"
CGI_STDIN=/dev/null
check_envelope 405 method_not_allowed "POST /v1/models is a 405 envelope"
like "$(hdr Allow)" 'GET' "the 405 has Allow: GET"

# ---- HEAD: the GET's status and headers, no body -----------------------------------
for p in /health /v1/models /health/detailed /v1/capabilities /v1/skills /v1/toolsets; do
	cgi REQUEST_METHOD=GET PATH_INFO=$p "$AUTH"
	get_status=$RESP_STATUS get_len=$(hdr Content-Length) get_type=$(hdr Content-Type)
	cgi REQUEST_METHOD=HEAD PATH_INFO=$p "$AUTH"
	is "$RESP_STATUS $(hdr Content-Type)" "$get_status $get_type" "HEAD $p: the GET's status and Content-Type (was 405)"
	is "$(hdr Content-Length) $(wc -c < "$RESP_BODY" | tr -d ' ')" "$get_len 0" "HEAD $p: the GET's Content-Length, no body"
done
cgi REQUEST_METHOD=HEAD PATH_INFO=/v1/models
is "$RESP_STATUS $(wc -c < "$RESP_BODY" | tr -d ' ')" "401 0" "HEAD /v1/models without the key: 401, no body"
cgi REQUEST_METHOD=HEAD PATH_INFO=/v1/chat/completions "$AUTH"
is "$RESP_STATUS $(hdr Allow)" "405 POST" "HEAD on the POST-only chat path: 405 Allow: POST"
cgi REQUEST_METHOD=DELETE PATH_INFO=/v1/models "$AUTH"
is "$RESP_STATUS $(hdr Allow)" "405 GET, HEAD" "DELETE /v1/models: 405 Allow: GET, HEAD"

# ---- request body limits -----------------------------------------------------
: > "$T/empty"
CGI_STDIN=$T/empty
cgi REQUEST_METHOD=POST PATH_INFO=/v1/models CONTENT_TYPE=application/json CONTENT_LENGTH=abc "$AUTH"
check_envelope 400 invalid_content_length "CONTENT_LENGTH=abc is 400 invalid_content_length"
cgi REQUEST_METHOD=POST PATH_INFO=/v1/models CONTENT_TYPE=application/json CONTENT_LENGTH=10000001 "$AUTH"
check_envelope 413 body_too_large "CONTENT_LENGTH=10000001 is 413 body_too_large"
is "$(jget 'j["error"]["message"]')" "Request body too large." "413 message"
check_security_headers "the 413 has the security headers"
CGI_STDIN=/dev/null
# Malformed JSON needs a route that takes a JSON body: the first POST
# endpoint the server advertises, once there is one.
cgi PATH_INFO=/v1/capabilities "$AUTH"
post=$(jget '" ".join(sorted(v["path"] for v in j.get("endpoints", {}).values() if v.get("method") == "POST" and "{" not in v["path"]))' | awk '{ print $1 }')
case $post in
/*)
	printf '{"model": "x", "messages": [' > "$T/bad.json"
	CGI_STDIN=$T/bad.json
	cgi REQUEST_METHOD=POST PATH_INFO="$post" CONTENT_TYPE=application/json \
		CONTENT_LENGTH="$(wc -c < "$T/bad.json" | tr -d ' ')" "$AUTH"
	CGI_STDIN=/dev/null
	check_envelope 400 invalid_json "malformed JSON to POST $post is 400 invalid_json"
	;;
*) skip "malformed JSON body is 400 invalid_json" "no JSON POST route advertised yet; covered by the unit tests" ;;
esac

# ---- request bodies: strict JSON, typed fields -----------------------------------
# post_json FILE [VAR=VALUE...]: POST FILE to /v1/chat/completions as CGI.
post_json() {
	local f=$1
	shift
	CGI_STDIN=$f
	cgi REQUEST_METHOD=POST PATH_INFO=/v1/chat/completions CONTENT_TYPE=application/json \
		CONTENT_LENGTH="$(wc -c < "$f" | tr -d ' ')" "$AUTH" "$@"
	CGI_STDIN=/dev/null
}
for v in '"false"' '"yes"' 1; do
	printf '{"stream": %s, "messages": [{"role": "user", "content": "hi"}]}' "$v" > "$T/typed.json"
	post_json "$T/typed.json"
	check_envelope 400 invalid_type "\"stream\": $v is 400 invalid_type (not streaming)"
	is "$(jget 'j["error"]["param"]')" stream "  param is stream"
	unlike "$(hdr Content-Type)" 'event-stream' "  and no event stream was started"
done
printf '{"stream": true, "stream_options": {"include_usage": "yes"}, "messages": [{"role": "user", "content": "hi"}]}' > "$T/typed.json"
post_json "$T/typed.json"
check_envelope 400 invalid_type "stream_options.include_usage \"yes\" is 400 invalid_type"
is "$(jget 'j["error"]["param"]')" stream_options.include_usage "  param stream_options.include_usage"
printf '{"messages": [{"role": "user", "content": "hi"}], "temperature": NaN}' > "$T/nan.json"
post_json "$T/nan.json"
check_envelope 400 invalid_json "NaN in a body is 400 invalid_json (json-c alone accepts it)"
printf '{"messages": [{"role": "user", "content": "a\tb"}]}' > "$T/ctl.json"
post_json "$T/ctl.json"
check_envelope 400 invalid_json "a raw control character in a string is 400 invalid_json"
printf '{"messages": [{"role": "user", "content": "caf\351"}]}' > "$T/latin1.json"
post_json "$T/latin1.json"
check_envelope 400 invalid_json "invalid UTF-8 in message content is 400, not forwarded upstream"
like "$(jget 'j["error"]["message"]')" 'UTF-8' "  the message says UTF-8"

# A part type or media type quoted in a 400 is cut at a character, never
# inside one: strict JSON clients must be able to parse the envelope.
"$PYTHON" -c 'import json,sys; sys.stdout.write(json.dumps({"messages": [{"role": "user", "content": [{"type": "x" + "\u00e9" * 30}]}]}, ensure_ascii=False))' > "$T/mb.json"
post_json "$T/mb.json"
check_envelope 400 unsupported_content_type "a 61-byte multibyte part type: 400 envelope that is valid UTF-8"
"$PYTHON" -c 'import json,sys; sys.stdout.write(json.dumps({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": "data:xy" + "\u00e9" * 30 + ",AAA"}]}]}, ensure_ascii=False))' > "$T/mb.json"
post_json "$T/mb.json"
check_envelope 400 unsupported_content_type "a multibyte data-URL media type: 400 envelope that is valid UTF-8"

# ---- the key gate for non-loopback requests ------------------------------------
CGI_HOME=$nokey
cgi PATH_INFO=/v1/models SERVER_ADDR=10.0.0.5 REMOTE_ADDR=10.0.0.9
keep_err
check_envelope 503 api_key_not_configured "no key, request on 10.0.0.5: 503 api_key_not_configured"
like "$(jget 'j["error"]["message"]')" 'API_SERVER_KEY' "the 503 message names API_SERVER_KEY"
cgi PATH_INFO=/v1/models
is "$RESP_STATUS" 200 "no key, loopback request without Authorization: 200"
cgi PATH_INFO=/v1/models SERVER_ADDR=::1 REMOTE_ADDR=::1
is "$RESP_STATUS" 200 "no key, request on ::1: 200"
cgi PATH_INFO=/v1/models SERVER_ADDR=::ffff:127.0.0.1
is "$RESP_STATUS" 200 "no key, request on ::ffff:127.0.0.1: 200"
# DNS rebinding: a page at http://rebind.example:8642/ whose name now points
# at 127.0.0.1 reaches the loopback listener with its own Host.
cgi PATH_INFO=/v1/models HTTP_HOST=rebind.example:8642
keep_err
check_envelope 403 host_not_allowed "no key, loopback, Host rebind.example:8642: 403 host_not_allowed"
like "$(jget 'j["error"]["message"]')" 'API_SERVER_KEY' "  the message says to set API_SERVER_KEY"
like "$(cat "$CGI_ERR")" 'refused Host rebind.example:8642' "  and the log names the Host"
cgi PATH_INFO=/health HTTP_HOST=rebind.example
check_envelope 403 host_not_allowed "no key, loopback, foreign Host: /health refused too"
for h in localhost localhost:8642 127.0.0.1:8642 '[::1]:8642' app.localhost; do
	cgi PATH_INFO=/v1/models HTTP_HOST=$h
	is "$RESP_STATUS" 200 "no key, loopback, Host $h: 200"
done
cgi PATH_INFO=/v1/models HTTP_HOST=board.lan:8642 API_SERVER_HOST=board.lan
is "$RESP_STATUS" 200 "no key, Host board.lan with API_SERVER_HOST=board.lan: 200"

CGI_HOME=$weak
cgi PATH_INFO=/v1/models SERVER_ADDR=10.0.0.5 "HTTP_AUTHORIZATION=Bearer changeme"
keep_err
check_envelope 503 weak_api_key "key 'changeme', request on 10.0.0.5: 503 weak_api_key"
like "$(jget 'j["error"]["message"]')" 'API_SERVER_KEY' "the weak-key message names API_SERVER_KEY"
cgi PATH_INFO=/v1/models SERVER_ADDR=10.0.0.5 API_SERVER_KEY=your_api_key_here
check_envelope 503 weak_api_key "placeholder key your_api_key_here (17 chars): 503 weak_api_key"
cgi PATH_INFO=/v1/models SERVER_ADDR=10.0.0.5 API_SERVER_KEY=short15charskey
check_envelope 503 weak_api_key "a 15-character key: 503 weak_api_key"
cgi PATH_INFO=/v1/models "HTTP_AUTHORIZATION=Bearer changeme" HTTP_HOST=rebind.example
check_envelope 403 host_not_allowed "weak key, loopback, foreign Host: 403 (a placeholder key is guessable)"
CGI_HOME=$home
cgi PATH_INFO=/v1/models SERVER_ADDR=10.0.0.5 "$AUTH"
is "$RESP_STATUS" 200 "strong key, request on 10.0.0.5 with the key: 200"
cgi PATH_INFO=/v1/models HTTP_HOST=rebind.example "$AUTH"
is "$RESP_STATUS" 200 "strong key: any Host is served (the key protects)"

# ---- CORS ------------------------------------------------------------------------
O=https://app.example
cgi PATH_INFO=/v1/models "$AUTH" API_SERVER_CORS_ORIGINS="https://other.example, $O" HTTP_ORIGIN=$O
is "$RESP_STATUS" 200 "allowed Origin: 200"
is "$(hdr Access-Control-Allow-Origin)" "$O" "allowed Origin is echoed in Access-Control-Allow-Origin"
like "$(hdr Vary)" 'Origin' "Vary: Origin for a listed origin"
cgi PATH_INFO=/v1/models "$AUTH" API_SERVER_CORS_ORIGINS=$O HTTP_ORIGIN=https://evil.example
check_envelope 403 origin_not_allowed "Origin not in the list: 403 origin_not_allowed"
is "$(hdr Access-Control-Allow-Origin)" "" "no Access-Control-Allow-Origin for a refused origin"
cgi PATH_INFO=/health HTTP_ORIGIN=$O
check_envelope 403 origin_not_allowed "Origin with no CORS list configured: 403 (even /health)"
cgi PATH_INFO=/v1/models "$AUTH" API_SERVER_CORS_ORIGINS='*' HTTP_ORIGIN=https://any.example
is "$RESP_STATUS $(hdr Access-Control-Allow-Origin)" "200 *" "'*' allows any origin with Access-Control-Allow-Origin: *"
is "$(hdr Access-Control-Expose-Headers)" "X-Hermes-Session-Id, X-Hermes-Session-Key" "an allowed origin may read the session headers"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=/v1/models API_SERVER_CORS_ORIGINS=$O HTTP_ORIGIN=$O \
	HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET HTTP_ACCESS_CONTROL_REQUEST_HEADERS=authorization
is "$RESP_STATUS" 200 "OPTIONS preflight from an allowed origin without a key: 200"
is "$(hdr Access-Control-Allow-Methods)" "GET, HEAD, OPTIONS" "preflight Access-Control-Allow-Methods: what the route table has for the path"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=/v1/chat/completions API_SERVER_CORS_ORIGINS=$O HTTP_ORIGIN=$O \
	HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST
is "$(hdr Access-Control-Allow-Methods)" "POST, OPTIONS" "preflight of /v1/chat/completions allows POST, OPTIONS"
is "$(hdr Access-Control-Allow-Headers)" "Authorization, Content-Type, Idempotency-Key, X-Hermes-Session-Id, X-Hermes-Session-Key, X-Hermes-Toolsets, Last-Event-ID" "preflight Access-Control-Allow-Headers: the baseline's three and the server's own"
is "$(hdr Access-Control-Max-Age)" 600 "preflight Access-Control-Max-Age: 600"
is "$(hdr Access-Control-Allow-Origin)" "$O" "preflight Access-Control-Allow-Origin"
cgi REQUEST_METHOD=OPTIONS PATH_INFO=/v1/models API_SERVER_CORS_ORIGINS=$O HTTP_ORIGIN=https://evil.example \
	HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET
is "$RESP_STATUS" 403 "OPTIONS preflight from another origin: 403"

# ---- mount points and path shapes ---------------------------------------------
cgi SCRIPT_NAME=/hermes PATH_INFO=/v1/models "$AUTH"
is "$RESP_STATUS $(jget 'j["data"][0]["id"]')" "200 hermes-agent" "SCRIPT_NAME=/hermes PATH_INFO=/v1/models: 200"
cgi SCRIPT_NAME=/hermes PATH_INFO=/health
is "$RESP_STATUS $(jget 'j["status"]')" "200 ok" "SCRIPT_NAME=/hermes PATH_INFO=/health: 200"
cgi SCRIPT_NAME=/hermes PATH_INFO=/v1/nope "$AUTH"
check_envelope 404 not_found "SCRIPT_NAME=/hermes PATH_INFO=/v1/nope: 404 envelope"
# GET /prefix/ through a rewrite to the wrapper: the 404 names the path the
# client asked for, never the script behind it.
cgi SCRIPT_NAME=/hermes/hermes.fcgi PATH_INFO=/ REQUEST_URI='/hermes/?a=b' "$AUTH"
check_envelope 404 not_found "GET /hermes/ through the wrapper: 404 envelope"
is "$(jget 'j["error"]["message"]')" "No route for GET /hermes/." "  the message names the client's path only"
cgi SCRIPT_NAME=/hermes/hermes.fcgi PATH_INFO=/ "$AUTH"
unlike "$(jget 'j["error"]["message"]')" 'hermes\.fcgi' "  without REQUEST_URI it does not name the script either"
cgi SCRIPT_NAME=/v1 PATH_INFO=/models "$AUTH" REQUEST_URI='/v1/models?x=1'
is "$RESP_STATUS" 200 "lighttpd's root split (SCRIPT_NAME=/v1 PATH_INFO=/models): 200"
cgi SCRIPT_NAME=/hermes/hermes.fcgi PATH_INFO=/v1/models "$AUTH" REQUEST_URI=/hermes/v1/models
is "$RESP_STATUS" 200 "shared-hosting wrapper (SCRIPT_NAME=/hermes/hermes.fcgi PATH_INFO=/v1/models): 200"
cgi SCRIPT_NAME=/hermes/v1/models "$AUTH" REQUEST_URI=/hermes/v1/models
is "$RESP_STATUS" 200 "mod_proxy_fcgi shape (SCRIPT_NAME=/hermes/v1/models, no PATH_INFO): 200"
cgi REQUEST_URI='/v1/models?x=1' QUERY_STRING=x=1 "$AUTH"
is "$RESP_STATUS" 200 "REQUEST_URI only (/v1/models?x=1): 200"
cgi REQUEST_URI='/hermes/v1/models?x=1' QUERY_STRING=x=1 "$AUTH"
is "$RESP_STATUS" 200 "REQUEST_URI only under a prefix (/hermes/v1/models?x=1): 200"
cgi SCRIPT_NAME=/hermes PATH_INFO=/v1/models "$AUTH" API_SERVER_BASE_PATH=/hermes
is "$RESP_STATUS" 200 "API_SERVER_BASE_PATH=/hermes with SCRIPT_NAME=/hermes: 200"

# ---- secrets -----------------------------------------------------------------------
cat "$CGI_ERR" >> "$T/stderr.all"
if grep -q "$TEST_KEY" "$T/stderr.all"; then
	fail "the API key never appears in stderr" "$(grep "$TEST_KEY" "$T/stderr.all" | head -3)"
else
	pass "the API key never appears in stderr"
fi
unlike "$(cat "$T/stderr.all")" "$WRONG_KEY" "a presented wrong key never appears in stderr"
like "$(cat "$T/stderr.all")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z hermes-fcgi\[[0-9]+\] [A-Z]+ req=([0-9a-f]{16}|-) [^ ]+:[0-9]+ ' \
	"log lines have the documented shape"

done_testing
