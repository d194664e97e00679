/*
 * views-prompts.c: reflection questions that kickstart a talk with a kid.
 * A built-in bank across four age bands and three situations (general;
 * reconnecting after a repair; progress on a goal), plus the family's own
 * questions (prompt.add, general, with an optional age range). For a kid
 * the situation comes from the log: an open repair, or one opened or
 * closed in the last PROMPT_RECENT_DAYS, asks to reconnect; else an
 * active goal asks about progress; else a general question. The choice
 * among the fitting questions is stable for a day (and a seed), so both
 * laptops offer the same one.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "mp.h"
#include "views.h"

#define PROMPT_RECENT_DAYS	3
#define PROMPT_MAX_POOL		512

enum prompt_cat {
	PROMPT_GENERAL,
	PROMPT_RECONNECT,
	PROMPT_GOAL,
};

struct prompt {
	int			 lo, hi;	/* ages */
	enum prompt_cat		 cat;
	const char		*text;
};

#define GEN	PROMPT_GENERAL
#define REC	PROMPT_RECONNECT
#define GOAL	PROMPT_GOAL

static const struct prompt prompt_bank[] = {
	/* 3 to 5 */
	{ 3, 5, GEN, "What was the best part of your day?" },
	{ 3, 5, GEN, "If you could be any animal today, which one would "
	    "you be?" },
	{ 3, 5, GEN, "What made you laugh today?" },
	{ 3, 5, GEN, "Who did you play with today? What did you play?" },
	{ 3, 5, GEN, "What is something you did all by yourself?" },
	{ 3, 5, GEN, "What would you like to do together tomorrow?" },
	{ 3, 5, GEN, "What is your favourite thing about our home?" },
	{ 3, 5, GEN, "Can you show me how you felt today with your face?" },
	{ 3, 5, GEN, "What song makes you want to dance?" },
	{ 3, 5, GEN, "If you had a magic wand, what would you make?" },
	{ 3, 5, GEN, "What was hard today?" },
	{ 3, 5, GEN, "Who made you feel happy today?" },
	{ 3, 5, REC, "Can we have a hug and start again?" },
	{ 3, 5, REC, "I was too loud before. How did that feel for you?" },
	{ 3, 5, REC, "What could we do next time we both get upset?" },
	{ 3, 5, GOAL, "Show me how you are getting better at your "
	    "goal!" },
	{ 3, 5, GOAL, "What part of your goal is tricky?" },
	{ 3, 5, GOAL, "Who could help you with your goal?" },
	/* 6 to 9 */
	{ 6, 9, GEN, "What was the high and the low of your day?" },
	{ 6, 9, GEN, "What is something you learned that surprised you?" },
	{ 6, 9, GEN, "If you could invent something, what would it do?" },
	{ 6, 9, GEN, "What is a kind thing someone did today?" },
	{ 6, 9, GEN, "What game should we play next time, and why?" },
	{ 6, 9, GEN, "What is something you are really good at?" },
	{ 6, 9, GEN, "When did you feel brave this week?" },
	{ 6, 9, GEN, "If you were the parent for a day, what would you "
	    "change?" },
	{ 6, 9, GEN, "What makes a good friend?" },
	{ 6, 9, GEN, "What is something that worries you a little?" },
	{ 6, 9, GEN, "Which feeling did you have the most today?" },
	{ 6, 9, GEN, "What would your perfect Saturday look like?" },
	{ 6, 9, REC, "When I got upset, what was that like for you?" },
	{ 6, 9, REC, "What do you wish I had done differently?" },
	{ 6, 9, REC, "What could help us both next time it gets hard?" },
	{ 6, 9, GOAL, "What did you try this week for your goal?" },
	{ 6, 9, GOAL, "When your goal got hard, what did you do?" },
	{ 6, 9, GOAL, "What is one small next step for your goal?" },
	/* 10 to 12 */
	{ 10, 12, GEN, "What is something you have changed your mind "
	    "about?" },
	{ 10, 12, GEN, "Who do you look up to right now, and why?" },
	{ 10, 12, GEN, "What is something you wish adults understood "
	    "better?" },
	{ 10, 12, GEN, "What is taking up most of your thinking lately?" },
	{ 10, 12, GEN, "What would you like to get better at this year?" },
	{ 10, 12, GEN, "What is the funniest thing that happened this "
	    "week?" },
	{ 10, 12, GEN, "When do you feel most like yourself?" },
	{ 10, 12, GEN, "What is something you are proud of that nobody "
	    "noticed?" },
	{ 10, 12, GEN, "If you could fix one problem in the world, which "
	    "one?" },
	{ 10, 12, GEN, "What helps you calm down when you are stressed?" },
	{ 10, 12, GEN, "What is a question you have never asked me?" },
	{ 10, 12, GEN, "What is a friendship that matters to you right "
	    "now?" },
	{ 10, 12, REC, "I would like to understand your side. What "
	    "happened for you?" },
	{ 10, 12, REC, "What was your concern when we argued?" },
	{ 10, 12, REC, "What solution would work for both of us?" },
	{ 10, 12, GOAL, "What strategy have you tried for your goal, and "
	    "what would you change?" },
	{ 10, 12, GOAL, "What setback did you have, and how did you "
	    "respond?" },
	{ 10, 12, GOAL, "What help would make your goal easier?" },
	/* 13 to 18 */
	{ 13, 18, GEN, "What is something you are looking forward to?" },
	{ 13, 18, GEN, "What is a belief you hold that I might not know "
	    "about?" },
	{ 13, 18, GEN, "What does a good day look like for you now?" },
	{ 13, 18, GEN, "Who in your life do you feel you can be honest "
	    "with?" },
	{ 13, 18, GEN, "What is something you would like more freedom "
	    "with?" },
	{ 13, 18, GEN, "What is stressing you that I could take off your "
	    "plate?" },
	{ 13, 18, GEN, "What are you reading, watching or listening to "
	    "lately?" },
	{ 13, 18, GEN, "What would you tell your younger self?" },
	{ 13, 18, GEN, "What kind of adult do you want to be?" },
	{ 13, 18, GEN, "When did you last feel really understood?" },
	{ 13, 18, GEN, "What is one thing I do that helps, and one that "
	    "does not?" },
	{ 13, 18, GEN, "What is a risk you would like to take?" },
	{ 13, 18, REC, "I handled that badly. What did you need from me "
	    "then?" },
	{ 13, 18, REC, "What is your concern, and can I share mine?" },
	{ 13, 18, REC, "How could we solve this together so it works for "
	    "both of us?" },
	{ 13, 18, GOAL, "What have you learned from working on your goal "
	    "so far?" },
	{ 13, 18, GOAL, "Where are you stuck, and who could you ask?" },
	{ 13, 18, GOAL, "What challenge would stretch you next?" },
};

