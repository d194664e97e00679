/*
 * kinds.c: the kind table and the validation of client appends (see
 * kinds.h). Input is checked field by field against the schema and
 * turned into the stored payload; a bad field writes nothing and says
 * which field and why. Never reads a clock (now is a parameter) and
 * never writes anything.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "kinds.h"
#include "mp.h"
#include "mpcheck.h"
#include "utf8.h"
#include "views.h"
#include "when.h"

enum field_type {
	F_NAME,		/* str, 1..PROTO_MAX_NAME, no control chars */
	F_TEXT,		/* str, 1..PROTO_MAX_TEXT */
	F_DATE,		/* str YYYY-MM-DD */
	F_UINT,		/* uint in [min, max] */
	F_BOOL,
	F_WHEN,		/* WHEN str -> int ms */
	F_KID,		/* kid name -> bin 32 */
	F_WHO,		/* kid or parent name -> bin 32 */
	F_PARENT,	/* parent name -> bin 32 */
	F_PARENTS,	/* parent names, or "both" -> [bin 32...] */
	F_KIDS,		/* kid names -> [bin 32...] */
	F_ENUM,		/* one of enums -> str */
	F_TAGS,		/* some of enums (array or "a,b") -> [str...] */
	F_DAYS,		/* weekdays ("sat,wed") -> [uint 0..6] */
	F_HHMM,		/* "H:MM" -> "HH:MM" */
	F_AGES,		/* "A-B" or "A" -> "A-B" */
	F_ENTRY,	/* hex id or unique prefix of an entry -> bin 32 */
	F_FIELDS,	/* amend: a map of the target kind's fields */
};

struct kind_field {
	const char		*name;
	enum field_type		 type;
	bool			 required;
	bool			 has_def;
	int64_t			 min, max, def;
	const char *const	*enums;		/* F_ENUM, F_TAGS */
	uint32_t		 targets;	/* F_ENTRY: KIND_BIT()s */
};

struct kind_spec {
	const char		*name;
	bool			 client;	/* may a client append it */
	bool			 amend;		/* may it be amended */
	const struct kind_field	*fields;
};

#define KIND_MAX_FIELDS	16
#define KIND_MAX_REFS	8
#define KIND_MAX_AGE	25

static const char *const zones[] = { "red", "yellow", "green", "blue",
    NULL };
static const char *const strength_types[] = { "strength", "interest",
    "skill", "mirror", NULL };
static const char *const outcomes[] = { "done", "dropped", NULL };
static const char *const setting_keys[] = { "week_start", NULL };
/* The five power behaviours, in this order everywhere. */
const char *const kinds_behaviors[] = { "strategy-shifting",
    "challenge-seeking", "persistence", "setbacks", "help-seeking", NULL };
static const char *const day_names[] = { "sunday", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday" };

#define AMENDABLE	(KIND_BIT(KIND_ONE_ON_ONE) | KIND_BIT(KIND_CHECKIN) | \
	KIND_BIT(KIND_CHECKOUT) | KIND_BIT(KIND_REPAIR) |		\
	KIND_BIT(KIND_PLAN) | KIND_BIT(KIND_TWOXTEN_START) |		\
	KIND_BIT(KIND_TWOXTEN_DAY) | KIND_BIT(KIND_GOAL) |		\
	KIND_BIT(KIND_GOAL_PROGRESS) | KIND_BIT(KIND_STRENGTH) |	\
	KIND_BIT(KIND_MOMENT) | KIND_BIT(KIND_REPAIR_DONE) |		\
	KIND_BIT(KIND_PROMPT_ADD))
#define RETRACTABLE	(AMENDABLE | KIND_BIT(KIND_PLAN_STOP) |		\
	KIND_BIT(KIND_GOAL_CLOSE) | KIND_BIT(KIND_SETTING) |		\
	KIND_BIT(KIND_AMEND))

