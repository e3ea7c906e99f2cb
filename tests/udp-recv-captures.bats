#!/usr/bin/env bats
# exit_status is set by helper.bash
# shellcheck disable=SC2154
# tests/udp-recv-captures.bats: udp-recv -I and -i on the made-up captures
# of tests/fixtures/mkreal.py, one for every decoder path, compared record
# by record with tshark's view of the same file; VLAN tags and IPv6
# extension headers through the default filter, times past 2038, files
# cut short and pcapng files of two link types.

bats_require_minimum_version 1.5.0
load helper

# tshark_view FILE: what udp-recv must write of FILE as tshark sees it: the
# UDP datagrams not inside ICMP, not fragments, not cut short (the payload
# as long as udp.length says). One tab-separated line each: time, source,
# sport, destination, dport, payload in hex (mkreal.py dump's format).
tshark_view() {
	tshark -n -r "$1" -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
	    -Y 'udp && !icmp && !icmpv6 && !ipv6.fraghdr && !(ip.flags.mf == 1) && !(ip.frag_offset > 0)' \
	    -T fields -e frame.time_epoch -e ip.src -e ipv6.src -e udp.srcport \
	    -e ip.dst -e ipv6.dst -e udp.dstport -e udp.length -e udp.payload \
	    2>"$T/tshark.err" |
	    awk -F'\t' 'length($9) == 2 * ($8 - 8) {
		print $1 "\t" $2 $3 "\t" $4 "\t" $5 $6 "\t" $7 "\t" $9 }'
}

# same_as_tshark FIXTURE RECEIVED WRITTEN SKIPPED TRUNCATED: udp-recv -I
# FIXTURE (no -f) writes exactly the datagrams tshark sees, in order, with
# their times, and counts what it left out.
same_as_tshark() {
	need tshark python3
	local f=$FIXTURES/$1
	tshark_view "$f" >"$T/expect"
	[ "$(wc -l <"$T/expect")" -eq "$3" ] ||
	    fail_msg "tshark sees $(wc -l <"$T/expect") datagrams, not $3"
	timeout 20 udp-recv -v -I "$f" >"$T/out.pcap" 2>"$T/err" ||
	    fail_msg "udp-recv failed: $(cat "$T/err")"
	python3 "$FIXTURES/mkreal.py" dump "$T/out.pcap" >"$T/got"
	diff -u "$T/expect" "$T/got"
	run cat "$T/err"
	assert_output "udp-recv: received=$2 written=$3 dropped=0 ifdropped=0 skipped=$4 truncated=$5"
}

@test "-I EN10MB: plain, 802.1Q, QinQ, IPv4 options, IPv6 extension headers, as tshark sees them" {
	# 23 frames: 15 datagrams; 2 IPv6 and 1 IPv4 fragments, TCP, ARP,
	# ICMP and a UDP length past the IP packet skipped; one datagram cut
	# short by the snapshot length
	same_as_tshark real-eth.pcap 23 15 7 1
}
@test "-I LINUX_SLL (ns): IPv4, IPv6 extension headers, a VLAN tag libpcap put back" {
	same_as_tshark real-sll.pcap 6 5 1 0
}
@test "-I LINUX_SLL2 (big-endian file)" { same_as_tshark real-sll2.pcap 6 5 1 0; }
@test "-I RAW (101): IPv4, IPv4 options, IPv6 destination options" {
	same_as_tshark real-raw.pcap 5 4 1 0
}
@test "-I IPV4 (228)" { same_as_tshark real-ipv4.pcap 3 2 1 0; }
@test "-I IPV6 (229): hop-by-hop and routing headers" { same_as_tshark real-ipv6.pcap 2 2 0 0; }
@test "-I NULL, little-endian families 2, 30, 24" { same_as_tshark real-null.pcap 4 4 0 0; }
@test "-I NULL from a big-endian host" { same_as_tshark real-null-be.pcap 4 4 0 0; }
@test "-I LOOP" { same_as_tshark real-loop.pcap 2 2 0 0; }
@test "-I pcapng: two interfaces of one link type" { same_as_tshark real-twoif.pcapng 2 2 0 0; }

@test "-I a link type libpcap cannot filter (DLT_RAW 14): decoded without a filter, not exit 100" {
	same_as_tshark real-dlt14.pcap 5 4 1 0
}

@test "-I with -f on a link type libpcap cannot filter: exit 100 naming the filter" {
	run --separate-stderr timeout 20 udp-recv -f udp -I "$FIXTURES/real-dlt14.pcap"
	assert_failure 100
	assert_equal "$output" ""
	[[ $stderr == "udp-recv: invalid filter 'udp': "* ]] || fail_msg "$stderr"
}

