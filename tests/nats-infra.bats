#!/usr/bin/env bats
# tests/nats-infra.bats: the NATS test infrastructure itself (tests/nats.bash
# and the Node.js peer tests/tools/nats-peer.js): a server, TLS with client
# certificates, user/password and token, JWT .creds, a three-node cluster,
# each shown to accept what it should and refuse what it should.
# nats_* variables and exit_status are set by nats.bash and helper.bash;
# and shellcheck takes each @test for a subshell (SC2030, SC2031).
# shellcheck disable=SC2154,SC2030,SC2031

# Not again under ASan: it tests the test servers, not our programs.
# bats file_tags=nosan

bats_require_minimum_version 1.5.0
load helper
load nats

# three messages with headers, as JSON lines for nats-peer.js pub
msgs3() {
	printf '%s\n' \
	    '{"payload_hex":"68656c6c6f","headers":{"Nats-Msg-Id":"m1","Chanrelay-Time":"1733321234.000000042"}}' \
	    '{"payload_hex":"","headers":{"Nats-Msg-Id":"m2","X-Two":["a","b"]}}' \
	    '{"payload_hex":"00ff","headers":{"Nats-Msg-Id":"m3"}}'
}

# msgs_are STREAM NAME N: server NAME holds N messages of STREAM.
msgs_are() {
	[ "$(nats_stream_msgs "$1" "$2" 2>/dev/null)" = "$3" ]
}

