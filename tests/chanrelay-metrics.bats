#!/usr/bin/env bats
# chanrelay-metrics.bats: chanrelay -M DIR: every program's metrics file
# per channel, chanrelay.prom, a restart seen as a fresh start; status,
# status -F json and top against channels with known rates, one of them
# losing records on purpose (a sink that never reads).
# shellcheck disable=SC2154 # bg_pid, exit_status: set by helper.bash

bats_require_minimum_version 1.5.0
load helper

setup() {
	T=$BATS_TEST_TMPDIR
	RUN=$T/run
	CONF=$T/chanrelay.conf
	M=$T/metrics
	need promtool
	export CHANRELAY_METRICS_INTERVAL=200ms
	unset CHANRELAY_METRICS_DIR CHANRELAY_CHANNEL
}

teardown() {
	local pid
	if [ -e "$T/relay.pid" ]; then
		pid=$(cat "$T/relay.pid")
		kill -TERM "$pid" 2>/dev/null || true
		wait_until 20 not_running "$pid" || true
	fi
	if [ -e "$T/tmux.sock" ]; then
		tmux -S "$T/tmux.sock" kill-server 2>/dev/null || true
	fi
	bg_cleanup
}

cr() {
	chanrelay -C "$RUN" -f "$CONF" "$@"
}

# chan NAME [SINK]: udp-recv on 127.0.0.1:0 (its address in $T/NAME.addr)
# into chanlog $T/NAME, through tee-sink SINK when given.
chan() {
	local tee=''
	[ -z "${2-}" ] || tee="tee-sink -b 64k '$2' | "
	printf '%s udp-recv -a %s/%s.addr 127.0.0.1:0 | %schanlog %s/%s\n' \
	    "$1" "$T" "$1" "$tee" "$T" "$1"
}

# start_relay CONF-LINES...: the table, then chanrelay -M run in the
# background; waits for each channel's address.
start_relay() {
	printf '%s\n' "$@" >"$CONF"
	chmod 644 "$CONF"
	start_bg relay env --default-signal=INT chanrelay -C "$RUN" -f "$CONF" \
	    -M "$M" run
}

addr_of() {
	wait_for "$T/$1.addr" '.:[0-9]+$' >/dev/null && cat "$T/$1.addr"
}

promtool_ok() {
	local out
	out=$(promtool check metrics <"$1" 2>&1) ||
	    fail_msg "promtool check metrics $1: $out" "$(cat "$1")"
}

# status_of NAME COLUMN: a column of NAME's status line (6 IN/S, 7 DISK/S,
# 8 LOST, 9 DISK)
status_of() {
	cr status 2>/dev/null | awk -v n="$1" -v c="$2" '$1 == n { print $c; exit }'
}

