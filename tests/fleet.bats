#!/usr/bin/env bats
# fleet.bats: examples/fleet as its README promises: a three-node NATS
# cluster, one channel table run as three hosts, and what rx1 and rx2
# receive reaches the archive host's directories. Its ports are fixed
# (it is an example to read), so it runs in a network namespace of its own.
# shellcheck disable=SC2154

# Not again under ASan: run.sh runs the programs of the tree, not build/san.
# bats file_tags=nosan

bats_require_minimum_version 1.5.0
load helper
load nats

@test "examples/fleet: datagrams sent to rx1 and rx2 reach the archive host, each once" {
	need_netns
	need_nats
	need tcpdump tshark
	run -0 unshare -n sh -c "ip link set lo up &&
	    FLEET_DATA='$T/fleet' '$TOP/examples/fleet/run.sh' -t"
	assert_line 'fleet: every datagram reached the archive'
	assert_line --regexp '^gps +running '
	assert_line --regexp '^gps +skipped '
	assert_line '    runs on rx1; this host is archive'
	local ch
	for ch in gps imu; do
		cat "$T/fleet/archive/$ch"/*.pcap >"$T/$ch.pcap"
		# synthetic payloads: the sequence number in bytes 8..15
		run -0 tshark_fields "$T/$ch.pcap" data.data
		[ "${#lines[@]}" -eq 20 ]
		run -0 sh -c "cut -c17-32 | sort -u | wc -l" <<<"$output"
		assert_output 20
		# and the receiving host kept its own log
		run -0 sh -c "cat '$T/fleet/rx'*/'$ch'/*.pcap | tcpdump -nn -r - 2>/dev/null | wc -l"
		assert_output 20
	done
}
