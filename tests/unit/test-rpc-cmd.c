/*
 * test-rpc-cmd.c: unit tests for the command table of daemon/rpc-cmd.c:
 * sorted by name with no duplicates (rpc_cmd_find is a bsearch), every
 * method of proto.h served by exactly one entry whose name is the
 * method's wire name, sane arity and permissions, and rpc_cmd_find
 * finding every name and nothing else.
 */
#include <string.h>

#include "harness.h"
#include "proto.h"
#include "rpc-cmd.h"

TEST(sorted_and_unique)
{
	size_t	i;

	ASSERT(rpc_ncmds > 0);
	for (i = 1; i < rpc_ncmds; i++) {
		if (strcmp(rpc_cmds[i - 1].name, rpc_cmds[i].name) >= 0)
			harness_fail(__FILE__, __LINE__, "'%s' then '%s'",
			    rpc_cmds[i - 1].name, rpc_cmds[i].name);
	}
}

TEST(entries_sane)
{
	const struct rpc_cmd	*c;
	size_t			 i;

	for (i = 0; i < rpc_ncmds; i++) {
		c = &rpc_cmds[i];
		ASSERT(c->name != NULL);
		ASSERT(strlen(c->name) > 0);
		ASSERT(strlen(c->name) <= PROTO_MAX_METHOD);
		ASSERT(c->exec != NULL);
		ASSERT(c->min_params <= c->max_params);
		/* Parameters are one map at most. */
		ASSERT(c->max_params <= 1);
		ASSERT(c->perm == RPC_PERM_READ || c->perm == RPC_PERM_WRITE);
		ASSERT((c->flags & ~RPC_F_FAMILY) == 0);
	}
}

TEST(methods_match_names)
{
	const struct rpc_cmd	*c;
	const char		*name;
	size_t			 i;
	int			 m, seen[RPC_M_COUNT];

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < rpc_ncmds; i++) {
		c = &rpc_cmds[i];
		ASSERT(c->method > RPC_M_UNKNOWN && c->method < RPC_M_COUNT);
		if ((name = proto_method_name(c->method)) == NULL ||
		    strcmp(name, c->name) != 0)
			harness_fail(__FILE__, __LINE__, "entry '%s' has the "
			    "method of '%s'", c->name, name ? name : "(null)");
		ASSERT_EQ_INT(proto_method_lookup(c->name, strlen(c->name)),
		    c->method);
		seen[c->method]++;
	}
	/* Every method is served, once. */
	for (m = RPC_M_UNKNOWN + 1; m < RPC_M_COUNT; m++) {
		if (seen[m] != 1)
			harness_fail(__FILE__, __LINE__, "method '%s' has %d "
			    "entries", proto_method_name((enum rpc_method)m),
			    seen[m]);
	}
	ASSERT_EQ_UINT(rpc_ncmds, RPC_M_COUNT - 1);
}

TEST(find_every_name)
{
	char	buf[PROTO_MAX_METHOD + 8];
	size_t	i, n;

	for (i = 0; i < rpc_ncmds; i++) {
		n = strlen(rpc_cmds[i].name);
		ASSERT(rpc_cmd_find(rpc_cmds[i].name, n) == &rpc_cmds[i]);
		/* The name need not end in a NUL: a frame holds no NULs. */
		memcpy(buf, rpc_cmds[i].name, n);
		memset(buf + n, 'x', sizeof(buf) - n);
		ASSERT(rpc_cmd_find(buf, n) == &rpc_cmds[i]);
		/* Nor can it be a prefix of a longer word. */
		ASSERT(rpc_cmd_find(buf, n + 1) == NULL);
		/* Nor a name shortened. */
		ASSERT(rpc_cmd_find(buf, n - 1) == NULL ||
		    strlen(rpc_cmd_find(buf, n - 1)->name) == n - 1);
	}
}

TEST(find_refuses_near_misses)
{
	static const char *const	miss[] = { "", "lo", "logs", "Log",
	    "LOG", " log", "log ", "peers.", "peers.ad", "peers.addd",
	    "peer", "peersadd", "appendx", "a", "z", "verifz", "\xff",
	    "status\n" };
	size_t				i;

	for (i = 0; i < sizeof(miss) / sizeof(miss[0]); i++) {
		if (rpc_cmd_find(miss[i], strlen(miss[i])) != NULL)
			harness_fail(__FILE__, __LINE__, "'%s' found",
			    miss[i]);
	}
	/* A name with a NUL inside it. */
	ASSERT(rpc_cmd_find("log\0x", 5) == NULL);
	ASSERT(rpc_cmd_find("log\0", 4) == NULL);
	ASSERT(rpc_cmd_find("log", 3) != NULL);
	ASSERT(rpc_cmd_find("peers", 5) != NULL);
	ASSERT(rpc_cmd_find("peers.add", 9) != NULL);
}

/* The commands that change state need write permission; readers not. */
TEST(permissions)
{
	static const char *const	writers[] = { "append", "init",
	    "invite", "join", "peers.add", "peers.remove" };
	static const char *const	readers[] = { "devices", "kids", "log",
	    "peers", "status", "subscribe", "verify" };
	const struct rpc_cmd		*c;
	size_t				 i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		ASSERT((c = rpc_cmd_find(writers[i], strlen(writers[i]))) !=
		    NULL);
		ASSERT_EQ_INT(c->perm, RPC_PERM_WRITE);
	}
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		ASSERT((c = rpc_cmd_find(readers[i], strlen(readers[i]))) !=
		    NULL);
		ASSERT_EQ_INT(c->perm, RPC_PERM_READ);
	}
	/* Appending needs a family; creating or joining one cannot. */
	ASSERT(rpc_cmd_find("append", 6)->flags & RPC_F_FAMILY);
	ASSERT(!(rpc_cmd_find("init", 4)->flags & RPC_F_FAMILY));
	ASSERT(!(rpc_cmd_find("join", 4)->flags & RPC_F_FAMILY));
	ASSERT(!(rpc_cmd_find("status", 6)->flags & RPC_F_FAMILY));
}