static const struct kind_field kid_add_fields[] = {
	{ "name", F_NAME, true },
	{ "born", F_DATE, false },
	{ NULL }
};
static const struct kind_field one_on_one_fields[] = {
	{ "kid", F_KID, true },
	{ "minutes", F_UINT, false, true, 1, 600, 10 },
	{ "activity", F_TEXT, false },
	{ "note", F_TEXT, false },
	{ "at", F_WHEN, false, true },
	{ "parents", F_PARENTS, false },
	{ "child_led", F_BOOL, false },
	{ "screens_off", F_BOOL, false },
	{ "topics", F_TEXT, false },
	{ NULL }
};
static const struct kind_field feeling_fields[] = {
	{ "who", F_WHO, true },
	{ "feeling", F_NAME, true },
	{ "intensity", F_UINT, false, false, 1, 5 },
	{ "note", F_TEXT, false },
	{ "zone", F_ENUM, false, .enums = zones },
	{ "at", F_WHEN, false },
	{ NULL }
};
static const struct kind_field repair_fields[] = {
	{ "kid", F_KID, true },
	{ "what", F_TEXT, true },
	{ "apologized", F_BOOL, false, true, 0, 1, 0 },
	{ "note", F_TEXT, false },
	{ "kids", F_KIDS, false },
	{ "my_part", F_TEXT, false },
	{ "heard", F_TEXT, false },
	{ "plan", F_TEXT, false },
	{ "empathy", F_TEXT, false },
	{ "concern", F_TEXT, false },
	{ "invitation", F_TEXT, false },
	{ "repaired", F_BOOL, false },
	{ "at", F_WHEN, false },
	{ NULL }
};
static const struct kind_field plan_fields[] = {
	{ "kid", F_KID, true },
	{ "days", F_DAYS, true },
	{ "time", F_HHMM, true },
	{ "minutes", F_UINT, false, true, 1, 600, 10 },
	{ "by", F_PARENT, false },
	{ NULL }
};
static const struct kind_field plan_stop_fields[] = {
	{ "kid", F_KID, true },
	{ "by", F_PARENT, false },
	{ NULL }
};
static const struct kind_field twoxten_start_fields[] = {
	{ "kid", F_KID, true },
	{ "at", F_WHEN, false, true },
	{ NULL }
};
static const struct kind_field twoxten_day_fields[] = {
	{ "kid", F_KID, true },
	{ "at", F_WHEN, false, true },
	{ "note", F_TEXT, false },
	{ NULL }
};
static const struct kind_field goal_fields[] = {
	{ "kid", F_KID, true },
	{ "text", F_TEXT, true },
	{ "due", F_DATE, false },
	{ NULL }
};
static const struct kind_field goal_progress_fields[] = {
	{ "goal", F_ENTRY, true, .targets = KIND_BIT(KIND_GOAL) },
	{ "note", F_TEXT, true },
	{ "behaviors", F_TAGS, false, .enums = kinds_behaviors },
	{ "at", F_WHEN, false, true },
	{ NULL }
};
static const struct kind_field goal_close_fields[] = {
	{ "goal", F_ENTRY, true, .targets = KIND_BIT(KIND_GOAL) },
	{ "outcome", F_ENUM, false, true, 0, 0, 0, .enums = outcomes },
	{ "note", F_TEXT, false },
	{ NULL }
};
static const struct kind_field strength_fields[] = {
	{ "kid", F_KID, true },
	{ "text", F_TEXT, true },
	{ "type", F_ENUM, false, true, 0, 0, 0, .enums = strength_types },
	{ NULL }
};
static const struct kind_field moment_fields[] = {
	{ "kid", F_KID, true },
	{ "what", F_TEXT, true },
	{ "at", F_WHEN, false, true },
	{ NULL }
};
static const struct kind_field repair_done_fields[] = {
	{ "repair", F_ENTRY, true, .targets = KIND_BIT(KIND_REPAIR) },
	{ "at", F_WHEN, false, true },
	{ "apologized", F_BOOL, false },
	{ "heard", F_TEXT, false },
	{ "plan", F_TEXT, false },
	{ "note", F_TEXT, false },
	{ NULL }
};
static const struct kind_field prompt_add_fields[] = {
	{ "text", F_TEXT, true },
	{ "ages", F_AGES, false },
	{ NULL }
};
static const struct kind_field setting_fields[] = {
	{ "key", F_ENUM, true, .enums = setting_keys },
	{ "value", F_NAME, true },
	{ NULL }
};
static const struct kind_field amend_fields[] = {
	{ "target", F_ENTRY, true, .targets = AMENDABLE },
	{ "fields", F_FIELDS, true },
	{ NULL }
};
static const struct kind_field retract_fields[] = {
	{ "target", F_ENTRY, true, .targets = RETRACTABLE },
	{ "reason", F_TEXT, true },
	{ NULL }
};

static const struct kind_spec kind_specs[KIND_COUNT] = {
	[KIND_OTHER] = { NULL, false, false, NULL },
	[KIND_FAMILY_CREATE] = { "family.create", false, false, NULL },
	[KIND_DEVICE_ADD] = { "device.add", false, false, NULL },
	[KIND_KID_ADD] = { "kid.add", true, false, kid_add_fields },
	[KIND_ONE_ON_ONE] = { "one-on-one", true, true, one_on_one_fields },
	[KIND_CHECKIN] = { "checkin", true, true, feeling_fields },
	[KIND_CHECKOUT] = { "checkout", true, true, feeling_fields },
	[KIND_REPAIR] = { "repair", true, true, repair_fields },
	[KIND_DEVICE_REMOVE] = { "device.remove", false, false, NULL },
	[KIND_KEY_ROTATE] = { "key.rotate", false, false, NULL },
	[KIND_PLAN] = { "plan", true, true, plan_fields },
	[KIND_PLAN_STOP] = { "plan.stop", true, false, plan_stop_fields },
	[KIND_TWOXTEN_START] = { "twoxten.start", true, true,
	    twoxten_start_fields },
	[KIND_TWOXTEN_DAY] = { "twoxten.day", true, true,
	    twoxten_day_fields },
	[KIND_GOAL] = { "goal", true, true, goal_fields },
	[KIND_GOAL_PROGRESS] = { "goal.progress", true, true,
	    goal_progress_fields },
	[KIND_GOAL_CLOSE] = { "goal.close", true, false, goal_close_fields },
	[KIND_STRENGTH] = { "strength", true, true, strength_fields },
	[KIND_MOMENT] = { "moment", true, true, moment_fields },
	[KIND_REPAIR_DONE] = { "repair.done", true, true,
	    repair_done_fields },
	[KIND_PROMPT_ADD] = { "prompt.add", true, true, prompt_add_fields },
	[KIND_SETTING] = { "setting", true, false, setting_fields },
	[KIND_AMEND] = { "amend", true, false, amend_fields },
	[KIND_RETRACT] = { "retract", true, false, retract_fields },
};

