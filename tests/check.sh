#!/bin/sh
# check.sh: every check of `make check` as TAP lines, then a count.
# usage: sh tests/check.sh [all|lint]   (run from the top of the tree)
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

case $what in
lint)
	lint
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
