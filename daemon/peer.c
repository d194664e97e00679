/*
 * peer.c: peer sessions and targets (peer.h). A session is a TCP stream
 * carrying frames (frame.h): two hellos in clear, one secretstream
 * header each way, then secretstream messages holding peer messages
 * (peermsg.h). It never writes the log itself: received events go to
 * eventlog_ingest, which verifies and queues them for the group commit.
 * Peers are sent error codes, never text.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "diag.h"
#include "frame.h"
#include "handshake.h"
#include "kinds.h"
#include "mp.h"
#include "pairing.h"
#include "peer.h"
#include "peermsg.h"
#include "sigcheck.h"

#define SS_ABYTES	crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER	crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_STATE	crypto_secretstream_xchacha20poly1305_state

#define PEER_HANDSHAKE_MS	5000	/* to become ready */
#define PEER_MAX_HANDSHAKE_FRAME 512	/* hellos, headers, IDENT/AUTH/ACK */
#define PEER_MAX_HANDSHAKING	16	/* unproven sessions at once */
#define PEER_HIGH_WATER		(1U << 20)	/* queued bytes: stop pumping */
#define PEER_BATCH_BYTES	(256U << 10)	/* per EVENTS message */
#define PEER_MAX_SESSIONS	64
#define PEER_MAX_TARGETS	64
#define PEER_BACKOFF_MIN_MS	500
#define PEER_BACKOFF_MAX_MS	30000
#define PEER_MAX_RESYNC		16
#define PEER_MAX_CHECKS		2	/* EVENTS messages being verified */
#define PEER_JOIN_MS		60000
/* Inviters that closed on our hello this many times running: the code is
 * not theirs (mistyped, expired, used), so the join ends at once. */
#define PEER_JOIN_REFUSALS	2

enum peer_state {
	PS_HELLO,	/* waiting for the peer's hello */
	PS_HEADER,	/* waiting for the peer's secretstream header */
	PS_IDENT,	/* server: waiting for IDENT */
	PS_AUTH,	/* client: waiting for AUTH */
	PS_ACK,		/* server: waiting for ACK */
	PS_ADMIT,	/* server: device.add being committed */
	PS_FAMILY,	/* joining client: waiting for FAMILY */
	PS_READY,
};

struct peer_target {
	struct peers		*owner;
	struct peer_target	*next;
	char			 host[64];
	char			 port[8];
	bool			 persist;	/* from `attune peers add` */
	bool			 discovered;
	bool			 join;		/* a one-off join attempt */
	uint8_t			 join_key[HS_KEY];
	uint8_t			 join_fp[PAIRING_FP];
	char			 join_name[PROTO_MAX_NAME + 1];
	struct peer_session	*session;
	bool			 has_device;	/* who answered here last */
	uint8_t			 device[ENV_PK];
	uv_timer_t		 timer;
	uv_getaddrinfo_t	 gai;
	uv_connect_t		 connect;
	bool			 busy;		/* resolving or connecting */
	bool			 removed;
	unsigned		 attempts;
	unsigned		 join_refusals;	/* closed on our hello */
	char			 last_error[64];
	int64_t			 last_ok_ms;
};

struct peer_session {
	uv_tcp_t		 tcp;
	struct peers		*owner;
	struct peer_session	*next, *prev;
	struct peer_target	*target;	/* NULL when accepted */
	unsigned		 id;
	unsigned		 refs;
	bool			 closing;
	bool			 paused;	/* reading stopped */
	bool			 hello_sent;	/* client: connected, hello out */
	enum peer_state		 state;
	struct hs		*hs;		/* sodium_malloc */
	SS_STATE		*tx, *rx;	/* sodium_malloc */
	struct frame_reader	 fr;
	/* EVENTS messages whose signatures are being checked, oldest first
	 * from checks[check_first]; nchecking counts their events. */
	struct sigcheck		*checks[PEER_MAX_CHECKS];
	unsigned		 check_first, nchecks;
	size_t			 nchecking;
	uint8_t			*held;		/* a message waiting for them */
	size_t			 held_len;
	bool			 held_final;
	struct invite		*invite;	/* server side of a join */
	uint8_t			 device[ENV_PK];
	char			 name[PROTO_MAX_NAME + 1];
	char			 addr[80];
	struct chain		 known;		/* what the peer has */
	bool			 want_heads;
	bool			 have_heads;	/* the peer's HEADS arrived */
	unsigned		 resyncs;
	size_t			 queued;
	uint64_t		 received, sent, needed;
	uv_timer_t		 timer;
};

struct peers {
	uv_loop_t		*loop;
	struct eventlog		*log;
	struct keys		*keys;
	char			 data_dir[4096];
	uv_tcp_t		*listener;	/* NULL: not listening */
	uint16_t		 port;
	struct peer_session	*sessions;
	unsigned		 nsessions;
	struct peer_target	*targets;
	struct pairing		 pairing;
	uint8_t			*net_key;	/* sodium_malloc, per epoch */
	uint32_t		 nnet;		/* [0] is the newest epoch's */
	uint8_t			*plain;		/* one decrypted message */
	unsigned		 next_id;
	bool			 closing;
	/* A join in progress (this device has no family yet). */
	peers_join_cb		 join_cb;
	void			*join_arg;
	struct chain		 join_target;	/* inviter's heads */
	uint8_t			 join_key[HS_KEY];
	uint8_t			 join_fp[PAIRING_FP];
	char			 join_name[PROTO_MAX_NAME + 1];
	bool			 join_heads;
	uv_timer_t		 join_timer;
};

struct peer_write {
	uv_write_t		 req;
	struct peer_session	*s;
	size_t			 len;
	uint8_t			 data[];
};

static struct peer_session *session_new(struct peers *, enum hs_role,
		    const uint8_t key[HS_KEY]);
static void	session_close(struct peer_session *, const char *why);
static bool	session_join_refused(const struct peer_session *);
static void	peers_join_refused(struct peers *, const char *addr);
static void	session_unref(struct peer_session *);
static void	session_close_cb(uv_handle_t *);
static int	session_write(struct peer_session *, const uint8_t *, size_t);
static int	session_send(struct peer_session *, msgpack_sbuffer *,
		    bool final);
static void	session_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void	session_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void	session_process(struct peer_session *);
static bool	session_blocked(struct peer_session *);
static int	session_frame(struct peer_session *, uint8_t *, size_t);
static int	session_plain(struct peer_session *, const uint8_t *, size_t,
		    bool final);
static int	session_hold(struct peer_session *, const uint8_t *, size_t,
		    bool final);
static int	session_hello(struct peer_session *, const uint8_t *, size_t);
static int	session_header(struct peer_session *, const uint8_t *, size_t);
static int	session_message(struct peer_session *,
		    const struct peermsg *);
static int	session_ident(struct peer_session *, const struct peermsg *);
static int	session_auth(struct peer_session *, const struct peermsg *);
static int	session_ack(struct peer_session *, const struct peermsg *);
static int	session_family(struct peer_session *,
		    const struct peermsg *);
static int	session_heads(struct peer_session *, const struct peermsg *);
static int	session_events(struct peer_session *,
		    const struct peermsg *);
static void	session_ready(struct peer_session *);
static bool	session_head_differs(struct peer_session *,
		    const struct chain_author *, const struct peermsg_head *);
static int	session_ingest(struct peer_session *,
		    const struct sigcheck *);
static void	session_checked(void *, struct sigcheck *);
static void	session_drain(struct peer_session *);
static void	session_unhold(struct peer_session *);
static void	session_resume(struct peer_session *);
static struct peer_session *session_with(struct peers *, const uint8_t *,
		    const struct peer_session *);
static int	session_send_heads(struct peer_session *);
static void	session_pump(struct peer_session *);
static void	session_admitted(void *, int, const struct view_entry *);
static void	session_timeout_cb(uv_timer_t *);
static void	session_error(struct peer_session *, int code);
static bool	peers_authorised(struct peers *, const uint8_t *device);
static bool	peers_removed(struct peers *, const uint8_t *device);
static void	peers_accept_cb(uv_stream_t *, int);
static void	target_schedule(struct peer_target *, bool failed);
static void	target_timer_cb(uv_timer_t *);
static void	target_resolved_cb(uv_getaddrinfo_t *, int, struct addrinfo *);
static void	target_connected_cb(uv_connect_t *, int);
static void	target_free(struct peer_target *);
static struct peer_target *target_new(struct peers *, const char *,
		    const char *);
static void	peers_join_done(struct peers *, int rc, const char *why);
static void	peers_join_dial(struct peers *, const char *, uint16_t, bool);
static void	peers_join_check(struct peers *);
static void	peers_join_timeout_cb(uv_timer_t *);
static void	peers_save_targets(struct peers *);
static void	peers_load_targets(struct peers *);

