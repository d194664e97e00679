/*
 * control.c: client connections on the Unix socket (control.h), in the manner of
 * neovim's channel and rstream code: libuv alloc/read callbacks feed a
 * frame reader, whole frames are decoded and dispatched, replies are
 * written with uv_try_write and queued when the socket is full. A client
 * whose queue passes CONTROL_MAX_QUEUE stops being read until it drains, so
 * one that never reads its replies cannot grow our memory.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "frame.h"
#include "control.h"
#include "rpc.h"

#define CONTROL_MAX_CLIENTS		512
#define CONTROL_MAX_QUEUE		(4U << 20)	/* stop reading above this */
#define CONTROL_MAX_INFLIGHT	16		/* async requests per client */
#define CONTROL_MAX_SUB_QUEUE	(16U << 20)	/* drop a subscriber above */
#define CONTROL_FRAME_TIMEOUT_MS	10000		/* to finish a started frame */
#define CONTROL_SWEEP_MS		1000

struct control_conn {
	uv_pipe_t		 pipe;
	struct control	*srv;
	struct control_conn		*next, *prev;
	unsigned		 id;
	unsigned		 refs;
	bool			 closing;
	bool			 paused;	/* reading stopped */
	bool			 subscribed;
	size_t			 queued;	/* bytes in uv_write requests */
	unsigned		 inflight;	/* requests answered later */
	uint64_t		 partial_since;	/* ms; 0 if no partial frame */
	struct frame_reader	 fr;
};

struct control {
	uv_loop_t		*loop;
	uv_pipe_t		 pipe;
	uv_timer_t		 sweep;
	char			 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	control_dispatch_fn		 dispatch;
	void			*arg;
	struct control_conn		*conns;
	unsigned		 nconns;
	unsigned		 next_id;
	unsigned		 closes_pending;
	bool			 closing;
};

struct control_write {
	uv_write_t		 req;
	struct control_conn		*conn;
	size_t			 len;
	char			 data[];
};

static int	control_prepare_dir(const char *path, char **cause);
static int	control_probe_stale(const char *path, char **cause);
static void	control_accept_cb(uv_stream_t *, int);
static bool	control_peer_allowed(uv_pipe_t *);
static void	control_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void	control_read_cb(uv_stream_t *, ssize_t, const uv_buf_t *);
static void	control_conn_process(struct control_conn *);
static void	control_conn_frame(struct control_conn *, const uint8_t *, size_t);
static void	control_conn_close(struct control_conn *, const char *why);
static void	control_conn_close_cb(uv_handle_t *);
static int	control_conn_send(struct control_conn *, const char *, size_t);
static void	control_write_cb(uv_write_t *, int);
static void	control_conn_flow(struct control_conn *);
static void	control_sweep_cb(uv_timer_t *);
static void	control_close_cb(uv_handle_t *);

/*
 * The socket's directory must be ours and closed to others: create it
 * 0700 if missing, refuse it otherwise.
 */
static int
control_prepare_dir(const char *path, char **cause)
{
	char		dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char		*slash;
	struct stat	st;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return (0);
	if (slash == dir)
		return (0);
	*slash = '\0';
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		diag_cause(cause, "cannot create %s: %s", dir, strerror(errno));
		return (-errno);
	}
	if (lstat(dir, &st) == -1) {
		diag_cause(cause, "%s: %s", dir, strerror(errno));
		return (-errno);
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		diag_cause(cause, "socket directory %s must be a directory of "
		    "uid %u with mode 700", dir, (unsigned)geteuid());
		return (-EPERM);
	}
	return (0);
}

/*
 * A socket file left behind is replaced only when nobody answers on it;
 * a live daemon there is an error, and so is anything but a socket.
 */
static int
control_probe_stale(const char *path, char **cause)
{
	struct sockaddr_un	sun;
	struct stat		st;
	int			fd, rc;

	if (lstat(path, &st) == -1)
		return (errno == ENOENT ? 0 : -errno);
	if (!S_ISSOCK(st.st_mode)) {
		diag_cause(cause, "%s exists and is not a socket", path);
		return (-EEXIST);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-errno);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		diag_cause(cause, "another attuned is already listening on %s",
		    path);
		return (-EADDRINUSE);
	}
	if (errno != ECONNREFUSED) {
		diag_cause(cause, "%s: %s", path, strerror(errno));
		return (-errno);
	}
	log_info("rpc: replacing stale socket %s", path);
	unlink(path);
	return (0);
}

