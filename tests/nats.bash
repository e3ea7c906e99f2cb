# tests/nats.bash: NATS JetStream servers for the nats-send and nats-recv
# tests (sourced after helper.bash): a plain server, TLS with client
# certificates, user/password or token, decentralized JWT auth (.creds),
# and a three-node cluster; the npm "nats" client as the peer; stream
# counts and leaders read from the monitoring port.
# shellcheck disable=SC2034 # the variables set here are read by the .bats files
#
# Every server NAME (letters, digits, _) runs from $T/nats-NAME/server.conf,
# listening on 127.0.0.1 only (ports picked by the server, or for a cluster
# by nats_free_ports), with JetStream stored under $T/nats-NAME/store; it is
# a start_bg process named nats-NAME (stderr in $T/nats-NAME.err), so
# teardown kills it. Each start sets, for NAME and (lower case) for the
# server started last:
#   NATS_URL_NAME  nats_url   the client URL (tls://... for a TLS server)
#   NATS_PORT_NAME nats_port  the client port
#   NATS_HTTP_NAME nats_http  the monitoring URL, http://127.0.0.1:PORT
#   NATS_PID_NAME  nats_pid   the server's pid
#   NATS_DIR_NAME  nats_dir   its directory
# Nothing is exported: pass -S "$nats_url" (or NATS_URL=...) to a program.
# NATS_CONF_EXTRA, when set, is added to each server.conf made (e.g.
# NATS_CONF_EXTRA='max_payload: 4096').

NATS_PEER=$TOP/tests/tools/nats-peer.js
NATS_CREDS_JS=$TOP/tests/tools/nats-creds.js
NATS_NPM=$TOP/build/npm/node_modules

# need_nats: skip unless nats-server and the monitoring tools are here.
need_nats() {
	need nats-server curl jq
}

# need_nats_peer: skip unless node and the npm nats client are here (made
# by `sh tools/deps.sh npm`).
need_nats_peer() {
	need node
	[ -e "$NATS_NPM/nats/package.json" ] ||
	    skip "no npm nats client in build/npm: run sh tools/deps.sh npm"
}

# nats_peer ARGS...: run the Node.js peer (tests/tools/nats-peer.js):
#   sub URL SUBJECT COUNT [TIMEOUT_MS]   JSON lines {"seq","subject",
#       "payload_hex","headers":{"Name":["v"]},"time_ns"}; 1 at timeout
#   pub URL SUBJECT [TIMEOUT_MS]  JSON lines {"payload_hex","headers"} on
#       stdin, published one by one; prints "SEQ" or "SEQ duplicate" per ack
#   bench URL SUBJECT COUNT SIZE [WINDOW]   prints "msgs=N secs=S rate=R"
#   addstream URL NAME SUBJECT [REPLICAS] [KEY=JSON...]   (StreamConfig keys:
#       storage=memory duplicate_window=NS max_msg_size=N max_age=NS ...)
#   streaminfo URL NAME | consumerinfo URL STREAM NAME | ping URL
# with NATS_CA, NATS_CERT, NATS_KEY, NATS_CREDS, NATS_USER, NATS_PASSWORD
# (_FILE), NATS_TOKEN (_FILE) from the environment, as the C programs.
# Exit 0; 1 timeout or failure; 100 usage; 111 unable to connect.
nats_peer() {
	node "$NATS_PEER" "$@"
}

# nats_start NAME [NATS-SERVER-ARGS...]: start a JetStream server NAME and
# wait until it is healthy; the ARGS follow -c CONFIG on its command line.
nats_start() {
	local name=$1
	shift
	nats_conf "$name" || return 1
	nats_launch "$name" "$@"
}

# nats_start_tls NAME [ARGS...]: a server that requires TLS and verifies
# client certificates against the test's CA; makes the certificates (once
# a test, in $T/tls) and sets tls_ca, tls_cert and tls_key (a client
# certificate the server accepts), tls_bad_ca (a CA that did not sign the
# server's certificate) and tls_bad_cert, tls_bad_key (a client certificate
# from that other CA, which the server refuses).
nats_start_tls() {
	local name=$1
	shift
	need openssl
	nats_certs || return 1
	nats_conf "$name" || return 1
	cat >>"$NATS_CONF" <<-EOF
	tls {
	  cert_file: "$T/tls/server.pem"
	  key_file: "$T/tls/server.key"
	  ca_file: "$tls_ca"
	  verify: true
	  timeout: 2
	}
	EOF
	nats_launch "$name" "$@"
}

