#!/usr/bin/env bats
# nats-send.bats: nats-send against a real nats-server started here (free
# ports, stopped by pid): usage and bad values, records in and the same
# records out (nats-recv, tshark, the npm nats client), message ids that
# store a record once, back-pressure, the end, TLS and credentials.
# nats_* variables, tls_* and exit_status are set by nats.bash and
# helper.bash; shellcheck takes each @test for a subshell (SC2030, SC2031).
# shellcheck disable=SC2154,SC2030,SC2031

load helper
load nats

bats_require_minimum_version 1.5.0

USAGE_RE='^usage: nats-send \[-hv\]'

# --- usage and bad values (no server needed) ---

@test "nats-send: no SUBJECT is a usage error (100)" {
	run -100 nats-send
	assert_line --index 0 'nats-send: missing SUBJECT'
	assert_line --regexp "$USAGE_RE"
}

@test "nats-send: -h prints the usage line and exits 0" {
	run -0 nats-send -h
	assert_output --regexp "$USAGE_RE"
}

@test "nats-send: an unknown option is a usage error (100)" {
	run -100 nats-send -Z a.b
	assert_line --index 0 'nats-send: unknown option -Z'
}

@test "nats-send: bad values name the value and exit 100" {
	local v
	for v in "-B 0" "-B x" "-i 0" "-F json" "-w 0" "-D 1q" "-C S -y 7" \
	    "-C S -O tape" "-C S -L 1Q"; do
		# shellcheck disable=SC2086 # the option and its value
		run -100 nats-send $v a.b
		assert_line --index 0 --regexp "^nats-send: invalid .* '(0|x|json|1q|7|tape|1Q)'"
	done
}

@test "nats-send: a subject with a wildcard or an empty token is refused (100)" {
	local s
	for s in 'a.*' 'a.>' 'a..b' '.a' 'a b' ''; do
		run -100 nats-send "$s"
		assert_line --index 0 "nats-send: invalid subject '$s': use tokens of letters, digits, '-' and '_' between dots"
	done
}

@test "nats-send: stream settings without -C, a short duplicate window: usage errors" {
	run -100 nats-send -y 3 a.b
	assert_line --index 0 --partial 'they need -C'
	run -100 nats-send -W 5m a.b
	assert_line --index 0 --partial 'they need -C'
	run -100 nats-send -C S -W 3s a.b
	assert_line --index 0 --partial 'must cover a resend: at least -w plus 5 s'
	run -100 nats-send -C S -w 10s -W 14s a.b
	assert_line --index 0 --partial 'must cover a resend'
}

@test "nats-send: a certificate without its key, an unreadable file: 100" {
	run -100 nats-send -e "$BATS_TEST_FILENAME" a.b
	assert_line --index 0 --partial 'a client certificate needs its key'
	run -100 nats-send -k "$T/none.creds" a.b
	assert_line --index 0 "nats-send: invalid credentials file '$T/none.creds': No such file or directory"
	run -100 env NATS_PASSWORD_FILE="$T/nopw" NATS_USER=u nats-send \
	    -n nats://127.0.0.1:1 a.b </dev/null
	assert_line --index 0 --partial "invalid NATS_PASSWORD_FILE '$T/nopw'"
	run -100 nats-send -n 'nats://127.0.0.1:1,,nats://127.0.0.1:2' a.b
	assert_line --index 0 --partial 'empty URL'
}

# --- against a server ---

@test "nats-send: unreachable servers: one line, exit 111" {
	need_nats
	nats_free_ports 2
	run -111 nats-send -n "nats://127.0.0.1:${nats_ports%% *}" a.b </dev/null
	assert_output "nats-send: unable to connect to nats://127.0.0.1:${nats_ports%% *}: No server available for connection"
	# NATS_URL is the default, a comma list as the nats tools take it
	NATS_URL="nats://127.0.0.1:${nats_ports%% *},nats://127.0.0.1:${nats_ports##* }" \
	    run -111 nats-send a.b </dev/null
	assert_output --partial "unable to connect to nats://127.0.0.1:${nats_ports%% *},nats://127.0.0.1:${nats_ports##* }"
}

