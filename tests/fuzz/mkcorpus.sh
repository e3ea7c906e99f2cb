#!/bin/sh
# mkcorpus.sh: regenerate the seed corpora of the fuzz harnesses, one
# directory each under DIR: for pcapr, valid streams of each pcap variant
# and link type, a few malformed ones, a text stream; for decode, the same
# frames behind the byte that picks their link type; for the others, a
# few texts of each form the parser takes, behind the byte that picks the
# parser (see each fuzz_NAME.c).
# usage: sh tests/fuzz/mkcorpus.sh [DIR]   (default: tests/fuzz/corpus)
set -eu

dir=${1:-$(dirname "$0")/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in pcapr decode liner num addr esc rules timefmt; do
	rm -rf "${dir:?}/$n"
	mkdir -p "$dir/$n"
done

# bytes N...: the bytes of these decimal values, through printf octal
bytes() {
	s=
	for x in "$@"; do
		s="$s\\0$((x >> 6 & 7))$((x >> 3 & 7))$((x & 7))"
	done
	printf '%b' "$s"
}

# u16 ORDER N, u32 ORDER N: ORDER is be or le
u16() {
	if [ "$1" = le ]; then
		bytes $(($2 & 255)) $(($2 >> 8 & 255))
	else
		bytes $(($2 >> 8 & 255)) $(($2 & 255))
	fi
}

u32() {
	if [ "$1" = le ]; then
		u16 le $(($2 & 65535))
		u16 le $(($2 >> 16 & 65535))
	else
		u16 be $(($2 >> 16 & 65535))
		u16 be $(($2 & 65535))
	fi
}

# filehdr ORDER MAGIC LINKTYPE [SNAPLEN [MAJOR MINOR]]
filehdr() {
	u32 "$1" "$2"
	u16 "$1" "${5:-2}"
	u16 "$1" "${6:-4}"
	u32 "$1" 0
	u32 "$1" 0
	u32 "$1" "${4:-65535}"
	u32 "$1" "$3"
}

# rec ORDER FILE [ORIGLEN [old]]: a record holding the bytes of FILE;
# "old" puts the lengths in the order of files before version 2.3
rec() {
	n=$(wc -c <"$2")
	u32 "$1" 1700000000
	u32 "$1" 123456
	if [ "${4:-}" = old ]; then
		u32 "$1" "${3:-$n}"
		u32 "$1" "$n"
	else
		u32 "$1" "$n"
		u32 "$1" "${3:-$n}"
	fi
	cat "$2"
}

# udp PAYLOAD: a UDP header (ports 1234 > 5001) and the payload
udp() {
	u16 be 1234
	u16 be 5001
	u16 be $((8 + ${#1}))
	u16 be 0
	printf '%s' "$1"
}

# ip4 PAYLOAD [FRAG [IHL]]: IPv4 10.0.0.1 > 10.0.0.2, UDP
ip4() {
	ihl=${3:-5}
	bytes $((64 + ihl)) 0
	u16 be $((ihl * 4 + 8 + ${#1}))
	u16 be 4660
	u16 be "${2:-0}"
	bytes 64 17 0 0 10 0 0 1 10 0 0 2
	i=5
	while [ "$i" -lt "$ihl" ]; do
		bytes 1 1 1 1
		i=$((i + 1))
	done
	udp "$1"
}

# ip6 NEXT PLEN: an IPv6 header 2001:db8::1 > 2001:db8::2
ip6() {
	bytes 96 0 0 0
	u16 be "$2"
	bytes "$1" 64 32 1 13 184 0 0 0 0 0 0 0 0 0 0 0 1
	bytes 32 1 13 184 0 0 0 0 0 0 0 0 0 0 0 2
}

udp6() {
	ip6 17 $((8 + ${#1}))
	udp "$1"
}

# eth ETHERTYPE...: MAC addresses, then the ethertypes/tags given
eth() {
	bytes 0 17 34 51 68 85 2 170 187 204 221 238
	for t in "$@"; do
		u16 be "$t"
	done
}

# pkt NAME: the output of the rest of the command line, into a temp file
pkt() {
	f=$tmp/$1
	shift
	"$@" >"$f"
}

MUS=2712847316		# 0xa1b2c3d4
MNS=2712812621		# 0xa1b23c4d

pkt v4 ip4 hello
pkt v4e ip4 ''
pkt v6 udp6 world
pkt v6e udp6 ''
pkt v4opt ip4 options 0 7
pkt v4mf ip4 frag1 8192
pkt v4off ip4 frag2 185
{ eth 2048; ip4 ethernet; } >"$tmp/e4"
{ eth 33024 100 34525; udp6 vlan; } >"$tmp/e6q"
{ eth 34984 10 33024 20 2048; ip4 qinq; } >"$tmp/e4qq"
{ eth 37120 10 33024 20 2048; ip4 x; bytes 255 255 255 255 255 255; } \
    >"$tmp/e4pad"
{ bytes 0 0 0 1 0 6 2 170 187 204 221 238 0 0; u16 be 2048; ip4 sll; } \
    >"$tmp/sll"
{ u16 be 34525; bytes 0 0 0 0 0 3 0 1 0 6 2 170 187 204 221 238 0 0
    udp6 sll2; } >"$tmp/sll2"
{ u32 le 2; ip4 null; } >"$tmp/null4"
{ u32 be 30; udp6 null6; } >"$tmp/null6"
{ u32 be 24; udp6 loop; } >"$tmp/loop6"
{ ip6 0 35; bytes 43 0 1 4 0 0 0 0; bytes 60 0 0 0 0 0 0 0
    bytes 17 0 1 4 0 0 0 0; udp ext; } >"$tmp/ext6"
{ ip6 60 28; bytes 44 0 1 4 0 0 0 0; bytes 17 0 0 1 0 0 0 42
    udp frag; } >"$tmp/frag6"

c=$dir/pcapr
{ filehdr be "$MUS" 101; rec be "$tmp/v4"; } >"$c/raw-us-be-ipv4"
{ filehdr le "$MUS" 101; rec le "$tmp/v6"; } >"$c/raw-us-le-ipv6"
{ filehdr be "$MNS" 101 262144; rec be "$tmp/v4e"; rec be "$tmp/v6e"; } \
    >"$c/raw-ns-be-empty"
{ filehdr le "$MNS" 101 262144; rec le "$tmp/v4"; rec le "$tmp/v6"
    rec le "$tmp/v4opt"; } >"$c/raw-ns-le-pcapw"
{ filehdr le "$MUS" 12; rec le "$tmp/v4"; } >"$c/dlt12-ipv4"
{ filehdr be "$MNS" 1; rec be "$tmp/e4"; rec be "$tmp/e6q"; } \
    >"$c/en10mb-vlan"
{ filehdr le "$MUS" 1; rec le "$tmp/e4qq"; rec le "$tmp/e4pad"; } \
    >"$c/en10mb-qinq-padded"
{ filehdr le "$MUS" 113; rec le "$tmp/sll"; } >"$c/sll-ipv4"
{ filehdr be "$MNS" 276; rec be "$tmp/sll2"; } >"$c/sll2-ipv6"
{ filehdr le "$MUS" 0; rec le "$tmp/null4"; rec le "$tmp/null6"; } \
    >"$c/null-ipv4-ipv6"
{ filehdr be "$MUS" 108; rec be "$tmp/loop6"; } >"$c/loop-ipv6"
{ filehdr le "$MNS" 101; rec le "$tmp/ext6"; rec le "$tmp/frag6"; } \
    >"$c/ipv6-ext-frag"
{ filehdr be "$MUS" 101; rec be "$tmp/v4mf"; rec be "$tmp/v4off"; } \
    >"$c/ipv4-frags"
{ filehdr le "$MUS" 101 65535 2 2; rec le "$tmp/v4" 1500 old; } \
    >"$c/v2.2-swapped"
head -c 30 "$tmp/v4" >"$tmp/v4cut"
{ filehdr le "$MNS" 101 30; rec le "$tmp/v4cut" 33; } >"$c/caplen-cut"

# malformed
{ u32 be 305419896; head -c 40 "$c/raw-us-be-ipv4" | tail -c 36; } \
    >"$c/bad-magic"
head -c 13 "$c/raw-ns-le-pcapw" >"$c/truncated-filehdr"
head -c 50 "$c/raw-ns-le-pcapw" >"$c/truncated-record"
{ filehdr le "$MNS" 101 0; u32 le 1; u32 le 0; u32 le 300000
    u32 le 300000; } >"$c/caplen-too-big"
{ filehdr be "$MUS" 101 0 3 0; rec be "$tmp/v4"; } >"$c/version-3.0"

# text: NUL bytes, an empty line, a long line, no final newline
{ printf 'first line\n\nwith a NUL '; bytes 0; printf ' byte\n'
    printf '%0300d\n' 0; printf 'last, no newline'; } >"$c/text-lines"

# decode: the selector byte indexes fuzz_decode.c's table: 0 RAW, 1 and 2
# DLT_RAW, 3 IPV4, 4 IPV6, 5 EN10MB, 6 LINUX_SLL, 7 LINUX_SLL2, 8 NULL,
# 9 LOOP, 10 a link type decode_udp does not know
c=$dir/decode
for sel in 0:v4 4:v6 0:v4e 3:v4opt 1:v4mf 2:v4off 5:e4 5:e6q 5:e4qq 5:e4pad \
    6:sll 7:sll2 8:null4 8:null6 9:loop6 0:ext6 4:frag6 10:v4; do
	{ bytes "${sel%%:*}"; cat "$tmp/${sel#*:}"; } >"$c/${sel%%:*}-${sel#*:}"
done

# seed DIR NAME SELECTOR TEXT: a seed file, the selector byte and the text
seed() {
	{ bytes "$3"; printf '%s' "$4"; } >"$dir/$1/$2"
}

# liner: the longest whole line minus 1, the piece-size seed, the stream
{ bytes 9 3; cat "$dir/pcapr/text-lines"; } >"$dir/liner/lines-max10"
seed liner short-max1 0 200 "a
bc

d"
{ bytes 255 7; head -c 64 "$dir/pcapr/raw-ns-le-pcapw"; } >"$dir/liner/pcap"

# num: selector % 3 is num_parse, size_parse, dur_parse (the bounds too)
seed num num-min 0 -9223372036854775808
seed num num-range 6 -100
seed num num-big 9 99999999999999999999
seed num size-frac 1 1.5KiB
seed num size-m 4 10M
seed num size-t 1 2TB
seed num dur-terms 2 1h30m
seed num dur-frac 5 2m3.5s
seed num dur-ns 2 250ns
seed num dur-bare 5 0.000000001

# addr: selector % 4 is addr_parse, addr_parse_host, addr_list_parse,
# cidr_parse
seed addr v4 0 1.2.3.4:5
seed addr v6 0 '[2001:db8::1]:65535'
seed addr scope 0 '[fe80::1%lo]:5'
seed addr wild 0 :5
seed addr mapped 0 '[::ffff:1.2.3.4]:80'
seed addr host-v6 1 fe80::1%1
seed addr host-br 1 '[::1]'
seed addr host-v4 1 10.0.0.1
seed addr list 2 10.0.0.1-10.0.0.5,::1,192.0.2.9
seed addr cidr4 3 10.0.0.0/8
seed addr cidr6 3 2001:db8::/32
seed addr cidr-host 3 ::ffff:1.2.3.4

# esc: every escape; and bytes that need them
printf 'a\\x41\\n\\r\\t\\\\\\0b' >"$dir/esc/escapes"
{ printf 'x'; bytes 0 9 10 13 92 127 128 255; } >"$dir/esc/bytes"

# rules: the first byte sets the room for the bad line's text
seed rules good 40 "# office

allow 192.0.2.0/24  # lab
deny ::1
deny 0.0.0.0/0
"
seed rules bad 12 "allow 10.0.0.0/8
permit 1.2.3.4
"

# timefmt: an even selector is a text, an odd one a time's 12 bytes
seed timefmt ns 0 2026-11-21T10:00:00.123456789Z
seed timefmt zone 0 '2026-11-21 12:00:00+02:00'
seed timefmt neg 0 2024-02-29T09:30:00.5-00:30
seed timefmt leap 0 2016-12-31T23:59:60Z
{ bytes 1 0 0 0 14 107 1 107 170 7 91 205 21; } >"$dir/timefmt/time"
