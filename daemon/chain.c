/*
 * chain.c: the author table and the link rule of chain.h. Few authors
 * (a family's devices), so a linear table is the simplest right thing.
 */
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "proto.h"

void
chain_init(struct chain *c)
{
	memset(c, 0, sizeof(*c));
}

void
chain_finish(struct chain *c)
{
	if (c == NULL)
		return;
	free(c->v);
	memset(c, 0, sizeof(*c));
}

struct chain_author *
chain_find(const struct chain *c, const uint8_t *pk)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		if (memcmp(c->v[i].pk, pk, ENV_PK) == 0)
			return (&c->v[i]);
	}
	return (NULL);
}

/*
 * Find or add the author pk. Pointers into the table move when it grows.
 * Return 0 or -PROTO_E_INTERNAL when out of memory.
 */
int
chain_add(struct chain *c, const uint8_t *pk, struct chain_author **out)
{
	struct chain_author	*v;

	if ((*out = chain_find(c, pk)) != NULL)
		return (0);
	if (c->n == c->cap) {
		size_t	cap = c->cap ? c->cap * 2 : 8;

		if ((v = realloc(c->v, cap * sizeof(*v))) == NULL)
			return (-PROTO_E_INTERNAL);
		c->v = v;
		c->cap = cap;
	}
	*out = &c->v[c->n++];
	memset(*out, 0, sizeof(**out));
	memcpy((*out)->pk, pk, ENV_PK);
	(*out)->member = -1;
	return (0);
}

/*
 * Does e extend a's chain: seq = head + 1 and prev = head id?
 * a may be NULL (author not seen yet). Return 0 or -PROTO_E_CHAIN.
 */
int
chain_check(const struct chain_author *a, const struct envelope *e)
{
	uint64_t	head = a != NULL ? a->seq : 0;

	if (e->seq != head + 1)
		return (-PROTO_E_CHAIN);
	if (e->seq == 1)
		return (e->has_prev ? -PROTO_E_CHAIN : 0);
	if (!e->has_prev || memcmp(e->prev, a->head, ENV_ID) != 0)
		return (-PROTO_E_CHAIN);
	return (0);
}

void
chain_advance(struct chain_author *a, const struct envelope *e)
{
	a->seq = e->seq;
	memcpy(a->head, e->id, ENV_ID);
}

/* Make dst a copy of src. Return 0 or -PROTO_E_INTERNAL. */
int
chain_copy(struct chain *dst, const struct chain *src)
{
	struct chain_author	*v = NULL;

	if (src->n > 0 && (v = malloc(src->n * sizeof(*v))) == NULL)
		return (-PROTO_E_INTERNAL);
	if (src->n > 0)
		memcpy(v, src->v, src->n * sizeof(*v));
	free(dst->v);
	dst->v = v;
	dst->n = dst->cap = src->n;
	return (0);
}
