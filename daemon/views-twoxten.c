/*
 * views-twoxten.c: 2x10 runs. A run starts on the local day of a kid's
 * newest live twoxten.start (restarting is starting again) and lasts ten
 * consecutive local days; a twoxten.day entry (two minutes of connection)
 * logs the day its time falls on. Only consecutive days count: the first
 * day of the run that passed unlogged breaks it. States: "on_track"
 * (every past day logged), "broken" (offer a restart), "complete" (ten
 * days logged).
 */
#include <string.h>

#include "mp.h"
#include "views.h"

#define TWOXTEN_DAYS	10

/*
 * The current run of kid into *r. Return false when kid never started
 * one.
 */
bool
views_twoxten_run(const struct views *v, const struct views_clock *c,
    int kid, struct views_run *r)
{
	struct views_iter	 it;
	int64_t			 start = 0;
	int			 d;

	memset(r, 0, sizeof(*r));
	views_iter_init(&it, v, KIND_BIT(KIND_TWOXTEN_START), 0, 0, kid);
	while (views_iter_next(&it)) {
		if (r->start == NULL || it.at >= start) {
			r->start = it.ve;
			start = it.at;
		}
	}
	if (r->start == NULL)
		return (false);
	r->day0 = views_day_start(start);
	views_iter_init(&it, v, KIND_BIT(KIND_TWOXTEN_DAY), r->day0,
	    views_day_add(r->day0, TWOXTEN_DAYS), kid);
	while (views_iter_next(&it)) {
		d = views_day_index(r->day0, it.at);
		if (d >= 0 && d < TWOXTEN_DAYS)
			r->logged[d] = true;
	}
	d = views_day_index(r->day0, c->now);
	r->today = d + 1;
	for (r->streak = 0; r->streak < TWOXTEN_DAYS &&
	    r->logged[r->streak]; r->streak++)
		;
	if (d >= 0 && d < TWOXTEN_DAYS)
		r->logged_today = r->logged[d];
	if (r->streak == TWOXTEN_DAYS)
		r->state = "complete";
	else if (r->streak < d) {
		r->state = "broken";
		r->broken_on = r->streak + 1;
	} else
		r->state = "on_track";
	return (true);
}

/*
 * kid's run: nil when none, else {id, started, start_date, day (1..10,
 * or beyond 10 for a run left behind), streak, state, logged_today,
 * broken_on (nil or a day), days: [{day, date, logged}], missed:
 * [dates]}.
 */
void
views_pack_twoxten(const struct views *v, const struct views_clock *c,
    int kid, msgpack_packer *pk)
{
	struct views_run	r;
	int64_t			day;
	uint32_t		nmissed = 0;
	int			i;

	if (!views_twoxten_run(v, c, kid, &r)) {
		msgpack_pack_nil(pk);
		return;
	}
	for (i = 0; i < TWOXTEN_DAYS && i + 1 < r.today; i++)
		nmissed += !r.logged[i];
	msgpack_pack_map(pk, 11);
	mp_pack_cstr(pk, "kid");
	views_pack_ref(v, pk, kid);
	mp_pack_kv_hex(pk, "id", r.start->id, ENV_ID);
	mp_pack_kv_int(pk, "started", r.day0);
	views_pack_date(pk, "start_date", r.day0);
	mp_pack_kv_int(pk, "day", r.today);
	mp_pack_kv_uint(pk, "streak", (uint64_t)r.streak);
	mp_pack_kv_str(pk, "state", r.state);
	mp_pack_kv_bool(pk, "logged_today", r.logged_today);
	mp_pack_cstr(pk, "broken_on");
	if (r.broken_on > 0)
		msgpack_pack_int(pk, r.broken_on);
	else
		msgpack_pack_nil(pk);
	mp_pack_cstr(pk, "days");
	msgpack_pack_array(pk, TWOXTEN_DAYS);
	for (i = 0, day = r.day0; i < TWOXTEN_DAYS; i++,
	    day = views_day_add(day, 1)) {
		msgpack_pack_map(pk, 3);
		mp_pack_kv_int(pk, "day", i + 1);
		views_pack_date(pk, "date", day);
		mp_pack_kv_bool(pk, "logged", r.logged[i]);
	}
	mp_pack_cstr(pk, "missed");
	msgpack_pack_array(pk, nmissed);
	for (i = 0, day = r.day0; i < TWOXTEN_DAYS && i + 1 < r.today; i++,
	    day = views_day_add(day, 1)) {
		if (!r.logged[i]) {
			char	buf[16];

			views_date(buf, sizeof(buf), day);
			mp_pack_cstr(pk, buf);
		}
	}
}
