#!/usr/bin/env bats
# metrics.bats: the Prometheus textfiles (chanrelay(7) METRICS): where they
# go, what promtool says of them, that a reader never sees half of one,
# node_exporter's textfile collector serving them, and the alert rules of
# examples/prometheus.
# shellcheck disable=SC2154 # fifo_pid, exit_status, free_port: set by helper.bash

load helper

setup() {
	T=$BATS_TEST_TMPDIR
	need promtool
	export CHANRELAY_METRICS_INTERVAL=50ms
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

@test "metrics: chanlog -M: the file at start, counters as they go, the last at exit; promtool reads them" {
	start_fifo cl chanlog -M "$T/m.prom" "$T/ch"
	wait_for "$T/m.prom"
	promtool_ok "$T/m.prom"
	assert_equal "$(metric "$T/m.prom" chanrelay_records_in_total)" 0
	start=$(metric "$T/m.prom" chanrelay_start_time_seconds)
	now=$(date +%s)
	awk -v s="$start" -v n="$now" 'BEGIN { exit !(s > n - 60 && s <= n + 1) }' ||
	    fail_msg "start time $start, now $now"
	lines 1000 >"$T/in"
	feed_file cl "$T/in"
	# while it runs: the interval writes what came in
	wait_until 10 metric_is "$T/m.prom" chanrelay_records_in_total "" 1000
	promtool_ok "$T/m.prom"
	close_input cl
	wait_exit "$fifo_pid"
	assert_equal "$exit_status" 0
	promtool_ok "$T/m.prom"
	assert_equal "$(metric "$T/m.prom" chanrelay_records_out_total)" 1000
	assert_equal "$(metric "$T/m.prom" chanrelay_bytes_in_total)" \
	    "$(tr -d '\n' <"$T/in" | wc -c)"
	assert_equal "$(metric "$T/m.prom" chanrelay_files_finished_total)" 1
	assert_equal "$(metric "$T/m.prom" chanrelay_records_dropped_total 'reason="disk"')" 0
	assert_equal "$(metric "$T/m.prom" chanrelay_disk_bytes)" \
	    "$(cat "$T"/ch/*.log | wc -c)"
	assert_equal "$(metric "$T/m.prom" chanrelay_start_time_seconds)" "$start"
	# labels: channel empty without CHANRELAY_CHANNEL, program chanlog
	grep -q '^chanrelay_records_out_total{channel="",program="chanlog"} 1000$' "$T/m.prom"
	[ ! -e "$T/m.prom.tmp" ]
}

@test "metrics: CHANRELAY_METRICS_DIR: CHANNEL.PROGRAM.prom, or PROGRAM.prom without a channel; -M wins" {
	mkdir "$T/md"
	echo x | CHANRELAY_METRICS_DIR=$T/md CHANRELAY_CHANNEL=gps chanlog "$T/a"
	echo x | CHANRELAY_METRICS_DIR=$T/md chanlog "$T/b"
	echo x | CHANRELAY_METRICS_DIR=$T/md CHANRELAY_CHANNEL=gps chanlog -M "$T/own.prom" "$T/c"
	run ls "$T/md"
	assert_output "$(printf '%s\n' chanlog.prom gps.chanlog.prom)"
	grep -q '^chanrelay_records_in_total{channel="gps",program="chanlog"} 1$' "$T/md/gps.chanlog.prom"
	grep -q '^chanrelay_records_in_total{channel="gps",program="chanlog"} 1$' "$T/own.prom"
	promtool_ok "$T/md/chanlog.prom"
}

@test "metrics: a bad interval is exit 100, a metrics file that cannot be written at start 111; nothing is written to DIR then" {
	run bash -c 'echo x | CHANRELAY_METRICS_INTERVAL=fast chanlog -M "$1/m.prom" "$1/a"' _ "$T"
	assert_equal "$status" 100
	assert_output --partial "chanlog: invalid CHANRELAY_METRICS_INTERVAL 'fast'"
	run bash -c 'echo x | CHANRELAY_METRICS_INTERVAL=1ms chanlog -M "$1/m.prom" "$1/a"' _ "$T"
	assert_equal "$status" 100
	assert_output --partial "'1ms': too small"
	run bash -c 'echo x | chanlog -M "$1/none/m.prom" "$1/b"' _ "$T"
	assert_equal "$status" 111
	assert_output --partial "chanlog: unable to write the metrics to $T/none/m.prom"
	[ ! -e "$T/b" ] || fail_msg "DIR made:" "$(ls -la "$T/b")"
}

@test "metrics: a reader never sees the file half-written while it is rewritten every 10ms" {
	CHANRELAY_METRICS_INTERVAL=10ms start_fifo cl chanlog -M "$T/m.prom" "$T/ch"
	wait_for "$T/m.prom"
	want=$(wc -l <"$T/m.prom")
	# a writer that keeps the counters moving while the reader reads
	lines 200000 >"$T/in"
	feed_file cl "$T/in" &
	feeder=$!
	# every rewrite is a new file renamed over the old: a new inode
	seen=0 changed=0 last=''
	for ((i = 0; i < 3000 && changed < 30; i++)); do
		ino=$(stat -c %i "$T/m.prom")
		cur=$(cat "$T/m.prom")
		n=$(printf '%s\n' "$cur" | wc -l)
		[ "$n" -eq "$want" ] ||
		    fail_msg "read $i: $n lines, not $want:" "$cur"
		printf '%s\n' "$cur" | tail -n 1 | grep -q '^chanrelay_disk_bytes{' ||
		    fail_msg "read $i: it does not end with the last metric:" "$cur"
		[ "$ino" = "$last" ] || changed=$((changed + 1))
		last=$ino
		seen=$((seen + 1))
	done
	wait "$feeder"
	[ "$changed" -ge 30 ] ||
	    fail_msg "the file was rewritten only $changed times in $seen reads"
	close_input cl
	wait_exit "$fifo_pid"
	promtool_ok "$T/m.prom"
	assert_equal "$(metric "$T/m.prom" chanrelay_records_out_total)" 200000
}

@test "metrics: node_exporter's textfile collector serves a channel's counters, scraped with curl" {
	need prometheus-node-exporter curl
	mkdir "$T/md"
	lines 3 | CHANRELAY_METRICS_DIR=$T/md CHANRELAY_CHANNEL=demo chanlog "$T/ch"
	free_tcp_port
	start_bg ne prometheus-node-exporter \
	    --web.listen-address="127.0.0.1:$free_port" \
	    --collector.disable-defaults --collector.textfile \
	    --collector.textfile.directory="$T/md"
	wait_until 10 curl -fsS -o "$T/scrape" "http://127.0.0.1:$free_port/metrics"
	grep -q '^chanrelay_records_in_total{channel="demo",program="chanlog"} 3$' "$T/scrape" ||
	    fail_msg "not in the scrape:" "$(grep chanrelay "$T/scrape")"
	grep -q '^chanrelay_files_finished_total{channel="demo",program="chanlog"} 1$' "$T/scrape"
	# and no error reading the directory
	grep -q '^node_textfile_scrape_error 0$' "$T/scrape"
}

@test "metrics: the alert rules of examples/prometheus are valid, and fire on loss and restarts (promtool test rules)" {
	run promtool check rules "$TOP/examples/prometheus/chanrelay-rules.yml"
	assert_success
	assert_output --partial "SUCCESS: 2 rules found"
	run promtool test rules "$TOP/tests/fixtures/chanrelay-rules.test.yml"
	assert_success
	assert_output --partial SUCCESS
}

@test "metrics: udp-send -M and udp-recv -M agree with what was sent; the kernel's drops counted where the test makes them" {
	start_bg recv udp-recv -a "$T/addr" -M "$T/r.prom" -c 300 127.0.0.1:0
	wait_for "$T/addr" '.:[0-9]+$'
	wait_for "$T/r.prom"
	promtool_ok "$T/r.prom"
	assert_equal "$(metric "$T/r.prom" chanrelay_records_in_total)" 0
	run udp-send -M "$T/s.prom" -z 100 -c 300 "$(cat "$T/addr")"
	assert_success
	promtool_ok "$T/s.prom"
	assert_equal "$(metric "$T/s.prom" chanrelay_records_in_total)" 300
	assert_equal "$(metric "$T/s.prom" chanrelay_records_out_total)" 300
	assert_equal "$(metric "$T/s.prom" chanrelay_bytes_out_total)" 30000
	assert_equal "$(metric "$T/s.prom" chanrelay_records_dropped_total 'reason="refused"')" 0
	wait_exit "$(bg_pid_of recv)"
	assert_equal "$exit_status" 0
	promtool_ok "$T/r.prom"
	assert_equal "$(metric "$T/r.prom" chanrelay_records_in_total)" 300
	assert_equal "$(metric "$T/r.prom" chanrelay_records_out_total)" 300
	assert_equal "$(metric "$T/r.prom" chanrelay_bytes_out_total)" 30000
	assert_equal "$(metric "$T/r.prom" chanrelay_records_dropped_total 'reason="kernel"')" 0

	# a stopped receiver with the smallest buffer: the kernel drops; -G,
	# since udp-send's trains would reach a GRO socket whole, and the
	# kernel counts a dropped train once (udp-recv(1))
	start_bg recv2 udp-recv -G -v -a "$T/addr2" -M "$T/r2.prom" -b 4096 -T 2s 127.0.0.1:0
	wait_for "$T/addr2" '.:[0-9]+$'
	kill -STOP "$(bg_pid_of recv2)"
	udp-send -z 1000 -c 2000 "$(cat "$T/addr2")"
	kill -CONT "$(bg_pid_of recv2)"
	wait_exit "$(bg_pid_of recv2)"
	assert_equal "$exit_status" 1
	drops=$(grep -o 'dropped=[0-9]*' "$T/recv2.err" | tail -n 1 | cut -d = -f 2)
	[ "$drops" -gt 0 ] || fail_msg "no drops: $(cat "$T/recv2.err")"
	assert_equal "$(metric "$T/r2.prom" chanrelay_records_dropped_total 'reason="kernel"')" "$drops"
	assert_equal $(($(metric "$T/r2.prom" chanrelay_records_in_total) + drops)) 2000
}

@test "metrics: tee-sink -M: records in and out, per sink; a sink that never reads shows its drops and its queue" {
	# 4 MB: more than the pipe to the stalled sink and its queue hold
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "%099d\n", i }' >"$T/in"
	# the sink that never reads: a sleep whose pid the test keeps, to end it
	stall="|echo \$\$ >$T/stall.pid; exec sleep 3600 >/dev/null 2>&1"
	run bash -c 'tee-sink -v -M "$1/t.prom" -b 4096 -D 0 "$1/copy" "$2" <"$1/in" >"$1/out"' _ "$T" "$stall"
	kill "$(cat "$T/stall.pid")"
	assert_equal "$status" 1
	promtool_ok "$T/t.prom"
	assert_equal "$(metric "$T/t.prom" chanrelay_records_in_total)" 40000
	assert_equal "$(metric "$T/t.prom" chanrelay_records_out_total)" 40000
	assert_equal "$(metric "$T/t.prom" chanrelay_bytes_out_total)" "$(wc -c <"$T/out")"
	assert_equal "$(metric "$T/t.prom" chanrelay_sink_records_out_total "sink=\"$T/copy\"")" 40000
	assert_equal "$(metric "$T/t.prom" chanrelay_sink_bytes_out_total "sink=\"$T/copy\"")" "$(wc -c <"$T/copy")"
	assert_equal "$(metric "$T/t.prom" chanrelay_sink_records_dropped_total "sink=\"$T/copy\"")" 0
	dropped=$(grep -F "$stall records=" <<<"$output" | grep -o 'dropped=[0-9]*' | cut -d = -f 2)
	[ "$dropped" -gt 0 ] || fail_msg "$output"
	assert_equal "$(metric "$T/t.prom" chanrelay_sink_records_dropped_total "sink=\"$stall\"")" "$dropped"
	taken=$(metric "$T/t.prom" chanrelay_sink_records_out_total "sink=\"$stall\"")
	assert_equal $((taken + dropped)) 40000
}