/* One validated value, ready to pack. */
struct field_value {
	const struct kind_field	*f;
	const char		*s;
	size_t			 len;
	int64_t			 i;
	const uint8_t		*ref;
	const uint8_t		*refs[KIND_MAX_REFS];
	size_t			 nrefs;
	unsigned		 mask;		/* F_TAGS, F_DAYS */
	int			 lo, hi;	/* F_AGES */
	msgpack_sbuffer		*sub;		/* F_FIELDS */
};

/* What a field check may need besides the field itself. */
struct kinds_ctx {
	const struct views	*v;
	int64_t			 now;
	enum kind		 target;	/* amend: the target's kind */
};

static int	kinds_check_str(const struct kind_field *,
		    const msgpack_object *, struct field_value *, char **);
static int	kinds_check_field(const struct kinds_ctx *,
		    const struct kind_field *, const msgpack_object *,
		    struct field_value *, char **);
static int	kinds_check_text_field(const struct kinds_ctx *,
		    const struct kind_field *, struct field_value *, char **);
static int	kinds_check_members(const struct kinds_ctx *,
		    const struct kind_field *, const msgpack_object *,
		    struct field_value *, char **);
static int	kinds_check_set(const struct kind_field *,
		    const msgpack_object *, struct field_value *, char **);
static int	kinds_check_fields(const struct kinds_ctx *,
		    const msgpack_object *, struct field_value *, char **);
static int	kinds_coerce(const struct kind_field *, const msgpack_object *,
		    msgpack_object *, char **);
static int	kinds_check_date(const char *, size_t);
static int	kinds_check_keys(const struct kind_spec *,
		    const msgpack_object *, char **);
static int	kinds_set_token(const struct kind_field *, const char *,
		    size_t, struct field_value *);
static int	kinds_set_error(const struct kind_field *, const char *,
		    size_t, char **);
static int	kinds_enum(const char *const *, const char *, size_t);
static void	kinds_pack_value(msgpack_packer *, const struct field_value *);
static void	kinds_values_free(struct field_value *, size_t);
static int	kinds_cross_check(enum kind, struct field_value *, size_t,
		    char **);

const char *
kinds_name(enum kind k)
{
	if ((unsigned)k >= KIND_COUNT)
		return (NULL);
	return (kind_specs[k].name);
}

enum kind
kinds_lookup(const char *s, size_t len)
{
	int	k;

	for (k = 1; k < KIND_COUNT; k++) {
		if (strlen(kind_specs[k].name) == len &&
		    memcmp(kind_specs[k].name, s, len) == 0)
			return ((enum kind)k);
	}
	return (KIND_OTHER);
}

/* May a client append entries of kind k? */
bool
kinds_client(enum kind k)
{
	return ((unsigned)k < KIND_COUNT && kind_specs[k].client);
}

/* YYYY-MM-DD, all digits, a real calendar day between 1900 and 2200. */
static int
kinds_check_date(const char *s, size_t len)
{
	int	y = 0, m = 0, d = 0, mdays;
	size_t	i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return (-PROTO_E_INVALID);
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return (-PROTO_E_INVALID);
		if (i < 4)
			y = y * 10 + (s[i] - '0');
		else if (i < 7)
			m = m * 10 + (s[i] - '0');
		else
			d = d * 10 + (s[i] - '0');
	}
	mdays = m == 2 ? (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ?
	    29 : 28) : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays)
		return (-PROTO_E_INVALID);
	return (0);
}

/* Index of s (any case) in the NULL-terminated list, or -1. */
static int
kinds_enum(const char *const *list, const char *s, size_t len)
{
	int	i;

	for (i = 0; list[i] != NULL; i++) {
		if (strlen(list[i]) == len && strncasecmp(list[i], s, len) == 0)
			return (i);
	}
	return (-1);
}

/*
 * A weekday: any prefix of at least two letters of its English name, in
 * any case ("sa", "sat", "Saturday"). Return 0 (Sunday) to 6, or -1.
 */
int
kinds_weekday(const char *s, size_t len)
{
	int	i;

	if (len < 2 || len > 9)
		return (-1);
	for (i = 0; i < 7; i++) {
		if (len <= strlen(day_names[i]) &&
		    strncasecmp(day_names[i], s, len) == 0)
			return (i);
	}
	return (-1);
}

/* "H:MM" or "HH:MM", 00:00 to 23:59. Return 0 or -PROTO_E_INVALID. */
int
kinds_hhmm(const char *s, size_t len, int *minutes)
{
	int	h, m;

	if (len < 4 || len > 5 || s[len - 3] != ':' ||
	    !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[len - 2])
	    || !isdigit((unsigned char)s[len - 1]) ||
	    (len == 5 && !isdigit((unsigned char)s[1])))
		return (-PROTO_E_INVALID);
	h = len == 5 ? (s[0] - '0') * 10 + (s[1] - '0') : s[0] - '0';
	m = (s[len - 2] - '0') * 10 + (s[len - 1] - '0');
	if (h > 23 || m > 59)
		return (-PROTO_E_INVALID);
	*minutes = h * 60 + m;
	return (0);
}

