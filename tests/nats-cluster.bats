#!/usr/bin/env bats
# nats-cluster.bats: nats-send and nats-recv against a three-node JetStream
# cluster on loopback (tests/nats.bash), a stream of three replicas: a paced
# stream of datagrams with sequence numbers goes in while a node is killed
# with SIGKILL and later restarted (the stream's leader; the node nats-send
# is connected to; the node that is both); every record is stored once,
# and nats-recv reads each exactly once, live through the failure and from
# the start afterwards.
# Leader elections take about 5 s here: the deadlines, never sleeps, give
# them their time, with room for the ASan build.
# nats_*, bg_pid and exit_status are set by nats.bash and helper.bash.
# shellcheck disable=SC2154

load helper
load nats

bats_require_minimum_version 1.5.0

COUNT=6000	# records: 12 s at RATE
RATE=500	# a second

# start_channel yes|no: the stream CL (3 replicas) and udp-recv | nats-send
# as two background processes joined by a fifo (each has its own pid);
# then CL's leadership moved until nats-send's node leads it (yes) or does
# not (no); then a live nats-recv (durable "live") and udp-send -c COUNT
# -r RATE into udp-recv. Returns once the stream holds some records; sets
# send_node and live_node (where nats-send and nats-recv are connected)
# and nats_leader.
start_channel() {
	printf '' | nats-send -n "$nats_cluster_url" -C CL -y 3 chan.cl ||
	    fail_msg "unable to create the stream CL" || return 1
	[ "$(nats_stream_json CL | jq -r .config.num_replicas)" = 3 ] ||
	    fail_msg "stream CL is not of 3 replicas" || return 1
	mkfifo "$T/pipe"
	rm -f "$T/recv.addr"
	BG_STDOUT=$T/pipe start_bg recv udp-recv -a "$T/recv.addr" 127.0.0.1:0
	BG_STDIN=$T/pipe start_bg send nats-send -v -n "$nats_cluster_url" \
	    chan.cl
	wait_addr recv || return 1
	wait_until 10 client_node nats-send ||
	    fail_msg "nats-send is on no node: $(cat "$T/send.err")" ||
	    return 1
	send_node=$client_node
	place_leader "$1" || return 1
	# a short ack wait: what a killed node had delivered and not seen
	# acknowledged comes again within seconds
	BG_STDOUT=$T/live.pcap start_bg live nats-recv -n "$nats_cluster_url" \
	    -N live -W 5s -p all -c "$COUNT" chan.cl
	wait_until 10 client_node nats-recv ||
	    fail_msg "nats-recv is on no node: $(cat "$T/live.err")" ||
	    return 1
	live_node=$client_node
	start_bg gen udp-send -c "$COUNT" -r "$RATE" -z 64 \
	    "$(cat "$T/recv.addr")"
	wait_until 20 stored_at_least CL 500 ||
	    fail_msg "the stream did not fill: $(cat "$T/send.err")" ||
	    return 1
	# mid-stream: the sender has seconds of records to go
	running "$(bg_pid_of gen)" ||
	    fail_msg "udp-send is done already: the test is too slow"
}

# stored_at_least STREAM N: STREAM holds at least N messages.
stored_at_least() {
	local m
	m=$(nats_stream_msgs "$1" 2>/dev/null) && [ "${m:-0}" -ge "$2" ]
}

# stored_exactly STREAM N: STREAM holds N messages.
stored_exactly() {
	[ "$(nats_stream_msgs "$1" 2>/dev/null)" = "$2" ]
}

# counters_say NAME REGEX: after a USR1, NAME's stderr matches REGEX.
counters_say() {
	kill -USR1 "$(bg_pid_of "$1")"
	grep -Eq -- "$2" "$T/$1.err"
}

# client_node PROG: the running cluster node PROG (a connection name) is
# connected to, from the nodes' /connz; sets client_node.
client_node() {
	local n
	client_node=
	for n in $(nats_running_nodes); do
		if nats_curl "$(nats_var HTTP "$n")/connz" | jq -e --arg p "$1" \
		    'any(.connections[]?; .name == $p)' >/dev/null; then
			client_node=$n
			return 0
		fi
	done
	return 1
}

# client_moved PROG NODE: PROG is connected to a node other than NODE.
client_moved() {
	client_node "$1" && [ "$client_node" != "$2" ]
}

# stream_stepdown STREAM: ask STREAM's leader to step down (a JetStream API
# request, made by the npm client); another replica takes over at once.
stream_stepdown() {
	# shellcheck disable=SC2016 # JavaScript, not shell
	node -e '
const nats = require(process.argv[1]);
(async () => {
	const nc = await nats.connect({ servers: process.argv[2].split(","),
	    timeout: 2000 });
	const m = await nc.request("$JS.API.STREAM.LEADER.STEPDOWN." +
	    process.argv[3], nats.Empty, { timeout: 5000 });
	const r = JSON.parse(new TextDecoder().decode(m.data));
	await nc.close();
	if (!r.success) {
		console.error("nats-cluster: stepdown: " + JSON.stringify(r));
		process.exit(1);
	}
})().catch((e) => {
	console.error("nats-cluster: stepdown: " + e.message);
	process.exit(1);
});' "$NATS_NPM/nats" "$nats_cluster_url" "$1"
}