@test "a server starts on 127.0.0.1, answers healthz and restarts on its ports" {
	need_nats
	nats_start one
	[[ $nats_url =~ ^nats://127\.0\.0\.1:[0-9]+$ ]]
	[[ $nats_http =~ ^http://127\.0\.0\.1:[0-9]+$ ]]
	[ "$NATS_URL_one" = "$nats_url" ]
	[ "$NATS_PID_one" = "$(bg_pid_of nats-one)" ]
	run -0 nats_curl "$nats_http/healthz"
	assert_output --partial '"ok"'
	run -0 nats_jsz one
	assert_output --partial "\"store_dir\": \"$T/nats-one/store"
	run -0 nats_curl "$nats_http/varz"
	assert_output --partial '"server_name": "one"'
	nats_kill one
	run ! nats_healthy "$nats_http"
	nats_restart one
	[ "$NATS_URL_one" = "$nats_url" ]
	[ "$NATS_PID_one" != "$nats_pid" ]
	nats_healthy "$NATS_HTTP_one"
}

@test "nats-peer publishes with headers, deduplicates by id and reads back" {
	need_nats
	need_nats_peer
	nats_start one
	run -0 nats_peer addstream "$nats_url" T1 't1.>' 1 duplicate_window=60000000000
	assert_output T1
	run -0 nats_peer pub "$nats_url" t1.gps < <(msgs3; msgs3 | head -n 1)
	assert_output $'1\n2\n3\n1 duplicate'
	[ "$(nats_stream_msgs T1)" -eq 3 ]
	[ "$(nats_stream_json T1 one | jq '.config.duplicate_window')" = 60000000000 ]
	run -0 nats_peer sub "$nats_url" t1.gps 3 5000
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -c '[.seq, .subject, .payload_hex]' <<<"${lines[0]}")" = '[1,"t1.gps","68656c6c6f"]' ]
	[ "$(jq -r '.headers["Chanrelay-Time"][0]' <<<"${lines[0]}")" = 1733321234.000000042 ]
	[ "$(jq -c '.headers["X-Two"]' <<<"${lines[1]}")" = '["a","b"]' ]
	[ "$(jq -r '.payload_hex' <<<"${lines[1]}")" = '' ]
	[ "$(jq -c '[.seq, .payload_hex, .headers]' <<<"${lines[2]}")" = '[3,"00ff",{"Nats-Msg-Id":["m3"]}]' ]
	[[ $(jq -r .time_ns <<<"${lines[2]}") =~ ^[0-9]{19}$ ]]
	# a fourth message never comes: exit 1 at the timeout
	run -1 nats_peer sub "$nats_url" t1.gps 4 500
	[ "${#lines[@]}" -eq 4 ]
	assert_line --index 3 'nats-peer: timeout: 3 of 4 messages'
	run -0 nats_peer bench "$nats_url" t1.bench 200 100 16
	assert_output --regexp '^msgs=200 secs=[0-9.]+ rate=[0-9]+$'
	[ "$(nats_stream_msgs T1)" -eq 203 ]
}

@test "nats-peer without a stream for the subject fails" {
	need_nats
	need_nats_peer
	nats_start one
	run -1 nats_peer sub "$nats_url" nostream.x 1 300
	assert_output --partial 'no stream matches subject'
	run -1 nats_peer pub "$nats_url" nostream.x 1000 <<<'{"payload_hex":"41"}'
	assert_output --partial 'unable to publish'
	dead_tcp_port
	run -111 nats_peer ping "nats://127.0.0.1:$dead_port"
	assert_output --partial 'CONNECTION_REFUSED'
}

@test "the TLS server takes only clients with a certificate from its CA" {
	need_nats
	need_nats_peer
	nats_start_tls sec
	[[ $nats_url =~ ^tls://127\.0\.0\.1:[0-9]+$ ]]
	local plain=nats://127.0.0.1:$nats_port
	# a plain client is told TLS is required, and gets no PONG
	run timeout 5 socat -t 1 - "TCP:127.0.0.1:$nats_port" \
	    <<<$'CONNECT {"verbose":false}\r\nPING\r'
	assert_output --partial '"tls_required":true'
	refute_output --partial PONG
	# no CA: the server's certificate is not trusted
	run -111 nats_peer ping "$plain"
	assert_output --partial 'unable to verify the first certificate'
	# the CA but no client certificate: the server refuses
	NATS_CA=$tls_ca run -111 nats_peer ping "$plain"
	wait_for "$T/nats-sec.err" "client didn't provide a certificate"
	# a client certificate from another CA: refused
	NATS_CA=$tls_ca NATS_CERT=$tls_bad_cert NATS_KEY=$tls_bad_key \
	    run -111 nats_peer ping "$plain"
	wait_for "$T/nats-sec.err" 'certificate signed by unknown authority'
	# the wrong CA: the client refuses the server
	NATS_CA=$tls_bad_ca NATS_CERT=$tls_cert NATS_KEY=$tls_key \
	    run -111 nats_peer ping "$plain"
	# all three: JetStream works, by nats:// and by tls://
	export NATS_CA=$tls_ca NATS_CERT=$tls_cert NATS_KEY=$tls_key
	run -0 nats_peer addstream "$plain" SEC 'sec.>'
	run -0 nats_peer pub "$nats_url" sec.a < <(msgs3)
	assert_output $'1\n2\n3'
	run -0 nats_peer sub "$plain" sec.a 3 5000
	[ "${#lines[@]}" -eq 3 ]
	[ "$(nats_stream_msgs SEC)" -eq 3 ]
}

@test "the creds server takes only a user of its account" {
	need_nats
	need_nats_peer
	nats_start_creds jwt
	run -111 nats_peer ping "$nats_url"
	assert_output --partial 'Authorization Violation'
	NATS_CREDS=$nats_bad_creds run -111 nats_peer ping "$nats_url"
	assert_output --partial 'Authorization Violation'
	wait_for "$T/nats-jwt.err" 'authentication error'
	grep -q '^-----BEGIN NATS USER JWT-----$' "$nats_creds"
	grep -q '^-----BEGIN USER NKEY SEED-----$' "$nats_creds"
	export NATS_CREDS=$nats_creds
	run -0 nats_peer addstream "$nats_url" CR 'cr.>'
	run -0 nats_peer pub "$nats_url" cr.a < <(msgs3)
	assert_output $'1\n2\n3'
	run -0 nats_peer sub "$nats_url" cr.a 3 5000
	[ "${#lines[@]}" -eq 3 ]
	# the stream lives in the JWT account, not the global one
	[ "$(nats_stream_msgs CR)" -eq 3 ]
	run -0 nats_jsz jwt 'accounts=true'
	# shellcheck disable=SC2016 # $G is the global account's name
	refute_output --partial '"name": "$G"'
}

@test "the user/password and token servers take only the secret" {
	need_nats
	need_nats_peer
	nats_start_auth up
	run -111 nats_peer ping "$nats_url"
	assert_output --partial 'Authorization Violation'
	NATS_USER=$nats_user NATS_PASSWORD=wrong run -111 nats_peer ping "$nats_url"
	NATS_USER=$nats_user NATS_PASSWORD=$nats_password \
	    run -0 nats_peer ping "$nats_url"
	NATS_USER=$nats_user NATS_PASSWORD_FILE=$nats_password_file \
	    run -0 nats_peer addstream "$nats_url" UP 'up.>'
	nats_start_auth tk token
	run -111 nats_peer ping "$nats_url"
	NATS_TOKEN=wrong run -111 nats_peer ping "$nats_url"
	NATS_TOKEN=$nats_token run -0 nats_peer ping "$nats_url"
	NATS_TOKEN_FILE=$nats_token_file run -0 nats_peer ping "$nats_url"
}

@test "a three-node cluster elects a meta leader and replicates, through a kill -9 and a stop" {
	need_nats
	need_nats_peer
	nats_cluster_start
	[[ $nats_url =~ ^nats://127\.0\.0\.1:[0-9]+,nats://127\.0\.0\.1:[0-9]+,nats://127\.0\.0\.1:[0-9]+$ ]]
	[[ $nats_meta_leader =~ ^n[123]$ ]]
	local n l other
	for n in n1 n2 n3; do
		nats_healthy "$(nats_var HTTP "$n")"
		[ "$(nats_jsz "$n" | jq -r .meta_cluster.cluster_size)" -eq 3 ]
	done
	run -0 nats_peer addstream "$nats_url" R3 'r3.>' 3
	run -0 nats_peer pub "$nats_url" r3.a < <(msgs3)
	nats_wait_stream_leader R3 10
	l=$nats_leader
	[ "$(nats_stream_msgs R3 "$l")" -eq 3 ]
	# kill -9 a follower, publish, restart it: it catches up
	other=n1
	[ "$l" != n1 ] || other=n2
	nats_kill "$other"
	run ! nats_is_running "$other"
	run -0 nats_peer pub "$nats_url" r3.b < <(msgs3 | sed 's/"m/"k/')
	assert_output $'4\n5\n6'
	nats_restart "$other"
	wait_until 10 msgs_are R3 "$other" 6
	# stop the stream leader: the others elect another
	nats_stop "$l"
	nats_wait_stream_leader R3 15 "$l"
	[ "$nats_leader" != "$l" ]
	[ "$(nats_stream_msgs R3)" -eq 6 ]
	# a consumer is made through the meta leader, which the stopped node
	# may have been: the two left agree on one first (CI saw the sub fail)
	wait_until 15 nats_meta_agreed
	run -0 nats_peer sub "$nats_url" r3.b 3 5000
	[ "$(jq -r .seq <<<"${lines[2]}")" = 6 ]
}
