/*
 * test-chain.c: unit tests for daemon/chain.c: the link rule (seq 1
 * without prev, then seq = head + 1 with prev = head id), gaps, replays
 * and wrong links, the author table as it grows past its first
 * allocation, and chain_copy. Envelopes are filled in by hand: the chain
 * reads only seq, has_prev, prev and id.
 */
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "harness.h"
#include "proto.h"

static void	event(struct envelope *, uint64_t seq, const uint8_t *prev,
		    uint8_t tag);
static void	author(uint8_t pk[ENV_PK], unsigned);

/* An envelope of seq with prev (NULL: none) and an id made from tag. */
static void
event(struct envelope *e, uint64_t seq, const uint8_t *prev, uint8_t tag)
{
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->has_prev = prev != NULL;
	if (prev != NULL)
		memcpy(e->prev, prev, ENV_ID);
	memset(e->id, tag, ENV_ID);
	e->id[0] = (uint8_t)seq;
}

static void
author(uint8_t pk[ENV_PK], unsigned i)
{
	memset(pk, 0xa5, ENV_PK);
	pk[0] = (uint8_t)i;
	pk[ENV_PK - 1] = (uint8_t)(i >> 8);
}

TEST(first_event)
{
	struct chain_author	*a;
	struct chain		 c;
	struct envelope		 e;
	uint8_t			 pk[ENV_PK], prev[ENV_ID];

	chain_init(&c);
	author(pk, 1);
	memset(prev, 0x77, sizeof(prev));
	/* An author not seen yet: only seq 1 without prev. */
	event(&e, 1, NULL, 1);
	ASSERT_EQ_INT(chain_check(NULL, &e), 0);
	event(&e, 1, prev, 1);
	ASSERT_EQ_INT(chain_check(NULL, &e), -PROTO_E_CHAIN);
	event(&e, 2, prev, 1);
	ASSERT_EQ_INT(chain_check(NULL, &e), -PROTO_E_CHAIN);
	event(&e, 0, NULL, 1);
	ASSERT_EQ_INT(chain_check(NULL, &e), -PROTO_E_CHAIN);
	/* The same for an author in the table with no event yet. */
	ASSERT_EQ_INT(chain_add(&c, pk, &a), 0);
	ASSERT_EQ_UINT(a->seq, 0);
	ASSERT_EQ_INT(a->member, -1);
	ASSERT(!a->authorised);
	ASSERT_EQ_MEM(a->pk, pk, ENV_PK);
	event(&e, 1, NULL, 1);
	ASSERT_EQ_INT(chain_check(a, &e), 0);
	event(&e, 1, prev, 1);
	ASSERT_EQ_INT(chain_check(a, &e), -PROTO_E_CHAIN);
	event(&e, 2, prev, 1);
	ASSERT_EQ_INT(chain_check(a, &e), -PROTO_E_CHAIN);
	chain_finish(&c);
}

