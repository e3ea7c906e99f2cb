#!/bin/sh
# deps.sh: install the Debian packages a target needs, when missing; and
# the npm packages the tests use as a peer, into build/npm.
# usage: sh tools/deps.sh build|check|bench|npm
# As root it runs apt-get; otherwise it prints the exact command and fails.
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
	ucspi-tcp ipsvd wrk python3 nats-server nodejs curl jq"
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

case "${1:-}" in
build) want="$build $run" ;;
check) want=$check ;;
bench) want=$bench ;;
npm) npm_install; exit 0 ;;
*) echo "usage: sh tools/deps.sh build|check|bench|npm" >&2; exit 100 ;;
esac

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
