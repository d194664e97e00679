/*
 * timeline.c: the latest entries of the family log as the dashboard
 * keeps them: newest first by (ts, id), each id once, at most
 * DASH_TL_MAX; and the one-line wording of an entry, the same words as
 * "attune log" (clients/cli/cmd-log.c, whose functions these mirror one
 * for one) so both clients read alike. Which
 * views an entry can change is a conservative table here; what the entry
 * means for those views is attuned's business.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "mp.h"
#include "output.h"

#define TL_AT_SLACK_MS	(30 * 60 * 1000)

#define TL_PRACTICE	(DV_BIT(DV_WEEK) | DV_BIT(DV_TODAY) |		\
			 DV_BIT(DV_REPAIRS) | DV_BIT(DV_GOALS))

/*
 * The views an entry of each kind can change (docs/protocol.md, the
 * practice views), besides status and devices (counts, peers, each
 * laptop's entries), which every entry changes. A kind not listed
 * (amend and retract, which can touch any entry; setting; a newer
 * attuned's) refreshes every practice view: never too little.
 */
static const struct {
	const char	*kind;
	unsigned	 views;
} tl_kinds[] = {
	{ "checkin", DV_BIT(DV_TODAY) | DV_BIT(DV_WEEK) },
	{ "checkout", DV_BIT(DV_TODAY) | DV_BIT(DV_WEEK) },
	{ "device.add", 0 },
	{ "device.remove", 0 },
	{ "family.create", DV_BIT(DV_KIDS) | TL_PRACTICE },
	{ "goal", DV_BIT(DV_GOALS) | DV_BIT(DV_WEEK) },
	{ "goal.close", DV_BIT(DV_GOALS) | DV_BIT(DV_WEEK) },
	{ "goal.progress", DV_BIT(DV_GOALS) | DV_BIT(DV_WEEK) },
	{ "key.rotate", 0 },
	{ "kid.add", DV_BIT(DV_KIDS) | TL_PRACTICE },
	{ "moment", DV_BIT(DV_WEEK) },
	{ "one-on-one", DV_BIT(DV_TODAY) | DV_BIT(DV_WEEK) },
	{ "plan", DV_BIT(DV_TODAY) | DV_BIT(DV_WEEK) },
	{ "plan.stop", DV_BIT(DV_TODAY) | DV_BIT(DV_WEEK) },
	{ "repair", DV_BIT(DV_REPAIRS) | DV_BIT(DV_TODAY) |
	    DV_BIT(DV_WEEK) },
	{ "repair.done", DV_BIT(DV_REPAIRS) | DV_BIT(DV_TODAY) |
	    DV_BIT(DV_WEEK) },
	{ "twoxten.day", DV_BIT(DV_TODAY) | DV_BIT(DV_WEEK) },
	{ "twoxten.start", DV_BIT(DV_TODAY) | DV_BIT(DV_WEEK) },
};

static int	tl_cmp(int64_t, const char *, const struct tl_entry *);
static bool	tl_field(struct line *, const msgpack_object *, const char *,
		    const char *);
static void	tl_id(struct line *, const msgpack_object *, const char *,
		    const char *);
static void	tl_list(struct line *, const msgpack_object *, const char *,
		    const char *, const char *);
static void	tl_one_on_one(struct line *, const msgpack_object *, int64_t,
		    int64_t);
static void	tl_check(struct line *, const char *, const msgpack_object *);
static void	tl_repair(struct line *, const msgpack_object *);
static void	tl_generic(struct line *, const msgpack_object *);
static void	tl_plan(struct line *, const msgpack_object *);
static bool	tl_practice(struct line *, const char *,
		    const msgpack_object *, int64_t);
static bool	tl_admin(struct line *, const char *, const msgpack_object *);

void
tl_clear(struct timeline *tl)
{
	size_t	i;

	for (i = 0; i < tl->n; i++) {
		blob_finish(&tl->v[i]->b);
		free(tl->v[i]);
	}
	tl->n = 0;
}

