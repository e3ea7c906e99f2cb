/* esc.h: payload bytes as one printable line, and C escapes back to bytes. */
#ifndef ESC_H
#define ESC_H

#include <stddef.h>

/* esc_bytes: copy p to out with printable ASCII kept, backslash as "\\",
 * \t \n \r as such and every other byte as "\xHH". out needs 4*n bytes.
 * Returns the length written (no NUL added). */
size_t esc_bytes(char *out, const unsigned char *p, size_t n);

/*
 * esc_parse: decode the C escapes \n \r \t \\ \0 \xHH (two hex digits,
 * either case) of the string s into out, which needs strlen(s) bytes;
 * other bytes are copied. *n gets the length (no NUL added). Returns
 * NULL, or the reason s is bad ("\\x needs two hex digits", "a lone \\ at
 * the end", "unknown escape (...)"), with out and *n then meaningless.
 */
const char *esc_parse(unsigned char *out, const char *s, size_t *n);

/* esc_hexval: the value of the hex digit c, or -1. */
int esc_hexval(int c);

#endif
