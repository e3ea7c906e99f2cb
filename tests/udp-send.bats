#!/usr/bin/env bats
# recv_addr, recv_port, bg_pid, exit_status and NS are set by helper.bash
# shellcheck disable=SC2154
# tests/udp-send.bats: udp-send against udp-recv, udpsend, tcpdump, tshark
# and python3: usage, bad values, behaviour (round trips, pacing, replay,
# synthetic payload, multicast), error paths.

bats_require_minimum_version 1.5.0
load helper

USAGE='usage: udp-send [-eGhLPv] [-B COUNT] [-c COUNT] [-H TTL] [-j SPIN] [-M FILE] [-m IFACE] [-r RATE] [-s SOURCE] [-x FACTOR] [-z SIZE] ADDRESS'
COUNTERS='^udp-send: read=[0-9]+ sent=[0-9]+ skipped=[0-9]+ refused=[0-9]+ retried=[0-9]+ late=[0-9]+ maxlate=[0-9]+us$'
GAPS=$BATS_TEST_DIRNAME/fixtures/udp-send/gaps.pcap

setup_file() {
	if ! command -v udp-send >/dev/null || ! command -v udp-recv >/dev/null ||
	    ! command -v udpsend >/dev/null; then
		fail_msg "udp-send, udp-recv or tests/tools/udpsend is not built: run make check"
	fi
}

# send ADDR SPEC...: udpsend (bounded), one datagram per spec.
send() {
	timeout 20 udpsend "$@" 2>"$T/send.err" ||
	    fail_msg "udpsend $* failed: $(cat "$T/send.err")"
}


# counters NAME: the counters line NAME wrote to stderr (fails if none).
counters() {
	grep -E "$COUNTERS" "$T/$1.err" ||
	    fail_msg "no counters line in: $(cat "$T/$1.err")"
}

# payloads FILE: "LEN PAYLOAD" of each record of a udp-recv text file.
payloads() {
	cut -d' ' -f5- "$1"
}

# stamps FILE: the timestamp of every record of a pcap file, in
# nanoseconds after the first one.
stamps() {
	timeout 20 tcpdump -nn --time-stamp-precision nano -tt -r "$1" 2>/dev/null |
	    awk '{ split($1, t, "."); s = t[1]; n = t[2] + 0
		if (NR == 1) { s0 = s; n0 = n }
		printf "%d\n", (s - s0) * 1000000000 + n - n0 }'
}

# rate_ok STAMPS GAP SPAN NAME: the receiver's stamps (ns) show the rate:
# the median gap within 2 % of GAP ns, and the whole span within 2 % of
# SPAN ns unless udp-send (its stderr in NAME.err) counted datagrams late,
# which is a stall of the machine (seen under ASan on a busy 2-core box:
# one of 141 ms), not of the schedule; the median is immune to it.
rate_ok() {
	local st=$1 gap=$2 want=$3 name=$4 med span late
	med=$(awk 'NR > 1 { print $1 - p } { p = $1 }' "$st" | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	late=$(counters "$name" | sed -E 's/.* late=([0-9]+).*/\1/')
	# a stall long enough to make a quarter of the records late (seen
	# under ASan beside other builds: all 500 sent at once, on catching
	# up) moves the median too; the count and order still hold then
	if [ $((late * 4)) -ge "$(wc -l <"$st")" ]; then
		echo "# udp-send counted $late late: the machine stalled" >&3
		return 0
	fi
	if [ "$med" -lt $((gap * 98 / 100)) ] ||
	    [ "$med" -gt $((gap * 102 / 100)) ]; then
		fail_msg "median gap $med ns is not within 2 % of $gap ns"
	fi
	span=$(tail -n 1 "$st")
	if [ "$late" -eq 0 ] && { [ "$span" -lt $((want * 98 / 100)) ] ||
	    [ "$span" -gt $((want * 102 / 100)) ]; }; then
		fail_msg "span $span ns is not within 2 % of $want ns"
	fi
}

# gap_errors A B: for two lists of stamps (ns), the absolute difference
# between each gap of A and the same gap of B, in microseconds, sorted.
gap_errors() {
	paste "$1" "$2" | awk 'NR > 1 { e = ($2 - p2) - ($1 - p1); if (e < 0) e = -e
		printf "%d\n", e / 1000 } { p1 = $1; p2 = $2 }' | sort -n
}

# ---------------------------------------------------------------- usage

@test "usage: -h prints the usage line to stdout and exits 0" {
	run --separate-stderr timeout 20 udp-send -h
	assert_success
	assert_output "$USAGE"
	[ -z "$stderr" ]
}

@test "usage: no ADDRESS exits 100 with the usage line" {
	run timeout 20 udp-send </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: an unknown option exits 100 with the usage line" {
	run timeout 20 udp-send -j 127.0.0.1:9 </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: a missing option argument exits 100 with the usage line" {
	run timeout 20 udp-send 127.0.0.1:9 -r </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: two operands exit 100" {
	run timeout 20 udp-send 127.0.0.1:9 127.0.0.1:9 </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
}

