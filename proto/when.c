/*
 * when.c: the WHEN grammar of when.h. Uses the C library's local time
 * (TZ) through localtime_r and mktime, so daylight saving is handled by
 * the system's zone data, not here.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "proto.h"
#include "when.h"

static int	when_local(struct tm *, int64_t *);
static int	when_iso(const char *, int64_t *);
static int	when_offset(const char *, long *, int *);

/* Local midnight of the day that contains ms. */
int64_t
when_day_start(int64_t ms)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return ((int64_t)mktime(&tm) * 1000);
}

static int
when_local(struct tm *tm, int64_t *out)
{
	time_t	t;

	tm->tm_isdst = -1;
	if ((t = mktime(tm)) == (time_t)-1)
		return (-PROTO_E_INVALID);
	*out = (int64_t)t * 1000;
	return (0);
}

/* Parse "Z", "+HH:MM", "-HHMM" or nothing. *has says which. */
static int
when_offset(const char *s, long *secs, int *has)
{
	int	hh, mm, n = 0;

	*secs = 0;
	*has = 0;
	if (*s == '\0')
		return (0);
	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*has = 1;
		return (0);
	}
	if ((s[0] == '+' || s[0] == '-') &&
	    (sscanf(s + 1, "%2d:%2d%n", &hh, &mm, &n) == 2 ||
	    sscanf(s + 1, "%2d%2d%n", &hh, &mm, &n) == 2) &&
	    s[1 + n] == '\0' && hh <= 23 && mm <= 59) {
		*secs = (hh * 3600L + mm * 60L) * (s[0] == '-' ? -1 : 1);
		*has = 1;
		return (0);
	}
	return (-PROTO_E_INVALID);
}

/* YYYY-MM-DD[(T| )HH:MM[:SS]][offset] */
static int
when_iso(const char *s, int64_t *out)
{
	struct tm	tm;
	int		y, mo, d, h = 0, mi = 0, sec = 0, n = 0, has;
	long		off;
	time_t		t;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return (-PROTO_E_INVALID);
	s += n;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		n = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return (-PROTO_E_INVALID);
		s += 1 + n;
		if (*s == ':') {
			n = 0;
			if (sscanf(s + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return (-PROTO_E_INVALID);
			s += 1 + n;
		}
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60)
		return (-PROTO_E_INVALID);
	if (when_offset(s, &off, &has) < 0)
		return (-PROTO_E_INVALID);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (!has) {
		if (when_local(&tm, out) < 0)
			return (-PROTO_E_INVALID);
		/* mktime normalises 2026-02-31 to March: refuse it. */
		return (tm.tm_mday == d && tm.tm_mon == mo - 1 ? 0 :
		    -PROTO_E_INVALID);
	}
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != d)
		return (-PROTO_E_INVALID);
	*out = ((int64_t)t - off) * 1000;
	return (0);
}

/*
 * Parse s relative to now_ms. Return 0 with *out_ms set or
 * -PROTO_E_INVALID.
 */
int
when_parse(const char *s, int64_t now_ms, int64_t *out_ms)
{
	struct tm	tm;
	time_t		now = (time_t)(now_ms / 1000);
	int		h, m, n = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 40)
		return (-PROTO_E_INVALID);
	if (strcasecmp(s, "now") == 0) {
		*out_ms = now_ms;
		return (0);
	}
	if (strcasecmp(s, "today") == 0) {
		*out_ms = when_day_start(now_ms);
		return (0);
	}
	if (strcasecmp(s, "yesterday") == 0) {
		localtime_r(&now, &tm);
		tm.tm_mday -= 1;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		return (when_local(&tm, out_ms));
	}
	if (isdigit((unsigned char)s[0]) && sscanf(s, "%2d:%2d%n", &h, &m,
	    &n) == 2 && s[n] == '\0' && n >= 4 && h <= 23 && m <= 59) {
		localtime_r(&now, &tm);
		tm.tm_hour = h;
		tm.tm_min = m;
		tm.tm_sec = 0;
		return (when_local(&tm, out_ms));
	}
	return (when_iso(s, out_ms));
}
