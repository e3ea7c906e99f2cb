#!/bin/sh
# chanrelay: run, supervise and stop one pipeline per channel, from a
# channel table (chanrelay.conf(5)). POSIX sh; see chanrelay(1).
# Per-channel values live in variables named by the channel's number
# (name_3, pid_3 ...), set and read with eval; shellcheck cannot see those.
# shellcheck disable=SC2154
set -u

usage="usage: chanrelay [-h] [-C DIR] [-F FORMAT] [-f CONF] [-H HOST] [-M DIR] [-t DURATION] COMMAND [NAME...]"
prog=chanrelay
GRACE=10		# seconds a stopping channel's pipeline gets to drain
LATE=5			# then seconds after TERM to all its programs, before KILL
BACKOFF_MAX=60		# seconds between restarts, at most
STABLE=60		# a channel that ran this long starts over at 1 s
TICK=0.2		# how often the supervisor looks at its channels

# --- messages --------------------------------------------------------

log() {
	printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$prog" "$*" >&2
}

die() {		# die STATUS MESSAGE: one line, then exit
	st=$1
	shift
	printf '%s: %s\n' "$prog" "$*" >&2
	exit "$st"
}

misuse() {
	printf '%s: %s\n%s\n' "$prog" "$*" "$usage" >&2
	exit 100
}

# --- durations: lib/num.c's grammar and limits, in sh -------------------
# A duration is NUMBER[.FRACTION]UNIT..., units d h m s ms us ns in falling
# order (1h30m, 2m3.5s), or a bare number alone (seconds); 1 ns to 2^63-1
# ns. Values are kept exactly in three base-10^9 limbs (sh arithmetic is
# signed 64-bit, lib/num.c's unsigned): d_A d_B d_C is A*10^18+B*10^9+C.

durfail() {	# durfail WHY: the message of the C programs' dur_arg
	misuse "invalid duration '$dur_arg': $1"
}

nozeros() {	# nozeros DIGITS: without leading zeros ("0" for none)
	set -- "${1#"${1%%[!0]*}"}"
	echo "${1:-0}"
}

# durunit UNIT: its index (d 0 ... ns 6), its multiplier as limbs
# (d_mh * 10^9 + d_ml); 1 when UNIT is no unit.
durunit() {
	case $1 in
	d) d_i=0 d_mh=86400 d_ml=0 ;;
	h) d_i=1 d_mh=3600 d_ml=0 ;;
	m) d_i=2 d_mh=60 d_ml=0 ;;
	s) d_i=3 d_mh=1 d_ml=0 ;;
	ms) d_i=4 d_mh=0 d_ml=1000000 ;;
	us) d_i=5 d_mh=0 d_ml=1000 ;;
	ns) d_i=6 d_mh=0 d_ml=1 ;;
	*) return 1 ;;
	esac
}

# durfrac DIGITS: the fraction .DIGITS of the unit, rounded down, folded
# in from its last digit as lib/num.c does (exact, integers only).
durfrac() {
	d_f=$1 d_t=0
	while [ -n "$d_f" ]; do
		d_d=${d_f#"${d_f%?}"}
		d_f=${d_f%?}
		d_t=$(((d_d * (d_mh * 1000000000 + d_ml) + d_t) / 10))
	done
}

# durgt A B C A2 B2 C2: limbs A B C are more than A2 B2 C2
durgt() {
	[ "$1" -gt "$4" ] || { [ "$1" -eq "$4" ] && { [ "$2" -gt "$5" ] ||
	    { [ "$2" -eq "$5" ] && [ "$3" -gt "$6" ]; }; }; }
}

# durnorm: carry d_C into d_B, d_B into d_A
durnorm() {
	d_B=$((d_B + d_C / 1000000000)) d_C=$((d_C % 1000000000))
	d_A=$((d_A + d_B / 1000000000)) d_B=$((d_B % 1000000000))
}

# durvalue IP FRACTION: the term IP.FRACTION in units d_mh/d_ml, as limbs
# d_A d_B d_C; 1 when it is more than 2^64-1 ns.
durvalue() {
	d_ip=$(nozeros "$1")
	[ "${#d_ip}" -le 20 ] || return 1
	durfrac "$2"
	if [ "${#d_ip}" -gt 9 ]; then
		d_ih=${d_ip%?????????}
		d_il=$(nozeros "${d_ip#"$d_ih"}")
	else
		d_ih=0 d_il=$d_ip
	fi
	d_A=$((d_ih * d_mh)) d_B=$((d_ih * d_ml + d_il * d_mh))
	d_C=$((d_il * d_ml + d_t))
	durnorm
	! durgt "$d_A" "$d_B" "$d_C" 18 446744073 709551615
}

# durterm: one NUMBER UNIT off the front of d_rest, added to d_sA d_sB
# d_sC, in the order of lib/num.c's checks; exits 100 naming the fault.
durterm() {
	d_num=${d_rest%%[!0123456789.]*}
	d_rest=${d_rest#"$d_num"}
	d_u=${d_rest%%[!abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ]*}
	d_rest=${d_rest#"$d_u"}
	[ -n "$d_num" ] || durfail invalid
	if [ -z "$d_u" ]; then
		# a bare number is seconds only on its own: "1h30" is a guess
		if [ "$d_last" -ge 0 ] || [ -n "$d_rest" ]; then
			durfail invalid
		fi
		d_u=s
	fi
	if ! durunit "$d_u"; then
		case $d_num in
		*.) durfail invalid ;;
		*) durfail "unknown unit" ;;
		esac
	fi
	[ "$d_i" -gt "$d_last" ] || durfail invalid
	d_last=$d_i
	d_ipart=${d_num%%[!0123456789]*}
	d_after=${d_num#"$d_ipart"}
	d_fpart=
	[ -n "$d_ipart" ] || durfail invalid
	case $d_after in
	.*) d_after=${d_after#.}
	    d_fpart=${d_after%%[!0123456789]*}
	    d_after=${d_after#"$d_fpart"}
	    [ -n "$d_fpart" ] || durfail invalid ;;
	esac
	durvalue "$d_ipart" "$d_fpart" || durfail "too large"
	[ -z "$d_after" ] || durfail invalid
	d_sA=$((d_sA + d_A)) d_sB=$((d_sB + d_B)) d_sC=$((d_sC + d_C))
	d_A=$d_sA d_B=$d_sB d_C=$d_sC
	durnorm
	d_sA=$d_A d_sB=$d_B d_sC=$d_C
	! durgt "$d_A" "$d_B" "$d_C" 18 446744073 709551615 ||
	    durfail "too large"
}

# millis DURATION: DURATION in milliseconds, rounded up (chanrelay keeps
# time in milliseconds); exits 100 with the C programs' message on
# anything lib/num.c refuses for 1 ns to 2^63-1 ns.
millis() {
	dur_arg=$1 d_rest=$1 d_last=-1 d_sA=0 d_sB=0 d_sC=0
	durterm
	while [ -n "$d_rest" ]; do
		durterm
	done
	! durgt "$d_sA" "$d_sB" "$d_sC" 9 223372036 854775807 ||
	    durfail "too large"
	[ "$d_sA$d_sB$d_sC" != 000 ] || durfail "too small"
	d_ns=$((d_sA * 1000000000000000000 + d_sB * 1000000000 + d_sC))
	echo $((d_ns / 1000000 + (d_ns % 1000000 > 0)))
}

# host_ok NAME: NAME is a host name as chanrelay.conf(5) has them: labels
# of letters, digits and '-', not beginning or ending with '-', 63 at most,
# joined by dots; 253 at most in all.
host_ok() {
	case $1 in
	''|*[!A-Za-z0-9.-]*|[.-]*|*[.-]|*..*|*.-*|*-.*) return 1 ;;
	esac
	[ "${#1}" -le 253 ] || return 1
	hrest=$1.
	while [ -n "$hrest" ]; do
		hlab=${hrest%%.*}
		[ "${#hlab}" -le 63 ] || return 1
		hrest=${hrest#*.}
	done
}

lower() {	# lower WORD: WORD in lower case (host names are compared so)
	printf '%s\n' "$1" | tr '[:upper:]' '[:lower:]'
}

# --- the configuration -----------------------------------------------

# stages PIPELINE: the pipeline's stages, one a line, split at every '|'
# outside quotes ('|' inside them, as in tee-sink '|zstd > f', stays).
stages() {
	printf '%s\n' "$1" | awk '{
		s = ""; q = ""
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (q == "" && c == "\\") {
				s = s c substr($0, i + 1, 1); i++; continue
			}
			if (q != "" && c == q) q = ""
			else if (q == "" && (c == "\"" || c == "\047")) q = c
			else if (q == "" && c == "|") {
				if (substr($0, i + 1, 1) == "|") { s = s "||"; i++; continue }
				print s; s = ""; continue
			}
			s = s c
		}
		print s
	}'
}

# parse CONF: read the channel table into nch, name_I, pipe_I, and vars
# (the variable lines, as sh); every problem is one line "CONF:N: why".
parse() {
	conf=$1
	[ -f "$conf" ] || die 100 "$conf: no such file"
	[ -r "$conf" ] || die 100 "$conf: not readable"
	# it runs commands: not everyone may change it
	if [ -n "$(find "$conf" -prune -perm -0002 2>/dev/null)" ]; then
		die 100 "$conf: writable by anyone; refusing to run its commands"
	fi
	nch=0 vars='' lineno=0 errs=0 buf='' start=0 anyhost=''
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		[ -n "$buf" ] || start=$lineno
		# a comment is never continued, nor part of a line continued
		case ${line#"${line%%[![:space:]]*}"} in
		'#'*) continue ;;
		esac
		# a line ending in \ or in a pipe goes on on the next one
		case $line in
		*\\) buf="$buf${line%\\} "; continue ;;
		*'|') buf="$buf$line "; continue ;;
		esac
		line="$buf$line"
		buf=''
		parse_line "$line" "$start"
	done <"$conf"
	[ -z "$buf" ] || parse_line "$buf" "$start"
	[ "$errs" -eq 0 ] || exit 100
	if [ -z "$host" ] && [ -n "$anyhost" ]; then
		die 111 "unable to learn this host's name from uname -n: give it with -H"
	fi
}