#undef GEN
#undef REC
#undef GOAL

#define PROMPT_NBANK	(sizeof(prompt_bank) / sizeof(prompt_bank[0]))

static const char *const cat_names[] = { "general", "reconnect", "goal" };

/* A candidate: a built-in question or a family one. */
struct prompt_pick {
	const struct prompt	*builtin;
	const struct view_entry	*family;
	int			 lo, hi;
};

static enum prompt_cat	prompt_situation(const struct views *,
			    const struct views_clock *, int, char *, size_t);
static bool	prompt_fits(int, int, int);
static size_t	prompt_pool(const struct views *, enum prompt_cat, int,
		    struct prompt_pick *, size_t);
static uint64_t	prompt_hash(uint64_t, const uint8_t *, int64_t);

size_t
views_prompt_count(void)
{
	return (PROMPT_NBANK);
}

static bool
prompt_fits(int age, int lo, int hi)
{
	if (age < 0)
		return (true);
	if (age < 3)
		age = 3;
	if (age > 18)
		age = 18;
	return (age >= lo && age <= hi);
}

/* FNV-1a over the seed, the kid and the day: stable, evenly spread. */
static uint64_t
prompt_hash(uint64_t seed, const uint8_t *id, int64_t day)
{
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;

	for (i = 0; i < 8; i++)
		h = (h ^ ((seed >> (8 * i)) & 0xff)) * 1099511628211ULL;
	for (i = 0; id != NULL && i < ENV_ID; i++)
		h = (h ^ id[i]) * 1099511628211ULL;
	for (i = 0; i < 8; i++)
		h = (h ^ (((uint64_t)day >> (8 * i)) & 0xff)) *
		    1099511628211ULL;
	return (h);
}

/* What the log says about kid now; why says it in words. */
static enum prompt_cat
prompt_situation(const struct views *v, const struct views_clock *c, int kid,
    char *why, size_t size)
{
	const struct view_entry	*open[1];
	uint64_t		 opened, repaired;
	char			 date[16];

	why[0] = '\0';
	if (kid < 0)
		return (PROMPT_GENERAL);
	if (views_open_repairs(v, c, kid, open, 1) > 0) {
		views_date(date, sizeof(date), open[0]->at);
		snprintf(why, size, "a repair is open since %s", date);
		return (PROMPT_RECONNECT);
	}
	views_repair_counts(v, kid, c->now - PROMPT_RECENT_DAYS *
	    VIEWS_DAY_MS, c->now + 1, &opened, &repaired);
	if (opened + repaired > 0) {
		snprintf(why, size, "a repair in the last %d days",
		    PROMPT_RECENT_DAYS);
		return (PROMPT_RECONNECT);
	}
	if (views_active_goals(v, kid) > 0) {
		snprintf(why, size, "an active goal");
		return (PROMPT_GOAL);
	}
	return (PROMPT_GENERAL);
}

