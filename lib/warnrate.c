/* warnrate.c: a warning that may repeat under load, told at most once an
 * interval, the ones held back counted: "(and N more like it)". */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>

#include "clock.h"
#include "warnrate.h"

void
warnrate_init(struct warnrate *w, uint64_t every)
{
	w->every = every;
	w->last = 0;
	w->key = 0;
	w->held = 0;
	w->text[0] = '\0';
}

int
warnrate_due(struct warnrate *w, int key)
{
	uint64_t now = clock_mono();

	if (w->last != 0 && key == w->key && now - w->last < w->every) {
		w->held++;
		return 0;
	}
	w->last = now;
	w->key = key;
	return 1;
}

/* tell: text, with the count of those held back when there are any. */
static void
tell(const char *text, unsigned long more)
{
	if (more > 0)
		warnx("%s (and %lu more like it)", text, more);
	else
		warnx("%s", text);
}

int
warnrate_warnx(struct warnrate *w, int key, const char *fmt, ...)
{
	unsigned long held = w->held;
	int changed = w->last != 0 && key != w->key;
	va_list ap;

	if (!warnrate_due(w, key))
		return 0;
	if (changed && held > 0) {
		tell(w->text, held - 1);
		held = 0;
	}
	va_start(ap, fmt);
	vsnprintf(w->text, sizeof w->text, fmt, ap);
	va_end(ap);
	tell(w->text, held);
	w->held = 0;
	return 1;
}