# refused MESSAGE ARGS...: udp-send ARGS exits 100 saying MESSAGE and the
# usage line, before it reads anything.
refused() {
	local msg=$1
	shift
	run timeout 20 udp-send "$@" </dev/null
	assert_failure 100
	assert_output --partial "$msg"
	assert_output --partial "$USAGE"
}

@test "usage: -r and -P together are refused" { refused '-r and -P' -r 10 -P 127.0.0.1:9; }
@test "usage: -x without -P is refused" { refused '-x needs -P' -x 2 127.0.0.1:9; }
@test "usage: -z without -c is refused" { refused '-z needs -c' -z 100 127.0.0.1:9; }
@test "usage: -c with -P is refused" { refused 'not with -c' -c 5 -P 127.0.0.1:9; }
@test "usage: -j without -P or -r is refused" { refused '-j needs -P or -r' -j 2ms 127.0.0.1:9; }
@test "usage: -m on a unicast address is refused" { refused 'multicast' -m lo 127.0.0.1:9; }
@test "usage: -L on a unicast address is refused" { refused 'multicast' -L 127.0.0.1:9; }

@test "usage: -P with text input exits 100 (lines carry no time)" {
	run timeout 20 udp-send -P 127.0.0.1:9 <<<'a line'
	assert_failure 100
	assert_output --partial 'text lines have no time'
}

# ----------------------------------------------------------- bad values

# bad VALUE ARGS...: udp-send ARGS exits 100 naming 'VALUE', with the
# usage line (bad_usage).
bad() {
	local val=$1
	shift
	bad_usage udp-send "$val" "$@"
}

@test "bad value: address x (the message)" {
	bad x x
	assert_output --partial "udp-send: invalid address 'x': missing port"
}
@test "bad value: address without a port" { bad 127.0.0.1 127.0.0.1; }
@test "bad value: port 65536" { bad 127.0.0.1:65536 127.0.0.1:65536; }
@test "bad value: port 0 (nothing to send to)" { bad 127.0.0.1:0 127.0.0.1:0; }
@test "bad value: :PORT (a destination needs a host)" { bad :5001 :5001; }
@test "bad value: 256.1.1.1:5" { bad 256.1.1.1:5 256.1.1.1:5; }
@test "bad value: [::1:5 (unclosed bracket)" { bad '[::1:5' '[::1:5'; }
@test "bad value: a host name is never looked up" { bad localhost:5 localhost:5; }
@test "bad value: -r 0" { bad 0 -r 0 127.0.0.1:9; }
@test "bad value: -r x" { bad x -r x 127.0.0.1:9; }
@test "bad value: -r 10x" { bad 10x -r 10x 127.0.0.1:9; }
@test "bad value: -B 0" { bad 0 -B 0 127.0.0.1:9; }
@test "bad value: -B 1025 (sendmmsg's limit)" { bad 1025 -B 1025 127.0.0.1:9; }
@test "bad value: -c 0" { bad 0 -c 0 127.0.0.1:9; }
@test "bad value: -c -1" { bad -1 -c -1 127.0.0.1:9; }
@test "bad value: -z 31 (below the header)" { bad 31 -c 1 -z 31 127.0.0.1:9; }
@test "bad value: -z 65508 (above a datagram)" { bad 65508 -c 1 -z 65508 127.0.0.1:9; }
@test "bad value: -H 256" { bad 256 -H 256 127.0.0.1:9; }
@test "bad value: -H 0 on a unicast address" { bad 0 -H 0 127.0.0.1:9; }
@test "bad value: -x 0" { bad 0 -P -x 0 127.0.0.1:9; }
@test "bad value: -x 1001" { bad 1001 -P -x 1001 127.0.0.1:9; }
@test "bad value: -x 2s (a factor has no unit)" { bad 2s -P -x 2s 127.0.0.1:9; }
@test "bad value: -x 1.2.3" { bad 1.2.3 -P -x 1.2.3 127.0.0.1:9; }
@test "bad value: -j 0" { bad 0 -P -j 0 127.0.0.1:9; }
@test "bad value: -j 2s (a spin of at most 1 s)" { bad 2s -P -j 2s 127.0.0.1:9; }
@test "bad value: -j x" { bad x -r 10 -j x 127.0.0.1:9; }
@test "bad value: -s x" { bad x -s x 127.0.0.1:9; }
@test "bad value: -s of the other family" { bad '[::1]:0' -s '[::1]:0' 127.0.0.1:9; }

@test "bad value: -m on an unknown interface exits 100 naming it" {
	run timeout 20 udp-send -m no-such-if0 239.1.2.3:9 </dev/null
	assert_failure 100
	assert_output --partial "'no-such-if0'"
}

# ------------------------------------------------------------ behaviour

@test "echo hi | udp-send sends exactly hi" {
	start_recv r -F raw -c 1 127.0.0.1:0
	echo hi | timeout 20 udp-send "$recv_addr"
	finish r
	assert_equal "$exit_status" 0
	printf hi | cmp - "$T/r.out"
}

