/*
 * udp-recv: receive datagrams on one UDP socket, or capture UDP with
 * libpcap, and write one record per datagram to standard output.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "clock.h"
#include "addrfile.h"
#include "capture.h"
#include "metrics.h"
#include "num.h"
#include "priv.h"
#include "recout.h"
#include "sig.h"
#include "sockfd.h"
#include "udpcap.h"
#include "udprx.h"
#include "udpsock.h"

#define USAGE "usage: udp-recv [-hRuv] [-a FILE] [-b SIZE] [-c COUNT] " \
	"[-d FD] [-F FORMAT] [-f EXPR] [-I FILE] [-i IFACE] [-M FILE] " \
	"[-m IFACE] [-S SOURCE] [-T IDLE] [-t DURATION] [-U USER] [ADDRESS]"
#define OPTSTRING	"a:b:c:d:F:f:hI:i:M:m:RS:T:t:U:uv"

#define RCVBUF_DEFAULT	(4u << 20)	/* 8 MiB granted: see -b */
#define DRAIN_NS	2000000000ull	/* bound on the drain after TERM */
#define CAPWAIT_NS	100000000ull	/* libpcap may hold packets back */

struct opts {
	const char *addrfile, *filter, *iface, *mcif, *rfile, *source;
	const char *user, *address, *metrics;
	struct addr addr, src;
	uint64_t rcvbuf, count, idle, duration;
	int fd, format, reuseport, unbuf, verbose;
};

/* One run: where records come from and where they go. */
struct run {
	struct opts o;
	struct recout w;
	struct udprx rx;
	struct udpcap cap;	/* capture mode: cap.p set */
	struct metrics m;
};

static void
getopts(int argc, char **argv, struct opts *o)
{
	int c;

	opterr = 0;	/* getopt's messages name argv[0]; ours name the program */
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'a': o->addrfile = optarg; break;
		case 'b': o->rcvbuf = size_arg("buffer size", optarg, 4096,
		    1ull << 30); break;
		case 'c': o->count = num_arg("count", optarg, 1,
		    INT64_MAX); break;
		case 'd': o->fd = num_arg("fd", optarg, 0, 65535); break;
		case 'F': o->format = recout_format_arg(optarg); break;
		case 'f': o->filter = optarg; break;
		case 'h': arg_help(0); break;
		case 'I': o->rfile = optarg; break;
		case 'i': o->iface = optarg; break;
		case 'M': o->metrics = optarg; break;
		case 'm': o->mcif = optarg; break;
		case 'R': o->reuseport = 1; break;
		case 'S': o->source = optarg; break;
		case 'T': o->idle = dur_arg("idle timeout", optarg, 1,
		    UINT64_MAX / 2); break;
		case 't': o->duration = dur_arg("duration", optarg, 1,
		    UINT64_MAX / 2); break;
		case 'U': o->user = optarg; break;
		case 'u': o->unbuf = 1; break;
		case 'v': o->verbose = 1; break;
		default:
			arg_badopt(OPTSTRING);
		}
	}
}

/* parse: the options, then every conflict refused before anything opens. */
static void
parse(int argc, char **argv, struct opts *o)
{
	int modes;

	memset(o, 0, sizeof *o);
	arg_usage = USAGE;
	o->fd = -1;
	o->format = -1;
	o->rcvbuf = RCVBUF_DEFAULT;
	getopts(argc, argv, o);
	argc -= optind;
	argv += optind;
	if (argc > 1)
		arg_misuse("too many arguments, starting at '%s'", argv[1]);
	o->address = argc == 1 ? argv[0] : NULL;
	/* -d with ADDRESS: the socket a binder (udp-bind) made for ADDRESS */
	modes = (o->address != NULL || o->fd != -1) + (o->iface != NULL) +
	    (o->rfile != NULL);
	if (modes > 1)
		arg_misuse("%s", "use one of ADDRESS (or -d), -I and -i");
	if (modes == 0 && (o->fd = sockfd_listen()) == -1)
		arg_misuse("%s", "missing ADDRESS (or -d, -I, -i, LISTEN_FDS)");
	if (o->filter && !o->iface && !o->rfile)
		arg_misuse("%s", "-f needs -I or -i");
	if ((o->mcif || o->source) && !o->address)
		arg_misuse("%s", "-m and -S need a multicast ADDRESS");
	if (o->reuseport && o->fd == -1 && !o->address)
		arg_misuse("%s", "-R needs ADDRESS");
	if (o->address == NULL)
		return;
	addr_arg("address", o->address, &o->addr);
	udpsock_mcast_arg(o->address, &o->addr, o->mcif, o->source, &o->src);
}

