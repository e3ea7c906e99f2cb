#!/usr/bin/env bats
# recv_addr, recv_port, bg_pid and exit_status are set by helper.bash
# shellcheck disable=SC2154
# tests/udp-recv.bats: udp-recv against socat, nc, udpsend, tcpdump, capinfos
# and tshark: usage, bad values, behaviour, error paths.

bats_require_minimum_version 1.5.0
load helper

USAGE='usage: udp-recv [-GhRuv] [-a FILE] [-b SIZE] [-c COUNT] [-d FD] [-F FORMAT] [-f EXPR] [-I FILE] [-i IFACE] [-M FILE] [-m IFACE] [-S SOURCE] [-T IDLE] [-t DURATION] [-U USER] [ADDRESS]'
ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z'

setup_file() {
	if ! command -v udp-recv >/dev/null || ! command -v udpsend >/dev/null
	then
		fail_msg "udp-recv or tests/tools/udpsend is not built: run make check"
	fi
}

setup() {
	T=$BATS_TEST_TMPDIR
	unset LISTEN_FDS LISTEN_PID
}

# send ADDR SPEC...: udpsend -v (bounded); sets sport to its source port.
send() {
	timeout 20 udpsend -v "$@" 2>"$T/send.err" ||
	    fail_msg "udpsend $* failed: $(cat "$T/send.err")"
	sport=$(sed -n 's/^from .*://p' "$T/send.err")
}


# normalize_text FILE SPORT DPORT: the text records with the timestamp and
# the two known ports replaced, as in the golden files.
normalize_text() {
	sed -E -e "s/^$ISO /TIME /" -e "s/ 127\.0\.0\.1:$2 > / 127.0.0.1:SPORT > /" \
	    -e "s/ > 127\.0\.0\.1:$3 / > 127.0.0.1:DPORT /" "$1"
}

# check_seq FILE SIZE: FILE holds "SRCPORT<TAB>PAYLOAD-HEX" lines from
# udpsend seq:N:SIZE senders; print "SRCPORT COUNT" per sender and fail on a
# payload that is not the one sent or an index seen twice or missing.
check_seq() {
	awk -F'\t' -v size="$2" '
	function b(h, i) {
		return (index("0123456789abcdef", substr(h, 2 * i + 1, 1)) - 1) * 16 + \
		    index("0123456789abcdef", substr(h, 2 * i + 2, 1)) - 1
	}
	{
		if (length($2) != 2 * size) { print "bad length " length($2) / 2; bad = 1 }
		idx = ((b($2, 0) * 256 + b($2, 1)) * 256 + b($2, 2)) * 256 + b($2, 3)
		for (j = 4; j < size; j++)
			if (b($2, j) != (idx + j) % 256) { print "bad byte " j " in " idx; bad = 1; break }
		if (seen[$1, idx]++) { print "duplicate " $1 " " idx; bad = 1 }
		if (idx > max[$1] || !($1 in n)) max[$1] = idx
		n[$1]++
	}
	END {
		for (p in n) {
			if (max[p] + 1 != n[p]) { print "missing records from " p; bad = 1 }
			print p, n[p]
		}
		exit bad
	}' "$1" | sort
}

# ---------------------------------------------------------------- usage

@test "usage: -h prints the usage line to stdout and exits 0" {
	run --separate-stderr timeout 20 udp-recv -h
	assert_success
	assert_output "$USAGE"
	[ -z "$stderr" ]
}

@test "usage: no source at all exits 100 with the usage line" {
	run timeout 20 udp-recv
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: an unknown option exits 100 with the usage line" {
	run timeout 20 udp-recv -z 127.0.0.1:0
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: a missing option argument exits 100 with the usage line" {
	run timeout 20 udp-recv 127.0.0.1:0 -c
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: two operands exit 100" {
	run timeout 20 udp-recv 127.0.0.1:0 127.0.0.1:0
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: ADDRESS and -I together are refused (one source)" {
	run timeout 20 udp-recv -I "$FIXTURES/lo-en10mb.pcap" 127.0.0.1:0
	assert_failure 100
	[ -n "$output" ]
}

@test "usage: -i and -I together are refused (one source)" {
	run timeout 20 udp-recv -i lo -I "$FIXTURES/lo-en10mb.pcap"
	assert_failure 100
	[ -n "$output" ]
}

@test "usage: -d and ADDRESS together are refused (one source)" {
	run timeout 20 udp-recv -d 0 127.0.0.1:0
	assert_failure 100
	[ -n "$output" ]
}

@test "usage: -f outside capture mode is refused" {
	run timeout 20 udp-recv -f 'udp port 9' 127.0.0.1:0
	assert_failure 100
	[ -n "$output" ]
}

@test "usage: LISTEN_FDS for another pid is not an activation (no source)" {
	LISTEN_FDS=1 LISTEN_PID=1 run timeout 20 udp-recv 3</dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
}

# ----------------------------------------------------------- bad values

# bad VALUE ARGS...: udp-recv ARGS exits 100 naming 'VALUE', with the
# usage line (bad_usage).
bad() {
	local val=$1
	shift
	bad_usage udp-recv "$val" "$@"
}

