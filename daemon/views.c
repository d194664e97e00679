/*
 * views.c: apply decrypted entries to the projections of views.h (members,
 * entries in time order, the index of links between entries), read an
 * entry as amended, walk the live entries of some kinds, and render
 * entries and members for RPC results. Never touches the store or a
 * socket; never sees a key.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "mp.h"
#include "mpcheck.h"
#include "views.h"

static int	views_add_member(struct views *, const struct view_member *);
static int	views_insert_entry(struct views *, struct view_entry *,
		    uint8_t);
static uint8_t	views_key_flags(enum kind, const msgpack_object *);
static void	views_lead(struct views *, enum kind, const msgpack_object *,
		    const struct view_entry *);
static void	views_apply_kind(struct views *, const struct envelope *,
		    enum kind, const msgpack_object *, struct view_entry *);
static void	views_copy_name(char *dst, size_t size,
		    const msgpack_object *map, const char *key);
static int	views_entry_cmp(const struct view_entry *,
		    const struct view_entry *);
static void	views_pack_field(const struct views *,
		    const msgpack_object_kv *, msgpack_packer *);
static void	views_pack_value(const struct views *, const msgpack_object *,
		    msgpack_packer *);
static int	views_add_link(struct views *, const msgpack_object *,
		    struct view_entry *);
static int	views_link_cmp(const struct views *, size_t,
		    const uint8_t *, const struct view_entry *);
static int	views_eff_merge(struct views_eff *, const struct view_entry *);
static bool	views_eff_key(const msgpack_object *, char *);
static bool	views_hex_prefix(const uint8_t *, const char *, size_t);
static bool	views_maybe_linked(const struct views *, uint16_t);

void
views_init(struct views *v)
{
	memset(v, 0, sizeof(*v));
	chain_init(&v->chain);
}

void
views_finish(struct views *v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nentries; i++)
		free(v->entries[i]);
	free(v->entries);
	free(v->keys);
	free(v->links);
	free(v->members);
	chain_finish(&v->chain);
	memset(v, 0, sizeof(*v));
}

static int
views_add_member(struct views *v, const struct view_member *m)
{
	struct view_member	*nm;

	if (v->nmembers == v->capmembers) {
		size_t	cap = v->capmembers ? v->capmembers * 2 : 16;

		if ((nm = realloc(v->members, cap * sizeof(*nm))) == NULL)
			return (-PROTO_E_INTERNAL);
		v->members = nm;
		v->capmembers = cap;
	}
	v->members[v->nmembers++] = *m;
	return (0);
}

static int
views_entry_cmp(const struct view_entry *a, const struct view_entry *b)
{
	if (a->hlc != b->hlc)
		return (a->hlc < b->hlc ? -1 : 1);
	return (memcmp(a->id, b->id, ENV_ID));
}

/*
 * Insert in (hlc, id) order, with its key at the same index; appends,
 * the common case, cost O(1).
 */
static int
views_insert_entry(struct views *v, struct view_entry *ve, uint8_t flags)
{
	struct view_entry	**ne;
	struct view_key		 *nk;
	size_t			  lo, hi, mid;

	if (v->nentries == v->capentries) {
		size_t	cap = v->capentries ? v->capentries * 2 : 1024;

		if ((ne = realloc(v->entries, cap * sizeof(*ne))) == NULL)
			return (-PROTO_E_INTERNAL);
		v->entries = ne;
		if ((nk = realloc(v->keys, cap * sizeof(*nk))) == NULL)
			return (-PROTO_E_INTERNAL);
		v->keys = nk;
		v->capentries = cap;
	}
	lo = 0;
	hi = v->nentries;
	if (hi > 0 && views_entry_cmp(v->entries[hi - 1], ve) < 0)
		lo = hi;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (views_entry_cmp(v->entries[mid], ve) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&v->entries[lo + 1], &v->entries[lo],
	    (v->nentries - lo) * sizeof(*v->entries));
	memmove(&v->keys[lo + 1], &v->keys[lo],
	    (v->nentries - lo) * sizeof(*v->keys));
	v->entries[lo] = ve;
	v->keys[lo].at = ve->at;
	v->keys[lo].subject = ve->subject;
	v->keys[lo].kind = (uint8_t)(ve->kind < 256 ? ve->kind : KIND_OTHER);
	v->keys[lo].flags = flags;
	v->keys[lo].idh = (uint16_t)(ve->id[0] << 8 | ve->id[1]);
	v->nentries++;
	return (0);
}

/*
 * Keep v->max_lead: an entry's time past its hlc, or an amend's new time
 * past its target's hlc (unbounded when the target is not here yet: the
 * HLC only says the target's is lower).
 */
