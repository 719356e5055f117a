#!/usr/bin/env bash
# scripts/check.sh: README command 2. Installs what is needed, builds from
# clean and runs every test. .ci/run calls this and nothing else.
#
#   1. scripts/deps.sh --deb (Debian packages, with the packaging tools the
#      package test t0990 needs; no-op when all are there)
#   2. autoreconf -fi
#   3. build/ci: --enable-werror --enable-sanitizers, make, make check
#   4. build/o2: --enable-werror CFLAGS=-O2, make, make check: what ships
#      (optimised, _FORTIFY_SOURCE on) is built and tested too, test
#      programs included; its build is counted as one test of its own
#   5. scripts/cross.sh ARCH for each ARCH of HERMES_CROSS_ARCHES (default
#      "arm64"): a cross build for a board with its sysroot, its Debian
#      package (dpkg-buildpackage -a ARCH), the unit tests, a CGI chat turn
#      and the package's checks under qemu-user; build/cross-ARCH.out keeps
#      its output, and its .trs files are counted like the others. It took
#      3 minutes in a full run here (new sysroot: 64 packages, 43 MB; the
#      toolchain install adds about one more on a fresh machine). armhf is
#      left out of CI: the mirror here served a broken armhf security index
#      on every try so far (apt: "File has unexpected size"), and a leg
#      that fails on the mirror would fail every run. HERMES_CROSS_ARCHES="arm64 armhf"
#      runs both, or scripts/cross.sh armhf alone (CROSS_SOURCES: see
#      docs/install.md)
#   6. scripts/board.sh ARCH for each ARCH of HERMES_BOARD_ARCHES (default
#      "arm64"; empty: none): that package installed with apt on an
#      emulated board and served through the board's lighttpd
#      (tests/cross/t0300-board-install.sh, counted with build/cross-ARCH).
#      Its Debian root is made in the background from the start.
#   The whole run took 15.7 minutes on a 2-core machine with the packages
#   installed (both trees about 11, the arm64 cross leg under 2, the board
#   test half a minute after its root was made in the background). CI
#   asks for under 20: a new leg must pay for itself.
#
# Test cases are counted from the automake .trs files of both trees: the
# TAP driver writes one ":test-result:" line per TAP result. FAIL, ERROR and
# XPASS count as failed; SKIP counts as failed under CI=true (nothing may
# skip in CI) and as neither otherwise. The last line is exactly
# "N passed, M failed"; the exit status is non-zero when anything failed.
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
bash "$ROOT/scripts/deps.sh" --deb || die_build "scripts/deps.sh failed"

# A VPATH build refuses a source tree that was configured in place.
if [ -f "$ROOT/config.status" ]; then
	say "the source tree was configured in place; make distclean there first"
	(make -s distclean >/dev/null 2>&1) || rm -f "$ROOT/config.status"
fi

say "autoreconf -fi"
autoreconf -fi || die_build "autoreconf failed"

# The emulated boards' Debian roots (scripts/board.sh) take minutes, mostly
# one core running a second stage under qemu: made in the background while
# the trees build and test, used after the cross legs.
BOARD_ARCHES=${HERMES_BOARD_ARCHES-arm64}
declare -A board_root_pid=()
if [ -n "$BOARD_ARCHES" ]; then
	bash "$ROOT/scripts/deps.sh" debootstrap qemu-user-static || die_build "scripts/deps.sh (board tools) failed"
	mkdir -p "$ROOT/build"
	for arch in $BOARD_ARCHES; do
		say "scripts/board.sh $arch --root-only, in the background (output in build/board-$arch.root.out)"
		bash "$ROOT/scripts/board.sh" "$arch" --root-only > "$ROOT/build/board-$arch.root.out" 2>&1 &
		board_root_pid[$arch]=$!
	done
fi

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

say "configure build/o2 (--enable-werror CFLAGS=-O2)"
o2_ok=no
o2_rc=1
if (cd "$ROOT/build/o2" && ../../configure --enable-werror CFLAGS=-O2 >configure.out 2>&1 &&
	make -j"$JOBS" >make.out 2>&1 && make -j"$JOBS" check TESTS= >>make.out 2>&1); then
	o2_ok=yes
	echo "build/o2: programs and test programs built"
	say "make -j$JOBS check (build/o2)"
	(cd "$ROOT/build/o2" && make -j"$JOBS" check)
	o2_rc=$?
else
	echo "build/o2: FAILED (last lines of its output follow)"
	tail -n 60 "$ROOT/build/o2/make.out" 2>/dev/null || tail -n 60 "$ROOT/build/o2/configure.out"
fi

# ---- cross legs --------------------------------------------------------------
CROSS_ARCHES=${HERMES_CROSS_ARCHES-arm64}
declare -A cross_rc=()
for arch in $CROSS_ARCHES; do
	say "scripts/cross.sh $arch (output in build/cross-$arch.out)"
	start=$SECONDS
	bash "$ROOT/scripts/cross.sh" "$arch" > "$ROOT/build/cross-$arch.out" 2>&1
	cross_rc[$arch]=$?
	echo "cross $arch: exit ${cross_rc[$arch]} after $((SECONDS - start)) s"
	[ "${cross_rc[$arch]}" -eq 0 ] || tail -n 80 "$ROOT/build/cross-$arch.out"
done