@test "bad value: -c 0" { bad 0 -c 0 127.0.0.1:0; }
@test "bad value: -c x" { bad x -c x 127.0.0.1:0; }
@test "bad value: -c 12x (the spec's message)" {
	bad 12x -c 12x 127.0.0.1:0
	assert_output --partial "udp-recv: invalid count '12x'"
}
@test "bad value: -c -1" { bad -1 -c -1 127.0.0.1:0; }
@test "bad value: -c 99999999999999999999999" {
	bad 99999999999999999999999 -c 99999999999999999999999 127.0.0.1:0
}
@test "bad value: -t 5x" { bad 5x -t 5x 127.0.0.1:0; }
@test "bad value: -t 1fortnight" { bad 1fortnight -t 1fortnight 127.0.0.1:0; }
@test "bad value: -T x" { bad x -T x 127.0.0.1:0; }
@test "bad value: -F foo" { bad foo -F foo 127.0.0.1:0; }
@test "bad value: -b 1X" { bad 1X -b 1X 127.0.0.1:0; }
@test "bad value: -d x" { bad x -d x; }
@test "bad value: -d -1" { bad -1 -d -1; }
@test "bad value: address x (the spec's message)" {
	bad x x
	assert_output --partial "udp-recv: invalid address 'x'"
}
@test "bad value: address without a port" { bad 127.0.0.1 127.0.0.1; }
@test "bad value: port 65536" { bad 127.0.0.1:65536 127.0.0.1:65536; }
@test "bad value: port x" { bad 127.0.0.1:x 127.0.0.1:x; }
@test "bad value: 256.1.1.1:5" { bad 256.1.1.1:5 256.1.1.1:5; }
@test "bad value: [::1:5 (unclosed bracket)" { bad '[::1:5' '[::1:5'; }
@test "bad value: a host name is never looked up" { bad localhost:5 localhost:5; }
@test "bad value: -S x" { bad x -S x 239.1.2.3:0; }

@test "bad value: unknown user for -U exits 100 naming the user" {
	run timeout 20 udp-recv -U no-such-user-zz -c 1 127.0.0.1:0
	assert_failure 100
	assert_output --partial no-such-user-zz
}

@test "bad value: a bad filter exits 100 naming the filter" {
	run timeout 20 udp-recv -I "$FIXTURES/lo-en10mb.pcap" -f 'udp and and'
	assert_failure 100
	assert_output --partial 'udp and and'
}

@test "bad value: -d on a TCP socket is refused with 100" {
	need python3
	run timeout 20 python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
os.set_inheritable(s.fileno(), True)
os.execvp("udp-recv", ["udp-recv", "-F", "line", "-d", str(s.fileno())])'
	assert_failure 100
	assert_output --regexp 'udp-recv: .*(UDP|udp|datagram)'
}

# ------------------------------------------------------------ behaviour

@test "text output matches the golden file: every byte class, 0 bytes, 256 values" {
	start_recv r -F text -c 5 127.0.0.1:0
	send "$recv_addr" str:hello hex:5c090d0a007f80ff202227 zero:0 'str:a b' \
	    "file:$FIXTURES/bytes256.bin"
	finish r
	assert_equal "$exit_status" 0
	normalize_text "$T/r.out" "$sport" "$recv_port" >"$T/norm"
	diff -u "$FIXTURES/socket-text.golden" "$T/norm"
	# every line starts with the ISO 8601 timestamp that was replaced
	[ "$(grep -Ec "^$ISO 127\.0\.0\.1:$sport > 127\.0\.0\.1:$recv_port " "$T/r.out")" -eq 5 ]
}

@test "line output is exactly each payload plus a newline" {
	start_recv r -F line -c 5 127.0.0.1:0
	send "$recv_addr" str:hello hex:5c090d0a007f80ff202227 zero:0 'str:a b' \
	    "file:$FIXTURES/bytes256.bin"
	finish r
	assert_equal "$exit_status" 0
	cmp "$FIXTURES/socket-line.golden" "$T/r.out"
}

@test "line output: a payload that ends in a newline (socat) gets none added" {
	need socat
	start_recv r -F line -c 4 127.0.0.1:0
	printf 'hello\n' | socat -u - "UDP-SENDTO:$recv_addr"
	send "$recv_addr" str:world hex:610a0a zero:0
	finish r
	assert_equal "$exit_status" 0
	# hello\n, world + \n, a\n\n (its own empty line), the empty one + \n
	cmp <(printf 'hello\nworld\na\n\n\n') "$T/r.out"
}

@test "raw output is exactly the payloads concatenated" {
	start_recv r -F raw -c 5 127.0.0.1:0
	send "$recv_addr" str:hello hex:5c090d0a007f80ff202227 zero:0 'str:a b' \
	    "file:$FIXTURES/bytes256.bin"
	finish r
	assert_equal "$exit_status" 0
	cmp "$FIXTURES/socket-raw.golden" "$T/r.out"
}

