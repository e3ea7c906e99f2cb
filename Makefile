# chanrelay: one POSIX make build. `make`, `make check`, `make install`.
.POSIX:
.SUFFIXES:
.SUFFIXES: .c .o

include config.mk

PROGS = udp-recv udp-bind chanlog udp-send tee-sink tcp-listen tcp-connect connstorm \
	nats-send nats-recv
# the programs that talk to NATS: only these link libnats
NATSPROGS = nats-send nats-recv
SCRIPTS = chanrelay
MAN1 = man/udp-recv.1 man/udp-bind.1 man/chanlog.1 man/udp-send.1 man/tee-sink.1 \
	man/chanrelay.1 man/tcp-listen.1 man/tcp-connect.1 man/connstorm.1 \
	man/nats-send.1 man/nats-recv.1
MAN5 = man/chanrelay.conf.5
MAN7 = man/chanrelay.7

# lib/: one module a name, lib/NAME.c with its contract in lib/NAME.h; adding
# a module is one edit here (and its unit test in UNIT)
LIBSRC = lib/addr.c lib/addrfile.c lib/arg.c lib/backoff.c lib/bridge.c \
	lib/capture.c lib/ceiling.c lib/chandir.c lib/children.c lib/cidr.c \
	lib/clock.c lib/connpool.c lib/counters.c lib/decode.c lib/dgramin.c \
	lib/esc.c lib/fdlim.c lib/frame.c lib/handlers.c lib/handoff.c lib/hist.c \
	lib/launch.c lib/liner.c lib/logdir.c lib/logfeed.c lib/metrics.c \
	lib/natsrec.c lib/natsstart.c lib/natsstream.c lib/nonblock.c lib/num.c \
	lib/obuf.c lib/pace.c lib/passthru.c lib/pcapdl.c lib/pcapr.c lib/pcapw.c \
	lib/priv.c lib/ramp.c lib/recfile.c lib/recin.c lib/recout.c lib/recqueue.c \
	lib/recsel.c lib/rules.c lib/salvage.c lib/sig.c lib/sink.c lib/sinkset.c \
	lib/sockfd.c lib/storm.c lib/stormlog.c lib/stormopt.c lib/stormrun.c \
	lib/synth.c lib/tcpserve.c lib/tcpsock.c lib/tcpstat.c lib/timefmt.c \
	lib/ucspi.c lib/udpcap.c lib/udpfeed.c lib/udprx.c lib/udpsock.c \
	lib/udpsrc.c lib/udptx.c lib/warnrate.c lib/writeall.c
# the headers without a .c: inline readers and writers of wire data
LIBHDR = $(LIBSRC:.c=.h) lib/extract.h lib/put.h
LIBOBJ = $(LIBSRC:.c=.o)
LIB = lib/libchanrelay.a
# libnats glue, kept out of LIB so no other program needs libnats
NATSSRC = lib/natsconn.c lib/natspub.c lib/natssub.c
NATSHDR = $(NATSSRC:.c=.h)
NATSOBJ = $(NATSSRC:.c=.o)

# C unit tests of lib/: one TAP-printing program per module, named after it
# (pattern substitution: POSIX.1-2024, and every make in use)
UNIT = $(LIBSRC:lib/%.c=tests/unit/test_%)
TOOLS = tests/tools/udpsend tests/tools/acceptd bench/udpblast bench/recvmmsg-bare bench/gen-lines \
	bench/gen-pcap bench/gen-gaps bench/tcp-listen-fork \
	bench/tcp-listen-spawn bench/spawn-cost bench/nats-bare \
	tests/tools/faultinj.so
# the benchmarks make bench runs (bench/soak is the long soak, on its own)
BENCH = bench/udp-recv bench/udp-send bench/chanlog bench/tee-sink \
	bench/tcp-listen bench/connstorm bench/channels bench/metrics-cost \
	bench/nats bench/bulk
# libFuzzer harnesses, one per parser of outside input (tests/fuzz/run.sh),
# each linked with the fuzz build of lib/, of which it takes what it calls
FUZZ = build/fuzz/fuzz_addr build/fuzz/fuzz_decode build/fuzz/fuzz_esc \
	build/fuzz/fuzz_liner build/fuzz/fuzz_num build/fuzz/fuzz_pcapr \
	build/fuzz/fuzz_rules build/fuzz/fuzz_timefmt
FUZZSRC = $(FUZZ:build/fuzz/%=tests/fuzz/%.c)
FUZZLIB = build/fuzz/libchanrelay.a

all: $(PROGS) $(SCRIPTS)

.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# unit tests and the standalone helpers: one source file each
.c:
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(LIBOBJ): $(LIBHDR)
$(LIB): $(LIBOBJ)
	rm -f $@
	$(AR) -rc $@ $(LIBOBJ)

