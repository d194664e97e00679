/*
 * views.h: the in-memory projections of the decrypted event log: the
 * family, its members (parents and kids), every entry in time order, each
 * author's chain head, and an index of the entries that name another
 * entry (amend, retract, repair.done, goal.progress, goal.close). Rebuilt
 * from the store at start, kept current as entries are committed.
 *
 * The practices (views-*.c) derive what a parent sees (the week, 2x10
 * runs, feelings, repairs, goals, the bank account, prompts, reminders)
 * by scanning the entries on request against a clock (struct
 * views_clock); nothing per entry is kept besides what is here. The
 * domain lives here, not in the clients.
 */
#ifndef ATTUNE_VIEWS_H
#define ATTUNE_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "chain.h"
#include "envelope.h"
#include "kinds.h"
#include "proto.h"

struct view_member {
	uint8_t		id[ENV_ID];	/* the event that introduced them */
	char		name[PROTO_MAX_NAME + 1];
	bool		kid;
	char		born[11];	/* YYYY-MM-DD or "" */
	int64_t		ts;
	uint8_t		device[ENV_PK];	/* parents: their device */
};

struct view_entry {
	uint8_t		id[ENV_ID];
	uint64_t	seq;
	uint64_t	hlc;
	int64_t		at;		/* the "at" field, else hlc */
	uint32_t	author;		/* index into views.chain */
	uint16_t	kind;		/* enum kind */
	int32_t		subject;	/* member index (kid or who), -1 */
	uint32_t	len;
	uint8_t		payload[];	/* decrypted msgpack map */
};

/*
 * What the walks filter on, kept beside each entry (same index) so that
 * a scan of the whole log reads 16 bytes an entry and no payload.
 */
struct view_key {
	int64_t		at;		/* as in view_entry */
	int32_t		subject;	/* as in view_entry */
	uint8_t		kind;		/* enum kind */
	uint8_t		flags;		/* VIEW_K_* */
	uint16_t	idh;		/* the first two bytes of the id */
};

#define VIEW_K_MULTI	0x1	/* has an array of members (kids, parents) */
#define VIEW_K_REPAIRED	0x2	/* a repair written as repaired */

/* An entry that names another (by id): sorted by target, then entry. */
struct view_link {
	uint8_t			 target[ENV_ID];
	struct view_entry	*ve;
};

struct views {
	bool			 has_family;
	char			 family[PROTO_MAX_NAME + 1];
	struct view_member	*members;
	size_t			 nmembers, capmembers;
	struct view_entry	**entries;	/* by (hlc, id) */
	struct view_key		*keys;		/* beside entries */
	size_t			 nentries, capentries;
	struct view_link	*links;
	size_t			 nlinks, caplinks;
	/* A bit per first two bytes of a target id: may it have links? */
	uint8_t			 linkmap[8192];
	struct chain		 chain;
	uint64_t		 max_hlc;
	/*
	 * How far past its hlc any entry's time (as amended) may lie: an
	 * entry with at >= t has hlc >= t - max_lead, so a walk over a time
	 * window starts there.
	 */
	int64_t			 max_lead;
};

#define VIEWS_KIDS	0x1
#define VIEWS_PARENTS	0x2

#define VIEWS_DAY_MS	(24 * 3600 * 1000LL)
#define VIEWS_HOUR_MS	(3600 * 1000LL)

/* views.c */
void	views_init(struct views *);
void	views_finish(struct views *);
int	views_apply(struct views *, const struct envelope *,
	    const uint8_t *payload, size_t len, struct view_entry **);
int	views_member_find(const struct views *, const char *name, size_t len,
	    int which, char **cause);
int	views_member_named(const struct views *, const char *, size_t);
int	views_member_by_id(const struct views *, const uint8_t *id);
int	views_entry_find(const struct views *, const char *hex, size_t len,
	    uint32_t kinds, char **cause);
const struct view_entry *views_entry_by_id(const struct views *,
	    const uint8_t *id);
