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
	bench/nats
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
	mkdir -p build/san/tests/unit
	for p in $(PROGS); do \
	    case " $(NATSPROGS) " in \
	    *" $$p "*) extra="$(NATSSRC) $(NATSLIBS)" ;; *) extra= ;; esac; \
	    $(SANCC) $(CPPFLAGS) $(SANFLAGS) -o build/san/$$p cmd/$$p.c \
	        $(LIBSRC) $(LDLIBS) $$extra || exit 1; \
	done
	for t in $(UNIT); do \
	    $(SANCC) $(CPPFLAGS) $(SANFLAGS) -o build/san/$$t $$t.c \
	        $(LIBSRC) $(LDLIBS) || exit 1; \
	done
	for s in $(SCRIPTS); do \
	    cp -f cmd/$$s.sh build/san/$$s && chmod 755 build/san/$$s || exit 1; \
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

# the npm nats client is the other ecosystem's peer in the NATS tests
check-deps:
	sh tools/deps.sh check
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

.PHONY: all unit tools werror san fuzz deps check-deps check lint bench \
	run install uninstall clean