bad() {		# bad LINE MESSAGE: a problem in the configuration
	printf '%s: %s:%s: %s\n' "$prog" "$conf" "$1" "$2" >&2
	errs=$((errs + 1))
}

parse_line() {
	l=$1
	# leading white space, then a comment or nothing
	while :; do
		case $l in
		[[:space:]]*) l=${l#?} ;;
		*) break ;;
		esac
	done
	case $l in
	''|'#'*) return ;;
	esac
	name=${l%%[[:space:]]*}
	rest=${l#"$name"}
	case $name in
	[A-Za-z_]*=*)
		case ${name%%=*} in
		*[!A-Za-z0-9_]*) bad "$2" "invalid variable name '${name%%=*}'"; return ;;
		esac
		vars="$vars$l
"
		return ;;
	esac
	# NAME@HOST,HOST...: the hosts that run it (every host when none)
	hosts=''
	case $name in
	*@*) hosts=${name#*@} name=${name%%@*} ;;
	esac
	case $name in
	*[!A-Za-z0-9_-]*|'') bad "$2" "invalid channel name '$name'"; return ;;
	esac
	[ "${#name}" -le 64 ] || { bad "$2" "channel name '$name' longer than 64"; return; }
	case ${l%%[[:space:]]*} in
	*@) bad "$2" "channel '$name': no host after '@'"; return ;;
	*@*) hosts_ok "$2" "$hosts" || return ;;
	esac
	case $rest in
	*[![:space:]]*) ;;
	*) bad "$2" "channel '$name' has no pipeline"; return ;;
	esac
	i=1
	while [ "$i" -le "$nch" ]; do
		eval "other=\$name_$i"
		[ "$other" != "$name" ] || { bad "$2" "channel '$name' again"; return; }
		i=$((i + 1))
	done
	nch=$((nch + 1))
	eval "name_$nch=\$name pipe_$nch=\$rest line_$nch=\$2 hosts_$nch=\$hosts"
}

# hosts_ok LINE LIST: every host of the comma-separated LIST is a host
# name; each one that is not is reported (and LIST is then refused).
# Sets hosts to LIST in lower case.
hosts_ok() {
	hl=$2, hbad=0
	while [ -n "$hl" ]; do
		hn=${hl%%,*}
		hl=${hl#*,}
		if [ -z "$hn" ]; then
			bad "$1" "an empty host name in '@$2'"
			hbad=1
		elif ! host_ok "$hn"; then
			bad "$1" "invalid host name '$hn'"
			hbad=1
		fi
	done
	[ "$hbad" -eq 0 ] || return 1
	hosts=$(lower "$2") anyhost=1
}

# here I: channel I runs on this host: its line names no host, or this one.
here() {
	eval "hs=\$hosts_$1"
	case ,$hs, in
	,,|*",$host,"*) return 0 ;;
	esac
	return 1
}

# elsewhere I: why channel I does not run here, for messages.
elsewhere() {
	eval "printf 'runs on %s; this host is %s\n' \"\$hosts_$1\" \"\$host\""
}

