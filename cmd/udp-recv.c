/*
 * udp-recv: receive datagrams on one UDP socket, or capture UDP with
 * libpcap, and write one record per datagram to standard output.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "addrfile.h"
#include "decode.h"
#include "esc.h"
#include "num.h"
#include "obuf.h"
#include "pcapdl.h"
#include "pcapw.h"
#include "priv.h"
#include "sig.h"
#include "sockfd.h"
#include "tfmt.h"
#include "udpsock.h"

#define USAGE "usage: udp-recv [-hRuv] [-a FILE] [-b SIZE] [-c COUNT] " \
	"[-d FD] [-F FORMAT] [-f EXPR] [-i IFACE] [-m IFACE] [-r FILE] " \
	"[-S SOURCE] [-T IDLE] [-t DURATION] [-U USER] [ADDRESS]"

#define OPTSTRING	"a:b:c:d:F:f:hi:m:Rr:S:T:t:U:uv"
#define BATCH		32		/* datagrams per recvmmsg */
#define SLOT		65536		/* no datagram is ever cut */
#define OBUF_CAP	(4 * SLOT + 512) /* one escaped datagram fits */
#define FLUSH_AT	65536		/* keeps the touched buffer small */
#define RCVBUF_DEFAULT	(4u << 20)
#define DRAIN_NS	2000000000ull	/* bound on the drain after TERM */
#define NS		1000000000ull

enum fmt { F_PCAP, F_TEXT, F_LINE, F_RAW };

struct opts {
	const char *addrfile, *filter, *iface, *mcif, *rfile, *source;
	const char *user, *address;
	struct addr addr;
	uint64_t rcvbuf, count, idle, duration;
	int fd, format, reuseport, unbuf, verbose;
};

struct out {
	struct obuf ob;
	enum fmt fmt;
	int unbuf;
	uint64_t received, written, skipped;
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "%s\n", USAGE);
	exit(status);
}

static void
usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "udp-recv: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(100);
}

