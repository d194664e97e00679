/*
 * pane-goals.c: the Goals pane from attuned's "goals" view (the active
 * goals): per kid, the goal, its due date, how many progress notes, and
 * the last one with its power behaviours. Enter opens a goal.
 */
#include <stdio.h>
#include <string.h>

#include "dash.h"
#include "mp.h"
#include "output.h"

#define GOALS_NAME_MAX	12

static void	goals_last(struct line *, const msgpack_object *);

/* "last Wed 17:00: rode 10 m [persistence]". */
static void
goals_last(struct line *ln, const msgpack_object *g)
{
	const msgpack_object	*last = obj_map(g, "last_progress");
	const msgpack_object	*b;
	char			 when[OUTPUT_TIME_MAX];
	char			 note[LINE_MAX_BYTES];
	int64_t			 at, n = 0;
	uint32_t		 i;

	(void)obj_int(g, "progress", &n);
	line_add(ln, DA_DIM, "  %lld note%s", (long long)n, n == 1 ? "" :
	    "s");
	if (last == NULL)
		return;
	if (obj_int(last, "at", &at)) {
		output_time(when, sizeof(when), at, conn_now_wall());
		line_add(ln, DA_DIM, ", last %s", when);
	}
	if (obj_str(last, "note", note, sizeof(note)) != NULL)
		line_add(ln, DA_PLAIN, ": %s", note);
	b = obj_array(last, "behaviors");
	for (i = 0; b != NULL && i < b->via.array.size; i++) {
		if (b->via.array.ptr[i].type == MSGPACK_OBJECT_STR) {
			line_add(ln, DA_CYAN, "%s", i == 0 ? " [" : ", ");
			line_addn(ln, DA_CYAN, b->via.array.ptr[i].via.str.ptr,
			    b->via.array.ptr[i].via.str.size);
		}
	}
	if (b != NULL && b->via.array.size > 0)
		line_add(ln, DA_CYAN, "]");
}

void
pane_goals_build(struct dash *d, struct pane *p, int w)
{
	const msgpack_object	*v = conn_view(d, DV_GOALS), *g;
	struct line		*ln;
	char			 name[PROTO_MAX_NAME + 1];
	char			 text[LINE_MAX_BYTES], due[16];
	uint32_t		 i;
	int			 namew = 4, n;

	if (v == NULL || v->type != MSGPACK_OBJECT_ARRAY) {
		pane_no_view(d, p, DV_GOALS);
		return;
	}
	for (i = 0; i < v->via.array.size; i++) {
		n = (int)output_width(obj_ref(&v->via.array.ptr[i], "kid",
		    name, sizeof(name), "?"));
		if (n > namew)
			namew = n;
	}
	namew = namew > GOALS_NAME_MAX ? GOALS_NAME_MAX : namew;
	for (i = 0; i < v->via.array.size; i++) {
		g = &v->via.array.ptr[i];
		ln = lines_add(&p->ls, g);
		line_add(ln, DA_BOLD, "%s", obj_ref(g, "kid", name,
		    sizeof(name), "?"));
		line_pad(ln, (size_t)namew + 2);
		if (obj_str(g, "text", text, sizeof(text)) == NULL)
			snprintf(text, sizeof(text), "?");
		line_add(ln, DA_PLAIN, "%s", text);
		if (obj_str(g, "due", due, sizeof(due)) != NULL)
			line_add(ln, DA_DIM, " (by %s)", due);
		goals_last(ln, g);
	}
	if (v->via.array.size == 0)
		line_add(lines_add(&p->ls, NULL), DA_DIM, "no active goal");
	(void)w;
}