# check_programs: every stage's command of every channel of this host
# exists (in PATH, ours first).
check_programs() {
	i=1
	while [ "$i" -le "$nch" ]; do
		# another host's programs are found in that host's PATH
		here "$i" || { i=$((i + 1)); continue; }
		eval "p=\$pipe_$i n=\$name_$i ln=\$line_$i"
		stages "$p" | while IFS= read -r st; do
			set -f
			# shellcheck disable=SC2086 # the words of the stage
			set -- $st
			set +f
			# VAR=VALUE words before the program, a quoted VALUE
			# with its spaces ('X="p q" prog')
			while [ $# -gt 0 ]; do
				case $1 in
				[A-Za-z_]*=\"*|[A-Za-z_]*=\'*)
					v=${1#*=}
					q=${v%"${v#?}"} v=${v#?}
					while :; do
						case $v in
						*"$q") shift; break ;;
						esac
						shift
						[ $# -gt 0 ] || break
						v=$1
					done ;;
				[A-Za-z_]*=*) shift ;;
				*) break ;;
				esac
			done
			if [ $# -eq 0 ]; then
				printf '%s: %s:%s: channel %s: an empty stage\n' \
				    "$prog" "$conf" "$ln" "$n" >&2
				echo x
			elif ! command -v "$1" >/dev/null 2>&1; then
				printf '%s: %s:%s: channel %s: %s: program not found\n' \
				    "$prog" "$conf" "$ln" "$n" "$1" >&2
				echo x
			fi
		done
		i=$((i + 1))
	done | grep -q x && return 1
	return 0
}

# --- one channel -----------------------------------------------------

# alive PID: the process exists and is not a zombie waiting to be reaped
alive() {
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# now: milliseconds since the epoch (restarts and -t keep to them)
now() {
	t=$(date +%s%N)
	echo $((t / 1000000))
}

# udp-recv's option letters (its getopt string): bindargs reads its
# command line with them. tests/chanrelay.bats checks they agree.
UDP_RECV_OPTS=a:b:c:d:F:f:GhI:i:M:m:RS:T:t:U:uv

# bindargs STAGE: when STAGE is udp-recv receiving on an ADDRESS (not -d,
# -I, -i), the udp-bind arguments that make the same socket: -b -m -R -S
# as given, then ADDRESS, quoted for sh. Fails for anything else, and
# for a stage that would run something or open a file when read here.
bindargs() {
	bst=$1
	while :; do
		case $bst in
		[[:space:]]*) bst=${bst#?} ;;
		*) break ;;
		esac
	done
	case $bst in
	udp-recv[[:space:]]*) ;;
	*) return 1 ;;
	esac
	# shellcheck disable=SC2016 # the characters themselves
	case $bst in
	*'$('*|*'`'*|*'<'*|*'>'*|*';'*|*'&'*) return 1 ;;
	esac
	(
		eval "$vars" >/dev/null 2>&1 </dev/null
		eval "set -- ${bst#udp-recv}" 2>/dev/null || exit 1
		out='' baddr=''
		while [ $# -gt 0 ]; do
			# shellcheck disable=SC2030 # this subshell's own
			OPTIND=1
			while getopts ":$UDP_RECV_OPTS" c; do
				case $OPTARG in *"'"*) exit 1 ;; esac
				case $c in
				b|m|S) out="$out -$c '$OPTARG'" ;;
				R) out="$out -R" ;;
				d|I|i|h|:|\?) exit 1 ;;
				esac
			done
			shift $((OPTIND - 1))
			[ $# -gt 0 ] || break
			case $1 in *"'"*) exit 1 ;; esac
			[ -z "$baddr" ] || exit 1
			baddr=$1
			shift
		done
		[ -n "$baddr" ] || exit 1
		printf "%s '%s'\n" "$out" "$baddr"
	)
}

# script I: the sh that runs channel I (the runner): the variables, then
# the pipeline again each time the supervisor says "run" on the channel's
# control fifo, until it says anything else. The first program's pid is
# kept (a stop sends it TERM), each stage's exit status too (an exit 100
# anywhere is permanent), and the end of each run is told by $n.ended.
# With a socket kept (bind_I), it is fd 3, for udp-recv -d 3 only.
script() {
	eval "p=\$pipe_$1 n=\$name_$1 b=\$bind_$1"
	out="CHANRELAY_CHANNEL='$n'
export CHANRELAY_CHANNEL
"
	if [ -n "$mdir" ]; then
		out="${out}CHANRELAY_METRICS_DIR='$mdir'
export CHANRELAY_METRICS_DIR
"
	fi
	out=$out$vars
	k=0
	sep=''
	stages "$p" >"$dir/$n.stagelist"
	pl=''
	while IFS= read -r st; do
		k=$((k + 1))
		f="'$dir/$n.st$k'"
		if [ "$k" -eq 1 ]; then
			if [ -n "$b" ]; then
				st=$(printf '%s\n' "$st" | sed 's/^[[:space:]]*udp-recv/udp-recv -d 3/')
			fi
			pl="{ $st & echo \$! >'$dir/$n.first'; wait \$!
echo \$? >$f; } 4<&-"
		else
			pl="$pl$sep{ $st
echo \$? >$f; } 3<&- 4<&-"
		fi
		sep=' | '
	done <"$dir/$n.stagelist"
	cat <<EOF
$out
exec 4<>'$dir/$n.ctl'
while :; do
rm -f '$dir/$n'.st[0-9]* '$dir/$n.first'
$pl
: >'$dir/$n.ended'
read -r go <&4 || exit 0
[ "\$go" = run ] || exit 0
done
EOF
}

state() {	# state I: write what status shows for channel I
	eval "printf '%s %s %s %s %s %s\n' \"\$state_$1\" \"\$pid_$1\" \
	    \"\$started_$1\" \"\$restarts_$1\" \"\$lastexit_$1\" \
	    \"\$lastwhen_$1\"" >"$dir/$(eval "echo \$name_$1").state"
}

# start_channel I: a new runner for channel I in its own session and
# process group (a stop reaches all of it; nothing of one channel touches
# another), under udp-bind when the channel's socket is kept.
start_channel() {
	i=$1
	eval "n=\$name_$i b=\$bind_$i"
	rm -f "$dir/$n".st* "$dir/$n.first" "$dir/$n.ended" "$dir/$n.ctl"
	[ -z "$mdir" ] || rm -f "$mdir/$n".*.prom
	mkfifo -m 0600 "$dir/$n.ctl" || die 111 "unable to create $dir/$n.ctl"
	s=$(script "$i")
	ba=''
	if [ -n "$b" ]; then
		eval "set -- $b"	# udp-bind's arguments, quoted
		eval "ba=\${$#}"	# the last one: ADDRESS
		setsid udp-bind "$@" sh -c "$s" \
		    </dev/null >/dev/null 2>"$dir/$n.err" &
	else
		setsid sh -c "$s" </dev/null >/dev/null 2>"$dir/$n.err" &
	fi
	eval "pid_$i=$! state_$i=running started_$i=$(now) errseen_$i=0"
	log "$n: started, pid $!${ba:+, its socket kept: $ba}"
	state "$i"
}

