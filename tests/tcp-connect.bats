#!/usr/bin/env bats
# bg_pid, exit_status, tl_pid, tl_addr, tl_port, listen_port and free_port
# are set by helper.bash; shellcheck takes each @test for a subshell and
# warns about the globals the tests set (SC2030, SC2031)
# shellcheck disable=SC2154,SC2030,SC2031
# tests/tcp-connect.bats: tcp-connect against socat, nc, tcp-listen and
# tcpclient: usage, bad values, the bridge (round trips, half-close, the
# peer closing), PROGRAM mode (fds 6 and 7, the environment tcpclient
# gives), connect failures, -w, -n, -s, -4/-6, -v.

bats_require_minimum_version 1.5.0
load helper

USAGE='usage: tcp-connect [-46hv] [-n RETRIES] [-s SOURCE] [-w TIMEOUT] ADDRESS [PROGRAM [ARG...]]'
# a tcp-listen handler that answers "REMOTEIP:REMOTEPORT"
# shellcheck disable=SC2016 # expanded by the handler's shell
REMOTE='echo "$TCPREMOTEIP:$TCPREMOTEPORT"'

setup_file() {
	if ! command -v tcp-connect >/dev/null || ! command -v tcp-listen >/dev/null
	then
		fail_msg "tcp-connect or tcp-listen is not built: run make"
	fi
}

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
}

now() {
	date +%s.%N
}

# since T0: seconds from T0 to now, 3 decimals.
since() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'
}

# between X LO HI: LO <= X <= HI (decimals).
between() {
	awk -v x="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(x >= a && x <= b) }' ||
	    fail_msg "$1 is not between $2 and $3"
}

# tc ARGS...: tcp-connect ARGS, stdin from $IN (default /dev/null), stdout
# to $T/out, stderr to $T/err, bounded; sets status.
tc() {
	status=0
	timeout 60 tcp-connect "$@" <"${IN:-/dev/null}" >"$T/out" 2>"$T/err" ||
	    status=$?
}

# --------------------------------------------------------------- usage

@test "usage: -h prints the usage line to stdout and exits 0" {
	run --separate-stderr timeout 20 tcp-connect -h
	assert_success
	assert_output "$USAGE"
	[ -z "$stderr" ]
}

@test "usage: no ADDRESS exits 100 with the usage line" {
	run timeout 20 tcp-connect
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: an unknown option exits 100 with the usage line" {
	run timeout 20 tcp-connect -z 127.0.0.1:1
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: a missing option argument exits 100 with the usage line" {
	run timeout 20 tcp-connect -w
	assert_failure 100
	assert_output --partial "$USAGE"
}

# ----------------------------------------------------------- bad values

# bad VALUE ARGS...: tcp-connect ARGS exits 100 at once; the first line of
# its output names 'VALUE'; at most one more line follows, the usage line.
bad() {
	local val=$1
	shift
	USAGE_OPTIONAL=1 bad_usage tcp-connect "$val" "$@"
}

# bad_addr VALUE [OPTION...]: the spec's message for a bad ADDRESS, then the
# usage line.
bad_addr() {
	local val=$1
	shift
	bad "$val" "$@" "$val"
	assert_line --index 0 --partial "tcp-connect: invalid address '$val': "
	assert_line --index 1 "$USAGE"
}

@test "bad value: address x" { bad_addr x; }
@test "bad value: address without a port" { bad_addr 127.0.0.1; }
@test "bad value: port 65536" { bad_addr 127.0.0.1:65536; }
@test "bad value: port x" { bad_addr 127.0.0.1:x; }
@test "bad value: 256.1.1.1:5" { bad_addr 256.1.1.1:5; }
@test "bad value: [::1:5 (unclosed bracket)" { bad_addr '[::1:5'; }
@test "bad value: a host name is never looked up" { bad_addr localhost:5; }
@test "bad value: empty address" { bad '' ''; }
@test "bad value: -4 with an IPv6 address" { bad_addr '[::1]:5' -4; }
@test "bad value: -6 with an IPv4 address" { bad_addr 127.0.0.1:5 -6; }
@test "bad value: -n -1" { bad -1 -n -1 127.0.0.1:5; }
@test "bad value: -n 1000001" { bad 1000001 -n 1000001 127.0.0.1:5; }
@test "bad value: -n x" { bad x -n x 127.0.0.1:5; }
@test "bad value: -w x" { bad x -w x 127.0.0.1:5; }
@test "bad value: -w 5parsecs" { bad 5parsecs -w 5parsecs 127.0.0.1:5; }
@test "bad value: -s x" { bad x -s x 127.0.0.1:5; }
@test "bad value: -s 127.0.0.1:70000" { bad 127.0.0.1:70000 -s 127.0.0.1:70000 127.0.0.1:5; }
@test "bad value: -s a host name" { bad localhost -s localhost 127.0.0.1:5; }