static void
views_lead(struct views *v, enum kind k, const msgpack_object *map,
    const struct view_entry *ve)
{
	const struct view_entry	*target;
	const msgpack_object	*fields;
	const uint8_t		*id;
	int64_t			 at, lead = ve->at - (int64_t)ve->hlc;

	if (k == KIND_AMEND && (fields = mp_map_get(map, "fields")) != NULL &&
	    mp_get_int(fields, "at", &at) == MP_FOUND &&
	    mp_get_bin(map, "target", &id, ENV_ID) == MP_FOUND) {
		if ((target = views_entry_by_id(v, id)) == NULL)
			lead = INT64_MAX / 4;
		else if (at - (int64_t)target->hlc > lead)
			lead = at - (int64_t)target->hlc;
	}
	if (lead > v->max_lead)
		v->max_lead = lead;
}

/* The VIEW_K_* flags of a payload. */
static uint8_t
views_key_flags(enum kind k, const msgpack_object *map)
{
	const msgpack_object	*o;
	uint8_t			 f = 0;
	bool			 b;

	if (((o = mp_map_get(map, "kids")) != NULL &&
	    o->type == MSGPACK_OBJECT_ARRAY) ||
	    ((o = mp_map_get(map, "parents")) != NULL &&
	    o->type == MSGPACK_OBJECT_ARRAY))
		f |= VIEW_K_MULTI;
	if (k == KIND_REPAIR && mp_get_bool(map, "repaired", &b) == MP_FOUND &&
	    b)
		f |= VIEW_K_REPAIRED;
	return (f);
}

/* Copy a str field (from any peer: never trust its length) into dst. */
static void
views_copy_name(char *dst, size_t size, const msgpack_object *map,
    const char *key)
{
	const char	*s;
	size_t		 n;

	dst[0] = '\0';
	if (mp_get_str(map, key, &s, &n, size - 1) == MP_FOUND) {
		memcpy(dst, s, n);
		dst[n] = '\0';
	}
}

/* Update family and members for the kinds that define them. */
static void
views_apply_kind(struct views *v, const struct envelope *e, enum kind k,
    const msgpack_object *map, struct view_entry *ve)
{
	struct view_member	 m;
	struct chain_author	*a = &v->chain.v[ve->author];
	const uint8_t		*ref;

	memset(&m, 0, sizeof(m));
	memcpy(m.id, e->id, ENV_ID);
	m.ts = (int64_t)e->hlc_ms;
	switch (k) {
	case KIND_FAMILY_CREATE:
		if (v->has_family || e->seq != 1)
			return;
		v->has_family = true;
		views_copy_name(v->family, sizeof(v->family), map, "family");
		views_copy_name(m.name, sizeof(m.name), map, "name");
		memcpy(m.device, e->author, ENV_PK);
		a->authorised = true;
		if (views_add_member(v, &m) == 0)
			a->member = (int)v->nmembers - 1;
		break;
	case KIND_DEVICE_ADD: {
		struct chain_author	*dev;
		const uint8_t		*pk;

		if (mp_get_bin(map, "device", &pk, ENV_PK) != MP_FOUND ||
		    chain_add(&v->chain, pk, &dev) < 0)
			return;
		dev->authorised = true;
		memcpy(m.device, pk, ENV_PK);
		views_copy_name(m.name, sizeof(m.name), map, "name");
		if (views_add_member(v, &m) == 0)
			dev->member = (int)v->nmembers - 1;
		break;
	}
	case KIND_DEVICE_REMOVE: {
		struct chain_author	*dev;
		const uint8_t		*pk;
		uint64_t		 fin;

		if (mp_get_bin(map, "device", &pk, ENV_PK) == MP_FOUND &&
		    mp_get_uint(map, "final_seq", &fin) == MP_FOUND &&
		    chain_add(&v->chain, pk, &dev) == 0) {
			dev->removed = true;
			dev->final_seq = fin;
		}
		break;
	}
	case KIND_KID_ADD:
		m.kid = true;
		views_copy_name(m.name, sizeof(m.name), map, "name");
		views_copy_name(m.born, sizeof(m.born), map, "born");
		views_add_member(v, &m);
		break;
	default:
		break;
	}
	ve->subject = -1;
	if (mp_get_bin(map, "kid", &ref, ENV_ID) == MP_FOUND ||
	    mp_get_bin(map, "who", &ref, ENV_ID) == MP_FOUND)
		ve->subject = views_member_by_id(v, ref);
}

/*
 * Apply one verified, decrypted entry. The caller has checked the chain;
 * here the author's head advances. An unknown kind is kept as it is.
 * *out (if not NULL) gets the new entry. Return 0 or a negative
 * PROTO_E_* code (nothing applied).
 */
