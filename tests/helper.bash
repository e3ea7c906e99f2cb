# tests/helper.bash: shared setup for the bats tests: PATH, deadline waits,
# background processes that teardown kills, optional-tool and root checks.
# shellcheck disable=SC2034 # the variables set here are read by the .bats files

BATS_LIB_PATH=${BATS_LIB_PATH:+$BATS_LIB_PATH:}/usr/lib/bats:/usr/local/lib/bats:/usr/share/bats
bats_load_library bats-support
bats_load_library bats-assert

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BIN=${CHANRELAY_BIN:-$TOP}
# the fault injector preloaded into the programs under test: a cross
# build has its own (make cross), an x86-64 one cannot load into them
FAULTINJ=$TOP/tests/tools/faultinj.so
[ -e "$BIN/faultinj.so" ] && FAULTINJ=$BIN/faultinj.so
FIXTURES=$TOP/tests/fixtures
PATH=$BIN:$TOP/tests/tools:$PATH
export PATH LC_ALL=C TZ=UTC

# Every test gets its own scratch directory; background processes keep
# their pid, stdout and stderr there as NAME.pid, NAME.out, NAME.err.
setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	bg_cleanup
}

# fail_msg TEXT: print TEXT to stderr (bats shows it) and return 1.
fail_msg() {
	printf '%s\n' "$*" >&2
	return 1
}

# wait_for FILE [REGEX] [SECONDS]: wait until FILE exists (and a line of it
# matches the extended REGEX), polling every 20 ms; fail at the deadline.
wait_for() {
	local file=$1 re=${2-} secs=${3:-10} i n
	n=$((secs * 50))
	for ((i = 0; i < n; i++)); do
		if [ -e "$file" ]; then
			[ -z "$re" ] && return 0
			grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		fi
		sleep 0.02
	done
	if [ -e "$file" ]; then
		fail_msg "wait_for: no line of $file matched /$re/ within ${secs}s;" \
		    "it holds:" "$(head -c 2000 "$file")"
	else
		fail_msg "wait_for: $file did not appear within ${secs}s"
	fi
}

# wait_until SECONDS CMD...: run CMD every 20 ms until it succeeds; fail at
# the deadline.
wait_until() {
	local secs=$1 i n
	shift
	n=$((secs * 50))
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.02
	done
	fail_msg "wait_until: '$*' still false after ${secs}s"
}

# start_bg NAME CMD...: start CMD in the background with fd 3 closed (bats
# waits on it), stdin from $BG_STDIN (default /dev/null), stdout to
# $BG_STDOUT (default $T/NAME.out), stderr to $T/NAME.err. Sets bg_pid;
# teardown kills it.
start_bg() {
	local name=$1
	shift
	"$@" <"${BG_STDIN:-/dev/null}" >"${BG_STDOUT:-$T/$name.out}" \
	    2>"$T/$name.err" 3>&- &
	bg_pid=$!
	echo "$bg_pid" >"$T/$name.pid"
}

# bg_pid_of NAME: the pid start_bg recorded for NAME.
bg_pid_of() {
	cat "$T/$1.pid"
}

# running PID: true while PID exists and is not a zombie.
running() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# not_running PID: true once PID has ended.
not_running() {
	! running "$1"
}

# wait_exit PID [SECONDS]: wait (deadline, default 10 s) for PID to end,
# then reap it and set exit_status; fail with a message at the deadline.
wait_exit() {
	local pid=$1 secs=${2:-10}
	exit_status=
	if ! wait_until "$secs" not_running "$pid"; then
		fail_msg "wait_exit: process $pid still running after ${secs}s"
		return 1
	fi
	wait "$pid" && exit_status=0 || exit_status=$?
}

# stop_bg NAME [SIGNAL] [SECONDS]: signal NAME (default TERM), wait for it to
# end, set exit_status.
stop_bg() {
	local pid
	pid=$(bg_pid_of "$1")
	kill -s "${2:-TERM}" "$pid" 2>/dev/null || true
	wait_exit "$pid" "${3:-10}"
}

