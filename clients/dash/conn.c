/*
 * conn.c: the dashboard's one connection to attuned and what it fetches.
 * Connects (and reconnects by itself, with a bounded back-off, keeping
 * the last screen meanwhile), subscribes once per connection, fetches
 * the views that are wanted, and turns "event" notifications into a
 * timeline insert plus the few views that entry can change: the log is
 * read once per connection, never again per event.
 *
 * client.c reads whole socket buffers, so a notification can already sit
 * in its frame reader when a call returns or after another notification:
 * poll() on the socket would not wake for it. Every call and every wake
 * is therefore followed by conn_drain(), client_next_notify with a zero
 * timeout until nothing is buffered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dash.h"
#include "mp.h"
#include "output.h"

#define CONN_DRAIN_MAX	256	/* notifications handled per drain */
#define CONN_WORK_ROUNDS 4	/* fetch rounds per loop turn */

/*
 * How each view is asked for. An attuned that answers METHOD (older than
 * this dashboard) does not provide the view: its panes say so.
 */
static const struct {
	enum rpc_method	 method;
	const char	*param;		/* a param: a uint or true, or NULL */
	uint64_t	 value;		/* its value; 0 means true */
} conn_views[DV_COUNT] = {
	[DV_STATUS] = { RPC_M_STATUS, NULL, 0 },
	[DV_DEVICES] = { RPC_M_DEVICES, NULL, 0 },
	[DV_KIDS] = { RPC_M_KIDS, NULL, 0 },
	[DV_LOG] = { RPC_M_LOG, "limit", DASH_TL_MAX },
	[DV_WEEK] = { RPC_M_WEEK, NULL, 0 },
	[DV_TODAY] = { RPC_M_TODAY, NULL, 0 },
	[DV_REPAIRS] = { RPC_M_REPAIRS, "open", 0 },
	[DV_GOALS] = { RPC_M_GOALS, NULL, 0 },
};

static void	conn_cause(char *, size_t, const char *, int);
static void	conn_down(struct dash *, const char *);
static void	conn_try(struct dash *);
static void	conn_notify(struct dash *, const struct rpc_msg *);
static void	conn_notify_cb(const struct rpc_msg *, void *);
static void	conn_drain(struct dash *);
static void	conn_params(enum dash_view, msgpack_sbuffer *);
static void	conn_failed(struct dash *, enum dash_view, int,
		    const char *);
static void	conn_fetch(struct dash *, enum dash_view);
static void	conn_fetch_log(struct dash *);
static void	conn_check_flux(struct dash *);

