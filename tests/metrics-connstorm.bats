#!/usr/bin/env bats
# tests/metrics-connstorm.bats: the Prometheus textfile of connstorm
# (chanrelay(7) METRICS) against `tcp-listen ADDR cat`: the file at start
# before any connection, the counters while it runs, what promtool says of
# them, and the last values at exit against the JSON summary.
# tl_* and exit_status are set by helper.bash; shellcheck takes each @test
# for a subshell (SC2030, SC2031).
# shellcheck disable=SC2154,SC2030,SC2031

bats_require_minimum_version 1.5.0
load helper

CAUSES='refused timeout reset noport unreachable mismatch eof nofd other'

setup() {
	T=$BATS_TEST_TMPDIR
	need promtool
	unset CHANRELAY_METRICS_DIR CHANRELAY_CHANNEL
}

# promtool_ok FILE: promtool check metrics finds nothing wrong in FILE.
promtool_ok() {
	local out
	out=$(promtool check metrics <"$1" 2>&1) ||
	    fail_msg "promtool check metrics $1: $out" "$(cat "$1")"
}

# final FILE: the last values in FILE are those of a run of 100
# connections that all completed, 4 bytes each way.
final() {
	local c
	promtool_ok "$1"
	assert_equal "$(metric "$1" chanrelay_connections_attempted_total)" 100
	assert_equal "$(metric "$1" chanrelay_connections_opened_total)" 100
	assert_equal "$(metric "$1" chanrelay_connections_completed_total)" 100
	assert_equal "$(metric "$1" chanrelay_bytes_out_total)" 400
	assert_equal "$(metric "$1" chanrelay_bytes_in_total)" 400
	assert_equal "$(metric "$1" chanrelay_connections_open)" 0
	for c in $CAUSES; do
		assert_equal "$(metric "$1" chanrelay_connections_failed_total "reason=\"$c\"")" 0
	done
}

@test "metrics-connstorm: -M: written at start before any connection, the last at exit equal to the summary" {
	start_tl tl 127.0.0.1:0 cat
	# no interval within the run: the file holds the start until the exit
	CHANRELAY_METRICS_INTERVAL=1h start_bg cs connstorm -q -F json \
	    -M "$T/c.prom" -r 50 -t 2s -p ping -e ping "$tl_addr"
	wait_for "$T/c.prom"
	promtool_ok "$T/c.prom"
	assert_equal "$(metric "$T/c.prom" chanrelay_connections_attempted_total)" 0
	assert_equal "$(metric "$T/c.prom" chanrelay_bytes_out_total)" 0
	finish cs 20
	assert_equal "$exit_status" 0
	final "$T/c.prom"
	assert_equal "$(json_get "$T/cs.out" 'd["completed"]')" 100
	grep -q '^chanrelay_connections_completed_total{channel="",program="connstorm"} 100$' "$T/c.prom"
	[ ! -e "$T/c.prom.tmp" ]
}

@test "metrics-connstorm: CHANRELAY_METRICS_DIR and CHANRELAY_CHANNEL: CHANNEL.connstorm.prom, counters every interval" {
	start_tl tl 127.0.0.1:0 cat
	mkdir "$T/md"
	CHANRELAY_METRICS_DIR=$T/md CHANRELAY_CHANNEL=load \
	    CHANRELAY_METRICS_INTERVAL=100ms start_bg cs connstorm -q -F json \
	    -r 25 -t 4s -p ping -e ping "$tl_addr"
	wait_for "$T/md/load.connstorm.prom"
	# while it runs: the interval writes the connections so far
	wait_until 10 metric_is "$T/md/load.connstorm.prom" \
	    chanrelay_connections_completed_total "" 25
	running "$(bg_pid_of cs)"
	promtool_ok "$T/md/load.connstorm.prom"
	finish cs 20
	assert_equal "$exit_status" 0
	final "$T/md/load.connstorm.prom"
	run ls "$T/md"
	assert_output load.connstorm.prom
	grep -q '^chanrelay_connections_attempted_total{channel="load",program="connstorm"} 100$' "$T/md/load.connstorm.prom"
}

@test "metrics-connstorm: refused connections are counted by reason" {
	dead_tcp_port
	run -1 connstorm -q -M "$T/c.prom" -r 20 -t 1s "127.0.0.1:$dead_port"
	promtool_ok "$T/c.prom"
	assert_equal "$(metric "$T/c.prom" chanrelay_connections_attempted_total)" 20
	assert_equal "$(metric "$T/c.prom" chanrelay_connections_failed_total 'reason="refused"')" 20
	assert_equal "$(metric "$T/c.prom" chanrelay_connections_opened_total)" 0
}

@test "metrics-connstorm: -X: the counters go on from step to step" {
	start_acceptd ad 127.0.0.1:0
	run -0 connstorm -q -F json -M "$T/c.prom" -X -i 10 -r 40 -g 2 -t 1s \
	    "$ad_addr"
	promtool_ok "$T/c.prom"
	# the steps of 10, 20 and 40 connections a second, each held 1 s
	assert_equal "$(metric "$T/c.prom" chanrelay_connections_attempted_total)" 70
	assert_equal "$(metric "$T/c.prom" chanrelay_connections_completed_total)" 70
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" 70
}