/* Order of (ts, id) against e: negative when it is newer (goes first). */
static int
tl_cmp(int64_t ts, const char *id, const struct tl_entry *e)
{
	if (ts != e->ts)
		return (ts > e->ts ? -1 : 1);
	return (-strcmp(id, e->id));
}

/*
 * Insert a copy of entry (a map as "log" returns it) at its place.
 * Return 1 if inserted, 0 if it was there already or is older than
 * everything kept, or a negative code for a malformed entry or no memory.
 */
int
tl_insert(struct timeline *tl, const msgpack_object *entry)
{
	struct tl_entry	*e;
	const char	*s;
	size_t		 len, lo = 0, hi = tl->n, mid, i;
	int64_t		 ts;
	char		 id[sizeof(e->id)];
	int		 c;

	if (mp_get_str(entry, "id", &s, &len, sizeof(id) - 1) != MP_FOUND ||
	    len == 0 || mp_get_int(entry, "ts", &ts) != MP_FOUND)
		return (-PROTO_E_TYPE);
	memcpy(id, s, len);
	id[len] = '\0';
	for (i = 0; i < tl->n; i++) {
		if (strcmp(tl->v[i]->id, id) == 0)
			return (0);
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = tl_cmp(ts, id, tl->v[mid])) < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == DASH_TL_MAX)
		return (0);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return (-PROTO_E_INTERNAL);
	blob_init(&e->b);
	if (blob_set(&e->b, entry, NULL) < 0) {
		free(e);
		return (-PROTO_E_INTERNAL);
	}
	memcpy(e->id, id, len + 1);
	e->ts = ts;
	if (tl->n == DASH_TL_MAX) {
		blob_finish(&tl->v[tl->n - 1]->b);
		free(tl->v[--tl->n]);
	}
	memmove(&tl->v[lo + 1], &tl->v[lo], (tl->n - lo) * sizeof(tl->v[0]));
	tl->v[lo] = e;
	tl->n++;
	return (1);
}

/* Add to *views what an entry of this kind can change. */
void
tl_kind_views(const msgpack_object *entry, unsigned *views)
{
	const msgpack_object	*k = mp_map_get(entry, "kind");
	size_t			 i;

	*views |= DV_BIT(DV_STATUS) | DV_BIT(DV_DEVICES);
	for (i = 0; k != NULL && i < sizeof(tl_kinds) / sizeof(tl_kinds[0]);
	    i++) {
		if (mp_str_eq(k, tl_kinds[i].kind)) {
			*views |= tl_kinds[i].views;
			return;
		}
	}
	*views |= TL_PRACTICE;
}

/*
 * Append prefix and the scalar at key in f (a str as is, a number in
 * decimal). Return false, appending nothing, when it is absent or nil.
 */
static bool
tl_field(struct line *ln, const msgpack_object *f, const char *key,
    const char *prefix)
{
	char	buf[LINE_MAX_BYTES];

	if (obj_str(f, key, buf, sizeof(buf)) == NULL)
		return (false);
	line_add(ln, DA_PLAIN, "%s%s", prefix, buf);
	return (true);
}

/* prefix and the short form of the hex id at key. */
static void
tl_id(struct line *ln, const msgpack_object *f, const char *key,
    const char *prefix)
{
	char		 id[OUTPUT_SHORT_ID + 1];
	const char	*s;
	size_t		 len;

	if (mp_get_str(f, key, &s, &len, PROTO_MAX_TEXT) != MP_FOUND)
		snprintf(id, sizeof(id), "-");
	else
		output_short_id(id, sizeof(id), s, len);
	line_add(ln, DA_PLAIN, "%s%s", prefix, id);
}

