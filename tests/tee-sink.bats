#!/usr/bin/env bats
# bg_pid, exit_status, recv_addr and listen_port are set by helper.bash
# shellcheck disable=SC2154
# tests/tee-sink.bats: tee-sink against real consumers (files, FIFOs, sh
# commands, udp-recv, socat, a TCP peer that never reads), each end checked
# with cmp, tcpdump and capinfos: usage, bad values, behaviour (every sink
# kind, stalled and restarting consumers, the drop policies, filters,
# signals), error paths.

bats_require_minimum_version 1.5.0
load helper

USAGE='usage: tee-sink [-Ghnv] [-b SIZE] [-D DURATION] [-e N=REGEX] [-f N=EXPR] [-M FILE] [-P POLICY] SINK...'
TS=$FIXTURES/tee-sink
# How long past -D a run whose consumer is wedged may take to end, in
# seconds: process start, reading the input, a loaded machine.
MARGIN=4

setup_file() {
	command -v tee-sink >/dev/null ||
	    fail_msg "tee-sink is not built: run make"
}

setup() {
	T=$BATS_TEST_TMPDIR
	umask 022
}

# gen ARGS...: a made-up stream of UDP records (tests/fixtures/tee-sink/genudp.py).
gen() {
	python3 "$TS/genudp.py" "$@"
}

# ptool CMD ARGS...: count, payloads, split, check (pcaptool.py).
ptool() {
	python3 "$TS/pcaptool.py" "$@"
}

now() {
	date +%s.%N
}

size() {
	stat -c %s "$1"
}

# size_is FILE N: FILE exists and holds exactly N bytes.
size_is() {
	[ -e "$1" ] && [ "$(stat -c %s "$1")" -eq "$2" ]
}

# size_gt FILE N: FILE exists and holds more than N bytes.
size_gt() {
	[ -e "$1" ] && [ "$(stat -c %s "$1")" -gt "$2" ]
}

# still FILE: FILE's size did not change in half a second (an observation
# window on a process that must be blocked, not a synchronisation).
still() {
	local a
	a=$(size "$1")
	sleep 0.5
	[ "$a" -eq "$(size "$1")" ]
}

# since T0: seconds from T0 to now, 3 decimals.
since() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'
}

# tee_run ARGS...: tee-sink ARGS, stdin from $IN (default /dev/null),
# stdout to $OUT (default $T/out), stderr to $T/err, bounded; sets status,
# err (the stderr) and elapsed (seconds).
tee_run() {
	local t0
	t0=$(now)
	status=0
	timeout 60 tee-sink "$@" <"${IN:-/dev/null}" >"${OUT:-$T/out}" \
	    2>"$T/err" 3>&- || status=$?
	elapsed=$(since "$t0")
	err=$(cat "$T/err")
}

# expect_status N...: tee_run's status is one of N; otherwise fail showing
# its stderr.
expect_status() {
	local s
	for s in "$@"; do
		[ "$status" -eq "$s" ] && return 0
	done
	fail_msg "exit status $status, not $*; stderr:" "$err"
}

# within SECONDS: $elapsed is under SECONDS.
within() {
	awk -v e="$elapsed" -v s="$1" 'BEGIN { exit !(e < s) }' ||
	    fail_msg "took ${elapsed}s, not under ${1}s"
}

# counter FILE SINK FIELD: the value of FIELD (records, bytes, dropped,
# reconnects, skipped, errors) on the last counters line of SINK (as given
# on the command line, or stdout) in FILE.
counter() {
	awk -v p="tee-sink: $2 records=" -v f="$3=" '
	index($0, p) == 1 { line = substr($0, length(p) - 7); found = 1 }
	END {
		if (!found)
			exit 1
		n = split(line, w, " ")
		for (i = 1; i <= n; i++)
			if (index(w[i], f) == 1) {
				print substr(w[i], length(f) + 1)
				exit 0
			}
		exit 1
	}' "$1" || fail_msg "no $3= for '$2' in $1:" "$(cat "$1")"
}

# has_tail IN OUT N: OUT is a valid pcaptool check of IN holding IN's last
# N records.
has_tail() {
	ptool check -t "$3" "$1" "$2" >/dev/null 2>&1
}

# start_tee NAME ARGS...: start_fifo NAME tee-sink ARGS: stdout
# $T/NAME.out, stderr $T/NAME.err; sets tee_pid.
start_tee() {
	local name=$1
	shift
	start_fifo "$name" tee-sink "$@"
	tee_pid=$bg_pid
}



# wait_tee NAME [SECONDS]: wait (default 15 s) for tee-sink NAME to end;
# set exit_status, err, and elapsed since close_input.
wait_tee() {
	wait_exit "$(bg_pid_of "$1")" "${2:-15}" || {
		cat "$T/$1.err" >&2
		return 1
	}
	elapsed=$(since "$t_closed")
	err=$(cat "$T/$1.err")
	status=$exit_status
}

# end_input NAME [SECONDS]: close_input, then wait_tee.
end_input() {
	close_input "$1"
	wait_tee "$@"
}

# signal_tree SIGNAL: send SIGNAL to every descendant of tee_pid (the sh and
# the command of a |COMMAND sink), the same ones each time; teardown kills
# them.
signal_tree() {
	local p
	if [ ! -s "$T/tree" ]; then
		descendants "$tee_pid" >"$T/tree"
		[ -s "$T/tree" ] || fail_msg "tee-sink $tee_pid has no child"
		while read -r p; do
			echo "$p" >"$T/child-$p.pid"
		done <"$T/tree"
	fi
	while read -r p; do
		kill -s "$1" "$p"
	done <"$T/tree"
}

# records_plus_dropped ERRFILE SINK N: the counters of SINK account for
# every one of N records: delivered or dropped, none unaccounted for.
records_plus_dropped() {
	local r d
	r=$(counter "$1" "$2" records)
	d=$(counter "$1" "$2" dropped)
	[ "$((r + d))" -eq "$3" ] ||
	    fail_msg "$2: records=$r + dropped=$d is not $3"
}

# ---------------------------------------------------------------- usage

@test "usage: -h prints the usage line to stdout and exits 0" {
	run --separate-stderr timeout 20 tee-sink -h
	assert_success
	assert_output "$USAGE"
	[ -z "$stderr" ]
}

@test "usage: no SINK exits 100 with the usage line" {
	run timeout 20 tee-sink </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: an unknown option exits 100 with the usage line" {
	run timeout 20 tee-sink -z "$T/f" </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
	[ ! -e "$T/f" ]
}

