/*
 * rpc-cmd-views.c: the read commands over the practices: today, week,
 * kid.show, repairs, goals, feelings, plans, twoxten, prompt, reminders,
 * entry, words, complete. Each parses its parameters (names resolved as
 * everywhere: any case, unique prefix), fixes the clock (eventlog_now:
 * ATTUNE_NOW in tests) and packs what views-*.c derive. Nothing here
 * writes. Also starts the reminders on first use until main.c does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mp.h"
#include "reminders.h"
#include "rpc-cmd.h"
#include "when.h"

#define VIEWS_MAX_COMPLETE	200

static int	rpc_views_member(const struct views *, const msgpack_object *,
		    const char *, int, bool, int *, char **);
static int	rpc_views_when(struct daemon *, const msgpack_object *,
		    const char *, int64_t *, bool *, char **);
static int	rpc_views_bool(const msgpack_object *, const char *, bool *,
		    char **);
static void	rpc_views_clock(struct daemon *, struct views_clock *);

/* Fix the clock of a request; start the reminders if nobody did. */
static void
rpc_views_clock(struct daemon *d, struct views_clock *c)
{
	char	*cause = NULL;

	if (!reminders_running() && !d->stopping) {
		if (reminders_start(d, getenv("ATTUNE_NOTIFY"), &cause) < 0) {
			log_warnx("%s", cause != NULL ? cause : "reminders");
			free(cause);
		}
	}
	views_clock_init(eventlog_views(d->log), eventlog_now(d->log), c);
}

/*
 * The member named by the str at key (which: VIEWS_KIDS and/or
 * VIEWS_PARENTS) into *out, -1 when absent and not required. Return 0 or
 * a negative PROTO_E_* code with *cause.
 */
static int
rpc_views_member(const struct views *v, const msgpack_object *in,
    const char *key, int which, bool required, int *out, char **cause)
{
	const char	*s;
	size_t		 len;
	int		 rc;

	*out = -1;
	rc = in != NULL ? mp_get_str(in, key, &s, &len, PROTO_MAX_NAME) :
	    MP_ABSENT;
	if (rc == MP_ABSENT) {
		if (!required)
			return (0);
		diag_cause(cause, "%s: required", key);
		return (-PROTO_E_INVALID);
	}
	if (rc < 0) {
		diag_cause(cause, "%s: a name of 1 to %d bytes", key,
		    PROTO_MAX_NAME);
		return (rc == -PROTO_E_TOOBIG ? rc : -PROTO_E_TYPE);
	}
	if ((rc = views_member_find(v, s, len, which, cause)) < 0)
		return (rc);
	*out = rc;
	return (0);
}

