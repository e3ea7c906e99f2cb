#!/usr/bin/env bats
# stderr (bats run) and exit_status (helper.bash) are set elsewhere
# shellcheck disable=SC2154
# tests/chanlog-crash.bats: chanlog after power cuts, torn writes and a
# failing disk, made by tests/tools/faultinj.so (LD_PRELOAD): what the
# next start keeps is whole records that were written, in order, and opens
# in capinfos and tcpdump; what it cuts is reported. The exhaustive sweeps
# over every byte offset are in tests/unit/test_salvage.c.

bats_require_minimum_version 1.5.0
load helper

FI=$FAULTINJ
GEN=$FIXTURES/chanlog/genpcap.py
NAME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}\.[0-9]{9}Z\.(pcap|log)'

setup_file() {
	[ -e "$FAULTINJ" ] ||
	    fail_msg "tests/tools/faultinj.so is not built: run make tools"
}

setup() {
	T=$BATS_TEST_TMPDIR
	D=$T/d
}

finished() {
	find "$1" -mindepth 1 -maxdepth 1 -type f -printf '%f\n' |
	    grep -Ex "$NAME_RE" | sort || true
}

# crash ENV...: chanlog on $T/in into $D under the injector with the
# FI_ settings ENV; it must die of SIGKILL.
crash() {
	run env "$@" LD_PRELOAD="$FI" timeout 20 chanlog "$D" <"$T/in"
	[ "$status" -eq 137 ] || fail_msg "not killed: exit $status: $output"
}

# recover: the next start, on no input; it must exit 0 and leave only
# finished files. Its stderr in $T/rec.err.
recover() {
	timeout 20 chanlog -v "$D" </dev/null 2>"$T/rec.err" || {
		cat "$T/rec.err" >&2
		fail_msg "recovery exited $?"
	}
	[ ! -e "$D/current" ] || fail_msg "current left after recovery"
	[ ! -e "$D/current.ok" ] || fail_msg "current.ok left after recovery"
}

# kept_pcap MIN: every finished file opens in capinfos and tcpdump -r; their
# records together are the input's first ones, byte for byte, at least MIN
# bytes of them. Sets len.
kept_pcap() {
	local f
	: >"$T/kept"
	for f in $(finished "$D"); do
		[[ $f == *.pcap ]] || fail_msg "$f is not pcap"
		capinfos "$D/$f" >/dev/null 2>"$T/ci.err" ||
		    fail_msg "capinfos $f: $(cat "$T/ci.err")"
		tcpdump -nr "$D/$f" >/dev/null 2>"$T/td.err" ||
		    fail_msg "tcpdump -r $f: $(cat "$T/td.err")"
		! grep -q truncated "$T/td.err" || fail_msg "$(cat "$T/td.err")"
		tail -c +25 "$D/$f" >>"$T/kept"
	done
	len=$(stat -c %s "$T/kept")
	cmp -n "$len" "$T/kept" <(tail -c +25 "$T/in") ||
	    fail_msg "kept records are not the input's"
	[ "$len" -ge "$1" ] || fail_msg "kept $len bytes, want >= $1"
}

# kept_text MIN: the finished files are the input's first lines, whole,
# without a NUL byte, at least MIN bytes.
kept_text() {
	local f
	: >"$T/kept"
	for f in $(finished "$D"); do
		[[ $f == *.log ]] || fail_msg "$f is not text"
		cat "$D/$f" >>"$T/kept"
	done
	len=$(stat -c %s "$T/kept")
	cmp -n "$len" "$T/kept" "$T/in" || fail_msg "kept lines are not the input's"
	[ "$len" -eq 0 ] || [ "$(tail -c 1 "$T/kept" | od -An -c | tr -d ' ')" = '\n' ] ||
	    fail_msg "the last line kept is partial"
	! tr -d '\n' <"$T/kept" | grep -qaP '\x00' || fail_msg "a NUL byte kept"
	[ "$len" -ge "$1" ] || fail_msg "kept $len bytes, want >= $1"
}