@test "usage: a missing option argument exits 100 with the usage line" {
	run timeout 20 tee-sink "$T/f" -b </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
}

# ----------------------------------------------------------- bad values

# bad REGEX ARGS...: tee-sink ARGS $T/f, on a pcap input, exits 100 with a
# message naming the value (REGEX: extended, matched against the output),
# the usage line, and creates no file sink.
bad() {
	local re=$1
	shift
	gen -c 3 >"$T/in.pcap"
	run timeout 20 tee-sink "$@" "$T/f" <"$T/in.pcap" 3>&-
	assert_failure 100
	assert_output --regexp "$re"
	assert_output --partial "$USAGE"
	[ ! -e "$T/f" ] || fail_msg "$T/f was created before the values were checked"
}

@test "bad sink: udp:1.2.3.4 (the spec's message)" {
	bad "'udp:1.2.3.4'" udp:1.2.3.4
	assert_output --partial "tee-sink: invalid sink 'udp:1.2.3.4': missing port"
}
@test "bad sink: tcp: (nothing after the prefix)" { bad "'tcp:'" tcp:; }
@test "bad sink: udp:host:x (a name, a port that is no number)" {
	bad "'udp:host:x'" udp:host:x
}
@test "bad sink: udp:localhost:5001 (names are never looked up)" {
	bad "'udp:localhost:5001'" udp:localhost:5001
}
@test "bad sink: udp:127.0.0.1:x" { bad "'udp:127.0.0.1:x'" udp:127.0.0.1:x; }
@test "bad sink: tcp:127.0.0.1:65536" {
	bad "'tcp:127.0.0.1:65536'" tcp:127.0.0.1:65536
}
@test "bad sink: tcp:[::1:5 (unclosed bracket)" { bad "'tcp:\\[::1:5'" 'tcp:[::1:5'; }
@test "bad sink: '|' alone (no command)" { bad "'\\|'" '|'; }
@test "bad sink: unix: (empty path)" { bad "'unix:'" unix:; }
@test "bad sink: the first bad sink is named even after good ones" {
	bad "'udp:1.2.3.4'" "$T/g" udp:1.2.3.4
	[ ! -e "$T/g" ]
}

@test "bad value: -b x" { bad "'x'" -b x; }
@test "bad value: -b 10X" { bad "'10X'" -b 10X; }
@test "bad value: -b -1" { bad "'-1'" -b -1; }
@test "bad value: -D x" { bad "'x'" -D x; }
@test "bad value: -D 5x" { bad "'5x'" -D 5x; }
@test "bad value: -D -1" { bad "'-1'" -D -1; }
@test "bad value: -P foo" { bad "'foo'" -P foo; }
@test "bad value: -P '' (empty)" { bad "''" -P ''; }
@test "bad value: -f 1 (no =EXPR)" { bad "'1'" -f 1; }
@test "bad value: -f x=udp (N is no number)" { bad "'x(=udp)?'" -f x=udp; }
@test "bad value: -f =udp (no N)" { bad "'=udp'" -f =udp; }
@test "bad value: -f 0=udp (sinks count from 1)" { bad "'0(=udp)?'" -f 0=udp; }
@test "bad value: -f 2=udp with one SINK (out of range)" { bad "'2(=udp)?'" -f 2=udp; }
@test "bad value: -e 1 (no =REGEX)" { bad "'1'" -e 1; }
@test "bad value: -e 0=a" { bad "'0(=a)?'" -e 0=a; }
@test "bad value: -e 3=a with one SINK (out of range)" { bad "'3(=a)?'" -e 3=a; }

@test "bad value: -e 1='a(' (a regex that does not compile) on text input" {
	run timeout 20 tee-sink -e '1=a(' "$T/f" <<<"text" 3>&-
	assert_failure 100
	assert_output --partial 'a('
}

@test "bad value: two -f for the same sink exit 100" {
	gen -c 3 >"$T/in.pcap"
	run timeout 20 tee-sink -f 1=udp -f '1=icmp' "$T/f" <"$T/in.pcap" 3>&-
	assert_failure 100
}

@test "bad value: two -e for the same sink exit 100" {
	run timeout 20 tee-sink -e 1=a -e 1=b "$T/f" <<<"a" 3>&-
	assert_failure 100
}

@test "bad value: a BPF expression libpcap refuses exits 100 naming it, nothing written" {
	gen -c 3 >"$T/in.pcap"
	run --separate-stderr timeout 20 tee-sink -f '1=udp porte 5' "$T/f" \
	    <"$T/in.pcap" 3>&-
	assert_failure 100
	[[ $stderr == *'udp porte 5'* ]] || fail_msg "not named: $stderr"
	assert_output ''
}

@test "bad value: -f on text input exits 100 naming -f" {
	run --separate-stderr timeout 20 tee-sink -f 1=udp "$T/f" <<<"a line" 3>&-
	assert_failure 100
	[[ $stderr == *-f* ]] || fail_msg "-f not named: $stderr"
}

@test "bad value: -e on pcap input exits 100 naming -e" {
	gen -c 3 >"$T/in.pcap"
	run --separate-stderr timeout 20 tee-sink -e 1=rec "$T/f" <"$T/in.pcap" 3>&-
	assert_failure 100
	[[ $stderr == *-e* ]] || fail_msg "-e not named: $stderr"
}

# ------------------------------------------------- behaviour: every sink

@test "file: stdout and the file get the pcap stream byte for byte; -v counts every record" {
	need capinfos
	gen -c 50 >"$T/in.pcap"
	IN=$T/in.pcap tee_run -v "$T/f"
	expect_status 0
	cmp "$T/in.pcap" "$T/out"
	cmp "$T/in.pcap" "$T/f"
	capinfos "$T/f" >/dev/null
	assert_equal "$(counter "$T/err" stdout records)" 50
	assert_equal "$(counter "$T/err" "$T/f" records)" 50
	assert_equal "$(counter "$T/err" "$T/f" dropped)" 0
	b=$(counter "$T/err" "$T/f" bytes)
	[ "$b" -eq "$(size "$T/in.pcap")" ] || [ "$b" -eq $(($(size "$T/in.pcap") - 24)) ] ||
	    fail_msg "bytes=$b for a $(size "$T/in.pcap")-byte stream"
}

