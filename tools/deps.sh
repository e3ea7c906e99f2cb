#!/bin/sh
# deps.sh: install the Debian packages a target needs, when missing.
# usage: sh tools/deps.sh build|check|bench
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

build="gcc make libc6-dev libpcap-dev"
run="socat"
check="$build bats bats-support bats-assert shellcheck mandoc clang
	libclang-rt-14-dev llvm tcpdump tshark wireshark-common socat
	netcat-openbsd iproute2 util-linux bsdutils procps python3 ucspi-tcp"
bench="$build tcpdump socat netcat-openbsd iproute2 util-linux procps time
	wireshark-common runit daemontools s6 moreutils tcpreplay
	ucspi-tcp ipsvd wrk python3"

case "${1:-}" in
build) want="$build $run" ;;
check) want=$check ;;
bench) want=$bench ;;
*) echo "usage: sh tools/deps.sh build|check|bench" >&2; exit 100 ;;
esac

missing=""
for p in $want; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $s in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages; install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -q >/dev/null; then
	echo "deps.sh: unable to run apt-get update" >&2
	exit 111
fi
# shellcheck disable=SC2086 # the list is meant to split into words
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null; then
	echo "deps.sh: unable to install$missing" >&2
	exit 111
fi
