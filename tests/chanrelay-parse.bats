#!/usr/bin/env bats
# bats file_tags=nosan
# tests/chanrelay-parse.bats: a property test of the launcher's reading of
# the channel table, chanrelay.conf(5), on generated tables: channels with
# and without @hosts, variables, comments, blank lines, continuation lines
# (a trailing \ or |), quotes with | inside, long names; then the same
# with one bad line; then lines of random bytes. `chanrelay check` must
# accept a good table with the right channel count, refuse a bad line
# with exit 100 and a message naming FILE:LINE, never hang, and never run
# anything the table says. It runs no C program (nosan).
#
# The tables come from bash's RANDOM seeded with CHANRELAY_PARSE_SEED
# (default: the time); a failure prints the seed and the table, and
# CHANRELAY_PARSE_SEED=S bats tests/chanrelay-parse.bats makes it again.

bats_require_minimum_version 1.5.0
load helper

TABLES=40	# tables per test: each `chanrelay check` takes about 30 ms

setup_file() {
	command -v chanrelay >/dev/null ||
	    fail_msg "chanrelay is not built: run make"
	export SEED=${CHANRELAY_PARSE_SEED:-$(($(date +%s) % 1000000))}
}

setup() {
	T=$BATS_TEST_TMPDIR
	umask 022
}

# --- the generator: every function sets globals, never a subshell, so
# --- that RANDOM keeps one sequence

# rnd N: R is a number in 0..N-1
rnd() {
	R=$((RANDOM % $1))
}

# pick WORD...: P is one of the words
pick() {
	local a=("$@")
	rnd $#
	P=${a[R]}
}

# word SET MIN MAX: W is MIN..MAX characters of SET
word() {
	local set=$1 n
	rnd $(($3 - $2 + 1))
	n=$(($2 + R))
	W=
	while [ "$n" -gt 0 ]; do
		rnd ${#set}
		W=$W${set:R:1}
		n=$((n - 1))
	done
}

LABEL64=hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh
NAMECH=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-
VARCH=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_

# the stages a pipeline is made of: programs that exist, quotes holding
# '|' and '||', an escaped '\|', assignments before the program
STAGES=("cat" "tee /dev/null" "true" "sed -e 's/|/x/'"
	"tee '|zstd > f'" "cat \"a|b\"" "X=1 cat" "A=1 B=2 tee f"
	"printf '%s\\n' \"\$root\"" "grep -v 'a || b'" "true || cat"
	"tee a\\|b" "cat \$root/x" "sed 's/\"/|/'")

# newname: N is a channel name not used yet: mostly short, now and then
# exactly 64 characters
newname() {
	while :; do
		rnd 10
		if [ "$R" -eq 0 ]; then
			word "$NAMECH" 64 64
		else
			word "$NAMECH" 1 12
		fi
		[ -z "${USED[$W]-}" ] && break
	done
	USED[$W]=1
	N=$W
}

# hosts: H is "" (every host) or "@LIST"; HERE is 1 when the list
# includes rx1, this host (compared without regard to case)
hosts() {
	local n
	H='' HERE=1
	rnd 3
	[ "$R" -eq 0 ] || return 0
	HERE=0
	rnd 3
	n=$((R + 1))
	while [ "$n" -gt 0 ]; do
		pick rx1 RX1 rx2 rx-3.example.net a 0a Rx2.Example.Net
		case $P in rx1|RX1) HERE=1 ;; esac
		H=$H${H:+,}$P
		n=$((n - 1))
	done
	H=@$H
}

# blank: a run of white space before what follows
blank() {
	pick " " "	" "  " " 	 " "    "
	B=$P
}

# emit LINE: one physical line of the table
emit() {
	LINES+=("$1")
}

# channel: a channel's line, its pipeline split over continuation lines
# now and then, after a '|' or with a '\'
channel() {
	local n line
	newname
	hosts
	blank
	line=$N$H$B
	rnd 4
	n=$((R + 1))
	while :; do
		rnd ${#STAGES[@]}
		line=$line${STAGES[R]}
		n=$((n - 1))
		[ "$n" -gt 0 ] || break
		rnd 4
		case $R in
		0) emit "$line |"; blank; line=$B ;;
		1) emit "$line \\"; blank; line="$B| " ;;
		*) line="$line | " ;;
		esac
	done
	emit "$line"
	NCH=$((NCH + 1))
	[ "$HERE" -eq 0 ] || KHERE=$((KHERE + 1))
}