int
views_apply(struct views *v, const struct envelope *e,
    const uint8_t *payload, size_t len, struct view_entry **out)
{
	msgpack_unpacked	 up;
	struct chain_author	*a;
	struct view_entry	*ve;
	const char		*t = "";
	size_t			 tlen = 0;
	enum kind		 k;
	int			 rc;

	msgpack_unpacked_init(&up);
	if ((rc = mp_unpack(payload, len, &up)) < 0)
		goto out;
	if (up.data.type != MSGPACK_OBJECT_MAP ||
	    mp_get_str(&up.data, "t", &t, &tlen, PROTO_MAX_NAME) != MP_FOUND) {
		rc = -PROTO_E_MALFORMED;
		goto out;
	}
	k = kinds_lookup(t, tlen);
	if ((rc = chain_add(&v->chain, e->author, &a)) < 0)
		goto out;
	if ((ve = malloc(sizeof(*ve) + len)) == NULL) {
		rc = -PROTO_E_INTERNAL;
		goto out;
	}
	memcpy(ve->id, e->id, ENV_ID);
	ve->seq = e->seq;
	ve->hlc = e->hlc_ms;
	ve->author = (uint32_t)(a - v->chain.v);
	ve->kind = (uint16_t)k;
	ve->len = (uint32_t)len;
	if (mp_get_int(&up.data, "at", &ve->at) != MP_FOUND)
		ve->at = (int64_t)e->hlc_ms;
	memcpy(ve->payload, payload, len);
	views_apply_kind(v, e, k, &up.data, ve);
	if ((rc = views_insert_entry(v, ve, views_key_flags(k,
	    &up.data))) < 0) {
		free(ve);
		goto out;
	}
	views_lead(v, k, &up.data, ve);
	if (k < 32 && (KIND_BIT(k) & KINDS_LINKS) &&
	    views_add_link(v, &up.data, ve) < 0)
		log_warnx("views: out of memory for a link; views may miss "
		    "a correction");
	chain_advance(&v->chain.v[ve->author], e);
	if (e->hlc_ms > v->max_hlc)
		v->max_hlc = e->hlc_ms;
	if (out != NULL)
		*out = ve;
out:
	msgpack_unpacked_destroy(&up);
	return (rc);
}

/* Index of the member introduced by event id, or -1. */
int
views_member_by_id(const struct views *v, const uint8_t *id)
{
	size_t	i;

	for (i = 0; i < v->nmembers; i++) {
		if (memcmp(v->members[i].id, id, ENV_ID) == 0)
			return ((int)i);
	}
	return (-1);
}

/* Index of the member called exactly name (ignoring case), or -1. */
int
views_member_named(const struct views *v, const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < v->nmembers; i++) {
		if (strlen(v->members[i].name) == len &&
		    strncasecmp(v->members[i].name, name, len) == 0)
			return ((int)i);
	}
	return (-1);
}

/*
 * Resolve a name among kids and/or parents (which): an exact match,
 * ignoring case, wins; else a unique prefix. Return the member index,
 * -PROTO_E_NOTFOUND or -PROTO_E_AMBIGUOUS (with the candidates in
 * *cause).
 */
int
views_member_find(const struct views *v, const char *name, size_t len,
    int which, char **cause)
{
	char	 list[512] = "";
	size_t	 i, used = 0;
	int	 found = -1, nprefix = 0, n;

	for (i = 0; i < v->nmembers; i++) {
		const struct view_member *m = &v->members[i];

		if (!(which & (m->kid ? VIEWS_KIDS : VIEWS_PARENTS)))
			continue;
		if (strlen(m->name) == len &&
		    strncasecmp(m->name, name, len) == 0)
			return ((int)i);
		if (len > 0 && strncasecmp(m->name, name, len) == 0) {
			found = (int)i;
			nprefix++;
			n = snprintf(list + used, sizeof(list) - used, "%s%s",
			    used ? ", " : "", m->name);
			if (n > 0 && (size_t)n < sizeof(list) - used)
				used += (size_t)n;
		}
	}
	if (nprefix == 1)
		return (found);
	if (nprefix > 1) {
		diag_cause(cause, "'%.*s' could be: %s", (int)len, name, list);
		return (-PROTO_E_AMBIGUOUS);
	}
	diag_cause(cause, "no %s named '%.*s'", which == VIEWS_KIDS ? "kid" :
	    "family member", (int)len, name);
	return (-PROTO_E_NOTFOUND);
}

/* Which field of a linking kind names the other entry. */
static const char *
views_link_key(enum kind k)
{
	switch (k) {
	case KIND_GOAL_PROGRESS:
	case KIND_GOAL_CLOSE:
		return ("goal");
	case KIND_REPAIR_DONE:
		return ("repair");
	default:
		return ("target");
	}
}

