/* src/util/rand.c: random hex from RAND_bytes.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/rand.h"

#include <openssl/rand.h>

enum herr rand_hex(char *out, size_t cap, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];

	if(nbytes > sizeof(raw) || cap < 2 * nbytes + 1)
		return HERR_INTERNAL;
	if(RAND_bytes(raw, (int)nbytes) != 1)
		return HERR_INTERNAL;
	for(size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * nbytes] = '\0';
	return HERR_OK;
}
