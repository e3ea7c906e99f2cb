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

LIBHDR = lib/addr.h lib/decode.h lib/esc.h lib/extract.h lib/frame.h \
	lib/num.h lib/obuf.h lib/pcapr.h lib/pcapw.h lib/sig.h lib/tfmt.h \
	lib/udpsock.h lib/priv.h lib/sockfd.h lib/addrfile.h lib/pcapdl.h \
	lib/capture.h lib/recout.h lib/udprx.h lib/chandir.h lib/salvage.h \
	lib/spawnsh.h lib/pace.h lib/synth.h lib/rq.h lib/recin.h \
	lib/sink.h lib/clock.h lib/heldw.h lib/cidr.h lib/tcpsock.h \
	lib/ucspi.h lib/hist.h lib/kstat.h lib/ramp.h lib/fdlim.h \
	lib/store.h lib/natsrec.h
LIBSRC = lib/addr.c lib/decode.c lib/esc.c lib/frame.c lib/num.c \
	lib/obuf.c lib/pcapr.c lib/pcapw.c lib/sig.c lib/tfmt.c \
	lib/udpsock.c lib/priv.c lib/sockfd.c lib/addrfile.c lib/pcapdl.c \
	lib/capture.c lib/recout.c lib/udprx.c lib/chandir.c lib/salvage.c \
	lib/spawnsh.c lib/pace.c lib/synth.c lib/rq.c lib/recin.c \
	lib/sink.c lib/clock.c lib/heldw.c lib/cidr.c lib/tcpsock.c \
	lib/ucspi.c lib/hist.c lib/kstat.c lib/ramp.c lib/fdlim.c lib/natsrec.c
LIBOBJ = lib/addr.o lib/decode.o lib/esc.o lib/frame.o lib/num.o \
	lib/obuf.o lib/pcapr.o lib/pcapw.o lib/sig.o lib/tfmt.o \
	lib/udpsock.o lib/priv.o lib/sockfd.o lib/addrfile.o lib/pcapdl.o \
	lib/capture.o lib/recout.o lib/udprx.o lib/chandir.o lib/salvage.o \
	lib/spawnsh.o lib/pace.o lib/synth.o lib/rq.o lib/recin.o \
	lib/sink.o lib/clock.o lib/heldw.o lib/cidr.o lib/tcpsock.o \
	lib/ucspi.o lib/hist.o lib/kstat.o lib/ramp.o lib/fdlim.o lib/natsrec.o
LIB = lib/libchanrelay.a
# libnats glue, kept out of LIB so no other program needs libnats
NATSHDR = lib/natsconn.h lib/natspub.h lib/natssub.h
NATSSRC = lib/natsconn.c lib/natspub.c lib/natssub.c
NATSOBJ = lib/natsconn.o lib/natspub.o lib/natssub.o

UNIT = tests/unit/test_addr tests/unit/test_addrfile tests/unit/test_decode \
	tests/unit/test_esc tests/unit/test_obuf tests/unit/test_sig \
	tests/unit/test_udpsock tests/unit/test_recout tests/unit/test_udprx \
	tests/unit/test_capture tests/unit/test_rq tests/unit/test_pace \
	tests/unit/test_synth tests/unit/test_heldw \
	tests/unit/test_frame tests/unit/test_num tests/unit/test_pcapr \
	tests/unit/test_pcapw tests/unit/test_tfmt tests/unit/test_cidr \
	tests/unit/test_hist tests/unit/test_kstat tests/unit/test_ramp \
	tests/unit/test_fdlim tests/unit/test_natsrec tests/unit/test_salvage
TOOLS = tests/tools/udpsend tests/tools/acceptd bench/udpblast bench/recvmmsg-bare bench/gen-lines \
	bench/gen-pcap bench/gen-gaps bench/tcp-listen-fork \
	bench/tcp-listen-spawn bench/spawn-cost bench/nats-bare \
	tests/tools/faultinj.so
# libFuzzer harnesses, one per parser of outside input (tests/fuzz/run.sh)
FUZZ = build/fuzz/fuzz_pcapr build/fuzz/fuzz_frame build/fuzz/fuzz_decode \
	build/fuzz/fuzz_num build/fuzz/fuzz_addr build/fuzz/fuzz_esc \
	build/fuzz/fuzz_rules build/fuzz/fuzz_tfmt

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
# measures against the vfork one it ships
bench/tcp-listen-fork: cmd/tcp-listen.c $(LIBHDR) $(LIB)
	$(CC) $(CPPFLAGS) -DTCPL_FORK $(CFLAGS) $(LDFLAGS) -o $@ \
	    cmd/tcp-listen.c $(LIB) $(LDLIBS)
bench/tcp-listen-spawn: cmd/tcp-listen.c $(LIBHDR) $(LIB)
	$(CC) $(CPPFLAGS) -DTCPL_POSIX_SPAWN $(CFLAGS) $(LDFLAGS) -o $@ \
	    cmd/tcp-listen.c $(LIB) $(LDLIBS)

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

# each harness is built from its own source and the lib/ files it needs
build/fuzz/fuzz_pcapr: tests/fuzz/fuzz_pcapr.c lib/pcapr.c lib/decode.c \
    lib/frame.c $(LIBHDR)
	mkdir -p build/fuzz
	$(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -o $@ tests/fuzz/fuzz_pcapr.c \
	    lib/pcapr.c lib/decode.c lib/frame.c
build/fuzz/fuzz_frame: tests/fuzz/fuzz_frame.c lib/frame.c $(LIBHDR)
	mkdir -p build/fuzz
	$(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -o $@ tests/fuzz/fuzz_frame.c \
	    lib/frame.c
build/fuzz/fuzz_decode: tests/fuzz/fuzz_decode.c lib/decode.c $(LIBHDR)
	mkdir -p build/fuzz
	$(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -o $@ tests/fuzz/fuzz_decode.c \
	    lib/decode.c
build/fuzz/fuzz_num: tests/fuzz/fuzz_num.c lib/num.c $(LIBHDR)
	mkdir -p build/fuzz
	$(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -o $@ tests/fuzz/fuzz_num.c \
	    lib/num.c
build/fuzz/fuzz_addr: tests/fuzz/fuzz_addr.c lib/addr.c lib/cidr.c \
    lib/num.c $(LIBHDR)
	mkdir -p build/fuzz
	$(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -o $@ tests/fuzz/fuzz_addr.c \
	    lib/addr.c lib/cidr.c lib/num.c
build/fuzz/fuzz_esc: tests/fuzz/fuzz_esc.c lib/esc.c $(LIBHDR)
	mkdir -p build/fuzz
	$(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -o $@ tests/fuzz/fuzz_esc.c \
	    lib/esc.c
build/fuzz/fuzz_rules: tests/fuzz/fuzz_rules.c lib/cidr.c lib/num.c \
    $(LIBHDR)
	mkdir -p build/fuzz
	$(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -o $@ tests/fuzz/fuzz_rules.c \
	    lib/cidr.c lib/num.c
build/fuzz/fuzz_tfmt: tests/fuzz/fuzz_tfmt.c lib/tfmt.c $(LIBHDR)
	mkdir -p build/fuzz
	$(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -o $@ tests/fuzz/fuzz_tfmt.c \
	    lib/tfmt.c

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

bench: all tools
	sh tools/deps.sh bench
	sh tools/deps.sh npm
	bench/udp-recv
	[ ! -x bench/chanlog ] || bench/chanlog

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
