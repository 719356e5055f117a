#!/bin/bash
# tests/integration/t0630-lazy-missing.sh: a library the lazy loader cannot
# load is a 503 that names the Debian package, never an abort.
# SPDX-License-Identifier: MIT
#
# The real binary runs as CGI with LD_LIBRARY_PATH pointing at a directory
# whose file of libcurl's soname (read from config.h, as configure found it)
# is not a loadable library: the dynamic linker's search finds it first and
# fails ("file too short"), as it would for a broken or half-installed
# package. Nothing in the binary is told about the test. The upstream is
# real and configured, and must get no request.
. "$(dirname "$0")/lib.sh"

need "$HERMES_FCGI" curl
soname() { sed -n "s/^#define HERMES_$1_SONAME \"\\(.*\\)\"\$/\\1/p" "$top_builddir/config.h"; }
package() { sed -n "s/^#define HERMES_$1_PACKAGE \"\\(.*\\)\"\$/\\1/p" "$top_builddir/config.h"; }
curl_so=$(soname CURL)
curl_pkg=$(package CURL)
[ -n "$curl_so" ] && [ -n "$curl_pkg" ] || bail_out "no HERMES_CURL_SONAME/PACKAGE in $top_builddir/config.h"

plan 9

start_upstream up
home=$T/home
mk_home "$home"
printf 'OPENAI_BASE_URL=%s\nOPENAI_API_KEY=k\nHERMES_MODEL=test-model\n' "$UPSTREAM_URL" >> "$home/.env"
mkdir -p "$T/broken"
: > "$T/broken/$curl_so"
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
done_testing
