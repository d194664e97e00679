/*
 * views-week.c: the weekly one-on-one "special time" per kid: the plans
 * in force (a newer plan by the same parent for the same kid replaces
 * the older; plan.stop ends them), the week's planned slots and what
 * became of them, the sessions, minutes by each parent, the streak of
 * weeks in a row with a 1:1, and the balance between parents by week and
 * month. Derived by scanning the entries; nothing is kept between calls.
 *
 * Matching slots and sessions: the week's sessions cover its slots in
 * time order (two sessions cover the first two slots, whenever they
 * happened in the week). An uncovered slot is "missed" once its day is
 * over, "today" on its day, "later" before. A kid with no plan has a
 * target of one session a week: due while the week runs, missed after.
 */
#include <stdlib.h>
#include <string.h>

#include "mp.h"
#include "views.h"

#define WEEK_MAX_SLOTS		64
#define WEEK_MAX_SESSIONS	256
#define WEEK_MAX_PARENTS	8

struct plan_rec {
	const struct view_entry	*ve;
	int			 kid, by;
	unsigned		 days;		/* bit 0 = Sunday */
	int			 time;		/* minutes after midnight */
	uint64_t		 minutes;
	int64_t			 from, until;	/* until 0: in force */
};

struct parent_sum {
	int		member;
	uint64_t	count, minutes;
};

static size_t	week_plans(const struct views *, int kid, struct plan_rec **);
static void	week_plan_read(const struct views *, const struct view_entry *,
		    int64_t, struct plan_rec *);
static int	week_slot_cmp(const void *, const void *);
static size_t	week_parents(const struct views *, struct parent_sum *);
static void	week_sum(const struct views *, int kid, int64_t from,
		    int64_t to, struct parent_sum *, size_t, uint64_t *,
		    uint64_t *);
static void	week_pack_sums(const struct views *, msgpack_packer *,
		    const struct parent_sum *, size_t);
static void	week_pack_session(const struct views *, msgpack_packer *,
		    const struct view_entry *, int64_t);
static void	week_pack_days(msgpack_packer *, unsigned);
static void	week_slot_states(const struct views *,
		    const struct views_clock *, struct views_slot *, size_t);
static int	week_ms_cmp(const void *, const void *);

static const char *const week_day_names[] = { "sun", "mon", "tue", "wed",
    "thu", "fri", "sat" };

/* A plan's fields as they stand (amends applied). */
static void
week_plan_read(const struct views *v, const struct view_entry *ve,
    int64_t at, struct plan_rec *p)
{
	struct views_eff	 eff;
	const msgpack_object	*days;
	const char		*s;
	size_t			 len;
	uint32_t		 i;

	memset(p, 0, sizeof(*p));
	p->ve = ve;
	p->from = at;
	p->kid = p->by = -1;
	p->minutes = 10;
	if (views_eff_open(v, ve, &eff) == 0) {
		p->kid = views_eff_member(v, &eff, "kid");
		if ((p->by = views_eff_member(v, &eff, "by")) < 0)
			p->by = views_author_member(v, ve);
		days = mp_map_get(eff.map, "days");
		for (i = 0; days != NULL && days->type ==
		    MSGPACK_OBJECT_ARRAY && i < days->via.array.size; i++) {
			if (days->via.array.ptr[i].type ==
			    MSGPACK_OBJECT_POSITIVE_INTEGER &&
			    days->via.array.ptr[i].via.u64 < 7)
				p->days |= 1U <<
				    days->via.array.ptr[i].via.u64;
		}
		if (mp_get_str(eff.map, "time", &s, &len, 8) != MP_FOUND ||
		    kinds_hhmm(s, len, &p->time) < 0)
			p->days = 0;		/* unreadable: never due */
		p->minutes = views_eff_uint(&eff, "minutes", 10);
	}
	views_eff_close(&eff);
}