int	views_entry_kind(const struct views *, const uint8_t *id);
size_t	views_links(const struct views *, const uint8_t *target,
	    size_t *first);
const struct view_entry *views_retracted(const struct views *,
	    const struct view_entry *);
int	views_author_member(const struct views *, const struct view_entry *);
void	views_pack_entry(const struct views *, const struct view_entry *,
	    msgpack_packer *);
void	views_pack_member(const struct views *, const struct view_member *,
	    msgpack_packer *);
void	views_pack_ref(const struct views *, msgpack_packer *, int member);

/*
 * An entry as it stands now: its payload with every live amend applied
 * in (hlc, id) order. map is valid until views_eff_close.
 */
struct views_eff {
	msgpack_unpacked	 up;
	msgpack_sbuffer		 sb;
	const msgpack_object	*map;
	unsigned		 namends;
	const struct view_entry	*retract;	/* or NULL */
};

int	views_eff_open(const struct views *, const struct view_entry *,
	    struct views_eff *);
void	views_eff_close(struct views_eff *);
int	views_eff_member(const struct views *, const struct views_eff *,
	    const char *key);
int64_t	views_eff_time(const struct view_entry *, const struct views_eff *,
	    const char *key);
bool	views_eff_bool(const struct views_eff *, const char *key, bool def);
uint64_t views_eff_uint(const struct views_eff *, const char *key,
	    uint64_t def);
bool	views_eff_has_member(const struct views *, const struct views_eff *,
	    const char *key, int member);

/*
 * Walk the live (not retracted) entries of some kinds, oldest first,
 * with their effective time and subject; optionally only those with
 * at in [from, to) and about one member.
 */
struct views_iter {
	const struct views	*v;
	uint32_t		 kinds;		/* KIND_BIT()s */
	int64_t			 from, to;	/* to == 0: no bound */
	int			 subject;	/* -1: anyone */
	size_t			 i;
	/* The current entry: */
	const struct view_entry	*ve;
	int64_t			 at;
	int			 who;		/* effective subject */
	bool			 amended;
	uint8_t			 flags;		/* VIEW_K_* */
};

void	views_iter_init(struct views_iter *, const struct views *,
	    uint32_t kinds, int64_t from, int64_t to, int subject);
bool	views_iter_next(struct views_iter *);

/* views-time.c: the clock a view is computed against (local time). */
struct views_clock {
	int64_t		now;
	int64_t		today, tomorrow;	/* local midnights */
	int64_t		week, next_week;	/* this week */
	int64_t		month, next_month;	/* this calendar month */
	int		week_start;		/* 0 = Sunday ... 6 */
};

void	views_clock_init(const struct views *, int64_t now,
	    struct views_clock *);
int	views_week_start(const struct views *);
int64_t	views_day_start(int64_t ms);
int64_t	views_day_add(int64_t midnight, int days);
int64_t	views_day_at(int64_t midnight, int minutes);
int	views_weekday(int64_t ms);
int64_t	views_week_of(int week_start, int64_t ms);
int	views_day_index(int64_t from_midnight, int64_t ms);
void	views_date(char *buf, size_t size, int64_t ms);
int	views_age(const char *born, int64_t now, int *months);
void	views_pack_date(msgpack_packer *, const char *key, int64_t ms);

/* views-week.c: 1:1s, plans, streaks, balance between parents. */
void	views_pack_week_kid(const struct views *, const struct views_clock *,
	    int kid, msgpack_packer *);
void	views_pack_plans(const struct views *, const struct views_clock *,
	    int kid, msgpack_packer *);
void	views_pack_balance(const struct views *, const struct views_clock *,
	    int kid, msgpack_packer *);
int	views_streak(const struct views *, const struct views_clock *,
	    int kid);
void	views_pack_week(const struct views *, const struct views_clock *,
	    int kid, msgpack_packer *);
/* A planned 1:1 of today (for today and reminders). */
struct views_slot {
	const struct view_entry	*plan;
	int64_t			 at;
	int			 kid, by;
	uint64_t		 minutes;
	const char		*state;	/* "done", "missed", "today", "later" */
};
size_t	views_slots(const struct views *, const struct views_clock *, int kid,
	    int64_t from, int64_t to, struct views_slot *, size_t max);

