/*
 * form.c: the small forms behind the uppercase keys, one per kind a
 * parent writes from the dashboard. A form checks each field as "attune"
 * checks its arguments (lengths, ranges, WHEN syntax), shows a wrong
 * field's message under it, asks for a confirm, and only then makes one
 * append: nothing half-written reaches the log, and attuned's own
 * refusal comes back inline too. Name resolution and the authoritative
 * checks stay attuned's; no domain rule is decided here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include <curses.h>

#include "dash.h"
#include "mp.h"
#include "output.h"
#include "when.h"

#define FORM_MAX_FIELDS	6
#define FORM_ERR_MAX	160
#define FORM_WHEN_MAX	40	/* longest WHEN text, as in when.c */
#define FORM_LABEL_COLS	14
#define FORM_CHOICES	32

enum form_type {
	FT_NAME,	/* 1..PROTO_MAX_NAME bytes */
	FT_TEXT,	/* 1..PROTO_MAX_TEXT bytes */
	FT_UINT,	/* min..max */
	FT_WHEN,	/* a WHEN attuned parses */
	FT_BOOL,	/* y or n */
	FT_KID,		/* a kid's name: Left/Right choose */
	FT_WHO,		/* a kid's or a parent's name */
	FT_REPAIR,	/* an open repair's id (or prefix): Left/Right */
};

struct form_field {
	const char	*key;		/* the field on the wire */
	const char	*label;
	enum form_type	 type;
	bool		 required;
	unsigned	 min, max;	/* FT_UINT */
	const char	*hint;
	const char	*def;		/* initial text, or NULL */
};

struct form_spec {
	int			 key;
	const char		*kind;
	const char		*title;
	const char		*what;	/* "2x10 days": what is not supported */
	struct form_field	 f[FORM_MAX_FIELDS];
};

#define FORM_FEELING_FIELDS						\
	{ "who", "Who", FT_WHO, true, 0, 0,				\
	  "a kid or a parent (Left/Right to choose)", NULL },		\
	{ "feeling", "Feeling", FT_NAME, true, 0, 0,			\
	  "one word: calm, happy, worried, angry...", NULL },		\
	{ "intensity", "Intensity", FT_UINT, false, 1, 5,		\
	  "1 to 5, or empty", NULL },					\
	{ "note", "Note", FT_TEXT, false, 0, 0, "optional", NULL }

#define FORM_KID_FIELD							\
	{ "kid", "Kid", FT_KID, true, 0, 0, "Left/Right to choose", NULL }
#define FORM_WHEN_FIELD							\
	{ "at", "When", FT_WHEN, false, 0, 0,				\
	  "now, 18:30, yesterday, 2026-11-21T18:30", "now" }

static const struct form_spec form_specs[] = {
	{ 'C', "checkin", "Check in", "check-ins", { FORM_FEELING_FIELDS } },
	{ 'O', "checkout", "Check out", "check-outs",
	  { FORM_FEELING_FIELDS } },
	{ 'S', "one-on-one", "A 1:1 (special time)", "1:1s", {
		FORM_KID_FIELD,
		{ "minutes", "Minutes", FT_UINT, false, 1, 600,
		  "1 to 600 (empty: 10)", NULL },
		{ "activity", "Activity", FT_TEXT, false, 0, 0,
		  "what you did (the kid's pick)", NULL },
		{ "note", "Note", FT_TEXT, false, 0, 0, "optional", NULL },
		FORM_WHEN_FIELD,
	} },
	{ 'T', "twoxten.day", "A 2x10 day (two minutes of connection)",
	  "2x10 days", {
		FORM_KID_FIELD,
		FORM_WHEN_FIELD,
		{ "note", "Note", FT_TEXT, false, 0, 0, "optional", NULL },
	} },
	{ 'R', "repair", "Open a repair", "repairs", {
		FORM_KID_FIELD,
		{ "what", "What happened", FT_TEXT, true, 0, 0,
		  "in a few words", NULL },
		{ "apologized", "Apologised", FT_BOOL, false, 0, 0,
		  "y or n (Left/Right)", "n" },
		{ "note", "Note", FT_TEXT, false, 0, 0, "optional", NULL },
	} },
	{ 'P', "repair.done", "Mark a repair repaired",
	  "marking repairs repaired", {
		{ "repair", "Repair", FT_REPAIR, true, 0, 0,
		  "its id, as the timeline shows it (Left/Right: open ones)",
		  NULL },
		{ "apologized", "Apologised", FT_BOOL, false, 0, 0,
		  "y, n, or empty", NULL },
		{ "heard", "Kid said", FT_TEXT, false, 0, 0,
		  "what you heard (optional)", NULL },
		{ "plan", "Plan", FT_TEXT, false, 0, 0,
		  "for next time (optional)", NULL },
		{ "note", "Note", FT_TEXT, false, 0, 0, "optional", NULL },
	} },
	{ 'M', "moment", "A moment (a deposit in the bank)", "moments", {
		FORM_KID_FIELD,
		{ "what", "What", FT_TEXT, true, 0, 0,
		  "what you noticed or shared", NULL },
		FORM_WHEN_FIELD,
	} },
};
#define FORM_NSPECS	(sizeof(form_specs) / sizeof(form_specs[0]))

