#!/usr/bin/env bats
# bg_pid, exit_status, MNT_PID and MNT are set by helper.bash
# shellcheck disable=SC2154
# tests/chanlog.bats: chanlog against tcpdump, capinfos and udp-recv: usage,
# bad values, behaviour (framing, rotation, retention, signals, crashes),
# error paths (lock, DIR, symlinks, a full disk in a private mount namespace).

bats_require_minimum_version 1.5.0
load helper

USAGE='usage: chanlog [-fhvW] [-A AGE] [-b SIZE] [-e STAMP] [-i INTERVAL] [-l SIZE] [-M FILE] [-N SIZE] [-n COUNT] [-p CMD] [-y INTERVAL] [-z SIZE] DIR'
ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z'
TAI='@[0-9a-f]{24}'
NAME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}\.[0-9]{9}Z\.(pcap|log)'
COUNTERS_RE='chanlog: records=[0-9]+ bytes=[0-9]+ files=[0-9]+ dropped=[0-9]+ cut=[0-9]+ split=[0-9]+'
GEN=$FIXTURES/chanlog/genpcap.py

setup_file() {
	command -v chanlog >/dev/null ||
	    fail_msg "chanlog is not built: run make"
}

setup() {
	T=$BATS_TEST_TMPDIR
	D=$T/d
	umask 022
}

# finished DIR: the names of DIR's finished files, in name (= write) order.
finished() {
	find "$1" -mindepth 1 -maxdepth 1 -type f -printf '%f\n' | grep -Ex "$NAME_RE" |
	    sort || true
}

nfinished() {
	finished "$1" | wc -l
}

# has_finished DIR N: DIR holds at least N finished files.
has_finished() {
	[ "$(nfinished "$1")" -ge "$2" ]
}

# size_ge FILE N: FILE exists and holds at least N bytes.
size_ge() {
	[ -e "$1" ] && [ "$(stat -c %s "$1")" -ge "$2" ]
}

# cat_finished DIR: the bytes of DIR's finished files, oldest first.
cat_finished() {
	local f
	for f in $(finished "$1"); do
		cat "$1/$f"
	done
}

# records FILE...: the pcap records of each FILE (all after the 24-byte
# file header), concatenated.
records() {
	local f
	for f in "$@"; do
		tail -c +25 "$f"
	done
}

# gen ARGS...: a made-up pcap stream (tests/fixtures/chanlog/genpcap.py).
gen() {
	python3 "$GEN" "$@"
}

# lines N [WIDTH]: N numbered lines of WIDTH bytes (newline included).
lines() {
	awk -v n="$1" -v w="${2:-100}" 'BEGIN {
		pad = sprintf("%*s", w - 13, ""); gsub(/ /, "x", pad)
		for (i = 1; i <= n; i++) printf "line %06d %s\n", i, pad
	}'
}

# in_order FILE: the "line N" numbers in FILE only ever increase; prints
# how many there are.
in_order() {
	grep -ao '^line [0-9]*' "$1" | awk '
	$2 + 0 <= last { print "line " $2 " after line " last; exit 1 }
	{ last = $2 + 0; n++ }
	END { print n + 0 }'
}

# stem SEC NSEC: the finished-file name (without extension) for a time.
stem() {
	printf '%s.%09dZ' "$(date -u -d "@$1" +%Y-%m-%dT%H-%M-%S)" "$((10#$2))"
}

# name_time NAME: the unix time (seconds.nanoseconds) a finished name stands for.
name_time() {
	local n=${1%Z.*}
	date -u -d "${n:0:10} ${n:11:2}:${n:14:2}:${n:17:2}" "+%s.${n:20:9}"
}

# between T0 X T1: T0 <= X <= T1 (decimal seconds).
between() {
	awk -v a="$1" -v x="$2" -v b="$3" 'BEGIN { exit !(a <= x && x <= b) }'
}

now() {
	date +%s.%N
}


# feed NAME FORMAT [ARG...]: printf into the FIFO of start_fifo NAME.
feed() {
	local name=$1
	shift
	# shellcheck disable=SC2059 # the format is the caller's
	printf "$@" >"$T/$name.in"
}


# end_input NAME [SECONDS]: close the input of start_fifo NAME; wait for
# chanlog to end and set exit_status.
end_input() {
	close_input "$1"
	finish "$@"
}

