#!/usr/bin/env bats
# bg_pid, exit_status, tl_*, ad_*, dead_port, NS and NS_PID are set by
# helper.bash; shellcheck takes each @test for a subshell and warns about
# the globals the tests set (SC2030, SC2031)
# shellcheck disable=SC2154,SC2030,SC2031
# tests/connstorm.bats: connstorm against `tcp-listen ADDR cat` and the
# test server tests/tools/acceptd (close, wrong echo, hold, stall): usage,
# bad values, counts checked against what the server counted, echo
# verification, refused connections, the JSON and CSV summaries against
# the per-second lines, the deadline, the -l cap, TIME_WAIT with and
# without -N, the file descriptor limit, TERM, the ramp, -k, -s, the
# ceiling search (-X) and the verbose lines (-v).

bats_require_minimum_version 1.5.0
load helper

USAGE='usage: connstorm [-hNqvX] [-E PERCENT] [-e REPLY] [-F FORMAT] [-g FACTOR] [-I RAMP] [-i START] [-k HOLD] [-l LIMIT] [-M FILE] [-n LENGTH] [-P LATENCY] [-p PAYLOAD] [-r RATE] [-s SOURCES] [-t DURATION] [-w TIMEOUT] ADDRESS'
CSV_HEADER='t,rate,attempted,established,completed,failed,refused,timeout,reset,noport,other,open,connect_p50_us,connect_p99_us,overflows,syndrops,timewait'
CAUSES='refused timeout reset noport unreachable mismatch eof nofd other'

setup_file() {
	command -v connstorm >/dev/null ||
	    fail_msg "connstorm is not built: run make"
	command -v acceptd >/dev/null ||
	    fail_msg "tests/tools/acceptd is not built: run make tools"
}

# storm ARGS...: connstorm -F json ARGS under timeout 30; the JSON summary
# in $T/cs.json, stderr (the per-second lines) in $T/cs.err; sets
# cs_status, and cs_ms, the wall time in milliseconds.
storm() {
	local t0 t1
	cs_status=0
	t0=$(date +%s%N)
	timeout 30 connstorm -F json "$@" >"$T/cs.json" 2>"$T/cs.err" ||
	    cs_status=$?
	t1=$(date +%s%N)
	cs_ms=$(((t1 - t0) / 1000000))
}

# js EXPR: EXPR over d, the JSON summary of the last storm.
js() {
	json_get "$T/cs.json" "$1"
}

# storm_status N: the last storm exited N; else fail showing its output.
storm_status() {
	[ "$cs_status" -eq "$1" ] && return 0
	fail_msg "connstorm exited $cs_status, not $1; stdout:" \
	    "$(cat "$T/cs.json")" "stderr:" "$(cat "$T/cs.err")"
}

# no_failures: the last storm's JSON counts no failure of any cause.
no_failures() {
	local c
	assert_equal "$(js 'd["failed"]')" 0
	for c in $CAUSES; do
		assert_equal "$(js "d[\"errors\"][\"$c\"]")" 0
	done
}

# only_cause CAUSE: every attempt of the last storm failed, all by CAUSE.
only_cause() {
	local c n
	n=$(js 'd["attempted"]')
	[ "$n" -gt 0 ] || fail_msg "nothing attempted: $(cat "$T/cs.json")"
	assert_equal "$(js 'd["failed"]')" "$n"
	assert_equal "$(js 'd["completed"]')" 0
	for c in $CAUSES; do
		if [ "$c" = "$1" ]; then
			assert_equal "$(js "d[\"errors\"][\"$c\"]")" "$n"
		else
			assert_equal "$(js "d[\"errors\"][\"$c\"]")" 0
		fi
	done
}

# --------------------------------------------------------------- usage

@test "usage: -h prints the usage line to stdout and exits 0" {
	run --separate-stderr timeout 20 connstorm -h
	assert_success
	assert_output "$USAGE"
	[ -z "$stderr" ]
}

@test "usage: no operand exits 100 with the usage line" {
	run timeout 20 connstorm
	assert_failure 100
	assert_line --index 0 "connstorm: missing ADDRESS"
	assert_line --index 1 "$USAGE"
}

