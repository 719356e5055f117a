/* tests/unit/test_netpolicy.c: the outbound address policy (util/netpolicy),
 * table-driven: every refused IPv4 and IPv6 range with its edges, IPv6 forms
 * that carry an IPv4 address, public neighbours of each range allowed, this
 * host's interface addresses (from getifaddrs; no traffic is sent) refused,
 * allow_private, and the check of a resolved list.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "tap.h"
#include "util/netpolicy.h"

/* Parse ip into ss (AF_UNSPEC when it is not an address). */
static const struct sockaddr *addr_of(const char *ip, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if(inet_pton(AF_INET, ip, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if(inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	return (const struct sockaddr *)ss;
}

static const char *class_of(const char *ip)
{
	struct sockaddr_storage ss;

	return netpolicy_classify(addr_of(ip, &ss));
}

static void test_ranges(void)
{
	static const struct { const char *ip, *want; } refused[] = {
		{ "127.0.0.1", "loopback" }, { "127.255.255.254", "loopback" },
		{ "10.0.0.1", "private" }, { "10.255.255.255", "private" },
		{ "172.16.0.1", "private" }, { "172.31.255.255", "private" },
		{ "192.168.0.1", "private" }, { "192.168.255.255", "private" },
		{ "100.64.0.1", "carrier-grade" }, { "100.127.255.255", "carrier-grade" },
		{ "169.254.0.1", "link-local" }, { "169.254.169.254", "metadata" },
		{ "0.0.0.0", "unspecified" }, { "0.1.2.3", "unspecified" },
		{ "224.0.0.1", "multicast" }, { "239.255.255.250", "multicast" },
		{ "240.0.0.1", "reserved" }, { "255.255.255.254", "reserved" },
		{ "255.255.255.255", "broadcast" },
		{ "192.0.0.8", "reserved" }, { "192.0.0.255", "reserved" },
		{ "192.0.2.0", "documentation" }, { "192.0.2.255", "documentation" },
		{ "198.51.100.7", "documentation" }, { "203.0.113.200", "documentation" },
		{ "198.18.0.1", "benchmarking" }, { "198.19.255.255", "benchmarking" },
		{ "192.88.99.1", "6to4 relay" },
		{ "::1", "loopback" }, { "::", "unspecified" },
		{ "fc00::1", "private" }, { "fd12:3456::1", "private" }, { "fd00:ec2::254", "private" },
		{ "fe80::1", "link-local" }, { "febf::1", "link-local" }, { "fec0::1", "site-local" },
		{ "ff02::1", "multicast" }, { "ff0e::1", "multicast" },
		{ "100::1", "discard" }, { "100::ffff:ffff:ffff:ffff", "discard" },
		{ "2001:db8::1", "documentation" }, { "2001:db8:ffff::1", "documentation" },
		{ "2001::1", "2001::/23" }, { "2001:2::1", "2001::/23" }, { "2001:1ff::1", "2001::/23" },
		{ "3fff::1", "documentation" },
		{ "::ffff:127.0.0.1", "loopback" }, { "::ffff:10.1.1.1", "private" },
		{ "::ffff:192.168.1.1", "private" }, { "::ffff:169.254.169.254", "metadata" },
		{ "::ffff:0.0.0.0", "unspecified" }, { "::ffff:192.0.2.1", "documentation" },
		{ "::127.0.0.1", "loopback" }, { "::8.8.8.8", "IPv4-compatible" },
		{ "64:ff9b::a9fe:a9fe", "metadata" }, { "64:ff9b::7f00:1", "loopback" },
		{ "64:ff9b::c000:201", "documentation" }, { "64:ff9b:1::1", "NAT64" },
		{ "2002:7f00:1::1", "loopback" }, { "2002:c0a8:101::1", "private" },
		{ "2002:cb00:7101::1", "documentation" }, { "2002:e000:1::1", "multicast" },
	};
	static const char *const public[] = {
		"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.1",
		"192.167.255.255", "192.169.0.1", "100.63.255.255", "100.128.0.1", "169.253.0.1",
		"11.0.0.1", "223.255.255.255", "192.0.1.255", "192.0.3.0", "198.51.99.255",
		"198.51.101.0", "203.0.112.255", "203.0.114.0", "198.17.255.255", "198.20.0.0",
		"2606:4700:4700::1111", "2001:4860:4860::8888", "2001:200::1", "2001:db7::1",
		"2001:db9::1", "3ffe::1", "3fff:1000::1", "100:0:0:1::1",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "fbff::1", "fe7f::1",
	};

	for(size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		const char *c = class_of(refused[i].ip);
		ok(c && strstr(c, refused[i].want), "%s refused as %s (%s)", refused[i].ip,
		   refused[i].want, c ? c : "allowed");
	}
	for(size_t i = 0; i < sizeof(public) / sizeof(public[0]); i++) {
		const char *c = class_of(public[i]);
		ok(c == NULL, "%s allowed (%s)", public[i], c ? c : "public");
	}
}

/* Every address of this host's interfaces is refused, whatever its range:
 * the host check alone refuses it too. */
static void test_host(void)
{
	struct ifaddrs *list = NULL;
	struct sockaddr_storage ss;
	char ip[INET6_ADDRSTRLEN];
	int n = 0;

	if(!ok(getifaddrs(&list) == 0, "getifaddrs"))
		return;
	for(const struct ifaddrs *i = list; i; i = i->ifa_next) {
		const char *c, *h;

		if(!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				    i->ifa_addr->sa_family != AF_INET6))
			continue;
		netpolicy_addr_text(i->ifa_addr, ip, sizeof(ip));
		c = netpolicy_classify(i->ifa_addr);
		h = netpolicy_host_class(addr_of(ip, &ss)); /* without the scope id */
		ok(c != NULL, "%s (%s) refused: %s", ip, i->ifa_name, c ? c : "allowed");
		ok(h && strcmp(h, "an address of this host") == 0, "%s is an address of this host", ip);
		if(i->ifa_addr->sa_family == AF_INET) {
			char mapped[64];

			snprintf(mapped, sizeof(mapped), "::ffff:%s", ip);
			h = netpolicy_host_class(addr_of(mapped, &ss));
			ok(h != NULL, "%s (IPv4-mapped) is an address of this host", mapped);
		}
		n++;
	}
	freeifaddrs(list);
	ok(n > 0, "%d interface addresses", n);
	ok(netpolicy_host_class(addr_of("8.8.8.8", &ss)) == NULL, "8.8.8.8 is not this host's");
}

static void test_policy(void)
{
	struct netpolicy dflt = { 0 }, priv = { .allow_private = true };
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	const struct addrinfo *bad = NULL;
	struct sockaddr_storage ss;
	struct sockaddr un = { .sa_family = AF_UNIX };
	char ip[INET6_ADDRSTRLEN];
	const char *why;

	ok(netpolicy_refusal(&dflt, addr_of("10.0.0.1", &ss)) != NULL, "default: private refused");
	ok(netpolicy_refusal(&priv, addr_of("10.0.0.1", &ss)) == NULL, "allow_private: allowed");
	ok(netpolicy_refusal(&priv, addr_of("127.0.0.1", &ss)) == NULL, "allow_private: loopback");
	ok(netpolicy_refusal(&dflt, addr_of("8.8.8.8", &ss)) == NULL, "default: public allowed");
	why = netpolicy_refusal(&priv, &un);
	ok(why && strstr(why, "not an internet"), "a non-internet family is always refused");

	if(!ok(getaddrinfo("203.0.113.9", "80", &hints, &res) == 0, "getaddrinfo numeric"))
		return;
	why = netpolicy_check_list(&dflt, res, &bad);
	ok(why && bad == res && strstr(why, "documentation") &&
	   strcmp(netpolicy_addr_text(bad->ai_addr, ip, sizeof(ip)), "203.0.113.9") == 0,
	   "check_list names the refused address (%s)", why ? why : "none");
	ok(netpolicy_check_list(&priv, res, &bad) == NULL, "check_list under allow_private");
	freeaddrinfo(res);
	ok(netpolicy_check_list(&dflt, NULL, NULL) == NULL, "an empty list passes");
	is_str(netpolicy_addr_text(&un, ip, sizeof(ip)), "?", "addr_text of a non-internet address");
}

int main(void)
{
	test_ranges();
	test_host();
	test_policy();
	return tap_done();
}