variable() {
	word "$VARCH" 1 10
	case $W in [0-9]*) W=_$W ;; esac
	# shellcheck disable=SC2016 # a $ the table has, for sh to expand
	pick plain '"two words"' "'a|b'" '"$root/x"' '' '"x | y"' "'\\'"
	emit "$W=$P"
}

comment() {
	blank
	pick "" "$B"
	emit "$P# a comment: 'quotes' | pipes \\ and \"more\" ${N-}."
}

# good: a table of every kind of good line into LINES; NCH channels,
# KHERE of them on rx1
good() {
	local n
	LINES=() NCH=0 KHERE=0
	unset USED
	declare -gA USED=()
	emit "root=/var/lib/chanrelay"
	rnd 12
	n=$((R + 1))
	while [ "$n" -gt 0 ]; do
		rnd 8
		case $R in
		0) variable ;;
		1) comment ;;
		2) blank; pick "" "$B"; emit "$P" ;;
		*) channel ;;
		esac
		n=$((n - 1))
	done
}

# write FILE: LINES as a file; now and then without its last newline
write() {
	printf '%s\n' "${LINES[@]}" >"$1"
	rnd 4
	if [ "$R" -eq 0 ]; then
		printf '%s' "$(cat "$1")" >"$1.t" && mv "$1.t" "$1"
	fi
}

# check FILE: run chanrelay check on it, as rx1, with a deadline
check() {
	run timeout 10 chanrelay -H rx1 -f "$1" check
}

# failed I WHY: report table I of this test with the seed and the table
failed() {
	fail_msg "seed $SEED table $1: $2" "status $status, output:" \
	    "$output" "the table ($3):" "$(cat -A "$3")"
}

# quick: run the generator in a subshell without bats' DEBUG trap, which
# would make every command of it fifty times slower
quick() {
	(trap - DEBUG; set +ET; "$@")
}

# make_good: the good tables, good$I.conf, and what check must say
make_good() {
	local i f
	for ((i = 0; i < TABLES; i++)); do
		RANDOM=$((SEED + i))
		good
		f=$T/good$i.conf
		write "$f"
		if [ "$KHERE" -eq "$NCH" ]; then
			echo "$f: $NCH channel(s), all programs found"
		elif [ "$KHERE" -eq 0 ]; then
			echo "$f: $NCH channel(s), none on rx1"
		else
			echo "$f: $NCH channel(s), $KHERE on rx1 ("
		fi >"$f.want"
	done
}

@test "good tables: accepted, with the right channel count" {
	local i f want
	quick make_good
	for ((i = 0; i < TABLES; i++)); do
		f=$T/good$i.conf
		want=$(cat "$f.want")
		check "$f"
		[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 1 ] &&
		    [[ "$output" == "chanrelay: $want"* ]] ||
		    { failed "$i" "not accepted as $want" "$f"; return 1; }
	done
}

# bad: one bad line: BAD is the line (BAD2 the same over two lines, when
# it is), WHY a part of the message
bad() {
	local kind
	rnd 12
	kind=$R
	newname
	case $kind in
	0) pick . ! + : , / % '~' '^' '#' '*' '['
	   BAD="${N:0:3}$P${N:3} cat"; WHY="invalid channel name" ;;
	1) BAD="1$N=x cat"; WHY="invalid channel name" ;;
	2) word "$NAMECH" 65 65; BAD="$W cat"; WHY="longer than 64" ;;
	3) BAD="${N:0:3}-$N=1"; WHY="invalid variable name"
	   case $BAD in [0-9-]*) BAD=x$BAD ;; esac ;;
	4) blank; pick "" "$B"; BAD=$N$P; WHY="has no pipeline" ;;
	5) BAD="$N@ cat"; WHY="no host after '@'" ;;
	6) pick rx..1 -a a- a_b x.-y "$LABEL64" rx1.
	   BAD="$N@$P cat"; WHY="invalid host name" ;;
	7) BAD="$N@rx1,,rx2 cat"; WHY="an empty host name" ;;
	8) BAD="$N cat | no-such-program-$RANDOM"; WHY="program not found" ;;
	9) BAD="$N cat | | tee f"; WHY="an empty stage" ;;
	10) BAD="@rx1 cat"; WHY="invalid channel name ''" ;;
	*) BAD="${LAST:-x} true"; WHY="again"
	   [ -n "$LAST" ] || { BAD="$N@"; WHY="has no pipeline\|no host"; } ;;
	esac
	# now and then over two lines: the message names the first
	BAD2=()
	case $BAD in
	*' cat'|*' true'|*' tee f'|*' no-such-program-'*)
		rnd 2
		[ "$R" -eq 0 ] || BAD2=("$BAD \\" "	| tee g") ;;
	esac
}