@test "usage: an unknown option exits 100 naming it, with the usage line" {
	run timeout 20 connstorm -z 127.0.0.1:1
	assert_failure 100
	assert_line --index 0 --partial "-z"
	assert_line --index 1 "$USAGE"
}

@test "usage: a missing option argument exits 100 with the usage line" {
	run timeout 20 connstorm 127.0.0.1:1 -r
	assert_failure 100
	assert_line --index 1 "$USAGE"
}

@test "usage: -e with -n exits 100 with the usage line" {
	run timeout 20 connstorm -p ping -e ping -n 4 127.0.0.1:1
	assert_failure 100
	assert_line --index 0 --regexp '^connstorm: .*-e.*-n'
	assert_line --index 1 "$USAGE"
}

@test "usage: -X without -r exits 100 with the usage line" {
	run timeout 20 connstorm -X 127.0.0.1:1
	assert_failure 100
	assert_line --index 0 --regexp '^connstorm: .*-r'
	assert_line --index 1 "$USAGE"
}

# ----------------------------------------------------------- bad values

# bad VALUE ARGS...: connstorm ARGS exits 100 at once, without connecting;
# the first line of its output names 'VALUE'; the second is the usage line.
bad() {
	local val=$1
	shift
	bad_usage connstorm "$val" "$@"
	assert_line --index 0 --regexp "^connstorm: invalid "
}

bad_addr() {
	bad "$1" "$1"
	assert_line --index 0 --partial "connstorm: invalid address '$1': "
}

@test "bad value: rate 0" { bad 0 -r 0 127.0.0.1:1; }
@test "bad value: rate x" { bad x -r x 127.0.0.1:1; }
@test "bad value: rate 10000001" { bad 10000001 -r 10000001 127.0.0.1:1; }
@test "bad value: rate -5" { bad -5 -r -5 127.0.0.1:1; }
@test "bad value: -l 0" { bad 0 -l 0 127.0.0.1:1; }
@test "bad value: -l 1000001" { bad 1000001 -l 1000001 127.0.0.1:1; }
@test "bad value: -t 3x" { bad 3x -t 3x 127.0.0.1:1; }
@test "bad value: -w 0" { bad 0 -w 0 127.0.0.1:1; }
@test "bad value: -k soon" { bad soon -k soon 127.0.0.1:1; }
@test "bad value: -n x" { bad x -n x 127.0.0.1:1; }
@test "bad value: -F yaml" { bad yaml -F yaml 127.0.0.1:1; }
@test "bad value: -p with a bad escape" { bad '\xZZ' -p '\xZZ' 127.0.0.1:1; }
@test "bad value: address x" { bad_addr x; }
@test "bad value: address without a port" { bad_addr 127.0.0.1; }
@test "bad value: port 65536" { bad_addr 127.0.0.1:65536; }
@test "bad value: a host name is never looked up" { bad_addr localhost:80; }
@test "bad value: [::1 without its bracket" { bad_addr '[::1:80'; }
@test "bad value: -s with an address not of this host" {
	bad 192.0.2.1 -s 192.0.2.1 -r 10 -t 1s 127.0.0.1:9
	assert_line --index 0 "connstorm: invalid source '192.0.2.1': not an address of this host"
}

@test "fd limit: -l beyond the hard RLIMIT_NOFILE exits 100 with one line saying so" {
	need prlimit
	run timeout 20 prlimit --nofile=256:256 connstorm -l 1000 127.0.0.1:1
	assert_failure 100
	assert_output "connstorm: -l 1000 needs 1064 file descriptors, the limit is 256"
}

@test "fd limit: -l 192 fits a hard limit of 256 (192 + 64) and runs" {
	need prlimit
	start_acceptd ad 127.0.0.1:0
	run timeout 20 prlimit --nofile=256:256 connstorm -q -l 192 -r 50 \
	    -t 1s "$ad_addr"
	assert_success
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" 50
}

# ------------------------------------------------------------ behaviour