/* views-twoxten.c: 2x10 runs. */
struct views_run {
	const struct view_entry	*start;
	int64_t			 day0;		/* local midnight of day 1 */
	int			 today;		/* 1-based day of now */
	int			 streak;	/* consecutive days logged */
	bool			 logged[10];
	bool			 logged_today;
	int			 broken_on;	/* 1-based, or 0 */
	const char		*state;	/* "on_track", "broken", "complete" */
};
bool	views_twoxten_run(const struct views *, const struct views_clock *,
	    int kid, struct views_run *);
void	views_pack_twoxten(const struct views *, const struct views_clock *,
	    int kid, msgpack_packer *);

/* views-feelings.c: the vocabulary, check-ins by zone. */
enum views_zone {
	VIEWS_ZONE_NONE = -1,
	VIEWS_ZONE_RED = 0,
	VIEWS_ZONE_YELLOW,
	VIEWS_ZONE_GREEN,
	VIEWS_ZONE_BLUE,
	VIEWS_NZONES
};
const char *views_zone_name(int);
int	views_feeling_zone(const char *, size_t, bool *kids);
void	views_pack_words(msgpack_packer *);
void	views_pack_feelings(const struct views *, const struct views_clock *,
	    int who, int64_t since, msgpack_packer *);
void	views_pack_board(const struct views *, const struct views_clock *,
	    msgpack_packer *);
void	views_pack_zones(const struct views *, const struct views_clock *,
	    int who, msgpack_packer *);

/* views-repair.c: repairs, open then repaired. */
#define VIEWS_REPAIR_FLAG_MS	(48 * VIEWS_HOUR_MS)
void	views_pack_repairs(const struct views *, const struct views_clock *,
	    int kid, bool open_only, msgpack_packer *);
size_t	views_open_repairs(const struct views *, const struct views_clock *,
	    int kid, const struct view_entry **, size_t max);
void	views_pack_repair_week(const struct views *,
	    const struct views_clock *, int kid, msgpack_packer *);
void	views_repair_counts(const struct views *, int kid, int64_t from,
	    int64_t to, uint64_t *opened, uint64_t *repaired);

/* views-goals.c: goals with progress; strengths. */
void	views_pack_goals(const struct views *, const struct views_clock *,
	    int kid, bool all, msgpack_packer *);
void	views_pack_strengths(const struct views *, int kid,
	    msgpack_packer *);
void	views_pack_behaviors(const struct views *, const struct views_clock *,
	    int kid, msgpack_packer *);
size_t	views_active_goals(const struct views *, int kid);
void	views_pack_goal_week(const struct views *, const struct views_clock *,
	    int kid, msgpack_packer *);

/* views-bank.c: the emotional bank account. */
void	views_pack_bank(const struct views *, const struct views_clock *,
	    int kid, msgpack_packer *);

/* views-prompts.c: reflection questions. */
int	views_pack_prompt(const struct views *, const struct views_clock *,
	    int kid, uint64_t seed, msgpack_packer *, char **cause);
size_t	views_prompt_count(void);

/* views-today.c: today, the kid's profile, reminders. */
void	views_pack_today(const struct views *, const struct views_clock *,
	    msgpack_packer *);
void	views_pack_kid(const struct views *, const struct views_clock *,
	    int kid, msgpack_packer *);
void	views_pack_history(const struct views *, const struct view_entry *,
	    msgpack_packer *);

/* views-reminders.c: what deserves a nudge now. */
#define VIEWS_REMINDER_KEY	96
struct views_reminder {
	char		key[VIEWS_REMINDER_KEY];	/* unique, stable */
	const char	*kind;		/* "one-on-one", "twoxten", "repair" */
	int64_t		due;		/* when it became pending */
	int		kid;
	char		text[256];
};
size_t	views_reminders(const struct views *, const struct views_clock *,
	    struct views_reminder *, size_t max);

#endif
