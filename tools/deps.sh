#!/bin/sh
# deps.sh: install the Debian packages a target needs, when missing; and
# the npm packages the tests use as a peer, into build/npm.
# usage: sh tools/deps.sh build|check|bench|npm|cross
# As root it runs apt-get; otherwise it prints the exact command and fails.
# cross: the arm64 and armhf cross compilers and libraries (Debian
# multiarch), qemu-user with binfmt_misc so their programs run by name, and
# musl for make static.
set -eu

build="gcc make libc6-dev libpcap-dev libnats-dev"
run="socat"
check="$build bats bats-support bats-assert shellcheck mandoc clang
	libclang-rt-14-dev llvm tcpdump tshark wireshark-common socat
	netcat-openbsd iproute2 util-linux bsdutils procps python3 ucspi-tcp
	nats-server nodejs openssl curl jq prometheus prometheus-node-exporter
	gnuplot-nox tmux"
bench="$build tcpdump socat netcat-openbsd iproute2 util-linux procps time
	wireshark-common runit daemontools s6 moreutils tcpreplay
	ucspi-tcp ipsvd wrk python3 nats-server nodejs curl jq iperf3 ethtool
	clang"
# make cross, make check-cross, make static: the target's libraries as
# Debian multiarch packages (ARCH:arm64), its C library as the -cross ones
cross_archs="arm64 armhf"
cross="gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross
	libc6-dev-armhf-cross libnats-dev:arm64 libnats-dev:armhf
	libpcap0.8:arm64 libpcap0.8:armhf qemu-user-static binfmt-support musl-tools"
# The Node.js peer of the NATS tests (tests/tools/nats-peer.js), pinned.
npm_pkgs="nats@2.29.3 nkeys.js@1.1.0"

