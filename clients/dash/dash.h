/*
 * dash.h: what the files of attune-dash share: the dashboard's state (the
 * connection, copies of attuned's view results, the timeline, the panes
 * and what is open over them) and the functions each file exports.
 *
 * The dashboard shows what attuned computes and nothing else: no file
 * here knows what is due, what a streak is or how a balance is counted.
 * A pane whose view this attuned does not provide says so.
 */
#ifndef ATTUNE_DASH_H
#define ATTUNE_DASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "client.h"
#include "proto.h"

#define DASH_CALL_TIMEOUT_MS	5000	/* one call to attuned */
#define DASH_RETRY_MIN_MS	200	/* first reconnect attempt after */
#define DASH_RETRY_MAX_MS	2000	/* longest wait between attempts */
#define DASH_FLUX_MS		2000	/* peers refresh while they sync */
#define DASH_PEERS_MS		30000	/* and while there are peers at all */
#define DASH_REFRESH_MS		(3600 * 1000)	/* days roll over, ages grow */
#define DASH_TL_MAX		300	/* entries kept in the timeline */
#define DASH_CAUSE_MAX		256
#define DASH_SEARCH_MAX		64	/* bytes of a search */

#define LINE_MAX_BYTES		512	/* one rendered line */
#define LINE_MAX_SEGS		24
#define LINES_MAX		(DASH_TL_MAX + 64)

/* Attributes of text, mapped to colours or to monochrome by screen.c. */
enum dash_attr {
	DA_PLAIN = 0,
	DA_BOLD,
	DA_DIM,
	DA_RED,
	DA_GREEN,
	DA_YELLOW,
	DA_BLUE,
	DA_MAGENTA,
	DA_CYAN,
	DA_ALERT,	/* red and bold: forks, refusals, flagged repairs */
	DA_TITLE,	/* a pane's title line */
	DA_FOCUS,	/* the focused pane's title line */
	DA_SELECT,	/* the selected row of the focused pane */
	DA_COUNT
};

/* A copy of one msgpack object that outlives the call that returned it. */
struct blob {
	msgpack_sbuffer		 sb;	/* the packed bytes */
	msgpack_unpacked	 up;	/* decoded from sb, points into it */
	bool			 set;
};

/* What the dashboard asks attuned for (conn.c). */
enum dash_view {
	DV_STATUS,
	DV_DEVICES,
	DV_KIDS,
	DV_LOG,
	DV_WEEK,
	DV_TODAY,
	DV_REPAIRS,
	DV_GOALS,
	DV_COUNT
};
#define DV_BIT(v)	(1U << (v))
#define DV_ALL		((1U << DV_COUNT) - 1)

enum dash_view_state {
	VS_NONE = 0,		/* not asked yet */
	VS_OK,			/* data holds the result */
	VS_UNSUPPORTED,		/* this attuned has no such method */
	VS_ERROR,		/* attuned answered an error: cause */
};

struct dash_view_slot {
	enum dash_view_state	 state;
	int			 err;		/* PROTO_E_* when VS_ERROR */
	char			 cause[DASH_CAUSE_MAX];
	struct blob		 data;
};

/* One line of a pane: text with attributes by segment. */
struct line {
	char			 text[LINE_MAX_BYTES];
	size_t			 len;
	struct {
		uint16_t	 off;
		uint8_t		 attr;
	}			 seg[LINE_MAX_SEGS];
	int			 nseg;
	const msgpack_object	*item;	/* what Enter opens, or NULL */
};

struct lineset {
	struct line	*v;
	size_t		 n, cap;
};

enum dash_pane {
	DP_WEEK,
	DP_TODAY,
	DP_REPAIRS,
	DP_GOALS,
	DP_PEERS,
	DP_TIMELINE,
	DP_COUNT
};

struct dash;
struct pane;

struct pane_type {
	const char	*title;
	const char	*what;		/* "the week view": for "no view" */
	unsigned	 views;		/* DV_BITs it is drawn from */
	/* Rebuild the lines for width w from the dashboard's data. */
	void		(*build)(struct dash *, struct pane *, int w);
};

struct pane {
	const struct pane_type	*type;
	int			 y, x, h, w;	/* h == 0: not shown */
	struct lineset		 ls;
	int			 sel;		/* selected line */
	int			 top;		/* first line shown */
	char			 note[80];	/* after the title */
	bool			 stale;		/* lines need a rebuild */
	bool			 dirty;		/* needs drawing */
};

/* Entries newest first, deduplicated by id (timeline.c). */
struct tl_entry {
	char		 id[65];
	int64_t		 ts;
	struct blob	 b;
};

struct timeline {
	struct tl_entry	*v[DASH_TL_MAX];
	size_t		 n;
};

enum dash_mode {
	DM_NORMAL,
	DM_HELP,
	DM_DETAIL,
	DM_SEARCH,
	DM_FORM,
};

struct form;

