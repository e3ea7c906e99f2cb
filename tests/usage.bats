#!/usr/bin/env bats
# usage.bats: for every program in cmd/, the usage line, the man page
# SYNOPSIS and the bash and zsh completions agree (tests/lint-usage.sh);
# every man page is clean under mandoc -Tlint.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

bats_require_minimum_version 1.5.0

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	LINT=$REPO/tests/lint-usage.sh
}

# programs: the name of every program with a source in cmd/, one a line.
programs() {
	local f
	for f in "$REPO"/cmd/*.c "$REPO"/cmd/*.sh; do
		[ -f "$f" ] || continue
		f=${f##*/}
		echo "${f%.*}"
	done
}

# fake_repo DIR USAGE: a repository in DIR with udp-recv's man page and
# completions, and a program udp-recv printing USAGE like usage() does.
fake_repo() {
	mkdir -p "$1/man" "$1/completions/bash" "$1/completions/zsh"
	cp "$REPO/man/udp-recv.1" "$1/man/"
	cp "$REPO/completions/bash/udp-recv" "$1/completions/bash/"
	cp "$REPO/completions/zsh/_udp-recv" "$1/completions/zsh/"
	cat >"$1/udp-recv" <<-EOF
	#!/bin/sh
	u='$2'
	case \$1 in
	-h) echo "\$u"; exit 0 ;;
	*) echo "udp-recv: unknown option -- \${1#-}" >&2; echo "\$u" >&2
	   exit 100 ;;
	esac
	EOF
	chmod +x "$1/udp-recv"
}

@test "there are programs in cmd/" {
	run programs
	assert_success
	refute_output ''
}

@test "usage line, SYNOPSIS and completions agree for every program" {
	local p bad=
	for p in $(programs); do
		if [ ! -x "$REPO/$p" ]; then
			bad="$bad $p(not built: run make)"
			continue
		fi
		run "$LINT" "$p" "$REPO"
		if [ "$status" -ne 0 ]; then
			bad="$bad $p"
			echo "$output"
		fi
	done
	[ -z "$bad" ] || fail "disagree:$bad"
}

@test "every program has a man page and both completions" {
	local p bad=
	for p in $(programs); do
		set -- "$REPO/man/$p".[1-8]
		[ -f "$1" ] || bad="$bad man/$p.N"
		[ -f "$REPO/completions/bash/$p" ] || bad="$bad completions/bash/$p"
		[ -f "$REPO/completions/zsh/_$p" ] || bad="$bad completions/zsh/_$p"
	done
	[ -z "$bad" ] || fail "missing:$bad"
}

@test "mandoc -Tlint -W warning is silent for every man page" {
	local f n=0
	for f in "$REPO"/man/*.[1-8]; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		run mandoc -Tlint -W warning "$f"
		assert_success
		assert_output ''
	done
	[ "$n" -gt 0 ] || fail "no man page in man/"
}

# Style messages too, but for cross references: the toolkit's own pages
# are not installed when the tests run, nor some system pages (crontab(5)
# without cron).
@test "mandoc -Tlint has no style message but missing cross references" {
	local f
	for f in "$REPO"/man/*.[1-8]; do
		[ -f "$f" ] || continue
		run --separate-stderr mandoc -Tlint "$f"
		# shellcheck disable=SC2154 # bats sets stderr
		output=$(printf '%s\n' "$stderr" "$output" |
		    grep -v -e 'STYLE: referenced manual not found' \
		        -e 'outdated mandoc.db' -e '^$' || true)
		assert_output ''
	done
}

@test "lint-usage.sh passes a program whose usage is the SYNOPSIS" {
	local synopsis
	synopsis=$(mandoc -Tascii -O width=500 "$REPO/man/udp-recv.1" |
	    sed "s/.$(printf '\b')//g" | sed -n '/^SYNOPSIS/{n;p;}' | tr -s ' ' | sed 's/^ //')
	fake_repo "$BATS_TEST_TMPDIR/ok" "usage: $synopsis"
	run "$LINT" udp-recv "$BATS_TEST_TMPDIR/ok"
	assert_success
	assert_output ''
}

@test "lint-usage.sh names an option missing from the usage line" {
	fake_repo "$BATS_TEST_TMPDIR/bad" \
	    'usage: udp-recv [-huv] [-a FILE] [ADDRESS]'
	run -1 "$LINT" udp-recv "$BATS_TEST_TMPDIR/bad"
	assert_line --partial 'usage line and SYNOPSIS differ'
	assert_line "lint-usage: udp-recv: '-R' in zsh, not in the usage line"
	assert_line "lint-usage: udp-recv: '-U ARG' in bash, not in the usage line"
}

@test "lint-usage.sh names an option that lost its argument in zsh" {
	local synopsis
	synopsis=$(mandoc -Tascii -O width=500 "$REPO/man/udp-recv.1" |
	    sed "s/.$(printf '\b')//g" | sed -n '/^SYNOPSIS/{n;p;}' | tr -s ' ' | sed 's/^ //')
	fake_repo "$BATS_TEST_TMPDIR/zsh" "usage: $synopsis"
	sed -i "s/'-U+\[\([^]]*\)\]:user:_users'/'-U[\1]'/" \
	    "$BATS_TEST_TMPDIR/zsh/completions/zsh/_udp-recv"
	run -1 "$LINT" udp-recv "$BATS_TEST_TMPDIR/zsh"
	assert_output - <<-'EOF'
	lint-usage: udp-recv: '-U ARG' in the usage line, not in zsh
	lint-usage: udp-recv: '-U' in zsh, not in the usage line
	EOF
}

@test "lint-usage.sh refuses a program that exits 0 on an unknown option" {
	fake_repo "$BATS_TEST_TMPDIR/st" 'usage: udp-recv [-h]'
	sed -i 's/exit 100/exit 0/' "$BATS_TEST_TMPDIR/st/udp-recv"
	run -1 "$LINT" udp-recv "$BATS_TEST_TMPDIR/st"
	assert_line 'lint-usage: udp-recv: an unknown option exits 0, not 100'
}