@test "echo: against 'tcp-listen ADDR cat', -p/-e at 50/s for 3 s all complete, as many as tcp-listen accepted" {
	start_tl tl 127.0.0.1:0 cat
	storm -r 50 -t 3s -p 'ping\r\n\x00\xff' -e 'ping\r\n\x00\xff' "$tl_addr"
	storm_status 0
	no_failures
	# 150 due; on a loaded machine one may come too late to start and is
	# counted behind (connstorm(1)): every one is either, and every one
	# started completes
	assert_equal "$(js 'd["target"]')" 150
	assert_equal "$(js 'd["attempted"] + d["behind"]')" 150
	assert_equal "$(js 'd["attempted"] >= 145')" True
	n=$(js 'd["attempted"]')
	assert_equal "$(js 'd["established"]')" "$n"
	assert_equal "$(js 'd["completed"]')" "$n"
	assert_equal "$(js 'd["reply_us"]["p50"] is not None')" True
	assert_equal "$(js 'd["connect_us"]["max"] >= d["connect_us"]["p50"] > 0')" True
	stop_bg tl
	grep -Eq "^tcp-listen: accepted $n, " "$T/tl.err" ||
	    fail_msg "tcp-listen counted otherwise: $(cat "$T/tl.err")"
}

@test "echo: a reply that differs from -e is a mismatch, every one, exit 1" {
	start_tl tl 127.0.0.1:0 cat
	storm -r 50 -t 1s -p ping -e pong "$tl_addr"
	storm_status 1
	only_cause mismatch
	assert_equal "$(js 'd["established"]')" 50
}

@test "echo: a server that answers wrong bytes (acceptd -m wrong) is caught as mismatch, exit 1" {
	start_acceptd ad -m wrong -n 5 127.0.0.1:0
	storm -r 50 -t 1s -p hello -e hello "$ad_addr"
	storm_status 1
	only_cause mismatch
	grep -q 'failed' "$T/cs.err" || fail_msg "no line says connections failed"
	stop_acceptd ad
	# both peers: every connection was answered, every answer refused
	assert_equal "$(acceptd_count ad answered)" "$(js 'd["errors"]["mismatch"]')"
}

