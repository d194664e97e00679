/*
 * client.c: the blocking client connection of client.h. Sends one
 * request at a time and waits, with poll and a deadline, for the response
 * that carries its msgid; notifications that arrive meanwhile go to the
 * optional callback. Owns no policy: no printing, no exit codes, no
 * method names (those live in proto/).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "frame.h"
#include "mpcheck.h"
#include "paths.h"

#define CLIENT_READ_SIZE	65536
#define CLIENT_PATH_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)

struct client {
	int			 fd;
	char			 path[CLIENT_PATH_MAX];
	int			 timeout_ms;
	uint32_t		 next_msgid;
	struct frame_reader	 fr;
	msgpack_unpacked	 up;	/* the last decoded message */
	msgpack_sbuffer		 wbuf;
	client_notify_cb	 notify_cb;
	void			*notify_arg;
};

static void	client_vcause(char **, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	client_cause(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	client_close(struct client *);
static int	client_fail(struct client *, int, char **, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int64_t	client_now(void);
static int	client_open(struct client *, char **);
static int	client_wait(struct client *, short, int64_t);
static int	client_fill(struct client *, int64_t, char **);
static int	client_recv(struct client *, int64_t, struct rpc_msg *,
		    char **);
static int	client_send(struct client *, uint32_t, enum rpc_method,
		    const void *, size_t, int64_t, char **);
static int	client_write(struct client *, const char *, size_t, int64_t);
static bool	client_params_ok(const void *, size_t);

static void
client_vcause(char **cause, const char *fmt, va_list ap)
{
	if (cause != NULL && vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
}

static void
client_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	client_vcause(cause, fmt, ap);
	va_end(ap);
}

static void
client_close(struct client *c)
{
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
}

/*
 * The connection is unusable after err (a negative errno or PROTO_E_*):
 * close it, set *cause, return err.
 */
static int
client_fail(struct client *c, int err, char **cause, const char *fmt, ...)
{
	va_list	ap;

	client_close(c);
	va_start(ap, fmt);
	client_vcause(cause, fmt, ap);
	va_end(ap);
	return (err);
}

static int64_t
client_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * Open c->fd and connect it to c->path, waiting at most the timeout (a
 * blocking AF_UNIX connect honours SO_SNDTIMEO and fails with EAGAIN when
 * it expires), then make it non-blocking for client_wait.
 * Return 0 or -errno with *cause set.
 */
static int
client_open(struct client *c, char **cause)
{
	struct sockaddr_un	sun;
	struct timeval		tv;
	int			saved_errno, flags;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		saved_errno = errno;
		client_cause(cause, "socket: %s", strerror(saved_errno));
		return (-saved_errno);
	}
	tv.tv_sec = c->timeout_ms / 1000;
	tv.tv_usec = (c->timeout_ms % 1000) * 1000;
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved_errno = errno == EAGAIN ? ETIMEDOUT : errno;
		return (client_fail(c, -saved_errno, cause,
		    "cannot reach attuned at %s: %s", c->path,
		    strerror(saved_errno)));
	}
	tv.tv_sec = tv.tv_usec = 0;
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((flags = fcntl(c->fd, F_GETFL)) == -1 ||
	    fcntl(c->fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		saved_errno = errno;
		return (client_fail(c, -saved_errno, cause, "fcntl: %s",
		    strerror(saved_errno)));
	}
	return (0);
}

/*
 * Connect to the socket at path, or at paths_socket() when path is NULL.
 * Return 0 with *out set (free it with client_destroy), or -errno with
 * *cause set; -ENOENT and -ECONNREFUSED mean that no daemon listens there.
 */
int
client_connect(const char *path, struct client **out, char **cause)
{
	struct client	*c;
	int		 rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		client_cause(cause, "out of memory");
		return (-ENOMEM);
	}
	c->fd = -1;
	c->timeout_ms = CLIENT_TIMEOUT_DEFAULT;
	c->next_msgid = 1;
	if (path == NULL) {
		if (paths_socket(c->path, sizeof(c->path)) < 0) {
			client_cause(cause, "default socket path too long");
			rc = -ENAMETOOLONG;
			goto err_free;
		}
	} else if (*path == '\0' || strlen(path) >= sizeof(c->path)) {
		client_cause(cause, "bad socket path (empty or over %zu "
		    "bytes): %s", sizeof(c->path) - 1, path);
		rc = -ENAMETOOLONG;
		goto err_free;
	} else
		memcpy(c->path, path, strlen(path) + 1);
	if ((rc = client_open(c, cause)) < 0)
		goto err_free;
	frame_reader_init(&c->fr, PROTO_MAX_FRAME);
	msgpack_unpacked_init(&c->up);
	msgpack_sbuffer_init(&c->wbuf);
	*out = c;
	return (0);

err_free:
	free(c);
	return (rc);
}

void
client_destroy(struct client *c)
{
	if (c == NULL)
		return;
	client_close(c);
	frame_reader_finish(&c->fr);
	msgpack_unpacked_destroy(&c->up);
	msgpack_sbuffer_destroy(&c->wbuf);
	free(c);
}

/* Set the time one call may take, bounded to 1 ms .. CLIENT_TIMEOUT_MAX. */
void
client_set_timeout(struct client *c, int ms)
{
	if (ms < 1)
		ms = 1;
	if (ms > CLIENT_TIMEOUT_MAX)
		ms = CLIENT_TIMEOUT_MAX;
	c->timeout_ms = ms;
}

void
client_set_notify_cb(struct client *c, client_notify_cb cb, void *arg)
{
	c->notify_cb = cb;
	c->notify_arg = arg;
}

bool
client_connected(const struct client *c)
{
	return (c != NULL && c->fd != -1);
}

/* The socket, for a caller's own poll loop (-1 once closed). */
int
client_fd(const struct client *c)
{
	return (c->fd);
}

const char *
client_path(const struct client *c)
{
	return (c->path);
}

/*
 * Wait until fd is ready for events or the deadline (monotonic ms; -1
 * waits for ever) passes. Return 0 or -ETIMEDOUT or -errno.
 */
static int
client_wait(struct client *c, short events, int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;
	int		n, saved_errno;

	for (;;) {
		left = -1;
		if (deadline >= 0) {
			left = deadline - client_now();
			if (left < 0)
				left = 0;
		}
		pfd.fd = c->fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)left);
		saved_errno = errno;
		if (n > 0)
			return (0);
		if (n == 0)
			return (-ETIMEDOUT);
		if (saved_errno != EINTR)
			return (-saved_errno);
	}
}

