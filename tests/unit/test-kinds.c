/*
 * test-kinds.c: unit tests for daemon/kinds.c (the schema of client
 * appends) over views built by daemon/views.c. The views are made the way
 * the daemon makes them: hand-made payloads sealed with envelope_seal
 * under fixed keys, parsed, chain-checked and applied with views_apply.
 * Then each client kind is built from valid input and its stored payload
 * unpacked field by field, and every kind of bad input is refused with
 * the code and the cause a person would need.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "chain.h"
#include "envelope.h"
#include "harness.h"
#include "kinds.h"
#include "mp.h"
#include "mpcheck.h"
#include "proto.h"
#include "views.h"

#define HLC0	1767225600000LL		/* 2026-01-01T00:00:00Z */
#define NOW	(HLC0 + 86400000LL)

/* One device writing its chain. */
struct dev {
	uint8_t		pk[ENV_PK], sk[ENV_SK];
	uint64_t	seq;
	uint8_t		head[ENV_ID];
};

/* A packer over a buffer, for payloads and client input. */
struct mpb {
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
};

/* A built payload, unpacked for reading. */
struct built {
	msgpack_sbuffer		sb;
	msgpack_unpacked	up;
	char			*cause;
	int			rc;
};

static uint8_t		fkey[ENV_KEY], fid[ENV_FAMILY_ID];
static struct dev	alex, sam;
static int64_t		hlc = HLC0;
/* Ids of the events that introduced each member. */
static uint8_t		id_alex[ENV_ID], id_sam[ENV_ID], id_maya[ENV_ID];
static uint8_t		id_max[ENV_ID], id_leo[ENV_ID];

static void	setup(struct views *);
static void	dev_init(struct dev *, uint8_t);
static void	mpb_begin(struct mpb *, uint32_t nkeys);
static int	apply(struct views *, struct dev *, struct mpb *,
		    uint8_t *id, struct view_entry **);
static void	build(struct built *, const struct views *, struct mpb *);
static void	built_end(struct built *);
static const msgpack_object *field(const struct built *, const char *);
static void	check_str(const struct built *, const char *, const char *);
static int	refused(const struct views *, int want, const char *in_cause,
		    struct mpb *);
static void	kv_str(struct mpb *, const char *, const char *);
static int	find(const struct views *, const char *);

static void
dev_init(struct dev *d, uint8_t seed)
{
	uint8_t	s[32];

	memset(d, 0, sizeof(*d));
	memset(s, seed, sizeof(s));
	ASSERT_EQ_INT(crypto_sign_seed_keypair(d->pk, d->sk, s), 0);
}

static void
mpb_begin(struct mpb *b, uint32_t nkeys)
{
	msgpack_sbuffer_init(&b->sb);
	msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
	msgpack_pack_map(&b->pk, nkeys);
}

static void
kv_str(struct mpb *b, const char *k, const char *v)
{
	mp_pack_kv_str(&b->pk, k, v);
}

/*
 * Seal the payload in b as d's next event, parse it back, check its link
 * and apply it, as the event log does. Frees b. Return views_apply's code.
 */
static int
apply(struct views *v, struct dev *d, struct mpb *b, uint8_t *id,
    struct view_entry **out)
{
	struct envelope	 e, p;
	msgpack_sbuffer	 sb;
	uint8_t		 plain[PROTO_MAX_PAYLOAD];
	size_t		 i, len;
	int		 rc;

	memset(&e, 0, sizeof(e));
	memcpy(e.family_id, fid, ENV_FAMILY_ID);
	memcpy(e.author, d->pk, ENV_PK);
	e.seq = d->seq + 1;
	e.has_prev = d->seq > 0;
	memcpy(e.prev, d->head, ENV_ID);
	e.hlc_ms = (uint64_t)(hlc += 1000);
	for (i = 0; i < ENV_NONCE; i++)
		e.nonce[i] = (uint8_t)(e.hlc_ms >> (8 * (i % 8))) ^ (uint8_t)i;
	msgpack_sbuffer_init(&sb);
	ASSERT_EQ_INT(envelope_seal(&e, fkey, d->sk, (uint8_t *)b->sb.data,
	    b->sb.size, &sb), 0);
	ASSERT_EQ_INT(envelope_parse((uint8_t *)sb.data, sb.size, &p), 0);
	ASSERT_EQ_INT(envelope_verify(&p), 0);
	ASSERT_EQ_INT(envelope_open(&p, fkey, plain, sizeof(plain), &len), 0);
	ASSERT_EQ_UINT(len, b->sb.size);
	ASSERT_EQ_INT(chain_check(chain_find(&v->chain, d->pk), &p), 0);
	rc = views_apply(v, &p, plain, len, out);
	if (rc == 0) {
		d->seq = p.seq;
		memcpy(d->head, p.id, ENV_ID);
		if (id != NULL)
			memcpy(id, p.id, ENV_ID);
	}
	msgpack_sbuffer_destroy(&sb);
	msgpack_sbuffer_destroy(&b->sb);
	return (rc);
}

/*
 * The family: Alex (genesis device), Sam (added by Alex), kids Maya and
 * Max and Leo (added from both devices).
 */
