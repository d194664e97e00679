/*
 * words.c: an entry of the family log in words, as a parent reads it
 * ("1:1 with Maya, 15 min — lego"), the same in `attune log` and in
 * attune-dash. Wording lives here; what an entry means (names resolved,
 * what is due) is attuned's. Unknown kinds are shown field by field,
 * never dropped.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mp.h"
#include "output.h"
#include "words.h"

#define WORDS_AT_SLACK_MS	(30 * 60 * 1000)

/* A bounded line under construction; truncates silently. */
struct words {
	char	s[WORDS_MAX];
	size_t	len;
};

static void	words_printf(struct words *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static bool	words_field(struct words *, const msgpack_object *,
		    const char *, const char *);
static bool	words_int(const msgpack_object *, const char *, int64_t *);
static void	words_one_on_one(struct words *, const msgpack_object *,
		    int64_t, int64_t);
static void	words_check(struct words *, const char *,
		    const msgpack_object *);
static void	words_repair(struct words *, const msgpack_object *);
static void	words_generic(struct words *, const msgpack_object *);
static bool	words_practice(struct words *, const char *,
		    const msgpack_object *, int64_t);
static bool	words_admin(struct words *, const char *,
		    const msgpack_object *);
static void	words_plan(struct words *, const msgpack_object *);
static void	words_id(struct words *, const msgpack_object *, const char *,
		    const char *);
static void	words_list(struct words *, const msgpack_object *,
		    const char *, const char *, const char *);

/*
 * The scalar at key in map as text: a str as is, a number in decimal, a
 * bool as yes or no. NULL when it is absent, nil or not a scalar.
 */
const char *
words_scalar(const msgpack_object *map, const char *key, char *buf,
    size_t size)
{
	const msgpack_object	*o = mp_map_get(map, key);

	if (o == NULL || size == 0)
		return (NULL);
	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		snprintf(buf, size, "%.*s", (int)(o->via.str.size < size ?
		    o->via.str.size : size - 1), o->via.str.ptr);
		return (buf);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		snprintf(buf, size, "%" PRIu64, o->via.u64);
		return (buf);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		snprintf(buf, size, "%" PRId64, o->via.i64);
		return (buf);
	case MSGPACK_OBJECT_BOOLEAN:
		snprintf(buf, size, "%s", o->via.boolean ? "yes" : "no");
		return (buf);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		snprintf(buf, size, "%g", o->via.f64);
		return (buf);
	default:
		return (NULL);
	}
}

static bool
words_int(const msgpack_object *map, const char *key, int64_t *v)
{
	return (mp_get_int(map, key, v) == MP_FOUND);
}

/* The short form of the hex id at key; "-" when absent. */
void
words_short(const msgpack_object *map, const char *key, char *buf,
    size_t size)
{
	const char	*s;
	size_t		 len;

	if (mp_get_str(map, key, &s, &len, PROTO_MAX_TEXT) != MP_FOUND)
		snprintf(buf, size, "-");
	else
		output_short_id(buf, size, s, len);
}