static uint64_t
now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static int
parse_format(const char *s)
{
	static const char *names[] = { "pcap", "text", "line", "raw" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	arg_fail("format", s, "use pcap, text, line or raw");
	return -1;
}

static void
parse(int argc, char **argv, struct opts *o)
{
	int c, modes;

	memset(o, 0, sizeof *o);
	arg_usage = USAGE;
	o->fd = -1;
	o->format = -1;
	o->rcvbuf = RCVBUF_DEFAULT;
	opterr = 0;	/* getopt's messages name argv[0]; ours name the program */
	while ((c = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (c) {
		case 'a': o->addrfile = optarg; break;
		case 'b': o->rcvbuf = size_arg("buffer size", optarg, 4096,
		    1ull << 30); break;
		case 'c': o->count = num_arg("count", optarg, 1,
		    INT64_MAX); break;
		case 'd': o->fd = num_arg("fd", optarg, 0, 65535); break;
		case 'F': o->format = parse_format(optarg); break;
		case 'f': o->filter = optarg; break;
		case 'h': usage(0); break;
		case 'i': o->iface = optarg; break;
		case 'm': o->mcif = optarg; break;
		case 'R': o->reuseport = 1; break;
		case 'r': o->rfile = optarg; break;
		case 'S': o->source = optarg; break;
		case 'T': o->idle = dur_arg("idle timeout", optarg, 1,
		    UINT64_MAX / 2); break;
		case 't': o->duration = dur_arg("duration", optarg, 1,
		    UINT64_MAX / 2); break;
		case 'U': o->user = optarg; break;
		case 'u': o->unbuf = 1; break;
		case 'v': o->verbose = 1; break;
		default:
			fprintf(stderr, optopt == ':' || !strchr(OPTSTRING,
			    optopt) ? "udp-recv: unknown option -%c\n" :
			    "udp-recv: option -%c needs a value\n", optopt);
			usage(100);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage_err("too many arguments, starting at '%s'", argv[1]);
	o->address = argc == 1 ? argv[0] : NULL;
	modes = (o->address != NULL) + (o->fd != -1) + (o->iface != NULL) +
	    (o->rfile != NULL);
	if (modes > 1)
		usage_err("%s", "use one of ADDRESS, -d, -i and -r");
	if (modes == 0 && (o->fd = sockfd_listen()) == -1)
		usage_err("%s", "missing ADDRESS (or -d, -i, -r, LISTEN_FDS)");
	if (o->filter && !o->iface && !o->rfile)
		usage_err("%s", "-f needs -i or -r");
	if ((o->mcif || o->source) && !o->address)
		usage_err("%s", "-m and -S need a multicast ADDRESS");
	if (o->reuseport && !o->address)
		usage_err("%s", "-R needs ADDRESS");
	if (o->address) {
		addr_arg("address", o->address, &o->addr);
		if ((o->mcif || o->source) &&
		    !udpsock_ismcast((struct sockaddr *)&o->addr.ss))
			usage_err("-m and -S need a multicast ADDRESS, not "
			    "'%s'", o->address);
	}
}

/*
 * Output. Every record goes through emit(); the buffer is flushed before
 * every wait, after FLUSH_AT bytes, and after every record with -u.
 */
static int
emit_text(struct out *w, const struct udpmeta *m, const unsigned char *p,
    size_t n)
{
	char *b, *s;
	int l;

	if ((b = (char *)obuf_reserve(&w->ob, 2 * ADDR_STRLEN + 64 +
	    4 * n)) == NULL)
		return -1;
	s = b + tfmt_iso(b, m->ts.tv_sec, (uint32_t)m->ts.tv_nsec);
	*s++ = ' ';
	addr_format_ip(m->af, m->src, m->sport, s);
	s += strlen(s);
	memcpy(s, " > ", 3);
	s += 3;
	addr_format_ip(m->af, m->dst, m->dport, s);
	s += strlen(s);
	l = snprintf(s, 24, " %zu ", n);
	s += l;
	s += esc_bytes(s, p, n);
	*s++ = '\n';
	obuf_commit(&w->ob, (size_t)(s - b));
	return 0;
}

static int
emit(struct out *w, const struct udpmeta *m, const unsigned char *p, size_t n)
{
	unsigned char *b;
	size_t h;
	int r = 0;

	switch (w->fmt) {
	case F_PCAP:
		if ((b = obuf_reserve(&w->ob, PCAPW_UDPHDR_MAX + n)) == NULL)
			return -1;
		h = pcapw_udp(b, m, n);
		memcpy(b + h, p, n);
		if (m->af == AF_INET6)
			pcapw_cksum6(b, n);
		obuf_commit(&w->ob, h + n);
		break;
	case F_TEXT:
		r = emit_text(w, m, p, n);
		break;
	case F_LINE:
		if ((b = obuf_reserve(&w->ob, n + 1)) == NULL)
			return -1;
		memcpy(b, p, n);
		b[n] = '\n';
		obuf_commit(&w->ob, n + 1);
		break;
	case F_RAW:
		r = obuf_write(&w->ob, p, n);
		break;
	}
	if (r == -1)
		return -1;
	w->written++;
	if (w->unbuf || w->ob.len >= FLUSH_AT)
		return obuf_flush(&w->ob);
	return 0;
}

static void
out_fail(void)
{
	err(111, "unable to write output");
}

/* out_open: check the format against the output; nothing is written. */
static void
out_open(struct out *w, const struct opts *o)
{
	int tty = isatty(STDOUT_FILENO);

	memset(w, 0, sizeof *w);
	w->fmt = o->format == -1 ? (tty ? F_TEXT : F_PCAP) : o->format;
	w->unbuf = o->unbuf;
	if (tty && (w->fmt == F_PCAP || w->fmt == F_RAW))
		errx(100, "refusing to write binary (-F %s) to a terminal",
		    w->fmt == F_PCAP ? "pcap" : "raw");
	if (obuf_init(&w->ob, STDOUT_FILENO, OBUF_CAP) == -1)
		err(111, "unable to allocate output buffer");
}

/* out_header: once the source is open, the stream header goes out at
 * once, so a reader can start before the first datagram. */
static void
out_header(struct out *w)
{
	unsigned char hdr[PCAP_FILEHDR_LEN];

	if (w->fmt == F_PCAP) {
		pcapw_filehdr(hdr, LINKTYPE_RAW);
		if (obuf_write(&w->ob, hdr, sizeof hdr) == -1 ||
		    obuf_flush(&w->ob) == -1)
			out_fail();
	}
}

static void
counters(const struct out *w, long long dropped, const char *capture)
{
	fprintf(stderr, "udp-recv: received=%llu written=%llu dropped=%lld%s\n",
	    (unsigned long long)w->received, (unsigned long long)w->written,
	    dropped, capture ? capture : "");
}

/* Socket mode. */

struct rx {
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage from[BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec)) +
		    CMSG_SPACE(sizeof(uint32_t)) +
		    CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		    CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl[BATCH];
	unsigned char *slots;
	struct sockaddr_storage local;
	uint32_t ovfl;		/* last SO_RXQ_OVFL: the socket's drop count */
	long long drops0;	/* the count when udp-recv started */
	int fd;
};

/* An IPv4-mapped IPv6 address is an IPv4 sender on a dual-stack socket. */
static void
ip_from_sa(const struct sockaddr_storage *ss, int *af, unsigned char *ip,
    uint16_t *port)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		*af = AF_INET;
		memcpy(ip, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		*af = AF_INET;
		memcpy(ip, s6->sin6_addr.s6_addr + 12, 4);
		*port = ntohs(s6->sin6_port);
	} else {
		*af = AF_INET6;
		memcpy(ip, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
	}
}

/* meta_from_msg: the record's metadata from what recvmmsg reported. */
static void
meta_from_msg(struct rx *x, int i, struct udpmeta *m)
{
	struct msghdr *h = &x->msg[i].msg_hdr;
	struct cmsghdr *c;
	uint16_t lport;
	int laf, haveaddr = 0;

	memset(m, 0, sizeof *m);
	ip_from_sa(&x->from[i], &m->af, m->src, &m->sport);
	ip_from_sa(&x->local, &laf, m->dst, &lport);
	m->dport = lport;
	for (c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&m->ts, CMSG_DATA(c), sizeof m->ts);
		} else if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SO_RXQ_OVFL) {
			memcpy(&x->ovfl, CMSG_DATA(c), sizeof x->ovfl);
		} else if (c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO && m->af == AF_INET) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			memcpy(m->dst, &pi.ipi_addr, 4);
			haveaddr = 1;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO && !haveaddr) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			if (m->af == AF_INET6)
				memcpy(m->dst, &pi.ipi6_addr, 16);
			else if (IN6_IS_ADDR_V4MAPPED(&pi.ipi6_addr))
				memcpy(m->dst, pi.ipi6_addr.s6_addr + 12, 4);
		}
	}
	if (m->ts.tv_sec == 0 && m->ts.tv_nsec == 0)
		clock_gettime(CLOCK_REALTIME, &m->ts);
	if (laf != m->af && !haveaddr && m->af == AF_INET6)
		memset(m->dst, 0, 16);
}

