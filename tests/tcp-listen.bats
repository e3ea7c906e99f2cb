#!/usr/bin/env bats
# bg_pid, exit_status, tl_pid, tl_addr, tl_port, listen_port and free_port
# are set by helper.bash; shellcheck takes each @test for a subshell and
# warns about the globals the tests set (SC2030, SC2031)
# shellcheck disable=SC2154,SC2030,SC2031
# tests/tcp-listen.bats: tcp-listen against socat and nc clients and
# tcpserver: usage, bad values, the echo round trip, the port-0 report,
# killing the listener, the handler's environment, fds and signals (same as
# tcpserver's), crashes, -l, -L, rules, IPv6, -U, -v, counters, reaping.

bats_require_minimum_version 1.5.0
load helper

USAGE='usage: tcp-listen [-1hRv] [-A PREFIX] [-a FILE] [-b BACKLOG] [-L N[:MSG]] [-l LIMIT] [-M FILE] [-U USER] [-X PREFIX] [-x FILE] ADDRESS PROGRAM [ARG...]'
# a handler that answers "ok REMOTEIP"
# shellcheck disable=SC2016 # expanded by the handler's shell
OKIP='echo "ok $TCPREMOTEIP"'
COUNTERS='accepted [0-9]+, running [0-9]+, denied [0-9]+, limited [0-9]+, failed [0-9]+, exited [0-9]+, crashed [0-9]+, accept errors [0-9]+'

setup_file() {
	command -v tcp-listen >/dev/null ||
	    fail_msg "tcp-listen is not built: run make"
}

# Handlers started by the test register their pid in $T/hp (the gate
# script does); teardown kills those still running, then what start_bg
# started.
setup() {
	T=$BATS_TEST_TMPDIR
	HDIR=$T
	export HDIR
	mkdir -p "$T/hp" "$T/bin"
	cd "$T" || return 1
	write_gate
}

teardown() {
	local f pid
	bg_cleanup
	for f in "$T"/hp/*; do
		[ -e "$f" ] || continue
		pid=${f##*/}
		if running "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
}

