/*
 * cmd-view.c: the read views: "today", "week", "kid show", "repairs",
 * "feelings" and "reminders". One call each; --json prints attuned's
 * result as it is (schemas in docs/protocol.md), otherwise aligned
 * sections that fit 80 columns, zones in their colours on a terminal.
 * What is due, missed, flagged or broken is attuned's to say; this file
 * only words it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mp.h"
#include "output.h"

#define VIEW_WIDTH	78	/* what a line may take */
#define VIEW_KIDS_COLS	20	/* the kids of a repair, at most */
#define VIEW_LINE	512

static const char *const view_zone_names[] = { "red", "yellow", "green",
    "blue" };

static void	view_row(struct output_table *, const char *, const char *);
static void	view_one_on_one(char *, size_t, const msgpack_object *);
static void	view_by_parent(char *, size_t, const msgpack_object *);
static void	view_run(char *, size_t, const msgpack_object *);
static void	view_bank(char *, size_t, const msgpack_object *);
static void	view_zone_header(struct output_table *, const char *);
static void	view_zone_row(struct output_table *, const char *,
		    const msgpack_object *);
static void	view_check(char *, size_t, const msgpack_object *,
		    enum output_color *);
struct view_repair;
static void	view_repair_read(const struct cli *, const msgpack_object *,
		    struct view_repair *);
static void	view_repair_table(const struct cli *, const msgpack_object *,
		    bool);
static void	view_today_kids(const msgpack_object *);
static void	view_today_runs(const msgpack_object *);
static void	view_today_checks(const msgpack_object *);
static int	view_today(const struct cli *, const msgpack_object *);
static void	view_week_kid(const msgpack_object *);
static int	view_week(const struct cli *, const msgpack_object *);
static int	view_kid(const struct cli *, const msgpack_object *);
static void	view_kid_lists(struct output_table *, const msgpack_object *);
static int	view_feelings(const struct cli *, const msgpack_object *);
static int	view_reminders(const struct cli *, const msgpack_object *);
static int	view_repairs(const struct cli *, const msgpack_object *);
static int	view_words(const struct cli *, const msgpack_object *);
static int	view_call(struct cli *, enum rpc_method,
		    const struct cli_params *, int (*)(const struct cli *,
		    const msgpack_object *));

/* "  label  value", the value cut to fit the line. */
static void
view_row(struct output_table *t, const char *label, const char *value)
{
	char	fit[VIEW_LINE * 3];

	cli_fit(fit, sizeof(fit), value, VIEW_WIDTH - 14);
	output_table_row(t);
	output_table_cell(t, OUTPUT_PLAIN, "  %s", label);
	output_table_cell(t, OUTPUT_PLAIN, "%s", fit);
}

/* "1 done of 2 planned, 1 due, 0 missed, 15 min, streak 3 wk". */
static void
view_one_on_one(char *buf, size_t size, const msgpack_object *o)
{
	uint64_t	planned = 0, done = 0, due = 0, missed = 0, min = 0;
	uint64_t	streak = 0;

	(void)cli_uint(o, "planned", &planned);
	(void)cli_uint(o, "done", &done);
	(void)cli_uint(o, "due", &due);
	(void)cli_uint(o, "missed", &missed);
	(void)cli_uint(o, "minutes", &min);
	(void)cli_uint(o, "streak", &streak);
	snprintf(buf, size, "%" PRIu64 " done of %" PRIu64 " planned, %"
	    PRIu64 " due, %" PRIu64 " missed, %" PRIu64 " min, streak %"
	    PRIu64 " wk", done, planned, due, missed, min, streak);
}