int
peers_create(uv_loop_t *loop, struct eventlog *log, struct keys *keys,
    const char *data_dir, struct peers **out)
{
	struct peers	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (-PROTO_E_INTERNAL);
	p->net_key = sodium_malloc(KEYS_MAX_EPOCHS * HS_KEY);
	p->plain = sodium_malloc(PEER_MAX_FRAME);
	if (p->net_key == NULL || p->plain == NULL) {
		sodium_free(p->net_key);
		sodium_free(p->plain);
		free(p);
		return (-PROTO_E_INTERNAL);
	}
	p->loop = loop;
	p->log = log;
	p->keys = keys;
	snprintf(p->data_dir, sizeof(p->data_dir), "%s", data_dir);
	chain_init(&p->join_target);
	uv_timer_init(loop, &p->join_timer);
	p->join_timer.data = p;
	peers_key_changed(p);
	peers_load_targets(p);
	*out = p;
	return (0);
}

/*
 * The family key is new (init, join, rotation): derive the network keys
 * again, the newest epoch's first. Servers accept every epoch's, so a
 * member who missed a rotation can still connect and catch up; after a
 * removal, the removed device is refused by its identity, not its key.
 */
void
peers_key_changed(struct peers *p)
{
	const struct keys	*k = p->keys;
	uint32_t		 i, n = 0;

	if (!k->has_family) {
		randombytes_buf(p->net_key, HS_KEY);	/* matches nobody */
		p->nnet = 1;
		return;
	}
	hs_net_key(p->net_key, k->family_key);
	n = 1;
	for (i = 0; i < k->nepochs && n < KEYS_MAX_EPOCHS; i++) {
		if (k->epoch_ids[i] != k->epoch)
			hs_net_key(p->net_key + HS_KEY * n++,
			    k->epoch_keys + i * ENV_KEY);
	}
	p->nnet = n;
}

const uint8_t *
peers_net_key(const struct peers *p)
{
	return (p->keys->has_family ? p->net_key : NULL);
}

uint16_t
peers_port(const struct peers *p)
{
	return (p->port);
}

static void
peers_listener_free_cb(uv_handle_t *h)
{
	free(h);
}

/* Bind and listen on one "IP:PORT" ("[IPv6]:PORT"). */
static int
peers_listen_one(struct peers *p, const char *addr, char **cause)
{
	struct sockaddr_storage	 ss;
	struct sockaddr		*sa = (struct sockaddr *)&ss;
	uv_tcp_t		*h;
	char			 host[64];
	uint16_t		 port;
	int			 rc, len = sizeof(ss);

	if (peers_split_hostport(addr, 0, host, sizeof(host), &port) < 0) {
		diag_cause(cause, "--listen: expected ADDR:PORT, not '%s'",
		    addr);
		return (-EINVAL);
	}
	if (strchr(host, ':') != NULL)	/* an IPv6 address */
		rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss);
	else
		rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&ss);
	if (rc < 0) {
		diag_cause(cause, "--listen: '%s' is not an IP address", host);
		return (rc);
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return (-ENOMEM);
	uv_tcp_init(p->loop, h);
	h->data = p;
	if ((rc = uv_tcp_bind(h, sa, 0)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)h, 64, peers_accept_cb)) < 0) {
		diag_cause(cause, "cannot listen on %s: %s", addr,
		    uv_strerror(rc));
		uv_close((uv_handle_t *)h, peers_listener_free_cb);
		return (rc);
	}
	uv_tcp_getsockname(h, sa, &len);
	p->port = ntohs(sa->sa_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)sa)->sin6_port :
	    ((struct sockaddr_in *)sa)->sin_port);
	p->listener = h;
	log_info("peer: listening on %s (port %u)", addr, p->port);
	return (0);
}

/*
 * Listen on the first of addrs that works ("IP:PORT", IPv6 as
 * "[::]:PORT", which also takes IPv4). Return 0 or a negative errno with
 * *cause set for the last failure.
 */
int
peers_listen(struct peers *p, const char *const *addrs, size_t n,
    char **cause)
{
	size_t	i;
	int	rc = -EINVAL;

	for (i = 0; i < n && p->listener == NULL; i++)
		rc = peers_listen_one(p, addrs[i], cause);
	return (p->listener != NULL ? 0 : rc);
}

void
peers_close(struct peers *p)
{
	struct peer_target	*t, *next;

	if (p == NULL || p->closing)
		return;
	p->closing = true;
	while (p->sessions != NULL)
		session_close(p->sessions, NULL);
	for (t = p->targets; t != NULL; t = next) {
		next = t->next;
		uv_timer_stop(&t->timer);
		uv_close((uv_handle_t *)&t->timer, NULL);
		if (t->busy)
			uv_cancel((uv_req_t *)&t->gai);
	}
	if (p->listener != NULL)
		uv_close((uv_handle_t *)p->listener, peers_listener_free_cb);
	p->listener = NULL;
	uv_close((uv_handle_t *)&p->join_timer, NULL);
	if (p->join_cb != NULL)
		peers_join_done(p, -PROTO_E_BUSY, "daemon stopping");
	/* peers_free, once the loop has run dry, frees the rest. */
}

void
peers_free(struct peers *p)
{
	struct peer_target	*t, *next;

	if (p == NULL)
		return;
	for (t = p->targets; t != NULL; t = next) {
		next = t->next;
		target_free(t);
	}
	chain_finish(&p->join_target);
	sodium_free(p->net_key);
	sodium_free(p->plain);
	free(p);
}

static bool
peers_removed(struct peers *p, const uint8_t *device)
{
	const struct chain_author	*a;

	a = chain_find(eventlog_tip(p->log), device);
	return (a != NULL && a->removed);
}

static bool
peers_authorised(struct peers *p, const uint8_t *device)
{
	const struct chain_author	*a;

	a = chain_find(eventlog_tip(p->log), device);
	return (a != NULL && a->authorised && !a->removed);
}

/* ---- sessions: lifecycle and transport ---- */

static struct peer_session *
session_new(struct peers *p, enum hs_role role, const uint8_t key[HS_KEY])
{
	struct peer_session	*s;

	if (p->nsessions >= PEER_MAX_SESSIONS)
		return (NULL);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (NULL);
	s->hs = sodium_malloc(sizeof(*s->hs));
	s->tx = sodium_malloc(sizeof(*s->tx));
	s->rx = sodium_malloc(sizeof(*s->rx));
	if (s->hs == NULL || s->tx == NULL || s->rx == NULL) {
		sodium_free(s->hs);
		sodium_free(s->tx);
		sodium_free(s->rx);
		free(s);
		return (NULL);
	}
	hs_init(s->hs, role, key);
	s->owner = p;
	s->id = ++p->next_id;
	s->refs = 1;
	s->state = PS_HELLO;
	chain_init(&s->known);
	/* Until the peer has proved itself, only handshake-sized frames. */
	frame_reader_init(&s->fr, PEER_MAX_HANDSHAKE_FRAME);
	uv_tcp_init(p->loop, &s->tcp);
	s->tcp.data = s;
	uv_timer_init(p->loop, &s->timer);
	s->timer.data = s;
	uv_timer_start(&s->timer, session_timeout_cb, PEER_HANDSHAKE_MS, 0);
	s->next = p->sessions;
	if (p->sessions != NULL)
		p->sessions->prev = s;
	p->sessions = s;
	p->nsessions++;
	return (s);
}

static void
session_timeout_cb(uv_timer_t *t)
{
	session_close(t->data, "handshake timed out");
}

static void
session_unref(struct peer_session *s)
{
	if (--s->refs > 0)
		return;
	/* Each batch held a ref until it was done, so none is running. */
	while (s->nchecks > 0) {
		sigcheck_free(s->checks[s->check_first]);
		s->check_first = (s->check_first + 1) % PEER_MAX_CHECKS;
		s->nchecks--;
	}
	free(s->held);
	sodium_free(s->hs);
	sodium_free(s->tx);
	sodium_free(s->rx);
	frame_reader_finish(&s->fr);
	chain_finish(&s->known);
	free(s);
}

static void
session_close_cb(uv_handle_t *h)
{
	session_unref(h->data);
}

/*
 * End a session. A ready session says goodbye with TAG_FINAL first; its
 * target (if any) is retried later.
 */
static void
session_close(struct peer_session *s, const char *why)
{
	struct peers		*p = s->owner;
	struct peer_target	*t;
	msgpack_sbuffer		 sb;
	bool			 refused = false;

	if (s->closing)
		return;
	if (s->state == PS_READY && why == NULL) {
		msgpack_sbuffer_init(&sb);
		msgpack_sbuffer_write(&sb, "\x90", 1);	/* [] */
		session_send(s, &sb, true);
		msgpack_sbuffer_destroy(&sb);
	}
	s->closing = true;
	if (why != NULL)
		log_info("peer %u (%s): closed: %s", s->id, s->addr, why);
	if (s->target != NULL) {
		t = s->target;
		t->session = NULL;
		if (why != NULL)
			snprintf(t->last_error, sizeof(t->last_error), "%s",
			    why);
		if (t->join && why != NULL && !p->closing)
			refused = session_join_refused(s);
		if (!p->closing && !refused)
			target_schedule(t, why != NULL);
		s->target = NULL;
	}
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		p->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	p->nsessions--;
	s->refs++;			/* the timer's close callback */
	uv_close((uv_handle_t *)&s->timer, session_close_cb);
	uv_close((uv_handle_t *)&s->tcp, session_close_cb);
	if (refused)
		peers_join_refused(p, s->addr);
}

