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
# The package is installed with `npm ci --ignore-scripts` into the build
# tree ($top_builddir/tests/compat-npm), never into the source tree, and
# reinstalled only when the lock file or the Node.js version changes.
# Without node/npm (or without registry access for the first install) the
# test is skipped, or fails under CI=true.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON" curl lighttpd node npm

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
case $node_major in
''|*[!0-9]*) skip_or_fail "node does not run" ;;
esac
[ "$node_major" -ge 18 ] || skip_or_fail "Node.js $(node --version) is too old (the pinned openai needs 18 or later)"

# ---- the pinned package, installed in the build tree -----------------------------
src=$top_srcdir/tests/compat
npmdir=$top_builddir/tests/compat-npm
mkdir -p "$npmdir" || bail_out "cannot create $npmdir"
stamp="$(cat "$src/package-lock.json" "$src/package.json" | cksum) node $(node --version)"
if [ ! -d "$npmdir/node_modules/openai" ] || [ "$(cat "$npmdir/.installed" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$npmdir/.installed"
	cp "$src/package.json" "$src/package-lock.json" "$npmdir/" || bail_out "cannot copy tests/compat/package*.json"
	if ! (cd "$npmdir" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund \
		--loglevel=error) > "$T/npm-ci.log" 2>&1; then
		diag "$(tail -n 20 "$T/npm-ci.log")"
		skip_or_fail "npm ci of the pinned openai package failed (no registry access?)"
	fi
	echo "$stamp" > "$npmdir/.installed"
fi
cp "$src/chat.mjs" "$npmdir/chat.mjs" || bail_out "cannot copy tests/compat/chat.mjs"
diag "Node.js $(node --version), npm $(npm --version 2>/dev/null)"

# ---- the upstream, HERMES_HOME and lighttpd --------------------------------------------
start_upstream upstream
home=$T/home
mk_home "$home"
# Before lighttpd starts: the responders read .env once, at start.
printf 'OPENAI_BASE_URL=%s\nOPENAI_API_KEY=k\nHERMES_MODEL=test-model\n' "$UPSTREAM_URL" >> "$home/.env"
start_lighttpd sdk / "$home" 2

# ---- the SDK cases ---------------------------------------------------------------------------
HERMES_URL=http://127.0.0.1:$LIGHTTPD_PORT/v1 HERMES_KEY=$TEST_KEY HERMES_WRONG_KEY=$WRONG_KEY \
	UPSTREAM_CONTROL=http://127.0.0.1:$UPSTREAM_PORT COMPAT_TIMEOUT=60 \
	timeout 80 node "$npmdir/chat.mjs"
rc=$?
[ "$rc" -eq 0 ] || diag "chat.mjs exited with status $rc"
exit "$rc"