# only_finished DIR: after a clean exit DIR holds finished files and lock.
only_finished() {
	local f
	while read -r f; do
		[ "$f" = lock ] && continue
		grep -Eqx "$NAME_RE" <<<"$f" || fail_msg "unexpected $1/$f after exit"
	done < <(find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n')
}

# ---------------------------------------------------------------- usage

@test "usage: -h prints the usage line to stdout and exits 0" {
	run --separate-stderr timeout 20 chanlog -h
	assert_success
	assert_output "$USAGE"
	[ -z "$stderr" ]
}

@test "usage: no DIR exits 100 with the usage line" {
	run timeout 20 chanlog </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: two DIRs exit 100, neither is created" {
	run timeout 20 chanlog "$D" "$T/e" </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
	[ ! -e "$D" ] && [ ! -e "$T/e" ]
}

@test "usage: an unknown option exits 100 with the usage line" {
	run timeout 20 chanlog -j "$D" </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
	[ ! -e "$D" ]
}

@test "usage: a missing option argument exits 100 with the usage line" {
	run timeout 20 chanlog -z </dev/null
	assert_failure 100
	assert_output --partial "$USAGE"
}

@test "usage: -e with a STAMP other than iso and tai64n is refused before DIR is made" {
	run timeout 20 chanlog -e tai64 "$D" </dev/null
	assert_failure 100
	assert_line --index 0 "chanlog: invalid stamp 'tai64': use iso or tai64n"
	assert_output --partial "$USAGE"
	[ ! -e "$D" ]
}

# ----------------------------------------------------------- bad values

# bad VALUE ARGS...: chanlog ARGS $D exits 100 naming 'VALUE', prints the
# usage line and creates nothing.
bad() {
	local val=$1
	shift
	bad_usage chanlog "$val" "$@" "$D"
	[ ! -e "$D" ] || fail_msg "$D was created before the values were checked"
}

@test "bad value: -z 10X (the spec's message)" {
	bad 10X -z 10X
	assert_output --partial "chanlog: invalid size '10X': unknown unit"
}
@test "bad value: -z x" { bad x -z x; }
@test "bad value: -z -1" { bad -1 -z -1; }
@test "bad value: -z 99999999999999999999999" {
	bad 99999999999999999999999 -z 99999999999999999999999
}
@test "bad value: -N 1X" { bad 1X -N 1X; }
@test "bad value: -b x" { bad x -b x; }
@test "bad value: -l 4Q" { bad 4Q -l 4Q; }
@test "bad value: -n x" { bad x -n x; }
@test "bad value: -n -1" { bad -1 -n -1; }
@test "bad value: -n 1.5" { bad 1.5 -n 1.5; }
@test "bad value: -i 5x" { bad 5x -i 5x; }
@test "bad value: -i 1fortnight" { bad 1fortnight -i 1fortnight; }
@test "bad value: -A x" { bad x -A x; }
@test "bad value: -A 3weeks" { bad 3weeks -A 3weeks; }
@test "bad value: -y 5x" { bad 5x -y 5x; }
@test "bad value: -y -1s" { bad -1s -y -1s; }

# ------------------------------------------------------ behaviour: pcap

@test "pcap: a tcpdump capture is kept byte for byte in one file named by its first record" {
	need tcpdump capinfos
	run timeout 20 chanlog "$D" <"$FIXTURES/lo-en10mb.pcap"
	assert_success
	only_finished "$D"
	read -r sec nsec < <(od -An -j24 -N8 -tu4 "$FIXTURES/lo-en10mb.pcap")
	assert_equal "$(finished "$D")" "$(stem "$sec" "$nsec").pcap"
	f=$D/$(finished "$D")
	cmp "$FIXTURES/lo-en10mb.pcap" "$f"
	[ ! -e "$D/current" ]
	run capinfos -c -M "$f"
	assert_success
	assert_output --regexp 'Number of packets: +[1-9]'
	diff -u <(tcpdump -nn -r "$FIXTURES/lo-en10mb.pcap" 2>&1) \
	    <(tcpdump -nn -r "$f" 2>&1 | sed "s|$f|$FIXTURES/lo-en10mb.pcap|")
}

@test "pcap: udp-recv -I | chanlog: the finished file is udp-recv's output exactly" {
	need tcpdump capinfos
	timeout 20 udp-recv -I "$FIXTURES/lo-en10mb.pcap" >"$T/direct.pcap"
	timeout 20 udp-recv -I "$FIXTURES/lo-en10mb.pcap" |
	    timeout 20 chanlog "$D" 2>"$T/err"
	assert_equal "${PIPESTATUS[*]}" "0 0"
	assert_equal "$(nfinished "$D")" 1
	cmp "$T/direct.pcap" "$D/$(finished "$D")"
	capinfos "$D/$(finished "$D")" >/dev/null
	run tcpdump -nn -r "$D/$(finished "$D")"
	assert_success
	assert_output --partial 'UDP, length 5'
}

@test "pcap: all four header variants (us/ns, little/big-endian) kept, named by their own time" {
	need capinfos
	for v in "" -u -b "-u -b"; do
		rm -rf "$D"
		# shellcheck disable=SC2086 # $v is zero, one or two options
		gen $v -c 5 -L 1 -t 1893456000.123456789 >"$T/in.pcap"
		run timeout 20 chanlog "$D" <"$T/in.pcap"
		assert_success
		case $v in
		*-u*) want=2030-01-01T00-00-00.123456000Z.pcap ;;
		*) want=2030-01-01T00-00-00.123456789Z.pcap ;;
		esac
		assert_equal "$(finished "$D")" "$want"
		cmp "$T/in.pcap" "$D/$want"
		capinfos "$D/$want" >/dev/null || fail_msg "capinfos refused variant '$v'"
	done
}

@test "pcap: -e iso is ignored with a warning, records stay byte for byte" {
	gen -c 3 >"$T/in.pcap"
	run --separate-stderr timeout 20 chanlog -e iso "$D" <"$T/in.pcap"
	assert_success
	[ -n "$stderr" ] || fail_msg "no warning for -e iso with pcap input"
	cmp "$T/in.pcap" "$D/$(finished "$D")"
}

@test "pcap: a record truncated at EOF: what came before is kept, offset reported, exit 1" {
	need capinfos
	gen -c 3 -l 100 >"$T/full.pcap"
	gen -c 3 -l 100 -T 10 >"$T/in.pcap"
	run --separate-stderr timeout 20 chanlog "$D" <"$T/in.pcap"
	assert_failure 1
	[[ $stderr =~ chanlog:\ unable\ to\ read\ stdin:\ truncated\ record\ at\ offset\ [0-9]+ ]] ||
	    fail_msg "stderr: $stderr"
	assert_equal "$(nfinished "$D")" 1
	# header and the first two records (24 + 2 * 116 bytes)
	cmp <(head -c 256 "$T/full.pcap") "$D/$(finished "$D")"
	capinfos "$D/$(finished "$D")" >/dev/null
}

