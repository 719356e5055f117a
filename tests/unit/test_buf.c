/* tests/unit/test_buf.c */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tap.h"
#include "util/buf.h"

int main(void)
{
	struct buf b;
	char *s;

	buf_init(&b, 16);
	is_str(buf_str(&b), "", "empty buffer reads as empty string");
	is_int(buf_len(&b), 0, "empty length 0");
	is_int(buf_adds(&b, "hello"), HERR_OK, "append fits");
	is_int(buf_addf(&b, " %d", 42), HERR_OK, "printf append fits");
	is_str(buf_str(&b), "hello 42", "contents");
	is_int(buf_adds(&b, "0123456789"), HERR_TOO_LARGE, "append past max fails");
	is_int(buf_len(&b), 0, "over-cap append releases the buffer");
	is_int(buf_adds(&b, "0123456789abcdef"), HERR_OK, "exactly max bytes fits");
	is_int(buf_add(&b, "x", 1), HERR_TOO_LARGE, "one more byte does not");
	is_int(buf_adds(&b, "abc"), HERR_OK, "usable after failure");
	s = buf_take(&b);
	is_str(s, "abc", "take hands over the contents");
	is_int(buf_len(&b), 0, "take leaves it empty");
	free(s);
	s = buf_take(&b);
	is_str(s, "", "take of an empty buffer gives an empty string");
	free(s);
	buf_init(&b, 1 << 20);
	for(int i = 0; i < 1000; i++)
		if(buf_adds(&b, "0123456789"))
			break;
	is_int(buf_len(&b), 10000, "grows across many appends");
	buf_reset(&b);
	is_int(buf_len(&b), 0, "reset empties");
	buf_release(&b);

	buf_init(&b, 1 << 20);
	is_int(buf_read_file(&b, "/nonexistent/hermes-test"), ENOENT, "missing file: ENOENT");
	{
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/hermes-test-buf-%ld",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
		f = fopen(path, "w");
		fputs("line one\nline two\n", f);
		fclose(f);
		is_int(buf_read_file(&b, path), 0, "file read");
		is_str(buf_str(&b), "line one\nline two\n", "whole file in the buffer");
		buf_release(&b);
		buf_init(&b, 5);
		is_int(buf_read_file(&b, path), EFBIG, "a file over the cap: EFBIG");
		is_int(buf_len(&b), 0, "and the buffer is released");
		unlink(path);
	}
	buf_release(&b);

	/* buf_add_trunc keeps what fits, never half a character. */
	buf_init(&b, 5);
	is_int(buf_add_trunc(&b, "abc", 3), HERR_OK, "trunc: text that fits goes in whole");
	is_int(buf_add_trunc(&b, "d\xC3\xA9", 3), HERR_TOO_LARGE, "trunc: over the cap is reported");
	is_str(buf_str(&b), "abcd", "trunc: what fits is kept, the cut character is not split");
	is_int(buf_room(&b), 1, "trunc: room left");
	is_int(buf_add_trunc(&b, "xyz", 3), HERR_TOO_LARGE, "trunc: a later add is cut too");
	is_str(buf_str(&b), "abcdx", "trunc: to the cap exactly");
	is_int(buf_add_trunc(&b, "z", 1), HERR_TOO_LARGE, "trunc: a full buffer takes nothing");
	is_int(buf_len(&b), 5, "trunc: and keeps its text (buf_add would release it)");
	buf_release(&b);
	return tap_done();
}