/* prefix, the strs (or weekdays) of the array at key, then suffix. */
static void
tl_list(struct line *ln, const msgpack_object *f, const char *key,
    const char *prefix, const char *suffix)
{
	static const char *const days[] = { "sun", "mon", "tue", "wed",
	    "thu", "fri", "sat" };
	const msgpack_object	*o = obj_array(f, key), *it;
	uint32_t		 i;

	if (o == NULL || o->via.array.size == 0)
		return;
	line_add(ln, DA_PLAIN, "%s", prefix);
	for (i = 0; i < o->via.array.size; i++) {
		it = &o->via.array.ptr[i];
		if (i > 0)
			line_add(ln, DA_PLAIN, ", ");
		if (it->type == MSGPACK_OBJECT_STR)
			line_addn(ln, DA_PLAIN, it->via.str.ptr,
			    it->via.str.size > PROTO_MAX_NAME ?
			    PROTO_MAX_NAME : it->via.str.size);
		else if (it->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    it->via.u64 < 7)
			line_add(ln, DA_PLAIN, "%s", days[it->via.u64]);
		else
			line_add(ln, DA_PLAIN, "?");
	}
	line_add(ln, DA_PLAIN, "%s", suffix);
}

/* "1:1 with Maya on Fri 17:00, 15 min — lego" (when differs from ts). */
static void
tl_one_on_one(struct line *ln, const msgpack_object *f, int64_t ts,
    int64_t now)
{
	char	when[OUTPUT_TIME_MAX], sep[8];
	int64_t	at;

	if (!tl_field(ln, f, "kid", "1:1 with "))
		line_add(ln, DA_PLAIN, "1:1");
	if (obj_int(f, "at", &at)) {
		/* |at - ts| in unsigned arithmetic: no overflow. */
		if ((at > ts ? (uint64_t)at - (uint64_t)ts :
		    (uint64_t)ts - (uint64_t)at) > TL_AT_SLACK_MS) {
			output_time(when, sizeof(when), at, now);
			line_add(ln, DA_PLAIN, " on %s", when);
		}
	} else
		(void)tl_field(ln, f, "at", " at ");
	if (tl_field(ln, f, "minutes", ", "))
		line_add(ln, DA_PLAIN, " min");
	tl_list(ln, f, "parents", " (with ", ")");
	snprintf(sep, sizeof(sep), " %s ", output_dash());
	(void)tl_field(ln, f, "activity", sep);
}

/* "Maya checked in: happy (4/5)". */
static void
tl_check(struct line *ln, const char *kind, const msgpack_object *f)
{
	if (!tl_field(ln, f, "who", ""))
		line_add(ln, DA_PLAIN, "someone");
	line_add(ln, DA_PLAIN, " checked %s", strcmp(kind, "checkin") == 0 ?
	    "in" : "out");
	(void)tl_field(ln, f, "feeling", ": ");
	if (tl_field(ln, f, "intensity", " ("))
		line_add(ln, DA_PLAIN, "/5)");
}

/* "repair with Sam: shouted at bedtime — apologised". */
static void
tl_repair(struct line *ln, const msgpack_object *f)
{
	if (!tl_field(ln, f, "kid", "repair with "))
		line_add(ln, DA_PLAIN, "repair");
	tl_list(ln, f, "kids", " and ", "");
	(void)tl_field(ln, f, "what", ": ");
	if (obj_bool(f, "apologized"))
		line_add(ln, DA_PLAIN, " %s apologised", output_dash());
}

/*
 * Any other kind: "key: value, ..." over its scalar fields but note, at
 * and the *_id beside names; a 64-digit id in its short form.
 */