static void
rx_init(struct rx *x, int fd)
{
	socklen_t len = sizeof x->local;
	int i;

	memset(x, 0, sizeof *x);
	x->fd = fd;
	if ((x->slots = malloc((size_t)BATCH * SLOT)) == NULL)
		err(111, "unable to allocate receive buffers");
	if (getsockname(fd, (struct sockaddr *)&x->local, &len) == -1)
		err(111, "unable to read the socket's address");
	x->drops0 = udpsock_drops(fd);
	if (x->drops0 < 0)
		x->drops0 = 0;
	for (i = 0; i < BATCH; i++) {
		x->iov[i].iov_base = x->slots + (size_t)i * SLOT;
		x->iov[i].iov_len = SLOT;
	}
}

/* rx_batch: one recvmmsg without waiting, every datagram emitted.
 * Returns the datagrams read, 0 when none was queued. */
static int
rx_batch(struct rx *x, struct out *w, unsigned vlen)
{
	struct udpmeta m;
	int i, n;

	for (i = 0; i < (int)vlen; i++) {
		struct msghdr *h = &x->msg[i].msg_hdr;

		h->msg_name = &x->from[i];
		h->msg_namelen = sizeof x->from[i];
		h->msg_iov = &x->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = x->ctl[i].buf;
		h->msg_controllen = sizeof x->ctl[i].buf;
		h->msg_flags = 0;
	}
	n = recvmmsg(x->fd, x->msg, vlen, MSG_DONTWAIT, NULL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		/* an ICMP error queued on the socket is no reason to stop */
		if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
		    errno == ENETUNREACH)
			return 0;
		err(111, "unable to receive");
	}
	for (i = 0; i < n; i++) {
		w->received++;
		meta_from_msg(x, i, &m);
		if (emit(w, &m, x->iov[i].iov_base, x->msg[i].msg_len) == -1)
			out_fail();
	}
	return n;
}

static long long
rx_dropped(const struct rx *x)
{
	long long d = udpsock_drops(x->fd);

	if (d < (long long)x->ovfl)
		d = x->ovfl;
	return d > x->drops0 ? d - x->drops0 : 0;
}