/* Order of link i against (target, ve). */
static int
views_link_cmp(const struct views *v, size_t i, const uint8_t *target,
    const struct view_entry *ve)
{
	const struct view_link	*l = &v->links[i];
	int			 c;

	if ((c = memcmp(l->target, target, ENV_ID)) != 0)
		return (c);
	if (ve == NULL)
		return (0);
	return (views_entry_cmp(l->ve, ve));
}

/* Index an entry that names another. Return 0 or -PROTO_E_INTERNAL. */
static int
views_add_link(struct views *v, const msgpack_object *map,
    struct view_entry *ve)
{
	struct view_link	*nl;
	const uint8_t		*target;
	size_t			 lo = 0, hi = v->nlinks, mid;
	uint16_t		 idh;

	if (mp_get_bin(map, views_link_key(ve->kind), &target, ENV_ID) !=
	    MP_FOUND)
		return (0);
	if (v->nlinks == v->caplinks) {
		size_t	cap = v->caplinks ? v->caplinks * 2 : 64;

		if ((nl = realloc(v->links, cap * sizeof(*nl))) == NULL)
			return (-PROTO_E_INTERNAL);
		v->links = nl;
		v->caplinks = cap;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (views_link_cmp(v, mid, target, ve) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&v->links[lo + 1], &v->links[lo],
	    (v->nlinks - lo) * sizeof(*v->links));
	memcpy(v->links[lo].target, target, ENV_ID);
	v->links[lo].ve = ve;
	v->nlinks++;
	idh = (uint16_t)(target[0] << 8 | target[1]);
	v->linkmap[idh >> 3] |= (uint8_t)(1U << (idh & 7));
	return (0);
}

/*
 * The entries that name target, oldest first: return how many, with the
 * first at v->links[*first].
 */
size_t
views_links(const struct views *v, const uint8_t *target, size_t *first)
{
	size_t	lo = 0, hi = v->nlinks, mid, n;

	*first = 0;
	if (!views_maybe_linked(v, (uint16_t)(target[0] << 8 | target[1])))
		return (0);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (views_link_cmp(v, mid, target, NULL) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (n = 0; lo + n < v->nlinks &&
	    memcmp(v->links[lo + n].target, target, ENV_ID) == 0; n++)
		;
	return (n);
}

/* Might an entry whose id starts with idh have links? (No: it has none.) */
static bool
views_maybe_linked(const struct views *v, uint16_t idh)
{
	return ((v->linkmap[idh >> 3] & (1U << (idh & 7))) != 0);
}

/* The retract entry that withdrew ve, or NULL. */
const struct view_entry *
views_retracted(const struct views *v, const struct view_entry *ve)
{
	size_t	first, n, i;

	n = views_links(v, ve->id, &first);
	for (i = 0; i < n; i++) {
		if (v->links[first + i].ve->kind == KIND_RETRACT)
			return (v->links[first + i].ve);
	}
	return (NULL);
}

/* The member who wrote ve (a parent), or -1. */
int
views_author_member(const struct views *v, const struct view_entry *ve)
{
	return (v->chain.v[ve->author].member);
}

/* Does id (binary) start with the hex digits of p? */
static bool
views_hex_prefix(const uint8_t *id, const char *p, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;
	int			 c;

	for (i = 0; i < len; i++) {
		c = p[i] >= 'A' && p[i] <= 'F' ? p[i] + 32 : p[i];
		if (c != digits[(id[i / 2] >> (i % 2 ? 0 : 4)) & 0xf])
			return (false);
	}
	return (true);
}

/*
 * Find the entry whose hex id starts with hex (at least 4 digits) among
 * the kinds in the KIND_BIT mask kinds. Return its index in v->entries,
 * or -PROTO_E_NOTFOUND, -PROTO_E_AMBIGUOUS or -PROTO_E_INVALID with
 * *cause set.
 */
int
views_entry_find(const struct views *v, const char *hex, size_t len,
    uint32_t kinds, char **cause)
{
	size_t	i, nfound = 0, other = 0;
	int	found = -1;

	for (i = 0; i < len; i++) {
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		    (hex[i] >= 'a' && hex[i] <= 'f') ||
		    (hex[i] >= 'A' && hex[i] <= 'F')))
			break;
	}
	if (i != len || len < 4 || len > 2 * ENV_ID) {
		diag_cause(cause, "'%.*s' is not an entry id (4 to 64 hex "
		    "digits, as attune log shows them)",
		    (int)(len > 64 ? 64 : len), hex);
		return (-PROTO_E_INVALID);
	}
	for (i = v->nentries; i > 0; i--) {
		const struct view_entry	*ve = v->entries[i - 1];

		if (!views_hex_prefix(ve->id, hex, len))
			continue;
		if (ve->kind >= 32 || !(kinds & KIND_BIT(ve->kind))) {
			other++;
			continue;
		}
		if (nfound++ == 0)
			found = (int)(i - 1);
	}
	if (nfound == 1)
		return (found);
	if (nfound > 1) {
		diag_cause(cause, "entry id '%.*s' is ambiguous: %zu entries "
		    "start with it; give more digits", (int)len, hex, nfound);
		return (-PROTO_E_AMBIGUOUS);
	}
	if (other > 0)
		diag_cause(cause, "entry %.*s is not of a kind this applies "
		    "to", (int)len, hex);
	else
		diag_cause(cause, "no entry with id %.*s", (int)len, hex);
	return (-PROTO_E_NOTFOUND);
}

