/* src/util/utf8.c: UTF-8 sequence checks.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/utf8.h"

#include "util/buf.h"

size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if(s[0] < 0x80)
		return 1;
	if(s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if(s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
	else if(s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	if(n < len || s[1] < lo || s[1] > hi)
		return 0;
	for(size_t i = 2; i < len; i++)
		if((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

size_t utf8_char_len(const char *s, size_t n)
{
	size_t k = utf8_seq((const unsigned char *)s, n);

	return k ? k : 1;
}

size_t utf8_prefix_chars(const char *s, size_t len, size_t max, size_t *chars)
{
	size_t i = 0, n = 0;

	while(i < len && n < max) {
		i += utf8_char_len(s + i, len - i);
		n++;
	}
	if(chars)
		*chars = n;
	return i;
}

size_t utf8_trim_end(const char *p, size_t n)
{
	for(size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = (unsigned char)p[n - back];

		if((c & 0xC0) == 0x80)
			continue;
		if(c >= 0xC0 && !utf8_seq((const unsigned char *)p + n - back, back))
			return n - back;
		break;
	}
	return n;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for(size_t i = 0, k; i < n; i += k)
		if(!(k = utf8_seq(u + i, n - i)))
			return false;
	return true;
}

enum herr utf8_sanitize(struct buf *out, const char *s, size_t n, bool drop_nul)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0;
	enum herr rc;

	while(i < n) {
		size_t k = (u[i] || !drop_nul) ? utf8_seq(u + i, n - i) : 0;

		if(k) {
			i += k;
			continue;
		}
		if((rc = buf_add(out, s + start, i - start)) || (rc = buf_add(out, "\xEF\xBF\xBD", 3)))
			return rc;
		start = ++i;
	}
	return buf_add(out, s + start, n - start);
}