@test "nats-send: a subject no stream takes is a permanent error (100) unless -C" {
	need_nats
	nats_start s
	run -100 nats-send -n "$nats_url" chan.none </dev/null
	assert_output "nats-send: no stream takes subject 'chan.none' (create one with -C STREAM)"
	run -0 nats-send -n "$nats_url" -C NONE chan.none </dev/null
	[ "$(nats_stream_json NONE | jq -r '.config.subjects[0]')" = chan.none ]
}

@test "nats-send: -C makes the stream as asked; a second subject joins the same stream" {
	need_nats
	nats_start s
	printf 'x\n' | nats-send -n "$nats_url" -C CR -O memory -A 1h \
	    -L 10M -W 3m chanrelay.gps
	run -0 nats_stream_json CR
	run -0 jq -c '.config | [.storage, .max_age, .max_bytes, .duplicate_window, .num_replicas]' <<<"$output"
	assert_output '["memory",3600000000000,10485760,180000000000,1]'
	printf 'y\n' | nats-send -n "$nats_url" -C CR chanrelay.gnss
	run -0 jq -c '.config.subjects' < <(nats_stream_json CR)
	assert_output '["chanrelay.gps","chanrelay.gnss"]'
	[ "$(nats_stream_msgs CR)" -eq 2 ]
}

@test "nats-send: a stream whose duplicate window or message size cannot work is refused (100)" {
	need_nats
	need_nats_peer
	nats_start s
	nats_peer addstream "$nats_url" SHORT short.x 1 duplicate_window=1000000000
	run -100 nats-send -n "$nats_url" short.x </dev/null
	assert_output --partial "stream SHORT: its duplicate window (1.000 s) is shorter than a resend can come (6.000 s"
	nats_peer addstream "$nats_url" SMALL small.x 1 max_msg_size=1000
	run -100 nats-send -n "$nats_url" small.x </dev/null
	assert_output "nats-send: stream SMALL: its largest message (1000 bytes) cannot hold a 65535-byte datagram"
}

# roundtrip NAME COUNT SENDER...: udp-recv -c COUNT | tee-sink $T/in.pcap |
# nats-send into stream NAME (subject chan.NAME), SENDER... sending to
# $recv_addr; then nats-recv writes $T/out.pcap.
roundtrip() {
	local name=$1 count=$2
	shift 2
	BG_STDOUT=/dev/null start_bg pipe sh -c "udp-recv -a '$T/r.addr' \
	    -c $count 127.0.0.1:0 | tee-sink '$T/in.pcap' | \
	    nats-send -v -n '$nats_url' -C '$name' 'chan.$name'"
	wait_for "$T/r.addr" ':[0-9]+$'
	recv_addr=$(cat "$T/r.addr")
	"$@"
	wait_exit "$(bg_pid_of pipe)" 20
	[ "$exit_status" -eq 0 ] || fail_msg "pipeline: $(cat "$T/pipe.err")"
	assert_equal "$(nats_stream_msgs "$name")" "$count"
	nats-recv -n "$nats_url" -p all -c "$count" -T 5s "chan.$name" \
	    >"$T/out.pcap"
}

@test "nats-send: datagrams from socat and the test sender come back byte for byte (0 and 65507 bytes too)" {
	need_nats
	need socat tshark
	nats_start s
	send() {
		local i
		for i in 1 2 3; do
			printf 'socat %s' "$i" |
			    socat -u - "UDP-SENDTO:$recv_addr"
		done
		udpsend "$recv_addr" zero:0 zero:65507 hex:00ff00 seq:1:1400
	}
	roundtrip RT 7 send
	cmp "$T/in.pcap" "$T/out.pcap"
	tshark_fields "$T/out.pcap" frame.time_epoch ip.src udp.srcport \
	    ip.dst udp.dstport udp.length data.len >"$T/out.tsv"
	tshark_fields "$T/in.pcap" frame.time_epoch ip.src udp.srcport \
	    ip.dst udp.dstport udp.length data.len >"$T/in.tsv"
	[ "$(wc -l <"$T/out.tsv")" -eq 7 ]
	diff "$T/in.tsv" "$T/out.tsv"
	run -0 tshark_fields "$T/out.pcap" data.data
	assert_line --index 0 "$(printf 'socat 1' | od -An -tx1 | tr -d ' \n')"
	assert_line '00ff00'
	run -0 tshark_fields "$T/out.pcap" udp.length
	assert_line --index 3 8
	assert_line --index 4 65515
}

