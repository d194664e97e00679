/*
 * views-today.c: the views that gather the practices for one look:
 * "today" (what to do today: the 1:1s due, each 2x10 day, who has not
 * checked in or out, the open repairs, the pending reminders) and a kid's
 * profile (age, strengths, goals, the bank, 1:1 streak, 2x10, plans).
 * They only combine what views-*.c derive.
 */
#include <string.h>

#include "mp.h"
#include "views.h"

#define TODAY_MAX_SLOTS		64
#define TODAY_MAX_REMINDERS	32

static void	today_pack_kid(const struct views *, const struct views_clock *,
		    int, msgpack_packer *);
static void	today_pack_missing(const struct views *,
		    const struct views_clock *, enum kind, msgpack_packer *);

/*
 * One kid's 1:1 today: {kid, slots (today's), planned, done, due,
 * missed (this week), streak}.
 */
static void
today_pack_kid(const struct views *v, const struct views_clock *c, int kid,
    msgpack_packer *pk)
{
	struct views_slot	slots[TODAY_MAX_SLOTS];
	struct views_iter	it;
	size_t			ns, i;
	uint32_t		ntoday = 0;
	uint64_t		done = 0, due = 0, missed = 0;

	ns = views_slots(v, c, kid, c->week, c->next_week, slots,
	    TODAY_MAX_SLOTS);
	views_iter_init(&it, v, KIND_BIT(KIND_ONE_ON_ONE), c->week,
	    c->next_week, kid);
	while (views_iter_next(&it))
		done++;
	for (i = 0; i < ns; i++) {
		ntoday += slots[i].at >= c->today && slots[i].at < c->tomorrow;
		if (strcmp(slots[i].state, "missed") == 0)
			missed++;
		else if (strcmp(slots[i].state, "done") != 0)
			due++;
	}
	if (ns == 0 && done == 0)
		due = 1;
	msgpack_pack_map(pk, 7);
	mp_pack_cstr(pk, "kid");
	views_pack_ref(v, pk, kid);
	mp_pack_cstr(pk, "today");
	msgpack_pack_array(pk, ntoday);
	for (i = 0; i < ns; i++) {
		if (slots[i].at < c->today || slots[i].at >= c->tomorrow)
			continue;
		msgpack_pack_map(pk, 4);
		mp_pack_kv_int(pk, "at", slots[i].at);
		mp_pack_cstr(pk, "by");
		views_pack_ref(v, pk, slots[i].by);
		mp_pack_kv_uint(pk, "minutes", slots[i].minutes);
		mp_pack_kv_str(pk, "state", slots[i].state);
	}
	mp_pack_kv_uint(pk, "planned", ns);
	mp_pack_kv_uint(pk, "done", done);
	mp_pack_kv_uint(pk, "due", due);
	mp_pack_kv_uint(pk, "missed", missed);
	mp_pack_kv_uint(pk, "streak", (uint64_t)views_streak(v, c, kid));
}

/* The members with no entry of kind k today: [ref]. */
static void
today_pack_missing(const struct views *v, const struct views_clock *c,
    enum kind k, msgpack_packer *pk)
{
	struct views_iter	it;
	bool			seen[256];
	size_t			i;
	uint32_t		n = 0;

	memset(seen, 0, sizeof(seen));
	views_iter_init(&it, v, KIND_BIT(k), c->today, c->tomorrow, -1);
	while (views_iter_next(&it)) {
		if (it.who >= 0 && it.who < 256)
			seen[it.who] = true;
	}
	for (i = 0; i < v->nmembers && i < 256; i++)
		n += !seen[i];
	msgpack_pack_array(pk, n);
	for (i = 0; i < v->nmembers && i < 256; i++) {
		if (!seen[i])
			views_pack_ref(v, pk, (int)i);
	}
}

/*
 * Today: {now, date, one_on_ones: [per kid], twoxten: [runs not done
 * before today], feelings: {board, missing_checkin, missing_checkout},
 * repairs: [open], reminders: [pending]}.
 */
