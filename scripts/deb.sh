#!/usr/bin/env bash
# scripts/deb.sh: build the Debian package from this checkout without
# touching it (docs/packaging.md).
#
# usage: scripts/deb.sh OUTDIR [dpkg-buildpackage options...]
#   e.g. scripts/deb.sh /tmp/deb
#        DEB_BUILD_OPTIONS=nocheck scripts/deb.sh /tmp/deb -a arm64
#
# The files git knows (tracked, and new ones not ignored) are copied to
# OUTDIR/hermes-fcgi-VERSION, `dpkg-buildpackage -b -us -uc` runs there
# with the given options, and the .deb, .buildinfo and .changes land in
# OUTDIR. Without git (an unpacked tarball) the tree is copied without its
# build/ directory. The packaging tools: scripts/deps.sh --deb.
# SPDX-License-Identifier: MIT
set -euo pipefail

die() { printf 'deb.sh: %s\n' "$*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: scripts/deb.sh OUTDIR [dpkg-buildpackage options...]"
OUT=$1
shift
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v dpkg-buildpackage >/dev/null 2>&1 || die "dpkg-buildpackage not found: bash scripts/deps.sh --deb"

version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
[ -n "$version" ] || die "no version in debian/changelog"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SRC=$OUT/hermes-fcgi-$version
rm -rf "$SRC"
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -C "$SRC" -xf -
else
	(cd "$ROOT" && tar --exclude=./build --exclude=./node_modules -cf - .) | tar -C "$SRC" -xf -
fi
# A tree configured in place would break the out-of-tree build.
[ ! -f "$SRC/config.status" ] || die "the checkout was configured in place: make distclean there first"

(cd "$SRC" && dpkg-buildpackage -b -us -uc "$@")
ls "$OUT"/hermes-fcgi_"$version"_*.deb
