#!/bin/bash
# tests/integration/t0720-tools-web.sh: web_extract through the agent loop
# (`hermesctl chat` against the scripted upstream). Pages come from
# `python3 -m http.server` on 127.0.0.1 in a temp dir, redirects from a tiny
# handler next to it. Checked: web is off by default; 127.0.0.1 and
# localhost are refused (the refusal reaches the upstream as the tool result
# and the page server sees no request); with HERMES_WEB_ALLOW_PRIVATE=true
# the page's text comes back without its script and style; a redirect is
# followed and re-checked (a file:// target is refused); more than 5
# redirects are refused after exactly 6 requests.
#
# A redirect from an allowed page to a private address cannot be built here:
# with only loopback available, the first page is itself private, so it is
# either refused (default) or everything is allowed. That case is covered by
# tests/unit/test_tools_web.c, which runs the same fetcher with a policy
# that stands 127.0.0.2 in for a private range.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
start_upstream
export HERMES_HOME="$TAP_TMP/home"
mkdir -p "$HERMES_HOME" "$TAP_TMP/www/docs" && chmod 700 "$HERMES_HOME"
export OPENAI_BASE_URL="$UPSTREAM_URL" OPENAI_API_KEY=k HERMES_MODEL=test-model
unset HERMES_WEB_ALLOW_PRIVATE API_SERVER_TOOLSETS
extract() { # id url → a web_extract step, then a final reply
	printf '[{"tool_calls":[{"id":"%s","name":"web_extract","arguments":{"url":"%s"}}]},{"reply":"done"}]' "$1" "$2"
}

# ---- the test pages and servers ------------------------------------------------
cat >"$TAP_TMP/www/page.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>Test Page</title>
<style>body { color: STYLE_MARKER; }</style>
<script>var leaked = "SCRIPT_MARKER";</script></head>
<body><h1>Welcome</h1><p>The quick &amp; brown fox.</p>
<ul><li>first item</li><li>second item</li></ul>
<script>document.write("SCRIPT_MARKER_2")</script></body></html>
EOF
printf '<html><body><p>Docs index.</p></body></html>' >"$TAP_TMP/www/docs/index.html"
cat >"$TAP_TMP/redirects.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[2], "a") as f:
            f.write(self.path + "\n")
        if self.path.startswith("/loop/"):
            loc = "/loop/%d" % (int(self.path[6:]) + 1)
        elif self.path == "/to-file":
            loc = "file:///etc/passwd"
        else:
            loc = "/loop/0"
        self.send_response(302)
        self.send_header("Location", loc)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
EOF
(cd "$TAP_TMP/www" && exec "$PYTHON" -u -m http.server --bind 127.0.0.1 0) \
	>"$TAP_TMP/www.out" 2>"$TAP_TMP/www.log" &
WWW_PID=$!
"$PYTHON" "$TAP_TMP/redirects.py" "$TAP_TMP/redir.port" "$TAP_TMP/redir.log" 2>"$TAP_TMP/redir.err" &
REDIR_PID=$!
track_pid "$WWW_PID"
track_pid "$REDIR_PID"
for _ in $(seq 1 100); do
	WWW_PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$TAP_TMP/www.out" 2>/dev/null)
	[ -n "$WWW_PORT" ] && [ -s "$TAP_TMP/redir.port" ] && break
	sleep 0.1
done
REDIR_PORT=$(cat "$TAP_TMP/redir.port" 2>/dev/null)
tap_ok "$([ -n "$WWW_PORT" ] && [ -n "$REDIR_PORT" ]; echo $?)" "page server and redirect server are up"
PAGE="http://127.0.0.1:$WWW_PORT/page.html"

# ---- web is not offered by default -----------------------------------------------
script_upstream "$(extract w0 "$PAGE")"
chat "fetch it"
tap_like "$(tool_result 1 w0)" "^Error: tool 'web_extract' is not available" \
	"without API_SERVER_TOOLSETS naming web, web_extract is not available"