lines() {
	awk -v n="$1" -v w="${2:-100}" 'BEGIN {
		pad = sprintf("%*s", w - 13, ""); gsub(/ /, "x", pad)
		for (i = 1; i <= n; i++) printf "line %06d %s\n", i, pad
	}'
}

# The input: 4 batches of 256 KiB and a bit; write 2 is the second batch.
pcap_in() {
	python3 "$GEN" -c 6000 -l 37,1400,200,9,700 >"$T/in"
}

# torn_pcap MODE MIN K...: for each K, write 2 torn by MODE:K, then the
# next start keeps at least MIN bytes of records and nothing torn.
torn_pcap() {
	local mode=$1 min=$2 k
	shift 2
	pcap_in
	for k in "$@"; do
		rm -rf "$D"
		crash FI_WRITE=2 FI_DO="$mode:$k"
		recover
		kept_pcap "$min"
		if [ "$len" -lt "$(($(stat -c %s "$T/in") - 24))" ]; then
			grep -q "recovered $D/current: cut [0-9]* bytes" "$T/rec.err" ||
			    fail_msg "K=$k: the cut not reported: $(cat "$T/rec.err")"
		fi
	done
}

@test "pcap: a write torn short at 9 points of a batch: whole records kept, cut reported" {
	need capinfos tcpdump
	torn_pcap short 200000 1 15 16 17 511 513 4096 100000 262000
}

@test "pcap: the end of a write lost (zero sectors) at 8 points: no zero record kept" {
	need capinfos tcpdump
	torn_pcap tail 200000 0 1 300 512 1000 4097 131072 262100
}

@test "pcap: the first part of a write lost, the rest there: cut at the hole, not after" {
	need capinfos tcpdump
	torn_pcap head 200000 1 600 4096 70000 262000
	grep -Eq "(implausible record header|sector of zeros) at offset" "$T/rec.err" ||
	    fail_msg "$(cat "$T/rec.err")"
}

@test "short writes (no crash): chanlog writes the rest, the file is the input" {
	need capinfos tcpdump
	pcap_in
	run env FI_WRITE=2 FI_DO=half LD_PRELOAD="$FI" timeout 20 chanlog "$D" <"$T/in"
	assert_success
	kept_pcap $(($(stat -c %s "$T/in") - 24))
}

@test "pcap: the last write on disk, the one before it not (reordered): cut at the hole" {
	need capinfos tcpdump
	pcap_in
	crash FI_WRITE=3 FI_DO=reorder
	recover
	kept_pcap 200000
	[ "$len" -lt 600000 ] || fail_msg "kept $len: records after the hole kept"
}

@test "pcap -y: the unsynced tail lost; everything synced is kept, unread" {
	need capinfos tcpdump
	pcap_in
	# -y 1ns: a sync after every slice of input; the 11th write loses
	# what came after the last sync
	run env FI_WRITE=11 FI_DO=drop LD_PRELOAD="$FI" timeout 20 \
	    chanlog -y 1ns "$D" <"$T/in"
	[ "$status" -eq 137 ]
	grep -q 'synced=[1-9]' "$D/current.ok" || fail_msg "$(cat "$D/current.ok")"
	synced=$(mark_synced)
	recover
	kept_pcap $((synced - 24))
}

@test "pcap: the first bytes of current lost: still pcap (the channel's framing), no .log" {
	need capinfos tcpdump
	pcap_in
	crash FI_WRITE=2 FI_DO=kill
	dd if=/dev/zero of="$D/current" bs=512 count=1 conv=notrunc status=none
	recover
	kept_pcap 0
	[ -z "$(find "$D" -name '*.log')" ] || fail_msg "a .log file: $(ls "$D")"
}

