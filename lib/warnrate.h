/* warnrate.h: a warning that may repeat under load, told at most once an
 * interval, the ones held back counted: "(and N more like it)". */
#ifndef WARNRATE_H
#define WARNRATE_H

#include <stdint.h>

struct warnrate {
	uint64_t every;		/* at most one line this often, in ns */
	uint64_t last;		/* when the last line went out, 0: never */
	int key;		/* what it was about (an errno, or 0) */
	unsigned long held;	/* lines like it held back since */
	char text[1024];	/* the last line told */
};

void warnrate_init(struct warnrate *w, uint64_t every);

/*
 * warnrate_due: 1 when a warning about key may go out now (it is then
 * the last one told), 0 when one about the same key went out less than
 * every ago: this one is held back and counted. A key other than the
 * last one is always due.
 */
int warnrate_due(struct warnrate *w, int key);

/*
 * warnrate_warnx: warnx(fmt, ...) when warnrate_due. The line told after
 * some were held back ends in "(and N more like it)". When the key
 * changed, the held ones are told first, as the last line told again:
 * that line stands for the first of them. Returns 1 when told, 0 when
 * held back.
 */
int warnrate_warnx(struct warnrate *w, int key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
