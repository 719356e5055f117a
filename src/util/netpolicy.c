/* src/util/netpolicy.c: the outbound address policy (util/netpolicy.h).
 *
 * Ranges follow the IANA IPv4 and IPv6 Special-Purpose Address Registries
 * (RFC 6890 and successors); the IPv4 ranges are tested on the host-order
 * 32-bit value, the IPv6 ones on the 16 address bytes.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/netpolicy.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* ---- ranges --------------------------------------------------------------- */

struct v4_range {
	uint32_t net;
	int bits;
	const char *why;
};

/* First match wins: the metadata address comes before link-local. */
static const struct v4_range v4_refused[] = {
	{ 0x00000000u, 8, "an unspecified (0.0.0.0/8) address" },
	{ 0x7F000000u, 8, "a loopback address" },
	{ 0x0A000000u, 8, "a private address" },
	{ 0xAC100000u, 12, "a private address" },
	{ 0xC0A80000u, 16, "a private address" },
	{ 0x64400000u, 10, "a private (carrier-grade NAT) address" },
	{ 0xA9FEA9FEu, 32, "the cloud metadata address" },
	{ 0xA9FE0000u, 16, "a link-local address" },
	{ 0xC0000000u, 24, "a reserved (IETF protocol assignments) address" },
	{ 0xC0000200u, 24, "a documentation (TEST-NET-1) address" },
	{ 0xC0586300u, 24, "a reserved (6to4 relay) address" },
	{ 0xC6120000u, 15, "a reserved (benchmarking) address" },
	{ 0xC6336400u, 24, "a documentation (TEST-NET-2) address" },
	{ 0xCB007100u, 24, "a documentation (TEST-NET-3) address" },
	{ 0xE0000000u, 4, "a multicast address" },
	{ 0xFFFFFFFFu, 32, "the broadcast address" },
	{ 0xF0000000u, 4, "a reserved (240.0.0.0/4) address" },
};

static const char *class_v4(uint32_t a)
{
	for(size_t i = 0; i < sizeof(v4_refused) / sizeof(v4_refused[0]); i++) {
		uint32_t mask = v4_refused[i].bits ? ~0u << (32 - v4_refused[i].bits) : 0;

		if((a & mask) == v4_refused[i].net)
			return v4_refused[i].why;
	}
	return NULL;
}

static uint32_t v4_at(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static bool prefix_is(const unsigned char *b, const unsigned char *p, int bits)
{
	int bytes = bits / 8, rest = bits % 8;

	if(memcmp(b, p, (size_t)bytes) != 0)
		return false;
	return !rest || ((b[bytes] ^ p[bytes]) & (0xFF << (8 - rest))) == 0;
}

static const unsigned char zero16[16];
static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

struct v6_range {
	unsigned char net[8];
	int bits;
	const char *why;
};

static const struct v6_range v6_refused[] = {
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, "a private (local NAT64, 64:ff9b:1::/48) address" },
	{ { 0x01, 0x00 }, 64, "a reserved (discard, 100::/64) address" },
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, "a documentation (2001:db8::/32) address" },
	{ { 0x20, 0x01, 0x00, 0x00 }, 23, "a reserved (IETF protocol assignments, 2001::/23) address" },
	{ { 0x3f, 0xff, 0x00, 0x00 }, 20, "a documentation (3fff::/20) address" },
	{ { 0xfc }, 7, "a private (fc00::/7) address" },
	{ { 0xfe, 0x80 }, 10, "a link-local address" },
	{ { 0xfe, 0xc0 }, 10, "a private (site-local) address" },
	{ { 0xff }, 8, "a multicast address" },
};

static const char *class_v6(const unsigned char *b)
{
	if(memcmp(b, zero16, 12) == 0) { /* ::/96: unspecified, loopback, IPv4-compatible */
		uint32_t low = v4_at(b + 12);
		const char *why;

		if(low == 0)
			return "an unspecified (::) address";
		if(low == 1)
			return "a loopback address";
		why = class_v4(low);
		return why ? why : "a reserved (deprecated IPv4-compatible, ::/96) address";
	}
	if(memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return class_v4(v4_at(b + 12));
	if(b[0] == 0x20 && b[1] == 0x02) /* 6to4 carries an IPv4 address */
		return class_v4(v4_at(b + 2));
	for(size_t i = 0; i < sizeof(v6_refused) / sizeof(v6_refused[0]); i++)
		if(prefix_is(b, v6_refused[i].net, v6_refused[i].bits))
			return v6_refused[i].why;
	return NULL;
}

const char *netpolicy_range_class(const struct sockaddr *sa)
{
	if(sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return class_v4(ntohl(in->sin_addr.s_addr));
	}
	if(sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return class_v6(in6->sin6_addr.s6_addr);
	}
	return "not an internet address";
}

/* ---- this host's own addresses --------------------------------------------- */

/* The IPv4 address sa stands for (also inside ::ffff:a.b.c.d), in *v4. */
static bool as_v4(const struct sockaddr *sa, uint32_t *v4)
{
	if(sa->sa_family == AF_INET) {
		*v4 = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);
		return true;
	}
	if(sa->sa_family == AF_INET6) {
		const unsigned char *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;

		if(memcmp(b, mapped, 12) == 0) {
			*v4 = v4_at(b + 12);
			return true;
		}
	}
	return false;
}

static bool same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	uint32_t x, y;

	if(as_v4(a, &x))
		return as_v4(b, &y) && x == y;
	if(a->sa_family != AF_INET6 || b->sa_family != AF_INET6)
		return false;
	return memcmp(((const struct sockaddr_in6 *)(const void *)a)->sin6_addr.s6_addr,
		      ((const struct sockaddr_in6 *)(const void *)b)->sin6_addr.s6_addr, 16) == 0;
}

const char *netpolicy_host_class(const struct sockaddr *sa)
{
	struct ifaddrs *list = NULL;
	const char *why = NULL;

	if(getifaddrs(&list) != 0)
		return NULL;
	for(const struct ifaddrs *i = list; i && !why; i = i->ifa_next)
		if(i->ifa_addr && (i->ifa_addr->sa_family == AF_INET ||
				   i->ifa_addr->sa_family == AF_INET6) && same_addr(sa, i->ifa_addr))
			why = "an address of this host";
	freeifaddrs(list);
	return why;
}

const char *netpolicy_classify(const struct sockaddr *sa)
{
	const char *why = netpolicy_range_class(sa);

	return why ? why : netpolicy_host_class(sa);
}

/* ---- policy ------------------------------------------------------------------ */

const char *netpolicy_refusal(const struct netpolicy *pol, const struct sockaddr *sa)
{
	if(sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return "not an internet address";
	if(pol->allow_private)
		return NULL;
	return (pol->classify ? pol->classify : netpolicy_classify)(sa);
}

const char *netpolicy_check_list(const struct netpolicy *pol, const struct addrinfo *res,
				 const struct addrinfo **bad)
{
	for(const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		const char *why = netpolicy_refusal(pol, ai->ai_addr);

		if(why) {
			if(bad)
				*bad = ai;
			return why;
		}
	}
	return NULL;
}

char *netpolicy_addr_text(const struct sockaddr *sa, char *dst, size_t cap)
{
	const void *a = NULL;

	if(sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if(sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if(!a || !inet_ntop(sa->sa_family, a, dst, (socklen_t)cap))
		snprintf(dst, cap, "?");
	return dst;
}
