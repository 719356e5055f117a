/* tests/unit/test_utf8.c: the one UTF-8 walker (sequence checks, character
 * counting, cuts, repair). */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "util/buf.h"
#include "util/utf8.h"

int main(void)
{
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";   /* a é € 😀 z */
	size_t len = strlen(s), chars = 0;
	struct buf b;

	is_int(utf8_char_len(s, len), 1, "ASCII is one byte");
	is_int(utf8_char_len(s + 1, len - 1), 2, "é is two");
	is_int(utf8_char_len(s + 3, len - 3), 3, "€ is three");
	is_int(utf8_char_len(s + 6, len - 6), 4, "😀 is four");
	is_int(utf8_char_len("\xff", 1), 1, "an invalid byte counts as one character");
	is_int(utf8_char_len("\xe2\x82", 2), 1, "a sequence cut short: its first byte alone");
	is_int(utf8_char_len("\xc0\xaf", 2), 1, "an overlong form is invalid");

	is_int(utf8_prefix_chars(s, len, 3, &chars), 6, "3 characters are 6 bytes");
	is_int(chars, 3, "  counted");
	is_int(utf8_prefix_chars(s, len, 100, &chars), len, "a prefix longer than s is s");
	is_int(chars, 5, "  5 characters");
	is_int(utf8_prefix_chars(s, len, 0, NULL), 0, "0 characters, no count wanted");
	is_int(utf8_prefix_chars("\xff\xfe" "ab", 4, 3, &chars), 3, "invalid bytes are one character each");

	is_int(utf8_trim_end(s, 5), 3, "a cut inside € drops its start");
	is_int(utf8_trim_end(s, 6), 6, "a cut after € keeps it");
	ok(utf8_valid(s, len), "valid text");
	ok(!utf8_valid("caf\xe9", 4), "Latin-1 is not");

	buf_init(&b, 64);
	is_int(utf8_sanitize(&b, "caf\xe9!", 5, false), HERR_OK, "repair");
	is_str(buf_str(&b), "caf\xef\xbf\xbd!", "  the bad byte becomes U+FFFD");
	buf_release(&b);
	return tap_done();
}