# write_gate: $T/bin/gate, a handler that registers in $HDIR/hp, appends
# "ALIVE TCPCONCURRENCY" to $HDIR/conc.log (ALIVE: registered handlers
# alive now, itself included), waits (30 s at most) for $HDIR/go, reads a
# line and answers "served LINE", then echoes the rest with cat. The line
# "boom" makes it kill itself with SEGV instead.
write_gate() {
	cat >"$T/bin/gate" <<-'EOF'
	#!/bin/sh
	: >"$HDIR/hp/$$"
	n=0
	for f in "$HDIR"/hp/*; do
		{ read -r s <"/proc/${f##*/}/stat"; } 2>/dev/null || continue
		s=${s##*) }
		[ "${s%% *}" = Z ] || n=$((n + 1))
	done
	echo "$n ${TCPCONCURRENCY-unset}" >>"$HDIR/conc.log"
	i=0
	while [ ! -e "$HDIR/go" ] && [ "$i" -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	IFS= read -r line
	if [ "$line" = boom ]; then
		ulimit -c 0
		kill -SEGV $$
	fi
	printf 'served %s\n' "$line"
	exec cat
	EOF
	chmod 755 "$T/bin/gate"
}

# registered: how many handlers registered in $T/hp.
registered() {
	local a=("$T"/hp/*)
	if [ -e "${a[0]}" ]; then echo "${#a[@]}"; else echo 0; fi
}

registered_is() {
	[ "$(registered)" -eq "$1" ]
}

# alive_handlers: how many registered handlers are alive now.
alive_handlers() {
	local f n=0
	for f in "$T"/hp/*; do
		[ -e "$f" ] || continue
		running "${f##*/}" && n=$((n + 1))
	done
	echo "$n"
}

# fetch TARGET: connect with socat to TCP:TARGET ("127.0.0.1:PORT",
# "[::1]:PORT", socat options after a comma), send nothing, read until EOF.
# Sets got (what was read, trailing newlines cut; the bytes are in $T/got),
# fetch_status (socat's exit status) and cport (the client's source port).
fetch() {
	fetch_status=0
	timeout 20 socat -d -d -u "TCP:$1" - >"$T/got" 2>"$T/fetch.err" ||
	    fetch_status=$?
	cport=$(sed -En 's/.*successfully connected from local address .*:([0-9]+)$/\1/p' \
	    "$T/fetch.err")
	got=$(cat "$T/got")
}

# fetch_ok TARGET: fetch, and fail showing socat's stderr unless it
# connected and ended with status 0.
fetch_ok() {
	fetch "$1"
	if [ "$fetch_status" -ne 0 ] || [ -z "$cport" ]; then
		fail_msg "socat to $1 failed ($fetch_status):" "$(cat "$T/fetch.err")"
	fi
}

# tcpenv FILE BOUND CLIENT: the PROTO and TCP* lines of the env output in
# FILE, sorted, TCPLOCALPORT=BOUND and TCPREMOTEPORT=CLIENT replaced by
# names (so a wrong port shows up as a number).
tcpenv() {
	grep -E '^(PROTO|TCP[A-Z]*)=' "$1" |
	    sed -e "s/^TCPLOCALPORT=$2\$/TCPLOCALPORT=BOUND/" \
	    -e "s/^TCPREMOTEPORT=$3\$/TCPREMOTEPORT=CLIENT/" | sort
}

# usr1 PATTERN: send USR1 to tcp-listen (tl_pid), wait for a counters line
# matching the extended PATTERN in $T/tl.err.
usr1() {
	kill -USR1 "$tl_pid"
	wait_for "$T/tl.err" "$1"
}

# make_inputs N [LINE-PREFIX]: $T/in.1 .. $T/in.N; in.i holds the lines
# "PREFIX i" and "more i".
make_inputs() {
	local i
	for ((i = 1; i <= $1; i++)); do
		printf '%s %d\nmore %d\n' "${2:-client}" "$i" "$i" >"$T/in.$i"
	done
}

# start_clients N PORT: start N socat clients of 127.0.0.1:PORT named
# c1..cN; client i sends $T/in.i (make_inputs) and EOF, and waits (30 s at
# most) for the server to close.
start_clients() {
	local i
	for ((i = 1; i <= $1; i++)); do
		BG_STDIN=$T/in.$i start_bg "c$i" \
		    timeout 60 socat -t 30 - "TCP:127.0.0.1:$2"
	done
}

# check_client I [LINE-PREFIX]: client cI ended with status 0 and got its
# echo.
check_client() {
	wait_exit "$(bg_pid_of "c$1")" 40 || return 1
	[ "$exit_status" -eq 0 ] ||
	    fail_msg "client $1 exited $exit_status: $(cat "$T/c$1.err")" || return 1
	[ "$(cat "$T/c$1.out")" = "$(printf 'served %s %d\nmore %d' "${2:-client}" "$1" "$1")" ] ||
	    fail_msg "client $1 got: $(cat "$T/c$1.out")"
}

# --------------------------------------------------------------- usage

@test "usage: -h prints the usage line to stdout and exits 0" {
	run --separate-stderr timeout 20 tcp-listen -h
	assert_success
	assert_output "$USAGE"
	[ -z "$stderr" ]
}

@test "usage: no operand exits 100 with the usage line" {
	run timeout 20 tcp-listen
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: a missing PROGRAM exits 100 with the usage line" {
	run timeout 20 tcp-listen 127.0.0.1:0
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: an unknown option exits 100 with the usage line" {
	run timeout 20 tcp-listen -z 127.0.0.1:0 cat
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: a missing option argument exits 100 with the usage line" {
	run timeout 20 tcp-listen -l
	assert_failure 100
	assert_output --partial "$USAGE"
}

# ----------------------------------------------------------- bad values

# bad VALUE ARGS...: tcp-listen ARGS exits 100 at once; the first line of
# its output names 'VALUE'; there is at most one more line, the usage line.
bad() {
	local val=$1
	shift
	USAGE_OPTIONAL=1 bad_usage tcp-listen "$val" "$@"
}

# bad_addr VALUE: the spec's message for a bad ADDRESS, then the usage line.
bad_addr() {
	bad "$1" "$1" cat
	assert_line --index 0 --partial "tcp-listen: invalid address '$1': "
	assert_line --index 1 "$USAGE"
}

# bad_prefix OPT VALUE: the spec's message for a bad PREFIX.
bad_prefix() {
	bad "$2" "$1" "$2" 127.0.0.1:0 cat
	assert_line --index 0 --partial "tcp-listen: invalid prefix '$2': "
}

@test "bad value: address x" { bad_addr x; }
@test "bad value: address without a port" { bad_addr 127.0.0.1; }
@test "bad value: port 65536" { bad_addr 127.0.0.1:65536; }
@test "bad value: port -1" { bad_addr 127.0.0.1:-1; }
@test "bad value: port 5x" { bad_addr 127.0.0.1:5x; }
@test "bad value: 256.1.1.1:0" { bad_addr 256.1.1.1:0; }
@test "bad value: [::1 without its bracket" { bad_addr '[::1:0'; }
@test "bad value: [::1] without a port" { bad_addr '[::1]'; }
@test "bad value: a host name is never looked up" { bad_addr localhost:0; }
@test "bad value: empty address" { bad '' '' cat; }

@test "bad value: -A 10.0.0.0/33" { bad_prefix -A 10.0.0.0/33; }
@test "bad value: -X ::1/129" { bad_prefix -X ::1/129; }
@test "bad value: -A 10.0.0.0/" { bad_prefix -A 10.0.0.0/; }
@test "bad value: -A 10.0.0.0/8x" { bad_prefix -A 10.0.0.0/8x; }
@test "bad value: -X 10.0.0.0/-1" { bad_prefix -X 10.0.0.0/-1; }
@test "bad value: -A a name" { bad_prefix -A localhost; }
@test "bad value: -X 1.2.3" { bad_prefix -X 1.2.3; }

@test "bad value: -l 0" { bad 0 -l 0 127.0.0.1:0 cat; }
@test "bad value: -l 65536" { bad 65536 -l 65536 127.0.0.1:0 cat; }
@test "bad value: -l x" { bad x -l x 127.0.0.1:0 cat; }
@test "bad value: -l 3x" { bad 3x -l 3x 127.0.0.1:0 cat; }
@test "bad value: -L 0" { bad 0 -L 0 127.0.0.1:0 cat; }
@test "bad value: -L 65536" { bad 65536 -L 65536 127.0.0.1:0 cat; }
@test "bad value: -L x:busy" { bad x -L x:busy 127.0.0.1:0 cat; }
@test "bad value: -b 0" { bad 0 -b 0 127.0.0.1:0 cat; }
@test "bad value: -b 65536" { bad 65536 -b 65536 127.0.0.1:0 cat; }
@test "bad value: -b x" { bad x -b x 127.0.0.1:0 cat; }

@test "bad value: an unknown -U user exits 100 naming the user" {
	bad no-such-user-zz -U no-such-user-zz 127.0.0.1:0 cat
}

@test "bad value: a bad line of a -x file exits 100 naming FILE:LINE" {
	printf '# rules\n\nallow 127.0.0.1\nxyz\n' >"$T/rules"
	run timeout 20 tcp-listen -x "$T/rules" 127.0.0.1:0 cat
	assert_failure 100
	assert_line --index 0 "tcp-listen: $T/rules:4: invalid rule 'xyz': expected allow or deny"
}

@test "bad value: a bad prefix in a -x file exits 100 naming FILE:LINE" {
	printf 'deny 10.0.0.0/33\n' >"$T/rules"
	run timeout 20 tcp-listen -x "$T/rules" 127.0.0.1:0 cat
	assert_failure 100
	assert_line --index 0 --partial "tcp-listen: $T/rules:1: "
}

@test "error: a -x file that cannot be read exits 111 naming it" {
	run timeout 20 tcp-listen -x "$T/no-such-rules" 127.0.0.1:0 cat
	assert_failure 111
	assert_output --partial "$T/no-such-rules"
	[ "${#lines[@]}" -eq 1 ]
}

@test "error: an -a FILE that cannot be written exits 111 naming it" {
	run timeout 20 tcp-listen -a "$T/no-such-dir/addr" 127.0.0.1:0 cat
	assert_failure 111
	assert_output --partial "$T/no-such-dir/addr"
}

@test "error: a port in use exits 111: unable to bind ADDR: Address already in use" {
	need socat
	start_listener occupant socat TCP-LISTEN:0,bind=127.0.0.1 /dev/null
	run timeout 20 tcp-listen 127.0.0.1:"$listen_port" cat
	assert_failure 111
	assert_output "tcp-listen: unable to bind 127.0.0.1:$listen_port: Address already in use"
}

@test "error: a port held by tcp-listen -R can be shared with -R only" {
	start_tl a -R 127.0.0.1:0 cat
	run timeout 20 tcp-listen 127.0.0.1:"$tl_port" cat
	assert_failure 111
	assert_output --partial 'Address already in use'
	rm -f "$T/b.addr"
	start_bg b tcp-listen -R -a "$T/b.addr" 127.0.0.1:"$tl_port" cat
	wait_addr b
	assert_equal "$(cat "$T/b.addr")" "127.0.0.1:$tl_port"
}

# ------------------------------------------------------- round trips

@test "echo: socat sends 1 MB through 'tcp-listen ADDR cat' and reads it back" {
	need socat
	head -c 1048576 /dev/urandom >"$T/in"
	start_tl tl 127.0.0.1:0 cat
	assert_equal "$tl_addr" "127.0.0.1:$tl_port"
	timeout 30 socat -t 10 - "TCP:127.0.0.1:$tl_port" <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
}

@test "echo: nc (OpenBSD, -N) sends lines and binary and reads them back" {
	need nc
	{ printf 'hello\r\n\0\377 end'; head -c 65536 /dev/urandom; } >"$T/in"
	start_tl tl 127.0.0.1:0 cat
	timeout 30 nc -N 127.0.0.1 "$tl_port" <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
}

@test "echo: many sequential connections each get their own handler" {
	need socat
	start_tl tl 127.0.0.1:0 cat
	for i in 1 2 3 4 5 6 7 8 9 10; do
		out=$(printf 'n %d\n' "$i" | timeout 20 socat -t 10 - "TCP:127.0.0.1:$tl_port")
		assert_equal "$out" "n $i"
	done
}

# -------------------------------------------------------- port 0 report

@test "-1 prints only the bound port, then closes stdout (a pipe reader sees EOF)" {
	need socat
	exec {rd}< <(tcp-listen -1 127.0.0.1:0 cat 2>"$T/tl.err" </dev/null 3>&- &
	    echo "$!" >"$T/tl.pid")
	port=
	read -r -t 10 -u "$rd" port || fail_msg "no port line: $(cat "$T/tl.err")"
	[[ $port =~ ^[0-9]+$ ]] || fail_msg "not a port: '$port'"
	[ "$port" -gt 0 ]
	# EOF next (status 1), not a timeout (status > 128) or another line
	st=0
	read -r -t 10 -u "$rd" extra || st=$?
	exec {rd}<&-
	assert_equal "$st" 1
	[ -z "${extra-}" ]
	tl_pid=$(cat "$T/tl.pid")
	out=$(printf 'via -1\n' | timeout 20 socat -t 10 - "TCP:127.0.0.1:$port")
	assert_equal "$out" 'via -1'
	kill -TERM "$tl_pid"
	wait_until 10 not_running "$tl_pid"
}

@test "-1 prints the port like tcpserver -1 does (one decimal line)" {
	need tcpserver
	start_bg ts tcpserver -1 -H -R -l0 127.0.0.1 0 cat
	start_bg tl tcp-listen -1 127.0.0.1:0 cat
	wait_for "$T/ts.out" '^[0-9]+$'
	wait_for "$T/tl.out" '^[0-9]+$'
	assert_equal "$(wc -l <"$T/tl.out")" "$(wc -l <"$T/ts.out")"
	grep -Exq '[0-9]+' "$T/tl.out"
}

@test "-a FILE holds HOST:PORT of the bound port; a client connects to it" {
	need socat
	start_tl tl 127.0.0.1:0 cat
	[[ $tl_addr =~ ^127\.0\.0\.1:[0-9]+$ ]]
	[ "$tl_port" -gt 0 ]
	# the port is the one the process listens on
	assert_equal "$(listen_port "$tl_pid")" "$tl_port"
	out=$(printf 'via -a\n' | timeout 20 socat -t 10 - "TCP:127.0.0.1:$tl_port")
	assert_equal "$out" 'via -a'
}

@test "-a FILE on a FIFO is written directly" {
	mkfifo "$T/fifo"
	start_bg tl tcp-listen -a "$T/fifo" 127.0.0.1:0 cat
	read -r -t 10 addr <"$T/fifo"
	[[ $addr =~ ^127\.0\.0\.1:[0-9]+$ ]]
	[ -p "$T/fifo" ]
}

# ---------------------------------------------------- killing the listener

# listener_dies SIGNAL STATUS: a client is being served by a cat handler;
# SIGNAL to tcp-listen ends it at once with STATUS (KILL: no drain); the
# port refuses connections; the handler keeps serving its client until
# the client closes.
listener_dies() {
	need socat
	start_tl tl 127.0.0.1:0 cat
	mkfifo "$T/cin"
	BG_STDIN=$T/cin start_bg client timeout 60 socat -t 10 - "TCP:127.0.0.1:$tl_port"
	client=$bg_pid
	# opened after the client started, so only the test holds the writer
	exec {w}>"$T/cin"
	echo one >&"$w"
	wait_for "$T/client.out" '^one$'
	stop_bg tl "$1"
	assert_equal "$exit_status" "$2"
	tcp_refused 127.0.0.1 "$tl_port"
	echo two >&"$w"
	wait_for "$T/client.out" '^two$'
	exec {w}>&-
	wait_exit "$client" 20
	assert_equal "$exit_status" 0
	assert_equal "$(cat "$T/client.out")" "$(printf 'one\ntwo')"
}

not_listening() {
	! listen_port "$1" >/dev/null
}

# serving: start_tl tl with a cat handler and a socat client ($client) fed
# through the FIFO $T/cin (writer fd $w, held by the test); "one" has made
# the round trip. Sets handler, the pid of the cat.
serving() {
	need socat
	start_tl tl 127.0.0.1:0 cat
	mkfifo "$T/cin"
	BG_STDIN=$T/cin start_bg client timeout 60 socat -t 10 - "TCP:127.0.0.1:$tl_port"
	client=$bg_pid
	# opened after the client started, so only the test holds the writer
	exec {w}>"$T/cin"
	echo one >&"$w"
	wait_for "$T/client.out" '^one$'
	handler=$(pgrep -P "$tl_pid")
	[ -n "$handler" ]
	echo "$handler" >"$T/handler.pid"
}

# listener_drains SIGNAL: SIGNAL to tcp-listen closes the port at once; the
# running handler keeps serving its client until the client closes; then
# tcp-listen exits 0 with the counters: the drain of chanrelay(7).
listener_drains() {
	serving
	kill -s "$1" "$tl_pid"
	wait_until 10 not_listening "$tl_pid"
	tcp_refused 127.0.0.1 "$tl_port"
	running "$tl_pid" || fail_msg "tcp-listen did not wait for its handler"
	echo two >&"$w"
	wait_for "$T/client.out" '^two$'
	exec {w}>&-
	wait_exit "$client" 20
	assert_equal "$exit_status" 0
	assert_equal "$(cat "$T/client.out")" "$(printf 'one\ntwo')"
	wait_exit "$tl_pid" 10
	assert_equal "$exit_status" 0
	grep -Eq "^tcp-listen: accepted 1, running 0, denied 0, limited 0, failed 0, exited 1, " "$T/tl.err" ||
	    fail_msg "counters: $(cat "$T/tl.err")"
	grep -Eq "^tcp-listen: $COUNTERS\$" "$T/tl.err"
}

@test "TERM: the port closes at once, the running handler finishes its connection, then exit 0 with the counters" {
	listener_drains TERM
}

@test "INT: drains as TERM does" {
	listener_drains INT
}

@test "TERM: a handler still running at the end of the drain (5 s) gets SIGTERM; exit 0" {
	local t0 t1
	serving
	t0=$(date +%s%N)
	stop_bg tl TERM 20
	t1=$(date +%s%N)
	assert_equal "$exit_status" 0
	[ $((t1 - t0)) -ge 4900000000 ] ||
	    fail_msg "exited after $((t1 - t0)) ns, before the 5 s drain"
	grep -q '^tcp-listen: 1 handler still running at the end of the drain: sent SIGTERM$' "$T/tl.err"
	grep -Eq "^tcp-listen: accepted 1, running 1, " "$T/tl.err"
	wait_until 10 not_running "$handler"
	exec {w}>&-
}

@test "TERM twice: the second ends the drain at once" {
	local t0 t1
	serving
	kill -TERM "$tl_pid"
	wait_until 10 not_listening "$tl_pid"
	t0=$(date +%s%N)
	stop_bg tl TERM 20
	t1=$(date +%s%N)
	assert_equal "$exit_status" 0
	[ $((t1 - t0)) -lt 4000000000 ] ||
	    fail_msg "took $((t1 - t0)) ns after the second TERM"
	grep -q '^tcp-listen: 1 handler still running at the end of the drain: sent SIGTERM$' "$T/tl.err"
	wait_until 10 not_running "$handler"
	exec {w}>&-
}

@test "KILL: the port closes (no handler holds the listening socket)" {
	listener_dies KILL 137
}

# -------------------------------------------------- handler environment

@test "environment: the same PROTO/TCP* variables as tcpserver -H -R -l0 gives" {
	need tcpserver socat
	start_bg ts tcpserver -1 -H -R -l0 127.0.0.1 0 env
	start_bg tl tcp-listen -1 127.0.0.1:0 env
	tl_pid=$bg_pid
	wait_for "$T/ts.out" '^[0-9]+$'
	wait_for "$T/tl.out" '^[0-9]+$'
	ts_port=$(head -n 1 "$T/ts.out")
	tl_port=$(head -n 1 "$T/tl.out")

	fetch_ok "127.0.0.1:$ts_port"
	cp "$T/got" "$T/ts.env"
	tcpenv "$T/ts.env" "$ts_port" "$cport" >"$T/ts.norm"
	fetch_ok "127.0.0.1:$tl_port"
	cp "$T/got" "$T/tl.env"
	tcpenv "$T/tl.env" "$tl_port" "$cport" >"$T/tl.norm"

	# what tcpserver sets (the check that the comparison means something)
	diff -u - "$T/ts.norm" <<-EOF
	PROTO=TCP
	TCPLOCALHOST=0
	TCPLOCALIP=127.0.0.1
	TCPLOCALPORT=BOUND
	TCPREMOTEIP=127.0.0.1
	TCPREMOTEPORT=CLIENT
	EOF
	# tcp-listen: the same, without -l0's TCPLOCALHOST, plus TCPCONCURRENCY
	grep -v '^TCPLOCALHOST=' "$T/ts.norm" >"$T/ts.cmp"
	grep -v '^TCPCONCURRENCY=' "$T/tl.norm" >"$T/tl.cmp"
	diff -u "$T/ts.cmp" "$T/tl.cmp"
	grep -qx 'TCPCONCURRENCY=1' "$T/tl.norm"
}

@test "environment: inherited, with TCPLOCALHOST, TCPREMOTEHOST, TCPREMOTEINFO removed" {
	need socat
	start_bg tl env TCPLOCALHOST=stale TCPREMOTEHOST=stale \
	    TCPREMOTEINFO=stale CHANRELAY_TEST_VAR='a b=c' \
	    tcp-listen -a "$T/tl.addr" 127.0.0.1:0 env
	wait_addr tl
	tl_port=$(port_of "$(cat "$T/tl.addr")")
	fetch_ok "127.0.0.1:$tl_port"
	grep -qx 'CHANRELAY_TEST_VAR=a b=c' "$T/got"
	grep -qx "PATH=$PATH" "$T/got"
	run grep -E '^TCP(LOCALHOST|REMOTEHOST|REMOTEINFO)=' "$T/got"
	assert_failure
	grep -qx "TCPREMOTEPORT=$cport" "$T/got"
	grep -qx "TCPLOCALPORT=$tl_port" "$T/got"
}

@test "handler: PROGRAM is found on PATH and gets its arguments as given (no shell)" {
	need socat
	# shellcheck disable=SC2016 # not expanded: that is the point
	start_tl tl 127.0.0.1:0 printf '[%s]' 'a b' '$HOME' '*' ''
	fetch_ok "127.0.0.1:$tl_port"
	# shellcheck disable=SC2016
	assert_equal "$got" '[a b][$HOME][*][]'
}

@test "handler: fds 0 and 1 are the connection, 2 is tcp-listen's stderr, nothing else of tcp-listen" {
	need socat
	# ls opens nothing but /proc/self/fd (dropped below)
	start_tl tl 127.0.0.1:0 ls -l /proc/self/fd
	fetch_ok "127.0.0.1:$tl_port"
	awk '/ -> / && $11 !~ "^/proc/[0-9]+/fd$" { print $9, $11 }' "$T/got" >"$T/fds"
	start_tl tl2 127.0.0.1:0 sh -c 'echo from-fd2 >&2'
	fetch_ok "127.0.0.1:$tl_port"
	wait_for "$T/tl2.err" '^from-fd2$'
	# fd 0 and fd 1: the same socket; fd 2: tcp-listen's stderr
	s0=$(sed -n 's/^0 //p' "$T/fds")
	[[ $s0 == socket:* ]] || fail_msg "fd 0 is $s0"
	assert_equal "$(sed -n 's/^1 //p' "$T/fds")" "$s0"
	assert_equal "$(sed -n 's/^2 //p' "$T/fds")" "$T/tl.err"
	# any other fd is one tcp-listen inherited from this shell, not its own
	declare -A mine
	for f in /proc/"$BASHPID"/fd/*; do
		mine[${f##*/}]=$(readlink "$f") || true
	done
	mapfile -t fds <"$T/fds"
	for l in "${fds[@]}"; do
		fd=${l%% *}
		[ "$fd" -le 2 ] && continue
		[ "${mine[$fd]-}" = "${l#* }" ] ||
		    fail_msg "handler has fd $l from tcp-listen"
	done
}

