/* src/util/netpolicy.h: which addresses outbound requests may go to.
 *
 * The agent fetches URLs the model (and so anyone who can put text in front
 * of it) chooses: web_extract today, webhook callbacks and redirects next.
 * Only public internet addresses are allowed by default; loopback, private,
 * link-local, metadata, reserved, documentation, multicast and broadcast
 * ranges (and their IPv6 counterparts, including IPv6 forms that carry an
 * IPv4 address) are refused, and so is every address of this host's own
 * interfaces (getifaddrs): a service listening on all interfaces is
 * reachable through the host's LAN or public address as well as through
 * loopback. Callers check every resolved address before connecting, pin
 * what they checked, and check the address they actually connect to.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_UTIL_NETPOLICY_H
#define HERMES_UTIL_NETPOLICY_H

#include <stdbool.h>
#include <stddef.h>

struct sockaddr;
struct addrinfo;

/* Why sa lies in a refused range: a static phrase such as "a loopback
 * address", or NULL for a public address. IPv4-mapped, IPv4-compatible,
 * NAT64 (64:ff9b::/96) and 6to4 IPv6 forms are judged by the IPv4 address
 * inside. Pure: no system calls. */
const char *netpolicy_range_class(const struct sockaddr *sa);

/* "an address of this host" when sa (or the IPv4 address inside an
 * IPv4-mapped IPv6 address) is assigned to one of this host's interfaces
 * right now (getifaddrs; IPv6 compared without scope), else NULL. NULL too
 * when the interfaces cannot be listed. */
const char *netpolicy_host_class(const struct sockaddr *sa);

/* The default classification: netpolicy_range_class, then
 * netpolicy_host_class. */
const char *netpolicy_classify(const struct sockaddr *sa);

/* What an outbound fetcher enforces. classify NULL = netpolicy_classify;
 * tests may pass their own to stand in for a private range with a loopback
 * one. allow_private (the operator's web.allow_private_urls) allows every
 * internet address. */
struct netpolicy {
	bool allow_private;
	const char *(*classify)(const struct sockaddr *sa);
};

/* Why pol refuses sa (static phrase), or NULL. Anything but AF_INET and
 * AF_INET6 is refused whatever the policy. */
const char *netpolicy_refusal(const struct netpolicy *pol, const struct sockaddr *sa);

/* Check every address of a getaddrinfo result: the first refused one is
 * stored in *bad (may be NULL) and its reason returned; NULL when all pass
 * (an empty list passes). */
const char *netpolicy_check_list(const struct netpolicy *pol, const struct addrinfo *res,
				 const struct addrinfo **bad);

/* sa's address as text (no port) into dst (cap bytes; "?" if it cannot be
 * shown). Returns dst. */
char *netpolicy_addr_text(const struct sockaddr *sa, char *dst, size_t cap);

#endif