/*
 * Listen on path (0600, in a 0700 directory). Return 0 or a negative
 * errno with *cause set.
 */
int
control_listen(uv_loop_t *loop, const char *path, control_dispatch_fn fn,
    void *arg, struct control **out, char **cause)
{
	struct control	*srv;
	int			 rc;

	*out = NULL;
	if (strlen(path) >= sizeof(srv->path)) {
		diag_cause(cause, "socket path too long (max %zu bytes): %s",
		    sizeof(srv->path) - 1, path);
		return (-ENAMETOOLONG);
	}
	if ((rc = control_prepare_dir(path, cause)) < 0 ||
	    (rc = control_probe_stale(path, cause)) < 0)
		return (rc);
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return (-ENOMEM);
	srv->loop = loop;
	srv->dispatch = fn;
	srv->arg = arg;
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	uv_pipe_init(loop, &srv->pipe, 0);
	srv->pipe.data = srv;
	uv_timer_init(loop, &srv->sweep);
	srv->sweep.data = srv;
	if ((rc = uv_pipe_bind(&srv->pipe, path)) < 0 ||
	    (rc = chmod(path, 0600) == -1 ? -errno : 0) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&srv->pipe, 128,
	    control_accept_cb)) < 0) {
		diag_cause(cause, "cannot listen on %s: %s", path,
		    uv_strerror(rc));
		control_close(srv);
		return (rc);
	}
	uv_timer_start(&srv->sweep, control_sweep_cb, CONTROL_SWEEP_MS, CONTROL_SWEEP_MS);
	*out = srv;
	return (0);
}

unsigned
control_clients(const struct control *srv)
{
	return (srv->nconns);
}

static void
control_close_cb(uv_handle_t *h)
{
	struct control	*srv = h->data;

	if (--srv->closes_pending == 0)
		free(srv);
}

/* Close the listener and every connection; frees itself when done. */
void
control_close(struct control *srv)
{
	if (srv == NULL || srv->closing)
		return;
	srv->closing = true;
	while (srv->conns != NULL)
		control_conn_close(srv->conns, NULL);
	unlink(srv->path);
	srv->closes_pending = 2;
	uv_close((uv_handle_t *)&srv->sweep, control_close_cb);
	uv_close((uv_handle_t *)&srv->pipe, control_close_cb);
}

/* Defence in depth behind the 0700 directory: same uid only. */
static bool
control_peer_allowed(uv_pipe_t *p)
{
	struct ucred	cred;
	socklen_t	len = sizeof(cred);
	uv_os_fd_t	fd;

	if (uv_fileno((uv_handle_t *)p, &fd) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return (false);
	if (cred.uid != geteuid()) {
		log_warnx("rpc: refused a client of uid %u (pid %d)",
		    (unsigned)cred.uid, (int)cred.pid);
		return (false);
	}
	return (true);
}

static void
control_accept_cb(uv_stream_t *server, int status)
{
	struct control	*srv = server->data;
	struct control_conn		*c;

	if (status < 0) {
		log_warnx("rpc: accept: %s", uv_strerror(status));
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	uv_pipe_init(srv->loop, &c->pipe, 0);
	c->pipe.data = c;
	c->srv = srv;
	c->refs = 1;
	c->id = ++srv->next_id;
	frame_reader_init(&c->fr, PROTO_MAX_REQUEST);
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0) {
		control_conn_close(c, "accept failed");
		return;
	}
	if (!control_peer_allowed(&c->pipe)) {
		control_conn_close(c, NULL);
		return;
	}
	if (srv->nconns > CONTROL_MAX_CLIENTS) {
		control_reply_error(c, 0, PROTO_E_BUSY, "too many clients");
		control_conn_close(c, "too many clients");
		return;
	}
	uv_read_start((uv_stream_t *)&c->pipe, control_alloc_cb, control_read_cb);
	log_debug("rpc: client %u connected", c->id);
}

/* Read straight into the frame reader; it bounds what we hold. */
static void
control_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct control_conn	*c = h->data;
	uint8_t		*space;
	size_t		 avail;

	if (frame_reader_reserve(&c->fr, suggested, &space, &avail) < 0) {
		/* libuv then calls read_cb with UV_ENOBUFS. */
		*buf = uv_buf_init(NULL, 0);
		return;
	}
	*buf = uv_buf_init((char *)space, (unsigned)avail);
}