int64_t
conn_now_mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int64_t
conn_now_wall(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void
conn_init(struct dash *d)
{
	int	i;

	d->client = NULL;
	d->retry_at = conn_now_mono();
	d->retry_ms = DASH_RETRY_MIN_MS;
	d->refresh_at = d->retry_at + DASH_REFRESH_MS;
	for (i = 0; i < DV_COUNT; i++) {
		memset(&d->views[i], 0, sizeof(d->views[i]));
		blob_init(&d->views[i].data);
	}
}

void
conn_finish(struct dash *d)
{
	int	i;

	client_destroy(d->client);
	d->client = NULL;
	for (i = 0; i < DV_COUNT; i++)
		blob_finish(&d->views[i].data);
	tl_clear(&d->tl);
}

bool
conn_up(const struct dash *d)
{
	return (d->client != NULL && client_connected(d->client));
}

/* The result of view v, or NULL when there is none to show. */
const msgpack_object *
conn_view(const struct dash *d, enum dash_view v)
{
	if (d->views[v].state != VS_OK)
		return (NULL);
	return (blob_get(&d->views[v].data));
}

/* Copy cause (or the text of rc) into buf, scrubbed. */
static void
conn_cause(char *buf, size_t size, const char *cause, int rc)
{
	if (cause == NULL)
		cause = rc == -ENOMEM ? "out of memory" : rc < 0 &&
		    rc > -PROTO_E_COUNT ? proto_strerror(-rc) : strerror(-rc);
	output_clean(buf, size, cause, strlen(cause));
}

/* The connection is gone: keep what is shown, retry soon. */
static void
conn_down(struct dash *d, const char *cause)
{
	client_destroy(d->client);
	d->client = NULL;
	snprintf(d->cause, sizeof(d->cause), "%s", cause != NULL ? cause :
	    "connection lost");
	if (d->down_since == 0)
		d->down_since = conn_now_wall();
	d->retry_at = conn_now_mono() + d->retry_ms;
	d->want = 0;
	d->flux_at = 0;
	d->chrome_dirty = true;
}

/* Connect and subscribe; on failure schedule the next attempt. */
static void
conn_try(struct dash *d)
{
	const msgpack_object	*res;
	struct client		*c;
	char			*cause = NULL, buf[DASH_CAUSE_MAX];
	int			 rc;

	if ((rc = client_connect(d->socket, &c, &cause)) < 0) {
		conn_cause(buf, sizeof(buf), cause, rc);
		free(cause);
		conn_down(d, buf);
		if ((d->retry_ms *= 2) > DASH_RETRY_MAX_MS)
			d->retry_ms = DASH_RETRY_MAX_MS;
		return;
	}
	client_set_timeout(c, DASH_CALL_TIMEOUT_MS);
	client_set_notify_cb(c, conn_notify_cb, d);
	d->client = c;
	if ((rc = conn_call(d, RPC_M_SUBSCRIBE, NULL, 0, &res, &cause)) < 0) {
		conn_cause(buf, sizeof(buf), cause, rc);
		free(cause);
		if (conn_up(d))
			dash_message(d, DA_RED, "attuned refused to send "
			    "updates: %s", buf);
	}
	if (!conn_up(d))
		return;
	d->retry_ms = DASH_RETRY_MIN_MS;
	d->down_since = 0;
	d->cause[0] = '\0';
	d->ever_connected = true;
	d->want = DV_ALL;
	d->chrome_dirty = true;
}

/*
 * A notification: an "event" goes into the timeline and refreshes the
 * views it can change; a "reminder" is shown on the bottom line and
 * refreshes what time changes (due, missed, ages). Others are ignored.
 */
static void
conn_notify(struct dash *d, const struct rpc_msg *m)
{
	const msgpack_object	*e;
	char			 text[DASH_CAUSE_MAX];
	unsigned		 views = 0;

	if (m->params->via.array.size < 1)
		return;
	e = &m->params->via.array.ptr[0];
	switch (proto_notify_lookup(m->method_name, m->method_len)) {
	case RPC_N_EVENT:
		if (tl_insert(&d->tl, e) > 0)
			panes_stale(d, DV_BIT(DV_LOG));
		tl_kind_views(e, &views);
		d->want |= views;
		break;
	case RPC_N_REMINDER:
		if (obj_str(e, "text", text, sizeof(text)) != NULL)
			dash_message(d, DA_YELLOW, "reminder: %s", text);
		d->want |= DV_BIT(DV_TODAY) | DV_BIT(DV_WEEK) |
		    DV_BIT(DV_REPAIRS);
		break;
	default:
		break;
	}
}

/* client.c calls this for notifications that come while a call waits. */
static void
conn_notify_cb(const struct rpc_msg *m, void *arg)
{
	conn_notify(arg, m);
}

/* Handle every notification client.c or the socket already holds. */
static void
conn_drain(struct dash *d)
{
	struct rpc_msg	 m;
	char		*cause = NULL, buf[DASH_CAUSE_MAX];
	int		 rc, i;

	d->more = false;
	for (i = 0; i < CONN_DRAIN_MAX && conn_up(d); i++) {
		if ((rc = client_next_notify(d->client, 0, &m, &cause)) == 0)
			return;
		if (rc < 0) {
			conn_cause(buf, sizeof(buf), cause, rc);
			free(cause);
			conn_down(d, buf);
			return;
		}
		conn_notify(d, &m);
	}
	/* More may be buffered: come back without sleeping. */
	d->more = conn_up(d);
}

/*
 * Make one call, then drain. Return client_call's code; a lost
 * connection is handled here (the caller only reports).
 */
int
conn_call(struct dash *d, enum rpc_method m, const void *params, size_t len,
    const msgpack_object **res, char **cause)
{
	char	buf[DASH_CAUSE_MAX];
	int	rc;

	*res = NULL;
	if (!conn_up(d)) {
		if (cause != NULL)
			*cause = strdup("attuned is unreachable");
		return (-ENOTCONN);
	}
	rc = client_call(d->client, m, params, len, res, cause);
	if (!conn_up(d)) {
		conn_cause(buf, sizeof(buf), cause != NULL ? *cause : NULL,
		    rc);
		conn_down(d, buf);
		return (rc < 0 ? rc : -ECONNRESET);
	}
	/*
	 * *res points into client.c's buffers, which the drain reuses: the
	 * caller reads it first, then conn_drain runs from the loop (d->more
	 * makes the next poll return at once).
	 */
	d->more = true;
	return (rc);
}

/* The params of view v: [] or [{param: value}]. */
static void
conn_params(enum dash_view v, msgpack_sbuffer *sb)
{
	msgpack_packer	pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	if (conn_views[v].param == NULL) {
		msgpack_pack_array(&pk, 0);
		return;
	}
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 1);
	if (conn_views[v].value == 0)
		mp_pack_kv_bool(&pk, conn_views[v].param, true);
	else
		mp_pack_kv_uint(&pk, conn_views[v].param,
		    conn_views[v].value);
}

