#!/usr/bin/env bats
# plot.bats: tools/plot.sh draws connstorm's per-second CSV and a channel's
# rates from its metrics files with gnuplot; bad arguments are exit 100.

load helper

setup() {
	T=$BATS_TEST_TMPDIR
	need gnuplot
	PLOT="sh $TOP/tools/plot.sh"
}

@test "plot: connstorm's CSV as an SVG with every curve, and as a PNG" {
	{
		echo t,rate,attempted,established,completed,failed,refused,timeout,reset,noport,other,open,connect_p50_us,connect_p99_us,overflows,syndrops,timewait
		for s in 1 2 3 4 5; do
			echo "$s.0,$((s * 100)),$((s * 100)),$((s * 90)),$((s * 90)),$((s * 10)),$((s * 10)),0,0,0,0,$s,40,$((s * 100)),0,0,1"
		done
	} >"$T/cs.csv"
	run $PLOT connstorm "$T/cs.csv" "$T/cs.svg"
	assert_success
	grep -q '<svg' "$T/cs.svg"
	for k in attempted/s established/s failed/s open 'connect p99'; do
		grep -q "$k" "$T/cs.svg" || fail_msg "no $k in the SVG"
	done
	run $PLOT connstorm "$T/cs.csv" "$T/cs.png"
	assert_success
	[ "$(head -c 4 "$T/cs.png" | od -An -tx1 | tr -d ' ')" = 89504e47 ]
}

# bump DIR N: channel c's metrics: N records in, N - N/10 to disk, N/10 lost
bump() {
	printf '%s\n' \
	    "chanrelay_records_in_total{channel=\"c\",program=\"udp-recv\"} $2" \
	    "chanrelay_records_dropped_total{channel=\"c\",program=\"udp-recv\",reason=\"kernel\"} $(($2 / 10))" \
	    >"$1/c.udp-recv.prom.tmp"
	mv "$1/c.udp-recv.prom.tmp" "$1/c.udp-recv.prom"
	printf '%s\n' \
	    "chanrelay_records_out_total{channel=\"c\",program=\"chanlog\"} $(($2 - $2 / 10))" \
	    >"$1/c.chanlog.prom.tmp"
	mv "$1/c.chanlog.prom.tmp" "$1/c.chanlog.prom"
}

@test "plot: a channel's records a second in, to disk and lost, sampled from its metrics files" {
	mkdir "$T/m"
	bump "$T/m" 0
	# counters that grow 1000 a second while it samples, for at most 10 s
	( for ((i = 1; i <= 200; i++)); do bump "$T/m" $((i * 50)); sleep 0.05; done ) &
	bumper=$!
	run $PLOT channel "$T/m" c 2 "$T/c.svg"
	kill "$bumper" 2>/dev/null || true
	wait "$bumper" || true
	assert_success
	grep -q '<svg' "$T/c.svg"
	[ "$(wc -l <"$T/c.svg.tsv")" -eq 3 ]
	# every second sampled saw records in, 9 to disk for each lost
	awk -F '\t' 'NR > 1 && !($2 > 0 && $3 > 0 && $4 > 0) { bad = 1 } END { exit bad }' "$T/c.svg.tsv" ||
	    fail_msg "$(cat "$T/c.svg.tsv")"
}

@test "plot: bad arguments are exit 100 with the usage line" {
	run $PLOT
	assert_equal "$status" 100
	assert_line --index 0 "plot.sh: missing what to plot"
	run $PLOT pie x y
	assert_equal "$status" 100
	assert_line --index 0 "plot.sh: invalid plot 'pie': use connstorm or channel"
	run $PLOT connstorm "$T/none.csv" "$T/o.svg"
	assert_equal "$status" 100
	assert_line --index 0 "plot.sh: invalid CSV '$T/none.csv': not readable"
	echo a,b >"$T/x.csv"
	run $PLOT connstorm "$T/x.csv" "$T/o.gif"
	assert_equal "$status" 100
	assert_line --index 0 "plot.sh: invalid output '$T/o.gif': name it .svg or .png"
	mkdir "$T/m"
	run $PLOT channel "$T/m" c 0 "$T/o.svg"
	assert_equal "$status" 100
	assert_line --index 0 "plot.sh: invalid seconds '0': a whole number from 1"
	run $PLOT channel "$T/m" c 1 "$T/o.svg"
	assert_equal "$status" 100
	assert_line --index 0 "plot.sh: invalid channel 'c': no metrics files $T/m/c.*.prom"
}
