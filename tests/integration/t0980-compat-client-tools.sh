#!/bin/bash
# tests/integration/t0980-compat-client-tools.sh: client tools driven by the
# clients' own tool loops through lighttpd with the shipped config, against
# the scripted upstream: the official `openai` npm package's
# chat.completions.runTools() with a client function, streamed and not
# (each pinned release), and the Vercel AI SDK's generateText and
# streamText with a client tool() and stopWhen on /v1/responses; each with a server tool
# call in the same model message (tests/compat/client_tools.mjs). The
# packages are installed by compat_install (compat_npm.sh).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/compat_npm.sh"

need "$HERMES_FCGI" "$PYTHON" curl lighttpd
compat_install
compat_server ctools
COMPAT_TIMEOUT=90 compat_run client_tools.mjs