# told CAUSE: the failures of CAUSE the -v lines of the last storm tell:
# one a line, plus the N of "(and N more since ...)" and of a last line
# "CAUSE: N more since ...". Fails when two lines of CAUSE that tell a
# failure of their own are less than a second apart.
told() {
	awk -v c="$1" '
	$0 ~ "^connstorm: t=[0-9.]+s: " c ": " {
		t = $2; sub(/^t=/, "", t); sub(/s:$/, "", t)
		if ($4 ~ /^[0-9]+$/ && $5 == "more") { n += $4; next }
		if (seen && t - last < 0.999) {
			print "lines " last " and " t " less than a second apart"
			exit 1
		}
		seen = 1; last = t; n++
		if (match($0, /\(and [0-9]+ more since/)) {
			m = substr($0, RSTART + 5); sub(/ .*/, "", m); n += m
		}
	}
	END { print n + 0 }' "$T/cs.err"
}

@test "-v: the settings at start, then every refusal told, at most one line a second, the rest counted" {
	dead_tcp_port
	tcp_refused 127.0.0.1 "$dead_port"
	storm -v -r 100 -t 2500ms "127.0.0.1:$dead_port"
	storm_status 1
	only_cause refused
	assert_equal "$(head -n 1 "$T/cs.err")" "connstorm: 127.0.0.1:$dead_port: rate=100 start=100 ramp=0.000s duration=2.500s limit=1000 timeout=5.000s hold=0.000s close=reset payload=0 reply=0 sources=0"
	grep -Eq '^connstorm: t=0\.[0-9]{3}s: refused: Connection refused$' "$T/cs.err" ||
	    fail_msg "the first refusal is not told: $(cat "$T/cs.err")"
	grep -Eq '^connstorm: t=[0-9.]+s: refused: Connection refused \(and [1-9][0-9]* more since t=[0-9.]+s\)$' "$T/cs.err" ||
	    fail_msg "no line counts the ones held back: $(cat "$T/cs.err")"
	# at most one line a second: 3 within 2.5 s, and the last count
	n=$(grep -c '^connstorm: t=.*: refused: ' "$T/cs.err")
	[ "$n" -ge 3 ] && [ "$n" -le 5 ] || fail_msg "$n lines for refused: $(cat "$T/cs.err")"
	run -0 told refused
	assert_output "$(js 'd["errors"]["refused"]')"
	assert_output 250
}

@test "-v: a wrong reply is told as mismatch; without -v, no line of the kind" {
	start_acceptd ad -m wrong -n 5 127.0.0.1:0
	storm -v -r 50 -t 1s -p hello -e hello "$ad_addr"
	storm_status 1
	only_cause mismatch
	grep -q "^connstorm: $ad_addr: rate=50 .* payload=5 reply=5 sources=0$" "$T/cs.err" ||
	    fail_msg "no settings line: $(cat "$T/cs.err")"
	grep -Eq '^connstorm: t=[0-9.]+s: mismatch: the reply differs from the one expected' "$T/cs.err" ||
	    fail_msg "no mismatch line: $(cat "$T/cs.err")"
	run -0 told mismatch
	assert_output "$(js 'd["errors"]["mismatch"]')"
	storm -r 50 -t 1s -p hello -e hello "$ad_addr"
	storm_status 1
	run grep -E '^connstorm: (t=|127\.0\.0\.1:)' "$T/cs.err"
	assert_failure 1
	stop_acceptd ad
	assert_equal "$(acceptd_count ad answered)" 100
}

@test "echo: a reply cut short by the server's close counts as eof" {
	start_acceptd ad -m wrong -n 4 127.0.0.1:0
	storm -r 50 -t 1s -p 'pingpong' -n 8 "$ad_addr"
	storm_status 1
	only_cause eof
}

@test "close server: completed equals what acceptd accepted (SO_LINGER 0 and -N)" {
	start_acceptd ad 127.0.0.1:0
	storm -r 100 -t 3s "$ad_addr"
	storm_status 0
	no_failures
	n=$(js 'd["completed"]')
	assert_equal "$n" 300
	assert_equal "$(js 'd["attempted"]')" 300
	storm -N -r 100 -t 1s "$ad_addr"
	storm_status 0
	no_failures
	assert_equal "$(js 'd["completed"]')" 100
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" 400
	assert_equal "$(acceptd_count ad aborted)" 0
}

@test "close server over IPv6: completed equals what acceptd accepted" {
	need_ipv6
	start_acceptd ad '[::1]:0'
	storm -r 50 -t 1s "$ad_addr"
	storm_status 0
	no_failures
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" "$(js 'd["completed"]')"
	assert_equal "$(js 'd["completed"]')" 50
}

@test "refused: no listener: every attempt counted as refused, none established, exit 1" {
	dead_tcp_port
	tcp_refused 127.0.0.1 "$dead_port"
	storm -r 50 -t 1s "127.0.0.1:$dead_port"
	storm_status 1
	only_cause refused
	assert_equal "$(js 'd["attempted"]')" 50
	assert_equal "$(js 'd["established"]')" 0
	assert_equal "$(js 'sum(s["refused"] for s in d["seconds"])')" 50
	grep -q '50 of 50 connections failed' "$T/cs.err" ||
	    fail_msg "no line says they failed: $(cat "$T/cs.err")"
}

# ---------------------------------------------------- output and summary

@test "json: one object with the documented keys; totals are the sums of the per-second lines" {
	need python3
	start_acceptd ad 127.0.0.1:0
	storm -r 100 -I 1s -i 20 -t 2s "$ad_addr"
	storm_status 0
	[ "$(wc -l <"$T/cs.json")" -eq 1 ] || fail_msg "not one line: $(cat "$T/cs.json")"
	python3 -m json.tool "$T/cs.json" >/dev/null
	# the per-second text lines on stderr, the JSON seconds, the totals
	run python3 - "$T/cs.json" "$T/cs.err" <<-'EOF'
	import json, re, sys
	d = json.load(open(sys.argv[1]))
	top = ("target_rate duration_s sustained_cps peak_concurrency attempted "
	       "established completed failed errors connect_us reply_us "
	       "listen_overflows behind seconds").split()
	causes = "refused timeout reset noport unreachable mismatch eof nofd other".split()
	pcts = "p50 p90 p99 p999 max".split()
	sec = ("t rate attempted established completed failed refused timeout "
	       "reset noport other open connect_p50_us connect_p99_us overflows "
	       "syndrops timewait").split()
	bad = [k for k in top if k not in d]
	bad += ["errors." + k for k in causes if k not in d["errors"]]
	bad += [h + "." + k for h in ("connect_us", "reply_us") for k in pcts
	        if k not in d[h]]
	bad += ["seconds[]." + k for s in d["seconds"] for k in sec if k not in s]
	if bad:
	    sys.exit("missing keys: " + " ".join(bad))
	lines = [dict(kv.split("=", 1) for kv in l.split())
	         for l in open(sys.argv[2]) if l.startswith("t=")]
	if len(lines) != len(d["seconds"]):
	    sys.exit("%d text lines, %d JSON seconds" % (len(lines), len(d["seconds"])))
	for k in ("attempted", "established", "completed", "failed"):
	    js = sum(s[k] for s in d["seconds"])
	    tx = sum(int(l[k]) for l in lines)
	    if not (js == tx == d[k]):
	        sys.exit("%s: total %d, JSON seconds %d, text lines %d" % (k, d[k], js, tx))
	for s, l in zip(d["seconds"], lines):
	    for k in ("rate", "attempted", "completed", "open", "refused", "timeout", "reset"):
	        if str(s[k]) != l[k]:
	            sys.exit("second %s: %s JSON %s text %s" % (s["t"], k, s[k], l[k]))
	# the ramp: from 20/s to 100/s over the first second, then 100/s
	if d["seconds"][0]["rate"] >= d["seconds"][-1]["rate"] or d["target_rate"] != 100:
	    sys.exit("no ramp: %r" % [s["rate"] for s in d["seconds"]])
	if d["errors"] != dict.fromkeys(causes, 0) or d["peak_concurrency"] < 1:
	    sys.exit("errors or peak: %r %r" % (d["errors"], d["peak_concurrency"]))
	print("ok", d["completed"])
	EOF
	assert_success
	assert_output --regexp '^ok [0-9]+$'
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" "$(js 'd["completed"]')"
}

@test "csv: the spec's header; the rows add up to the summary's counts" {
	start_acceptd ad 127.0.0.1:0
	run --separate-stderr timeout 30 connstorm -F csv -r 100 -t 2s "$ad_addr"
	assert_success
	assert_line --index 0 "$CSV_HEADER"
	[ "${#lines[@]}" -ge 3 ] || fail_msg "fewer than 2 rows: $output"
	sums=$(printf '%s\n' "$output" | awk -F, 'NR > 1 {
	    if (NF != 17) { print "bad row: " $0; exit 1 }
	    a += $3; e += $4; c += $5; f += $6 }
	    END { printf "attempted=%d established=%d completed=%d failed=%d", a, e, c, f }')
	# the summary text went to stderr
	printf '%s\n' "$stderr" | grep -q "^result: .* attempted=200 established=200 completed=200 failed=0 " ||
	    fail_msg "summary: $stderr"
	assert_equal "$sums" "attempted=200 established=200 completed=200 failed=0"
}

@test "-q: no per-second lines, the summary alone" {
	start_acceptd ad 127.0.0.1:0
	run --separate-stderr timeout 30 connstorm -q -r 50 -t 1s "$ad_addr"
	assert_success
	[ -z "$stderr" ] || fail_msg "stderr: $stderr"
	assert_line --regexp '^result: .* attempted=50 established=50 completed=50 failed=0 '
	refute_line --regexp '^t='
}

# ------------------------------------------------------------- deadline

@test "deadline: against a server that never answers, -t 2s -w 10s ends within 1 s of the deadline, in flight counted as aborted" {
	start_acceptd ad -m hold 127.0.0.1:0
	storm -r 100 -t 2s -w 10s -p ping -e ping "$ad_addr"
	storm_status 1
	[ "$cs_ms" -ge 2000 ] && [ "$cs_ms" -lt 3000 ] ||
	    fail_msg "ran ${cs_ms} ms for a 2 s run"
	assert_equal "$(js 'd["attempted"]')" 200
	assert_equal "$(js 'd["completed"]')" 0
	assert_equal "$(js 'd["aborted"]')" 200
	assert_equal "$(js 'd["failed"]')" 0
	grep -q 'aborted' "$T/cs.err" || fail_msg "no line says aborted"
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" 200
}

@test "deadline: against a server whose accept queue is full (SYNs dropped), it still ends within 1 s, with the listen overflows reported" {
	start_acceptd ad -m stall -b 1 127.0.0.1:0
	storm -r 100 -t 2s -w 10s "$ad_addr"
	storm_status 1
	[ "$cs_ms" -ge 2000 ] && [ "$cs_ms" -lt 3000 ] ||
	    fail_msg "ran ${cs_ms} ms for a 2 s run"
	assert_equal "$(js 'd["attempted"]')" 200
	assert_equal "$(js 'd["completed"] < 10')" True
	assert_equal "$(js 'd["listen_overflows"] > 0')" True
	assert_equal "$(js 'sum(s["overflows"] for s in d["seconds"]) > 0')" True
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" 0
}

@test "TERM: stops like the deadline, prints the summary; counts agree with the server" {
	start_acceptd ad 127.0.0.1:0
	start_bg cs connstorm -r 50 -t 60s "$ad_addr"
	wait_for "$T/cs.err" '^t=1\.0s '
	t0=$(date +%s%N)
	stop_bg cs TERM 5
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 1000 ] || fail_msg "TERM took $(((t1 - t0) / 1000000)) ms"
	assert_equal "$exit_status" 0
	n=$(sed -En 's/^result: .* completed=([0-9]+) .*/\1/p' "$T/cs.out")
	[ -n "$n" ] && [ "$n" -ge 50 ] || fail_msg "summary: $(cat "$T/cs.out")"
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" "$n"
}