/* "A-B" or "A" (years, 0 to 25, A <= B). Return 0 or -PROTO_E_INVALID. */
int
kinds_ages(const char *s, size_t len, int *lo, int *hi)
{
	int	v[2] = { -1, -1 }, n = 0;
	size_t	i;

	for (i = 0; i < len; i++) {
		if (s[i] == '-' && n == 0 && v[0] >= 0) {
			n = 1;
			continue;
		}
		if (!isdigit((unsigned char)s[i]) || v[n] > 99)
			return (-PROTO_E_INVALID);
		v[n] = (v[n] < 0 ? 0 : v[n] * 10) + (s[i] - '0');
	}
	if (v[0] < 0 || (n == 1 && v[1] < 0))
		return (-PROTO_E_INVALID);
	if (n == 0)
		v[1] = v[0];
	if (v[1] > KIND_MAX_AGE || v[0] > v[1])
		return (-PROTO_E_INVALID);
	*lo = v[0];
	*hi = v[1];
	return (0);
}

/* Strings: non-empty, bounded, no control characters. */
static int
kinds_check_str(const struct kind_field *f, const msgpack_object *o,
    struct field_value *fv, char **cause)
{
	size_t	max = f->type == F_TEXT ? PROTO_MAX_TEXT : PROTO_MAX_NAME, i, n;
	uint32_t cp;

	if (o->type != MSGPACK_OBJECT_STR) {
		diag_cause(cause, "%s: expected a string", f->name);
		return (-PROTO_E_TYPE);
	}
	fv->s = o->via.str.ptr;
	fv->len = o->via.str.size;
	if (fv->len > max) {
		diag_cause(cause, "%s: longer than %zu bytes", f->name, max);
		return (-PROTO_E_TOOBIG);
	}
	for (i = 0; i < fv->len && (fv->s[i] == ' ' || fv->s[i] == '\n' ||
	    fv->s[i] == '\t'); i++)
		;
	if (i == fv->len) {
		diag_cause(cause, "%s: must not be empty", f->name);
		return (-PROTO_E_INVALID);
	}
	for (i = 0; i < fv->len; i += n) {
		if ((n = utf8_next((const uint8_t *)fv->s + i, fv->len - i,
		    &cp)) == 0) {
			diag_cause(cause, "%s: not valid UTF-8", f->name);
			return (-PROTO_E_INVALID);
		}
		/* C0 (but a newline in text), DEL and C1 would reach
		 * terminals as control sequences. */
		if ((cp < 0x20 && !(f->type == F_TEXT && cp == '\n')) ||
		    (cp >= 0x7f && cp <= 0x9f)) {
			diag_cause(cause, "%s: control characters are not "
			    "allowed", f->name);
			return (-PROTO_E_INVALID);
		}
	}
	return (0);
}

/*
 * Members by name: one (F_KID, F_WHO, F_PARENT) or several (F_KIDS,
 * F_PARENTS: an array of names, one name, or "both"/"all" for every
 * parent). Return 0 or a negative PROTO_E_* with *cause.
 */
static int
kinds_check_members(const struct kinds_ctx *c, const struct kind_field *f,
    const msgpack_object *o, struct field_value *fv, char **cause)
{
	const struct views	*v = c->v;
	struct kind_field	 one = *f;
	const msgpack_object	*items = o;
	uint32_t		 n = 1, i;
	size_t			 j, k;
	int			 which, idx, rc;

	which = f->type == F_KID || f->type == F_KIDS ? VIEWS_KIDS :
	    f->type == F_WHO ? VIEWS_KIDS | VIEWS_PARENTS : VIEWS_PARENTS;
	one.type = F_NAME;
	if (f->type == F_PARENTS && o->type == MSGPACK_OBJECT_STR &&
	    (mp_str_eq(o, "both") || mp_str_eq(o, "all"))) {
		for (j = 0; j < v->nmembers && fv->nrefs < KIND_MAX_REFS; j++) {
			if (!v->members[j].kid)
				fv->refs[fv->nrefs++] = v->members[j].id;
		}
		return (0);
	}
	if ((f->type == F_PARENTS || f->type == F_KIDS) &&
	    o->type == MSGPACK_OBJECT_ARRAY) {
		if ((n = o->via.array.size) == 0 || n > KIND_MAX_REFS) {
			diag_cause(cause, "%s: 1 to %d names", f->name,
			    KIND_MAX_REFS);
			return (-PROTO_E_INVALID);
		}
		items = o->via.array.ptr;
	}
	for (i = 0; i < n; i++) {
		if ((rc = kinds_check_str(&one, &items[i], fv, cause)) < 0)
			return (rc);
		if ((idx = views_member_find(v, fv->s, fv->len, which,
		    cause)) < 0)
			return (idx);
		fv->ref = v->members[idx].id;
		for (k = 0; k < fv->nrefs && fv->refs[k] != fv->ref; k++)
			;
		if (k == fv->nrefs)
			fv->refs[fv->nrefs++] = fv->ref;
	}
	return (0);
}

/* One word of a set into fv->mask (and fv->i). Return 0 or -1. */
static int
kinds_set_token(const struct kind_field *f, const char *p, size_t len,
    struct field_value *fv)
{
	int	idx;