# go I: channel I's runner, waiting, runs the pipeline again.
go() {
	eval "n=\$name_$1"
	rm -f "$dir/$n".st[0-9]* "$dir/$n.first"
	printf 'run\n' 1<>"$dir/$n.ctl"
	eval "state_$1=running started_$1=$(now)"
	log "$n: restarted"
	state "$1"
}

# over I: channel I's pipeline has ended (its runner then waits, and may
# already wait out a backoff) or its runner is gone: 0 when so.
over() {
	eval "n=\$name_$1 p=\$pid_$1 st=\$state_$1"
	! alive "$p" || [ -e "$dir/$n.ended" ] || [ "$st" = restarting ]
}

# wait_run I SECONDS: wait up to SECONDS for channel I to be over. 0 when
# it is.
wait_run() {
	w=0
	until over "$1"; do
		[ "$w" -lt $(($2 * 10)) ] || return 1
		sleep 0.1
		w=$((w + 1))
	done
}

# term_first I: TERM to channel I's first program: it drains, and the end
# of its output travels down the pipeline, each program draining in turn.
term_first() {
	eval "n=\$name_$1"
	first=$(cat "$dir/$n.first" 2>/dev/null)
	if ! over "$1" && [ -n "$first" ] && alive "$first"; then
		kill -TERM "$first" 2>/dev/null
	fi
	return 0
}