/*
 * Every plan ever made for kid (-1: any kid), with the time it was in
 * force: from its entry until a newer plan by the same parent for the
 * same kid, or a plan.stop, replaced it. *out (caller frees) may be NULL
 * when none. Return how many.
 */
static size_t
week_plans(const struct views *v, int kid, struct plan_rec **out)
{
	struct views_iter	 it;
	struct views_eff	 eff;
	struct plan_rec		*p = NULL, *np, rec;
	size_t			 n = 0, cap = 0, i;
	int			 by, skid;

	*out = NULL;
	views_iter_init(&it, v, KIND_BIT(KIND_PLAN) | KIND_BIT(KIND_PLAN_STOP),
	    0, 0, kid);
	while (views_iter_next(&it)) {
		if (it.ve->kind == KIND_PLAN)
			week_plan_read(v, it.ve, it.at, &rec);
		else {
			memset(&rec, 0, sizeof(rec));
			by = -1;
			if (views_eff_open(v, it.ve, &eff) == 0)
				by = views_eff_member(v, &eff, "by");
			views_eff_close(&eff);
			rec.kid = it.who;
			rec.by = by;
		}
		skid = rec.kid;
		for (i = 0; i < n; i++) {
			if (p[i].until == 0 && p[i].kid == skid &&
			    (rec.by < 0 || p[i].by == rec.by))
				p[i].until = it.at > p[i].from ? it.at :
				    p[i].from;
		}
		if (it.ve->kind != KIND_PLAN || rec.kid < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((np = reallocarray(p, cap, sizeof(*p))) == NULL)
				break;
			p = np;
		}
		p[n++] = rec;
	}
	*out = p;
	return (n);
}

static int
week_slot_cmp(const void *a, const void *b)
{
	const struct views_slot	*x = a, *y = b;

	if (x->at != y->at)
		return (x->at < y->at ? -1 : 1);
	return (x->kid - y->kid);
}

/*
 * Each slot's state: the sessions of its kid in its week cover that
 * week's slots in time order. One pass over the sessions of the weeks
 * the slots span.
 */
static void
week_slot_states(const struct views *v, const struct views_clock *c,
    struct views_slot *sl, size_t n)
{
	struct views_iter	 it;
	uint32_t		 sess[WEEK_MAX_SLOTS];
	int64_t			 wk[WEEK_MAX_SLOTS], from, to;
	size_t			 i, k;

	for (i = 0; i < n; i++) {
		wk[i] = views_week_of(c->week_start, sl[i].at);
		sess[i] = 0;
	}
	from = wk[0];
	to = views_day_add(wk[n - 1], 7);
	views_iter_init(&it, v, KIND_BIT(KIND_ONE_ON_ONE), from, to, -1);
	while (views_iter_next(&it)) {
		for (i = 0; i < n; i++) {
			if (sl[i].kid == it.who && it.at >= wk[i] &&
			    it.at < views_day_add(wk[i], 7))
				sess[i]++;
		}
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++) {
			if (sl[k].kid == sl[i].kid && wk[k] == wk[i] &&
			    sess[i] > 0)
				sess[i]--;
		}
		if (sess[i] > 0)
			sl[i].state = "done";
		else if (views_day_add(views_day_start(sl[i].at), 1) <= c->now)
			sl[i].state = "missed";
		else if (sl[i].at >= c->today && sl[i].at < c->tomorrow)
			sl[i].state = "today";
		else
			sl[i].state = "later";
	}
}

/*
 * The planned slots of kid (-1: every kid) with at in [from, to), at
 * most max, in time order, each with its state for the week it falls in
 * (see the top of this file). Return how many.
 */