@test "pcap: good magic, torn rest of header: the channel's header back, records kept" {
	need capinfos tcpdump
	pcap_in
	crash FI_WRITE=2 FI_DO=kill
	dd if=/dev/zero of="$D/current" bs=1 seek=4 count=20 conv=notrunc status=none
	recover
	kept_pcap 500000
	grep -q "header was not the channel's: replaced" "$T/rec.err" ||
	    fail_msg "$(cat "$T/rec.err")"
}

@test "pcap: a read error while recovering: exit 111, current untouched" {
	pcap_in
	crash FI_WRITE=3 FI_DO=kill
	before=$(md5sum <"$D/current")
	run --separate-stderr env FI_READ=300000 LD_PRELOAD="$FI" timeout 20 \
	    chanlog "$D" </dev/null
	[ "$status" -eq 111 ] || fail_msg "exit $status: $stderr"
	[[ $stderr == *"unable to recover $D/current: Input/output error"* ]] ||
	    fail_msg "$stderr"
	assert_equal "$(md5sum <"$D/current")" "$before"
	[ -z "$(finished "$D")" ]
}

@test "text: a run of NULs inside a batch: cut at the line it starts in, no line after it" {
	lines 8000 100 >"$T/in"
	for k in 1 5000 100001; do
		rm -rf "$D"
		crash FI_WRITE=2 FI_DO="head:$k"
		recover
		kept_text 262000
		[ "$len" -le $((262144 + 100)) ] ||
		    fail_msg "K=$k: $len bytes kept: lines after the hole"
		grep -q "NUL byte at offset" "$T/rec.err" || fail_msg "$(cat "$T/rec.err")"
	done
}

@test "text: the end of a write lost or torn short: whole lines kept, counted" {
	lines 8000 100 >"$T/in"
	for m in tail:0 tail:70000 short:12345 reorder; do
		rm -rf "$D"
		crash FI_WRITE=3 FI_DO="$m"
		recover
		kept_text 262000
		grep -Eq "cut [0-9]+ bytes at offset [0-9]+ \([0-9]+ lines?\)" "$T/rec.err" ||
		    fail_msg "$m: $(cat "$T/rec.err")"
	done
}

@test "a failed fsync: what it covered is cut and counted lost, never taken as synced" {
	need capinfos tcpdump
	pcap_in
	run --separate-stderr env FI_FSYNC=2 LD_PRELOAD="$FI" timeout 20 \
	    chanlog -y 1ns "$D" <"$T/in"
	[ "$status" -eq 1 ] || fail_msg "exit $status: $stderr"
	[[ $stderr == *"unable to sync $D/current: Input/output error; cut back to the "*" records lost"* ]] ||
	    fail_msg "$stderr"
	lost=$(sed -n 's/.*cut back to the [0-9]* bytes synced before: \([0-9]*\) records lost.*/\1/p' <<<"$stderr")
	[ "$lost" -gt 0 ]
	[[ $stderr == *"dropped=$lost "* ]] || fail_msg "$stderr"
	f=$(finished "$D")
	capinfos "$D/$f" >/dev/null
	# the records kept: the input's, in order, with exactly $lost missing
	python3 - "$T/in" "$D/$f" "$lost" <<-'EOF'
	import struct, sys
	def recs(p):
	    b = open(p, "rb").read(); o = 24; r = []
	    while o < len(b):
	        n = struct.unpack_from("<I", b, o + 8)[0]
	        r.append(b[o:o + 16 + n]); o += 16 + n
	    return r
	a, k = recs(sys.argv[1]), recs(sys.argv[2])
	i = 0
	for x in k:
	    while i < len(a) and a[i] != x:
	        i += 1
	    assert i < len(a), "a record kept that is not the input's"
	    i += 1
	assert len(a) - len(k) == int(sys.argv[3]), (len(a), len(k))
	EOF
}

