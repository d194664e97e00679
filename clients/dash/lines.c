/*
 * lines.c: the lines a pane shows, built from attuned's results before
 * anything is drawn: bounded text with an attribute per segment, every
 * string scrubbed for the terminal on the way in (a co-parent's entry
 * must not move the cursor). Also the typed getters the panes read
 * results with. Knows text and msgpack types, not entries or panes.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "mp.h"
#include "output.h"
#include "words.h"

void
lines_clear(struct lineset *l)
{
	l->n = 0;
}

void
lines_free(struct lineset *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/*
 * A new empty line at the end, showing item on Enter (may be NULL).
 * Past LINES_MAX, or out of memory, the last line is reused: a pane
 * loses its tail, never its head.
 */
struct line *
lines_add(struct lineset *l, const msgpack_object *item)
{
	struct line	*nv, *ln;
	size_t		 ncap;

	if (l->n == l->cap && l->cap < LINES_MAX) {
		ncap = l->cap == 0 ? 16 : l->cap * 2;
		if (ncap > LINES_MAX)
			ncap = LINES_MAX;
		if ((nv = reallocarray(l->v, ncap, sizeof(*nv))) != NULL) {
			l->v = nv;
			l->cap = ncap;
		}
	}
	if (l->n < l->cap)
		l->n++;
	if (l->n == 0)
		return (NULL);
	ln = &l->v[l->n - 1];
	ln->len = 0;
	ln->text[0] = '\0';
	ln->nseg = 0;
	ln->item = item;
	return (ln);
}

/* Append len bytes of s in attr, scrubbed; truncates at the line's end. */
void
line_addn(struct line *ln, enum dash_attr attr, const char *s, size_t len)
{
	size_t	room;

	if (ln == NULL || ln->len >= sizeof(ln->text) - 1)
		return;
	if (ln->nseg == 0 || ln->seg[ln->nseg - 1].attr != attr) {
		if (ln->nseg == LINE_MAX_SEGS)
			return;
		ln->seg[ln->nseg].off = (uint16_t)ln->len;
		ln->seg[ln->nseg++].attr = (uint8_t)attr;
	}
	room = sizeof(ln->text) - ln->len;
	ln->len += output_clean(ln->text + ln->len, room, s, len);
}

void
line_add(struct line *ln, enum dash_attr attr, const char *fmt, ...)
{
	char	buf[LINE_MAX_BYTES];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	line_addn(ln, attr, buf, (size_t)n);
}

/* Columns the line takes. */
size_t
line_width(const struct line *ln)
{
	return (output_width(ln->text));
}

/* Pad with spaces up to column col (nothing if already past it). */
void
line_pad(struct line *ln, size_t col)
{
	static const char	spaces[] = "                                ";
	size_t			w, n;

	if (ln == NULL)
		return;
	for (w = line_width(ln); w < col; w += n) {
		n = col - w < sizeof(spaces) - 1 ? col - w : sizeof(spaces) - 1;
		line_addn(ln, DA_PLAIN, spaces, n);
	}
}

/* Does the line contain needle, ignoring ASCII case? */
bool
line_contains(const struct line *ln, const char *needle)
{
	size_t	n = strlen(needle), i, j;

	if (n == 0)
		return (true);
	for (i = 0; i + n <= ln->len; i++) {
		for (j = 0; j < n; j++) {
			if (tolower((unsigned char)ln->text[i + j]) !=
			    tolower((unsigned char)needle[j]))
				break;
		}
		if (j == n)
			return (true);
	}
	return (false);
}

/* Append the scalar at key in map as text, or dflt when it is absent. */
void
line_str(struct line *ln, enum dash_attr attr, const msgpack_object *map,
    const char *key, const char *dflt)
{
	char	buf[LINE_MAX_BYTES];

	if (obj_str(map, key, buf, sizeof(buf)) == NULL) {
		if (dflt != NULL)
			line_add(ln, attr, "%s", dflt);
		return;
	}
	line_add(ln, attr, "%s", buf);
}

/*
 * The scalar at key in map as text in buf (a str as is, a number in
 * decimal, a bool as yes/no), or NULL when absent, nil or not a scalar.
 * Not scrubbed: line_* does that.
 */
const char *
obj_str(const msgpack_object *map, const char *key, char *buf, size_t size)
{
	return (words_scalar(map, key, buf, size));
}

/* The integer at key (that fits int64_t); false when absent or not one. */
bool
obj_int(const msgpack_object *map, const char *key, int64_t *v)
{
	return (mp_get_int(map, key, v) == MP_FOUND);
}

/* The bool at key; false when absent or not a bool. */
bool
obj_bool(const msgpack_object *map, const char *key)
{
	bool	v = false;

	return (mp_get_bool(map, key, &v) == MP_FOUND && v);
}

/* The array at key, or NULL. */
const msgpack_object *
obj_array(const msgpack_object *map, const char *key)
{
	const msgpack_object	*o = mp_map_get(map, key);

	return (o != NULL && o->type == MSGPACK_OBJECT_ARRAY ? o : NULL);
}

/* The "name" of the member reference ({id, name}) at key, or dflt. */
const char *
obj_ref(const msgpack_object *map, const char *key, char *buf, size_t size,
    const char *dflt)
{
	if (obj_str(mp_map_get(map, key), "name", buf, size) == NULL)
		snprintf(buf, size, "%s", dflt);
	return (buf);
}

/* The map at key, or NULL. */
const msgpack_object *
obj_map(const msgpack_object *map, const char *key)
{
	const msgpack_object	*o = mp_map_get(map, key);

	return (o != NULL && o->type == MSGPACK_OBJECT_MAP ? o : NULL);
}

/* Does the array at key hold the str s? */
bool
obj_array_has(const msgpack_object *map, const char *key, const char *s)
{
	const msgpack_object	*a = obj_array(map, key);
	uint32_t		 i;

	for (i = 0; a != NULL && i < a->via.array.size; i++) {
		if (mp_str_eq(&a->via.array.ptr[i], s))
			return (true);
	}
	return (false);
}

/* The attribute of a feelings zone as attuned names it. */
enum dash_attr
zone_attr(const char *zone)
{
	if (strcmp(zone, "red") == 0)
		return (DA_RED);
	if (strcmp(zone, "yellow") == 0)
		return (DA_YELLOW);
	if (strcmp(zone, "green") == 0)
		return (DA_GREEN);
	if (strcmp(zone, "blue") == 0)
		return (DA_BLUE);
	return (DA_PLAIN);
}