static void
control_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct control_conn	*c = s->data;

	if (nread == 0)		/* EAGAIN: nothing this time */
		return;
	if (nread < 0) {
		control_conn_close(c, nread == UV_EOF ? NULL :
		    nread == UV_ENOBUFS ? "frame too large" :
		    uv_strerror((int)nread));
		return;
	}
	frame_reader_commit(&c->fr, (size_t)nread);
	control_conn_process(c);
}

/* Dispatch every whole frame held, unless paused by back-pressure. */
static void
control_conn_process(struct control_conn *c)
{
	const uint8_t	*body;
	size_t		 len;
	int		 rc;

	control_conn_ref(c);
	while (!c->closing && !c->paused) {
		rc = frame_reader_next(&c->fr, &body, &len);
		if (rc < 0) {
			control_reply_error(c, 0, rc, rc == -PROTO_E_TOOBIG ?
			    "frame too large" : "bad frame");
			control_conn_close(c, proto_strerror(rc));
			break;
		}
		if (rc == 0)
			break;
		control_conn_frame(c, body, len);
	}
	if (!c->closing && frame_reader_pending(&c->fr) > 0) {
		if (c->partial_since == 0)
			c->partial_since = uv_now(c->srv->loop);
	} else
		c->partial_since = 0;
	control_conn_unref(c);
}

static void
control_conn_frame(struct control_conn *c, const uint8_t *body, size_t len)
{
	struct control_request	req;
	struct rpc_msg		msg;
	msgpack_unpacked	up;
	int			rc;

	msgpack_unpacked_init(&up);
	rc = rpc_decode(body, len, &up, &msg);
	if (rc == 0 && msg.kind != RPC_REQUEST)
		rc = -PROTO_E_MALFORMED;
	if (rc < 0) {
		log_debug("rpc: client %u: bad message: %s", c->id,
		    proto_strerror(rc));
		control_reply_error(c, msg.msgid, rc, NULL);
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.conn = c;
	req.msgid = msg.msgid;
	req.method = msg.method;
	req.method_name = msg.method_name;
	req.method_len = msg.method_len;
	req.params = msg.params;
	c->srv->dispatch(c->srv->arg, &req);
out:
	msgpack_unpacked_destroy(&up);
}

void
control_conn_ref(struct control_conn *c)
{
	c->refs++;
}

void
control_conn_unref(struct control_conn *c)
{
	if (--c->refs > 0)
		return;
	frame_reader_finish(&c->fr);
	free(c);
}

void
control_conn_subscribe(struct control_conn *c)
{
	c->subscribed = true;
}

unsigned
control_conn_id(const struct control_conn *c)
{
	return (c->id);
}

static void
control_conn_close(struct control_conn *c, const char *why)
{
	struct control	*srv = c->srv;

	if (c->closing)
		return;
	c->closing = true;
	if (why != NULL)
		log_info("rpc: client %u closed: %s", c->id, why);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->nconns--;
	uv_close((uv_handle_t *)&c->pipe, control_conn_close_cb);
}

/* Pending writes have had their callbacks (UV_ECANCELED) by now. */
static void
control_conn_close_cb(uv_handle_t *h)
{
	control_conn_unref(h->data);
}

/*
 * Send bytes: written at once when the socket takes them, else the rest
 * is copied into a queued write. Return 0 or a negative errno.
 */
static int
control_conn_send(struct control_conn *c, const char *data, size_t len)
{
	struct control_write	*w;
	uv_buf_t		 buf;
	int			 n, rc;

	if (c->closing)
		return (-EPIPE);
	if (c->queued == 0) {
		buf = uv_buf_init((char *)data, (unsigned)len);
		n = uv_try_write((uv_stream_t *)&c->pipe, &buf, 1);
		if (n == (int)len)
			return (0);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		} else if (n != UV_EAGAIN) {
			control_conn_close(c, uv_strerror(n));
			return (n);
		}
	}
	if ((w = malloc(sizeof(*w) + len)) == NULL) {
		control_conn_close(c, "out of memory");
		return (-ENOMEM);
	}
	memcpy(w->data, data, len);
	w->len = len;
	w->conn = c;
	buf = uv_buf_init(w->data, (unsigned)len);
	if ((rc = uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1,
	    control_write_cb)) < 0) {
		free(w);
		control_conn_close(c, uv_strerror(rc));
		return (rc);
	}
	c->queued += len;
	control_conn_flow(c);
	return (0);
}

