/*
 * test-when.c: unit tests for proto/when.c in the Europe/Berlin zone
 * (CET, UTC+1; CEST, UTC+2 from 2026-03-29 02:00 to 2026-10-25 03:00).
 * Expected instants are written as the UTC wall time they denote, so
 * each one can be checked against a calendar by eye.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "proto.h"
#include "when.h"

static void	berlin(void);
static int64_t	utc(int, int, int, int, int, int);
static void	expect(const char *, int64_t, int64_t, int);

static void
berlin(void)
{
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
}

/* Milliseconds since the epoch of a UTC wall time. */
static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return ((int64_t)timegm(&tm) * 1000);
}

static void
expect(const char *s, int64_t now, int64_t want, int line)
{
	int64_t	got = -1;
	int	rc;

	if ((rc = when_parse(s, now, &got)) != 0)
		harness_fail(__FILE__, line, "when_parse(\"%s\") = %d", s, rc);
	if (got != want)
		harness_fail(__FILE__, line, "when_parse(\"%s\"): got %lld, "
		    "want %lld (%+lld s)", s, (long long)got, (long long)want,
		    (long long)(got - want) / 1000);
}

#define EXPECT(s, now, want)	expect(s, now, want, __LINE__)

/* Saturday 2026-11-21 18:30:00.123 in Berlin (CET). */
#define NOW	(utc(2026, 11, 21, 17, 30, 0) + 123)

TEST(keywords)
{
	berlin();
	EXPECT("now", NOW, NOW);
	EXPECT("NOW", NOW, NOW);
	EXPECT("today", NOW, utc(2026, 11, 20, 23, 0, 0));
	EXPECT("Today", NOW, utc(2026, 11, 20, 23, 0, 0));
	EXPECT("yesterday", NOW, utc(2026, 11, 19, 23, 0, 0));
	/* Just after local midnight, still the same local day. */
	EXPECT("today", utc(2026, 11, 20, 23, 0, 1), utc(2026, 11, 20,
	    23, 0, 0));
	EXPECT("today", utc(2026, 11, 20, 22, 59, 59), utc(2026, 11, 19,
	    23, 0, 0));
	/* Across a month and a year boundary. */
	EXPECT("yesterday", utc(2026, 12, 1, 8, 0, 0), utc(2026, 11, 29,
	    23, 0, 0));
	EXPECT("yesterday", utc(2027, 1, 1, 12, 0, 0), utc(2026, 12, 30,
	    23, 0, 0));
	/* 23:30 UTC on 31 December is already 1 January in Berlin. */
	EXPECT("today", utc(2026, 12, 31, 23, 30, 0), utc(2026, 12, 31,
	    23, 0, 0));
}

TEST(clock_time_today)
{
	berlin();
	EXPECT("07:05", NOW, utc(2026, 11, 21, 6, 5, 0));
	EXPECT("00:00", NOW, utc(2026, 11, 20, 23, 0, 0));
	EXPECT("23:59", NOW, utc(2026, 11, 21, 22, 59, 0));
	EXPECT("18:30", NOW, utc(2026, 11, 21, 17, 30, 0));
}

TEST(iso_date_local_midnight)
{
	berlin();
	EXPECT("2026-11-21", NOW, utc(2026, 11, 20, 23, 0, 0));
	EXPECT("2026-07-01", NOW, utc(2026, 6, 30, 22, 0, 0));
	EXPECT("2024-02-29", NOW, utc(2024, 2, 28, 23, 0, 0));
	EXPECT("1970-01-02", NOW, utc(1970, 1, 1, 23, 0, 0));
}

TEST(iso_datetime)
{
	berlin();
	EXPECT("2026-11-21T18:30", NOW, utc(2026, 11, 21, 17, 30, 0));
	EXPECT("2026-11-21 18:30", NOW, utc(2026, 11, 21, 17, 30, 0));
	EXPECT("2026-11-21T18:30:05", NOW, utc(2026, 11, 21, 17, 30, 5));
	EXPECT("2026-11-21 18:30:05", NOW, utc(2026, 11, 21, 17, 30, 5));
	EXPECT("2026-07-01T12:00", NOW, utc(2026, 7, 1, 10, 0, 0));
	EXPECT("2026-07-01 12:00:59", NOW, utc(2026, 7, 1, 10, 0, 59));
}