@test "-I times from 2038-01-19 to 2106: text prints them, pcap keeps them" {
	run --separate-stderr timeout 20 udp-recv -F text -I "$FIXTURES/real-2038.pcap"
	assert_success
	run cut -d ' ' -f 1 <<<"$output"
	assert_output "2038-01-19T03:14:07.999999999Z
2038-01-19T03:14:08.000000000Z
2065-01-24T05:20:00.000000005Z
2106-02-07T06:28:15.123456789Z"
	same_as_tshark real-2038.pcap 4 4 0 0
}

@test "-I a file cut inside its last record: the records before it, then exit 1 naming it" {
	run --separate-stderr timeout 20 udp-recv -F text -I "$FIXTURES/real-trunc.pcap"
	assert_failure 1
	assert_equal "$(printf '%s\n' "$output" | cut -d ' ' -f 2)" "192.0.2.1:40001
192.0.2.1:40002
192.0.2.1:40003"
	[[ $stderr == *"udp-recv: unable to read $FIXTURES/real-trunc.pcap after packet 3: truncated dump file"* ]] ||
	    fail_msg "$stderr"
	[[ $stderr == *"received=3 written=3 "* ]] || fail_msg "$stderr"
}

# cut_at N: udp-recv -I - of real-eth.pcap's first N bytes, -F line.
cut_at() {
	head -c "$1" "$FIXTURES/real-eth.pcap" |
	    timeout 20 udp-recv -F line -I - >"$T/cut.out" 2>"$T/cut.err"
}

@test "-I - cut at every byte of its last record: every whole record before it is written" {
	# real-eth.pcap ends with a record of 16 + 57 bytes, its 15th datagram
	local size n st
	size=$(wc -c <"$FIXTURES/real-eth.pcap")
	cut_at "$size"
	assert_equal "$(wc -l <"$T/cut.out")" 15
	cut_at $((size - 73)) || fail_msg "cut at a record boundary: $(cat "$T/cut.err")"
	cp "$T/cut.out" "$T/whole"
	assert_equal "$(wc -l <"$T/whole")" 14
	for ((n = size - 72; n < size; n++)); do
		st=0
		cut_at "$n" || st=$?
		[ "$st" -eq 1 ] || fail_msg "cut at $n: exit $st: $(cat "$T/cut.err")"
		grep -q '^udp-recv: unable to read - after packet 22: truncated dump file' \
		    "$T/cut.err" || fail_msg "cut at $n: $(cat "$T/cut.err")"
		cmp "$T/whole" "$T/cut.out" || fail_msg "cut at $n: output differs"
	done
}

@test "-I pcapng whose second interface has another link type: what came before, then a clear error" {
	run --separate-stderr timeout 20 udp-recv -F text -I "$FIXTURES/real-mixed.pcapng"
	assert_failure 1
	[[ $output == *" 192.0.2.1:40001 > 198.51.100.2:5001 14 rec1 "* ]] || fail_msg "$output"
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 1
	[[ $stderr == *"udp-recv: unable to read $FIXTURES/real-mixed.pcapng after packet 1: an interface has a type 101 different from the type of the first interface"* ]] ||
	    fail_msg "$stderr"
}

# ----------------------------------------------- root: netns, captures

# veth_capture IFACE: capture on IFACE of a veth pair v0-v1 in a private
# network namespace while mkreal.py sends real-eth.pcap's frames on v0;
# wait for the 15 datagrams among them.
veth_capture() {
	netns_start
	need python3
	in_ns ip link add v0 type veth peer name v1
	in_ns sysctl -qw net.ipv6.conf.v0.disable_ipv6=1 net.ipv6.conf.v1.disable_ipv6=1
	in_ns ip link set v0 up
	in_ns ip link set v1 up
	start_bg cap "${NS[@]}" udp-recv -a "$T/cap.addr" -i "$1" -c 15
	wait_for "$T/cap.addr"
	in_ns python3 "$FIXTURES/mkreal.py" send v0 >"$T/sent"
	wait_exit "$(bg_pid_of cap)" 10 || fail_msg "capture: $(cat "$T/cap.err")"
	assert_equal "$exit_status" 0
	run cat "$T/cap.err"
	assert_output ""
	tshark_view "$FIXTURES/real-eth.pcap" | cut -f 2- >"$T/expect"
	python3 "$FIXTURES/mkreal.py" dump "$T/cap.out" | cut -f 2- >"$T/got"
	diff -u "$T/expect" "$T/got"
}

@test "-i on a trunk, tags in the frame (egress): VLAN, QinQ and IPv6 extension headers pass the default filter" {
	need tshark
	veth_capture v0
}

@test "-i on a trunk, tags taken off by the kernel (ingress): the same datagrams" {
	need tshark
	veth_capture v1
}
