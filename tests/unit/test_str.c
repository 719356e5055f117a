/* tests/unit/test_str.c */
#include "config.h"

#include "tap.h"
#include "util/str.h"

int main(void)
{
	size_t n = 0, tl;
	long l = 0;
	char out[8];
	const char *t;

	ok(str_to_size("0", 10, &n) && n == 0, "0 parses");
	ok(str_to_size("10000000", 10000000, &n) && n == 10000000, "max parses");
	ok(!str_to_size("10000001", 10000000, &n), "above max fails");
	ok(!str_to_size("12abc", 100, &n), "trailing garbage fails");
	ok(!str_to_size("-1", 100, &n), "negative fails");
	ok(!str_to_size("", 100, &n), "empty fails");
	ok(!str_to_size(" 1", 100, &n), "leading space fails");
	ok(!str_to_size("99999999999999999999999", (size_t)-1, &n), "overflow fails");
	ok(str_to_long("-5", -10, 10, &l) && l == -5, "long parses");
	ok(!str_to_long("11", -10, 10, &l), "long above max fails");
	ok(str_starts("/v1/models", "/v1/"), "starts");
	ok(!str_starts("/v", "/v1"), "shorter does not start");
	ok(str_ieq("Content-Type", "content-type"), "case-insensitive equal");
	ok(str_list_has("landlock, userns,cgroup", ", ", "userns"), "list item after a comma and a space");
	ok(str_list_has("landlock, userns,cgroup", ", ", "cgroup"), "last list item");
	ok(!str_list_has("landlock, userns", ", ", "user"), "a prefix of an item is not an item");
	ok(!str_list_has("a b,c", ",", "b"), "only the given separators split");
	ok(!str_list_has(NULL, ",", "a"), "no list holds nothing");
	t = str_trim("  ab c \t", 8, &tl);
	ok(tl == 4 && t[0] == 'a', "trim both sides");
	ok(str_has_ctl("a\nb", 3), "newline is control");
	ok(!str_has_ctl("abc", 3), "plain text is not");
	str_sanitize(out, sizeof(out), "a\r\nbcdefghij");
	is_str(out, "a??bcde", "sanitize replaces controls and cuts");
	return tap_done();
}
