/*
 * pane-peers.c: the Peers pane: each laptop of the family (from
 * "devices") with its session state from "status" (connected, syncing N
 * of M), then each peer address attuned tries (state, last good sync,
 * its error in red), then forks in red. Progress and states are read as
 * attuned reports them; this pane only matches sessions to devices by
 * their key to put a name on them.
 */
#include <string.h>

#include "dash.h"
#include "mp.h"
#include "output.h"

#define PEERS_NAME_COLS	12

static const msgpack_object *peers_session(const msgpack_object *,
		    const char *);
static void	peers_device(struct dash *, struct pane *,
		    const msgpack_object *, const msgpack_object *);
static void	peers_target(struct pane *, const msgpack_object *);

/* The session (in status.peers) with the device whose key is hex. */
static const msgpack_object *
peers_session(const msgpack_object *peers, const char *hex)
{
	const msgpack_object	*l = obj_array(peers, "sessions");
	char			 dev[65];
	uint32_t		 i;

	for (i = 0; l != NULL && i < l->via.array.size; i++) {
		if (obj_str(&l->via.array.ptr[i], "device", dev,
		    sizeof(dev)) != NULL && strcmp(dev, hex) == 0)
			return (&l->via.array.ptr[i]);
	}
	return (NULL);
}

/* "Sam  3e914c25ba59f0cc  syncing 40 of 120" for one device. */
static void
peers_device(struct dash *d, struct pane *p, const msgpack_object *dev,
    const msgpack_object *peers)
{
	const msgpack_object	*s;
	struct line		*ln = lines_add(&p->ls, dev);
	char			 hex[65], state[32];
	int64_t			 got = 0, need = 0, n = 0;

	line_str(ln, DA_BOLD, dev, "name", "?");
	line_pad(ln, PEERS_NAME_COLS);
	line_add(ln, DA_DIM, " ");
	line_str(ln, DA_DIM, dev, "fingerprint", "?");
	line_add(ln, DA_PLAIN, "  ");
	(void)obj_int(dev, "entries", &n);
	if (obj_bool(dev, "this")) {
		line_add(ln, DA_DIM, "this laptop, %lld entries", (long long)n);
		return;
	}
	if (obj_bool(dev, "removed")) {
		line_add(ln, DA_DIM, "removed");
		return;
	}
	if (obj_str(dev, "device", hex, sizeof(hex)) == NULL ||
	    (s = peers_session(peers, hex)) == NULL) {
		line_add(ln, DA_YELLOW, "not connected");
		line_add(ln, DA_DIM, ", %lld entries here", (long long)n);
		return;
	}
	if (obj_str(s, "state", state, sizeof(state)) == NULL)
		snprintf(state, sizeof(state), "?");
	(void)obj_int(s, "received", &got);
	(void)obj_int(s, "needed", &need);
	if (strcmp(state, "syncing") == 0)
		line_add(ln, DA_YELLOW, "syncing %lld of %lld", (long long)got,
		    (long long)(need > got ? need : got));
	else if (strcmp(state, "connected") == 0)
		line_add(ln, DA_GREEN, "connected");
	else
		line_add(ln, DA_YELLOW, "%s", state);
	line_add(ln, DA_DIM, ", %lld entries here", (long long)n);
	(void)d;
}

/* "127.0.0.1:47475  unreachable  last synced Sat 18:30  refused". */
static void
peers_target(struct pane *p, const msgpack_object *t)
{
	struct line	*ln = lines_add(&p->ls, t);
	char		 state[32], err[128], when[OUTPUT_TIME_MAX];
	int64_t		 ok = 0;
	bool		 bad;

	if (obj_str(t, "state", state, sizeof(state)) == NULL)
		snprintf(state, sizeof(state), "?");
	if (obj_str(t, "error", err, sizeof(err)) == NULL)
		err[0] = '\0';
	bad = strcmp(state, "unreachable") == 0 || (err[0] != '\0' &&
	    strcmp(state, "connected") != 0);
	line_add(ln, DA_PLAIN, "  ");
	line_str(ln, DA_PLAIN, t, "address", "?");
	line_add(ln, DA_PLAIN, "  ");
	line_add(ln, bad ? DA_ALERT : strcmp(state, "connected") == 0 ?
	    DA_GREEN : DA_YELLOW, "%s", state);
	if (obj_int(t, "last_ok", &ok) && ok > 0) {
		output_time(when, sizeof(when), ok, conn_now_wall());
		line_add(ln, DA_DIM, "  last synced %s", when);
	} else
		line_add(ln, DA_DIM, "  never synced");
	if (err[0] != '\0')
		line_add(ln, bad ? DA_RED : DA_DIM, "  %s", err);
}

void
pane_peers_build(struct dash *d, struct pane *p, int w)
{
	const msgpack_object	*st = conn_view(d, DV_STATUS);
	const msgpack_object	*devs = conn_view(d, DV_DEVICES);
	const msgpack_object	*peers, *l;
	struct line		*ln;
	int64_t			 forks = 0, port = 0;
	uint32_t		 i;

	if (st == NULL) {
		pane_no_view(d, p, DV_STATUS);
		return;
	}
	peers = mp_map_get(st, "peers");
	if (devs == NULL)
		pane_no_view(d, p, DV_DEVICES);
	for (i = 0; devs != NULL && devs->type == MSGPACK_OBJECT_ARRAY &&
	    i < devs->via.array.size; i++)
		peers_device(d, p, &devs->via.array.ptr[i], peers);
	l = obj_array(peers, "targets");
	for (i = 0; l != NULL && i < l->via.array.size; i++)
		peers_target(p, &l->via.array.ptr[i]);
	if (obj_int(st, "forks", &forks) && forks > 0) {
		ln = lines_add(&p->ls, NULL);
		line_add(ln, DA_ALERT, "%lld fork%s: a laptop wrote two "
		    "different entries with one number (attune verify)",
		    (long long)forks, forks == 1 ? "" : "s");
	}
	if (obj_int(peers, "port", &port) && port > 0)
		snprintf(p->note, sizeof(p->note), "  port %lld",
		    (long long)port);
	(void)w;
}
