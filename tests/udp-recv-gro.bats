#!/usr/bin/env bats
# recv_port, bg_pid and exit_status are set by helper.bash
# shellcheck disable=SC2154
# tests/udp-recv-gro.bats: udp-recv with UDP_GRO (the default) and without
# (-G), fed by a python3 sender that sends trains with UDP_SEGMENT over
# loopback: the records are the datagrams sent, the same either way, and the
# counters add up; tshark and tcpdump read the output.

bats_require_minimum_version 1.5.0
load helper

setup_file() {
	command -v udp-recv >/dev/null ||
	    fail_msg "udp-recv is not built: run make"
	# gsosend.py HOST PORT SPEC...: each SPEC is SENDER:SEG:COUNT[:LAST],
	# one send of COUNT datagrams of SEG bytes (the last LAST bytes) from
	# sender socket SENDER (number them in order of first use), with
	# UDP_SEGMENT when COUNT > 1. Datagram k of the run holds the bytes
	# (k + j) % 251. Writes "SENDER LEN HEX" per datagram to the file
	# $EXPECT, and prints how many it sent.
	cat >"$BATS_FILE_TMPDIR/gsosend.py" <<-'EOF'
	import os, socket, struct, sys
	host, port = sys.argv[1], int(sys.argv[2])
	socks, k, out = {}, 0, []
	for spec in sys.argv[3:]:
	    f = [int(x) for x in spec.split(':')]
	    s, seg, count = f[0], f[1], f[2]
	    last = f[3] if len(f) > 3 else seg
	    if s not in socks:
	        socks[s] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	    buf = bytearray()
	    for i in range(count):
	        n = last if i == count - 1 else seg
	        d = bytes((k + j) % 251 for j in range(n))
	        out.append('%d %d %s' % (s, n, d.hex()))
	        buf += d
	        k += 1
	    anc = []
	    if count > 1:
	        anc = [(socket.SOL_UDP, 103, struct.pack('=H', seg))]
	    socks[s].sendmsg([bytes(buf)], anc, 0, (host, port))
	with open(os.environ['EXPECT'], 'w') as e:
	    e.write(''.join(l + '\n' for l in out))
	print(k)
	EOF
	# pcapdump.py FILE: "SENDER LEN HEX" per record of udp-recv's pcap
	# output (IPv4), senders numbered by source port in order of first
	# appearance; then "times N": how many distinct receive times.
	cat >"$BATS_FILE_TMPDIR/pcapdump.py" <<-'EOF'
	import struct, sys
	d = open(sys.argv[1], 'rb').read()
	assert struct.unpack('=I', d[:4])[0] == 0xa1b23c4d, 'not ns pcap'
	off, ports, times = 24, {}, set()
	while off < len(d):
	    sec, ns, cap, orig = struct.unpack('=IIII', d[off:off + 16])
	    rec = d[off + 16:off + 16 + cap]
	    off += 16 + cap
	    sport, dport, ulen = struct.unpack('>HHH', rec[20:26])
	    assert ulen == cap - 20 and orig == cap, 'bad lengths'
	    p = ports.setdefault(sport, len(ports))
	    times.add((sec, ns))
	    print(p, ulen - 8, rec[28:].hex())
	print('times', len(times))
	EOF
}

setup() {
	T=$BATS_TEST_TMPDIR
	need python3
}

# run_flow NAME ARGS -- SPEC...: udp-recv ARGS (pcap, -v) on 127.0.0.1:0
# until it has written every datagram the sender sent for SPEC...; its
# output in $T/NAME.pcap, the records as pcapdump.py shows them in
# $T/NAME.recs, the sender's in $T/NAME.want, the count sent in $sent.
run_flow() {
	local name=$1 args=()
	shift
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	BG_STDOUT=$T/$name.pcap start_recv "$name" -v -F pcap -T 5s "${args[@]}" \
	    127.0.0.1:0
	sent=$(EXPECT=$T/$name.want timeout 20 python3 \
	    "$BATS_FILE_TMPDIR/gsosend.py" 127.0.0.1 "$recv_port" "$@")
	wait_until 10 written_all "$T/$name.pcap" "$T/$name.want" ||
	    fail_msg "$name: not every record came" || return 1
	stop_bg "$name"
	[ "$exit_status" -eq 0 ] || fail_msg "$name: exit $exit_status:" \
	    "$(cat "$T/$name.err")" || return 1
	python3 "$BATS_FILE_TMPDIR/pcapdump.py" "$T/$name.pcap" >"$T/$name.recs"
}

