/*
 * chain.h: per-author hash chains. Each author's events carry seq 1, 2,
 * 3... and prev = id of seq-1; a chain table keeps each author's head.
 * Pure bookkeeping over parsed envelopes: no I/O, no crypto.
 */
#ifndef ATTUNE_CHAIN_H
#define ATTUNE_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

struct chain_author {
	uint8_t		pk[ENV_PK];
	uint64_t	seq;		/* head seq, 0 before the first */
	uint8_t		head[ENV_ID];	/* id of the head event */
	bool		authorised;
	bool		removed;	/* by device.remove */
	uint64_t	final_seq;	/* removed: its last valid seq */
	int		member;		/* views member index, -1 if none */
};

struct chain {
	struct chain_author	*v;
	size_t			 n, cap;
};

void			 chain_init(struct chain *);
void			 chain_finish(struct chain *);
struct chain_author	*chain_find(const struct chain *, const uint8_t *pk);
int			 chain_add(struct chain *, const uint8_t *pk,
			    struct chain_author **);
int			 chain_check(const struct chain_author *,
			    const struct envelope *);
int			 chain_copy(struct chain *, const struct chain *);
void			 chain_advance(struct chain_author *,
			    const struct envelope *);

#endif