/* "Alex 2 (25 min), Sam 1 (10 min)". */
static void
view_by_parent(char *buf, size_t size, const msgpack_object *arr)
{
	const msgpack_object	*e;
	char			 name[PROTO_MAX_NAME + 1];
	uint64_t		 count, min;
	size_t			 used = 0;
	uint32_t		 i;
	int			 n;

	snprintf(buf, size, "-");
	for (i = 0; arr != NULL && arr->type == MSGPACK_OBJECT_ARRAY &&
	    i < arr->via.array.size; i++) {
		e = &arr->via.array.ptr[i];
		count = min = 0;
		if (cli_ref(e, "parent", name, sizeof(name)) == NULL)
			snprintf(name, sizeof(name), "?");
		(void)cli_uint(e, "count", &count);
		(void)cli_uint(e, "minutes", &min);
		n = snprintf(buf + used, size - used, "%s%s %" PRIu64 " (%"
		    PRIu64 " min)", used ? ", " : "", name, count, min);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
}

/* "day 4 of 10, on track" / "broken on day 5 (restart it)" / "-". */
static void
view_run(char *buf, size_t size, const msgpack_object *r)
{
	char	state[32];
	int64_t	day = 0, broken = 0;

	if (r == NULL || r->type != MSGPACK_OBJECT_MAP) {
		snprintf(buf, size, "-");
		return;
	}
	(void)cli_int(r, "day", &day);
	if (cli_text(r, "state", state, sizeof(state)) == NULL)
		snprintf(state, sizeof(state), "?");
	if (strcmp(state, "broken") == 0 && cli_int(r, "broken_on", &broken))
		snprintf(buf, size, "broken on day %" PRId64 " (restart it)",
		    broken);
	else if (strcmp(state, "on_track") == 0)
		snprintf(buf, size, "day %" PRId64 " of 10, on track", day);
	else
		snprintf(buf, size, "%s", state);
}

/* "7 days: 10 in, 2 out, 5.0:1 ok; 30 days: ...". */
static void
view_bank(char *buf, size_t size, const msgpack_object *bank)
{
	static const char *const wins[] = { "last7", "last30" };
	const msgpack_object	*w, *ratio;
	uint64_t		 dep, wd, days;
	bool			 meets;
	char			 r[32];
	size_t			 used = 0, i;
	int			 n;

	snprintf(buf, size, "-");
	for (i = 0; bank != NULL && i < 2; i++) {
		if ((w = mp_map_get(bank, wins[i])) == NULL ||
		    w->type != MSGPACK_OBJECT_MAP)
			continue;
		dep = wd = days = 0;
		meets = false;
		(void)cli_uint(w, "deposits", &dep);
		(void)cli_uint(w, "withdrawals", &wd);
		(void)cli_uint(w, "days", &days);
		(void)mp_get_bool(w, "meets", &meets);
		ratio = mp_map_get(w, "ratio");
		if (ratio != NULL && (ratio->type == MSGPACK_OBJECT_FLOAT64 ||
		    ratio->type == MSGPACK_OBJECT_FLOAT32))
			snprintf(r, sizeof(r), "%.1f:1", ratio->via.f64);
		else
			snprintf(r, sizeof(r), "none out");
		n = snprintf(buf + used, size - used, "%s%" PRIu64 "d: %"
		    PRIu64 " in, %" PRIu64 " out, %s%s", i ? "; " : "", days,
		    dep, wd, r, meets ? "" : " (<5:1)");
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
}

/* A zone table's header: title, then each zone in its colour. */
static void
view_zone_header(struct output_table *t, const char *title)
{
	size_t	i;

	output_table_row(t);
	output_table_cell(t, OUTPUT_BOLD, "%s", title);
	for (i = 0; i < 4; i++)
		output_table_cell(t, cli_zone_color(view_zone_names[i]), "%s",
		    view_zone_names[i]);
	output_table_cell(t, OUTPUT_DIM, "other");
}

/* "  NAME  r  y  g  b  o  flag" from a zones map. */
static void
view_zone_row(struct output_table *t, const char *name,
    const msgpack_object *z)
{
	uint64_t	n;
	bool		flag = false;
	size_t		i;

	output_table_row(t);
	output_table_cell(t, OUTPUT_PLAIN, "  %s", name);
	for (i = 0; i < 4; i++) {
		n = 0;
		(void)cli_uint(z, view_zone_names[i], &n);
		output_table_cell(t, n > 0 ?
		    cli_zone_color(view_zone_names[i]) : OUTPUT_DIM,
		    "%5" PRIu64, n);
	}
	n = 0;
	(void)cli_uint(z, "none", &n);
	output_table_cell(t, OUTPUT_DIM, "%5" PRIu64, n);
	(void)mp_get_bool(z, "flag", &flag);
	if (flag)
		output_table_cell(t, OUTPUT_RED, "mostly red or blue: check "
		    "in gently");
}

/* "zonk (red, 4/5)" or "-"; *c the zone's colour. */
static void
view_check(char *buf, size_t size, const msgpack_object *chk,
    enum output_color *c)
{
	char	feeling[PROTO_MAX_NAME + 1], zone[16];
	int64_t	in = 0;

	*c = OUTPUT_DIM;
	if (chk == NULL || chk->type != MSGPACK_OBJECT_MAP) {
		snprintf(buf, size, "-");
		return;
	}
	if (cli_text(chk, "feeling", feeling, sizeof(feeling)) == NULL)
		snprintf(feeling, sizeof(feeling), "?");
	if (cli_text(chk, "zone", zone, sizeof(zone)) == NULL)
		snprintf(zone, sizeof(zone), "no zone");
	*c = cli_zone_color(zone);
	if (cli_int(chk, "intensity", &in))
		snprintf(buf, size, "%s (%s, %" PRId64 "/5)", feeling, zone,
		    in);
	else
		snprintf(buf, size, "%s (%s)", feeling, zone);
}

/* One repair's cells, before the widths are known. */
struct view_repair {
	char			 id[OUTPUT_SHORT_ID + 1];
	char			 kids[VIEW_KIDS_COLS * 4];
	char			 when[OUTPUT_TIME_MAX];
	char			 state[32];
	enum output_color	 color;
	const char		*what;
	size_t			 what_len;
};

static void
view_repair_read(const struct cli *cli, const msgpack_object *r,
    struct view_repair *vr)
{
	char		kids[512], state[16];
	uint64_t	age = 0;
	bool		flagged = false;

	cli_short(r, "id", vr->id, sizeof(vr->id));
	vr->id[8] = '\0';
	cli_refs(r, "kids", kids, sizeof(kids));
	cli_fit(vr->kids, sizeof(vr->kids), kids, VIEW_KIDS_COLS);
	cli_when(cli, r, "opened", vr->when, sizeof(vr->when));
	if (cli_text(r, "state", state, sizeof(state)) == NULL)
		snprintf(state, sizeof(state), "?");
	(void)mp_get_bool(r, "flagged", &flagged);
	(void)cli_uint(r, "age_hours", &age);
	vr->color = OUTPUT_GREEN;
	snprintf(vr->state, sizeof(vr->state), "%s", state);
	if (strcmp(state, "open") == 0) {
		vr->color = flagged ? OUTPUT_RED : OUTPUT_YELLOW;
		snprintf(vr->state, sizeof(vr->state), "open %" PRIu64 " h%s",
		    age, flagged ? " !" : "");
	}
	vr->what = "?";
	vr->what_len = 1;
	(void)mp_get_str(r, "what", &vr->what, &vr->what_len, PROTO_MAX_TEXT);
}

/* Repairs: ID, KIDS, OPENED, STATE, WHAT (cut to what room is left). */
static void
view_repair_table(const struct cli *cli, const msgpack_object *arr,
    bool indent)
{
	struct view_repair	 vr;
	struct output_table	*t;
	char			 what[PROTO_MAX_TEXT + 1], fit[VIEW_LINE];
	size_t			 w[4] = { 0, 0, 0, 0 }, room, k;
	uint32_t		 i;

	for (i = 0; i < arr->via.array.size; i++) {
		view_repair_read(cli, &arr->via.array.ptr[i], &vr);
		k = output_width(vr.kids);
		w[1] = k > w[1] ? k : w[1];
		k = output_width(vr.when);
		w[2] = k > w[2] ? k : w[2];
		k = output_width(vr.state);
		w[3] = k > w[3] ? k : w[3];
	}
	w[0] = 8 + (indent ? 2 : 0);
	room = w[0] + w[1] + w[2] + w[3] + 8;
	room = room + 12 < VIEW_WIDTH ? VIEW_WIDTH - room : 12;
	if ((t = output_table_create(5)) == NULL) {
		(void)cli_table_print(t);
		return;
	}
	for (i = 0; i < arr->via.array.size; i++) {
		view_repair_read(cli, &arr->via.array.ptr[i], &vr);
		snprintf(what, sizeof(what), "%.*s", (int)vr.what_len,
		    vr.what);
		cli_fit(fit, sizeof(fit), what, room);
		output_table_row(t);
		output_table_cell(t, OUTPUT_DIM, "%s%s", indent ? "  " : "",
		    vr.id);
		output_table_cell(t, OUTPUT_PLAIN, "%s", vr.kids);
		output_table_cell(t, OUTPUT_PLAIN, "%s", vr.when);
		output_table_cell(t, vr.color, "%s", vr.state);
		output_table_cell(t, OUTPUT_PLAIN, "%s", fit);
	}
	(void)cli_table_print(t);
}

/* Today's 1:1s per kid. */
static void
view_today_kids(const msgpack_object *arr)
{
	const msgpack_object	*k, *today, *s;
	struct output_table	*t;
	char			 name[PROTO_MAX_NAME + 1];
	char			 by[PROTO_MAX_NAME + 1];
	char			 slot[128], state[16], at[16];
	uint64_t		 done = 0, planned = 0, streak = 0, due = 0;
	uint64_t		 min;
	uint32_t		 i;
	int64_t			 ms;
	time_t			 tt;
	struct tm		 tm;

	if ((t = output_table_create(4)) == NULL || arr == NULL ||
	    arr->type != MSGPACK_OBJECT_ARRAY) {
		output_table_destroy(t);
		return;
	}
	for (i = 0; i < arr->via.array.size; i++) {
		k = &arr->via.array.ptr[i];
		if (cli_ref(k, "kid", name, sizeof(name)) == NULL)
			continue;
		(void)cli_uint(k, "done", &done);
		(void)cli_uint(k, "planned", &planned);
		(void)cli_uint(k, "streak", &streak);
		(void)cli_uint(k, "due", &due);
		snprintf(slot, sizeof(slot), planned ? "nothing planned today" :
		    "no plan");
		snprintf(state, sizeof(state), due && !planned ? "due" : "");
		today = mp_map_get(k, "today");
		if (today != NULL && today->type == MSGPACK_OBJECT_ARRAY &&
		    today->via.array.size > 0) {
			s = &today->via.array.ptr[0];
			min = 0;
			(void)cli_uint(s, "minutes", &min);
			if (cli_ref(s, "by", by, sizeof(by)) == NULL)
				snprintf(by, sizeof(by), "?");
			tt = cli_int(s, "at", &ms) ? (time_t)(ms / 1000) : 0;
			if (localtime_r(&tt, &tm) == NULL ||
			    strftime(at, sizeof(at), "%H:%M", &tm) == 0)
				snprintf(at, sizeof(at), "?");
			snprintf(slot, sizeof(slot), "%s with %s, %" PRIu64
			    " min", at, by, min);
			if (cli_text(s, "state", state, sizeof(state)) ==
			    NULL || strcmp(state, "today") == 0)
				snprintf(state, sizeof(state), "due");
		}
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "  %s", name);
		output_table_cell(t, OUTPUT_PLAIN, "%s", slot);
		output_table_cell(t, strcmp(state, "due") == 0 ? OUTPUT_YELLOW :
		    strcmp(state, "missed") == 0 ? OUTPUT_RED : OUTPUT_GREEN,
		    "%s", state);
		output_table_cell(t, OUTPUT_DIM, "%" PRIu64 " this week, "
		    "streak %" PRIu64 " wk", done, streak);
	}
	(void)cli_table_print(t);
}

/* Today's 2x10 runs. */
static void
view_today_runs(const msgpack_object *arr)
{
	const msgpack_object	*r;
	struct output_table	*t;
	char			 name[PROTO_MAX_NAME + 1], run[128];
	bool			 logged;
	uint32_t		 i;

	if ((t = output_table_create(3)) == NULL)
		return;
	for (i = 0; arr->type == MSGPACK_OBJECT_ARRAY &&
	    i < arr->via.array.size; i++) {
		r = &arr->via.array.ptr[i];
		if (cli_ref(r, "kid", name, sizeof(name)) == NULL)
			continue;
		logged = false;
		(void)mp_get_bool(r, "logged_today", &logged);
		view_run(run, sizeof(run), r);
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "  %s", name);
		output_table_cell(t, OUTPUT_PLAIN, "%s", run);
		output_table_cell(t, logged ? OUTPUT_GREEN : OUTPUT_YELLOW,
		    "%s", logged ? "logged today" : strstr(run, "broken") ?
		    "" : "to do today");
	}
	(void)cli_table_print(t);
}

