#!/bin/sh
# demo.sh: the demo channel `make run` starts (until the launcher exists):
# udp-recv on 127.0.0.1, printing every datagram it receives as text.
# usage: sh examples/demo.sh [PORT]   (default 5001; 0 picks a free port)
set -u
cd "$(dirname "$0")/.." || exit 111

port=${1:-${CHANRELAY_DEMO_PORT:-5001}}
dir=$(mktemp -d "${TMPDIR:-/tmp}/chanrelay-demo.XXXXXX") || exit 111
trap 'rm -rf "$dir"' EXIT
trap '' INT	# Ctrl-C reaches udp-recv, which drains and exits

./udp-recv -v -F text -a "$dir/addr" "127.0.0.1:$port" &
pid=$!
i=0
while [ ! -s "$dir/addr" ]; do
	kill -0 "$pid" 2>/dev/null || { wait "$pid"; exit $?; }
	i=$((i + 1))
	[ "$i" -gt 500 ] && { echo "demo: udp-recv did not start" >&2; exit 111; }
	sleep 0.01
done
addr=$(cat "$dir/addr")
port=${addr##*:}
cat >&2 <<MSG
demo: channel "demo" receives on $addr and prints each datagram as
demo: TIME SOURCE > DESTINATION LENGTH PAYLOAD. From another terminal:
demo:   echo hello | socat -u - UDP4-SENDTO:127.0.0.1:$port
demo:   echo hello | nc -u -w1 127.0.0.1 $port
demo: Ctrl-C stops it (it prints its counters on the way out).
MSG
wait "$pid"
