/*
 * screen.c: the terminal. Owns curses: starting it (colours only with
 * has_colors() and NO_COLOR unset or empty, else bold, reverse and
 * underline), ending it on every exit path (and, from a crash signal,
 * restoring the terminal with async-signal-safe writes only), the layout
 * of the panes for the current size, and drawing what is dirty: curses
 * then sends the terminal only the cells that changed. Never talks to
 * attuned.
 */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
#include <term.h>

#include "dash.h"
#include "mp.h"
#include "output.h"
#include "utf8.h"

#define SCREEN_WIDE_COLS	150	/* two columns from this width on */
#define SCREEN_WIDE_ROWS	30
#define SCREEN_MIN_COLS		40
#define SCREEN_MIN_ROWS		10
#define SCREEN_FLEX_MIN		4	/* title and three lines */

static SCREEN		*scr_screen;
static bool		 scr_active;
static bool		 scr_color;
static bool		 scr_utf8;
static struct termios	 scr_tio;
static bool		 scr_have_tio;
static char		 scr_reset[256];	/* rmkx rmcup cnorm sgr0 */
static size_t		 scr_reset_len;
static int		 scr_attrs[DA_COUNT];

static const enum dash_pane scr_narrow[] = {
	DP_WEEK, DP_TODAY, DP_REPAIRS, DP_GOALS, DP_PEERS, DP_TIMELINE
};
static const enum dash_pane scr_left[] = {
	DP_WEEK, DP_TODAY, DP_REPAIRS, DP_GOALS
};
static const enum dash_pane scr_right[] = { DP_PEERS, DP_TIMELINE };
#define SCR_N(a)	((int)(sizeof(a) / sizeof((a)[0])))

static void	screen_save_cap(const char *);
static void	screen_attrs_init(void);
static int	screen_putsa(int, int, int, int, const char *);
static void	screen_place(struct dash *, const enum dash_pane *, int, int,
		    int);
static void	screen_heights(struct dash *, const enum dash_pane *, int);
static void	screen_pane(struct dash *, struct pane *);
static void	screen_title(struct dash *);
static void	screen_bottom(struct dash *);

/* Append terminfo capability cap to the crash-restore bytes. */
static void
screen_save_cap(const char *cap)
{
	char	*s = tigetstr(cap);
	size_t	 n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (n < sizeof(scr_reset) - scr_reset_len) {
		memcpy(scr_reset + scr_reset_len, s, n);
		scr_reset_len += n;
	}
}

static void
screen_attrs_init(void)
{
	static const struct {
		enum dash_attr	a;
		short		fg;
	} pairs[] = {
		{ DA_RED, COLOR_RED }, { DA_GREEN, COLOR_GREEN },
		{ DA_YELLOW, COLOR_YELLOW }, { DA_BLUE, COLOR_BLUE },
		{ DA_MAGENTA, COLOR_MAGENTA }, { DA_CYAN, COLOR_CYAN },
	};
	const char	*nc = getenv("NO_COLOR");
	size_t		 i;

	scr_attrs[DA_PLAIN] = A_NORMAL;
	scr_attrs[DA_BOLD] = A_BOLD;
	scr_attrs[DA_DIM] = A_DIM;
	scr_attrs[DA_TITLE] = A_BOLD;
	scr_attrs[DA_FOCUS] = A_BOLD | A_REVERSE;
	scr_attrs[DA_SELECT] = A_REVERSE;
	/* Monochrome: what colour would flag is bold, alerts underlined. */
	scr_attrs[DA_RED] = A_BOLD;
	scr_attrs[DA_ALERT] = A_BOLD | A_UNDERLINE;
	scr_color = has_colors() && (nc == NULL || *nc == '\0');
	if (!scr_color || start_color() == ERR) {
		scr_color = false;
		return;
	}
	(void)use_default_colors();
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		init_pair((short)(i + 1), pairs[i].fg, -1);
		scr_attrs[pairs[i].a] = (int)COLOR_PAIR(i + 1);
	}
	scr_attrs[DA_ALERT] = (int)COLOR_PAIR(1) | A_BOLD;
	scr_attrs[DA_TITLE] = (int)COLOR_PAIR(6) | A_BOLD;
}

/*
 * Start curses on the terminal. Return 0, or -1 when this terminal
 * cannot be driven (nothing was changed).
 */