export API_SERVER_TOOLSETS=web,skills,memory

# ---- refused by default -----------------------------------------------------------
script_upstream "$(extract w1 "$PAGE")"
chat "fetch the page"
tap_is $? 0 "a turn with a refused web_extract completes"
tap_is "$(cat "$TAP_TMP/out")" "done" "final answer printed"
r=$(tool_result 1 w1)
tap_like "$r" "^Error: refused to fetch $PAGE: it resolves to 127\.0\.0\.1, a loopback address" \
	"the refusal reaches the upstream as the tool result"
tap_like "$r" "web\.allow_private_urls" "the refusal says which setting allows it"
tap_is "$(grep -c 'GET /page.html' "$TAP_TMP/www.log")" 0 "the page server saw no request"
tap_like "$(upstream_requests | jq_py '[t["function"]["name"] for t in d[0]["body"]["tools"]]')" \
	"web_extract" "web_extract is offered once web is enabled"

script_upstream "$(extract w2 "http://localhost:$WWW_PORT/page.html")"
chat "fetch via localhost"
tap_like "$(tool_result 1 w2)" "^Error: refused to fetch http://localhost:$WWW_PORT/page.html: it resolves to (127\.0\.0\.1|::1), a loopback" \
	"a name resolving to loopback is refused too"

script_upstream "$(extract w3 "file:///etc/passwd")"
chat "read a file"
tap_like "$(tool_result 1 w3)" "^Error: refused file:///etc/passwd: only http and https" "file:// is refused"

# ---- allowed with HERMES_WEB_ALLOW_PRIVATE -----------------------------------------
export HERMES_WEB_ALLOW_PRIVATE=true
script_upstream "$(extract w4 "$PAGE")"
chat "fetch the page"
tap_is $? 0 "a turn with a fetched page completes"
r=$(tool_result 1 w4)
tap_is "$(printf '%s' "$r" | head -3)" "$(printf 'URL: %s\nTitle: Test Page\n' "$PAGE")" \
	"the result starts with the URL and the title"
tap_like "$r" "# Welcome" "the heading is there"
tap_like "$r" "The quick & brown fox\." "the paragraph is there, entities decoded"
tap_like "$r" "- first item" "list items are lines"
tap_ok "$(printf '%s' "$r" | grep -q 'SCRIPT_MARKER'; [ $? -ne 0 ]; echo $?)" "no script content"
tap_ok "$(printf '%s' "$r" | grep -q 'STYLE_MARKER'; [ $? -ne 0 ]; echo $?)" "no style content"
tap_is "$(grep -c 'GET /page.html' "$TAP_TMP/www.log")" 1 "the page server saw one request"

# ---- redirects ------------------------------------------------------------------------
script_upstream "$(extract w5 "http://127.0.0.1:$WWW_PORT/docs")"
chat "follow the directory redirect"
r=$(tool_result 1 w5)
tap_like "$r" "^URL: http://127\.0\.0\.1:$WWW_PORT/docs/" "a redirect is followed; the final URL is reported"
tap_like "$r" "Docs index\." "the redirected page's text"

: >"$TAP_TMP/redir.log"
script_upstream "$(extract w6 "http://127.0.0.1:$REDIR_PORT/loop/0")"
chat "follow the loop"
tap_like "$(tool_result 1 w6)" "^Error: http://127\.0\.0\.1:$REDIR_PORT/loop/0 redirects more than 5 times" \
	"more than 5 redirects: refused"
tap_is "$(wc -l <"$TAP_TMP/redir.log" | tr -d ' ')" 6 "exactly 6 requests (the first and 5 redirects)"

script_upstream "$(extract w7 "http://127.0.0.1:$REDIR_PORT/to-file")"
chat "follow to a file"
tap_like "$(tool_result 1 w7)" "^Error: refused the redirect to file:///etc/passwd: only http and https" \
	"a redirect target is re-checked: file:// refused"
tap_end
