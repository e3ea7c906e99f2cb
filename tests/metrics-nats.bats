#!/usr/bin/env bats
# tests/metrics-nats.bats: the Prometheus textfiles of nats-send and
# nats-recv (chanrelay(7) METRICS) against a real nats-server started here:
# the file at start before any record, the counters while they run, what
# promtool says of them, and the last values at exit against what was sent.
# nats_* variables and exit_status are set by nats.bash and helper.bash,
# and shellcheck takes each @test for a subshell (SC2030, SC2031).
# shellcheck disable=SC2154,SC2030,SC2031

load helper
load nats

bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	need promtool
	need_nats
	export CHANRELAY_METRICS_INTERVAL=100ms
	unset CHANRELAY_METRICS_DIR CHANRELAY_CHANNEL
}

# promtool_ok FILE: promtool check metrics finds nothing wrong in FILE.
promtool_ok() {
	local out
	out=$(promtool check metrics <"$1" 2>&1) ||
	    fail_msg "promtool check metrics $1: $out" "$(cat "$1")"
}

# lines N: N lines "line I".
lines() {
	local i
	for ((i = 1; i <= $1; i++)); do
		echo "line $i"
	done
}

@test "metrics-nats: nats-send -M: the file at start, records in and acked as they go, the last at exit" {
	nats_start s
	start_fifo ns nats-send -M "$T/m.prom" -n "$nats_url" -C MS chan.ms
	wait_for "$T/m.prom"
	promtool_ok "$T/m.prom"
	assert_equal "$(metric "$T/m.prom" chanrelay_records_in_total)" 0
	assert_equal "$(metric "$T/m.prom" chanrelay_nats_acked_total)" 0
	lines 500 >"$T/in"
	feed_file ns "$T/in"
	# while it runs: the interval writes what was read and acknowledged
	wait_until 10 metric_is "$T/m.prom" chanrelay_nats_acked_total "" 500
	running "$fifo_pid"
	promtool_ok "$T/m.prom"
	assert_equal "$(metric "$T/m.prom" chanrelay_records_in_total)" 500
	close_input ns
	wait_exit "$fifo_pid"
	assert_equal "$exit_status" 0
	promtool_ok "$T/m.prom"
	assert_equal "$(metric "$T/m.prom" chanrelay_records_in_total)" 500
	assert_equal "$(metric "$T/m.prom" chanrelay_bytes_in_total)" \
	    "$(tr -d '\n' <"$T/in" | wc -c)"
	assert_equal "$(metric "$T/m.prom" chanrelay_records_out_total)" 500
	assert_equal "$(metric "$T/m.prom" chanrelay_nats_acked_total)" 500
	assert_equal "$(metric "$T/m.prom" chanrelay_nats_duplicates_total)" 0
	assert_equal "$(metric "$T/m.prom" chanrelay_nats_resent_total)" 0
	assert_equal "$(metric "$T/m.prom" chanrelay_nats_failed_total)" 0
	assert_equal "$(metric "$T/m.prom" chanrelay_records_dropped_total 'reason="skipped"')" 0
	assert_equal "$(metric "$T/m.prom" chanrelay_records_dropped_total 'reason="failed"')" 0
	assert_equal "$(nats_stream_msgs MS)" 500
	grep -q '^chanrelay_records_out_total{channel="",program="nats-send"} 500$' "$T/m.prom"
	[ ! -e "$T/m.prom.tmp" ]
}

@test "metrics-nats: nats-send: a line too long is dropped as skipped" {
	nats_start s
	{ echo short; head -c 2000000 /dev/zero | tr '\0' x; echo; echo end; } |
	    run -1 nats-send -M "$T/m.prom" -n "$nats_url" -C LONG chan.long
	promtool_ok "$T/m.prom"
	assert_equal "$(metric "$T/m.prom" chanrelay_records_dropped_total 'reason="skipped"')" 1
	assert_equal "$(metric "$T/m.prom" chanrelay_nats_acked_total)" 2
	assert_equal "$(nats_stream_msgs LONG)" 2
}

@test "metrics-nats: nats-recv -M: the file at start, records out and acked as they go, the last at exit" {
	nats_start s
	nats-send -n "$nats_url" -C MR chan.mr </dev/null
	start_bg r nats-recv -M "$T/r.prom" -n "$nats_url" -p all -F line chan.mr
	wait_for "$T/r.prom"
	promtool_ok "$T/r.prom"
	assert_equal "$(metric "$T/r.prom" chanrelay_records_out_total)" 0
	assert_equal "$(metric "$T/r.prom" chanrelay_nats_received_total)" 0
	lines 300 >"$T/in"
	nats-send -n "$nats_url" chan.mr <"$T/in"
	wait_until 10 metric_is "$T/r.prom" chanrelay_nats_acked_total "" 300
	promtool_ok "$T/r.prom"
	stop_bg r TERM
	assert_equal "$exit_status" 0
	promtool_ok "$T/r.prom"
	assert_equal "$(metric "$T/r.prom" chanrelay_records_in_total)" 300
	assert_equal "$(metric "$T/r.prom" chanrelay_bytes_in_total)" \
	    "$(tr -d '\n' <"$T/in" | wc -c)"
	assert_equal "$(metric "$T/r.prom" chanrelay_records_out_total)" 300
	assert_equal "$(metric "$T/r.prom" chanrelay_nats_received_total)" 300
	assert_equal "$(metric "$T/r.prom" chanrelay_nats_acked_total)" 300
	assert_equal "$(metric "$T/r.prom" chanrelay_nats_repeated_total)" 0
	assert_equal "$(metric "$T/r.prom" chanrelay_records_dropped_total 'reason="skipped"')" 0
	cmp "$T/in" "$T/r.out"
	grep -q '^chanrelay_nats_acked_total{channel="",program="nats-recv"} 300$' "$T/r.prom"
}

@test "metrics-nats: CHANRELAY_METRICS_DIR and CHANRELAY_CHANNEL: CHANNEL.nats-send.prom and CHANNEL.nats-recv.prom" {
	nats_start s
	mkdir "$T/md"
	lines 200 >"$T/in"
	CHANRELAY_METRICS_DIR=$T/md CHANRELAY_CHANNEL=gps nats-send \
	    -n "$nats_url" -C GPS chan.gps <"$T/in"
	CHANRELAY_METRICS_DIR=$T/md CHANRELAY_CHANNEL=gps nats-recv \
	    -n "$nats_url" -p all -c 200 -F line chan.gps >"$T/out"
	cmp "$T/in" "$T/out"
	run ls "$T/md"
	assert_output "$(printf '%s\n' gps.nats-recv.prom gps.nats-send.prom)"
	promtool_ok "$T/md/gps.nats-send.prom"
	promtool_ok "$T/md/gps.nats-recv.prom"
	grep -q '^chanrelay_records_in_total{channel="gps",program="nats-send"} 200$' "$T/md/gps.nats-send.prom"
	grep -q '^chanrelay_nats_acked_total{channel="gps",program="nats-send"} 200$' "$T/md/gps.nats-send.prom"
	grep -q '^chanrelay_records_out_total{channel="gps",program="nats-recv"} 200$' "$T/md/gps.nats-recv.prom"
	grep -q '^chanrelay_nats_acked_total{channel="gps",program="nats-recv"} 200$' "$T/md/gps.nats-recv.prom"
}
