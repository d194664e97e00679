/*
 * pane-week.c: the This week pane, one row per kid from attuned's "week"
 * view: the week's 1:1s (done, planned, due, missed), minutes by each
 * parent, the 2x10 run as ten day dots, and the bank account of the last
 * 7 days (deposits:withdrawals, coloured by whether attuned says it
 * meets the guideline). With room, the 1:1 streak and the week's
 * check-ins by zone too. Every number is attuned's; this file lays out.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dash.h"
#include "mp.h"
#include "output.h"

#define WEEK_NAME_MAX	12
#define WEEK_MIN_MAX	24	/* minutes by parent */
#define WEEK_WIDE	100	/* streak and zones from this width on */

struct week_cols {
	int	done, planned, due, missed, minutes, dots, bank, streak, zones;
};

static void	week_minutes(struct line *, const msgpack_object *);
static void	week_dots(struct line *, const msgpack_object *);
static void	week_bank(struct line *, const msgpack_object *);
static void	week_zones(struct line *, const msgpack_object *);
static void	week_row(struct line *, const msgpack_object *,
		    const struct week_cols *, bool);
static void	week_header(struct line *, const struct week_cols *, bool);

/* "Alex 15m  Sam 0m": the week's minutes by each parent. */
static void
week_minutes(struct line *ln, const msgpack_object *ooo)
{
	const msgpack_object	*l = obj_array(ooo, "by_parent"), *e;
	char			 name[PROTO_MAX_NAME + 1];
	int64_t			 m;
	uint32_t		 i;

	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		m = 0;
		(void)obj_int(e, "minutes", &m);
		line_add(ln, DA_PLAIN, "%s%s ", i > 0 ? " " : "",
		    obj_ref(e, "parent", name, sizeof(name), "?"));
		line_add(ln, m > 0 ? DA_BOLD : DA_DIM, "%lldm", (long long)m);
	}
}

/*
 * The run's ten days: logged (green), missed (red, attuned's list),
 * today's if not logged yet (yellow), to come (dim).
 */
static void
week_dots(struct line *ln, const msgpack_object *run)
{
	const msgpack_object	*days = obj_array(run, "days"), *e;
	const char		*on = screen_utf8() ? "\xe2\x97\x8f" : "*";
	const char		*off = screen_utf8() ? "\xe2\x97\x8b" : ".";
	const char		*miss = screen_utf8() ? "\xc3\x97" : "x";
	char			 date[16];
	int64_t			 today = 0, day;
	uint32_t		 i;

	if (run == NULL || run->type != MSGPACK_OBJECT_MAP || days == NULL) {
		line_add(ln, DA_DIM, "no 2x10 run");
		return;
	}
	(void)obj_int(run, "day", &today);
	for (i = 0; i < days->via.array.size && i < 10; i++) {
		e = &days->via.array.ptr[i];
		day = 0;
		(void)obj_int(e, "day", &day);
		if (obj_bool(e, "logged"))
			line_add(ln, DA_GREEN, "%s", on);
		else if (obj_str(e, "date", date, sizeof(date)) != NULL &&
		    obj_array_has(run, "missed", date))
			line_add(ln, DA_RED, "%s", miss);
		else if (day == today)
			line_add(ln, DA_YELLOW, "%s", off);
		else
			line_add(ln, DA_DIM, "%s", off);
	}
}

/* "3:1" over the last 7 days: green when it meets the guideline. */
static void
week_bank(struct line *ln, const msgpack_object *bank)
{
	const msgpack_object	*w = obj_map(bank, "last7");
	int64_t			 dep = 0, wd = 0;

	if (w == NULL) {
		line_add(ln, DA_DIM, "-");
		return;
	}
	(void)obj_int(w, "deposits", &dep);
	(void)obj_int(w, "withdrawals", &wd);
	line_add(ln, obj_bool(w, "meets") ? DA_GREEN : DA_YELLOW,
	    "%lld:%lld", (long long)dep, (long long)wd);
}

/* The week's check-ins by zone: "r0 y1 g0 b1". */
static void
week_zones(struct line *ln, const msgpack_object *f)
{
	static const char *const zones[] = { "red", "yellow", "green",
	    "blue" };
	int64_t			 n;
	size_t			 i;

	for (i = 0; i < 4; i++) {
		n = 0;
		(void)obj_int(f, zones[i], &n);
		line_add(ln, n > 0 ? zone_attr(zones[i]) : DA_DIM, "%s%c%lld",
		    i > 0 ? " " : "", zones[i][0], (long long)n);
	}
	if (obj_bool(f, "flag"))
		line_add(ln, DA_ALERT, " !");
}

