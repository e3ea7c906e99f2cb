#!/bin/sh
# demo.sh: what `make run` starts: chanrelay on examples/demo.conf, in
# the foreground, after telling the user how to feed it and where to look.
set -u
cd "$(dirname "$0")/.." || exit 111

data=${CHANRELAY_DEMO_DATA:-./demo-data}
mkdir -p "$data" || exit 111
CHANRELAY_DEMO_DATA=$data
export CHANRELAY_DEMO_DATA
cat >&2 <<MSG
demo: two channels, supervised by chanrelay (examples/demo.conf):
demo:   alpha  127.0.0.1:5001 -> $data/alpha/  (pcap, a file a minute)
demo:   beta   127.0.0.1:5002 -> $data/beta/   (text lines, time-stamped)
demo:                         -> $data/beta-live.txt (a live copy)
demo: send them something from another terminal:
demo:   echo hello | socat -u - UDP4-SENDTO:127.0.0.1:5001
demo:   echo hello | nc -u -w1 127.0.0.1 5002
demo: then look:  tcpdump -nn -r $data/alpha/current
demo:             cat $data/beta/current
demo: in another terminal: ./chanrelay -f examples/demo.conf -C $data/run status
demo:   (or top: a live view), with records a second and losses read from
demo:   the Prometheus metrics every program writes into $data/metrics/
demo: Ctrl-C stops both channels cleanly (every file is finished).
MSG
CHANRELAY_METRICS_INTERVAL=${CHANRELAY_METRICS_INTERVAL:-1s}
export CHANRELAY_METRICS_INTERVAL
exec ./chanrelay -f examples/demo.conf -C "$data/run" -M "$data/metrics" run
