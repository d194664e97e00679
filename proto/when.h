/*
 * when.h: parse the times people type ("today", "yesterday", "18:30",
 * "2026-11-21", "2026-11-21T18:30", "2026-11-21 18:30:05", "now") into
 * milliseconds since the epoch, in the local time zone unless the text
 * ends in "Z" or a "+HH:MM"/"-HH:MM" offset. A date alone means its
 * local midnight. Pure: "now" is a parameter.
 */
#ifndef ATTUNE_WHEN_H
#define ATTUNE_WHEN_H

#include <stdint.h>

int	when_parse(const char *s, int64_t now_ms, int64_t *out_ms);
int64_t	when_day_start(int64_t ms);

#endif