static void
setup(struct views *v)
{
	struct mpb	b;
	size_t		i;

	ASSERT(sodium_init() >= 0);
	for (i = 0; i < ENV_KEY; i++)
		fkey[i] = (uint8_t)(0x40 + i);
	for (i = 0; i < ENV_FAMILY_ID; i++)
		fid[i] = (uint8_t)(0xa0 + i);
	dev_init(&alex, 1);
	dev_init(&sam, 2);
	hlc = HLC0;
	views_init(v);

	mpb_begin(&b, 3);
	kv_str(&b, "t", "family.create");
	kv_str(&b, "family", "Rivera");
	kv_str(&b, "name", "Alex");
	ASSERT_EQ_INT(apply(v, &alex, &b, id_alex, NULL), 0);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "device.add");
	mp_pack_kv_bin(&b.pk, "device", sam.pk, ENV_PK);
	kv_str(&b, "name", "Sam");
	ASSERT_EQ_INT(apply(v, &alex, &b, id_sam, NULL), 0);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Maya");
	kv_str(&b, "born", "2015-04-01");
	ASSERT_EQ_INT(apply(v, &alex, &b, id_maya, NULL), 0);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Max");
	ASSERT_EQ_INT(apply(v, &sam, &b, id_max, NULL), 0);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Leo");
	kv_str(&b, "born", "2019-12-31");
	ASSERT_EQ_INT(apply(v, &sam, &b, id_leo, NULL), 0);
}

/* Run kinds_build over the input map in b (freed) at NOW. */
static void
build(struct built *r, const struct views *v, struct mpb *b)
{
	msgpack_unpacked	in;

	memset(r, 0, sizeof(*r));
	msgpack_sbuffer_init(&r->sb);
	msgpack_unpacked_init(&r->up);
	msgpack_unpacked_init(&in);
	ASSERT_EQ_INT(mp_unpack((uint8_t *)b->sb.data, b->sb.size, &in), 0);
	r->rc = kinds_build(v, &in.data, NOW, &r->sb, &r->cause);
	if (r->rc == 0) {
		ASSERT(r->cause == NULL);
		ASSERT_EQ_INT(mp_unpack((uint8_t *)r->sb.data, r->sb.size,
		    &r->up), 0);
		ASSERT_EQ_INT(r->up.data.type, MSGPACK_OBJECT_MAP);
	} else
		ASSERT_EQ_UINT(r->sb.size, 0);
	msgpack_unpacked_destroy(&in);
	msgpack_sbuffer_destroy(&b->sb);
}

static void
built_end(struct built *r)
{
	free(r->cause);
	msgpack_unpacked_destroy(&r->up);
	msgpack_sbuffer_destroy(&r->sb);
}

static const msgpack_object *
field(const struct built *r, const char *key)
{
	return (mp_map_get(&r->up.data, key));
}

static void
check_str(const struct built *r, const char *key, const char *want)
{
	const msgpack_object	*o = field(r, key);
	char			 got[PROTO_MAX_TEXT + 1];

	if (o == NULL)
		harness_fail(__FILE__, __LINE__, "no field '%s'", key);
	ASSERT_EQ_INT(o->type, MSGPACK_OBJECT_STR);
	ASSERT(o->via.str.size <= PROTO_MAX_TEXT);
	memcpy(got, o->via.str.ptr, o->via.str.size);
	got[o->via.str.size] = '\0';
	ASSERT_EQ_STR(got, want);
}

/*
 * Build the input in b; it must fail with want, and the cause must
 * contain in_cause (if not NULL). Return 1 so callers can count.
 */
static int
refused(const struct views *v, int want, const char *in_cause,
    struct mpb *b)
{
	struct built	r;

	build(&r, v, b);
	if (r.rc != want)
		harness_fail(__FILE__, __LINE__, "got %d (%s), want %d",
		    r.rc, r.cause ? r.cause : "no cause", want);
	ASSERT(r.cause != NULL);
	if (in_cause != NULL && strstr(r.cause, in_cause) == NULL)
		harness_fail(__FILE__, __LINE__, "cause '%s' lacks '%s'",
		    r.cause, in_cause);
	built_end(&r);
	return (1);
}

static int
find(const struct views *v, const char *name)
{
	int	i = views_member_named(v, name, strlen(name));

	ASSERT(i >= 0);
	return (i);
}

