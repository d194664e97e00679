/*
 * pane-today.c: the Today pane from attuned's "today" view: who has
 * checked in and out, each feeling coloured by the zone attuned gives it
 * (named as well when there is no colour), then what is due today: the
 * day's planned 1:1s with what became of them, and each 2x10 run's day.
 * States and zones are attuned's; this file only words and colours them.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dash.h"
#include "mp.h"
#include "output.h"

#define TODAY_NAME_MAX	12
#define TODAY_FEEL_COLS	28	/* "in frustrated 5/5 (red)" */

static void	today_feeling(struct line *, const char *,
		    const msgpack_object *);
static void	today_board(struct pane *, const msgpack_object *, int);
static int	today_slots(struct pane *, const msgpack_object *);
static int	today_runs(struct pane *, const msgpack_object *);
static enum dash_attr today_state_attr(const char *);

/* "in happy 4/5", the word in its zone's colour; "in -" when none. */
static void
today_feeling(struct line *ln, const char *label, const msgpack_object *e)
{
	char	feeling[PROTO_MAX_NAME + 1], zone[16], n[8];

	line_add(ln, DA_DIM, "%s ", label);
	if (e == NULL || e->type != MSGPACK_OBJECT_MAP ||
	    obj_str(e, "feeling", feeling, sizeof(feeling)) == NULL) {
		line_add(ln, DA_DIM, "-");
		return;
	}
	if (obj_str(e, "zone", zone, sizeof(zone)) == NULL)
		zone[0] = '\0';
	line_add(ln, zone_attr(zone), "%s", feeling);
	if (obj_str(e, "intensity", n, sizeof(n)) != NULL)
		line_add(ln, DA_PLAIN, " %s/5", n);
	if (!screen_color() && zone[0] != '\0')
		line_add(ln, DA_DIM, " (%s)", zone);
}

/*
 * One cell per person (name, check-in, check-out) in aligned columns,
 * as many cells a line as the pane's width takes.
 */
static void
today_board(struct pane *p, const msgpack_object *board, int w)
{
	const msgpack_object	*e;
	struct line		*ln = NULL, tmp;
	char			 name[PROTO_MAX_NAME + 1];
	uint32_t		 i;
	int			 namew = 4, inw = 4, outw = 5, n;
	int			 cell, col, per;

	for (i = 0; i < board->via.array.size; i++) {
		e = &board->via.array.ptr[i];
		n = (int)output_width(obj_ref(e, "who", name, sizeof(name),
		    "?"));
		namew = n > namew ? n : namew;
		memset(&tmp, 0, sizeof(tmp));
		today_feeling(&tmp, "in", mp_map_get(e, "checkin"));
		n = (int)line_width(&tmp);
		inw = n > inw ? n : inw;
		memset(&tmp, 0, sizeof(tmp));
		today_feeling(&tmp, "out", mp_map_get(e, "checkout"));
		n = (int)line_width(&tmp);
		outw = n > outw ? n : outw;
	}
	namew = namew > TODAY_NAME_MAX ? TODAY_NAME_MAX : namew;
	inw = inw > TODAY_FEEL_COLS ? TODAY_FEEL_COLS : inw;
	cell = namew + 2 + inw + 2 + outw + 4;
	per = w / cell > 0 ? w / cell : 1;
	for (i = 0, col = 0; i < board->via.array.size; i++) {
		e = &board->via.array.ptr[i];
		if (i % (uint32_t)per == 0) {
			ln = lines_add(&p->ls, e);
			col = 0;
		} else
			col += cell;
		line_pad(ln, (size_t)col);
		line_add(ln, obj_bool(e, "kid") ? DA_BOLD : DA_PLAIN, "%s",
		    obj_ref(e, "who", name, sizeof(name), "?"));
		line_pad(ln, (size_t)(col + namew + 2));
		today_feeling(ln, "in", mp_map_get(e, "checkin"));
		line_pad(ln, (size_t)(col + namew + 2 + inw + 2));
		today_feeling(ln, "out", mp_map_get(e, "checkout"));
	}
}

