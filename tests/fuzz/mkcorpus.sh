#!/bin/sh
# mkcorpus.sh: regenerate the seed corpus of fuzz_pcapr: valid streams of
# each pcap variant and link type, a few malformed ones, a text stream.
# usage: sh tests/fuzz/mkcorpus.sh [DIR]   (default: tests/fuzz/corpus)
set -eu

dir=${1:-$(dirname "$0")/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"

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

c=$dir
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