# tcpserver_sigign: the SigIgn of a handler of tcpserver (fork and exec),
# for the failure message.
tcpserver_sigign() {
	command -v tcpserver >/dev/null || return 0
	start_bg ts tcpserver -1 -H -R -l0 127.0.0.1 0 cat /proc/self/status
	wait_for "$T/ts.out" '^[0-9]+$' >/dev/null 2>&1 || return 0
	fetch "127.0.0.1:$(head -n 1 "$T/ts.out")"
	sed -n 's/^SigIgn:[[:space:]]*//p' "$T/got"
}

@test "handler: signals at their defaults and an empty signal mask" {
	need socat
	# started with signals ignored (bash also ignores INT and QUIT for
	# background jobs): tcp-listen must reset them for the handler
	# shellcheck disable=SC2016 # expanded by sh
	start_bg tl sh -c 'trap "" PIPE QUIT USR2 TSTP TTIN TTOU ALRM
	exec tcp-listen -a "$0" 127.0.0.1:0 cat /proc/self/status' "$T/tl.addr"
	wait_addr tl
	tl_port=$(port_of "$(cat "$T/tl.addr")")
	# the check means something: tcp-listen inherited ignored signals
	grep -Eq '^SigIgn:[[:space:]]*0*[1-9a-f]' "/proc/$bg_pid/status"
	fetch_ok "127.0.0.1:$tl_port"
	grep -qx 'SigBlk:[[:space:]]*0000000000000000' "$T/got" ||
	    fail_msg "$(grep '^Sig' "$T/got")"
	grep -qx 'SigIgn:[[:space:]]*0000000000000000' "$T/got" ||
	    fail_msg "$(grep '^Sig' "$T/got")" \
	    "(tcpserver's handler: SigIgn $(tcpserver_sigign))"
}

