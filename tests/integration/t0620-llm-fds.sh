#!/bin/bash
# tests/integration/t0620-llm-fds.sh: no fd left behind by 1,000 upstream
# calls of which half fail (the seed's reconnect fd leak is the lesson).
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
if ! start_upstream; then
	echo "not ok 1 - scripted upstream did not start"; echo "1..1"; exit 1
fi
# Not exec: the EXIT trap must still stop the upstream.
"$LLM_FDS" "$UPSTREAM_URL"