# bg_cleanup: kill every process start_bg recorded in this test (only those).
bg_cleanup() {
	local f pid
	for f in "$T"/*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		if running "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
}

# need CMD...: skip the test when an optional peer tool is missing.
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}

# need_root: skip unless root (captures, privilege drop).
need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# need_netns: skip unless a private network namespace can be made, so a
# test can change lo (multicast, routes, captures) without touching the host.
need_netns() {
	need_root
	need unshare ip
	unshare -n true 2>/dev/null || skip "cannot create a network namespace"
}

# port_of ADDR: the port of "HOST:PORT" or "[V6]:PORT".
port_of() {
	printf '%s\n' "${1##*:}"
}

# start_recv NAME ARGS...: start udp-recv in the background, writing its
# bound address to $T/NAME.addr; wait for it and set recv_addr, recv_port.
start_recv() {
	local name=$1
	shift
	rm -f "$T/$name.addr"
	start_bg "$name" udp-recv -a "$T/$name.addr" "$@"
	wait_addr "$name"
	recv_addr=$(cat "$T/$name.addr")
	recv_port=$(port_of "$recv_addr")
}

# wait_addr NAME [SECONDS]: wait for the background process NAME to write
# its bound address to $T/NAME.addr; fail at once, showing its stderr, if
# it ends first, and at the deadline (default 10 s) otherwise.
wait_addr() {
	local pid
	pid=$(bg_pid_of "$1")
	wait_until "${2:-10}" addr_or_gone "$T/$1.addr" "$pid" || true
	grep -Eq '.:[0-9]+$' "$T/$1.addr" 2>/dev/null && return 0
	fail_msg "$1 wrote no address to $T/$1.addr; its stderr:" \
	    "$(cat "$T/$1.err")"
}

addr_or_gone() {
	grep -Eq '.:[0-9]+$' "$1" 2>/dev/null || ! running "$2"
}

# tshark_fields FILE FIELD...: tshark's field table of FILE, tab separated;
# tshark's own chatter (running as root ...) goes to $T/tshark.err.
tshark_fields() {
	local file=$1 f args=()
	shift
	for f in "$@"; do
		args+=(-e "$f")
	done
	tshark -n -r "$file" -T fields "${args[@]}" 2>"$T/tshark.err"
}

# hexof FILE: the bytes of FILE as one line of lowercase hex.
hexof() {
	od -An -v -tx1 "$1" | tr -d ' \n'
	echo
}

# netns_start: make a private network namespace with lo up, held by a
# background process that teardown kills; sets NS_PID and NS, the command
# prefix that runs a command in it. Start background processes there with
# start_bg NAME "${NS[@]}" CMD... (nsenter does not fork for -n, so the pid
# recorded is CMD's own; a shell function would record a subshell's).
netns_start() {
	need_netns
	need nsenter
	start_bg netns unshare -n sleep 600
	NS_PID=$bg_pid
	NS=(nsenter -t "$NS_PID" -n)
	wait_until 5 ns_entered "$NS_PID"
	in_ns ip link set lo up
}

ns_entered() {
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

in_ns() {
	nsenter -t "$NS_PID" -n "$@"
}

# need_mntns: skip unless a private mount namespace can be made, so a test
# can mount a small tmpfs (a full disk) without touching the host.
need_mntns() {
	need_root
	need unshare nsenter
	unshare -m true 2>/dev/null || skip "cannot create a mount namespace"
}

# mntns_start: make a private mount namespace (propagation private, so
# nothing mounted there is seen outside), held by a background process
# that teardown kills; sets MNT_PID and MNT, the command prefix that runs a
# command in it: start_bg NAME "${MNT[@]}" CMD... (nsenter does not fork
# for -m, so the pid recorded is CMD's own).
mntns_start() {
	need_mntns
	start_bg mntns unshare -m --propagation private sleep 600
	MNT_PID=$bg_pid
	MNT=(nsenter -t "$MNT_PID" -m)
	wait_until 5 mnt_entered "$MNT_PID"
}

mnt_entered() {
	[ "$(readlink "/proc/$1/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
}

in_mntns() {
	nsenter -t "$MNT_PID" -m "$@"
}

# listen_port PID: print the port of a TCP socket PID listens on (IPv4 or
# IPv6, read from /proc/net/tcp*); fail while it has none.
listen_port() {
	local f l inodes='' hex
	for f in /proc/"$1"/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		case $l in
		socket:\[*\]) l=${l#socket:[}; inodes="$inodes ${l%]}" ;;
		esac
	done
	[ -n "$inodes" ] || return 1
	hex=$(awk -v inodes="$inodes" '
	BEGIN { n = split(inodes, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
	FNR > 1 && $4 == "0A" && ($10 in want) { sub(/.*:/, "", $2); print $2; exit }
	' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	[ -n "$hex" ] || return 1
	echo "$((16#$hex))"
}

# start_listener NAME CMD...: start a TCP listener that binds port 0 and
# cannot say which port it got (socat TCP-LISTEN:0, nc -l) with start_bg;
# wait (10 s) until it listens and set listen_port; fail at once, showing
# its stderr, if it ends first. Start what connects to it only after: a
# listener that takes one connection (socat without fork) stops listening
# once it has it.
start_listener() {
	local name=$1
	shift
	start_bg "$name" "$@"
	wait_until 10 port_or_gone "$bg_pid" || true
	listen_port=$(listen_port "$bg_pid") && return 0
	fail_msg "$name is not listening; its stderr:" "$(cat "$T/$name.err")"
}

port_or_gone() {
	listen_port "$1" >/dev/null || ! running "$1"
}

# descendants PID: the pids of PID's children, their children and so on.
descendants() {
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}

# holds_fifo PID PATH: PID has PATH open as its standard input.
holds_fifo() {
	[ "$(readlink "/proc/$1/fd/0" 2>/dev/null)" = "$2" ]
}

# start_tl NAME ARGS...: start tcp-listen -a $T/NAME.addr ARGS with start_bg;
# wait (10 s) until it has written its bound address; set tl_pid, tl_addr
# and tl_port; fail at once, showing its stderr, if it ends first.
start_tl() {
	local name=$1
	shift
	rm -f "$T/$name.addr"
	start_bg "$name" tcp-listen -a "$T/$name.addr" "$@"
	tl_pid=$bg_pid
	wait_addr "$name" || return 1
	tl_addr=$(cat "$T/$name.addr")
	tl_port=$(port_of "$tl_addr")
}

# free_tcp_port: set free_port to a TCP port of 127.0.0.1 that was free a
# moment ago (a socat listener on port 0, started and stopped), for tests
# whose client must start before anything listens.
free_tcp_port() {
	start_listener freeport socat TCP-LISTEN:0,bind=127.0.0.1 /dev/null ||
	    return 1
	free_port=$listen_port
	stop_bg freeport KILL
}

# tcp_refused HOST PORT: a TCP connect to HOST:PORT (IPv6 HOST in brackets)
# is refused now; fail, showing socat's message, on any other outcome.
tcp_refused() {
	local out
	if out=$(timeout 10 socat -u "TCP:$1:$2" /dev/null 2>&1); then
		fail_msg "$1:$2 accepted a connection"
		return 1
	fi
	case $out in
	*'Connection refused'*) return 0 ;;
	esac
	fail_msg "connect to $1:$2 failed, but was not refused: $out"
}

# proc_children PID [STATE]: the pids of PID's children, zombies included
# (only those in STATE, e.g. Z, when given), read from /proc.
proc_children() {
	local f s st ppid
	for f in /proc/[0-9]*/stat; do
		{ read -r s <"$f"; } 2>/dev/null || continue
		s=${s##*) }
		st=${s%% *}
		s=${s#* }
		ppid=${s%% *}
		[ "$ppid" = "$1" ] || continue
		[ -z "${2-}" ] || [ "$st" = "$2" ] || continue
		f=${f#/proc/}
		echo "${f%/stat}"
	done
}

# no_children PID: PID has no child at all, living or zombie.
no_children() {
	[ -z "$(proc_children "$1")" ]
}

# need_ipv6: skip unless lo has ::1.
need_ipv6() {
	ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/128' ||
	    skip "no IPv6 on lo"
}

# start_acceptd NAME ARGS...: start tests/tools/acceptd -a $T/NAME.addr
# ARGS (ARGS end with the address, e.g. -m hold 127.0.0.1:0) with start_bg;
# wait (10 s) for its bound address; set ad_pid, ad_addr and ad_port.
start_acceptd() {
	local name=$1
	shift
	rm -f "$T/$name.addr"
	start_bg "$name" acceptd -a "$T/$name.addr" "$@"
	ad_pid=$bg_pid
	wait_addr "$name" || return 1
	ad_addr=$(cat "$T/$name.addr")
	ad_port=$(port_of "$ad_addr")
}

# acceptd_count NAME FIELD: FIELD (accepted, answered, aborted, nofd, open,
# peak) of the last counters line acceptd NAME wrote to $T/NAME.out (on
# USR1, or on TERM after stop_bg).
acceptd_count() {
	sed -En "s/^acceptd:.* $2=([0-9]+)( .*)?\$/\\1/p" "$T/$1.out" |
	    tail -n 1 | grep . || fail_msg "acceptd $1 printed no $2 count:" \
	    "$(cat "$T/$1.out" "$T/$1.err")"
}

# dead_tcp_port: set dead_port to a TCP port of 127.0.0.1 nothing listens
# on: a socket bound to port 0 by python3, its port read, then closed.
dead_tcp_port() {
	need python3
	dead_port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()') && [ -n "$dead_port" ]
}

# json_get FILE EXPR: print the Python expression EXPR over d, the JSON
# object in FILE (e.g. 'd["errors"]["refused"]'); fail if FILE does not parse.
json_get() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

# stop_acceptd NAME: stop acceptd NAME with TERM (it prints its counters)
# and fail, showing its stderr, unless it exits 0.
stop_acceptd() {
	stop_bg "$1" TERM || return 1
	[ "$exit_status" -eq 0 ] && return 0
	fail_msg "acceptd $1 exited $exit_status:" "$(cat "$T/$1.err")"
}

# nonblock_of FD: 1 when this shell's FD (the description it shares with
# the programs it starts) has O_NONBLOCK (octal 04000) set, else 0.
nonblock_of() {
	local fl
	fl=$(awk '$1 == "flags:" { print $2 }' "/proc/$BASHPID/fdinfo/$1")
	echo $(((8#$fl >> 11) & 1))
}

# catches_term PID: true once PID has a handler for SIGTERM (bit 15 of
# SigCgt in /proc/PID/status).
catches_term() {
	catches "$1" 15
}

# catches PID SIGNUM: true once PID has a handler for signal SIGNUM (its
# bit in SigCgt of /proc/PID/status): a signal sent before would kill it.
catches() {
	local m
	m=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && (((16#$m >> ($2 - 1)) & 1))
}

# ready_nonblock PID FD: PID catches TERM and has set O_NONBLOCK on FD.
ready_nonblock() {
	catches_term "$1" && [ "$(nonblock_of "$2")" = 1 ]
}

# stdin_restored CMD...: CMD's standard input is a pipe whose read end
# this shell holds too (fd 8), as a terminal is shared with the shell.
# CMD runs twice: to the end of its input ("one", "two"), and until
# SIGTERM while it waits for more. O_NONBLOCK must be set while it runs
# and clear again after each end.
stdin_restored() {
	local pid
	exec 8< <(printf 'one\ntwo\n')
	"$@" <&8 >/dev/null 2>>"$T/stdin.err" 3>&- || true
	if [ "$(nonblock_of 8)" != 0 ]; then
		exec 8<&-
		fail_msg "$1: stdin left O_NONBLOCK after the end of the input"
		return 1
	fi
	exec 8<&-
	rm -f "$T/stdin.fifo"
	mkfifo "$T/stdin.fifo"
	exec 8<>"$T/stdin.fifo"
	"$@" <&8 >/dev/null 2>>"$T/stdin.err" 3>&- &
	pid=$!
	echo "$pid" >"$T/stdin.pid"
	wait_until 10 ready_nonblock "$pid" 8 || { exec 8<&-; return 1; }
	kill -TERM "$pid"
	wait_exit "$pid" || { exec 8<&-; return 1; }
	if [ "$(nonblock_of 8)" != 0 ]; then
		exec 8<&-
		fail_msg "$1: stdin left O_NONBLOCK after SIGTERM"
		return 1
	fi
	exec 8<&-
}

# --- shared by several test files ---------------------------------------

# re_quote STRING: STRING with the characters special in an extended
# regular expression escaped.
re_quote() {
	printf '%s' "$1" | sed 's/[][\.*^$/+?(){}|]/\\&/g'
}

# bad_usage PROG VALUE ARGS...: PROG ARGS, stdin /dev/null, exits 100 at
# once; the first line of its output is PROG's and names 'VALUE'; the usage
# line $USAGE follows, and nothing else. With USAGE_OPTIONAL=1 the message
# may stand alone (a program that gives no usage line for a bad ADDRESS).
# shellcheck disable=SC2154 # lines and output are set by bats' run
bad_usage() {
	local prog=$1 val=$2
	shift 2
	run timeout 20 "$prog" "$@" </dev/null
	assert_failure 100
	assert_line --index 0 --regexp "^$prog: .*'$(re_quote "$val")'"
	[ "${#lines[@]}" -le 2 ] || fail_msg "more than two lines: $output"
	if [ "${#lines[@]}" -eq 2 ] || [ "${USAGE_OPTIONAL:-0}" != 1 ]; then
		assert_line --index 1 "$USAGE"
	fi
}

# finish NAME [SECONDS]: wait for start_bg NAME to end by itself (default
# 10 s); fail, showing its stderr, if it does not.
finish() {
	wait_exit "$(bg_pid_of "$1")" "${2:-10}" || {
		cat "$T/$1.err" >&2
		return 1
	}
}

# mcast_setup: lo in a new network namespace (netns_start) carries
# multicast: IPv4 239/8 and IPv6 ff1e::/16 (a "local" route: the kernel
# turns an ordinary IPv6 route via lo into a reject route).
mcast_setup() {
	netns_start
	in_ns ip link set lo multicast on
	in_ns ip route add 239.0.0.0/8 dev lo src 127.0.0.1
	in_ns ip -6 route add local ff1e::/16 dev lo table local
}

# start_fifo NAME CMD...: start_bg NAME CMD with its stdin a FIFO,
# $T/NAME.in, that a background sleep holds open: the input stays open but
# silent until the test feeds it (feed_file) or ends it (close_input).
# Sets fifo_pid (and bg_pid).
start_fifo() {
	local name=$1
	shift
	mkfifo "$T/$name.in"
	# the holder first, opened read-write (which never waits on a FIFO):
	# a feed can then never be the only writer, whose close would be EOF
	sleep 600 <>"$T/$name.in" >/dev/null 2>&1 3>&- &
	echo $! >"$T/$name-hold.pid"
	# and only once it holds it: until then a feed could still be alone
	wait_until 5 holds_fifo $! "$T/$name.in"
	BG_STDIN=$T/$name.in start_bg "$name" "$@"
	fifo_pid=$bg_pid
}

# feed_file NAME FILE: FILE into the FIFO of start_fifo NAME; fails if NAME
# does not read it all within 20 s (it stalled).
feed_file() {
	timeout 20 dd if="$2" of="$T/$1.in" bs=64k status=none ||
	    fail_msg "$1 did not read its input within 20 s"
}

# close_input NAME: end the input of start_fifo NAME (its holder dies);
# sets t_closed.
close_input() {
	stop_bg "$1-hold" KILL
	t_closed=$(date +%s.%N)
}

# metric FILE NAME [LABEL="VALUE"]: the value of the sample of metric NAME
# in the Prometheus textfile FILE (the one with that label, when given);
# fails when there is none.
metric() {
	awk -v n="$2" -v l="${3-}" '
	index($0, n "{") == 1 && (l == "" || index($0, l)) { print $NF; f = 1; exit }
	END { exit !f }' "$1"
}

# metric_is FILE NAME LABEL WANT: the sample's value is WANT (LABEL as for
# metric, or ""); for wait_until.
metric_is() {
	local v
	v=$(metric "$1" "$2" "$3" 2>/dev/null) || return 1
	[ "$v" = "$4" ]
}