/*
 * A joining session closed: did the inviter hang up on our hello (again)?
 * An inviter that cannot open our hello closes without a word, as it
 * does for any stranger; twice running means the code is not one it
 * holds. Return true when the join should end now.
 */
static bool
session_join_refused(const struct peer_session *s)
{
	struct peer_target	*t = s->target;

	if (s->state != PS_HELLO || !s->hello_sent) {
		t->join_refusals = 0;
		return (false);
	}
	return (++t->join_refusals >= PEER_JOIN_REFUSALS);
}

static void
session_write_cb(uv_write_t *req, int status)
{
	struct peer_write	*w = (struct peer_write *)req;
	struct peer_session	*s = w->s;

	s->queued -= w->len;
	free(w);
	if (status < 0) {
		if (status != UV_ECANCELED)
			session_close(s, uv_strerror(status));
		return;
	}
	if (!s->closing && s->state == PS_READY &&
	    s->queued < PEER_HIGH_WATER / 2)
		session_pump(s);
}

/* Write one frame (header added here). Return 0 or a negative errno. */
static int
session_write(struct peer_session *s, const uint8_t *body, size_t len)
{
	struct peer_write	*w;
	uv_buf_t		 buf;
	int			 rc;

	if (s->closing)
		return (-EPIPE);
	if ((w = malloc(sizeof(*w) + FRAME_HEADER + len)) == NULL)
		return (-ENOMEM);
	frame_put_header(w->data, (uint32_t)len);
	memcpy(w->data + FRAME_HEADER, body, len);
	w->len = FRAME_HEADER + len;
	w->s = s;
	buf = uv_buf_init((char *)w->data, (unsigned)w->len);
	if ((rc = uv_write(&w->req, (uv_stream_t *)&s->tcp, &buf, 1,
	    session_write_cb)) < 0) {
		free(w);
		return (rc);
	}
	s->queued += w->len;
	return (0);
}

/* Encrypt a peer message into the stream and write it. */
static int
session_send(struct peer_session *s, msgpack_sbuffer *msg, bool final)
{
	uint8_t	*ct;
	size_t	 n = msg->size + SS_ABYTES;
	int	 rc;

	if (msg->size > PEER_MAX_FRAME)
		return (-PROTO_E_TOOBIG);
	if ((ct = malloc(n)) == NULL)
		return (-ENOMEM);
	crypto_secretstream_xchacha20poly1305_push(s->tx, ct, NULL,
	    (const uint8_t *)msg->data, msg->size, NULL, 0, final ?
	    crypto_secretstream_xchacha20poly1305_TAG_FINAL :
	    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
	rc = session_write(s, ct, n);
	free(ct);
	return (rc);
}

/* Send an error code (never text) and end the session. */
static void
session_error(struct peer_session *s, int code)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;

	if (s->state >= PS_IDENT && s->state != PS_HEADER) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		peermsg_pack_error(&pk, code);
		session_send(s, &sb, true);
		msgpack_sbuffer_destroy(&sb);
	}
	session_close(s, proto_strerror(code));
}

static void
session_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct peer_session	*s = h->data;
	uint8_t			*space;
	size_t			 avail;

	if (frame_reader_reserve(&s->fr, suggested, &space, &avail) < 0) {
		*buf = uv_buf_init(NULL, 0);
		return;
	}
	*buf = uv_buf_init((char *)space, (unsigned)avail);
}

static void
session_read_cb(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct peer_session	*s = st->data;

	if (nread == 0)
		return;
	if (nread < 0) {
		session_close(s, nread == UV_EOF ? "connection lost" :
		    nread == UV_ENOBUFS ? "frame too large" :
		    uv_strerror((int)nread));
		return;
	}
	frame_reader_commit(&s->fr, (size_t)nread);
	session_process(s);
}

/*
 * Must frames wait? They do while PEER_MAX_CHECKS batches are being
 * checked, while a message waits for the batches before it, and while
 * the event log's queue could not take one more batch beside those.
 */
static bool
session_blocked(struct peer_session *s)
{
	return (s->nchecks >= PEER_MAX_CHECKS || s->held != NULL ||
	    eventlog_npending(s->owner->log) + s->nchecking +
	    PEER_MAX_EVENTS > EVENTLOG_MAX_PENDING);
}

/*
 * Handle whole frames. While they must wait, stop reading: the frames
 * wait in the reader (which holds one frame at most) and resume after
 * a check or a commit.
 */
static void
session_process(struct peer_session *s)
{
	const uint8_t	*body;
	size_t		 len;
	int		 rc;

	s->refs++;
	while (!s->closing) {
		if (session_blocked(s)) {
			if (!s->paused)
				uv_read_stop((uv_stream_t *)&s->tcp);
			s->paused = true;
			break;
		}
		if ((rc = frame_reader_next(&s->fr, &body, &len)) == 0)
			break;
		if (rc > 0)
			rc = session_frame(s, (uint8_t *)body, len);
		if (rc < 0) {
			session_error(s, rc);
			break;
		}
	}
	session_unref(s);
}

static int
session_frame(struct peer_session *s, uint8_t *body, size_t len)
{
	unsigned long long	mlen;
	unsigned char		tag;

	if (s->state == PS_HELLO)
		return (session_hello(s, body, len));
	if (s->state == PS_HEADER)
		return (session_header(s, body, len));
	/* Not in place: the cipher may not tolerate m = c - 1. */
	if (len < SS_ABYTES || len - SS_ABYTES > PEER_MAX_FRAME ||
	    crypto_secretstream_xchacha20poly1305_pull(s->rx,
	    s->owner->plain, &mlen, &tag, body, len, NULL, 0) != 0)
		return (-PROTO_E_AUTH);
	return (session_plain(s, s->owner->plain, (size_t)mlen,
	    tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL));
}

/*
 * One decrypted message; final if it came with TAG_FINAL. While events
 * are being checked, anything but more events (a goodbye, HEADS, even a
 * malformed message) waits for them, so that messages still take effect
 * in the order they came.
 */
static int
session_plain(struct peer_session *s, const uint8_t *body, size_t len,
    bool final)
{
	msgpack_unpacked	up;
	struct peermsg		m;
	int			rc;

	msgpack_unpacked_init(&up);
	rc = peermsg_decode(body, len, &up, &m);
	if (s->nchecks > 0 && (final || rc < 0 || m.type != PM_EVENTS)) {
		msgpack_unpacked_destroy(&up);
		return (session_hold(s, body, len, final));
	}
	if (final) {
		/* The goodbye: an empty array, or an ERROR with the code. */
		if (rc == 0 && m.type == PM_ERROR)
			session_message(s, &m);
		else
			session_close(s, s->state == PS_READY ?
			    "peer said goodbye" : "peer refused");
		rc = 0;
	} else if (rc == 0)
		rc = session_message(s, &m);
	msgpack_unpacked_destroy(&up);
	return (rc);
}

/*
 * Keep a copy of a decrypted message until the batches before it are
 * taken (session_unhold); frames stop meanwhile. Return 0 or
 * -PROTO_E_INTERNAL.
 */
static int
session_hold(struct peer_session *s, const uint8_t *body, size_t len,
    bool final)
{
	if ((s->held = malloc(len > 0 ? len : 1)) == NULL)
		return (-PROTO_E_INTERNAL);
	memcpy(s->held, body, len);
	s->held_len = len;
	s->held_final = final;
	return (0);
}

/* The batches before the held message are taken: handle it now. */
static void
session_unhold(struct peer_session *s)
{
	uint8_t	*held = s->held;
	int	 rc;

	s->held = NULL;
	rc = session_plain(s, held, s->held_len, s->held_final);
	free(held);
	if (rc < 0)
		session_error(s, rc);
}

/* ---- the handshake ---- */

/*
 * The peer's hello. A server tries the network key, then each open
 * invite; no match means silence: close without a word.
 */
