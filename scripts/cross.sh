#!/usr/bin/env bash
# scripts/cross.sh ARCH: build hermes-fcgi for a board (ARCH = arm64 or
# armhf) on a Debian amd64 machine and run its tests under qemu-user.
#
#   1. scripts/deps.sh crossbuild-essential-ARCH qemu-user: Debian's cross
#      compiler and the user-mode emulator (no binfmt_misc needed: every
#      target program is started through qemu explicitly).
#   2. A target sysroot, build/sysroot-ARCH: a private apt (its own package
#      lists, an empty dpkg status, APT::Architecture=ARCH) downloads the
#      target's -dev packages with all their dependencies, and dpkg -x
#      unpacks each. Nothing is installed on the machine for ARCH: multiarch
#      -dev packages (libssl-dev:arm64 ...) beside the native ones break
#      whenever the mirror's ARCH index lags the amd64 security updates,
#      because Multi-Arch: same libraries must match versions exactly. A
#      failed `apt-get update` of the ARCH index (a mirror hiccup: hash sum
#      mismatch, a lagging file) is retried, and fails the script in the end.
#      CROSS_SOURCES=FILE (a .list or deb822 .sources file) gives the
#      sysroot other sources than the machine's, for when a mirror's ARCH
#      index stays broken longer than the retries.
#   3. build/cross-ARCH: configure --host=TRIPLET with CC="TRIPLET-gcc
#      --sysroot=SYSROOT", pkg-config pointed into the sysroot; make.
#   4. The Debian package for ARCH: scripts/deb.sh build/cross-ARCH/deb -a
#      ARCH -d (dpkg-buildpackage) with the same compiler and pkg-config.
#      The sysroot has a dpkg database of its own (SYSROOT/var/lib/dpkg,
#      written while unpacking: status, file lists, symbols and shlibs
#      files), which debian/rules hands to dpkg-shlibdeps, so the package
#      depends on exactly the target libraries its programs need.
#   5. make check-cross (Makefile.am: the unit tests,
#      tests/cross/t0100-cross-cgi.sh, a CGI /v1/models and a chat turn
#      against the scripted upstream running natively on 127.0.0.1, and
#      tests/cross/t0200-cross-deb.sh, the package of step 4 checked and its
#      unpacked programs run the same way), every target program run as
#      `qemu-ARCH -L SYSROOT PROGRAM` (the wrapper build/cross-ARCH/qemu-run,
#      also in $CROSS_EXEC for the shell tests). Results are automake .trs
#      files: scripts/check.sh counts them.
#
# The sysroot is kept between runs on one machine when its package list is
# unchanged (--fresh makes a new one); the build tree is always new.
# Options: --fresh; --build-only (steps 1-4, no tests); --no-deb (skip step
# 4: t0200 then fails). Exit status 0 when everything passed.
# SPDX-License-Identifier: MIT
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${CROSS_JOBS:-2}

say() { printf '\n== cross: %s\n' "$*"; }
die() {
	printf '== cross: FAILED: %s\n' "$*" >&2
	exit 1
}

ARCH=${1:-}
shift || true
fresh=no
build_only=no
build_deb=yes
for a in "$@"; do
	case $a in
	--fresh) fresh=yes ;;
	--build-only) build_only=yes ;;
	--no-deb) build_deb=no ;;
	*) die "unknown option $a (usage: scripts/cross.sh arm64|armhf [--fresh] [--build-only] [--no-deb])" ;;
	esac
done
case $ARCH in
arm64) TRIPLET=aarch64-linux-gnu QEMU=qemu-aarch64 CROSS_ELF_MACHINE=AArch64 ;;
armhf) TRIPLET=arm-linux-gnueabihf QEMU=qemu-arm CROSS_ELF_MACHINE=ARM ;;
*) die "usage: scripts/cross.sh arm64|armhf [--fresh] [--build-only] [--no-deb]" ;;
esac

# What the target build links against: the -dev packages of docs/install.md
# (the runtime libraries come in as their dependencies).
TARGET_PACKAGES=(
	libc6-dev libfcgi-dev libsqlite3-dev libjson-c-dev libcurl4-openssl-dev
	libyaml-dev libssl-dev libxml2-dev libpcre2-dev
)

SYSROOT=$ROOT/build/sysroot-$ARCH
APTDIR=$ROOT/build/sysroot-$ARCH.apt
B=$ROOT/build/cross-$ARCH

# ---- 1. toolchain ------------------------------------------------------------
say "toolchain: crossbuild-essential-$ARCH qemu-user"
bash "$ROOT/scripts/deps.sh" "crossbuild-essential-$ARCH" qemu-user ||
	die "scripts/deps.sh could not install the cross toolchain"
command -v "$TRIPLET-gcc" >/dev/null || die "$TRIPLET-gcc not found after installing"
QEMU_BIN=$(command -v "$QEMU") || die "$QEMU not found after installing qemu-user"