@test "text lines: one datagram each, without the newline; empty and last lines too" {
	start_recv r -F text -c 5 127.0.0.1:0
	printf 'hello\n\n\tx y\r\n\001\377\000z\nlast' |
	    timeout 20 udp-send -v "$recv_addr" 2>"$T/s.err"
	finish r
	assert_equal "$exit_status" 0
	run payloads "$T/r.out"
	assert_output "5 hello
0 
5 \\tx y\\r
4 \\x01\\xff\\x00z
4 last"
	assert_equal "$(counters s)" \
	    'udp-send: read=5 sent=5 skipped=0 refused=0 retried=0 late=0 maxlate=0us'
}

@test "round trip udp-recv | udp-send: every byte and boundary, 0 and 65507 bytes" {
	need tshark
	head -c 65507 /dev/urandom >"$T/big"
	start_recv b -c 6 127.0.0.1:0
	baddr=$recv_addr
	mkfifo "$T/pipe"
	BG_STDIN=$T/pipe start_bg s udp-send -v "$baddr"
	BG_STDOUT=$T/pipe start_recv a -c 6 127.0.0.1:0
	send "$recv_addr" zero:0 "file:$T/big" "file:$FIXTURES/bytes256.bin" \
	    str:hello hex:0a0d00ff zero:1
	finish a
	finish s
	assert_equal "$exit_status" 0
	finish b
	assert_equal "$exit_status" 0
	tshark_fields "$T/b.out" udp.length udp.payload |
	    sed 's/[[:space:]]*$//' >"$T/got"
	{
		echo 8
		printf '65515\t%s\n' "$(hexof "$T/big")"
		printf '264\t%s\n' "$(hexof "$FIXTURES/bytes256.bin")"
		printf '13\t68656c6c6f\n12\t0a0d00ff\n9\t00\n'
	} >"$T/want"
	cmp "$T/want" "$T/got"
	assert_equal "$(counters s)" \
	    'udp-send: read=6 sent=6 skipped=0 refused=0 retried=0 late=0 maxlate=0us'
}

@test "round trip over IPv6: 0 and 65507 bytes" {
	need tshark
	head -c 65507 /dev/urandom >"$T/big"
	start_recv b -c 2 '[::1]:0'
	baddr=$recv_addr
	start_recv a -c 2 '[::1]:0'
	send "$recv_addr" zero:0 "file:$T/big"
	finish a
	timeout 20 udp-send "$baddr" <"$T/a.out"
	finish b
	timeout 20 udp-recv -I "$T/b.out" -F raw >"$T/raw"
	cmp "$T/big" "$T/raw"
	tshark_fields "$T/b.out" udp.length | tr '\n' ' ' >"$T/lens"
	assert_equal "$(cat "$T/lens")" "8 65515 "
}

# from_capture FILE READ SKIPPED: a tcpdump capture's UDP payloads are sent,
# everything else skipped and counted, exit 1.
from_capture() {
	start_recv r -F text -c 5 127.0.0.1:0
	run timeout 20 udp-send "$recv_addr" <"$FIXTURES/$1"
	assert_failure 1
	assert_line "udp-send: read=$2 sent=5 skipped=$3 refused=0 retried=0 late=0 maxlate=0us"
	finish r
	run payloads "$T/r.out"
	assert_output '5 hello
6 \\\tA\n\xff\x00
0 
3 six
4 last'
}

@test "a tcpdump -i lo capture (EN10MB, ns): UDP sent, ICMP and fragments skipped, exit 1" {
	from_capture lo-en10mb.pcap 14 9
}
@test "a tcpdump -i any capture (LINUX_SLL, us): UDP sent, fragments skipped" {
	from_capture any-sll.pcap 8 3
}
@test "a tcpdump -i any capture (LINUX_SLL2)" { from_capture any-sll2.pcap 8 3; }

@test "a truncated pcap: what came before is sent, then exit 1 naming the offset" {
	start_recv r -F line -c 3 127.0.0.1:0
	head -c 300 "$GAPS" >"$T/cut.pcap"
	run timeout 20 udp-send "$recv_addr" <"$T/cut.pcap"
	assert_failure 1
	assert_output --regexp 'udp-send: unable to read stdin: truncated record .*offset'
	finish r
	assert_equal "$(cat "$T/r.out")" "gap 0
gap 1
gap 2"
}

@test "-r 1000: 500 records take 0.499 s at the receiver, within 2 %" {
	need tcpdump
	start_recv r -c 500 127.0.0.1:0
	seq 500 | timeout 20 udp-send -v -r 1000 "$recv_addr" 2>"$T/s.err"
	finish r
	stamps "$T/r.out" >"$T/st"
	span=$(tail -n 1 "$T/st")
	# measured here: 499.013-499.040 ms (error under 0.01 %)
	echo "# -r 1000: 500 records in $span ns (ideal 499000000)" >&3
	rate_ok "$T/st" 1000000 499000000 s
	run counters s
	assert_output --regexp '^udp-send: read=500 sent=500 skipped=0 refused=0 '
	# even spacing, no bursts: half the gaps within 0.1 ms of 1 ms (unless
	# the machine stalled the sender, as rate_ok says)
	late=$(counters s | sed -E 's/.* late=([0-9]+).*/\1/')
	[ $((late * 4)) -ge 500 ] && return 0
	awk 'NR > 1 { g = $1 - p; if (g > 900000 && g < 1100000) n++ } { p = $1 }
	    END { exit !(n >= 250) }' "$T/st" ||
	    fail_msg "gaps are not even: $(awk 'NR > 1 { print $1 - p } { p = $1 }' "$T/st" | sort -n | uniq -c | head)"
}

