/*
 * keys.c: what a key does, in the style of htop and tig: arrows or j/k
 * move, Tab switches pane, Enter opens, / searches the timeline, ? h F1
 * help, q quits. Lowercase keys change only what is shown; uppercase keys
 * open a form that writes to the log (form.c). Keys for an open popup or
 * form go to it. Also the bottom-line message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "dash.h"
#include "output.h"

#define KEY_ESC		27
#define KEY_CTRL_U	21

static void	keys_focus(struct dash *, int);
static void	keys_search(struct dash *, int, bool);
static void	keys_open(struct dash *);
static void	keys_normal(struct dash *, int, bool);
static bool	keys_move(struct dash *, int, bool);

/* Show a message on the bottom line until the next key. */
void
dash_message(struct dash *d, enum dash_attr a, const char *fmt, ...)
{
	char	buf[DASH_CAUSE_MAX];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	output_clean(d->msg, sizeof(d->msg), buf, strlen(buf));
	d->msg_attr = a;
	d->chrome_dirty = true;
}

/*
 * Focus the pane dir places on (1: the next, -1: the previous, or the
 * distance to a pane by number), skipping panes that are not shown.
 */
static void
keys_focus(struct dash *d, int dir)
{
	int	i, p = d->focus, step = dir < 0 ? -1 : 1;

	p = ((p + dir) % DP_COUNT + DP_COUNT) % DP_COUNT;
	for (i = 0; i < DP_COUNT && d->panes[p].h == 0; i++)
		p = (p + step + DP_COUNT) % DP_COUNT;
	d->panes[d->focus].dirty = true;
	d->focus = (enum dash_pane)p;
	d->panes[d->focus].dirty = true;
	pane_move(d, 0);	/* off a header */
}

/*
 * Edit the search on the bottom line: printable characters add, Backspace
 * removes, Enter applies (empty: no search), Esc gives up.
 */
static void
keys_search(struct dash *d, int ch, bool fkey)
{
	char	mb[MB_LEN_MAX];
	size_t	len = strlen(d->edit), n;

	d->chrome_dirty = true;
	if ((!fkey && (ch == '\r' || ch == '\n')) || (fkey &&
	    ch == KEY_ENTER)) {
		memcpy(d->search, d->edit, len + 1);
		d->mode = DM_NORMAL;
		d->panes[DP_TIMELINE].stale = true;
		d->panes[DP_TIMELINE].sel = 0;
		if (d->panes[DP_TIMELINE].h > 0) {
			d->panes[d->focus].dirty = true;
			d->focus = DP_TIMELINE;
		}
		return;
	}
	if (!fkey && ch == KEY_ESC) {
		d->mode = DM_NORMAL;
		return;
	}
	if ((fkey && ch == KEY_BACKSPACE) || (!fkey && (ch == 127 ||
	    ch == 8))) {
		while (len > 0 && (d->edit[--len] & 0xc0) == 0x80)
			;
		d->edit[len] = '\0';
		return;
	}
	if (fkey || ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0))
		return;
	if ((n = wcrtomb(mb, (wchar_t)ch, NULL)) == (size_t)-1 ||
	    len + n > DASH_SEARCH_MAX)
		return;
	memcpy(d->edit + len, mb, n);
	d->edit[len + n] = '\0';
}

/* Arrows, j/k, pages, home and end. Return false if ch is none. */
static bool
keys_move(struct dash *d, int ch, bool fkey)
{
	int	page = d->panes[d->focus].h > 2 ? d->panes[d->focus].h - 2 : 1;

	if (fkey) {
		switch (ch) {
		case KEY_DOWN:
			pane_move(d, 1);
			return (true);
		case KEY_UP:
			pane_move(d, -1);
			return (true);
		case KEY_NPAGE:
			pane_move(d, page);
			return (true);
		case KEY_PPAGE:
			pane_move(d, -page);
			return (true);
		case KEY_HOME:
			pane_move(d, -LINES_MAX);
			return (true);
		case KEY_END:
			pane_move(d, LINES_MAX);
			return (true);
		}
		return (false);
	}
	switch (ch) {
	case 'j':
		pane_move(d, 1);
		return (true);
	case 'k':
		pane_move(d, -1);
		return (true);
	case 'g':
		pane_move(d, -LINES_MAX);
		return (true);
	case 'G':
		pane_move(d, LINES_MAX);
		return (true);
	}
	return (false);
}

/* Enter: open the focused pane's selected line. */
static void
keys_open(struct dash *d)
{
	const msgpack_object	*item = pane_item(d);

	if (item == NULL)
		dash_message(d, DA_DIM, "nothing to open on this line");
	else if (d->focus == DP_TIMELINE)
		popup_entry_open(d, item);
	else
		popup_detail_open(d, item);
}

static void
keys_normal(struct dash *d, int ch, bool fkey)
{
	if (keys_move(d, ch, fkey))
		return;
	if (fkey) {
		if (ch == KEY_BTAB)
			keys_focus(d, -1);
		else if (ch == KEY_F(1)) {
			d->mode = DM_HELP;
			d->overlay_dirty = true;
		} else if (ch == KEY_ENTER)
			keys_open(d);
		return;
	}
	switch (ch) {
	case 'q':
		d->quit = true;
		break;
	case '\t':
		keys_focus(d, 1);
		break;
	case '\r':
	case '\n':
		keys_open(d);
		break;
	case '/':
		memcpy(d->edit, d->search, sizeof(d->edit));
		d->mode = DM_SEARCH;
		d->chrome_dirty = true;
		break;
	case '?':
	case 'h':
		d->mode = DM_HELP;
		d->overlay_dirty = true;
		break;
	case 'r':
		d->want |= DV_ALL;
		dash_message(d, DA_DIM, "reloading from attuned");
		break;
	case KEY_ESC:
		if (d->search[0] != '\0') {
			d->search[0] = '\0';
			d->panes[DP_TIMELINE].stale = true;
		}
		break;
	case 'C': case 'O': case 'S': case 'T': case 'R': case 'P': case 'M':
		(void)form_open(d, ch);
		break;
	default:
		if (ch >= '1' && ch < '1' + DP_COUNT &&
		    d->panes[ch - '1'].h > 0)
			keys_focus(d, ch - '1' - (int)d->focus);
		break;
	}
}

/* One key (ch is a character, or a KEY_* code when fkey). */
void
keys_handle(struct dash *d, int ch, bool fkey)
{
	if (fkey && ch == KEY_RESIZE) {
		d->redraw_all = true;
		return;
	}
	switch (d->mode) {
	case DM_FORM:
		form_key(d, ch, fkey);
		return;
	case DM_HELP:
	case DM_DETAIL:
		popup_key(d, ch, fkey);
		return;
	case DM_SEARCH:
		keys_search(d, ch, fkey);
		return;
	case DM_NORMAL:
		break;
	}
	if (d->msg[0] != '\0') {
		d->msg[0] = '\0';
		d->chrome_dirty = true;
	}
	keys_normal(d, ch, fkey);
}