/*
 * The questions that fit: built-in ones of the category for age (-1:
 * any), and for "general" the family's own. Return how many (at most
 * max).
 */
static size_t
prompt_pool(const struct views *v, enum prompt_cat cat, int age,
    struct prompt_pick *pool, size_t max)
{
	struct views_iter	 it;
	struct views_eff	 eff;
	const char		*s;
	size_t			 n = 0, i, len;
	int			 lo, hi;

	for (i = 0; i < PROMPT_NBANK && n < max; i++) {
		if (prompt_bank[i].cat != cat || !prompt_fits(age,
		    prompt_bank[i].lo, prompt_bank[i].hi))
			continue;
		pool[n].builtin = &prompt_bank[i];
		pool[n].family = NULL;
		pool[n].lo = prompt_bank[i].lo;
		pool[n++].hi = prompt_bank[i].hi;
	}
	views_iter_init(&it, v, KIND_BIT(KIND_PROMPT_ADD), 0, 0, -1);
	while (cat == PROMPT_GENERAL && n < max && views_iter_next(&it)) {
		lo = 0;
		hi = 99;
		if (views_eff_open(v, it.ve, &eff) == 0 &&
		    mp_get_str(eff.map, "ages", &s, &len, 16) == MP_FOUND)
			(void)kinds_ages(s, len, &lo, &hi);
		views_eff_close(&eff);
		if (age >= 0 && (age < lo || age > hi))
			continue;
		pool[n].builtin = NULL;
		pool[n].family = it.ve;
		pool[n].lo = lo;
		pool[n++].hi = hi;
	}
	return (n);
}

/*
 * A question for kid (-1: for anyone): {text, category, ages, source,
 * id, kid, age, why}. Return 0, or -PROTO_E_NOTFOUND when nothing fits.
 */
int
views_pack_prompt(const struct views *v, const struct views_clock *c,
    int kid, uint64_t seed, msgpack_packer *pk, char **cause)
{
	static struct prompt_pick	 pool[PROMPT_MAX_POOL];
	struct views_eff		 eff;
	const struct prompt_pick	*p;
	enum prompt_cat			 cat;
	const char			*s;
	size_t				 n, len;
	char				 why[128], ages[16];
	int				 age = -1;

	if (kid >= 0)
		age = views_age(v->members[kid].born, c->now, NULL);
	cat = prompt_situation(v, c, kid, why, sizeof(why));
	n = prompt_pool(v, cat, age, pool, PROMPT_MAX_POOL);
	if (n == 0) {
		diag_cause(cause, "no question fits");
		return (-PROTO_E_NOTFOUND);
	}
	p = &pool[prompt_hash(seed, kid >= 0 ? v->members[kid].id : NULL,
	    c->today / VIEWS_DAY_MS) % n];
	msgpack_pack_map(pk, 8);
	mp_pack_cstr(pk, "text");
	if (p->builtin != NULL)
		mp_pack_cstr(pk, p->builtin->text);
	else if (views_eff_open(v, p->family, &eff) == 0 &&
	    mp_get_str(eff.map, "text", &s, &len, PROTO_MAX_TEXT) == MP_FOUND)
		mp_pack_strn(pk, s, len);
	else
		mp_pack_cstr(pk, "?");
	if (p->builtin == NULL)
		views_eff_close(&eff);
	mp_pack_kv_str(pk, "category", cat_names[cat]);
	mp_pack_cstr(pk, "ages");
	if (p->hi == 99)
		msgpack_pack_nil(pk);
	else {
		snprintf(ages, sizeof(ages), "%d-%d", p->lo, p->hi);
		mp_pack_cstr(pk, ages);
	}
	mp_pack_kv_str(pk, "source", p->builtin != NULL ? "builtin" :
	    "family");
	mp_pack_cstr(pk, "id");
	if (p->family != NULL)
		mp_pack_hex(pk, p->family->id, ENV_ID);
	else
		msgpack_pack_nil(pk);
	mp_pack_cstr(pk, "kid");
	views_pack_ref(v, pk, kid);
	mp_pack_cstr(pk, "age");
	if (age >= 0)
		msgpack_pack_int(pk, age);
	else
		msgpack_pack_nil(pk);
	mp_pack_cstr(pk, "why");
	mp_pack_cstr(pk, why[0] != '\0' ? why : NULL);
	return (0);
}