# programs P: the programs of the pipeline that runner P runs. Each stage
# is a subshell of the runner that waits for its program and writes down
# how it ended: the programs are the runner's grandchildren, in its group.
programs() {
	kids=' ' all=''
	for f in /proc/[0-9]*/stat; do
		{ read -r s <"$f"; } 2>/dev/null || continue
		q=${s%% *} s=${s##*) }
		s=${s#* }
		pp=${s%% *} s=${s#* }
		[ "${s%% *}" = "$1" ] || continue
		[ "$pp" != "$1" ] || kids="$kids$q "
		all="$all $q:$pp"
	done
	for x in $all; do
		case $kids in
		*" ${x#*:} "*) echo "${x%%:*}" ;;
		esac
	done
}

# term_all I: channel I did not end in the grace period (a program holds
# what it cannot write, such as chanlog on a full disk): TERM to every one
# of its programs, which then write what they can, count the rest as lost
# and exit. The runner lives on and records how each ended.
term_all() {
	eval "n=\$name_$1 p=\$pid_$1"
	over "$1" && return 0
	log "$n: still running after ${GRACE}s: TERM to all its programs"
	for q in $(programs "$p"); do
		kill -TERM "$q" 2>/dev/null
	done
	return 0
}

# stop_run I: channel I's pipeline stopped: TERM to its first program, the
# grace period, then TERM to all its programs and LATE seconds more. 0 when
# it ended. With waited=1 (stop_all did all that), only whether it ended.
waited=0
stop_run() {
	[ "$waited" -eq 0 ] || { over "$1"; return; }
	term_first "$1"
	wait_run "$1" "$GRACE" && return 0
	term_all "$1"
	wait_run "$1" "$LATE"
}

# waiting I: channel I's pipeline is over and its runner waits for the
# word to run it again (a restart is due): 0 when so.
waiting() {
	eval "p=\$pid_$1 st=\$state_$1"
	[ "$p" -gt 0 ] && [ "$st" = restarting ] && alive "$p"
}

# stop_channel I: the pipeline stopped as in stop_run, then the runner
# (and the socket it holds); then what is left of the process group is
# killed.
stop_channel() {
	i=$1
	eval "n=\$name_$i p=\$pid_$i"
	[ "$p" -gt 0 ] || return 0
	if waiting "$i"; then
		printf 'stop\n' 1<>"$dir/$n.ctl"
		w=0
		while alive "$p" && [ "$w" -lt 20 ]; do
			sleep 0.1
			w=$((w + 1))
		done
	elif ! stop_run "$i"; then
		log "$n: still running ${LATE}s after TERM to all its programs: killed"
	elif alive "$p"; then
		printf 'stop\n' 1<>"$dir/$n.ctl"
		w=0
		while alive "$p" && [ "$w" -lt 20 ]; do
			sleep 0.1
			w=$((w + 1))
		done
	fi
	kill -KILL "-$p" 2>/dev/null
	wait "$p" 2>/dev/null
	errlog "$i"
	rm -f "$dir/$n.ended" "$dir/$n.ctl"
	eval "pid_$i=0 state_$i=stopped"
	log "$n: stopped"
	state "$i"
}

# errlog I: what channel I's programs said on standard error since the
# last time (all but the shell's word for a signal), into the log, each
# line after the channel's name.
errlog() {
	eval "n=\$name_$1 seen=\${errseen_$1:-0}"
	total=$(wc -l <"$dir/$n.err" 2>/dev/null) || return 0
	[ "$total" -gt "$seen" ] || return 0
	eval "errseen_$1=$total"
	sed -n "$((seen + 1)),${total}p" "$dir/$n.err" |
	    grep -v -e '^$' -e '^[A-Z][a-z ]*\( (core dumped)\)\{0,1\}$' |
	    awk -v p="$(date -u +%Y-%m-%dT%H:%M:%SZ) $prog: $n: " \
	    '{ print p $0 }' >&2
}

# how STATUS: "exited N", or "killed by SIGNAL" for 129..191
how() {
	if [ "$1" -gt 128 ] && [ "$1" -lt 192 ] &&
	    sig=$(kill -l "$1" 2>/dev/null) && [ -n "$sig" ]; then
		echo "killed by SIG$sig"
	else
		echo "exited $1"
	fi
}

# ended I: channel I's pipeline is over (its runner waits for the next
# "run"), or its runner is gone: say how each stage ended, and what next.
ended() {
	i=$1
	eval "p=\$pid_$i n=\$name_$i started=\$started_$i backoff=\${backoff_$i:-1}"
	rs=0
	if ! alive "$p"; then
		wait "$p" 2>/dev/null
		rs=$?
		# the runner is gone; if it was killed, its programs are not:
		# TERM them all, and they drain and exit as in a stop
		kill -TERM "-$p" 2>/dev/null
		eval "pid_$i=0"
	fi
	rm -f "$dir/$n.ended"
	why='' said='' perm=0 pw='' k=1 code=0
	while [ -f "$dir/$n.st$k" ]; do
		read -r e <"$dir/$n.st$k" || e=''
		w=$(sed -n "${k}p" "$dir/$n.stagelist" 2>/dev/null |
		    awk '{ print $1 }')
		[ -n "$e" ] || e=0
		[ "$code" -ne 0 ] || code=$e
		h=$(how "$e")
		said="$said${said:+, }$w $h"
		case $h in
		killed*) e=${h#killed by SIG} ;;
		esac
		[ "$e" = 0 ] || why="$why${why:+,}$w=$e"
		[ "$e" != 100 ] || { [ "$perm" -eq 1 ] || pw=$w; perm=1; }
		k=$((k + 1))
	done
	if [ -z "$said" ]; then
		# nothing ran: udp-bind (or the runner's sh) ended it
		eval "b=\$bind_$i"
		w='sh'
		[ -z "$b" ] || w='udp-bind'
		h=$(how "$rs")
		said="$w $h"
		e=$rs code=$rs
		case $h in
		killed*) e=${h#killed by SIG} ;;
		esac
		[ "$e" = 0 ] || why="$w=$e"
		[ "$e" != 100 ] || { perm=1; pw=$w; }
	fi
	# the last thing it said, but not a usage line after a message
	# nor the shell's word for a stage a signal ended ("Killed")
	errlog "$i"
	msg=$(grep -v -e '^$' -e '^usage: ' -e '^[A-Z][a-z ]*\( (core dumped)\)\{0,1\}$' \
	    "$dir/$n.err" 2>/dev/null | tail -n 1)
	# a failed channel: what the stage that refused said, not what the
	# others said of its going (udp-recv's "its reader is gone")
	if [ -n "$pw" ]; then
		m=$(grep "^$pw: " "$dir/$n.err" 2>/dev/null | grep -v '^[^:]*: usage: ' |
		    tail -n 1)
		[ -z "$m" ] || msg=$m
	fi
	t=$(now)
	eval "lastexit_$i=\${why:-0} lastwhen_$i=$t lastcode_$i=$code"
	if [ "$perm" -eq 1 ]; then
		eval "state_$i=failed"
		log "$n: failed: ${said}${msg:+ ($msg)}; not restarted"
		printf '%s\n' "$msg" >"$dir/$n.msg"
		# its runner, waiting, lets go of the socket
		eval "pp=\$pid_$i"
		if [ "$pp" -gt 0 ]; then
			printf 'stop\n' 1<>"$dir/$n.ctl"
			eval "pid_$i=0"
		fi
		state "$i"
		return
	fi
	[ $((t - started)) -lt $((STABLE * 1000)) ] || backoff=1
	eval "state_$i=restarting due_$i=$((t + backoff * 1000))"
	eval "restarts_$i=\$((restarts_$i + 1))"
	log "$n: ${said}${msg:+ ($msg)}; restart in ${backoff}s"
	backoff=$((backoff * 2))
	[ "$backoff" -le "$BACKOFF_MAX" ] || backoff=$BACKOFF_MAX
	eval "backoff_$i=$backoff"
	state "$i"
}

# --- metrics -----------------------------------------------------------

# sums: for each channel NAME FIRST (its first program) read on standard
# input, "NAME IN DISK LOST BYTES" from its programs' metrics files: IN
# the first program's records in (or the most any program read), DISK
# chanlog's records written, LOST every drop counter added up, BYTES
# chanlog's bytes on disk; "-" for what no file says.
sums() {
	set -- "$mdir"/*.prom
	[ -e "$1" ] || set --
	awk -v files=$# '
	function label(l, k,   m) {
		if (!match(l, k "=\"[^\"]*\"")) return ""
		m = substr(l, RSTART + length(k) + 2, RLENGTH - length(k) - 3)
		return m
	}
	FILENAME == "-" { order[++n] = $1; first[$1] = $2; next }
	/^#/ || !/\{/ { next }
	{
		c = label($0, "channel"); p = label($0, "program")
		if (!(c in first)) next
		name = substr($0, 1, index($0, "{") - 1); v = $NF + 0
		if (name == "chanrelay_records_in_total") {
			if (p == first[c]) fin[c] = v
			if (!(c in most) || v > most[c]) most[c] = v
		} else if (name == "chanrelay_records_out_total" && p == "chanlog")
			disk[c] += v
		else if (name ~ /^chanrelay_(sink_)?records_dropped_total$/)
			lost[c] += v
		else if (name == "chanrelay_disk_bytes")
			bytes[c] += v
		seen[c] = 1
	}
	END {
		for (i = 1; i <= n; i++) {
			c = order[i]
			in_ = c in fin ? fin[c] : c in most ? most[c] : "-"
			printf "%s %s %s %s %s\n", c, in_,
			    c in disk ? disk[c] : "-",
			    c in seen ? lost[c] + 0 : "-",
			    c in bytes ? bytes[c] : "-"
		}
	}' - "$@"
}

# measure: what status shows of each channel's numbers, into
# $dir/NAME.numbers ("IN/S DISK/S LOST BYTES", rates over the interval
# since the last time), and chanrelay's own metrics file.
measure() {
	t=$(now)
	mdue=$((t + minterval))
	list='' i=1
	while [ "$i" -le "$nch" ]; do
		eval "n=\$name_$i st=\$state_$i"
		if [ "$st" != skipped ] && selected "$n"; then
			# builtins only: this runs every interval, for
			# every channel
			w=-
			read -r w _ 2>/dev/null <"$dir/$n.stagelist"
			list="$list$n ${w##*/}
"
		fi
		i=$((i + 1))
	done
	printf '%s' "$list" | sums | while read -r m_n m_in m_disk m_lost m_bytes
	do
		# the last sample: "T IN DISK", in $dir/NAME.sample
		r_in=- r_disk=-
		if read -r pt pin pdisk 2>/dev/null <"$dir/$m_n.sample" &&
		    [ "$t" -gt "$pt" ]; then
			rate r_in "$m_in" "$pin" $((t - pt))
			rate r_disk "$m_disk" "$pdisk" $((t - pt))
		fi
		printf '%s %s %s\n' "$t" "$m_in" "$m_disk" >"$dir/$m_n.sample"
		printf '%s %s %s %s\n' "$r_in" "$r_disk" "$m_lost" "$m_bytes" \
		    >"$dir/$m_n.numbers"
	done
	if ! own_metrics >"$mdir/.chanrelay.prom.tmp" ||
	    ! mv -f "$mdir/.chanrelay.prom.tmp" "$mdir/chanrelay.prom"; then
		log "unable to write $mdir/chanrelay.prom"
	fi
}

# rate VAR NOW BEFORE MS: VAR set to a counter's records a second over MS
# milliseconds ("-" when either is unknown; a counter that went back
# started again); no subshell.
rate() {
	case $2$3 in
	*-*) eval "$1=-"; return ;;
	esac
	d=$(($2 - $3))
	[ "$d" -ge 0 ] || d=$2
	eval "$1=$(((d * 1000 + $4 / 2) / $4))"
}