# written_all PCAP WANT: PCAP has as many records as WANT has lines.
written_all() {
	python3 "$BATS_FILE_TMPDIR/pcapdump.py" "$1" 2>/dev/null |
	    grep -vc '^times' | grep -qx "$(wc -l <"$2")"
}

# same_both SPEC...: the flow with GRO and with -G gives the datagrams sent,
# record for record; with GRO a train's records share its time.
same_both() {
	run_flow gro -- "$@"
	grep -q ', UDP_GRO$' "$T/gro.err" ||
	    fail_msg "GRO not on: $(cat "$T/gro.err")"
	run_flow nogro -G -- "$@"
	if grep -q 'UDP_GRO' "$T/nogro.err"; then
		fail_msg "-G: GRO still on"
	fi
	grep -v '^times' "$T/gro.recs" | diff "$T/gro.want" - >&2
	grep -v '^times' "$T/nogro.recs" | diff "$T/nogro.want" - >&2
	grep -v '^times' "$T/gro.recs" |
	    diff - <(grep -v '^times' "$T/nogro.recs") >&2
	grep -q "received=$sent written=$sent dropped=0" "$T/gro.err" ||
	    fail_msg "counters: $(cat "$T/gro.err")"
	grep -q "received=$sent written=$sent dropped=0" "$T/nogro.err" ||
	    fail_msg "counters: $(cat "$T/nogro.err")"
}

# times NAME: the distinct receive times in NAME's records.
times() {
	sed -n 's/^times //p' "$T/$1.recs"
}

@test "usage: -G is in the usage line" {
	run udp-recv -h
	assert_success
	assert_output --partial '[-GhRuv]'
}

@test "usage: -G with -I is refused (a capture has no GRO)" {
	run timeout 20 udp-recv -G -I "$FIXTURES/lo-en10mb.pcap"
	assert_failure 100
	assert_line --index 0 --partial '-G is for a socket'
}

@test "GRO and -G: 1-byte datagrams, trains of 64" {
	same_both 0:1:64 0:1:64 0:1:7
	[ "$sent" -eq 135 ]
	[ "$(times gro)" -le 3 ]
}

@test "GRO and -G: 1399 bytes, a short last datagram" {
	same_both 0:1399:40 0:1399:46:1 0:1399:3:700
	[ "$sent" -eq 89 ]
	[ "$(times gro)" -le 3 ]
}

@test "GRO and -G: 1400 bytes" {
	same_both 0:1400:46 0:1400:46 0:1400:10:1399
	[ "$(times gro)" -le 3 ]
}

@test "GRO and -G: 1472 bytes" {
	same_both 0:1472:44 0:1472:44:2 0:1472:1
	[ "$(times gro)" -le 3 ]
}

@test "GRO and -G: 8972 bytes" {
	same_both 0:8972:7 0:8972:7:8971 0:8972:2:1
	[ "$(times gro)" -le 3 ]
}

@test "GRO and -G: sizes and senders mixed in one flow break the trains" {
	# one destination; the trains must break where the sender or the
	# size changes, and after a short datagram
	same_both 0:1400:10:700 1:1400:5 0:1400:3 0:1472:3 2:1:20 \
	    1:8972:7:100 0:1399:2 2:1400:1 0:1400:20:1 1:1400:20
	[ "$sent" -eq 91 ]
	# the senders' records come in the order sent, each train's at once
	[ "$(times gro)" -le 10 ]
}

@test "GRO: -c stops at COUNT records in the middle of a train" {
	BG_STDOUT=$T/c.pcap start_recv c -v -F pcap -c 10 127.0.0.1:0
	EXPECT=$T/c.want python3 "$BATS_FILE_TMPDIR/gsosend.py" 127.0.0.1 \
	    "$recv_port" 0:1400:40 >/dev/null
	finish c
	[ "$exit_status" -eq 0 ]
	python3 "$BATS_FILE_TMPDIR/pcapdump.py" "$T/c.pcap" | grep -v '^times' \
	    >"$T/c.recs"
	head -n 10 "$T/c.want" | diff - "$T/c.recs"
}