@test "nats-send: IPv6 datagrams keep their addresses" {
	need_nats
	need tshark
	nats_start s
	BG_STDOUT=/dev/null start_bg pipe sh -c "udp-recv -a '$T/r.addr' \
	    -c 2 '[::1]:0' | tee-sink '$T/in.pcap' | \
	    nats-send -n '$nats_url' -C V6 chan.v6"
	wait_for "$T/r.addr" ':[0-9]+$'
	udpsend -6 "$(cat "$T/r.addr")" str:one str:two
	wait_exit "$(bg_pid_of pipe)" 20
	nats-recv -n "$nats_url" -p all -c 2 chan.v6 >"$T/out.pcap"
	cmp "$T/in.pcap" "$T/out.pcap"
	run -0 tshark_fields "$T/out.pcap" ipv6.src udp.checksum.status
	assert_line --index 0 --regexp '^::1	'
}

@test "nats-send: text lines are one message each, the line as the payload" {
	need_nats
	nats_start s
	printf 'one\n\ntwo words\nlast, no newline' | nats-send -v \
	    -n "$nats_url" -C TXT chan.txt 2>"$T/err"
	assert_equal "$(nats_stream_msgs TXT)" 4
	run -0 nats-recv -n "$nats_url" -p all -c 4 -F line chan.txt
	assert_output "$(printf 'one\n\ntwo words\nlast, no newline')"
	run -0 cat "$T/err"
	assert_output 'nats-send: read=4 published=4 acked=4 duplicates=0 resent=0 failed=0 skipped=0'
}

@test "nats-send: the npm nats client sees the payloads and the headers the man page promises" {
	need_nats
	need_nats_peer
	nats_start s
	BG_STDOUT=/dev/null start_bg pipe sh -c "udp-recv -a '$T/r.addr' \
	    -c 2 127.0.0.1:0 | tee-sink '$T/in.pcap' | \
	    nats-send -n '$nats_url' -C NODE chan.node"
	wait_for "$T/r.addr" ':[0-9]+$'
	udpsend -s 127.0.0.1:0 "$(cat "$T/r.addr")" str:hello zero:3
	wait_exit "$(bg_pid_of pipe)" 20
	nats_peer sub "$nats_url" chan.node 2 5000 >"$T/peer.json"
	tshark_fields "$T/in.pcap" frame.time_epoch ip.src udp.srcport \
	    ip.dst udp.dstport >"$T/in.tsv"
	run -0 jq -r '[.payload_hex, .headers["Chanrelay-Time"][0],
	    .headers["Chanrelay-Src"][0], .headers["Chanrelay-Dst"][0],
	    .headers["Nats-Msg-Id"][0]] | @tsv' "$T/peer.json"
	assert_line --index 0 --regexp '^68656c6c6f	[0-9]+\.[0-9]{9}	127\.0\.0\.1:[0-9]+	127\.0\.0\.1:[0-9]+	[0-9]+-[0-9a-f]{16}$'
	assert_line --index 1 --regexp '^000000	'
	# the headers say what tshark reads in the record
	local t src dst
	t=$(head -n 1 "$T/in.tsv" | cut -f1)
	src=$(head -n 1 "$T/in.tsv" | cut -f2,3 | tr '\t' ':')
	dst=$(head -n 1 "$T/in.tsv" | cut -f4,5 | tr '\t' ':')
	assert_line --index 0 --partial "	$t	$src	$dst	"
	# the id begins with the record's time in nanoseconds
	assert_line --index 0 --partial "	${t/./}-"
}