	if (f->type == F_DAYS) {
		if (len == 5 && strncasecmp(p, "daily", 5) == 0)
			fv->mask |= 0x7f;
		else if (len == 8 && strncasecmp(p, "weekdays", 8) == 0)
			fv->mask |= 0x3e;
		else if (len == 8 && strncasecmp(p, "weekends", 8) == 0)
			fv->mask |= 0x41;
		else if ((idx = kinds_weekday(p, len)) >= 0)
			fv->mask |= 1U << idx;
		else
			return (-1);
		return (0);
	}
	if ((idx = kinds_enum(f->enums, p, len)) < 0 ||
	    (f->type == F_ENUM && fv->mask != 0))
		return (-1);
	fv->mask |= 1U << idx;
	fv->i = idx;
	return (0);
}

/* The cause for a word of a set that is not one. */
static int
kinds_set_error(const struct kind_field *f, const char *p, size_t len,
    char **cause)
{
	char	list[256] = "";
	size_t	used = 0, n;
	int	w;

	if (len > PROTO_MAX_NAME)
		len = PROTO_MAX_NAME;
	if (f->type == F_DAYS) {
		diag_cause(cause, "%s: '%.*s' is not a weekday (try sat, "
		    "wed, daily, weekdays)", f->name, (int)len, p);
		return (-PROTO_E_INVALID);
	}
	for (n = 0; f->enums[n] != NULL; n++) {
		w = snprintf(list + used, sizeof(list) - used, "%s%s",
		    n ? ", " : "", f->enums[n]);
		if (w > 0 && (size_t)w < sizeof(list) - used)
			used += (size_t)w;
	}
	diag_cause(cause, "%s: '%.*s' is not one of: %s", f->name, (int)len,
	    p, list);
	return (-PROTO_E_INVALID);
}

/*
 * F_ENUM, F_TAGS and F_DAYS: one name, or a set given as an array or as
 * "a,b" (commas or blanks). Return 0 or a negative PROTO_E_* code.
 */
static int
kinds_check_set(const struct kind_field *f, const msgpack_object *o,
    struct field_value *fv, char **cause)
{
	const msgpack_object	*it;
	const char		*s, *end, *p;
	size_t			 i, nitems = 1;

	if (f->type != F_ENUM && o->type == MSGPACK_OBJECT_ARRAY)
		nitems = o->via.array.size;
	if (nitems == 0 || nitems > 16) {
		diag_cause(cause, "%s: 1 to 16 values", f->name);
		return (-PROTO_E_INVALID);
	}
	for (i = 0; i < nitems; i++) {
		it = o->type == MSGPACK_OBJECT_ARRAY ? &o->via.array.ptr[i] : o;
		if (it->type != MSGPACK_OBJECT_STR ||
		    it->via.str.size > PROTO_MAX_NAME * 2) {
			diag_cause(cause, "%s: expected a string", f->name);
			return (-PROTO_E_TYPE);
		}
		s = it->via.str.ptr;
		end = s + it->via.str.size;
		for (p = s; p < end; p = s) {
			while (p < end && (*p == ',' || *p == ' '))
				p++;
			for (s = p; s < end && *s != ',' && *s != ' '; s++)
				;
			if (s > p && kinds_set_token(f, p, (size_t)(s - p),
			    fv) < 0)
				return (kinds_set_error(f, p, (size_t)(s - p),
				    cause));
		}
	}
	if (fv->mask != 0)
		return (0);
	diag_cause(cause, "%s: must not be empty", f->name);
	return (-PROTO_E_INVALID);
}

/* The checks of string-valued fields after kinds_check_str. */
static int
kinds_check_text_field(const struct kinds_ctx *c, const struct kind_field *f,
    struct field_value *fv, char **cause)
{
	char	buf[PROTO_MAX_NAME + 1];
	int	idx, mins;

	switch (f->type) {
	case F_DATE:
		if (kinds_check_date(fv->s, fv->len) < 0) {
			diag_cause(cause, "%s: '%.*s' is not a date "
			    "(YYYY-MM-DD)", f->name, (int)fv->len, fv->s);
			return (-PROTO_E_INVALID);
		}
		return (0);
	case F_WHEN:
		snprintf(buf, sizeof(buf), "%.*s", (int)fv->len, fv->s);
		if (when_parse(buf, c->now, &fv->i) < 0) {
			diag_cause(cause, "%s: cannot read '%s' as a time "
			    "(try today, yesterday, monday, last monday, "
			    "HH:MM or YYYY-MM-DD)", f->name, buf);
			return (-PROTO_E_INVALID);
		}
		return (0);
	case F_HHMM:
		if (kinds_hhmm(fv->s, fv->len, &mins) < 0) {
			diag_cause(cause, "%s: '%.*s' is not a time of day "
			    "(HH:MM)", f->name, (int)fv->len, fv->s);
			return (-PROTO_E_INVALID);
		}
		fv->i = mins;
		return (0);
	case F_AGES:
		if (kinds_ages(fv->s, fv->len, &fv->lo, &fv->hi) < 0) {
			diag_cause(cause, "%s: '%.*s' is not an age range "
			    "(e.g. 6-9, 0 to %d)", f->name, (int)fv->len,
			    fv->s, KIND_MAX_AGE);
			return (-PROTO_E_INVALID);
		}
		return (0);
	case F_ENTRY:
		idx = views_entry_find(c->v, fv->s, fv->len, f->targets,
		    cause);
		if (idx < 0)
			return (idx);
		fv->ref = c->v->entries[idx]->id;
		return (0);
	default:
		return (0);
	}
}

