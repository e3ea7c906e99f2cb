# config.mk: what a packager or a developer changes; the Makefile does not.

VERSION = 0.1

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANPREFIX = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/vendor-completions

CC = cc
# 64-bit off_t on 32-bit targets too (armhf): channel files past 2 GiB
CPPFLAGS = -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DVERSION=\"$(VERSION)\" -Ilib
CFLAGS = -std=c11 -O2 -g -Wall -Wextra
LDFLAGS =
LDLIBS = -ldl
# nats-send and nats-recv only
NATSLIBS = -lnats -lpthread

# make cross ARCH=arm64|armhf: Debian's cross toolchains (tools/deps.sh
# cross), into build/cross/ARCH; run there under qemu-user (binfmt_misc)
ARCH = arm64
CROSSCC_arm64 = aarch64-linux-gnu-gcc
CROSSAR_arm64 = aarch64-linux-gnu-ar
CROSSCC_armhf = arm-linux-gnueabihf-gcc
CROSSAR_armhf = arm-linux-gnueabihf-ar
CROSSFLAGS = $(CFLAGS) -Werror
# per target, after CROSSFLAGS: armhf's time_t is 32 bits in Debian 12
# unless asked (glibc 2.34 and up, with _FILE_OFFSET_BITS=64): times past
# 2038. The libraries keep their 32-bit time; lib/capture.h reads libpcap's
# packet header in its own layout so either time_t is right
CROSSFLAGS_arm64 =
CROSSFLAGS_armhf = -D_TIME_BITS=64

# make static: the socket programs with no shared library, in build/static;
# PCAPDL_STATIC: no dlopen there, so no capture mode (lib/pcapdl.c)
STATICCC = musl-gcc
STATICFLAGS = -std=c11 -O2 -Wall -Wextra -Werror -DPCAPDL_STATIC
STATICPROGS = udp-recv udp-bind chanlog udp-send tee-sink tcp-listen \
	tcp-connect connstorm

# the ASan+UBSan build of the tests (make check builds it under build/san)
SANCC = clang
SANFLAGS = -std=c11 -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra

# the libFuzzer harnesses of tests/fuzz; FUZZTIME: seconds each, make fuzz
FUZZCC = clang
FUZZFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra
FUZZTIME = 60