int
screen_init(void)
{
	scr_have_tio = tcgetattr(STDIN_FILENO, &scr_tio) == 0;
	if ((scr_screen = newterm(NULL, stdout, stdin)) == NULL)
		return (-1);
	set_term(scr_screen);
	scr_active = true;
	scr_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	screen_save_cap("rmkx");
	screen_save_cap("rmcup");
	screen_save_cap("cnorm");
	screen_save_cap("sgr0");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	(void)curs_set(0);
	leaveok(stdscr, TRUE);
	screen_attrs_init();
	return (0);
}

/* End curses; a no-op when it is not running. */
void
screen_end(void)
{
	if (!scr_active)
		return;
	scr_active = false;
	endwin();
	delscreen(scr_screen);
	scr_screen = NULL;
}

bool
screen_active(void)
{
	return (scr_active);
}

/*
 * From a crash signal's handler: leave the alternate screen, show the
 * cursor, reset attributes and the tty modes. Async-signal-safe calls
 * only; the bytes were looked up by screen_init.
 */
void
screen_crash_restore(void)
{
	if (!scr_active)
		return;
	if (scr_reset_len > 0)
		(void)!write(STDOUT_FILENO, scr_reset, scr_reset_len);
	if (scr_have_tio)
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &scr_tio);
}

int
screen_attr(enum dash_attr a)
{
	return ((unsigned)a < DA_COUNT ? scr_attrs[a] : (int)A_NORMAL);
}

bool
screen_color(void)
{
	return (scr_color);
}

bool
screen_utf8(void)
{
	return (scr_utf8);
}

/* screen_puts with a curses attribute. */
static int
screen_putsa(int y, int x, int maxw, int cattr, const char *s)
{
	const uint8_t	*p = (const uint8_t *)s;
	size_t		 len = strlen(s), i = 0, n;
	uint32_t	 cp;
	int		 w = 0, cw;

	while (i < len) {
		if (!scr_utf8 || (n = utf8_next(p + i, len - i, &cp)) == 0) {
			n = 1;
			cw = 1;
		} else if ((cw = wcwidth((wchar_t)cp)) < 0)
			cw = 1;
		if (w + cw > maxw)
			break;
		w += cw;
		i += n;
	}
	if (i == 0)
		return (0);
	attrset(cattr);
	mvaddnstr(y, x, s, (int)i);
	attrset(A_NORMAL);
	return (w);
}

/*
 * Write s (already scrubbed) at y, x in at most maxw columns, never
 * splitting a character. Return the columns written.
 */
int
screen_puts(int y, int x, int maxw, enum dash_attr a, const char *s)
{
	return (screen_putsa(y, x, maxw, screen_attr(a), s));
}

/* Draw ln at y, x in w columns, padded; sel draws it reversed. */
void
screen_line(int y, int x, int w, const struct line *ln, bool sel)
{
	char	buf[LINE_MAX_BYTES];
	size_t	start, end;
	int	i, col = 0, extra = sel ? A_REVERSE : 0;

	for (i = 0; ln != NULL && i < ln->nseg && col < w; i++) {
		start = ln->seg[i].off;
		end = i + 1 < ln->nseg ? ln->seg[i + 1].off : ln->len;
		memcpy(buf, ln->text + start, end - start);
		buf[end - start] = '\0';
		col += screen_putsa(y, x + col, w - col,
		    screen_attr(ln->seg[i].attr) | extra, buf);
	}
	if (col < w) {
		attrset(extra);
		mvhline(y, x + col, ' ', w - col);
		attrset(A_NORMAL);
	}
}