TEST(iso_datetime_with_offset)
{
	berlin();
	EXPECT("2026-11-21T18:30Z", NOW, utc(2026, 11, 21, 18, 30, 0));
	EXPECT("2026-11-21 18:30:05Z", NOW, utc(2026, 11, 21, 18, 30, 5));
	EXPECT("2026-07-01T12:00Z", NOW, utc(2026, 7, 1, 12, 0, 0));
	EXPECT("2026-11-21T18:30+02:00", NOW, utc(2026, 11, 21, 16, 30, 0));
	EXPECT("2026-11-21 18:30:05+02:00", NOW, utc(2026, 11, 21, 16, 30,
	    5));
	EXPECT("2026-11-21T18:30-05:00", NOW, utc(2026, 11, 21, 23, 30, 0));
	EXPECT("2026-11-21T18:30+05:30", NOW, utc(2026, 11, 21, 13, 0, 0));
	EXPECT("2026-11-21T18:30+00:00", NOW, utc(2026, 11, 21, 18, 30, 0));
	/* An offset that moves the instant to another UTC day. */
	EXPECT("2026-11-21T01:00+02:00", NOW, utc(2026, 11, 20, 23, 0, 0));
}

/* 2026-03-29: clocks go from 02:00 CET to 03:00 CEST; the day is 23 h. */
TEST(dst_spring_forward)
{
	int64_t	d29, d30, dst_now = utc(2026, 3, 29, 10, 0, 0);

	berlin();
	EXPECT("2026-03-29", NOW, utc(2026, 3, 28, 23, 0, 0));
	EXPECT("2026-03-30", NOW, utc(2026, 3, 29, 22, 0, 0));
	EXPECT("2026-03-29T01:30", NOW, utc(2026, 3, 29, 0, 30, 0));
	EXPECT("2026-03-29T03:30", NOW, utc(2026, 3, 29, 1, 30, 0));
	EXPECT("2026-03-29T12:00", NOW, utc(2026, 3, 29, 10, 0, 0));
	ASSERT_EQ_INT(when_parse("2026-03-29", NOW, &d29), 0);
	ASSERT_EQ_INT(when_parse("2026-03-30", NOW, &d30), 0);
	ASSERT_EQ_INT(d30 - d29, 23 * 3600 * 1000LL);

	/* Noon CEST on the change day. */
	EXPECT("today", dst_now, utc(2026, 3, 28, 23, 0, 0));
	EXPECT("yesterday", dst_now, utc(2026, 3, 27, 23, 0, 0));
	EXPECT("12:00", dst_now, utc(2026, 3, 29, 10, 0, 0));
	EXPECT("01:00", dst_now, utc(2026, 3, 29, 0, 0, 0));
	EXPECT("04:00", dst_now, utc(2026, 3, 29, 2, 0, 0));
	/* The day after: yesterday is the short day's midnight. */
	EXPECT("yesterday", utc(2026, 3, 30, 8, 0, 0), utc(2026, 3, 28, 23,
	    0, 0));
	ASSERT_EQ_INT(when_day_start(dst_now), utc(2026, 3, 28, 23, 0, 0));
	ASSERT_EQ_INT(when_day_start(utc(2026, 3, 28, 23, 0, 0)),
	    utc(2026, 3, 28, 23, 0, 0));
	ASSERT_EQ_INT(when_day_start(utc(2026, 3, 28, 22, 59, 59)),
	    utc(2026, 3, 27, 23, 0, 0));
}

/* 2026-10-25: 03:00 CEST becomes 02:00 CET; the day is 25 h. */
TEST(dst_fall_back)
{
	int64_t	d25, d26;

	berlin();
	ASSERT_EQ_INT(when_parse("2026-10-25", NOW, &d25), 0);
	ASSERT_EQ_INT(when_parse("2026-10-26", NOW, &d26), 0);
	ASSERT_EQ_INT(d25, utc(2026, 10, 24, 22, 0, 0));
	ASSERT_EQ_INT(d26 - d25, 25 * 3600 * 1000LL);
	EXPECT("yesterday", utc(2026, 10, 26, 12, 0, 0), d25);
	EXPECT("2026-10-25T12:00", NOW, utc(2026, 10, 25, 11, 0, 0));
}