/* The entry with this id, or NULL (newest first: corrections are new). */
const struct view_entry *
views_entry_by_id(const struct views *v, const uint8_t *id)
{
	size_t	i;

	for (i = v->nentries; i > 0; i--) {
		if (memcmp(v->entries[i - 1]->id, id, ENV_ID) == 0)
			return (v->entries[i - 1]);
	}
	return (NULL);
}

/* The kind of the entry with this id, or KIND_OTHER. */
int
views_entry_kind(const struct views *v, const uint8_t *id)
{
	const struct view_entry	*ve = views_entry_by_id(v, id);

	return (ve != NULL ? ve->kind : KIND_OTHER);
}

/*
 * Merge an amend's fields over eff->map into a new payload. Return 0 or
 * a negative PROTO_E_* code (eff unchanged).
 */
/* May an amend's key replace a field? Only str keys, never "t". */
static bool
views_eff_key(const msgpack_object *k, char *key)
{
	if (k->type != MSGPACK_OBJECT_STR || k->via.str.size == 0 ||
	    k->via.str.size > PROTO_MAX_NAME || mp_str_eq(k, "t"))
		return (false);
	memcpy(key, k->via.str.ptr, k->via.str.size);
	key[k->via.str.size] = '\0';
	return (true);
}

static int
views_eff_merge(struct views_eff *eff, const struct view_entry *am)
{
	msgpack_unpacked	 aup, nup;
	msgpack_sbuffer		 nsb;
	msgpack_packer		 pk;
	const msgpack_object	*fields, *map = eff->map;
	char			 key[PROTO_MAX_NAME + 1];
	uint32_t		 i, n = 0;
	int			 rc = -PROTO_E_MALFORMED;

	msgpack_unpacked_init(&aup);
	msgpack_unpacked_init(&nup);
	msgpack_sbuffer_init(&nsb);
	if (mp_unpack(am->payload, am->len, &aup) < 0 ||
	    (fields = mp_map_get(&aup.data, "fields")) == NULL ||
	    fields->type != MSGPACK_OBJECT_MAP)
		goto out;
	/* Kept: the fields not amended (and "t"); then every amended one. */
	for (i = 0; i < map->via.map.size; i++) {
		if (!views_eff_key(&map->via.map.ptr[i].key, key) ||
		    mp_map_get(fields, key) == NULL)
			n++;
	}
	for (i = 0; i < fields->via.map.size; i++)
		n += views_eff_key(&fields->via.map.ptr[i].key, key);
	msgpack_packer_init(&pk, &nsb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, n);
	for (i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv	*kv = &map->via.map.ptr[i];

		if (views_eff_key(&kv->key, key) &&
		    mp_map_get(fields, key) != NULL)
			continue;
		msgpack_pack_object(&pk, kv->key);
		msgpack_pack_object(&pk, kv->val);
	}
	for (i = 0; i < fields->via.map.size; i++) {
		if (!views_eff_key(&fields->via.map.ptr[i].key, key))
			continue;
		msgpack_pack_object(&pk, fields->via.map.ptr[i].key);
		msgpack_pack_object(&pk, fields->via.map.ptr[i].val);
	}
	if (mp_unpack((uint8_t *)nsb.data, nsb.size, &nup) < 0)
		goto out;
	msgpack_unpacked_destroy(&eff->up);
	msgpack_sbuffer_destroy(&eff->sb);
	eff->up = nup;
	eff->sb = nsb;
	eff->map = &eff->up.data;
	eff->namends++;
	msgpack_unpacked_destroy(&aup);
	return (0);
out:
	msgpack_unpacked_destroy(&aup);
	msgpack_unpacked_destroy(&nup);
	msgpack_sbuffer_destroy(&nsb);
	return (rc);
}

/*
 * Read ve as it stands: its payload with each live amend applied, oldest
 * first (a field amended twice takes the newer value). A "t" or a
 * non-string key in an amend is ignored. Return 0 or -PROTO_E_MALFORMED
 * (eff is closed then). Close with views_eff_close in any case.
 */