TEST(links)
{
	struct chain_author	*a;
	struct chain		 c;
	struct envelope		 e1, e2, e3, bad;
	uint8_t			 pk[ENV_PK], wrong[ENV_ID];

	chain_init(&c);
	author(pk, 1);
	ASSERT_EQ_INT(chain_add(&c, pk, &a), 0);
	event(&e1, 1, NULL, 0x11);
	ASSERT_EQ_INT(chain_check(a, &e1), 0);
	chain_advance(a, &e1);
	ASSERT_EQ_UINT(a->seq, 1);
	ASSERT_EQ_MEM(a->head, e1.id, ENV_ID);

	/* seq 2 must name seq 1's id. */
	event(&e2, 2, e1.id, 0x22);
	ASSERT_EQ_INT(chain_check(a, &e2), 0);
	event(&bad, 2, NULL, 0x22);
	ASSERT_EQ_INT(chain_check(a, &bad), -PROTO_E_CHAIN);
	memcpy(wrong, e1.id, ENV_ID);
	wrong[ENV_ID - 1] ^= 1;
	event(&bad, 2, wrong, 0x22);
	ASSERT_EQ_INT(chain_check(a, &bad), -PROTO_E_CHAIN);
	wrong[ENV_ID - 1] ^= 1;
	wrong[0] ^= 0x80;
	event(&bad, 2, wrong, 0x22);
	ASSERT_EQ_INT(chain_check(a, &bad), -PROTO_E_CHAIN);
	/* A prev that is right but a flag that says there is none. */
	event(&bad, 2, e1.id, 0x22);
	bad.has_prev = false;
	ASSERT_EQ_INT(chain_check(a, &bad), -PROTO_E_CHAIN);
	/* A replay of seq 1, and a second seq 1. */
	ASSERT_EQ_INT(chain_check(a, &e1), -PROTO_E_CHAIN);
	event(&bad, 1, NULL, 0x99);
	ASSERT_EQ_INT(chain_check(a, &bad), -PROTO_E_CHAIN);
	/* Gaps: seq 3 and 2^63 naming seq 1. */
	event(&bad, 3, e1.id, 0x33);
	ASSERT_EQ_INT(chain_check(a, &bad), -PROTO_E_CHAIN);
	event(&bad, (uint64_t)1 << 63, e1.id, 0x33);
	ASSERT_EQ_INT(chain_check(a, &bad), -PROTO_E_CHAIN);

	chain_advance(a, &e2);
	ASSERT_EQ_UINT(a->seq, 2);
	ASSERT_EQ_MEM(a->head, e2.id, ENV_ID);
	/* seq 3 must name seq 2, not seq 1. */
	event(&e3, 3, e1.id, 0x33);
	ASSERT_EQ_INT(chain_check(a, &e3), -PROTO_E_CHAIN);
	event(&e3, 3, e2.id, 0x33);
	ASSERT_EQ_INT(chain_check(a, &e3), 0);
	/* Checking changes nothing. */
	ASSERT_EQ_UINT(a->seq, 2);
	ASSERT_EQ_MEM(a->head, e2.id, ENV_ID);
	/* A head seq 2 behind NULL (unknown author) wants seq 1 again. */
	ASSERT_EQ_INT(chain_check(NULL, &e3), -PROTO_E_CHAIN);
	chain_finish(&c);
}

/* A long chain, built and checked link by link. */
TEST(long_chain)
{
	struct chain_author	*a;
	struct chain		 c;
	struct envelope		 e;
	uint8_t			 pk[ENV_PK], prev[ENV_ID];
	uint64_t		 s;

	chain_init(&c);
	author(pk, 9);
	ASSERT_EQ_INT(chain_add(&c, pk, &a), 0);
	for (s = 1; s <= 1000; s++) {
		event(&e, s, s == 1 ? NULL : prev, (uint8_t)(s >> 8));
		e.id[1] = (uint8_t)(s >> 8);
		ASSERT_EQ_INT(chain_check(a, &e), 0);
		chain_advance(a, &e);
		memcpy(prev, e.id, ENV_ID);
	}
	ASSERT_EQ_UINT(a->seq, 1000);
	chain_finish(&c);
}