static unsigned
want(const struct opts *o, const struct out *w)
{
	if (o->count && o->count - w->received < BATCH)
		return (unsigned)(o->count - w->received);
	return BATCH;
}

/* rx_drain: after TERM, what the kernel already queued, within a bound. */
static void
rx_drain(struct rx *x, struct out *w, const struct opts *o)
{
	uint64_t end = now_ns(CLOCK_MONOTONIC) + DRAIN_NS;

	while (!(o->count && w->received >= o->count) &&
	    rx_batch(x, w, want(o, w)) > 0 && now_ns(CLOCK_MONOTONIC) < end)
		;
}

/*
 * sock_loop: receive until a limit or TERM. Returns the kernel's drops.
 * Reads without waiting while data is queued; waits in ppoll (flushed
 * first) only when the socket is empty.
 */
static long long
sock_loop(int fd, struct out *w, const struct opts *o, int sigfd)
{
	static struct rx x;
	struct pollfd pfd[2];
	struct timespec ts;
	uint64_t start, last, now, due;
	int n;

	rx_init(&x, fd);
	start = last = now_ns(CLOCK_MONOTONIC);
	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = sigfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (sig_take(SIGTERM) | sig_take(SIGINT)) {
			rx_drain(&x, w, o);
			break;
		}
		if (sig_take(SIGUSR1))
			counters(w, rx_dropped(&x), NULL);
		if (o->count && w->received >= o->count)
			break;
		n = rx_batch(&x, w, want(o, w));
		now = now_ns(CLOCK_MONOTONIC);
		if (n > 0)
			last = now;
		if (o->duration && now - start >= o->duration)
			break;
		if (o->idle && now - last >= o->idle)
			break;
		if (n > 0)
			continue;
		if (obuf_flush(&w->ob) == -1)
			out_fail();
		due = UINT64_MAX;
		if (o->duration)
			due = start + o->duration;
		if (o->idle && last + o->idle < due)
			due = last + o->idle;
		if (due != UINT64_MAX) {
			ts.tv_sec = (time_t)((due - now) / NS);
			ts.tv_nsec = (long)((due - now) % NS);
		}
		if (ppoll(pfd, 2, due == UINT64_MAX ? NULL : &ts, NULL) == -1 &&
		    errno != EINTR)
			err(111, "unable to poll");
	}
	free(x.slots);
	return rx_dropped(&x);
}

static int
ifindex_arg(const char *s)
{
	unsigned i = if_nametoindex(s);
	const char *e;

	if (i == 0) {
		i = (unsigned)num_parse(s, 1, INT32_MAX, &e);
		if (e != NULL)
			errx(100, "invalid interface '%s': no such interface",
			    s);
	}
	return (int)i;
}

/* sock_bind: the socket for ADDRESS: bound, joined, ready to receive. */
static int
sock_bind(const struct opts *o)
{
	struct addr a = o->addr, src;
	char text[ADDR_STRLEN];
	int fd, on = 1, off = 0, af;

	af = a.ss.ss_family;
	fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 && a.wildcard && errno == EAFNOSUPPORT) {
		/* no IPv6 on this host: every interface means IPv4 then */
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.ss;
		struct sockaddr_in s4;

		memset(&s4, 0, sizeof s4);
		s4.sin_family = AF_INET;
		s4.sin_port = s6->sin6_port;
		memcpy(&a.ss, &s4, sizeof s4);
		a.len = sizeof s4;
		af = AF_INET;
		fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	if (fd == -1)
		err(111, "unable to create a UDP socket");
	if (af == AF_INET6 && a.wildcard &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == -1)
		err(111, "unable to accept IPv4 on an IPv6 socket");
	if (udpsock_ismcast((struct sockaddr *)&a.ss) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1)
		err(111, "unable to set SO_REUSEADDR");
	if (o->reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == -1)
		err(111, "unable to set SO_REUSEPORT");
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) == -1)
		err(111, "unable to bind %s",
		    addr_format((struct sockaddr *)&a.ss, text));
	if (udpsock_ismcast((struct sockaddr *)&a.ss)) {
		const char *e;

		if (o->source && (e = addr_parse_host(o->source, &src)))
			arg_fail("source", o->source, e);
		if (udpsock_join(fd, (struct sockaddr *)&a.ss,
		    o->mcif ? ifindex_arg(o->mcif) : 0,
		    o->source ? (struct sockaddr *)&src.ss : NULL) == -1)
			err(111, "unable to join group %s", o->address);
	}
	return fd;
}

