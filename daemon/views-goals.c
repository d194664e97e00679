/*
 * views-goals.c: goals a kid set, reviewed in 1:1s, and the kid's
 * strengths and interests. A goal is active until a live goal.close says
 * done or dropped (the newest wins); its progress notes are the live
 * goal.progress entries that name it, each tagged with some of the five
 * power behaviours (kinds_behaviors). Derived: active goals per kid, the
 * last progress, and which behaviours showed up this month.
 */
#include <string.h>

#include "mp.h"
#include "views.h"

#define GOAL_MAX_LIST		500
#define GOAL_NBEHAVIORS		5

extern const char *const kinds_behaviors[];

struct goal_state {
	const char		*state;		/* active, done, dropped */
	int64_t			 closed;
	uint64_t		 nprogress;
	const struct view_entry	*last;
	int64_t			 last_at;
	uint64_t		 behaviors[GOAL_NBEHAVIORS];	/* this month */
};

static void	goal_read(const struct views *, const struct views_clock *,
		    const struct view_entry *, struct goal_state *);
static void	goal_tags(const struct views_eff *, uint64_t *);
static void	goal_pack(const struct views *, const struct views_clock *,
		    const struct view_entry *, int64_t, int,
		    const struct goal_state *, msgpack_packer *);
static void	goal_pack_behaviors(msgpack_packer *, const uint64_t *);
static void	goal_pack_str(msgpack_packer *, const struct views_eff *,
		    const char *);

/* Count the behaviours a progress entry is tagged with. */
static void
goal_tags(const struct views_eff *eff, uint64_t *counts)
{
	const msgpack_object	*o = mp_map_get(eff->map, "behaviors");
	uint32_t		 i;
	int			 b;

	for (i = 0; o != NULL && o->type == MSGPACK_OBJECT_ARRAY &&
	    i < o->via.array.size; i++) {
		for (b = 0; b < GOAL_NBEHAVIORS; b++) {
			if (mp_str_eq(&o->via.array.ptr[i],
			    kinds_behaviors[b]))
				counts[b]++;
		}
	}
}

/* A goal's state, progress and behaviours this month. */
static void
goal_read(const struct views *v, const struct views_clock *c,
    const struct view_entry *ve, struct goal_state *g)
{
	struct views_eff	 eff;
	const char		*s;
	size_t			 first, n, i, len;
	int64_t			 at;

	memset(g, 0, sizeof(*g));
	g->state = "active";
	n = views_links(v, ve->id, &first);
	for (i = 0; i < n; i++) {
		const struct view_entry	*l = v->links[first + i].ve;

		if ((l->kind != KIND_GOAL_CLOSE &&
		    l->kind != KIND_GOAL_PROGRESS) ||
		    views_retracted(v, l) != NULL ||
		    views_eff_open(v, l, &eff) < 0) {
			views_eff_close(&eff);
			continue;
		}
		at = views_eff_time(l, &eff, "at");
		if (l->kind == KIND_GOAL_CLOSE) {
			g->state = mp_get_str(eff.map, "outcome", &s, &len,
			    16) == MP_FOUND && len == 7 &&
			    memcmp(s, "dropped", 7) == 0 ? "dropped" : "done";
			g->closed = at;
		} else {
			g->nprogress++;
			if (g->last == NULL || at >= g->last_at) {
				g->last = l;
				g->last_at = at;
			}
			if (at >= c->month && at < c->next_month)
				goal_tags(&eff, g->behaviors);
		}
		views_eff_close(&eff);
	}
}

static void
goal_pack_behaviors(msgpack_packer *pk, const uint64_t *counts)
{
	int	b;

	msgpack_pack_map(pk, GOAL_NBEHAVIORS);
	for (b = 0; b < GOAL_NBEHAVIORS; b++)
		mp_pack_kv_uint(pk, kinds_behaviors[b], counts[b]);
}

static void
goal_pack_str(msgpack_packer *pk, const struct views_eff *eff,
    const char *key)
{
	const msgpack_object	*o = mp_map_get(eff->map, key);

	mp_pack_cstr(pk, key);
	if (o != NULL && o->type == MSGPACK_OBJECT_STR)
		msgpack_pack_object(pk, *o);
	else
		msgpack_pack_nil(pk);
}

/*
 * {id, kid, text, due, set, state, closed, progress, last_progress,
 * behaviors_month}.
 */
static void
goal_pack(const struct views *v, const struct views_clock *c,
    const struct view_entry *ve, int64_t at, int kid,
    const struct goal_state *g, msgpack_packer *pk)
{
	struct views_eff	 eff, leff;
	const msgpack_object	*o;

	if (views_eff_open(v, ve, &eff) < 0) {
		views_eff_close(&eff);
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 10);
	mp_pack_kv_hex(pk, "id", ve->id, ENV_ID);
	mp_pack_cstr(pk, "kid");
	views_pack_ref(v, pk, kid);
	goal_pack_str(pk, &eff, "text");
	goal_pack_str(pk, &eff, "due");
	mp_pack_kv_int(pk, "set", at);
	mp_pack_kv_str(pk, "state", g->state);
	mp_pack_cstr(pk, "closed");
	if (g->closed != 0)
		msgpack_pack_int64(pk, g->closed);
	else
		msgpack_pack_nil(pk);
	mp_pack_kv_uint(pk, "progress", g->nprogress);
	mp_pack_cstr(pk, "last_progress");
	if (g->last != NULL && views_eff_open(v, g->last, &leff) == 0) {
		msgpack_pack_map(pk, 4);
		mp_pack_kv_hex(pk, "id", g->last->id, ENV_ID);
		mp_pack_kv_int(pk, "at", g->last_at);
		goal_pack_str(pk, &leff, "note");
		mp_pack_cstr(pk, "behaviors");
		if ((o = mp_map_get(leff.map, "behaviors")) != NULL &&
		    o->type == MSGPACK_OBJECT_ARRAY)
			msgpack_pack_object(pk, *o);
		else
			msgpack_pack_array(pk, 0);
		views_eff_close(&leff);
	} else {
		if (g->last != NULL)
			views_eff_close(&leff);
		msgpack_pack_nil(pk);
	}
	mp_pack_cstr(pk, "behaviors_month");
	goal_pack_behaviors(pk, g->behaviors);
	views_eff_close(&eff);
	(void)c;
}