size_t
views_slots(const struct views *v, const struct views_clock *c, int kid,
    int64_t from, int64_t to, struct views_slot *out, size_t max)
{
	struct plan_rec		*p;
	size_t			 np, n = 0, i;
	int64_t			 day, at;
	int			 d;

	np = week_plans(v, kid, &p);
	for (i = 0; i < np; i++) {
		for (d = 0, day = views_day_start(from); day < to && n < max &&
		    d < 400; d++, day = views_day_add(day, 1)) {
			if (!(p[i].days & (1U << views_weekday(day))))
				continue;
			at = views_day_at(day, p[i].time);
			if (at < from || at >= to || at < p[i].from ||
			    (p[i].until != 0 && at >= p[i].until))
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			out[n].plan = p[i].ve;
			out[n].at = at;
			out[n].kid = p[i].kid;
			out[n].by = p[i].by;
			out[n].minutes = p[i].minutes;
			n++;
		}
	}
	free(p);
	qsort(out, n, sizeof(*out), week_slot_cmp);
	if (n > 0)
		week_slot_states(v, c, out, n);
	return (n);
}

/* The parents of the family, in the order they joined. */
static size_t
week_parents(const struct views *v, struct parent_sum *s)
{
	size_t	i, n = 0;

	for (i = 0; i < v->nmembers && n < WEEK_MAX_PARENTS; i++) {
		if (v->members[i].kid)
			continue;
		memset(&s[n], 0, sizeof(s[n]));
		s[n++].member = (int)i;
	}
	return (n);
}

/*
 * Sessions with kid in [from, to): counts and minutes per parent (a
 * session with both counts for each), and in all (*count, *minutes).
 */
static void
week_sum(const struct views *v, int kid, int64_t from, int64_t to,
    struct parent_sum *s, size_t np, uint64_t *count, uint64_t *minutes)
{
	struct views_iter	 it;
	struct views_eff	 eff;
	uint64_t		 m;
	size_t			 i;
	int			 author;

	*count = *minutes = 0;
	views_iter_init(&it, v, KIND_BIT(KIND_ONE_ON_ONE), from, to, kid);
	while (views_iter_next(&it)) {
		if (views_eff_open(v, it.ve, &eff) < 0) {
			views_eff_close(&eff);
			continue;
		}
		m = views_eff_uint(&eff, "minutes", 10);
		(*count)++;
		*minutes += m;
		author = views_author_member(v, it.ve);
		for (i = 0; i < np; i++) {
			if (mp_map_get(eff.map, "parents") != NULL ?
			    views_eff_has_member(v, &eff, "parents",
			    s[i].member) : s[i].member == author) {
				s[i].count++;
				s[i].minutes += m;
			}
		}
		views_eff_close(&eff);
	}
}

static void
week_pack_sums(const struct views *v, msgpack_packer *pk,
    const struct parent_sum *s, size_t n)
{
	size_t	i;

	msgpack_pack_array(pk, (uint32_t)n);
	for (i = 0; i < n; i++) {
		msgpack_pack_map(pk, 3);
		mp_pack_cstr(pk, "parent");
		views_pack_ref(v, pk, s[i].member);
		mp_pack_kv_uint(pk, "count", s[i].count);
		mp_pack_kv_uint(pk, "minutes", s[i].minutes);
	}
}

static void
week_pack_days(msgpack_packer *pk, unsigned days)
{
	int	d;

	msgpack_pack_array(pk, (uint32_t)__builtin_popcount(days & 0x7f));
	for (d = 0; d < 7; d++) {
		if (days & (1U << d))
			mp_pack_cstr(pk, week_day_names[d]);
	}
}