static int
kinds_check_field(const struct kinds_ctx *c, const struct kind_field *f,
    const msgpack_object *o, struct field_value *fv, char **cause)
{
	int	rc;

	fv->f = f;
	switch (f->type) {
	case F_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN) {
			diag_cause(cause, "%s: expected true or false",
			    f->name);
			return (-PROTO_E_TYPE);
		}
		fv->i = o->via.boolean;
		return (0);
	case F_UINT:
		if (mp_as_int(o, &fv->i) < 0) {
			diag_cause(cause, "%s: expected a number", f->name);
			return (-PROTO_E_TYPE);
		}
		if (fv->i < f->min || fv->i > f->max) {
			diag_cause(cause, "%s: must be between %lld and %lld",
			    f->name, (long long)f->min, (long long)f->max);
			return (-PROTO_E_INVALID);
		}
		return (0);
	case F_KID:
	case F_WHO:
	case F_PARENT:
	case F_KIDS:
	case F_PARENTS:
		return (kinds_check_members(c, f, o, fv, cause));
	case F_ENUM:
	case F_TAGS:
	case F_DAYS:
		return (kinds_check_set(f, o, fv, cause));
	case F_FIELDS:
		return (kinds_check_fields(c, o, fv, cause));
	default:
		break;
	}
	if ((rc = kinds_check_str(f, o, fv, cause)) < 0)
		return (rc);
	return (kinds_check_text_field(c, f, fv, cause));
}

/*
 * Amend values typed on a command line arrive as strings: read numbers
 * and yes/no for the fields that want them. *tmp is the value to check.
 */
static int
kinds_coerce(const struct kind_field *f, const msgpack_object *o,
    msgpack_object *tmp, char **cause)
{
	const char	*s = o->via.str.ptr;
	size_t		 n = o->via.str.size, i;
	uint64_t	 u = 0;

	*tmp = *o;
	if (o->type != MSGPACK_OBJECT_STR)
		return (0);
	if (f->type == F_UINT) {
		for (i = 0; i < n; i++) {
			if (!isdigit((unsigned char)s[i]) || i >= 18)
				goto bad;
			u = u * 10 + (uint64_t)(s[i] - '0');
		}
		if (n == 0)
			goto bad;
		tmp->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		tmp->via.u64 = u;
	} else if (f->type == F_BOOL) {
		tmp->type = MSGPACK_OBJECT_BOOLEAN;
		if ((n == 3 && strncasecmp(s, "yes", 3) == 0) ||
		    (n == 4 && strncasecmp(s, "true", 4) == 0) ||
		    (n == 1 && (s[0] == 'y' || s[0] == '1')))
			tmp->via.boolean = true;
		else if ((n == 2 && strncasecmp(s, "no", 2) == 0) ||
		    (n == 5 && strncasecmp(s, "false", 5) == 0) ||
		    (n == 1 && (s[0] == 'n' || s[0] == '0')))
			tmp->via.boolean = false;
		else
			goto bad;
	}
	return (0);
bad:
	diag_cause(cause, "%s: '%.*s' is not %s", f->name,
	    (int)(n > PROTO_MAX_NAME ? PROTO_MAX_NAME : n), s,
	    f->type == F_UINT ? "a number" : "yes or no");
	return (-PROTO_E_INVALID);
}

/*
 * amend's fields: a map of the target kind's fields, each checked as an
 * append of that kind would check it, packed into fv->sub.
 */
static int
kinds_check_fields(const struct kinds_ctx *c, const msgpack_object *o,
    struct field_value *fv, char **cause)
{
	const struct kind_spec	*spec = &kind_specs[c->target];
	const struct kind_field	*f;
	struct field_value	 vals[KIND_MAX_FIELDS];
	msgpack_object		 tmp;
	msgpack_packer		 pk;
	uint32_t		 i, n;
	int			 rc = 0;

	if (o->type != MSGPACK_OBJECT_MAP || (n = o->via.map.size) == 0 ||
	    n > KIND_MAX_FIELDS) {
		diag_cause(cause, "fields: expected a map of 1 to %d fields "
		    "to change", KIND_MAX_FIELDS);
		return (-PROTO_E_TYPE);
	}
	if (spec->fields == NULL)
		return (-PROTO_E_INTERNAL);
	memset(vals, 0, sizeof(vals));
	for (i = 0; i < n && rc == 0; i++) {
		const msgpack_object_kv	*kv = &o->via.map.ptr[i];

		for (f = spec->fields; f->name != NULL; f++) {
			if (mp_str_eq(&kv->key, f->name))
				break;
		}
		if (f->name == NULL) {
			diag_cause(cause, "%s has no field '%.*s'", spec->name,
			    kv->key.type == MSGPACK_OBJECT_STR &&
			    kv->key.via.str.size <= PROTO_MAX_NAME ?
			    (int)kv->key.via.str.size : 1,
			    kv->key.type == MSGPACK_OBJECT_STR ?
			    kv->key.via.str.ptr : "?");
			rc = -PROTO_E_INVALID;
		} else if (kv->val.type == MSGPACK_OBJECT_NIL) {
			diag_cause(cause, "%s: a field cannot be removed, "
			    "only changed", f->name);
			rc = -PROTO_E_INVALID;
		} else if ((rc = kinds_coerce(f, &kv->val, &tmp,
		    cause)) == 0)
			rc = kinds_check_field(c, f, &tmp, &vals[i], cause);
	}
	if (rc == 0)
		rc = kinds_cross_check(c->target, vals, n, cause);
	if (rc == 0 && (fv->sub = malloc(sizeof(*fv->sub))) == NULL)
		rc = -PROTO_E_INTERNAL;
	if (rc == 0) {
		msgpack_sbuffer_init(fv->sub);
		msgpack_packer_init(&pk, fv->sub, msgpack_sbuffer_write);
		msgpack_pack_map(&pk, n);
		for (i = 0; i < n; i++)
			kinds_pack_value(&pk, &vals[i]);
	}
	kinds_values_free(vals, n);
	return (rc);
}