/*
 * Read what the socket has into the frame reader, waiting for it until
 * the deadline. Return 0; -ETIMEDOUT with the connection kept; or another
 * negative code with the connection closed. *cause is set on every error.
 */
static int
client_fill(struct client *c, int64_t deadline, char **cause)
{
	uint8_t	*space;
	size_t	 avail;
	ssize_t	 n;
	int	 rc, saved_errno;

	for (;;) {
		if ((rc = client_wait(c, POLLIN, deadline)) == -ETIMEDOUT) {
			client_cause(cause, "no answer from attuned at %s",
			    c->path);
			return (rc);
		}
		if (rc < 0)
			return (client_fail(c, rc, cause, "poll: %s",
			    strerror(-rc)));
		/* frame.c reports ENOMEM as a bare -12. */
		if ((rc = frame_reader_reserve(&c->fr, CLIENT_READ_SIZE,
		    &space, &avail)) == -12)
			return (client_fail(c, -ENOMEM, cause,
			    "out of memory"));
		if (rc < 0)
			return (client_fail(c, rc, cause,
			    "bad frame from attuned: %s", proto_strerror(rc)));
		if (avail > CLIENT_READ_SIZE)
			avail = CLIENT_READ_SIZE;
		n = read(c->fd, space, avail);
		if (n > 0) {
			frame_reader_commit(&c->fr, (size_t)n);
			return (0);
		}
		if (n == 0)
			return (client_fail(c, -ECONNRESET, cause,
			    "attuned closed the connection"));
		saved_errno = errno;
		if (saved_errno != EINTR && saved_errno != EAGAIN &&
		    saved_errno != EWOULDBLOCK)
			return (client_fail(c, -saved_errno, cause,
			    "reading from attuned: %s", strerror(saved_errno)));
	}
}

/*
 * Take the next message off the connection, reading until the deadline.
 * *msg points into c->up and the frame reader: valid until the next
 * client_* call. Return 0; -ETIMEDOUT with the connection kept (a partial
 * frame stays buffered); or another negative code with the connection
 * closed. *cause is set on every error.
 */
static int
client_recv(struct client *c, int64_t deadline, struct rpc_msg *msg,
    char **cause)
{
	const uint8_t	*body;
	size_t		 len;
	int		 rc;

	while ((rc = frame_reader_next(&c->fr, &body, &len)) != 1) {
		if (rc < 0)
			return (client_fail(c, rc, cause,
			    "bad frame from attuned: %s", proto_strerror(rc)));
		if ((rc = client_fill(c, deadline, cause)) < 0)
			return (rc);
	}
	if ((rc = rpc_decode(body, len, &c->up, msg)) < 0)
		return (client_fail(c, rc, cause,
		    "bad message from attuned: %s", proto_strerror(rc)));
	return (0);
}

/* Write all of p, waiting for room until the deadline. 0 or -errno. */
static int
client_write(struct client *c, const char *p, size_t n, int64_t deadline)
{
	ssize_t	w;
	int	rc, saved_errno;

	while (n > 0) {
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		saved_errno = w == 0 ? EINTR : errno;
		if (saved_errno == EINTR)
			continue;
		if (saved_errno != EAGAIN && saved_errno != EWOULDBLOCK)
			return (-saved_errno);
		if ((rc = client_wait(c, POLLOUT, deadline)) < 0)
			return (rc);
	}
	return (0);
}