static void
control_write_cb(uv_write_t *req, int status)
{
	struct control_write	*w = (struct control_write *)req;
	struct control_conn		*c = w->conn;

	c->queued -= w->len;
	free(w);
	if (status < 0) {
		if (status != UV_ECANCELED)
			control_conn_close(c, uv_strerror(status));
		return;
	}
	control_conn_flow(c);
}

/*
 * Back-pressure: stop reading a client whose replies pile up unread, or
 * who has CONTROL_MAX_INFLIGHT requests still being worked on; read
 * again (and handle what is buffered) once it has caught up.
 */
static void
control_conn_flow(struct control_conn *c)
{
	bool	busy = c->queued > CONTROL_MAX_QUEUE ||
		    c->inflight >= CONTROL_MAX_INFLIGHT;
	bool	calm = c->queued < CONTROL_MAX_QUEUE / 2 &&
		    c->inflight < CONTROL_MAX_INFLIGHT;

	if (c->closing)
		return;
	if (!c->paused && busy) {
		c->paused = true;
		uv_read_stop((uv_stream_t *)&c->pipe);
		log_debug("rpc: client %u: paused (%zu bytes queued, %u in "
		    "flight)", c->id, c->queued, c->inflight);
	} else if (c->paused && calm) {
		c->paused = false;
		uv_read_start((uv_stream_t *)&c->pipe, control_alloc_cb,
		    control_read_cb);
		control_conn_process(c);
	}
}

/* A request will be answered later: keep the client, count it. */
void
control_conn_hold(struct control_conn *c)
{
	c->refs++;
	c->inflight++;
	control_conn_flow(c);
}

/* ...and it has been answered (or dropped). */
void
control_conn_release(struct control_conn *c)
{
	c->inflight--;
	control_conn_flow(c);
	control_conn_unref(c);
}

/* Close clients that started a frame and never finished it. */
static void
control_sweep_cb(uv_timer_t *t)
{
	struct control	*srv = t->data;
	struct control_conn		*c, *next;
	uint64_t		 now = uv_now(srv->loop);

	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (c->partial_since != 0 &&
		    now - c->partial_since > CONTROL_FRAME_TIMEOUT_MS)
			control_conn_close(c, "frame not finished in time");
	}
}

/* Send a notification frame to every subscriber. */
void
control_broadcast(struct control *srv, const char *data, size_t len)
{
	struct control_conn	*c, *next;

	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (!c->subscribed)
			continue;
		if (c->queued > CONTROL_MAX_SUB_QUEUE)
			control_conn_close(c, "subscriber not reading");
		else
			control_conn_send(c, data, len);
	}
}

/* Is anyone subscribed? (Then an event is worth packing.) */
bool
control_has_subscribers(const struct control *srv)
{
	const struct control_conn	*c;

	for (c = srv != NULL ? srv->conns : NULL; c != NULL; c = c->next) {
		if (c->subscribed)
			return (true);
	}
	return (false);
}

void
control_reply_begin(struct control_reply *r, uint32_t msgid)
{
	msgpack_sbuffer_init(&r->sb);
	msgpack_packer_init(&r->pk, &r->sb, msgpack_sbuffer_write);
	r->msgid = msgid;
	frame_begin(&r->sb);
	rpc_pack_response_ok(&r->pk, msgid);
}

void
control_reply_discard(struct control_reply *r)
{
	msgpack_sbuffer_destroy(&r->sb);
}

/* Frame and send a reply whose result has been packed; frees it. */
void
control_reply_end(struct control_conn *c, struct control_reply *r)
{
	if (frame_end(&r->sb, PROTO_MAX_FRAME) < 0) {
		control_reply_discard(r);
		control_reply_error(c, r->msgid, PROTO_E_TOOBIG,
		    "result too large");
		return;
	}
	control_conn_send(c, r->sb.data, r->sb.size);
	control_reply_discard(r);
}

void
control_reply_error(struct control_conn *c, uint32_t msgid, int code,
    const char *message)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	frame_begin(&sb);
	rpc_pack_response_err(&pk, msgid, code, message);
	if (frame_end(&sb, PROTO_MAX_FRAME) == 0)
		control_conn_send(c, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}
