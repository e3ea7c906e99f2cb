#!/bin/sh
# lint-usage.sh: check that a program's usage line, its man page SYNOPSIS
# and its bash and zsh completions name the same options.
#
# usage: lint-usage.sh PROG [DIR]
#
# DIR is the repository (default: the parent of this script's directory).
# The program is DIR/PROG as built by make, its page DIR/man/PROG.[1-8],
# its completions DIR/completions/bash/PROG and DIR/completions/zsh/_PROG.
#
# Where the options are read:
#   usage  what "PROG -h" prints on stdout; if that is not a usage line,
#          what "PROG -?" (an unknown option) prints on stderr, from the
#          line that starts with "usage: " on.
#   man    the SYNOPSIS section of "mandoc -Tascii -O width=500".
#   bash   the words of the list assigned to opts= (every option), and the
#          "-x|-y)" case arms (the options that take an argument).
#   zsh    the _arguments specs, one a line: '-x[...]' is a flag,
#          '-x+[...]' (or '-x[...]:message:action') takes an argument; an
#          exclusion list '(...)' or a '*' may come before the dash.
# In the usage line and the SYNOPSIS, "[-abc]" lists flags, and "-x WORD"
# is an option that takes an argument.
#
# Also checked: the usage text, whitespace collapsed and "usage: " removed,
# equals the SYNOPSIS text, whitespace collapsed; "-h" exits 0; an unknown
# option exits 100 with the same usage line on stderr.
#
# Prints every difference; exits 0 when all agree, 1 when something
# differs, 100 on a usage error or a missing file.

LC_ALL=C
export LC_ALL

prog=$1
dir=${2:-$(dirname "$0")/..}
if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$prog" ]; then
	echo 'usage: lint-usage.sh PROG [DIR]' >&2
	exit 100
fi

page=
for f in "$dir/man/$prog".[1-8]; do
	[ -f "$f" ] && page=$f && break
done
bashc=$dir/completions/bash/$prog
zshc=$dir/completions/zsh/_$prog
for f in "$dir/$prog" "$page" "$bashc" "$zshc"; do
	if [ -z "$f" ] || [ ! -f "$f" ]; then
		echo "lint-usage: $prog: missing ${f:-man page $dir/man/$prog.[1-8]}" >&2
		exit 100
	fi
done

tmp=$(mktemp -d) || exit 111
trap 'rm -rf "$tmp"' EXIT
trap 'exit 111' HUP INT TERM
fail=0

say() {
	echo "lint-usage: $prog: $*"
	fail=1
}

# collapse: squeeze every run of white space to one space, trim the ends.
collapse() {
	tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}

# run_prog OPTION STDOUT STDERR: run the program, print its exit status.
# A usage error must be immediate: a program still running after 10
# seconds is killed (where timeout(1) exists).
run_prog() {
	to=
	command -v timeout >/dev/null 2>&1 && to='timeout 10'
	# shellcheck disable=SC2086 # $to is empty or two words
	(cd "$dir" && exec $to "./$prog" "$1") </dev/null >"$2" 2>"$3"
	echo "$?"
}

# options: read usage or SYNOPSIS text on stdin, print one line per
# option: "-x" for a flag, "-x ARG" for an option taking an argument.
options() {
	awk -f "$(dirname "$0")/usage-options.awk" | sort -u
}

# 1. The usage line.
st=$(run_prog -h "$tmp/h.out" "$tmp/h.err")
if sed -n 1p "$tmp/h.out" | grep -q '^usage: '; then
	cp "$tmp/h.out" "$tmp/usage"
	[ "$st" -eq 0 ] || say "-h exits $st, not 0"
fi
st=$(run_prog '-?' "$tmp/q.out" "$tmp/q.err")
sed -n '/^usage: /,$p' "$tmp/q.err" >"$tmp/qusage"
[ "$st" -eq 100 ] || say "an unknown option exits $st, not 100"
if [ ! -s "$tmp/qusage" ]; then
	say "an unknown option prints no usage line on stderr"