# ----------------------------------------------------- cap and TIME_WAIT

@test "-l: with -k holding each connection, never more than N open at once; the shortfall shows, exit 1" {
	start_acceptd ad -m hold 127.0.0.1:0
	storm -r 500 -t 2s -l 10 -k 300ms "$ad_addr"
	storm_status 1
	assert_equal "$(js 'd["peak_concurrency"]')" 10
	assert_equal "$(js 'max(s["open"] for s in d["seconds"]) <= 10')" True
	assert_equal "$(js 'd["attempted"] < d["target"] and d["behind"] > 0')" True
	assert_equal "$(js 'd["failed"]')" 0
	# 10 at a time for 300 ms each: about 33/s, far below 500/s
	assert_equal "$(js '40 <= d["completed"] <= 80')" True
	grep -q 'rate was not reached' "$T/cs.err" ||
	    fail_msg "no line says the rate was not reached: $(cat "$T/cs.err")"
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" "$(js 'd["established"]')"
}

# tw_count: TIME_WAIT sockets in the test's network namespace.
tw_count() {
	in_ns ss -Htan state time-wait | wc -l
}

@test "-N: a normal close leaves TIME_WAIT; the default SO_LINGER(0) leaves none (private netns)" {
	netns_start
	start_bg ad "${NS[@]}" acceptd -a "$T/ad.addr" 127.0.0.1:0
	wait_addr ad
	addr=$(cat "$T/ad.addr")
	cs_status=0
	in_ns connstorm -F json -r 200 -t 1s "$addr" >"$T/cs.json" 2>"$T/cs.err" ||
	    cs_status=$?
	storm_status 0
	assert_equal "$(js 'd["completed"]')" 200
	assert_equal "$(tw_count)" 0
	assert_equal "$(js 'd["timewait"]')" 0
	in_ns connstorm -F json -N -r 200 -t 1s "$addr" >"$T/cs.json" 2>"$T/cs.err" ||
	    cs_status=$?
	storm_status 0
	assert_equal "$(js 'd["completed"]')" 200
	tw=$(tw_count)
	# one per connection, on whichever side closed first (both: 2), less
	# the few a later connect already reused (tcp_tw_reuse on loopback)
	[ "$tw" -ge 180 ] && [ "$tw" -le 400 ] || fail_msg "TIME_WAIT: $tw"
	# connstorm's own figure (/proc/net/sockstat tw) read at its end
	assert_equal "$(js '170 <= d["timewait"] <= 400')" True
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" 400
}