TEST(views_from_log)
{
	struct views			 v;
	const struct chain_author	*a;
	size_t				 i;
	char				*cause = NULL;

	setup(&v);
	ASSERT(v.has_family);
	ASSERT_EQ_STR(v.family, "Rivera");
	ASSERT_EQ_UINT(v.nmembers, 5);
	ASSERT_EQ_STR(v.members[0].name, "Alex");
	ASSERT(!v.members[0].kid);
	ASSERT_EQ_MEM(v.members[0].device, alex.pk, ENV_PK);
	ASSERT_EQ_MEM(v.members[0].id, id_alex, ENV_ID);
	ASSERT_EQ_STR(v.members[1].name, "Sam");
	ASSERT(!v.members[1].kid);
	ASSERT_EQ_MEM(v.members[1].device, sam.pk, ENV_PK);
	ASSERT_EQ_MEM(v.members[1].id, id_sam, ENV_ID);
	ASSERT_EQ_STR(v.members[2].name, "Maya");
	ASSERT(v.members[2].kid);
	ASSERT_EQ_STR(v.members[2].born, "2015-04-01");
	ASSERT_EQ_INT(v.members[2].ts, HLC0 + 3000);
	ASSERT_EQ_STR(v.members[3].name, "Max");
	ASSERT_EQ_STR(v.members[3].born, "");
	ASSERT_EQ_STR(v.members[4].name, "Leo");
	ASSERT_EQ_MEM(v.members[4].id, id_leo, ENV_ID);
	/* Both devices are authorised authors with their chain heads. */
	ASSERT((a = chain_find(&v.chain, alex.pk)) != NULL);
	ASSERT(a->authorised);
	ASSERT_EQ_UINT(a->seq, 3);
	ASSERT_EQ_MEM(a->head, id_maya, ENV_ID);
	ASSERT_EQ_INT(a->member, 0);
	ASSERT((a = chain_find(&v.chain, sam.pk)) != NULL);
	ASSERT(a->authorised);
	ASSERT_EQ_UINT(a->seq, 2);
	ASSERT_EQ_INT(a->member, 1);
	/* Entries in time order. */
	ASSERT_EQ_UINT(v.nentries, 5);
	for (i = 1; i < v.nentries; i++)
		ASSERT(v.entries[i - 1]->hlc < v.entries[i]->hlc);
	ASSERT_EQ_INT(v.entries[0]->kind, KIND_FAMILY_CREATE);
	ASSERT_EQ_INT(v.entries[1]->kind, KIND_DEVICE_ADD);
	ASSERT_EQ_INT(v.entries[4]->kind, KIND_KID_ADD);
	ASSERT_EQ_UINT(v.max_hlc, HLC0 + 5000);

	/* Names: exact (any case), unique prefix, ambiguous, unknown. */
	ASSERT_EQ_INT(views_member_find(&v, "maya", 4, VIEWS_KIDS, &cause), 2);
	ASSERT_EQ_INT(views_member_find(&v, "LE", 2, VIEWS_KIDS, &cause), 4);
	ASSERT_EQ_INT(views_member_find(&v, "Max", 3, VIEWS_KIDS, &cause), 3);
	ASSERT(cause == NULL);
	ASSERT_EQ_INT(views_member_find(&v, "Ma", 2, VIEWS_KIDS, &cause),
	    -PROTO_E_AMBIGUOUS);
	ASSERT(cause != NULL && strstr(cause, "Maya") != NULL &&
	    strstr(cause, "Max") != NULL);
	ASSERT_EQ_INT(views_member_find(&v, "Sam", 3, VIEWS_KIDS, &cause),
	    -PROTO_E_NOTFOUND);
	ASSERT_EQ_INT(views_member_find(&v, "Sam", 3,
	    VIEWS_KIDS | VIEWS_PARENTS, &cause), 1);
	ASSERT_EQ_INT(views_member_find(&v, "a", 1, VIEWS_PARENTS, &cause),
	    0);
	ASSERT_EQ_INT(views_member_by_id(&v, id_leo), 4);
	ASSERT_EQ_INT(views_member_by_id(&v, fkey), -1);
	free(cause);
	views_finish(&v);
}

TEST(kid_add)
{
	struct views	v;
	struct mpb	b;
	struct built	r;

	setup(&v);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Noa");
	kv_str(&b, "born", "2024-02-29");
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	ASSERT_EQ_UINT(r.up.data.via.map.size, 3);
	check_str(&r, "t", "kid.add");
	check_str(&r, "name", "Noa");
	check_str(&r, "born", "2024-02-29");
	built_end(&r);
	/* Born is optional, and nil is as good as absent. */
	mpb_begin(&b, 3);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Noa");
	kv_str(&b, "born", NULL);
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	ASSERT_EQ_UINT(r.up.data.via.map.size, 2);
	ASSERT(field(&r, "born") == NULL);
	built_end(&r);
	views_finish(&v);
}

