#!/bin/sh
# run.sh: the fleet example on one machine: a three-node NATS JetStream
# cluster on 127.0.0.1 (n1.conf n2.conf n3.conf), a replicated stream, and
# the channel table fleet.conf run as three hosts (rx1, rx2, archive, each
# a chanrelay with -H); then a few datagrams sent to rx1 and rx2 come out
# in the archive's directories.
#
# usage: examples/fleet/run.sh [-t]
#   without -t: leave it all running until Ctrl-C, then stop it all;
#   -t: check that every datagram reached the archive, stop, exit 0 or 1.
# Ports: 4301-4303 (clients), 6301-6303 (routes), 8301-8303 (monitoring),
# 5101 and 5102 (the channels). Data under ./fleet-data (FLEET_DATA).
set -u
cd "$(dirname "$0")/../.." || exit 111
top=$PWD
PATH=$top:$PATH
NATS_URL=nats://127.0.0.1:4301,nats://127.0.0.1:4302,nats://127.0.0.1:4303
FLEET_DATA=${FLEET_DATA:-$top/fleet-data}
export PATH NATS_URL FLEET_DATA
data=$FLEET_DATA
conf=examples/fleet/fleet.conf
hosts="rx1 rx2 archive"
count=20
test_mode=0

case ${1:-} in
-t) test_mode=1 ;;
"") ;;
*) echo "usage: examples/fleet/run.sh [-t]" >&2; exit 100 ;;
esac

say() { echo "fleet: $*" >&2; }

# wait_until SECONDS CMD...: poll CMD every 100 ms until it succeeds.
wait_until() {
	tries=$(($1 * 10))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

healthy() {
	curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1
}

pids=""
stop_all() {
	for h in $hosts; do
		chanrelay -H "$h" -f "$conf" -C "$data/run-$h" stop \
		    >/dev/null 2>&1
	done
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
}
trap 'stop_all; exit 1' INT TERM

command -v nats-server >/dev/null ||
    { say "nats-server is missing: apt-get install nats-server"; exit 111; }
mkdir -p "$data/nats" || exit 111
for i in 1 2 3; do
	(cd "$data" && exec nats-server -c "$top/examples/fleet/n$i.conf" \
	    >"$data/nats/n$i.log" 2>&1) &
	pids="$pids $!"
done
for port in 8301 8302 8303; do
	wait_until 20 healthy "$port" ||
	    { say "node on $port not healthy: see $data/nats"; stop_all; exit 111; }
done
say "cluster up: $NATS_URL"

# one stream, 3 replicas, for every channel's subject
for s in chanrelay.gps chanrelay.imu; do
	wait_until 20 nats-send -C FLEET -y 3 "$s" </dev/null ||
	    { say "unable to create the stream"; stop_all; exit 111; }
done

for h in $hosts; do
	chanrelay -H "$h" -f "$conf" -C "$data/run-$h" start ||
	    { stop_all; exit 111; }
done
say "hosts up: rx1 (gps), rx2 (imu), archive (gps-archive, imu-archive)"

# the receivers are up once their ports are bound
bound() { ss -Hlun "sport = :$1" | grep -q .; }
if ! wait_until 10 bound 5101 || ! wait_until 10 bound 5102; then
	say "the receivers did not start"
	stop_all
	exit 111
fi
udp-send -c "$count" -r 100 -z 64 127.0.0.1:5101 2>/dev/null
udp-send -c "$count" -r 100 -z 64 127.0.0.1:5102 2>/dev/null
say "sent $count datagrams to each of 127.0.0.1:5101 and :5102"

# archived: the archive's channel NAME holds N records (chanlog's current
# file, or finished ones)
archived() {
	bytes=$(cat "$data/archive/$1"/*.pcap "$data/archive/$1/current" \
	    2>/dev/null | wc -c)
	# 24-byte file header + 16 + 20 + 8 + 64 bytes a record
	[ "$bytes" -ge $((24 + $2 * 108)) ]
}
ok=1
wait_until 30 archived gps "$count" || ok=0
wait_until 30 archived imu "$count" || ok=0
for h in $hosts; do
	chanrelay -H "$h" -f "$conf" -C "$data/run-$h" status
done
if [ "$test_mode" -eq 1 ]; then
	stop_all
	[ "$ok" -eq 1 ] && say "every datagram reached the archive" && exit 0
	say "the archive misses records"
	exit 1
fi
say "look: tcpdump -nn -r $data/archive/gps/current"
say "      nats-recv -p all -F text chanrelay.gps   (NATS_URL=$NATS_URL)"
say "Ctrl-C stops the hosts and the cluster."
while :; do sleep 3600; done