static void
counters(struct run *r)
{
	struct pcap_stat st;

	if (r->cap.p == NULL) {
		fprintf(stderr, "udp-recv: received=%llu written=%llu "
		    "dropped=%lld\n", (unsigned long long)r->rx.received,
		    (unsigned long long)r->w.written, udprx_dropped(&r->rx));
		return;
	}
	udpcap_stats(&r->cap, &st);
	fprintf(stderr, "udp-recv: received=%llu written=%llu dropped=%u "
	    "ifdropped=%u skipped=%llu truncated=%llu\n",
	    (unsigned long long)r->cap.received,
	    (unsigned long long)r->w.written, st.ps_drop, st.ps_ifdrop,
	    (unsigned long long)r->cap.skipped,
	    (unsigned long long)r->cap.truncated);
}

/* metrics: the counters as udp-recv(1) METRICS lists them. */
static void
metrics(struct run *r)
{
	struct metrics *m = &r->m;
	struct pcap_stat st;
	const char *drop = "chanrelay_records_dropped_total";

	metrics_begin(m);
	metrics_counter(m, "chanrelay_records_in_total", r->cap.p ?
	    "Packets the capture saw." : "Datagrams received.",
	    r->cap.p ? r->cap.received : r->rx.received);
	metrics_counter(m, "chanrelay_records_out_total", "Records written.",
	    r->w.written);
	metrics_counter(m, "chanrelay_bytes_out_total",
	    "Payload bytes of the records written.", r->w.bytes);
	metrics_head(m, drop, "counter", "Datagrams lost before udp-recv "
	    "read them, by reason: kernel (the socket's buffer or the "
	    "capture's ring was full), interface (the interface dropped).");
	if (r->cap.p == NULL) {
		metrics_value(m, drop, "reason", "kernel",
		    (uint64_t)udprx_dropped(&r->rx));
	} else {
		udpcap_stats(&r->cap, &st);
		metrics_value(m, drop, "reason", "kernel", st.ps_drop);
		metrics_value(m, drop, "reason", "interface", st.ps_ifdrop);
		metrics_counter(m, "chanrelay_packets_skipped_total", "Captured "
		    "packets not UDP, fragments or malformed.", r->cap.skipped);
		metrics_counter(m, "chanrelay_records_truncated_total",
		    "Datagrams cut short by the capture's snapshot length.",
		    r->cap.truncated);
	}
	metrics_commit(m);
}

/* dropped: what the kernel (or the capture ring) lost, for the exit;
 * a capture file that could not be read to its end lost its tail. */
static long long
dropped(struct run *r)
{
	return r->cap.p ? udpcap_lost(&r->cap) : udprx_dropped(&r->rx);
}

/* Socket mode: pull is one recvmmsg, every datagram written. */
static int
sock_pull(struct run *r)
{
	unsigned vlen = UDPRX_BATCH;
	int n;

	if (r->o.count && r->o.count - r->rx.received < vlen)
		vlen = (unsigned)(r->o.count - r->rx.received);
	if ((n = udprx_pull(&r->rx, vlen, &r->w)) == -1)
		err(111, "unable to receive");
	if (n == -2)
		recout_fail(&r->w);
	return n;
}

/*
 * pull: what the source holds, written. Capture mode: a file that cannot
 * be read to its end (cut short, a malformed record) ends the run as its
 * end would, with exit 1, as chanlog and udp-send treat a damaged pcap
 * stream; a read error or a failed live capture exits 111 (udpcap_pull).
 */
static int
pull(struct run *r)
{
	int n;

	if (r->o.count && r->w.written >= r->o.count)
		return -1;
	if (r->cap.p == NULL)
		return sock_pull(r);
	if ((n = udpcap_pull(&r->cap)) == -2)
		recout_fail(&r->w);
	return n;
}

/* drain: after TERM, what the kernel or the ring already holds was
 * received and is written, within a bound. */
static void
drain(struct run *r)
{
	uint64_t end = clock_mono() + DRAIN_NS;

	if (r->o.rfile)
		return;
	while (pull(r) > 0 && clock_mono() < end)
		;
}

/* wait_for: flush, then wait for data, a signal or the next deadline. */
static void
wait_for(struct run *r, int fd, int sigfd, uint64_t now, uint64_t due)
{
	struct timespec ts;
	int n;

	if (r->cap.p && due - now > CAPWAIT_NS)
		due = now + CAPWAIT_NS;
	ts = clock_ts(due - now);
	if ((n = recout_wait(&r->w, fd, sigfd,
	    due == UINT64_MAX ? NULL : &ts)) == -1)
		recout_fail(&r->w);
	if (n == -2)
		err(111, "unable to wait for datagrams");
}

