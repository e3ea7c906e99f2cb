#!/usr/bin/env bats
# stderr is set by bats' run --separate-stderr, nats_url by nats.bash
# shellcheck disable=SC2154
# tests/bits.bats: what a 32-bit build gets wrong first, run on every
# architecture (natively, and with CHANRELAY_BIN=build/cross/armhf or arm64
# under qemu-user): a channel file past 2 GiB, a capture file past 4 GiB,
# times after 2038 in text output, in chanlog's file names and in pcap
# headers (whose seconds are an unsigned 32-bit field, good until 2106).
# The big files are sparse: their bulk is holes, so they cost no disk and
# little time. The times come from the captures' own timestamps (udp-recv
# -I), so no clock needs faking.

bats_require_minimum_version 1.5.0
load helper
load nats

# mkpcap MODE OUT [ARGS]: write a capture for MODE (see the script), in
# the channel's pcap framing: nanosecond timestamps, snapshot length
# 262144, link type RAW (101), as udp-recv writes it.
mkpcap() {
	python3 - "$@" <<'EOF'
import struct, sys

HDR = struct.pack('<IHHiIII', 0xa1b23c4d, 2, 4, 0, 0, 262144, 101)
BIG = 262144		# the largest record libpcap and chanlog take


def udp(sport, payload):
	u = struct.pack('>HHHH', sport, 5001, 8 + len(payload), 0) + payload
	ip = bytearray(struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(u), 0,
	    0, 64, 17, 0, bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2])))
	s = sum(struct.unpack('>10H', bytes(ip)))
	s = (s & 0xffff) + (s >> 16)
	ip[10:12] = struct.pack('>H', ~((s & 0xffff) + (s >> 16)) & 0xffff)
	return bytes(ip) + u


def rec(sec, nsec, data, length=None):
	n = len(data) if length is None else length
	return struct.pack('<IIII', sec, nsec, len(data), n) + data


def holes(f, count, sec):
	"""count records of BIG zero bytes, their data left as holes"""
	for i in range(count):
		f.write(struct.pack('<IIII', sec, i, BIG, BIG))
		f.seek(BIG, 1)