static void
words_printf(struct words *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (b->len >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < sizeof(b->s) - b->len ? (size_t)n :
		    sizeof(b->s) - b->len - 1;
}

/*
 * Append prefix and the scalar at key in f (a str as is, a number in
 * decimal). Return false, appending nothing, when it is absent or nil.
 */
static bool
words_field(struct words *b, const msgpack_object *f, const char *key,
    const char *prefix)
{
	char	buf[PROTO_MAX_TEXT + 1];

	if (words_scalar(f, key, buf, sizeof(buf)) == NULL)
		return (false);
	words_printf(b, "%s%s", prefix, buf);
	return (true);
}

/* "1:1 with Maya on Fri 17:00, 15 min — lego" (when differs from ts). */
static void
words_one_on_one(struct words *b, const msgpack_object *f, int64_t ts,
    int64_t now)
{
	char	when[OUTPUT_TIME_MAX], sep[8];
	int64_t	at;

	if (!words_field(b, f, "kid", "1:1 with "))
		words_printf(b, "1:1");
	if (words_int(f, "at", &at)) {
		/* |at - ts| in unsigned arithmetic: no overflow. */
		if ((at > ts ? (uint64_t)at - (uint64_t)ts :
		    (uint64_t)ts - (uint64_t)at) > WORDS_AT_SLACK_MS) {
			output_time(when, sizeof(when), at, now);
			words_printf(b, " on %s", when);
		}
	} else
		(void)words_field(b, f, "at", " at ");
	if (words_field(b, f, "minutes", ", "))
		words_printf(b, " min");
	words_list(b, f, "parents", " (with ", ")");
	snprintf(sep, sizeof(sep), " %s ", output_dash());
	(void)words_field(b, f, "activity", sep);
}

/* "Maya checked in: happy (4/5)". */
static void
words_check(struct words *b, const char *kind, const msgpack_object *f)
{
	if (!words_field(b, f, "who", ""))
		words_printf(b, "someone");
	words_printf(b, " checked %s", strcmp(kind, "checkin") == 0 ? "in" :
	    "out");
	(void)words_field(b, f, "feeling", ": ");
	if (words_field(b, f, "intensity", " ("))
		words_printf(b, "/5)");
}

/* "repair with Sam: shouted at bedtime — apologised". */
static void
words_repair(struct words *b, const msgpack_object *f)
{
	bool	apologized = false;

	if (!words_field(b, f, "kid", "repair with "))
		words_printf(b, "repair");
	words_list(b, f, "kids", " and ", "");
	(void)words_field(b, f, "what", ": ");
	if (mp_get_bool(f, "apologized", &apologized) == MP_FOUND &&
	    apologized)
		words_printf(b, " %s apologised", output_dash());
}

/* Any other kind: "key: value, ..." over its scalar fields. */
static void
words_generic(struct words *b, const msgpack_object *f)
{
	const msgpack_object_kv	*kv;
	char			 key[PROTO_MAX_NAME + 1];
	uint32_t		 i;
	bool			 first = true;

	if (f == NULL || f->type != MSGPACK_OBJECT_MAP)
		return;
	for (i = 0; i < f->via.map.size; i++) {
		kv = &f->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR ||
		    kv->key.via.str.size > PROTO_MAX_NAME ||
		    mp_str_eq(&kv->key, "at") ||
		    kv->val.type == MSGPACK_OBJECT_ARRAY ||
		    kv->val.type == MSGPACK_OBJECT_MAP ||
		    kv->val.type == MSGPACK_OBJECT_BIN ||
		    mp_str_eq(&kv->key, "note"))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)kv->key.via.str.size,
		    kv->key.via.str.ptr);
		if (strlen(key) > 3 && strcmp(key + strlen(key) - 3,
		    "_id") == 0)
			continue;
		words_printf(b, "%s%s", first ? "" : ", ", key);
		if (kv->val.type == MSGPACK_OBJECT_STR &&
		    kv->val.via.str.size == 64)
			words_id(b, f, key, ": ");
		else if (!words_field(b, f, key, ": "))
			words_printf(b, ": -");
		first = false;
	}
}

static const char *const words_days[] = { "sun", "mon", "tue", "wed", "thu",
    "fri", "sat" };

/* prefix and the first 12 digits of the hex id at key. */
static void
words_id(struct words *b, const msgpack_object *f, const char *key,
    const char *prefix)
{
	char	id[OUTPUT_SHORT_ID + 1];

	words_short(f, key, id, sizeof(id));
	words_printf(b, "%s%s", prefix, id);
}

/* prefix, the strs of the array at key joined by ", ", then suffix. */
static void
words_list(struct words *b, const msgpack_object *f, const char *key,
    const char *prefix, const char *suffix)
{
	const msgpack_object	*o = mp_map_get(f, key);
	char			 item[PROTO_MAX_NAME + 1];
	uint32_t		 i;

	if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY ||
	    o->via.array.size == 0)
		return;
	words_printf(b, "%s", prefix);
	for (i = 0; i < o->via.array.size; i++) {
		const msgpack_object *it = &o->via.array.ptr[i];

		if (it->type == MSGPACK_OBJECT_STR)
			snprintf(item, sizeof(item), "%.*s",
			    (int)(it->via.str.size > PROTO_MAX_NAME ?
			    PROTO_MAX_NAME : it->via.str.size),
			    it->via.str.ptr);
		else if (it->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    it->via.u64 < 7)
			snprintf(item, sizeof(item), "%s",
			    words_days[it->via.u64]);
		else
			snprintf(item, sizeof(item), "?");
		words_printf(b, "%s%s", i ? ", " : "", item);
	}
	words_printf(b, "%s", suffix);
}

/* "1:1 plan with Maya: wed, sat at 10:00, 10 min, by Sam". */
static void
words_plan(struct words *b, const msgpack_object *f)
{
	if (!words_field(b, f, "kid", "1:1 plan with "))
		words_printf(b, "1:1 plan");
	words_list(b, f, "days", ": ", "");
	(void)words_field(b, f, "time", " at ");
	if (words_field(b, f, "minutes", ", "))
		words_printf(b, " min");
	(void)words_field(b, f, "by", ", by ");
}

/*
 * The kinds of the practices. Return false for a kind it does not know.
 */