/* One session: {id, at, minutes, parents, activity, child_led, ...}. */
static void
week_pack_session(const struct views *v, msgpack_packer *pk,
    const struct view_entry *ve, int64_t at)
{
	struct views_eff	 eff;
	const msgpack_object	*o;
	uint32_t		 i, n = 0;
	int			 idx;

	if (views_eff_open(v, ve, &eff) < 0) {
		views_eff_close(&eff);
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 8);
	mp_pack_kv_hex(pk, "id", ve->id, ENV_ID);
	mp_pack_kv_int(pk, "at", at);
	mp_pack_kv_uint(pk, "minutes", views_eff_uint(&eff, "minutes", 10));
	mp_pack_cstr(pk, "parents");
	o = mp_map_get(eff.map, "parents");
	if (o != NULL && o->type == MSGPACK_OBJECT_ARRAY) {
		for (i = 0; i < o->via.array.size; i++)
			n += o->via.array.ptr[i].type == MSGPACK_OBJECT_BIN &&
			    o->via.array.ptr[i].via.bin.size == ENV_ID &&
			    views_member_by_id(v, (const uint8_t *)
			    o->via.array.ptr[i].via.bin.ptr) >= 0;
		msgpack_pack_array(pk, n);
		for (i = 0; i < o->via.array.size; i++) {
			if (o->via.array.ptr[i].type != MSGPACK_OBJECT_BIN ||
			    o->via.array.ptr[i].via.bin.size != ENV_ID ||
			    (idx = views_member_by_id(v, (const uint8_t *)
			    o->via.array.ptr[i].via.bin.ptr)) < 0)
				continue;
			views_pack_ref(v, pk, idx);
		}
	} else if ((idx = views_author_member(v, ve)) >= 0) {
		msgpack_pack_array(pk, 1);
		views_pack_ref(v, pk, idx);
	} else
		msgpack_pack_array(pk, 0);
	mp_pack_cstr(pk, "activity");
	o = mp_map_get(eff.map, "activity");
	if (o != NULL && o->type == MSGPACK_OBJECT_STR)
		msgpack_pack_object(pk, *o);
	else
		msgpack_pack_nil(pk);
	mp_pack_kv_bool(pk, "child_led", views_eff_bool(&eff, "child_led",
	    true));
	mp_pack_kv_bool(pk, "screens_off", views_eff_bool(&eff,
	    "screens_off", true));
	mp_pack_cstr(pk, "topics");
	o = mp_map_get(eff.map, "topics");
	if (o != NULL && o->type == MSGPACK_OBJECT_STR)
		msgpack_pack_object(pk, *o);
	else
		msgpack_pack_nil(pk);
	views_eff_close(&eff);
}

/*
 * Weeks in a row with at least one 1:1 with kid, up to this week (or up
 * to last week while this week has none yet: the streak is still alive).
 */
int
views_streak(const struct views *v, const struct views_clock *c, int kid)
{
	struct views_iter	 it;
	int64_t			*ats = NULL, *na, wk;
	size_t			 n = 0, cap = 0, i;
	int			 streak = 0;

	views_iter_init(&it, v, KIND_BIT(KIND_ONE_ON_ONE), 0, c->next_week,
	    kid);
	it.from = INT64_MIN;
	while (views_iter_next(&it)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((na = reallocarray(ats, cap, sizeof(*na))) == NULL)
				break;
			ats = na;
		}
		ats[n++] = it.at;
	}
	if (n > 0)
		qsort(ats, n, sizeof(*ats), week_ms_cmp);
	/* Newest first: this week (if it has one), then back, no gap. */
	i = n;
	for (wk = c->week; i > 0; wk = views_day_add(wk, -7)) {
		if (ats[i - 1] >= wk) {
			streak++;
			while (i > 0 && ats[i - 1] >= wk)
				i--;
		} else if (wk != c->week)
			break;
	}
	free(ats);
	return (streak);
}

static int
week_ms_cmp(const void *a, const void *b)
{
	const int64_t	*x = a, *y = b;

	return (*x < *y ? -1 : *x > *y);
}

/*
 * The week of kid: {kid, from, to, planned, done, due, missed, minutes,
 * streak, slots, sessions, by_parent}.
 */
