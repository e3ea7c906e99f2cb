/* pcapdl.c: libpcap, loaded only by the programs and modes that use it. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "pcapdl.h"

struct pcapdl pcapdl;

#ifdef PCAPDL_STATIC
/* make static: a static program cannot dlopen (musl's dlopen fails, and
 * glibc's would need the very shared libraries a static build is without) */
int
pcapdl_load(char *err, size_t len)
{
	snprintf(err, len, "capture mode is not in the static build "
	    "(no dlopen of libpcap)");
	return -1;
}
#else
/* the Debian soname first, then the names other systems use */
static const char *const names[] = {
	"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"
};

int
pcapdl_load(char *err, size_t len)
{
	static void *h;
	void *sym;
	size_t i;

	if (h != NULL)
		return 0;
	for (i = 0; i < sizeof names / sizeof names[0] && h == NULL; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(err, len, "unable to load libpcap: %s", dlerror());
		return -1;
	}
#define PCAPDL_LOAD(f)							\
	if ((sym = dlsym(h, "pcap_" #f)) == NULL) {			\
		snprintf(err, len, "unable to load libpcap: no pcap_%s", #f); \
		dlclose(h);						\
		h = NULL;						\
		return -1;						\
	}								\
	memcpy(&pcapdl.f, &sym, sizeof sym);
	PCAPDL_FUNCS(PCAPDL_LOAD)
#undef PCAPDL_LOAD
	return 0;
}
#endif