@test "handler: a PROGRAM that cannot be run is logged, the client is closed, serving goes on" {
	need socat
	printf '#!/bin/sh\necho hi\n' >"$T/noexec"
	chmod 644 "$T/noexec"
	start_tl tl 127.0.0.1:0 "$T/no-such-program"
	fetch "127.0.0.1:$tl_port"
	assert_equal "$got" ''
	wait_for "$T/tl.err" "^tcp-listen: unable to run $T/no-such-program: No such file or directory\$"
	fetch "127.0.0.1:$tl_port"
	assert_equal "$got" ''
	running "$tl_pid"
	stop_bg tl
	assert_equal "$exit_status" 0

	start_tl tl2 127.0.0.1:0 "$T/noexec"
	fetch "127.0.0.1:$tl_port"
	assert_equal "$got" ''
	wait_for "$T/tl2.err" "^tcp-listen: unable to run $T/noexec: Permission denied\$"
	running "$tl_pid"
}

@test "handler: a PROGRAM with a space is not given to a shell" {
	need socat
	start_tl tl 127.0.0.1:0 'echo hi'
	fetch "127.0.0.1:$tl_port"
	assert_equal "$got" ''
	wait_for "$T/tl.err" "^tcp-listen: unable to run echo hi: "
}

@test "handler: 'unable to run' is logged at most once a second" {
	need socat
	start_tl tl 127.0.0.1:0 "$T/no-such-program"
	t0=$(date +%s.%N)
	for i in 1 2 3 4 5 6 7 8; do
		fetch "127.0.0.1:$tl_port"
		assert_equal "$got" ''
	done
	t1=$(date +%s.%N)
	wait_for "$T/tl.err" 'unable to run'
	n=$(grep -c 'unable to run' "$T/tl.err")
	max=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print int(b - a) + 2 }')
	[ "$n" -le "$max" ] || fail_msg "$n lines in $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"
}