int
views_eff_open(const struct views *v, const struct view_entry *ve,
    struct views_eff *eff)
{
	size_t	first, n, i;

	memset(eff, 0, sizeof(*eff));
	msgpack_unpacked_init(&eff->up);
	msgpack_sbuffer_init(&eff->sb);
	if (mp_unpack(ve->payload, ve->len, &eff->up) < 0 ||
	    eff->up.data.type != MSGPACK_OBJECT_MAP)
		return (-PROTO_E_MALFORMED);
	eff->map = &eff->up.data;
	n = views_links(v, ve->id, &first);
	for (i = 0; i < n; i++) {
		const struct view_entry	*l = v->links[first + i].ve;

		if (l->kind == KIND_RETRACT && eff->retract == NULL)
			eff->retract = l;
		if (l->kind != KIND_AMEND || views_retracted(v, l) != NULL)
			continue;
		(void)views_eff_merge(eff, l);
	}
	return (0);
}

void
views_eff_close(struct views_eff *eff)
{
	msgpack_unpacked_destroy(&eff->up);
	msgpack_sbuffer_destroy(&eff->sb);
	eff->map = NULL;
}

/* The member a ref field names, or -1. */
int
views_eff_member(const struct views *v, const struct views_eff *eff,
    const char *key)
{
	const uint8_t	*ref;

	if (eff->map == NULL ||
	    mp_get_bin(eff->map, key, &ref, ENV_ID) != MP_FOUND)
		return (-1);
	return (views_member_by_id(v, ref));
}

/* Does the ref (or array of refs) at key name member? */
bool
views_eff_has_member(const struct views *v, const struct views_eff *eff,
    const char *key, int member)
{
	const msgpack_object	*o = mp_map_get(eff->map, key);
	uint32_t		 i;

	if (o == NULL || member < 0)
		return (false);
	if (o->type == MSGPACK_OBJECT_BIN)
		return (o->via.bin.size == ENV_ID && memcmp(o->via.bin.ptr,
		    v->members[member].id, ENV_ID) == 0);
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return (false);
	for (i = 0; i < o->via.array.size; i++) {
		const msgpack_object *it = &o->via.array.ptr[i];

		if (it->type == MSGPACK_OBJECT_BIN &&
		    it->via.bin.size == ENV_ID && memcmp(it->via.bin.ptr,
		    v->members[member].id, ENV_ID) == 0)
			return (true);
	}
	return (false);
}

/* An int time field, else the entry's hlc. */
int64_t
views_eff_time(const struct view_entry *ve, const struct views_eff *eff,
    const char *key)
{
	int64_t	t;

	if (eff->map != NULL && mp_get_int(eff->map, key, &t) == MP_FOUND)
		return (t);
	return ((int64_t)ve->hlc);
}

bool
views_eff_bool(const struct views_eff *eff, const char *key, bool def)
{
	bool	b;

	if (eff->map != NULL && mp_get_bool(eff->map, key, &b) == MP_FOUND)
		return (b);
	return (def);
}

uint64_t
views_eff_uint(const struct views_eff *eff, const char *key, uint64_t def)
{
	uint64_t	u;

	if (eff->map != NULL && mp_get_uint(eff->map, key, &u) == MP_FOUND)
		return (u);
	return (def);
}

void
views_iter_init(struct views_iter *it, const struct views *v,
    uint32_t kinds, int64_t from, int64_t to, int subject)
{
	size_t	lo = 0, hi = v->nentries, mid;
	int64_t	min_hlc;

	memset(it, 0, sizeof(*it));
	it->v = v;
	it->kinds = kinds;
	it->from = from;
	it->to = to;
	it->subject = subject;
	/* A window starts at the first entry that may fall in it. */
	if (to == 0 || from <= INT64_MIN / 2 + v->max_lead)
		return;
	min_hlc = from - v->max_lead;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((int64_t)v->entries[mid]->hlc < min_hlc)
			lo = mid + 1;
		else
			hi = mid;
	}
	it->i = lo;
}

/*
 * The next live entry that matches, or false at the end. Entries with
 * links are read as amended (their time and subject may have changed);
 * the others cost no unpacking.
 */