TEST(one_on_one)
{
	struct views		 v;
	struct mpb		 b;
	struct built		 r;
	const msgpack_object	*o;
	int64_t			 i;

	setup(&v);
	/* Defaults: minutes 10, at now. A unique prefix names the kid. */
	mpb_begin(&b, 2);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "may");
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	ASSERT_EQ_UINT(r.up.data.via.map.size, 4);
	check_str(&r, "t", "one-on-one");
	ASSERT((o = field(&r, "kid")) != NULL);
	ASSERT_EQ_INT(o->type, MSGPACK_OBJECT_BIN);
	ASSERT_EQ_UINT(o->via.bin.size, ENV_ID);
	ASSERT_EQ_MEM(o->via.bin.ptr, id_maya, ENV_ID);
	ASSERT_EQ_INT(mp_get_int(&r.up.data, "minutes", &i), MP_FOUND);
	ASSERT_EQ_INT(i, 10);
	ASSERT_EQ_INT(mp_get_int(&r.up.data, "at", &i), MP_FOUND);
	ASSERT_EQ_INT(i, NOW);
	ASSERT(field(&r, "note") == NULL && field(&r, "activity") == NULL);
	built_end(&r);

	/* Everything given. */
	mpb_begin(&b, 6);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "LEO");
	mp_pack_kv_uint(&b.pk, "minutes", 45);
	kv_str(&b, "activity", "lego");
	kv_str(&b, "note", "he led\nthe whole time");
	kv_str(&b, "at", "2026-01-02T10:00Z");
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	ASSERT_EQ_UINT(r.up.data.via.map.size, 6);
	ASSERT((o = field(&r, "kid")) != NULL);
	ASSERT_EQ_MEM(o->via.bin.ptr, id_leo, ENV_ID);
	ASSERT_EQ_INT(mp_get_int(&r.up.data, "minutes", &i), MP_FOUND);
	ASSERT_EQ_INT(i, 45);
	check_str(&r, "activity", "lego");
	check_str(&r, "note", "he led\nthe whole time");
	ASSERT_EQ_INT(mp_get_int(&r.up.data, "at", &i), MP_FOUND);
	ASSERT_EQ_INT(i, 1767348000000LL);
	built_end(&r);

	/* The bounds of minutes are allowed. */
	mpb_begin(&b, 3);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "Max");
	mp_pack_kv_uint(&b.pk, "minutes", 1);
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	built_end(&r);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "Max");
	mp_pack_kv_uint(&b.pk, "minutes", 600);
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	ASSERT_EQ_INT(mp_get_int(&r.up.data, "minutes", &i), MP_FOUND);
	ASSERT_EQ_INT(i, 600);
	built_end(&r);
	views_finish(&v);
}

TEST(checkin_checkout)
{
	static const char *const	 kinds[] = { "checkin", "checkout" };
	struct views			 v;
	struct mpb			 b;
	struct built			 r;
	const msgpack_object		*o;
	int64_t				 i;
	size_t				 k;

	setup(&v);
	for (k = 0; k < 2; k++) {
		/* A parent. */
		mpb_begin(&b, 5);
		kv_str(&b, "t", kinds[k]);
		kv_str(&b, "who", "sam");
		kv_str(&b, "feeling", "calm");
		mp_pack_kv_uint(&b.pk, "intensity", 3);
		kv_str(&b, "note", "long day");
		build(&r, &v, &b);
		ASSERT_EQ_INT(r.rc, 0);
		ASSERT_EQ_UINT(r.up.data.via.map.size, 5);
		check_str(&r, "t", kinds[k]);
		ASSERT((o = field(&r, "who")) != NULL);
		ASSERT_EQ_INT(o->type, MSGPACK_OBJECT_BIN);
		ASSERT_EQ_UINT(o->via.bin.size, ENV_ID);
		ASSERT_EQ_MEM(o->via.bin.ptr, id_sam, ENV_ID);
		check_str(&r, "feeling", "calm");
		ASSERT_EQ_INT(mp_get_int(&r.up.data, "intensity", &i),
		    MP_FOUND);
		ASSERT_EQ_INT(i, 3);
		check_str(&r, "note", "long day");
		built_end(&r);
		/* A kid; intensity has no default. */
		mpb_begin(&b, 3);
		kv_str(&b, "t", kinds[k]);
		kv_str(&b, "who", "Maya");
		kv_str(&b, "feeling", "proud");
		build(&r, &v, &b);
		ASSERT_EQ_INT(r.rc, 0);
		ASSERT_EQ_UINT(r.up.data.via.map.size, 3);
		ASSERT((o = field(&r, "who")) != NULL);
		ASSERT_EQ_MEM(o->via.bin.ptr, id_maya, ENV_ID);
		ASSERT(field(&r, "intensity") == NULL);
		built_end(&r);
	}
	views_finish(&v);
}

TEST(repair)
{
	struct views		 v;
	struct mpb		 b;
	struct built		 r;
	const msgpack_object	*o;

	setup(&v);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "max");
	kv_str(&b, "what", "I raised my voice");
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	ASSERT_EQ_UINT(r.up.data.via.map.size, 4);
	ASSERT((o = field(&r, "kid")) != NULL);
	ASSERT_EQ_MEM(o->via.bin.ptr, id_max, ENV_ID);
	check_str(&r, "what", "I raised my voice");
	ASSERT((o = field(&r, "apologized")) != NULL);
	ASSERT_EQ_INT(o->type, MSGPACK_OBJECT_BOOLEAN);
	ASSERT(!o->via.boolean);
	built_end(&r);
	mpb_begin(&b, 5);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "what", "I raised my voice");
	mp_pack_kv_bool(&b.pk, "apologized", true);
	kv_str(&b, "note", "we talked after dinner");
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	ASSERT_EQ_UINT(r.up.data.via.map.size, 5);
	ASSERT((o = field(&r, "apologized")) != NULL);
	ASSERT(o->via.boolean);
	check_str(&r, "note", "we talked after dinner");
	built_end(&r);
	views_finish(&v);
}

