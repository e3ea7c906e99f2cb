/* udp-send: placeholder; the udp-send helper writes it. */
#include <err.h>

int
main(void)
{
	errx(111, "not yet written");
}
