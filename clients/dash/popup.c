/*
 * popup.c: the boxes drawn over the panes: the help (every key) and an
 * opened entry or row, field by field, with times shown in local time
 * and long text wrapped. A popup keeps its own copy of what it shows, so
 * updates underneath cannot pull it away. Read-only: nothing here writes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "dash.h"
#include "mp.h"
#include "output.h"

#define POPUP_DEPTH	4	/* nesting shown in a detail */
#define POPUP_TIME_MIN	1000000000000LL	/* ints past this under a time key */

static const char *const popup_help[] = {
	"Moving",
	"  Tab / Shift-Tab   next / previous pane (1-6: that pane)",
	"  j k, arrows       move in the pane;  g G  first / last",
	"  PgUp PgDn         a page;  Enter  open the line",
	"  /                 search the timeline (Esc clears it)",
	"  r                 read everything again from attuned",
	"  ? h F1            this help;  q  quit",
	"",
	"Writing to the log (a form; Enter checks it, then y confirms)",
	"  C  check-in        O  check-out       S  a 1:1 (special time)",
	"  T  a 2x10 day      R  open a repair   P  mark a repair repaired",
	"  M  a moment",
	"  In a form: Tab or arrows move, Left/Right choose, Esc cancels.",
	"",
	"The panes show what attuned computes; a pane whose view this",
	"attuned lacks says so. Updates from the other laptop appear by",
	"themselves.",
};
#define POPUP_NHELP	(sizeof(popup_help) / sizeof(popup_help[0]))

static struct lineset	popup_lines;

static bool	popup_time_key(const msgpack_object *);
static void	popup_value(struct line *, const msgpack_object *,
		    const msgpack_object *);
static void	popup_map(struct lineset *, const msgpack_object *, int, int);
static void	popup_wrap(struct lineset *, struct line *, int, int);

void
popup_finish(void)
{
	lines_free(&popup_lines);
}

/*
 * Open a timeline entry: as attuned's "entry" view has it (the entry as
 * it stands, its original fields and the history of amends), or, from an
 * attuned without that view or unreachable, the copy the timeline holds.
 */
void
popup_entry_open(struct dash *d, const msgpack_object *e)
{
	const msgpack_object	*res = NULL;
	msgpack_sbuffer		 sb;
	msgpack_packer		 pk;
	char			 id[65], *cause = NULL;
	int			 rc = -1;

	if (obj_str(e, "id", id, sizeof(id)) != NULL && conn_up(d)) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 1);
		msgpack_pack_map(&pk, 1);
		mp_pack_kv_str(&pk, "id", id);
		rc = conn_call(d, RPC_M_ENTRY, sb.data, sb.size, &res, &cause);
		msgpack_sbuffer_destroy(&sb);
		free(cause);
	}
	popup_detail_open(d, rc == 0 && res != NULL &&
	    res->type == MSGPACK_OBJECT_MAP ?
	    res : e);
}

/* Open a copy of o (a map) in the detail popup. */
void
popup_detail_open(struct dash *d, const msgpack_object *o)
{
	if (blob_set(&d->detail, o, NULL) < 0) {
		dash_message(d, DA_RED, "out of memory");
		return;
	}
	d->detail_top = 0;
	d->mode = DM_DETAIL;
	d->overlay_dirty = true;
}

/* Is this key one whose integers are times (ms since the epoch)? */
static bool
popup_time_key(const msgpack_object *k)
{
	static const char *const keys[] = { "ts", "at", "now", "from", "to",
	    "since", "last_ok", "opened", "repaired", "started", "set",
	    "closed", "due", "expires" };
	size_t	n, i;

	if (k->type != MSGPACK_OBJECT_STR)
		return (false);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (mp_str_eq(k, keys[i]))
			return (true);
	}
	n = k->via.str.size;
	return (n > 3 && (memcmp(k->via.str.ptr + n - 3, "_ts", 3) == 0 ||
	    memcmp(k->via.str.ptr + n - 3, "_at", 3) == 0));
}

