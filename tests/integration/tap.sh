# tests/integration/tap.sh: older name of the test library. Everything
# (tap_ok, tap_is, tap_like, tap_end, tap_tmpdir and the rest) lives in
# tests/integration/lib.sh; new tests source that directly.
# SPDX-License-Identifier: MIT
. "${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/integration/lib.sh"