# own_metrics: chanrelay's metrics, in the text format (chanrelay(1)
# METRICS).
own_metrics() {
	l='channel="",program="chanrelay"'
	printf '# HELP chanrelay_start_time_seconds When the program started, in seconds since the Unix epoch.\n'
	printf '# TYPE chanrelay_start_time_seconds gauge\n'
	printf 'chanrelay_start_time_seconds{%s} %s.%03d\n' "$l" \
	    $((mstart / 1000)) $((mstart % 1000))
	for m in \
	    'state gauge 1 for the state the channel is in (running, restarting, failed, stopped), 0 for the others.' \
	    'restarts_total counter Times the channel was started again.' \
	    'last_exit_status gauge The exit status of the first program that failed when the channel last ended (128+N: killed by signal N; 0: all exited 0).' \
	    'up_since_seconds gauge When the channel last started, in seconds since the Unix epoch; 0 when it is not running.'; do
		# shellcheck disable=SC2086 # NAME TYPE HELP...: words
		set -- $m
		nm=chanrelay_channel_$1 ty=$2
		shift 2
		printf '# HELP %s %s\n# TYPE %s %s\n' "$nm" "$*" "$nm" "$ty"
		i=1
		while [ "$i" -le "$nch" ]; do
			eval "n=\$name_$i st=\$state_$i r=\$restarts_$i lc=\$lastcode_$i u=\$started_$i"
			lb="channel=\"$n\",program=\"chanrelay\""
			if [ "$st" != skipped ] && selected "$n"; then
				case $nm in
				*_state)
					for x in running restarting failed stopped; do
						v=0
						[ "$x" != "$st" ] || v=1
						printf '%s{%s,state="%s"} %s\n' "$nm" "$lb" "$x" "$v"
					done ;;
				*_restarts_total) printf '%s{%s} %s\n' "$nm" "$lb" "$r" ;;
				*_last_exit_status)
					[ "$lc" = - ] ||
					    printf '%s{%s} %s\n' "$nm" "$lb" "$lc" ;;
				*)
					[ "$st" = running ] || u=0
					printf '%s{%s} %s.%03d\n' "$nm" "$lb" \
					    $((u / 1000)) $((u % 1000)) ;;
				esac
			fi
			i=$((i + 1))
		done
	done
}

# --- the supervisor --------------------------------------------------

selected() {	# selected NAME: run this channel (all when none named)
	[ -z "$only" ] && return 0
	case " $only " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# stop_all: every channel stopped as in stop_run, all together: the
# whole stop takes at most GRACE + LATE seconds, not that for each.
stop_all() {
	log "stopping"
	each term_first
	w=0
	while ! each over && [ "$w" -lt $((GRACE * 10)) ]; do
		sleep 0.1
		w=$((w + 1))
	done
	each term_all
	w=0
	while ! each over && [ "$w" -lt $((LATE * 10)) ]; do
		sleep 0.1
		w=$((w + 1))
	done
	waited=1
	each stop_channel
	waited=0
}

# each FUNCTION: FUNCTION I for every channel I with a runner; 0 when it
# returned 0 for each.
each() {
	each_r=0 each_j=1
	while [ "$each_j" -le "$nch" ]; do
		eval "p=\$pid_$each_j"
		if [ "$p" -gt 0 ]; then
			"$1" "$each_j" || each_r=1
		fi
		each_j=$((each_j + 1))
	done
	return "$each_r"
}

cleanup() {
	i=1
	while [ "$i" -le "$nch" ]; do
		eval "n=\$name_$i"
		rm -f "$dir/$n".st* "$dir/$n.first" "$dir/$n.state" \
		    "$dir/$n.err" "$dir/$n.msg" "$dir/$n.stagelist" \
		    "$dir/$n.restart" "$dir/$n.ended" "$dir/$n.ctl" \
		    "$dir/$n.numbers" "$dir/$n.sample"
		i=$((i + 1))
	done
	rm -f "$dir/chanrelay.pid" "$dir/metrics.dir"
	[ "$madedir" -eq 0 ] || rmdir "$dir" 2>/dev/null
}

# tick: look at every channel once: ended ones, restarts due, requests.
tick() {
	t=$(now)
	i=1
	while [ "$i" -le "$nch" ]; do
		eval "n=\$name_$i p=\$pid_$i st=\$state_$i due=\${due_$i:-0}"
		if [ -f "$dir/$n.restart" ] && [ "$st" = skipped ]; then
			# asked for before its state said so: refused all the same
			rm -f "$dir/$n.restart"
			log "$n: not restarted: $(elsewhere "$i")"
		elif [ -f "$dir/$n.restart" ]; then
			rm -f "$dir/$n.restart"
			restart_now "$i"
		elif [ "$p" -gt 0 ] && { ! alive "$p" || [ -e "$dir/$n.ended" ]; }; then
			ended "$i"
		elif [ "$st" = restarting ] && [ "$t" -ge "$due" ]; then
			if [ "$p" -gt 0 ]; then go "$i"; else start_channel "$i"; fi
		fi
		i=$((i + 1))
	done
}

# restart_now I: chanrelay restart: the pipeline stopped and run again at
# once, in the same runner (the socket kept) when it stopped in time.
restart_now() {
	eval "p=\$pid_$1 st=\$state_$1"
	eval "backoff_$1=1 restarts_$1=\$((restarts_$1 + 1))"
	if waiting "$1"; then
		go "$1"
		return
	fi
	eval "p=\$pid_$1"
	if [ "$p" -gt 0 ] && stop_run "$1" && alive "$p"; then
		eval "n=\$name_$1"
		rm -f "$dir/$n.ended"
		log "$n: stopped for a restart"
		go "$1"
		return
	fi
	[ "$p" -gt 0 ] && stop_channel "$1"
	start_channel "$1"
}

supervise() {
	stop=0
	trap 'stop=1' TERM INT
	trap 'log "HUP ignored"' HUP
	end=0
	[ -z "$duration" ] || end=$(($(now) + duration))
	mstart=$(now) mdue=0
	[ -z "$mdir" ] || printf '%s\n' "$mdir" >"$dir/metrics.dir"
	i=1 mine=0
	while [ "$i" -le "$nch" ]; do
		eval "n=\$name_$i"
		eval "pid_$i=0 state_$i=stopped restarts_$i=0 started_$i=0 lastexit_$i=- lastwhen_$i=- lastcode_$i=- bind_$i="
		if ! here "$i"; then
			# another host's: status shows it, and why
			eval "state_$i=skipped"
			elsewhere "$i" >"$dir/$n.msg"
			log "$n: skipped: $(elsewhere "$i")"
			state "$i"
		elif selected "$n"; then
			mine=$((mine + 1))
			eval "f=\$pipe_$i"
			b=$(bindargs "$(stages "$f" | head -n 1)") || b=''
			eval "bind_$i=\$b"
			start_channel "$i"
		else
			state "$i"
		fi
		i=$((i + 1))
	done
	if [ "$nch" -gt 0 ] && [ "$mine" -eq 0 ] && [ -z "$only" ]; then
		log "no channel of $conf runs on $host"
	fi
	while [ "$stop" -eq 0 ]; do
		if [ "$end" -gt 0 ] && [ "$(now)" -ge "$end" ]; then
			log "the duration is over"
			break
		fi
		sleep "$TICK"
		[ "$stop" -eq 1 ] || tick
		[ "$stop" -eq 1 ] || [ -z "$mdir" ] || [ "$(now)" -lt "$mdue" ] ||
		    measure
	done
	stop_all
	[ -z "$mdir" ] || measure
	cleanup
	log "stopped"
	exit 0
}

# rundir: the run directory, made when missing (and then removed at exit).
rundir() {
	madedir=0
	if [ -z "$dir" ]; then
		# root first: a root login shell has XDG_RUNTIME_DIR too, and
		# must find the supervisor a service started
		if [ "$(id -u)" -eq 0 ]; then
			dir=/run/chanrelay
		elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then
			dir=$XDG_RUNTIME_DIR/chanrelay
		else
			dir=/tmp/chanrelay-$(id -u)
		fi
	fi
	case $dir in
	*"'"*) die 100 "invalid directory '$dir': a quote in it" ;;
	esac
	if [ ! -d "$dir" ]; then
		mkdir -p "$dir" 2>/dev/null || die 111 "unable to create $dir"
		madedir=1
	fi
	chmod 0750 "$dir" 2>/dev/null
}