@test "nats-send: the same capture sent twice, or after a kill -9, is stored once" {
	need_nats
	nats_start s
	"$TOP"/bench/gen-pcap -s 100 3000 >"$T/in.pcap"
	run -0 nats-send -v -n "$nats_url" -C DUP chan.dup <"$T/in.pcap"
	assert_output 'nats-send: read=3000 published=3000 acked=3000 duplicates=0 resent=0 failed=0 skipped=0'
	run -0 nats-send -v -n "$nats_url" chan.dup <"$T/in.pcap"
	assert_output 'nats-send: read=3000 published=3000 acked=3000 duplicates=3000 resent=0 failed=0 skipped=0'
	assert_equal "$(nats_stream_msgs DUP)" 3000
	# a run killed half way, then the whole file again: each record once
	"$TOP"/bench/gen-pcap -s 120 3000 >"$T/in2.pcap"
	run -1 nats-send -n "$nats_url" chan.dup < <(head -c 200000 "$T/in2.pcap")
	nats-send -n "$nats_url" chan.dup <"$T/in2.pcap"
	assert_equal "$(nats_stream_msgs DUP)" 6000
	# the same text file twice: lines are known by number and text
	printf 'a\nb\na\n' | nats-send -n "$nats_url" chan.dup
	printf 'a\nb\na\n' | nats-send -n "$nats_url" chan.dup
	assert_equal "$(nats_stream_msgs DUP)" 6003
}

# start_fed NAME ARGS...: nats-send ARGS in the background reading the
# fifo $T/NAME.in, which fd 4 holds open for writing; connected once the
# first line written was stored (stream STREAM, given as $stream).
start_fed() {
	local name=$1
	shift
	mkfifo "$T/$name.in"
	BG_STDIN=$T/$name.in start_bg "$name" nats-send "$@"
	exec 4>"$T/$name.in"
	printf 'first\n' >&4
	wait_until 20 stream_has "$stream" 1 ||
	    fail_msg "nats-send said: $(cat "$T/$name.err")"
}

# stream_has STREAM N: STREAM stores N messages now (for wait_until: the
# count is read on every try).
stream_has() {
	[ "$(nats_stream_msgs "$1")" = "$2" ]
}

# counters_say NAME REGEX: after a USR1, NAME's stderr matches REGEX.
counters_say() {
	kill -USR1 "$(bg_pid_of "$1")"
	grep -Eq -- "$2" "$T/$1.err"
}

@test "nats-send: an ack lost while the server is stopped: resent with the same id, stored once" {
	need_nats
	nats_start s
	stream=LOST
	printf '' | nats-send -n "$nats_url" -C LOST chan.lost
	start_fed send -v -w 200ms -n "$nats_url" chan.lost
	kill -STOP "$nats_pid"
	seq 1 49 >&4
	exec 4>&-
	# the messages sit in the stopped server's socket; their acks time
	# out and they go out again until the server answers
	wait_until 10 counters_say send 'resent=[1-9]'
	kill -CONT "$nats_pid"
	wait_exit "$(bg_pid_of send)" 20
	assert_equal "$exit_status" 0
	run -0 tail -n 1 "$T/send.err"
	assert_output --regexp '^nats-send: read=50 published=50 acked=50 duplicates=[0-9]+ resent=[1-9][0-9]* failed=0 skipped=0$'
	assert_equal "$(nats_stream_msgs LOST)" 50
}

@test "nats-send: while JetStream takes nothing, it stops reading (-i in flight), then goes on" {
	need_nats
	nats_start s
	stream=BP
	printf '' | nats-send -n "$nats_url" -C BP chan.bp
	start_fed send -i 10 -n "$nats_url" chan.bp
	kill -STOP "$nats_pid"
	seq 1 20000 >&4 &
	writer=$!
	wait_until 10 counters_say send 'read=11 '
	# still 11 a moment later: nothing more was taken from the input
	: >"$T/send.err"
	wait_until 10 counters_say send 'read=11 '
	kill -CONT "$nats_pid"
	wait "$writer"
	exec 4>&-
	wait_exit "$(bg_pid_of send)" 30
	assert_equal "$exit_status" 0
	assert_equal "$(nats_stream_msgs BP)" 20001
}

@test "nats-send: records not acknowledged by the end of -D: counted, exit 1" {
	need_nats
	nats_start s
	stream=END
	printf '' | nats-send -n "$nats_url" -C END chan.end
	start_fed send -D 1s -w 300ms -n "$nats_url" chan.end
	kill -STOP "$nats_pid"
	printf 'a\nb\nc\n' >&4
	exec 4>&-
	wait_exit "$(bg_pid_of send)" 20
	kill -CONT "$nats_pid"
	assert_equal "$exit_status" 1
	run -0 cat "$T/send.err"
	assert_line 'nats-send: 3 records not acknowledged within the drain time'
	assert_line --regexp '^nats-send: read=4 published=4 acked=1 duplicates=0 resent=[0-9]+ failed=3 skipped=0$'
}