@test "-r with synthetic records: the receiver's span is within 2 %" {
	need tcpdump
	start_recv r -c 200 127.0.0.1:0
	timeout 20 udp-send -v -c 200 -z 1400 -r 2000 "$recv_addr" 2>"$T/s.err"
	finish r
	stamps "$T/r.out" >"$T/st"
	rate_ok "$T/st" 500000 99500000 s
}

# replay_check FACTOR: replay gaps.pcap at FACTOR to a udp-recv; the gaps
# it received must be the capture's divided by FACTOR within 1 ms, except
# where udp-send itself counted a datagram late (it was not run: a VM
# stall, which no sender can help); the whole span within 2 %.
replay_check() {
	local f=$1 late n over med max
	start_recv r -c 40 127.0.0.1:0
	timeout 20 udp-send -v -P -x "$f" "$recv_addr" <"$GAPS" 2>"$T/s.err"
	finish r
	assert_equal "$exit_status" 0
	stamps "$GAPS" | awk -v f="$f" '{ printf "%d\n", $1 / f }' >"$T/want"
	stamps "$T/r.out" >"$T/got"
	assert_equal "$(wc -l <"$T/got")" 40
	gap_errors "$T/want" "$T/got" >"$T/err"
	late=$(counters s | sed -E 's/.* late=([0-9]+).*/\1/')
	n=$(wc -l <"$T/err")
	over=$(awk '$1 > 1000' "$T/err" | wc -l)
	med=$(sed -n "$(((n + 1) / 2))p" "$T/err")
	max=$(tail -n 1 "$T/err")
	echo "# -P -x $f: gap error median ${med} us, max ${max} us; $over of $n gaps over 1 ms; udp-send late=$late" >&3
	[ "$n" -eq 39 ] || fail_msg "$n gaps"
	# median: 9-29 us on a quiet VM, 100-320 us beside a sanitizer run
	# (binaries of before and after issue 15 alike: the VM's wake-ups);
	# a replay that does not pace is off by whole gaps, milliseconds
	[ "$med" -le 500 ] || fail_msg "median gap error $med us"
	[ "$over" -le $((2 * late)) ] ||
	    fail_msg "$over gaps off by more than 1 ms, but udp-send saw only $late late: $(tail -n 5 "$T/err" | tr '\n' ' ')"
	[ "$late" -le 10 ] || fail_msg "$late of 40 late"
	# the schedule is absolute: the last record is where it belongs
	awk -v w="$(tail -n 1 "$T/want")" -v g="$(tail -n 1 "$T/got")" \
	    'BEGIN { e = (g - w) / w; exit !(e < 0.02 && e > -0.02) }' ||
	    fail_msg "span $(tail -n 1 "$T/got") ns, want $(tail -n 1 "$T/want")"
}

# Measured on the 2-vCPU VM, load average 3-4 (other builds running),
# 8 runs at 1x and 2x: median gap error 9-29 us; max 0.08-0.7 ms in 6
# runs, 1.6-2 ms in 2, and each gap over 1 ms was next to a datagram
# udp-send counted late (its sleep woke 2-5 ms late: the VM's scheduling,
# which a bare clock_nanosleep loop shows too: 1-3 % of 5 ms sleeps).
@test "-P replays a tcpdump capture: gaps within 1 ms of the capture's" {
	need tcpdump
	replay_check 1
}

@test "-P -x 2 replays twice as fast: gaps halved within 1 ms" {
	need tcpdump
	replay_check 2
}

@test "-P -x 0.25 of a capture: 4 times slower" {
	need tcpdump
	start_recv r -c 3 127.0.0.1:0
	# the first three records of the capture, 11.4 and 59.8 ms apart
	timeout 20 udp-recv -I "$GAPS" -c 3 >"$T/three.pcap"
	timeout 20 udp-send -P -x 0.25 "$recv_addr" <"$T/three.pcap"
	finish r
	stamps "$T/three.pcap" | awk '{ printf "%d\n", $1 * 4 }' >"$T/want"
	stamps "$T/r.out" >"$T/got"
	w=$(tail -n 1 "$T/want")
	g=$(tail -n 1 "$T/got")
	[ $((g - w)) -lt 5000000 ] && [ $((w - g)) -lt 1000000 ] ||
	    fail_msg "span $g ns, want $w"
}