@test "pcap is the default off a terminal: header, records as tcpdump, capinfos and tshark see them" {
	need tcpdump capinfos tshark
	t0=$(date +%s.%N)
	start_recv r -c 3 127.0.0.1:0
	send "$recv_addr" str:hello zero:0 hex:00ff
	finish r
	t1=$(date +%s.%N)
	assert_equal "$exit_status" 0
	# magic a1b23c4d (ns) in native order, 2.4, snaplen 262144, LINKTYPE_RAW
	assert_equal "$(od -An -N4 -tx4 "$T/r.out" | tr -d ' ')" a1b23c4d
	assert_equal "$(od -An -j4 -N4 -tu2 "$T/r.out" | xargs)" '2 4'
	assert_equal "$(od -An -j8 -N16 -tu4 "$T/r.out" | xargs)" '0 0 262144 101'
	run capinfos -c -M "$T/r.out"
	assert_success
	assert_output --regexp 'Number of packets: +3'
	run capinfos -E "$T/r.out"
	assert_output --partial 'Raw IP'
	run --separate-stderr tcpdump -nn -r "$T/r.out"
	assert_success
	assert_line --index 0 --regexp " IP 127\.0\.0\.1\.$sport > 127\.0\.0\.1\.$recv_port: UDP, length 5$"
	assert_line --index 1 --regexp " IP 127\.0\.0\.1\.$sport > 127\.0\.0\.1\.$recv_port: UDP, length 0$"
	assert_line --index 2 --regexp " IP 127\.0\.0\.1\.$sport > 127\.0\.0\.1\.$recv_port: UDP, length 2$"
	tshark -n -o ip.check_checksum:TRUE -r "$T/r.out" -T fields -E separator=' ' \
	    -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e udp.length \
	    -e ip.ttl -e ip.checksum.status -e udp.checksum -e frame.len \
	    -e udp.payload 2>"$T/tshark.err" | sed 's/ *$//' >"$T/fields"
	diff -u - "$T/fields" <<-EOF
	127.0.0.1 $sport 127.0.0.1 $recv_port 13 64 1 0x0000 33 68656c6c6f
	127.0.0.1 $sport 127.0.0.1 $recv_port 8 64 1 0x0000 28
	127.0.0.1 $sport 127.0.0.1 $recv_port 10 64 1 0x0000 30 00ff
	EOF
	# kernel receive times, between the start and the end of the run
	tshark_fields "$T/r.out" frame.time_epoch >"$T/times"
	awk -v a="$t0" -v b="$t1" '$1 < a || $1 > b { bad = 1 } END { exit bad }' "$T/times"
}

@test "IPv6 ::1: datagrams arrive exactly; pcap has IPv6 headers" {
	need tcpdump tshark
	start_recv r -c 2 '[::1]:0'
	assert_equal "$recv_addr" "[::1]:$recv_port"
	send "$recv_addr" str:six "file:$FIXTURES/bytes256.bin"
	finish r
	assert_equal "$exit_status" 0
	run --separate-stderr tcpdump -nn -r "$T/r.out"
	assert_line --index 0 --regexp " IP6 ::1\.$sport > ::1\.$recv_port: UDP, length 3$"
	assert_line --index 1 --regexp " IP6 ::1\.$sport > ::1\.$recv_port: UDP, length 256$"
	tshark_fields "$T/r.out" ipv6.src udp.srcport ipv6.dst udp.dstport \
	    ipv6.hlim udp.length udp.payload >"$T/fields"
	diff -u - "$T/fields" <<-EOF
	::1	$sport	::1	$recv_port	64	11	736978
	::1	$sport	::1	$recv_port	64	264	$(hexof "$FIXTURES/bytes256.bin")
	EOF
	# IPv6 forbids a zero UDP checksum: both records carry a good one
	run --separate-stderr tcpdump -vnn -r "$T/r.out"
	assert_equal "$(grep -c 'udp sum ok' <<<"$output")" 2
}

@test ":PORT binds dual-stack; IPv4 senders are written as IPv4" {
	need tshark
	start_recv r -F text -c 2 :0
	assert_equal "$recv_addr" "[::]:$recv_port"
	send "127.0.0.1:$recv_port" str:four
	sport4=$sport
	send "[::1]:$recv_port" str:six
	finish r
	assert_equal "$exit_status" 0
	assert_equal "$(sed -E "s/^$ISO //" "$T/r.out")" \
	    "127.0.0.1:$sport4 > 127.0.0.1:$recv_port 4 four
[::1]:$sport > [::1]:$recv_port 3 six"
}

@test "the destination is the address the datagram was sent to, not the wildcard" {
	need tshark
	start_recv r -c 2 :0
	send "127.0.0.1:$recv_port" str:a
	send "[::1]:$recv_port" str:b
	finish r
	assert_equal "$(tshark_fields "$T/r.out" ip.dst ipv6.dst | tr '\t' ,)" \
	    "127.0.0.1,
,::1"
}

