#!/bin/bash
# tests/integration/t0820-compat-openai-sdk.sh: the official `openai` npm
# package drives /v1/chat/completions through lighttpd with the shipped
# config, against the scripted upstream: create, streaming with for-await
# and with the .stream() helper (a tool call in the middle, so a
# hermes.tool.progress chunk is in the stream), a wrong key and a file part.
# The exact releases are pinned in tests/compat/package.json and its
# package-lock.json (5.x as `openai`, the last 4.x as `openai-v4`); the
# cases, tests/compat/chat.mjs, run once with each, and their TAP output is
# this test's output.
#
# The packages are installed by compat_install (compat_npm.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/compat_npm.sh"

need "$HERMES_FCGI" "$PYTHON" curl lighttpd
compat_install
compat_server sdk
compat_run chat.mjs