/*
 * loop: receive until a limit, the end of a file or TERM. Reads without
 * waiting while data is there; waits (output flushed first) only when
 * the source is empty.
 */
static void
loop(struct run *r, int fd, int sigfd)
{
	const struct opts *o = &r->o;
	uint64_t start, last, now, due;
	int n;

	start = last = clock_mono();
	for (;;) {
		if (sig_take(SIGTERM) | sig_take(SIGINT)) {
			drain(r);
			return;
		}
		if (sig_take(SIGUSR1))
			counters(r);
		if (metrics_due(&r->m))
			metrics(r);
		if ((n = pull(r)) == -1 ||
		    (o->count && r->w.written >= o->count))
			return;
		now = clock_mono();
		if (n > 0)
			last = now;
		if ((o->duration && now - start >= o->duration) ||
		    (o->idle && now - last >= o->idle))
			return;
		/* a short batch emptied the socket: wait, no empty call */
		if (o->rfile || (n > 0 && (r->cap.p || n == UDPRX_BATCH)))
			continue;
		due = o->duration ? start + o->duration : UINT64_MAX;
		if (o->idle && last + o->idle < due)
			due = last + o->idle;
		wait_for(r, fd, sigfd, now, due);
	}
}

/* sock_open: the socket, bound or inherited, set up to receive. */
static int
sock_open(const struct opts *o)
{
	struct sockaddr_storage ss;
	char text[ADDR_STRLEN];
	const char *step;
	long got;
	int fd;

	if (o->fd != -1) {
		sockfd_arg(o->fd, SOCK_DGRAM, o->address, &o->addr);
		fd = o->fd;
	} else if ((fd = udpsock_bind(&o->addr, o->reuseport,
	    o->mcif ? udpsock_ifindex(o->mcif) : 0,
	    o->source ? (struct sockaddr *)&o->src.ss : NULL, o->rcvbuf,
	    &step)) == -1)
		err(111, "unable to %s %s", step, o->address);
	sockfd_name(fd, &ss, text);
	if (o->fd != -1 && udpsock_meta(fd, ss.ss_family) == -1)
		err(111, "unable to ask for datagram metadata");
	/* an inherited socket is sized here; ours was before its bind */
	got = udpsock_rcvbuf_want(fd, o->rcvbuf, o->fd != -1);
	if (o->verbose)
		warnx("listening on %s, receive buffer %ld bytes", text, got);
	if (o->addrfile && addrfile_write(o->addrfile, text) == -1)
		err(111, "unable to write %s", o->addrfile);
	return fd;
}

/* cap_open: the capture, filtered; returns the fd to wait on (or -1). */
static int
cap_open(struct run *r)
{
	const struct opts *o = &r->o;

	/* no -f: the default filter of capture.h, none on a file */
	udpcap_open(&r->cap, o->iface, o->rfile, o->rcvbuf, o->filter, &r->w,
	    o->count);
	if (o->addrfile && addrfile_write(o->addrfile,
	    o->iface ? o->iface : o->rfile) == -1)
		err(111, "unable to write %s", o->addrfile);
	return o->rfile ? -1 : udpcap_live(&r->cap);
}

int
main(int argc, char **argv)
{
	static struct run r;
	long long lost;
	int sigfd, fd;

	parse(argc, argv, &r.o);
	/* no -F: text to a terminal, pcap elsewhere */
	recout_stdout(&r.w, r.o.format, r.o.unbuf);
	sigfd = sig_setup(0);
	metrics_setup(&r.m, r.o.metrics, "udp-recv");
	if (r.o.iface || r.o.rfile)
		fd = cap_open(&r);
	else if (udprx_init(&r.rx, fd = sock_open(&r.o),
	    r.o.fd != -1 && r.o.address == NULL) == -1)
		err(111, "unable to set up receiving");
	if (r.o.user)
		priv_drop(r.o.user);
	if (recout_header(&r.w) == -1)
		recout_fail(&r.w);
	if (r.m.path != NULL)
		metrics(&r);
	loop(&r, fd, sigfd);
	if (recout_flush(&r.w) == -1)
		recout_fail(&r.w);
	lost = dropped(&r);
	if (r.m.path != NULL)
		metrics(&r);
	metrics_free(&r.m);
	if (r.o.verbose || lost > 0 || sig_take(SIGUSR1))
		counters(&r);
	if (r.cap.p)
		pcapdl.close(r.cap.p);
	/* before the free: a failed close reports what the reader lost */
	if (close(STDOUT_FILENO) == -1 && errno != EBADF)
		recout_fail(&r.w);
	udprx_free(&r.rx);
	recout_free(&r.w);
	return lost > 0 ? 1 : 0;
}
