/*
 * views-feelings.c: the feelings vocabulary and what check-ins and
 * check-outs add up to. The vocabulary places about a hundred words on
 * the Mood Meter: energy x pleasantness gives four zones, red (high
 * energy, unpleasant), yellow (high, pleasant), green (low, pleasant)
 * and blue (low, unpleasant); a simpler set marked for kids is a subset.
 * An entry's zone is its stored "zone" (given for words outside the
 * vocabulary), else its word's zone, else none.
 *
 * Derived: today's board (who has checked in and out), each person's
 * check-ins of the week by zone, and a gentle flag for a kid whose
 * check-ins this week were mostly red or blue (at least
 * FEEL_FLAG_MIN of them, more than half).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mp.h"
#include "views.h"

#define FEEL_FLAG_MIN	3
#define FEEL_MAX_LIST	1000

struct feel_word {
	const char	*word;
	int		 zone;
	bool		 kids;
};

#define R	VIEWS_ZONE_RED
#define Y	VIEWS_ZONE_YELLOW
#define G	VIEWS_ZONE_GREEN
#define B	VIEWS_ZONE_BLUE

static const struct feel_word feel_words[] = {
	/* Red: high energy, unpleasant. */
	{ "enraged", R }, { "panicked", R }, { "stressed", R },
	{ "jittery", R }, { "shocked", R }, { "livid", R },
	{ "furious", R }, { "frustrated", R, true }, { "tense", R },
	{ "stunned", R }, { "fuming", R }, { "frightened", R },
	{ "angry", R, true }, { "nervous", R, true }, { "restless", R },
	{ "anxious", R }, { "apprehensive", R }, { "worried", R, true },
	{ "irritated", R }, { "annoyed", R }, { "repulsed", R },
	{ "troubled", R }, { "concerned", R }, { "uneasy", R },
	{ "peeved", R }, { "scared", R, true }, { "mad", R, true },
	{ "jealous", R }, { "embarrassed", R, true }, { "overwhelmed", R },
	{ "grumpy", R, true },
	/* Yellow: high energy, pleasant. */
	{ "surprised", Y, true }, { "upbeat", Y }, { "festive", Y },
	{ "exhilarated", Y }, { "ecstatic", Y }, { "hyper", Y },
	{ "cheerful", Y }, { "motivated", Y }, { "inspired", Y },
	{ "elated", Y }, { "energized", Y }, { "lively", Y },
	{ "excited", Y, true }, { "optimistic", Y }, { "enthusiastic", Y },
	{ "pleased", Y }, { "focused", Y }, { "happy", Y, true },
	{ "proud", Y, true }, { "thrilled", Y }, { "pleasant", Y },
	{ "joyful", Y }, { "hopeful", Y }, { "playful", Y },
	{ "blissful", Y }, { "silly", Y, true }, { "curious", Y, true },
	{ "brave", Y, true },
	/* Green: low energy, pleasant. */
	{ "easygoing", G }, { "content", G }, { "loving", G },
	{ "fulfilled", G }, { "calm", G, true }, { "secure", G },
	{ "satisfied", G }, { "grateful", G }, { "touched", G },
	{ "relaxed", G }, { "chill", G }, { "restful", G },
	{ "blessed", G }, { "balanced", G }, { "mellow", G },
	{ "thoughtful", G }, { "peaceful", G }, { "comfy", G, true },
	{ "carefree", G }, { "sleepy", G, true }, { "complacent", G },
	{ "tranquil", G }, { "cozy", G }, { "serene", G },
	{ "safe", G, true }, { "loved", G, true }, { "okay", G, true },
	/* Blue: low energy, unpleasant. */
	{ "disgusted", B }, { "glum", B }, { "disappointed", B },
	{ "down", B }, { "apathetic", B }, { "pessimistic", B },
	{ "morose", B }, { "discouraged", B }, { "sad", B, true },
	{ "bored", B, true }, { "alienated", B }, { "miserable", B },
	{ "lonely", B, true }, { "disheartened", B }, { "tired", B, true },
	{ "despondent", B }, { "depressed", B }, { "sullen", B },
	{ "exhausted", B }, { "fatigued", B }, { "despairing", B },
	{ "hopeless", B }, { "desolate", B }, { "spent", B },
	{ "drained", B }, { "hurt", B, true }, { "left-out", B, true },
	{ "sick", B, true },
};

#undef R
#undef Y
#undef G
#undef B

#define FEEL_NWORDS	(sizeof(feel_words) / sizeof(feel_words[0]))

static const char *const zone_names[VIEWS_NZONES] = { "red", "yellow",
    "green", "blue" };

struct feel_count {
	uint64_t	zone[VIEWS_NZONES];
	uint64_t	none, total;
};

struct feel_item {
	const struct view_entry	*ve;
	int64_t			 at;
	int			 who;
};

static int	feel_item_cmp(const void *, const void *);
static int	feel_entry_zone(const struct views_eff *);
static void	feel_count(const struct views *, const struct views_clock *,
		    int who, struct feel_count *);
