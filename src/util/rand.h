/* src/util/rand.h: random identifiers and keys from OpenSSL's CSPRNG.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_RAND_H
#define HERMES_UTIL_RAND_H

#include <stddef.h>

#include "util/err.h"

/* Write 2*nbytes lowercase hex digits and a NUL into out (cap bytes, at
 * least 2*nbytes+1). HERR_INTERNAL if the generator fails. */
enum herr rand_hex(char *out, size_t cap, size_t nbytes)
	__attribute__((warn_unused_result));

#endif
