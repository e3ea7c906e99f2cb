#!/bin/sh
# plot.sh: pictures of the toolkit's numbers with gnuplot, for the people
# who read plots rather than tables.
#
#   sh tools/plot.sh connstorm CSV OUT
#	connstorm -F csv's per-second lines: connections a second attempted,
#	established and failed, open connections, and the connect time's
#	p50 and p99, against the second.
#   sh tools/plot.sh channel DIR NAME SECONDS OUT
#	channel NAME's records a second in, to disk and lost, sampled from
#	its programs' metrics files in DIR (chanrelay -M DIR) once a second
#	for SECONDS seconds; the samples are kept beside OUT as OUT.tsv.
#
# OUT ends in .svg or .png, which picks gnuplot's terminal. Exit 100 on a
# bad argument, 111 when gnuplot is missing or fails.
set -eu

prog=plot.sh
usage="usage: sh tools/plot.sh connstorm CSV OUT | channel DIR NAME SECONDS OUT"

misuse() {
	printf '%s: %s\n%s\n' "$prog" "$1" "$usage" >&2
	exit 100
}

# terminal OUT: gnuplot's terminal for OUT
terminal() {
	case $1 in
	*.svg) echo "svg size 900,500 dynamic background rgb 'white'" ;;
	*.png) echo "png size 900,500" ;;
	*) misuse "invalid output '$1': name it .svg or .png" ;;
	esac
}

gnu() {		# gnu <SCRIPT: run gnuplot on the script
	command -v gnuplot >/dev/null 2>&1 ||
	    { echo "$prog: gnuplot is missing: apt-get install gnuplot-nox" >&2; exit 111; }
	gnuplot || { echo "$prog: gnuplot failed" >&2; exit 111; }
}

# col CSV NAME: the column number of NAME in the CSV's header
col() {
	head -n 1 "$1" | tr ',' '\n' | awk -v n="$2" '$0 == n { print NR; f = 1 } END { exit !f }'
}

connstorm() {
	[ $# -eq 2 ] || misuse "connstorm takes CSV and OUT"
	[ -r "$1" ] || misuse "invalid CSV '$1': not readable"
	term=$(terminal "$2")
	for c in t attempted established failed open connect_p50_us connect_p99_us; do
		col "$1" "$c" >/dev/null ||
		    misuse "invalid CSV '$1': no column $c (connstorm -F csv writes it)"
	done
	gnu <<EOF
set terminal $term
set output '$2'
set datafile separator ','
set key top left
set xlabel 'second'
set ylabel 'connections a second, open'
set y2label 'connect time (us)'
set ytics nomirror
set y2tics
set grid
set title 'connstorm: $(basename "$1")'
plot '$1' skip 1 using $(col "$1" t):$(col "$1" attempted) with lines lw 2 title 'attempted/s', \
     '' skip 1 using $(col "$1" t):$(col "$1" established) with lines lw 2 title 'established/s', \
     '' skip 1 using $(col "$1" t):$(col "$1" failed) with lines lw 2 title 'failed/s', \
     '' skip 1 using $(col "$1" t):$(col "$1" open) with lines title 'open', \
     '' skip 1 using $(col "$1" t):$(col "$1" connect_p50_us) axes x1y2 with lines dt 2 title 'connect p50 (us)', \
     '' skip 1 using $(col "$1" t):$(col "$1" connect_p99_us) axes x1y2 with lines dt 3 title 'connect p99 (us)'
EOF
}

# sample DIR NAME: "IN DISK LOST" now, from channel NAME's metrics files
sample() {
	set -- "$1"/"$2".*.prom
	[ -e "$1" ] || { echo "- - -"; return; }
	awk '
	/^#/ { next }
	/^chanrelay_records_in_total\{/ { if ($NF + 0 > in_) in_ = $NF + 0 }
	/^chanrelay_records_out_total\{.*program="chanlog"/ { disk += $NF }
	/^chanrelay_(sink_)?records_dropped_total\{/ { lost += $NF }
	END { printf "%d %d %d\n", in_, disk, lost }' "$@"
}

channel() {
	[ $# -eq 4 ] || misuse "channel takes DIR, NAME, SECONDS and OUT"
	[ -d "$1" ] || misuse "invalid directory '$1': not a directory"
	case $2 in
	''|*[!A-Za-z0-9_-]*) misuse "invalid channel name '$2'" ;;
	esac
	case $3 in
	''|*[!0-9]*|0) misuse "invalid seconds '$3': a whole number from 1" ;;
	esac
	term=$(terminal "$4")
	ls "$1/$2".*.prom >/dev/null 2>&1 ||
	    misuse "invalid channel '$2': no metrics files $1/$2.*.prom"
	tsv=$4.tsv
	printf 'second\tin_per_s\tdisk_per_s\tlost_per_s\n' >"$tsv"
	read -r pin pdisk plost <<EOF
$(sample "$1" "$2")
EOF
	s=1
	while [ "$s" -le "$3" ]; do
		sleep 1
		read -r cin cdisk clost <<EOF
$(sample "$1" "$2")
EOF
		# a counter that went back: its program started again
		printf '%d\t%d\t%d\t%d\n' "$s" \
		    $((cin >= pin ? cin - pin : cin)) \
		    $((cdisk >= pdisk ? cdisk - pdisk : cdisk)) \
		    $((clost >= plost ? clost - plost : clost)) >>"$tsv"
		pin=$cin pdisk=$cdisk plost=$clost
		s=$((s + 1))
	done
	gnu <<EOF
set terminal $term
set output '$4'
set datafile separator '\t'
set key top left
set xlabel 'second'
set ylabel 'records a second'
set grid
set title 'channel $2'
plot '$tsv' skip 1 using 1:2 with lines lw 2 title 'in', \
     '' skip 1 using 1:3 with lines lw 2 title 'to disk', \
     '' skip 1 using 1:4 with lines lw 2 title 'lost'
EOF
}

[ $# -ge 1 ] || misuse "missing what to plot"
what=$1
shift
case $what in
connstorm) connstorm "$@" ;;
channel) channel "$@" ;;
-h) printf '%s\n' "$usage"; exit 0 ;;
*) misuse "invalid plot '$what': use connstorm or channel" ;;
esac