/* Who still has to check in, and out. */
static void
view_today_checks(const msgpack_object *f)
{
	struct output_table	*t;
	char			 names[512];

	if (f == NULL || (t = output_table_create(2)) == NULL)
		return;
	cli_refs(f, "missing_checkin", names, sizeof(names));
	view_row(t, "to check in", names[0] == '-' ? "everyone did" : names);
	cli_refs(f, "missing_checkout", names, sizeof(names));
	view_row(t, "to check out", names[0] == '-' ? "everyone did" : names);
	(void)cli_table_print(t);
}

static int
view_today(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*o;
	char			 date[16];
	uint32_t		 i;

	if (cli_text(res, "date", date, sizeof(date)) == NULL)
		snprintf(date, sizeof(date), "?");
	cli_heading("Today, %s", date);
	printf("\n");
	cli_heading("One-on-one time");
	view_today_kids(mp_map_get(res, "one_on_ones"));
	if ((o = mp_map_get(res, "twoxten")) != NULL &&
	    o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size > 0) {
		cli_heading("2x10");
		view_today_runs(o);
	}
	cli_heading("Check-ins");
	view_today_checks(mp_map_get(res, "feelings"));
	if ((o = mp_map_get(res, "repairs")) != NULL &&
	    o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size > 0) {
		cli_heading("Open repairs");
		view_repair_table(cli, o, true);
	}
	if ((o = mp_map_get(res, "reminders")) != NULL &&
	    o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size > 0) {
		cli_heading("Reminders");
		for (i = 0; i < o->via.array.size; i++) {
			char	text[300], fit[VIEW_LINE];

			if (cli_text(&o->via.array.ptr[i], "text", text,
			    sizeof(text)) == NULL)
				continue;
			cli_fit(fit, sizeof(fit), text, VIEW_WIDTH - 2);
			printf("  %s\n", fit);
		}
	}
	return (CLI_EXIT_OK);
}