static void
sock_setup(int fd, const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char text[ADDR_STRLEN];
	long got;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		err(111, "unable to read the socket's address");
	if (udpsock_meta(fd, ss.ss_family) == -1)
		err(111, "unable to ask for datagram metadata");
	if ((got = udpsock_rcvbuf(fd, o->rcvbuf)) == -1)
		err(111, "unable to set the receive buffer");
	/* Linux reports twice the request: its bookkeeping overhead */
	if ((unsigned long)got / 2 < o->rcvbuf)
		warnx("receive buffer is %ld bytes, asked for %llu: "
		    "raise net.core.rmem_max or run with CAP_NET_ADMIN",
		    got / 2, (unsigned long long)o->rcvbuf);
	addr_format((struct sockaddr *)&ss, text);
	if (o->verbose)
		warnx("listening on %s, receive buffer %ld bytes", text, got);
	if (o->addrfile && addrfile_write(o->addrfile, text) == -1)
		err(111, "unable to write %s", o->addrfile);
}

/* Capture mode. */

struct cap {
	pcap_t *p;
	struct out *w;
	const struct opts *o;
	int linktype;
	int fail;
};

static void
cap_packet(unsigned char *user, const struct pcap_pkthdr *h,
    const unsigned char *bytes)
{
	struct cap *c = (struct cap *)user;
	struct udpinfo u;
	struct udpmeta m;

	c->w->received++;
	if (decode_udp((uint32_t)c->linktype, bytes, h->caplen, &u) != 1 ||
	    u.paylen < u.paylen_orig) {
		c->w->skipped++;
		return;
	}
	memset(&m, 0, sizeof m);
	m.af = u.af;
	memcpy(m.src, u.src, sizeof m.src);
	memcpy(m.dst, u.dst, sizeof m.dst);
	m.sport = u.sport;
	m.dport = u.dport;
	m.ts.tv_sec = h->ts.tv_sec;
	m.ts.tv_nsec = h->ts.tv_usec;	/* nanoseconds: precision set so */
	if (emit(c->w, &m, u.payload, u.paylen) == -1)
		out_fail();
	if (c->o->count && c->w->written >= c->o->count)
		pcapdl.breakloop(c->p);
}

static pcap_t *
cap_open(const struct opts *o)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;
	int rc;

	if (pcapdl_load(ebuf, sizeof ebuf) == -1)
		errx(111, "%s", ebuf);
	if (o->rfile) {
		p = pcapdl.open_offline_with_tstamp_precision(o->rfile,
		    PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (p == NULL)
			errx(111, "unable to read %s: %s", o->rfile, ebuf);
		return p;
	}
	if ((p = pcapdl.create(o->iface, ebuf)) == NULL)
		errx(111, "unable to capture on %s: %s", o->iface, ebuf);
	pcapdl.set_snaplen(p, PCAPW_SNAPLEN);
	pcapdl.set_promisc(p, 0);
	pcapdl.set_immediate_mode(p, 1);
	pcapdl.set_buffer_size(p, (int)o->rcvbuf);
	pcapdl.set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcapdl.activate(p);
	/* a missing interface may yet appear (USB, VPN): 111, not 100 */
	if (rc < 0)
		errx(111, "unable to capture on %s: %s", o->iface,
		    rc == PCAP_ERROR ? pcapdl.geterr(p) : pcapdl.statustostr(rc));
	if (rc > 0)
		warnx("capture on %s: %s", o->iface, rc == PCAP_WARNING ?
		    pcapdl.geterr(p) : pcapdl.statustostr(rc));
	return p;
}

static void
cap_filter(pcap_t *p, const char *expr)
{
	struct bpf_program prog;

	if (pcapdl.compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1)
		errx(100, "invalid filter '%s': %s", expr, pcapdl.geterr(p));
	if (pcapdl.setfilter(p, &prog) == -1)
		errx(111, "unable to set filter '%s': %s", expr,
		    pcapdl.geterr(p));
	pcapdl.freecode(&prog);
}

static void
cap_stats(struct cap *c, long long *drop, char *extra, size_t len)
{
	struct pcap_stat st;

	memset(&st, 0, sizeof st);
	if (c->o->iface && pcapdl.stats(c->p, &st) == -1)
		warnx("unable to read capture statistics: %s",
		    pcapdl.geterr(c->p));
	*drop = st.ps_drop;
	snprintf(extra, len, " ifdropped=%u skipped=%llu", st.ps_ifdrop,
	    (unsigned long long)c->w->skipped);
}