@test "synthetic mode: the payload layout of the man page, checked by a receiver" {
	need python3
	t0=$(date +%s%N)
	start_recv r -c 100 127.0.0.1:0
	timeout 20 udp-send -v -c 100 -z 100 "$recv_addr" 2>"$T/s.err"
	finish r
	t1=$(date +%s%N)
	assert_equal "$(counters s)" \
	    'udp-send: read=100 sent=100 skipped=0 refused=0 retried=0 late=0 maxlate=0us'
	run timeout 20 python3 - "$T/r.out" "$t0" "$t1" <<-'EOF'
	import struct, sys
	data = open(sys.argv[1], "rb").read()
	t0, t1 = int(sys.argv[2]), int(sys.argv[3])
	magic = struct.unpack("<I", data[:4])[0]
	assert magic == 0xa1b23c4d, hex(magic)	# udp-recv: ns, native (x86)
	off, seqs, ports = 24, [], set()
	while off < len(data):
	    sec, nsec, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
	    pkt = data[off + 16:off + 16 + caplen]
	    off += 16 + caplen
	    ports.add(pkt[20:22])
	    p = pkt[28:]
	    m, size, seq, count, ns = struct.unpack(">IIQQQ", p[:32])
	    assert m == 0x43525331 and p[:4] == b"CRS1", m
	    assert size == len(p) == 100, (size, len(p))
	    assert count == 100, count
	    assert t0 <= ns <= t1, (t0, ns, t1)
	    lat = sec * 10**9 + nsec - ns
	    assert 0 <= lat < 10**9, lat
	    assert all(p[i] == (seq + i) % 256 for i in range(32, size)), seq
	    seqs.append(seq)
	assert seqs == list(range(100)), seqs
	assert len(ports) == 1, ports
	print("ok", len(seqs))
	EOF
	assert_success
	assert_output 'ok 100'
}

@test "synthetic mode: -z 32 is the header alone, -z 65507 the largest" {
	need tshark
	start_recv r -c 2 127.0.0.1:0
	timeout 20 udp-send -c 1 -z 32 "$recv_addr"
	timeout 20 udp-send -c 1 -z 65507 "$recv_addr"
	finish r
	tshark_fields "$T/r.out" udp.length | tr '\n' ' ' >"$T/lens"
	assert_equal "$(cat "$T/lens")" "40 65515 "
}

@test "-s HOST: the receiver sees that source; -v reports it" {
	start_recv r -F text -c 1 127.0.0.1:0
	echo from-2 | timeout 20 udp-send -v -s 127.0.0.2 "$recv_addr" 2>"$T/s.err"
	finish r
	src=$(sed -n 's/^udp-send: sending from \([^ ]*\) to .*/\1/p' "$T/s.err")
	[[ $src == 127.0.0.2:* ]] || fail_msg "-v said: $(cat "$T/s.err")"
	run payloads "$T/r.out"
	assert_output '6 from-2'
	run cut -d' ' -f2 "$T/r.out"
	assert_output "$src"
}

@test "-s HOST:PORT: the datagrams come from that port" {
	# a free port: the one a receiver had, now closed
	start_recv p -c 1 127.0.0.1:0
	port=$recv_port
	send "$recv_addr" str:x
	finish p
	start_recv r -F text -c 1 127.0.0.1:0
	echo y | timeout 20 udp-send -s "127.0.0.1:$port" "$recv_addr"
	finish r
	run cut -d' ' -f2 "$T/r.out"
	assert_output "127.0.0.1:$port"
}

@test "unreachable: a closed port is counted in refused=, exit 1" {
	start_recv c -c 1 127.0.0.1:0
	closed=$recv_addr
	send "$closed" str:x
	finish c
	# one datagram at a time: every datagram's refusal is reported
	run timeout 20 udp-send -r 200 "$closed" < <(seq 5)
	assert_failure 1
	assert_output --regexp '^udp-send: read=5 sent=5 skipped=0 refused=5 retried=0 late=[0-9]+ maxlate=[0-9]+us$'
	# in one batch the kernel reports one refusal for several
	run timeout 20 udp-send "$closed" < <(seq 5)
	assert_failure 1
	assert_output --regexp '^udp-send: read=5 sent=5 skipped=0 refused=[1-5] '
}

@test "unreachable with -e: the first refusal is fatal, exit 111" {
	start_recv c -c 1 127.0.0.1:0
	closed=$recv_addr
	send "$closed" str:x
	finish c
	run timeout 20 udp-send -e -r 200 "$closed" < <(seq 5)
	assert_failure 111
	assert_output "udp-send: unable to send to $closed: Connection refused"
}

@test "a refusal does not stop the run: the receiver that comes back gets the rest" {
	start_recv r -F line 127.0.0.1:0
	addr=$recv_addr
	mkfifo "$T/in"
	BG_STDIN=$T/in start_bg s udp-send -v "$addr"
	exec 4>"$T/in"
	echo one >&4
	wait_for "$T/r.out" '^one$'
	stop_bg r
	echo lost >&4
	echo lost-too >&4
	wait_until 10 grep -q . "$T/s.err"
	# the port is free again: bind it (race-free enough on loopback)
	start_recv r2 -F line -c 1 "$addr"
	echo after >&4
	wait_for "$T/r2.out" '^after$'
	exec 4>&-
	finish s
	assert_equal "$exit_status" 1
	run counters s
	assert_output --regexp 'read=4 sent=4 skipped=0 refused=[12] '
}

@test "USR1 prints the counters while running; TERM then exits 0" {
	start_recv r -F line 127.0.0.1:0
	mkfifo "$T/in"
	BG_STDIN=$T/in start_bg s udp-send "$recv_addr"
	exec 4>"$T/in"
	printf 'a\nb\nc\n' >&4
	wait_for "$T/r.out" '^c$'
	kill -USR1 "$(bg_pid_of s)"
	wait_for "$T/s.err" 'read='
	assert_equal "$(grep read= "$T/s.err")" \
	    'udp-send: read=3 sent=3 skipped=0 refused=0 retried=0 late=0 maxlate=0us'
	running "$(bg_pid_of s)"
	stop_bg s
	exec 4>&-
	assert_equal "$exit_status" 0
}