bool
views_iter_next(struct views_iter *it)
{
	const struct views	*v = it->v;
	const struct view_key	*k;
	struct views_eff	 eff;
	size_t			 first;

	while (it->i < v->nentries) {
		k = &v->keys[it->i++];
		if (k->kind >= 32 || !(it->kinds & KIND_BIT(k->kind)))
			continue;
		it->ve = v->entries[it->i - 1];
		it->at = k->at;
		it->who = k->subject;
		it->flags = k->flags;
		it->amended = false;
		if (views_maybe_linked(v, k->idh) &&
		    views_links(v, it->ve->id, &first) > 0) {
			if (views_eff_open(v, it->ve, &eff) < 0 ||
			    eff.retract != NULL) {
				views_eff_close(&eff);
				continue;
			}
			it->amended = eff.namends > 0;
			it->at = views_eff_time(it->ve, &eff, "at");
			if ((it->who = views_eff_member(v, &eff, "kid")) < 0)
				it->who = views_eff_member(v, &eff, "who");
			views_eff_close(&eff);
		}
		if (it->to != 0 && (it->at < it->from || it->at >= it->to))
			continue;
		if (it->subject >= 0 && it->who != it->subject)
			continue;
		return (true);
	}
	it->ve = NULL;
	return (false);
}

void
views_pack_member(const struct views *v, const struct view_member *m,
    msgpack_packer *pk)
{
	msgpack_pack_map(pk, 5);
	mp_pack_kv_hex(pk, "id", m->id, ENV_ID);
	mp_pack_kv_str(pk, "name", m->name);
	mp_pack_cstr(pk, "born");
	mp_pack_cstr(pk, m->born[0] != '\0' ? m->born : NULL);
	mp_pack_kv_bool(pk, "kid", m->kid);
	mp_pack_kv_int(pk, "ts", m->ts);
}

/* A member as {id, name} (nil for -1): the "ref" of docs/protocol.md. */
void
views_pack_ref(const struct views *v, msgpack_packer *pk, int member)
{
	if (member < 0 || (size_t)member >= v->nmembers) {
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 2);
	mp_pack_kv_hex(pk, "id", v->members[member].id, ENV_ID);
	mp_pack_kv_str(pk, "name", v->members[member].name);
}

/*
 * A value for people: a member ref becomes the name, other bin hex;
 * arrays and maps are walked (their depth is bounded by mp_check).
 */