struct form {
	const struct form_spec	*spec;
	int			 n;		/* fields */
	int			 cur;
	bool			 confirm;
	char			 val[FORM_MAX_FIELDS][PROTO_MAX_TEXT + 1];
	char			 err[FORM_MAX_FIELDS][FORM_ERR_MAX];
	char			 msg[DASH_CAUSE_MAX];
	bool			 unsupported;	/* attuned lacks the kind */
};

static int	form_check_field(struct form *, int);
static int	form_check(struct form *);
static void	form_choose(struct dash *, struct form *, int);
static const msgpack_object *form_open_repairs(struct dash *);
static const char *form_repair_hint(struct dash *, const struct form *, int,
		    char *, size_t);
static int	form_choices(struct dash *, enum form_type,
		    char [FORM_CHOICES][PROTO_MAX_NAME + 1]);
static void	form_pack(struct form *, msgpack_sbuffer *);
static void	form_refused(struct form *, int, const char *);
static void	form_send(struct dash *, struct form *);
static void	form_type(struct form *, int);
static void	form_probe(struct dash *, struct form *);
static void	form_prefill(struct dash *, struct form *);
static void	form_backspace(struct form *);

/*
 * Open the form of key (C, O, S, T, R, P or M). Return false when key
 * has no form, or with a message when memory is short.
 */
bool
form_open(struct dash *d, int key)
{
	const struct form_spec	*spec = NULL;
	struct form		*f;
	size_t			 i;

	for (i = 0; i < FORM_NSPECS; i++) {
		if (form_specs[i].key == key)
			spec = &form_specs[i];
	}
	if (spec == NULL)
		return (false);
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		dash_message(d, DA_RED, "out of memory");
		return (false);
	}
	f->spec = spec;
	for (f->n = 0; f->n < FORM_MAX_FIELDS && spec->f[f->n].key != NULL;
	    f->n++) {
		if (spec->f[f->n].def != NULL)
			snprintf(f->val[f->n], sizeof(f->val[f->n]), "%s",
			    spec->f[f->n].def);
	}
	form_prefill(d, f);
	form_probe(d, f);
	d->form = f;
	d->mode = DM_FORM;
	d->overlay_dirty = true;
	return (true);
}

/*
 * Does this attuned take entries of the form's kind? Asked with an append
 * that cannot write: a field no kind has ("") makes attuned refuse every
 * append (protocol.md: "a field the kind does not have is INVALID"), and
 * it names an unknown kind first ("cannot append an entry of kind"). Not
 * connected, or any other answer: assume it does; the real append says.
 */
static void
form_probe(struct dash *d, struct form *f)
{
	const msgpack_object	*res;
	msgpack_sbuffer		 sb;
	msgpack_packer		 pk;
	char			*cause = NULL;
	int			 rc;

	if (!conn_up(d))
		return;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 2);
	mp_pack_kv_str(&pk, "t", f->spec->kind);
	mp_pack_cstr(&pk, "");
	msgpack_pack_nil(&pk);
	rc = conn_call(d, RPC_M_APPEND, sb.data, sb.size, &res, &cause);
	msgpack_sbuffer_destroy(&sb);
	f->unsupported = rc == -PROTO_E_INVALID && cause != NULL &&
	    strncmp(cause, "cannot append an entry of kind", 30) == 0;
	free(cause);
}

