/* natsrec.h: how a record travels in a NATS message: the header names,
 * the time and address texts, and the message id derived from the record.
 * Pure functions, no libnats: nats-send writes these, nats-recv reads
 * them, and consumers in other languages follow nats-send(1). */
#ifndef NATSREC_H
#define NATSREC_H

#include <stddef.h>
#include <stdint.h>

#include "pcapw.h"

#define NATSREC_ID		"Nats-Msg-Id"
#define NATSREC_TIME		"Chanrelay-Time"
#define NATSREC_SRC		"Chanrelay-Src"
#define NATSREC_DST		"Chanrelay-Dst"
#define NATSREC_LAYOUT		"Chanrelay-Layout"
#define NATSREC_RECORDS		"Chanrelay-Records"
#define NATSREC_LINKTYPE	"Chanrelay-Linktype"

/* Longest id, NUL included: "P" or "L" or 20 digits, "-", 16 hex digits. */
#define NATSREC_IDLEN		48
/* Longest time text: "-9223372036.854775808" and more: 32 is plenty. */
#define NATSREC_TIMELEN		32

/* natsrec_hash: FNV-1a 64 of n bytes, continuing from h (start with
 * NATSREC_HASH0). */
#define NATSREC_HASH0		0xcbf29ce484222325ull
uint64_t natsrec_hash(uint64_t h, const void *p, size_t n);

/*
 * natsrec_id_udp: the id of a datagram record sent to subject: its time
 * in nanoseconds, "-", and 16 hex digits of the hash of subject, source,
 * destination, ports and payload. The same record gives the same id in
 * every run. Writes NATSREC_IDLEN bytes at most; returns the hash.
 */
uint64_t natsrec_id_udp(char *out, const char *subject,
    const struct udpmeta *m, const unsigned char *p, size_t n);

/* natsrec_id_frame: the id of a record sent whole (the pcap layout):
 * its time in nanoseconds, "-", the hash of subject and the frame. */
uint64_t natsrec_id_frame(char *out, const char *subject, int64_t sec,
    uint32_t nsec, const unsigned char *p, size_t n);

/* natsrec_id_line: "L<lineno>-HASH" over subject, line number, line. */
uint64_t natsrec_id_line(char *out, const char *subject, uint64_t lineno,
    const unsigned char *p, size_t n);

/* natsrec_id_pack: "P<count>-HASH", hash over the records' hashes (in
 * order, as 8 little-endian bytes each, folded into sum by the caller
 * with natsrec_hash starting from NATSREC_HASH0). */
void natsrec_id_pack(char *out, uint64_t count, uint64_t sum);

/* natsrec_time: "SEC.NNNNNNNNN" (nine digits) into out. Returns out. */
char *natsrec_time(char *out, int64_t sec, uint32_t nsec);

/* natsrec_time_parse: the same text back; fewer than nine digits are
 * allowed ("12.5" is 12 s 500 ms). Returns 0, -1 when malformed. */
int natsrec_time_parse(const char *s, int64_t *sec, uint32_t *nsec);

/* natsrec_addr: "1.2.3.4:5" or "[::1]:5" of af/ip/port into out
 * (ADDR_STRLEN bytes). natsrec_addr_parse: the same back into af, ip
 * (16 bytes) and port; 0, or -1 when it is not a numeric address. */
char *natsrec_addr(char *out, int af, const unsigned char *ip, unsigned port);
int natsrec_addr_parse(const char *s, int *af, unsigned char *ip,
    uint16_t *port);

/* natsrec_subject_bad: 1 when s is not one channel's subject: empty,
 * a wildcard, white space, an empty token. */
int natsrec_subject_bad(const char *s);

/* natsrec_name_bad: 1 when s is not a stream or consumer name of
 * letters, digits, '-' and '_'. */
int natsrec_name_bad(const char *s);

/* natsrec_subject_arg: s, a subject from the command line, when it is
 * one channel's; else arg_fail ("invalid subject 'S'"), exit 100.
 * natsrec_name_arg: the same for a stream or consumer name, what being
 * its name in the message ("stream name"). */
const char *natsrec_subject_arg(const char *s);
const char *natsrec_name_arg(const char *what, const char *s);

#endif