/* Record a failed fetch of view v (the connection is still up). */
static void
conn_failed(struct dash *d, enum dash_view v, int rc, const char *cause)
{
	struct dash_view_slot	*s = &d->views[v];

	s->state = rc == -PROTO_E_METHOD ? VS_UNSUPPORTED : VS_ERROR;
	s->err = -rc;
	conn_cause(s->cause, sizeof(s->cause), cause, rc);
	panes_stale(d, DV_BIT(v));
}

/* Fetch the latest entries into a fresh timeline. */
static void
conn_fetch_log(struct dash *d)
{
	const msgpack_object	*res;
	msgpack_sbuffer		 sb;
	char			*cause = NULL;
	uint32_t		 i;
	int			 rc;

	msgpack_sbuffer_init(&sb);
	conn_params(DV_LOG, &sb);
	rc = conn_call(d, RPC_M_LOG, sb.data, sb.size, &res, &cause);
	msgpack_sbuffer_destroy(&sb);
	if (rc == 0 && res->type == MSGPACK_OBJECT_ARRAY) {
		tl_clear(&d->tl);
		for (i = 0; i < res->via.array.size; i++)
			(void)tl_insert(&d->tl, &res->via.array.ptr[i]);
		d->views[DV_LOG].state = VS_OK;
		panes_stale(d, DV_BIT(DV_LOG));
	} else if (rc < 0 && conn_up(d))
		conn_failed(d, DV_LOG, rc, cause);
	free(cause);
}

/* Fetch view v into its slot; mark its panes stale if it changed. */
static void
conn_fetch(struct dash *d, enum dash_view v)
{
	struct dash_view_slot	*s = &d->views[v];
	enum dash_view_state	 was = s->state;
	const msgpack_object	*res;
	msgpack_sbuffer		 sb;
	char			*cause = NULL;
	bool			 changed = false;
	int			 rc;

	if (v == DV_LOG) {
		conn_fetch_log(d);
		return;
	}
	msgpack_sbuffer_init(&sb);
	conn_params(v, &sb);
	rc = conn_call(d, conn_views[v].method, sb.data, sb.size, &res,
	    &cause);
	msgpack_sbuffer_destroy(&sb);
	if (rc == 0 && blob_set(&s->data, res, &changed) == 0) {
		s->state = VS_OK;
		if (changed || was != s->state)
			panes_stale(d, DV_BIT(v));
	} else if (rc < 0 && conn_up(d))
		conn_failed(d, v, rc, cause);
	free(cause);
	if (v == DV_STATUS && conn_up(d)) {
		d->chrome_dirty = true;
		conn_check_flux(d);
	}
}

