/*
 * timeline.c: the latest entries of the family log as the dashboard
 * keeps them: newest first by (ts, id), each id once, at most
 * DASH_TL_MAX; and the one-line wording of an entry (words.c, shared
 * with "attune log", so both clients read alike). Which
 * views an entry can change is a conservative table here; what the entry
 * means for those views is attuned's business.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "mp.h"
#include "output.h"
#include "words.h"

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
 * Append the wording of entry e (without time, author or kind) to ln,
 * with "(retracted)" or "(amended)" as attuned marks it. Return whether
 * it is retracted (the caller dims it).
 */
bool
tl_summary(struct line *ln, const msgpack_object *e, int64_t now)
{
	char	words[WORDS_MAX];
	bool	retracted;

	retracted = words_entry(words, sizeof(words), e, now);
	line_add(ln, DA_PLAIN, "%s", words);
	return (retracted);
}