/* A framed box with title, cleared inside (popups and forms). */
void
screen_box(int y, int x, int h, int w, const char *title)
{
	int	i;

	attrset(A_NORMAL);
	for (i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
	attrset(screen_attr(DA_TITLE));
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
	if (title != NULL) {
		mvaddch(y, x + 2, ' ');
		(void)screen_puts(y, x + 3, w - 6, DA_TITLE, title);
		addch(' ');
	}
}

/* Give the panes of one column x and w; rebuild those that need it. */
static void
screen_place(struct dash *d, const enum dash_pane *col, int n, int x,
    int w)
{
	struct pane	*p;
	int		 i;

	for (i = 0; i < n; i++) {
		p = &d->panes[col[i]];
		if (p->w != w)
			p->stale = true;
		p->x = x;
		p->w = w;
		if (!p->stale)
			continue;
		lines_clear(&p->ls);
		p->note[0] = '\0';
		p->type->build(d, p, w);
		if (p->sel >= (int)p->ls.n)
			p->sel = p->ls.n > 0 ? (int)p->ls.n - 1 : 0;
		p->stale = false;
		p->dirty = true;
	}
}

/*
 * Share the rows between the panes of one column: each but the last
 * wants its title and its lines, the last takes the rest (at least
 * SCREEN_FLEX_MIN). Short of room, the tallest shrink first, down to a
 * title and one line; then panes are left out from the bottom up.
 */
static void
screen_heights(struct dash *d, const enum dash_pane *col, int n)
{
	int	want[DP_COUNT], rows = LINES - 2, total, i, big, y = 1;

	for (total = SCREEN_FLEX_MIN, i = 0; i < n - 1; i++) {
		want[i] = 1 + (d->panes[col[i]].ls.n > 0 ?
		    (int)d->panes[col[i]].ls.n : 1);
		total += want[i];
	}
	while (total > rows) {
		for (big = -1, i = 0; i < n - 1; i++) {
			if (want[i] > 2 && (big == -1 || want[i] > want[big]))
				big = i;
		}
		if (big == -1)
			break;
		want[big]--;
		total--;
	}
	for (i = n - 2; i >= 0 && total > rows; i--) {
		total -= want[i];
		want[i] = 0;
	}
	want[n - 1] = rows - (total - SCREEN_FLEX_MIN);
	if (want[n - 1] < 2)
		want[n - 1] = 0;
	for (i = 0; i < n; i++) {
		if (d->panes[col[i]].y != y || d->panes[col[i]].h != want[i])
			d->redraw_all = true;
		d->panes[col[i]].y = y;
		d->panes[col[i]].h = want[i];
		y += want[i];
	}
}

/* Lay the panes out for LINES x COLS, rebuilding stale ones. */
void
screen_layout(struct dash *d)
{
	int	left;

	if (COLS >= SCREEN_WIDE_COLS && LINES >= SCREEN_WIDE_ROWS) {
		left = COLS / 2;
		screen_place(d, scr_left, SCR_N(scr_left), 0, left);
		screen_place(d, scr_right, SCR_N(scr_right), left + 1,
		    COLS - left - 1);
		screen_heights(d, scr_left, SCR_N(scr_left));
		screen_heights(d, scr_right, SCR_N(scr_right));
	} else {
		screen_place(d, scr_narrow, SCR_N(scr_narrow), 0, COLS);
		screen_heights(d, scr_narrow, SCR_N(scr_narrow));
	}
}

/* A pane's title line and as many of its lines as fit. */
static void
screen_pane(struct dash *d, struct pane *p)
{
	bool	focus = p == &d->panes[d->focus];
	char	note[sizeof(p->note)];
	int	rows = p->h - 1, n = (int)p->ls.n, i, col;

	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + rows)
		p->top = p->sel - rows + 1;
	if (p->top > n - rows)
		p->top = n - rows > 0 ? n - rows : 0;
	attrset(screen_attr(focus ? DA_FOCUS : DA_TITLE));
	mvhline(p->y, p->x, focus ? ' ' : ACS_HLINE, p->w);
	attrset(A_NORMAL);
	col = screen_puts(p->y, p->x + 1, p->w - 2, focus ? DA_FOCUS :
	    DA_TITLE, " ");
	col += screen_puts(p->y, p->x + 1 + col, p->w - 2 - col,
	    focus ? DA_FOCUS : DA_TITLE, p->type->title);
	if (p->note[0] != '\0') {
		output_clean(note, sizeof(note), p->note, strlen(p->note));
		col += screen_puts(p->y, p->x + 1 + col, p->w - 2 - col,
		    focus ? DA_FOCUS : DA_TITLE, note);
	}
	(void)screen_puts(p->y, p->x + 1 + col, p->w - 2 - col,
	    focus ? DA_FOCUS : DA_TITLE, " ");
	for (i = 0; i < rows; i++) {
		screen_line(p->y + 1 + i, p->x, p->w, p->top + i < n ?
		    &p->ls.v[p->top + i] : NULL, focus && p->top + i ==
		    p->sel && p->top + i < n);
	}
}