@test "no renameat2 RENAME_NOREPLACE (EINVAL, ENOSYS): link and unlink, said once" {
	lines 3000 100 >"$T/in"
	for e in EINVAL ENOSYS; do
		rm -rf "$D"
		run --separate-stderr env FI_RENAME=$e LD_PRELOAD="$FI" \
		    timeout 20 chanlog -z 100k "$D" <"$T/in"
		[ "$status" -eq 0 ] || fail_msg "$e: exit $status: $stderr"
		[ "$(grep -c 'no renameat2 RENAME_NOREPLACE' <<<"$stderr")" -eq 1 ] ||
		    fail_msg "$e: $stderr"
		[ "$(finished "$D" | wc -l)" -ge 3 ]
		# shellcheck disable=SC2046 # the names have no spaces
		cmp <(cd "$D" && cat $(finished "$D")) "$T/in"
		[ ! -e "$D/current" ]
	done
}

@test "a crash between link and unlink: current, a second name, is removed, not finished twice" {
	lines 100 >"$T/in"
	chanlog "$D" <"$T/in"
	f=$(finished "$D")
	ln "$D/$f" "$D/current"
	run --separate-stderr timeout 20 chanlog "$D" </dev/null
	assert_success
	[[ $stderr == *"already finished under its other name"* ]] || fail_msg "$stderr"
	assert_equal "$(finished "$D")" "$f"
	[ ! -e "$D/current" ]
	cmp "$D/$f" "$T/in"
}

@test "1000 names taken: exit 111 naming them, no processor, nothing overwritten" {
	python3 "$GEN" -c 5 -t 1893456000.0 >"$T/in"
	mkdir "$D"
	# directories: not finished files, so the names do not move past them
	python3 - "$D" <<-'EOF'
	import os, sys
	for i in range(1000):
	    os.mkdir("%s/2030-01-01T00-00-00.%09dZ.pcap" % (sys.argv[1], i))
	EOF
	run --separate-stderr timeout 20 chanlog -p 'echo RAN' "$D" <"$T/in"
	[ "$status" -eq 111 ] || fail_msg "exit $status: $stderr"
	[[ $stderr == *"unable to rename $D/current: the 1000 names from 2030-01-01T00-00-00.000000000Z.pcap on are all taken"* ]] ||
	    fail_msg "$stderr"
	[[ $stderr != *RAN* ]] || fail_msg "a processor ran: $stderr"
	[ "$(find "$D" -mindepth 1 -maxdepth 1 -type d -empty | wc -l)" -eq 1000 ] ||
	    fail_msg "overwritten"
	cmp "$D/current" "$T/in"
}

# mark_synced: the synced offset of current.ok's newer slot.
mark_synced() {
	grep -ao 'seq=[0-9]* [^ ]* synced=[0-9]*' "$D/current.ok" |
	    sort -t= -k2 -n | tail -n 1 | sed 's/.*synced=//'
}

# all_synced: current.ok says all of current (at least SIZE bytes) is synced.
all_synced() {
	[ -e "$D/current" ] && [ "$(stat -c %s "$D/current")" -ge "$1" ] &&
	    [ "$(mark_synced)" = "$(stat -c %s "$D/current")" ]
}

@test "-y 300ms: a quiet channel's current is synced and marked, no more input needed" {
	mkfifo "$T/in.fifo"
	# a holder keeps the FIFO open: the input stays open, and quiet
	sleep 600 <>"$T/in.fifo" >/dev/null 2>&1 3>&- &
	echo $! >"$T/hold.pid"
	BG_STDIN=$T/in.fifo start_bg c chanlog -y 300ms "$D"
	lines 50 >"$T/in.fifo"
	wait_until 10 all_synced 5000
	grep -aq 'framing=text nul=0 first=[1-9]' "$D/current.ok" ||
	    fail_msg "$(cat "$D/current.ok")"
	stop_bg c
	assert_equal "$exit_status" 0
	[ ! -e "$D/current.ok" ] || fail_msg "current.ok left after a clean exit"
	cmp <(cat "$D"/*.log) <(lines 50)
}