# big ADDR: a 0-byte and a 65507-byte datagram of random bytes arrive
# exactly (raw output, and the payload tshark reads from the pcap output).
big() {
	need tshark
	head -c 65507 /dev/urandom >"$T/big"
	start_recv r -c 2 "$1"
	send "$recv_addr" zero:0 "file:$T/big"
	finish r
	assert_equal "$exit_status" 0
	tshark_fields "$T/r.out" udp.length udp.payload >"$T/fields"
	assert_equal "$(sed -n 1p "$T/fields")" "$(printf '8\t')"
	assert_equal "$(sed -n 2p "$T/fields")" "$(printf '65515\t%s' "$(hexof "$T/big")")"
	timeout 20 udp-recv -I "$T/r.out" -F raw >"$T/raw"
	cmp "$T/big" "$T/raw"
}

@test "0-byte and 65507-byte datagrams arrive exactly over IPv4" { big 127.0.0.1:0; }
@test "0-byte and 65507-byte datagrams arrive exactly over IPv6" { big '[::1]:0'; }

@test "datagrams sent by socat arrive exactly, boundaries kept" {
	need socat
	# -F line adds a newline only where the datagram has none at its end:
	# random data must not end in one (1 run in 256 did)
	{ head -c 65506 /dev/urandom; printf 'e'; } >"$T/d1"
	printf 'x' >"$T/d2"
	{ head -c 1499 /dev/urandom; printf 'e'; } >"$T/d3"
	start_recv r -F line -c 3 127.0.0.1:0
	for f in d1 d2 d3; do
		timeout 20 socat -b 65507 -u "FILE:$T/$f" "UDP4-SENDTO:$recv_addr"
	done
	finish r
	assert_equal "$exit_status" 0
	for f in d1 d2 d3; do cat "$T/$f"; echo; done >"$T/expect"
	cmp "$T/expect" "$T/r.out"
}

@test "datagrams sent by socat over IPv6 arrive exactly" {
	need socat
	start_recv r -F text -c 1 '[::1]:0'
	printf 'socat six' | timeout 20 socat -u - "UDP6-SENDTO:$recv_addr"
	finish r
	assert_equal "$exit_status" 0
	run sed -E "s/^$ISO //" "$T/r.out"
	assert_output --regexp "^\[::1\]:[0-9]+ > \[::1\]:$recv_port 9 socat six$"
}

@test "datagrams sent by nc -u arrive exactly" {
	need nc
	head -c 4000 /dev/urandom >"$T/d1"
	start_recv r -F raw -c 1 127.0.0.1:0
	timeout 20 nc -u -q 0 127.0.0.1 "$recv_port" <"$T/d1"
	finish r
	assert_equal "$exit_status" 0
	cmp "$T/d1" "$T/r.out"
}

@test "datagrams sent by nc -u over IPv6 arrive exactly" {
	need nc
	start_recv r -F text -c 1 '[::1]:0'
	printf 'nc\tsix' | timeout 20 nc -u -q 0 ::1 "$recv_port"
	finish r
	assert_equal "$exit_status" 0
	run sed -E "s/^$ISO //" "$T/r.out"
	assert_output --regexp "^\[::1\]:[0-9]+ > \[::1\]:$recv_port 6 nc\\\\tsix$"
}

@test "several senders at once: every record of every sender, exactly" {
	need tshark
	start_recv r -c 2000 127.0.0.1:0
	for i in 1 2 3 4; do
		start_bg "s$i" udpsend -v "$recv_addr" seq:500:200
	done
	for i in 1 2 3 4; do
		wait_exit "$(bg_pid_of "s$i")" 20
		assert_equal "$exit_status" 0
		sed -n 's/^from .*://p' "$T/s$i.err" >>"$T/ports"
	done
	sort -o "$T/ports" "$T/ports"
	finish r 20
	assert_equal "$exit_status" 0
	tshark_fields "$T/r.out" udp.srcport udp.payload >"$T/fields"
	check_seq "$T/fields" 200 >"$T/counts"
	sed 's/$/ 500/' "$T/ports" | diff -u - "$T/counts"
}

@test "-c COUNT exits 0 after exactly COUNT records" {
	start_recv r -F line -c 3 127.0.0.1:0
	send "$recv_addr" str:a str:b str:c str:d str:e
	finish r
	assert_equal "$exit_status" 0
	assert_equal "$(cat "$T/r.out")" "a
b
c"
}

@test "-t DURATION ends the run with 0 and a valid empty pcap" {
	need capinfos
	t0=$(date +%s%N)
	start_recv r -t 1s 127.0.0.1:0
	finish r 20
	t1=$(date +%s%N)
	assert_equal "$exit_status" 0
	[ $(((t1 - t0) / 1000000)) -ge 900 ] || fail_msg "ended after $(((t1 - t0) / 1000000)) ms"
	run capinfos -c "$T/r.out"
	assert_success
	assert_output --regexp 'Number of packets: +0'
}

@test "-t DURATION also ends a run that is receiving" {
	start_recv r -F line -t 500ms 127.0.0.1:0
	send "$recv_addr" str:during
	finish r 20
	assert_equal "$exit_status" 0
	assert_equal "$(cat "$T/r.out")" during
}