static void	feel_pack_one(const struct views *, msgpack_packer *,
		    const struct view_entry *, int64_t, int who);
static bool	feel_flag(const struct views *, int, const struct feel_count *);

const char *
views_zone_name(int z)
{
	if (z < 0 || z >= VIEWS_NZONES)
		return (NULL);
	return (zone_names[z]);
}

/* The zone of a word (any case), or VIEWS_ZONE_NONE. *kids: a kids' word. */
int
views_feeling_zone(const char *w, size_t len, bool *kids)
{
	size_t	i;

	for (i = 0; i < FEEL_NWORDS; i++) {
		if (strlen(feel_words[i].word) == len &&
		    strncasecmp(feel_words[i].word, w, len) == 0) {
			if (kids != NULL)
				*kids = feel_words[i].kids;
			return (feel_words[i].zone);
		}
	}
	return (VIEWS_ZONE_NONE);
}

/* The vocabulary: [{word, zone, kids}]. */
void
views_pack_words(msgpack_packer *pk)
{
	size_t	i;

	msgpack_pack_array(pk, (uint32_t)FEEL_NWORDS);
	for (i = 0; i < FEEL_NWORDS; i++) {
		msgpack_pack_map(pk, 3);
		mp_pack_kv_str(pk, "word", feel_words[i].word);
		mp_pack_kv_str(pk, "zone", zone_names[feel_words[i].zone]);
		mp_pack_kv_bool(pk, "kids", feel_words[i].kids);
	}
}

static int
feel_entry_zone(const struct views_eff *eff)
{
	const char	*s;
	size_t		 len;
	int		 z;

	if (mp_get_str(eff->map, "zone", &s, &len, 16) == MP_FOUND) {
		for (z = 0; z < VIEWS_NZONES; z++) {
			if (strlen(zone_names[z]) == len &&
			    strncasecmp(zone_names[z], s, len) == 0)
				return (z);
		}
	}
	if (mp_get_str(eff->map, "feeling", &s, &len, PROTO_MAX_NAME) ==
	    MP_FOUND)
		return (views_feeling_zone(s, len, NULL));
	return (VIEWS_ZONE_NONE);
}

/* who's check-ins and check-outs of this week, by zone. */
static void
feel_count(const struct views *v, const struct views_clock *c, int who,
    struct feel_count *fc)
{
	struct views_iter	it;
	struct views_eff	eff;
	int			z;

	memset(fc, 0, sizeof(*fc));
	views_iter_init(&it, v, KIND_BIT(KIND_CHECKIN) |
	    KIND_BIT(KIND_CHECKOUT), c->week, c->next_week, who);
	while (views_iter_next(&it)) {
		z = VIEWS_ZONE_NONE;
		if (views_eff_open(v, it.ve, &eff) == 0)
			z = feel_entry_zone(&eff);
		views_eff_close(&eff);
		fc->total++;
		if (z == VIEWS_ZONE_NONE)
			fc->none++;
		else
			fc->zone[z]++;
	}
}

static bool
feel_flag(const struct views *v, int who, const struct feel_count *fc)
{
	uint64_t	low;

	low = fc->zone[VIEWS_ZONE_RED] + fc->zone[VIEWS_ZONE_BLUE];

	return (who >= 0 && v->members[who].kid && fc->total >= FEEL_FLAG_MIN &&
	    low * 2 > fc->total);
}

/* who's week by zone: {red, yellow, green, blue, none, total, flag}. */
void
views_pack_zones(const struct views *v, const struct views_clock *c, int who,
    msgpack_packer *pk)
{
	struct feel_count	fc;
	int			z;

	feel_count(v, c, who, &fc);
	msgpack_pack_map(pk, VIEWS_NZONES + 3);
	for (z = 0; z < VIEWS_NZONES; z++)
		mp_pack_kv_uint(pk, zone_names[z], fc.zone[z]);
	mp_pack_kv_uint(pk, "none", fc.none);
	mp_pack_kv_uint(pk, "total", fc.total);
	mp_pack_kv_bool(pk, "flag", feel_flag(v, who, &fc));
}