# ---- 2. sysroot --------------------------------------------------------------
# sysroot_register DEB: record an unpacked package in the sysroot's own dpkg
# database, SYSROOT/var/lib/dpkg: its status paragraph, its file list (paths
# as they are on this machine, SYSROOT/usr/lib/...) and its symbols and
# shlibs files. dpkg-shlibdeps reads that database (--admindir) when the
# package is cross-built (step 5): which package ships each library the
# programs need, and from which version on.
sysroot_register() {
	local deb=$1 adm=$SYSROOT/var/lib/dpkg pkg arch ma name ctl f
	pkg=$(dpkg-deb -f "$deb" Package) && arch=$(dpkg-deb -f "$deb" Architecture) || return 1
	ma=$(dpkg-deb -f "$deb" Multi-Arch)
	# dpkg names the files of a Multi-Arch: same package PKG:ARCH.list.
	name=$pkg
	[ "$ma" != same ] || name=$pkg:$arch
	mkdir -p "$adm/info" "$adm/updates" || return 1
	# The multiarch layout of the database (PKG:ARCH file names).
	[ -f "$adm/info/format" ] || echo 1 > "$adm/info/format" || return 1
	{ dpkg-deb -f "$deb" | sed '/^Package:/a Status: install ok installed' && echo; } >> "$adm/status" || return 1
	dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\./||' -e 's|/$||' |
		awk -v r="$SYSROOT" '$0 != "" && $0 != "." { print r "/" $0 }' > "$adm/info/$name.list" || return 1
	ctl=$(mktemp -d) || return 1
	dpkg-deb -e "$deb" "$ctl" || { rm -rf "$ctl"; return 1; }
	for f in symbols shlibs; do
		[ ! -f "$ctl/$f" ] || cp "$ctl/$f" "$adm/info/$name.$f"
	done
	rm -rf "$ctl"
}

stamp_want="$ARCH ${TARGET_PACKAGES[*]} ${CROSS_SOURCES:-} dpkg-db-1"
if [ "$fresh" = no ] && [ -f "$SYSROOT/.hermes-sysroot" ] &&
	[ "$(cat "$SYSROOT/.hermes-sysroot")" = "$stamp_want" ]; then
	say "sysroot $SYSROOT is there (--fresh makes a new one)"