@test "-T IDLE ends the run after a quiet spell and keeps what came" {
	start_recv r -F line -T 300ms 127.0.0.1:0
	send "$recv_addr" str:one str:two
	finish r 20
	assert_equal "$exit_status" 0
	assert_equal "$(cat "$T/r.out")" "one
two"
}

@test "the output is flushed before waiting (no -u): an idle channel is up to date" {
	start_recv r -F line 127.0.0.1:0
	send "$recv_addr" str:first
	wait_for "$T/r.out" '^first$'
	send "$recv_addr" str:second
	wait_for "$T/r.out" '^second$'
	running "$bg_pid"
	stop_bg r
	assert_equal "$exit_status" 0
}

@test "TERM writes every datagram already queued, then exits 0" {
	need tshark capinfos
	start_recv r 127.0.0.1:0
	# the receiver is stopped, so the kernel holds all of them
	kill -STOP "$bg_pid"
	send "$recv_addr" seq:300:100
	kill -TERM "$bg_pid"
	kill -CONT "$bg_pid"
	wait_exit "$bg_pid"
	assert_equal "$exit_status" 0
	run capinfos -c "$T/r.out"
	assert_output --regexp 'Number of packets: +300'
	tshark_fields "$T/r.out" udp.srcport udp.payload >"$T/fields"
	assert_equal "$(check_seq "$T/fields" 100)" "$sport 300"
}

@test "INT drains like TERM" {
	start_recv r -F line 127.0.0.1:0
	kill -STOP "$bg_pid"
	send "$recv_addr" str:a str:b str:c
	kill -INT "$bg_pid"
	kill -CONT "$bg_pid"
	wait_exit "$bg_pid"
	assert_equal "$exit_status" 0
	assert_equal "$(cat "$T/r.out")" "a
b
c"
}

@test "USR1 prints the counters; they match what was sent and written" {
	start_recv r -u -F line 127.0.0.1:0
	send "$recv_addr" str:1 str:2 str:3 str:4 str:5
	wait_for "$T/r.out" '^5$'
	kill -USR1 "$bg_pid"
	wait_for "$T/r.err" 'received='
	assert_equal "$(grep received= "$T/r.err")" \
	    'udp-recv: received=5 written=5 dropped=0'
	running "$bg_pid"
	assert_equal "$(wc -l <"$T/r.out")" 5
	stop_bg r
	assert_equal "$exit_status" 0
}

@test "-v: the bound address at start, the counters at exit" {
	start_recv r -v -F line -c 2 127.0.0.1:0
	send "$recv_addr" str:x str:y
	finish r
	assert_equal "$exit_status" 0
	run cat "$T/r.err"
	assert_output --partial "$recv_addr"
	assert_line 'udp-recv: received=2 written=2 dropped=0'
}

@test "kernel drops are counted: exit 1 and received + dropped = sent" {
	need capinfos
	start_recv r -b 4k 127.0.0.1:0
	kill -STOP "$bg_pid"
	send "$recv_addr" seq:200:1000
	kill -CONT "$bg_pid"
	stop_bg r TERM
	assert_equal "$exit_status" 1
	line=$(grep -E '^udp-recv: received=[0-9]+ written=[0-9]+ dropped=[0-9]+$' "$T/r.err") ||
	    fail_msg "no counters line in: $(cat "$T/r.err")"
	# shellcheck disable=SC2046 # the three numbers are meant to split
	set -- $(printf '%s\n' "$line" | tr -c '0-9\n' ' ')
	[ "$1" -eq "$2" ] && [ "$3" -gt 0 ] && [ $(($1 + $3)) -eq 200 ] ||
	    fail_msg "counters do not add up to 200 sent: $line"
	# the records in the output are the ones counted as written
	run capinfos -c "$T/r.out"
	assert_output --regexp "Number of packets: +$2\$"
}

@test "-a writes the address into an existing FIFO directly" {
	mkfifo "$T/fifo"
	start_bg r udp-recv -a "$T/fifo" -F line -c 1 127.0.0.1:0
	addr=$(timeout 10 cat "$T/fifo")
	[[ $addr =~ ^127\.0\.0\.1:[1-9][0-9]*$ ]] || fail_msg "bad address '$addr'"
	send "$addr" str:via-fifo
	finish r
	assert_equal "$exit_status" 0
	assert_equal "$(cat "$T/r.out")" via-fifo
}

@test "-a leaves no temporary file beside the address file" {
	start_recv r -F line -c 1 127.0.0.1:0
	send "$recv_addr" str:x
	finish r
	n=0
	for f in "$T"/r.addr*; do n=$((n + 1)); done
	assert_equal "$n" 1
}

@test "-R: two receivers share a port; together they get every datagram" {
	start_recv r1 -R -F line 127.0.0.1:0
	start_recv r2 -R -F line "$recv_addr"
	assert_equal "$recv_addr" "$(cat "$T/r1.addr")"
	for i in $(seq 1 20); do
		send "$recv_addr" "str:m$i"
	done
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wait_until 10 eval '[ "$(cat "$T/r1.out" "$T/r2.out" | wc -l)" -ge 20 ]'
	stop_bg r1
	stop_bg r2
	assert_equal "$(cat "$T/r1.out" "$T/r2.out" | sort)" "$(seq 1 20 | sed 's/^/m/' | sort)"
}