/* One kid of the week. */
static void
view_week_kid(const msgpack_object *k)
{
	const msgpack_object	*o, *b;
	struct output_table	*t;
	char			 line[VIEW_LINE], name[PROTO_MAX_NAME + 1];
	uint64_t		 a = 0, c = 0, d = 0;

	if (cli_ref(k, "kid", name, sizeof(name)) == NULL ||
	    (t = output_table_create(2)) == NULL)
		return;
	cli_heading("%s", name);
	o = mp_map_get(k, "one_on_one");
	view_one_on_one(line, sizeof(line), o);
	view_row(t, "1:1s", line);
	b = mp_map_get(k, "balance");
	view_by_parent(line, sizeof(line), mp_map_get(b, "week"));
	view_row(t, "by parent", line);
	view_by_parent(line, sizeof(line), mp_map_get(b, "month"));
	view_row(t, "this month", line);
	view_run(line, sizeof(line), mp_map_get(k, "twoxten"));
	view_row(t, "2x10", line);
	o = mp_map_get(k, "repairs");
	(void)cli_uint(o, "opened", &a);
	(void)cli_uint(o, "repaired", &c);
	(void)cli_uint(o, "open", &d);
	snprintf(line, sizeof(line), "%" PRIu64 " opened, %" PRIu64
	    " repaired this week; %" PRIu64 " open", a, c, d);
	view_row(t, "repairs", line);
	o = mp_map_get(k, "goals");
	a = c = 0;
	(void)cli_uint(o, "active", &a);
	(void)cli_uint(o, "progress", &c);
	snprintf(line, sizeof(line), "%" PRIu64 " active, %" PRIu64
	    " progress notes this week", a, c);
	view_row(t, "goals", line);
	view_bank(line, sizeof(line), mp_map_get(k, "bank"));
	view_row(t, "bank", line);
	(void)cli_table_print(t);
}

