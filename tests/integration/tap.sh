# tests/integration/tap.sh: minimal TAP helpers for shell tests that need
# no web server. Source it; call tap_ok/tap_is; end with tap_end.
# SPDX-License-Identifier: MIT
TAP_N=0
TAP_FAILED=0
tap_ok() { # cond-status description
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $TAP_N - $2"
	else echo "not ok $TAP_N - $2"; TAP_FAILED=$((TAP_FAILED + 1)); fi
}
tap_is() { # got want description
	if [ "$1" = "$2" ]; then tap_ok 0 "$3"
	else tap_ok 1 "$3"; echo "#   got '$1', want '$2'"; fi
}
tap_like() { # text regex description
	if printf '%s' "$1" | grep -Eq -- "$2"; then tap_ok 0 "$3"
	else tap_ok 1 "$3"; printf '%s\n' "$1" | head -20 | sed 's/^/#   /'; fi
}
tap_end() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
tap_tmpdir() { # sets TAP_TMP, removed on exit
	TAP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hermes-test.XXXXXX")
	trap 'rm -rf "$TAP_TMP"' EXIT
}