static void
views_pack_value(const struct views *v, const msgpack_object *val,
    msgpack_packer *pk)
{
	uint32_t	i;
	int		idx;

	switch (val->type) {
	case MSGPACK_OBJECT_BIN:
		idx = val->via.bin.size == ENV_ID ?
		    views_member_by_id(v, (const uint8_t *)val->via.bin.ptr) :
		    -1;
		if (idx >= 0)
			mp_pack_cstr(pk, v->members[idx].name);
		else
			mp_pack_hex(pk, (const uint8_t *)val->via.bin.ptr,
			    val->via.bin.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		msgpack_pack_array(pk, val->via.array.size);
		for (i = 0; i < val->via.array.size; i++)
			views_pack_value(v, &val->via.array.ptr[i], pk);
		break;
	case MSGPACK_OBJECT_MAP:
		msgpack_pack_map(pk, val->via.map.size);
		for (i = 0; i < val->via.map.size; i++) {
			msgpack_pack_object(pk, val->via.map.ptr[i].key);
			views_pack_value(v, &val->via.map.ptr[i].val, pk);
		}
		break;
	default:
		msgpack_pack_object(pk, *val);
		break;
	}
}

/* Pack one payload field for people: member refs become names. */
static void
views_pack_field(const struct views *v, const msgpack_object_kv *kv,
    msgpack_packer *pk)
{
	const msgpack_object	*val = &kv->val;
	int			 idx;
	char			 key[40];

	msgpack_pack_object(pk, kv->key);
	if (val->type != MSGPACK_OBJECT_BIN) {
		views_pack_value(v, val, pk);
		return;
	}
	idx = val->via.bin.size == ENV_ID ?
	    views_member_by_id(v, (const uint8_t *)val->via.bin.ptr) : -1;
	if (idx < 0) {
		mp_pack_hex(pk, (const uint8_t *)val->via.bin.ptr,
		    val->via.bin.size);
		return;
	}
	mp_pack_cstr(pk, v->members[idx].name);
	snprintf(key, sizeof(key), "%.*s_id", (int)(kv->key.type ==
	    MSGPACK_OBJECT_STR && kv->key.via.str.size < 30 ?
	    kv->key.via.str.size : 0), kv->key.via.str.ptr);
	mp_pack_kv_hex(pk, key, (const uint8_t *)val->via.bin.ptr, ENV_ID);
}

/*
 * Pack an entry as the RPC "entry" map of docs/protocol.md:
 * {id, kind, author, author_name, seq, ts, fields} and, when corrected,
 * amended (how many amends apply: fields show the result) and retracted
 * ({id, reason}).
 */
void
views_pack_entry(const struct views *v, const struct view_entry *ve,
    msgpack_packer *pk)
{
	const struct chain_author	*a = &v->chain.v[ve->author];
	struct views_eff		 eff;
	const msgpack_object		*map, *reason;
	msgpack_unpacked		 rup;
	uint32_t			 i, nfields = 0, nrefs = 0;

	if (views_eff_open(v, ve, &eff) < 0) {
		/* Never stored: views_apply refused it. */
		views_eff_close(&eff);
		msgpack_pack_nil(pk);
		return;
	}
	map = eff.map;
	msgpack_pack_map(pk, 7 + (eff.namends > 0) + (eff.retract != NULL));
	mp_pack_kv_hex(pk, "id", ve->id, ENV_ID);
	mp_pack_cstr(pk, "kind");
	if (ve->kind != KIND_OTHER)
		mp_pack_cstr(pk, kinds_name(ve->kind));
	else
		msgpack_pack_object(pk, *mp_map_get(map, "t"));
	mp_pack_kv_hex(pk, "author", a->pk, ENV_PK);
	mp_pack_cstr(pk, "author_name");
	mp_pack_cstr(pk, a->member >= 0 ? v->members[a->member].name : NULL);
	mp_pack_kv_uint(pk, "seq", ve->seq);
	mp_pack_kv_uint(pk, "ts", ve->hlc);
	if (eff.namends > 0)
		mp_pack_kv_uint(pk, "amended", eff.namends);
	if (eff.retract != NULL) {
		mp_pack_cstr(pk, "retracted");
		msgpack_pack_map(pk, 2);
		mp_pack_kv_hex(pk, "id", eff.retract->id, ENV_ID);
		mp_pack_cstr(pk, "reason");
		msgpack_unpacked_init(&rup);
		if (mp_unpack(eff.retract->payload, eff.retract->len,
		    &rup) == 0 && (reason = mp_map_get(&rup.data,
		    "reason")) != NULL && reason->type == MSGPACK_OBJECT_STR)
			msgpack_pack_object(pk, *reason);
		else
			msgpack_pack_nil(pk);
		msgpack_unpacked_destroy(&rup);
	}
	mp_pack_cstr(pk, "fields");
	for (i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv	*kv = &map->via.map.ptr[i];

		if (mp_str_eq(&kv->key, "t"))
			continue;
		nfields++;
		if (kv->val.type == MSGPACK_OBJECT_BIN &&
		    kv->val.via.bin.size == ENV_ID &&
		    views_member_by_id(v, (const uint8_t *)kv->val.via.bin.ptr)
		    >= 0)
			nrefs++;
	}
	msgpack_pack_map(pk, nfields + nrefs);
	for (i = 0; i < map->via.map.size; i++) {
		if (!mp_str_eq(&map->via.map.ptr[i].key, "t"))
			views_pack_field(v, &map->via.map.ptr[i], pk);
	}
	views_eff_close(&eff);
}

/*
 * An entry and what became of it: {entry (as it stands), original (the
 * fields as first written), history: [every entry that names it, oldest
 * first: amends, retracts, repair.done, goal.progress, goal.close]}.
 */
void
views_pack_history(const struct views *v, const struct view_entry *ve,
    msgpack_packer *pk)
{
	msgpack_unpacked	 up;
	const msgpack_object	*map;
	size_t			 first, n, i;
	uint32_t		 nf = 0, nrefs = 0;

	msgpack_pack_map(pk, 3);
	mp_pack_cstr(pk, "entry");
	views_pack_entry(v, ve, pk);
	mp_pack_cstr(pk, "original");
	msgpack_unpacked_init(&up);
	if (mp_unpack(ve->payload, ve->len, &up) < 0 ||
	    up.data.type != MSGPACK_OBJECT_MAP)
		msgpack_pack_nil(pk);
	else {
		map = &up.data;
		for (i = 0; i < map->via.map.size; i++) {
			const msgpack_object_kv	*kv = &map->via.map.ptr[i];

			if (mp_str_eq(&kv->key, "t"))
				continue;
			nf++;
			nrefs += kv->val.type == MSGPACK_OBJECT_BIN &&
			    kv->val.via.bin.size == ENV_ID &&
			    views_member_by_id(v, (const uint8_t *)
			    kv->val.via.bin.ptr) >= 0;
		}
		msgpack_pack_map(pk, nf + nrefs);
		for (i = 0; i < map->via.map.size; i++) {
			if (!mp_str_eq(&map->via.map.ptr[i].key, "t"))
				views_pack_field(v, &map->via.map.ptr[i], pk);
		}
	}
	msgpack_unpacked_destroy(&up);
	mp_pack_cstr(pk, "history");
	n = views_links(v, ve->id, &first);
	msgpack_pack_array(pk, (uint32_t)n);
	for (i = 0; i < n; i++)
		views_pack_entry(v, v->links[first + i].ve, pk);
}