static int
session_hello(struct peer_session *s, const uint8_t *in, size_t len)
{
	struct peers	*p = s->owner;
	struct invite	*inv;
	uint8_t		 hello[HS_HELLO_LEN], header[SS_HEADER];
	uint32_t	 k;
	int		 it = 0, rc;

	rc = hs_check_hello(s->hs, in, len);
	for (k = 1; rc < 0 && s->hs->role == HS_SERVER && k < p->nnet; k++) {
		memcpy(s->hs->key, p->net_key + k * HS_KEY, HS_KEY);
		rc = hs_check_hello(s->hs, in, len);
	}
	if (rc < 0 && s->hs->role == HS_SERVER) {
		while ((inv = pairing_next(&p->pairing, eventlog_now(p->log),
		    &it)) != NULL) {
			memcpy(s->hs->key, inv->key, HS_KEY);
			if ((rc = hs_check_hello(s->hs, in, len)) == 0) {
				inv->used = true;	/* one attempt */
				s->invite = inv;
				break;
			}
		}
	}
	if (rc < 0) {
		session_close(s, "not of this family");
		return (0);
	}
	if (s->hs->role == HS_SERVER) {
		hs_hello(s->hs, hello);
		if ((rc = session_write(s, hello, sizeof(hello))) < 0)
			return (rc);
	}
	crypto_secretstream_xchacha20poly1305_init_push(s->tx, header,
	    s->hs->tx);
	s->state = PS_HEADER;
	return (session_write(s, header, sizeof(header)));
}

static int
session_header(struct peer_session *s, const uint8_t *in, size_t len)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	int		rc;

	if (len != SS_HEADER || crypto_secretstream_xchacha20poly1305_init_pull(
	    s->rx, in, s->hs->rx) != 0)
		return (-PROTO_E_AUTH);
	if (s->hs->role == HS_SERVER) {
		s->state = PS_IDENT;
		return (0);
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	peermsg_pack_ident(&pk, s->owner->keys->device_pk,
	    s->target != NULL && s->target->join ? s->target->join_name : NULL,
	    s->target != NULL && s->target->join);
	rc = session_send(s, &sb, false);
	msgpack_sbuffer_destroy(&sb);
	s->state = PS_AUTH;
	return (rc);
}

static int
session_message(struct peer_session *s, const struct peermsg *m)
{
	if (m->type == PM_ERROR) {
		log_info("peer %u (%s): refused us: %s", s->id, s->addr,
		    proto_strerror((int)m->code));
		if (s->target != NULL)
			snprintf(s->target->last_error,
			    sizeof(s->target->last_error), "refused: %s",
			    proto_strerror((int)m->code));
		session_close(s, "peer refused us");
		return (0);
	}
	switch (s->state) {
	case PS_IDENT:
		return (m->type == PM_IDENT ? session_ident(s, m) :
		    -PROTO_E_MALFORMED);
	case PS_AUTH:
		return (m->type == PM_AUTH ? session_auth(s, m) :
		    -PROTO_E_MALFORMED);
	case PS_ACK:
		return (m->type == PM_ACK ? session_ack(s, m) :
		    -PROTO_E_MALFORMED);
	case PS_FAMILY:
		return (m->type == PM_FAMILY ? session_family(s, m) :
		    -PROTO_E_MALFORMED);
	case PS_READY:
		if (m->type == PM_FAMILY && s->target != NULL &&
		    s->target->join)
			return (session_family(s, m));
		if (m->type == PM_HEADS)
			return (session_heads(s, m));
		if (m->type == PM_EVENTS)
			return (session_events(s, m));
		return (-PROTO_E_MALFORMED);
	default:
		return (-PROTO_E_MALFORMED);
	}
}

/* Server: who is calling? A member device, or a joiner with an invite. */
static int
session_ident(struct peer_session *s, const struct peermsg *m)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	uint8_t		sig[64];
	int		rc;

	if (s->invite != NULL) {
		if (!m->join || m->name == NULL || m->name_len == 0)
			return (-PROTO_E_PERM);
		if (peers_authorised(s->owner, m->device))
			return (-PROTO_E_EXISTS);
		if (kinds_check_name("name", m->name, m->name_len, NULL) < 0)
			return (-PROTO_E_INVALID);
		snprintf(s->name, sizeof(s->name), "%.*s", (int)m->name_len,
		    m->name);
	} else if (m->join || !peers_authorised(s->owner, m->device))
		return (-PROTO_E_PERM);
	memcpy(s->device, m->device, ENV_PK);
	hs_sign(s->hs, s->owner->keys->device_sk, s->device, sig);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	peermsg_pack_auth(&pk, s->owner->keys->device_pk, sig);
	rc = session_send(s, &sb, false);
	msgpack_sbuffer_destroy(&sb);
	s->state = PS_ACK;
	return (rc);
}

/* Client: the server proved its device key; prove ours. */
static int
session_auth(struct peer_session *s, const struct peermsg *m)
{
	struct peer_target	*t = s->target;
	msgpack_sbuffer		 sb;
	msgpack_packer		 pk;
	uint8_t			 sig[64];
	int			 rc;

	if (hs_verify(s->hs, m->device, s->owner->keys->device_pk,
	    m->sig) < 0)
		return (-PROTO_E_AUTH);
	if (t != NULL && t->join) {
		if (memcmp(m->device, t->join_fp, PAIRING_FP) != 0)
			return (-PROTO_E_AUTH);
	} else if (!peers_authorised(s->owner, m->device))
		return (-PROTO_E_PERM);
	memcpy(s->device, m->device, ENV_PK);
	hs_sign(s->hs, s->owner->keys->device_sk, s->device, sig);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	peermsg_pack_ack(&pk, sig);
	rc = session_send(s, &sb, false);
	msgpack_sbuffer_destroy(&sb);
	if (rc < 0)
		return (rc);
	if (t != NULL && t->join) {
		s->state = PS_FAMILY;
		return (0);
	}
	session_ready(s);
	return (0);
}

/* Server: the client proved its key. Admit a joiner, then sync. */
static int
session_ack(struct peer_session *s, const struct peermsg *m)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	int		rc;

	if (hs_verify(s->hs, s->device, s->owner->keys->device_pk,
	    m->sig) < 0)
		return (-PROTO_E_AUTH);
	if (s->invite == NULL) {
		session_ready(s);
		return (0);
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	mp_pack_kv_str(&pk, "t", "device.add");
	mp_pack_kv_bin(&pk, "device", s->device, ENV_PK);
	mp_pack_kv_str(&pk, "name", s->name);
	s->refs++;
	rc = eventlog_append(s->owner->log, (const uint8_t *)sb.data, sb.size,
	    session_admitted, s);
	msgpack_sbuffer_destroy(&sb);
	if (rc < 0) {
		s->refs--;
		return (rc);
	}
	s->state = PS_ADMIT;
	return (0);
}

/* device.add is durable: hand over the family key, then sync. */
static void
session_admitted(void *arg, int rc, const struct view_entry *ve)
{
	struct peer_session	*s = arg;
	struct keys		*k = s->owner->keys;
	msgpack_sbuffer		 sb;
	msgpack_packer		 pk;
	uint32_t		 i;

	if (!s->closing && rc < 0)
		session_error(s, rc);
	if (s->closing || rc < 0) {
		session_unref(s);
		return;
	}
	/* Every epoch, oldest first, so the whole history is readable. */
	for (i = 0, rc = 0; i < k->nepochs && rc == 0; i++) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		peermsg_pack_family(&pk, k->family_id, k->epoch_ids[i],
		    k->epoch_keys + i * ENV_KEY);
		rc = session_send(s, &sb, false);
		sodium_memzero(sb.data, sb.size);
		msgpack_sbuffer_destroy(&sb);
	}
	log_info("peer %u: admitted device '%s'", s->id, s->name);
	if (rc < 0)
		session_close(s, "write failed");
	else
		session_ready(s);
	session_unref(s);
}

/* Joining client: adopt the family key, durably, then sync. */
static int
session_family(struct peer_session *s, const struct peermsg *m)
{
	struct peers	*p = s->owner;
	char		*cause = NULL;
	int		 rc;

	if (m->epoch >= ENV_EPOCH_PRIVATE)
		return (-PROTO_E_INVALID);
	if (s->state == PS_READY) {	/* a further epoch of the family */
		if (memcmp(m->family_id, p->keys->family_id,
		    ENV_FAMILY_ID) != 0)
			return (-PROTO_E_AUTH);
		rc = keys_add_epoch(p->keys, p->data_dir, m->epoch, m->key,
		    &cause);
		free(cause);
		peers_key_changed(p);
		return (rc < 0 ? -PROTO_E_STORE : 0);
	}
	rc = eventlog_join_family(p->log, p->data_dir, m->family_id, m->epoch,
	    m->key, &cause);
	if (rc < 0) {
		log_warnx("peer %u: cannot join: %s", s->id,
		    cause ? cause : proto_strerror(rc));
		free(cause);
		return (rc);
	}
	peers_key_changed(p);
	log_info("peer %u: joined the family", s->id);
	session_ready(s);
	return (0);
}

/*
 * Sessions to one device are ranked the same way on both sides: by the
 * client's device key, then by the client's ephemeral key (two sessions
 * dialled the same way). Both sides keep the lower one.
 */