# between V LO HI: V is a number from LO to HI
between() {
	[[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}

rate_between() {	# rate_between NAME COLUMN LO HI
	between "$(status_of "$1" "$2")" "$3" "$4"
}

# json_is FILTER: jq -e FILTER holds of status -F json (kept in st.json)
json_is() {
	cr -F json status >"$T/st.json" && jq -e "$1" "$T/st.json" >/dev/null
}

# started_again FILE T0: FILE's start time is no longer T0
started_again() {
	[ "$(metric "$1" chanrelay_start_time_seconds)" != "$2" ]
}

# top_shows OUT REGEX: a capture of the tmux pane into OUT has a line
# matching REGEX
top_shows() {
	tmux -S "$T/tmux.sock" capture-pane -p >"$1" && grep -Eq "$2" "$1"
}

# top_moved OUT LINE: a capture into OUT whose first line is not LINE
top_moved() {
	tmux -S "$T/tmux.sock" capture-pane -p >"$1" &&
	    [ "$(head -n 1 "$1")" != "$2" ]
}

@test "chanrelay -M: a file per program of each channel, and chanrelay.prom with state, restarts and up since" {
	start_relay "$(chan a)" "$(chan b)"
	addr_of a >/dev/null
	addr_of b >/dev/null
	for f in a.udp-recv a.chanlog b.udp-recv b.chanlog chanrelay; do
		wait_for "$M/$f.prom"
	done
	wait_until 10 metric_is "$M/chanrelay.prom" chanrelay_channel_state \
	    'channel="a",program="chanrelay",state="running"' 1
	for f in "$M"/*.prom; do
		promtool_ok "$f"
	done
	assert_equal "$(metric "$M/chanrelay.prom" chanrelay_channel_state 'channel="b",program="chanrelay",state="failed"')" 0
	assert_equal "$(metric "$M/chanrelay.prom" chanrelay_channel_restarts_total 'channel="a"')" 0
	up=$(metric "$M/chanrelay.prom" chanrelay_channel_up_since_seconds 'channel="a"')
	awk -v u="$up" -v n="$(date +%s)" 'BEGIN { exit !(u > n - 60 && u <= n + 1) }' ||
	    fail_msg "up since $up"
	grep -q '^chanrelay_records_in_total{channel="a",program="udp-recv"} 0$' "$M/a.udp-recv.prom"
	udp-send -c 50 "$(cat "$T/a.addr")"
	wait_until 10 metric_is "$M/a.udp-recv.prom" chanrelay_records_in_total "" 50
	wait_until 10 metric_is "$M/a.chanlog.prom" chanrelay_records_out_total "" 50
	assert_equal "$(metric "$M/b.udp-recv.prom" chanrelay_records_in_total)" 0
	# the stop: chanrelay.prom says stopped, the programs' last numbers
	stop_bg relay TERM 30
	assert_equal "$exit_status" 0
	assert_equal "$(metric "$M/chanrelay.prom" chanrelay_channel_state 'channel="a",program="chanrelay",state="stopped"')" 1
	assert_equal "$(metric "$M/chanrelay.prom" chanrelay_channel_up_since_seconds 'channel="a"')" 0.000
	assert_equal "$(metric "$M/a.chanlog.prom" chanrelay_records_out_total)" 50
	assert_equal "$(metric "$M/a.chanlog.prom" chanrelay_files_finished_total)" 1
}

@test "chanrelay -M: a restarted channel's programs start their numbers afresh, with a new start time" {
	start_relay "$(chan a)"
	udp-send -c 20 "$(addr_of a)"
	wait_until 10 metric_is "$M/a.chanlog.prom" chanrelay_records_in_total "" 20
	t0=$(metric "$M/a.chanlog.prom" chanrelay_start_time_seconds)
	pg=$(awk '{ print $2 }' "$RUN/a.state")
	kill -KILL "$(pgrep -g "$pg" -x chanlog)"
	wait_until 20 metric_is "$M/chanrelay.prom" chanrelay_channel_restarts_total 'channel="a"' 1
	wait_until 20 metric_is "$M/chanrelay.prom" chanrelay_channel_state \
	    'channel="a",program="chanrelay",state="running"' 1
	code=$(metric "$M/chanrelay.prom" chanrelay_channel_last_exit_status 'channel="a"')
	[ "$code" -ne 0 ] || fail_msg "last exit status 0 after a kill -9"
	wait_until 10 started_again "$M/a.chanlog.prom" "$t0"
	# not the 20 of before: a counter reset, as a monitoring system expects
	assert_equal "$(metric "$M/a.chanlog.prom" chanrelay_records_in_total)" 0
	udp-send -c 5 "$(cat "$T/a.addr")"
	wait_until 10 metric_is "$M/a.chanlog.prom" chanrelay_records_in_total "" 5
}

@test "chanrelay status, status -F json and top: rates of two channels, and the loss of a third that has a sink that never reads" {
	need jq tmux
	# rates over 1 s: the programs' files and the launcher's samples are
	# not in step, so a shorter interval makes rates jump
	export CHANRELAY_METRICS_INTERVAL=1s
	start_relay "$(chan a)" "$(chan b)" "$(chan c '|sleep 3600')"
	# 250 and 100 datagrams a second for 16 s; c gets 1400-byte ones at
	# 250 a second, more than its sink's pipe and 64k queue hold
	start_bg senda udp-send -r 250 -c 4000 "$(addr_of a)"
	start_bg sendb udp-send -r 100 -c 1600 "$(addr_of b)"
	start_bg sendc udp-send -r 250 -c 4000 -z 1400 "$(addr_of c)"
	wait_until 10 rate_between a 6 200 300
	wait_until 10 rate_between b 6 70 130
	wait_until 10 rate_between a 7 200 300
	wait_until 10 rate_between b 7 70 130
	wait_until 10 rate_between c 8 1 1000000
	assert_equal "$(status_of a 8)" 0
	assert_equal "$(status_of b 8)" 0
	[ "$(status_of a 9)" != - ]
	# the same in JSON
	wait_until 10 json_is '.channels | length == 3'
	wait_until 10 json_is '.channels[] | select(.channel == "a") | .in_per_second >= 200 and .in_per_second <= 300 and .lost == 0 and .disk_bytes > 0'
	wait_until 10 json_is '.channels[] | select(.channel == "b") | .in_per_second >= 70 and .in_per_second <= 130'
	wait_until 10 json_is '.channels[] | select(.channel == "c") | .lost > 0 and .state == "running"'
	# top on a terminal (tmux): the table, refreshed every second
	tmux -S "$T/tmux.sock" new-session -d -x 160 -y 20 \
	    "chanrelay -C '$RUN' -f '$CONF' top"
	wait_until 10 top_shows "$T/top1" '^c .* running'
	grep -q '^chanrelay top ' "$T/top1"
	grep -q '^CHANNEL  *STATE  *PID  *UPTIME  *RESTARTS  *IN/S  *DISK/S  *LOST  *DISK' "$T/top1"
	lost=$(awk '$1 == "c" { print $8 }' "$T/top1")
	[ "$lost" -gt 0 ] || fail_msg "top shows c losing nothing:" "$(cat "$T/top1")"
	stamp=$(head -n 1 "$T/top1")
	wait_until 5 top_moved "$T/top2" "$stamp"
	# not a terminal: the table once, as status
	run cr top
	assert_success
	assert_line --index 0 --regexp '^CHANNEL +STATE'
	[ "${#lines[@]}" -eq 4 ]
}

@test "chanrelay -M: bad values: -F, an unwritable DIR, a bad interval" {
	printf 'a udp-recv 127.0.0.1:0 | chanlog %s/a\n' "$T" >"$CONF"
	chmod 644 "$CONF"
	run cr -F xml status
	assert_equal "$status" 100
	assert_line --index 0 "chanrelay: invalid format 'xml': use text or json"
	touch "$T/file"
	run cr -M "$T/file/m" run
	assert_equal "$status" 111
	assert_line --index 0 "chanrelay: unable to write metrics into $T/file/m"
	run env CHANRELAY_METRICS_INTERVAL=soon chanrelay -C "$RUN" -f "$CONF" -M "$M" run
	assert_equal "$status" 100
	assert_line --index 0 "chanrelay: invalid duration 'soon': invalid"
	# without -M, status has no numbers
	start_bg relay env --default-signal=INT chanrelay -C "$RUN" -f "$CONF" run
	wait_until 10 eval 'cr status 2>/dev/null | grep -q "^a .* running"'
	run cr status
	assert_success
	assert_line --index 1 --regexp '^a +running +[0-9]+ +[0-9]+s +0 +- +- +- +- '
}