static bool
words_practice(struct words *b, const char *kind, const msgpack_object *f,
    int64_t now)
{
	char	when[OUTPUT_TIME_MAX];
	int64_t	at;

	if (strcmp(kind, "plan") == 0)
		words_plan(b, f);
	else if (strcmp(kind, "plan.stop") == 0) {
		(void)words_field(b, f, "kid", "stopped 1:1 plans with ");
		(void)words_field(b, f, "by", " by ");
	} else if (strncmp(kind, "twoxten.", 8) == 0) {
		(void)words_field(b, f, "kid", strcmp(kind, "twoxten.day") == 0 ?
		    "2x10 day with " : "2x10 starts with ");
		if (words_int(f, "at", &at)) {
			output_time(when, sizeof(when), at, now);
			words_printf(b, " (%s)", when);
		}
	} else if (strcmp(kind, "goal") == 0) {
		(void)words_field(b, f, "kid", "goal of ");
		(void)words_field(b, f, "text", ": ");
		if (words_field(b, f, "due", " (due "))
			words_printf(b, ")");
	} else if (strcmp(kind, "goal.progress") == 0) {
		words_id(b, f, "goal", "progress on goal ");
		words_list(b, f, "behaviors", " (", ")");
	} else if (strcmp(kind, "goal.close") == 0) {
		words_id(b, f, "goal", "goal ");
		(void)words_field(b, f, "outcome", " ");
	} else if (strcmp(kind, "strength") == 0) {
		(void)words_field(b, f, "kid", "");
		(void)words_field(b, f, "text", ": ");
		if (words_field(b, f, "type", " ("))
			words_printf(b, ")");
	} else if (strcmp(kind, "moment") == 0) {
		(void)words_field(b, f, "kid", "moment with ");
		(void)words_field(b, f, "what", ": ");
	} else if (strcmp(kind, "repair.done") == 0) {
		words_id(b, f, "repair", "repaired ");
		(void)words_field(b, f, "heard", ": heard ");
		(void)words_field(b, f, "plan", "; plan: ");
	} else if (strcmp(kind, "prompt.add") == 0) {
		(void)words_field(b, f, "text", "prompt: ");
		if (words_field(b, f, "ages", " (ages "))
			words_printf(b, ")");
	} else if (strcmp(kind, "setting") == 0) {
		(void)words_field(b, f, "key", "");
		(void)words_field(b, f, "value", " = ");
	} else if (strcmp(kind, "amend") == 0) {
		words_id(b, f, "target", "amended ");
		words_printf(b, ": ");
		words_generic(b, mp_map_get(f, "fields"));
	} else if (strcmp(kind, "retract") == 0) {
		words_id(b, f, "target", "retracted ");
		(void)words_field(b, f, "reason", ": ");
	} else
		return (false);
	return (true);
}

/* The administrative kinds: family, kids, devices, keys. */
static bool
words_admin(struct words *b, const char *kind, const msgpack_object *f)
{
	char		dev[OUTPUT_SHORT_ID + 1];
	uint64_t	epoch = 0;

	words_short(f, "device", dev, sizeof(dev));
	if (strcmp(kind, "kid.add") == 0) {
		(void)words_field(b, f, "name", "added ");
		if (words_field(b, f, "born", " (born "))
			words_printf(b, ")");
	} else if (strcmp(kind, "device.add") == 0) {
		if (!words_field(b, f, "name", "added "))
			words_printf(b, "added a device");
		words_printf(b, "'s laptop (device %s)", dev);
	} else if (strcmp(kind, "device.remove") == 0)
		words_printf(b, "removed device %s", dev);
	else if (strcmp(kind, "key.rotate") == 0) {
		(void)mp_get_uint(f, "epoch", &epoch);
		words_printf(b, "new family key (epoch %" PRIu64 ") for the "
		    "devices that stay", epoch);
	} else if (strcmp(kind, "family.create") == 0) {
		if (!words_field(b, f, "family", "created "))
			words_printf(b, "created the family");
		(void)words_field(b, f, "name", " with ");
	} else
		return (false);
	return (true);
}

/*
 * The wording of entry e (a log entry: kind, ts, fields, retracted,
 * amended), without its time, author or kind, into buf, with
 * "(retracted)" or "(amended)" as attuned marks it. Return whether it is
 * retracted (a client dims it).
 */
bool
words_entry(char *buf, size_t size, const msgpack_object *e, int64_t now)
{
	const msgpack_object	*f = mp_map_get(e, "fields");
	const msgpack_object	*retracted = mp_map_get(e, "retracted");
	struct words		 b;
	char			 kind[PROTO_MAX_NAME + 1];
	uint64_t		 amended = 0;
	int64_t			 ts = 0;

	b.s[0] = '\0';
	b.len = 0;
	if (words_scalar(e, "kind", kind, sizeof(kind)) == NULL)
		snprintf(kind, sizeof(kind), "?");
	(void)words_int(e, "ts", &ts);
	if (strcmp(kind, "one-on-one") == 0)
		words_one_on_one(&b, f, ts, now);
	else if (strcmp(kind, "checkin") == 0 || strcmp(kind, "checkout") == 0)
		words_check(&b, kind, f);
	else if (strcmp(kind, "repair") == 0)
		words_repair(&b, f);
	else if (!words_admin(&b, kind, f) &&
	    !words_practice(&b, kind, f, now))
		words_generic(&b, f);
	if (retracted != NULL && retracted->type != MSGPACK_OBJECT_MAP)
		retracted = NULL;
	if (retracted != NULL)
		words_printf(&b, " (retracted)");
	else if (mp_get_uint(e, "amended", &amended) == MP_FOUND &&
	    amended > 0)
		words_printf(&b, " (amended)");
	snprintf(buf, size, "%s", b.s);
	return (retracted != NULL);
}