# ---- boards ------------------------------------------------------------------
# scripts/board.sh ARCH: the package of the cross leg installed with apt on
# an emulated board and served through its lighttpd (t0300, counted with
# build/cross-ARCH).
declare -A board_rc=()
for arch in $BOARD_ARCHES; do
	start=$SECONDS
	wait "${board_root_pid[$arch]}"
	root_rc=$?
	echo "board $arch: root ready (exit $root_rc) $((SECONDS - start)) s after the cross legs"
	[ "$root_rc" -eq 0 ] || tail -n 40 "$ROOT/build/board-$arch.root.out"
	say "scripts/board.sh $arch (output in build/board-$arch.out)"
	bash "$ROOT/scripts/board.sh" "$arch" > "$ROOT/build/board-$arch.out" 2>&1
	board_rc[$arch]=$?
	echo "board $arch: exit ${board_rc[$arch]} after $((SECONDS - start)) s"
	[ "${board_rc[$arch]}" -eq 0 ] || tail -n 60 "$ROOT/build/board-$arch.out"
done

# ---- count ----------------------------------------------------------------
passed=0 failed=0 skipped=0
failed_names=()
in_ci=no
case ${CI:-} in true | 1 | yes) in_ci=yes ;; esac

# count_tree DIR: add DIR's .trs results to the counts.
count_tree() {
	local dir=$1 trs res bad
	while IFS= read -r -d '' trs; do
		while IFS= read -r res; do
			case "$res" in
			PASS | XFAIL) passed=$((passed + 1)) ;;
			FAIL | ERROR | XPASS) failed=$((failed + 1)) ;;
			SKIP)
				skipped=$((skipped + 1))
				[ "$in_ci" = no ] || failed=$((failed + 1))
				;;
			esac
		done < <(sed -n 's/^:test-result: *\([A-Z]*\).*/\1/p' "$trs")
		bad='FAIL|ERROR|XPASS'
		[ "$in_ci" = no ] || bad="$bad|SKIP"
		if grep -Eq "^:test-result: *($bad)" "$trs"; then
			failed_names+=("${trs#"$ROOT"/build/}")
		fi
	done < <(find "$dir" -name '*.trs' -print0 | sort -z)
}
count_tree "$ROOT/build/ci"
ci_counted=$((passed + failed))
count_tree "$ROOT/build/o2"
o2_counted=$((passed + failed - ci_counted))

for arch in $CROSS_ARCHES; do
	before=$((passed + failed))
	count_tree "$ROOT/build/cross-$arch"
	if [ $((passed + failed)) -eq "$before" ]; then
		failed=$((failed + 1))
		failed_names+=("scripts/cross.sh $arch ran no test (exit ${cross_rc[$arch]}; see build/cross-$arch.out)")
	elif [ "${cross_rc[$arch]}" -ne 0 ] &&
		! printf '%s\n' "${failed_names[@]}" | grep -q "^cross-$arch/"; then
		failed=$((failed + 1))
		failed_names+=("scripts/cross.sh $arch (exit ${cross_rc[$arch]}, no failing test result)")
	fi
done

# The boards' results are in build/cross-ARCH (counted above, when that
# arch had a cross leg); a board that ran no test is a failure.
for arch in $BOARD_ARCHES; do
	trs=$ROOT/build/cross-$arch/tests/cross/t0300-board-install.trs
	if [ ! -f "$trs" ]; then
		failed=$((failed + 1))
		failed_names+=("scripts/board.sh $arch ran no test (exit ${board_rc[$arch]}; see build/board-$arch.out)")
	elif ! printf ' %s ' $CROSS_ARCHES | grep -q " $arch "; then
		count_tree "$ROOT/build/cross-$arch/tests/cross"
	fi
done

if [ "$o2_ok" = yes ]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	failed_names+=("build/o2 (-O2 -Werror build of programs and test programs)")
fi

# make check failed without a failing test result: a test program did not
# build, or the harness itself broke. That is a failure too.
if [ "$check_rc" -ne 0 ] && ! printf '%s\n' "${failed_names[@]}" | grep -q '^ci/'; then
	failed=$((failed + 1))
	failed_names+=("make check in build/ci (exit $check_rc, no failing test result)")
fi
if [ "$o2_ok" = yes ] && [ "$o2_rc" -ne 0 ] &&
	! printf '%s\n' "${failed_names[@]}" | grep -q '^o2/'; then
	failed=$((failed + 1))
	failed_names+=("make check in build/o2 (exit $o2_rc, no failing test result)")
fi

if [ "$ci_counted" -eq 0 ]; then
	failed=$((failed + 1))
	failed_names+=("make check in build/ci ran no test")
fi
if [ "$o2_ok" = yes ] && [ "$o2_counted" -eq 0 ]; then
	failed=$((failed + 1))
	failed_names+=("make check in build/o2 ran no test")
fi

for tree in ci o2; do
	rc_var=check_rc
	[ "$tree" = ci ] || rc_var=o2_rc
	if [ "${!rc_var}" -ne 0 ] && [ -f "$ROOT/build/$tree/test-suite.log" ]; then
		say "build/$tree/test-suite.log"
		cat "$ROOT/build/$tree/test-suite.log"
	fi
done

say "summary"
if [ ${#failed_names[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failed_names[@]}"
fi
printf '%d skipped\n' "$skipped"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ] && [ "$check_rc" -eq 0 ] && [ "$o2_rc" -eq 0 ]