@test "file: a tcpdump capture (EN10MB) passes through unchanged" {
	need tcpdump
	IN=$FIXTURES/lo-en10mb.pcap tee_run "$T/f"
	expect_status 0
	cmp "$FIXTURES/lo-en10mb.pcap" "$T/out"
	cmp "$FIXTURES/lo-en10mb.pcap" "$T/f"
	tcpdump -nn -r "$T/f" >/dev/null 2>&1
}

@test "file: text lines kept exactly (NUL, CR, high bytes, no final newline)" {
	IN=$FIXTURES/chanlog/text.in tee_run "$T/f"
	expect_status 0
	cmp "$FIXTURES/chanlog/text.in" "$T/out"
	cmp "$FIXTURES/chanlog/text.in" "$T/f"
	[ -z "$err" ] || fail_msg "stderr without -v and without loss: $err"
}

@test "file: appending to an existing capture does not repeat the header" {
	need capinfos
	gen -c 20 >"$T/in.pcap"
	ptool split "$T/in.pcap" 8 "$T/a" "$T/b"
	IN=$T/a tee_run "$T/f"
	expect_status 0
	cat <(head -c 24 "$T/a") "$T/b" >"$T/b.pcap"
	IN=$T/b.pcap tee_run "$T/f"
	expect_status 0
	cmp "$T/in.pcap" "$T/f"
	run capinfos -c -M "$T/f"
	assert_output --regexp 'Number of packets: +20'
}

@test "file: ./udp:x and a:b are files, not sinks of another kind" {
	gen -c 5 >"$T/in.pcap"
	cd "$T"
	IN=$T/in.pcap tee_run ./udp:x a:b
	expect_status 0
	cmp "$T/in.pcap" "$T/udp:x"
	cmp "$T/in.pcap" "$T/a:b"
}

@test "file: created with mode 0640 less the umask" {
	umask 002
	printf 'x\n' >"$T/in"
	IN=$T/in tee_run "$T/g"
	expect_status 0
	assert_equal "$(stat -c %a "$T/g")" 640
}

@test "|cat > f: the command gets the pcap stream byte for byte" {
	gen -c 200 -l 500 >"$T/in.pcap"
	IN=$T/in.pcap tee_run "|cat > $T/c"
	expect_status 0
	cmp "$T/in.pcap" "$T/out"
	wait_until 10 size_is "$T/c" "$(size "$T/in.pcap")"
	cmp "$T/in.pcap" "$T/c"
}

@test "|COMMAND: run by sh -c (pipes, quotes, redirections) on text" {
	printf 'one\ntwo\nthree\n' >"$T/in"
	IN=$T/in tee_run "|tr a-z A-Z | sed 's/^/> /' > '$T/c'"
	expect_status 0
	cmp "$T/in" "$T/out"
	wait_for "$T/c" '^> THREE$'
	printf '> ONE\n> TWO\n> THREE\n' | cmp - "$T/c"
}

@test "|COMMAND: what the command prints goes to stderr, never into the stream" {
	printf 'one\ntwo\n' >"$T/in"
	IN=$T/in tee_run "|cat >/dev/null; echo printed-by-the-command"
	expect_status 0
	cmp "$T/in" "$T/out"
	wait_until 10 grep -q '^printed-by-the-command$' "$T/err"
}

@test "udp: every UDP payload is one datagram to udp-recv; other records skipped and counted" {
	gen -c 60 -l 300 -x 4 >"$T/in.pcap"
	start_recv u -c 45 127.0.0.1:0
	IN=$T/in.pcap tee_run -v "udp:$recv_addr"
	expect_status 0
	cmp "$T/in.pcap" "$T/out"
	wait_exit "$(bg_pid_of u)" || fail_msg "udp-recv did not get 45 datagrams: $(cat "$T/u.err")"
	ptool payloads "$T/in.pcap" >"$T/sent"
	ptool payloads "$T/u.out" >"$T/got"
	assert_equal "$(wc -l <"$T/sent")" 45
	diff -u "$T/sent" "$T/got"
	assert_equal "$(counter "$T/err" "udp:$recv_addr" records)" 45
	assert_equal "$(counter "$T/err" "udp:$recv_addr" skipped)" 15
	assert_equal "$(counter "$T/err" "udp:$recv_addr" dropped)" 0
}

@test "udp: over IPv6 ([::1]:PORT), from IPv6 records" {
	gen -6 -c 20 -l 1200 >"$T/in.pcap"
	start_recv u -c 20 '[::1]:0'
	IN=$T/in.pcap tee_run "udp:$recv_addr"
	expect_status 0
	wait_exit "$(bg_pid_of u)" || fail_msg "udp-recv did not get 20 datagrams"
	diff -u <(ptool payloads "$T/in.pcap") <(ptool payloads "$T/u.out")
}

@test "udp: each text line is one datagram, without its newline" {
	printf 'one\ntwo words\n\tthree \\ x\nfour\n' >"$T/in"
	start_recv u -c 4 -F line 127.0.0.1:0
	IN=$T/in tee_run "udp:$recv_addr"
	expect_status 0
	cmp "$T/in" "$T/out"
	wait_exit "$(bg_pid_of u)" || fail_msg "udp-recv did not get 4 datagrams"
	cmp "$T/in" "$T/u.out"
}

@test "udp: an empty text line is a 0-byte datagram" {
	printf 'a\n\nb\n' >"$T/in"
	start_recv u -c 3 -F line 127.0.0.1:0
	IN=$T/in tee_run "udp:$recv_addr"
	expect_status 0
	wait_exit "$(bg_pid_of u)" || fail_msg "udp-recv did not get 3 datagrams"
	cmp "$T/in" "$T/u.out"
}

# runs FILE: text lines in runs of one length (ending shorter, or longer,
# or empty), so the udp: sinks' trains (UDP_SEGMENT) start and break
# where they must; 3,000 lines.
runs() {
	python3 -c '
import sys
out = []
for k in range(30):
	n = [1, 40, 1399, 700, 8, 1472][k % 6]
	for i in range(97):
		out.append("%05d" % len(out) + "x" * (n - 1))
	out.append("s" * (k % 5))
	out.append("%05d" % len(out) + "y" * (n + 3))
	out.append("z" * (k % 3 + 1))
sys.stdout.write("".join(l + "\n" for l in out))' >"$1"
}

