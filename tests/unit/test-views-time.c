/*
 * test-views-time.c: unit tests for daemon/views-time.c and the small
 * parsers of daemon/kinds.c the views rely on (weekdays, HH:MM, age
 * ranges), in the Europe/Berlin zone, whose clocks go forward on
 * 2026-03-29 (a 23-hour day) and back on 2026-10-25 (25 hours). Instants
 * are written as the UTC wall time they denote.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "kinds.h"
#include "views.h"

static void	berlin(void);
static int64_t	utc(int, int, int, int, int);

static void
berlin(void)
{
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
}

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return ((int64_t)timegm(&tm) * 1000);
}

TEST(days_across_dst)
{
	int64_t	sun, mon;

	berlin();
	/* Sunday 29 March starts at 00:00 CET and lasts 23 hours. */
	sun = views_day_start(utc(2026, 3, 29, 10, 0));
	ASSERT_EQ_INT(sun, utc(2026, 3, 28, 23, 0));
	mon = views_day_add(sun, 1);
	ASSERT_EQ_INT(mon, utc(2026, 3, 29, 22, 0));
	ASSERT_EQ_INT(mon - sun, 23 * VIEWS_HOUR_MS);
	ASSERT_EQ_INT(views_day_add(mon, -1), sun);
	/* 25 hours in October. */
	sun = views_day_start(utc(2026, 10, 25, 12, 0));
	ASSERT_EQ_INT(views_day_add(sun, 1) - sun, 25 * VIEWS_HOUR_MS);
	/* A wall-clock time on the short day. */
	ASSERT_EQ_INT(views_day_at(utc(2026, 3, 28, 23, 0), 18 * 60),
	    utc(2026, 3, 29, 16, 0));
	ASSERT_EQ_INT(views_day_at(utc(2026, 3, 28, 23, 0), 60),
	    utc(2026, 3, 29, 0, 0));
	/* Day indexes count local days, whatever their length. */
	mon = utc(2026, 3, 25, 23, 0);		/* Thu 26 00:00 CET */
	ASSERT_EQ_INT(views_day_index(mon, utc(2026, 3, 29, 21, 30)), 3);
	ASSERT_EQ_INT(views_day_index(mon, utc(2026, 3, 29, 22, 30)), 4);
	ASSERT_EQ_INT(views_day_index(mon, utc(2026, 3, 25, 22, 59)), -1);
	ASSERT_EQ_INT(views_day_index(mon, mon), 0);
	ASSERT_EQ_INT(views_day_index(mon, utc(2026, 4, 4, 21, 59)), 9);
	ASSERT_EQ_INT(views_day_index(mon, utc(2026, 4, 4, 22, 0)), 10);
}

TEST(weeks)
{
	berlin();
	/* Monday weeks: the DST week is 167 hours. */
	ASSERT_EQ_INT(views_week_of(1, utc(2026, 3, 29, 21, 59)),
	    utc(2026, 3, 22, 23, 0));
	ASSERT_EQ_INT(views_week_of(1, utc(2026, 3, 29, 22, 0)),
	    utc(2026, 3, 29, 22, 0));
	ASSERT_EQ_INT(views_week_of(1, utc(2026, 3, 22, 23, 0)),
	    utc(2026, 3, 22, 23, 0));
	/* Sunday weeks. */
	ASSERT_EQ_INT(views_week_of(0, utc(2026, 3, 30, 8, 0)),
	    utc(2026, 3, 28, 23, 0));
	ASSERT_EQ_INT(views_week_of(0, utc(2026, 3, 28, 22, 59)),
	    utc(2026, 3, 21, 23, 0));
	/* Saturday weeks, across a year. */
	ASSERT_EQ_INT(views_week_of(6, utc(2027, 1, 1, 12, 0)),
	    utc(2026, 12, 25, 23, 0));
	ASSERT_EQ_INT(views_weekday(utc(2026, 3, 29, 21, 59)), 0);
	ASSERT_EQ_INT(views_weekday(utc(2026, 3, 29, 22, 0)), 1);
}

TEST(clock)
{
	struct views		v;
	struct views_clock	c;

	berlin();
	views_init(&v);
	views_clock_init(&v, utc(2026, 3, 29, 10, 0), &c);
	ASSERT_EQ_INT(c.week_start, 1);
	ASSERT_EQ_INT(c.today, utc(2026, 3, 28, 23, 0));
	ASSERT_EQ_INT(c.tomorrow, utc(2026, 3, 29, 22, 0));
	ASSERT_EQ_INT(c.week, utc(2026, 3, 22, 23, 0));
	ASSERT_EQ_INT(c.next_week, utc(2026, 3, 29, 22, 0));
	ASSERT_EQ_INT(c.month, utc(2026, 2, 28, 23, 0));
	ASSERT_EQ_INT(c.next_month, utc(2026, 3, 31, 22, 0));
	views_finish(&v);
}

