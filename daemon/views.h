/*
 * views.h: the in-memory projections of the decrypted event log: the
 * family, its members (parents and kids), every entry in time order, and
 * each author's chain head. Rebuilt from the store at start, kept current
 * as entries are committed. The domain lives here, not in the clients.
 */
#ifndef ATTUNE_VIEWS_H
#define ATTUNE_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "chain.h"
#include "envelope.h"
#include "kinds.h"
#include "proto.h"

struct view_member {
	uint8_t		id[ENV_ID];	/* the event that introduced them */
	char		name[PROTO_MAX_NAME + 1];
	bool		kid;
	char		born[11];	/* YYYY-MM-DD or "" */
	int64_t		ts;
	uint8_t		device[ENV_PK];	/* parents: their device */
};

struct view_entry {
	uint8_t		id[ENV_ID];
	uint64_t	seq;
	uint64_t	hlc;
	uint32_t	author;		/* index into views.chain */
	uint16_t	kind;		/* enum kind */
	int32_t		subject;	/* member index (kid or who), -1 */
	uint32_t	len;
	uint8_t		payload[];	/* decrypted msgpack map */
};

struct views {
	bool			 has_family;
	char			 family[PROTO_MAX_NAME + 1];
	struct view_member	*members;
	size_t			 nmembers, capmembers;
	struct view_entry	**entries;	/* by (hlc, id) */
	size_t			 nentries, capentries;
	struct chain		 chain;
	uint64_t		 max_hlc;
};

#define VIEWS_KIDS	0x1
#define VIEWS_PARENTS	0x2

void	views_init(struct views *);
void	views_finish(struct views *);
int	views_apply(struct views *, const struct envelope *,
	    const uint8_t *payload, size_t len, struct view_entry **);
int	views_member_find(const struct views *, const char *name, size_t len,
	    int which, char **cause);
int	views_member_named(const struct views *, const char *, size_t);
int	views_member_by_id(const struct views *, const uint8_t *id);
void	views_pack_entry(const struct views *, const struct view_entry *,
	    msgpack_packer *);
void	views_pack_member(const struct views *, const struct view_member *,
	    msgpack_packer *);

#endif