@test "udp: 4 sinks each get every record, in order, sent in trains" {
	runs "$T/in"
	for u in u1 u2 u3 u4; do
		start_recv $u -c 3000 -b 8M -F line 127.0.0.1:0
		eval "a_$u=\$recv_addr"
	done
	# shellcheck disable=SC2154 # a_u1..a_u4: set by eval above
	IN=$T/in tee_run -v "udp:$a_u1" "udp:$a_u2" "udp:$a_u3" "udp:$a_u4"
	expect_status 0
	cmp "$T/in" "$T/out"
	for u in u1 u2 u3 u4; do
		wait_exit "$(bg_pid_of $u)" ||
		    fail_msg "$u did not get 3000 datagrams: $(cat "$T/$u.err")"
		cmp "$T/in" "$T/$u.out"
		eval "a=\$a_$u"
		assert_equal "$(counter "$T/err" "udp:$a" records)" 3000
		assert_equal "$(counter "$T/err" "udp:$a" dropped)" 0
	done
}

@test "udp: the trains are UDP_SEGMENT sends, split into the records' datagrams" {
	need strace
	runs "$T/in"
	start_recv u -c 3000 -b 8M -F line 127.0.0.1:0
	# LeakSanitizer (the san build) does not work under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    timeout 60 strace -o "$T/trace" -e trace=sendmmsg \
	    tee-sink "udp:$recv_addr" <"$T/in" >"$T/out" 2>"$T/err"
	cmp "$T/in" "$T/out"
	wait_exit "$(bg_pid_of u)" || fail_msg "udp-recv did not get 3000"
	cmp "$T/in" "$T/u.out"
	grep -Eq 'cmsg_level=SOL_UDP, cmsg_type=(UDP_SEGMENT|0x67)' "$T/trace" ||
	    fail_msg "no UDP_SEGMENT send: $(head -c 600 "$T/trace")"
}

@test "-G: udp: sinks send no trains, every record still goes, batched" {
	need strace
	runs "$T/in"
	start_recv u -c 3000 -b 8M -F line 127.0.0.1:0
	# LeakSanitizer (the san build) does not work under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    timeout 60 strace -o "$T/trace" -e trace=sendmmsg \
	    tee-sink -G -v "udp:$recv_addr" <"$T/in" >"$T/out" 2>"$T/err"
	cmp "$T/in" "$T/out"
	wait_exit "$(bg_pid_of u)" || fail_msg "udp-recv did not get 3000"
	cmp "$T/in" "$T/u.out"
	! grep -q 'cmsg_level=SOL_UDP' "$T/trace" || fail_msg "a train with -G"
	calls=$(grep -c 'sendmmsg(' "$T/trace")
	[ "$calls" -lt 3000 ] || fail_msg "$calls sendmmsg calls for 3000 records: not batched"
	assert_equal "$(counter "$T/err" "udp:$recv_addr" records)" 3000
}

@test "udp: a socket that refuses UDP_SEGMENT: every record still goes, one at a time" {
	[ -e "$FAULTINJ" ] ||
	    fail_msg "tests/tools/faultinj.so is not built: run make tools"
	runs "$T/in"
	start_recv u -c 3000 -b 8M -F line 127.0.0.1:0
	# ASan (the san build) wants its runtime first; the preload is first
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    FI_GSO=EIO FI_GSO_LOG=$T/gso LD_PRELOAD=$FAULTINJ \
	    IN=$T/in tee_run -v "udp:$recv_addr"
	expect_status 0
	wait_exit "$(bg_pid_of u)" || fail_msg "udp-recv did not get 3000"
	cmp "$T/in" "$T/u.out"
	assert_equal "$(wc -l <"$T/gso")" 1
	grep -q "udp:$recv_addr: UDP_SEGMENT refused (Input/output error): sending one datagram at a time" "$T/err" ||
	    fail_msg "no note: $(cat "$T/err")"
	assert_equal "$(counter "$T/err" "udp:$recv_addr" records)" 3000
	assert_equal "$(counter "$T/err" "udp:$recv_addr" dropped)" 0
}

@test "tcp: socat gets the pcap stream byte for byte, header first" {
	need socat tcpdump
	gen -c 300 -l 700 >"$T/in.pcap"
	start_listener s socat -u TCP-LISTEN:0,bind=127.0.0.1 "OPEN:$T/s.pcap,creat"
	IN=$T/in.pcap tee_run -v "tcp:127.0.0.1:$listen_port"
	expect_status 0
	cmp "$T/in.pcap" "$T/out"
	wait_exit "$(bg_pid_of s)"
	cmp "$T/in.pcap" "$T/s.pcap"
	run --separate-stderr tcpdump -nn -r "$T/s.pcap"
	assert_success
	assert_equal "${#lines[@]}" 300
	assert_equal "$(counter "$T/err" "tcp:127.0.0.1:$listen_port" reconnects)" 0
}

@test "tcp: over IPv6, text" {
	need socat
	printf 'line %d\n' $(seq 1000) >"$T/in"
	start_listener s socat -u 'TCP6-LISTEN:0,bind=[::1]' "OPEN:$T/s.txt,creat"
	IN=$T/in tee_run "tcp:[::1]:$listen_port"
	expect_status 0
	wait_exit "$(bg_pid_of s)"
	cmp "$T/in" "$T/s.txt"
}

@test "unix: socat UNIX-LISTEN gets the pcap stream byte for byte" {
	need socat capinfos
	gen -c 300 -l 700 >"$T/in.pcap"
	start_bg s socat -u "UNIX-LISTEN:$T/sock" "OPEN:$T/s.pcap,creat"
	wait_for "$T/sock"
	IN=$T/in.pcap tee_run "unix:$T/sock"
	expect_status 0
	cmp "$T/in.pcap" "$T/out"
	wait_exit "$(bg_pid_of s)"
	cmp "$T/in.pcap" "$T/s.pcap"
	capinfos "$T/s.pcap" >/dev/null
}

@test "unix: text" {
	need socat
	cp "$FIXTURES/chanlog/text.in" "$T/in"
	start_bg s socat -u "UNIX-LISTEN:$T/sock" "OPEN:$T/s.txt,creat"
	wait_for "$T/sock"
	IN=$T/in tee_run "unix:$T/sock"
	expect_status 0
	wait_exit "$(bg_pid_of s)"
	cmp "$T/in" "$T/s.txt"
}