static int
view_week(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*kids, *parents, *e;
	struct output_table	*t;
	char			 from[16], to[16], ws[8];
	char			 name[PROTO_MAX_NAME + 1];
	int64_t			 f = 0, l = 0;
	time_t			 tt;
	struct tm		 tm;
	uint32_t		 i;

	(void)cli_int(res, "from", &f);
	(void)cli_int(res, "to", &l);
	tt = (time_t)(f / 1000);
	localtime_r(&tt, &tm);
	strftime(from, sizeof(from), "%a %d %b", &tm);
	tt = (time_t)(l / 1000 - 1);
	localtime_r(&tt, &tm);
	strftime(to, sizeof(to), "%a %d %b", &tm);
	if (cli_text(res, "week_start", ws, sizeof(ws)) == NULL)
		snprintf(ws, sizeof(ws), "?");
	cli_heading("Week of %s to %s (weeks start on %s)", from, to, ws);
	kids = mp_map_get(res, "kids");
	for (i = 0; kids != NULL && kids->type == MSGPACK_OBJECT_ARRAY &&
	    i < kids->via.array.size; i++) {
		printf("\n");
		view_week_kid(&kids->via.array.ptr[i]);
	}
	if ((t = output_table_create(7)) == NULL)
		return (cli_table_print(t));
	printf("\n");
	view_zone_header(t, "Feelings");
	for (i = 0; kids != NULL && kids->type == MSGPACK_OBJECT_ARRAY &&
	    i < kids->via.array.size; i++) {
		e = &kids->via.array.ptr[i];
		if (cli_ref(e, "kid", name, sizeof(name)) != NULL)
			view_zone_row(t, name, mp_map_get(e, "feelings"));
	}
	parents = mp_map_get(res, "parents");
	for (i = 0; parents != NULL && parents->type == MSGPACK_OBJECT_ARRAY
	    && i < parents->via.array.size; i++) {
		e = &parents->via.array.ptr[i];
		if (cli_ref(e, "parent", name, sizeof(name)) != NULL)
			view_zone_row(t, name, mp_map_get(e, "feelings"));
	}
	(void)cli;
	return (cli_table_print(t));
}