@test "TERM during a paced run stops at once, exit 0; what was read and due was sent" {
	start_recv r -F line 127.0.0.1:0
	seq 100000 >"$T/lines"
	BG_STDIN=$T/lines start_bg s udp-send -v -r 50 "$recv_addr"
	wait_for "$T/r.out" '^3$'
	stop_bg s TERM 5
	assert_equal "$exit_status" 0
	run counters s
	assert_success
	read_n=$(sed -E 's/.*read=([0-9]+).*/\1/' <<<"$output")
	sent_n=$(sed -E 's/.*sent=([0-9]+).*/\1/' <<<"$output")
	[ "$read_n" -lt 1000 ] || fail_msg "read $read_n: did not stop"
	# the record waiting for its time when TERM came is not sent
	[ "$sent_n" -ge $((read_n - 1)) ] && [ "$sent_n" -le "$read_n" ] ||
	    fail_msg "read $read_n sent $sent_n"
}

@test "INT stops a replay waiting for a far record" {
	need python3
	start_recv r -F line 127.0.0.1:0
	timeout 20 python3 - "$T/far.pcap" <<-'EOF'
	import struct, sys
	out = open(sys.argv[1], "wb")
	out.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 262144, 101))
	for sec, text in ((1000, b"now"), (4600, b"in an hour")):
	    udp = struct.pack(">HHHH", 1, 2, 8 + len(text), 0) + text
	    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
	        bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
	    out.write(struct.pack("<IIII", sec, 0, len(ip + udp), len(ip + udp)) + ip + udp)
	EOF
	BG_STDIN=$T/far.pcap start_bg s udp-send -v -P "$recv_addr"
	wait_for "$T/r.out" '^now$'
	stop_bg s INT 5
	assert_equal "$exit_status" 0
	run counters s
	assert_output --regexp 'read=2 sent=1 '
}

@test "-B 1 and -B 1024 send everything, in order" {
	start_recv r -F line -c 2000 127.0.0.1:0
	seq 1000 | timeout 20 udp-send -B 1 "$recv_addr"
	seq 1001 2000 | timeout 20 udp-send -B 1024 "$recv_addr"
	finish r
	seq 2000 | cmp - "$T/r.out"
}

# trains FILE: text lines of 1400 bytes in runs ended by shorter ones,
# runs of 1 and 8972 bytes, lines of every size in between: 320 lines.
trains() {
	python3 -c '
import sys
n = [1400] * 5 + [600] + [1400] * 3 + [1, 1, 0, 1400, 1400] + [8972] * 9
n += [1] * 100 + [i * 7 % 1473 for i in range(197)]
sys.stdout.write("".join("%04d" % i + "x" * (l - 4) + "\n" if l >= 4
    else "x" * l + "\n" for i, l in enumerate(n)))' >"$1"
	awk '{ print length($0) }' "$1" >"$1.len"
}

# pyrecv NAME N: a python3 receiver (no UDP_GRO: the kernel hands it one
# datagram at a time) of N datagrams, their sizes into NAME.out, its
# address into NAME.addr.
pyrecv() {
	rm -f "$T/$1.addr"
	start_bg "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.bind(("127.0.0.1", 0))
s.settimeout(20)
with open(sys.argv[1] + ".tmp", "w") as f:
	f.write("127.0.0.1:%d\n" % s.getsockname()[1])
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
for i in range(int(sys.argv[2])):
	print(len(s.recv(70000)), flush=True)' "$T/$1.addr" "$2"
	wait_addr "$1"
	recv_addr=$(cat "$T/$1.addr")
}

@test "trains (UDP_SEGMENT): short last segments arrive as their own datagrams, to python3 and udp-recv" {
	need strace
	trains "$T/in"
	pyrecv p 320
	# LeakSanitizer (the san build) does not work under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -o "$T/trace" -e trace=sendmmsg timeout 20 udp-send -v \
	    "$recv_addr" <"$T/in" 2>"$T/s.err"
	finish p
	cmp "$T/in.len" "$T/p.out"
	grep -Eq 'cmsg_level=SOL_UDP, cmsg_type=(UDP_SEGMENT|0x67)' "$T/trace" ||
	    fail_msg "no UDP_SEGMENT send: $(head -c 600 "$T/trace")"
	assert_equal "$(counters s)" \
	    'udp-send: read=320 sent=320 skipped=0 refused=0 retried=0 late=0 maxlate=0us'
	start_recv r -F line -c 320 127.0.0.1:0
	timeout 20 udp-send "$recv_addr" <"$T/in"
	finish r
	cmp "$T/in" "$T/r.out"
}

@test "-G: no trains, the same datagrams" {
	need strace
	trains "$T/in"
	pyrecv p 320
	# LeakSanitizer (the san build) does not work under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -o "$T/trace" -e trace=sendmmsg timeout 20 udp-send -G \
	    "$recv_addr" <"$T/in"
	finish p
	cmp "$T/in.len" "$T/p.out"
	! grep -q 'cmsg_level=SOL_UDP' "$T/trace" || fail_msg "a train with -G"
}

