/*
 * when.h: parse the times people type ("today", "yesterday", "18:30",
 * "2026-11-21", "2026-11-21T18:30", "2026-11-21 18:30:05", "now",
 * "monday", "last monday", "sat 10:00", "yesterday 18:30") into
 * milliseconds since the epoch, in the local time zone unless the text
 * ends in "Z" or a "+HH:MM"/"-HH:MM" offset. A date or a day alone means
 * its local midnight. A weekday (3 letters or more of its name) is its
 * latest day up to today; "last" makes it 1 to 7 days ago. Pure: "now"
 * is a parameter.
 */
#ifndef ATTUNE_WHEN_H
#define ATTUNE_WHEN_H

#include <stdint.h>

int	when_parse(const char *s, int64_t now_ms, int64_t *out_ms);
int64_t	when_day_start(int64_t ms);

#endif