/* Strengths, goals and plans of a profile, one row each. */
static void
view_kid_lists(struct output_table *t, const msgpack_object *res)
{
	const msgpack_object	*arr, *e;
	char			 line[VIEW_LINE], text[PROTO_MAX_TEXT + 1];
	char			 type[16];
	size_t			 used;
	uint32_t		 i;
	int			 n;

	used = 0;
	snprintf(line, sizeof(line), "-");
	arr = mp_map_get(res, "strengths");
	for (i = 0; arr != NULL && arr->type == MSGPACK_OBJECT_ARRAY &&
	    i < arr->via.array.size; i++) {
		e = &arr->via.array.ptr[i];
		if (cli_text(e, "text", text, sizeof(text)) == NULL ||
		    cli_text(e, "type", type, sizeof(type)) == NULL)
			continue;
		n = snprintf(line + used, sizeof(line) - used, "%s%s (%s)",
		    used ? "; " : "", text, type);
		if (n < 0 || (size_t)n >= sizeof(line) - used)
			break;
		used += (size_t)n;
	}
	view_row(t, "strengths", line);
	arr = mp_map_get(res, "goals");
	for (i = 0; arr != NULL && arr->type == MSGPACK_OBJECT_ARRAY &&
	    i < arr->via.array.size; i++) {
		e = &arr->via.array.ptr[i];
		if (cli_text(e, "text", text, sizeof(text)) != NULL)
			view_row(t, i == 0 ? "goals" : "", text);
	}
	if (arr == NULL || arr->type != MSGPACK_OBJECT_ARRAY ||
	    arr->via.array.size == 0)
		view_row(t, "goals", "-");
}

static int
view_kid(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*o;
	struct output_table	*t;
	char			 name[PROTO_MAX_NAME + 1], born[16];
	char			 line[VIEW_LINE];
	int64_t			 age = -1;
	uint64_t		 n;
	size_t			 used = 0, i;
	static const char *const beh[] = { "strategy-shifting",
	    "challenge-seeking", "persistence", "setbacks", "help-seeking" };

	if (cli_ref(res, "kid", name, sizeof(name)) == NULL)
		snprintf(name, sizeof(name), "?");
	if (cli_int(res, "age", &age) && cli_text(res, "born", born,
	    sizeof(born)) != NULL)
		cli_heading("%s, %" PRId64 " (born %s)", name, age, born);
	else
		cli_heading("%s", name);
	if ((t = output_table_create(2)) == NULL)
		return (cli_table_print(t));
	view_kid_lists(t, res);
	o = mp_map_get(res, "behaviors_month");
	line[0] = '\0';
	for (i = 0; i < 5; i++) {
		n = 0;
		if (!cli_uint(o, beh[i], &n) || n == 0)
			continue;
		used += (size_t)snprintf(line + used, sizeof(line) - used,
		    "%s%s %" PRIu64, used ? ", " : "", beh[i], n);
	}
	view_row(t, "this month", line[0] ? line : "-");
	view_one_on_one(line, sizeof(line), mp_map_get(res, "one_on_one"));
	view_row(t, "1:1s", line);
	view_run(line, sizeof(line), mp_map_get(res, "twoxten"));
	view_row(t, "2x10", line);
	o = mp_map_get(res, "repairs");
	snprintf(line, sizeof(line), "%u open", o != NULL && o->type ==
	    MSGPACK_OBJECT_ARRAY ? o->via.array.size : 0);
	view_row(t, "repairs", line);
	view_bank(line, sizeof(line), mp_map_get(res, "bank"));
	view_row(t, "bank", line);
	(void)cli;
	return (cli_table_print(t));
}