else
	say "sysroot for $ARCH: apt-get download + dpkg -x"
	rm -rf "$SYSROOT" "$APTDIR"
	mkdir -p "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial" \
		"$APTDIR/sources.list.d" "$APTDIR/preferences.d" "$SYSROOT"
	: > "$APTDIR/status"
	# The machine's own Debian sources (the only network these scripts
	# use), or the file CROSS_SOURCES names (a .list or deb822 .sources).
	: > "$APTDIR/sources.list"
	if [ -n "${CROSS_SOURCES:-}" ]; then
		[ -f "$CROSS_SOURCES" ] || die "CROSS_SOURCES=$CROSS_SOURCES is not a file"
		case $CROSS_SOURCES in
		*.sources) cp "$CROSS_SOURCES" "$APTDIR/sources.list.d/cross.sources" ;;
		*) cp "$CROSS_SOURCES" "$APTDIR/sources.list" ;;
		esac
		echo "sysroot sources: $CROSS_SOURCES (CROSS_SOURCES)"
	else
		[ ! -f /etc/apt/sources.list ] || cp /etc/apt/sources.list "$APTDIR/sources.list"
		for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
			[ ! -f "$f" ] || cp "$f" "$APTDIR/sources.list.d/"
		done
	fi
	cat > "$APTDIR/apt.conf" <<-EOF
		APT::Architecture "$ARCH";
		APT::Architectures { "$ARCH"; };
		APT::Install-Recommends "false";
		APT::Sandbox::User "root";
		Acquire::Retries "3";
		Dir::State "$APTDIR/state";
		Dir::State::status "$APTDIR/status";
		Dir::Cache "$APTDIR/cache";
		Dir::Etc::SourceList "$APTDIR/sources.list";
		Dir::Etc::SourceParts "$APTDIR/sources.list.d";
		Dir::Etc::Preferences "$APTDIR/preferences";
		Dir::Etc::PreferencesParts "$APTDIR/preferences.d";
	EOF
	export APT_CONFIG=$APTDIR/apt.conf
	ok=no
	for try in 1 2 3 4 5; do
		if apt-get -q update --error-on=any; then
			ok=yes
			break
		fi
		say "apt-get update for $ARCH failed (try $try of 5); retrying in $((try * 10)) s"
		sleep $((try * 10))
	done
	[ "$ok" = yes ] || die "apt-get update of the $ARCH package lists failed 5 times"
	ok=no
	for try in 1 2 3; do
		if apt-get -q -y install --download-only "${TARGET_PACKAGES[@]}"; then
			ok=yes
			break
		fi
		say "downloading the $ARCH packages failed (try $try of 3); update and retry"
		sleep $((try * 10))
		apt-get -q update --error-on=any || true
	done
	[ "$ok" = yes ] || die "could not download the $ARCH packages"
	unset APT_CONFIG
	n=0
	for deb in "$APTDIR"/cache/archives/*.deb; do
		dpkg -x "$deb" "$SYSROOT" || die "dpkg -x $deb failed"
		sysroot_register "$deb" || die "cannot record $deb in the sysroot's dpkg database"
		n=$((n + 1))
	done
	# Absolute symlinks (/usr/lib/... -> /lib/...) would leave the sysroot
	# for the machine's own files: point them inside it.
	while IFS= read -r -d '' l; do
		t=$(readlink "$l")
		case $t in /*) ln -sfn "$SYSROOT$t" "$l" ;; esac
	done < <(find "$SYSROOT" -type l -print0)
	printf '%s\n' "$stamp_want" > "$SYSROOT/.hermes-sysroot"
	rm -rf "$APTDIR/cache/archives"
	echo "sysroot: $n packages unpacked into $SYSROOT"
fi

# ---- 3. configure and build ----------------------------------------------------
[ -x "$ROOT/configure" ] || (cd "$ROOT" && autoreconf -fi) || die "autoreconf failed"
rm -rf "$B"
mkdir -p "$B"
cat > "$B/qemu-run" <<EOF
#!/bin/sh
# written by scripts/cross.sh: run a $ARCH program under qemu-user with its sysroot
exec $QEMU_BIN -L $SYSROOT "\$@"
EOF
chmod +x "$B/qemu-run"

# pkg-config reads the sysroot's .pc files and prefixes their paths with it;
# a wrapper, so that a configure re-run by make does the same.
cat > "$B/pkg-config" <<EOF
#!/bin/sh
# written by scripts/cross.sh: pkg-config for the $ARCH sysroot
PKG_CONFIG_SYSROOT_DIR=$SYSROOT
PKG_CONFIG_LIBDIR=$SYSROOT/usr/lib/$TRIPLET/pkgconfig:$SYSROOT/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
exec pkg-config "\$@"
EOF
chmod +x "$B/pkg-config"
say "configure build/cross-$ARCH (--host=$TRIPLET, --sysroot)"
(cd "$B" && ../../configure --host="$TRIPLET" --enable-werror \
	CC="$TRIPLET-gcc --sysroot=$SYSROOT" PKG_CONFIG="$B/pkg-config" CFLAGS="-O2 -g") ||
	die "configure failed; see build/cross-$ARCH/config.log"

say "make -j$JOBS (build/cross-$ARCH)"
(cd "$B" && make -j"$JOBS") || die "make failed"
if ! "$B/qemu-run" "$B/hermesctl" --version >/dev/null 2>&1 &&
	! "$B/qemu-run" "$B/hermesctl" help >/dev/null 2>&1; then
	echo "note: hermesctl does not answer --version/help under $QEMU"
fi

# ---- 4. the Debian package, cross-built -----------------------------------------
# dpkg-buildpackage -a ARCH -d (the target's -dev packages are in the sysroot,
# not installed, so the build dependencies are not checked) with the same
# compiler and pkg-config; debian/rules gives dpkg-shlibdeps the sysroot and
# its dpkg database (HERMES_CROSS_SYSROOT). A failure here does not stop
# the script: tests/cross/t0200-cross-deb.sh reports it with deb.log.
export CROSS_DEB_DIR=$B/deb CROSS_ARCH=$ARCH CROSS_SYSROOT=$SYSROOT CROSS_APT_CONFIG=$APTDIR/apt.conf
if [ "$build_deb" = yes ]; then
	say "dpkg-buildpackage -a $ARCH (build/cross-$ARCH/deb, log in deb.log there)"
	mkdir -p "$CROSS_DEB_DIR"
	if bash "$ROOT/scripts/deps.sh" --deb > "$CROSS_DEB_DIR/deb.log" 2>&1 &&
		HERMES_CROSS_SYSROOT=$SYSROOT CC="$TRIPLET-gcc --sysroot=$SYSROOT" PKG_CONFIG="$B/pkg-config" \
			DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=$JOBS" \
			bash "$ROOT/scripts/deb.sh" "$CROSS_DEB_DIR" -a "$ARCH" -d >> "$CROSS_DEB_DIR/deb.log" 2>&1; then
		ls "$CROSS_DEB_DIR"/*.deb
	else
		tail -n 30 "$CROSS_DEB_DIR/deb.log"
		echo "== cross: the $ARCH package did not build (t0200 fails; see build/cross-$ARCH/deb/deb.log)"
	fi
fi
[ "$build_only" = no ] || exit 0

# ---- 5. tests under qemu ---------------------------------------------------------
say "make check-cross under $QEMU (build/cross-$ARCH)"
# Wall-clock bounds in the unit tests (tap_time_bound) allow for emulation.
export CROSS_EXEC=$B/qemu-run CROSS_ELF_MACHINE HERMES_TEST_TIME_SCALE=10
(cd "$B" && make -j"$JOBS" check-cross LOG_COMPILER="$B/qemu-run")
rc=$?
[ $rc -eq 0 ] || [ ! -f "$B/test-suite.log" ] || cat "$B/test-suite.log"
exit $rc