/* What kinds_build packs, views_apply takes: the kid becomes a subject. */
TEST(built_payload_applies)
{
	struct views		 v;
	struct view_entry	*ve = NULL;
	struct mpb		 b, p;
	struct built		 r;
	msgpack_sbuffer		 out;
	msgpack_packer		 pk;
	msgpack_unpacked	 up;
	const msgpack_object	*fields, *o;

	setup(&v);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "Leo");
	kv_str(&b, "note", "park");
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	msgpack_sbuffer_init(&p.sb);
	msgpack_sbuffer_write(&p.sb, r.sb.data, r.sb.size);
	ASSERT_EQ_INT(apply(&v, &sam, &p, NULL, &ve), 0);
	ASSERT(ve != NULL);
	ASSERT_EQ_INT(ve->kind, KIND_ONE_ON_ONE);
	ASSERT_EQ_INT(ve->subject, find(&v, "Leo"));
	ASSERT_EQ_UINT(ve->seq, 3);
	ASSERT_EQ_UINT(ve->len, r.sb.size);
	ASSERT_EQ_MEM(ve->payload, r.sb.data, r.sb.size);
	ASSERT(v.entries[v.nentries - 1] == ve);
	built_end(&r);
	/* Rendered for people: the reference is a name, plus its id. */
	msgpack_sbuffer_init(&out);
	msgpack_packer_init(&pk, &out, msgpack_sbuffer_write);
	views_pack_entry(&v, ve, &pk);
	msgpack_unpacked_init(&up);
	ASSERT_EQ_INT(mp_unpack((uint8_t *)out.data, out.size, &up), 0);
	ASSERT((o = mp_map_get(&up.data, "kind")) != NULL);
	ASSERT(mp_str_eq(o, "one-on-one"));
	ASSERT((o = mp_map_get(&up.data, "author_name")) != NULL);
	ASSERT(mp_str_eq(o, "Sam"));
	ASSERT((fields = mp_map_get(&up.data, "fields")) != NULL);
	ASSERT((o = mp_map_get(fields, "kid")) != NULL);
	ASSERT(mp_str_eq(o, "Leo"));
	ASSERT((o = mp_map_get(fields, "kid_id")) != NULL);
	ASSERT_EQ_INT(o->type, MSGPACK_OBJECT_STR);
	ASSERT_EQ_UINT(o->via.str.size, 2 * ENV_ID);
	ASSERT((o = mp_map_get(fields, "note")) != NULL);
	ASSERT(mp_str_eq(o, "park"));
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&out);
	views_finish(&v);
}

TEST(kind_refused)
{
	struct views	v;
	struct mpb	b;

	setup(&v);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "frobnicate");
	kv_str(&b, "name", "x");
	refused(&v, -PROTO_E_INVALID, "frobnicate", &b);
	mpb_begin(&b, 1);
	kv_str(&b, "t", "");
	refused(&v, -PROTO_E_INVALID, NULL, &b);
	mpb_begin(&b, 1);
	kv_str(&b, "t", "Kid.add");
	refused(&v, -PROTO_E_INVALID, NULL, &b);
	/* Kinds only the daemon writes. */
	mpb_begin(&b, 3);
	kv_str(&b, "t", "family.create");
	kv_str(&b, "family", "Other");
	kv_str(&b, "name", "Eve");
	refused(&v, -PROTO_E_INVALID, "family.create", &b);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "device.add");
	mp_pack_kv_bin(&b.pk, "device", alex.pk, ENV_PK);
	kv_str(&b, "name", "Eve");
	refused(&v, -PROTO_E_INVALID, "device.add", &b);
	/* No kind, a kind that is not a string, not a map at all. */
	mpb_begin(&b, 1);
	kv_str(&b, "name", "Noa");
	refused(&v, -PROTO_E_TYPE, NULL, &b);
	mpb_begin(&b, 1);
	mp_pack_kv_uint(&b.pk, "t", 3);
	refused(&v, -PROTO_E_TYPE, NULL, &b);
	msgpack_sbuffer_init(&b.sb);
	msgpack_packer_init(&b.pk, &b.sb, msgpack_sbuffer_write);
	msgpack_pack_array(&b.pk, 1);
	mp_pack_cstr(&b.pk, "kid.add");
	refused(&v, -PROTO_E_TYPE, NULL, &b);
	views_finish(&v);
}

TEST(fields_refused)
{
	struct views	v;
	struct mpb	b;

	setup(&v);
	/* A field the kind does not have. */
	mpb_begin(&b, 3);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Noa");
	kv_str(&b, "colour", "red");
	refused(&v, -PROTO_E_INVALID, "colour", &b);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Noa");
	msgpack_pack_uint8(&b.pk, 5);
	msgpack_pack_uint8(&b.pk, 5);
	refused(&v, -PROTO_E_INVALID, NULL, &b);
	/* A field of another kind. */
	mpb_begin(&b, 3);
	kv_str(&b, "t", "checkin");
	kv_str(&b, "who", "Sam");
	kv_str(&b, "kid", "Maya");
	refused(&v, -PROTO_E_INVALID, "kid", &b);
	/* Missing required fields, and required given as nil. */
	mpb_begin(&b, 1);
	kv_str(&b, "t", "one-on-one");
	refused(&v, -PROTO_E_INVALID, "kid", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", NULL);
	refused(&v, -PROTO_E_INVALID, "kid", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "checkin");
	kv_str(&b, "who", "Sam");
	refused(&v, -PROTO_E_INVALID, "feeling", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "Max");
	refused(&v, -PROTO_E_INVALID, "what", &b);
	mpb_begin(&b, 1);
	kv_str(&b, "t", "kid.add");
	refused(&v, -PROTO_E_INVALID, "name", &b);
	/* Wrong types. */
	mpb_begin(&b, 3);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "minutes", "10");
	refused(&v, -PROTO_E_TYPE, "minutes", &b);
	mpb_begin(&b, 4);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "what", "x");
	mp_pack_kv_uint(&b.pk, "apologized", 1);
	refused(&v, -PROTO_E_TYPE, "apologized", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	mp_pack_kv_bin(&b.pk, "name", "Noa", 3);
	refused(&v, -PROTO_E_TYPE, "name", &b);
	views_finish(&v);
}