struct dash {
	const char		*socket;	/* --socket, NULL: default */
	struct client		*client;	/* NULL while unreachable */
	bool			 ever_connected;
	char			 cause[DASH_CAUSE_MAX];	/* why unreachable */
	int64_t			 down_since;	/* wall ms, 0: up */
	int64_t			 retry_at;	/* monotonic ms */
	int			 retry_ms;
	int64_t			 flux_at;	/* peers refresh, 0: off */
	int64_t			 refresh_at;	/* monotonic ms */
	unsigned		 want;		/* DV_BITs to fetch */
	bool			 more;		/* notifications to drain */
	struct dash_view_slot	 views[DV_COUNT];
	struct timeline		 tl;
	struct pane		 panes[DP_COUNT];
	enum dash_pane		 focus;
	enum dash_mode		 mode;
	struct blob		 detail;	/* the entry Enter opened */
	int			 detail_top;
	struct form		*form;
	char			 search[DASH_SEARCH_MAX + 1];
	char			 edit[DASH_SEARCH_MAX + 1];
	char			 msg[DASH_CAUSE_MAX];	/* bottom line */
	enum dash_attr		 msg_attr;
	bool			 redraw_all;	/* clear and draw everything */
	bool			 chrome_dirty;	/* title and bottom lines */
	bool			 overlay_dirty;
	bool			 quit;
};

/* blob.c */
void	blob_init(struct blob *);
void	blob_finish(struct blob *);
int	blob_set(struct blob *, const msgpack_object *, bool *changed);
const msgpack_object *blob_get(const struct blob *);

/* conn.c */
void	conn_init(struct dash *);
void	conn_finish(struct dash *);
bool	conn_up(const struct dash *);
int	conn_timeout(const struct dash *, int64_t now);
void	conn_timers(struct dash *, int64_t now);
void	conn_readable(struct dash *);
void	conn_work(struct dash *);
int	conn_call(struct dash *, enum rpc_method, const void *, size_t,
	    const msgpack_object **, char **);
const msgpack_object *conn_view(const struct dash *, enum dash_view);
int64_t	conn_now_mono(void);
int64_t	conn_now_wall(void);

/* timeline.c */
void	tl_clear(struct timeline *);
int	tl_insert(struct timeline *, const msgpack_object *);
bool	tl_summary(struct line *, const msgpack_object *, int64_t now);
void	tl_kind_views(const msgpack_object *, unsigned *views);

/* lines.c */
void	lines_clear(struct lineset *);
void	lines_free(struct lineset *);
struct line *lines_add(struct lineset *, const msgpack_object *item);
void	line_add(struct line *, enum dash_attr, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	line_addn(struct line *, enum dash_attr, const char *, size_t);
void	line_pad(struct line *, size_t col);
size_t	line_width(const struct line *);
bool	line_contains(const struct line *, const char *);
void	line_str(struct line *, enum dash_attr, const msgpack_object *,
	    const char *key, const char *dflt);
const char *obj_str(const msgpack_object *, const char *, char *, size_t);
bool	obj_int(const msgpack_object *, const char *, int64_t *);
bool	obj_bool(const msgpack_object *, const char *);
const msgpack_object *obj_array(const msgpack_object *, const char *);
const msgpack_object *obj_map(const msgpack_object *, const char *);
const char *obj_ref(const msgpack_object *, const char *, char *, size_t,
	    const char *);
bool	obj_array_has(const msgpack_object *, const char *, const char *);
enum dash_attr zone_attr(const char *);

/* panes.c */
extern const struct pane_type pane_types[DP_COUNT];
void	panes_init(struct dash *);
void	panes_finish(struct dash *);
void	panes_stale(struct dash *, unsigned views);
void	pane_no_view(struct dash *, struct pane *, enum dash_view);
void	pane_move(struct dash *, int delta);
const msgpack_object *pane_item(const struct dash *);

/* pane-*.c: each builds its pane's lines for width w */
void	pane_week_build(struct dash *, struct pane *, int);
void	pane_today_build(struct dash *, struct pane *, int);
void	pane_repairs_build(struct dash *, struct pane *, int);
void	pane_goals_build(struct dash *, struct pane *, int);
void	pane_peers_build(struct dash *, struct pane *, int);
void	pane_timeline_build(struct dash *, struct pane *, int);

/* screen.c */
int	screen_init(void);
void	screen_end(void);
bool	screen_active(void);
void	screen_crash_restore(void);
int	screen_attr(enum dash_attr);
bool	screen_color(void);
bool	screen_utf8(void);
void	screen_layout(struct dash *);
void	screen_draw(struct dash *);
int	screen_puts(int y, int x, int maxw, enum dash_attr, const char *);
void	screen_line(int y, int x, int w, const struct line *, bool sel);
void	screen_box(int y, int x, int h, int w, const char *title);

/* keys.c */
void	keys_handle(struct dash *, int ch, bool fkey);
void	dash_message(struct dash *, enum dash_attr, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* popup.c */
void	popup_draw(struct dash *);
void	popup_finish(void);
void	popup_detail_open(struct dash *, const msgpack_object *);
void	popup_entry_open(struct dash *, const msgpack_object *);
void	popup_key(struct dash *, int ch, bool fkey);

/* form.c */
bool	form_open(struct dash *, int key);
void	form_close(struct dash *);
void	form_key(struct dash *, int ch, bool fkey);
void	form_draw(struct dash *);

#endif
