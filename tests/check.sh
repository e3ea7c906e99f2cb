#!/bin/sh
# check.sh: every check of `make check` as TAP lines, then a count.
# usage: sh tests/check.sh [all|lint|cross ARCH]   (from the top of the tree)
# Each check prints "ok ..." or "not ok ..."; the last line is
# "check: N passed, N failed" and the exit status is 1 on any failure.
set -u

what=${1:-all}
log=${TMPDIR:-/tmp}/chanrelay-check.$$
pass=0
fail=0
trap 'rm -f "$log"' EXIT

# tap CMD...: run a TAP producer, echo its lines, count its results
tap() {
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^ok' "$log")
	f=$(grep -c '^not ok' "$log")
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $* exited $rc"
		fail=$((fail + 1))
	fi
}

# one NAME CMD...: a check that is one test: its output only on failure
one() {
	name=$1
	shift
	if "$@" >"$log" 2>&1; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		sed 's/^/# /' "$log"
		fail=$((fail + 1))
		return 1
	fi
}

lint_man() {
	out=$(mandoc -Tlint -W warning "$1" 2>&1)
	[ -z "$out" ] || { echo "$out"; return 1; }
}

shell_files() {
	for f in tools/*.sh tests/*.sh tests/*.bash tests/fuzz/*.sh \
	    .ci/run examples/*.sh cmd/*.sh completions/bash/*; do
		[ -f "$f" ] && echo "$f"
	done
	# the benchmarks are scripts without a suffix, beside C programs
	for f in bench/*; do
		[ -f "$f" ] && head -n 1 "$f" | grep -q '^#!.*sh' && echo "$f"
	done
}

lint() {
	one "build with -Werror" make -s werror
	for f in $(shell_files); do
		one "shellcheck $f" shellcheck -x "$f"
	done
	for f in tests/*.bats; do
		one "shellcheck $f" shellcheck -s bash -x "$f"
	done
	for m in man/*.[1-8]; do
		one "mandoc -Tlint $m" lint_man "$m"
	done
}

# fuzz NAME SECONDS: build one libFuzzer harness and run it
fuzz() {
	make -s "build/fuzz/fuzz_$1" && sh tests/fuzz/run.sh "$1" "$2"
}

unit() {
	dir=$1
	for t in tests/unit/test_*.c; do
		t=${t%.c}
		echo "# $dir/$t"
		tap "$dir/$t"
	done
}

# What CI runs against each cross build (SMOKE=1), well under a minute a
# build under qemu-user: whole files, then named tests of others (bats
# --filter) that leave out what qemu-user cannot do (below).
smoke_files="tests/tcp-connect.bats tests/usage.bats tests/bits.bats"
smoke_re='^(usage|bad value:|text(:| -)|crash|disk full|HUP|TERM finishes|nats-(send|recv): (no SUBJECT|bad values|text lines|-B packs|-p all|-c COUNT|TERM stops))'
smoke_re_files="tests/udp-send.bats tests/chanlog.bats tests/tcp-listen.bats
	tests/nats-send.bats tests/nats-recv.bats"
smoke_usage_files="tests/tee-sink.bats tests/udp-bind.bats"
# udp-recv: its receiving socket and its capture files, GRO trains split
smoke_recv_re='^(usage|line output|pcap is the default|IPv6 ::1|datagrams sent by socat arrive|-c COUNT|TERM writes|-I a tcpdump -i lo|-I of udp-recv|GRO and -G|GRO: tshark)'
smoke_recv_files="tests/udp-recv.bats tests/udp-recv-gro.bats"

# cross ARCH: the unit tests and the bats files (SMOKE=1: the lists above)
# against build/cross/ARCH, which binfmt_misc runs under qemu-user
cross() {
	dir=build/cross/$1
	if [ ! -x "$dir/udp-recv" ]; then
		echo "not ok - $dir: no build (make cross ARCH=$1)"
		fail=$((fail + 1))
		return
	fi
	for t in tests/unit/test_*.c; do
		t=${t%.c}
		echo "# $dir/$t"
		tap "$dir/$t"
	done
	export CHANRELAY_BIN="$PWD/$dir"
	if [ "${SMOKE:-}" = 1 ]; then
		echo "# bats under qemu-user, $1: the smoke subset"
		# shellcheck disable=SC2086 # the lists are meant to split
		{
			tap bats --tap $smoke_files
			tap bats --tap --filter "$smoke_re" $smoke_re_files
			tap bats --tap --filter '^usage' $smoke_usage_files
			tap bats --tap --filter "$smoke_recv_re" $smoke_recv_files
		}
	else
		echo "# bats under qemu-user, $1"
		tap bats --tap tests
	fi
	unset CHANRELAY_BIN
}

# The bats files of the programs of make static, and static_re: the
# socket-mode tests of each run against build/static (bats --filter,
# about a minute). Left out: capture mode (udp-recv -i/-I, the -f
# filters: a static program has no dlopen for libpcap) and the tests of
# glibc's own ways: its strerror texts ("Address already in use" is musl's
# "Address in use"), GNU getopt's reordering (musl's stops at the first
# operand), LD_PRELOAD fault injection, sendmmsg seen by strace (musl's is
# a loop of sendmsg on 64-bit).
static_bats="tests/udp-recv.bats tests/udp-send.bats tests/chanlog.bats
	tests/tee-sink.bats tests/tcp-listen.bats tests/tcp-connect.bats
	tests/udp-bind.bats tests/connstorm.bats"
static_re() {
	grep -v '^#' <<'EOF' | paste -sd'|' | sed 's/.*/^(&)/'
# every program: usage, the parsing of an address
usage: -h prints
bad value: address x
bad value: a host name is never looked up
bad value: (unknown user for -U|an unknown -U user)
# udp-recv
line output is exactly
IPv6 ::1: datagrams arrive
datagrams sent by socat arrive exactly, boundaries
-c COUNT exits 0
TERM writes every datagram
USR1 prints the counters
-d FD uses
-U nobody
-R: two receivers
IPv4 multicast on lo
# udp-send
echo hi \| udp-send
text lines: one datagram
round trip udp-recv \| udp-send
synthetic mode: the payload layout
-s HOST:PORT
a tcpdump -i lo capture \(EN10MB
-r 1000: 500 records
trains in rate mode
# chanlog (its renameat2), tee-sink (its regex, REG_STARTEND's stand-in)
text: lines kept exactly
pcap: a tcpdump capture is kept
HUP rotates now
-n 2: only the two newest
a newer finished file already in DIR
equal record times never collide
lock held
crash: a text current
TERM finishes current
file: stdout and the file get
udp: (every UDP payload|over IPv6)
tcp: socat gets
unix: text
every kind at once
-e: (only the text lines|a plain substring)
bad value: -e 1='a\('
\|cat > f:
TERM: what was read reaches every sink
a \|COMMAND that exits is restarted
# tcp-listen (its handlers: a failed exec, a signal's name), tcp-connect
echo: (socat sends 1 MB|many sequential)
IPv6: \[::1\]:0
-v: a handler killed by a signal
handler: a PROGRAM that cannot be run is logged
environment: the same PROTO
-l 3:
TERM: the port closes at once
-X 127.0.0.1:
bridge: (1 MB round trip|round trip over IPv6)
PROGRAM: (exec'd|one that cannot be run)
connect refused: one line
-n: tcp-connect started before
round trip through tcp-listen over IPv6
# udp-bind (all of it), connstorm (its epoll_pwait2)
(usage|bad values|behaviour): .*(exit 0|exit 100|fd 3|busy port|udp-recv runs|binds every)
echo: against 'tcp-listen ADDR cat'
-q: no per-second
TERM: stops like the deadline
fd limit: -l beyond
EOF
}

# static_musl: no program of build/static is make static's fallback,
# glibc's -static (its crt1.o carries the GNU ABI tag note; musl's none)
static_musl() {
	for p in build/static/*; do
		[ -f "$p" ] || continue
		[ -x "$p" ] || continue
		head -c 2 "$p" | grep -q '#!' && continue
		if readelf -n "$p" | grep -q NT_GNU_ABI_TAG; then
			echo "$p: linked with glibc, not musl"
			return 1
		fi
	done
}

# static_ldd: every program of build/static is linked with no shared library
static_ldd() {
	for p in build/static/*; do
		[ -f "$p" ] || continue
		[ -x "$p" ] || continue
		head -c 2 "$p" | grep -q '#!' && continue
		out=$(ldd "$p" 2>&1)
		case $out in
		*"not a dynamic executable"*) ;;
		*) echo "$p: $out"; return 1 ;;
		esac
	done
}

case $what in
lint)
	lint
	;;
cross)
	case ${2:-} in
	arm64|armhf) cross "$2" ;;
	*) echo "usage: sh tests/check.sh cross arm64|armhf" >&2; exit 100 ;;
	esac
	;;
all)
	lint
	unit .
	echo "# bats"
	tap bats --tap tests
	one "build under ASan+UBSan" make -s san
	if [ -d build/san ]; then
		unit build/san
		echo "# bats under ASan+UBSan"
		# files tagged nosan run nothing of build/san
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		    CHANRELAY_BIN=$PWD/build/san tap bats --tap \
		    --filter-tags '!nosan' tests
	fi
	# the cross builds: the unit tests and a smoke subset under qemu-user
	for a in ${CROSS_ARCHS:-arm64 armhf}; do
		one "cross build $a with -Werror" make -s cross ARCH="$a" &&
		    SMOKE=1 cross "$a"
	done
	if one "static build (musl)" make -s static &&
	    one "static programs use no shared library" static_ldd; then
		one "static programs are musl's (no glibc fallback)" static_musl
		echo "# bats against the static build"
		# shellcheck disable=SC2086 # the list is meant to split
		CHANRELAY_BIN=$PWD/build/static tap bats --tap \
		    --filter "$(static_re)" $static_bats
	fi
	# every harness a few seconds over its kept corpus (make fuzz for
	# long); built two at a time first, each step says if its build fails
	set --
	for f in tests/fuzz/fuzz_*.c; do
		f=${f#tests/}
		set -- "$@" "build/${f%.c}"
	done
	make -s -j2 "$@" >/dev/null 2>&1
	for f in tests/fuzz/fuzz_*.c; do
		f=${f#tests/fuzz/fuzz_}
		one "fuzz ${f%.c} for ${FUZZTIME:-3}s" \
		    fuzz "${f%.c}" "${FUZZTIME:-3}"
	done
	;;
*)
	echo "usage: sh tests/check.sh [all|lint]" >&2
	exit 100
	;;
esac

echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