TEST(ranges_refused)
{
	static const int64_t	minutes[] = { 0, 601, -1, 100000 };
	static const int64_t	intensity[] = { 0, 6, 9, -3 };
	struct views		v;
	struct mpb		b;
	size_t			i;

	setup(&v);
	for (i = 0; i < sizeof(minutes) / sizeof(minutes[0]); i++) {
		mpb_begin(&b, 3);
		kv_str(&b, "t", "one-on-one");
		kv_str(&b, "kid", "Max");
		mp_pack_kv_int(&b.pk, "minutes", minutes[i]);
		refused(&v, -PROTO_E_INVALID, "minutes", &b);
	}
	for (i = 0; i < sizeof(intensity) / sizeof(intensity[0]); i++) {
		mpb_begin(&b, 4);
		kv_str(&b, "t", "checkin");
		kv_str(&b, "who", "Max");
		kv_str(&b, "feeling", "tired");
		mp_pack_kv_int(&b.pk, "intensity", intensity[i]);
		refused(&v, -PROTO_E_INVALID, "intensity", &b);
	}
	mpb_begin(&b, 3);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "Max");
	mp_pack_kv_uint(&b.pk, "minutes", UINT64_MAX);
	ASSERT(refused(&v, -PROTO_E_TYPE, "minutes", &b));
	mpb_begin(&b, 3);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "at", "the day after tomorrow");
	refused(&v, -PROTO_E_INVALID, "at", &b);
	views_finish(&v);
}

TEST(text_refused)
{
	static char	big[PROTO_MAX_TEXT + 2];
	struct views	v;
	struct mpb	b;
	struct built	r;

	setup(&v);
	/* Empty and blank. */
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "");
	refused(&v, -PROTO_E_INVALID, "name", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "   ");
	refused(&v, -PROTO_E_INVALID, "name", &b);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "what", "");
	refused(&v, -PROTO_E_INVALID, "what", &b);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "what", "    ");
	refused(&v, -PROTO_E_INVALID, "what", &b);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "checkin");
	kv_str(&b, "who", "Max");
	kv_str(&b, "feeling", " ");
	refused(&v, -PROTO_E_INVALID, "feeling", &b);

	/* Lengths: 4096 bytes of note go, 4097 do not; names 64 and 65. */
	memset(big, 'n', PROTO_MAX_TEXT);
	big[PROTO_MAX_TEXT] = '\0';
	mpb_begin(&b, 3);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "what", big);
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	built_end(&r);
	big[PROTO_MAX_TEXT] = 'n';
	big[PROTO_MAX_TEXT + 1] = '\0';
	mpb_begin(&b, 4);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "what", "x");
	kv_str(&b, "note", big);
	refused(&v, -PROTO_E_TOOBIG, "note", &b);
	big[PROTO_MAX_NAME] = '\0';
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", big);
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	built_end(&r);
	big[PROTO_MAX_NAME] = 'n';
	big[PROTO_MAX_NAME + 1] = '\0';
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", big);
	refused(&v, -PROTO_E_TOOBIG, "name", &b);

	/* Control characters: C0, DEL, C1; a tab even in text. */
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "No\x01" "a");
	refused(&v, -PROTO_E_INVALID, "control", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "No\na");
	refused(&v, -PROTO_E_INVALID, "control", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Noa\x7f");
	refused(&v, -PROTO_E_INVALID, "control", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "No\xc2\x9b" "a");
	refused(&v, -PROTO_E_INVALID, "control", &b);
	mpb_begin(&b, 4);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "what", "x");
	kv_str(&b, "note", "a\tb");
	refused(&v, -PROTO_E_INVALID, "note", &b);
	mpb_begin(&b, 4);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "Max");
	kv_str(&b, "what", "x");
	kv_str(&b, "note", "\x1b[2J");
	refused(&v, -PROTO_E_INVALID, "note", &b);
	/* Not UTF-8. */
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "No\xff" "a");
	refused(&v, -PROTO_E_INVALID, "name", &b);
	/* UTF-8 letters are welcome. */
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Zo\xc3\xab");
	build(&r, &v, &b);
	ASSERT_EQ_INT(r.rc, 0);
	check_str(&r, "name", "Zo\xc3\xab");
	built_end(&r);
	views_finish(&v);
}

/*
 * Text made only of blanks says nothing, whatever the blanks are: a
 * newline is allowed inside text, but text of spaces and newlines alone
 * is as empty as text of spaces.
 */