@test "GRO: tshark and tcpdump read the output" {
	need tshark tcpdump
	run_flow rd -- 0:1400:46:3 1:8972:7 0:1:5
	[ "$sent" -eq 58 ]
	tshark_fields "$T/rd.pcap" udp.length >"$T/len"
	[ "$(wc -l <"$T/len")" -eq 58 ]
	[ "$(grep -cx 1408 "$T/len")" -eq 45 ]
	[ "$(grep -cx 11 "$T/len")" -eq 1 ]
	[ "$(grep -cx 8980 "$T/len")" -eq 7 ]
	[ "$(grep -cx 9 "$T/len")" -eq 5 ]
	run tcpdump -nr "$T/rd.pcap"
	assert_success
	[ "$(grep -c 'UDP, length' <<<"$output")" -eq 58 ]
	run tshark -n -r "$T/rd.pcap" -z expert,error
	assert_success
	refute_output --partial 'Malformed'
}

# overflow NAME ARGS...: udp-recv ARGS with a tiny buffer, stopped while
# 8000 datagrams (200 trains of 40 x 1400 bytes) come; then continued
# until idle. Sets sent, written, dropped.
overflow() {
	local name=$1 specs=()
	shift
	while [ "${#specs[@]}" -lt 200 ]; do
		specs+=(0:1400:40)
	done
	BG_STDOUT=/dev/null start_recv "$name" -v -F raw -b 4096 -T 1s \
	    "$@" 127.0.0.1:0
	kill -STOP "$bg_pid"
	sent=$(EXPECT=$T/$name.want timeout 30 python3 \
	    "$BATS_FILE_TMPDIR/gsosend.py" 127.0.0.1 "$recv_port" "${specs[@]}")
	kill -CONT "$bg_pid"
	finish "$name" 20
	written=$(sed -n 's/.* written=\([0-9]*\).*/\1/p' "$T/$name.err")
	dropped=$(sed -n 's/.* dropped=\([0-9]*\).*/\1/p' "$T/$name.err")
	if [ -z "$written" ] || [ -z "$dropped" ]; then
		fail_msg "no counters: $(cat "$T/$name.err")"
	fi
}

@test "counters: -G: sent = written + dropped, each datagram counted" {
	overflow ov -G
	[ "$sent" -eq 8000 ]
	[ "$exit_status" -eq 1 ]
	[ "$dropped" -gt 0 ]
	[ "$((written + dropped))" -eq "$sent" ] ||
	    fail_msg "sent $sent written $written dropped $dropped"
}

@test "counters: GRO: a train dropped whole counts once (a lower bound)" {
	overflow ovg
	[ "$exit_status" -eq 1 ]
	[ "$dropped" -gt 0 ]
	# the kernel counts a train it drops as one datagram (udp-recv(1));
	# one that counts each datagram of it makes the sum exact
	[ "$((written + dropped * 40))" -eq "$sent" ] ||
	    [ "$((written + dropped))" -eq "$sent" ] ||
	    fail_msg "sent $sent written $written dropped $dropped"
}

@test "counters: GRO: nothing lost, received = written = sent" {
	run_flow ok -- 0:1400:46 0:1400:46 1:1400:46
	[ "$sent" -eq 138 ]
	grep -q 'received=138 written=138 dropped=0' "$T/ok.err"
}

@test "-G on an inherited socket turns off the GRO an earlier run left on" {
	run timeout 20 python3 - <<-'EOF'
	import socket, subprocess
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(('127.0.0.1', 0))
	fd = s.fileno()
	for args in ([], ['-G']):
	    subprocess.run(['udp-recv', '-F', 'raw', '-t', '100ms', '-d', str(fd)]
	        + args, pass_fds=[fd], stdout=subprocess.DEVNULL, check=True)
	    print(s.getsockopt(socket.SOL_UDP, 104))
	EOF
	assert_success
	assert_output $'1\n0'
}
