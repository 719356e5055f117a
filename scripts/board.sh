#!/usr/bin/env bash
# scripts/board.sh ARCH: install the cross-built package (scripts/cross.sh
# ARCH) into a Debian root of that architecture with apt, as a board owner
# would, and serve through it: tests/cross/t0300-board-install.sh.
#
#   1. scripts/deps.sh debootstrap qemu-user-static.
#   2. build/board-ARCH: a minimal Debian root of the machine's release for
#      ARCH (debootstrap --variant=minbase), with the package's run-time
#      libraries, adduser, lighttpd and spawn-fcgi. debootstrap unpacks it
#      here; its second stage (the packages' maintainer scripts) runs in
#      the root under qemu-user through scripts/board-ns.sh: a namespace of
#      its own, so nothing is registered with the machine's binfmt_misc.
#      usr/sbin/policy-rc.d there keeps every package from starting a
#      service. The root is kept between runs (--fresh makes a new one);
#      the test works on a copy of it and leaves it as it was.
#   3. build/cross-ARCH/deb/hermes-fcgi_VERSION_ARCH.deb from scripts/cross.sh
#      (made with `scripts/cross.sh ARCH --build-only` when missing).
#   4. make check TESTS=tests/cross/t0300-board-install.sh in
#      build/cross-ARCH: its .trs is counted by scripts/check.sh like the
#      others when HERMES_BOARD_ARCHES names ARCH.
#
# Options: --fresh (a new root), --root-only (steps 1 and 2: scripts/check.sh
# makes the root while the other legs build and test).
# The only network use is debootstrap's download from the machine's Debian
# mirror (BOARD_MIRROR overrides it); the test itself runs offline
# (apt knows no source there). Needs root and Linux 6.7 or later. About 4
# minutes for a new root on 2 cores, 1 minute with the root in place.
# SPDX-License-Identifier: MIT
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf '\n== board: %s\n' "$*"; }
die() {
	printf '== board: FAILED: %s\n' "$*" >&2
	exit 1
}

ARCH=${1:-}
shift || true
fresh=no
root_only=no
for a in "$@"; do
	case $a in
	--fresh) fresh=yes ;;
	--root-only) root_only=yes ;;
	*) die "unknown option $a (usage: scripts/board.sh arm64|armhf [--fresh] [--root-only])" ;;
	esac
done
case $ARCH in
arm64 | armhf) ;;
*) die "usage: scripts/board.sh arm64|armhf [--fresh] [--root-only]" ;;
esac
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, namespaces)"

# What the root holds beyond minbase: the package's run-time libraries (its
# Depends and Recommends: the test installs it without downloading), the
# web server and the responder's starter (as t0990 starts it).
BOARD_PACKAGES=adduser,libcurl4,libsqlite3-0,libfcgi0ldbl,libjson-c5,libyaml-0-2,libssl3,libpcre2-8-0,libxml2,lighttpd,spawn-fcgi

say "tools: debootstrap qemu-user-static"
bash "$ROOT/scripts/deps.sh" debootstrap qemu-user-static || die "scripts/deps.sh failed"

# The machine's release and Debian mirror (the first deb822 or .list entry
# of the main archive), unless BOARD_MIRROR names one.
. /etc/os-release
SUITE=${VERSION_CODENAME:-bookworm}
MIRROR=${BOARD_MIRROR:-}
if [ -z "$MIRROR" ]; then
	MIRROR=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { u = $2 } /^Suites:/ && u != "" && $0 ~ " '"$SUITE"'( |$)" { print u; exit }')
fi
if [ -z "$MIRROR" ]; then
	MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $3 == "'"$SUITE"'" { print $2; exit }')
fi
[ -n "$MIRROR" ] || die "no Debian mirror for $SUITE in the apt sources (set BOARD_MIRROR)"

BR=$ROOT/build/board-$ARCH
stamp_want="$ARCH $SUITE $MIRROR $BOARD_PACKAGES"
if [ "$fresh" = no ] && [ -f "$BR.stamp" ] && [ "$(cat "$BR.stamp")" = "$stamp_want" ]; then
	say "the $ARCH root build/board-$ARCH is there (--fresh makes a new one)"
else
	say "a $SUITE $ARCH root in build/board-$ARCH (debootstrap from $MIRROR)"
	rm -rf "$BR" "$BR.stamp"
	mkdir -p "$ROOT/build"
	ok=no
	for try in 1 2 3; do
		if debootstrap --foreign --variant=minbase --arch="$ARCH" --include="$BOARD_PACKAGES" \
			"$SUITE" "$BR" "$MIRROR" > "$ROOT/build/board-$ARCH.debootstrap.log" 2>&1; then
			ok=yes
			break
		fi
		tail -n 5 "$ROOT/build/board-$ARCH.debootstrap.log"
		say "debootstrap's download failed (try $try of 3); retrying in $((try * 10)) s"
		rm -rf "$BR"
		sleep $((try * 10))
	done
	[ "$ok" = yes ] || die "debootstrap --foreign failed 3 times: build/board-$ARCH.debootstrap.log"
	# No service starts inside the root, during the second stage or later.
	printf '#!/bin/sh\nexit 101\n' > "$BR/usr/sbin/policy-rc.d"
	chmod 0755 "$BR/usr/sbin/policy-rc.d"
	# A user namespace may not create device nodes: the root's /dev is the
	# machine's, bound in by board-ns.sh, so debootstrap's check that it
	# can make one is skipped.
	sed -i 's/^check_sane_mount () {/check_sane_mount () { return 0;/' "$BR/debootstrap/functions" ||
		die "cannot adjust debootstrap in the root"
	holder=$(bash "$ROOT/scripts/board-ns.sh" start "$ARCH" "$BR") || die "cannot start the board namespace"
	say "debootstrap --second-stage under qemu (log: build/board-$ARCH.debootstrap.log)"
	bash "$ROOT/scripts/board-ns.sh" run "$holder" /debootstrap/debootstrap --second-stage \
		>> "$ROOT/build/board-$ARCH.debootstrap.log" 2>&1
	rc=$?
	bash "$ROOT/scripts/board-ns.sh" stop "$holder"
	[ $rc -eq 0 ] || { tail -n 20 "$ROOT/build/board-$ARCH.debootstrap.log"; die "the second stage failed"; }
	printf '%s\n' "$stamp_want" > "$BR.stamp"
fi

[ "$root_only" = no ] || exit 0

B=$ROOT/build/cross-$ARCH
version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
if [ ! -s "$B/deb/hermes-fcgi_${version}_$ARCH.deb" ] || [ ! -f "$B/Makefile" ]; then
	say "no package in build/cross-$ARCH/deb: scripts/cross.sh $ARCH --build-only"
	bash "$ROOT/scripts/cross.sh" "$ARCH" --build-only || die "scripts/cross.sh $ARCH --build-only failed"
fi

say "tests/cross/t0300-board-install.sh (build/cross-$ARCH)"
export BOARD_ROOT=$BR CROSS_ARCH=$ARCH CROSS_DEB_DIR=$B/deb
(cd "$B" && make check TESTS=tests/cross/t0300-board-install.sh)
rc=$?
[ $rc -eq 0 ] || [ ! -f "$B/tests/cross/t0300-board-install.log" ] || tail -n 40 "$B/tests/cross/t0300-board-install.log"
exit $rc