@test "-b: the granted buffer is read back; a short grant warns naming net.core.rmem_max" {
	need setpriv
	need_root
	run timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
	    udp-recv -b 1G -t 100ms -F line 127.0.0.1:0
	assert_success
	assert_output --partial net.core.rmem_max
}

@test "binary never goes to a terminal: -F pcap and -F raw are refused" {
	need script
	run timeout 20 script -qec "udp-recv -F pcap -c 1 127.0.0.1:0" /dev/null
	assert_failure 100
	run timeout 20 script -qec "udp-recv -F raw -c 1 127.0.0.1:0" /dev/null
	assert_failure 100
}

@test "text is the default on a terminal" {
	need script
	start_bg r script -qec "udp-recv -a $T/r.addr -c 1 127.0.0.1:0" /dev/null
	wait_addr r
	send "$(cat "$T/r.addr")" str:on-a-tty
	finish r
	assert_equal "$exit_status" 0
	run grep -aE "^$ISO 127\.0\.0\.1:$sport > 127\.0\.0\.1:[0-9]+ 8 on-a-tty.?$" "$T/r.out"
	assert_success
}

@test "-d FD uses an inherited bound socket" {
	need python3
	start_bg r python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
os.set_inheritable(s.fileno(), True)
os.execvp("udp-recv", ["udp-recv", "-F", "line", "-c", "2", "-d", str(s.fileno())])
' "$T/port"
	wait_for "$T/port" '^[0-9]+$'
	send "127.0.0.1:$(cat "$T/port")" str:inherited str:socket
	finish r
	assert_equal "$exit_status" 0
	assert_equal "$(cat "$T/r.out")" "inherited
socket"
}

@test "LISTEN_FDS=1 with our LISTEN_PID: socket activation on fd 3" {
	need python3
	start_bg r python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())   # exec keeps the pid
os.execvp("udp-recv", ["udp-recv", "-F", "text", "-c", "1"])
' "$T/port"
	wait_for "$T/port" '^[0-9]+$'
	port=$(cat "$T/port")
	send "[::1]:$port" str:activated
	finish r
	assert_equal "$exit_status" 0
	run sed -E "s/^$ISO //" "$T/r.out"
	assert_output "[::1]:$sport > [::1]:$port 9 activated"
}

@test "-U nobody: privileges dropped after bind, records still written" {
	need_root
	start_recv r -U nobody -u -F line 127.0.0.1:0
	send "$recv_addr" str:as-nobody
	wait_for "$T/r.out" '^as-nobody$'
	run grep -E '^(Uid|Gid):' "/proc/$bg_pid/status"
	assert_line --regexp "^Uid:[[:space:]]+$(id -u nobody)([[:space:]]+$(id -u nobody)){3}$"
	assert_line --regexp "^Gid:[[:space:]]+$(id -g nobody)([[:space:]]+$(id -g nobody)){3}$"
	run grep -E '^Groups:' "/proc/$bg_pid/status"
	refute_output --regexp 'Groups:(.*[[:space:]])?0([[:space:]]|$)'
	stop_bg r
	assert_equal "$exit_status" 0
}

# ------------------------------------------------------- capture files

# from_fixture NAME: udp-recv -I FIXTURE writes the capture's UDP datagrams
# (IPv4 fragments skipped) with the capture's timestamps: tcpdump reads the
# same lines from both, tshark the same payloads.
from_fixture() {
	need tcpdump tshark
	local f=$FIXTURES/$1
	run timeout 20 udp-recv -v -I "$f"
	assert_success
	timeout 20 udp-recv -I "$f" >"$T/out.pcap" 2>"$T/err"
	filter='udp and not (ip and ip[6:2] & 0x3fff != 0)'
	tcpdump --nano -tt -nn -r "$f" "$filter" 2>/dev/null |
	    sed -E 's/^([0-9.]+) ([a-z]+ +(In|Out|M|B|P) +)?/\1 /' >"$T/expect"
	tcpdump --nano -tt -nn -r "$T/out.pcap" >"$T/got" 2>/dev/null
	assert_equal "$(wc -l <"$T/expect")" 5
	diff -u "$T/expect" "$T/got"
	# the datagrams themselves: not the copies inside ICMP errors, not fragments
	tshark -n -r "$f" -Y 'udp and not icmp and not icmpv6 and not ip.flags.mf == 1 and not ip.frag_offset > 0' \
	    -T fields -e udp.payload -o ip.defragment:FALSE 2>/dev/null >"$T/p1"
	tshark_fields "$T/out.pcap" udp.payload >"$T/p2"
	diff -u "$T/p1" "$T/p2"
}