void
views_pack_week_kid(const struct views *v, const struct views_clock *c,
    int kid, msgpack_packer *pk)
{
	struct views_slot	 slots[WEEK_MAX_SLOTS];
	struct parent_sum	 sums[WEEK_MAX_PARENTS];
	struct views_iter	 it;
	size_t			 ns, np, i;
	uint64_t		 count, minutes, due = 0, missed = 0;
	uint32_t		 nsess = 0;

	ns = views_slots(v, c, kid, c->week, c->next_week, slots,
	    WEEK_MAX_SLOTS);
	np = week_parents(v, sums);
	week_sum(v, kid, c->week, c->next_week, sums, np, &count, &minutes);
	for (i = 0; i < ns; i++) {
		if (strcmp(slots[i].state, "missed") == 0)
			missed++;
		else if (strcmp(slots[i].state, "done") != 0)
			due++;
	}
	if (ns == 0 && count == 0) {
		if (c->now >= c->next_week)
			missed = 1;
		else
			due = 1;
	}
	msgpack_pack_map(pk, 12);
	mp_pack_cstr(pk, "kid");
	views_pack_ref(v, pk, kid);
	mp_pack_kv_int(pk, "from", c->week);
	mp_pack_kv_int(pk, "to", c->next_week);
	mp_pack_kv_uint(pk, "planned", ns);
	mp_pack_kv_uint(pk, "done", count);
	mp_pack_kv_uint(pk, "due", due);
	mp_pack_kv_uint(pk, "missed", missed);
	mp_pack_kv_uint(pk, "minutes", minutes);
	mp_pack_kv_uint(pk, "streak", (uint64_t)views_streak(v, c, kid));
	mp_pack_cstr(pk, "slots");
	msgpack_pack_array(pk, (uint32_t)ns);
	for (i = 0; i < ns; i++) {
		msgpack_pack_map(pk, 5);
		mp_pack_kv_int(pk, "at", slots[i].at);
		mp_pack_cstr(pk, "by");
		views_pack_ref(v, pk, slots[i].by);
		mp_pack_kv_uint(pk, "minutes", slots[i].minutes);
		mp_pack_kv_str(pk, "state", slots[i].state);
		mp_pack_kv_hex(pk, "plan", slots[i].plan->id, ENV_ID);
	}
	mp_pack_cstr(pk, "sessions");
	views_iter_init(&it, v, KIND_BIT(KIND_ONE_ON_ONE), c->week,
	    c->next_week, kid);
	while (views_iter_next(&it) && nsess < WEEK_MAX_SESSIONS)
		nsess++;
	msgpack_pack_array(pk, nsess);
	views_iter_init(&it, v, KIND_BIT(KIND_ONE_ON_ONE), c->week,
	    c->next_week, kid);
	while (nsess-- > 0 && views_iter_next(&it))
		week_pack_session(v, pk, it.ve, it.at);
	mp_pack_cstr(pk, "by_parent");
	week_pack_sums(v, pk, sums, np);
}

/* Balance between parents: {kid, week: [...], month: [...]}. */
void
views_pack_balance(const struct views *v, const struct views_clock *c,
    int kid, msgpack_packer *pk)
{
	struct parent_sum	sums[WEEK_MAX_PARENTS];
	size_t			np;
	uint64_t		count, minutes;

	msgpack_pack_map(pk, 3);
	mp_pack_cstr(pk, "kid");
	views_pack_ref(v, pk, kid);
	np = week_parents(v, sums);
	week_sum(v, kid, c->week, c->next_week, sums, np, &count, &minutes);
	mp_pack_cstr(pk, "week");
	week_pack_sums(v, pk, sums, np);
	np = week_parents(v, sums);
	week_sum(v, kid, c->month, c->next_month, sums, np, &count,
	    &minutes);
	mp_pack_cstr(pk, "month");
	week_pack_sums(v, pk, sums, np);
}

/*
 * The plans in force, of kid or of every kid (-1): [{id, kid, by, days,
 * time, minutes, since}].
 */