/* NOW is Saturday 2026-11-21 18:30 (CET). */
TEST(weekdays)
{
	berlin();
	/* A weekday is its latest day up to today. */
	EXPECT("saturday", NOW, utc(2026, 11, 20, 23, 0, 0));
	EXPECT("Sat", NOW, utc(2026, 11, 20, 23, 0, 0));
	EXPECT("friday", NOW, utc(2026, 11, 19, 23, 0, 0));
	EXPECT("mon", NOW, utc(2026, 11, 15, 23, 0, 0));
	EXPECT("sunday", NOW, utc(2026, 11, 14, 23, 0, 0));
	EXPECT("WEDNES", NOW, utc(2026, 11, 17, 23, 0, 0));
	/* "last" is strictly before today. */
	EXPECT("last saturday", NOW, utc(2026, 11, 13, 23, 0, 0));
	EXPECT("last monday", NOW, utc(2026, 11, 15, 23, 0, 0));
	EXPECT("Last Fri", NOW, utc(2026, 11, 19, 23, 0, 0));
	/* With a time of day. */
	EXPECT("mon 10:00", NOW, utc(2026, 11, 16, 9, 0, 0));
	EXPECT("last sat 9:30", NOW, utc(2026, 11, 14, 8, 30, 0));
	EXPECT("today 07:00", NOW, utc(2026, 11, 21, 6, 0, 0));
	EXPECT("yesterday 18:30", NOW, utc(2026, 11, 20, 17, 30, 0));
	/* Across the spring change: Monday 30 March, "last sunday" is the
	 * 23-hour day, 10:00 CEST on it is 08:00 UTC. */
	EXPECT("last sunday", utc(2026, 3, 30, 8, 0, 0), utc(2026, 3, 28, 23,
	    0, 0));
	EXPECT("sun 10:00", utc(2026, 3, 30, 8, 0, 0), utc(2026, 3, 29, 8, 0,
	    0));
	EXPECT("sat 10:00", utc(2026, 3, 30, 8, 0, 0), utc(2026, 3, 28, 9, 0,
	    0));
}

TEST(weekdays_rejected)
{
	static const char	*bad[] = { "mo", "last", "last today",
	    "last yesterday", "monday  10:00", "monday ", "monday 25:00",
	    "monday 10:00 x", "lastmonday", "last last monday", "mondays",
	    "monday 10", "funday", "next monday" };
	int64_t			 out = 0;
	size_t			 i;

	berlin();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (when_parse(bad[i], NOW, &out) != -PROTO_E_INVALID)
			harness_fail(__FILE__, __LINE__, "\"%s\" accepted as "
			    "%lld", bad[i], (long long)out);
	}
}

TEST(rejects)
{
	static const char	*bad[] = {
		"", "25:00", "24:00", "12:60", "2026-02-31", "2026-13-01",
		"2026-00-10", "2026-01-32", "2026-01-00", "2026-02-29",
		"2026-04-31", "1969-12-31", "tomorrowish", "tomorrow",
		"2026-11-21T", "2026-11-21T18", "2026-11-21T18:3",
		"2026-11-21T18:30:5", "2026-11-21X", "2026-11-21T18:30x",
		"2026-11-21T25:00", "2026-11-21T18:60", "2026-11-21T18:30:61",
		"2026-11-21T18:30+25:00", "2026-11-21T18:30+02:60",
		"2026-11-21T18:30+02:00x", "2026-11-21T18:30+",
		"2026-11-21T18:30ZZ",
		"2026-2-1", "26-11-21", "18", "18:", ":30", "now!", " now",
		"2026-02-31T12:00Z", "2026-02-30T12:00+01:00",
	};
	char			 longs[101];
	int64_t			 out = 0;
	size_t			 i;

	berlin();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (when_parse(bad[i], NOW, &out) != -PROTO_E_INVALID)
			harness_fail(__FILE__, __LINE__, "\"%s\" accepted as "
			    "%lld", bad[i], (long long)out);
	}
	/* A 100-character string, even one that starts like a date. */
	memset(longs, '1', 100);
	longs[100] = '\0';
	ASSERT_EQ_INT(when_parse(longs, NOW, &out), -PROTO_E_INVALID);
	memcpy(longs, "2026-11-21T18:30", 16);
	ASSERT_EQ_INT(when_parse(longs, NOW, &out), -PROTO_E_INVALID);
	ASSERT_EQ_INT(when_parse(NULL, NOW, &out), -PROTO_E_INVALID);
}

/*
 * sscanf's %d takes a sign and leading blanks, so each field below must
 * be refused explicitly; a negative field is normalised by mktime into
 * another time (the report lists them).
 */
TEST(rejects_signed_or_blank_fields)
{
	static const char	*bad[] = {
		"12:-5", "1:-5", "12:+5", "12: 5",
		"2026-11-21T-1:30", "2026-11-21T18:-5", "2026-11-21T18:30:-1",
		"2026-11-21 +1:30", "2026-11-21T18:30+-1:30",
		"2026-+1-21", "2026-11-+1", "2026-11- 1",
	};
	int64_t			 out = 0;
	size_t			 i, accepted = 0;

	berlin();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (when_parse(bad[i], NOW, &out) != -PROTO_E_INVALID) {
			fprintf(stderr, "# \"%s\" accepted as %+lld s from "
			    "now\n", bad[i], (long long)(out - NOW) / 1000);
			accepted++;
		}
	}
	ASSERT_EQ_UINT(accepted, 0);
}