/* P on a selected open repair: that repair. */
static void
form_prefill(struct dash *d, struct form *f)
{
	const msgpack_object	*item;
	int			 i;

	if (d->focus != DP_REPAIRS || (item = pane_item(d)) == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		if (f->spec->f[i].type == FT_REPAIR &&
		    obj_str(item, "id", f->val[i], sizeof(f->val[i])) != NULL)
			f->val[i][OUTPUT_SHORT_ID] = '\0';
	}
}

/* Close the form; nothing is written. */
void
form_close(struct dash *d)
{
	if (d->form == NULL)
		return;
	free(d->form);
	d->form = NULL;
	d->mode = DM_NORMAL;
	d->redraw_all = true;
}

/* Check field i; set its message. Return 0 or -1 if it is wrong. */
static int
form_check_field(struct form *f, int i)
{
	const struct form_field	*ff = &f->spec->f[i];
	const char		*v = f->val[i];
	char			*err = f->err[i];
	size_t			 len = strlen(v), k;
	unsigned long		 u;
	int64_t			 ms;

	err[0] = '\0';
	if (len == 0) {
		if (ff->required)
			snprintf(err, FORM_ERR_MAX, "%s is required",
			    ff->label);
		return (err[0] != '\0' ? -1 : 0);
	}
	switch (ff->type) {
	case FT_NAME:
	case FT_KID:
	case FT_WHO:
		if (len > PROTO_MAX_NAME)
			snprintf(err, FORM_ERR_MAX, "at most %d bytes",
			    PROTO_MAX_NAME);
		break;
	case FT_TEXT:
		if (len > PROTO_MAX_TEXT)
			snprintf(err, FORM_ERR_MAX, "at most %d bytes",
			    PROTO_MAX_TEXT);
		break;
	case FT_UINT:
		for (k = 0; k < len && isdigit((unsigned char)v[k]); k++)
			;
		u = k == len && len < 10 ? strtoul(v, NULL, 10) : 0;
		if (k != len || len >= 10 || u < ff->min || u > ff->max)
			snprintf(err, FORM_ERR_MAX, "a whole number from %u "
			    "to %u", ff->min, ff->max);
		break;
	case FT_WHEN:
		if (len > FORM_WHEN_MAX || when_parse(v, conn_now_wall(),
		    &ms) < 0)
			snprintf(err, FORM_ERR_MAX, "not a time: try now, "
			    "today, yesterday, 18:30 or 2026-11-21T18:30");
		break;
	case FT_REPAIR:
		for (k = 0; k < len && isxdigit((unsigned char)v[k]); k++)
			;
		if (k != len || len < 4 || len > 64)
			snprintf(err, FORM_ERR_MAX, "an entry id: 4 to 64 hex "
			    "digits");
		break;
	case FT_BOOL:
		if (strcasecmp(v, "y") != 0 && strcasecmp(v, "yes") != 0 &&
		    strcasecmp(v, "n") != 0 && strcasecmp(v, "no") != 0)
			snprintf(err, FORM_ERR_MAX, "y or n");
		break;
	}
	return (err[0] != '\0' ? -1 : 0);
}

/* Check every field. Return the first wrong one, or -1. */
static int
form_check(struct form *f)
{
	int	i, bad = -1;

	for (i = 0; i < f->n; i++) {
		if (form_check_field(f, i) < 0 && bad == -1)
			bad = i;
	}
	return (bad);
}

/* The open repairs, oldest first (conn.c asks "repairs" for open ones). */
static const msgpack_object *
form_open_repairs(struct dash *d)
{
	const msgpack_object	*v = conn_view(d, DV_REPAIRS);

	return (v != NULL && v->type == MSGPACK_OBJECT_ARRAY ? v : NULL);
}

/*
 * The values Left/Right go through: kids' names, for FT_WHO the parents'
 * too, for FT_REPAIR the open repairs' ids. Return how many.
 */
