/* test_frame.c: pcap/text detection by a stream's first bytes. */
#include <string.h>

#include "frame.h"
#include "tap.h"

static void
test_detect(void)
{
	static const unsigned char m[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 },
	};
	static const unsigned char near[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd5 }, { 0x0a, 0x0d, 0x0d, 0x0a },
		{ 0xd4, 0xc3, 0xb2, 0xa2 }, { 0, 0, 0, 0 },
	};
	unsigned char b[8];
	size_t i;

	for (i = 0; i < 4; i++) {
		is_int(frame_detect(m[i], 4), FRAME_PCAP, "magic %zu: pcap", i);
		memcpy(b, m[i], 4);
		memcpy(b + 4, "abcd", 4);
		is_int(frame_detect(b, 8), FRAME_PCAP, "  with more after it");
		is_int(frame_detect(m[i], 3), FRAME_TEXT, "  3 bytes: text");
		is_int(frame_detect(near[i], 4), FRAME_TEXT,
		    "near miss %zu: text", i);
	}
	is_int(frame_detect((const unsigned char *)"hello\n", 6), FRAME_TEXT,
	    "a line of text");
	is_int(frame_detect((const unsigned char *)"", 0), FRAME_TEXT,
	    "nothing: text");
	is_int(frame_detect(NULL, 0), FRAME_TEXT, "NULL, 0: text");
}

int
main(void)
{
	test_detect();
	return tap_done();
}
