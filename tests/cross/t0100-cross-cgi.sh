#!/bin/bash
# tests/cross/t0100-cross-cgi.sh: the cross-built hermes-fcgi, run as plain
# CGI under qemu-user, against the scripted upstream running natively on
# 127.0.0.1: /health, /v1/models with and without the key, a chat turn (plain
# and streamed), and a stored response read back by a second process. Run
# by `make check-cross` from scripts/cross.sh, which sets CROSS_EXEC (the
# qemu-ARCH -L SYSROOT wrapper) and CROSS_ELF_MACHINE (what readelf calls
# the target).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/chat_cases.sh"

[ -n "${CROSS_EXEC:-}" ] && [ -x "$CROSS_EXEC" ] ||
	bail_out "CROSS_EXEC is not set: run this through scripts/cross.sh (make check-cross)"
need "$top_builddir/hermes-fcgi" "$PYTHON" curl readelf

# The binary under test is the target's, not the machine's.
machine=$(readelf -h "$top_builddir/hermes-fcgi" | sed -n 's/^ *Machine: *//p')
is "$machine" "${CROSS_ELF_MACHINE:-?}" "hermes-fcgi is a ${CROSS_ELF_MACHINE:-?} program"

# cgi() runs $HERMES_FCGI under env -i: a wrapper with absolute paths.
HERMES_FCGI=$T/hermes-fcgi
printf '#!/bin/sh\nexec %s %s "$@"\n' "$CROSS_EXEC" "$top_builddir/hermes-fcgi" > "$HERMES_FCGI"
chmod +x "$HERMES_FCGI"

start_upstream up
chat_env "$T/home"
CGI_HOME=$T/home
AUTH="HTTP_AUTHORIZATION=Bearer $TEST_KEY"

cgi PATH_INFO=/health
is "$CGI_RC $RESP_STATUS" "0 200" "GET /health under qemu is 200"
[ "$RESP_STATUS" = 200 ] || diag "stderr: $(head -c 600 "$CGI_ERR")"
is "$(jget 'j["status"]')" ok "/health says ok"

cgi PATH_INFO=/v1/models "$AUTH"
is "$RESP_STATUS" 200 "GET /v1/models with the key is 200"
is "$(jget '"%s %s" % (j["object"], j["data"][0]["id"])')" "list hermes-agent" "/v1/models lists hermes-agent"
cgi PATH_INFO=/v1/models
check_envelope 401 invalid_api_key "/v1/models without a key is 401 invalid_api_key"

# A 64-bit time (armhf: _TIME_BITS=64) and a correct clock reading: the
# "created" second of a completion is the machine's.
up_script '[{"reply":"Hi from the board.","usage":{"prompt_tokens":5,"completion_tokens":4}}]'
before=$(date +%s)
cgi_post /v1/chat/completions '{"model":"hermes-agent","messages":[{"role":"user","content":"hello board"}]}' "$AUTH"
after=$(date +%s)
is "$CGI_RC $RESP_STATUS" "0 200" "a chat turn is 200"
[ "$RESP_STATUS" = 200 ] || diag "stderr: $(head -c 600 "$CGI_ERR")"
is "$(jget 'j["choices"][0]["message"]["content"]')" "Hi from the board." "the reply is the upstream's text"
is "$(jget 'j["usage"]["total_tokens"]')" 9 "usage is counted"
created=$(jget 'j["created"]')
ok "created ($created) is the time of the request ($before..$after)" \
	[ "${created:-0}" -ge "$before" -a "${created:-0}" -le "$after" ]
up_requests "$T/up.json"
is "$(jget 'j[-1]["body"]["messages"][-1]["content"]' "$T/up.json")" "hello board" \
	"the upstream got the user's message"

up_script '[{"reply":"Streamed on the board.","chunk_size":4}]'
cgi_post /v1/chat/completions '{"model":"hermes-agent","stream":true,"messages":[{"role":"user","content":"stream"}]}' "$AUTH"
is "$RESP_STATUS" 200 "a streamed chat turn is 200"
text=$(sed -n 's/^data: //p' "$RESP_BODY" | grep -v '^\[DONE\]$' |
	"$PYTHON" -c 'import json,sys
print("".join((json.loads(l)["choices"][0:1] or [{}])[0].get("delta", {}).get("content") or "" for l in sys.stdin if l.strip()))')
is "$text" "Streamed on the board." "the stream's deltas are the text"
is "$(grep -c '^data: \[DONE\]' "$RESP_BODY")" 1 "the stream ends with [DONE]"

# The store (SQLite on the target) across two processes.
up_script '[{"reply":"Stored on the board."}]'
cgi_post /v1/responses '{"model":"hermes-agent","input":"keep this"}' "$AUTH"
is "$RESP_STATUS" 200 "POST /v1/responses is 200"
rid=$(jget 'j["id"]')
cgi PATH_INFO="/v1/responses/$rid" "$AUTH"
is "$RESP_STATUS $(jget 'j["output_text"]')" "200 Stored on the board." \
	"a second process reads the stored response back"
done_testing
