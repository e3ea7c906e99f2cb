# config.mk: what a packager or a developer changes; the Makefile does not.

VERSION = 0.1

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANPREFIX = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/vendor-completions

CC = cc
CPPFLAGS = -D_GNU_SOURCE -DVERSION=\"$(VERSION)\" -Ilib
CFLAGS = -std=c11 -O2 -g -Wall -Wextra
LDFLAGS =
LDLIBS = -ldl
# nats-send and nats-recv only
NATSLIBS = -lnats -lpthread

# the ASan+UBSan build of the tests (make check builds it under build/san)
SANCC = clang
SANFLAGS = -std=c11 -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra

# the libFuzzer harnesses of tests/fuzz; FUZZTIME: seconds each, make fuzz
FUZZCC = clang
FUZZFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra
FUZZTIME = 60
