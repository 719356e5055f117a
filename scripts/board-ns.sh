#!/usr/bin/env bash
# scripts/board-ns.sh: run a board's Debian root (arm64, armhf) on this
# amd64 machine, its programs under qemu-user, without touching the machine.
#
#   board-ns.sh start ARCH ROOT [SCRATCH]
#       Starts a holder process in a user and mount namespace of its own
#       (uids and gids 0-65535 mapped to themselves) and prints its pid. In
#       there: a binfmt_misc instance of the namespace's own that runs ARCH
#       programs through qemu-ARCH-static (flag F: the emulator is opened
#       now, so it works inside the chroot), and /proc and /dev bound into
#       the root. With SCRATCH, the chroot is a copy of ROOT made in
#       SCRATCH/root: whatever is installed or written there vanishes with
#       SCRATCH, and ROOT stays as it was.
#   board-ns.sh dir PID        the directory `run` chroots into
#   board-ns.sh run PID CMD... CMD in the holder's namespaces, chrooted
#   board-ns.sh stop PID       ends the holder (not the processes started
#                              by `run`: their starter stops them)
#
# Needs root and Linux 6.7 or later (binfmt_misc per user namespace:
# nothing is registered for the machine, whose other programs never see
# the emulator). scripts/board.sh and tests/cross/t0300-board-install.sh
# use it; docs/packaging.md.
# SPDX-License-Identifier: MIT
set -uo pipefail

die() { printf 'board-ns.sh: %s\n' "$*" >&2; exit 2; }

# The emulator of ARCH and the ELF header of its programs (what binfmt_misc
# matches, under this mask).
ELF_MASK='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
target() {
	case $1 in
	arm64) emu=qemu-aarch64 magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00' ;;
	armhf) emu=qemu-arm magic='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x28\x00' ;;
	*) return 1 ;;
	esac
}

holder_dir() { tr '\0' '\n' < "/proc/$1/environ" 2>/dev/null | sed -n 's/^BOARD_DIR=//p'; }

cmd=${1:-}
shift || true
case $cmd in
start)
	[ $# -ge 2 ] || die "usage: board-ns.sh start ARCH ROOT [SCRATCH]"
	arch=$1 root=$(cd "$2" && pwd) || die "no root $2"
	target "$arch" || die "unknown ARCH $arch (arm64 or armhf)"
	[ -x "/usr/bin/$emu-static" ] || die "/usr/bin/$emu-static is missing: bash scripts/deps.sh qemu-user-static"
	entry=":hermes-$emu:M::$magic:$ELF_MASK:/usr/bin/$emu-static:F"
	dir=$root
	if [ $# -ge 3 ]; then
		# A copy, not an overlay: dpkg renames directories, which overlayfs
		# refuses across its layers (EXDEV).
		mkdir -p "$3" && rm -rf "$3/root" && cp -a --reflink=auto "$root" "$3/root" ||
			die "cannot copy $root to $3/root"
		dir=$(cd "$3" && pwd)/root
	fi
	ready=$(mktemp) || die "mktemp failed"
	# The holder waits for its id maps (written from outside, below), then
	# sets the namespace up and sleeps; `run` joins it.
	BOARD_DIR=$dir BOARD_ENTRY=$entry BOARD_READY=$ready \
		unshare --user --mount --fork -- bash -c '
		while [ -z "$(cat /proc/self/uid_map)" ]; do sleep 0.05; done
		fail() { echo "$*" > "$BOARD_READY"; exit 1; }
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
			fail "cannot mount binfmt_misc in a user namespace (Linux 6.7 or later needed)"
		printf "%s" "$BOARD_ENTRY" > /proc/sys/fs/binfmt_misc/register ||
			fail "cannot register the emulator in the namespace binfmt_misc"
		mount --rbind /proc "$BOARD_DIR/proc" && mount --rbind /dev "$BOARD_DIR/dev" ||
			fail "cannot bind /proc and /dev into $BOARD_DIR"
		mkdir -p "$BOARD_DIR/run" && mount -t tmpfs -o mode=0755 tmpfs "$BOARD_DIR/run" ||
			fail "cannot mount /run in $BOARD_DIR"
		echo ok > "$BOARD_READY"
		exec sleep infinity' < /dev/null > /dev/null 2>&1 &
	up=$!
	holder=
	for _ in $(seq 1 200); do
		holder=$(awk '{ print $1 }' "/proc/$up/task/$up/children" 2>/dev/null)
		[ -n "$holder" ] && break
		sleep 0.05
	done
	[ -n "$holder" ] || { rm -f "$ready"; die "the namespace did not start"; }
	echo "0 0 65536" > "/proc/$holder/uid_map" && echo "0 0 65536" > "/proc/$holder/gid_map" ||
		{ kill "$up"; rm -f "$ready"; die "cannot map the ids (needs root)"; }
	for _ in $(seq 1 200); do
		[ ! -s "$ready" ] || break
		sleep 0.05
	done
	st=$(cat "$ready")
	rm -f "$ready"
	[ "$st" = ok ] || { kill "$up" 2>/dev/null; die "${st:-the namespace did not get ready}"; }
	# The holder (it goes on as sleep); its parent, unshare, ends with it.
	echo "$holder"
	;;
dir)
	[ $# -eq 1 ] || die "usage: board-ns.sh dir PID"
	holder_dir "$1"
	;;
run)
	[ $# -ge 2 ] || die "usage: board-ns.sh run PID CMD..."
	pid=$1
	shift
	dir=$(holder_dir "$pid")
	[ -n "$dir" ] || die "no board holder with pid $pid"
	exec nsenter -t "$pid" -U -m -- chroot "$dir" /usr/bin/env -i -C / \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 TERM=dumb "$@"
	;;
stop)
	[ $# -eq 1 ] || die "usage: board-ns.sh stop PID"
	[ -n "$(holder_dir "$1")" ] || exit 0
	kill "$1" 2>/dev/null
	;;
*) die "usage: board-ns.sh start|dir|run|stop ..." ;;
esac