static int
view_feelings(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*arr, *e;
	struct output_table	*t;
	char			 name[PROTO_MAX_NAME + 1], in[128], out[128];
	char			 when[OUTPUT_TIME_MAX], kind[16];
	enum output_color	 ci, co;
	uint32_t		 i;

	if ((t = output_table_headed((const char *const []){
	    "Today", "in", "out", NULL })) == NULL)
		return (cli_table_print(t));
	arr = mp_map_get(res, "board");
	for (i = 0; arr != NULL && arr->type == MSGPACK_OBJECT_ARRAY &&
	    i < arr->via.array.size; i++) {
		e = &arr->via.array.ptr[i];
		if (cli_ref(e, "who", name, sizeof(name)) == NULL)
			continue;
		view_check(in, sizeof(in), mp_map_get(e, "checkin"), &ci);
		view_check(out, sizeof(out), mp_map_get(e, "checkout"), &co);
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "  %s", name);
		output_table_cell(t, ci, "%s", in);
		output_table_cell(t, co, "%s", out);
	}
	if (cli_table_print(t) != CLI_EXIT_OK ||
	    (t = output_table_create(7)) == NULL)
		return (CLI_EXIT_ERROR);
	view_zone_header(t, "This week");
	arr = mp_map_get(res, "week");
	for (i = 0; arr != NULL && arr->type == MSGPACK_OBJECT_ARRAY &&
	    i < arr->via.array.size; i++) {
		e = &arr->via.array.ptr[i];
		if (cli_ref(e, "who", name, sizeof(name)) != NULL)
			view_zone_row(t, name, mp_map_get(e, "zones"));
	}
	if (cli_table_print(t) != CLI_EXIT_OK ||
	    (t = output_table_create(5)) == NULL)
		return (CLI_EXIT_ERROR);
	cli_when(cli, res, "since", when, sizeof(when));
	cli_heading("Since %s", when);
	arr = mp_map_get(res, "entries");
	for (i = 0; arr != NULL && arr->type == MSGPACK_OBJECT_ARRAY &&
	    i < arr->via.array.size; i++) {
		e = &arr->via.array.ptr[i];
		cli_when(cli, e, "at", when, sizeof(when));
		if (cli_ref(e, "who", name, sizeof(name)) == NULL)
			snprintf(name, sizeof(name), "?");
		if (cli_text(e, "kind", kind, sizeof(kind)) == NULL)
			snprintf(kind, sizeof(kind), "?");
		view_check(in, sizeof(in), e, &ci);
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "  %s", when);
		output_table_cell(t, OUTPUT_PLAIN, "%s", name);
		output_table_cell(t, OUTPUT_DIM, "%s",
		    strcmp(kind, "checkin") == 0 ? "in" : "out");
		output_table_cell(t, ci, "%s", in);
		if (cli_text(e, "note", out, sizeof(out)) != NULL) {
			char	fit[VIEW_LINE];

			cli_fit(fit, sizeof(fit), out, 30);
			output_table_cell(t, OUTPUT_DIM, "%s", fit);
		}
	}
	return (cli_table_print(t));
}

static int
view_reminders(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*r;
	struct output_table	*t;
	char			 when[OUTPUT_TIME_MAX], text[300];
	char			 fit[VIEW_LINE];
	bool			 sent;
	uint32_t		 i;

	if (res->type != MSGPACK_OBJECT_ARRAY || res->via.array.size == 0) {
		fprintf(stderr, "Nothing pending.\n");
		return (CLI_EXIT_OK);
	}
	if ((t = output_table_create(3)) == NULL)
		return (cli_table_print(t));
	for (i = 0; i < res->via.array.size; i++) {
		r = &res->via.array.ptr[i];
		cli_when(cli, r, "due", when, sizeof(when));
		sent = false;
		(void)mp_get_bool(r, "sent", &sent);
		if (cli_text(r, "text", text, sizeof(text)) == NULL)
			snprintf(text, sizeof(text), "?");
		cli_fit(fit, sizeof(fit), text, 52);
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "%s", when);
		output_table_cell(t, sent ? OUTPUT_DIM : OUTPUT_YELLOW, "%s",
		    sent ? "sent" : "new");
		output_table_cell(t, OUTPUT_PLAIN, "%s", fit);
	}
	return (cli_table_print(t));
}