static enum dash_attr
today_state_attr(const char *state)
{
	if (strcmp(state, "done") == 0 || strcmp(state, "complete") == 0 ||
	    strcmp(state, "logged") == 0)
		return (DA_GREEN);
	if (strcmp(state, "missed") == 0 || strcmp(state, "broken") == 0)
		return (DA_RED);
	if (strcmp(state, "today") == 0 || strcmp(state, "on_track") == 0)
		return (DA_YELLOW);
	return (DA_DIM);
}

/* Today's planned 1:1s: "1:1 Maya 17:00 with Alex, 15 min: done". */
static int
today_slots(struct pane *p, const msgpack_object *l)
{
	const msgpack_object	*k, *slots, *s;
	struct line		*ln;
	char			 kid[PROTO_MAX_NAME + 1];
	char			 by[PROTO_MAX_NAME + 1], state[16], when[8];
	int64_t			 at, min;
	time_t			 t;
	struct tm		 tm;
	uint32_t		 i, j;
	int			 n = 0;

	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		k = &l->via.array.ptr[i];
		slots = obj_array(k, "today");
		for (j = 0; slots != NULL && j < slots->via.array.size; j++) {
			s = &slots->via.array.ptr[j];
			when[0] = '\0';
			if (obj_int(s, "at", &at)) {
				t = (time_t)(at / 1000);
				if (localtime_r(&t, &tm) == NULL ||
				    strftime(when, sizeof(when), "%H:%M",
				    &tm) == 0)
					when[0] = '\0';
			}
			min = 0;
			(void)obj_int(s, "minutes", &min);
			if (obj_str(s, "state", state, sizeof(state)) == NULL)
				snprintf(state, sizeof(state), "?");
			ln = lines_add(&p->ls, s);
			line_add(ln, DA_PLAIN, "1:1 with %s at %s by %s, %lld "
			    "min: ", obj_ref(k, "kid", kid, sizeof(kid), "?"),
			    when, obj_ref(s, "by", by, sizeof(by), "?"),
			    (long long)min);
			line_add(ln, today_state_attr(state), "%s", state);
			n++;
		}
	}
	return (n);
}

/* Each 2x10 run's day: "2x10 Leo day 3 of 10: not logged yet". */
static int
today_runs(struct pane *p, const msgpack_object *l)
{
	const msgpack_object	*r;
	struct line		*ln;
	char			 kid[PROTO_MAX_NAME + 1], state[16];
	int64_t			 day = 0, broken = 0;
	uint32_t		 i;

	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		r = &l->via.array.ptr[i];
		if (obj_str(r, "state", state, sizeof(state)) == NULL)
			snprintf(state, sizeof(state), "?");
		(void)obj_int(r, "day", &day);
		ln = lines_add(&p->ls, r);
		line_add(ln, DA_PLAIN, "2x10 with %s, day %lld of 10: ",
		    obj_ref(r, "kid", kid, sizeof(kid), "?"), (long long)day);
		if (strcmp(state, "broken") == 0) {
			(void)obj_int(r, "broken_on", &broken);
			line_add(ln, DA_RED, "broken on day %lld",
			    (long long)broken);
		} else if (strcmp(state, "complete") == 0)
			line_add(ln, DA_GREEN, "complete");
		else if (obj_bool(r, "logged_today"))
			line_add(ln, DA_GREEN, "logged today");
		else
			line_add(ln, DA_YELLOW, "not logged yet");
	}
	return ((int)i);
}

void
pane_today_build(struct dash *d, struct pane *p, int w)
{
	const msgpack_object	*v = conn_view(d, DV_TODAY);
	const msgpack_object	*board;
	char			 date[16];
	int			 n;

	if (v == NULL) {
		pane_no_view(d, p, DV_TODAY);
		return;
	}
	board = obj_array(obj_map(v, "feelings"), "board");
	if (board != NULL)
		today_board(p, board, w);
	n = today_slots(p, obj_array(v, "one_on_ones"));
	n += today_runs(p, obj_array(v, "twoxten"));
	if (n == 0)
		line_add(lines_add(&p->ls, NULL), DA_DIM, "no 1:1 planned and "
		    "no 2x10 run today");
	if (obj_str(v, "date", date, sizeof(date)) != NULL)
		snprintf(p->note, sizeof(p->note), "  %s", date);
}
