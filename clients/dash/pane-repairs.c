/*
 * pane-repairs.c: the Repairs pane from attuned's "repairs" view, asked
 * for open repairs only: oldest first, with the kids, what happened and
 * how long it has been open; one that attuned flags (open 48 hours or
 * more) is marked in red and with words. Enter opens a repair; P on a
 * selected one starts marking it repaired.
 */
#include <stdio.h>
#include <string.h>

#include "dash.h"
#include "mp.h"
#include "output.h"

#define REPAIRS_KIDS_MAX	16

static void	repairs_kids(struct line *, const msgpack_object *);
static void	repairs_age(struct line *, int64_t, bool);
static void	repairs_fit(char *, int);

/* Shorten s to cols columns, ending in "..." when cut. */
static void
repairs_fit(char *s, int cols)
{
	size_t	len = strlen(s);

	if (cols < 4 || (int)output_width(s) <= cols)
		return;
	while (len > 0 && (int)output_width(s) > cols - 3) {
		while (len > 0 && (s[--len] & 0xc0) == 0x80)
			;
		s[len] = '\0';
	}
	memcpy(s + len, "...", 4);
}

/* "Leo, Maya". */
static void
repairs_kids(struct line *ln, const msgpack_object *r)
{
	const msgpack_object	*l = obj_array(r, "kids");
	char			 name[PROTO_MAX_NAME + 1];
	uint32_t		 i;

	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		if (obj_str(&l->via.array.ptr[i], "name", name,
		    sizeof(name)) != NULL)
			line_add(ln, DA_BOLD, "%s%s", i > 0 ? ", " : "", name);
	}
	if (l == NULL || l->via.array.size == 0)
		line_add(ln, DA_BOLD, "?");
}

/* "open 5 h", "open 3 d 1 h"; flagged ones say so. */
static void
repairs_age(struct line *ln, int64_t hours, bool flagged)
{
	enum dash_attr	a = flagged ? DA_ALERT : DA_DIM;

	if (hours >= 48)
		line_add(ln, a, "open %lld d %lld h", (long long)(hours / 24),
		    (long long)(hours % 24));
	else
		line_add(ln, a, "open %lld h", (long long)hours);
	if (flagged)
		line_add(ln, DA_ALERT, ", not repaired after 48 h");
}

void
pane_repairs_build(struct dash *d, struct pane *p, int w)
{
	const msgpack_object	*v = conn_view(d, DV_REPAIRS), *r;
	struct line		*ln, tmp;
	char			 state[16], what[LINE_MAX_BYTES];
	int64_t			 hours;
	uint32_t		 i, nopen = 0;
	int			 kidw = 4, n;

	if (v == NULL || v->type != MSGPACK_OBJECT_ARRAY) {
		pane_no_view(d, p, DV_REPAIRS);
		return;
	}
	for (i = 0; i < v->via.array.size; i++) {
		memset(&tmp, 0, sizeof(tmp));
		repairs_kids(&tmp, &v->via.array.ptr[i]);
		if ((n = (int)line_width(&tmp)) > kidw)
			kidw = n;
	}
	kidw = kidw > REPAIRS_KIDS_MAX ? REPAIRS_KIDS_MAX : kidw;
	for (i = 0; i < v->via.array.size; i++) {
		r = &v->via.array.ptr[i];
		if (obj_str(r, "state", state, sizeof(state)) != NULL &&
		    strcmp(state, "open") != 0)
			continue;
		nopen++;
		hours = 0;
		(void)obj_int(r, "age_hours", &hours);
		ln = lines_add(&p->ls, r);
		line_add(ln, obj_bool(r, "flagged") ? DA_ALERT : DA_PLAIN,
		    "%s", obj_bool(r, "flagged") ? "! " : "  ");
		repairs_kids(ln, r);
		line_pad(ln, (size_t)kidw + 4);
		memset(&tmp, 0, sizeof(tmp));
		repairs_age(&tmp, hours, obj_bool(r, "flagged"));
		if (obj_str(r, "what", what, sizeof(what)) == NULL)
			snprintf(what, sizeof(what), "?");
		/* Room for the age after the text, shortened if need be. */
		n = w - (int)line_width(ln) - (int)line_width(&tmp) - 2;
		repairs_fit(what, n);
		line_add(ln, DA_PLAIN, "%s  ", what);
		repairs_age(ln, hours, obj_bool(r, "flagged"));
	}
	if (nopen == 0)
		line_add(lines_add(&p->ls, NULL), DA_GREEN, "no open repair");
	else
		snprintf(p->note, sizeof(p->note), "  %u open, oldest first",
		    nopen);
}