@test "nats-send: TERM stops reading, waits for the acks, exits 0" {
	need_nats
	nats_start s
	printf '' | nats-send -n "$nats_url" -C TERM chan.term
	mkfifo "$T/fifo"
	BG_STDIN=$T/fifo start_bg send nats-send -v -n "$nats_url" chan.term
	exec 4>"$T/fifo"
	printf 'one\ntwo\n' >&4
	wait_until 10 stream_has TERM 2
	stop_bg send TERM
	exec 4>&-
	assert_equal "$exit_status" 0
	run -0 cat "$T/send.err"
	assert_output 'nats-send: read=2 published=2 acked=2 duplicates=0 resent=0 failed=0 skipped=0'
}

@test "nats-send: malformed input: the records before the damage are acknowledged, exit 1" {
	need_nats
	nats_start s
	python3 "$FIXTURES/tee-sink/genudp.py" -c 5 -l 100 >"$T/full.pcap"
	# 24-byte header, records of 16 + 128 bytes: cut inside the fourth
	head -c 506 "$T/full.pcap" >"$T/in.pcap"
	run -1 --separate-stderr nats-send -n "$nats_url" -C CUT chan.cut \
	    <"$T/in.pcap"
	[[ $stderr == *'nats-send: unable to read stdin: truncated record at offset 456: 34 of 128 bytes'* ]] ||
	    fail_msg "stderr: $stderr"
	assert_equal "$(nats_stream_msgs CUT)" 3
	nats-recv -n "$nats_url" -p all -c 3 chan.cut >"$T/out.pcap"
	head -c 456 "$T/full.pcap" >"$T/good.pcap"
	diff <(python3 "$FIXTURES/tee-sink/pcaptool.py" payloads "$T/good.pcap") \
	    <(python3 "$FIXTURES/tee-sink/pcaptool.py" payloads "$T/out.pcap")
}

@test "nats-send: stdin that cannot be read (a directory): exit 111, not 1" {
	need_nats
	nats_start s
	run -111 --separate-stderr nats-send -n "$nats_url" -C DIR chan.dir </
	[[ $stderr == *'nats-send: unable to read stdin: read error: Is a directory'* ]] ||
	    fail_msg "stderr: $stderr"
}

@test "nats-send: stdin shared with the shell: O_NONBLOCK only while it runs (end of input, TERM)" {
	need_nats
	nats_start s
	stdin_restored nats-send -n "$nats_url" -C NB chan.nb
}

@test "nats-send: -B packs records into pcap messages; nats-recv unpacks them byte for byte" {
	need_nats
	need_nats_peer
	nats_start s
	"$TOP"/bench/gen-pcap -s 100 1000 >"$T/in.pcap"
	run -0 nats-send -v -B 64 -n "$nats_url" -C PACK chan.pack <"$T/in.pcap"
	assert_output 'nats-send: read=1000 published=1000 acked=1000 duplicates=0 resent=0 failed=0 skipped=0'
	assert_equal "$(nats_stream_msgs PACK)" 16
	nats-recv -n "$nats_url" -p all -c 1000 chan.pack >"$T/out.pcap"
	# the records; the file headers differ in the snap length only
	cmp <(tail -c +25 "$T/in.pcap") <(tail -c +25 "$T/out.pcap")
	# what another client sees: a pcap file and the count in a header
	nats_peer sub "$nats_url" chan.pack 1 5000 >"$T/peer.json"
	run -0 jq -r '[.headers["Chanrelay-Layout"][0],
	    .headers["Chanrelay-Records"][0]] | @tsv' "$T/peer.json"
	assert_output "$(printf 'pcap\t64')"
	jq -r .payload_hex "$T/peer.json" | xxd -r -p >"$T/msg.pcap"
	run -0 capinfos -c "$T/msg.pcap"
	assert_output --regexp 'Number of packets: +64'
	# sent again: stored once
	run -0 nats-send -v -B 64 -n "$nats_url" chan.pack <"$T/in.pcap"
	assert_output 'nats-send: read=1000 published=1000 acked=1000 duplicates=1000 resent=0 failed=0 skipped=0'
}