@test "every kind at once: file, |cat, udp, tcp, unix all get their copy" {
	need socat
	gen -c 100 -l 400 >"$T/in.pcap"
	start_recv u -c 100 127.0.0.1:0
	start_listener s socat -u TCP-LISTEN:0,bind=127.0.0.1 "OPEN:$T/s.pcap,creat"
	start_bg x socat -u "UNIX-LISTEN:$T/sock" "OPEN:$T/x.pcap,creat"
	wait_for "$T/sock"
	IN=$T/in.pcap tee_run "$T/f" "|cat > $T/c" "udp:$recv_addr" \
	    "tcp:127.0.0.1:$listen_port" "unix:$T/sock"
	expect_status 0
	cmp "$T/in.pcap" "$T/out"
	cmp "$T/in.pcap" "$T/f"
	wait_until 10 size_is "$T/c" "$(size "$T/in.pcap")"
	cmp "$T/in.pcap" "$T/c"
	wait_exit "$(bg_pid_of s)"
	cmp "$T/in.pcap" "$T/s.pcap"
	wait_exit "$(bg_pid_of x)"
	cmp "$T/in.pcap" "$T/x.pcap"
	wait_exit "$(bg_pid_of u)"
	diff -u <(ptool payloads "$T/in.pcap") <(ptool payloads "$T/u.out")
}

@test "-n: nothing on stdout, the sinks get everything" {
	gen -c 10 >"$T/in.pcap"
	IN=$T/in.pcap tee_run -n "$T/f"
	expect_status 0
	[ ! -s "$T/out" ]
	cmp "$T/in.pcap" "$T/f"
}

# ------------------------------------------------- behaviour: selection

@test "-f: only the records matching the BPF expression reach that sink (tcpdump agrees)" {
	need tcpdump
	gen -c 300 -p 5001,5002,5003 -x 7 >"$T/in.pcap"
	tcpdump --time-stamp-precision=nano -r "$T/in.pcap" -w "$T/want.pcap" \
	    'udp dst port 5002' 2>/dev/null
	IN=$T/in.pcap tee_run -v -f '1=udp dst port 5002' "$T/f1" "$T/f2"
	expect_status 0
	cmp "$T/in.pcap" "$T/out"
	cmp "$T/in.pcap" "$T/f2"
	cmp <(head -c 24 "$T/in.pcap") <(head -c 24 "$T/f1")
	cmp <(tail -c +25 "$T/want.pcap") <(tail -c +25 "$T/f1")
	n=$(ptool count "$T/f1")
	[ "$n" -gt 50 ] && [ "$n" -lt 150 ] || fail_msg "$n records selected"
	assert_equal "$(counter "$T/err" "$T/f1" records)" "$n"
	assert_equal "$(counter "$T/err" "$T/f1" dropped)" 0
}

@test "-f: compiled for the input's link type (LINUX_SLL, microseconds), two filtered sinks" {
	need tcpdump
	tcpdump -r "$FIXTURES/any-sll.pcap" -w "$T/w1.pcap" 'udp port 5001' 2>/dev/null
	tcpdump -r "$FIXTURES/any-sll.pcap" -w "$T/w2.pcap" 'ip6' 2>/dev/null
	IN=$FIXTURES/any-sll.pcap tee_run -f '1=udp port 5001' -f 2=ip6 "$T/f1" "$T/f2" "$T/f3"
	expect_status 0
	cmp "$FIXTURES/any-sll.pcap" "$T/f3"
	for i in 1 2; do
		cmp <(head -c 24 "$FIXTURES/any-sll.pcap") <(head -c 24 "$T/f$i")
		cmp <(tail -c +25 "$T/w$i.pcap") <(tail -c +25 "$T/f$i")
		[ "$(size "$T/f$i")" -gt 24 ] || fail_msg "f$i: no record selected"
	done
}

@test "-f on a udp: sink: only the matching payloads are sent" {
	gen -c 40 -p 5001,5002 >"$T/in.pcap"
	start_recv u -c 20 127.0.0.1:0
	IN=$T/in.pcap tee_run -f '2=udp dst port 5001' "$T/f" "udp:$recv_addr"
	expect_status 0
	cmp "$T/in.pcap" "$T/f"
	wait_exit "$(bg_pid_of u)" || fail_msg "udp-recv did not get 20 datagrams"
	diff -u <(ptool payloads "$T/in.pcap" | sed -n 'p;n') <(ptool payloads "$T/u.out")
}

@test "-e: only the text lines matching the regex reach that sink (grep -E agrees)" {
	printf '%s\n' 'ERROR disk' 'info ok' 'WARN fan' 'debug z' 'error lower' \
	    'x ERR y' 'end z' 'z not at end' '' 'WARNING' >"$T/in"
	IN=$T/in tee_run -e '1=ERR|WARN' -e '2=z$' "$T/f1" "$T/f2" "$T/f3"
	expect_status 0
	cmp "$T/in" "$T/out"
	grep -E 'ERR|WARN' "$T/in" | cmp - "$T/f1"
	grep -E 'z$' "$T/in" | cmp - "$T/f2"
	cmp "$T/in" "$T/f3"
}

@test "-e: a plain substring selects the lines holding it" {
	printf 'a.b\naxb\nab\n' >"$T/in"
	IN=$T/in tee_run -e '1=a.b' -e '2=a\.b' "$T/f1" "$T/f2"
	expect_status 0
	printf 'a.b\naxb\n' | cmp - "$T/f1"
	printf 'a.b\n' | cmp - "$T/f2"
}

# ---------------------------------------- behaviour: stalled consumers

@test "a SIGSTOPped |cat consumer loses only its copy: drops counted, exit 1, ends within -D" {
	gen -c 20000 -l 1000 >"$T/in.pcap"
	ptool split "$T/in.pcap" 10 "$T/a" "$T/b"
	start_tee t -b 64k -D 1s "$T/f" "|cat > $T/c"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/c" "$(size "$T/a")"
	signal_tree STOP
	feed_file t "$T/b"
	end_input t
	expect_status 1
	awk -v e="$elapsed" -v m="$((1 + MARGIN))" 'BEGIN { exit !(e < m) }' ||
	    fail_msg "ended ${elapsed}s after its input"
	cmp "$T/in.pcap" "$T/t.out"
	cmp "$T/in.pcap" "$T/f"
	d=$(counter "$T/t.err" "|cat > $T/c" dropped)
	[ "$d" -gt 0 ] || fail_msg "dropped=$d"
	records_plus_dropped "$T/t.err" "|cat > $T/c" 20000
	ptool check -c "$T/in.pcap" "$T/c"
}

