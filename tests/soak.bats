#!/usr/bin/env bats
# soak.bats: the short form of bench/soak in make check: six channels
# under chanrelay for 12 s of paced numbered streams while the fault
# injector kills random stages, stalls a sink, fills one channel's disk and
# frees it, and sends HUP and USR1. Every datagram is on disk or counted
# lost, none twice; nothing leaks. The long form is run by hand
# (bench/soak -c 20 -d 1800) and recorded in bench/RESULTS.md.

# Not again under ASan: bench/soak runs the programs of the tree.
# bats file_tags=nosan

bats_require_minimum_version 1.5.0
load helper

@test "soak: 6 channels, 12 s under kill -9, a stalled sink, a full disk, HUP and USR1: every datagram on disk or counted, none twice, nothing leaked" {
	need_root
	need_mntns
	local seed=$((RANDOM * 32768 + RANDOM))
	echo "# seed $seed (bench/soak -c 6 -d 12 -s $seed to run it again)" >&3
	run timeout 300 "$TOP/bench/soak" -c 6 -d 12 -s "$seed"
	printf '%s\n' "$output" | grep -E '^(#|not ok)' >&3 || true
	[ "$status" -eq 0 ] || fail_msg "$output"
	assert_line 'soak: ok'
	[ "$(grep -c '^ok: c[0-9]*: ' <<<"$output")" -eq 6 ]
	# the faults happened
	assert_line --regexp '^# faults: [1-9][0-9]* \(([3-9]|[1-9][0-9]+) kill -9, '
	assert_line --regexp "c1's disk full: [1-9]"
}