static int
session_rank_cmp(const struct peer_session *a, const struct peer_session *b)
{
	const uint8_t	*me = a->owner->keys->device_pk;
	int		 c;

	c = memcmp(a->hs->role == HS_CLIENT ? me : a->device,
	    b->hs->role == HS_CLIENT ? me : b->device, ENV_PK);
	if (c != 0)
		return (c);
	return (memcmp(a->hs->role == HS_CLIENT ? a->hs->eph_pk :
	    a->hs->peer_eph, b->hs->role == HS_CLIENT ? b->hs->eph_pk :
	    b->hs->peer_eph, 32));
}

/* A READY session with device other than s, or NULL. */
static struct peer_session *
session_with(struct peers *p, const uint8_t *device,
    const struct peer_session *s)
{
	struct peer_session	*o;

	for (o = p->sessions; o != NULL; o = o->next) {
		if (o != s && !o->closing && o->state == PS_READY &&
		    memcmp(o->device, device, ENV_PK) == 0)
			return (o);
	}
	return (NULL);
}

/* Both sides proved who they are: keep one session per device, sync. */
static void
session_ready(struct peer_session *s)
{
	struct peer_session	*o;

	uv_timer_stop(&s->timer);
	s->state = PS_READY;
	s->fr.max = PEER_MAX_FRAME + SS_ABYTES;
	if (s->target != NULL) {
		memcpy(s->target->device, s->device, ENV_PK);
		s->target->has_device = true;
	}
	if ((o = session_with(s->owner, s->device, s)) != NULL) {
		if (session_rank_cmp(s, o) > 0) {
			session_close(s, "duplicate session");
			return;
		}
		session_close(o, "duplicate session");
	}
	if (s->target != NULL) {
		bool	first = s->target->last_ok_ms == 0;

		s->target->attempts = 0;
		s->target->last_error[0] = '\0';
		s->target->last_ok_ms = eventlog_now(s->owner->log);
		if (first && s->target->discovered)
			peers_save_targets(s->owner);
	}
	log_info("peer %u (%s): ready", s->id, s->addr);
	session_send_heads(s);
}

/* ---- sync ---- */

static int
session_send_heads(struct peer_session *s)
{
	const struct chain	*h = eventlog_heads(s->owner->log);
	msgpack_sbuffer		 sb;
	msgpack_packer		 pk;
	size_t			 i, n = 0;
	int			 rc;

	for (i = 0; i < h->n; i++)
		n += h->v[i].seq > 0;
	if (n > PEER_MAX_HEADS)
		n = PEER_MAX_HEADS;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	peermsg_pack_heads_begin(&pk, (uint32_t)n);
	for (i = 0; i < h->n && n > 0; i++) {
		if (h->v[i].seq == 0)
			continue;
		peermsg_pack_head(&pk, h->v[i].pk, h->v[i].seq, h->v[i].head);
		n--;
	}
	rc = session_send(s, &sb, false);
	msgpack_sbuffer_destroy(&sb);
	return (rc);
}

/* Does our entry at the peer's head seq differ from the peer's head? */
static bool
session_head_differs(struct peer_session *s, const struct chain_author *me,
    const struct peermsg_head *h)
{
	uint8_t	id[ENV_ID];

	if (h->seq == me->seq)
		return (memcmp(me->head, h->id, ENV_ID) != 0);
	if (eventlog_id_at(s->owner->log, h->author, h->seq, id) < 0)
		return (false);
	return (memcmp(id, h->id, ENV_ID) != 0);
}

/* The peer's heads: what it has. Anything beyond is what we send. */
static int
session_heads(struct peer_session *s, const struct peermsg *m)
{
	const struct chain	*mine = eventlog_heads(s->owner->log);
	struct chain_author	*a;
	const struct chain_author *me;
	struct peermsg_head	 h;
	uint32_t		 i;
	int			 rc;

	chain_finish(&s->known);
	chain_init(&s->known);
	s->needed = 0;
	s->have_heads = true;
	for (i = 0; i < m->list->via.array.size; i++) {
		if ((rc = peermsg_head(m, i, &h)) < 0)
			return (rc);
		if ((rc = chain_add(&s->known, h.author, &a)) < 0)
			return (rc);
		a->seq = h.seq;
		memcpy(a->head, h.id, ENV_ID);
		me = chain_find(mine, h.author);
		if (me == NULL || me->seq < h.seq)
			s->needed += h.seq - (me != NULL ? me->seq : 0);
		else if (session_head_differs(s, me, &h)) {
			/* Same author, same seq, another entry: a fork. Send
			 * ours from there; the peer will keep it as evidence
			 * and send us theirs. */
			a->seq = h.seq - 1;
		}
	}
	if (s->owner->join_cb != NULL && s->target != NULL &&
	    s->target->join) {
		chain_copy(&s->owner->join_target, &s->known);
		s->owner->join_heads = true;
		peers_join_check(s->owner);
	}
	session_pump(s);
	return (0);
}

/*
 * Events from the peer: their signatures are checked on the thread pool
 * (sigcheck.c), every core at once. Up to PEER_MAX_CHECKS messages are
 * checked while the loop takes the ones before; they join a queue and
 * are taken from its front only (session_drain), so events are still
 * taken strictly in order. Each batch holds a ref until it is done.
 */
static int
session_events(struct peer_session *s, const struct peermsg *m)
{
	const uint8_t	*blobs[PEER_MAX_EVENTS];
	size_t		 lens[PEER_MAX_EVENTS];
	uint32_t	 i, n = m->list->via.array.size;
	unsigned	 slot;
	int		 rc;

	for (i = 0; i < n; i++) {
		if ((rc = peermsg_event(m, i, &blobs[i], &lens[i])) < 0)
			return (rc);
	}
	if (n == 0)
		return (0);
	slot = (s->check_first + s->nchecks) % PEER_MAX_CHECKS;
	if ((rc = sigcheck_start(s->owner->loop, blobs, lens, n,
	    session_checked, s, &s->checks[slot])) < 0)
		return (rc);
	s->nchecks++;
	s->nchecking += n;
	s->refs++;
	return (0);
}

/*
 * The batch's signatures are checked: hand each event to the event log
 * (chain, authorship, AEAD, queue). A bad event ends the session and
 * nothing after it is taken; an event whose author is not admitted here
 * yet (or that finds the queue full) is asked for again later.
 */
static int
session_ingest(struct peer_session *s, const struct sigcheck *sc)
{
	struct chain_author	*a;
	const struct envelope	*e;
	uint32_t		 i;
	int			 rc;

	for (i = 0; i < sigcheck_count(sc); i++) {
		/* Only checked events are taken: reuse the check's parse. */
		rc = sigcheck_ok(sc, i) ? eventlog_ingest_env(s->owner->log,
		    sigcheck_envelope(sc, i), true) : -PROTO_E_AUTH;
		if (rc == -PROTO_E_PERM || rc == -PROTO_E_CHAIN ||
		    rc == -PROTO_E_BUSY) {
			if (s->resyncs++ >= PEER_MAX_RESYNC)
				return (rc);
			s->want_heads = true;
			return (0);
		}
		if (rc == -PROTO_E_EXISTS)
			continue;	/* a fork: kept as evidence */
		if (rc < 0) {
			log_info("peer %u (%s): rejected an event: %s", s->id,
			    s->addr, proto_strerror(rc));
			return (rc);
		}
		e = sigcheck_envelope(sc, i);
		if (chain_add(&s->known, e->author, &a) == 0 &&
		    e->seq > a->seq) {
			a->seq = e->seq;
			memcpy(a->head, e->id, ENV_ID);
		}
		s->received += rc == 1;
	}
	return (0);
}

/* A batch is checked; batches may finish in any order. */
static void
session_checked(void *arg, struct sigcheck *sc)
{
	struct peer_session	*s = arg;

	(void)sc;
	session_drain(s);
	/* Nothing queued: what we have is durable, ask again at once. */
	if (!s->closing && s->want_heads &&
	    !eventlog_pending(s->owner->log)) {
		s->want_heads = false;
		session_send_heads(s);
	}
	session_resume(s);
	session_unref(s);
}

/*
 * Take the checked batches at the front of the queue, oldest first; one
 * checked before an older batch waits for it. An error ends the session
 * and nothing after it is taken: a closing session only frees them.
 * Once no batch is left, a held message is handled.
 */
static void
session_drain(struct peer_session *s)
{
	struct sigcheck	*sc;
	int		 rc;

	while (s->nchecks > 0 && sigcheck_done(s->checks[s->check_first])) {
		sc = s->checks[s->check_first];
		s->checks[s->check_first] = NULL;
		s->check_first = (s->check_first + 1) % PEER_MAX_CHECKS;
		s->nchecks--;
		s->nchecking -= sigcheck_count(sc);
		if (!s->closing && (rc = session_ingest(s, sc)) < 0)
			session_error(s, rc);
		sigcheck_free(sc);
	}
	if (!s->closing && s->nchecks == 0 && s->held != NULL)
		session_unhold(s);
}

/* Read again and take buffered frames, if nothing holds us back. */
static void
session_resume(struct peer_session *s)
{
	if (s->closing || session_blocked(s))
		return;
	if (s->paused) {
		s->paused = false;
		uv_read_start((uv_stream_t *)&s->tcp, session_alloc_cb,
		    session_read_cb);
	}
	session_process(s);
}

