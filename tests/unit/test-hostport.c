/*
 * test-hostport.c: unit tests for peers_split_hostport (daemon/peer.c),
 * the one parser of the addresses attuned is given (--listen, --peer,
 * peers.add, join, DATA/peers): hosts with and without IPv6 brackets,
 * port bounds per use (0 allowed only where the caller says so), and
 * what must be refused (signs, spaces, empty parts, a host too long).
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "peer.h"

static int	split(const char *, long min_port, char *host, uint16_t *);

static int
split(const char *hp, long min_port, char *host, uint16_t *port)
{
	return (peers_split_hostport(hp, min_port, host, 64, port));
}

TEST(ipv4_and_name)
{
	char		host[64];
	uint16_t	port = 0;

	ASSERT_EQ_INT(split("127.0.0.1:47475", 1, host, &port), 0);
	ASSERT_EQ_STR(host, "127.0.0.1");
	ASSERT_EQ_UINT(port, 47475);
	ASSERT_EQ_INT(split("laptop.local:1", 1, host, &port), 0);
	ASSERT_EQ_STR(host, "laptop.local");
	ASSERT_EQ_UINT(port, 1);
	ASSERT_EQ_INT(split("h:65535", 1, host, &port), 0);
	ASSERT_EQ_UINT(port, 65535);
}

TEST(ipv6_brackets_dropped)
{
	char		host[64];
	uint16_t	port = 1;

	ASSERT_EQ_INT(split("[::1]:0", 0, host, &port), 0);
	ASSERT_EQ_STR(host, "::1");
	ASSERT_EQ_UINT(port, 0);
	ASSERT_EQ_INT(split("[fe80::1%eth0]:47475", 1, host, &port), 0);
	ASSERT_EQ_STR(host, "fe80::1%eth0");
}

TEST(port_zero_only_when_allowed)
{
	char		host[64];
	uint16_t	port;

	ASSERT_EQ_INT(split("127.0.0.1:0", 0, host, &port), 0);
	ASSERT(split("127.0.0.1:0", 1, host, &port) < 0);
}

TEST(refused)
{
	static const char *const bad[] = {
		"127.0.0.1", ":47475", "127.0.0.1:", "127.0.0.1:+5",
		"127.0.0.1: 5", "127.0.0.1:-1", "127.0.0.1:65536",
		"127.0.0.1:5x", "127.0.0.1:99999999999999999999", "[]:5", "",
	};
	char		host[64];
	uint16_t	port;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (split(bad[i], 0, host, &port) == 0)
			harness_fail(__FILE__, __LINE__, "accepted '%s'",
			    bad[i]);
	}
}

TEST(host_too_long)
{
	char		hp[128], host[64];
	uint16_t	port;

	memset(hp, 'a', 64);
	strcpy(hp + 64, ":5");
	ASSERT(split(hp, 1, host, &port) < 0);	/* 64 + NUL > 64 */
	strcpy(hp + 63, ":5");
	ASSERT_EQ_INT(split(hp, 1, host, &port), 0);
	ASSERT_EQ_UINT(strlen(host), 63);
}