/* Make the call, print JSON or hand the result to show. */
static int
view_call(struct cli *cli, enum rpc_method m, const struct cli_params *p,
    int (*show)(const struct cli *, const msgpack_object *))
{
	const msgpack_object	*res;
	int			 rc;

	if ((rc = cli_call(cli, m, NULL, p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	if (res->type != MSGPACK_OBJECT_MAP &&
	    res->type != MSGPACK_OBJECT_ARRAY) {
		fprintf(stderr, "attune: unexpected answer from attuned\n");
		return (CLI_EXIT_ERROR);
	}
	return (show(cli, res));
}

int
do_today(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	int				 ch, rc;

	if ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	return (view_call(cli, RPC_M_TODAY, NULL, view_today));
}

int
do_week(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "kid", required_argument, NULL, 'k' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*kid = NULL, *date = NULL;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		if (ch == 'k')
			rc = cli_check_name(cmd, "--kid", kid = optarg);
		else if (ch == 'd')
			rc = cli_check_when(cli, cmd, "--date", date = optarg);
		else
			return (cli_optend(cmd, ch));
		if (rc != 0)
			return (rc);
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	cli_params_str(&p, "date", date);
	return (view_call(cli, RPC_M_WEEK, &p, view_week));
}

int
do_kid_show(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*kid;
	int				 ch, rc;

	if ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1, 1)) != 0 ||
	    (rc = cli_check_name(cmd, "KID", kid = argv[optind])) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	return (view_call(cli, RPC_M_KID_SHOW, &p, view_kid));
}

static int
view_repairs(const struct cli *cli, const msgpack_object *res)
{
	if (res->type != MSGPACK_OBJECT_ARRAY || res->via.array.size == 0) {
		fprintf(stderr, "No repairs.\n");
		return (CLI_EXIT_OK);
	}
	view_repair_table(cli, res, false);
	return (CLI_EXIT_OK);
}

int
do_repairs(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		{ "kid", required_argument, NULL, 'k' },
		{ "open", no_argument, NULL, 'o' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*kid = NULL;
	bool				 open = false;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		if (ch == 'o')
			open = true;
		else if (ch == 'k') {
			if ((rc = cli_check_name(cmd, "--kid",
			    kid = optarg)) != 0)
				return (rc);
		} else
			return (cli_optend(cmd, ch));
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	if (open)
		cli_params_bool(&p, "open", true);
	return (view_call(cli, RPC_M_REPAIRS, &p, view_repairs));
}

static int
view_words(const struct cli *cli, const msgpack_object *res)
{
	struct output_table	*t;
	const msgpack_object	*w;
	char			 word[PROTO_MAX_NAME + 1], zone[16];
	bool			 kids;
	uint32_t		 i;

	if ((t = output_table_create(3)) == NULL)
		return (cli_table_print(t));
	for (i = 0; res->type == MSGPACK_OBJECT_ARRAY &&
	    i < res->via.array.size; i++) {
		w = &res->via.array.ptr[i];
		kids = false;
		if (cli_text(w, "word", word, sizeof(word)) == NULL ||
		    cli_text(w, "zone", zone, sizeof(zone)) == NULL)
			continue;
		(void)mp_get_bool(w, "kids", &kids);
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "%s", word);
		output_table_cell(t, cli_zone_color(zone), "%s", zone);
		output_table_cell(t, OUTPUT_DIM, "%s", kids ? "kids" : "");
	}
	(void)cli;
	return (cli_table_print(t));
}

int
do_feelings(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "who", required_argument, NULL, 'w' },
		{ "words", no_argument, NULL, 'W' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*who = NULL, *since = NULL;
	bool				 words = false;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		rc = 0;
		if (ch == 'w')
			rc = cli_check_name(cmd, "--who", who = optarg);
		else if (ch == 's')
			rc = cli_check_when(cli, cmd, "--since",
			    since = optarg);
		else if (ch == 'W')
			words = true;
		else
			return (cli_optend(cmd, ch));
		if (rc != 0)
			return (rc);
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	if (words)
		return (view_call(cli, RPC_M_WORDS, NULL, view_words));
	cli_params_str(&p, "who", who);
	cli_params_str(&p, "since", since);
	return (view_call(cli, RPC_M_FEELINGS, &p, view_feelings));
}

int
do_reminders(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	int				 ch, rc;

	if ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	return (view_call(cli, RPC_M_REMINDERS, NULL, view_reminders));
}