struct pump_batch {
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	uint32_t	 n;
	size_t		 bytes;
	uint64_t	 last;
};

static int
pump_row(const struct store_row *r, void *arg)
{
	struct pump_batch	*b = arg;

	if (b->n > 0 && b->bytes + r->env_len > PEER_BATCH_BYTES)
		return (1);
	mp_pack_bin(&b->pk, r->env, r->env_len);
	b->n++;
	b->bytes += r->env_len;
	b->last = r->seq;
	return (0);
}

/*
 * Send what the peer lacks, author by author in our table's order (the
 * order authors joined, so a device.add precedes its device's events),
 * until the write queue is full; the write callback calls us again.
 */
static void
session_pump(struct peer_session *s)
{
	const struct chain	*mine = eventlog_heads(s->owner->log);
	struct chain_author	*k;
	struct pump_batch	 b;
	msgpack_sbuffer		 msg;
	msgpack_packer		 pk;
	size_t			 i;
	uint64_t		 have;

	/* Until the peer said what it has, we would send it everything. */
	if (!s->have_heads)
		return;
	for (i = 0; i < mine->n && !s->closing; i++) {
		if (s->queued >= PEER_HIGH_WATER)
			return;
		k = chain_find(&s->known, mine->v[i].pk);
		have = k != NULL ? k->seq : 0;
		if (mine->v[i].seq <= have)
			continue;
		memset(&b, 0, sizeof(b));
		msgpack_sbuffer_init(&b.sb);
		msgpack_packer_init(&b.pk, &b.sb, msgpack_sbuffer_write);
		if (eventlog_read(s->owner->log, mine->v[i].pk, have + 1,
		    PEER_MAX_EVENTS, pump_row, &b) < 0 || b.n == 0) {
			msgpack_sbuffer_destroy(&b.sb);
			continue;
		}
		msgpack_sbuffer_init(&msg);
		msgpack_packer_init(&pk, &msg, msgpack_sbuffer_write);
		peermsg_pack_events_begin(&pk, b.n);
		msgpack_sbuffer_write(&msg, b.sb.data, b.sb.size);
		msgpack_sbuffer_destroy(&b.sb);
		if (session_send(s, &msg, false) < 0) {
			msgpack_sbuffer_destroy(&msg);
			session_close(s, "write failed");
			return;
		}
		msgpack_sbuffer_destroy(&msg);
		s->sent += b.n;
		if (chain_add(&s->known, mine->v[i].pk, &k) == 0)
			k->seq = b.last;
		i--;		/* same author again: more may follow */
	}
}

/*
 * After each group commit: resume paused readers, answer resync
 * requests, push what is new to every ready peer, and see whether a
 * join has caught up.
 */
void
peers_pump(struct peers *p)
{
	struct peer_session	*s, *next;

	for (s = p->sessions; s != NULL; s = next) {
		next = s->next;
		session_resume(s);
		if (s->closing || s->state != PS_READY)
			continue;
		/* Removed since the handshake: refuse it now. (A device not
		 * yet known here, e.g. the inviter of a join still catching
		 * up, is not refused: it proved itself in the handshake.) */
		if (peers_removed(p, s->device)) {
			session_error(s, -PROTO_E_PERM);
			continue;
		}
		if (s->want_heads) {
			s->want_heads = false;
			session_send_heads(s);
		}
		session_pump(s);
	}
	if (p->join_cb != NULL)
		peers_join_check(p);
}

/* ---- accepting and dialling ---- */

static void
session_set_addr(struct peer_session *s)
{
	struct sockaddr_storage	ss;
	int			len = sizeof(ss);
	char			ip[48] = "?";

	if (uv_tcp_getpeername(&s->tcp, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6)
			uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof(ip));
		else
			uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof(ip));
		snprintf(s->addr, sizeof(s->addr), "%s:%u", ip,
		    ntohs(((struct sockaddr_in *)&ss)->sin_port));
	}
}

/* Sessions still in their handshake: strangers cannot hold more. */
static unsigned
peers_handshaking(const struct peers *p)
{
	const struct peer_session	*s;
	unsigned			 n = 0;

	for (s = p->sessions; s != NULL; s = s->next)
		n += s->state != PS_READY;
	return (n);
}

static void
peers_accept_cb(uv_stream_t *server, int status)
{
	struct peers		*p = server->data;
	struct peer_session	*s;
	uv_tcp_t		 reject;

	if (status < 0)
		return;
	if (peers_handshaking(p) >= PEER_MAX_HANDSHAKING ||
	    (s = session_new(p, HS_SERVER, p->net_key)) == NULL) {
		/* Over the cap: take the connection and drop it. */
		uv_tcp_init(p->loop, &reject);
		if (uv_accept(server, (uv_stream_t *)&reject) == 0)
			uv_close((uv_handle_t *)&reject, NULL);
		return;
	}
	if (uv_accept(server, (uv_stream_t *)&s->tcp) < 0) {
		session_close(s, "accept failed");
		return;
	}
	session_set_addr(s);
	uv_tcp_nodelay(&s->tcp, 1);
	uv_tcp_keepalive(&s->tcp, 1, 30);
	uv_read_start((uv_stream_t *)&s->tcp, session_alloc_cb,
	    session_read_cb);
	log_debug("peer %u (%s): accepted", s->id, s->addr);
}

static struct peer_target *
target_find(struct peers *p, const char *host, const char *port)
{
	struct peer_target	*t;

	for (t = p->targets; t != NULL; t = t->next) {
		if (!t->removed && strcmp(t->host, host) == 0 &&
		    strcmp(t->port, port) == 0)
			return (t);
	}
	return (NULL);
}

/*
 * Split "HOST:PORT" ("[IPv6]:PORT") into host (brackets dropped) and
 * port, which must be digits in [min_port, 65535]: the one parser of
 * every address attuned is given. Return 0 or -PROTO_E_INVALID.
 */
int
peers_split_hostport(const char *hp, long min_port, char *host,
    size_t hsize, uint16_t *port)
{
	const char	*colon = strrchr(hp, ':');
	const char	*h = hp;
	size_t		 hlen;
	long		 n;
	char		*end;

	/* Digits only: strtol alone would take " 5", "+5" and "". */
	if (colon == NULL || colon == hp ||
	    !isdigit((unsigned char)colon[1]))
		return (-PROTO_E_INVALID);
	hlen = (size_t)(colon - hp);
	if (h[0] == '[' && colon[-1] == ']') {
		h++;
		hlen -= 2;
	}
	n = strtol(colon + 1, &end, 10);
	if (*end != '\0' || n < min_port || n > 65535 || hlen == 0 ||
	    hlen >= hsize)
		return (-PROTO_E_INVALID);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (uint16_t)n;
	return (0);
}

/* A peer's address: its port as the string targets keep. */
static int
split_hostport(const char *hp, char *host, size_t hsize, char *port,
    size_t psize)
{
	uint16_t	n;

	if (peers_split_hostport(hp, 1, host, hsize, &n) < 0)
		return (-PROTO_E_INVALID);
	snprintf(port, psize, "%u", n);
	return (0);
}

/* A new target, or a removed one reused (its timer stays initialised). */
static struct peer_target *
target_new(struct peers *p, const char *host, const char *port)
{
	struct peer_target	*t, *reuse = NULL;
	unsigned		 n = 0;

	for (t = p->targets; t != NULL; t = t->next) {
		if (!t->removed)
			n++;
		else if (!t->busy && t->session == NULL)
			reuse = t;
	}
	if (n >= PEER_MAX_TARGETS)
		return (NULL);
	if ((t = reuse) != NULL) {
		struct peer_target	*next = t->next;
		uv_timer_t		 timer = t->timer;

		memset(t, 0, sizeof(*t));
		t->next = next;
		t->timer = timer;
	} else {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return (NULL);
		uv_timer_init(p->loop, &t->timer);
		t->next = p->targets;
		p->targets = t;
	}
	t->owner = p;
	snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->port, sizeof(t->port), "%s", port);
	t->timer.data = t;
	t->gai.data = t;
	t->connect.data = t;
	return (t);
}

/*
 * Keep a session with hostport. persist: remember it in DATA/peers.
 * Return 0 or -PROTO_E_INVALID with *cause set.
 */
int
peers_add_target(struct peers *p, const char *hostport, bool persist,
    char **cause)
{
	struct peer_target	*t;
	char			 host[64], port[8];

	if (split_hostport(hostport, host, sizeof(host), port,
	    sizeof(port)) < 0) {
		diag_cause(cause, "expected HOST:PORT, not '%s'", hostport);
		return (-PROTO_E_INVALID);
	}
	if ((t = target_find(p, host, port)) == NULL) {
		if ((t = target_new(p, host, port)) == NULL) {
			diag_cause(cause, "too many peers (at most %d)",
			    PEER_MAX_TARGETS);
			return (-PROTO_E_BUSY);
		}
		target_schedule(t, false);
	}
	if (persist && !t->persist) {
		t->persist = true;
		peers_save_targets(p);
	}
	return (0);
}