# nats_start_auth NAME [token] [ARGS...]: a server that wants a user and a
# password (sets nats_user, nats_password and nats_password_file, the
# password as a file's first line) or, given "token", a token (sets
# nats_token and nats_token_file).
nats_start_auth() {
	local name=$1 kind=password
	shift
	if [ "${1-}" = token ]; then
		kind=token
		shift
	fi
	nats_conf "$name" || return 1
	if [ "$kind" = token ]; then
		nats_token=tok$RANDOM$RANDOM$RANDOM
		nats_token_file=$nats_dir/token
		printf '%s\n' "$nats_token" >"$nats_token_file"
		printf 'authorization { token: "%s" }\n' "$nats_token" \
		    >>"$NATS_CONF"
	else
		nats_user=chanrelay
		nats_password=pw$RANDOM$RANDOM$RANDOM
		nats_password_file=$nats_dir/password
		printf '%s\n' "$nats_password" >"$nats_password_file"
		printf 'authorization { user: "%s", password: "%s" }\n' \
		    "$nats_user" "$nats_password" >>"$NATS_CONF"
	fi
	nats_launch "$name" "$@"
}

# nats_start_creds NAME [ARGS...]: a server in operator mode (JWTs, resolver
# MEMORY, an account with JetStream); sets nats_creds (a user's .creds file
# the server accepts) and nats_bad_creds (a user of an account it does not
# know, refused). The keys and JWTs come from tests/tools/nats-creds.js.
nats_start_creds() {
	local name=$1
	shift
	need_nats_peer
	nats_conf "$name" || return 1
	node "$NATS_CREDS_JS" "$nats_dir" ||
	    fail_msg "nats-creds.js failed" || return 1
	printf 'include auth.conf\n' >>"$NATS_CONF"
	nats_creds=$nats_dir/user.creds
	nats_bad_creds=$nats_dir/stranger.creds
	nats_launch "$name" "$@"
}

