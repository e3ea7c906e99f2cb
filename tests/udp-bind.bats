#!/usr/bin/env bats
# bg_pid and exit_status are set by helper.bash
# shellcheck disable=SC2154,SC2016 # sh -c scripts: their own $0 and $$
# tests/udp-bind.bats: udp-bind, the chain-loader that keeps a UDP port
# bound across restarts of udp-recv: usage, bad values, the descriptor it
# hands on, and datagrams that wait in the socket between two receivers.

bats_require_minimum_version 1.5.0
load helper

USAGE='usage: udp-bind [-hRv] [-b SIZE] [-d FD] [-m IFACE] [-S SOURCE] ADDRESS PROGRAM [ARG...]'

setup_file() {
	command -v udp-bind >/dev/null || fail_msg "udp-bind is not built: run make"
}

setup() {
	T=$BATS_TEST_TMPDIR
	unset LISTEN_FDS LISTEN_PID
}

# --- usage ------------------------------------------------------------

@test "usage: -h prints the usage line to stdout, exit 0" {
	run --separate-stderr udp-bind -h
	assert_success
	[ "$output" = "$USAGE" ]
	[ -z "$stderr" ]
}

@test "usage: no ADDRESS, no PROGRAM, an unknown option: exit 100 with the usage" {
	run --separate-stderr udp-bind
	assert_failure 100
	[ "${stderr_lines[0]}" = "udp-bind: missing ADDRESS" ]
	[ "${stderr_lines[1]}" = "$USAGE" ]
	run --separate-stderr udp-bind 127.0.0.1:0
	assert_failure 100
	[ "${stderr_lines[0]}" = "udp-bind: missing PROGRAM" ]
	run --separate-stderr udp-bind -x 127.0.0.1:0 true
	assert_failure 100
	[ "${stderr_lines[0]}" = "udp-bind: unknown option -x" ]
}

@test "bad values: address, fd, size, source, program: exit 100 naming the value" {
	run --separate-stderr udp-bind 127.0.0.1:99999 true
	assert_failure 100
	[[ ${stderr_lines[0]} == "udp-bind: invalid address '127.0.0.1:99999': "* ]]
	run --separate-stderr udp-bind -d 2 127.0.0.1:0 true
	assert_failure 100
	[[ ${stderr_lines[0]} == "udp-bind: invalid fd '2': "* ]]
	run --separate-stderr udp-bind -b 1x 127.0.0.1:0 true
	assert_failure 100
	[[ ${stderr_lines[0]} == "udp-bind: invalid buffer size '1x': "* ]]
	run --separate-stderr udp-bind -S 10.0.0.1 127.0.0.1:0 true
	assert_failure 100
	[ "${stderr_lines[0]}" = "udp-bind: -m and -S need a multicast ADDRESS, not '127.0.0.1:0'" ]
	run --separate-stderr udp-bind 127.0.0.1:0 no-such-prog-b1
	assert_failure 100
	[[ $stderr == "udp-bind: unable to run no-such-prog-b1: "* ]]
}

# --- behaviour --------------------------------------------------------

@test "behaviour: the socket is on fd 3 (or -d FD), open across exec, and nothing else is" {
	run --separate-stderr udp-bind -v 127.0.0.1:0 sh -c 'readlink /proc/$$/fd/3'
	assert_success
	[[ $output == socket:\[* ]]
	[[ $stderr =~ ^udp-bind:\ bound\ 127\.0\.0\.1:[0-9]+\ on\ fd\ 3$ ]]
	# moved, not copied: one socket in all
	run --separate-stderr udp-bind -d 9 127.0.0.1:0 sh -c \
	    'readlink /proc/$$/fd/9; ls -l /proc/$$/fd | grep -c socket:'
	assert_success
	[[ ${lines[0]} == socket:\[* ]]
	[ "${lines[1]}" = 1 ]
}

@test "behaviour: a busy port: exit 111, naming the address" {
	udp-bind 127.0.0.1:0 sh -c 'udp-recv -d 3 -a "$0/a" -t 20 127.0.0.1:0 >/dev/null' "$T" &
	local holder=$!
	wait_until 10 grep -q . "$T/a"
	run --separate-stderr udp-bind "$(cat "$T/a")" true
	kill "$holder"
	wait "$holder" || true
	assert_failure 111
	[[ $stderr == "udp-bind: unable to bind $(cat "$T/a"): "* ]]
}

@test "behaviour: datagrams sent between two udp-recv runs wait in the socket: all five, in order" {
	# the first run takes two and ends; the other three wait for the second
	start_bg pair udp-bind 127.0.0.1:0 sh -c '
	    udp-recv -d 3 -a "$0/a" -c 2 -F line 127.0.0.1:0 >"$0/one"
	    udp-recv -d 3 -c 3 -F line 127.0.0.1:0 >"$0/two"' "$T"
	wait_until 10 grep -q . "$T/a"
	udpsend "$(cat "$T/a")" str:one str:two str:three str:four str:five
	wait_exit "$(bg_pid_of pair)" 10
	[ "$exit_status" -eq 0 ]
	[ "$(cat "$T/one")" = "$(printf 'one\ntwo')" ]
	[ "$(cat "$T/two")" = "$(printf 'three\nfour\nfive')" ]
}

@test "behaviour: ':PORT' binds every address, as udp-recv's does; udp-recv -d checks the ADDRESS it is given" {
	udp-bind :0 sh -c 'udp-recv -d 3 -a "$0/a" -t 50ms :0 >/dev/null' "$T"
	grep -Eq '^\[::\]:[0-9]+$' "$T/a" || fail_msg "bound $(cat "$T/a")"
	udp-bind 127.0.0.1:0 sh -c 'udp-recv -d 3 -a "$0/b" -t 50ms 127.0.0.1:0 >/dev/null' "$T"
	grep -Eq '^127\.0\.0\.1:[0-9]+$' "$T/b"
	run --separate-stderr udp-bind 127.0.0.1:0 udp-recv -d 3 127.0.0.2:0
	assert_failure 100
	[[ $stderr =~ ^udp-recv:\ invalid\ fd\ \'3\':\ bound\ to\ 127\.0\.0\.1:[0-9]+,\ not\ 127\.0\.0\.2:0$ ]]
	run --separate-stderr udp-bind 127.0.0.1:0 udp-recv -d 3 :0
	assert_failure 100
	[[ $stderr == *"bound to 127.0.0.1:"*", not :0" ]]
	run --separate-stderr udp-bind 127.0.0.1:0 udp-recv -d 3 -i lo
	assert_failure 100
	[[ $stderr == *"use one of ADDRESS (or -d), -I and -i"* ]]
}
