/* esc.h: payload bytes as one printable line. */
#ifndef ESC_H
#define ESC_H

#include <stddef.h>

/* esc_bytes: copy p to out with printable ASCII kept, backslash as "\\",
 * \t \n \r as such and every other byte as "\xHH". out needs 4*n bytes.
 * Returns the length written (no NUL added). */
size_t esc_bytes(char *out, const unsigned char *p, size_t n);

#endif