/*
 * attuned announces entries but not peer sessions coming and going, so
 * the peers pane looks again by itself: in DASH_FLUX_MS while a session
 * is being set up or syncing, in DASH_PEERS_MS while the family has any
 * peer at all (a laptop that left must not stay "connected" on screen),
 * never on a laptop without peers. No peer, no timer: idle stays idle.
 */
static void
conn_check_flux(struct dash *d)
{
	const msgpack_object	*st = conn_view(d, DV_STATUS);
	const msgpack_object	*peers = mp_map_get(st, "peers");
	const msgpack_object	*l;
	char			 state[32];
	const char		*lists[] = { "sessions", "targets" };
	uint32_t		 i, j;
	bool			 any = false;

	d->flux_at = 0;
	for (j = 0; j < 2; j++) {
		l = obj_array(peers, lists[j]);
		for (i = 0; l != NULL && i < l->via.array.size; i++) {
			any = true;
			if (obj_str(&l->via.array.ptr[i], "state", state,
			    sizeof(state)) == NULL)
				continue;
			if (strcmp(state, "handshake") == 0 ||
			    strcmp(state, "syncing") == 0 ||
			    strcmp(state, "joining") == 0) {
				d->flux_at = conn_now_mono() + DASH_FLUX_MS;
				return;
			}
		}
	}
	if (any)
		d->flux_at = conn_now_mono() + DASH_PEERS_MS;
}

/* Fetch what is wanted: a few rounds, as events may want more. */
void
conn_work(struct dash *d)
{
	unsigned	want;
	int		round, v;

	for (round = 0; round < CONN_WORK_ROUNDS && d->want != 0; round++) {
		want = d->want;
		d->want = 0;
		for (v = 0; v < DV_COUNT && conn_up(d); v++) {
			if ((want & DV_BIT(v)) == 0)
				continue;
			conn_fetch(d, (enum dash_view)v);
			conn_drain(d);
		}
	}
}

/*
 * The socket is readable (notifications, or the daemon went away) or a
 * drain stopped at its bound.
 */
void
conn_readable(struct dash *d)
{
	conn_drain(d);
}

/* Run the timers that are due. */
void
conn_timers(struct dash *d, int64_t now)
{
	if (!conn_up(d) && now >= d->retry_at)
		conn_try(d);
	if (conn_up(d) && d->flux_at != 0 && now >= d->flux_at) {
		d->flux_at = 0;
		d->want |= DV_BIT(DV_STATUS) | DV_BIT(DV_DEVICES);
	}
	if (now >= d->refresh_at) {
		d->refresh_at = now + DASH_REFRESH_MS;
		if (conn_up(d))
			d->want |= DV_ALL & ~DV_BIT(DV_LOG);
	}
}

/*
 * How long poll() may sleep, in ms: not at all with work pending, else
 * until the next timer: a reconnect attempt (while unreachable), the
 * peers pane's look (while there are peers), the hourly refresh (days
 * roll over and repairs age with no entry to say so).
 */
int
conn_timeout(const struct dash *d, int64_t now)
{
	int64_t	next = d->refresh_at;

	if (d->want != 0 || d->more)
		return (0);
	if (!conn_up(d) && d->retry_at < next)
		next = d->retry_at;
	if (conn_up(d) && d->flux_at != 0 && d->flux_at < next)
		next = d->flux_at;
	if (next <= now)
		return (0);
	return (next - now > DASH_REFRESH_MS ? DASH_REFRESH_MS :
	    (int)(next - now));
}