@test "metrics: tee-sink's queue depth while a sink is stalled, and the file rewritten while it runs" {
	stall="|echo \$\$ >$T/stall.pid; exec sleep 3600 >/dev/null 2>&1"
	CHANRELAY_METRICS_INTERVAL=50ms start_fifo tee tee-sink -n -M "$T/t.prom" -b 1M "$stall"
	# 4 MB: more than the pipe to the sink and its 1M queue hold
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "%099d\n", i }' >"$T/in"
	feed_file tee "$T/in"
	wait_until 10 metric_is "$T/t.prom" chanrelay_records_in_total "" 40000
	wait_for "$T/stall.pid"
	q=$(metric "$T/t.prom" chanrelay_sink_queue_records "sink=\"$stall\"")
	[ "$q" -gt 0 ] || fail_msg "queue $q:" "$(cat "$T/t.prom")"
	qb=$(metric "$T/t.prom" chanrelay_sink_queue_bytes "sink=\"$stall\"")
	[ "$qb" -gt $((900 * 1024)) ] && [ "$qb" -le $((1024 * 1024)) ] ||
	    fail_msg "queue bytes $qb, not about the 1M of -b"
	[ "$(metric "$T/t.prom" chanrelay_sink_records_dropped_total "sink=\"$stall\"")" -gt 0 ]
	assert_equal "$(metric "$T/t.prom" chanrelay_sink_up "sink=\"$stall\"")" 1
	# stdout is off (-n): no records_out
	run metric "$T/t.prom" chanrelay_records_out_total
	assert_failure
	stop_bg tee
	kill "$(cat "$T/stall.pid")"
}