# ------------------------------------------------- crashes, concurrency

@test "50 concurrent clients: one handler dies of SIGSEGV, the other 49 complete" {
	need socat
	start_tl tl -v 127.0.0.1:0 "$T/bin/gate"
	make_inputs 49 line
	printf 'boom\nmore 50\n' >"$T/in.50"
	start_clients 50 "$tl_port"
	wait_until 60 registered_is 50
	[ "$(alive_handlers)" -eq 50 ]
	touch "$T/go"
	for ((i = 1; i <= 49; i++)); do
		check_client "$i" line
	done
	wait_exit "$(bg_pid_of c50)" 40
	assert_equal "$(cat "$T/c50.out")" ''
	wait_for "$T/tl.err" '^tcp-listen: end [0-9]+ 127\.0\.0\.1:[0-9]+ signal SEGV [0-9.]+s$'
	assert_equal "$(grep -c '^tcp-listen: start ' "$T/tl.err")" 50
	wait_until 20 no_children "$tl_pid"
	usr1 'accepted 50, running 0, denied 0, limited 0, failed 0, exited 49, crashed 1, accept errors 0'
	assert_equal "$(grep -c ' signal SEGV ' "$T/tl.err")" 1
	assert_equal "$(grep -Ec '^tcp-listen: end [0-9]+ 127\.0\.0\.1:[0-9]+ exit 0 [0-9.]+s$' "$T/tl.err")" 49
	running "$tl_pid"
}