@test "a TCP consumer that accepts and never reads: drops counted, exit 1, ends within -D" {
	gen -c 20000 -l 1000 >"$T/in.pcap"
	start_bg w python3 "$TS/listen.py" -n "$T/w.addr"
	wait_for "$T/w.addr"
	addr=$(cat "$T/w.addr")
	IN=$T/in.pcap tee_run -v -b 64k -D 1s "$T/f" "tcp:$addr"
	expect_status 1
	within $((1 + MARGIN))
	wait_for "$T/w.out" '^accepted 1$'
	cmp "$T/in.pcap" "$T/out"
	cmp "$T/in.pcap" "$T/f"
	d=$(counter "$T/err" "tcp:$addr" dropped)
	[ "$d" -gt 0 ] || fail_msg "dropped=$d"
	records_plus_dropped "$T/err" "tcp:$addr" 20000
	assert_equal "$(counter "$T/err" "$T/f" dropped)" 0
}

@test "a TCP consumer that restarts: reconnect, header again, tcpdump reads the second connection" {
	need socat tcpdump capinfos
	gen -c 300 -l 500 >"$T/in.pcap"
	ptool split "$T/in.pcap" 100 "$T/a" "$T/bc"
	head -c 24 "$T/in.pcap" >"$T/bch"
	cat "$T/bc" >>"$T/bch"
	ptool split "$T/bch" 100 "$T/hb" "$T/c"
	tail -c +25 "$T/hb" >"$T/b"
	start_listener l1 socat -u TCP-LISTEN:0,bind=127.0.0.1,reuseaddr "OPEN:$T/l1.pcap,creat"
	port=$listen_port
	start_tee t -v -D 5s "$T/f" "tcp:127.0.0.1:$port"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/l1.pcap" "$(size "$T/a")"
	stop_bg l1 KILL
	feed_file t "$T/b"
	# tee-sink may connect as soon as it listens: do not wait for that
	start_bg l2 socat -u "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "OPEN:$T/l2.pcap,creat"
	feed_file t "$T/c"
	# the last record arrives once the backoff (at most 5 s) reconnects
	wait_until 20 size_gt "$T/l2.pcap" "$(size "$T/c")"
	wait_until 10 has_tail "$T/in.pcap" "$T/l2.pcap" 100
	end_input t
	expect_status 0 1
	cmp "$T/a" "$T/l1.pcap"
	cmp "$T/in.pcap" "$T/t.out"
	cmp "$T/in.pcap" "$T/f"
	run ptool check -t 100 "$T/in.pcap" "$T/l2.pcap"
	assert_success
	run --separate-stderr tcpdump -nn -r "$T/l2.pcap"
	assert_success
	assert_equal "${#lines[@]}" "$(ptool count "$T/l2.pcap")"
	capinfos "$T/l2.pcap" >/dev/null
	r=$(counter "$T/t.err" "tcp:127.0.0.1:$port" reconnects)
	[ "$r" -ge 1 ] || fail_msg "reconnects=$r"
}

@test "a TCP consumer that closes while idle is noticed at once: what follows goes to the next connection" {
	need socat
	gen -c 300 -l 500 >"$T/in.pcap"
	ptool split "$T/in.pcap" 100 "$T/a" "$T/bc"
	start_listener l1 socat -u TCP-LISTEN:0,bind=127.0.0.1,reuseaddr "OPEN:$T/l1.pcap,creat"
	port=$listen_port
	start_tee t -v -D 5s "tcp:127.0.0.1:$port"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/l1.pcap" "$(size "$T/a")"
	stop_bg l1 KILL
	# the FIN is seen without a write: a reconnection is tried
	wait_for "$T/t.err" "tcp:127.0.0.1:$port: unable to connect: Connection refused"
	feed_file t "$T/bc"
	start_bg l2 socat -u "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "OPEN:$T/l2.pcap,creat"
	wait_until 20 has_tail "$T/in.pcap" "$T/l2.pcap" 200
	end_input t
	expect_status 0
	cmp "$T/a" "$T/l1.pcap"
	cat <(head -c 24 "$T/in.pcap") "$T/bc" | cmp - "$T/l2.pcap"
}

@test "a |COMMAND that exits is restarted: the header again, then a whole record; SIGPIPE is not fatal" {
	gen -c 2000 -l 1000 >"$T/in.pcap"
	IN=$T/in.pcap tee_run -D 3s "$T/f" "|exec head -c 40 > $T/run.\$\$"
	expect_status 0 1
	within $((3 + MARGIN))
	cmp "$T/in.pcap" "$T/out"
	cmp "$T/in.pcap" "$T/f"
	runs=("$T"/run.*)
	[ "${#runs[@]}" -ge 2 ] || fail_msg "the command ran ${#runs[@]} time(s)"
	for r in "${runs[@]}"; do
		# the header, then the beginning of a record of the input (a run
		# cut short by the end of -D may have less)
		[ "$(size "$r")" -ge 24 ] && [ "$(size "$r")" -le 40 ] ||
		    fail_msg "$r: $(size "$r") bytes"
		ptool check -c "$T/in.pcap" "$r" >/dev/null
	done
}

# stall POLICY: tee-sink -b 64k -P POLICY with one |cat sink whose processes
# are stopped after the first 10 records and resumed once tee-sink has read
# the whole 4 MB input, so the queue overflows meanwhile; c is what the
# sink got.
stall() {
	gen -c 4000 -l 1000 >"$T/in.pcap"
	ptool split "$T/in.pcap" 10 "$T/a" "$T/b"
	start_tee t -v -b 64k -D 5s -P "$1" "|cat > $T/c"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/c" "$(size "$T/a")"
	signal_tree STOP
	feed_file t "$T/b"
	wait_until 10 size_is "$T/t.out" "$(size "$T/in.pcap")"
	signal_tree CONT
	end_input t
	expect_status 1
	cmp "$T/in.pcap" "$T/t.out"
	d=$(counter "$T/t.err" "|cat > $T/c" dropped)
	[ "$d" -gt 0 ] || fail_msg "dropped=$d"
	records_plus_dropped "$T/t.err" "|cat > $T/c" 4000
}

@test "-P new (the default): a full queue drops the newest, so the sink gets a prefix" {
	stall new
	run ptool check "$T/in.pcap" "$T/c"
	assert_success
	assert_output --regexp '^records=[0-9]+ first=0 last=[0-9]+ missing=0$'
	[[ $output != *last=3999* ]] || fail_msg "the newest record was kept: $output"
}