TEST(blank_text_refused)
{
	static const char *const	 blank[] = { "\n", " \n ", "\n\n\n" };
	struct views			 v;
	struct mpb			 b;
	struct built			 r;
	size_t				 i;
	int				 accepted = 0;

	setup(&v);
	for (i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
		mpb_begin(&b, 3);
		kv_str(&b, "t", "repair");
		kv_str(&b, "kid", "Max");
		kv_str(&b, "what", blank[i]);
		build(&r, &v, &b);
		if (r.rc == 0) {
			printf("# what: %zu blank bytes accepted\n",
			    strlen(blank[i]));
			accepted++;
		} else
			ASSERT_EQ_INT(r.rc, -PROTO_E_INVALID);
		built_end(&r);
	}
	views_finish(&v);
	ASSERT_EQ_INT(accepted, 0);
}

TEST(members_refused)
{
	struct views	v;
	struct mpb	b;

	setup(&v);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "Zed");
	refused(&v, -PROTO_E_NOTFOUND, "Zed", &b);
	/* A parent is no kid. */
	mpb_begin(&b, 2);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "Sam");
	refused(&v, -PROTO_E_NOTFOUND, "Sam", &b);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "checkin");
	kv_str(&b, "who", "Zed");
	kv_str(&b, "feeling", "ok");
	refused(&v, -PROTO_E_NOTFOUND, "Zed", &b);
	/* An ambiguous prefix lists the candidates. */
	mpb_begin(&b, 2);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "Ma");
	refused(&v, -PROTO_E_AMBIGUOUS, "Maya", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "one-on-one");
	kv_str(&b, "kid", "m");
	refused(&v, -PROTO_E_AMBIGUOUS, "Max", &b);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "repair");
	kv_str(&b, "kid", "MA");
	kv_str(&b, "what", "x");
	refused(&v, -PROTO_E_AMBIGUOUS, "Maya, Max", &b);
	/* A kid's name taken, in any case, by a kid or a parent. */
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "maya");
	refused(&v, -PROTO_E_EXISTS, "maya", &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "LEO");
	refused(&v, -PROTO_E_EXISTS, NULL, &b);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "sam");
	refused(&v, -PROTO_E_EXISTS, NULL, &b);
	views_finish(&v);
}

TEST(born_dates)
{
	static const char *const	good[] = { "2024-02-29", "2000-02-29",
	    "1900-03-01", "2015-12-31", "2023-04-30" };
	static const char *const	bad[] = { "2023-02-29", "2024-13-01",
	    "2024-00-10", "2024-04-31", "2024-01-00", "1900-02-29",
	    "2100-02-29", "1899-12-31", "2024-4-01", "24-04-01",
	    "2024/04/01", "2024-04-01T", "20240401", "yesterday",
	    "2024-04-1x" };
	struct views			v;
	struct mpb			b;
	struct built			r;
	size_t				i;

	setup(&v);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		mpb_begin(&b, 3);
		kv_str(&b, "t", "kid.add");
		kv_str(&b, "name", "Noa");
		kv_str(&b, "born", good[i]);
		build(&r, &v, &b);
		if (r.rc != 0)
			harness_fail(__FILE__, __LINE__, "%s refused: %s",
			    good[i], r.cause);
		check_str(&r, "born", good[i]);
		built_end(&r);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mpb_begin(&b, 3);
		kv_str(&b, "t", "kid.add");
		kv_str(&b, "name", "Noa");
		kv_str(&b, "born", bad[i]);
		build(&r, &v, &b);
		if (r.rc != -PROTO_E_INVALID)
			harness_fail(__FILE__, __LINE__, "'%s': got %d",
			    bad[i], r.rc);
		ASSERT(strstr(r.cause, "born") != NULL);
		built_end(&r);
	}
	views_finish(&v);
}

/*
 * YYYY-MM-DD means four digits, a dash, two digits, a dash, two digits:
 * no blanks and no signs, which scanf's %d would let in.
 */
TEST(born_strict_format)
{
	static const char *const	bad[] = { " 2024-01-1", "2024- 1-01",
	    "2024-01- 1", "2024-+1-01", "2024-01-+1" };
	struct views			v;
	struct mpb			b;
	struct built			r;
	size_t				i;
	int				accepted = 0;

	setup(&v);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mpb_begin(&b, 3);
		kv_str(&b, "t", "kid.add");
		kv_str(&b, "name", "Noa");
		kv_str(&b, "born", bad[i]);
		build(&r, &v, &b);
		if (r.rc == 0) {
			printf("# born '%s' accepted\n", bad[i]);
			accepted++;
		}
		built_end(&r);
	}
	views_finish(&v);
	ASSERT_EQ_INT(accepted, 0);
}

