#!/usr/bin/env bash
# scripts/deps.sh: install the Debian packages hermes-fcgi needs to build,
# run and test. Idempotent: when every package is already installed it does
# not touch apt at all. Runs as root, or through sudo when not root.
#
#   scripts/deps.sh              the packages below
#   scripts/deps.sh --deb        those and the Debian packaging tools
#   scripts/deps.sh PACKAGE...   those packages instead (scripts/cross.sh
#                                installs its cross toolchain so)
#
# While installing, a temporary /usr/sbin/policy-rc.d (exit 101) keeps the
# apache2 and lighttpd packages from starting their system services: the
# project starts its own servers on its own ports. A pre-existing
# policy-rc.d is put back afterwards.
#
# usage: scripts/deps.sh [--deb | PACKAGE...]
#   --deb  also the tools that build and check the Debian package
#          (debian/, docs/packaging.md): scripts/check.sh passes it for
#          tests/integration/t0990-deb-package.sh; building and running
#          the server never needs them.
# SPDX-License-Identifier: MIT
set -euo pipefail

PACKAGES=(
	build-essential autoconf automake libtool pkg-config
	libfcgi-dev libfcgi-bin spawn-fcgi
	libsqlite3-dev sqlite3 libjson-c-dev libcurl4-openssl-dev libyaml-dev
	libssl-dev libxml2-dev libpcre2-dev
	lighttpd apache2 libapache2-mod-fcgid
	bubblewrap
	curl python3 wrk time ca-certificates git
	nodejs npm
)
DEB_PACKAGES=(
	dpkg-dev debhelper fakeroot lintian
)
case ${1:-} in
--deb) PACKAGES+=("${DEB_PACKAGES[@]}") ;;
'') ;;
-*) printf 'usage: scripts/deps.sh [--deb | PACKAGE...]\n' >&2; exit 2 ;;
*) PACKAGES=("$@") ;;
esac

say() { printf 'deps: %s\n' "$*"; }

# installed PKG: PKG is installed, or an installed package provides it (the
# NodeSource nodejs package provides npm and conflicts with Debian's npm:
# asking apt for npm there would fail).
installed() {
	local st
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null || true)
	case "$st" in
	ii*) return 0 ;;
	esac
	dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null |
		awk -F'|' -v p="$1" '$1 ~ /^ii/ {
			n = split($2, a, ",")
			for (i = 1; i <= n; i++) {
				sub(/\(.*/, "", a[i]); gsub(/[ \t]/, "", a[i])
				if (a[i] == p) found = 1
			}
		} END { exit !found }'
}

missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	say "all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=(sudo)
	else
		say "need root to install: ${missing[*]}" >&2
		say "run this script as root, or install sudo" >&2
		exit 1
	fi
fi

say "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive

POLICY=/usr/sbin/policy-rc.d
BACKUP=""
restore_policy() {
	"${SUDO[@]}" rm -f "$POLICY"
	if [ -n "$BACKUP" ]; then
		"${SUDO[@]}" mv -f "$BACKUP" "$POLICY"
	fi
}
if [ -e "$POLICY" ] || [ -L "$POLICY" ]; then
	BACKUP="$POLICY.hermes-fcgi-saved.$$"
	"${SUDO[@]}" mv -f "$POLICY" "$BACKUP"
fi
trap restore_policy EXIT
trap 'exit 130' INT TERM
printf '#!/bin/sh\n# temporary, from hermes-fcgi scripts/deps.sh: start no services\nexit 101\n' |
	"${SUDO[@]}" tee "$POLICY" >/dev/null
"${SUDO[@]}" chmod 0755 "$POLICY"

# DPkg::Lock::Timeout: wait for another apt or dpkg run to finish.
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# apt-get update only when needed: when there are no package lists yet, or
# they are older than a day, or installing from the lists we have fails.
lists_fresh() {
	local f
	f=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n 1)
	[ -n "$f" ]
}
updated=no
if ! lists_fresh; then
	say "apt-get update"
	"${APT[@]}" update
	updated=yes
fi
if ! "${APT[@]}" install --no-install-recommends "${missing[@]}"; then
	if [ "$updated" = yes ]; then
		say "apt-get install failed" >&2
		exit 1
	fi
	say "install failed with the current package lists; apt-get update and retry"
	"${APT[@]}" update
	"${APT[@]}" install --no-install-recommends "${missing[@]}"
fi

still=()
for p in "${missing[@]}"; do
	installed "$p" || still+=("$p")
done
if [ ${#still[@]} -ne 0 ]; then
	say "still not installed: ${still[*]}" >&2
	exit 1
fi
say "installed ${#missing[@]} package(s)"