static int
form_choices(struct dash *d, enum form_type t,
    char out[FORM_CHOICES][PROTO_MAX_NAME + 1])
{
	const msgpack_object	*l[2];
	const msgpack_object	*o;
	const char		*key = "name";
	int			 n = 0, j, k;
	uint32_t		 i;

	l[0] = conn_view(d, DV_KIDS);
	l[1] = t == FT_WHO ? conn_view(d, DV_DEVICES) : NULL;
	if (t == FT_REPAIR) {
		l[0] = form_open_repairs(d);
		key = "id";
	}
	for (j = 0; j < 2; j++) {
		for (i = 0; l[j] != NULL && l[j]->type ==
		    MSGPACK_OBJECT_ARRAY && i < l[j]->via.array.size &&
		    n < FORM_CHOICES; i++) {
			o = &l[j]->via.array.ptr[i];
			if (obj_bool(o, "removed") ||
			    obj_str(o, key, out[n], sizeof(out[n])) == NULL)
				continue;
			if (t == FT_REPAIR)	/* the short id, as shown */
				out[n][OUTPUT_SHORT_ID] = '\0';
			for (k = 0; k < n && strcmp(out[k], out[n]) != 0; k++)
				;
			if (k == n)
				n++;
		}
	}
	return (n);
}

/*
 * Under a repair field: which open repair its id starts, as the repairs
 * view words it ("Leo: shouted at bedtime"), else the field's hint.
 */
static const char *
form_repair_hint(struct dash *d, const struct form *f, int i, char *buf,
    size_t size)
{
	const msgpack_object	*l = form_open_repairs(d), *r, *kids;
	const char		*v = f->val[i];
	char			 id[65], what[256];
	char			 kid[PROTO_MAX_NAME + 1];
	size_t			 len = strlen(v);
	uint32_t		 j;

	for (j = 0; l != NULL && len >= 4 && j < l->via.array.size; j++) {
		r = &l->via.array.ptr[j];
		if (obj_str(r, "id", id, sizeof(id)) == NULL ||
		    strncasecmp(id, v, len) != 0)
			continue;
		kids = obj_array(r, "kids");
		if (kids == NULL || kids->via.array.size == 0 ||
		    obj_str(&kids->via.array.ptr[0], "name", kid,
		    sizeof(kid)) == NULL)
			snprintf(kid, sizeof(kid), "?");
		if (obj_str(r, "what", what, sizeof(what)) == NULL)
			snprintf(what, sizeof(what), "?");
		snprintf(buf, size, "open repair with %s: %s", kid, what);
		return (buf);
	}
	return (f->spec->f[i].hint);
}

/* Left/Right on field cur: the next or previous choice. */
static void
form_choose(struct dash *d, struct form *f, int dir)
{
	char	names[FORM_CHOICES][PROTO_MAX_NAME + 1];
	char	*v = f->val[f->cur];
	int	n, i;

	switch (f->spec->f[f->cur].type) {
	case FT_BOOL:
		snprintf(v, sizeof(f->val[0]), "%s", tolower((unsigned char)
		    v[0]) == 'y' ? "n" : "y");
		return;
	case FT_KID:
	case FT_WHO:
	case FT_REPAIR:
		break;
	default:
		return;
	}
	if ((n = form_choices(d, f->spec->f[f->cur].type, names)) == 0)
		return;
	for (i = 0; i < n && strcmp(names[i], v) != 0; i++)
		;
	i = i == n ? (dir > 0 ? 0 : n - 1) : (i + dir + n) % n;
	snprintf(v, sizeof(f->val[0]), "%s", names[i]);
	f->err[f->cur][0] = '\0';
}

/* Add a typed character to the current field. */
static void
form_type(struct form *f, int ch)
{
	char	mb[MB_LEN_MAX], *v = f->val[f->cur];
	size_t	len = strlen(v), max, n;

	max = f->spec->f[f->cur].type == FT_TEXT ? PROTO_MAX_TEXT :
	    f->spec->f[f->cur].type == FT_WHEN ? FORM_WHEN_MAX :
	    PROTO_MAX_NAME;
	if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0))
		return;
	if ((n = wcrtomb(mb, (wchar_t)ch, NULL)) == (size_t)-1)
		return;
	if (len + n > max) {
		snprintf(f->err[f->cur], FORM_ERR_MAX, "at most %zu bytes",
		    max);
		return;
	}
	memcpy(v + len, mb, n);
	v[len + n] = '\0';
}