@test "-l 3: never more than 3 handlers at once; the others wait in the backlog, then are served" {
	need socat
	start_tl tl -v -l 3 127.0.0.1:0 "$T/bin/gate"
	wait_for "$T/tl.err" '^tcp-listen: listening on .*, limit 3$'
	make_inputs 6
	start_clients 6 "$tl_port"
	wait_until 20 registered_is 3
	wait_for "$T/tl.err" '^tcp-listen: 3/3 handlers running, not accepting$'
	# a window in which a fourth handler would show up
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(registered)" -eq 3 ] || fail_msg "$(registered) handlers started"
		sleep 0.05
	done
	# the other three are connected (in the backlog), not refused
	for i in 1 2 3 4 5 6; do
		running "$(bg_pid_of "c$i")" || fail_msg "client $i ended: $(cat "$T/c$i.err")"
	done
	touch "$T/go"
	for i in 1 2 3 4 5 6; do
		check_client "$i"
	done
	wait_for "$T/tl.err" '^tcp-listen: accepting again: [0-2]/3 handlers running$'
	assert_equal "$(wc -l <"$T/conc.log")" 6
	# at its start every handler saw at most 3 handlers alive, and its
	# TCPCONCURRENCY (all from 127.0.0.1) at most 3
	awk '$1 > 3 || $2 > 3 || $2 < 1 { print "bad: " $0; bad = 1 } END { exit bad }' "$T/conc.log"
	wait_until 20 no_children "$tl_pid"
	usr1 'accepted 6, running 0, denied 0, limited 0, failed 0, exited 6, crashed 0, accept errors 0'
}

@test "-L 2:MSG: a third client from the same address gets MSG CRLF and EOF; another address is served" {
	need socat
	start_tl tl -v -L 2:busy 127.0.0.1:0 "$T/bin/gate"
	make_inputs 3
	start_clients 2 "$tl_port"
	wait_until 20 registered_is 2
	fetch "127.0.0.1:$tl_port"
	assert_equal "$(hexof "$T/got")" "$(printf 'busy\r\n' | od -An -v -tx1 | tr -d ' \n')"
	wait_for "$T/tl.err" "^tcp-listen: limit 127\\.0\\.0\\.1:$cport \\(per-source 2\\)\$"
	[ "$(registered)" -eq 2 ]
	# the limit is per source address: 127.0.0.2 is not limited
	BG_STDIN=$T/in.3 start_bg c3 timeout 60 socat -t 30 - \
	    "TCP:127.0.0.1:$tl_port,bind=127.0.0.2"
	wait_until 20 registered_is 3
	touch "$T/go"
	check_client 1
	check_client 2
	check_client 3
	# the two from 127.0.0.1 saw TCPCONCURRENCY 1 and 2, the other 1
	assert_equal "$(awk '{ print $2 }' "$T/conc.log" | sort | tr '\n' ' ')" '1 1 2 '
	wait_until 20 no_children "$tl_pid"
	usr1 'accepted 4, running 0, denied 0, limited 1, failed 0, exited 3, crashed 0, accept errors 0'
}

@test "-L 1 without MSG: the surplus client gets EOF and no bytes" {
	need socat
	start_tl tl -L 1 127.0.0.1:0 "$T/bin/gate"
	make_inputs 2
	start_clients 1 "$tl_port"
	wait_until 20 registered_is 1
	fetch "127.0.0.1:$tl_port"
	[ ! -s "$T/got" ]
	touch "$T/go"
	check_client 1
	# after the first one ended, the same address is served again
	wait_until 20 no_children "$tl_pid"
	BG_STDIN=$T/in.2 start_bg c2 timeout 60 socat -t 30 - "TCP:127.0.0.1:$tl_port"
	check_client 2
}

# ------------------------------------------------------------- rules

@test "-X 127.0.0.1: the client is closed without running the program, counted, logged" {
	need socat
	# shellcheck disable=SC2016 # expanded by the handler's shell
	start_tl tl -v -X 127.0.0.1 127.0.0.1:0 sh -c \
	    ': >"$HDIR/ran.$TCPREMOTEIP"; echo "ok $TCPREMOTEIP"'
	fetch "127.0.0.1:$tl_port"
	[ ! -s "$T/got" ]
	wait_for "$T/tl.err" "^tcp-listen: deny 127\\.0\\.0\\.1:$cport\$"
	# 127.0.0.2 matches no rule and there is no allow rule: served
	fetch_ok "127.0.0.1:$tl_port,bind=127.0.0.2"
	assert_equal "$got" 'ok 127.0.0.2'
	[ -e "$T/ran.127.0.0.2" ]
	[ ! -e "$T/ran.127.0.0.1" ]
	run grep -c '^tcp-listen: start ' "$T/tl.err"
	assert_output 1
	wait_until 10 no_children "$tl_pid"
	usr1 'accepted 2, running 0, denied 1, limited 0, failed 0, exited 1, crashed 0, accept errors 0'
}

@test "-A 127.0.0.2/32: only 127.0.0.2 is served (an allow rule denies the rest)" {
	need socat
	start_tl tl -v -A 127.0.0.2/32 127.0.0.1:0 sh -c "$OKIP"
	fetch "127.0.0.1:$tl_port"
	[ ! -s "$T/got" ]
	wait_for "$T/tl.err" "^tcp-listen: deny 127\\.0\\.0\\.1:$cport\$"
	fetch_ok "127.0.0.1:$tl_port,bind=127.0.0.2"
	assert_equal "$got" 'ok 127.0.0.2'
}

@test "rules: the first matching rule in command-line order decides" {
	need socat
	start_tl a -X 127.0.0.2 -A 127.0.0.0/8 127.0.0.1:0 sh -c "$OKIP"
	fetch "127.0.0.1:$tl_port,bind=127.0.0.2"
	[ ! -s "$T/got" ]
	fetch_ok "127.0.0.1:$tl_port,bind=127.0.0.3"
	assert_equal "$got" 'ok 127.0.0.3'
	start_tl b -A 127.0.0.0/8 -X 127.0.0.2 127.0.0.1:0 sh -c "$OKIP"
	fetch_ok "127.0.0.1:$tl_port,bind=127.0.0.2"
	assert_equal "$got" 'ok 127.0.0.2'
	# -x rules take their place among -A and -X
	printf 'allow 127.0.0.2\n' >"$T/rules"
	start_tl c -X 127.0.0.0/8 -x "$T/rules" 127.0.0.1:0 sh -c "$OKIP"
	fetch "127.0.0.1:$tl_port,bind=127.0.0.2"
	[ ! -s "$T/got" ]
	start_tl d -x "$T/rules" -X 127.0.0.0/8 127.0.0.1:0 sh -c "$OKIP"
	fetch_ok "127.0.0.1:$tl_port,bind=127.0.0.2"
	assert_equal "$got" 'ok 127.0.0.2'
}