/* Row 0: the family, this parent, the log's size, the connection. */
static void
screen_title(struct dash *d)
{
	const msgpack_object	*st = conn_view(d, DV_STATUS);
	struct line		 ln, right;
	char			 when[OUTPUT_TIME_MAX];
	int64_t			 forks = 0;
	int			 rw;

	memset(&ln, 0, sizeof(ln));
	memset(&right, 0, sizeof(right));
	line_add(&ln, DA_BOLD, " attune-dash");
	if (st != NULL) {
		line_add(&ln, DA_PLAIN, "  ");
		line_str(&ln, DA_BOLD, st, "family", "no family yet");
		line_add(&ln, DA_PLAIN, "  ");
		line_str(&ln, DA_PLAIN, st, "member", "");
		line_add(&ln, DA_DIM, "  ");
		line_str(&ln, DA_DIM, st, "entries", "?");
		line_add(&ln, DA_DIM, " entries");
		if (obj_int(st, "forks", &forks) && forks > 0)
			line_add(&ln, DA_ALERT, "  FORKS: %lld",
			    (long long)forks);
	}
	if (conn_up(d))
		line_add(&right, DA_GREEN, "live ");
	else if (d->down_since != 0) {
		output_time(when, sizeof(when), d->down_since,
		    conn_now_wall());
		line_add(&right, DA_ALERT, "daemon unreachable since %s, "
		    "retrying ", when);
	} else
		line_add(&right, DA_DIM, "connecting ");
	rw = (int)line_width(&right);
	if (rw > COLS)
		rw = COLS;
	screen_line(0, 0, COLS - rw, &ln, false);
	screen_line(0, COLS - rw, rw, &right, false);
}

/* The last row: the search being typed, a message, or the keys. */
static void
screen_bottom(struct dash *d)
{
	struct line	ln;

	memset(&ln, 0, sizeof(ln));
	if (d->mode == DM_SEARCH) {
		line_add(&ln, DA_BOLD, "/");
		line_add(&ln, DA_PLAIN, "%s", d->edit);
		line_add(&ln, DA_SELECT, " ");
		line_add(&ln, DA_DIM, "   Enter search, Esc cancel");
	} else if (d->msg[0] != '\0')
		line_add(&ln, d->msg_attr, "%s", d->msg);
	else if (!conn_up(d) && d->cause[0] != '\0')
		line_add(&ln, DA_RED, "%s", d->cause);
	else
		line_add(&ln, DA_DIM, "Tab pane  j/k move  Enter open  "
		    "/ search  C O S T R P M write  ? help  q quit");
	screen_line(LINES - 1, 0, COLS, &ln, false);
}

/* Draw what changed, then let curses send it. */
void
screen_draw(struct dash *d)
{
	bool	any = false;
	int	i;

	if (COLS < SCREEN_MIN_COLS || LINES < SCREEN_MIN_ROWS) {
		erase();
		(void)screen_puts(0, 0, COLS, DA_BOLD, "terminal too small");
		refresh();
		d->redraw_all = true;
		return;
	}
	screen_layout(d);
	if (d->redraw_all) {
		erase();
		for (i = 0; i < DP_COUNT; i++)
			d->panes[i].dirty = true;
		d->chrome_dirty = true;
		if (COLS >= SCREEN_WIDE_COLS && LINES >= SCREEN_WIDE_ROWS)
			mvvline(1, COLS / 2, ACS_VLINE, LINES - 2);
	}
	for (i = 0; i < DP_COUNT; i++) {
		if (d->panes[i].h > 0 && d->panes[i].dirty) {
			screen_pane(d, &d->panes[i]);
			any = true;
		}
		d->panes[i].dirty = false;
	}
	if (d->chrome_dirty) {
		screen_title(d);
		screen_bottom(d);
		any = true;
	}
	if (d->mode == DM_FORM && (any || d->overlay_dirty || d->redraw_all))
		form_draw(d);
	else if ((d->mode == DM_HELP || d->mode == DM_DETAIL) &&
	    (any || d->overlay_dirty || d->redraw_all))
		popup_draw(d);
	if (any || d->overlay_dirty || d->redraw_all)
		refresh();
	d->chrome_dirty = d->overlay_dirty = d->redraw_all = false;
}