static void
tl_generic(struct line *ln, const msgpack_object *f)
{
	const msgpack_object_kv	*kv;
	char			 key[PROTO_MAX_NAME + 1];
	size_t			 n;
	uint32_t		 i;
	bool			 first = true;

	if (f == NULL || f->type != MSGPACK_OBJECT_MAP)
		return;
	for (i = 0; i < f->via.map.size; i++) {
		kv = &f->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR ||
		    (n = kv->key.via.str.size) > PROTO_MAX_NAME ||
		    mp_str_eq(&kv->key, "note") || mp_str_eq(&kv->key, "at") ||
		    kv->val.type == MSGPACK_OBJECT_ARRAY ||
		    kv->val.type == MSGPACK_OBJECT_MAP ||
		    kv->val.type == MSGPACK_OBJECT_BIN ||
		    (n > 3 && memcmp(kv->key.via.str.ptr + n - 3, "_id", 3) ==
		    0))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)n, kv->key.via.str.ptr);
		line_add(ln, DA_PLAIN, "%s%s", first ? "" : ", ", key);
		if (kv->val.type == MSGPACK_OBJECT_STR &&
		    kv->val.via.str.size == 64)
			tl_id(ln, f, key, ": ");
		else if (!tl_field(ln, f, key, ": "))
			line_add(ln, DA_PLAIN, ": -");
		first = false;
	}
}

/* "1:1 plan with Maya: wed, sat at 10:00, 10 min, by Sam". */
static void
tl_plan(struct line *ln, const msgpack_object *f)
{
	if (!tl_field(ln, f, "kid", "1:1 plan with "))
		line_add(ln, DA_PLAIN, "1:1 plan");
	tl_list(ln, f, "days", ": ", "");
	(void)tl_field(ln, f, "time", " at ");
	if (tl_field(ln, f, "minutes", ", "))
		line_add(ln, DA_PLAIN, " min");
	(void)tl_field(ln, f, "by", ", by ");
}

/* The kinds of the practices. Return false for a kind it does not know. */
static bool
tl_practice(struct line *ln, const char *kind, const msgpack_object *f,
    int64_t now)
{
	char	when[OUTPUT_TIME_MAX];
	int64_t	at;

	if (strcmp(kind, "plan") == 0)
		tl_plan(ln, f);
	else if (strcmp(kind, "plan.stop") == 0) {
		(void)tl_field(ln, f, "kid", "stopped 1:1 plans with ");
		(void)tl_field(ln, f, "by", " by ");
	} else if (strncmp(kind, "twoxten.", 8) == 0) {
		(void)tl_field(ln, f, "kid", strcmp(kind, "twoxten.day") == 0 ?
		    "2x10 day with " : "2x10 starts with ");
		if (obj_int(f, "at", &at)) {
			output_time(when, sizeof(when), at, now);
			line_add(ln, DA_PLAIN, " (%s)", when);
		}
	} else if (strcmp(kind, "goal") == 0) {
		(void)tl_field(ln, f, "kid", "goal of ");
		(void)tl_field(ln, f, "text", ": ");
		if (tl_field(ln, f, "due", " (due "))
			line_add(ln, DA_PLAIN, ")");
	} else if (strcmp(kind, "goal.progress") == 0) {
		tl_id(ln, f, "goal", "progress on goal ");
		tl_list(ln, f, "behaviors", " (", ")");
	} else if (strcmp(kind, "goal.close") == 0) {
		tl_id(ln, f, "goal", "goal ");
		(void)tl_field(ln, f, "outcome", " ");
	} else if (strcmp(kind, "strength") == 0) {
		(void)tl_field(ln, f, "kid", "");
		(void)tl_field(ln, f, "text", ": ");
		if (tl_field(ln, f, "type", " ("))
			line_add(ln, DA_PLAIN, ")");
	} else if (strcmp(kind, "moment") == 0) {
		(void)tl_field(ln, f, "kid", "moment with ");
		(void)tl_field(ln, f, "what", ": ");
	} else if (strcmp(kind, "repair.done") == 0) {
		tl_id(ln, f, "repair", "repaired ");
		(void)tl_field(ln, f, "heard", ": heard ");
		(void)tl_field(ln, f, "plan", "; plan: ");
	} else if (strcmp(kind, "prompt.add") == 0) {
		(void)tl_field(ln, f, "text", "prompt: ");
		if (tl_field(ln, f, "ages", " (ages "))
			line_add(ln, DA_PLAIN, ")");
	} else if (strcmp(kind, "setting") == 0) {
		(void)tl_field(ln, f, "key", "");
		(void)tl_field(ln, f, "value", " = ");
	} else if (strcmp(kind, "amend") == 0) {
		tl_id(ln, f, "target", "amended ");
		line_add(ln, DA_PLAIN, ": ");
		tl_generic(ln, mp_map_get(f, "fields"));
	} else if (strcmp(kind, "retract") == 0) {
		tl_id(ln, f, "target", "retracted ");
		(void)tl_field(ln, f, "reason", ": ");
	} else
		return (false);
	return (true);
}