static void
kinds_pack_value(msgpack_packer *pk, const struct field_value *fv)
{
	char	buf[16];
	size_t	i;
	int	n;

	mp_pack_cstr(pk, fv->f->name);
	switch (fv->f->type) {
	case F_BOOL:
		if (fv->i)
			msgpack_pack_true(pk);
		else
			msgpack_pack_false(pk);
		break;
	case F_UINT:
	case F_WHEN:
		msgpack_pack_int64(pk, fv->i);
		break;
	case F_KID:
	case F_WHO:
	case F_PARENT:
	case F_ENTRY:
		mp_pack_bin(pk, fv->ref, ENV_ID);
		break;
	case F_KIDS:
	case F_PARENTS:
		msgpack_pack_array(pk, (uint32_t)fv->nrefs);
		for (i = 0; i < fv->nrefs; i++)
			mp_pack_bin(pk, fv->refs[i], ENV_ID);
		break;
	case F_ENUM:
		mp_pack_cstr(pk, fv->f->enums[fv->i]);
		break;
	case F_TAGS:
	case F_DAYS:
		msgpack_pack_array(pk, (uint32_t)__builtin_popcount(fv->mask));
		for (n = 0; n < 16; n++) {
			if (!(fv->mask & (1U << n)))
				continue;
			if (fv->f->type == F_DAYS)
				msgpack_pack_uint8(pk, (uint8_t)n);
			else
				mp_pack_cstr(pk, fv->f->enums[n]);
		}
		break;
	case F_HHMM:
		snprintf(buf, sizeof(buf), "%02d:%02d", (int)(fv->i / 60),
		    (int)(fv->i % 60));
		mp_pack_cstr(pk, buf);
		break;
	case F_AGES:
		snprintf(buf, sizeof(buf), "%d-%d", fv->lo, fv->hi);
		mp_pack_cstr(pk, buf);
		break;
	case F_FIELDS:
		msgpack_pack_nil(pk);	/* kinds_build packs fv->sub */
		break;
	default:
		mp_pack_strn(pk, fv->s, fv->len);
		break;
	}
}

static void
kinds_values_free(struct field_value *vals, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (vals[i].sub != NULL) {
			msgpack_sbuffer_destroy(vals[i].sub);
			free(vals[i].sub);
			vals[i].sub = NULL;
		}
	}
}

/* Rules across fields. Return 0 or -PROTO_E_INVALID with *cause. */
static int
kinds_cross_check(enum kind k, struct field_value *vals, size_t n,
    char **cause)
{
	static const char *const short_days[] = { "sun", "mon", "tue", "wed",
	    "thu", "fri", "sat" };
	size_t	i;
	int	d;

	if (k != KIND_SETTING)
		return (0);
	for (i = 0; i < n; i++) {
		if (strcmp(vals[i].f->name, "value") != 0)
			continue;
		if ((d = kinds_weekday(vals[i].s, vals[i].len)) < 0) {
			diag_cause(cause, "week_start: '%.*s' is not a weekday",
			    (int)vals[i].len, vals[i].s);
			return (-PROTO_E_INVALID);
		}
		vals[i].s = short_days[d];
		vals[i].len = 3;
	}
	return (0);
}

/* Every key of the input (but "t") must be a field of the kind. */
static int
kinds_check_keys(const struct kind_spec *spec, const msgpack_object *in,
    char **cause)
{
	const struct kind_field	*f;
	uint32_t		 i;

	for (i = 0; i < in->via.map.size; i++) {
		const msgpack_object	*key = &in->via.map.ptr[i].key;

		if (mp_str_eq(key, "t"))
			continue;
		for (f = spec->fields; f->name != NULL; f++) {
			if (mp_str_eq(key, f->name))
				break;
		}
		if (f->name == NULL) {
			diag_cause(cause, "%s has no field '%.*s'", spec->name,
			    key->type == MSGPACK_OBJECT_STR &&
			    key->via.str.size <= PROTO_MAX_NAME ?
			    (int)key->via.str.size : 1,
			    key->type == MSGPACK_OBJECT_STR ?
			    key->via.str.ptr : "?");
			return (-PROTO_E_INVALID);
		}
	}
	return (0);
}