/* Payloads that are not entries change nothing. */
TEST(apply_refuses_non_entries)
{
	struct views		 v;
	struct mpb		 b;
	struct envelope		 e;
	struct chain_author	*a;
	size_t			 n;

	setup(&v);
	n = v.nentries;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, alex.pk, ENV_PK);
	e.seq = 4;
	e.has_prev = true;
	memcpy(e.prev, alex.head, ENV_ID);
	e.hlc_ms = (uint64_t)NOW;
	/* Not msgpack, not a map, no kind, a kind that is not a string. */
	ASSERT(views_apply(&v, &e, (const uint8_t *)"\xc1", 1, NULL) < 0);
	ASSERT_EQ_INT(views_apply(&v, &e, (const uint8_t *)"\x91\x01", 2,
	    NULL), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(views_apply(&v, &e, (const uint8_t *)"\x81\xa1" "a"
	    "\x01", 4, NULL), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(views_apply(&v, &e, (const uint8_t *)"\x81\xa1" "t"
	    "\x01", 4, NULL), -PROTO_E_MALFORMED);
	ASSERT_EQ_UINT(v.nentries, n);
	ASSERT((a = chain_find(&v.chain, alex.pk)) != NULL);
	ASSERT_EQ_UINT(a->seq, 3);
	ASSERT(v.max_hlc < (uint64_t)NOW);
	/* An unknown kind from a newer peer is kept as it is. */
	mpb_begin(&b, 3);
	kv_str(&b, "t", "goal.set");
	kv_str(&b, "what", "more walks");
	mp_pack_kv_uint(&b.pk, "weeks", 6);
	ASSERT_EQ_INT(apply(&v, &alex, &b, NULL, NULL), 0);
	ASSERT_EQ_UINT(v.nentries, n + 1);
	ASSERT_EQ_INT(v.entries[n]->kind, KIND_OTHER);
	ASSERT_EQ_INT(v.entries[n]->subject, -1);
	ASSERT_EQ_UINT(v.nmembers, 5);
	views_finish(&v);
}

/* Only one genesis, and only at seq 1. */
TEST(apply_family_once)
{
	struct views	v, w;
	struct mpb	b;
	struct dev	eve;

	setup(&v);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "family.create");
	kv_str(&b, "family", "Usurpers");
	kv_str(&b, "name", "Eve");
	dev_init(&eve, 9);
	ASSERT_EQ_INT(apply(&v, &eve, &b, NULL, NULL), 0);
	ASSERT_EQ_STR(v.family, "Rivera");
	ASSERT_EQ_UINT(v.nmembers, 5);
	ASSERT(!chain_find(&v.chain, eve.pk)->authorised);
	views_finish(&v);

	views_init(&w);
	dev_init(&eve, 9);
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Noa");
	ASSERT_EQ_INT(apply(&w, &eve, &b, NULL, NULL), 0);
	mpb_begin(&b, 3);
	kv_str(&b, "t", "family.create");
	kv_str(&b, "family", "Late");
	kv_str(&b, "name", "Eve");
	ASSERT_EQ_INT(apply(&w, &eve, &b, NULL, NULL), 0);
	ASSERT(!w.has_family);
	ASSERT_EQ_STR(w.family, "");
	views_finish(&w);
}

/* Entries stay in (hlc, id) order whatever order they arrive in. */
TEST(apply_orders_by_time)
{
	struct views	v;
	struct mpb	b;
	size_t		i;

	setup(&v);
	/* Sam's clock is behind: an entry older than everything so far. */
	hlc = HLC0 - 60000;
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Ada");
	ASSERT_EQ_INT(apply(&v, &sam, &b, NULL, NULL), 0);
	hlc = HLC0 + 2500;
	mpb_begin(&b, 2);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Bo");
	ASSERT_EQ_INT(apply(&v, &sam, &b, NULL, NULL), 0);
	ASSERT_EQ_UINT(v.nentries, 7);
	for (i = 1; i < v.nentries; i++)
		ASSERT(v.entries[i - 1]->hlc < v.entries[i]->hlc);
	ASSERT_EQ_UINT(v.entries[0]->hlc, HLC0 - 59000);
	ASSERT_EQ_UINT(v.entries[3]->hlc, HLC0 + 3000);
	ASSERT_EQ_UINT(v.max_hlc, HLC0 + 5000);
	views_finish(&v);
}

/*
 * A kid.add from a peer is not checked by kinds_build: its born field
 * may be any string the peer's author signed. The member keeps at most
 * a date's 10 bytes, and nothing beside it is touched.
 */
TEST(apply_long_born)
{
	struct views		 v;
	struct mpb		 b;
	struct view_member	*m;
	char			 born[PROTO_MAX_NAME + 1];
	uint8_t			 zero[ENV_PK];

	setup(&v);
	memset(born, '9', PROTO_MAX_NAME);
	born[PROTO_MAX_NAME] = '\0';
	mpb_begin(&b, 3);
	kv_str(&b, "t", "kid.add");
	kv_str(&b, "name", "Noa");
	kv_str(&b, "born", born);
	ASSERT_EQ_INT(apply(&v, &alex, &b, NULL, NULL), 0);
	ASSERT_EQ_UINT(v.nmembers, 6);
	m = &v.members[5];
	ASSERT_EQ_STR(m->name, "Noa");
	ASSERT(m->kid);
	ASSERT(strlen(m->born) <= 10);
	ASSERT_EQ_INT(m->ts, HLC0 + 6000);
	memset(zero, 0, sizeof(zero));
	ASSERT_EQ_MEM(m->device, zero, ENV_PK);
	views_finish(&v);
}
