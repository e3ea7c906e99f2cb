#!/usr/bin/env bats
# bg_pid and exit_status are set by helper.bash
# shellcheck disable=SC2154
# tests/chanrelay.bats: the launcher with real pipelines on loopback: usage,
# bad values and configs, behaviour (supervision, restarts, a kill -9 that
# touches one channel only, detached start/stop, -t), error paths.
# Every channel binds 127.0.0.1:0 and writes its port with udp-recv -a.

bats_require_minimum_version 1.5.0
load helper

USAGE='usage: chanrelay [-h] [-C DIR] [-F FORMAT] [-f CONF] [-H HOST] [-M DIR] [-t DURATION] COMMAND [NAME...]'
NAME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}\.[0-9]{9}Z\.(pcap|log)'

setup_file() {
	command -v chanrelay >/dev/null ||
	    fail_msg "chanrelay is not built: run make"
}

setup() {
	T=$BATS_TEST_TMPDIR
	RUN=$T/run
	CONF=$T/chanrelay.conf
	umask 022
}

# teardown: stop what the test left running: the foreground supervisors
# (TERM, so they stop their channels), a detached one (chanrelay stop),
# then every other background process, and last, with KILL, any channel
# process group still there (a bug; it would outlive the test otherwise).
teardown() {
	local f pid pgids
	pgids=$(channel_pids)
	for f in "$T"/relay*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		running "$pid" || continue
		kill -TERM "$pid" 2>/dev/null || true
		wait_until 15 not_running "$pid" || true
	done
	if [ -e "$RUN/chanrelay.pid" ]; then
		timeout 20 chanrelay -C "$RUN" -f "$CONF" stop >/dev/null 2>&1 || true
	fi
	bg_cleanup
	for pid in $pgids $(cat "$T/pgids" 2>/dev/null); do
		if pgrep -g "$pid" >/dev/null; then
			printf 'teardown: process group %s left behind\n' "$pid" >&2
			kill -KILL -- "-$pid" 2>/dev/null || true
		fi
	done
}

# cr ARGS...: chanrelay with this test's run directory and config.
cr() {
	chanrelay -C "$RUN" -f "$CONF" "$@"
}

# conf LINES...: write the config (mode 644), one argument a line.
conf() {
	printf '%s\n' "$@" >"$CONF"
	chmod 644 "$CONF"
}

# chan NAME[@HOSTS] [ARGS...]: a channel line: udp-recv on 127.0.0.1:0
# writing its address to $T/NAME.addr, into chanlog $T/NAME (ARGS go to
# udp-recv).
chan() {
	local w=$1 n=${1%%@*}
	shift
	printf '%s udp-recv -a %s/%s.addr %s 127.0.0.1:0 | chanlog %s/%s' \
	    "$w" "$T" "$n" "$*" "$T" "$n"
}

# start_relay [OPTIONS...] [-- NAME...]: chanrelay OPTIONS run NAME... in
# the foreground, in the background (start_bg relay; the pid is in
# $T/relay.pid). SIGINT back to its default: a background job of a
# non-interactive shell starts with it ignored, and sh cannot trap a
# signal ignored on entry.
start_relay() {
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ $# -eq 0 ] || shift
	start_bg relay env --default-signal=INT \
	    chanrelay -C "$RUN" -f "$CONF" "${opts[@]}" run "$@"
	relay_pid=$bg_pid
}