void
views_pack_today(const struct views *v, const struct views_clock *c,
    msgpack_packer *pk)
{
	struct views_reminder	rem[TODAY_MAX_REMINDERS];
	struct views_run	r;
	size_t			i, nrem;
	uint32_t		nkids = 0, nruns = 0;

	for (i = 0; i < v->nmembers; i++) {
		if (!v->members[i].kid)
			continue;
		nkids++;
		if (views_twoxten_run(v, c, (int)i, &r) && r.today <= 10 &&
		    r.today >= 1)
			nruns++;
	}
	msgpack_pack_map(pk, 7);
	mp_pack_kv_int(pk, "now", c->now);
	views_pack_date(pk, "date", c->now);
	mp_pack_cstr(pk, "one_on_ones");
	msgpack_pack_array(pk, nkids);
	for (i = 0; i < v->nmembers; i++) {
		if (v->members[i].kid)
			today_pack_kid(v, c, (int)i, pk);
	}
	mp_pack_cstr(pk, "twoxten");
	msgpack_pack_array(pk, nruns);
	for (i = 0; i < v->nmembers; i++) {
		if (v->members[i].kid && views_twoxten_run(v, c, (int)i, &r) &&
		    r.today <= 10 && r.today >= 1)
			views_pack_twoxten(v, c, (int)i, pk);
	}
	mp_pack_cstr(pk, "feelings");
	msgpack_pack_map(pk, 3);
	mp_pack_cstr(pk, "board");
	views_pack_board(v, c, pk);
	mp_pack_cstr(pk, "missing_checkin");
	today_pack_missing(v, c, KIND_CHECKIN, pk);
	mp_pack_cstr(pk, "missing_checkout");
	today_pack_missing(v, c, KIND_CHECKOUT, pk);
	mp_pack_cstr(pk, "repairs");
	views_pack_repairs(v, c, -1, true, pk);
	mp_pack_cstr(pk, "reminders");
	nrem = views_reminders(v, c, rem, TODAY_MAX_REMINDERS);
	msgpack_pack_array(pk, (uint32_t)nrem);
	for (i = 0; i < nrem; i++) {
		msgpack_pack_map(pk, 4);
		mp_pack_kv_str(pk, "kind", rem[i].kind);
		mp_pack_kv_str(pk, "text", rem[i].text);
		mp_pack_kv_int(pk, "due", rem[i].due);
		mp_pack_cstr(pk, "kid");
		views_pack_ref(v, pk, rem[i].kid);
	}
}

/*
 * A kid's profile: {kid, born, age, age_months, strengths, goals
 * (active), behaviors_month, bank, one_on_one (the week), twoxten,
 * plans, repairs (open), feelings (the week by zone)}.
 */
void
views_pack_kid(const struct views *v, const struct views_clock *c, int kid,
    msgpack_packer *pk)
{
	const struct view_member	*m = &v->members[kid];
	int				 age, months = 0;

	age = views_age(m->born, c->now, &months);
	msgpack_pack_map(pk, 13);
	mp_pack_cstr(pk, "kid");
	views_pack_ref(v, pk, kid);
	mp_pack_cstr(pk, "born");
	mp_pack_cstr(pk, m->born[0] != '\0' ? m->born : NULL);
	mp_pack_cstr(pk, "age");
	if (age >= 0)
		msgpack_pack_int(pk, age);
	else
		msgpack_pack_nil(pk);
	mp_pack_cstr(pk, "age_months");
	if (age >= 0)
		msgpack_pack_int(pk, months);
	else
		msgpack_pack_nil(pk);
	mp_pack_cstr(pk, "strengths");
	views_pack_strengths(v, kid, pk);
	mp_pack_cstr(pk, "goals");
	views_pack_goals(v, c, kid, false, pk);
	mp_pack_cstr(pk, "behaviors_month");
	views_pack_behaviors(v, c, kid, pk);
	mp_pack_cstr(pk, "bank");
	views_pack_bank(v, c, kid, pk);
	mp_pack_cstr(pk, "one_on_one");
	views_pack_week_kid(v, c, kid, pk);
	mp_pack_cstr(pk, "twoxten");
	views_pack_twoxten(v, c, kid, pk);
	mp_pack_cstr(pk, "plans");
	views_pack_plans(v, c, kid, pk);
	mp_pack_cstr(pk, "repairs");
	views_pack_repairs(v, c, kid, true, pk);
	mp_pack_cstr(pk, "feelings");
	views_pack_zones(v, c, kid, pk);
}