# ------------------------------------------------------ bridge round trips

@test "bridge: 1 MB round trip through a socat echo server (EXEC:cat)" {
	need socat
	head -c 1048576 /dev/urandom >"$T/in"
	start_listener srv socat TCP-LISTEN:0,bind=127.0.0.1 EXEC:cat
	IN=$T/in tc "127.0.0.1:$listen_port"
	assert_equal "$status" 0
	cmp "$T/in" "$T/out"
	[ ! -s "$T/err" ]
}

@test "bridge: round trip over IPv6 through a socat echo server" {
	need socat
	need_ipv6
	head -c 65536 /dev/urandom >"$T/in"
	start_listener srv socat 'TCP6-LISTEN:0,bind=[::1]' EXEC:cat
	IN=$T/in tc "[::1]:$listen_port"
	assert_equal "$status" 0
	cmp "$T/in" "$T/out"
}

@test "bridge: an nc -l server and tcp-connect exchange data both ways" {
	need nc
	{ printf 'from server\n'; head -c 100000 /dev/urandom; } >"$T/srv.in"
	{ printf 'from client\n'; head -c 100000 /dev/urandom; } >"$T/in"
	BG_STDIN=$T/srv.in start_listener srv nc -N -l 127.0.0.1 0
	IN=$T/in tc "127.0.0.1:$listen_port"
	assert_equal "$status" 0
	cmp "$T/srv.in" "$T/out"
	wait_exit "$(bg_pid_of srv)" 20
	cmp "$T/in" "$T/srv.out"
}

@test "bridge: 8 MB both ways at once through 'tcp-listen ADDR cat' (no deadlock)" {
	head -c 8388608 /dev/urandom >"$T/in"
	start_tl srv 127.0.0.1:0 cat
	IN=$T/in tc "127.0.0.1:$tl_port"
	assert_equal "$status" 0
	cmp "$T/in" "$T/out"
}

@test "bridge: stdin EOF half-closes: printf abc | tcp-connect (tcp-listen cat) prints abc, exit 0" {
	start_tl srv 127.0.0.1:0 cat
	# shellcheck disable=SC2016 # $1 is sh's
	run --separate-stderr timeout 20 sh -c 'printf abc | tcp-connect "$1"' sh "127.0.0.1:$tl_port"
	assert_success
	assert_output abc
	[ -z "$stderr" ]
}

@test "bridge: empty stdin: the server sees EOF at once, its answer is printed" {
	# shellcheck disable=SC2016 # expanded by the handler's shell
	start_tl srv 127.0.0.1:0 sh -c 'n=$(wc -c); echo "read $n"'
	tc "127.0.0.1:$tl_port"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" 'read 0'
}

@test "bridge: the peer closing ends tcp-connect (exit 0, all its data written) while stdin stays open" {
	head -c 3000000 /dev/urandom >"$T/big"
	start_tl srv 127.0.0.1:0 cat "$T/big"
	mkfifo "$T/cin"
	BG_STDIN=$T/cin start_bg cli timeout 60 tcp-connect "127.0.0.1:$tl_port"
	cli=$bg_pid
	# opened after the client started, so only the test holds the writer
	exec {w}>"$T/cin"
	wait_exit "$cli" 20
	status=$exit_status
	exec {w}>&-
	assert_equal "$status" 0
	cmp "$T/big" "$T/cli.out"
	[ ! -s "$T/cli.err" ]
}