/* Remove the last character of the current field. */
static void
form_backspace(struct form *f)
{
	char	*v = f->val[f->cur];
	size_t	 len = strlen(v);

	while (len > 0 && (v[--len] & 0xc0) == 0x80)
		;
	v[len] = '\0';
}

/* [{t: kind, field: value, ...}] with the non-empty fields, typed. */
static void
form_pack(struct form *f, msgpack_sbuffer *sb)
{
	msgpack_packer	pk;
	int		i, n = 1;

	for (i = 0; i < f->n; i++)
		n += f->val[i][0] != '\0';
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, (size_t)n);
	mp_pack_kv_str(&pk, "t", f->spec->kind);
	for (i = 0; i < f->n; i++) {
		if (f->val[i][0] == '\0')
			continue;
		switch (f->spec->f[i].type) {
		case FT_UINT:
			mp_pack_kv_uint(&pk, f->spec->f[i].key,
			    strtoul(f->val[i], NULL, 10));
			break;
		case FT_BOOL:
			mp_pack_kv_bool(&pk, f->spec->f[i].key, tolower(
			    (unsigned char)f->val[i][0]) == 'y');
			break;
		default:
			mp_pack_kv_str(&pk, f->spec->f[i].key, f->val[i]);
			break;
		}
	}
}

/*
 * attuned refused the append (nothing was written): put its reason under
 * the field it names ("kid: ..."), under the first name field for an
 * unknown or ambiguous name, else under the form.
 */
static void
form_refused(struct form *f, int rc, const char *cause)
{
	size_t	n;
	int	i;

	if (cause == NULL)
		cause = proto_strerror(-rc);
	if (strncmp(cause, "cannot append an entry of kind", 30) == 0) {
		snprintf(f->msg, sizeof(f->msg), "this attuned does not "
		    "support %s: nothing was written", f->spec->what);
		return;
	}
	for (i = 0; i < f->n; i++) {
		n = strlen(f->spec->f[i].key);
		if ((strncmp(cause, f->spec->f[i].key, n) == 0 &&
		    cause[n] == ':') || ((rc == -PROTO_E_NOTFOUND ||
		    rc == -PROTO_E_AMBIGUOUS) && (f->spec->f[i].type ==
		    FT_KID || f->spec->f[i].type == FT_WHO ||
		    f->spec->f[i].type == FT_REPAIR))) {
			output_clean(f->err[i], FORM_ERR_MAX, cause,
			    strlen(cause));
			f->cur = i;
			return;
		}
	}
	snprintf(f->msg, sizeof(f->msg), "attuned: ");
	n = strlen(f->msg);
	output_clean(f->msg + n, sizeof(f->msg) - n, cause, strlen(cause));
}

/* The one append; close on success, else say why inline. */
static void
form_send(struct dash *d, struct form *f)
{
	const msgpack_object	*res;
	msgpack_sbuffer		 sb;
	char			*cause = NULL, id[OUTPUT_SHORT_ID + 1];
	const char		*s;
	size_t			 len;
	int			 rc;

	f->confirm = false;
	f->msg[0] = '\0';
	msgpack_sbuffer_init(&sb);
	form_pack(f, &sb);
	rc = conn_call(d, RPC_M_APPEND, sb.data, sb.size, &res, &cause);
	msgpack_sbuffer_destroy(&sb);
	if (rc == 0) {
		snprintf(id, sizeof(id), "?");
		if (mp_get_str(res, "id", &s, &len, 64) == MP_FOUND)
			output_short_id(id, sizeof(id), s, len);
		dash_message(d, DA_GREEN, "Logged %s %s", f->spec->kind, id);
		free(cause);
		form_close(d);
		return;
	}
	if (!conn_up(d))
		snprintf(f->msg, sizeof(f->msg), "attuned went away before "
		    "answering: look for the entry in the timeline before "
		    "trying again");
	else
		form_refused(f, rc, cause);
	free(cause);
}