static void
week_header(struct line *ln, const struct week_cols *c, bool wide)
{
	line_pad(ln, (size_t)c->done);
	line_add(ln, DA_DIM, "1:1s");
	line_pad(ln, (size_t)c->planned);
	line_add(ln, DA_DIM, "planned");
	line_pad(ln, (size_t)c->due);
	line_add(ln, DA_DIM, "due");
	line_pad(ln, (size_t)c->missed);
	line_add(ln, DA_DIM, "missed");
	line_pad(ln, (size_t)c->minutes);
	line_add(ln, DA_DIM, "minutes");
	line_pad(ln, (size_t)c->dots);
	line_add(ln, DA_DIM, "2x10");
	line_pad(ln, (size_t)c->bank);
	line_add(ln, DA_DIM, "bank 7d");
	if (!wide)
		return;
	line_pad(ln, (size_t)c->streak);
	line_add(ln, DA_DIM, "streak");
	line_pad(ln, (size_t)c->zones);
	line_add(ln, DA_DIM, "check-ins");
}

static void
week_row(struct line *ln, const msgpack_object *k, const struct week_cols *c,
    bool wide)
{
	const msgpack_object	*ooo = obj_map(k, "one_on_one");
	char			 name[PROTO_MAX_NAME + 1];
	int64_t			 planned = 0, done = 0, due = 0, missed = 0;
	int64_t			 streak = 0;

	(void)obj_int(ooo, "planned", &planned);
	(void)obj_int(ooo, "done", &done);
	(void)obj_int(ooo, "due", &due);
	(void)obj_int(ooo, "missed", &missed);
	(void)obj_int(ooo, "streak", &streak);
	line_add(ln, DA_BOLD, "%s", obj_ref(k, "kid", name, sizeof(name),
	    "?"));
	line_pad(ln, (size_t)c->done);
	line_add(ln, done > 0 ? DA_GREEN : DA_DIM, "%lld", (long long)done);
	line_pad(ln, (size_t)c->planned);
	line_add(ln, DA_PLAIN, "%lld", (long long)planned);
	line_pad(ln, (size_t)c->due);
	line_add(ln, due > 0 ? DA_YELLOW : DA_DIM, "%lld", (long long)due);
	line_pad(ln, (size_t)c->missed);
	line_add(ln, missed > 0 ? DA_RED : DA_DIM, "%lld", (long long)missed);
	line_pad(ln, (size_t)c->minutes);
	week_minutes(ln, ooo);
	line_pad(ln, (size_t)c->dots);
	week_dots(ln, mp_map_get(k, "twoxten"));
	line_pad(ln, (size_t)c->bank);
	week_bank(ln, obj_map(k, "bank"));
	if (!wide)
		return;
	line_pad(ln, (size_t)c->streak);
	line_add(ln, DA_PLAIN, "%lld wk", (long long)streak);
	line_pad(ln, (size_t)c->zones);
	week_zones(ln, obj_map(k, "feelings"));
}

void
pane_week_build(struct dash *d, struct pane *p, int w)
{
	const msgpack_object	*v = conn_view(d, DV_WEEK), *kids, *k;
	struct week_cols	 c;
	struct line		 tmp;
	char			 name[PROTO_MAX_NAME + 1], from[32];
	int64_t			 ms;
	time_t			 t;
	struct tm		 tm;
	uint32_t		 i;
	int			 namew = 4, minw = 7, n;
	bool			 wide = w >= WEEK_WIDE;

	if (v == NULL || (kids = obj_array(v, "kids")) == NULL) {
		pane_no_view(d, p, DV_WEEK);
		return;
	}
	for (i = 0; i < kids->via.array.size; i++) {
		k = &kids->via.array.ptr[i];
		if ((n = (int)output_width(obj_ref(k, "kid", name,
		    sizeof(name), "?"))) > namew)
			namew = n;
		memset(&tmp, 0, sizeof(tmp));
		week_minutes(&tmp, obj_map(k, "one_on_one"));
		if ((n = (int)line_width(&tmp)) > minw)
			minw = n;
	}
	namew = namew > WEEK_NAME_MAX ? WEEK_NAME_MAX : namew;
	minw = minw > WEEK_MIN_MAX ? WEEK_MIN_MAX : minw;
	c.done = namew + 2;
	c.planned = c.done + 5;
	c.due = c.planned + 8;
	c.missed = c.due + 5;
	c.minutes = c.missed + 8;
	c.dots = c.minutes + minw + 2;
	c.bank = c.dots + 12;
	c.streak = c.bank + 9;
	c.zones = c.streak + 8;
	if (kids->via.array.size == 0)
		line_add(lines_add(&p->ls, NULL), DA_DIM, "no kids yet: "
		    "attune kid add NAME");
	else
		week_header(lines_add(&p->ls, NULL), &c, wide);
	for (i = 0; i < kids->via.array.size; i++) {
		k = &kids->via.array.ptr[i];
		week_row(lines_add(&p->ls, k), k, &c, wide);
	}
	if (obj_int(v, "from", &ms)) {
		t = (time_t)(ms / 1000);
		if (localtime_r(&t, &tm) != NULL && strftime(from,
		    sizeof(from), "%a %d %b", &tm) > 0)
			snprintf(p->note, sizeof(p->note), "  from %s", from);
	}
}