# npm_install: install $npm_pkgs into build/npm/node_modules unless each
# is there at its version; exit 111 when npm is missing or fails.
npm_install() {
	case $0 in
	*/*) top=$(cd "${0%/*}/.." && pwd) ;;
	*) top=$(cd .. && pwd) ;;
	esac
	need=""
	for p in $npm_pkgs; do
		f=$top/build/npm/node_modules/${p%@*}/package.json
		grep -q "\"version\": *\"${p##*@}\"" "$f" 2>/dev/null ||
		    need="$need $p"
	done
	[ -z "$need" ] && return 0
	if ! command -v npm >/dev/null 2>&1; then
		echo "deps.sh: npm is missing: run sh tools/deps.sh check" >&2
		exit 111
	fi
	echo "deps.sh: npm install$need into build/npm" >&2
	mkdir -p "$top/build/npm"
	# shellcheck disable=SC2086 # the list is meant to split into words
	if ! NPM_CONFIG_UPDATE_NOTIFIER=false npm install --prefix \
	    "$top/build/npm" --no-audit --no-fund --save-exact \
	    --loglevel=error $npm_pkgs >&2; then
		echo "deps.sh: unable to install the npm packages$need" \
		    "into build/npm" >&2
		exit 111
	fi
}

# need_root CMD: print the command to run as root and fail, unless root.
need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	echo "deps.sh: run as root:" >&2
	echo "  sudo $*" >&2
	exit 1
}

# cross_archs_add: add the foreign architectures dpkg lacks; 0 when it
# added one (the package lists are then stale).
cross_archs_add() {
	have=$(dpkg --print-foreign-architectures)
	added=1
	for a in $cross_archs; do
		echo "$have" | grep -qx "$a" && continue
		need_root dpkg --add-architecture "$a"
		echo "deps.sh: dpkg --add-architecture $a" >&2
		dpkg --add-architecture "$a" || exit 111
		added=0
	done
	return $added
}

# common_version PKG: the newest version of PKG that the native and every
# foreign architecture can all install (Multi-Arch: same wants one).
common_version() {
	apt-cache madison "$1" | awk '{ print $3 }' | while read -r v; do
		ok=1
		for a in $cross_archs; do
			apt-cache madison "$1:$a" | awk '{ print $3 }' |
			    grep -qxF "$v" || ok=0
		done
		[ "$ok" -eq 1 ] && { echo "$v"; break; }
	done
}

# The Multi-Arch: same libraries that libnats (libssl3) and libpcap
# (through libdbus: libsystemd0 and what it links) pull in for a target.
cross_shared="libssl3 libsystemd0 liblzma5 libcap2 libgcrypt20 libzstd1
	liblz4-1 libgpg-error0"

# cross_align: pins that install each of $cross_shared at one version for
# every architecture, for a mirror whose foreign lists lag the native one
# (the install fails with "libssl3:arm64 ... not going to be installed",
# or "liblzma5 : Breaks: liblzma5:arm64 (!= ...)"); the host's own copy
# moves to that version too. Empty when no package needs it.
cross_align() {
	pins=""
	for p in $cross_shared; do
		v=$(common_version "$p")
		[ -n "$v" ] || continue
		pins="$pins $p=$v"
		for a in $cross_archs; do
			pins="$pins $p:$a=$v"
		done
	done
	v=$(common_version libssl3)
	s=$(dpkg-query -W -f='${Status}' libssl-dev 2>/dev/null || true)
	case $s in
	*" installed") [ -n "$v" ] && pins="$pins libssl-dev=$v" ;;
	esac
	echo "$pins"
}

# binfmt_ok: the kernel runs arm64 and armhf programs through qemu-user.
binfmt_ok() {
	for f in qemu-aarch64 qemu-arm; do
		head -n 1 "/proc/sys/fs/binfmt_misc/$f" 2>/dev/null |
		    grep -qx enabled || return 1
	done
}

# binfmt_register: mount binfmt_misc when it is not, and enable qemu's
# interpreters (binfmt-support registers them at install, but not where
# binfmt_misc was not mounted then, as in a container).
binfmt_register() {
	binfmt_ok && return 0
	if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
		need_root mount -t binfmt_misc binfmt_misc \
		    /proc/sys/fs/binfmt_misc
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
		    { echo "deps.sh: unable to mount binfmt_misc" >&2;
		    exit 111; }
	fi
	for f in qemu-aarch64 qemu-arm; do
		need_root update-binfmts --enable "$f"
		update-binfmts --enable "$f" >/dev/null 2>&1 || true
	done
	binfmt_ok || { echo "deps.sh: unable to register qemu-aarch64" \
	    "and qemu-arm with binfmt_misc" >&2; exit 111; }
}

case "${1:-}" in
build) want="$build $run" ;;
check) want=$check ;;
bench) want=$bench ;;
cross) want=$cross ;;
npm) npm_install; exit 0 ;;
*)
	echo "usage: sh tools/deps.sh build|check|bench|npm|cross" >&2
	exit 100
	;;
esac

stale=1
if [ "$1" = cross ] && cross_archs_add; then
	stale=0
fi

missing=""
for p in $want; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $s in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
# npm comes with a nodejs package from outside Debian, and on its own in
# Debian: ask for Debian's only when there is no npm at all.
if [ "$1" = check ] && ! command -v npm >/dev/null 2>&1; then
	missing="$missing npm"
fi
if [ -z "$missing" ] && [ "$stale" -eq 1 ]; then
	[ "$1" = cross ] && binfmt_register
	exit 0
fi

if [ -n "$missing" ] && [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages; install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -q >/dev/null; then
	# one foreign list a mirror serves half-synced fails the whole
	# update; the install below says whether what it has is enough
	if [ "$1" != cross ]; then
		echo "deps.sh: unable to run apt-get update" >&2
		exit 111
	fi
	echo "deps.sh: apt-get update failed; trying with the lists" \
	    "it has" >&2
fi
if [ -n "$missing" ]; then
	echo "deps.sh: installing$missing" >&2
	# shellcheck disable=SC2086 # the list is meant to split into words
	if ! apt-get install -y -q --no-install-recommends $missing \
	    >/dev/null 2>&1; then
		pins=""
		[ "$1" = cross ] && pins=$(cross_align)
		[ -n "$pins" ] && echo "deps.sh: again with $pins" >&2
		# shellcheck disable=SC2086 # the list is meant to split
		if [ -z "$pins" ] || ! apt-get install -y -q --allow-downgrades \
		    --no-install-recommends $missing $pins >/dev/null; then
			echo "deps.sh: unable to install$missing" >&2
			exit 111
		fi
	fi
fi
[ "$1" = cross ] && binfmt_register
exit 0
