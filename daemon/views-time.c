/*
 * views-time.c: the clock the views are computed against. "Now" comes
 * from the caller (eventlog_now: ATTUNE_NOW in tests); days, weeks and
 * months are local (TZ) and found with mktime, so a day that daylight
 * saving makes 23 or 25 hours long is still one day. The week starts on
 * the family's setting (the latest live "setting" entry for week_start),
 * Monday by default. Pure: no I/O.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mp.h"
#include "views.h"

#define VIEWS_DEFAULT_WEEK_START	1	/* Monday */

static int64_t	views_mktime(struct tm *);

static int64_t
views_mktime(struct tm *tm)
{
	time_t	t;

	tm->tm_isdst = -1;
	t = mktime(tm);
	return ((int64_t)t * 1000);
}

/* Local midnight of the day that contains ms. */
int64_t
views_day_start(int64_t ms)
{
	time_t		t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm	tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (views_mktime(&tm));
}

/* Local midnight days after (or before) the day of midnight. */
int64_t
views_day_add(int64_t midnight, int days)
{
	time_t		t = (time_t)(midnight / 1000);
	struct tm	tm;

	localtime_r(&t, &tm);
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (views_mktime(&tm));
}

/* minutes after local midnight on that day, as the clock on the wall says. */
int64_t
views_day_at(int64_t midnight, int minutes)
{
	time_t		t = (time_t)(midnight / 1000);
	struct tm	tm;

	localtime_r(&t, &tm);
	tm.tm_hour = minutes / 60;
	tm.tm_min = minutes % 60;
	tm.tm_sec = 0;
	return (views_mktime(&tm));
}

/* 0 (Sunday) to 6, local. */
int
views_weekday(int64_t ms)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	localtime_r(&t, &tm);
	return (tm.tm_wday);
}

/* Local midnight that starts the week containing ms. */
int64_t
views_week_of(int week_start, int64_t ms)
{
	int64_t	day = views_day_start(ms);

	return (views_day_add(day, -((views_weekday(day) - week_start + 7) %
	    7)));
}

/*
 * Which day ms falls on, counted from the day of from_midnight (0 is that
 * day; negative before it). Days are local, whatever their length.
 */
int
views_day_index(int64_t from_midnight, int64_t ms)
{
	int64_t	day = views_day_start(ms);
	int	guess;

	/* Whole days of 23 to 25 hours: a guess, then a step to fix it. */
	guess = (int)((day - from_midnight + VIEWS_DAY_MS / 2) /
	    VIEWS_DAY_MS);
	if (day < from_midnight)
		guess = -(int)((from_midnight - day + VIEWS_DAY_MS / 2) /
		    VIEWS_DAY_MS);
	while (views_day_add(from_midnight, guess) > day)
		guess--;
	while (views_day_add(from_midnight, guess + 1) <= day)
		guess++;
	return (guess);
}

/* Local YYYY-MM-DD of ms. */
void
views_date(char *buf, size_t size, int64_t ms)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	localtime_r(&t, &tm);
	if (strftime(buf, size, "%Y-%m-%d", &tm) == 0 && size > 0)
		buf[0] = '\0';
}

void
views_pack_date(msgpack_packer *pk, const char *key, int64_t ms)
{
	char	buf[16];

	views_date(buf, sizeof(buf), ms);
	mp_pack_kv_str(pk, key, buf);
}

/*
 * Age in whole years on the local day of now from a YYYY-MM-DD birth
 * date; *months (may be NULL) gets whole months. -1 when unknown or not
 * born yet.
 */
int
views_age(const char *born, int64_t now, int *months)
{
	time_t		t = (time_t)(now / 1000);
	struct tm	tm;
	int		y, m, d, mo;

	if (born == NULL || sscanf(born, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
	    localtime_r(&t, &tm) == NULL)
		return (-1);
	mo = (tm.tm_year + 1900 - y) * 12 + (tm.tm_mon + 1 - m);
	if (tm.tm_mday < d)
		mo--;
	if (mo < 0)
		return (-1);
	if (months != NULL)
		*months = mo;
	return (mo / 12);
}

/* The family's week start: the newest live setting, else Monday. */
int
views_week_start(const struct views *v)
{
	struct views_iter	 it;
	struct views_eff	 eff;
	const char		*key, *val;
	size_t			 klen, vlen;
	int			 ws = VIEWS_DEFAULT_WEEK_START, d;

	views_iter_init(&it, v, KIND_BIT(KIND_SETTING), 0, 0, -1);
	while (views_iter_next(&it)) {
		if (views_eff_open(v, it.ve, &eff) == 0 &&
		    mp_get_str(eff.map, "key", &key, &klen, 32) == MP_FOUND &&
		    klen == 10 && memcmp(key, "week_start", 10) == 0 &&
		    mp_get_str(eff.map, "value", &val, &vlen, 32) == MP_FOUND &&
		    (d = kinds_weekday(val, vlen)) >= 0)
			ws = d;
		views_eff_close(&eff);
	}
	return (ws);
}

/* Fix the clock of one request: now, today, this week, this month. */
void
views_clock_init(const struct views *v, int64_t now, struct views_clock *c)
{
	time_t		t = (time_t)(now / 1000);
	struct tm	tm;

	memset(c, 0, sizeof(*c));
	c->now = now;
	c->week_start = views_week_start(v);
	c->today = views_day_start(now);
	c->tomorrow = views_day_add(c->today, 1);
	c->week = views_week_of(c->week_start, now);
	c->next_week = views_day_add(c->week, 7);
	localtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	c->month = views_mktime(&tm);
	tm.tm_mon += 1;
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	c->next_month = views_mktime(&tm);
}