@test "-P old: a full queue drops the oldest, so the newest records are all there, whole" {
	stall old
	run ptool check -t 40 "$T/in.pcap" "$T/c"
	assert_success
	assert_output --regexp '^records=[0-9]+ first=0 last=3999 missing=[1-9][0-9]*$'
}

@test "-P block: a stopped consumer holds back the input, then gets everything; no drops" {
	gen -c 8000 -l 1000 >"$T/in.pcap"
	ptool split "$T/in.pcap" 10 "$T/a" "$T/b"
	start_tee t -v -b 64k -D 5s -P block "$T/f" "|cat > $T/c"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/c" "$(size "$T/a")"
	signal_tree STOP
	start_bg feeder timeout 60 dd if="$T/b" of="$T/t.in" bs=64k status=none
	feeder=$bg_pid
	wait_until 10 size_gt "$T/t.out" $(($(size "$T/a") + 100000))
	wait_until 20 still "$T/t.out"
	s=$(size "$T/t.out")
	[ "$s" -lt 4000000 ] || fail_msg "tee-sink read $s of $(size "$T/in.pcap") bytes past a stopped sink"
	running "$feeder" || fail_msg "the input was not held back"
	signal_tree CONT
	wait_exit "$feeder" 30
	assert_equal "$exit_status" 0
	end_input t
	expect_status 0
	cmp "$T/in.pcap" "$T/t.out"
	cmp "$T/in.pcap" "$T/f"
	wait_until 10 size_is "$T/c" "$(size "$T/in.pcap")"
	cmp "$T/in.pcap" "$T/c"
	assert_equal "$(counter "$T/t.err" "|cat > $T/c" dropped)" 0
}

@test "drain: a consumer that resumes within -D after the end of input gets everything, exit 0" {
	gen -c 3000 -l 1000 >"$T/in.pcap"
	ptool split "$T/in.pcap" 10 "$T/a" "$T/b"
	start_tee t -D 20s "|cat > $T/c"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/c" "$(size "$T/a")"
	signal_tree STOP
	feed_file t "$T/b"
	wait_until 10 size_is "$T/t.out" "$(size "$T/in.pcap")"
	close_input t
	running "$tee_pid" || fail_msg "tee-sink did not wait for its sink to drain"
	signal_tree CONT
	wait_tee t 20
	expect_status 0
	wait_until 10 size_is "$T/c" "$(size "$T/in.pcap")"
	cmp "$T/in.pcap" "$T/c"
}

@test "FIFO without a reader: stdout is not blocked, the records are dropped at -D, exit 1" {
	gen -c 30 >"$T/in.pcap"
	mkfifo "$T/p"
	IN=$T/in.pcap tee_run -D 1s "$T/p"
	expect_status 1
	within $((1 + MARGIN))
	cmp "$T/in.pcap" "$T/out"
	assert_equal "$(counter "$T/err" "$T/p" dropped)" 30
}

@test "FIFO: a reader that comes later gets the header and every queued record" {
	need capinfos
	gen -c 200 >"$T/in.pcap"
	ptool split "$T/in.pcap" 100 "$T/a" "$T/b"
	mkfifo "$T/p"
	start_tee t "$T/p"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/t.out" "$(size "$T/a")"
	BG_STDOUT=$T/r.pcap start_bg r cat "$T/p"
	wait_until 10 size_is "$T/r.pcap" "$(size "$T/a")"
	feed_file t "$T/b"
	end_input t
	expect_status 0
	wait_exit "$(bg_pid_of r)"
	cmp "$T/in.pcap" "$T/r.pcap"
	capinfos "$T/r.pcap" >/dev/null
}

@test "FIFO: a second reader gets the header again, then whole records" {
	need tcpdump
	gen -c 300 >"$T/in.pcap"
	ptool split "$T/in.pcap" 100 "$T/a" "$T/bc"
	head -c 24 "$T/in.pcap" | cat - "$T/bc" >"$T/bch"
	ptool split "$T/bch" 100 "$T/hb" "$T/c"
	tail -c +25 "$T/hb" >"$T/b"
	mkfifo "$T/p"
	BG_STDOUT=$T/r1.pcap start_bg r1 cat "$T/p"
	start_tee t -D 10s "$T/p"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/r1.pcap" "$(size "$T/a")"
	stop_bg r1 KILL
	feed_file t "$T/b"
	# a reader that came before tee-sink saw the first one go would read
	# on from the same open, header-less: wait for the failure first
	wait_for "$T/t.err" "$T/p: unable to"
	BG_STDOUT=$T/r2.pcap start_bg r2 cat "$T/p"
	feed_file t "$T/c"
	wait_until 20 has_tail "$T/in.pcap" "$T/r2.pcap" 100
	end_input t
	expect_status 0 1
	cmp "$T/a" "$T/r1.pcap"
	wait_exit "$(bg_pid_of r2)"
	run ptool check -t 100 "$T/in.pcap" "$T/r2.pcap"
	assert_success
	tcpdump -nn -r "$T/r2.pcap" >/dev/null 2>&1
}

# ------------------------------------------------ behaviour: signals

@test "HUP reopens a file sink: the renamed file keeps the first part, a new one starts with a header" {
	need capinfos
	gen -c 50 >"$T/in.pcap"
	ptool split "$T/in.pcap" 20 "$T/a" "$T/b"
	start_tee t "$T/f"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/f" "$(size "$T/a")"
	mv "$T/f" "$T/f.1"
	kill -HUP "$tee_pid"
	wait_until 10 size_is "$T/f" 24
	feed_file t "$T/b"
	end_input t
	expect_status 0
	cmp "$T/a" "$T/f.1"
	cat <(head -c 24 "$T/in.pcap") "$T/b" | cmp - "$T/f"
	cmp "$T/in.pcap" "$T/t.out"
	capinfos "$T/f" >/dev/null
}

@test "TERM: what was read reaches every sink, exit 0" {
	gen -c 50 >"$T/in.pcap"
	start_tee t "$T/f" "|cat > $T/c"
	feed_file t "$T/in.pcap"
	wait_until 10 size_is "$T/f" "$(size "$T/in.pcap")"
	kill -TERM "$tee_pid"
	t_closed=$(now)
	wait_tee t
	expect_status 0
	cmp "$T/in.pcap" "$T/t.out"
	wait_until 10 size_is "$T/c" "$(size "$T/in.pcap")"
	cmp "$T/in.pcap" "$T/c"
}