@test "metrics: tcp-listen -M: connections accepted, refused by the rules, handlers that ran" {
	need nc
	CHANRELAY_METRICS_INTERVAL=50ms start_tl tl -M "$T/l.prom" 127.0.0.1:0 true
	wait_for "$T/l.prom"
	promtool_ok "$T/l.prom"
	for i in 1 2 3 4 5; do
		nc -N 127.0.0.1 "$tl_port" </dev/null >/dev/null 2>&1 || true
	done
	wait_until 10 metric_is "$T/l.prom" chanrelay_handlers_exited_total "" 5
	assert_equal "$(metric "$T/l.prom" chanrelay_connections_accepted_total)" 5
	assert_equal "$(metric "$T/l.prom" chanrelay_handlers_running)" 0
	stop_bg tl
	promtool_ok "$T/l.prom"

	start_tl tl2 -M "$T/l2.prom" -X 127.0.0.0/8 127.0.0.1:0 true
	for i in 1 2 3; do
		nc -N 127.0.0.1 "$tl_port" </dev/null >/dev/null 2>&1 || true
	done
	stop_bg tl2
	assert_equal "$(metric "$T/l2.prom" chanrelay_connections_refused_total 'reason="denied"')" 3
	assert_equal "$(metric "$T/l2.prom" chanrelay_connections_accepted_total)" 3
	assert_equal "$(metric "$T/l2.prom" chanrelay_handlers_exited_total)" 0
}
