# tests/integration/upstream.sh: older name of the scripted-upstream helpers
# (start_upstream, script_upstream, upstream_requests, jq_py, agent_env,
# chat, call, tool_result, session_of), which live in
# tests/integration/lib.sh with the rest of the test library.
# SPDX-License-Identifier: MIT
. "${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/integration/lib.sh"