int
peers_remove_target(struct peers *p, const char *hostport)
{
	struct peer_target	*t;
	char			 host[64], port[8];

	if (split_hostport(hostport, host, sizeof(host), port,
	    sizeof(port)) < 0 || (t = target_find(p, host, port)) == NULL)
		return (-PROTO_E_NOTFOUND);
	t->persist = false;
	peers_save_targets(p);
	if (t->session != NULL)
		session_close(t->session, "removed");
	t->removed = true;
	uv_timer_stop(&t->timer);
	return (0);
}

/* Discovery heard a family member at host:port. */
void
peers_heard(struct peers *p, const char *host, uint16_t port)
{
	struct peer_target	*t;
	char			 ps[8];

	snprintf(ps, sizeof(ps), "%u", port);
	if ((t = target_find(p, host, ps)) != NULL) {
		if (t->session == NULL && !t->busy) {
			t->attempts = 0;
			target_schedule(t, false);
		}
		return;
	}
	if ((t = target_new(p, host, ps)) == NULL)
		return;
	t->discovered = true;
	log_info("peer: heard a family device at %s:%u", host, port);
	target_schedule(t, false);
}

/* Next attempt: soon at first, then doubling to 30 s, jittered ±25%. */
static void
target_schedule(struct peer_target *t, bool failed)
{
	uint64_t	delay = 0;
	unsigned	shift;

	if (t->removed || t->owner->closing)
		return;
	if (failed || t->attempts > 0) {
		shift = t->attempts < 7 ? t->attempts : 7;
		delay = (uint64_t)PEER_BACKOFF_MIN_MS << shift;
		if (delay > PEER_BACKOFF_MAX_MS)
			delay = PEER_BACKOFF_MAX_MS;
		delay = delay * 3 / 4 + randombytes_uniform(
		    (uint32_t)(delay / 2 + 1));
	}
	t->attempts++;
	uv_timer_start(&t->timer, target_timer_cb, delay, 0);
}

static void
target_timer_cb(uv_timer_t *timer)
{
	struct peer_target	*t = timer->data;
	struct addrinfo		 hints;

	if (t->busy || t->session != NULL || t->removed)
		return;
	if (t->join && t->owner->keys->has_family)
		return;
	/* The device that answers here is already in sync elsewhere. */
	if (t->has_device && session_with(t->owner, t->device, NULL) != NULL) {
		t->attempts = 7;
		target_schedule(t, false);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	t->busy = true;
	if (uv_getaddrinfo(t->owner->loop, &t->gai, target_resolved_cb,
	    t->host, t->port, &hints) < 0) {
		t->busy = false;
		snprintf(t->last_error, sizeof(t->last_error),
		    "cannot resolve");
		target_schedule(t, true);
	}
}

static void
target_resolved_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct peer_target	*t = req->data;
	struct peers		*p = t->owner;
	struct peer_session	*s;
	/* Try older epochs' keys on later attempts: the peer may not have
	 * heard of the newest rotation yet. */
	const uint8_t		*key = t->join ? t->join_key : p->net_key +
				    HS_KEY * ((t->attempts - 1) % (p->nnet ? p->nnet :
				    1));

	t->busy = false;
	if (status < 0 || t->removed || p->closing) {
		if (status < 0 && status != UV_ECANCELED)
			snprintf(t->last_error, sizeof(t->last_error),
			    "cannot resolve: %s", uv_strerror(status));
		uv_freeaddrinfo(res);
		target_schedule(t, true);	/* no-op when removed */
		return;
	}
	if ((s = session_new(p, HS_CLIENT, key)) == NULL) {
		uv_freeaddrinfo(res);
		target_schedule(t, true);
		return;
	}
	s->target = t;
	t->session = s;
	snprintf(s->addr, sizeof(s->addr), "%s:%s", t->host, t->port);
	s->refs++;		/* held by the connect request */
	t->busy = true;
	if (uv_tcp_connect(&t->connect, &s->tcp, res->ai_addr,
	    target_connected_cb) < 0) {
		s->refs--;
		t->busy = false;
		session_close(s, "cannot connect");
	}
	uv_freeaddrinfo(res);
}

static void
target_connected_cb(uv_connect_t *req, int status)
{
	struct peer_target	*t = req->data;
	struct peer_session	*s = (struct peer_session *)req->handle->data;
	uint8_t			 hello[HS_HELLO_LEN];

	t->busy = false;
	if (s->closing) {
		session_unref(s);
		return;
	}
	if (status < 0) {
		session_close(s, uv_strerror(status));
		session_unref(s);
		return;
	}
	uv_tcp_nodelay(&s->tcp, 1);
	uv_tcp_keepalive(&s->tcp, 1, 30);
	uv_read_start((uv_stream_t *)&s->tcp, session_alloc_cb,
	    session_read_cb);
	hs_hello(s->hs, hello);
	if (session_write(s, hello, sizeof(hello)) < 0)
		session_close(s, "write failed");
	else
		s->hello_sent = true;
	session_unref(s);
}

/* Only once the loop has run dry: no callback can reach t any more. */
static void
target_free(struct peer_target *t)
{
	sodium_memzero(t->join_key, sizeof(t->join_key));
	free(t);
}

/* ---- persisted static peers: DATA/peers, one HOST:PORT a line ---- */

/*
 * DATA/peers, one address a line: "HOST:PORT" for a static peer (peers
 * add, or the inviter's typed address), "seen HOST:PORT" for an address
 * discovery found a family device at, to re-probe after a restart.
 */
static void
peers_save_targets(struct peers *p)
{
	struct peer_target	*t;
	char			 path[4200], tmp[4300];
	FILE			*f;
	int			 bad;

	snprintf(path, sizeof(path), "%s/peers", p->data_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		log_warn("peer: cannot save %s", path);
		return;
	}
	for (t = p->targets; t != NULL; t = t->next) {
		if (t->removed || t->join || (!t->persist &&
		    !(t->discovered && t->last_ok_ms > 0)))
			continue;
		fprintf(f, strchr(t->host, ':') ? "%s[%s]:%s\n" : "%s%s:%s\n",
		    t->persist ? "" : "seen ", t->host, t->port);
	}
	bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		log_warn("peer: cannot save %s", path);
		unlink(tmp);
	}
}

static void
peers_load_targets(struct peers *p)
{
	struct peer_target	*t;
	char			 path[4200], line[128], host[64], port[8];
	const char		*addr;
	bool			 seen;
	FILE			*f;

	snprintf(path, sizeof(path), "%s/peers", p->data_dir);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		seen = strncmp(line, "seen ", 5) == 0;
		addr = seen ? line + 5 : line;
		if (addr[0] == '\0' || addr[0] == '#' ||
		    split_hostport(addr, host, sizeof(host), port,
		    sizeof(port)) < 0 || target_find(p, host, port) != NULL ||
		    (t = target_new(p, host, port)) == NULL)
			continue;
		t->persist = !seen;
		t->discovered = seen;
		t->last_ok_ms = seen ? 1 : 0;	/* keep it on the next save */
		target_schedule(t, false);
	}
	fclose(f);
}

/* When this device last had a session with device (now if it has one). */
int64_t
peers_last_seen(const struct peers *p, const uint8_t *device)
{
	const struct peer_target	*t;
	int64_t				 last = 0;

	if (session_with((struct peers *)p, device, NULL) != NULL)
		return (eventlog_now(p->log));
	for (t = p->targets; t != NULL; t = t->next) {
		if (t->has_device && memcmp(t->device, device, ENV_PK) == 0 &&
		    t->last_ok_ms > last)
			last = t->last_ok_ms;
	}
	return (last);
}

/* ---- pairing ---- */

/* Open an invite. Return 0 with the code, or a negative PROTO_E_*. */
int
peers_invite(struct peers *p, int64_t ttl_ms, char *code, size_t size,
    uint8_t key[HS_KEY])
{
	const struct invite	*inv;
	char			 buf[PAIRING_CODE_MAX];
	int			 rc;

	if (!p->keys->has_family)
		return (-PROTO_E_NOFAMILY);
	if (p->listener == NULL)
		return (-PROTO_E_INVALID);
	rc = pairing_create(&p->pairing, p->keys->device_pk,
	    eventlog_now(p->log), ttl_ms, buf, &inv);
	if (rc < 0)
		return (rc);
	snprintf(code, size, "%s", buf);
	memcpy(key, inv->key, HS_KEY);
	return (0);
}

/*
 * Join the family of the inviter at hostport with code; cb runs once
 * the family key is stored and the log has caught up with the inviter's
 * heads (or on failure). Return 0 or a negative code with *cause set.
 */