@test "-I a tcpdump -i lo capture (EN10MB, ns timestamps, ICMP in it)" { from_fixture lo-en10mb.pcap; }
@test "-I a tcpdump -i any capture (LINUX_SLL)" { from_fixture any-sll.pcap; }
@test "-I a tcpdump -i any capture (LINUX_SLL2)" { from_fixture any-sll2.pcap; }
@test "-I a dumpcap capture (pcapng)" { from_fixture lo.pcapng; }

@test "-I: text output of a capture matches the golden file, timestamps included" {
	run --separate-stderr timeout 20 udp-recv -F text -I "$FIXTURES/lo-en10mb.pcap"
	assert_success
	diff -u "$FIXTURES/lo-en10mb.txt" <(printf '%s\n' "$output")
}

@test "-I -: the capture comes from stdin" {
	timeout 20 udp-recv -F text -I - <"$FIXTURES/any-sll2.pcap" >"$T/out"
	timeout 20 udp-recv -F text -I "$FIXTURES/any-sll2.pcap" >"$T/expect"
	[ -s "$T/expect" ]
	cmp "$T/expect" "$T/out"
}

@test "-I -v: IPv4 fragments are skipped and counted" {
	run --separate-stderr timeout 20 udp-recv -v -F text -I "$FIXTURES/any-sll.pcap"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 5
	[[ $stderr =~ written=5\ .*skipped=3 ]] || fail_msg "counters: $stderr"
}

@test "-I of udp-recv's own output (LINKTYPE_RAW) gives it back byte for byte" {
	timeout 20 udp-recv -I "$FIXTURES/lo-en10mb.pcap" >"$T/a"
	timeout 20 udp-recv -I "$T/a" >"$T/b"
	[ "$(wc -c <"$T/a")" -gt 24 ]
	cmp "$T/a" "$T/b"
}

@test "-f EXPR selects records in capture mode" {
	run --separate-stderr timeout 20 udp-recv -F line -f 'ip6 and udp port 5002' \
	    -I "$FIXTURES/lo-en10mb.pcap"
	assert_success
	assert_output six
}

# ----------------------------------------------- root: netns, captures

@test "-i lo captures what a socket receiver gets (root, private netns)" {
	netns_start
	start_bg r "${NS[@]}" udp-recv -a "$T/r.addr" -u -F line 127.0.0.1:0
	wait_addr r
	addr=$(cat "$T/r.addr")
	start_bg cap "${NS[@]}" udp-recv -a "$T/cap.addr" -U nobody -i lo -F text \
	    -c 3 -f "udp dst port $(port_of "$addr")"
	wait_for "$T/cap.addr"
	in_ns timeout 20 udpsend -v "$addr" str:one hex:00ff 'str:th ree' 2>"$T/send.err"
	sport=$(sed -n 's/^from .*://p' "$T/send.err")
	finish cap
	assert_equal "$exit_status" 0
	wait_for "$T/r.out" '^th ree$'
	stop_bg r
	assert_equal "$(od -An -c "$T/r.out")" "$(printf 'one\n\000\377\nth ree\n' | od -An -c)"
	run sed -E "s/^$ISO //" "$T/cap.out"
	assert_output "127.0.0.1:$sport > $addr 3 one
127.0.0.1:$sport > $addr 2 \\x00\\xff
127.0.0.1:$sport > $addr 6 th ree"
}


@test "IPv4 multicast on lo: the group is joined, records carry the group (root, netns)" {
	need tshark
	mcast_setup
	start_bg r "${NS[@]}" udp-recv -a "$T/r.addr" -m lo -c 2 239.1.2.3:0
	wait_addr r
	port=$(port_of "$(cat "$T/r.addr")")
	in_ns ip maddr show dev lo | grep -q 239.1.2.3 ||
	    fail_msg "group not joined: $(in_ns ip maddr show dev lo)"
	in_ns timeout 20 udpsend -v -m lo "239.1.2.3:$port" str:group hex:0001 2>"$T/send.err"
	sport=$(sed -n 's/^from .*://p' "$T/send.err")
	finish r
	assert_equal "$exit_status" 0
	tshark_fields "$T/r.out" ip.src udp.srcport ip.dst udp.dstport udp.payload >"$T/fields"
	diff -u - "$T/fields" <<-EOF
	127.0.0.1	$sport	239.1.2.3	$port	67726f7570
	127.0.0.1	$sport	239.1.2.3	$port	0001
	EOF
}

@test "IPv6 multicast on lo: the group is joined, records carry the group (root, netns)" {
	need tshark
	mcast_setup
	start_bg r "${NS[@]}" udp-recv -a "$T/r.addr" -m lo -c 2 '[ff1e::1234]:0'
	wait_addr r
	port=$(port_of "$(cat "$T/r.addr")")
	in_ns ip maddr show dev lo | grep -q ff1e::1234 ||
	    fail_msg "group not joined: $(in_ns ip maddr show dev lo)"
	in_ns timeout 20 udpsend -v -m lo "[ff1e::1234]:$port" str:group6 zero:0 2>"$T/send.err"
	sport=$(sed -n 's/^from .*://p' "$T/send.err")
	finish r
	assert_equal "$exit_status" 0
	tshark_fields "$T/r.out" ipv6.src udp.srcport ipv6.dst udp.dstport udp.length \
	    udp.payload | sed 's/[[:space:]]*$//' >"$T/fields"
	diff -u - "$T/fields" <<-EOF
	::1	$sport	ff1e::1234	$port	14	67726f757036
	::1	$sport	ff1e::1234	$port	8
	EOF
}

