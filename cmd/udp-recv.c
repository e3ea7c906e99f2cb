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
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "addrfile.h"
#include "capture.h"
#include "clock.h"
#include "counters.h"
#include "num.h"
#include "priv.h"
#include "recout.h"
#include "sig.h"
#include "sockfd.h"
#include "udpsock.h"
#include "udpsrc.h"

#define USAGE "usage: udp-recv [-GhRuv] [-a FILE] [-b SIZE] [-c COUNT] " \
	"[-d FD] [-F FORMAT] [-f EXPR] [-I FILE] [-i IFACE] [-M FILE] " \
	"[-m IFACE] [-S SOURCE] [-T IDLE] [-t DURATION] [-U USER] [ADDRESS]"
#define OPTSTRING	"a:b:c:d:F:f:GhI:i:M:m:RS:T:t:U:uv"

#define RCVBUF_DEFAULT	(4u << 20)	/* 8 MiB granted: see -b */
#define DRAIN_NS	2000000000ull	/* bound on the drain after TERM */

struct opts {
	const char *addrfile, *filter, *iface, *mcif, *rfile, *source;
	const char *user, *address, *metrics;
	struct addr addr, src;
	uint64_t rcvbuf, count, idle, duration;
	int fd, format, nogro, reuseport, unbuf, verbose;
};

/* One run: where records come from and where they go. */
struct run {
	struct opts o;
	struct recout w;
	struct udpsrc src;	/* the socket, or a capture */
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
		case 'G': o->nogro = 1; break;
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
	if (o->nogro && (o->iface || o->rfile))
		arg_misuse("%s", "-G is for a socket, not -I or -i");
	if (o->address == NULL)
		return;
	addr_arg("address", o->address, &o->addr);
	udpsock_mcast_arg(o->address, &o->addr, o->mcif, o->source, &o->src);
}

/* report: the counters, as the line of USR1 and exit (line) or as the
 * metrics file, udp-recv(1) METRICS; a capture has three rows more. */
static void
report(struct run *r, int line)
{
	const int cap = r->src.cap.p != NULL;
	uint64_t iface;
	const uint64_t kernel = udpsrc_dropped(&r->src, &iface);
	const struct counter c[] = {
		{ "received", CN_IN, NULL, cap ? "Packets the capture saw." :
		    "Datagrams received.", udpsrc_received(&r->src), 0, NULL },
		{ "written", CN_OUT, NULL, "Records written.", r->w.written,
		    0, NULL },
		{ NULL, CN_BYTES_OUT, NULL, "Payload bytes of the records "
		    "written.", r->w.bytes, 0, NULL },
		{ "dropped", CN_DROP, "reason=kernel", "Datagrams lost "
		    "before udp-recv read them, by reason: kernel (the "
		    "socket's buffer or the capture's ring was full), "
		    "interface (the interface dropped).", kernel, 0, NULL },
		{ "ifdropped", CN_DROP, "reason=interface", NULL, iface, 0,
		    NULL },
		{ "skipped", "chanrelay_packets_skipped_total", NULL,
		    "Captured packets not UDP, fragments or malformed.",
		    r->src.cap.skipped, 0, NULL },
		{ "truncated", "chanrelay_records_truncated_total", NULL,
		    "Datagrams cut short by the capture's snapshot length.",
		    r->src.cap.truncated, 0, NULL },
	};
	/* a socket: the first four rows */
	const size_t n = cap ? sizeof c / sizeof c[0] : 4;

	if (line)
		counters_line(stderr, "udp-recv", c, n);
	else
		counters_metrics(&r->m, c, n);
}

/*
 * loop: receive until a limit, the end of a file or TERM. Reads without
 * waiting while data is there; waits (output flushed first) only when
 * the source is empty.
 */