@test "a socket that refuses UDP_SEGMENT (EIO): resent one at a time, once, said under -v, nothing lost" {
	[ -e "$FAULTINJ" ] ||
	    fail_msg "tests/tools/faultinj.so is not built: run make tools"
	trains "$T/in"
	start_recv r -F line -c 320 127.0.0.1:0
	# ASan (the san build) wants its runtime first; the preload is first
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    FI_GSO=EIO FI_GSO_LOG=$T/gso LD_PRELOAD=$FAULTINJ \
	    timeout 20 udp-send -v "$recv_addr" <"$T/in" 2>"$T/s.err"
	finish r
	cmp "$T/in" "$T/r.out"
	assert_equal "$(wc -l <"$T/gso")" 1
	grep -q '^udp-send: UDP_SEGMENT refused: sending one datagram at a time: Input/output error$' \
	    "$T/s.err" || fail_msg "no note: $(cat "$T/s.err")"
	assert_equal "$(counters s)" \
	    'udp-send: read=320 sent=320 skipped=0 refused=0 retried=0 late=0 maxlate=0us'
}

@test "trains in rate mode (-r) and with -c: counters add up, every datagram arrives" {
	pyrecv p 3000
	timeout 20 udp-send -v -c 3000 -z 1000 -r 200000 "$recv_addr" \
	    2>"$T/s.err"
	finish p
	assert_equal "$(sort -u "$T/p.out")" 1000
	assert_equal "$(wc -l <"$T/p.out")" 3000
	counters s | grep -Eq ' read=3000 sent=3000 skipped=0 refused=0 ' ||
	    fail_msg "$(cat "$T/s.err")"
}

@test "-r above 5000 a second: a window's datagrams go in one send, the span still within 2 %" {
	need strace
	need tcpdump
	start_recv r -c 4000 127.0.0.1:0
	# LeakSanitizer (the san build) does not work under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -o "$T/trace" -e trace=sendmmsg timeout 20 udp-send -v \
	    -c 4000 -z 1000 -r 100000 "$recv_addr" 2>"$T/s.err"
	finish r
	counters s | grep -Eq ' read=4000 sent=4000 skipped=0 refused=0 ' ||
	    fail_msg "$(cat "$T/s.err")"
	# 20 datagrams due in each 200 us window: about 200 sends, not 4000
	sends=$(grep -c '^[0-9]* *sendmmsg' "$T/trace")
	echo "# -r 100000, 4000 datagrams: $sends sendmmsg calls" >&3
	[ "$sends" -ge 150 ] && [ "$sends" -le 1000 ] ||
	    fail_msg "$sends sends for 4000 datagrams at 20 a window"
	grep -Eq 'cmsg_level=SOL_UDP, cmsg_type=(UDP_SEGMENT|0x67)' "$T/trace" ||
	    fail_msg "no train: $(head -c 600 "$T/trace")"
	# without ptrace's cost: the last window leaves when its first is
	# due, up to 200 us early
	start_recv r -c 4000 127.0.0.1:0
	timeout 20 udp-send -v -c 4000 -z 1000 -r 100000 "$recv_addr" \
	    2>"$T/s.err"
	finish r
	stamps "$T/r.out" >"$T/st"
	assert_equal "$(wc -l <"$T/st")" 4000
	span=$(tail -n 1 "$T/st")
	late=$(counters s | sed -E 's/.* late=([0-9]+).*/\1/')
	echo "# span $span ns (ideal 39990000), late=$late" >&3
	[ "$late" -gt 0 ] ||
	    { [ "$span" -ge 39190000 ] && [ "$span" -le 40790000 ]; } ||
	    fail_msg "span $span ns is not within 2 % of 39990000 ns"
}

@test "-P -j 5ms (spin): every record of the capture, in order; it says it spins" {
	need tcpdump
	n=$(timeout 20 tcpdump -nn -r "$GAPS" 2>/dev/null | wc -l)
	start_recv r -F text -c "$n" 127.0.0.1:0
	timeout 30 udp-send -v -P -j 5ms "$recv_addr" <"$GAPS" 2>"$T/s.err"
	finish r
	grep -q '^udp-send: spinning the last 5000 us before each due time$' \
	    "$T/s.err" || fail_msg "no note: $(cat "$T/s.err")"
	counters s | grep -Eq " read=$n sent=$n skipped=0 refused=0 " ||
	    fail_msg "$(cat "$T/s.err")"
	diff -u <(udp-recv -I "$GAPS" -F text | payloads /dev/stdin) \
	    <(payloads "$T/r.out")
}

@test "an empty input sends nothing and exits 0" {
	start_recv r -F line -t 300ms 127.0.0.1:0
	run timeout 20 udp-send -v "$recv_addr" </dev/null
	assert_success
	assert_line 'udp-send: read=0 sent=0 skipped=0 refused=0 retried=0 late=0 maxlate=0us'
	finish r
	[ ! -s "$T/r.out" ]
}