running_pid() {	# the supervisor's pid when one runs with this DIR
	pid=$(cat "$dir/chanrelay.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && alive "$pid" && echo "$pid"
}

# --- the commands ----------------------------------------------------

cmd_run() {
	rundir
	if p=$(running_pid); then
		die 111 "already running, pid $p ($dir)"
	fi
	echo "$$" >"$dir/chanrelay.pid" || die 111 "unable to write $dir/chanrelay.pid"
	supervise
}

cmd_start() {
	rundir
	if p=$(running_pid); then
		die 111 "already running, pid $p ($dir)"
	fi
	# its own session: a closing terminal does not end it
	# shellcheck disable=SC2086 # the channel names are words
	setsid "$self" -C "$dir" -f "$conf" ${hflag:+-H "$hflag"} \
	    ${tflag:+-t "$tflag"} ${mdir:+-M "$mdir"} run $only \
	    </dev/null >>"$dir/chanrelay.log" 2>&1 &
	t=0
	while ! p=$(running_pid) && [ "$t" -lt 50 ]; do
		sleep 0.1
		t=$((t + 1))
	done
	[ -n "${p:-}" ] || die 111 "did not start: see $dir/chanrelay.log"
	printf '%s: started, pid %s; log in %s\n' "$prog" "$p" "$dir/chanrelay.log"
}

cmd_stop() {
	rundir
	p=$(running_pid) || { printf '%s: not running\n' "$prog" >&2; exit 0; }
	kill -TERM "$p"
	t=0
	while alive "$p" && [ "$t" -lt $(((GRACE + LATE + 5) * 10)) ]; do
		sleep 0.1
		t=$((t + 1))
	done
	alive "$p" && die 111 "pid $p is still running"
	printf '%s: stopped\n' "$prog"
}

# ago SECONDS: a short age, such as 5s, 3m, 2h, 4d
ago() {
	if [ "$1" -lt 120 ]; then echo "${1}s"
	elif [ "$1" -lt 7200 ]; then echo "$(($1 / 60))m"
	elif [ "$1" -lt 172800 ]; then echo "$(($1 / 3600))h"
	else echo "$(($1 / 86400))d"
	fi
}

# human BYTES: a size as the toolkit writes them (1024 based: 12.3M)
human() {
	case $1 in
	-) echo - ; return ;;
	esac
	awk -v b="$1" 'BEGIN {
		u = "kMGTP"; i = 0
		if (b < 1024) { printf "%d\n", b; exit }
		while (b >= 1024 && i < 5) { b /= 1024; i++ }
		printf (b < 10 ? "%.1f%s\n" : "%.0f%s\n"), b, substr(u, i, 1)
	}'
}

# table: the status of every selected channel, as a table or (-F json)
# a JSON document.
table() {
	t=$(now)
	if [ "$format" = json ]; then
		printf '{"supervisor":%s,"channels":[' "$p"
	else
		printf '%-16s %-10s %7s %7s %8s %7s %7s %8s %6s %-14s %s\n' \
		    CHANNEL STATE PID UPTIME RESTARTS IN/S DISK/S LOST DISK \
		    LAST-EXIT WHEN
	fi
	sep='' i=1
	while [ "$i" -le "$nch" ]; do
		eval "n=\$name_$i"
		if selected "$n" && read -r st pid started restarts last when \
		    <"$dir/$n.state" 2>/dev/null; then
			read -r rin rdisk lost bytes 2>/dev/null \
			    <"$dir/$n.numbers" || rin=- rdisk=- lost=- bytes=-
			up=-
			[ "$st" != running ] || up=$(((t - started) / 1000))
			ago=-
			[ "$when" = - ] || ago=$(((t - when) / 1000))
			[ "$pid" != 0 ] || pid=-
			if [ "$format" = json ]; then
				msg=''
				case $st in
				failed|skipped) msg=$(cat "$dir/$n.msg" 2>/dev/null) ;;
				esac
				printf '%s{"channel":"%s","state":"%s","pid":%s,"uptime_seconds":%s,"restarts":%s,"in_per_second":%s,"disk_per_second":%s,"lost":%s,"disk_bytes":%s,"last_exit":%s,"last_exit_seconds_ago":%s,"message":%s}' \
				    "$sep" "$n" "$st" "$(jnum "$pid")" "$(jnum "$up")" \
				    "$restarts" "$(jnum "$rin")" "$(jnum "$rdisk")" \
				    "$(jnum "$lost")" "$(jnum "$bytes")" \
				    "$(jstr "$last")" "$(jnum "$ago")" "$(jstr "$msg")"
				sep=,
			else
				[ "$up" = - ] || up=$(ago "$up")
				[ "$ago" = - ] || ago="$(ago "$ago") ago"
				printf '%-16s %-10s %7s %7s %8s %7s %7s %8s %6s %-14s %s\n' \
				    "$n" "$st" "$pid" "$up" "$restarts" "$rin" \
				    "$rdisk" "$lost" "$(human "$bytes")" "$last" "$ago"
				case $st in
				failed|skipped) sed 's/^/    /' "$dir/$n.msg" 2>/dev/null ;;
				esac
			fi
		fi
		i=$((i + 1))
	done
	[ "$format" != json ] || printf ']}\n'
}

