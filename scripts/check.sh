#!/usr/bin/env bash
# scripts/check.sh: README command 2. Installs what is needed, builds from
# clean and runs every test. .ci/run calls this and nothing else.
#
#   1. scripts/deps.sh (Debian packages; no-op when all are there)
#   2. autoreconf -fi
#   3. build/ci: --enable-werror --enable-sanitizers, make, make check
#   4. build/o2: --enable-werror CFLAGS=-O2, make (the optimiser sees more,
#      so -O2 warnings are a check of their own; counted as one test)
#
# Test cases are counted from the automake .trs files: the TAP driver writes
# one ":test-result:" line per TAP result. FAIL, ERROR and XPASS count as
# failed, SKIP as neither. The last line is exactly "N passed, M failed";
# the exit status is non-zero when anything failed.
# SPDX-License-Identifier: MIT
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
export HERMES_CHECK=1
JOBS=2

say() { printf '\n== check: %s\n' "$*"; }

# Something broke before any test could run: say so and end with the line CI reads.
die_build() {
	printf '\n== check: FAILED: %s\n' "$*"
	printf '0 passed, 1 failed\n'
	exit 1
}

say "dependencies"
bash "$ROOT/scripts/deps.sh" || die_build "scripts/deps.sh failed"

# A VPATH build refuses a source tree that was configured in place.
if [ -f "$ROOT/config.status" ]; then
	say "the source tree was configured in place; make distclean there first"
	(make -s distclean >/dev/null 2>&1) || rm -f "$ROOT/config.status"
fi

say "autoreconf -fi"
autoreconf -fi || die_build "autoreconf failed"

rm -rf "$ROOT/build/ci" "$ROOT/build/o2"
mkdir -p "$ROOT/build/ci" "$ROOT/build/o2"

say "configure build/ci (--enable-werror --enable-sanitizers)"
(cd "$ROOT/build/ci" && ../../configure --enable-werror --enable-sanitizers) ||
	die_build "configure (build/ci) failed; see build/ci/config.log"

say "make -j$JOBS (build/ci)"
(cd "$ROOT/build/ci" && make -j"$JOBS") || die_build "make (build/ci) failed"

say "make -j$JOBS check (build/ci)"
(cd "$ROOT/build/ci" && make -j"$JOBS" check)
check_rc=$?

say "compile-only pass: build/o2 (--enable-werror CFLAGS=-O2)"
o2_ok=no
if (cd "$ROOT/build/o2" && ../../configure --enable-werror CFLAGS=-O2 >configure.out 2>&1 &&
	make -j"$JOBS" >make.out 2>&1); then
	o2_ok=yes
	echo "build/o2: ok"
else
	echo "build/o2: FAILED (last lines of its output follow)"
	tail -n 60 "$ROOT/build/o2/make.out" 2>/dev/null || tail -n 60 "$ROOT/build/o2/configure.out"
fi

# ---- count ----------------------------------------------------------------
passed=0 failed=0 skipped=0
failed_names=()
while IFS= read -r -d '' trs; do
	while IFS= read -r res; do
		case "$res" in
		PASS | XFAIL) passed=$((passed + 1)) ;;
		FAIL | ERROR | XPASS) failed=$((failed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		esac
	done < <(sed -n 's/^:test-result: *\([A-Z]*\).*/\1/p' "$trs")
	if grep -Eq '^:test-result: *(FAIL|ERROR|XPASS)' "$trs"; then
		failed_names+=("${trs#"$ROOT"/build/ci/}")
	fi
done < <(find "$ROOT/build/ci" -name '*.trs' -print0 | sort -z)

if [ "$o2_ok" = yes ]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	failed_names+=("build/o2 (-O2 -Werror compile)")
fi

if [ "$check_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	# make check failed without a failing test result: a test program did
	# not build, or the harness itself broke. That is a failure too.
	failed=$((failed + 1))
	failed_names+=("make check (exit $check_rc, no failing test result)")
fi

if [ $((passed + failed)) -le 1 ] && [ "$check_rc" -eq 0 ]; then
	failed=$((failed + 1))
	failed_names+=("make check ran no test")
fi

if [ "$check_rc" -ne 0 ] && [ -f "$ROOT/build/ci/test-suite.log" ]; then
	say "build/ci/test-suite.log"
	cat "$ROOT/build/ci/test-suite.log"
fi

say "summary"
if [ ${#failed_names[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failed_names[@]}"
fi
printf '%d skipped\n' "$skipped"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ] && [ "$check_rc" -eq 0 ]
