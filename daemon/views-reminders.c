/*
 * views-reminders.c: what deserves a nudge now, as the views see it:
 * a planned 1:1 of today coming up within the hour (or due and not yet
 * done), a 2x10 day not logged by the evening, a repair open for 48
 * hours. Each reminder has a stable key, so whoever sends them
 * (reminders.c) can remember what it sent. Pure: no I/O, no timer.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mp.h"
#include "views.h"

#define REM_SOON_MS		(60 * 60 * 1000LL)
#define REM_EVENING_MIN		(18 * 60)
#define REM_MAX_SLOTS		64
#define REM_MAX_REPAIRS		32

static void	rem_hex(char *, const uint8_t *);
static void	rem_text(const struct views *, const struct view_entry *,
		    const char *, char *, size_t);
static size_t	rem_slots(const struct views *, const struct views_clock *,
		    const char *, struct views_reminder *, size_t);
static size_t	rem_twoxten(const struct views *, const struct views_clock *,
		    const char *, struct views_reminder *, size_t);
static size_t	rem_repairs(const struct views *, const struct views_clock *,
		    struct views_reminder *, size_t);

/* The first 16 hex digits of an id. */
static void
rem_hex(char *out, const uint8_t *id)
{
	mp_hex(out, id, 8);
	out[16] = '\0';
}

/* A string field of an entry (as amended), shortened, or "". */
static void
rem_text(const struct views *v, const struct view_entry *ve, const char *key,
    char *buf, size_t size)
{
	struct views_eff	 eff;
	const char		*s;
	size_t			 len;

	buf[0] = '\0';
	if (views_eff_open(v, ve, &eff) == 0 &&
	    mp_get_str(eff.map, key, &s, &len, PROTO_MAX_TEXT) == MP_FOUND)
		snprintf(buf, size, "%.*s%s", (int)(len > 60 ? 57 : len), s,
		    len > 60 ? "..." : "");
	views_eff_close(&eff);
}

/* Today's planned 1:1s from an hour before until done or the day ends. */
static size_t
rem_slots(const struct views *v, const struct views_clock *c,
    const char *date, struct views_reminder *out, size_t max)
{
	struct views_slot	 slots[REM_MAX_SLOTS];
	struct views_reminder	*rm;
	char			 hex[17], hhmm[8];
	size_t			 ns, i, n = 0;
	time_t			 tt;
	struct tm		 tm;

	ns = views_slots(v, c, -1, c->today, c->tomorrow, slots,
	    REM_MAX_SLOTS);
	for (i = 0; i < ns && n < max; i++) {
		if (strcmp(slots[i].state, "today") != 0 ||
		    c->now < slots[i].at - REM_SOON_MS || slots[i].kid < 0)
			continue;
		rm = &out[n++];
		memset(rm, 0, sizeof(*rm));
		rem_hex(hex, slots[i].plan->id);
		tt = (time_t)(slots[i].at / 1000);
		if (localtime_r(&tt, &tm) == NULL ||
		    strftime(hhmm, sizeof(hhmm), "%H:%M", &tm) == 0)
			snprintf(hhmm, sizeof(hhmm), "?");
		snprintf(rm->key, sizeof(rm->key), "one-on-one:%s:%s:%s", hex,
		    date, hhmm);
		rm->kind = "one-on-one";
		rm->due = slots[i].at - REM_SOON_MS;
		rm->kid = slots[i].kid;
		snprintf(rm->text, sizeof(rm->text), "1:1 with %s at %s "
		    "(%llu min%s%s)", v->members[slots[i].kid].name, hhmm,
		    (unsigned long long)slots[i].minutes,
		    slots[i].by >= 0 ? ", " : "", slots[i].by >= 0 ?
		    v->members[slots[i].by].name : "");
	}
	return (n);
}

/* 2x10 runs on track whose day is not logged by the evening. */
static size_t
rem_twoxten(const struct views *v, const struct views_clock *c,
    const char *date, struct views_reminder *out, size_t max)
{
	struct views_run	 r;
	struct views_reminder	*rm;
	char			 hex[17];
	int64_t			 evening = views_day_at(c->today,
				    REM_EVENING_MIN);
	size_t			 i, n = 0;

	for (i = 0; i < v->nmembers && n < max && c->now >= evening; i++) {
		if (!v->members[i].kid || !views_twoxten_run(v, c, (int)i,
		    &r) || strcmp(r.state, "on_track") != 0 ||
		    r.logged_today || r.today < 1 || r.today > 10)
			continue;
		rm = &out[n++];
		memset(rm, 0, sizeof(*rm));
		rem_hex(hex, r.start->id);
		snprintf(rm->key, sizeof(rm->key), "twoxten:%s:%s", hex,
		    date);
		rm->kind = "twoxten";
		rm->due = evening;
		rm->kid = (int)i;
		snprintf(rm->text, sizeof(rm->text), "2x10 with %s: day %d of "
		    "10 is not logged yet", v->members[i].name, r.today);
	}
	return (n);
}

/* Repairs open for 48 hours or more: once each. */
static size_t
rem_repairs(const struct views *v, const struct views_clock *c,
    struct views_reminder *out, size_t max)
{
	const struct view_entry	*open[REM_MAX_REPAIRS];
	struct views_reminder	*rm;
	char			 hex[17], what[64];
	size_t			 nr, i, n = 0;

	nr = views_open_repairs(v, c, -1, open, REM_MAX_REPAIRS);
	for (i = 0; i < nr && n < max; i++) {
		if (c->now - open[i]->at < VIEWS_REPAIR_FLAG_MS)
			continue;
		rm = &out[n++];
		memset(rm, 0, sizeof(*rm));
		rem_hex(hex, open[i]->id);
		snprintf(rm->key, sizeof(rm->key), "repair:%s", hex);
		rm->kind = "repair";
		rm->due = open[i]->at + VIEWS_REPAIR_FLAG_MS;
		rm->kid = open[i]->subject;
		rem_text(v, open[i], "what", what, sizeof(what));
		snprintf(rm->text, sizeof(rm->text), "Repair with %s open for "
		    "%lld hours: %s", rm->kid >= 0 ?
		    v->members[rm->kid].name : "a kid",
		    (long long)((c->now - open[i]->at) / VIEWS_HOUR_MS), what);
	}
	return (n);
}

/*
 * The reminders pending at c->now into out (at most max): 1:1s, then
 * 2x10 days, then repairs. Return how many.
 */
size_t
views_reminders(const struct views *v, const struct views_clock *c,
    struct views_reminder *out, size_t max)
{
	char	date[16];
	size_t	n;

	views_date(date, sizeof(date), c->now);
	n = rem_slots(v, c, date, out, max);
	n += rem_twoxten(v, c, date, out + n, max - n);
	n += rem_repairs(v, c, out + n, max - n);
	return (n);
}
