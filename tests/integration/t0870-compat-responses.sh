#!/bin/bash
# tests/integration/t0870-compat-responses.sh: the clients of the Responses
# API drive /v1/responses through lighttpd with the shipped config, against
# the scripted upstream, unchanged: the official `openai` npm package
# (tests/compat/responses.mjs: create, stream().finalResponse(),
# previous_response_id, retrieve, inputItems.list, delete, a server-side
# tool call) with each pinned release, and the Vercel AI SDK
# (tests/compat/aisdk.mjs: generateText and streamText on the default
# provider, two turns each with item_reference, and a server-side tool
# call). The releases are pinned in tests/compat/package.json and its
# package-lock.json and installed by compat_install (compat_npm.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/compat_npm.sh"

need "$HERMES_FCGI" "$PYTHON" curl lighttpd
compat_install
compat_server responses
# Two scripts, one TAP stream: renumber the second's tests after the first's.
COMPAT_TIMEOUT=90 compat_run responses.mjs > "$T/openai.tap"
rc1=$?
COMPAT_TIMEOUT=90 compat_run aisdk.mjs > "$T/aisdk.tap"
rc2=$?
"$PYTHON" - "$T/openai.tap" "$T/aisdk.tap" <<'PY'
import re, sys
n = 0
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"(not ok|ok) \d+ (.*)", line)
        if m:
            n += 1
            print("%s %d %s" % (m.group(1), n, m.group(2)))
        elif not re.match(r"1\.\.\d+", line):
            sys.stdout.write(line)
print("1..%d" % n)
PY
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]