elif [ ! -f "$tmp/usage" ]; then
	cp "$tmp/qusage" "$tmp/usage"
elif ! cmp -s "$tmp/usage" "$tmp/qusage"; then
	say "the usage on stderr differs from the usage of -h"
fi
if [ ! -s "$tmp/usage" ]; then
	say "no usage line from -h nor from an unknown option"
	exit 1
fi
collapse <"$tmp/usage" | sed 's/^usage: //' >"$tmp/usage.txt"

# 2. The man page SYNOPSIS, without overstrike (bold, underline).
bs=$(printf '\b')
mandoc -Tascii -O width=500 "$page" 2>/dev/null | sed "s/.$bs//g" |
    awk '/^[A-Z]/ { on = ($0 == "SYNOPSIS"); next } on' |
    collapse >"$tmp/man.txt"
if ! cmp -s "$tmp/usage.txt" "$tmp/man.txt"; then
	say "usage line and SYNOPSIS differ:"
	echo "  usage:    $(cat "$tmp/usage.txt")"
	echo "  SYNOPSIS: $(cat "$tmp/man.txt")"
fi
options <"$tmp/usage.txt" >"$tmp/o.usage"
options <"$tmp/man.txt" >"$tmp/o.man"

# 3. bash: the opts word list, and the case arms of options with arguments.
sed -n "s/^[[:space:]]*\(local[[:space:]]\{1,\}\)\{0,1\}opts=[\"']\([^\"']*\)[\"'].*/\2/p" \
    "$bashc" | awk '{ for (i = 1; i <= NF; i++) print $i }' >"$tmp/b.words"
[ -s "$tmp/b.words" ] || say "$bashc: no opts='...' word list"
grep '^[[:space:]]*-[[:alnum:]]\(|-[[:alnum:]]\)*)' "$bashc" |
    sed 's/).*//' | tr -d ' \t' | tr '|' '\n' | sort -u >"$tmp/b.arms"
awk 'NR == FNR { arg[$0] = 1; next }
    $0 !~ /^-[[:alnum:]]$/ { print "BAD " $0; next }
    { print (($0 in arg) ? $0 " ARG" : $0) }' "$tmp/b.arms" "$tmp/b.words" |
    sort -u >"$tmp/o.bash"
if grep '^BAD ' "$tmp/o.bash" >/dev/null; then
	say "$bashc: not an option in opts: $(sed -n 's/^BAD //p' "$tmp/o.bash" |
	    tr '\n' ' ')"
	grep -v '^BAD ' "$tmp/o.bash" >"$tmp/o.b2" && mv "$tmp/o.b2" "$tmp/o.bash"
fi
sort -u "$tmp/b.words" | comm -23 "$tmp/b.arms" - >"$tmp/b.extra"
[ -s "$tmp/b.extra" ] &&
    say "$bashc: case arms for options not in opts: $(tr '\n' ' ' <"$tmp/b.extra")"

# 4. zsh: the _arguments specs.
sed -n "s/^[[:space:]]*'\(([^)]*)\)\{0,1\}\*\{0,1\}\(-[[:alnum:]][-+=]\{0,1\}\[.*\)/\2/p" \
    "$zshc" | awk '{
	o = substr($0, 1, 2)
	if (substr($0, 3, 1) != "[" || $0 ~ /\]:/)
		print o " ARG"
	else
		print o
    }' | sort -u >"$tmp/o.zsh"

# 5. Compare everything with the usage line.
for src in man bash zsh; do
	comm -23 "$tmp/o.usage" "$tmp/o.$src" | while read -r o; do
		echo "lint-usage: $prog: '$o' in the usage line, not in $src"
	done
	comm -13 "$tmp/o.usage" "$tmp/o.$src" | while read -r o; do
		echo "lint-usage: $prog: '$o' in $src, not in the usage line"
	done
	cmp -s "$tmp/o.usage" "$tmp/o.$src" || fail=1
done
exit "$fail"