# make_bad: good tables with one bad line each, bad$I.conf; the bad
# line's number and a part of its message
make_bad() {
	local i f at k
	for ((i = 0; i < TABLES; i++)); do
		RANDOM=$((SEED + 1000 + i))
		good
		# the last channel's name, for a line that names it again
		LAST=
		for k in "${!USED[@]}"; do LAST=$k; done
		bad
		# put it between two logical lines: after the last line of
		# the table or after a line that does not continue
		rnd $((${#LINES[@]} + 1))
		at=$R
		while [ "$at" -gt 0 ] && [[ "${LINES[at - 1]}" == *[\\\|] ]]; do
			at=$((at - 1))
		done
		[ "$WHY" != again ] || at=${#LINES[@]}
		[ "${#BAD2[@]}" -gt 0 ] || BAD2=("$BAD")
		LINES=("${LINES[@]:0:at}" "${BAD2[@]}" "${LINES[@]:at}")
		f=$T/bad$i.conf
		write "$f"
		echo "$((at + 1))" >"$f.line"
		printf '%s\n' "$WHY" >"$f.why"
	done
}

@test "one bad line: refused with exit 100 and FILE:LINE" {
	local i f at
	quick make_bad
	for ((i = 0; i < TABLES; i++)); do
		f=$T/bad$i.conf
		at=$(cat "$f.line")
		check "$f"
		[ "$status" -eq 100 ] && [ "${#lines[@]}" -eq 1 ] &&
		    [[ "$output" == "chanrelay: $f:$at: "* ]] &&
		    grep -qf "$f.why" <<<"$output" ||
		    { failed "$i" "line $at not refused ($(cat "$f.why"))" \
		      "$f"; return 1; }
	done
}

# soup: LINES of random bytes, shell syntax and commands that would leave
# a mark if anything ran them
soup() {
	local n k s
	LINES=()
	rnd 15
	n=$((R + 1))
	while [ "$n" -gt 0 ]; do
		rnd 5
		k=$((R * 6)) s=
		while [ "$k" -gt 0 ]; do
			pick "${SOUP[@]}"
			s=$s$P
			k=$((k - 1))
		done
		emit "$s"
		n=$((n - 1))
	done
}

make_soup() {
	local i
	for ((i = 0; i < TABLES; i++)); do
		RANDOM=$((SEED + 2000 + i))
		soup
		write "$T/soup$i.conf"
	done
}

@test "random lines: no hang, no crash, exit 0 or 100, nothing run" {
	local i f n
	MARK=$T/ran
	# shellcheck disable=SC1003,SC2054,SC2191 # bytes, not syntax
	SOUP=(a Z 0 _ - = @ . , '#' ' ' '	' '|' '||' '\' "'" '"' '$' '`'
	    '(' ')' ';' '&' '*' '?' '[' '{' '}' '~' '!' cat tee x=1 rx1
	    "\$(touch $MARK)" "\`touch $MARK\`" "x=\$(touch $MARK)"
	    "e=\$(touch $MARK) cat" 'é' $'\001' $'\177' $'\377')
	quick make_soup
	for ((i = 0; i < TABLES; i++)); do
		f=$T/soup$i.conf
		n=$(wc -l <"$f")
		check "$f"
		case $status in
		0) [ "${#lines[@]}" -eq 1 ] &&
		    [[ "$output" == "chanrelay: $f: "*" channel(s), "* ]] ;;
		100) ! grep -qv "^chanrelay: $f:[0-9][0-9]*: " <<<"$output" &&
		    ! grep -o "^chanrelay: $f:[0-9]*" <<<"$output" |
		    awk -F: -v n="$((n + 1))" '$NF > n || $NF < 1 { bad = 1 }
		    END { exit !bad }' ;;
		*) false ;;
		esac && [ ! -e "$MARK" ] ||
		    { failed "$i" "not 0 or 100 with FILE:LINE messages" "$f"
		      return 1; }
	done
}