jnum() {	# jnum VALUE: a JSON number, null for "-"
	case $1 in
	-|'') echo null ;;
	*) echo "$1" ;;
	esac
}

jstr() {	# jstr TEXT: a JSON string, null for "-" or nothing
	case $1 in
	-|'') echo null; return ;;
	esac
	printf '%s' "$1" | awk 'BEGIN { RS = "\001"; ORS = "" }
	{
		gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t")
		gsub(/\n/, "\\n"); gsub(/\r/, "\\r")
		print "\"" $0 "\""
	}'
}

cmd_status() {
	rundir
	if ! p=$(running_pid); then
		printf '%s: not running (%s)\n' "$prog" "$dir"
		exit 3
	fi
	table
	exit 0
}

# top: the status table again every second, on a terminal; once, as
# status, when the standard output is not one.
cmd_top() {
	rundir
	if ! p=$(running_pid); then
		printf '%s: not running (%s)\n' "$prog" "$dir"
		exit 3
	fi
	if [ ! -t 1 ] || [ "$format" = json ]; then
		table
		exit 0
	fi
	trap 'printf "\033[?25h\n"; exit 0' INT TERM HUP
	end=0
	[ -z "$duration" ] || end=$(($(now) + duration))
	printf '\033[?25l'
	while running_pid >/dev/null; do
		out=$(table)
		printf '\033[H\033[2J%s  %s  (%s)\n\n%s\n' "chanrelay top" \
		    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$dir" "$out"
		[ "$end" -eq 0 ] || [ "$(now)" -lt "$end" ] || break
		sleep 1
	done
	printf '\033[?25h'
	running_pid >/dev/null || { printf '%s: not running (%s)\n' "$prog" "$dir"; exit 3; }
	exit 0
}

cmd_restart() {
	rundir
	[ -n "$only" ] || misuse "restart needs a channel NAME"
	running_pid >/dev/null || die 111 "not running ($dir)"
	# the supervisor's host decides, and its state files say it
	for n in $only; do
		read -r st rest <"$dir/$n.state" 2>/dev/null || continue
		[ "$st" != skipped ] ||
		    die 100 "channel '$n' $(cat "$dir/$n.msg" 2>/dev/null)"
	done
	for n in $only; do
		: >"$dir/$n.restart"
	done
	printf '%s: restarting %s\n' "$prog" "$only"
}

cmd_check() {
	check_programs || exit 100
	mine='' k=0 i=1
	while [ "$i" -le "$nch" ]; do
		if here "$i"; then
			k=$((k + 1))
			eval "mine=\"\$mine\${mine:+ }\$name_$i\""
		fi
		i=$((i + 1))
	done
	if [ "$k" -eq "$nch" ]; then
		printf '%s: %s: %d channel(s), all programs found\n' "$prog" "$conf" "$nch"
	elif [ "$k" -eq 0 ]; then
		printf '%s: %s: %d channel(s), none on %s\n' "$prog" "$conf" "$nch" "$host"
	else
		printf '%s: %s: %d channel(s), %d on %s (%s), all their programs found\n' \
		    "$prog" "$conf" "$nch" "$k" "$host" "$mine"
	fi
}

main() {
	conf=/etc/chanrelay/chanrelay.conf dir='' duration='' tflag='' hflag=''
	format=text mdir=${CHANRELAY_METRICS_DIR:-}
	while getopts :C:F:f:hH:M:t: c; do
		case $c in
		C) dir=$OPTARG ;;
		F) format=$OPTARG
		   case $format in
		   text|json) ;;
		   *) misuse "invalid format '$OPTARG': use text or json" ;;
		   esac ;;
		f) conf=$OPTARG ;;
		M) [ -n "$OPTARG" ] || misuse "invalid directory '': empty"
		   mdir=$OPTARG ;;
		h) printf '%s\n' "$usage"; exit 0 ;;
		H) hflag=$OPTARG
		   host_ok "$OPTARG" || misuse "invalid host name '$OPTARG'" ;;
		t) tflag=$OPTARG; duration=$(millis "$OPTARG") || exit 100 ;;
		:) misuse "option -$OPTARG needs a value" ;;
		*) misuse "unknown option -$OPTARG" ;;
		esac
	done
	# shellcheck disable=SC2031 # bindargs' is its subshell's own
	shift $((OPTIND - 1))
	[ $# -gt 0 ] || misuse "missing COMMAND"
	command=$1
	shift
	only="$*"
	# the toolkit's programs beside this script come first
	self=$0
	case $self in
	*/*) bindir=$(cd "${self%/*}" && pwd) && self=$bindir/${self##*/} ;;
	*) bindir=$(dirname "$(command -v "$self")") ;;
	esac
	PATH=$bindir:$PATH
	export PATH
	case $command in
	run|start|stop|status|top|restart|check) ;;
	*) misuse "unknown command '$command'" ;;
	esac
	minterval=5000
	if [ -n "${CHANRELAY_METRICS_INTERVAL:-}" ]; then
		minterval=$(millis "$CHANRELAY_METRICS_INTERVAL") || exit 100
	fi
	if [ -n "$mdir" ]; then
		case $mdir in
		*"'"*) die 100 "invalid directory '$mdir': a quote in it" ;;
		esac
		case $command in
		run|start)
			if ! mkdir -p "$mdir" 2>/dev/null || [ ! -w "$mdir" ]; then
				die 111 "unable to write metrics into $mdir"
			fi
			mdir=$(cd "$mdir" && pwd) ;;
		esac
	fi
	# this host: its node name, never a name looked up (no DNS)
	host=$(lower "${hflag:-$(uname -n 2>/dev/null)}")
	parse "$conf"
	for n in $only; do
		found=0 i=1
		while [ "$i" -le "$nch" ]; do
			eval "[ \"\$name_$i\" != \"\$n\" ] || found=\$i"
			i=$((i + 1))
		done
		[ "$found" -gt 0 ] || die 100 "$conf: no channel '$n'"
		case $command in
		run|start) here "$found" ||
		    die 100 "channel '$n' $(elsewhere "$found")" ;;
		esac
	done
	"cmd_$command"
}

main "$@"