# denied TARGET: a connection to TARGET gets no byte.
denied() {
	fetch "$1"
	[ ! -s "$T/got" ]
}

@test "-x FILE: comments and blank lines; HUP re-reads it; a bad file keeps the old rules" {
	need socat
	printf '# test rules\n\n   \ndeny 127.0.0.2\nallow 127.0.0.0/8\n' >"$T/rules"
	start_tl tl -v -x "$T/rules" 127.0.0.1:0 sh -c "$OKIP"
	fetch_ok "127.0.0.1:$tl_port"
	assert_equal "$got" 'ok 127.0.0.1'
	denied "127.0.0.1:$tl_port,bind=127.0.0.2"

	printf 'deny 127.0.0.1\n' >"$T/rules.new"
	mv "$T/rules.new" "$T/rules"
	kill -HUP "$tl_pid"
	wait_until 10 denied "127.0.0.1:$tl_port"
	fetch_ok "127.0.0.1:$tl_port,bind=127.0.0.2"
	assert_equal "$got" 'ok 127.0.0.2'

	printf 'allow 127.0.0.1\nnonsense here\n' >"$T/rules.new"
	mv "$T/rules.new" "$T/rules"
	kill -HUP "$tl_pid"
	wait_for "$T/tl.err" "$T/rules:2"
	running "$tl_pid"
	denied "127.0.0.1:$tl_port"
	fetch_ok "127.0.0.1:$tl_port,bind=127.0.0.2"
	assert_equal "$got" 'ok 127.0.0.2'
}

@test "rules: an IPv4 client of a dual-stack socket is matched as IPv4" {
	need socat
	need_ipv6
	start_tl tl -v -X 127.0.0.1/32 :0 sh -c "$OKIP"
	denied "127.0.0.1:$tl_port"
	wait_for "$T/tl.err" "^tcp-listen: deny 127\\.0\\.0\\.1:$cport\$"
	fetch_ok "[::1]:$tl_port"
	assert_equal "$got" 'ok ::1'
	start_tl tl2 -A ::1/128 :0 sh -c "$OKIP"
	denied "127.0.0.1:$tl_port"
	fetch_ok "[::1]:$tl_port"
	assert_equal "$got" 'ok ::1'
}

# --------------------------------------------------------------- IPv6

@test "IPv6: [::1]:0 is reported as [::1]:PORT; echo; the handler sees ::1" {
	need socat
	need_ipv6
	start_tl tl '[::1]:0' cat
	[[ $tl_addr =~ ^\[::1\]:[0-9]+$ ]]
	out=$(printf 'six\n' | timeout 20 socat -t 10 - "TCP6:[::1]:$tl_port")
	assert_equal "$out" six
	start_tl tl2 '[::1]:0' env
	fetch_ok "[::1]:$tl_port"
	tcpenv "$T/got" "$tl_port" "$cport" >"$T/norm"
	diff -u - "$T/norm" <<-EOF
	PROTO=TCP
	TCPCONCURRENCY=1
	TCPLOCALIP=::1
	TCPLOCALPORT=BOUND
	TCPREMOTEIP=::1
	TCPREMOTEPORT=CLIENT
	EOF
}

@test "IPv6: :PORT is dual-stack, reported as [::]:PORT; an IPv4 client is plain IPv4" {
	need socat
	need_ipv6
	start_tl tl :0 env
	[[ $tl_addr =~ ^\[::\]:[0-9]+$ ]]
	fetch_ok "127.0.0.1:$tl_port"
	tcpenv "$T/got" "$tl_port" "$cport" >"$T/norm4"
	diff -u - "$T/norm4" <<-EOF
	PROTO=TCP
	TCPCONCURRENCY=1
	TCPLOCALIP=127.0.0.1
	TCPLOCALPORT=BOUND
	TCPREMOTEIP=127.0.0.1
	TCPREMOTEPORT=CLIENT
	EOF
	fetch_ok "[::1]:$tl_port"
	tcpenv "$T/got" "$tl_port" "$cport" >"$T/norm6"
	grep -qx 'TCPREMOTEIP=::1' "$T/norm6"
	grep -qx 'TCPLOCALIP=::1' "$T/norm6"
	grep -qx 'TCPREMOTEPORT=CLIENT' "$T/norm6"
}

# ----------------------------------------------------------------- -U

@test "-U nobody: the handler runs with nobody's uid, gid and groups" {
	need_root
	need socat
	uid=$(id -u nobody)
	gid=$(id -g nobody)
	groups=$(id -G nobody)
	start_tl tl -U nobody 127.0.0.1:0 sh -c 'id -u; id -g; id -G'
	fetch_ok "127.0.0.1:$tl_port"
	assert_equal "$got" "$(printf '%s\n%s\n%s' "$uid" "$gid" "$groups")"
	# tcp-listen itself dropped them too
	grep -Eq "^Uid:[[:space:]]+${uid}[[:space:]]+${uid}[[:space:]]+${uid}[[:space:]]+${uid}\$" \
	    "/proc/$tl_pid/status"
	stop_bg tl
	assert_equal "$exit_status" 0
}

@test "-U nobody: binds a low port as root, then serves as nobody (private netns)" {
	need socat
	netns_start
	uid=$(id -u nobody)
	rm -f "$T/tl.addr"
	start_bg tl "${NS[@]}" tcp-listen -U nobody -a "$T/tl.addr" 127.0.0.1:80 id -u
	wait_addr tl
	assert_equal "$(cat "$T/tl.addr")" 127.0.0.1:80
	run timeout 20 "${NS[@]}" socat -u TCP:127.0.0.1:80 -
	assert_success
	assert_output "$uid"
}

# ------------------------------------------------ -v, -b, counters, reaping