/* The administrative kinds: family, kids, devices, keys. */
static bool
tl_admin(struct line *ln, const char *kind, const msgpack_object *f)
{
	char		 dev[OUTPUT_SHORT_ID + 1];
	const char	*s;
	size_t		 len;

	dev[0] = '\0';
	if (mp_get_str(f, "device", &s, &len, PROTO_MAX_TEXT) == MP_FOUND)
		output_short_id(dev, sizeof(dev), s, len);
	if (strcmp(kind, "kid.add") == 0) {
		(void)tl_field(ln, f, "name", "added ");
		if (tl_field(ln, f, "born", " (born "))
			line_add(ln, DA_PLAIN, ")");
	} else if (strcmp(kind, "device.add") == 0) {
		if (!tl_field(ln, f, "name", "added "))
			line_add(ln, DA_PLAIN, "added a device");
		line_add(ln, DA_PLAIN, "'s laptop (device %s)", dev);
	} else if (strcmp(kind, "device.remove") == 0)
		line_add(ln, DA_PLAIN, "removed device %s", dev);
	else if (strcmp(kind, "key.rotate") == 0) {
		line_add(ln, DA_PLAIN, "new family key (epoch ");
		line_str(ln, DA_PLAIN, f, "epoch", "0");
		line_add(ln, DA_PLAIN, ") for the devices that stay");
	} else if (strcmp(kind, "family.create") == 0) {
		if (!tl_field(ln, f, "family", "created "))
			line_add(ln, DA_PLAIN, "created the family");
		(void)tl_field(ln, f, "name", " with ");
	} else
		return (false);
	return (true);
}

/*
 * Append the wording of entry e (without time, author or kind) to ln,
 * with "(retracted)" or "(amended)" as attuned marks it. Return whether
 * it is retracted (the caller dims it).
 */
bool
tl_summary(struct line *ln, const msgpack_object *e, int64_t now)
{
	const msgpack_object	*f = mp_map_get(e, "fields");
	const msgpack_object	*retracted = obj_map(e, "retracted");
	char			 kind[PROTO_MAX_NAME + 1];
	int64_t			 ts = 0, amended = 0;

	if (obj_str(e, "kind", kind, sizeof(kind)) == NULL)
		snprintf(kind, sizeof(kind), "?");
	(void)obj_int(e, "ts", &ts);
	if (strcmp(kind, "one-on-one") == 0)
		tl_one_on_one(ln, f, ts, now);
	else if (strcmp(kind, "checkin") == 0 || strcmp(kind, "checkout") == 0)
		tl_check(ln, kind, f);
	else if (strcmp(kind, "repair") == 0)
		tl_repair(ln, f);
	else if (!tl_admin(ln, kind, f) && !tl_practice(ln, kind, f, now))
		tl_generic(ln, f);
	if (retracted != NULL)
		line_add(ln, DA_PLAIN, " (retracted)");
	else if (obj_int(e, "amended", &amended) && amended > 0)
		line_add(ln, DA_PLAIN, " (amended)");
	return (retracted != NULL);
}