@test "pcap: a record claiming a 4 GB length: what came before is kept, exit 1" {
	need capinfos
	gen -c 2 -l 100 >"$T/in.pcap"
	cp "$T/in.pcap" "$T/good.pcap"
	# ts 1893456001.0, caplen and len 0xfffffff0, then some bytes
	printf '\x81\x9a\xdb\x70\0\0\0\0\xf0\xff\xff\xff\xf0\xff\xff\xff' >>"$T/in.pcap"
	head -c 5000 /dev/zero >>"$T/in.pcap"
	run --separate-stderr timeout 20 chanlog "$D" <"$T/in.pcap"
	assert_failure 1
	[ -n "$stderr" ]
	cmp "$T/good.pcap" "$D/$(finished "$D")"
	capinfos "$D/$(finished "$D")" >/dev/null
}

@test "stdin that cannot be read (a directory): exit 111, not the status of malformed input" {
	run --separate-stderr timeout 20 chanlog "$D" </
	assert_failure 111
	[[ $stderr == *'chanlog: unable to read stdin: read error: Is a directory'* ]] ||
	    fail_msg "stderr: $stderr"
}

@test "stdin shared with the shell: O_NONBLOCK only while chanlog runs (end of input, TERM)" {
	stdin_restored chanlog "$D"
}

# ------------------------------------------------------ behaviour: text

@test "text: a first line shorter than a pcap magic is on disk at once" {
	start_fifo c chanlog "$D"
	feed c 'a\n'
	wait_until 5 size_ge "$D/current" 2
	assert_equal "$(cat "$D/current")" a
}

@test "text: lines kept exactly (NUL, CR, high bytes, empty lines, no final newline)" {
	run --separate-stderr timeout 20 chanlog "$D" <"$FIXTURES/chanlog/text.in"
	assert_success
	only_finished "$D"
	assert_equal "$(finished "$D" | grep -c '\.log$')" 1
	cmp "$FIXTURES/chanlog/text.in" "$D/$(finished "$D")"
}

@test "text: the file is named by the arrival time of its first line" {
	t0=$(now)
	printf 'a\nb\n' | timeout 20 chanlog "$D"
	t1=$(now)
	n=$(finished "$D")
	between "$t0" "$(name_time "$n")" "$t1" ||
	    fail_msg "name $n is not between $t0 and $t1"
}

@test "text -e iso: an ISO 8601 UTC nanosecond stamp and a space before every line" {
	t0=$(date +%s)
	run timeout 20 chanlog -e iso "$D" <"$FIXTURES/chanlog/text.in"
	t1=$(date +%s)
	assert_success
	f=$D/$(finished "$D")
	sed -E "s/^$ISO /STAMP /" "$f" | cmp "$FIXTURES/chanlog/text-stamped.golden" -
	grep -aoE "^$ISO " "$f" >"$T/stamps"
	assert_equal "$(wc -l <"$T/stamps")" 9
	while read -r s; do
		x=$(date -u -d "$s" +%s)
		between "$t0" "$x" "$t1" || fail_msg "stamp $s not in [$t0, $t1]"
	done <"$T/stamps"
}