/*
 * Goals of kid (-1: every kid), oldest first: the active ones, or all
 * when all is set. At most GOAL_MAX_LIST.
 */
void
views_pack_goals(const struct views *v, const struct views_clock *c,
    int kid, bool all, msgpack_packer *pk)
{
	struct views_iter	it;
	struct goal_state	g;
	uint32_t		n = 0;

	views_iter_init(&it, v, KIND_BIT(KIND_GOAL), 0, 0, kid);
	while (views_iter_next(&it) && n < GOAL_MAX_LIST) {
		goal_read(v, c, it.ve, &g);
		n += all || strcmp(g.state, "active") == 0;
	}
	msgpack_pack_array(pk, n);
	views_iter_init(&it, v, KIND_BIT(KIND_GOAL), 0, 0, kid);
	while (n > 0 && views_iter_next(&it)) {
		goal_read(v, c, it.ve, &g);
		if (!all && strcmp(g.state, "active") != 0)
			continue;
		goal_pack(v, c, it.ve, it.at, it.who, &g, pk);
		n--;
	}
}

/* How many active goals kid has. */
size_t
views_active_goals(const struct views *v, int kid)
{
	struct views_clock	c;
	struct views_iter	it;
	struct goal_state	g;
	size_t			n = 0;

	memset(&c, 0, sizeof(c));
	views_iter_init(&it, v, KIND_BIT(KIND_GOAL), 0, 0, kid);
	while (views_iter_next(&it)) {
		goal_read(v, &c, it.ve, &g);
		n += strcmp(g.state, "active") == 0;
	}
	return (n);
}

/* Behaviours shown this month in kid's progress notes: {name: count}. */
void
views_pack_behaviors(const struct views *v, const struct views_clock *c,
    int kid, msgpack_packer *pk)
{
	struct views_iter	it;
	struct goal_state	g;
	uint64_t		counts[GOAL_NBEHAVIORS];
	int			b;

	memset(counts, 0, sizeof(counts));
	views_iter_init(&it, v, KIND_BIT(KIND_GOAL), 0, 0, kid);
	while (views_iter_next(&it)) {
		goal_read(v, c, it.ve, &g);
		for (b = 0; b < GOAL_NBEHAVIORS; b++)
			counts[b] += g.behaviors[b];
	}
	goal_pack_behaviors(pk, counts);
}

/* Goals in the week with kid: {active, progress (notes this week)}. */
void
views_pack_goal_week(const struct views *v, const struct views_clock *c,
    int kid, msgpack_packer *pk)
{
	struct views_iter	 it;
	const struct view_entry	*goal;
	uint64_t		 progress = 0;

	views_iter_init(&it, v, KIND_BIT(KIND_GOAL_PROGRESS), c->week,
	    c->next_week, -1);
	while (views_iter_next(&it)) {
		struct views_eff	 eff;
		const uint8_t		*ref;

		goal = NULL;
		if (views_eff_open(v, it.ve, &eff) == 0 &&
		    mp_get_bin(eff.map, "goal", &ref, ENV_ID) == MP_FOUND)
			goal = views_entry_by_id(v, ref);
		views_eff_close(&eff);
		if (goal != NULL && goal->subject == kid)
			progress++;
	}
	msgpack_pack_map(pk, 2);
	mp_pack_kv_uint(pk, "active", views_active_goals(v, kid));
	mp_pack_kv_uint(pk, "progress", progress);
}

/* kid's strengths and interests, oldest first: [{id, text, type, at}]. */
void
views_pack_strengths(const struct views *v, int kid, msgpack_packer *pk)
{
	struct views_iter	 it;
	struct views_eff	 eff;
	const msgpack_object	*o;
	uint32_t		 n = 0;

	views_iter_init(&it, v, KIND_BIT(KIND_STRENGTH), 0, 0, kid);
	while (views_iter_next(&it) && n < GOAL_MAX_LIST)
		n++;
	msgpack_pack_array(pk, n);
	views_iter_init(&it, v, KIND_BIT(KIND_STRENGTH), 0, 0, kid);
	while (n > 0 && views_iter_next(&it)) {
		n--;
		if (views_eff_open(v, it.ve, &eff) < 0) {
			views_eff_close(&eff);
			msgpack_pack_nil(pk);
			continue;
		}
		msgpack_pack_map(pk, 4);
		mp_pack_kv_hex(pk, "id", it.ve->id, ENV_ID);
		goal_pack_str(pk, &eff, "text");
		mp_pack_cstr(pk, "type");
		if ((o = mp_map_get(eff.map, "type")) != NULL &&
		    o->type == MSGPACK_OBJECT_STR)
			msgpack_pack_object(pk, *o);
		else
			mp_pack_cstr(pk, "strength");
		mp_pack_kv_int(pk, "at", it.at);
		views_eff_close(&eff);
	}
}