# place_leader yes|no: step CL's leader down until it is (yes) or is not
# (no) $send_node; sets nats_leader.
place_leader() {
	local old
	need_nats_peer
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		nats_wait_stream_leader CL 20 || return 1
		if [ "$1" = yes ]; then
			[ "$nats_leader" = "$send_node" ] && return 0
		else
			[ "$nats_leader" != "$send_node" ] && return 0
		fi
		old=$nats_leader
		stream_stepdown CL || return 1
		nats_wait_stream_leader CL 20 "$old" || return 1
	done
	fail_msg "stream CL's leader is still $nats_leader after 10 stepdowns"
}

# check_seqs FILE: the pcap FILE holds each sequence number 0..COUNT-1 of
# udp-send's payloads (bytes 8..15) exactly once, and nothing else.
check_seqs() {
	tshark_fields "$1" data.data | cut -c17-32 | sort | uniq -c >"$T/seqs"
	awk '$1 != 1 { print "seen " $1 " times: " $2 }' "$T/seqs" >"$T/twice"
	[ ! -s "$T/twice" ] ||
	    fail_msg "$1: records out more than once:" "$(head "$T/twice")" ||
	    return 1
	awk '{ print $2 }' "$T/seqs" >"$T/got"
	seq 0 $((COUNT - 1)) | awk '{ printf "%016x\n", $1 }' >"$T/want"
	diff "$T/want" "$T/got" >"$T/diff" ||
	    fail_msg "$1: records missing or unknown:" "$(head -n 20 "$T/diff")"
}

# finish_channel: once udp-send is done and udp-recv got every datagram,
# TERM udp-recv (the pipe ends); nats-send must exit 0 with every record
# acked, the stream hold COUNT messages, the live nats-recv have read each
# record once, and a nats-recv from the start too.
finish_channel() {
	wait_exit "$(bg_pid_of gen)" 60 || return 1
	[ "$exit_status" -eq 0 ] ||
	    fail_msg "udp-send exited $exit_status: $(cat "$T/gen.err")" ||
	    return 1
	wait_until 20 counters_say recv "^udp-recv: received=$COUNT " ||
	    fail_msg "udp-recv did not get every datagram:" \
	    "$(tail -n 1 "$T/recv.err")" || return 1
	stop_bg recv TERM || return 1
	[ "$exit_status" -eq 0 ] ||
	    fail_msg "udp-recv exited $exit_status: $(cat "$T/recv.err")" ||
	    return 1
	if grep -q 'dropped=[1-9]' "$T/recv.err"; then
		fail_msg "udp-recv saw drops: $(cat "$T/recv.err")"
		return 1
	fi
	wait_exit "$(bg_pid_of send)" 60 || return 1
	[ "$exit_status" -eq 0 ] ||
	    fail_msg "nats-send exited $exit_status: $(cat "$T/send.err")" ||
	    return 1
	tail -n 1 "$T/send.err" | grep -Eq "^nats-send: read=$COUNT published=$COUNT acked=$COUNT duplicates=[0-9]+ resent=[0-9]+ failed=0 skipped=0\$" ||
	    fail_msg "nats-send's counters: $(cat "$T/send.err")" || return 1
	wait_until 20 stored_exactly CL "$COUNT" ||
	    fail_msg "stream CL holds $(nats_stream_msgs CL) messages, not $COUNT" ||
	    return 1
	# the live reader: -c COUNT ends it once it has them all
	wait_exit "$(bg_pid_of live)" 60 ||
	    fail_msg "the live nats-recv is still running:" \
	    "$(kill -USR1 "$(bg_pid_of live)"; cat "$T/live.err")" || return 1
	[ "$exit_status" -eq 0 ] ||
	    fail_msg "the live nats-recv exited $exit_status: $(cat "$T/live.err")" ||
	    return 1
	check_seqs "$T/live.pcap" || return 1
	nats-recv -n "$nats_cluster_url" -p all -c "$COUNT" -T 10s chan.cl \
	    >"$T/out.pcap" 2>"$T/out.err" ||
	    fail_msg "nats-recv failed: $(cat "$T/out.err")" || return 1
	check_seqs "$T/out.pcap" || return 1
	# shown with bats --show-output-of-passing-tests
	tail -n 1 "$T/send.err"
}

@test "nats cluster: the stream leader killed (SIGKILL) and restarted mid-stream: every record once" {
	need tshark
	nats_cluster_start
	start_channel no
	local leader=$nats_leader
	echo "nats-send on $send_node, nats-recv on $live_node; leader $leader killed"
	nats_kill "$leader"
	# the others elect a new leader (about 5 s) while records come in
	nats_wait_stream_leader CL 30 "$leader"
	nats_restart "$leader"
	nats_wait_healthy "$leader" 30
	finish_channel
}

@test "nats cluster: the node nats-send is connected to killed (SIGKILL) and restarted: every record once" {
	need tshark
	nats_cluster_start
	start_channel no
	local node=$send_node
	echo "nats-send on $node, killed; nats-recv on $live_node; leader $nats_leader"
	nats_kill "$node"
	# nats-send connects to another node of its list
	wait_until 30 client_moved nats-send "$node"
	nats_wait_stream_leader CL 30 "$node"
	nats_restart "$node"
	nats_wait_healthy "$node" 30
	finish_channel
}

@test "nats cluster: the node nats-send is connected to, the stream's leader, killed and restarted: every record once" {
	need tshark
	nats_cluster_start
	start_channel yes
	local node=$send_node
	echo "nats-send on $node, the leader, killed; nats-recv on $live_node"
	nats_kill "$node"
	wait_until 30 client_moved nats-send "$node"
	nats_wait_stream_leader CL 30 "$node"
	nats_restart "$node"
	nats_wait_healthy "$node" 30
	finish_channel
}
