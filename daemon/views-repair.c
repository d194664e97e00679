/*
 * views-repair.c: repair after a conflict. A repair entry opens it (with
 * the kid or kids, what happened, my part, and the Collaborative &
 * Proactive Solutions plan: empathy, adult concern, invitation); a live
 * repair.done, or "repaired": true on the entry itself, closes it. What a
 * repair.done adds (apologised, what the kid said, the plan, a note)
 * overrides the repair's own fields, the newest done last. Open repairs
 * come oldest first and are flagged once open for 48 hours.
 */
#include <stdlib.h>
#include <string.h>

#include "mp.h"
#include "views.h"

#define REPAIR_MAX_LIST	1000

struct repair_rec {
	const struct view_entry	*ve;
	const struct view_entry	*done;		/* newest live repair.done */
	int64_t			 opened;
	int64_t			 repaired;	/* 0: open */
};

static size_t	repair_collect(const struct views *, int kid,
		    struct repair_rec **);
static void	repair_done_of(const struct views *, struct repair_rec *);
static int	repair_cmp(const void *, const void *);
static void	repair_pack(const struct views *, const struct views_clock *,
		    const struct repair_rec *, msgpack_packer *);
static void	repair_pack_kids(const struct views *, msgpack_packer *,
		    const struct views_eff *);
static void	repair_pack_text(msgpack_packer *, const char *,
		    const struct views_eff *, const struct views_eff *);

/*
 * Every live repair with kid among its kids (-1: all) into *out (caller
 * frees). Return how many.
 */
static size_t
repair_collect(const struct views *v, int kid, struct repair_rec **out)
{
	struct views_iter	 it;
	struct views_eff	 eff;
	struct repair_rec	*r = NULL, *nr;
	size_t			 n = 0, cap = 0;
	bool			 match, repaired;

	*out = NULL;
	views_iter_init(&it, v, KIND_BIT(KIND_REPAIR), 0, 0, -1);
	while (views_iter_next(&it)) {
		repaired = (it.flags & VIEW_K_REPAIRED) != 0;
		/* Read the payload only when the key cannot tell. */
		if (it.amended || (kid >= 0 && it.who != kid)) {
			if (!it.amended && !(it.flags & VIEW_K_MULTI))
				continue;
			if (views_eff_open(v, it.ve, &eff) < 0) {
				views_eff_close(&eff);
				continue;
			}
			match = kid < 0 || it.who == kid ||
			    views_eff_has_member(v, &eff, "kids", kid);
			repaired = views_eff_bool(&eff, "repaired", false);
			views_eff_close(&eff);
			if (!match)
				continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nr = reallocarray(r, cap, sizeof(*r))) == NULL)
				break;
			r = nr;
		}
		memset(&r[n], 0, sizeof(r[n]));
		r[n].ve = it.ve;
		r[n].opened = it.at;
		if (repaired)
			r[n].repaired = it.at;
		repair_done_of(v, &r[n]);
		n++;
	}
	*out = r;
	return (n);
}

/* The newest live repair.done of r, if any: r->done and r->repaired. */
static void
repair_done_of(const struct views *v, struct repair_rec *r)
{
	struct views_eff	 deff;
	size_t			 first, nl, i;

	nl = views_links(v, r->ve->id, &first);
	for (i = 0; i < nl; i++) {
		const struct view_entry	*d = v->links[first + i].ve;

		if (d->kind != KIND_REPAIR_DONE ||
		    views_retracted(v, d) != NULL)
			continue;
		if (views_eff_open(v, d, &deff) == 0) {
			r->done = d;
			r->repaired = views_eff_time(d, &deff, "at");
		}
		views_eff_close(&deff);
	}
}

/* Open first, oldest first; then repaired, newest repair first. */
static int
repair_cmp(const void *a, const void *b)
{
	const struct repair_rec	*x = a, *y = b;

	if ((x->repaired == 0) != (y->repaired == 0))
		return (x->repaired == 0 ? -1 : 1);
	if (x->repaired == 0)
		return (x->opened < y->opened ? -1 : x->opened > y->opened);
	return (x->repaired > y->repaired ? -1 : x->repaired < y->repaired);
}

/* The kid and the other kids of a repair, as refs. */
static void
repair_pack_kids(const struct views *v, msgpack_packer *pk,
    const struct views_eff *eff)
{
	const msgpack_object	*o = mp_map_get(eff->map, "kids");
	int			 idx[9], n = 0, k, j;
	uint32_t		 i;

	if ((k = views_eff_member(v, eff, "kid")) >= 0)
		idx[n++] = k;
	for (i = 0; o != NULL && o->type == MSGPACK_OBJECT_ARRAY &&
	    i < o->via.array.size && n < 9; i++) {
		const msgpack_object *it = &o->via.array.ptr[i];

		if (it->type != MSGPACK_OBJECT_BIN ||
		    it->via.bin.size != ENV_ID ||
		    (k = views_member_by_id(v, (const uint8_t *)
		    it->via.bin.ptr)) < 0)
			continue;
		for (j = 0; j < n && idx[j] != k; j++)
			;
		if (j == n)
			idx[n++] = k;
	}
	msgpack_pack_array(pk, (uint32_t)n);
	for (j = 0; j < n; j++)
		views_pack_ref(v, pk, idx[j]);
}

