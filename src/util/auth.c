/* src/util/auth.c: API key checks.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/auth.h"

#include <arpa/inet.h>
#include <string.h>

#include "util/str.h"

bool auth_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const volatile unsigned char *pa = a, *pb = b;
	unsigned char diff = (unsigned char)(alen != blen);
	size_t n = alen < blen ? alen : blen;

	/* Walk the longer length so timing does not reveal the common prefix
	 * length; bytes past the shorter side compare against themselves. */
	for(size_t i = 0; i < (alen > blen ? alen : blen); i++) {
		unsigned char x = i < n ? pa[i] : 0, y = i < n ? pb[i] : 0;
		diff |= (unsigned char)(x ^ y);
	}
	return diff == 0;
}

/* SPEC: runs-discovery-security §4.1 (hermes_cli/auth.py placeholders) */
static const char *const placeholders[] = {
	"*", "**", "***", "changeme", "your_api_key", "your_api_key_here",
	"your-api-key", "placeholder", "example", "dummy", "null", "none",
};

enum auth_key_state auth_key_state(const char *key)
{
	size_t len;
	const char *k;

	if(!key)
		return AUTH_KEY_MISSING;
	k = str_trim(key, strlen(key), &len);
	if(len == 0)
		return AUTH_KEY_MISSING;
	for(size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++) {
		size_t plen = strlen(placeholders[i]);
		if(plen == len && strncasecmp(k, placeholders[i], len) == 0)
			return AUTH_KEY_PLACEHOLDER;
	}
	if(len < AUTH_KEY_MIN_LEN)
		return AUTH_KEY_SHORT;
	return AUTH_KEY_OK;
}

const char *auth_key_problem(enum auth_key_state s)
{
	switch(s) {
	case AUTH_KEY_OK:
		return "";
	case AUTH_KEY_MISSING:
		return "API_SERVER_KEY is not set. Set it in $HERMES_HOME/.env "
		       "(run 'hermesctl init' to generate one, or use 'openssl rand -hex 32').";
	case AUTH_KEY_SHORT:
		return "API_SERVER_KEY is shorter than 16 characters and can be guessed. "
		       "Replace it in $HERMES_HOME/.env with 'openssl rand -hex 32'.";
	case AUTH_KEY_PLACEHOLDER:
		return "API_SERVER_KEY is a placeholder value. "
		       "Replace it in $HERMES_HOME/.env with 'openssl rand -hex 32'.";
	}
	return "";
}

bool auth_bearer_token(const char *header, const char **tok, size_t *len)
{
	static const char prefix[] = "Bearer ";

	if(!header || strncmp(header, prefix, sizeof(prefix) - 1) != 0)
		return false;
	header += sizeof(prefix) - 1;
	*tok = str_trim(header, strlen(header), len);
	return *len > 0;
}

bool auth_check(const char *header, const char *key)
{
	const char *tok, *k;
	size_t tlen, klen;

	if(!key || !auth_bearer_token(header, &tok, &tlen))
		return false;
	k = str_trim(key, strlen(key), &klen);
	if(klen == 0)
		return false;
	return auth_ct_equal(tok, tlen, k, klen);
}

bool auth_addr_is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if(!addr || !*addr)
		return false;
	if(inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if(inet_pton(AF_INET6, addr, &a6) == 1) {
		static const unsigned char v4mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
		if(IN6_IS_ADDR_LOOPBACK(&a6))
			return true;
		return memcmp(a6.s6_addr, v4mapped, 12) == 0 && a6.s6_addr[12] == 127;
	}
	return false;
}

/* The name part of a Host value (or of a configured name): brackets kept
 * for IPv6, port and one trailing dot removed, copied into out. False when
 * the value is malformed or does not fit. */
static bool host_name(const char *host, char *out, size_t cap)
{
	size_t len, n;
	const char *h = str_trim(host, strlen(host), &len), *port = NULL;

	if(!len)
		return false;
	if(h[0] == '[') {
		const char *close = memchr(h, ']', len);

		if(!close)
			return false;
		n = (size_t)(close - h) + 1;
		if(n < len)
			port = h + n;
	} else {
		const char *colon = memchr(h, ':', len);

		n = colon ? (size_t)(colon - h) : len;
		port = colon;
	}
	if(port) {   /* ":" followed by 1-5 digits and nothing else */
		size_t pl = len - (size_t)(port - h);

		if(port[0] != ':' || pl < 2 || pl > 6 || strspn(port + 1, "0123456789") < pl - 1)
			return false;
	}
	if(n && h[n - 1] == '.' && h[0] != '[')
		n--;
	if(!n || n >= cap)
		return false;
	for(size_t i = 0; i < n; i++)
		out[i] = (char)((h[i] >= 'A' && h[i] <= 'Z') ? h[i] + 32 : h[i]);
	out[n] = '\0';
	return true;
}

bool auth_host_is_local(const char *host, const char *server_name)
{
	static const char suffix[] = ".localhost";
	char name[256], conf[256];
	struct in_addr a4;
	size_t n;

	if(!host || !host_name(host, name, sizeof(name)))
		return false;
	n = strlen(name);
	if(strcmp(name, "localhost") == 0 ||
	   (n > sizeof(suffix) - 1 && strcmp(name + n - (sizeof(suffix) - 1), suffix) == 0))
		return true;
	if(name[0] == '[') {
		name[n - 1] = '\0';
		return auth_addr_is_loopback(name + 1);
	}
	if(inet_pton(AF_INET, name, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return server_name && host_name(server_name, conf, sizeof(conf)) && conf[0] != '[' &&
	       inet_pton(AF_INET, conf, &a4) != 1 && strcmp(name, conf) == 0;
}