@test "bridge: a reset by the peer is one line and exit 111" {
	# the handler reads one line (sh reads byte by byte) and exits with
	# the second unread: the kernel answers with a reset
	start_tl srv 127.0.0.1:0 sh -c 'read -r x'
	# shellcheck disable=SC2016 # $1 is sh's
	run --separate-stderr timeout 20 sh -c 'printf "a\nbbbbbbbb\n" | tcp-connect "$1"' sh "127.0.0.1:$tl_port"
	assert_failure 111
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail_msg "stderr: $stderr"
	[[ $stderr == tcp-connect:* ]]
	[[ $stderr == *[Rr]eset* ]] || fail_msg "stderr: $stderr"
}

@test "bridge: a write error on stdout is one line and exit 111" {
	start_tl srv 127.0.0.1:0 echo hello
	# shellcheck disable=SC2016 # $1 is sh's
	run --separate-stderr timeout 20 sh -c 'tcp-connect "$1" </dev/null >/dev/full' sh "127.0.0.1:$tl_port"
	assert_failure 111
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail_msg "stderr: $stderr"
	[[ $stderr == *'No space left on device'* ]] || fail_msg "stderr: $stderr"
}

@test "bridge: -v logs the connection (local port as the server sees it) and the byte counts" {
	# shellcheck disable=SC2016 # expanded by the handler's shell
	start_tl srv 127.0.0.1:0 sh -c 'echo "$TCPREMOTEPORT"; exec cat'
	printf 'abcd\n' >"$T/in"
	IN=$T/in tc -v "127.0.0.1:$tl_port"
	assert_equal "$status" 0
	cport=$(head -n 1 "$T/out")
	[[ $cport =~ ^[0-9]+$ ]]
	assert_equal "$(sed -n 2p "$T/out")" abcd
	diff -u - "$T/err" <<-EOF
	tcp-connect: connected to 127.0.0.1:$tl_port from 127.0.0.1:$cport
	tcp-connect: sent 5 bytes, received $((${#cport} + 1 + 5)) bytes
	EOF
}

# ---------------------------------------------------------- PROGRAM mode

@test "PROGRAM: socket on fds 6 and 7, fds 0-2 inherited, TCP* set, *HOST and *INFO removed" {
	# shellcheck disable=SC2016 # expanded by the handler's shell
	start_tl srv 127.0.0.1:0 sh -c 'IFS= read -r l; echo "got $l from $TCPREMOTEIP:$TCPREMOTEPORT"'
	printf 'hello\n' >"$T/in"
	# shellcheck disable=SC2016 # expanded by PROGRAM's shell
	IN=$T/in TCPREMOTEHOST=stale TCPLOCALHOST=stale TCPREMOTEINFO=stale \
	    CHANRELAY_TEST_VAR=x tc "127.0.0.1:$tl_port" sh -c 'IFS= read -r s; echo "stdin $s"; echo "to stderr" >&2
	echo ping >&7; IFS= read -r r <&6; echo "$r"; env
	echo "fd6 $(readlink /proc/$$/fd/6)"; echo "fd7 $(readlink /proc/$$/fd/7)"'
	assert_equal "$status" 0
	assert_equal "$(cat "$T/err")" 'to stderr'
	grep -qx 'stdin hello' "$T/out"
	grep -qx 'PROTO=TCP' "$T/out"
	grep -qx 'TCPLOCALIP=127.0.0.1' "$T/out"
	grep -qx 'TCPREMOTEIP=127.0.0.1' "$T/out"
	grep -qx "TCPREMOTEPORT=$tl_port" "$T/out"
	grep -qx 'CHANRELAY_TEST_VAR=x' "$T/out"
	lport=$(sed -n 's/^TCPLOCALPORT=//p' "$T/out")
	[[ $lport =~ ^[0-9]+$ ]]
	# the server saw the same connection
	grep -qx "got ping from 127.0.0.1:$lport" "$T/out"
	run grep -E '^TCP(LOCALHOST|REMOTEHOST|REMOTEINFO)=' "$T/out"
	assert_failure
	fd6=$(sed -n 's/^fd6 //p' "$T/out")
	[[ $fd6 == socket:* ]] || fail_msg "fd 6 is '$fd6'"
	assert_equal "$(sed -n 's/^fd7 //p' "$T/out")" "$fd6"
}

@test "PROGRAM: the same PROTO/TCP* variables as tcpclient -H -R -l0 gives" {
	need tcpclient
	start_tl srv 127.0.0.1:0 sh -c "$REMOTE"
	# shellcheck disable=SC2016 # expanded by PROGRAM's shell
	prog='IFS= read -r a <&6; p=${a##*:}
	env | grep -E "^(PROTO|TCP[A-Z]*)=" | sed "s/^TCPLOCALPORT=$p\$/TCPLOCALPORT=CLIENT/" | sort'
	timeout 20 tcpclient -H -R -l0 127.0.0.1 "$tl_port" sh -c "$prog" </dev/null |
	    sed "s/^TCPREMOTEPORT=$tl_port\$/TCPREMOTEPORT=SERVER/" >"$T/tcpclient.env"
	tc "127.0.0.1:$tl_port" sh -c "$prog"
	assert_equal "$status" 0
	sed "s/^TCPREMOTEPORT=$tl_port\$/TCPREMOTEPORT=SERVER/" "$T/out" >"$T/tc.env"
	diff -u - "$T/tcpclient.env" <<-EOF
	PROTO=TCP
	TCPLOCALHOST=0
	TCPLOCALIP=127.0.0.1
	TCPLOCALPORT=CLIENT
	TCPREMOTEIP=127.0.0.1
	TCPREMOTEPORT=SERVER
	EOF
	grep -v '^TCPLOCALHOST=' "$T/tcpclient.env" | diff -u - "$T/tc.env"
}

@test "PROGRAM: exec'd (its exit status is tcp-connect's), found on PATH" {
	start_tl srv 127.0.0.1:0 echo hi
	tc "127.0.0.1:$tl_port" sh -c 'exit 7'
	assert_equal "$status" 7
}

@test "PROGRAM: one that cannot be run: one line, exit 111" {
	start_tl srv 127.0.0.1:0 echo hi
	tc "127.0.0.1:$tl_port" "$T/no-such-program"
	assert_equal "$status" 111
	assert_equal "$(cat "$T/err")" "tcp-connect: unable to run $T/no-such-program: No such file or directory"
}

# ------------------------------------------------------ connect failures

@test "connect refused: one line naming the address, exit 111" {
	need socat
	free_tcp_port
	tc "127.0.0.1:$free_port"
	assert_equal "$status" 111
	assert_equal "$(cat "$T/err")" "tcp-connect: unable to connect to 127.0.0.1:$free_port: Connection refused"
	[ ! -s "$T/out" ]
}

@test "connect refused over IPv6: the address in brackets" {
	need_ipv6
	start_tl tmp '[::1]:0' cat
	port=$tl_port
	stop_bg tmp
	tc "[::1]:$port"
	assert_equal "$status" 111
	assert_equal "$(cat "$T/err")" "tcp-connect: unable to connect to [::1]:$port: Connection refused"
}

@test "-w 500ms: a blackholed address times out after about 0.5 s: one line, exit 111" {
	netns_start
	# in the namespace, 10.9.9.0/24 is routed to lo, where nothing answers
	in_ns ip route add 10.9.9.0/24 dev lo
	t0=$(now)
	run --separate-stderr timeout 20 "${NS[@]}" tcp-connect -w 500ms 10.9.9.2:9
	el=$(since "$t0")
	assert_failure 111
	assert_equal "$stderr" 'tcp-connect: unable to connect to 10.9.9.2:9: timed out'
	between "$el" 0.4 3
}

@test "-w applies to each attempt of -n" {
	netns_start
	in_ns ip route add 10.9.9.0/24 dev lo
	t0=$(now)
	run --separate-stderr timeout 30 "${NS[@]}" tcp-connect -n 2 -w 300ms 10.9.9.2:9
	el=$(since "$t0")
	assert_failure 111
	# three attempts of 0.3 s and waits of 0.1 and 0.2 s
	between "$el" 1.1 5
}

@test "-n: tcp-connect started before its server connects once the server is up" {
	need socat
	free_tcp_port
	start_bg cli timeout 60 tcp-connect -v -n 1000 "127.0.0.1:$free_port"
	cli=$bg_pid
	# a failed attempt was logged: the client really started first
	wait_for "$T/cli.err" 'refused'
	running "$cli"
	start_bg srv tcp-listen -a "$T/srv.addr" "127.0.0.1:$free_port" echo hello
	wait_exit "$cli" 20
	assert_equal "$exit_status" 0
	assert_equal "$(cat "$T/cli.out")" hello
	grep -q "^tcp-connect: connected to 127.0.0.1:$free_port from " "$T/cli.err"
}

@test "-n 3: four attempts with waits of 0.1, 0.2, 0.4 s, then one line and exit 111" {
	need socat
	free_tcp_port
	t0=$(now)
	tc -n 3 "127.0.0.1:$free_port"
	el=$(since "$t0")
	assert_equal "$status" 111
	assert_equal "$(cat "$T/err")" "tcp-connect: unable to connect to 127.0.0.1:$free_port: Connection refused"
	between "$el" 0.6 5
	# -v logs each failed attempt
	tc -v -n 3 "127.0.0.1:$free_port"
	assert_equal "$status" 111
	[ "$(grep -c refused "$T/err")" -ge 4 ] || fail_msg "$(cat "$T/err")"
}

@test "-n 0 (the default): one attempt, no wait" {
	need socat
	free_tcp_port
	t0=$(now)
	tc "127.0.0.1:$free_port"
	el=$(since "$t0")
	assert_equal "$status" 111
	between "$el" 0 0.5
}

# ------------------------------------------------------- -s, -4, -6

@test "-s 127.0.0.2: the server sees the connection from 127.0.0.2" {
	start_tl srv 127.0.0.1:0 sh -c "$REMOTE"
	tc -s 127.0.0.2 "127.0.0.1:$tl_port"
	assert_equal "$status" 0
	[[ $(cat "$T/out") =~ ^127\.0\.0\.2:[0-9]+$ ]] || fail_msg "$(cat "$T/out")"
	tc -s 127.0.0.2:0 "127.0.0.1:$tl_port"
	[[ $(cat "$T/out") =~ ^127\.0\.0\.2:[0-9]+$ ]] || fail_msg "$(cat "$T/out")"
}

@test "-s HOST:PORT: the connection comes from that port" {
	need socat
	start_tl srv 127.0.0.1:0 sh -c "$REMOTE"
	free_tcp_port
	tc -s "127.0.0.2:$free_port" "127.0.0.1:$tl_port"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" "127.0.0.2:$free_port"
}

@test "-s [::1]: an IPv6 source" {
	need_ipv6
	start_tl srv '[::1]:0' sh -c "$REMOTE"
	tc -s '[::1]' "[::1]:$tl_port"
	assert_equal "$status" 0
	[[ $(cat "$T/out") =~ ^::1:[0-9]+$ ]] || fail_msg "$(cat "$T/out")"
}

@test ":PORT is 127.0.0.1, or ::1 with -6; -4 and -6 pick the family" {
	need_ipv6
	start_tl srv :0 sh -c "$REMOTE"
	tc ":$tl_port"
	assert_equal "$status" 0
	[[ $(cat "$T/out") =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail_msg "$(cat "$T/out")"
	tc -4 ":$tl_port"
	[[ $(cat "$T/out") =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail_msg "$(cat "$T/out")"
	tc -6 ":$tl_port"
	assert_equal "$status" 0
	[[ $(cat "$T/out") =~ ^::1:[0-9]+$ ]] || fail_msg "$(cat "$T/out")"
	tc -6 "[::1]:$tl_port"
	[[ $(cat "$T/out") =~ ^::1:[0-9]+$ ]] || fail_msg "$(cat "$T/out")"
	tc -4 "127.0.0.1:$tl_port"
	[[ $(cat "$T/out") =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail_msg "$(cat "$T/out")"
}

@test "round trip through tcp-listen over IPv6 with -6" {
	need_ipv6
	start_tl srv '[::1]:0' cat
	printf 'six\n' >"$T/in"
	IN=$T/in tc -6 "[::1]:$tl_port"
	assert_equal "$status" 0
	assert_equal "$(cat "$T/out")" six
}
