/*
 * views.c: apply decrypted entries to the projections of views.h, and
 * render entries and members for RPC results. Never touches the store or
 * a socket; never sees a key.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "mp.h"
#include "mpcheck.h"
#include "views.h"

static int	views_add_member(struct views *, const struct view_member *);
static int	views_insert_entry(struct views *, struct view_entry *);
static void	views_apply_kind(struct views *, const struct envelope *,
		    enum kind, const msgpack_object *, struct view_entry *);
static void	views_copy_name(char *dst, size_t size,
		    const msgpack_object *map, const char *key);
static int	views_entry_cmp(const struct view_entry *,
		    const struct view_entry *);
static void	views_pack_field(const struct views *,
		    const msgpack_object_kv *, msgpack_packer *);

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

/* Insert in (hlc, id) order; appends, the common case, cost O(1). */
static int
views_insert_entry(struct views *v, struct view_entry *ve)
{
	struct view_entry	**ne;
	size_t			  lo, hi, mid;

	if (v->nentries == v->capentries) {
		size_t	cap = v->capentries ? v->capentries * 2 : 1024;

		if ((ne = realloc(v->entries, cap * sizeof(*ne))) == NULL)
			return (-PROTO_E_INTERNAL);
		v->entries = ne;
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
	    (v->nentries - lo) * sizeof(*ne));
	v->entries[lo] = ve;
	v->nentries++;
	return (0);
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
 * *out (if not NULL) gets the new entry. Return 0 or a negative PROTO_E_* code (nothing applied).
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
	memcpy(ve->payload, payload, len);
	views_apply_kind(v, e, k, &up.data, ve);
	if ((rc = views_insert_entry(v, ve)) < 0) {
		free(ve);
		goto out;
	}
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
		msgpack_pack_object(pk, *val);
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
 * {id, kind, author, author_name, seq, ts, fields}.
 */
void
views_pack_entry(const struct views *v, const struct view_entry *ve,
    msgpack_packer *pk)
{
	const struct chain_author	*a = &v->chain.v[ve->author];
	msgpack_unpacked		 up;
	const msgpack_object		*map;
	uint32_t			 i, nfields = 0, nrefs = 0;

	msgpack_unpacked_init(&up);
	mp_unpack(ve->payload, ve->len, &up);
	map = &up.data;
	msgpack_pack_map(pk, 7);
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
	msgpack_unpacked_destroy(&up);
}
