/* src/util/str.c: small string helpers.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/str.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool str_to_size(const char *s, size_t max, size_t *out)
{
	size_t v = 0;

	if(!s || !*s)
		return false;
	for(; *s; s++) {
		unsigned d;

		if(*s < '0' || *s > '9')
			return false;
		d = (unsigned)(*s - '0');
		if(v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool str_to_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if(!s || !*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if(errno || *end || v < min || v > max)
		return false;
	*out = (int64_t)v;
	return true;
}

bool str_to_long(const char *s, long min, long max, long *out)
{
	int64_t v;

	if(!str_to_int64(s, min, max, &v))
		return false;
	*out = (long)v;
	return true;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_list_has(const char *list, const char *seps, const char *name)
{
	size_t n = strlen(name);

	for(const char *p = list; p && *p;) {
		size_t len = strcspn(p, seps);

		if(len == n && strncmp(p, name, n) == 0)
			return true;
		p += len;
		p += strspn(p, seps);
	}
	return false;
}

bool str_ieq(const char *a, const char *b)
{
	for(; *a && *b; a++, b++)
		if(tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

const char *str_trim(const char *s, size_t len, size_t *out_len)
{
	while(len && isspace((unsigned char)s[0])) {
		s++;
		len--;
	}
	while(len && isspace((unsigned char)s[len - 1]))
		len--;
	*out_len = len;
	return s;
}

bool str_has_ctl(const char *s, size_t len)
{
	for(size_t i = 0; i < len; i++)
		if((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

void str_sanitize(char *dst, size_t cap, const char *s)
{
	size_t i = 0;

	if(!cap)
		return;
	for(; s && s[i] && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[i] = '\0';
}
