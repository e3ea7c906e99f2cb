#!/usr/bin/env bats
# bats file_tags=nosan
# tests/vocabulary.bats: one vocabulary of options. The CONVENTIONS table
# of man/chanrelay.7 gives the reserved letters, each with its argument
# name(s), or none; every program's usage line ("PROG -h") may use such a
# letter only as the table says: the same argument name (one of them),
# or a flag where the table has none. Other letters are free. It reads
# usage lines and a man page only (nosan).

bats_require_minimum_version 1.5.0
load helper

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
}

# table PAGE: the rows of the CONVENTIONS table of PAGE, one a line:
# "-x" for a letter without an argument, "-x NAME[,NAME...]" for one with.
table() {
	awk '
	/^\.Sh / { on = ($2 == "CONVENTIONS"); next }
	on && /^\.It Fl [[:alnum:]] Ta / {
		n = split($0, cell, / Ta /)
		letter = cell[1]; sub(/^\.It Fl /, "", letter)
		arg = cell[2]
		if (arg ~ /\\\(em/) { print "-" letter; next }
		sub(/^Ar /, "", arg); gsub(/[ ,]+/, ",", arg); sub(/,$/, "", arg)
		print "-" letter " " arg
	}' "$1"
}

# usage_options PROG: the options of PROG's usage line, one a line: "-x"
# for a flag, "-x NAME" for an option that takes the argument NAME
# (tests/usage-options.awk, as tests/lint-usage.sh reads it).
usage_options() {
	"$REPO/$1" -h </dev/null | sed 's/^usage: [^ ]* //' |
	    awk -v names=1 -f "$REPO/tests/usage-options.awk"
}

# check TABLE USAGE PROG: every option of USAGE whose letter TABLE
# reserves, as TABLE says; prints "PROG: -x ..." for each that is not.
check() {
	awk -v prog="$3" '
	NR == FNR { want[$1] = $2; has[$1] = 1; next }
	!($1 in has) { next }
	want[$1] == "" && $2 != "" {
		print prog ": " $1 " takes " $2 ", but the table has it without an argument"
		next
	}
	want[$1] != "" && $2 == "" {
		print prog ": " $1 " is a flag, but the table gives it " want[$1]
		next
	}
	want[$1] != "" {
		n = split(want[$1], ok, ",")
		for (i = 1; i <= n; i++)
			if ($2 == ok[i])
				next
		print prog ": " $1 " takes " $2 ", but the table gives it " want[$1]
	}' "$1" "$2"
}

# programs: every program with a source in cmd/, one a line.
programs() {
	local f
	for f in "$REPO"/cmd/*.c "$REPO"/cmd/*.sh; do
		[ -f "$f" ] || continue
		f=${f##*/}
		echo "${f%.*}"
	done
}

@test "vocabulary: chanrelay(7) has the table of reserved letters" {
	run table "$REPO/man/chanrelay.7"
	assert_success
	assert_line '-a FILE'
	assert_line '-b SIZE,BACKLOG'
	assert_line '-h'
	assert_line '-M FILE,DIR'
	assert_line '-w TIMEOUT'
	[ "${#lines[@]}" -ge 21 ] || fail_msg "only ${#lines[@]} rows: $output"
	grep -q "Other letters are each program's own" "$REPO/man/chanrelay.7"
}

@test "vocabulary: every program uses the reserved letters as chanrelay(7) says" {
	local p out bad='' n=0
	table "$REPO/man/chanrelay.7" >"$BATS_TEST_TMPDIR/table"
	[ -s "$BATS_TEST_TMPDIR/table" ] || fail_msg "no table in chanrelay(7)"
	for p in $(programs); do
		[ -x "$REPO/$p" ] || fail_msg "$p is not built: run make"
		usage_options "$p" >"$BATS_TEST_TMPDIR/$p.opts"
		[ -s "$BATS_TEST_TMPDIR/$p.opts" ] ||
		    fail_msg "$p -h printed no usage line"
		out=$(check "$BATS_TEST_TMPDIR/table" "$BATS_TEST_TMPDIR/$p.opts" "$p")
		[ -z "$out" ] || bad="$bad$out"$'\n'
		n=$((n + 1))
	done
	[ "$n" -ge 11 ] || fail_msg "only $n programs"
	[ -z "$bad" ] || fail_msg "$bad"
}

@test "vocabulary: the check names the program and the letter of a usage line that drifts" {
	table "$REPO/man/chanrelay.7" >"$BATS_TEST_TMPDIR/table"
	printf '%s\n' -h -v '-c COUNT' '-n COUNT' >"$BATS_TEST_TMPDIR/ok"
	run check "$BATS_TEST_TMPDIR/table" "$BATS_TEST_TMPDIR/ok" good
	assert_success
	assert_output ''
	printf '%s\n' '-c N' -t '-q SIZE' '-b BACKLOG' >"$BATS_TEST_TMPDIR/bad"
	run check "$BATS_TEST_TMPDIR/table" "$BATS_TEST_TMPDIR/bad" drift
	assert_output - <<-'EOF'
	drift: -c takes N, but the table gives it COUNT
	drift: -t is a flag, but the table gives it DURATION
	drift: -q takes SIZE, but the table has it without an argument
	EOF
}