/* key: the done's text if it has one, else the repair's, else nil. */
static void
repair_pack_text(msgpack_packer *pk, const char *key,
    const struct views_eff *eff, const struct views_eff *done)
{
	const msgpack_object	*o = NULL;

	mp_pack_cstr(pk, key);
	if (done != NULL)
		o = mp_map_get(done->map, key);
	if (o == NULL || o->type != MSGPACK_OBJECT_STR)
		o = mp_map_get(eff->map, key);
	if (o != NULL && o->type == MSGPACK_OBJECT_STR)
		msgpack_pack_object(pk, *o);
	else
		msgpack_pack_nil(pk);
}

static void
repair_pack(const struct views *v, const struct views_clock *c,
    const struct repair_rec *r, msgpack_packer *pk)
{
	static const char *const texts[] = { "what", "my_part", "heard",
	    "plan", "empathy", "concern", "invitation", "note" };
	struct views_eff	 eff, deff;
	bool			 apologized, has_done = false;
	size_t			 i;
	int64_t			 age = c->now - r->opened;

	memset(&deff, 0, sizeof(deff));
	if (views_eff_open(v, r->ve, &eff) < 0) {
		views_eff_close(&eff);
		msgpack_pack_nil(pk);
		return;
	}
	if (r->done != NULL)
		has_done = views_eff_open(v, r->done, &deff) == 0;
	apologized = views_eff_bool(&eff, "apologized", false);
	if (has_done)
		apologized = views_eff_bool(&deff, "apologized", apologized);
	msgpack_pack_map(pk, 8 + 8);
	mp_pack_kv_hex(pk, "id", r->ve->id, ENV_ID);
	mp_pack_cstr(pk, "kids");
	repair_pack_kids(v, pk, &eff);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		repair_pack_text(pk, texts[i], &eff, has_done ? &deff : NULL);
	mp_pack_kv_bool(pk, "apologized", apologized);
	mp_pack_kv_int(pk, "opened", r->opened);
	mp_pack_kv_str(pk, "state", r->repaired ? "repaired" : "open");
	mp_pack_cstr(pk, "repaired");
	if (r->repaired)
		msgpack_pack_int64(pk, r->repaired);
	else
		msgpack_pack_nil(pk);
	mp_pack_kv_uint(pk, "age_hours", age > 0 ? (uint64_t)(age /
	    VIEWS_HOUR_MS) : 0);
	mp_pack_kv_bool(pk, "flagged", !r->repaired &&
	    age >= VIEWS_REPAIR_FLAG_MS);
	views_eff_close(&eff);
	if (has_done)
		views_eff_close(&deff);
}

/*
 * Repairs with kid (-1: all): open ones oldest first, then (unless
 * open_only) repaired ones, newest first; at most REPAIR_MAX_LIST.
 */
void
views_pack_repairs(const struct views *v, const struct views_clock *c,
    int kid, bool open_only, msgpack_packer *pk)
{
	struct repair_rec	*r;
	size_t			 n, i, m = 0;

	n = repair_collect(v, kid, &r);
	if (n > 0)
		qsort(r, n, sizeof(*r), repair_cmp);
	for (i = 0; i < n && m < REPAIR_MAX_LIST; i++)
		m += !open_only || r[i].repaired == 0;
	msgpack_pack_array(pk, (uint32_t)m);
	for (i = 0; i < m; i++)
		repair_pack(v, c, &r[i], pk);
	free(r);
}

/* The open repairs with kid (-1: all), oldest first. Return how many. */
size_t
views_open_repairs(const struct views *v, const struct views_clock *c,
    int kid, const struct view_entry **out, size_t max)
{
	struct repair_rec	*r;
	size_t			 n, i, m = 0;

	n = repair_collect(v, kid, &r);
	if (n > 0)
		qsort(r, n, sizeof(*r), repair_cmp);
	for (i = 0; i < n && m < max && r[i].repaired == 0; i++)
		out[m++] = r[i].ve;
	free(r);
	(void)c;
	return (m);
}

/*
 * Repairs of the week with kid: {opened, repaired, open} (opened and
 * repaired in this week; open now).
 */
void
views_pack_repair_week(const struct views *v, const struct views_clock *c,
    int kid, msgpack_packer *pk)
{
	struct repair_rec	*r;
	size_t			 n, i;
	uint64_t		 opened = 0, repaired = 0, open = 0;

	n = repair_collect(v, kid, &r);
	for (i = 0; i < n; i++) {
		opened += r[i].opened >= c->week && r[i].opened < c->next_week;
		repaired += r[i].repaired >= c->week &&
		    r[i].repaired < c->next_week;
		open += r[i].repaired == 0;
	}
	free(r);
	msgpack_pack_map(pk, 3);
	mp_pack_kv_uint(pk, "opened", opened);
	mp_pack_kv_uint(pk, "repaired", repaired);
	mp_pack_kv_uint(pk, "open", open);
}

/*
 * Repairs with kid in [from, to): *opened (withdrawals) and *repaired
 * (deposits), for the bank account.
 */
void
views_repair_counts(const struct views *v, int kid, int64_t from, int64_t to,
    uint64_t *opened, uint64_t *repaired)
{
	struct repair_rec	*r;
	size_t			 n, i;

	*opened = *repaired = 0;
	n = repair_collect(v, kid, &r);
	for (i = 0; i < n; i++) {
		*opened += r[i].opened >= from && r[i].opened < to;
		*repaired += r[i].repaired != 0 && r[i].repaired >= from &&
		    r[i].repaired < to;
	}
	free(r);
}