@test "text -e tai64n: a TAI64N label (2^62 + 10 + unix seconds, ns) before every line" {
	t0=$(date +%s)
	run timeout 20 chanlog -e tai64n "$D" <"$FIXTURES/chanlog/text.in"
	t1=$(date +%s)
	assert_success
	f=$D/$(finished "$D")
	sed -E "s/^$TAI /STAMP /" "$f" | cmp "$FIXTURES/chanlog/text-stamped.golden" -
	grep -aoE "^$TAI " "$f" >"$T/stamps"
	assert_equal "$(wc -l <"$T/stamps")" 9
	while read -r s; do
		x=$((16#${s:1:16} - (1 << 62) - 10))
		[ "$((16#${s:17:8}))" -lt 1000000000 ] || fail_msg "bad ns in $s"
		between "$t0" "$x" "$t1" || fail_msg "label $s is unix $x, not in [$t0, $t1]"
	done <"$T/stamps"
}

@test "text: a 1 MiB line is kept whole (default -l 4M)" {
	{ echo first; head -c 1048576 /dev/zero | tr '\0' x; echo; echo last; } >"$T/in"
	run timeout 20 chanlog "$D" <"$T/in"
	assert_success
	cmp "$T/in" "$D/$(finished "$D")"
}

@test "text -l 10: longer lines split into 10-byte lines, split=2 reported" {
	printf 'short\n%s\nmid\n%s' "$(printf 'a%.0s' {1..25})" \
	    "$(printf 'b%.0s' {1..12})" >"$T/in"
	run --separate-stderr timeout 20 chanlog -l 10 "$D" <"$T/in"
	assert_success
	printf 'short\naaaaaaaaaa\naaaaaaaaaa\naaaaa\nmid\nbbbbbbbbbb\nbb' >"$T/want"
	cmp "$T/want" "$D/$(finished "$D")"
	[[ $stderr =~ $COUNTERS_RE ]] || fail_msg "no counters: $stderr"
	[[ $stderr =~ split=2($|[^0-9]) ]] || fail_msg "not split=2: $stderr"
}

# ---------------------------------------------------- behaviour: rotation

@test "-z pcap: every file <= SIZE unless one record is larger; records all there, in order" {
	need capinfos
	gen -c 200 -l 40,3000,77,1,500,5000,900 >"$T/in.pcap"
	run timeout 20 chanlog -z 4096 "$D" <"$T/in.pcap"
	assert_success
	only_finished "$D"
	mapfile -t names < <(finished "$D")
	[ "${#names[@]}" -gt 20 ] || fail_msg "only ${#names[@]} files"
	for i in "${!names[@]}"; do
		f=$D/${names[i]}
		cmp <(head -c 24 "$T/in.pcap") <(head -c 24 "$f")
		run capinfos -c -M "$f"
		assert_success
		n=$(sed -nE 's/^Number of packets: +//p' <<<"$output")
		size=$(stat -c %s "$f")
		[ "$size" -le 4096 ] || [ "$n" -eq 1 ] ||
		    fail_msg "${names[i]}: $size bytes, $n records"
		# not finished too early: the next file's first record would
		# not have fitted
		if [ "$((i + 1))" -lt "${#names[@]}" ]; then
			next=$(od -An -j32 -N4 -tu4 "$D/${names[i + 1]}" | tr -d ' ')
			[ "$((size + 16 + next))" -gt 4096 ] ||
			    fail_msg "${names[i]} finished at $size bytes; a $next-byte record fitted"
		fi
	done
	cmp <(records "$T/in.pcap") <(cd "$D" && records "${names[@]}")
}

@test "-z text: every file <= SIZE unless one line is larger; lines all there, in order" {
	awk 'BEGIN { for (i = 0; i < 300; i++) printf "%d %*s\n", i, (i * 37) % 900, "" }' >"$T/in"
	printf '%05000d\n' 0 >>"$T/in"
	echo tail >>"$T/in"
	run timeout 20 chanlog -z 4096 "$D" <"$T/in"
	assert_success
	[ "$(nfinished "$D")" -gt 20 ]
	for f in $(finished "$D"); do
		size=$(stat -c %s "$D/$f")
		[ "$size" -le 4096 ] || [ "$(wc -l <"$D/$f")" -eq 1 ] ||
		    fail_msg "$f: $size bytes in $(wc -l <"$D/$f") lines"
	done
	cmp "$T/in" <(cat_finished "$D")
}

@test "-i 500ms: a quiet channel's file is finished by the timer; no empty files" {
	start_fifo c chanlog -i 500ms "$D"
	feed c 'one\n'
	wait_until 5 has_finished "$D" 1
	# not a synchronisation: the span in which ticks find current empty
	# and must leave no file
	sleep 1.2
	assert_equal "$(nfinished "$D")" 1
	feed c 'two\n'
	wait_until 5 has_finished "$D" 2
	running "$fifo_pid"
	mapfile -t names < <(finished "$D")
	assert_equal "$(cat "$D/${names[0]}")" one
	assert_equal "$(cat "$D/${names[1]}")" two
	end_input c
	assert_equal "$exit_status" 0
	assert_equal "$(nfinished "$D")" 2
}

# phase_in A B: the time now, modulo 2 s, is in [A, B).
phase_in() {
	awk -v t="$(now)" -v a="$1" -v b="$2" 'BEGIN { p = t % 2; exit !(a <= p && p < b) }'
}

@test "-i 2s -W: the rotation falls on an even second, not 2 s after the start" {
	# start in the odd second's first 0.3 s: an unaligned timer would
	# fire near odd + 0.1, an aligned one at the next even second
	wait_until 5 phase_in 1 1.3
	start_fifo c chanlog -i 2s -W "$D"
	feed c 'tick\n'
	wait_until 6 has_finished "$D" 1
	mtime=$(stat -c %.9Y "$D")
	awk -v m="$mtime" 'BEGIN { p = m % 2; exit !(p < 0.5 || p > 1.95) }' ||
	    fail_msg "DIR last changed at $mtime, not just after an even second"
}

@test "-z and -i together: whichever comes first" {
	start_fifo c chanlog -z 4096 -i 500ms "$D"
	lines 10 1024 >"$T/in"
	feed_file c "$T/in"
	wait_until 5 has_finished "$D" 3
	mapfile -t names < <(finished "$D")
	assert_equal "$(cd "$D" && stat -c %s "${names[@]}" | xargs)" '4096 4096 2048'
	cmp "$T/in" <(cat_finished "$D")
}

@test "HUP rotates now; HUP with an empty current makes no file" {
	start_fifo c chanlog "$D"
	feed c 'aaa\n'
	wait_until 5 size_ge "$D/current" 4
	kill -HUP "$fifo_pid"
	wait_until 5 has_finished "$D" 1
	kill -HUP "$fifo_pid"
	feed c 'b\n'
	wait_until 5 size_ge "$D/current" 2
	kill -HUP "$fifo_pid"
	wait_until 5 has_finished "$D" 2
	kill -HUP "$fifo_pid"
	kill -USR1 "$fifo_pid"
	wait_for "$T/c.err" 'files=2'
	mapfile -t names < <(finished "$D")
	assert_equal "${#names[@]}" 2
	assert_equal "$(cat "$D/${names[0]}")" aaa
	assert_equal "$(cat "$D/${names[1]}")" b
	assert_equal "$(stat -c %s "$D/current")" 0
}

@test "HUP in pcap mode: the new current gets the header at once" {
	need capinfos
	gen -c 2 >"$T/in.pcap"
	start_fifo c chanlog "$D"
	feed_file c "$T/in.pcap"
	wait_until 5 size_ge "$D/current" "$(stat -c %s "$T/in.pcap")"
	kill -HUP "$fifo_pid"
	wait_until 5 has_finished "$D" 1
	cmp "$T/in.pcap" "$D/$(finished "$D")"
	wait_until 5 size_ge "$D/current" 24
	cmp <(head -c 24 "$T/in.pcap") "$D/current"
	capinfos "$D/current" >/dev/null
}

# ------------------------------------------------- behaviour: retention

# plant_foreign DIR: files retention must never touch.
plant_foreign() {
	mkdir -p "$1/sub"
	echo notes >"$1/README"
	echo keep >"$1/keep.log"
	echo tmp >"$1/.2000-01-01T00-00-00.000000000Z.log"
	echo half >"$1/2000-01-01T00-00-00.000000000Z.log~"
	mkdir "$1/2000-01-02T00-00-00.000000000Z.log"
	echo outside >"$T/outside"
	ln -s "$T/outside" "$1/2000-01-03T00-00-00.000000000Z.log"
	touch -h -d '2000-01-01' "$1"/* "$1"/.2000*
}

check_foreign() {
	assert_equal "$(cat "$1/README")" notes
	assert_equal "$(cat "$1/keep.log")" keep
	assert_equal "$(cat "$1/.2000-01-01T00-00-00.000000000Z.log")" tmp
	assert_equal "$(cat "$1/2000-01-01T00-00-00.000000000Z.log~")" half
	[ -d "$1/sub" ] && [ -d "$1/2000-01-02T00-00-00.000000000Z.log" ]
	assert_equal "$(cat "$1/2000-01-03T00-00-00.000000000Z.log")" outside
}

@test "-n 2: only the two newest finished files stay; foreign files untouched" {
	plant_foreign "$D"
	lines 10 2048 >"$T/in"
	run timeout 20 chanlog -n 2 -z 4096 "$D" <"$T/in"
	assert_success
	assert_equal "$(nfinished "$D")" 2
	cmp <(tail -n 4 "$T/in") <(cat_finished "$D")
	check_foreign "$D"
}

@test "-n 2 at start: older finished files beyond the count are deleted" {
	mkdir "$D"
	for d in 01 02 03; do
		echo "$d" >"$D/2001-01-${d}T00-00-00.000000000Z.log"
	done
	run timeout 20 chanlog -n 2 "$D" </dev/null
	assert_success
	assert_equal "$(finished "$D" | xargs)" \
	    '2001-01-02T00-00-00.000000000Z.log 2001-01-03T00-00-00.000000000Z.log'
}

@test "-n 2: a processor's renamed file (NAME.log.zst) counts and goes first" {
	mkdir "$D"
	echo z >"$D/2001-01-01T00-00-00.000000000Z.log.zst"
	echo y >"$D/2001-01-02T00-00-00.000000000Z.log"
	run timeout 20 chanlog -n 2 "$D" <<<new
	assert_success
	[ ! -e "$D/2001-01-01T00-00-00.000000000Z.log.zst" ]
	assert_equal "$(cat "$D/2001-01-02T00-00-00.000000000Z.log")" y
	assert_equal "$(nfinished "$D")" 2
}

@test "-N 10k: the total of the finished files stays <= 10 KiB, newest kept" {
	plant_foreign "$D"
	lines 10 2048 >"$T/in"
	run timeout 20 chanlog -N 10k -z 4096 "$D" <"$T/in"
	assert_success
	assert_equal "$(nfinished "$D")" 2
	cmp <(tail -n 4 "$T/in") <(cat_finished "$D")
	check_foreign "$D"
}

@test "-A 1h: finished files modified over an hour ago go, by mtime not by name" {
	mkdir "$D"
	plant_foreign "$D"
	echo old >"$D/2001-01-01T00-00-00.000000000Z.log"
	echo fresh >"$D/2001-01-02T00-00-00.000000000Z.log"
	touch -d '3 hours ago' "$D/2001-01-01T00-00-00.000000000Z.log"
	touch -d '3 hours ago' "$D/README" "$D/keep.log"
	run timeout 20 chanlog -A 1h "$D" <<<new
	assert_success
	mapfile -t names < <(finished "$D")
	assert_equal "${#names[@]}" 2
	assert_equal "${names[0]}" 2001-01-02T00-00-00.000000000Z.log
	assert_equal "$(cat "$D/${names[1]}")" new
	check_foreign "$D"
}

# ------------------------------------------------ behaviour: processors

@test "-p CMD runs once on every finished file, path as \$1, stdin /dev/null, stdout to stderr" {
	cat >"$T/proc" <<-EOF
	#!/bin/sh
	sleep 0.1
	printf '%s %s %s\n' "\$1" "\$(wc -c <"\$1")" "\$(wc -c)" >>"$T/list"
	echo "proc saw \$1"
	EOF
	chmod +x "$T/proc"
	lines 12 2048 >"$T/in"
	run --separate-stderr timeout 20 chanlog -z 4096 -p "$T/proc" "$D" <"$T/in"
	assert_success
	# chanlog waited for the processors: every one has run by now
	for f in $(finished "$D"); do echo "$D/$f 4096 0"; done >"$T/want"
	sort "$T/list" | diff -u "$T/want" -
	assert_equal "$(grep -c '^proc saw ' <<<"$stderr")" 6
}

@test "-p: a processor exiting 2 is reported naming the file" {
	printf '#!/bin/sh\nexit 2\n' >"$T/fail"
	chmod +x "$T/fail"
	run --separate-stderr timeout 20 chanlog -p "$T/fail" "$D" <<<x
	f=$(finished "$D")
	[[ $stderr == *"chanlog: processor for $D/$f exited 2"* ]] ||
	    fail_msg "stderr: $stderr"
	[ -e "$D/$f" ]
}

# ---------------------------------------------------- behaviour: signals

@test "USR1 prints the counters; they count lines, bytes and files" {
	start_fifo c chanlog "$D"
	feed c 'abc\nde\n'
	wait_until 5 size_ge "$D/current" 7
	kill -USR1 "$fifo_pid"
	wait_for "$T/c.err" 'records='
	assert_equal "$(cat "$T/c.err")" \
	    'chanlog: records=2 bytes=7 files=0 dropped=0 cut=0 split=0'
	kill -HUP "$fifo_pid"
	wait_until 5 has_finished "$D" 1
	kill -USR1 "$fifo_pid"
	wait_for "$T/c.err" 'files=1'
	assert_equal "$(tail -n 1 "$T/c.err")" \
	    'chanlog: records=2 bytes=7 files=1 dropped=0 cut=0 split=0'
}

# term SIG: SIG finishes current; DIR holds only finished files and lock.
term() {
	start_fifo c chanlog "$D"
	lines 3 >"$T/in"
	feed_file c "$T/in"
	wait_until 5 size_ge "$D/current" 300
	stop_bg c "$1" 5
	assert_equal "$exit_status" 0
	[ ! -e "$D/current" ]
	only_finished "$D"
	assert_equal "$(nfinished "$D")" 1
	cmp "$T/in" "$D/$(finished "$D")"
}

@test "TERM finishes current and exits 0: only finished files and lock remain" { term TERM; }
@test "INT finishes current and exits 0, like TERM" { term INT; }

@test "end of input finishes current and exits 0" {
	start_fifo c chanlog "$D"
	feed c 'xyz\n'
	wait_until 5 size_ge "$D/current" 4
	end_input c
	assert_equal "$exit_status" 0
	[ ! -e "$D/current" ]
	assert_equal "$(cat "$D/$(finished "$D")")" xyz
}

@test "-v: every rotation is logged with its size, the counters at exit" {
	lines 6 2048 >"$T/in"
	run --separate-stderr timeout 20 chanlog -v -z 4096 "$D" <"$T/in"
	assert_success
	for f in $(finished "$D"); do
		echo "chanlog: finished $D/$f (4096 bytes)"
	done >"$T/want"
	grep 'finished' <<<"$stderr" | diff -u "$T/want" -
	[[ $stderr =~ chanlog:\ records=6\ bytes=12288\ files=3\ dropped=0\ cut=0\ split=0 ]] ||
	    fail_msg "stderr: $stderr"
}

# --------------------------------------- behaviour: names, modes, crashes

@test "clock stepping backwards: names still sort in write order (+1 ns)" {
	# one 4000-byte record a file (24 + 2 * 4016 > 4096); the second
	# record is ten years older than the first, the third older still
	gen -c 3 -l 4000 -t 1893456000.5 -d -315360000000000000 >"$T/in.pcap"
	run timeout 20 chanlog -z 4096 "$D" <"$T/in.pcap"
	assert_success
	assert_equal "$(finished "$D" | xargs)" \
	    "2030-01-01T00-00-00.500000000Z.pcap 2030-01-01T00-00-00.500000001Z.pcap 2030-01-01T00-00-00.500000002Z.pcap"
	for i in 0 1 2; do
		cmp <(records "$T/in.pcap" | tail -c +$((i * 4016 + 1)) | head -c 4016) \
		    <(records "$D/2030-01-01T00-00-00.50000000${i}Z.pcap")
	done
}

@test "equal record times never collide: +1 ns" {
	gen -c 3 -l 4000 -t 1893456000.0 -d 0 >"$T/in.pcap"
	run timeout 20 chanlog -z 4096 "$D" <"$T/in.pcap"
	assert_success
	assert_equal "$(finished "$D" | xargs)" \
	    "2030-01-01T00-00-00.000000000Z.pcap 2030-01-01T00-00-00.000000001Z.pcap 2030-01-01T00-00-00.000000002Z.pcap"
}

@test "a newer finished file already in DIR: the new name follows it (carry into seconds)" {
	mkdir "$D"
	echo future >"$D/2099-12-31T23-59-59.999999999Z.log"
	run timeout 20 chanlog "$D" <<<now
	assert_success
	assert_equal "$(finished "$D" | xargs)" \
	    "2099-12-31T23-59-59.999999999Z.log 2100-01-01T00-00-00.000000000Z.log"
	assert_equal "$(cat "$D/2100-01-01T00-00-00.000000000Z.log")" now
	assert_equal "$(cat "$D/2099-12-31T23-59-59.999999999Z.log")" future
}

# modes UMASK FILEMODE DIRMODE: DIR and its parents made with 0750 and the
# umask, current and finished files with 0640 and the umask.
modes() {
	umask "$1"
	start_fifo c chanlog "$T/a/b/d"
	feed c 'line\n'
	wait_until 5 size_ge "$T/a/b/d/current" 5
	assert_equal "$(stat -c %a "$T/a/b/d/current")" "$2"
	kill -HUP "$fifo_pid"
	wait_until 5 has_finished "$T/a/b/d" 1
	assert_equal "$(stat -c %a "$T/a/b/d/$(finished "$T/a/b/d")")" "$2"
	assert_equal "$(stat -c %a "$T/a" "$T/a/b" "$T/a/b/d" | xargs)" "$3 $3 $3"
}

@test "umask 022: files 0640, DIR and parents 0750" { modes 022 640 750; }
@test "umask 077: files 0600, DIR and parents 0700" { modes 077 600 700; }

@test "crash: kill -9 in a 100 MB pcap stream, restart: every file opens, cut= counted" {
	need capinfos
	mkfifo "$T/gen.fifo"
	BG_STDOUT=$T/gen.fifo start_bg gen python3 "$GEN" -c 100000 -l 1000
	BG_STDIN=$T/gen.fifo start_bg c chanlog -z 10M "$D"
	# stopped first, so that the kill finds a current under way even when
	# a loaded machine lets chanlog finish it between the look and the kill
	for _ in 1 2 3 4 5; do
		wait_until 20 crashed_enough
		running "$bg_pid" || fail_msg "chanlog ended before it could be killed"
		kill -STOP "$bg_pid"
		size_ge "$D/current" 1000 && break
		kill -CONT "$bg_pid"
	done
	kill -KILL "$bg_pid"
	wait_exit "$bg_pid"
	[ -e "$D/current" ] || fail_msg "no current after kill -9"
	# where the last complete record of current ends; a crash between two
	# batches leaves it whole, so add half a record as a power cut would
	end=$(last_record_end "$D/current")
	if [ "$end" -eq "$(stat -c %s "$D/current")" ]; then
		printf '\x01\0\0\0\0\0\0\0\xe8\x03\0\0\xe8\x03\0\0abcdefghij' >>"$D/current"
	fi
	cut=$(($(stat -c %s "$D/current") - end))
	run --separate-stderr timeout 20 chanlog -z 10M "$D" </dev/null
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || fail_msg "exit $status: $stderr"
	[[ $stderr == *"cut=$cut"* ]] || fail_msg "not cut=$cut: $stderr"
	only_finished "$D"
	mapfile -t names < <(finished "$D")
	[ "${#names[@]}" -ge 3 ]
	for f in "${names[@]}"; do
		capinfos "$D/$f" >/dev/null 2>"$T/capinfos.err" ||
		    fail_msg "capinfos $f: $(cat "$T/capinfos.err")"
	done
	# every record kept is the stream's own, in order, from the first on
	len=$(cd "$D" && records "${names[@]}" | wc -c)
	cmp -n "$len" <(cd "$D" && records "${names[@]}") <(gen -c 100000 -l 1000 | tail -c +25)
	[ "$len" -gt 20000000 ]
}

# crashed_enough: two files finished and the third under way.
crashed_enough() {
	has_finished "$D" 2 && size_ge "$D/current" 1000000
}

# last_record_end FILE: the offset just past FILE's last complete pcap record.
last_record_end() {
	python3 - "$1" <<-'EOF'
	import struct, sys
	b = open(sys.argv[1], "rb").read()
	o = 24
	while o + 16 <= len(b):
	    n = struct.unpack_from("<I", b, o + 8)[0]
	    if o + 16 + n > len(b):
	        break
	    o += 16 + n
	print(o if len(b) >= 24 else 0)
	EOF
}

@test "crash: a text current is cut after its last newline and named by its mtime" {
	mkdir "$D"
	printf 'line1\nline2\npartial' >"$D/current"
	touch -d '2025-01-02 03:04:05.123456789 UTC' "$D/current"
	run --separate-stderr timeout 20 chanlog "$D" <<<new
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || fail_msg "exit $status: $stderr"
	[[ $stderr == *cut=7* ]] || fail_msg "not cut=7: $stderr"
	mapfile -t names < <(finished "$D")
	assert_equal "${names[0]}" 2025-01-02T03-04-05.123456789Z.log
	assert_equal "$(cat "$D/${names[0]}")" "line1
line2"
	assert_equal "$(cat "$D/${names[1]}")" new
	assert_equal "${#names[@]}" 2
}

@test "crash: a pcap current with half a header is removed as empty" {
	mkdir "$D"
	gen -c 1 | head -c 10 >"$D/current"
	run timeout 20 chanlog "$D" </dev/null
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	[ ! -e "$D/current" ]
	assert_equal "$(nfinished "$D")" 0
}

# ------------------------------------------------------------ error paths

@test "lock held: a second chanlog exits 111 at once naming the first one's pid" {
	start_fifo c chanlog "$D"
	wait_for "$D/lock" "^$fifo_pid\$"
	t0=$(now)
	run timeout 5 chanlog "$D" <<<intruder
	t1=$(now)
	assert_failure 111
	assert_output --partial "chanlog: unable to lock $D: held by pid $fifo_pid"
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2) }' ||
	    fail_msg "took $t0 .. $t1"
	running "$fifo_pid"
	feed c 'mine\n'
	end_input c
	assert_equal "$exit_status" 0
	assert_equal "$(cat_finished "$D")" mine
	# the lock is free again
	run timeout 5 chanlog "$D" <<<later
	assert_success
}

@test "DIR under a regular file cannot be created: exit 111" {
	touch "$T/file"
	run timeout 20 chanlog "$T/file/d" <<<x
	assert_failure 111
	assert_output --partial "$T/file/d"
}

@test "DIR is a regular file: exit 111" {
	touch "$D"
	run timeout 20 chanlog "$D" <<<x
	assert_failure 111
	assert_output --partial "$D"
}

@test "current planted as a symlink is not followed: exit 111, target untouched" {
	mkdir "$D"
	echo precious >"$T/target"
	ln -s "$T/target" "$D/current"
	run timeout 20 chanlog "$D" <<<x
	assert_failure 111
	assert_equal "$(cat "$T/target")" precious
	# a dangling one: its target is not created
	rm "$D/current"
	ln -s "$T/nowhere" "$D/current"
	run timeout 20 chanlog "$D" <<<x
	assert_failure 111
	[ ! -e "$T/nowhere" ]
}

# full_disk SIZE: a tmpfs of SIZE at $T/mnt in a private mount namespace;
# sets M, the path the test sees it by.
full_disk() {
	mntns_start
	mkdir "$T/mnt"
	in_mntns mount -t tmpfs -o "size=$1" tmpfs "$T/mnt"
	M=/proc/$MNT_PID/root$T/mnt
	[ "$(stat -f -c %T "$M")" = tmpfs ] || fail_msg "$M is not the tmpfs"
}

# fill: fill the tmpfs with $T/mnt/filler.
fill() {
	in_mntns sh -c "cat /dev/zero >$T/mnt/filler" 2>/dev/null || true
}

# all_text DIR: the finished files then current (what is on disk, in order).
all_text() {
	cat_finished "$1"
	[ ! -e "$1/current" ] || cat "$1/current"
}

FULL_RE='chanlog: unable to write .*/mnt/d/current: No space left on device; holding [0-9]+ bytes, retrying'

@test "disk full: 'unable to write', data held; space returns: no line lost, dropped=0" {
	full_disk 1m
	start_fifo c "${MNT[@]}" chanlog -v "$T/mnt/d"
	lines 3000 >"$T/in"
	head -n 1 "$T/in" >"$T/in1"
	tail -n +2 "$T/in" >"$T/in2"
	feed_file c "$T/in1"
	wait_until 5 size_ge "$M/d/current" 100
	fill
	feed_file c "$T/in2"
	wait_for "$T/c.err" "$FULL_RE"
	in_mntns rm "$T/mnt/filler"
	wait_until 15 size_ge "$M/d/current" "$(stat -c %s "$T/in")"
	end_input c
	assert_equal "$exit_status" 0
	cmp "$T/in" <(cat_finished "$M/d")
	assert_equal "$(grep -c 'unable to write' "$T/c.err")" 1
	grep -Eq 'dropped=0( |$)' "$T/c.err" || fail_msg "$(cat "$T/c.err")"
}

@test "disk full: TERM exits 111 within 2 s, what fits is written, the loss reported" {
	full_disk 1m
	start_fifo c "${MNT[@]}" chanlog "$T/mnt/d"
	lines 3000 >"$T/in"
	head -n 1 "$T/in" >"$T/in1"
	tail -n +2 "$T/in" >"$T/in2"
	feed_file c "$T/in1"
	wait_until 5 size_ge "$M/d/current" 100
	fill
	feed_file c "$T/in2"
	wait_for "$T/c.err" "$FULL_RE"
	t0=$(now)
	stop_bg c TERM 5
	t1=$(now)
	assert_equal "$exit_status" 111
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2) }' ||
	    fail_msg "TERM took from $t0 to $t1"
	grep -Eq "$COUNTERS_RE" "$T/c.err" || fail_msg "no counters: $(cat "$T/c.err")"
	grep -Eq 'dropped=[1-9]' "$T/c.err" || fail_msg "no loss reported: $(cat "$T/c.err")"
	# what is on disk is the first lines, whole, in order
	all_text "$M/d" >"$T/disk"
	cmp -n "$(stat -c %s "$T/disk")" "$T/disk" "$T/in"
}

@test "disk full -f: the oldest finished files are deleted, never current or foreign files" {
	full_disk 1m
	start_fifo c "${MNT[@]}" chanlog -f -z 64k "$T/mnt/d"
	lines 8000 >"$T/in"
	head -n 3000 "$T/in" >"$T/in1"
	tail -n 5000 "$T/in" >"$T/in2"
	feed_file c "$T/in1"
	wait_until 10 text_size_ge "$M/d" 300000
	# 300 kB of lines, 300 kB foreign, then 500 kB more lines: 1.1 MB
	head -c 300000 /dev/urandom >"$T/foreign"
	in_mntns cp "$T/foreign" "$T/mnt/d/foreign.dat"
	feed_file c "$T/in2"
	end_input c 20
	assert_equal "$exit_status" 0
	cmp "$T/foreign" "$M/d/foreign.dat"
	all_text "$M/d" >"$T/disk"
	n=$(in_order "$T/disk")
	# a suffix of the input: the oldest lines gone, the newest all there
	cmp "$T/disk" <(tail -n "$n" "$T/in")
	[ "$n" -lt 8000 ] || fail_msg "nothing was deleted"
	[ "$n" -ge 5000 ] || fail_msg "only the last $n lines are there"
}

# text_size_ge DIR N: DIR's finished files and current hold N bytes or more.
text_size_ge() {
	[ "$(all_text "$1" | wc -c)" -ge "$2" ]
}

@test "disk full -b 300k: the buffer full, later records are dropped and counted, exit 1" {
	full_disk 1m
	start_fifo c "${MNT[@]}" chanlog -b 300k -l 1k "$T/mnt/d"
	lines 6000 >"$T/in"
	head -n 1 "$T/in" >"$T/in1"
	tail -n +2 "$T/in" >"$T/in2"
	feed_file c "$T/in1"
	wait_until 5 size_ge "$M/d/current" 100
	fill
	feed_file c "$T/in2"
	wait_for "$T/c.err" "$FULL_RE"
	in_mntns rm "$T/mnt/filler"
	end_input c 15
	[ "$exit_status" -eq 1 ] || fail_msg "exit $exit_status: $(cat "$T/c.err")"
	dropped=$(grep -Eo 'dropped=[0-9]+' "$T/c.err" | tail -n 1)
	dropped=${dropped#dropped=}
	[ "${dropped:-0}" -gt 0 ] || fail_msg "nothing dropped: $(cat "$T/c.err")"
	all_text "$M/d" >"$T/disk"
	n=$(in_order "$T/disk")
	assert_equal "$((n + dropped))" 6000
	# held: -b (3000 lines), a page of current, a pipe's worth unread
	[ "$dropped" -ge 2000 ] || fail_msg "only $dropped of 6000 lines dropped with -b 300k"
	# what was kept is whole lines of the input
	grep -avxFf "$T/in" "$T/disk" && fail_msg "lines not in the input"
	true
}