mode, out = sys.argv[1], sys.argv[2]
with open(out, 'wb') as f:
	f.write(HDR)
	if mode == 'times':
		# 2^31 s, 2065, 2100-01-01, the last second of 2106
		for i, t in enumerate((2147483648, 3000000000, 4102444800,
		    4294967295)):
			# argv[3]: only that one
			if len(sys.argv) < 4 or int(sys.argv[3]) == i:
				f.write(rec(t, 5 + i, udp(40001 + i,
				    b'late%d' % i)))
	elif mode == 'big':
		# a datagram, 4 GiB of packets that are not UDP (holes), a
		# datagram after 2038 at an offset past 2^32
		f.write(rec(1795255200, 1, udp(40001, b'first')))
		holes(f, (1 << 32) // (BIG + 16) + 16, 1795255201)
		print(f.tell())
		f.write(rec(3000000000, 2, udp(40002, b'last')))
	elif mode == 'chan':
		# a chanlog current synced up to past 2 GiB (the holes, left
		# unread), three whole records after it and one cut short;
		# argv[3]: chanlog's mark for it, current.ok
		f.write(rec(2147483640, 0, udp(40000, b'first')))
		holes(f, (1 << 31) // (BIG + 16) + 4, 2147483640)
		synced = f.tell()
		for i in range(3):
			f.write(rec(2147483641 + i, i, udp(40001 + i,
			    b'after2g%d' % i)))
		print(f.tell(), synced)
		f.write(rec(2147483647, 0, udp(40009, b'torn' * 20))[:40])
		import os
		ino = os.fstat(f.fileno()).st_ino
		line = ('chanlog-ok 1 seq=1 ino=%d synced=%d framing=pcap '
		    'nul=0 first=2147483640.000000000 '
		    'last=2147483640.000000000 hdr=%s' % (ino, synced,
		    HDR.hex()))
		h = 2166136261
		for c in line.encode():
			h = ((h ^ c) * 16777619) & 0xffffffff
		line += ' sum=%08x' % h
		slot = line.ljust(511).encode() + b'\n'
		with open(sys.argv[3], 'wb') as m:
			m.write(b' ' * 511 + b'\n' + slot)
EOF
}

@test "bits: a capture file past 4 GiB: udp-recv -I reads the datagram after it" {
	local off size
	off=$(mkpcap big "$T/big.pcap")
	size=$(stat -c %s "$T/big.pcap")
	[ "$off" -gt 4294967296 ] || fail_msg "last record at $off"
	[ "$size" -gt 4294967296 ] || fail_msg "size $size"
	run --separate-stderr timeout 120 udp-recv -v -F text -I "$T/big.pcap"
	assert_success
	assert_output "2026-11-21T10:00:00.000000001Z 192.0.2.1:40001 > 198.51.100.2:5001 5 first
2065-01-24T05:20:00.000000002Z 192.0.2.1:40002 > 198.51.100.2:5001 4 last"
	[[ $stderr == *"received=$(((1 << 32) / 262160 + 18)) written=2 "* ]] ||
	    fail_msg "$stderr"
}

@test "bits: a channel file past 2 GiB: chanlog keeps the records after 2 GiB, cuts the torn one, and goes on" {
	local end synced size
	mkdir "$T/ch"
	read -r end synced < <(mkpcap chan "$T/ch/current" "$T/ch/current.ok")
	[ "$synced" -gt 2147483648 ] || fail_msg "synced $synced"
	mkpcap times "$T/times.pcap" >/dev/null
	udp-recv -I "$T/times.pcap" >"$T/in.pcap"
	run --separate-stderr timeout 120 chanlog -z 4k "$T/ch" <"$T/in.pcap"
	assert_success
	[[ $stderr == *"recovered $T/ch/current: cut 40 bytes at offset $end (1 record): a partial record at offset $end"* ]] ||
	    fail_msg "$stderr"
	# the recovered file, named after its first record, whole
	size=$(stat -c %s "$T/ch/2038-01-19T03-14-00.000000000Z.pcap")
	assert_equal "$size" "$end"
	# its last three records, read by tcpdump behind the channel header
	{ head -c 24 "$T/in.pcap"; tail -c $((end - synced)) \
	    "$T/ch/2038-01-19T03-14-00.000000000Z.pcap"; } >"$T/tail.pcap"
	run udp-recv -F text -I "$T/tail.pcap"
	assert_success
	assert_output "2038-01-19T03:14:01.000000000Z 192.0.2.1:40001 > 198.51.100.2:5001 8 after2g0
2038-01-19T03:14:02.000000001Z 192.0.2.1:40002 > 198.51.100.2:5001 8 after2g1
2038-01-19T03:14:03.000000002Z 192.0.2.1:40003 > 198.51.100.2:5001 8 after2g2"
	# then the input: a file of its own, named after its first record
	cmp "$T/in.pcap" "$T/ch/2038-01-19T03-14-08.000000005Z.pcap"
	run ls "$T/ch"
	assert_output "2038-01-19T03-14-00.000000000Z.pcap
2038-01-19T03-14-08.000000005Z.pcap
lock"
}

@test "bits: -z 5G, a size past 2^32, is taken as it is" {
	mkpcap times "$T/times.pcap" >/dev/null
	udp-recv -I "$T/times.pcap" >"$T/in.pcap"
	run --separate-stderr timeout 20 chanlog -z 5G "$T/ch" <"$T/in.pcap"
	assert_success
	cmp "$T/in.pcap" "$T/ch/2038-01-19T03-14-08.000000005Z.pcap"
}

@test "bits: times after 2038 in udp-recv's text and in chanlog's file names" {
	mkpcap times "$T/times.pcap" >/dev/null
	run --separate-stderr udp-recv -F text -I "$T/times.pcap"
	assert_success
	assert_output "2038-01-19T03:14:08.000000005Z 192.0.2.1:40001 > 198.51.100.2:5001 5 late0
2065-01-24T05:20:00.000000006Z 192.0.2.1:40002 > 198.51.100.2:5001 5 late1
2100-01-01T00:00:00.000000007Z 192.0.2.1:40003 > 198.51.100.2:5001 5 late2
2106-02-07T06:28:15.000000008Z 192.0.2.1:40004 > 198.51.100.2:5001 5 late3"
	# one chanlog run a record: a file each, named after its time
	for i in 0 1 2 3; do
		mkpcap times "$T/one$i.pcap" "$i" >/dev/null
		udp-recv -I "$T/one$i.pcap" >"$T/in$i.pcap"
		timeout 20 chanlog "$T/ch" <"$T/in$i.pcap"
	done
	run ls "$T/ch"
	assert_output "2038-01-19T03-14-08.000000005Z.pcap
2065-01-24T05-20-00.000000006Z.pcap
2100-01-01T00-00-00.000000007Z.pcap
2106-02-07T06-28-15.000000008Z.pcap
lock"
	cmp "$T/in3.pcap" "$T/ch/2106-02-07T06-28-15.000000008Z.pcap"
}

@test "bits: times after 2038 in pcap headers, as tcpdump and tshark read them" {
	need tcpdump tshark
	mkpcap times "$T/times.pcap" >/dev/null
	udp-recv -I "$T/times.pcap" >"$T/out.pcap"
	# tcpdump 4.99 with libpcap 1.10 sees them as before 1970 and prints
	# "[Error converting time]" (see udp-recv(1)): the records, then
	run --separate-stderr tcpdump -n -r "$T/out.pcap"
	assert_success
	run sed 's/^[^]]*] //' <<<"$output"
	assert_output "IP 192.0.2.1.40001 > 198.51.100.2.5001: UDP, length 5
IP 192.0.2.1.40002 > 198.51.100.2.5001: UDP, length 5
IP 192.0.2.1.40003 > 198.51.100.2.5001: UDP, length 5
IP 192.0.2.1.40004 > 198.51.100.2.5001: UDP, length 5"
	# the header's bytes: 2^31 is 00 00 00 80, not sign-extended
	run od -An -tx1 -j 24 -N 8 "$T/out.pcap"
	assert_output " 00 00 00 80 05 00 00 00"
	run tshark_fields "$T/out.pcap" frame.time_epoch udp.payload
	assert_success
	assert_output "2147483648.000000005	6c61746530
3000000000.000000006	6c61746531
4102444800.000000007	6c61746532
4294967295.000000008	6c61746533"
}

@test "bits: times after 2038 through NATS: nats-recv's text" {
	need_nats
	nats_start s
	mkpcap times "$T/times.pcap" >/dev/null
	udp-recv -I "$T/times.pcap" >"$T/in.pcap"
	nats-send -n "$nats_url" -C LATE chan.late <"$T/in.pcap"
	run --separate-stderr timeout 60 nats-recv -n "$nats_url" -p all -c 4 \
	    -F text chan.late
	assert_success
	assert_output "2038-01-19T03:14:08.000000005Z 192.0.2.1:40001 > 198.51.100.2:5001 5 late0
2065-01-24T05:20:00.000000006Z 192.0.2.1:40002 > 198.51.100.2:5001 5 late1
2100-01-01T00:00:00.000000007Z 192.0.2.1:40003 > 198.51.100.2:5001 5 late2
2106-02-07T06:28:15.000000008Z 192.0.2.1:40004 > 198.51.100.2:5001 5 late3"
}