/* One check: {id, kind, who, feeling, zone, intensity, note, at}. */
static void
feel_pack_one(const struct views *v, msgpack_packer *pk,
    const struct view_entry *ve, int64_t at, int who)
{
	struct views_eff	 eff;
	const msgpack_object	*o;
	int			 z = VIEWS_ZONE_NONE;

	if (views_eff_open(v, ve, &eff) == 0)
		z = feel_entry_zone(&eff);
	msgpack_pack_map(pk, 8);
	mp_pack_kv_hex(pk, "id", ve->id, ENV_ID);
	mp_pack_kv_str(pk, "kind", kinds_name(ve->kind));
	mp_pack_cstr(pk, "who");
	views_pack_ref(v, pk, who);
	mp_pack_cstr(pk, "feeling");
	if ((o = mp_map_get(eff.map, "feeling")) != NULL &&
	    o->type == MSGPACK_OBJECT_STR)
		msgpack_pack_object(pk, *o);
	else
		msgpack_pack_nil(pk);
	mp_pack_cstr(pk, "zone");
	mp_pack_cstr(pk, views_zone_name(z));
	mp_pack_cstr(pk, "intensity");
	if ((o = mp_map_get(eff.map, "intensity")) != NULL &&
	    o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		msgpack_pack_object(pk, *o);
	else
		msgpack_pack_nil(pk);
	mp_pack_cstr(pk, "note");
	if ((o = mp_map_get(eff.map, "note")) != NULL &&
	    o->type == MSGPACK_OBJECT_STR)
		msgpack_pack_object(pk, *o);
	else
		msgpack_pack_nil(pk);
	mp_pack_kv_int(pk, "at", at);
	views_eff_close(&eff);
}

/*
 * Today's board: [{who, kid, checkin, checkout}] for every member, each
 * check the latest of today (feel_pack_one) or nil.
 */
void
views_pack_board(const struct views *v, const struct views_clock *c,
    msgpack_packer *pk)
{
	struct views_iter	 it;
	const struct view_entry	*in, *out;
	int64_t			 in_at = 0, out_at = 0;
	size_t			 i;

	msgpack_pack_array(pk, (uint32_t)v->nmembers);
	for (i = 0; i < v->nmembers; i++) {
		in = out = NULL;
		views_iter_init(&it, v, KIND_BIT(KIND_CHECKIN) |
		    KIND_BIT(KIND_CHECKOUT), c->today, c->tomorrow, (int)i);
		while (views_iter_next(&it)) {
			if (it.ve->kind == KIND_CHECKIN && (in == NULL ||
			    it.at >= in_at)) {
				in = it.ve;
				in_at = it.at;
			} else if (it.ve->kind == KIND_CHECKOUT &&
			    (out == NULL || it.at >= out_at)) {
				out = it.ve;
				out_at = it.at;
			}
		}
		msgpack_pack_map(pk, 4);
		mp_pack_cstr(pk, "who");
		views_pack_ref(v, pk, (int)i);
		mp_pack_kv_bool(pk, "kid", v->members[i].kid);
		mp_pack_cstr(pk, "checkin");
		if (in != NULL)
			feel_pack_one(v, pk, in, in_at, (int)i);
		else
			msgpack_pack_nil(pk);
		mp_pack_cstr(pk, "checkout");
		if (out != NULL)
			feel_pack_one(v, pk, out, out_at, (int)i);
		else
			msgpack_pack_nil(pk);
	}
}

/*
 * The feelings view: {from, board, week: [{who, kid, zones}], entries:
 * [check...] since `since` (newest first, at most FEEL_MAX_LIST)}, for
 * one member (who >= 0) or everyone.
 */
void
views_pack_feelings(const struct views *v, const struct views_clock *c,
    int who, int64_t since, msgpack_packer *pk)
{
	struct views_iter	 it;
	struct feel_item	*list = NULL, *nl;
	size_t			 i, n = 0, cap = 0;
	uint32_t		 nw = 0;

	msgpack_pack_map(pk, 5);
	mp_pack_kv_int(pk, "since", since);
	mp_pack_kv_int(pk, "week_from", c->week);
	mp_pack_cstr(pk, "board");
	views_pack_board(v, c, pk);
	mp_pack_cstr(pk, "week");
	for (i = 0; i < v->nmembers; i++)
		nw += who < 0 || (int)i == who;
	msgpack_pack_array(pk, nw);
	for (i = 0; i < v->nmembers; i++) {
		if (who >= 0 && (int)i != who)
			continue;
		msgpack_pack_map(pk, 3);
		mp_pack_cstr(pk, "who");
		views_pack_ref(v, pk, (int)i);
		mp_pack_kv_bool(pk, "kid", v->members[i].kid);
		mp_pack_cstr(pk, "zones");
		views_pack_zones(v, c, (int)i, pk);
	}
	/* Entries: the newest FEEL_MAX_LIST by time, newest first. */
	views_iter_init(&it, v, KIND_BIT(KIND_CHECKIN) |
	    KIND_BIT(KIND_CHECKOUT), since, INT64_MAX, who);
	while (views_iter_next(&it)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nl = reallocarray(list, cap, sizeof(*nl))) ==
			    NULL)
				break;
			list = nl;
		}
		list[n].ve = it.ve;
		list[n].at = it.at;
		list[n++].who = it.who;
	}
	if (n > 0)
		qsort(list, n, sizeof(*list), feel_item_cmp);
	if (n > FEEL_MAX_LIST)
		n = FEEL_MAX_LIST;
	mp_pack_cstr(pk, "entries");
	msgpack_pack_array(pk, (uint32_t)n);
	for (i = 0; i < n; i++)
		feel_pack_one(v, pk, list[i].ve, list[i].at, list[i].who);
	free(list);
}

/* Newest first; then by entry order. */
static int
feel_item_cmp(const void *a, const void *b)
{
	const struct feel_item	*x = a, *y = b;

	if (x->at != y->at)
		return (x->at > y->at ? -1 : 1);
	return (x->ve->hlc > y->ve->hlc ? -1 : x->ve->hlc < y->ve->hlc);
}
