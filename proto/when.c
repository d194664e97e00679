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
static int	when_num(const char *, int);
static int	when_words(const char *, int64_t, int64_t *);
static int	when_weekday(const char *, size_t);

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

/* Exactly n ASCII digits at s (no sign, no blank). -1 if not. */
static int
when_num(const char *s, int n)
{
	int	v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v);
}

/* Parse "Z", "+HH:MM", "-HHMM" or nothing. *has says which. */
static int
when_offset(const char *s, long *secs, int *has)
{
	int	hh, mm, colon;

	*secs = 0;
	*has = 0;
	if (*s == '\0')
		return (0);
	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*has = 1;
		return (0);
	}
	if ((s[0] != '+' && s[0] != '-') || (strlen(s) != 5 && strlen(s) != 6))
		return (-PROTO_E_INVALID);
	colon = s[3] == ':';
	hh = when_num(s + 1, 2);
	mm = when_num(s + 3 + colon, 2);
	if (hh < 0 || mm < 0 || s[5 + colon] != '\0' || hh > 23 || mm > 59)
		return (-PROTO_E_INVALID);
	*secs = (hh * 3600L + mm * 60L) * (s[0] == '-' ? -1 : 1);
	*has = 1;
	return (0);
}

/* YYYY-MM-DD[(T| )HH:MM[:SS]][offset], every field all digits. */
static int
when_iso(const char *s, int64_t *out)
{
	struct tm	tm;
	int		y, mo, d, h = 0, mi = 0, sec = 0, has;
	long		off;
	int64_t		ms;
	time_t		t;

	/* The caller guarantees at least 10 characters. */
	y = when_num(s, 4);
	mo = s[4] == '-' ? when_num(s + 5, 2) : -1;
	d = s[7] == '-' ? when_num(s + 8, 2) : -1;
	if (y < 0 || mo < 0 || d < 0)
		return (-PROTO_E_INVALID);
	s += 10;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		if (strlen(s) < 6 || (h = when_num(s + 1, 2)) < 0 ||
		    s[3] != ':' || (mi = when_num(s + 4, 2)) < 0)
			return (-PROTO_E_INVALID);
		s += 6;
		if (*s == ':') {
			if (strlen(s) < 3 || (sec = when_num(s + 1, 2)) < 0)
				return (-PROTO_E_INVALID);
			s += 3;
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
		if (when_local(&tm, &ms) < 0 ||
		    tm.tm_mday != d || tm.tm_mon != mo - 1)
			return (-PROTO_E_INVALID);	/* 2026-02-31 */
		*out = ms;
		return (0);
	}
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != d)
		return (-PROTO_E_INVALID);
	*out = ((int64_t)t - off) * 1000;
	return (0);
}

/* A weekday by a prefix of its English name of 3 letters or more. */
static int
when_weekday(const char *s, size_t len)
{
	static const char *const names[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	int	i;

	for (i = 0; i < 7 && len >= 3; i++) {
		if (len <= strlen(names[i]) &&
		    strncasecmp(names[i], s, len) == 0)
			return (i);
	}
	return (-1);
}

/*
 * "[last] DAY [HH:MM]": DAY is today, yesterday or a weekday. A weekday
 * is its latest day up to today ("monday" on a Monday is today); "last"
 * makes it strictly before today (1 to 7 days ago).
 */
static int
when_words(const char *s, int64_t now_ms, int64_t *out)
{
	struct tm	tm;
	time_t		now = (time_t)(now_ms / 1000);
	const char	*w[3];
	size_t		 wl[3], n = 0;
	int		 last = 0, back, day, h = 0, m = 0, i = 0;

	while (*s != '\0' && n < 3) {
		w[n] = s;
		wl[n] = strcspn(s, " ");
		s += wl[n];
		if (wl[n++] == 0 || (*s == ' ' && *++s == '\0'))
			return (-PROTO_E_INVALID);
	}
	if (*s != '\0' || n == 0)
		return (-PROTO_E_INVALID);
	if (wl[0] == 4 && strncasecmp(w[0], "last", 4) == 0) {
		last = 1;
		i = 1;
	}
	if (i >= (int)n)
		return (-PROTO_E_INVALID);
	localtime_r(&now, &tm);
	if (!last && wl[i] == 5 && strncasecmp(w[i], "today", 5) == 0)
		back = 0;
	else if (!last && wl[i] == 9 && strncasecmp(w[i], "yesterday", 9) == 0)
		back = 1;
	else if ((day = when_weekday(w[i], wl[i])) >= 0) {
		back = (tm.tm_wday - day + 7) % 7;
		if (last && back == 0)
			back = 7;
	} else
		return (-PROTO_E_INVALID);
	if (++i < (int)n) {
		if (i != (int)n - 1 || (wl[i] != 4 && wl[i] != 5) ||
		    w[i][wl[i] - 3] != ':' ||
		    (h = when_num(w[i], (int)wl[i] - 3)) < 0 ||
		    (m = when_num(w[i] + wl[i] - 2, 2)) < 0 || h > 23 || m > 59)
			return (-PROTO_E_INVALID);
	}
	tm.tm_mday -= back;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = 0;
	return (when_local(&tm, out));
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
	size_t		len;
	int		h, m;

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
	if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
		return (when_words(s, now_ms, out_ms));
	if ((len = strlen(s)) == 4 || len == 5) {
		h = when_num(s, (int)len - 3);
		m = s[len - 3] == ':' ? when_num(s + len - 2, 2) : -1;
		if (h < 0 || m < 0 || h > 23 || m > 59)
			return (-PROTO_E_INVALID);
		localtime_r(&now, &tm);
		tm.tm_hour = h;
		tm.tm_min = m;
		tm.tm_sec = 0;
		return (when_local(&tm, out_ms));
	}
	if (len < 10)
		return (-PROTO_E_INVALID);
	return (when_iso(s, out_ms));
}