void
views_pack_plans(const struct views *v, const struct views_clock *c,
    int kid, msgpack_packer *pk)
{
	struct plan_rec	*p;
	size_t		 np, i;
	uint32_t	 n = 0;
	char		 hhmm[16];

	np = week_plans(v, kid, &p);
	for (i = 0; i < np; i++)
		n += p[i].until == 0 && p[i].days != 0;
	msgpack_pack_array(pk, n);
	for (i = 0; i < np; i++) {
		if (p[i].until != 0 || p[i].days == 0)
			continue;
		msgpack_pack_map(pk, 7);
		mp_pack_kv_hex(pk, "id", p[i].ve->id, ENV_ID);
		mp_pack_cstr(pk, "kid");
		views_pack_ref(v, pk, p[i].kid);
		mp_pack_cstr(pk, "by");
		views_pack_ref(v, pk, p[i].by);
		mp_pack_cstr(pk, "days");
		week_pack_days(pk, p[i].days);
		snprintf(hhmm, sizeof(hhmm), "%02d:%02d", p[i].time / 60,
		    p[i].time % 60);
		mp_pack_kv_str(pk, "time", hhmm);
		mp_pack_kv_uint(pk, "minutes", p[i].minutes);
		mp_pack_kv_int(pk, "since", p[i].from);
	}
	free(p);
	(void)c;
}

/*
 * The weekly summary (docs/protocol.md "week"): per kid the 1:1s, the
 * balance, 2x10, feelings by zone, repairs, goals and the bank; per
 * parent the feelings by zone.
 */
void
views_pack_week(const struct views *v, const struct views_clock *c,
    int kid, msgpack_packer *pk)
{
	size_t		i;
	uint32_t	nkids = 0, nparents = 0;

	for (i = 0; i < v->nmembers; i++) {
		if (v->members[i].kid && (kid < 0 || (int)i == kid))
			nkids++;
		else if (!v->members[i].kid && kid < 0)
			nparents++;
	}
	msgpack_pack_map(pk, 6);
	mp_pack_kv_str(pk, "week_start", week_day_names[c->week_start]);
	mp_pack_kv_int(pk, "from", c->week);
	mp_pack_kv_int(pk, "to", c->next_week);
	mp_pack_kv_int(pk, "now", c->now);
	mp_pack_cstr(pk, "kids");
	msgpack_pack_array(pk, nkids);
	for (i = 0; i < v->nmembers; i++) {
		if (!v->members[i].kid || (kid >= 0 && (int)i != kid))
			continue;
		msgpack_pack_map(pk, 8);
		mp_pack_cstr(pk, "kid");
		views_pack_ref(v, pk, (int)i);
		mp_pack_cstr(pk, "one_on_one");
		views_pack_week_kid(v, c, (int)i, pk);
		mp_pack_cstr(pk, "balance");
		views_pack_balance(v, c, (int)i, pk);
		mp_pack_cstr(pk, "twoxten");
		views_pack_twoxten(v, c, (int)i, pk);
		mp_pack_cstr(pk, "feelings");
		views_pack_zones(v, c, (int)i, pk);
		mp_pack_cstr(pk, "repairs");
		views_pack_repair_week(v, c, (int)i, pk);
		mp_pack_cstr(pk, "goals");
		views_pack_goal_week(v, c, (int)i, pk);
		mp_pack_cstr(pk, "bank");
		views_pack_bank(v, c, (int)i, pk);
	}
	mp_pack_cstr(pk, "parents");
	msgpack_pack_array(pk, nparents);
	for (i = 0; i < v->nmembers && kid < 0; i++) {
		if (v->members[i].kid)
			continue;
		msgpack_pack_map(pk, 2);
		mp_pack_cstr(pk, "parent");
		views_pack_ref(v, pk, (int)i);
		mp_pack_cstr(pk, "feelings");
		views_pack_zones(v, c, (int)i, pk);
	}
}
