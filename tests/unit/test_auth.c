/* tests/unit/test_auth.c */
#include "config.h"

#include "tap.h"
#include "util/auth.h"

#define KEY "0123456789abcdef0123456789abcdef"

int main(void)
{
	const char *tok;
	size_t len;

	ok(auth_ct_equal("abc", 3, "abc", 3), "equal bytes compare equal");
	ok(!auth_ct_equal("abc", 3, "abd", 3), "last byte differs");
	ok(!auth_ct_equal("abc", 3, "abcd", 4), "length differs");
	ok(!auth_ct_equal("", 0, "a", 1), "empty vs one byte");
	ok(auth_ct_equal("\xff\x00z", 3, "\xff\x00z", 3), "non-ASCII bytes compare");

	is_int(auth_key_state(NULL), AUTH_KEY_MISSING, "NULL key is missing");
	is_int(auth_key_state("   "), AUTH_KEY_MISSING, "blank key is missing");
	is_int(auth_key_state("short"), AUTH_KEY_SHORT, "short key");
	is_int(auth_key_state("123456789012345"), AUTH_KEY_SHORT, "15 chars is short");
	is_int(auth_key_state("1234567890123456"), AUTH_KEY_OK, "16 chars is enough");
	is_int(auth_key_state(" Your_API_Key_Here "), AUTH_KEY_PLACEHOLDER,
	       "placeholder, any case, trimmed");
	is_int(auth_key_state("changeme"), AUTH_KEY_PLACEHOLDER, "changeme is a placeholder");
	ok(auth_key_problem(AUTH_KEY_MISSING)[0] != '\0', "problem text for missing key");

	ok(auth_bearer_token("Bearer abc ", &tok, &len) && len == 3, "bearer token trimmed");
	ok(!auth_bearer_token("bearer abc", &tok, &len), "scheme is case-sensitive");
	ok(!auth_bearer_token("Basic abc", &tok, &len), "other scheme rejected");
	ok(!auth_bearer_token(NULL, &tok, &len), "no header");
	ok(auth_check("Bearer " KEY, KEY), "right key passes");
	ok(!auth_check("Bearer " KEY "x", KEY), "longer key fails");
	ok(!auth_check("Bearer ", KEY), "empty token fails");
	ok(!auth_check(NULL, KEY), "missing header fails");

	ok(auth_addr_is_loopback("127.0.0.1"), "127.0.0.1 is loopback");
	ok(auth_addr_is_loopback("127.5.6.7"), "127/8 is loopback");
	ok(auth_addr_is_loopback("::1"), "::1 is loopback");
	ok(auth_addr_is_loopback("::ffff:127.0.0.1"), "mapped v4 loopback");
	ok(!auth_addr_is_loopback("10.0.0.1"), "10.0.0.1 is not");
	ok(!auth_addr_is_loopback("1270.0.0.1"), "garbage is not");
	ok(!auth_addr_is_loopback(NULL), "missing address is not (fail closed)");
	ok(!auth_addr_is_loopback(""), "empty address is not");

	/* Host names a browser would send for a page on this machine. */
	{
		static const char *const local[] = {
			"localhost", "LOCALHOST", "localhost:8642", "localhost.", "localhost.:80",
			"app.localhost", "a.b.localhost:3000", "127.0.0.1", "127.0.0.1:8642",
			"127.9.8.7", "[::1]", "[::1]:8642", "[::ffff:127.0.0.1]:80", " localhost ",
		};
		static const char *const foreign[] = {
			"evil.example", "evil.example:8642", "localhost.evil.example", "evillocalhost",
			"127.0.0.1.nip.io", "10.0.0.1", "0.0.0.0", "[::]", "[::2]:80", "[::1", "[::1]x",
			"localhost:", "localhost:99999x", "localhost:123456", "::1", "", "localhost:80:80",
			"x.localhost.evil",
		};

		for(size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
			ok(auth_host_is_local(local[i], NULL), "Host '%s' is local", local[i]);
		for(size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
			ok(!auth_host_is_local(foreign[i], NULL), "Host '%s' is not local", foreign[i]);
		ok(!auth_host_is_local(NULL, NULL), "no Host value is not local");
		ok(auth_host_is_local("MyBox.lan:8642", "mybox.lan"), "the configured name, any case, with a port");
		ok(auth_host_is_local("mybox.lan", "mybox.lan:80"), "a configured name given with a port");
		ok(!auth_host_is_local("other.lan", "mybox.lan"), "another name is not");
		ok(!auth_host_is_local("0.0.0.0", "0.0.0.0"), "a wildcard bind address configured is no host name");
	}
	return tap_done();
}