TEST(ages)
{
	int	months = -1;

	berlin();
	ASSERT_EQ_INT(views_age("2019-06-01", utc(2026, 3, 25, 12, 0),
	    &months), 6);
	ASSERT_EQ_INT(months, 81);
	ASSERT_EQ_INT(views_age("2019-03-25", utc(2026, 3, 25, 12, 0),
	    NULL), 7);
	ASSERT_EQ_INT(views_age("2019-03-26", utc(2026, 3, 25, 12, 0),
	    NULL), 6);
	ASSERT_EQ_INT(views_age("2027-01-01", utc(2026, 3, 25, 12, 0),
	    NULL), -1);
	ASSERT_EQ_INT(views_age(NULL, 0, NULL), -1);
	ASSERT_EQ_INT(views_age("", 0, NULL), -1);
}

TEST(weekday_names)
{
	static const char *const	good[] = { "su", "Sun", "SUNDAY",
	    "mo", "mon", "tues", "wed", "Wednes", "th", "thu", "fr", "sa",
	    "saturday" };
	static const int		want[] = { 0, 0, 0, 1, 1, 2, 3, 3, 4, 4,
	    5, 6, 6 };
	static const char *const	bad[] = { "", "s", "t", "x", "sundays",
	    "monday1", "satur day", "mon," };
	size_t				i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ASSERT_EQ_INT(kinds_weekday(good[i], strlen(good[i])),
		    want[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_EQ_INT(kinds_weekday(bad[i], strlen(bad[i])), -1);
}

TEST(hhmm_and_ages)
{
	static const char *const	bad[] = { "", "1", "10", "1000",
	    "24:00", "10:60", "1:5", "a1:00", "10:0a", "-1:00", "10:000",
	    " 9:00" };
	int				m, lo, hi;
	size_t				i;

	ASSERT_EQ_INT(kinds_hhmm("10:00", 5, &m), 0);
	ASSERT_EQ_INT(m, 600);
	ASSERT_EQ_INT(kinds_hhmm("9:05", 4, &m), 0);
	ASSERT_EQ_INT(m, 545);
	ASSERT_EQ_INT(kinds_hhmm("23:59", 5, &m), 0);
	ASSERT_EQ_INT(m, 1439);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_EQ_INT(kinds_hhmm(bad[i], strlen(bad[i]), &m),
		    -PROTO_E_INVALID);
	ASSERT_EQ_INT(kinds_ages("6-9", 3, &lo, &hi), 0);
	ASSERT(lo == 6 && hi == 9);
	ASSERT_EQ_INT(kinds_ages("13", 2, &lo, &hi), 0);
	ASSERT(lo == 13 && hi == 13);
	ASSERT_EQ_INT(kinds_ages("9-6", 3, &lo, &hi), -PROTO_E_INVALID);
	ASSERT_EQ_INT(kinds_ages("6-", 2, &lo, &hi), -PROTO_E_INVALID);
	ASSERT_EQ_INT(kinds_ages("-6", 2, &lo, &hi), -PROTO_E_INVALID);
	ASSERT_EQ_INT(kinds_ages("6-99", 4, &lo, &hi), -PROTO_E_INVALID);
	ASSERT_EQ_INT(kinds_ages("6--9", 4, &lo, &hi), -PROTO_E_INVALID);
	ASSERT_EQ_INT(kinds_ages("", 0, &lo, &hi), -PROTO_E_INVALID);
	ASSERT_EQ_INT(kinds_ages("99999999999", 11, &lo, &hi),
	    -PROTO_E_INVALID);
}

TEST(vocabulary_and_prompts)
{
	bool	kids = false;

	ASSERT_EQ_INT(views_feeling_zone("happy", 5, &kids),
	    VIEWS_ZONE_YELLOW);
	ASSERT(kids);
	ASSERT_EQ_INT(views_feeling_zone("FURIOUS", 7, &kids),
	    VIEWS_ZONE_RED);
	ASSERT(!kids);
	ASSERT_EQ_INT(views_feeling_zone("calm", 4, NULL), VIEWS_ZONE_GREEN);
	ASSERT_EQ_INT(views_feeling_zone("sad", 3, NULL), VIEWS_ZONE_BLUE);
	ASSERT_EQ_INT(views_feeling_zone("blorp", 5, NULL), VIEWS_ZONE_NONE);
	ASSERT_EQ_INT(views_feeling_zone("happ", 4, NULL), VIEWS_ZONE_NONE);
	ASSERT(views_prompt_count() >= 60);
}