@test "nats-send: -F pcap sends each record whole; text packs are lines" {
	need_nats
	nats_start s
	"$TOP"/bench/gen-pcap -s 10 5 >"$T/in.pcap"
	nats-send -F pcap -n "$nats_url" -C WHOLE chan.whole <"$T/in.pcap"
	assert_equal "$(nats_stream_msgs WHOLE)" 5
	nats-recv -n "$nats_url" -p all -c 5 chan.whole >"$T/out.pcap"
	cmp <(tail -c +25 "$T/in.pcap") <(tail -c +25 "$T/out.pcap")
	seq 1 10 | nats-send -B 4 -n "$nats_url" -C LINES chan.lines
	assert_equal "$(nats_stream_msgs LINES)" 3
	run -0 nats-recv -n "$nats_url" -p all -c 10 -F line chan.lines
	assert_output "$(seq 1 10)"
}

@test "nats-send: a TLS server refuses a client without its certificates and takes one with them" {
	need_nats
	nats_start_tls s
	run -100 nats-send -n "$nats_url" a.b </dev/null
	assert_output --regexp '^nats-send: unable to connect to tls://127\.0\.0\.1:[0-9]+: '
	# without a client certificate the server ends the handshake: the
	# client cannot tell that from a lost server
	run nats-send -n "$nats_url" -E "$tls_ca" a.b </dev/null
	[ "$status" -eq 100 ] || [ "$status" -eq 111 ]
	assert_output --regexp '^nats-send: unable to connect to tls://127\.0\.0\.1:[0-9]+: '
	# a CA that did not sign the server's certificate
	run -100 nats-send -n "$nats_url" -E "$tls_bad_ca" -e "$tls_cert" \
	    -K "$tls_key" a.b </dev/null
	assert_output --regexp '^nats-send: unable to connect'
	run -0 nats-send -n "$nats_url" -E "$tls_ca" -e "$tls_cert" \
	    -K "$tls_key" -C TLS a.b < <(printf 'secure\n')
	# the same from the environment
	NATS_CA=$tls_ca NATS_CERT=$tls_cert NATS_KEY=$tls_key \
	    run -0 nats-send -n "$nats_url" a.b < <(printf 'env\n')
	assert_equal "$(nats_stream_msgs TLS)" 2
}

@test "nats-send: a server with credentials (JWT + NKey) refuses a client without them" {
	need_nats
	nats_start_creds s
	run -100 nats-send -n "$nats_url" a.b </dev/null
	assert_output --regexp '^nats-send: unable to connect to nats://127\.0\.0\.1:[0-9]+: .*[Aa]uthoriz'
	run -100 nats-send -n "$nats_url" -k "$nats_bad_creds" a.b </dev/null
	assert_output --regexp '^nats-send: unable to connect'
	run -0 nats-send -n "$nats_url" -k "$nats_creds" -C CREDS a.b \
	    < <(printf 'signed\n')
	NATS_CREDS=$nats_creds run -0 nats-send -n "$nats_url" a.b \
	    < <(printf 'env\n')
	run -0 nats-recv -n "$nats_url" -k "$nats_creds" -p all -c 2 -F line a.b
	assert_output "$(printf 'signed\nenv')"
}

@test "nats-send: user and password, or a token, from the environment or a file" {
	need_nats
	nats_start_auth s
	run -100 nats-send -n "$nats_url" a.b </dev/null
	assert_output --partial 'unable to connect'
	NATS_USER=$nats_user NATS_PASSWORD=$nats_password \
	    run -0 nats-send -n "$nats_url" -C PW a.b < <(printf 'pw\n')
	NATS_USER=$nats_user NATS_PASSWORD_FILE=$nats_password_file \
	    run -0 nats-send -n "$nats_url" a.b < <(printf 'file\n')
	NATS_USER=$nats_user NATS_PASSWORD=wrong \
	    run -100 nats-send -n "$nats_url" a.b </dev/null
	nats_start_auth t token
	NATS_TOKEN_FILE=$nats_token_file \
	    run -0 nats-send -n "$nats_url" -C TOK a.b < <(printf 'tok\n')
	NATS_TOKEN=nope run -100 nats-send -n "$nats_url" a.b </dev/null
}
