/*
 * panes.c: the table of panes (title, the views each is drawn from, its
 * builder in pane-*.c), which panes a new result makes stale, moving the
 * selection, and the plain words a pane shows in place of a view it does
 * not have: loading, not provided by this attuned, or attuned's error.
 * Geometry and drawing are screen.c's.
 */
#include <string.h>

#include "dash.h"

const struct pane_type pane_types[DP_COUNT] = {
	[DP_WEEK] = { "This week", "the week view",
	    DV_BIT(DV_WEEK), pane_week_build },
	[DP_TODAY] = { "Today", "the today view",
	    DV_BIT(DV_TODAY), pane_today_build },
	[DP_REPAIRS] = { "Repairs", "the repairs view",
	    DV_BIT(DV_REPAIRS), pane_repairs_build },
	[DP_GOALS] = { "Goals", "the goals view",
	    DV_BIT(DV_GOALS), pane_goals_build },
	[DP_PEERS] = { "Peers", "peer status",
	    DV_BIT(DV_STATUS) | DV_BIT(DV_DEVICES), pane_peers_build },
	[DP_TIMELINE] = { "Timeline", "the log",
	    DV_BIT(DV_LOG), pane_timeline_build },
};

void
panes_init(struct dash *d)
{
	int	i;

	for (i = 0; i < DP_COUNT; i++) {
		memset(&d->panes[i], 0, sizeof(d->panes[i]));
		d->panes[i].type = &pane_types[i];
		d->panes[i].stale = true;
	}
	d->focus = DP_TIMELINE;
}

void
panes_finish(struct dash *d)
{
	int	i;

	for (i = 0; i < DP_COUNT; i++)
		lines_free(&d->panes[i].ls);
}

/* The panes drawn from any of views need their lines rebuilt. */
void
panes_stale(struct dash *d, unsigned views)
{
	int	i;

	for (i = 0; i < DP_COUNT; i++) {
		if (d->panes[i].type->views & views)
			d->panes[i].stale = true;
	}
}

/*
 * Say in the pane why view v is not shown: not asked yet, not provided by
 * this attuned, or attuned's error. Used by the builders when
 * conn_view() is NULL.
 */
void
pane_no_view(struct dash *d, struct pane *p, enum dash_view v)
{
	const struct dash_view_slot	*s = &d->views[v];
	struct line			*ln = lines_add(&p->ls, NULL);

	switch (s->state) {
	case VS_NONE:
		line_add(ln, DA_DIM, "%s", d->ever_connected ? "loading..." :
		    "waiting for attuned...");
		break;
	case VS_UNSUPPORTED:
		line_add(ln, DA_DIM, "this attuned does not provide %s",
		    p->type->what);
		break;
	case VS_ERROR:
		if (s->err == PROTO_E_NOFAMILY)
			line_add(ln, DA_YELLOW, "no family on this device yet: "
			    "run attune init, or attune join");
		else
			line_add(ln, DA_RED, "attuned: %s", s->cause);
		break;
	case VS_OK:
		break;
	}
}

/*
 * Move the focused pane's selection by delta lines (clamped), passing
 * over lines with nothing to open (headers) when there is a line with
 * something further on.
 */
void
pane_move(struct dash *d, int delta)
{
	struct pane	*p = &d->panes[d->focus];
	int		 n = (int)p->ls.n, sel = p->sel, dir, i;

	if (n == 0)
		return;
	if (delta < 0 && sel < -delta)
		sel = 0;
	else if (delta > 0 && sel + delta >= n)
		sel = n - 1;
	else
		sel += delta;
	dir = delta < 0 ? -1 : 1;
	for (i = sel; i >= 0 && i < n && p->ls.v[i].item == NULL; i += dir)
		;
	if (i < 0 || i >= n) {
		for (i = sel; i >= 0 && i < n && p->ls.v[i].item == NULL;
		    i -= dir)
			;
	}
	if (i >= 0 && i < n)
		sel = i;
	if (sel != p->sel) {
		p->sel = sel;
		p->dirty = true;
	}
}

/* What Enter opens in the focused pane: its selected line's item. */
const msgpack_object *
pane_item(const struct dash *d)
{
	const struct pane	*p = &d->panes[d->focus];

	if (p->h == 0 || p->sel < 0 || (size_t)p->sel >= p->ls.n)
		return (NULL);
	return (p->ls.v[p->sel].item);
}