/* A scalar value (or a short array of them) as text. */
static void
popup_value(struct line *ln, const msgpack_object *k,
    const msgpack_object *v)
{
	char		when[OUTPUT_TIME_MAX];
	int64_t		ms;
	uint32_t	i;

	switch (v->type) {
	case MSGPACK_OBJECT_NIL:
		line_add(ln, DA_DIM, "-");
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		line_add(ln, DA_PLAIN, "%s", v->via.boolean ? "yes" : "no");
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		if (mp_as_int(v, &ms) == 0 && k != NULL &&
		    popup_time_key(k) && ms > POPUP_TIME_MIN) {
			output_time(when, sizeof(when), ms, conn_now_wall());
			line_add(ln, DA_PLAIN, "%s", when);
		} else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
			line_add(ln, DA_PLAIN, "%" PRIu64, v->via.u64);
		else
			line_add(ln, DA_PLAIN, "%" PRId64, v->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		line_add(ln, DA_PLAIN, "%g", v->via.f64);
		break;
	case MSGPACK_OBJECT_STR:
		line_addn(ln, DA_PLAIN, v->via.str.ptr, v->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN:
		line_add(ln, DA_DIM, "(%u bytes)", v->via.bin.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		for (i = 0; i < v->via.array.size; i++) {
			if (i > 0)
				line_add(ln, DA_DIM, ", ");
			popup_value(ln, NULL, &v->via.array.ptr[i]);
		}
		break;
	default:
		line_add(ln, DA_DIM, "...");
		break;
	}
}

/* Split ln into lines of w columns, continuations indented. */
static void
popup_wrap(struct lineset *out, struct line *ln, int w, int indent)
{
	struct line	*cur;
	const char	*p = ln->text;
	char		 piece[LINE_MAX_BYTES];
	size_t		 n, cut, wid;

	if (output_width(ln->text) <= (size_t)w) {
		if ((cur = lines_add(out, ln->item)) != NULL)
			*cur = *ln;
		return;
	}
	for (n = 0; *p != '\0' && n < 64; n++) {
		/* The longest prefix of p that fits (whole characters). */
		for (cut = 0, wid = 0; p[cut] != '\0'; ) {
			size_t	c = 1;

			while ((p[cut + c] & 0xc0) == 0x80)
				c++;
			memcpy(piece, p, cut + c);
			piece[cut + c] = '\0';
			if ((wid = output_width(piece)) + (n ? indent : 0) >
			    (size_t)w)
				break;
			cut += c;
		}
		if (cut == 0)
			break;
		if ((cur = lines_add(out, NULL)) == NULL)
			return;
		line_add(cur, DA_PLAIN, "%*s%.*s", n ? indent : 0, "",
		    (int)cut, p);
		p += cut;
	}
}

/* The fields of map o, one a line (nested maps and arrays indented). */
static void
popup_map(struct lineset *out, const msgpack_object *o, int w, int depth)
{
	const msgpack_object_kv	*kv;
	const msgpack_object	*v;
	struct line		 ln;
	uint32_t		 i, j;

	for (i = 0; o->type == MSGPACK_OBJECT_MAP && i < o->via.map.size;
	    i++) {
		kv = &o->via.map.ptr[i];
		v = &kv->val;
		memset(&ln, 0, sizeof(ln));
		line_add(&ln, DA_PLAIN, "%*s", depth * 2, "");
		if (kv->key.type == MSGPACK_OBJECT_STR)
			line_addn(&ln, DA_BOLD, kv->key.via.str.ptr,
			    kv->key.via.str.size);
		line_add(&ln, DA_BOLD, ": ");
		if (v->type == MSGPACK_OBJECT_MAP && depth < POPUP_DEPTH) {
			popup_wrap(out, &ln, w, depth * 2 + 2);
			popup_map(out, v, w, depth + 1);
			continue;
		}
		if (v->type == MSGPACK_OBJECT_ARRAY && v->via.array.size > 0 &&
		    v->via.array.ptr[0].type == MSGPACK_OBJECT_MAP &&
		    depth < POPUP_DEPTH) {
			popup_wrap(out, &ln, w, depth * 2 + 2);
			for (j = 0; j < v->via.array.size; j++)
				popup_map(out, &v->via.array.ptr[j], w,
				    depth + 1);
			continue;
		}
		popup_value(&ln, &kv->key, v);
		popup_wrap(out, &ln, w, depth * 2 + 2);
	}
}

void
popup_draw(struct dash *d)
{
	const msgpack_object	*o = blob_get(&d->detail);
	const char		*title;
	int			 w, h, y, x, i, rows, n;

	w = COLS - 4 < 76 ? COLS - 4 : 76;
	lines_clear(&popup_lines);
	if (d->mode == DM_HELP) {
		title = "attune-dash keys";
		for (i = 0; i < (int)POPUP_NHELP; i++)
			line_add(lines_add(&popup_lines, NULL), i == 0 ||
			    i == 8 ? DA_BOLD : DA_PLAIN, "%s", popup_help[i]);
	} else {
		title = "details (Esc closes)";
		if (o != NULL)
			popup_map(&popup_lines, o, w - 4, 0);
	}
	n = (int)popup_lines.n;
	h = n + 2 < LINES - 2 ? n + 2 : LINES - 2;
	rows = h - 2;
	if (d->detail_top > n - rows)
		d->detail_top = n - rows > 0 ? n - rows : 0;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	screen_box(y, x, h, w, title);
	for (i = 0; i < rows && d->detail_top + i < n; i++)
		screen_line(y + 1 + i, x + 2, w - 4,
		    &popup_lines.v[d->detail_top + i], false);
}

void
popup_key(struct dash *d, int ch, bool fkey)
{
	if ((!fkey && (ch == 27 || ch == 'q' || ch == '\r' || ch == '\n' ||
	    ch == '?' || ch == 'h')) || (fkey && (ch == KEY_ENTER ||
	    ch == KEY_F(1)))) {
		d->mode = DM_NORMAL;
		d->redraw_all = true;
		return;
	}
	if ((!fkey && ch == 'j') || (fkey && ch == KEY_DOWN))
		d->detail_top++;
	else if (((!fkey && ch == 'k') || (fkey && ch == KEY_UP)) &&
	    d->detail_top > 0)
		d->detail_top--;
	else if (fkey && ch == KEY_NPAGE)
		d->detail_top += LINES / 2;
	else if (fkey && ch == KEY_PPAGE)
		d->detail_top = d->detail_top > LINES / 2 ?
		    d->detail_top - LINES / 2 : 0;
	d->overlay_dirty = true;
}