# ------------------------------------------- ramp, hold, sources, -X

@test "ramp: -i 10 -r 100 -I 1s -t 1s: the schedule's count, the first second's rate between the two" {
	start_acceptd ad 127.0.0.1:0
	storm -i 10 -r 100 -I 1s -t 1s "$ad_addr"
	storm_status 0
	no_failures
	# 55 due over the ramp (the mean of 10 and 100), 100 over the hold
	assert_equal "$(js 'd["target"]')" 155
	assert_equal "$(js 'd["completed"]')" 155
	assert_equal "$(js '10 < d["seconds"][0]["rate"] < 100')" True
	assert_equal "$(js 'd["seconds"][1]["rate"]')" 100
	stop_acceptd ad
	assert_equal "$(acceptd_count ad accepted)" 155
}

@test "-k: connections still held at the deadline count as completed, not aborted" {
	start_acceptd ad -m hold 127.0.0.1:0
	storm -r 20 -t 1s -k 5s "$ad_addr"
	storm_status 0
	no_failures
	assert_equal "$(js 'd["completed"]')" 20
	assert_equal "$(js 'd["aborted"]')" 0
	assert_equal "$(js 'd["peak_concurrency"]')" 20
	# the hold was cut at the deadline, not sat out
	[ "$cs_ms" -lt 2500 ] || fail_msg "the run took $cs_ms ms"
}