cmd/udp-recv.o: $(LIBHDR)
udp-recv: cmd/udp-recv.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/udp-recv.o $(LIB) $(LDLIBS)

cmd/udp-bind.o: $(LIBHDR)
udp-bind: cmd/udp-bind.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/udp-bind.o $(LIB) $(LDLIBS)

cmd/chanlog.o: $(LIBHDR)
chanlog: cmd/chanlog.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/chanlog.o $(LIB) $(LDLIBS)

chanrelay: cmd/chanrelay.sh
	cp cmd/chanrelay.sh $@
	chmod 755 $@

cmd/tee-sink.o: $(LIBHDR)
tee-sink: cmd/tee-sink.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/tee-sink.o $(LIB) $(LDLIBS)

cmd/udp-send.o: $(LIBHDR)
udp-send: cmd/udp-send.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/udp-send.o $(LIB) $(LDLIBS)

cmd/tcp-listen.o: $(LIBHDR)
tcp-listen: cmd/tcp-listen.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/tcp-listen.o $(LIB) $(LDLIBS)

# the fork and posix_spawn builds of tcp-listen, which bench/tcp-listen
# measures against the vfork one it ships: bench/spawn-alt.c's launch_prog
# linked ahead of lib/launch.c's
bench/tcp-listen-fork: cmd/tcp-listen.o bench/spawn-alt.c $(LIBHDR) $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
	    cmd/tcp-listen.o bench/spawn-alt.c $(LIB) $(LDLIBS)
bench/tcp-listen-spawn: cmd/tcp-listen.o bench/spawn-alt.c $(LIBHDR) $(LIB)
	$(CC) $(CPPFLAGS) -DSPAWN_POSIX $(CFLAGS) $(LDFLAGS) -o $@ \
	    cmd/tcp-listen.o bench/spawn-alt.c $(LIB) $(LDLIBS)

cmd/tcp-connect.o: $(LIBHDR)
tcp-connect: cmd/tcp-connect.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/tcp-connect.o $(LIB) $(LDLIBS)