# nats_free_ports N: set nats_ports to N TCP ports of 127.0.0.1 that were
# free a moment ago (python3 binds N sockets to port 0 at once, then closes
# them): a cluster's routes must name each other's ports before it starts.
nats_free_ports() {
	need python3
	nats_ports=$(python3 -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss:
    s.close()' "$1") && [ -n "$nats_ports" ]
}

# nats_cluster_start [ARGS...]: start n1, n2, n3, one JetStream cluster
# "chanrelay" on 127.0.0.1, and wait until all three are healthy and agree
# on a meta leader. Sets each node's variables (NATS_URL_n1 ...) and
# nats_cluster_url (all three client URLs, comma-separated), nats_url (the
# same), nats_http (n1's), nats_meta_leader.
nats_cluster_start() {
	local i n routes='' p
	local -a ports
	need_nats
	nats_free_ports 9 || fail_msg "unable to pick free ports" || return 1
	read -r -a ports <<<"$nats_ports"
	for i in 6 7 8; do
		routes="$routes${routes:+, }nats-route://127.0.0.1:${ports[i]}"
	done
	nats_cluster_url=
	for i in 0 1 2; do
		n=n$((i + 1))
		nats_conf "$n" || return 1
		p=${ports[i]}
		sed -i "s/^listen: .*/listen: 127.0.0.1:$p/
		    s/^http: .*/http: 127.0.0.1:${ports[i + 3]}/" "$NATS_CONF"
		cat >>"$NATS_CONF" <<-EOF
		cluster {
		  name: chanrelay
		  listen: 127.0.0.1:${ports[i + 6]}
		  routes: [$routes]
		}
		EOF
		nats_cluster_url="$nats_cluster_url${nats_cluster_url:+,}nats://127.0.0.1:$p"
	done
	printf 'n1\nn2\nn3\n' >"$T/nats.cluster"
	# all three first: a node is not healthy before the others are up
	for n in n1 n2 n3; do
		nats_launch "$n" "$@" nowait || return 1
	done
	for n in n1 n2 n3; do
		nats_wait_healthy "$n" 20 || return 1
	done
	wait_until 20 nats_meta_agreed ||
	    fail_msg "no JetStream meta leader the nodes agree on:" \
	    "$(nats_jsz n1 | jq -c .meta_cluster)" || return 1
	nats_url=$nats_cluster_url
	nats_http=$(nats_var HTTP n1)
}

# nats_meta_agreed: true once every running cluster node names the same
# meta leader, that leader is running, and each node knows all the others
# (cluster_size: for a moment after the leader is elected, a node may still
# say 2 of 3); sets nats_meta_leader.
nats_meta_agreed() {
	local n l first='' size
	size=$(wc -l <"$T/nats.cluster")
	for n in $(nats_running_nodes); do
		l=$(nats_jsz "$n" | jq -r --argjson size "$size" \
		    '.meta_cluster | select(.cluster_size == $size) |
		    .leader // empty') || return 1
		[ -n "$l" ] || return 1
		[ -z "$first" ] || [ "$l" = "$first" ] || return 1
		first=$l
	done
	[ -n "$first" ] && nats_is_running "$first" || return 1
	nats_meta_leader=$first
}

# nats_running_nodes: the names of the cluster nodes (else of all servers)
# started in this test that are running now, one a line.
nats_running_nodes() {
	local n f=$T/nats.cluster
	[ -e "$f" ] || f=$T/nats.names
	[ -e "$f" ] || return 0
	while read -r n; do
		nats_is_running "$n" && echo "$n"
	done <"$f"
	return 0
}

# nats_is_running NAME: server NAME (started by this test) is running.
nats_is_running() {
	[ -e "$T/nats-$1.pid" ] && running "$(bg_pid_of "nats-$1")"
}

# nats_stop NAME [SIGNAL] [SECONDS]: send SIGNAL (default TERM) to server
# NAME and wait until it has ended (default 10 s); sets exit_status
# (nats-server 2.9.10 exits 1 on TERM, 0 on INT).
nats_stop() {
	stop_bg "nats-$1" "${2:-TERM}" "${3:-10}"
}

# nats_kill NAME: kill -9 server NAME and reap it.
nats_kill() {
	nats_stop "$1" KILL
}

# nats_restart NAME: start server NAME again (after nats_stop or nats_kill)
# with its configuration and arguments, on the same ports, and wait until it
# is healthy. Its previous stderr is kept as $T/nats-NAME.err.N.
nats_restart() {
	local name=$1 i=1 pid
	if nats_is_running "$name"; then
		fail_msg "nats_restart: $name is still running"
		return 1
	fi
	while [ -e "$T/nats-$name.err.$i" ]; do
		i=$((i + 1))
	done
	mv "$T/nats-$name.err" "$T/nats-$name.err.$i"
	pid=$(bg_pid_of "nats-$name")
	wait "$pid" 2>/dev/null || true
	nats_run "$name" || return 1
	nats_wait_healthy "$name"
}

# nats_wait_healthy NAME [SECONDS]: wait (default 10 s) until NAME's
# /healthz says ok (for a cluster node: JetStream is current).
nats_wait_healthy() {
	local http
	http=$(nats_var HTTP "$1")
	wait_until "${2:-10}" nats_healthy "$http" && return 0
	fail_msg "nats server $1 is not healthy: $(nats_curl "$http/healthz")" \
	    "its stderr:" "$(tail -n 20 "$T/nats-$1.err")"
}

# nats_healthy HTTP: /healthz at the monitoring URL HTTP answers ok.
nats_healthy() {
	nats_curl "$1/healthz" | grep -q '"status": *"ok"'
}

# nats_curl URL: GET URL (no proxy, 2 s at most), the body on stdout.
nats_curl() {
	curl -sS --noproxy '*' --max-time 2 "$1" 2>/dev/null
}

# nats_jsz NAME [QUERY]: NAME's /jsz?QUERY as JSON.
nats_jsz() {
	local http
	http=$(nats_var HTTP "$1") || return 1
	nats_curl "$http/jsz?${2-}"
}

# nats_stream_json STREAM [NAME]: the stream_detail object of STREAM (its
# state, config and cluster) as server NAME reports it; default: the
# stream's leader in a cluster, else the server started last. Fails if
# NAME does not hold STREAM.
nats_stream_json() {
	local name=${2-}
	if [ -z "$name" ]; then
		if [ -e "$T/nats.cluster" ]; then
			nats_stream_leader "$1" >/dev/null || return 1
			name=$nats_leader
		else
			name=$(tail -n 1 "$T/nats.names")
		fi
	fi
	nats_jsz "$name" 'accounts=true&streams=true&config=true' |
	    jq -ce --arg s "$1" \
	    '[.account_details[]?.stream_detail[]? | select(.name == $s)][0]
	    // error("no stream")' 2>/dev/null
}

# nats_stream_msgs STREAM [NAME]: the number of messages STREAM stores, as
# NAME reports it (default as in nats_stream_json).
nats_stream_msgs() {
	local j
	j=$(nats_stream_json "$@") || {
		fail_msg "no stream $1 on ${2:-the default server}"
		return 1
	}
	jq -r '.state.messages' <<<"$j"
}

# nats_stream_leader STREAM: print the server name of STREAM's leader, as
# the first running node that holds STREAM reports it, and set nats_leader;
# fail while none reports a leader that is running (after a kill -9 the
# others name the dead leader for ~5 s, until they elect another).
nats_stream_leader() {
	local n l
	nats_leader=
	for n in $(nats_running_nodes); do
		l=$(nats_jsz "$n" 'accounts=true&streams=true' | jq -r \
		    --arg s "$1" '[.account_details[]?.stream_detail[]? |
		    select(.name == $s) | .cluster.leader // empty][0] // empty')
		[ -n "$l" ] || continue
		nats_is_running "$l" || return 1
		nats_leader=$l
		echo "$l"
		return 0
	done
	return 1
}

# nats_wait_stream_leader STREAM [SECONDS] [NOT]: wait (default 20 s) until
# STREAM has a running leader other than NOT; set nats_leader.
nats_wait_stream_leader() {
	wait_until "${2:-20}" nats_leader_not "$1" "${3-}" && return 0
	fail_msg "stream $1 has no leader${3:+ but $3} after ${2:-20}s"
}

nats_leader_not() {
	nats_stream_leader "$1" >/dev/null && [ "$nats_leader" != "$2" ]
}

# --- internals ---

# nats_var FIELD NAME: the value of NATS_FIELD_NAME.
nats_var() {
	local v=NATS_$1_$2
	[ -n "${!v-}" ] || fail_msg "no nats server $2 was started" ||
	    return 1
	printf '%s\n' "${!v}"
}

# nats_conf NAME: make $T/nats-NAME with the base server.conf (set
# NATS_CONF and nats_dir) for a start function to add to.
nats_conf() {
	local name=$1
	need_nats
	case $name in
	'' | [0-9]* | *[!A-Za-z0-9_]*)
		fail_msg "nats: bad server name '$name'"
		return 1
		;;
	esac
	nats_dir=$T/nats-$name
	NATS_CONF=$nats_dir/server.conf
	mkdir -p "$nats_dir/store" || return 1
	cat >"$NATS_CONF" <<-EOF
	server_name: $name
	listen: 127.0.0.1:-1
	http: 127.0.0.1:-1
	ports_file_dir: "$nats_dir"
	jetstream { store_dir: "$nats_dir/store" }
	${NATS_CONF_EXTRA-}
	EOF
	printf -v "NATS_DIR_$name" '%s' "$nats_dir"
}

# nats_launch NAME [ARGS...] [nowait]: record ARGS for restarts, start NAME
# (nats_run), pin its ports in its config, and (unless nowait) wait until
# it is healthy.
nats_launch() {
	local name=$1 wait=1
	shift
	if [ "$#" -gt 0 ] && [ "${!#}" = nowait ]; then
		wait=0
		set -- "${@:1:$#-1}"
	fi
	if [ "$#" -gt 0 ]; then
		printf '%s\0' "$@" >"$T/nats-$name/args"
	else
		: >"$T/nats-$name/args"
	fi
	echo "$name" >>"$T/nats.names"
	nats_run "$name" || return 1
	nats_url=$(nats_var URL "$name") nats_port=$(nats_var PORT "$name")
	nats_http=$(nats_var HTTP "$name") nats_pid=$(nats_var PID "$name")
	nats_dir=$T/nats-$name
	# a restart gets the same ports, so clients' URLs stay good
	sed -i "s/^listen: .*/listen: 127.0.0.1:$nats_port/
	    s/^http: .*/http: ${nats_http#http://}/" "$nats_dir/server.conf"
	[ "$wait" -eq 0 ] || nats_wait_healthy "$name"
}

# nats_run NAME: start nats-server -c $T/nats-NAME/server.conf ARGS with
# start_bg, wait (10 s) for its ports file, and set NAME's variables (the
# lower-case ones are nats_launch's: a restart leaves them alone).
nats_run() {
	local name=$1 dir=$T/nats-$1 pid ports url http
	local -a args=()
	[ -s "$dir/args" ] && mapfile -d '' -t args <"$dir/args"
	start_bg "nats-$name" nats-server -c "$dir/server.conf" "${args[@]}"
	pid=$(bg_pid_of "nats-$name")
	wait_until 10 nats_ports_or_gone "$dir" "$pid" || true
	ports=$(nats_ports_file "$dir" "$pid") || {
		fail_msg "nats-server $name wrote no ports file; its stderr:" \
		    "$(tail -n 20 "$T/nats-$name.err")"
		return 1
	}
	url=$(jq -r '.nats[0]' "$ports")
	http=$(jq -r '.monitoring[0]' "$ports")
	printf -v "NATS_URL_$name" '%s' "$url"
	printf -v "NATS_PORT_$name" '%s' "${url##*:}"
	printf -v "NATS_HTTP_$name" '%s' "$http"
	printf -v "NATS_PID_$name" '%s' "$pid"
}

# nats_ports_file DIR PID: the ports file PID wrote in DIR (named after the
# pid: one left by a killed server stays), once it is complete JSON.
nats_ports_file() {
	local f=$1/nats-server_$2.ports
	jq -e '.nats[0] and .monitoring[0]' "$f" >/dev/null 2>&1 || return 1
	echo "$f"
}

nats_ports_or_gone() {
	nats_ports_file "$1" "$2" >/dev/null || ! running "$2"
}

# nats_certs: once a test, make in $T/tls a CA, a server certificate for
# IP 127.0.0.1 and a client certificate it signed, and a second CA with a
# client certificate of its own; set tls_ca, tls_cert, tls_key, tls_bad_ca,
# tls_bad_cert, tls_bad_key.
nats_certs() {
	local d=$T/tls
	tls_ca=$d/ca.pem tls_cert=$d/client.pem tls_key=$d/client.key
	tls_bad_ca=$d/badca.pem tls_bad_cert=$d/badclient.pem
	tls_bad_key=$d/badclient.key
	[ -e "$tls_bad_key" ] && return 0
	mkdir -p "$d" || return 1
	{
		nats_cert_ca ca &&
		nats_cert_ca badca &&
		nats_cert_leaf server ca 'subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth' &&
		nats_cert_leaf client ca 'extendedKeyUsage=clientAuth' &&
		nats_cert_leaf badclient badca 'extendedKeyUsage=clientAuth'
	} 2>"$d/openssl.err" && return 0
	fail_msg "openssl failed:" "$(cat "$d/openssl.err")"
}

# nats_cert_ca NAME: a self-signed P-256 CA in $T/tls/NAME.{pem,key}.
nats_cert_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -subj "/CN=chanrelay test $1" \
	    -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign \
	    -keyout "$T/tls/$1.key" -out "$T/tls/$1.pem" >/dev/null
}

# nats_cert_leaf NAME CA EXTENSIONS: a P-256 certificate NAME signed by CA.
nats_cert_leaf() {
	local d=$T/tls
	printf '%s\nkeyUsage=critical,digitalSignature\n' "$3" >"$d/$1.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -subj "/CN=chanrelay test $1" -keyout "$d/$1.key" \
	    -out "$d/$1.csr" >/dev/null &&
	openssl x509 -req -in "$d/$1.csr" -CA "$d/$2.pem" -CAkey "$d/$2.key" \
	    -set_serial "$RANDOM$RANDOM" -days 2 -extfile "$d/$1.ext" \
	    -out "$d/$1.pem" >/dev/null
}