/* cap_dispatch: hand what the capture holds to cap_packet; -1 at EOF. */
static int
cap_dispatch(struct cap *c)
{
	int n = pcapdl.dispatch(c->p, c->o->rfile ? 1024 : -1, cap_packet,
	    (unsigned char *)c);

	if (n == PCAP_ERROR)
		errx(111, "unable to capture: %s", pcapdl.geterr(c->p));
	if (c->o->count && c->w->written >= c->o->count)
		return -1;
	if (n == 0 && c->o->rfile)
		return -1;
	return n;
}

/* cap_loop: capture until a limit, the end of the file or TERM. */
static void
cap_loop(struct cap *c, int sigfd)
{
	struct pollfd pfd[2];
	struct timespec ts;
	uint64_t start, last, now, due;
	char extra[80];
	long long drop;
	int n = 0;

	start = last = now_ns(CLOCK_MONOTONIC);
	pfd[0].fd = c->o->iface ? pcapdl.get_selectable_fd(c->p) : -1;
	pfd[0].events = POLLIN;
	pfd[1].fd = sigfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (sig_take(SIGTERM) | sig_take(SIGINT)) {
			/* what the ring holds was received: drain it */
			while (c->o->iface && cap_dispatch(c) > 0)
				;
			break;
		}
		if (sig_take(SIGUSR1)) {
			cap_stats(c, &drop, extra, sizeof extra);
			counters(c->w, drop, extra);
		}
		if ((n = cap_dispatch(c)) == -1)
			break;
		now = now_ns(CLOCK_MONOTONIC);
		if (n > 0)
			last = now;
		if (c->o->duration && now - start >= c->o->duration)
			break;
		if (c->o->idle && now - last >= c->o->idle)
			break;
		if (n > 0 || c->o->rfile)
			continue;
		if (obuf_flush(&c->w->ob) == -1)
			out_fail();
		due = UINT64_MAX;
		if (c->o->duration)
			due = start + c->o->duration;
		if (c->o->idle && last + c->o->idle < due)
			due = last + c->o->idle;
		ts.tv_sec = 0;
		ts.tv_nsec = 100000000;	/* libpcap may hold packets back */
		if (due - now < 100000000)
			ts.tv_nsec = (long)(due - now);
		if (ppoll(pfd, 2, &ts, NULL) == -1 && errno != EINTR)
			err(111, "unable to poll");
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct out w;
	struct cap c;
	long long dropped;
	char extra[80] = "";
	int sigfd, fd = -1;

	parse(argc, argv, &o);
	if ((sigfd = sig_init()) == -1)
		err(111, "unable to create the signal pipe");
	if (sig_catch(SIGTERM) == -1 || sig_catch(SIGINT) == -1 ||
	    sig_catch(SIGUSR1) == -1 || sig_ignore(SIGPIPE) == -1)
		err(111, "unable to set signal handlers");
	out_open(&w, &o);
	memset(&c, 0, sizeof c);
	if (o.iface || o.rfile) {
		c.p = cap_open(&o);
		c.w = &w;
		c.o = &o;
		c.linktype = pcapdl.datalink(c.p);
		cap_filter(c.p, o.filter ? o.filter : "udp");
		if (o.iface && pcapdl.setnonblock(c.p, 1, extra) == -1)
			errx(111, "unable to capture on %s: %s", o.iface,
			    extra);
		if (o.addrfile && addrfile_write(o.addrfile,
		    o.iface ? o.iface : o.rfile) == -1)
			err(111, "unable to write %s", o.addrfile);
	} else {
		if (o.fd != -1) {
			const char *why = sockfd_check(o.fd, SOCK_DGRAM);

			if (why != NULL)
				errx(100, "invalid fd '%d': %s", o.fd, why);
			fd = o.fd;
		} else
			fd = sock_bind(&o);
		sock_setup(fd, &o);
	}
	if (o.user)
		priv_drop(o.user);
	out_header(&w);
	if (c.p) {
		cap_loop(&c, sigfd);
		cap_stats(&c, &dropped, extra, sizeof extra);
		pcapdl.close(c.p);
	} else
		dropped = sock_loop(fd, &w, &o, sigfd);
	if (obuf_flush(&w.ob) == -1)
		out_fail();
	if (o.verbose || dropped > 0 || sig_take(SIGUSR1))
		counters(&w, dropped, c.p ? extra : NULL);
	obuf_free(&w.ob);
	if (close(STDOUT_FILENO) == -1 && errno != EBADF)
		out_fail();
	return dropped > 0 ? 1 : 0;
}