/*
 * Validate a client's append input {t: kind, ...} and pack the payload
 * to store into out. Return 0 or a negative PROTO_E_* code with *cause.
 */
int
kinds_build(const struct views *v, const msgpack_object *in, int64_t now_ms,
    msgpack_sbuffer *out, char **cause)
{
	struct field_value	 vals[KIND_MAX_FIELDS];
	struct kinds_ctx	 c = { v, now_ms, KIND_OTHER };
	const struct kind_spec	*spec;
	const struct kind_field	*f;
	const msgpack_object	*o;
	msgpack_packer		 pk;
	const char		*t;
	size_t			 tlen, n = 0, i;
	int			 rc = 0;

	if (in->type != MSGPACK_OBJECT_MAP ||
	    mp_get_str(in, "t", &t, &tlen, PROTO_MAX_NAME) != MP_FOUND) {
		diag_cause(cause, "expected a map with the kind in \"t\"");
		return (-PROTO_E_TYPE);
	}
	spec = &kind_specs[kinds_lookup(t, tlen)];
	if (spec->name == NULL || !spec->client) {
		diag_cause(cause, "cannot append an entry of kind '%.*s'",
		    (int)tlen, t);
		return (-PROTO_E_INVALID);
	}
	if ((rc = kinds_check_keys(spec, in, cause)) < 0)
		return (rc);
	memset(vals, 0, sizeof(vals));
	for (f = spec->fields; f->name != NULL; f++) {
		o = mp_map_get(in, f->name);
		if (o == NULL || o->type == MSGPACK_OBJECT_NIL) {
			if (f->required) {
				diag_cause(cause, "%s: required", f->name);
				rc = -PROTO_E_INVALID;
				goto out;
			}
			if (!f->has_def)
				continue;
			vals[n].f = f;
			vals[n++].i = f->type == F_WHEN ? now_ms : f->def;
			continue;
		}
		if ((rc = kinds_check_field(&c, f, o, &vals[n], cause)) < 0)
			goto out;
		if (f->type == F_ENTRY)
			c.target = (enum kind)views_entry_kind(v, vals[n].ref);
		n++;
	}
	if ((rc = kinds_cross_check(kinds_lookup(t, tlen), vals, n,
	    cause)) < 0)
		goto out;
	if (kinds_lookup(t, tlen) == KIND_KID_ADD &&
	    views_member_named(v, vals[0].s, vals[0].len) >= 0) {
		diag_cause(cause, "'%.*s' is already in the family",
		    (int)vals[0].len, vals[0].s);
		rc = -PROTO_E_EXISTS;
		goto out;
	}
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (uint32_t)n + 1);
	mp_pack_kv_str(&pk, "t", spec->name);
	for (i = 0; i < n; i++) {
		if (vals[i].f->type != F_FIELDS) {
			kinds_pack_value(&pk, &vals[i]);
			continue;
		}
		mp_pack_cstr(&pk, vals[i].f->name);
		msgpack_sbuffer_write(out, vals[i].sub->data,
		    vals[i].sub->size);
	}
out:
	kinds_values_free(vals, KIND_MAX_FIELDS);
	return (rc);
}

/*
 * The kind of a stored payload and, for device.add and device.remove,
 * the device (and final seq) it names, in *adm (may be NULL), which also
 * says whether the views can read it at all. Return KIND_OTHER for
 * anything unreadable or incomplete.
 */
enum kind
kinds_peek(const uint8_t *payload, size_t len, struct kinds_admin *adm)
{
	msgpack_unpacked	 up;
	const uint8_t		*dev;
	const char		*t;
	size_t			 tlen;
	uint64_t		 fin = 0;
	enum kind		 k = KIND_OTHER;

	msgpack_unpacked_init(&up);
	if (adm != NULL)
		adm->readable = false;
	if (mp_unpack(payload, len, &up) == 0 &&
	    up.data.type == MSGPACK_OBJECT_MAP &&
	    mp_get_str(&up.data, "t", &t, &tlen, PROTO_MAX_NAME) == MP_FOUND &&
	    tlen > 0) {
		k = kinds_lookup(t, tlen);
		if (adm != NULL)
			adm->readable = true;
	}
	if (k == KIND_DEVICE_ADD || k == KIND_DEVICE_REMOVE) {
		if (mp_get_bin(&up.data, "device", &dev, ENV_PK) != MP_FOUND ||
		    (k == KIND_DEVICE_REMOVE && mp_get_uint(&up.data,
		    "final_seq", &fin) != MP_FOUND))
			k = KIND_OTHER;
		else if (adm != NULL) {
			memcpy(adm->device, dev, ENV_PK);
			adm->final_seq = fin;
		}
	}
	if (adm != NULL)
		adm->kind = k;
	msgpack_unpacked_destroy(&up);
	return (k);
}

/*
 * Check a name typed by a person (init, join): what kinds_build checks
 * for any name field. Return 0 or a negative PROTO_E_* with *cause.
 */
int
kinds_check_name(const char *field, const char *s, size_t len, char **cause)
{
	struct kind_field	f = { field, F_NAME, true };
	struct field_value	fv;
	msgpack_object		o;

	o.type = MSGPACK_OBJECT_STR;
	o.via.str.ptr = s;
	o.via.str.size = (uint32_t)len;
	return (kinds_check_str(&f, &o, &fv, cause));
}