/* A WHEN str at key into *ms; *found says whether it was there. */
static int
rpc_views_when(struct daemon *d, const msgpack_object *in, const char *key,
    int64_t *ms, bool *found, char **cause)
{
	const char	*s;
	char		 buf[PROTO_MAX_NAME + 1];
	size_t		 len;
	int		 rc;

	*found = false;
	rc = in != NULL ? mp_get_str(in, key, &s, &len, PROTO_MAX_NAME) :
	    MP_ABSENT;
	if (rc == MP_ABSENT)
		return (0);
	if (rc < 0) {
		diag_cause(cause, "%s: a time (WHEN) as a string", key);
		return (-PROTO_E_TYPE);
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
	if (when_parse(buf, eventlog_now(d->log), ms) < 0) {
		diag_cause(cause, "%s: cannot read '%s' as a time (try today, "
		    "yesterday, monday, last monday, HH:MM or YYYY-MM-DD)",
		    key, buf);
		return (-PROTO_E_INVALID);
	}
	*found = true;
	return (0);
}

static int
rpc_views_bool(const msgpack_object *in, const char *key, bool *b,
    char **cause)
{
	int	rc;

	if (in == NULL || (rc = mp_get_bool(in, key, b)) == MP_ABSENT ||
	    rc == MP_FOUND)
		return (0);
	diag_cause(cause, "%s: expected true or false", key);
	return (-PROTO_E_TYPE);
}

/* today []: what to do today. */
int
rpc_cmd_today(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	struct views_clock	c;

	rpc_views_clock(d, &c);
	views_pack_today(eventlog_views(d->log), &c, pk);
	return (0);
}

/* week [{kid?, date?}]: the week (containing date) per kid. */
int
rpc_cmd_week(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	const msgpack_object	*in = rpc_cmd_param_map(req);
	struct views_clock	 c;
	int64_t			 date;
	bool			 found;
	int			 kid, rc;

	if ((rc = rpc_views_member(v, in, "kid", VIEWS_KIDS, false, &kid,
	    cause)) < 0 ||
	    (rc = rpc_views_when(d, in, "date", &date, &found, cause)) < 0)
		return (rc);
	rpc_views_clock(d, &c);
	if (found) {
		c.week = views_week_of(c.week_start, date);
		c.next_week = views_day_add(c.week, 7);
	}
	views_pack_week(v, &c, kid, pk);
	return (0);
}

/* kid.show [{kid}]: a kid's profile. */
int
rpc_cmd_kid_show(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	struct views_clock	 c;
	int			 kid, rc;

	if ((rc = rpc_views_member(v, rpc_cmd_param_map(req), "kid",
	    VIEWS_KIDS, true, &kid, cause)) < 0)
		return (rc);
	rpc_views_clock(d, &c);
	views_pack_kid(v, &c, kid, pk);
	return (0);
}

/* repairs [{kid?, open?}]: open oldest first, then repaired. */
int
rpc_cmd_repairs(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	const msgpack_object	*in = rpc_cmd_param_map(req);
	struct views_clock	 c;
	bool			 open = false;
	int			 kid, rc;

	if ((rc = rpc_views_member(v, in, "kid", VIEWS_KIDS, false, &kid,
	    cause)) < 0 || (rc = rpc_views_bool(in, "open", &open,
	    cause)) < 0)
		return (rc);
	rpc_views_clock(d, &c);
	views_pack_repairs(v, &c, kid, open, pk);
	return (0);
}

/* goals [{kid?, all?}]: active goals (all: done and dropped too). */
int
rpc_cmd_goals(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	const msgpack_object	*in = rpc_cmd_param_map(req);
	struct views_clock	 c;
	bool			 all = false;
	int			 kid, rc;

	if ((rc = rpc_views_member(v, in, "kid", VIEWS_KIDS, false, &kid,
	    cause)) < 0 || (rc = rpc_views_bool(in, "all", &all, cause)) < 0)
		return (rc);
	rpc_views_clock(d, &c);
	views_pack_goals(v, &c, kid, all, pk);
	return (0);
}

/* feelings [{who?, since?}]: board, week by zone, entries since. */
int
rpc_cmd_feelings(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	const msgpack_object	*in = rpc_cmd_param_map(req);
	struct views_clock	 c;
	int64_t			 since;
	bool			 found;
	int			 who, rc;

	if ((rc = rpc_views_member(v, in, "who", VIEWS_KIDS | VIEWS_PARENTS,
	    false, &who, cause)) < 0 ||
	    (rc = rpc_views_when(d, in, "since", &since, &found, cause)) < 0)
		return (rc);
	rpc_views_clock(d, &c);
	views_pack_feelings(v, &c, who, found ? since : c.week, pk);
	return (0);
}

/* plans [{kid?}]: the plans in force. */
int
rpc_cmd_plans(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	struct views_clock	 c;
	int			 kid, rc;

	if ((rc = rpc_views_member(v, rpc_cmd_param_map(req), "kid",
	    VIEWS_KIDS, false, &kid, cause)) < 0)
		return (rc);
	rpc_views_clock(d, &c);
	views_pack_plans(v, &c, kid, pk);
	return (0);
}

/* twoxten [{kid?}]: the current run of each kid that has one. */
int
rpc_cmd_twoxten(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	struct views_clock	 c;
	struct views_run	 r;
	size_t			 i;
	uint32_t		 n = 0;
	int			 kid, rc;

	if ((rc = rpc_views_member(v, rpc_cmd_param_map(req), "kid",
	    VIEWS_KIDS, false, &kid, cause)) < 0)
		return (rc);
	rpc_views_clock(d, &c);
	for (i = 0; i < v->nmembers; i++) {
		n += v->members[i].kid && (kid < 0 || (int)i == kid) &&
		    views_twoxten_run(v, &c, (int)i, &r);
	}
	msgpack_pack_array(pk, n);
	for (i = 0; i < v->nmembers; i++) {
		if (v->members[i].kid && (kid < 0 || (int)i == kid) &&
		    views_twoxten_run(v, &c, (int)i, &r))
			views_pack_twoxten(v, &c, (int)i, pk);
	}
	return (0);
}

/* prompt [{kid?, seed?}]: a question for the kid (or anyone). */
int
rpc_cmd_prompt(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	const msgpack_object	*in = rpc_cmd_param_map(req);
	struct views_clock	 c;
	uint64_t		 seed = 0;
	int			 kid, rc;

	if ((rc = rpc_views_member(v, in, "kid", VIEWS_KIDS, false, &kid,
	    cause)) < 0)
		return (rc);
	if (in != NULL && mp_get_uint(in, "seed", &seed) < 0) {
		diag_cause(cause, "seed: a number");
		return (-PROTO_E_TYPE);
	}
	rpc_views_clock(d, &c);
	return (views_pack_prompt(v, &c, kid, seed, pk, cause));
}

/* reminders []: what is pending now, and whether it was sent. */
int
rpc_cmd_reminders(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	struct views_reminder	 list[64];
	struct views_clock	 c;
	size_t			 n, i;

	rpc_views_clock(d, &c);
	reminders_check();
	n = views_reminders(v, &c, list, sizeof(list) / sizeof(list[0]));
	msgpack_pack_array(pk, (uint32_t)n);
	for (i = 0; i < n; i++) {
		msgpack_pack_map(pk, 6);
		mp_pack_kv_str(pk, "key", list[i].key);
		mp_pack_kv_str(pk, "kind", list[i].kind);
		mp_pack_kv_str(pk, "text", list[i].text);
		mp_pack_kv_int(pk, "due", list[i].due);
		mp_pack_cstr(pk, "kid");
		views_pack_ref(v, pk, list[i].kid);
		mp_pack_kv_bool(pk, "sent", reminders_sent(list[i].key));
	}
	return (0);
}

/* entry [{id}]: the entry as it stands, as written, and its history. */
int
rpc_cmd_entry(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	const msgpack_object	*in = rpc_cmd_param_map(req);
	const char		*s;
	size_t			 len;
	int			 idx;

	if (in == NULL || mp_get_str(in, "id", &s, &len, 2 * ENV_ID) !=
	    MP_FOUND) {
		diag_cause(cause, "id: required, 4 to 64 hex digits");
		return (-PROTO_E_INVALID);
	}
	if ((idx = views_entry_find(v, s, len, 0xffffffffU, cause)) < 0)
		return (idx);
	views_pack_history(v, v->entries[idx], pk);
	return (0);
}

/* words []: the feelings vocabulary. */
int
rpc_cmd_words(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	views_pack_words(pk);
	return (0);
}

/*
 * complete [{what}]: words for shell completion: "kids", "members",
 * "parents" (names) or "ids" (the short ids of the newest entries that a
 * person wrote, newest first).
 */
int
rpc_cmd_complete(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	const msgpack_object	*in = rpc_cmd_param_map(req);
	const char		*what = NULL;
	char			 hex[2 * ENV_ID + 1];
	size_t			 len = 0, i;
	uint32_t		 n = 0;
	int			 which = 0;

	if (in == NULL || mp_get_str(in, "what", &what, &len, 16) !=
	    MP_FOUND) {
		diag_cause(cause, "what: kids, members, parents or ids");
		return (-PROTO_E_INVALID);
	}
	if (len == 4 && memcmp(what, "kids", 4) == 0)
		which = VIEWS_KIDS;
	else if (len == 7 && memcmp(what, "members", 7) == 0)
		which = VIEWS_KIDS | VIEWS_PARENTS;
	else if (len == 7 && memcmp(what, "parents", 7) == 0)
		which = VIEWS_PARENTS;
	else if (!(len == 3 && memcmp(what, "ids", 3) == 0)) {
		diag_cause(cause, "what: kids, members, parents or ids, not "
		    "'%.*s'", (int)len, what);
		return (-PROTO_E_INVALID);
	}
	if (which != 0) {
		for (i = 0; i < v->nmembers; i++)
			n += (which & (v->members[i].kid ? VIEWS_KIDS :
			    VIEWS_PARENTS)) != 0;
		msgpack_pack_array(pk, n);
		for (i = 0; i < v->nmembers; i++) {
			if (which & (v->members[i].kid ? VIEWS_KIDS :
			    VIEWS_PARENTS))
				mp_pack_cstr(pk, v->members[i].name);
		}
		return (0);
	}
	for (i = v->nentries; i > 0 && n < VIEWS_MAX_COMPLETE; i--)
		n += kinds_client(v->entries[i - 1]->kind);
	msgpack_pack_array(pk, n);
	for (i = v->nentries; i > 0 && n > 0; i--) {
		if (!kinds_client(v->entries[i - 1]->kind))
			continue;
		mp_hex(hex, v->entries[i - 1]->id, 6);
		hex[12] = '\0';
		mp_pack_cstr(pk, hex);
		n--;
	}
	return (0);
}
