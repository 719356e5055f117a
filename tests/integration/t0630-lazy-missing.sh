#!/bin/bash
# tests/integration/t0630-lazy-missing.sh: a library the lazy loader cannot
# load is a 503 that names the Debian package, never an abort.
# SPDX-License-Identifier: MIT
#
# The real binaries run with LD_LIBRARY_PATH pointing at a directory whose
# file of the library's soname (read from config.h, as configure found it)
# is not a loadable library: the dynamic linker's search finds it first and
# fails ("file too short"), as it would for a broken or half-installed
# package. Nothing in the binaries is told about the test.
#   - libcurl, hermes-fcgi as CGI, a chat request with a real upstream
#     configured: 503 envelope naming the package, the upstream never asked
#   - libcurl, hermesctl chat and doctor: the same message, no abort
#   - libxml2, web_extract of a real HTML page through hermesctl chat: the
#     tool result (what the model sees) names the package
. "$(dirname "$0")/lib.sh"

need "$HERMES_FCGI" "$HERMESCTL" curl
soname() { sed -n "s/^#define HERMES_$1_SONAME \"\\(.*\\)\"\$/\\1/p" "$top_builddir/config.h"; }
package() { sed -n "s/^#define HERMES_$1_PACKAGE \"\\(.*\\)\"\$/\\1/p" "$top_builddir/config.h"; }
curl_so=$(soname CURL)
curl_pkg=$(package CURL)
xml_so=$(soname XML)
xml_pkg=$(package XML)
[ -n "$curl_so" ] && [ -n "$curl_pkg" ] && [ -n "$xml_so" ] && [ -n "$xml_pkg" ] ||
	bail_out "no HERMES_CURL_/HERMES_XML_SONAME/PACKAGE in $top_builddir/config.h"

plan 17

start_upstream up
home=$T/home
mk_home "$home"
printf 'OPENAI_BASE_URL=%s\nOPENAI_API_KEY=k\nHERMES_MODEL=test-model\n' "$UPSTREAM_URL" >> "$home/.env"
mkdir -p "$T/broken" "$T/broken-xml"
: > "$T/broken/$curl_so"
: > "$T/broken-xml/$xml_so"
CGI_HOME=$home
printf '{"model":"hermes-agent","messages":[{"role":"user","content":"hi"}]}' > "$T/chat.json"
CGI_STDIN=$T/chat.json
chat_vars=(REQUEST_METHOD=POST PATH_INFO=/v1/chat/completions CONTENT_TYPE=application/json
	"CONTENT_LENGTH=$(wc -c < "$T/chat.json")" "HTTP_AUTHORIZATION=Bearer $TEST_KEY")

# The same request with the library in place: the upstream answers (so the
# 503 below comes from the missing library, not from the setup).
cgi "${chat_vars[@]}"
is "$RESP_STATUS $(jget 'j["choices"][0]["message"]["content"]')" "200 ok" \
	"with $curl_so loadable, the chat request is answered by the upstream"

cgi "${chat_vars[@]}" "LD_LIBRARY_PATH=$T/broken"
check_envelope 503 dependency_unavailable "with $curl_so not loadable: a 503 envelope, code dependency_unavailable"
like "$(jget 'j["error"]["message"]')" "install the Debian package $curl_pkg" \
	"the message names the Debian package to install ($curl_pkg)"
like "$(jget 'j["error"]["message"]')" "libcurl \\($curl_so\\)" "the message names the library and its soname"
unlike "$(jget 'j["error"]["message"]')" "$T" "the message holds no path of this machine"
is "$CGI_RC" 0 "the responder exits normally (no abort)"
unlike "$(cat "$CGI_ERR")" 'AddressSanitizer|runtime error|Aborted' "no sanitizer report or abort on stderr"
like "$(cat "$CGI_ERR")" "cannot load $curl_so: .*install the Debian package $curl_pkg" \
	"the log says why (the dynamic linker's reason) and what to install"
is "$(curl -sS "http://127.0.0.1:$UPSTREAM_PORT/__requests" | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1 \
	"the upstream got only the first request"

# ---- hermesctl: chat and doctor -------------------------------------------------
agent_env
LD_LIBRARY_PATH=$T/broken chat "hello"
rc=$?
is "$rc" 1 "hermesctl chat without a loadable $curl_so: exit status 1 (no abort)"
like "$(cat "$T/out" "$T/err")" "install the Debian package $curl_pkg" "... and it says which package to install"
LD_LIBRARY_PATH=$T/broken "$HERMESCTL" doctor > "$T/doctor.out" 2>&1
like "$(cat "$T/doctor.out")" "^FAIL upstream: libcurl \($curl_so\) cannot be loaded.*install the Debian package $curl_pkg" \
	"hermesctl doctor reports the library and the package as a failed check"
is "$(curl -sS "http://127.0.0.1:$UPSTREAM_PORT/__requests" | jq_py 'len(d)')" 1 "the upstream still got only the first request"

# ---- libxml2 for web_extract --------------------------------------------------------
mkdir -p "$T/www"
printf '<html><head><title>T</title></head><body><p>Page text.</p></body></html>' > "$T/www/page.html"
(cd "$T/www" && exec "$PYTHON" -u -m http.server --bind 127.0.0.1 0) > "$T/www.out" 2> "$T/www.log" &
track_pid $!
for _ in $(seq 1 100); do
	www_port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$T/www.out" 2>/dev/null)
	[ -n "$www_port" ] && break
	sleep 0.1
done
[ -n "$www_port" ] || bail_out "the page server did not start: $(cat "$T/www.log")"
export API_SERVER_TOOLSETS=web HERMES_WEB_ALLOW_PRIVATE=true
step='[{"tool_calls":[{"id":"w1","name":"web_extract","arguments":{"url":"http://127.0.0.1:'$www_port'/page.html"}}]},{"reply":"done"}]'
script_upstream "$step"
chat "fetch it"
like "$(tool_result 1 w1)" "Page text\." "with $xml_so loadable, web_extract returns the page's text"
script_upstream "$step"
LD_LIBRARY_PATH=$T/broken-xml chat "fetch it"
is "$?:$(cat "$T/out")" "0:done" "without a loadable $xml_so the turn still completes"
r=$(tool_result 1 w1)
like "$r" "libxml2 \($xml_so\) cannot be loaded" "the tool result names the library"
like "$r" "install the Debian package $xml_pkg" "... and the Debian package to install"
done_testing