/* Past the first allocation (8) the table keeps every author intact. */
TEST(growth)
{
	struct chain_author	*a, *b;
	struct chain		 c;
	struct envelope		 e;
	uint8_t			 pk[ENV_PK];
	unsigned		 i, n = 100;

	chain_init(&c);
	ASSERT(chain_find(&c, (uint8_t[ENV_PK]){ 0 }) == NULL);
	for (i = 0; i < n; i++) {
		author(pk, i);
		ASSERT_EQ_INT(chain_add(&c, pk, &a), 0);
		ASSERT_EQ_UINT(c.n, i + 1);
		ASSERT(c.cap >= c.n);
		ASSERT_EQ_MEM(a->pk, pk, ENV_PK);
		/* Give each author a distinct state. */
		event(&e, 1, NULL, (uint8_t)i);
		chain_advance(a, &e);
		a->authorised = i % 2 == 0;
		a->member = (int)i;
	}
	for (i = 0; i < n; i++) {
		author(pk, i);
		ASSERT((a = chain_find(&c, pk)) != NULL);
		ASSERT(a == &c.v[i]);
		ASSERT_EQ_MEM(a->pk, pk, ENV_PK);
		ASSERT_EQ_UINT(a->seq, 1);
		ASSERT_EQ_UINT(a->head[1], i);
		ASSERT_EQ_INT(a->authorised, i % 2 == 0);
		ASSERT_EQ_INT(a->member, i);
		/* Adding again finds, never duplicates. */
		ASSERT_EQ_INT(chain_add(&c, pk, &b), 0);
		ASSERT(b == a);
		ASSERT_EQ_UINT(c.n, n);
	}
	author(pk, n);
	ASSERT(chain_find(&c, pk) == NULL);
	chain_finish(&c);
	ASSERT(c.v == NULL);
	ASSERT_EQ_UINT(c.n, 0);
	ASSERT_EQ_UINT(c.cap, 0);
}

TEST(copy)
{
	struct chain_author	*a;
	struct chain		 src, dst;
	struct envelope		 e;
	uint8_t			 pk[ENV_PK];
	unsigned		 i;

	chain_init(&src);
	chain_init(&dst);
	/* An empty copy. */
	ASSERT_EQ_INT(chain_copy(&dst, &src), 0);
	ASSERT_EQ_UINT(dst.n, 0);
	for (i = 0; i < 20; i++) {
		author(pk, i);
		ASSERT_EQ_INT(chain_add(&src, pk, &a), 0);
		event(&e, 1, NULL, (uint8_t)i);
		chain_advance(a, &e);
		a->member = (int)i;
	}
	ASSERT_EQ_INT(chain_copy(&dst, &src), 0);
	ASSERT_EQ_UINT(dst.n, src.n);
	ASSERT(dst.v != src.v);
	ASSERT_EQ_MEM(dst.v, src.v, src.n * sizeof(*src.v));
	/* Independent: changing one leaves the other. */
	src.v[3].seq = 77;
	author(pk, 100);
	ASSERT_EQ_INT(chain_add(&src, pk, &a), 0);
	ASSERT_EQ_UINT(dst.v[3].seq, 1);
	ASSERT_EQ_UINT(dst.n, 20);
	ASSERT(chain_find(&dst, pk) == NULL);
	/* The copy grows on its own. */
	for (i = 200; i < 240; i++) {
		author(pk, i);
		ASSERT_EQ_INT(chain_add(&dst, pk, &a), 0);
	}
	ASSERT_EQ_UINT(dst.n, 60);
	author(pk, 5);
	ASSERT((a = chain_find(&dst, pk)) != NULL);
	ASSERT_EQ_INT(a->member, 5);
	/* Copying over a table that has content replaces it. */
	ASSERT_EQ_INT(chain_copy(&dst, &src), 0);
	ASSERT_EQ_UINT(dst.n, 21);
	ASSERT_EQ_UINT(dst.v[3].seq, 77);
	author(pk, 230);
	ASSERT(chain_find(&dst, pk) == NULL);
	/* And an empty source empties it. */
	chain_finish(&src);
	ASSERT_EQ_INT(chain_copy(&dst, &src), 0);
	ASSERT_EQ_UINT(dst.n, 0);
	author(pk, 5);
	ASSERT(chain_find(&dst, pk) == NULL);
	ASSERT_EQ_INT(chain_add(&dst, pk, &a), 0);
	ASSERT_EQ_UINT(dst.n, 1);
	chain_finish(&dst);
}

TEST(finish_is_safe)
{
	struct chain	c;

	chain_finish(NULL);
	memset(&c, 0, sizeof(c));
	chain_finish(&c);
	chain_init(&c);
	chain_finish(&c);
	chain_finish(&c);
	ASSERT(c.v == NULL);
}