@test "source-specific multicast: -S takes only that source (root, netns)" {
	mcast_setup
	start_bg r "${NS[@]}" udp-recv -a "$T/r.addr" -m lo -S 127.0.0.1 -F text -c 1 239.1.2.4:0
	wait_addr r
	port=$(port_of "$(cat "$T/r.addr")")
	in_ns timeout 20 udpsend -m lo -s 127.0.0.2:0 "239.1.2.4:$port" str:other-source
	in_ns timeout 20 udpsend -v -m lo -s 127.0.0.1:0 "239.1.2.4:$port" str:the-source 2>"$T/send.err"
	sport=$(sed -n 's/^from .*://p' "$T/send.err")
	finish r
	assert_equal "$exit_status" 0
	run sed -E "s/^$ISO //" "$T/r.out"
	assert_output "127.0.0.1:$sport > 239.1.2.4:$port 10 the-source"
}

# --------------------------------------------------------- error paths

@test "port in use: exit 111, 'unable to bind' naming the address" {
	start_recv r -F line 127.0.0.1:0
	run timeout 20 udp-recv -F line "$recv_addr"
	assert_failure 111
	assert_output --partial "udp-recv: unable to bind $recv_addr: Address already in use"
	# the first receiver is untouched
	send "$recv_addr" str:still-here
	wait_for "$T/r.out" '^still-here$'
}

@test "port in use over IPv6: exit 111 naming the address" {
	start_recv r -F line '[::1]:0'
	run timeout 20 udp-recv -F line "$recv_addr"
	assert_failure 111
	assert_output --partial "unable to bind $recv_addr"
}

@test "an address that is not ours: exit 111, unable to bind" {
	run timeout 20 udp-recv -F line 192.0.2.1:0
	assert_failure 111
	assert_output --partial "unable to bind 192.0.2.1:0"
}

@test "write error (/dev/full): exit 111, unable to write output" {
	BG_STDOUT=/dev/full start_recv r -F line 127.0.0.1:0
	send "$recv_addr" str:lost
	finish r
	assert_equal "$exit_status" 111
	run cat "$T/r.err"
	assert_output --partial 'udp-recv: unable to write output: No space left on device'
}

@test "pcap to /dev/full: exit 111" {
	BG_STDOUT=/dev/full start_bg r udp-recv -a "$T/r.addr" -c 1 127.0.0.1:0
	# the header may already fail; if it is still running, give it a record
	wait_until 10 addr_or_gone "$T/r.addr" "$bg_pid"
	if running "$bg_pid"; then
		send "$(cat "$T/r.addr")" str:x
	fi
	finish r
	assert_equal "$exit_status" 111
	assert_equal "$(grep -c 'unable to write output' "$T/r.err")" 1
}

@test "reader gone (EPIPE): exit 111, not killed by SIGPIPE" {
	mkfifo "$T/pipe"
	BG_STDOUT=$T/pipe start_bg r udp-recv -a "$T/r.addr" -F line 127.0.0.1:0
	# be the reader for a moment, then leave: the next write gets EPIPE
	exec 5<"$T/pipe"
	exec 5<&-
	wait_addr r
	send "$(cat "$T/r.addr")" str:x
	finish r
	assert_equal "$exit_status" 111
	run cat "$T/r.err"
	# seen on the write (EPIPE), or before it, the pipe's POLLERR
	assert_output --regexp 'udp-recv: unable to write output: (Broken pipe|its reader is gone; lost=[0-9]+ records it did not read)'
}

@test "-I a missing file: exit 111 naming it" {
	run timeout 20 udp-recv -I "$T/no-such.pcap"
	assert_failure 111
	assert_output --partial "$T/no-such.pcap"
}

@test "-I a file that is not a capture: exit 100 or 111 naming it, no output" {
	printf 'not a capture file at all\n' >"$T/junk"
	run --separate-stderr timeout 20 udp-recv -F line -I "$T/junk"
	[ "$status" -eq 100 ] || [ "$status" -eq 111 ] || fail_msg "exit $status"
	[ -z "$output" ]
	[[ $stderr == *"$T/junk"* ]] || fail_msg "message: $stderr"
}

@test "-i on a missing interface: exit 111 (capture open failed)" {
	run timeout 20 udp-recv -i nosuchif0 -c 1
	assert_failure 111
	assert_output --partial nosuchif0
}

@test "-d on a closed descriptor: refused, naming the descriptor" {
	run timeout 20 udp-recv -F line -d 9 9>&-
	[ "$status" -eq 100 ] || [ "$status" -eq 111 ] || fail_msg "exit $status: $output"
	assert_output --partial "'9'"
}