# channel_pids: every channel pid the state files hold (= pgids).
channel_pids() {
	local f pid rest
	for f in "$RUN"/*.state; do
		[ -e "$f" ] || continue
		read -r _ pid rest <"$f" || continue
		[ "$pid" = 0 ] || echo "$pid"
	done
}

# field NAME COLUMN: a column of channel NAME's status line (2 STATE,
# 3 PID, 4 UPTIME, 5 RESTARTS, 6 IN/S ... 10 LAST-EXIT).
field() {
	cr status 2>/dev/null | awk -v n="$1" -v c="$2" '$1 == n { print $c; exit }'
}

# is_state NAME STATE [RESTARTS]: status shows NAME in STATE (with
# RESTARTS restarts).
is_state() {
	local line
	line=$(cr status 2>/dev/null | awk -v n="$1" '$1 == n') || return 1
	# shellcheck disable=SC2086 # the fields of the line
	set -- "$2" "${3-}" $line
	[ "$4" = "$1" ] || return 1
	[ -z "$2" ] || [ "$7" = "$2" ]
}

# addr NAME: the address channel NAME's udp-recv bound.
addr() {
	cat "$T/$1.addr"
}

has_addr() {
	grep -Eq '.:[0-9]+$' "$T/$1.addr" 2>/dev/null
}

# wait_addrs NAME...: wait until each channel's udp-recv is bound.
wait_addrs() {
	local n
	for n in "$@"; do
		wait_until 10 has_addr "$n" ||
		    fail_msg "channel $n: no address; $RUN/$n.err:" \
		    "$(cat "$RUN/$n.err" 2>/dev/null)" "relay:" "$(cat "$T/relay.err" 2>/dev/null)"
	done
}

size_ge() {
	[ -e "$1" ] && [ "$(stat -c %s "$1")" -ge "$2" ]
}

# finished DIR: DIR's finished files, in name (= write) order.
finished() {
	find "$1" -mindepth 1 -maxdepth 1 -type f -printf '%f\n' |
	    grep -Ex "$NAME_RE" | sort || true
}

# seqs DIR: the sequence numbers of the synthetic records (udp-send -c) in
# DIR's finished pcap files, one a line, in file and record order.
seqs() {
	local f
	for f in $(finished "$1"); do
		tshark -n -r "$1/$f" -T fields -e data 2>>"$T/tshark.err"
	done | awk '{
		h = tolower(substr($0, 17, 16)); v = 0
		for (i = 1; i <= 16; i++)
			v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
		print v
	}'
}

# all_in_order DIR N: DIR's records are exactly 0 .. N-1, in order.
all_in_order() {
	seqs "$1" | awk -v n="$2" '
	$1 != NR - 1 { printf "record %d: sequence number %s\n", NR, $1; bad = 1; exit }
	END { if (!bad && NR != n) { printf "%d records, not %d\n", NR, n; bad = 1 }
	      exit bad }'
}

# this_host: this host's name as chanrelay finds it (uname -n, lower case);
# skips the test when it is not a name a table can hold.
this_host() {
	local h
	h=$(uname -n | tr '[:upper:]' '[:lower:]')
	[[ $h =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$ ]] ||
	    skip "uname -n is '$h', not a host name a table can hold"
	echo "$h"
}

# why NAME: the line status prints under channel NAME's (why it failed or
# was skipped), without its indent.
why() {
	cr status 2>/dev/null | awk -v n="$1" 'f { sub(/^ +/, ""); print; exit }
	    $1 == n { f = 1 }'
}

# ms: the time in milliseconds.
ms() {
	echo $(($(date +%s%N) / 1000000))
}

# live_in_group PGID: the processes of group PGID that are not zombies.
live_in_group() {
	ps -o pid=,stat=,args= -g "$1" | awk '$2 !~ /^Z/' || true
}

group_gone() {
	! pgrep -g "$1" >/dev/null
}

# elapsed_ge T0 MS: at least MS milliseconds have passed since T0 (ms):
# the wait for something that must not happen (a restart) to have had time.
elapsed_ge() {
	[ $(($(ms) - $1)) -ge "$2" ]
}

# --- usage ------------------------------------------------------------

@test "usage: -h prints the usage line to stdout, exit 0" {
	run --separate-stderr chanrelay -h
	assert_success
	assert_output "$USAGE"
	[ -z "$stderr" ]
}

@test "usage: no command: the message, the usage line, exit 100" {
	run --separate-stderr chanrelay
	assert_failure 100
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "chanrelay: missing COMMAND" ]
	[ "${stderr_lines[1]}" = "$USAGE" ]
}

@test "usage: an unknown command or option, a missing value: exit 100" {
	conf "$(chan a)"
	run --separate-stderr cr frobnicate
	assert_failure 100
	[[ $stderr == *"unknown command 'frobnicate'"* ]]
	[[ $stderr == *"$USAGE"* ]]
	run --separate-stderr chanrelay -x run
	assert_failure 100
	[[ $stderr == *"unknown option -x"* ]]
	run --separate-stderr chanrelay -f
	assert_failure 100
	[[ $stderr == *"option -f needs a value"* ]]
}

@test "usage: restart without a NAME, or a NAME not in the config: exit 100" {
	conf "$(chan a)"
	run --separate-stderr cr restart
	assert_failure 100
	[[ $stderr == *"restart needs a channel NAME"* ]]
	run --separate-stderr cr status nosuch
	assert_failure 100
	[[ $stderr == *"no channel 'nosuch'"* ]]
}

@test "usage: run or start NAME of another host: exit 100, saying where it runs; nothing starts" {
	conf "$(chan a)" "$(chan c@rx2,rx3)"
	local c
	for c in run start; do
		# a run that does start must not hang the test
		run --separate-stderr timeout 10 chanrelay -C "$RUN" -f "$CONF" \
		    -H rx1 "$c" a c
		assert_failure 100
		[ "$stderr" = "chanrelay: channel 'c' runs on rx2,rx3; this host is rx1" ] ||
		    fail_msg "$c: $stderr"
	done
	[ ! -e "$T/a.addr" ] && [ ! -e "$T/c.addr" ]
	[ ! -e "$RUN/chanrelay.pid" ]
}

@test "usage: the script passes dash -n and shellcheck -s sh" {
	run dash -n "$BIN/chanrelay"
	assert_success
	need shellcheck
	run shellcheck -s sh "$TOP/cmd/chanrelay.sh"
	assert_success
}

@test "usage: #!/bin/sh, and /bin/sh is dash here (so the behaviour tests run under dash)" {
	[ "$(head -n 1 "$BIN/chanrelay")" = '#!/bin/sh' ]
	[ -x "$BIN/chanrelay" ]
	[ -r /etc/debian_version ] || skip "not Debian: /bin/sh need not be dash"
	[ "$(basename "$(readlink -f /bin/sh)")" = dash ]
}

# --- bad values and configs -------------------------------------------

@test "bad values: -t that is not a duration: exit 100" {
	conf "$(chan a)"
	local d
	for d in x 5x -1s 0 0s 1.s 1h30 ''; do
		run --separate-stderr cr -t "$d" run
		[ "$status" -eq 100 ] || fail_msg "-t '$d': exit $status"
		[[ $stderr == *"invalid duration"* ]] || fail_msg "-t '$d': $stderr"
	done
	[ ! -e "$RUN" ]
}

# verdict PROG ACCEPTED LINE D: what PROG's first stderr line LINE says of
# the duration D: "accepted" when it is ACCEPTED (the next check failed),
# else the reason of "PROG: invalid duration 'D': REASON".
verdict() {
	case $3 in
	"$2"*) echo accepted ;;
	"$1: invalid duration '$4': "*) echo "${3#"$1: invalid duration '$4': "}" ;;
	*) fail_msg "$1 -t '$4' said: $3" ;;
	esac
}

@test "-t takes exactly the durations the C programs take (lib/num.c): udp-recv -t and chanrelay -t agree on a table" {
	local d c s n=0
	for d in 1 1s 1.5 1.5s 500ms 250us 1ns 10ns 1h30m 2m3.5s 59m50s \
	    1d2h3m4s5ms6us7ns 0.000000001s 0.0000000001s 00001s 0.5ms \
	    0 0s '' x 5x -1s +1s ' 1s' '1s ' 1.s .5s 1..5s 1.2.3s 1h30 30m1h \
	    1m1m 1ss 1S 1e3s 1h.5m 1µs 1d1 \
	    9223372036854775807ns 9223372036854775808ns \
	    106751d23h47m16s854ms775us807ns 106751d23h47m16s854ms775us808ns \
	    18446744073709551615ns 18446744073709551616ns 213503d \
	    99999999999999999999999s 3000000h1x 5124095h60m1x 5124095h1x; do
		c=$(udp-recv -t "$d" -F bogus 127.0.0.1:0 2>&1 | head -n 1)
		c=$(verdict udp-recv "udp-recv: invalid format 'bogus'" "$c" "$d")
		s=$(chanrelay -t "$d" bogus 2>&1 | head -n 1)
		s=$(verdict chanrelay "chanrelay: unknown command 'bogus'" "$s" "$d")
		[ "$c" = "$s" ] ||
		    fail_msg "-t '$d': udp-recv: $c; chanrelay: $s" || return 1
		[ "$c" = accepted ] && n=$((n + 1))
	done
	# both kinds are in the table
	[ "$n" -ge 15 ] && [ "$n" -le 20 ] || fail_msg "$n accepted"
}

@test "-t 1.5s: the run ends after 1.5 s (a fraction, as the C programs take it)" {
	conf "$(chan a)"
	local t0 t1
	t0=$(ms)
	start_relay -t 1.5s
	wait_addrs a
	wait_exit "$relay_pid" 20
	t1=$(ms)
	[ "$exit_status" -eq 0 ] || fail_msg "exit $exit_status: $(cat "$T/relay.err")"
	[ $((t1 - t0)) -ge 1500 ] || fail_msg "ended after $((t1 - t0)) ms"
	grep -q 'the duration is over' "$T/relay.err"
}

@test "bad values: -H that is not a host name: exit 100, naming it" {
	conf "$(chan a)"
	local h
	for h in rx_1 -rx1 rx1- a..b .rx1 rx1. 'rx 1' rx1,rx2 rx1@x '' \
	    "$(printf 'a%.0s' {1..64})" "$(printf 'abc.%.0s' {1..63})xy"; do
		run --separate-stderr cr -H "$h" check
		[ "$status" -eq 100 ] || fail_msg "-H '$h': exit $status"
		[ "${stderr_lines[0]}" = "chanrelay: invalid host name '$h'" ] ||
		    fail_msg "-H '$h': $stderr"
		[ "${stderr_lines[1]}" = "$USAGE" ]
	done
	# the longest label, the longest name, digits first, any case
	for h in "$(printf 'a%.0s' {1..63})" "$(printf 'abc.%.0s' {1..63})a" \
	    3com RX-1.Example.NET; do
		run --separate-stderr cr -H "$h" check
		[ "$status" -eq 0 ] || fail_msg "-H '$h': exit $status: $stderr"
	done
}

@test "bad config: a missing config file: exit 100, naming it" {
	run --separate-stderr chanrelay -C "$RUN" -f "$T/nosuch.conf" check
	assert_failure 100
	[[ $stderr == *"$T/nosuch.conf"* ]]
}

@test "bad config: world-writable: refused (exit 100, saying why); group-writable is fine" {
	conf "$(chan a)"
	chmod 666 "$CONF"
	run --separate-stderr cr check
	assert_failure 100
	[[ $stderr == *"$CONF"*"writable by anyone"* ]]
	run --separate-stderr cr run
	assert_failure 100
	[[ $stderr == *"writable by anyone"* ]]
	[ ! -e "$T/a.addr" ]
	chmod 664 "$CONF"
	run --separate-stderr cr check
	assert_success
}

@test "bad config: bad name, duplicate, no pipeline, bad variable: exit 100, file:line each" {
	conf '# a comment' \
	    '' \
	    "$(chan good)" \
	    'a.b udp-recv 127.0.0.1:0 | chanlog x' \
	    'good udp-recv 127.0.0.1:0 | chanlog y' \
	    'lonely' \
	    'lonely2    ' \
	    'a-b=1' \
	    "$(printf '%065d' 0) udp-recv 127.0.0.1:0"
	run --separate-stderr cr check
	assert_failure 100
	[[ $stderr == *"chanrelay: $CONF:4: invalid channel name 'a.b'"* ]]
	[[ $stderr == *"chanrelay: $CONF:5: channel 'good' again"* ]]
	[[ $stderr == *"chanrelay: $CONF:6: channel 'lonely' has no pipeline"* ]]
	[[ $stderr == *"chanrelay: $CONF:7: channel 'lonely2' has no pipeline"* ]]
	[[ $stderr == *"chanrelay: $CONF:8: invalid variable name 'a-b'"* ]]
	[[ $stderr == *"chanrelay: $CONF:9: channel name"*"longer than 64"* ]]
	[ "${#stderr_lines[@]}" -eq 6 ] || fail_msg "$stderr"
	# run refuses it too, and starts nothing
	run --separate-stderr cr run
	assert_failure 100
	[ ! -e "$T/good.addr" ]
}

@test "bad config: a bad host list: exit 100, file:line each, naming the value; nothing starts" {
	conf "$(chan good@rx1)" \
	    "$(chan a@rx_1)" \
	    "$(chan b@)" \
	    "$(chan c@rx1,,rx2)" \
	    "$(chan d@rx1,-x,ok,a..b)" \
	    "$(chan e@rx1@rx2)" \
	    "$(chan @rx1)" \
	    "$(chan "f@rx1.$(printf 'a%.0s' {1..64})")"
	run --separate-stderr cr -H rx1 check
	assert_failure 100
	[[ $stderr == *"chanrelay: $CONF:2: invalid host name 'rx_1'"* ]]
	[[ $stderr == *"chanrelay: $CONF:3: channel 'b': no host after '@'"* ]]
	[[ $stderr == *"chanrelay: $CONF:4: an empty host name in '@rx1,,rx2'"* ]]
	[[ $stderr == *"chanrelay: $CONF:5: invalid host name '-x'"* ]]
	[[ $stderr == *"chanrelay: $CONF:5: invalid host name 'a..b'"* ]]
	[[ $stderr == *"chanrelay: $CONF:6: invalid host name 'rx1@rx2'"* ]]
	[[ $stderr == *"chanrelay: $CONF:7: invalid channel name ''"* ]]
	[[ $stderr == *"chanrelay: $CONF:8: invalid host name 'rx1.aaaa"*"'"* ]]
	[ "${#stderr_lines[@]}" -eq 8 ] || fail_msg "$stderr"
	# every host's lines are read: these are no host's and every host's
	run --separate-stderr cr -H nowhere check
	assert_failure 100
	[ "${#stderr_lines[@]}" -eq 8 ] || fail_msg "$stderr"
	run --separate-stderr cr -H rx1 run
	assert_failure 100
	[ ! -e "$T/good.addr" ]
}

@test "bad config: a problem after continuation lines names the line it starts on" {
	conf "$(chan a) \\" \
	    '   -i 1s' \
	    'b udp-recv 127.0.0.1:0 |' \
	    '    chanlog x' \
	    'b?c udp-recv 127.0.0.1:0 |' \
	    '    chanlog y'
	run --separate-stderr cr check
	assert_failure 100
	[ "$stderr" = "chanrelay: $CONF:5: invalid channel name 'b?c'" ]
}

@test "check: a good config passes; nothing is started" {
	conf 'root=/nonexistent' "$(chan a)" "$(chan b) | tee-sink '|cat > /dev/null'"
	run --separate-stderr cr check
	assert_success
	[[ $output == *"2 channel(s), all programs found"* ]]
	[ ! -e "$T/a.addr" ]
	[ ! -e "$RUN/chanrelay.pid" ]
}

@test "check: a missing program: exit 100, naming it, its channel and line" {
	conf "$(chan a)" 'b udp-recv 127.0.0.1:0 | no-such-prog-x1 -v | chanlog x' \
	    'c  FOO=1 no-such-prog-x2'
	run --separate-stderr cr check
	assert_failure 100
	[[ $stderr == *"$CONF:2: channel b: no-such-prog-x1: program not found"* ]]
	[[ $stderr == *"$CONF:3: channel c: no-such-prog-x2: program not found"* ]]
}

@test "check: the programs of this host's channels only; it says which ones it runs" {
	conf "$(chan a)" \
	    'b@rx1 udp-recv 127.0.0.1:0 | no-such-prog-x6 | chanlog x' \
	    "$(chan c@RX2,rx3)" \
	    "$(chan d@rx3)"
	# rx2 runs a and c; b's program is looked for on rx1, not here
	run --separate-stderr cr -H rx2 check
	assert_success
	[ "$output" = "chanrelay: $CONF: 4 channel(s), 2 on rx2 (a c), all their programs found" ]
	[ -z "$stderr" ]
	run --separate-stderr cr -H Rx1 check
	assert_failure 100
	[ "$stderr" = "chanrelay: $CONF:2: channel b: no-such-prog-x6: program not found" ]
	# a host with a channel of every host only, and one with none at all
	conf "$(chan a)" "$(chan c@rx2)"
	run --separate-stderr cr -H nowhere check
	assert_success
	[ "$output" = "chanrelay: $CONF: 2 channel(s), 1 on nowhere (a), all their programs found" ]
	conf "$(chan c@rx2)"
	run --separate-stderr cr -H nowhere check
	assert_success
	[ "$output" = "chanrelay: $CONF: 1 channel(s), none on nowhere" ]
	# all of them run here: the message of a table without hosts
	run --separate-stderr cr -H rx2 check
	assert_success
	[ "$output" = "chanrelay: $CONF: 1 channel(s), all programs found" ]
	[ ! -e "$T/c.addr" ]
}

@test "check: a comment is never continued, and one between continued lines is skipped" {
	conf '# a comment that ends in a pipe |' "$(chan b)" \
	    "  # and one in a backslash \\" "$(chan c)" \
	    "a udp-recv -a $T/a.addr 127.0.0.1:0 |" '	# the log' "	chanlog $T/a"
	run --separate-stderr cr check a b c
	assert_success
	[ -z "$stderr" ] || fail_msg "$stderr"
}

@test "check: assignments before a stage's program, with quoted spaces, are not taken for programs" {
	conf "a X=\"p q\" Y='r s t' Z=1 udp-recv 127.0.0.1:0 | W=\"one two\" chanlog $T/a"
	run --separate-stderr cr check a
	assert_success
	[ -z "$stderr" ] || fail_msg "$stderr"
	conf "a X=\"p q\" no-such-prog-x5 | chanlog $T/a"
	run --separate-stderr cr check a
	assert_failure 100
	[[ $stderr == *"no-such-prog-x5: program not found"* ]] || fail_msg "$stderr"
}

@test "check: a '|' inside quotes is not a stage boundary" {
	# split there, the second stage would be the missing program
	conf "a udp-recv 127.0.0.1:0 | tee-sink '|no-such-prog-x3 > f' \"|no-such-prog-x4\" | chanlog x"
	run --separate-stderr cr check
	assert_success
}

# --- behaviour --------------------------------------------------------

@test "behaviour: kill -9 of one channel's udp-recv: run again within 2 s on the same socket, the other loses nothing" {
	need tshark
	conf "$(chan a)" "$(chan b)"
	start_relay
	wait_addrs a b
	start_bg senda udp-send -c 6000 -r 1000 "$(addr a)"
	start_bg sendb udp-send -c 4000 -r 1000 "$(addr b)"
	wait_until 10 size_ge "$T/b/current" $((24 + 300 * 80))
	wait_until 10 size_ge "$T/a/current" $((24 + 300 * 80))
	local pga pgb victim t0 t1
	pga=$(field a 3)
	pgb=$(field b 3)
	[ "$(ps -o pgid= -p "$pga" | tr -d ' ')" = "$pga" ]
	victim=$(pgrep -g "$pga" -x udp-recv)
	[ -n "$victim" ]
	local a0
	a0=$(addr a)
	rm -f "$T/a.addr"
	t0=$(ms)
	kill -KILL "$victim"
	wait_until 10 is_state a running 1
	t1=$(ms)
	echo "restarted after $((t1 - t0)) ms" >&3
	[ $((t1 - t0)) -le 2000 ] || fail_msg "a restarted after $((t1 - t0)) ms"
	# the same runner, holding the same socket
	[ "$(field a 3)" = "$pga" ]
	[ "$(field b 3)" = "$pgb" ]
	is_state b running 0
	wait_addrs a
	[ "$(addr a)" = "$a0" ]
	grep -Eq 'a: udp-recv killed by SIGKILL, chanlog exited 0; restart in 1s$' "$T/relay.err" ||
	    fail_msg "$(cat "$T/relay.err")"
	# b's stream goes on to its end, then a clean stop: all of it is there
	wait_exit "$(bg_pid_of sendb)" 15
	[ "$exit_status" -eq 0 ]
	stop_bg relay TERM 30
	[ "$exit_status" -eq 0 ]
	run all_in_order "$T/b" 4000
	assert_success
	[ ! -e "$T/b/current" ]
	[ ! -e "$RUN" ]
}

# lost NAME: the records udp-recv of channel NAME counted as lost (lost=N
# in udp-recv's own lines the log quotes; the line that says how the
# pipeline ended quotes the same words again, and is not counted), summed.
lost() {
	grep -o "chanrelay: $1: udp-recv: .*lost=[0-9]*" "$T/relay.err" | sed 's/.*lost=//' |
	    awk '{ s += $1 } END { print s + 0 }'
}

# count_seqs DIR N: "GOT DUPLICATES" of DIR's records among 0 .. N-1.
count_seqs() {
	seqs "$1" | awk -v n="$2" '$1 < n { if (seen[$1]++) d++; else g++ }
	    END { print g + 0, d + 0 }'
}

@test "behaviour: 1,000 datagrams/s, kill -9 of udp-recv, of chanlog, of tee-sink: the first loses nothing, the others what udp-recv counts" {
	need tshark
	conf "$(chan u)" "$(chan c)" \
	    "t udp-recv -a $T/t.addr 127.0.0.1:0 | tee-sink $T/t.copy | chanlog $T/t"
	start_relay
	wait_addrs u c t
	local n=3000 ch got dups
	for ch in u c t; do
		start_bg "send$ch" udp-send -c "$n" -r 1000 "$(addr "$ch")"
	done
	# about a second in
	for ch in u c t; do
		wait_until 10 size_ge "$T/$ch/current" $((24 + 800 * 80))
	done
	kill -KILL "$(pgrep -g "$(field u 3)" -x udp-recv)"
	kill -KILL "$(pgrep -g "$(field c 3)" -x chanlog)"
	kill -KILL "$(pgrep -g "$(field t 3)" -x tee-sink)"
	for ch in u c t; do
		wait_until 10 is_state "$ch" running 1
	done
	for ch in u c t; do
		wait_exit "$(bg_pid_of "send$ch")" 15
		[ "$exit_status" -eq 0 ]
	done
	# what is still in the sockets is drained at the stop
	stop_bg relay TERM 30
	[ "$exit_status" -eq 0 ]
	cat "$T/relay.err" >&3
	grep -q 'u: udp-recv killed by SIGKILL, chanlog exited 0; restart in 1s$' "$T/relay.err"
	grep -q 'c: udp-recv exited 111, chanlog killed by SIGKILL (udp-recv: unable to write output: its reader is gone; lost=[0-9]* records it did not read); restart in 1s$' "$T/relay.err"
	grep -q 't: udp-recv exited 111, tee-sink killed by SIGKILL, chanlog exited 0 (udp-recv: .*lost=[0-9]*.*); restart in 1s$' "$T/relay.err"
	for ch in u c t; do
		read -r got dups < <(count_seqs "$T/$ch" "$n")
		echo "$ch: $got of $n, $dups duplicates, $(lost "$ch") counted lost" >&3
		[ "$dups" -eq 0 ]
		[ $((n - got)) -eq "$(lost "$ch")" ] ||
		    fail_msg "$ch: $((n - got)) lost, $(lost "$ch") counted"
	done
	[ "$(lost u)" -eq 0 ]
}

# sockets PID: how many sockets process PID holds.
sockets() {
	find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l
}

@test "behaviour: the kept socket is udp-recv's alone; a first stage chanrelay cannot read binds on each run, as written" {
	conf "$(chan a -b 1M -F pcap)" \
	    "b udp-recv -a $T/b.addr -d 0 | chanlog $T/b" \
	    "c udp-recv -a $T/c.addr \$(echo 127.0.0.1:0) | chanlog $T/c"
	start_relay
	wait_addrs a c
	grep -q "a: started, pid [0-9]*, its socket kept: 127.0.0.1:0$" "$T/relay.err" ||
	    fail_msg "$(cat "$T/relay.err")"
	grep -q 'b: started, pid [0-9]*$' "$T/relay.err"
	grep -q 'c: started, pid [0-9]*$' "$T/relay.err"
	local pg
	pg=$(field a 3)
	[ "$(sockets "$(pgrep -g "$pg" -x udp-recv)")" -eq 1 ]
	[ "$(sockets "$(pgrep -g "$pg" -x chanlog)")" -eq 0 ]
	[ "$(sockets "$pg")" -eq 1 ]
	# (under qemu-user, binfmt_misc puts the interpreter and the path first)
	[[ $(ps -o args= -p "$(pgrep -g "$pg" -x udp-recv)") == *"udp-recv -d 3 -a "* ]]
}

@test "usage: the launcher reads udp-recv's options with udp-recv's own letters" {
	local c s
	c=$(sed -n 's/^#define OPTSTRING[[:space:]]*"\(.*\)"$/\1/p' "$TOP/cmd/udp-recv.c")
	s=$(sed -n 's/^UDP_RECV_OPTS=//p' "$TOP/cmd/chanrelay.sh")
	[ -n "$c" ]
	[ "$c" = "$s" ] || fail_msg "udp-recv: $c, chanrelay: $s"
}

@test "behaviour: a channel whose program exits 100 is failed, not restarted; status says why" {
	conf "$(chan a)" "bad udp-recv -a $T/bad.addr 127.0.0.1:99999 | chanlog $T/bad"
	start_relay
	wait_addrs a
	wait_until 10 is_state bad failed 0
	run --separate-stderr cr status
	assert_success
	local i
	for i in "${!lines[@]}"; do
		[[ ${lines[i]} == bad\ * ]] && break
	done
	# the port is bound once for the channel's life, by udp-bind
	# (no -M: no numbers, IN/S DISK/S LOST DISK are "-")
	[[ ${lines[i]} =~ ^bad\ +failed\ +-\ +-\ +0\ +-\ +-\ +-\ +-\ +udp-bind=100\  ]] || fail_msg "${lines[i]}"
	[[ ${lines[i + 1]} =~ ^\ +udp-bind:\ invalid\ address.*99999 ]] || fail_msg "why: ${lines[i + 1]}"
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z chanrelay: bad: failed: udp-bind exited 100 \(udp-bind: .*99999.*\); not restarted$' "$T/relay.err" ||
	    fail_msg "$(cat "$T/relay.err")"
	# past the first backoff (1 s; no sleep to wait on: the log is it)
	local t0
	t0=$(ms)
	wait_until 10 elapsed_ge "$t0" 1500
	is_state bad failed 0
	is_state a running 0
	[ "$(grep -c 'bad: started' "$T/relay.err")" -eq 1 ]
}

@test "behaviour: a failed channel's reason is what the stage that exited 100 said, not the others' words for its going" {
	conf "$(chan a)" "bad udp-recv -a $T/bad.addr 127.0.0.1:0 | chanlog -z 12q $T/bad"
	start_relay
	wait_addrs a
	wait_until 10 is_state bad failed 0
	grep -Eq "chanrelay: bad: failed: udp-recv (exited 111|exited 0), chanlog exited 100 \\(chanlog: .*'12q'.*\\); not restarted$" "$T/relay.err" ||
	    fail_msg "$(cat "$T/relay.err")"
	run --separate-stderr cr status
	assert_success
	local i
	for i in "${!lines[@]}"; do
		[[ ${lines[i]} == bad\ * ]] && break
	done
	[[ ${lines[i]} =~ chanlog=100 ]] || fail_msg "${lines[i]}"
	[[ ${lines[i + 1]} =~ ^\ +chanlog:.*12q ]] || fail_msg "why: ${lines[i + 1]}"
}

@test "behaviour: stop and restart NAME while a channel waits out its backoff: at once, no grace spent, the socket kept" {
	conf "a udp-recv -a $T/a.addr 127.0.0.1:0 | sh -c 'exit 1'" "$(chan b)"
	start_relay
	wait_addrs a b
	local a0 p
	a0=$(addr a)
	p=$(field a 3)
	# the pipeline ends at once, and again after each backoff: 1 s, 2 s,
	# then 4 s to wait: the restart comes in that wait
	wait_until 15 is_state a restarting 3
	run cr restart a
	assert_success
	# restarted: the count goes on from the restart's own (4)
	wait_until 15 is_state a restarting 6
	[ "$(field a 3)" = "$p" ]
	[ "$(addr a)" = "$a0" ]
	stop_bg relay TERM 30
	[ "$exit_status" -eq 0 ]
	! grep -q 'still running after' "$T/relay.err" || fail_msg "$(cat "$T/relay.err")"
	! grep -q 'a: stopped for a restart' "$T/relay.err" || fail_msg "$(cat "$T/relay.err")"
	grep -q 'a: stopped$' "$T/relay.err"
	grep -q 'b: stopped$' "$T/relay.err"
}

@test "behaviour: a stage that holds on after the grace gets TERM, one that ignores it KILL; the channels stop together" {
	# a's last stage exits on TERM only (as chanlog on a full disk does);
	# b's ignores TERM
	conf "a udp-recv -a $T/a.addr 127.0.0.1:0 | sh -c 'trap \"echo a got TERM >&2; exit 3\" TERM; cat >/dev/null; while :; do sleep 0.1; done'" \
	    "b udp-recv -a $T/b.addr 127.0.0.1:0 | sh -c 'trap \"\" TERM; cat >/dev/null; while :; do sleep 0.1; done'"
	start_relay
	wait_addrs a b
	local ga gb t0 t1
	ga=$(field a 3)
	gb=$(field b 3)
	stop_bg relay TERM 40
	[ "$exit_status" -eq 0 ]
	grep -q 'chanrelay: a: still running after 10s: TERM to all its programs$' "$T/relay.err" ||
	    fail_msg "$(cat "$T/relay.err")"
	grep -q 'chanrelay: a: a got TERM$' "$T/relay.err"
	! grep -q 'a: .*killed$' "$T/relay.err" || fail_msg "$(cat "$T/relay.err")"
	grep -q 'chanrelay: b: still running after 10s: TERM to all its programs$' "$T/relay.err"
	grep -q 'chanrelay: b: still running 5s after TERM to all its programs: killed$' "$T/relay.err"
	grep -q 'a: stopped$' "$T/relay.err"
	grep -q 'b: stopped$' "$T/relay.err"
	wait_until 5 group_gone "$ga"
	wait_until 5 group_gone "$gb"
	# together: the whole stop is one grace and one late wait, not two
	t0=$(date -d "$(awk '/chanrelay: stopping$/ { print $1; exit }' "$T/relay.err")" +%s)
	t1=$(date -d "$(awk '/chanrelay: stopped$/ { print $1; exit }' "$T/relay.err")" +%s)
	[ $((t1 - t0)) -le 18 ] || fail_msg "stop took $((t1 - t0)) s: $(cat "$T/relay.err")"
}

@test "behaviour: kill -9 of a channel's runner: the log and LAST-EXIT name the signal, the channel starts again" {
	conf "$(chan a)"
	start_relay
	wait_addrs a
	local p
	p=$(field a 3)
	kill -KILL "$p"
	wait_until 10 is_state a running 1
	grep -Eq 'a: .*killed by SIGKILL.*; restart in 1s$' "$T/relay.err" ||
	    fail_msg "$(cat "$T/relay.err")"
	[ "$(field a 3)" != "$p" ]
	run --separate-stderr cr status
	[[ $output =~ a\ +running\ .*KILL ]] || fail_msg "$output"
}

@test "behaviour: start, status, stop detached; stop leaves no process of any channel" {
	conf "$(chan a)" "$(chan c)" \
	    "b udp-recv -a $T/b.addr 127.0.0.1:0 | tee-sink '|cat > $T/b.copy' | chanlog $T/b"
	run --separate-stderr cr start
	assert_success
	[[ $output =~ started,\ pid\ [0-9]+ ]]
	local sup pgids p
	sup=$(cat "$RUN/chanrelay.pid")
	running "$sup"
	# its own session, so a closing terminal does not end it
	[ "$(ps -o sid= -p "$sup" | tr -d ' ')" = "$sup" ]
	wait_addrs a b c
	# tee-sink starts its |cat once the first record shows the framing
	udp-send -c 10 "$(addr b)"
	wait_until 10 size_ge "$T/b.copy" 24
	run cr status
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	[[ ${lines[0]} =~ ^CHANNEL\ +STATE\ +PID\ +UPTIME\ +RESTARTS\ +IN/S\ +DISK/S\ +LOST\ +DISK\ +LAST-EXIT\ +WHEN$ ]]
	[[ ${lines[1]} =~ ^a\ +running\ +[0-9]+\ +[0-9]+s\ +0\ +-\ +-\ +-\ +-\ +-\ +-$ ]]
	pgids="$(field a 3) $(field b 3) $(field c 3)"
	echo "$pgids" >"$T/pgids"
	for p in $pgids; do
		[ "$(pgrep -g "$p" | wc -l)" -ge 2 ] || fail_msg "group $p: $(pgrep -g "$p")"
	done
	# b: udp-recv, tee-sink, its |cat, chanlog and the sh around them
	[ "$(pgrep -g "$(field b 3)" -x cat | wc -l)" -eq 1 ]
	run --separate-stderr cr stop
	assert_success
	not_running "$sup"
	# nothing alive in any group at once; a zombie reparented to init
	# (tee-sink's |cat sh, see the report) may wait to be reaped a moment
	for p in $pgids; do
		run live_in_group "$p"
		[ -z "$output" ] || fail_msg "left in group $p: $output"
		wait_until 5 group_gone "$p"
	done
	run --separate-stderr cr status
	assert_failure 3
	[ ! -e "$RUN/chanrelay.pid" ]
	[ ! -e "$RUN/a.state" ]
	grep -q 'chanrelay: stopped' "$RUN/chanrelay.log"
	run --separate-stderr cr stop
	assert_success
	[[ $stderr == *"not running"* ]]
}

@test "behaviour: status exits 3 when no supervisor runs" {
	conf "$(chan a)"
	run --separate-stderr cr status
	assert_failure 3
	[[ $output == *"not running"* ]]
}

@test "behaviour: restart NAME: its pipeline runs again on the same socket, the others untouched" {
	conf "$(chan a)" "$(chan b)"
	start_relay
	wait_addrs a b
	local pa pb
	pa=$(field a 3)
	pb=$(field b 3)
	local a0 r0
	a0=$(addr a)
	r0=$(pgrep -g "$pa" -x udp-recv)
	rm -f "$T/a.addr"
	run --separate-stderr cr restart a
	assert_success
	wait_until 10 is_state a running 1
	wait_addrs a
	[ "$(field a 3)" = "$pa" ]
	[ "$(addr a)" = "$a0" ]
	[ "$(pgrep -g "$pa" -x udp-recv)" != "$r0" ]
	[ "$(field b 3)" = "$pb" ]
	is_state b running 0
	grep -q 'a: stopped for a restart' "$T/relay.err"
	# a clean stop, not a failure: no exit logged
	run grep 'a: exited' "$T/relay.err"
	assert_failure
}

@test "behaviour: a second run with the same -C exits 111, already running" {
	conf "$(chan a)"
	start_relay
	wait_addrs a
	run --separate-stderr cr run
	assert_failure 111
	[[ $stderr == *"already running"*"pid $relay_pid"* ]]
	run --separate-stderr cr start
	assert_failure 111
	is_state a running 0
}

@test "behaviour: -t 3s exits 0 after about 3 s, every file finished" {
	need capinfos
	conf "$(chan a)" "$(chan b)"
	local t0 t1 f n=0
	t0=$(ms)
	start_relay -t 3s
	wait_addrs a b
	start_bg senda udp-send -c 20000 -r 1000 "$(addr a)"
	start_bg sendb udp-send -c 20000 -r 1000 "$(addr b)"
	wait_exit "$relay_pid" 20
	t1=$(ms)
	echo "-t 3s: exited after $((t1 - t0)) ms" >&3
	[ "$exit_status" -eq 0 ] || fail_msg "exit $exit_status: $(cat "$T/relay.err")"
	[ $((t1 - t0)) -ge 2500 ] && [ $((t1 - t0)) -le 15000 ] ||
	    fail_msg "exited after $((t1 - t0)) ms"
	grep -q 'the duration is over' "$T/relay.err"
	[ ! -e "$T/a/current" ] && [ ! -e "$T/b/current" ]
	for f in "$T"/a/*.pcap "$T"/b/*.pcap; do
		[ -e "$f" ] || continue
		capinfos "$f" >/dev/null 2>&1 || fail_msg "$f does not open in capinfos"
		n=$((n + 1))
	done
	[ "$n" -ge 2 ]
	[ ! -e "$RUN" ]
}

@test "behaviour: TERM and INT stop every channel and exit 0; HUP is ignored" {
	conf "$(chan a)"
	local sig pg
	for sig in INT TERM; do
		start_relay
		wait_addrs a
		pg=$(field a 3)
		kill -HUP "$relay_pid"
		wait_for "$T/relay.err" 'HUP ignored'
		running "$relay_pid"
		stop_bg relay "$sig" 30
		[ "$exit_status" -eq 0 ]
		run pgrep -g "$pg"
		assert_failure 1
		rm -f "$T/a.addr"
	done
}

@test "behaviour: only the channels named run" {
	conf "$(chan a)" "$(chan b)" "$(chan c)"
	start_relay -- a c
	wait_addrs a c
	is_state a running 0
	is_state c running 0
	# b is not started (status lists it as stopped, or not at all)
	[ ! -e "$T/b.addr" ]
	[ -z "$(field b 2)" ] || is_state b stopped
}

@test "behaviour: continuation lines, variables, a quoted '|' inside a tee-sink sink" {
	# shellcheck disable=SC2016 # the config's own $VARs
	conf "top=$T" 'data="$top/data dir"' 'copy=$top/copy.txt' \
	    "a udp-recv -a \$top/a.addr \\" \
	    '      -F line 127.0.0.1:0 |' \
	    '    tee-sink "|cat > $copy" |' \
	    '  chanlog "$data/a"'
	start_relay
	wait_addrs a
	local i
	for i in $(seq 1 50); do
		echo "line $i"
	done | udp-send -r 1000 "$(addr a)"
	wait_until 10 size_ge "$T/copy.txt" 1
	stop_bg relay TERM 30
	[ "$exit_status" -eq 0 ]
	# the copy through the quoted |cat, and chanlog's file in "data dir"
	run cut -f 3- "$T/copy.txt"
	[ "${#lines[@]}" -eq 50 ] || fail_msg "copy: $(cat "$T/copy.txt")"
	cat "$T/data dir/a"/*.log >"$T/log.txt"
	[ "$(grep -c 'line [0-9]' "$T/log.txt")" -eq 50 ]
	[[ $(tail -n 1 "$T/log.txt") == *"line 50" ]]
}

@test "behaviour: hosts: this host's channels run (uname -n, any case), a line without host too; another host's is skipped, status says why" {
	local h
	h=$(this_host)
	conf "$(chan a)" "$(chan "b@nowhere-x,${h^^}")" "$(chan c@nowhere-x)"
	start_relay
	wait_addrs a b
	is_state a running 0
	is_state b running 0
	wait_until 10 is_state c skipped 0
	[ "$(field c 3)" = - ]
	[ "$(why c)" = "runs on nowhere-x; this host is $h" ]
	grep -q "c: skipped: runs on nowhere-x; this host is $h\$" "$T/relay.err"
	run grep 'c: started' "$T/relay.err"
	assert_failure
	[ ! -e "$T/c.addr" ]
	# the channels run: b receives
	udp-send -c 10 "$(addr b)"
	wait_until 10 size_ge "$T/b/current" $((24 + 10 * 60))
	stop_bg relay TERM 30
	[ "$exit_status" -eq 0 ]
	[ ! -e "$RUN" ]
}

@test "behaviour: -H acts as another host: its channels run, the line without host too, this host's are skipped" {
	local h
	h=$(this_host)
	[ "$h" != rx2 ] || skip "this host is rx2"
	conf "$(chan a)" "$(chan "b@$h")" "$(chan c@rx1,RX2)" "$(chan d@rx1)"
	start_relay -H Rx2
	wait_addrs a c
	is_state a running 0
	is_state c running 0
	wait_until 10 is_state b skipped 0
	is_state d skipped 0
	[ "$(why b)" = "runs on $h; this host is rx2" ]
	[ "$(why d)" = "runs on rx1; this host is rx2" ]
	[ ! -e "$T/b.addr" ] && [ ! -e "$T/d.addr" ]
	# the line under a running channel is the next channel's, not a why
	run --separate-stderr cr status
	[ "${#lines[@]}" -eq 7 ] || fail_msg "$output"
}

@test "behaviour: start -H: status and restart need no -H; restarting a skipped channel: exit 100" {
	conf "$(chan a)" "$(chan b@rx1)" "$(chan c@rx2)"
	run --separate-stderr cr -H rx2 start
	assert_success
	wait_addrs a c
	wait_until 10 is_state b skipped 0
	is_state c running 0
	[ "$(why b)" = "runs on rx1; this host is rx2" ]
	echo "$(field a 3) $(field c 3)" >"$T/pgids"
	run --separate-stderr cr restart b
	assert_failure 100
	[ "$stderr" = "chanrelay: channel 'b' runs on rx1; this host is rx2" ]
	run --separate-stderr cr restart a c
	assert_success
	wait_until 10 is_state c running 1
	wait_until 10 is_state a running 1
	is_state b skipped 0
	run grep 'b: started' "$RUN/chanrelay.log"
	assert_failure
	run --separate-stderr cr stop
	assert_success
	[ ! -e "$RUN/b.state" ] && [ ! -e "$RUN/b.msg" ]
}

@test "behaviour: a host that runs none of the channels says so and runs on" {
	conf "$(chan b@rx1)"
	start_relay -H rx9
	wait_for "$T/relay.err" "no channel of $CONF runs on rx9"
	is_state b skipped 0
	running "$relay_pid"
	stop_bg relay TERM 30
	[ "$exit_status" -eq 0 ]
}

@test "completion: bash: channel names without their hosts; run offers this host's, -H the table's hosts" {
	conf 'x=1' "$(chan a)" "$(chan b@rx1,RX2)" "$(chan c@rx3) \\" '  -i 1s' \
	    'd@rx1 udp-recv 127.0.0.1:0 |' '    chanlog y'
	run bash -c 'source "$1/completions/bash/chanrelay"
	t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	      _chanrelay; echo "${COMPREPLY[*]}"; }
	t chanrelay -f "$2" status ""
	t chanrelay -f "$2" -H rx2 run ""
	t chanrelay -H rx1 -f "$2" restart ""
	t chanrelay -f "$2" -H ""
	t chanrelay -f "$2" -' _ "$TOP" "$CONF"
	assert_success
	[ "${lines[0]}" = "a b c d" ]
	[ "${lines[1]}" = "a b" ]
	[ "${lines[2]}" = "a b d" ]
	[ "${lines[3]}" = "rx1 rx2 rx3" ]
	[ "${lines[4]}" = "-h -C -F -f -H -M -t" ]
}

# --- error paths ------------------------------------------------------

@test "error path: a run directory that cannot be made: exit 111" {
	conf "$(chan a)"
	: >"$T/file"
	run --separate-stderr chanrelay -C "$T/file/run" -f "$CONF" run
	assert_failure 111
	[[ $stderr == *"unable to create $T/file/run"* ]]
}

@test "error path: a program missing at run time: the channel restarts with backoff, not failed" {
	conf "$(chan a)" 'b no-such-prog-x5 | cat'
	start_relay
	wait_addrs a
	wait_for "$T/relay.err" 'b: no-such-prog-x5 exited 127, cat exited 0.*restart in 1s' 10
	wait_for "$T/relay.err" 'b: .*restart in 2s' 10
	local st
	st=$(field b 2)
	[ "$st" = restarting ] || [ "$st" = running ] || fail_msg "b: $st"
	[ "$(field b 5)" -ge 2 ]
	[[ $(field b 10) == *127* ]] || fail_msg "b's last exit: $(field b 10)"
	is_state a running 0
	run grep 'b: failed' "$T/relay.err"
	assert_failure
}

@test "error path: a stale pid file does not stop a new run" {
	conf "$(chan a)"
	mkdir -p "$RUN"
	# a pid that is surely not running: a reaped child of ours
	sh -c 'exit 0' &
	local dead=$!
	wait "$dead"
	echo "$dead" >"$RUN/chanrelay.pid"
	run --separate-stderr cr status
	assert_failure 3
	start_relay
	wait_addrs a
	is_state a running 0
	[ "$(cat "$RUN/chanrelay.pid")" = "$relay_pid" ]
}