@test "-H TTL on unicast: the datagrams carry it (root, netns)" {
	need tcpdump tshark
	netns_start
	start_bg r "${NS[@]}" udp-recv -a "$T/r.addr" -F line -c 1 127.0.0.1:0
	wait_addr r
	start_bg cap "${NS[@]}" tcpdump -i lo -U -c 1 -w "$T/cap.pcap" udp
	wait_for "$T/cap.err" 'listening on'
	echo ttl | in_ns timeout 20 udp-send -H 7 "$(cat "$T/r.addr")"
	finish r
	finish cap
	assert_equal "$(tshark_fields "$T/cap.pcap" ip.ttl)" 7
}


@test "IPv4 multicast: -m lo -H 3 reaches a member on lo with TTL 3 (root, netns)" {
	need tcpdump tshark
	mcast_setup
	start_bg r "${NS[@]}" udp-recv -a "$T/r.addr" -m lo -F text -c 2 239.1.2.3:0
	wait_addr r
	port=$(port_of "$(cat "$T/r.addr")")
	start_bg cap "${NS[@]}" tcpdump -i lo -U -c 2 -w "$T/cap.pcap" udp
	wait_for "$T/cap.err" 'listening on'
	printf 'group\n\n' | in_ns timeout 20 udp-send -m lo -H 3 "239.1.2.3:$port"
	finish r
	assert_equal "$exit_status" 0
	run payloads "$T/r.out"
	assert_output '5 group
0 '
	run cut -d' ' -f4 "$T/r.out"
	assert_line -n 0 "239.1.2.3:$port"
	finish cap
	assert_equal "$(tshark_fields "$T/cap.pcap" ip.ttl ip.dst | sort -u)" \
	    "$(printf '3\t239.1.2.3')"
}

@test "IPv6 multicast: -m lo -H 2 reaches a member on lo (root, netns)" {
	need tcpdump tshark
	mcast_setup
	start_bg r "${NS[@]}" udp-recv -a "$T/r.addr" -m lo -F text -c 1 '[ff1e::1234]:0'
	wait_addr r
	port=$(port_of "$(cat "$T/r.addr")")
	start_bg cap "${NS[@]}" tcpdump -i lo -U -c 1 -w "$T/cap.pcap" udp
	wait_for "$T/cap.err" 'listening on'
	echo group6 | in_ns timeout 20 udp-send -m lo -H 2 "[ff1e::1234]:$port"
	finish r
	run payloads "$T/r.out"
	assert_output '6 group6'
	finish cap
	assert_equal "$(tshark_fields "$T/cap.pcap" ipv6.hlim)" 2
}

# On lo a datagram sent to a group comes back in through the device
# whatever IP_MULTICAST_LOOP says; a dummy interface drops what is sent
# out of it, so there the only copy a member can get is the looped one.
@test "-L: multicast loopback off, a member on this host gets nothing (root, netns)" {
	netns_start
	in_ns ip link add d0 type dummy 2>/dev/null || skip "no dummy interfaces"
	in_ns ip link set d0 up multicast on
	in_ns ip addr add 10.9.9.1/24 dev d0
	in_ns ip route add 239.0.0.0/8 dev d0
	start_bg r "${NS[@]}" udp-recv -a "$T/r.addr" -m d0 -F line -c 1 239.1.2.5:0
	wait_addr r
	port=$(port_of "$(cat "$T/r.addr")")
	echo not-looped | in_ns timeout 20 udp-send -L -m d0 "239.1.2.5:$port"
	echo looped | in_ns timeout 20 udp-send -m d0 "239.1.2.5:$port"
	finish r
	assert_equal "$(cat "$T/r.out")" looped
}

# --------------------------------------------------------- error paths

@test "-s an address in use: exit 111, 'unable to bind' naming it" {
	start_recv r -F line 127.0.0.1:0
	run timeout 20 udp-send -s "$recv_addr" 127.0.0.1:9 </dev/null
	assert_failure 111
	assert_output "udp-send: unable to bind $recv_addr: Address already in use"
}

@test "-s an address not on this host: exit 111" {
	run timeout 20 udp-send -s 192.0.2.1 127.0.0.1:9 </dev/null
	assert_failure 111
	assert_output --partial 'udp-send: unable to bind 192.0.2.1: '
}

@test "no route to the destination: exit 111 naming it (root, netns)" {
	netns_start
	run in_ns timeout 20 udp-send 192.0.2.1:9 </dev/null
	assert_failure 111
	assert_output --partial 'udp-send: unable to connect to 192.0.2.1:9: '
}

@test "stdin that cannot be read (a directory): exit 111, not the status of malformed input" {
	run timeout 20 udp-send 127.0.0.1:9 </
	assert_failure 111
	assert_output --partial 'udp-send: unable to read stdin: read error: Is a directory'
}

@test "stdin shared with the shell: O_NONBLOCK only while udp-send runs (end of input, TERM)" {
	start_recv r -F line 127.0.0.1:0
	stdin_restored udp-send "$recv_addr"
}

@test "stdin closed: exit 111" {
	# closed inside the command: bats' own pipes would take a closed fd 0
	run timeout 20 bash -c 'exec <&- && exec udp-send 127.0.0.1:9'
	assert_failure 111
	assert_output --partial 'udp-send: unable to read stdin'
}