@test "-v: the listening line, start and end lines with the handler's pid, exit status and duration" {
	need socat
	somax=$(cat /proc/sys/net/core/somaxconn)
	# shellcheck disable=SC2016 # expanded by the handler's shell
	start_tl tl -v 127.0.0.1:0 sh -c 'echo $$; exit 3'
	assert_line_in() { grep -Eq "$1" "$T/tl.err" || fail_msg "no /$1/ in:" "$(cat "$T/tl.err")"; }
	assert_line_in "^tcp-listen: listening on 127\\.0\\.0\\.1:$tl_port, backlog $somax, limit 100\$"
	fetch_ok "127.0.0.1:$tl_port"
	pid=$got
	[[ $pid =~ ^[0-9]+$ ]]
	wait_for "$T/tl.err" "^tcp-listen: end $pid "
	assert_line_in "^tcp-listen: start $pid 127\\.0\\.0\\.1:$cport \\(1/100\\)\$"
	assert_line_in "^tcp-listen: end $pid 127\\.0\\.0\\.1:$cport exit 3 [0-9]+\\.[0-9]{3}s\$"
}

@test "-v: a handler killed by a signal is logged as 'signal SEGV'" {
	need socat
	# shellcheck disable=SC2016 # expanded by the handler's shell
	start_tl tl -v 127.0.0.1:0 sh -c 'echo $$; ulimit -c 0; kill -SEGV $$'
	fetch "127.0.0.1:$tl_port"
	pid=$got
	[[ $pid =~ ^[0-9]+$ ]]
	wait_for "$T/tl.err" "^tcp-listen: end $pid 127\\.0\\.0\\.1:$cport signal SEGV [0-9]+\\.[0-9]{3}s\$"
	usr1 'accepted 1, running 0, denied 0, limited 0, failed 0, exited 0, crashed 1, accept errors 0'
}

@test "-b 7 sets the listen backlog; the default is somaxconn; more is clamped with a warning" {
	need ss
	somax=$(cat /proc/sys/net/core/somaxconn)
	backlog() {
		ss -Hltn "sport = :$1" | awk '{ print $3; exit }'
	}
	start_tl a -b 7 127.0.0.1:0 cat
	assert_equal "$(backlog "$tl_port")" 7
	start_tl b 127.0.0.1:0 cat
	assert_equal "$(backlog "$tl_port")" "$somax"
	if [ "$somax" -lt 65535 ]; then
		start_tl c -v -b 65535 127.0.0.1:0 cat
		assert_equal "$(backlog "$tl_port")" "$somax"
		grep -q 'listening on .*, backlog '"$somax"',' "$T/c.err"
		# a warning before the listening line
		[ "$(grep -vc 'listening on' "$T/c.err")" -ge 1 ]
	fi
}

@test "USR1: the counters line; tcp-listen goes on" {
	need socat
	start_tl tl 127.0.0.1:0 echo hi
	for i in 1 2 3; do
		fetch_ok "127.0.0.1:$tl_port"
		assert_equal "$got" hi
	done
	wait_until 10 no_children "$tl_pid"
	usr1 "^tcp-listen: accepted 3, running 0, denied 0, limited 0, failed 0, exited 3, crashed 0, accept errors 0\$"
	running "$tl_pid"
	fetch_ok "127.0.0.1:$tl_port"
	assert_equal "$got" hi
}

@test "SIGCHLD: 20 sequential and 20 simultaneous short handlers are all reaped (running 0, no zombie)" {
	need socat
	start_tl tl 127.0.0.1:0 echo hi
	for ((i = 1; i <= 20; i++)); do
		fetch_ok "127.0.0.1:$tl_port"
		assert_equal "$got" hi
	done
	for ((i = 1; i <= 20; i++)); do
		start_bg "c$i" timeout 30 socat -u "TCP:127.0.0.1:$tl_port" -
	done
	for ((i = 1; i <= 20; i++)); do
		wait_exit "$(bg_pid_of "c$i")" 30
		assert_equal "$(cat "$T/c$i.out")" hi
	done
	# every child is reaped: no zombie stays behind
	wait_until 10 no_children "$tl_pid" ||
	    fail_msg "children left: $(proc_children "$tl_pid")"
	usr1 'accepted 40, running 0, denied 0, limited 0, failed 0, exited 40, crashed 0, accept errors 0'
	[ -z "$(proc_children "$tl_pid" Z)" ]
}

# ------------------------------------------------- accept failures

# test_lines N PATTERN FILE: FILE has at least N lines matching PATTERN.
test_lines() {
	[ "$(grep -c -- "$2" "$3")" -ge "$1" ]
}

# cputicks PID: the process's own user+system clock ticks.
cputicks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

@test "EMFILE on accept: logged at most once a second, no busy loop, serving resumes" {
	need socat
	need prlimit
	start_tl tl 127.0.0.1:0 sh -c 'echo served'
	# the limit at the lowest free descriptor: accept4 fails with EMFILE
	free=0
	while [ -e "/proc/$tl_pid/fd/$free" ]; do free=$((free + 1)); done
	hard=$(prlimit --pid "$tl_pid" --nofile -o HARD --noheadings | tr -d ' ')
	prlimit --pid "$tl_pid" --nofile="$free:$hard"
	t0=$(cputicks "$tl_pid")
	timeout 20 socat -u "TCP:127.0.0.1:$tl_port" - >"$T/got" 2>"$T/c.err" &
	cpid=$!
	wait_for "$T/tl.err" '^tcp-listen: unable to accept: Too many open files$'
	s0=$(date +%s%N)
	# three lines take at least 2 s: one a second, the rest counted
	wait_until 10 test_lines 3 'unable to accept' "$T/tl.err"
	s1=$(date +%s%N)
	t1=$(cputicks "$tl_pid")
	running "$tl_pid"
	[ $((s1 - s0)) -ge 1900000000 ] ||
	    fail_msg "3 lines in $(((s1 - s0) / 1000000)) ms:" "$(cat "$T/tl.err")"
	grep -Eq '^tcp-listen: unable to accept: Too many open files \(and [0-9]+ more like it\)$' "$T/tl.err" ||
	    fail_msg "no count of the lines held back:" "$(cat "$T/tl.err")"
	# paused 100 ms between tries: a busy loop would burn ~2 s of CPU
	[ $((t1 - t0)) -le 30 ] || fail_msg "$((t1 - t0)) ticks of CPU in 2 s: a busy loop"
	# descriptors again: the waiting client is served from the backlog
	prlimit --pid "$tl_pid" --nofile="$hard:$hard"
	wait "$cpid"
	assert_equal "$(cat "$T/got")" served
	usr1 'accepted 1, running 0, denied 0, limited 0, failed 0, exited 1, crashed 0, accept errors [1-9][0-9]*'
}
