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