@test "USR1 prints the counters of stdout and every sink, and tee-sink goes on" {
	gen -c 30 >"$T/in.pcap"
	ptool split "$T/in.pcap" 12 "$T/a" "$T/b"
	start_tee t "$T/f"
	feed_file t "$T/a"
	wait_until 10 size_is "$T/f" "$(size "$T/a")"
	kill -USR1 "$tee_pid"
	wait_for "$T/t.err" '^tee-sink: stdout records=12 bytes=[0-9]+$'
	wait_for "$T/t.err" "^tee-sink: $T/f records=12 bytes=[0-9]+ dropped=0 reconnects=0 skipped=0 errors=0\$"
	running "$tee_pid"
	feed_file t "$T/b"
	end_input t
	expect_status 0
	cmp "$T/in.pcap" "$T/f"
}

@test "no counters at exit without -v when nothing was dropped" {
	gen -c 5 >"$T/in.pcap"
	IN=$T/in.pcap tee_run "$T/f"
	expect_status 0
	assert_equal "$err" ''
}

# ------------------------------------------------------- error paths

@test "a refused tcp: sink is reported once with its cause; stdout gets everything; exit 1" {
	gen -c 10 >"$T/in.pcap"
	start_bg b python3 "$TS/listen.py" -b "$T/b.addr"
	wait_for "$T/b.addr"
	addr=$(cat "$T/b.addr")
	IN=$T/in.pcap tee_run -D 2s "tcp:$addr"
	expect_status 1
	within $((2 + MARGIN))
	cmp "$T/in.pcap" "$T/out"
	assert_equal "$(grep -c 'unable to connect' "$T/err")" 1
	grep -qxF "tee-sink: tcp:$addr: unable to connect: Connection refused" "$T/err" ||
	    fail_msg "stderr: $err"
	assert_equal "$(counter "$T/err" "tcp:$addr" dropped)" 10
}

@test "a unix: socket that does not exist is reported once; exit 1" {
	gen -c 10 >"$T/in.pcap"
	IN=$T/in.pcap tee_run -D 1s "unix:$T/nosock"
	expect_status 1
	cmp "$T/in.pcap" "$T/out"
	assert_equal "$(grep -c "unix:$T/nosock: .*No such file or directory" "$T/err")" 1
}

# errors_ge NAME SINK N: after a USR1, tee-sink NAME counts N errors or
# more for SINK.
errors_ge() {
	local n p
	p=$(bg_pid_of "$1")
	catches "$p" 10 || return 1
	kill -USR1 "$p"
	n=$(counter "$T/$1.err" "$2" errors 2>/dev/null) || return 1
	[ "$n" -ge "$3" ]
}

@test "a failure that gives way to another cause: its unreported repeats are told first, '(and N more like it)'" {
	local sink=unix:$T/sock
	gen -c 10 >"$T/in.pcap"
	start_tee t -n "$sink"
	feed_file t "$T/in.pcap"
	wait_until 20 errors_ge t "$sink" 4
	: >"$T/sock"	# a file, not a socket: connect is refused now
	wait_for "$T/t.err" "^tee-sink: $sink: unable to connect: Connection refused\$"
	run grep "^tee-sink: $sink: unable to connect" "$T/t.err"
	assert_line --index 0 "tee-sink: $sink: unable to connect: No such file or directory"
	assert_line --index 1 --regexp "^tee-sink: $sink: unable to connect: No such file or directory \(and [1-9][0-9]* more like it\)\$"
	assert_line --index 2 "tee-sink: $sink: unable to connect: Connection refused"
	end_input t
}

@test "a file sink that cannot be opened is reported with its cause; stdout gets everything; exit 1" {
	gen -c 10 >"$T/in.pcap"
	IN=$T/in.pcap tee_run -D 1s "$T/nodir/f" "$T/f"
	expect_status 1
	cmp "$T/in.pcap" "$T/out"
	cmp "$T/in.pcap" "$T/f"
	assert_equal "$(grep -c "$T/nodir/f: .*No such file or directory" "$T/err")" 1
}

@test "malformed input: a record cut short: stdout and the sink get every record before it, exit 1" {
	gen -c 5 -l 100 >"$T/full.pcap"
	# 24-byte header, records of 16 + 128 bytes: cut inside the fourth
	head -c 506 "$T/full.pcap" >"$T/in.pcap"
	IN=$T/in.pcap tee_run "$T/f"
	expect_status 1
	[[ $err == *'tee-sink: unable to read stdin: truncated record at offset 456: 34 of 128 bytes'* ]] ||
	    fail_msg "stderr: $err"
	cmp <(head -c 456 "$T/full.pcap") "$T/out"
	cmp <(head -c 456 "$T/full.pcap") "$T/f"
}

@test "stdin that cannot be read (a directory): exit 111, not the status of malformed input" {
	IN=/ tee_run "$T/f"
	expect_status 111
	[[ $err == *'tee-sink: unable to read stdin: read error: Is a directory'* ]] ||
	    fail_msg "stderr: $err"
}

@test "stdin shared with the shell: O_NONBLOCK only while tee-sink runs (end of input, TERM)" {
	stdin_restored tee-sink "$T/f"
}

@test "stdout to /dev/full: exit 111, unable to write" {
	gen -c 10 >"$T/in.pcap"
	IN=$T/in.pcap OUT=/dev/full tee_run "$T/f"
	expect_status 111
	[[ $err == *'unable to write'* ]] || fail_msg "stderr: $err"
}

@test "-n with stdout on /dev/full: stdout is never written, exit 0" {
	gen -c 10 >"$T/in.pcap"
	IN=$T/in.pcap OUT=/dev/full tee_run -n "$T/f"
	expect_status 0
	cmp "$T/in.pcap" "$T/f"
}

@test "stdout closed: exit 111" {
	gen -c 10 >"$T/in.pcap"
	status=0
	timeout 20 tee-sink "$T/f" <"$T/in.pcap" >&- 2>"$T/err" 3>&- || status=$?
	err=$(cat "$T/err")
	expect_status 111
}

@test "stdout reader gone (EPIPE): exit 111, not killed by SIGPIPE" {
	gen -c 4000 -l 1000 >"$T/in.pcap"
	timeout 20 tee-sink "$T/f" <"$T/in.pcap" 2>"$T/err" 3>&- | head -c 100 >/dev/null
	status=${PIPESTATUS[0]}
	err=$(cat "$T/err")
	expect_status 111
}