/* Is p one well-formed msgpack array (the params of a request)? */
static bool
client_params_ok(const void *params, size_t len)
{
	const uint8_t	*p = params;

	if (len == 0 || mp_check(p, len, PROTO_MAX_DEPTH - 1) < 0)
		return (false);
	return ((p[0] & 0xf0) == 0x90 || p[0] == 0xdc || p[0] == 0xdd);
}

/*
 * Frame and send [0, msgid, method, params]. Return 0; -PROTO_E_TYPE or
 * -PROTO_E_TOOBIG for bad params (connection kept); or -errno with the
 * connection closed. *cause is set on every error.
 */
static int
client_send(struct client *c, uint32_t msgid, enum rpc_method m,
    const void *params, size_t len, int64_t deadline, char **cause)
{
	msgpack_packer	pk;
	int		rc;

	if (params != NULL && !client_params_ok(params, len)) {
		client_cause(cause, "request parameters are not an array");
		return (-PROTO_E_TYPE);
	}
	msgpack_sbuffer_clear(&c->wbuf);
	if (frame_begin(&c->wbuf) != 0)
		goto err_nomem;
	msgpack_packer_init(&pk, &c->wbuf, msgpack_sbuffer_write);
	rpc_pack_request(&pk, msgid, m);
	if (params == NULL)
		rc = msgpack_pack_array(&pk, 0);
	else
		rc = msgpack_sbuffer_write(&c->wbuf, params, len);
	if (rc != 0)
		goto err_nomem;
	if ((rc = frame_end(&c->wbuf, PROTO_MAX_REQUEST)) < 0) {
		client_cause(cause, "request too large (over %u bytes)",
		    PROTO_MAX_REQUEST);
		return (rc);
	}
	if ((rc = client_write(c, c->wbuf.data, c->wbuf.size, deadline)) < 0)
		return (client_fail(c, rc, cause, "writing to attuned: %s",
		    rc == -ETIMEDOUT ? "timed out" : strerror(-rc)));
	return (0);

err_nomem:
	client_cause(cause, "out of memory");
	return (-ENOMEM);
}

/*
 * Call method with params (the packed bytes of a msgpack array, or NULL
 * for []) and wait for its response. On success *result is the result
 * object, valid until the next client_* call. On an error answer the code
 * is returned negated and *cause holds attuned's message; see client.h
 * for the other codes. A timeout closes the connection: a late response
 * would otherwise be taken for the next call's.
 */
int
client_call(struct client *c, enum rpc_method m, const void *params,
    size_t len, const msgpack_object **result, char **cause)
{
	struct rpc_msg	msg;
	int64_t		deadline = client_now() + c->timeout_ms;
	uint32_t	msgid;
	size_t		n;
	int		rc;

	*result = NULL;
	if (c->fd == -1) {
		client_cause(cause, "not connected to attuned");
		return (-ENOTCONN);
	}
	msgid = c->next_msgid++;
	if (c->next_msgid == 0)
		c->next_msgid = 1;
	if ((rc = client_send(c, msgid, m, params, len, deadline, cause)) < 0)
		return (rc);
	for (;;) {
		if ((rc = client_recv(c, deadline, &msg, cause)) < 0) {
			if (rc == -ETIMEDOUT)
				client_close(c);
			return (rc);
		}
		if (msg.kind == RPC_RESPONSE && msg.msgid == msgid)
			break;
		if (msg.kind != RPC_NOTIFY)
			return (client_fail(c, -PROTO_E_MALFORMED, cause,
			    "unexpected message from attuned"));
		if (c->notify_cb != NULL)
			c->notify_cb(&msg, c->notify_arg);
	}
	if (msg.err_code != 0) {
		n = msg.err_len < CLIENT_MAX_CAUSE ? msg.err_len :
		    CLIENT_MAX_CAUSE;
		if (n == 0)
			client_cause(cause, "%s", proto_strerror(
			    (int)msg.err_code));
		else
			client_cause(cause, "%.*s", (int)n, msg.err_msg);
		return (-(int)msg.err_code);
	}
	*result = msg.result;
	return (0);
}

/*
 * Wait up to timeout_ms (-1: for ever, 0: only what is buffered) for a
 * notification. Return 1 with *out set (valid until the next client_*
 * call), 0 if none came in time, or a negative code with the connection
 * closed and *cause set. A response nobody waits for is a protocol error.
 */
int
client_next_notify(struct client *c, int timeout_ms, struct rpc_msg *out,
    char **cause)
{
	int64_t	deadline = -1;
	int	rc;

	if (timeout_ms >= 0)
		deadline = client_now() + timeout_ms;

	if (c->fd == -1) {
		client_cause(cause, "not connected to attuned");
		return (-ENOTCONN);
	}
	if ((rc = client_recv(c, deadline, out, cause)) < 0) {
		if (rc != -ETIMEDOUT)
			return (rc);
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		return (0);
	}
	if (out->kind != RPC_NOTIFY)
		return (client_fail(c, -PROTO_E_MALFORMED, cause,
		    "unexpected message from attuned"));
	return (1);
}