void
form_key(struct dash *d, int ch, bool fkey)
{
	struct form	*f = d->form;
	bool		 enter = (!fkey && (ch == '\r' || ch == '\n')) ||
			    (fkey && ch == KEY_ENTER);

	d->overlay_dirty = true;
	if (!fkey && ch == 27) {
		form_close(d);
		dash_message(d, DA_DIM, "cancelled: nothing was written");
		return;
	}
	if (f->unsupported)
		return;
	if (f->confirm) {
		if (enter || ch == 'y' || ch == 'Y')
			form_send(d, f);
		else if (ch == 'n' || ch == 'N')
			f->confirm = false;
		return;
	}
	if (enter) {
		f->msg[0] = '\0';
		if ((f->cur = form_check(f)) == -1) {
			f->cur = 0;
			f->confirm = true;
		}
		return;
	}
	if ((!fkey && ch == '\t') || (fkey && ch == KEY_DOWN)) {
		(void)form_check_field(f, f->cur);
		f->cur = (f->cur + 1) % f->n;
	} else if (fkey && (ch == KEY_UP || ch == KEY_BTAB)) {
		(void)form_check_field(f, f->cur);
		f->cur = (f->cur + f->n - 1) % f->n;
	} else if (fkey && (ch == KEY_LEFT || ch == KEY_RIGHT))
		form_choose(d, f, ch == KEY_RIGHT ? 1 : -1);
	else if ((fkey && ch == KEY_BACKSPACE) || (!fkey && (ch == 127 ||
	    ch == 8)))
		form_backspace(f);
	else if (!fkey && ch == 21)
		f->val[f->cur][0] = '\0';
	else if (!fkey)
		form_type(f, ch);
}

void
form_draw(struct dash *d)
{
	struct form		*f = d->form;
	const struct form_field	*ff;
	struct line		 ln;
	int			 w, h, y, x, i, vw;
	const char		*v, *hint;
	char			 why[DASH_CAUSE_MAX], buf[LINE_MAX_BYTES];

	w = COLS - 2 < 76 ? COLS - 2 : 76;
	h = f->unsupported ? 5 : 2 * f->n + 5;
	if (h > LINES)
		h = LINES;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	screen_box(y, x, h, w, f->spec->title);
	if (f->unsupported) {
		snprintf(why, sizeof(why), "This attuned does not support %s: "
		    "nothing can be written here.", f->spec->what);
		(void)screen_puts(y + 2, x + 2, w - 4, DA_YELLOW, why);
		(void)screen_puts(y + h - 1, x + 2, w - 4, DA_DIM,
		    " Esc closes ");
		return;
	}
	vw = w - 4 - FORM_LABEL_COLS;
	for (i = 0; i < f->n && y + 2 + 2 * i < y + h - 2; i++) {
		ff = &f->spec->f[i];
		(void)screen_puts(y + 1 + 2 * i, x + 2, FORM_LABEL_COLS,
		    i == f->cur && !f->confirm ? DA_FOCUS : DA_BOLD,
		    ff->label);
		/* The tail of a long value, so what is typed shows. */
		for (v = f->val[i]; *v != '\0' && (int)output_width(v) >
		    vw - 1; ) {
			v++;
			while ((*v & 0xc0) == 0x80)
				v++;
		}
		memset(&ln, 0, sizeof(ln));
		line_add(&ln, DA_PLAIN, "%s", v);
		if (i == f->cur && !f->confirm)
			line_add(&ln, DA_SELECT, " ");
		screen_line(y + 1 + 2 * i, x + 2 + FORM_LABEL_COLS, vw, &ln,
		    false);
		hint = ff->type == FT_REPAIR ? form_repair_hint(d, f, i, buf,
		    sizeof(buf)) : ff->hint;
		memset(&ln, 0, sizeof(ln));
		line_add(&ln, f->err[i][0] != '\0' ? DA_RED : DA_DIM, "%s",
		    f->err[i][0] != '\0' ? f->err[i] : hint);
		screen_line(y + 2 + 2 * i, x + 2 + FORM_LABEL_COLS, vw, &ln,
		    false);
	}
	if (f->msg[0] != '\0')
		(void)screen_puts(y + h - 3, x + 2, w - 4, DA_RED, f->msg);
	(void)screen_puts(y + h - 2, x + 2, w - 4, DA_BOLD, f->confirm ?
	    "Write this to the log?  y: yes   n: back   Esc: cancel" :
	    "Enter: check and confirm   Tab: next   Esc: cancel");
}