$(NATSOBJ): $(LIBHDR) $(NATSHDR)
cmd/nats-send.o: $(LIBHDR) $(NATSHDR)
nats-send: cmd/nats-send.o $(NATSOBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/nats-send.o $(NATSOBJ) $(LIB) $(LDLIBS) \
	    $(NATSLIBS)

cmd/nats-recv.o: $(LIBHDR) $(NATSHDR)
nats-recv: cmd/nats-recv.o $(NATSOBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/nats-recv.o $(NATSOBJ) $(LIB) $(LDLIBS) \
	    $(NATSLIBS)

cmd/connstorm.o: $(LIBHDR)
connstorm: cmd/connstorm.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ cmd/connstorm.o $(LIB) $(LDLIBS)

# C unit tests of lib/: one TAP-printing program per module
unit: $(UNIT)
$(UNIT): $(LIB) tests/unit/tap.h

# standalone helpers for tests and benchmarks
tools: $(TOOLS)
$(TOOLS): $(LIB)

# the fault injector tests/chanlog-crash.bats preloads into chanlog
tests/tools/faultinj.so: tests/tools/faultinj.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -shared -fPIC $(LDFLAGS) -o $@ \
	    tests/tools/faultinj.c -ldl

# the bare nats.c publisher bench/nats measures nats-send against
bench/nats-bare: bench/nats-bare.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ bench/nats-bare.c \
	    $(NATSLIBS)

# every C source compiled once more with -Werror: what CI insists on
werror:
	$(CC) $(CPPFLAGS) $(CFLAGS) -Werror -fsyntax-only $(LIBSRC) $(NATSSRC) \
	    cmd/*.c tests/unit/*.c tests/tools/*.c bench/*.c

# the programs and unit tests again under ASan+UBSan, in build/san
san:
	rm -rf build/san/lib && mkdir -p build/san/tests/unit build/san/lib
	for s in $(LIBSRC) $(NATSSRC); do \
	    $(SANCC) $(CPPFLAGS) $(SANFLAGS) -c -o build/san/$${s%.c}.o $$s || exit 1; \
	done
	objs=; for s in $(LIBSRC); do objs="$$objs build/san/$${s%.c}.o"; done; \
	rm -f build/san/libchanrelay.a && $(AR) -rc build/san/libchanrelay.a $$objs
	nats=; for s in $(NATSSRC); do nats="$$nats build/san/$${s%.c}.o"; done; \
	for p in $(PROGS); do \
	    case " $(NATSPROGS) " in \
	    *" $$p "*) extra="$$nats build/san/libchanrelay.a $(NATSLIBS)" ;; \
	    *) extra=build/san/libchanrelay.a ;; esac; \
	    $(SANCC) $(CPPFLAGS) $(SANFLAGS) -o build/san/$$p cmd/$$p.c \
	        $$extra $(LDLIBS) || exit 1; \
	done
	for t in $(UNIT); do \
	    $(SANCC) $(CPPFLAGS) $(SANFLAGS) -o build/san/$$t $$t.c \
	        build/san/libchanrelay.a $(LDLIBS) || exit 1; \
	done
	for s in $(SCRIPTS); do \
	    cp -f cmd/$$s.sh build/san/$$s && chmod 755 build/san/$$s || exit 1; \
	done

# make cross ARCH=arm64|armhf: every program and unit test with the
# target's cross compiler (config.mk) and -Werror, in build/cross/ARCH, the
# programs where `make` puts them (CHANRELAY_BIN=build/cross/ARCH); lib/
# compiled once into build/cross/ARCH/libchanrelay.a
cross:
	@case "$(ARCH)" in arm64|armhf) ;; *) \
	    echo "make cross: ARCH=arm64 or ARCH=armhf, not '$(ARCH)'" >&2; \
	    exit 100 ;; esac
	d=build/cross/$(ARCH); \
	if [ "$(ARCH)" = arm64 ]; then \
	    cc="$(CROSSCC_arm64)" ar="$(CROSSAR_arm64)" \
	    xf="$(CROSSFLAGS_arm64)"; \
	else cc="$(CROSSCC_armhf)" ar="$(CROSSAR_armhf)" \
	    xf="$(CROSSFLAGS_armhf)"; fi; \
	rm -rf $$d && mkdir -p $$d/lib $$d/tests/unit && \
	for s in $(LIBSRC) $(NATSSRC); do \
	    $$cc $(CPPFLAGS) $(CROSSFLAGS) $$xf -c -o $$d/$${s%.c}.o $$s || exit 1; \
	done; \
	objs=; for s in $(LIBSRC); do objs="$$objs $$d/$${s%.c}.o"; done; \
	$$ar -rc $$d/libchanrelay.a $$objs || exit 1; \
	nats=; for s in $(NATSSRC); do nats="$$nats $$d/$${s%.c}.o"; done; \
	for p in $(PROGS); do \
	    case " $(NATSPROGS) " in \
	    *" $$p "*) extra="$$nats $$d/libchanrelay.a $(NATSLIBS)" ;; \
	    *) extra=$$d/libchanrelay.a ;; esac; \
	    $$cc $(CPPFLAGS) $(CROSSFLAGS) $$xf $(LDFLAGS) -o $$d/$$p cmd/$$p.c \
	        $$extra $(LDLIBS) || exit 1; \
	done; \
	for t in $(UNIT); do \
	    $$cc $(CPPFLAGS) $(CROSSFLAGS) $$xf $(LDFLAGS) -o $$d/$$t $$t.c \
	        $$d/libchanrelay.a $(LDLIBS) || exit 1; \
	done; \
	$$cc $(CPPFLAGS) $(CROSSFLAGS) -shared -fPIC -o $$d/faultinj.so \
	    tests/tools/faultinj.c -ldl || exit 1; \
	for s in $(SCRIPTS); do \
	    cp -f cmd/$$s.sh $$d/$$s && chmod 755 $$d/$$s || exit 1; \
	done

# make check-cross ARCH=arm64|armhf [SMOKE=1]: the unit tests and the bats
# files against build/cross/ARCH under qemu-user; SMOKE=1: CI's subset
check-cross: cross tools
	SMOKE=$(SMOKE) sh tests/check.sh cross $(ARCH)

# make static: the socket programs linked with no shared library, in
# build/static: with musl (STATICCC), whose lib/ modules it cannot compile
# left out of the archive and the program that needs them linked with
# glibc's -static instead (make says which, at the end). Capture mode
# (libpcap's dlopen) is not in a static build: PCAPDL_STATIC. The kernel and libpcap headers that
# lib/ includes are glibc's, which musl-gcc leaves out: build/static/include.
static:
	rm -rf build/static && mkdir -p build/static/include build/static/lib
	ln -s /usr/include/linux /usr/include/asm-generic /usr/include/pcap \
	    build/static/include/
	ln -s /usr/include/$$($(CC) -print-multiarch)/asm build/static/include/asm
	for s in $(LIBSRC); do \
	    $(STATICCC) $(CPPFLAGS) -idirafter build/static/include \
	        $(STATICFLAGS) -c -o build/static/$${s%.c}.o $$s || \
	    echo "make static: $$s: no $(STATICCC) build" >&2; \
	done
	$(AR) -rc build/static/libchanrelay.a build/static/lib/*.o
	glibc=; for p in $(STATICPROGS); do \
	    $(STATICCC) $(CPPFLAGS) -idirafter build/static/include \
	        $(STATICFLAGS) -static -o build/static/$$p cmd/$$p.c \
	        build/static/libchanrelay.a $(LDLIBS) 2>/dev/null && continue; \
	    echo "make static: $$p: glibc $(CC) -static instead of $(STATICCC)" >&2; \
	    $(CC) $(CPPFLAGS) $(STATICFLAGS) -static -o build/static/$$p \
	        cmd/$$p.c $(LIBSRC) $(LDLIBS) || exit 1; \
	    glibc="$$glibc $$p"; \
	done; \
	[ -z "$$glibc" ] || \
	    echo "make static: linked with glibc -static, not $(STATICCC):$$glibc" >&2
	for s in $(SCRIPTS); do \
	    cp -f cmd/$$s.sh build/static/$$s && chmod 755 build/static/$$s || exit 1; \
	done

# lib/ once more with the fuzzer's instrumentation, in build/fuzz/lib
$(FUZZLIB): $(LIBSRC) $(LIBHDR)
	rm -rf build/fuzz/lib
	mkdir -p build/fuzz/lib
	for s in $(LIBSRC); do \
	    o=build/fuzz/$${s%.c}.o; \
	    $(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -c -o $$o $$s || exit 1; \
	done
	rm -f $@
	$(AR) -rc $@ build/fuzz/lib/*.o

# every harness from its own source (any of them changed: all relinked)
$(FUZZ): $(FUZZLIB) $(FUZZSRC)
	h=$@; $(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -o $@ \
	    tests/fuzz/$${h#build/fuzz/}.c $(FUZZLIB) $(LDLIBS)

# make fuzz [FUZZTIME=seconds]: each harness in turn over its kept corpus,
# tests/fuzz/corpus/NAME; new inputs go to build/fuzz/NAME, never tests/
fuzz: $(FUZZ)
	for f in $(FUZZ); do \
	    sh tests/fuzz/run.sh $${f#build/fuzz/fuzz_} $(FUZZTIME) || exit 1; \
	done

deps:
	sh tools/deps.sh build

# the npm nats client is the other ecosystem's peer in the NATS tests; the
# cross toolchains may fail to install (a foreign list half-synced on the
# mirror) without stopping the rest: the cross checks then say not ok
check-deps:
	sh tools/deps.sh check
	-sh tools/deps.sh cross
	sh tools/deps.sh npm

# make check: every test, in TAP, then "N passed, N failed"
check: check-deps
	$(MAKE) all unit tools
	sh tests/check.sh

lint:
	sh tests/check.sh lint

# make bench: every benchmark in turn, each printing its table (see
# bench/README.md); QUICK=1, or BENCH_QUICK=1 in the environment: a smoke
# run of each, well under a minute apiece. Exit 1 when one of them failed.
bench: all tools
	sh tools/deps.sh bench
	sh tools/deps.sh npm
	st=0; for b in $(BENCH); do \
	    echo "== $$b"; \
	    BENCH_QUICK=$${BENCH_QUICK:-$(QUICK)} $$b || st=1; \
	done; exit $$st

# make run: the main job: the demo channels under chanrelay
run: deps
	$(MAKE) all
	sh examples/demo.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(MANPREFIX)/man7 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	for p in $(PROGS) $(SCRIPTS); do \
	    cp -f $$p $(DESTDIR)$(BINDIR)/$$p && \
	    chmod 755 $(DESTDIR)$(BINDIR)/$$p && \
	    cp -f completions/bash/$$p $(DESTDIR)$(BASHCOMPDIR)/$$p && \
	    cp -f completions/zsh/_$$p $(DESTDIR)$(ZSHCOMPDIR)/_$$p || exit 1; \
	done
	for m in $(MAN1) $(MAN5) $(MAN7); do \
	    s=$${m##*.}; \
	    cp -f $$m $(DESTDIR)$(MANPREFIX)/man$$s/ && \
	    chmod 644 $(DESTDIR)$(MANPREFIX)/man$$s/$${m#man/} || exit 1; \
	done

uninstall:
	for p in $(PROGS) $(SCRIPTS); do \
	    rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(BASHCOMPDIR)/$$p \
	        $(DESTDIR)$(ZSHCOMPDIR)/_$$p; \
	done
	for m in $(MAN1) $(MAN5) $(MAN7); do \
	    rm -f $(DESTDIR)$(MANPREFIX)/man$${m##*.}/$${m#man/}; \
	done

clean:
	rm -f $(PROGS) $(SCRIPTS) cmd/*.o $(LIBOBJ) $(NATSOBJ) $(LIB) $(UNIT) $(TOOLS) $(FUZZ)
	rm -rf build

.PHONY: all unit tools werror san cross check-cross static fuzz deps check-deps check lint bench \
	run install uninstall clean