@test "-s: connections spread over the source addresses, as the server saw them" {
	start_tl tl -v 127.0.0.1:0 true
	storm -r 60 -t 1s -s 127.0.0.2-127.0.0.4 "$tl_addr"
	storm_status 0
	no_failures
	stop_bg tl
	for a in 127.0.0.2 127.0.0.3 127.0.0.4; do
		n=$(grep -c "^tcp-listen: start [0-9]* $a:" "$T/tl.err")
		assert_equal "$n" 20
	done
}

@test "-X: every step holds up to -r: the ceiling is -r, exit 0" {
	start_acceptd ad 127.0.0.1:0
	storm -X -i 50 -r 200 -g 2 -t 1s "$ad_addr"
	storm_status 0
	assert_equal "$(js 'd["ceiling_cps"]')" 200
	assert_equal "$(js 'd["limit_reached"]')" True
	assert_equal "$(js '[s["held"] for s in d["steps"]]')" '[True, True, True]'
	assert_equal "$(js '[s["target_rate"] for s in d["steps"]]')" '[50, 100, 200]'
}

@test "-X: with no listener the first step fails: exit 1, no ceiling" {
	dead_tcp_port
	storm -X -i 50 -r 200 -g 2 -t 1s "127.0.0.1:$dead_port"
	storm_status 1
	assert_equal "$(js 'd["steps"][0]["held"]')" False
	assert_equal "$(js 'len(d["steps"])')" 1
	assert_equal "$(js 'd["ceiling_cps"] in (None, 0)')" True
}

@test "terminal: the per-second line is one live line, rewritten with CR; not a terminal: one line a second" {
	need script
	start_acceptd ad 127.0.0.1:0
	run -0 timeout 30 script -qec "connstorm -r 50 -t 2s $ad_addr" /dev/null
	# on a pty: a carriage return before each second's line, the line
	# then cleared to its end; no newline between the seconds
	printf '%s' "$output" | grep -q $'^\rt=1.0s .*\rt=2.0s ' ||
	    fail_msg "no live line: $(printf '%s' "$output" | od -c | head -5)"
	run -0 timeout 30 connstorm -r 50 -t 2s "$ad_addr"
	assert_equal "$(grep -c '^t=[12]\.0s ' <<<"$stderr$output")" 2
}