int
peers_join(struct peers *p, const char *code, const char *name,
    const char *hostport, peers_join_cb cb, void *arg, uint8_t key[HS_KEY],
    char **cause)
{
	uint8_t			 secret[PAIRING_SECRET], fp[PAIRING_FP];
	char			 host[64], port[8];

	if (p->keys->has_family)
		return (-PROTO_E_EXISTS);
	if (p->join_cb != NULL) {
		diag_cause(cause, "a join is already in progress");
		return (-PROTO_E_BUSY);
	}
	if (pairing_parse(code, secret, fp) < 0) {
		diag_cause(cause, "that is not an invite code (check for "
		    "typos)");
		return (-PROTO_E_INVALID);
	}
	if (hostport != NULL && split_hostport(hostport, host, sizeof(host),
	    port, sizeof(port)) < 0) {
		diag_cause(cause, "expected the inviter's HOST:PORT, not '%s'",
		    hostport);
		return (-PROTO_E_INVALID);
	}
	hs_invite_key(p->join_key, secret, sizeof(secret));
	sodium_memzero(secret, sizeof(secret));
	memcpy(p->join_fp, fp, sizeof(fp));
	snprintf(p->join_name, sizeof(p->join_name), "%s", name);
	memcpy(key, p->join_key, HS_KEY);
	p->join_cb = cb;
	p->join_arg = arg;
	p->join_heads = false;
	uv_timer_start(&p->join_timer, peers_join_timeout_cb, PEER_JOIN_MS, 0);
	if (hostport != NULL)
		peers_join_dial(p, host, atoi(port), false);
	return (0);
}

/* Discovery heard the inviter's beacon at host:port. */
void
peers_join_found(struct peers *p, const char *host, uint16_t port)
{
	peers_join_dial(p, host, port, true);
}

static void
peers_join_dial(struct peers *p, const char *host, uint16_t port,
    bool discovered)
{
	struct peer_target	*t;
	char			 ps[8];

	if (p->join_cb == NULL || p->keys->has_family)
		return;
	snprintf(ps, sizeof(ps), "%u", port);
	if ((t = target_find(p, host, ps)) != NULL && t->join)
		return;
	if (t == NULL && (t = target_new(p, host, ps)) == NULL)
		return;
	t->join = true;
	t->discovered = discovered;
	memcpy(t->join_key, p->join_key, HS_KEY);
	memcpy(t->join_fp, p->join_fp, PAIRING_FP);
	snprintf(t->join_name, sizeof(t->join_name), "%s", p->join_name);
	t->attempts = 0;
	target_schedule(t, false);
}

static void
peers_join_done(struct peers *p, int rc, const char *why)
{
	peers_join_cb		 cb = p->join_cb;
	struct peer_target	*t;

	p->join_cb = NULL;
	sodium_memzero(p->join_key, sizeof(p->join_key));
	uv_timer_stop(&p->join_timer);
	for (t = p->targets; t != NULL; t = t->next) {
		if (!t->join)
			continue;
		/* The inviter stays a peer, now keyed by the family; an
		 * address typed with --peer is kept across restarts. */
		t->join = false;
		t->persist = rc == 0 && !t->discovered;
		if (rc != 0) {
			t->removed = true;
			if (t->session != NULL)
				session_close(t->session, "join failed");
		}
	}
	if (rc == 0)
		peers_save_targets(p);
	if (cb != NULL)
		cb(p->join_arg, rc, why);
}

/* The inviter at addr refused our hello: end the join, saying why. */
static void
peers_join_refused(struct peers *p, const char *addr)
{
	char	why[320];

	snprintf(why, sizeof(why), "the laptop at %s did not accept this "
	    "code: is it mistyped, expired or already used, or is that not "
	    "the inviting laptop? (attune invite there prints a new code)",
	    addr);
	peers_join_done(p, -PROTO_E_PERM, why);
}

static void
peers_join_timeout_cb(uv_timer_t *timer)
{
	struct peers	*p = timer->data;

	peers_join_done(p, -PROTO_E_BUSY, "timed out: is the inviter's "
	    "attuned running and on this network, the code fresh and unused, "
	    "the address right?");
}

/* Caught up when every head the inviter sent is durable here. */
static void
peers_join_check(struct peers *p)
{
	const struct chain	*mine = eventlog_heads(p->log);
	const struct chain_author *a;
	size_t			 i;

	if (!p->join_heads || !p->keys->has_family)
		return;
	for (i = 0; i < p->join_target.n; i++) {
		a = chain_find(mine, p->join_target.v[i].pk);
		if (a == NULL || a->seq < p->join_target.v[i].seq)
			return;
	}
	peers_join_done(p, 0, NULL);
}

/* ---- status ---- */

static const char *
session_state_name(const struct peer_session *s)
{
	if (s->state != PS_READY)
		return ("handshake");
	if (s->needed > s->received)
		return ("syncing");
	return ("connected");
}

/* Per author: what we have of it and what the peer had at its heads. */
static void
pack_progress(const struct peer_session *s, msgpack_packer *pk)
{
	const struct chain		*mine = eventlog_heads(s->owner->log);
	const struct chain_author	*me;
	size_t				 i;

	msgpack_pack_array(pk, (uint32_t)s->known.n);
	for (i = 0; i < s->known.n; i++) {
		me = chain_find(mine, s->known.v[i].pk);
		msgpack_pack_map(pk, 3);
		mp_pack_kv_hex(pk, "author", s->known.v[i].pk, 8);
		mp_pack_kv_uint(pk, "have", me != NULL ? me->seq : 0);
		mp_pack_kv_uint(pk, "peer_has", s->known.v[i].seq);
	}
}

static void
pack_session(const struct peer_session *s, msgpack_packer *pk)
{
	msgpack_pack_map(pk, 8);
	mp_pack_kv_str(pk, "address", s->addr);
	mp_pack_kv_str(pk, "state", session_state_name(s));
	mp_pack_cstr(pk, "device");
	if (s->state == PS_READY)
		mp_pack_hex(pk, s->device, ENV_PK);
	else
		msgpack_pack_nil(pk);
	mp_pack_kv_bool(pk, "outgoing", s->hs->role == HS_CLIENT);
	mp_pack_kv_uint(pk, "received", s->received);
	mp_pack_kv_uint(pk, "needed", s->needed);
	mp_pack_kv_uint(pk, "sent", s->sent);
	mp_pack_cstr(pk, "authors");
	pack_progress(s, pk);
}

/*
 * {port, targets: [{address, static, discovered, state, error,
 * last_ok}], sessions: [...]}
 */
void
peers_pack_status(const struct peers *p, msgpack_packer *pk)
{
	const struct peer_target	*t;
	const struct peer_session	*s, *other;
	uint32_t			 n = 0;

	msgpack_pack_map(pk, 3);
	mp_pack_kv_uint(pk, "port", p->port);
	for (t = p->targets; t != NULL; t = t->next)
		n += !t->removed;
	mp_pack_cstr(pk, "targets");
	msgpack_pack_array(pk, n);
	for (t = p->targets; t != NULL; t = t->next) {
		char	addr[80];

		if (t->removed)
			continue;
		snprintf(addr, sizeof(addr), strchr(t->host, ':') ?
		    "[%s]:%s" : "%s:%s", t->host, t->port);
		msgpack_pack_map(pk, 6);
		mp_pack_kv_str(pk, "address", addr);
		mp_pack_kv_bool(pk, "static", t->persist);
		mp_pack_kv_bool(pk, "discovered", t->discovered);
		other = t->has_device ? session_with((struct peers *)p,
		    t->device, NULL) : NULL;
		mp_pack_kv_str(pk, "state", t->session != NULL ?
		    session_state_name(t->session) : other != NULL ?
		    "connected" : t->join ? "joining" :
		    t->last_error[0] ? "unreachable" : "idle");
		mp_pack_kv_str(pk, "error", other != NULL &&
		    t->session == NULL ? "via another address" :
		    t->last_error);
		mp_pack_kv_int(pk, "last_ok", t->last_ok_ms);
	}
	n = 0;
	for (s = p->sessions; s != NULL; s = s->next)
		n++;
	mp_pack_cstr(pk, "sessions");
	msgpack_pack_array(pk, n);
	for (s = p->sessions; s != NULL; s = s->next)
		pack_session(s, pk);
}

/*
 * Send one event to every ready peer as it is, outside the per-author
 * order: used for the proof of a fork, which each receiver keeps as
 * evidence (eventlog_ingest) and passes on once.
 */
void
peers_broadcast_event(struct peers *p, const uint8_t *blob, size_t len)
{
	struct peer_session	*s;
	msgpack_sbuffer		 sb;
	msgpack_packer		 pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	peermsg_pack_events_begin(&pk, 1);
	mp_pack_bin(&pk, blob, len);
	for (s = p->sessions; s != NULL; s = s->next) {
		if (!s->closing && s->state == PS_READY)
			session_send(s, &sb, false);
	}
	msgpack_sbuffer_destroy(&sb);
}
