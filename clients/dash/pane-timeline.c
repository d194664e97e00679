/*
 * pane-timeline.c: the Timeline pane: the latest entries from every
 * laptop, newest first, one line each: time, author (this laptop's
 * parent in bold, the other's in magenta), kind and the words of
 * "attune log" (and, with room, its note). A search (/) keeps the lines
 * that contain it. Enter opens the entry.
 */
#include <string.h>

#include "dash.h"
#include "mp.h"
#include "output.h"

#define TL_TIME_COLS	16	/* "Sat 21 Nov 18:30" */
#define TL_AUTHOR_COLS	12
#define TL_KIND_COLS	13	/* "family.create" */
#define TL_NOTES_COLS	96	/* notes shown from this width on */

static enum dash_attr	timeline_kind_attr(const char *);
static void		timeline_entry(struct line *, const msgpack_object *,
			    const char *, const int *, int64_t, bool);

/* The colour of a kind, as "attune log" gives it. */
static enum dash_attr
timeline_kind_attr(const char *kind)
{
	if (strcmp(kind, "one-on-one") == 0)
		return (DA_GREEN);
	if (strcmp(kind, "checkin") == 0 || strcmp(kind, "checkout") == 0)
		return (DA_CYAN);
	if (strncmp(kind, "repair", 6) == 0)
		return (DA_YELLOW);
	if (strcmp(kind, "amend") == 0 || strcmp(kind, "retract") == 0)
		return (DA_RED);
	if (strncmp(kind, "plan", 4) == 0 || strncmp(kind, "twoxten", 7) == 0 ||
	    strcmp(kind, "moment") == 0)
		return (DA_GREEN);
	if (strncmp(kind, "kid.", 4) == 0)
		return (DA_BLUE);
	return (DA_MAGENTA);
}

/*
 * One entry as a line; me is this device's key (hex) or "", cols the
 * widths of the time, author and kind columns.
 */
static void
timeline_entry(struct line *ln, const msgpack_object *e, const char *me,
    const int *cols, int64_t now, bool notes)
{
	char	when[OUTPUT_TIME_MAX], who[PROTO_MAX_NAME + 1];
	char	kind[PROTO_MAX_NAME + 1], author[65];
	char	note[LINE_MAX_BYTES];
	int64_t	ts = 0;
	int	i, k;

	when[0] = '\0';
	if (obj_int(e, "ts", &ts))
		output_time(when, sizeof(when), ts, now);
	if (obj_str(e, "author_name", who, sizeof(who)) == NULL) {
		if (obj_str(e, "author", author, sizeof(author)) != NULL)
			output_short_id(who, sizeof(who), author,
			    strlen(author));
		else
			snprintf(who, sizeof(who), "?");
	}
	if (obj_str(e, "author", author, sizeof(author)) == NULL)
		author[0] = '\0';
	if (obj_str(e, "kind", kind, sizeof(kind)) == NULL)
		snprintf(kind, sizeof(kind), "?");
	line_add(ln, DA_DIM, "%s", when);
	line_pad(ln, (size_t)cols[0] + 1);
	line_add(ln, *me != '\0' && strcmp(me, author) == 0 ? DA_BOLD :
	    DA_MAGENTA, "%s", who);
	line_pad(ln, (size_t)(cols[0] + cols[1] + 2));
	k = ln->nseg;
	line_add(ln, timeline_kind_attr(kind), "%s", kind);
	line_pad(ln, (size_t)(cols[0] + cols[1] + cols[2] + 3));
	if (tl_summary(ln, e, now)) {
		/* Retracted: dim the kind and the words. */
		for (i = k; i < ln->nseg; i++)
			ln->seg[i].attr = DA_DIM;
	}
	if (notes && obj_str(mp_map_get(e, "fields"), "note", note,
	    sizeof(note)) != NULL)
		line_add(ln, DA_DIM, "  (%s)", note);
}

void
pane_timeline_build(struct dash *d, struct pane *p, int w)
{
	const msgpack_object	*st = conn_view(d, DV_STATUS);
	const msgpack_object	*e;
	struct line		*ln;
	char			 me[65], when[OUTPUT_TIME_MAX];
	char			 who[PROTO_MAX_NAME + 1];
	int64_t			 now = conn_now_wall(), ts;
	size_t			 i, shown = 0;
	int			 cols[3] = { 0, 0, 0 }, n;
	static const int	 maxcols[3] = { TL_TIME_COLS, TL_AUTHOR_COLS,
				    TL_KIND_COLS };

	if (d->views[DV_LOG].state != VS_OK && d->tl.n == 0) {
		pane_no_view(d, p, DV_LOG);
		return;
	}
	if (obj_str(st, "device", me, sizeof(me)) == NULL)
		me[0] = '\0';
	for (i = 0; i < d->tl.n; i++) {
		e = blob_get(&d->tl.v[i]->b);
		if (obj_int(e, "ts", &ts)) {
			output_time(when, sizeof(when), ts, now);
			if ((n = (int)output_width(when)) > cols[0])
				cols[0] = n;
		}
		if (obj_str(e, "author_name", who, sizeof(who)) == NULL)
			snprintf(who, sizeof(who), "%.*s", OUTPUT_SHORT_ID,
			    "????????????");
		if ((n = (int)output_width(who)) > cols[1])
			cols[1] = n;
		if (obj_str(e, "kind", who, sizeof(who)) != NULL &&
		    (n = (int)output_width(who)) > cols[2])
			cols[2] = n;
	}
	for (n = 0; n < 3; n++) {
		if (cols[n] > maxcols[n])
			cols[n] = maxcols[n];
	}
	for (i = 0; i < d->tl.n; i++) {
		e = blob_get(&d->tl.v[i]->b);
		if ((ln = lines_add(&p->ls, e)) == NULL)
			break;
		timeline_entry(ln, e, me, cols, now, w >= TL_NOTES_COLS);
		if (d->search[0] != '\0' && !line_contains(ln, d->search))
			p->ls.n--;
		else
			shown++;
	}
	if (d->search[0] != '\0')
		snprintf(p->note, sizeof(p->note), "  /%s: %zu of %zu",
		    d->search, shown, d->tl.n);
	else if (d->tl.n == 0)
		line_add(lines_add(&p->ls, NULL), DA_DIM, "no entries yet");
}