static void
loop(struct run *r, int sigfd)
{
	const struct opts *o = &r->o;
	uint64_t start, last, now, due;
	int n;

	start = last = clock_mono();
	for (;;) {
		if (sig_take(SIGTERM) | sig_take(SIGINT)) {
			udpsrc_drain(&r->src, DRAIN_NS);
			return;
		}
		if (sig_take(SIGUSR1))
			report(r, 1);
		if (metrics_due(&r->m))
			report(r, 0);
		if ((n = udpsrc_pull(&r->src)) == -1 ||
		    (o->count && r->w.written >= o->count))
			return;
		now = clock_mono();
		if (n > 0)
			last = now;
		if ((o->duration && now - start >= o->duration) ||
		    (o->idle && now - last >= o->idle))
			return;
		/* a short batch emptied the socket: wait, no empty call */
		if (udpsrc_more(&r->src, n))
			continue;
		due = o->duration ? start + o->duration : UINT64_MAX;
		if (o->idle && last + o->idle < due)
			due = last + o->idle;
		udpsrc_wait(&r->src, sigfd, now, due);
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
	int fd, gro;

	if (o->fd != -1) {
		sockfd_arg(o->fd, SOCK_DGRAM, o->address, &o->addr);
		fd = o->fd;
	} else if ((fd = udpsock_bind(&o->addr, o->reuseport,
	    o->mcif ? udpsock_ifindex(o->mcif) : 0,
	    o->source ? (struct sockaddr *)&o->src.ss : NULL, o->rcvbuf,
	    &step)) == -1)
		err(111, "unable to %s %s", step, o->address);
	sockfd_name(fd, &ss, text);
	gro = udpsock_rx(fd, ss.ss_family, !o->nogro, o->verbose);
	/* an inherited socket is sized here; ours was before its bind */
	got = udpsock_rcvbuf_want(fd, o->rcvbuf, o->fd != -1);
	if (o->verbose)
		warnx("listening on %s, receive buffer %ld bytes%s", text, got,
		    gro ? ", UDP_GRO" : "");
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
	udpcap_open(&r->src.cap, o->iface, o->rfile, o->rcvbuf, o->filter,
	    &r->w, o->count);
	if (o->addrfile && addrfile_write(o->addrfile,
	    o->iface ? o->iface : o->rfile) == -1)
		err(111, "unable to write %s", o->addrfile);
	return o->rfile ? -1 : udpcap_live(&r->src.cap);
}

int
main(int argc, char **argv)
{
	static struct run r;
	long long lost;
	int sigfd;

	parse(argc, argv, &r.o);
	/* no -F: text to a terminal, pcap elsewhere */
	recout_stdout(&r.w, r.o.format, r.o.unbuf);
	sigfd = sig_setup(0);
	metrics_setup(&r.m, r.o.metrics, "udp-recv");
	udpsrc_init(&r.src, &r.w, r.o.count);
	if (r.o.iface || r.o.rfile)
		r.src.fd = cap_open(&r);
	else if (udprx_init(&r.src.rx, r.src.fd = sock_open(&r.o),
	    r.o.fd != -1 && r.o.address == NULL) == -1)
		err(111, "unable to set up receiving");
	if (r.o.user)
		priv_drop(r.o.user);
	if (recout_header(&r.w) == -1)
		recout_fail(&r.w);
	if (r.m.path != NULL)
		report(&r, 0);
	loop(&r, sigfd);
	if (recout_flush(&r.w) == -1)
		recout_fail(&r.w);
	lost = udpsrc_lost(&r.src);
	if (r.m.path != NULL)
		report(&r, 0);
	metrics_free(&r.m);
	if (r.o.verbose || lost > 0 || sig_take(SIGUSR1))
		report(&r, 1);
	udpsrc_close(&r.src);
	/* before the free: a failed close reports what the reader lost */
	if (close(STDOUT_FILENO) == -1 && errno != EBADF)
		recout_fail(&r.w);
	recout_free(&r.w);
	return lost > 0 ? 1 : 0;
}
