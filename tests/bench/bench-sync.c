/*
 * bench-sync.c: peer sync between two attuned on loopback. Per run, with
 * a fresh pair of daemons A and B in their own directories:
 *
 *  1. initial sync: A's log of 100,000 entries is built through RPC
 *     appends (16 lock-step clients, timed), then B, empty, joins A's
 *     family and the "join" call is timed until it answers; beside it,
 *     the limit that signature checks alone set (crypto_sign_verify_
 *     detached over real envelopes, 1 and 2 threads), measured before and
 *     after the join;
 *  2. reconnect: B is stopped and started again with equal logs; once A
 *     sees the session ready, one append on A: the bytes both ways on the
 *     wire for the whole reconnection and that entry, and the time from
 *     the append's reply on A to B's subscriber being told;
 *  3. live propagation: 1,000 appends on A, one at a time, each timed
 *     until B's subscriber is told; for reference, in slices alternating
 *     with these, small files sent between two syncthing instances.
 *
 * B reaches A only through a byte-counting TCP relay that runs in this
 * program on 127.0.0.1; A never dials B. Everything listens on 127.0.0.1
 * or a Unix socket, LAN discovery is off, and every loop is bounded in
 * count and time. This program links libsodium and pthreads for the
 * verification limit, and runs syncthing if it is installed; it touches
 * nothing but its own temporary directory.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"
#include "envelope.h"
#include "frame.h"
#include "mp.h"

#define SYNC_MAX_RUNS		10
#define SYNC_TARGET_RATE	20000.0		/* entries/s, initial sync */
#define SYNC_TARGET_BYTES	4096.0		/* reconnect + 1 entry */
#define SYNC_TARGET_ONE_MS	20.0		/* reply on A -> event on B */
#define SYNC_TARGET_P50_MS	10.0
#define SYNC_TARGET_P99_MS	50.0
#define SYNC_SLICES		10	/* live and syncthing alternate */
#define SYNC_JOIN_MS		600000		/* the join call, at most */
#define SYNC_EVENT_NS		(10 * BENCH_NS)	/* one live event, at most */
#define SYNC_READY_NS		(60 * BENCH_NS)	/* reconnection, at most */
#define SYNC_VERIFIED_NS	(600 * BENCH_NS)
#define SYNC_ONE_NS		(300 * BENCH_NS) /* 1 entry after restart */
#define SYNC_QUIET_NS		(500 * BENCH_MS) /* no byte: sync is over */
#define SYNC_QUIET_MAX_NS	(600 * BENCH_NS)
#define SYNC_MAX_EVENTS		8	/* seen, not yet matched */
#define SYNC_ID_HEX		(2 * ENV_ID + 1)

#define RELAY_MAX_PAIRS		8
#define RELAY_BUF		65536
#define RELAY_LIFETIME_NS	(7200 * BENCH_NS)

#define ST_MAX_FILES		1000
#define ST_FILE_NS		(30 * BENCH_NS)
#define ST_SETUP_NS		(180 * BENCH_NS)
#define ST_FILE_BYTES		100
#define ST_GAP_NS		(400 * BENCH_MS)	/* idle before a file */

struct sync_opts {
	const char	*attuned;
	const char	*syncthing;	/* NULL: no reference */
	unsigned	 entries;
	unsigned	 clients;
	unsigned	 runs;
	unsigned	 live;		/* appends timed per run */
	unsigned	 verify;	/* signature checks per thread */
	unsigned	 files;		/* syncthing files per run */
	unsigned	 build_seconds;
};

/*
 * One relayed connection: fd[0] was accepted (B's side), fd[1] dialled
 * to the upstream (A). buf[d] holds what was read from fd[d] and is not
 * yet written to fd[1 - d].
 */
struct relay_pair {
	int	fd[2];
	uint8_t	buf[2][RELAY_BUF];
	size_t	len[2], off[2];
};

/* A byte-counting TCP relay on 127.0.0.1, run by its own thread. */
struct relay {
	int			 lfd;
	uint16_t		 port;
	uint16_t		 up_port;
	pthread_t		 thread;
	bool			 running;
	atomic_bool		 stop;
	atomic_uint_fast64_t	 bytes[2];	/* B -> A, A -> B */
	atomic_uint		 pairs;		/* open now */
	atomic_uint_fast64_t	 accepted;
	atomic_uint_fast64_t	 cpu_ns;	/* this thread's CPU time */
	struct relay_pair	*pair[RELAY_MAX_PAIRS];
};

/* A client connection read through a frame reader, without blocking. */
struct sync_conn {
	int			fd;
	struct frame_reader	fr;
};

/* One append and its event, as the live loop saw them. */
struct live_sample {
	uint64_t	sent;
	uint64_t	reply;
	uint64_t	event;
};

/* A verification job for one thread. */
struct verify_job {
	pthread_t	 thread;
	const uint8_t	*blob;
	size_t		 len;
	unsigned	 n;
	bool		 parse;		/* envelope_parse first, as sigcheck */
	unsigned	 ok;
};

/* One syncthing instance. */
struct st_node {
	pid_t		pid;
	char		home[BENCH_PATH + 8];
	char		dir[BENCH_PATH + 16];
	char		log[BENCH_PATH + 16];
	char		id[80];
	uint16_t	gui;
	uint16_t	port;
};

/* Two syncthing instances sharing one folder both ways. */
struct st_pair {
	struct st_node	node[2];
	char		root[BENCH_PATH];
	char		apikey[40];
	unsigned	seq;
	bool		up;
};

/* What one run measured. */
struct sync_run {
	double	build_s, build_rate;
	double	join_s, join_rate, join_cpu_b, join_cpu_a, join_bytes;
	double	v1, v2, p2;		/* verify 1 and 2 threads, parse+ */
	double	one_bytes, one_bytes_ev, one_ms, one_sent_ms, ready_ms;
	double	quiet_ms;
	double	p50, p99, pmax, reply50;
	double	st50, st_max;
	double	load[2];
};

static void	usage(void);
static int	free_port(uint16_t *);
static int	tcp_connect(uint16_t port);
static void	relay_pair_close(struct relay *, unsigned);
static int	relay_flush(struct relay_pair *, int d);
static void	relay_accept(struct relay *);
static bool	relay_pair_io(struct relay *, struct relay_pair *,
		    const struct pollfd *);
static void	*relay_main(void *);
static int	relay_start(struct relay *, uint16_t up_port);
static void	relay_reset(struct relay *);
static void	relay_stop(struct relay *);
static void	conn_init(struct sync_conn *);
static int	conn_open(struct sync_conn *, const char *sock);
static void	conn_finish(struct sync_conn *);
static int	conn_send(struct sync_conn *, const uint8_t *, size_t);
static int	sub_open(struct sync_conn *, const char *sock);
static int	event_id(const uint8_t *, size_t, char *, size_t);
static int	reply_id(const uint8_t *, size_t, uint32_t, char *, size_t);
static int	live_one(struct sync_conn *a, struct bench_req *,
		    uint32_t msgid, struct sync_conn *b, uint64_t timeout_ns,
		    struct live_sample *);
static uint64_t	relay_quiet(struct relay *);
static int	build_log(const struct sync_opts *, const char *sock,
		    struct sync_run *);
static int	peer_port(const char *sock, uint16_t *);
static int	invite(const char *sock, char *code, size_t);
static int	join(const char *sock, const char *code, const char *peer,
		    char *err, size_t);
static int	peers_add(const char *sock, const char *addr);
static int	session_ready(const char *sock, bool *);
static int	entries_of(const char *sock, char *state, size_t,
		    uint64_t *);
static int	wait_entries(const char *sock, uint64_t want, uint64_t);
static void	*verify_main(void *);
static double	verify_rate(const uint8_t *, size_t, unsigned threads,
		    unsigned n, bool parse);
static int	make_envelope(msgpack_sbuffer *);
static int	http_post(uint16_t port, const char *path, const char *key);
static int	st_setup(struct st_pair *, const char *syncthing,
		    const char *root, char *why, size_t);
static int	st_file(struct st_pair *, uint64_t *ns);
static void	st_stop(struct st_pair *);
static void	loadavg(double *);
static int	start_peer(struct bench_daemon *, const char *attuned,
		    const char *root, const char *peer_opt);
static int	one_run(const struct sync_opts *, struct st_pair *,
		    unsigned run, struct sync_run *);

static void
usage(void)
{
	fprintf(stderr,
"usage: bench-sync [-a attuned] [-n entries] [-c clients] [-r runs]\n"
"                  [-l live-appends] [-v verify-per-thread]\n"
"                  [-S syncthing | -S none] [-f files] [-t build-seconds]\n");
	exit(2);
}

static void
loadavg(double *l)
{
	FILE	*f;

	l[0] = l[1] = l[2] = -1;
	if ((f = fopen("/proc/loadavg", "r")) == NULL)
		return;
	if (fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3)
		l[0] = l[1] = l[2] = -1;
	fclose(f);
}

/*
 * A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0,
 * read back, closed). Return 0 or -errno.
 */
static int
free_port(uint16_t *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd, rc = 0;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-errno);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		rc = -errno;
	else
		*port = ntohs(sin.sin_port);
	close(fd);
	return (rc);
}

/* A blocking connection to 127.0.0.1:port. Return the fd or -errno. */
static int
tcp_connect(uint16_t port)
{
	struct sockaddr_in	sin;
	int			fd, saved_errno, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-errno);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		saved_errno = errno;
		close(fd);
		return (-saved_errno);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return (fd);
}

/* ---- the relay ---- */

static void
relay_pair_close(struct relay *r, unsigned i)
{
	struct relay_pair	*p = r->pair[i];

	if (p == NULL)
		return;
	/* Best effort: what is already read goes on before the close. */
	relay_flush(p, 0);
	relay_flush(p, 1);
	close(p->fd[0]);
	close(p->fd[1]);
	free(p);
	r->pair[i] = NULL;
	atomic_fetch_sub(&r->pairs, 1);
}

/*
 * Write what is held from fd[d] to fd[1 - d]. Return 0 (all or as much
 * as the socket took) or -errno.
 */
static int
relay_flush(struct relay_pair *p, int d)
{
	ssize_t	n;

	while (p->off[d] < p->len[d]) {
		n = send(p->fd[1 - d], p->buf[d] + p->off[d],
		    p->len[d] - p->off[d], MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return (0);
			return (-errno);
		}
		p->off[d] += (size_t)n;
	}
	p->off[d] = p->len[d] = 0;
	return (0);
}

/* Accept one connection and dial the upstream for it. */
static void
relay_accept(struct relay *r)
{
	struct relay_pair	*p;
	unsigned		 i;
	int			 fd, up, one = 1;

	if ((fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < RELAY_MAX_PAIRS && r->pair[i] != NULL; i++)
		;
	if (i == RELAY_MAX_PAIRS || (up = tcp_connect(r->up_port)) < 0) {
		close(fd);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		close(fd);
		close(up);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(up, F_SETFL, fcntl(up, F_GETFL) | O_NONBLOCK);
	p->fd[0] = fd;
	p->fd[1] = up;
	r->pair[i] = p;
	atomic_fetch_add(&r->pairs, 1);
	atomic_fetch_add(&r->accepted, 1);
}

/*
 * Move bytes for one pair after poll: pfd[d] is the result for fd[d].
 * Return true when the pair is done (an end closed or failed).
 */
static bool
relay_pair_io(struct relay *r, struct relay_pair *p,
    const struct pollfd *pfd)
{
	ssize_t		n;
	unsigned	d;

	for (d = 0; d < 2; d++) {
		if ((pfd[d].revents & POLLOUT) && relay_flush(p, 1 - d) < 0)
			return (true);
		if (!(pfd[d].revents & (POLLIN | POLLHUP | POLLERR)) ||
		    p->len[d] > 0)
			continue;
		n = read(p->fd[d], p->buf[d], RELAY_BUF);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return (true);
		p->len[d] = (size_t)n;
		p->off[d] = 0;
		atomic_fetch_add(&r->bytes[d], (uint64_t)n);
		if (relay_flush(p, (int)d) < 0)
			return (true);
	}
	return (false);
}

/*
 * The relay thread: poll the listener and both ends of every pair; read
 * from an end only when what it sent before has been passed on, so a
 * slow reader slows its writer as a direct connection would. Bounded by
 * the stop flag and RELAY_LIFETIME_NS.
 */
static void *
relay_main(void *arg)
{
	struct relay		*r = arg;
	struct pollfd		 pfd[1 + 2 * RELAY_MAX_PAIRS];
	struct relay_pair	*p;
	struct timespec		 ts;
	uint64_t		 deadline = bench_now_ns() + RELAY_LIFETIME_NS;
	unsigned		 i, d;

	while (!atomic_load(&r->stop) && bench_now_ns() < deadline) {
		pfd[0].fd = r->lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < RELAY_MAX_PAIRS; i++) {
			for (d = 0; d < 2; d++) {
				pfd[1 + 2 * i + d].fd = -1;
				pfd[1 + 2 * i + d].events = 0;
				if ((p = r->pair[i]) == NULL)
					continue;
				pfd[1 + 2 * i + d].fd = p->fd[d];
				if (p->len[d] == 0)
					pfd[1 + 2 * i + d].events |= POLLIN;
				if (p->len[1 - d] > 0)
					pfd[1 + 2 * i + d].events |= POLLOUT;
			}
		}
		if (poll(pfd, 1 + 2 * RELAY_MAX_PAIRS, 50) > 0) {
			for (i = 0; i < RELAY_MAX_PAIRS; i++) {
				if ((p = r->pair[i]) != NULL &&
				    relay_pair_io(r, p, &pfd[1 + 2 * i]))
					relay_pair_close(r, i);
			}
			if (pfd[0].revents & POLLIN)
				relay_accept(r);
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
		atomic_store(&r->cpu_ns, (uint64_t)ts.tv_sec * BENCH_NS +
		    (uint64_t)ts.tv_nsec);
	}
	for (i = 0; i < RELAY_MAX_PAIRS; i++)
		relay_pair_close(r, i);
	return (NULL);
}

/* Listen on 127.0.0.1:0 and relay to 127.0.0.1:up_port. Return 0/-1. */
static int
relay_start(struct relay *r, uint16_t up_port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);

	memset(r, 0, sizeof(*r));
	r->up_port = up_port;
	if ((r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		return (-1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(r->lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(r->lfd, 16) == -1 ||
	    getsockname(r->lfd, (struct sockaddr *)&sin, &len) == -1) {
		close(r->lfd);
		return (-1);
	}
	r->port = ntohs(sin.sin_port);
	if (pthread_create(&r->thread, NULL, relay_main, r) != 0) {
		close(r->lfd);
		return (-1);
	}
	r->running = true;
	return (0);
}

static void
relay_reset(struct relay *r)
{
	atomic_store(&r->bytes[0], 0);
	atomic_store(&r->bytes[1], 0);
	atomic_store(&r->accepted, 0);
}

/*
 * Wait until no byte has crossed the relay for SYNC_QUIET_NS (at most
 * SYNC_QUIET_MAX_NS). Return when the last byte crossed (our clock).
 */
static uint64_t
relay_quiet(struct relay *r)
{
	uint64_t	t0 = bench_now_ns(), last = t0, now, n, prev;

	prev = atomic_load(&r->bytes[0]) + atomic_load(&r->bytes[1]);
	while ((now = bench_now_ns()) - t0 < SYNC_QUIET_MAX_NS &&
	    now - last < SYNC_QUIET_NS) {
		bench_sleep_ns(BENCH_MS);
		n = atomic_load(&r->bytes[0]) + atomic_load(&r->bytes[1]);
		if (n != prev) {
			prev = n;
			last = bench_now_ns();
		}
	}
	return (last);
}

static void
relay_stop(struct relay *r)
{
	if (!r->running)
		return;
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	close(r->lfd);
	r->running = false;
}

/* ---- client connections ---- */

static void
conn_init(struct sync_conn *c)
{
	c->fd = -1;
	frame_reader_init(&c->fr, PROTO_MAX_FRAME);
}

/* Connect c (initialised, not open) to sock. Return 0 or -1. */
static int
conn_open(struct sync_conn *c, const char *sock)
{
	if ((c->fd = bench_connect(sock)) < 0)
		return (-1);
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	return (0);
}

static void
conn_finish(struct sync_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	frame_reader_finish(&c->fr);
}

/* Send all of a small frame within 5 s. Return 0 or -errno. */
static int
conn_send(struct sync_conn *c, const uint8_t *b, size_t len)
{
	struct pollfd	pfd;
	uint64_t	deadline = bench_now_ns() + 5 * BENCH_NS;
	size_t		off = 0;
	ssize_t		n;

	pfd.fd = c->fd;
	pfd.events = POLLOUT;
	while (off < len && bench_now_ns() < deadline) {
		n = send(c->fd, b + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return (-errno);
		poll(&pfd, 1, 10);
	}
	return (off == len ? 0 : -ETIMEDOUT);
}

/* Connect to sock and subscribe. Return 0 once "true" is back, or -1. */
static int
sub_open(struct sync_conn *c, const char *sock)
{
	struct bench_req	 r;
	struct rpc_msg		 msg;
	struct pollfd		 pfd;
	msgpack_unpacked	 up;
	const uint8_t		*b;
	uint64_t		 deadline = bench_now_ns() + 10 * BENCH_NS;
	size_t			 len;
	int			 rc = -1;

	if (conn_open(c, sock) < 0)
		return (-1);
	bench_req_init(&r, RPC_M_SUBSCRIBE);
	msgpack_pack_array(&r.pk, 0);
	bench_req_end(&r);
	bench_req_set_msgid((uint8_t *)r.sb.data, 1);
	if (conn_send(c, (uint8_t *)r.sb.data, r.sb.size) < 0)
		goto out;
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	while (rc < 0 && bench_now_ns() < deadline) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if (bench_frame_read(c->fd, &c->fr) < 0)
			break;
		if (frame_reader_next(&c->fr, &b, &len) != 1)
			continue;
		msgpack_unpacked_init(&up);
		if (rpc_decode(b, len, &up, &msg) == 0 &&
		    msg.kind == RPC_RESPONSE && msg.msgid == 1 &&
		    msg.err_code == 0)
			rc = 0;
		msgpack_unpacked_destroy(&up);
		if (rc < 0)
			break;
	}
out:
	bench_req_finish(&r);
	return (rc);
}

/*
 * If body is an "event" notification, copy its entry's id. Return 1 (an
 * event), 0 (another notification) or -1 (not a notification).
 */
static int
event_id(const uint8_t *b, size_t len, char *id, size_t size)
{
	struct rpc_msg		 msg;
	msgpack_unpacked	 up;
	const char		*s;
	size_t			 n;
	int			 rc = -1;

	msgpack_unpacked_init(&up);
	if (rpc_decode(b, len, &up, &msg) == 0 && msg.kind == RPC_NOTIFY) {
		rc = 0;
		if (proto_notify_lookup(msg.method_name, msg.method_len) ==
		    RPC_N_EVENT && msg.params->via.array.size == 1 &&
		    msg.params->via.array.ptr[0].type == MSGPACK_OBJECT_MAP &&
		    mp_get_str(&msg.params->via.array.ptr[0], "id", &s, &n,
		    size - 1) == MP_FOUND) {
			memcpy(id, s, n);
			id[n] = '\0';
			rc = 1;
		}
	}
	msgpack_unpacked_destroy(&up);
	return (rc);
}

/* The id of an append's reply to msgid. Return 0 or -1. */
static int
reply_id(const uint8_t *b, size_t len, uint32_t msgid, char *id,
    size_t size)
{
	struct rpc_msg		 msg;
	msgpack_unpacked	 up;
	const char		*s;
	size_t			 n;
	int			 rc = -1;

	msgpack_unpacked_init(&up);
	if (rpc_decode(b, len, &up, &msg) == 0 &&
	    msg.kind == RPC_RESPONSE && msg.msgid == msgid &&
	    msg.err_code == 0 && msg.result->type == MSGPACK_OBJECT_MAP &&
	    mp_get_str(msg.result, "id", &s, &n, size - 1) == MP_FOUND) {
		memcpy(id, s, n);
		id[n] = '\0';
		rc = 0;
	}
	msgpack_unpacked_destroy(&up);
	return (rc);
}

/*
 * Send one append (req renumbered msgid) on a, and wait, at most
 * timeout_ns, for both its reply on a and the event with the same id on
 * b's subscription. The times are taken when this thread reads each
 * frame. Return 0 or -1 (reported).
 */
static int
live_one(struct sync_conn *a, struct bench_req *req, uint32_t msgid,
    struct sync_conn *b, uint64_t timeout_ns, struct live_sample *ls)
{
	struct pollfd	 pfd[2];
	const uint8_t	*body;
	char		 want[SYNC_ID_HEX] = "";
	char		 seen[SYNC_MAX_EVENTS][SYNC_ID_HEX];
	uint64_t	 seen_ns[SYNC_MAX_EVENTS], now, deadline;
	size_t		 len;
	unsigned	 nseen = 0, i;
	int		 rc;

	memset(ls, 0, sizeof(*ls));
	bench_req_set_msgid((uint8_t *)req->sb.data, msgid);
	ls->sent = bench_now_ns();
	deadline = ls->sent + timeout_ns;
	if (conn_send(a, (uint8_t *)req->sb.data, req->sb.size) < 0) {
		fprintf(stderr, "bench-sync: append not sent\n");
		return (-1);
	}
	pfd[0].fd = a->fd;
	pfd[1].fd = b->fd;
	pfd[0].events = pfd[1].events = POLLIN;
	while ((now = bench_now_ns()) < deadline) {
		if (poll(pfd, 2, 10) <= 0)
			continue;
		now = bench_now_ns();
		if (pfd[0].revents != 0) {
			if (bench_frame_read(a->fd, &a->fr) < 0)
				goto err_conn;
			while ((rc = frame_reader_next(&a->fr, &body,
			    &len)) == 1) {
				if (reply_id(body, len, msgid, want,
				    sizeof(want)) < 0) {
					fprintf(stderr, "bench-sync: bad "
					    "append reply\n");
					return (-1);
				}
				ls->reply = now;
			}
			if (rc < 0)
				goto err_conn;
		}
		if (pfd[1].revents != 0) {
			if (bench_frame_read(b->fd, &b->fr) < 0)
				goto err_conn;
			while ((rc = frame_reader_next(&b->fr, &body,
			    &len)) == 1) {
				if (nseen < SYNC_MAX_EVENTS &&
				    event_id(body, len, seen[nseen],
				    sizeof(seen[nseen])) == 1)
					seen_ns[nseen++] = now;
			}
			if (rc < 0)
				goto err_conn;
		}
		if (ls->reply == 0)
			continue;
		for (i = 0; i < nseen; i++) {
			if (strcmp(seen[i], want) == 0) {
				ls->event = seen_ns[i];
				return (0);
			}
		}
	}
	fprintf(stderr, "bench-sync: no %s within %llu s (%u other events)\n",
	    ls->reply == 0 ? "append reply" : "event on B",
	    (unsigned long long)(timeout_ns / BENCH_NS), nseen);
	return (-1);
err_conn:
	fprintf(stderr, "bench-sync: connection lost in the live loop\n");
	return (-1);
}

/* ---- RPC helpers ---- */

/*
 * init, kid.add, then checkins up to o->entries in all, from o->clients
 * lock-step clients. Return 0 or -1 (reported).
 */
static int
build_log(const struct sync_opts *o, const char *sock, struct sync_run *sr)
{
	struct bench_result	res;

	if (bench_build_log(sock, o->entries, o->clients, o->build_seconds,
	    &res) < 0)
		return (-1);
	sr->build_s = (double)res.elapsed_ns / BENCH_NS;
	sr->build_rate = res.rate;
	return (0);
}

/* status: peer_port. Return 0 or -1 (reported). */
static int
peer_port(const char *sock, uint16_t *port)
{
	struct bench_req	 r;
	struct rpc_msg		 msg;
	msgpack_unpacked	 up;
	uint8_t			*body;
	uint64_t		 v;
	char			 err[256];
	int			 fd, rc = -1;

	if ((fd = bench_connect(sock)) < 0)
		return (-1);
	bench_req_init(&r, RPC_M_STATUS);
	msgpack_pack_array(&r.pk, 0);
	bench_req_end(&r);
	if (bench_call_result(fd, &r, 30000, &body, &up, &msg, err,
	    sizeof(err)) == 0) {
		if (msg.result->type == MSGPACK_OBJECT_MAP &&
		    mp_get_uint(msg.result, "peer_port", &v) == MP_FOUND &&
		    v > 0 && v < 65536) {
			*port = (uint16_t)v;
			rc = 0;
		} else
			snprintf(err, sizeof(err), "no peer_port");
		msgpack_unpacked_destroy(&up);
		free(body);
	}
	if (rc < 0)
		fprintf(stderr, "bench-sync: status: %s\n", err);
	bench_req_finish(&r);
	close(fd);
	return (rc);
}

/* invite []: the code. Return 0 or -1 (reported). */
static int
invite(const char *sock, char *code, size_t size)
{
	struct bench_req	 r;
	struct rpc_msg		 msg;
	msgpack_unpacked	 up;
	uint8_t			*body;
	const char		*s;
	size_t			 n;
	char			 err[256];
	int			 fd, rc = -1;

	if ((fd = bench_connect(sock)) < 0)
		return (-1);
	bench_req_init(&r, RPC_M_INVITE);
	msgpack_pack_array(&r.pk, 0);
	bench_req_end(&r);
	if (bench_call_result(fd, &r, 30000, &body, &up, &msg, err,
	    sizeof(err)) == 0) {
		if (msg.result->type == MSGPACK_OBJECT_MAP &&
		    mp_get_str(msg.result, "code", &s, &n, size - 1) ==
		    MP_FOUND) {
			memcpy(code, s, n);
			code[n] = '\0';
			rc = 0;
		} else
			snprintf(err, sizeof(err), "no code");
		msgpack_unpacked_destroy(&up);
		free(body);
	}
	if (rc < 0)
		fprintf(stderr, "bench-sync: invite: %s\n", err);
	bench_req_finish(&r);
	close(fd);
	return (rc);
}

/*
 * join [{code, name: "Sam", peer}], waiting up to SYNC_JOIN_MS for the
 * answer. Return 0, or -1 with err set.
 */
static int
join(const char *sock, const char *code, const char *peer, char *err,
    size_t errsize)
{
	struct bench_req	 r;
	struct rpc_msg		 msg;
	msgpack_unpacked	 up;
	uint8_t			*body;
	int			 fd, rc;

	if ((fd = bench_connect(sock)) < 0) {
		snprintf(err, errsize, "connect: %s", strerror(-fd));
		return (-1);
	}
	bench_req_init(&r, RPC_M_JOIN);
	msgpack_pack_array(&r.pk, 1);
	msgpack_pack_map(&r.pk, 3);
	mp_pack_kv_str(&r.pk, "code", code);
	mp_pack_kv_str(&r.pk, "name", "Sam");
	mp_pack_kv_str(&r.pk, "peer", peer);
	bench_req_end(&r);
	rc = bench_call_result(fd, &r, SYNC_JOIN_MS, &body, &up, &msg, err,
	    errsize);
	if (rc == 0) {
		msgpack_unpacked_destroy(&up);
		free(body);
	}
	bench_req_finish(&r);
	close(fd);
	return (rc);
}

/* peers.add [{address}]. Return 0 or -1 (reported). */
static int
peers_add(const char *sock, const char *addr)
{
	struct bench_req	r;
	char			err[256];
	int			rc;

	bench_req_init(&r, RPC_M_PEERS_ADD);
	msgpack_pack_array(&r.pk, 1);
	msgpack_pack_map(&r.pk, 1);
	mp_pack_kv_str(&r.pk, "address", addr);
	bench_req_end(&r);
	rc = bench_call_ok(sock, &r, err, sizeof(err));
	bench_req_finish(&r);
	if (rc < 0)
		fprintf(stderr, "bench-sync: peers.add: %s\n", err);
	return (rc);
}

/*
 * peers []: is there a session in state "connected" (ready, nothing
 * left to receive)? Return 0 with *ready set, or -1 (reported).
 */
static int
session_ready(const char *sock, bool *ready)
{
	struct bench_req	 r;
	struct rpc_msg		 msg;
	msgpack_unpacked	 up;
	const msgpack_object	*ss, *st;
	uint8_t			*body;
	char			 err[256];
	uint32_t		 i;
	int			 fd, rc = -1;

	*ready = false;
	if ((fd = bench_connect(sock)) < 0)
		return (-1);
	bench_req_init(&r, RPC_M_PEERS);
	msgpack_pack_array(&r.pk, 0);
	bench_req_end(&r);
	if (bench_call_result(fd, &r, 30000, &body, &up, &msg, err,
	    sizeof(err)) == 0) {
		if (msg.result->type == MSGPACK_OBJECT_MAP &&
		    (ss = mp_map_get(msg.result, "sessions")) != NULL &&
		    ss->type == MSGPACK_OBJECT_ARRAY) {
			for (i = 0; i < ss->via.array.size; i++) {
				st = mp_map_get(&ss->via.array.ptr[i],
				    "state");
				if (st != NULL && mp_str_eq(st, "connected"))
					*ready = true;
			}
			rc = 0;
		} else
			snprintf(err, sizeof(err), "no sessions");
		msgpack_unpacked_destroy(&up);
		free(body);
	}
	if (rc < 0)
		fprintf(stderr, "bench-sync: peers: %s\n", err);
	bench_req_finish(&r);
	close(fd);
	return (rc);
}

/* status: entries and verified.state. Return 0 or -1. */
static int
entries_of(const char *sock, char *state, size_t size, uint64_t *entries)
{
	int	fd, rc;

	if ((fd = bench_connect(sock)) < 0)
		return (-1);
	rc = bench_status_verified(fd, state, size, entries);
	close(fd);
	return (rc);
}

/* Poll status every 5 ms until entries >= want. Return 0 or -1. */
static int
wait_entries(const char *sock, uint64_t want, uint64_t timeout_ns)
{
	uint64_t	deadline = bench_now_ns() + timeout_ns, n = 0;
	char		state[32];

	while (bench_now_ns() < deadline) {
		if (entries_of(sock, state, sizeof(state), &n) == 0 &&
		    n >= want)
			return (0);
		bench_sleep_ns(5 * BENCH_MS);
	}
	fprintf(stderr, "bench-sync: %llu entries of %llu after %llu s\n",
	    (unsigned long long)n, (unsigned long long)want,
	    (unsigned long long)(timeout_ns / BENCH_NS));
	return (-1);
}

/* ---- the verification limit ---- */

static void *
verify_main(void *arg)
{
	struct verify_job	*j = arg;
	struct envelope		 e;
	size_t			 body = j->len - ENV_SIG;
	uint8_t			 author[ENV_PK];
	unsigned		 i;

	/* The author is element [2]: after 0x99, 0x01, c4 10 + 16, c4 20. */
	memcpy(author, j->blob + 1 + 1 + 2 + ENV_FAMILY_ID + 2, ENV_PK);
	for (i = 0; i < j->n; i++) {
		if (j->parse)
			j->ok += envelope_parse(j->blob, j->len, &e) == 0 &&
			    envelope_verify(&e) == 0;
		else
			j->ok += crypto_sign_verify_detached(j->blob + body,
			    j->blob, body, author) == 0;
	}
	return (NULL);
}

/*
 * threads (1 or 2) threads, each checking the signature of blob n times
 * (parse: envelope_parse + envelope_verify, as the daemon's sigcheck does
 * per event). Return checks per second, or -1 when a thread could not
 * start or a check failed.
 */
static double
verify_rate(const uint8_t *blob, size_t len, unsigned threads, unsigned n,
    bool parse)
{
	struct verify_job	job[2];
	uint64_t		t0, el;
	unsigned		i, started, ok = 0;

	memset(job, 0, sizeof(job));
	t0 = bench_now_ns();
	for (started = 0; started < threads && started < 2; started++) {
		job[started].blob = blob;
		job[started].len = len;
		job[started].n = n;
		job[started].parse = parse;
		if (pthread_create(&job[started].thread, NULL, verify_main,
		    &job[started]) != 0)
			break;
	}
	for (i = 0; i < started; i++) {
		pthread_join(job[i].thread, NULL);
		ok += job[i].ok;
	}
	el = bench_now_ns() - t0;
	if (started != threads || ok != threads * n)
		return (-1);
	return ((double)ok * BENCH_NS / (double)el);
}

/*
 * A real envelope, as the daemon seals a checkin: seq 2 with a prev, a
 * fresh device key and family key, the payload {t, who (a 32-byte id),
 * feeling, intensity}. Return 0 or -1.
 */
static int
make_envelope(msgpack_sbuffer *out)
{
	struct envelope	e;
	msgpack_sbuffer	pl;
	msgpack_packer	pk;
	uint8_t		pkey[ENV_PK], sk[ENV_SK], key[ENV_KEY], who[32];
	int		rc;

	memset(&e, 0, sizeof(e));
	crypto_sign_keypair(pkey, sk);
	randombytes_buf(key, sizeof(key));
	randombytes_buf(who, sizeof(who));
	randombytes_buf(e.family_id, sizeof(e.family_id));
	randombytes_buf(e.prev, sizeof(e.prev));
	randombytes_buf(e.nonce, sizeof(e.nonce));
	memcpy(e.author, pkey, ENV_PK);
	e.seq = 2;
	e.has_prev = true;
	e.hlc_ms = 1795000000000ULL;
	e.key_epoch = 1;
	msgpack_sbuffer_init(&pl);
	msgpack_packer_init(&pk, &pl, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	mp_pack_kv_str(&pk, "t", "checkin");
	mp_pack_kv_bin(&pk, "who", who, sizeof(who));
	mp_pack_kv_str(&pk, "feeling", "happy");
	mp_pack_kv_uint(&pk, "intensity", 3);
	rc = envelope_seal(&e, key, sk, (uint8_t *)pl.data, pl.size, out);
	msgpack_sbuffer_destroy(&pl);
	sodium_memzero(sk, sizeof(sk));
	return (rc < 0 ? -1 : 0);
}

/* ---- syncthing, for reference ---- */

/*
 * POST path on 127.0.0.1:port with the API key, HTTP/1.0, within 30 s.
 * Return the HTTP status or -1.
 */
static int
http_post(uint16_t port, const char *path, const char *key)
{
	struct pollfd	pfd;
	uint64_t	deadline = bench_now_ns() + 30 * BENCH_NS;
	char		req[1024], resp[512];
	size_t		len = 0;
	ssize_t		n;
	int		fd, code = -1, rlen;

	if ((fd = tcp_connect(port)) < 0)
		return (-1);
	rlen = snprintf(req, sizeof(req), "POST %s HTTP/1.0\r\nHost: "
	    "127.0.0.1\r\nX-API-Key: %s\r\nContent-Length: 0\r\n\r\n", path,
	    key);
	if (rlen <= 0 || (size_t)rlen >= sizeof(req) ||
	    write(fd, req, (size_t)rlen) != rlen) {
		close(fd);
		return (-1);
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (len < sizeof(resp) - 1 && bench_now_ns() < deadline) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((n = read(fd, resp + len, sizeof(resp) - 1 - len)) <= 0)
			break;
		len += (size_t)n;
	}
	resp[len] = '\0';
	close(fd);
	if (sscanf(resp, "HTTP/%*s %d", &code) != 1)
		return (-1);
	return (code);
}

/*
 * Two syncthing homes under root with generated device ids, one folder
 * shared both ways, each device's only address the other's 127.0.0.1
 * port; discovery, relays, NAT, upgrades, usage and crash reports off;
 * the GUI/REST on 127.0.0.1. Start both and send a first file (which
 * waits for their connection). Return 0, or -1 with why set.
 */
static int
st_setup(struct st_pair *sp, const char *syncthing, const char *root,
    char *why, size_t whysize)
{
	struct st_node	*n;
	char		*argv[10], path[BENCH_PATH + 32], buf[256];
	char		 home_opt[BENCH_PATH + 16];
	uint64_t	 ns;
	unsigned	 i, k;
	FILE		*f;

	memset(sp, 0, sizeof(*sp));
	snprintf(sp->root, sizeof(sp->root), "%s", root);
	randombytes_buf(buf, 16);
	for (i = 0; i < 32; i++)
		sp->apikey[i] = "abcdefghijklmnopqrstuvwxyz012345"
		    [((uint8_t)buf[i / 2] >> (i % 2 * 4)) & 31];
	setenv("STNOUPGRADE", "1", 1);
	setenv("STNODEFAULTFOLDER", "1", 1);
	for (i = 0; i < 2; i++) {
		n = &sp->node[i];
		snprintf(n->home, sizeof(n->home), "%s/st%u", root, i);
		snprintf(n->dir, sizeof(n->dir), "%s/st%u/folder", root, i);
		snprintf(n->log, sizeof(n->log), "%s/st%u/log", root, i);
		snprintf(home_opt, sizeof(home_opt), "--home=%s", n->home);
		argv[0] = (char *)syncthing;
		argv[1] = (char *)"generate";
		argv[2] = home_opt;
		argv[3] = (char *)"--no-default-folder";
		argv[4] = NULL;
		if (bench_run(argv, 60 * BENCH_NS) != 0) {
			snprintf(why, whysize, "syncthing generate failed");
			return (-1);
		}
		argv[1] = (char *)"serve";
		argv[3] = (char *)"--device-id";
		if (bench_run_capture(argv, n->id, sizeof(n->id),
		    60 * BENCH_NS) != 0 || strlen(n->id) < 50) {
			snprintf(why, whysize, "syncthing --device-id failed");
			return (-1);
		}
		n->id[strcspn(n->id, "\r\n")] = '\0';
		snprintf(path, sizeof(path), "%s/.stfolder", n->dir);
		if (mkdir(n->dir, 0700) == -1 || mkdir(path, 0700) == -1) {
			snprintf(why, whysize, "mkdir %s: %s", path,
			    strerror(errno));
			return (-1);
		}
		if (free_port(&n->gui) < 0 || free_port(&n->port) < 0) {
			snprintf(why, whysize, "no free port");
			return (-1);
		}
	}
	for (i = 0; i < 2; i++) {
		n = &sp->node[i];
		snprintf(path, sizeof(path), "%s/config.xml", n->home);
		if ((f = fopen(path, "w")) == NULL) {
			snprintf(why, whysize, "%s: %s", path,
			    strerror(errno));
			return (-1);
		}
		fprintf(f, "<configuration version=\"36\">\n"
		    "  <folder id=\"bench\" label=\"bench\" path=\"%s\" "
		    "type=\"sendreceive\" rescanIntervalS=\"3600\" "
		    "fsWatcherEnabled=\"false\" fsWatcherDelayS=\"1\">\n"
		    "    <device id=\"%s\"></device>\n"
		    "    <device id=\"%s\"></device>\n"
		    "  </folder>\n", n->dir, sp->node[0].id, sp->node[1].id);
		for (k = 0; k < 2; k++)
			fprintf(f, "  <device id=\"%s\" name=\"n%u\" "
			    "compression=\"never\">\n"
			    "    <address>tcp://127.0.0.1:%u</address>\n"
			    "  </device>\n", sp->node[k].id, k,
			    sp->node[k].port);
		fprintf(f, "  <gui enabled=\"true\" tls=\"false\">\n"
		    "    <address>127.0.0.1:%u</address>\n"
		    "    <apikey>%s</apikey>\n"
		    "  </gui>\n"
		    "  <options>\n"
		    "    <listenAddress>tcp://127.0.0.1:%u</listenAddress>\n"
		    "    <globalAnnounceEnabled>false</globalAnnounceEnabled>\n"
		    "    <localAnnounceEnabled>false</localAnnounceEnabled>\n"
		    "    <relaysEnabled>false</relaysEnabled>\n"
		    "    <natEnabled>false</natEnabled>\n"
		    "    <startBrowser>false</startBrowser>\n"
		    "    <urAccepted>-1</urAccepted>\n"
		    "    <autoUpgradeIntervalH>0</autoUpgradeIntervalH>\n"
		    "    <crashReportingEnabled>false</crashReportingEnabled>\n"
		    "    <reconnectionIntervalS>1</reconnectionIntervalS>\n"
		    "    <setLowPriority>false</setLowPriority>\n"
		    "  </options>\n"
		    "</configuration>\n", n->gui, sp->apikey, n->port);
		if (fclose(f) != 0) {
			snprintf(why, whysize, "%s: write failed", path);
			return (-1);
		}
	}
	for (i = 0; i < 2; i++) {
		n = &sp->node[i];
		snprintf(home_opt, sizeof(home_opt), "--home=%s", n->home);
		argv[0] = (char *)syncthing;
		argv[1] = (char *)"serve";
		argv[2] = home_opt;
		argv[3] = (char *)"--no-browser";
		argv[4] = (char *)"--no-restart";
		argv[5] = (char *)"--no-upgrade";
		argv[6] = (char *)"--no-default-folder";
		argv[7] = (char *)"--skip-port-probing";
		argv[8] = NULL;
		if (bench_spawn(argv, n->log, &n->pid) < 0) {
			snprintf(why, whysize, "cannot start syncthing");
			st_stop(sp);
			return (-1);
		}
	}
	sp->up = true;
	/* The first file waits for start, TLS and the index exchange. */
	ns = bench_now_ns();
	while (bench_now_ns() - ns < ST_SETUP_NS) {
		if (http_post(sp->node[0].gui, "/rest/db/scan?folder=bench",
		    sp->apikey) == 200)
			break;
		bench_sleep_ns(100 * BENCH_MS);
	}
	if (st_file(sp, &ns) < 0) {
		snprintf(why, whysize, "the first file did not arrive (see "
		    "%s and %s)", sp->node[0].log, sp->node[1].log);
		st_stop(sp);
		return (-1);
	}
	printf("syncthing: 2 instances up; first file after %.0f ms\n",
	    (double)ns / BENCH_MS);
	return (0);
}

/*
 * Write a small file in node 0's folder, ask node 0 to scan it (REST),
 * and wait until it is in node 1's folder with all its bytes (syncthing
 * renames it into place). *ns: from before the write to then. Return 0 or
 * -1 after ST_FILE_NS (or a bad REST reply). Each file follows ST_GAP_NS
 * of quiet: syncthing's index sender sleeps 250 ms after each update it
 * sends, so files closer together than that measure that sleep.
 */
static int
st_file(struct st_pair *sp, uint64_t *ns)
{
	struct stat	sb;
	char		name[32], src[BENCH_PATH + 48], dst[BENCH_PATH + 48];
	char		data[ST_FILE_BYTES], path[128];
	uint64_t	t0;
	int		fd;

	snprintf(name, sizeof(name), "f%u", ++sp->seq);
	snprintf(src, sizeof(src), "%s/%s", sp->node[0].dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", sp->node[1].dir, name);
	snprintf(path, sizeof(path), "/rest/db/scan?folder=bench&sub=%s",
	    name);
	memset(data, 'a' + sp->seq % 26, sizeof(data));
	bench_sleep_ns(ST_GAP_NS);
	t0 = bench_now_ns();
	if ((fd = open(src, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return (-1);
	if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data)) {
		close(fd);
		return (-1);
	}
	close(fd);
	if (http_post(sp->node[0].gui, path, sp->apikey) != 200)
		return (-1);
	while (bench_now_ns() - t0 < ST_FILE_NS) {
		if (stat(dst, &sb) == 0 && sb.st_size == ST_FILE_BYTES) {
			*ns = bench_now_ns() - t0;
			return (0);
		}
		bench_sleep_ns(200 * 1000);
	}
	return (-1);
}

static void
st_stop(struct st_pair *sp)
{
	int		status;
	unsigned	i;

	for (i = 0; i < 2; i++) {
		if (sp->node[i].pid <= 0)
			continue;
		kill(sp->node[i].pid, SIGTERM);
		bench_wait(sp->node[i].pid, 20 * BENCH_NS, &status);
		sp->node[i].pid = 0;
	}
	sp->up = false;
}

/* ---- one run ---- */

/*
 * Start attuned under root listening for peers on a free 127.0.0.1 port
 * (--listen refuses port 0), discovery off, peer_opt (or nothing) added.
 * A port taken in between fails the start: up to 5 tries. Return 0 or -1.
 */
static int
start_peer(struct bench_daemon *d, const char *attuned, const char *root,
    const char *peer_opt)
{
	const char	*extra[4];
	char		 listen_opt[32];
	uint16_t	 port;
	unsigned	 i;

	for (i = 0; i < 5; i++) {
		if (free_port(&port) < 0)
			return (-1);
		snprintf(listen_opt, sizeof(listen_opt),
		    "--listen=127.0.0.1:%u", port);
		extra[0] = listen_opt;
		extra[1] = "--no-discovery";
		extra[2] = peer_opt;
		extra[3] = NULL;
		if (bench_daemon_start_args(d, attuned, root, extra,
		    60 * BENCH_NS, NULL) == 0)
			return (0);
	}
	return (-1);
}

/*
 * A fresh A and B: build, join (1), reconnect (2), live (3). Return 0 or
 * -1 (reported).
 */
static int
one_run(const struct sync_opts *o, struct st_pair *sp, unsigned run,
    struct sync_run *sr)
{
	struct bench_daemon	 a, b;
	struct relay		 relay;
	struct sync_conn	 ac, sub;
	struct bench_req	 req;
	struct live_sample	 ls;
	msgpack_sbuffer		 env;
	char			 root[BENCH_PATH], ra[BENCH_PATH + 4];
	char			 rb[BENCH_PATH + 4];
	char			 peer_opt[40], relay_addr[32], code[96];
	char			 err[256], state[32];
	double			 l[3], v1[2], v2[2];
	uint64_t		*lat = NULL, *rep = NULL, *stl = NULL;
	uint64_t		 t0, el, ea = 0, eb = 0, cpua0, cpua1, cpub0;
	uint64_t		 cpub1, wb, relay_cpu0, ns;
	unsigned		 i, slice, done = 0, nst = 0, per;
	uint16_t		 aport;
	bool			 ready, joined;
	int			 ret = -1;

	memset(sr, 0, sizeof(*sr));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&relay, 0, sizeof(relay));
	conn_init(&ac);
	conn_init(&sub);
	msgpack_sbuffer_init(&env);
	bench_checkin_req(&req);
	loadavg(l);
	sr->load[0] = l[0];
	if ((lat = calloc(o->live, sizeof(*lat))) == NULL ||
	    (rep = calloc(o->live, sizeof(*rep))) == NULL ||
	    (stl = calloc(o->files + 1, sizeof(*stl))) == NULL)
		goto out_free;
	if (make_envelope(&env) < 0) {
		fprintf(stderr, "bench-sync: cannot seal an envelope\n");
		goto out_free;
	}
	if (bench_mkdtemp(root, sizeof(root), "sync") < 0) {
		fprintf(stderr, "bench-sync: no temporary dir\n");
		goto out_free;
	}
	snprintf(ra, sizeof(ra), "%s/a", root);
	snprintf(rb, sizeof(rb), "%s/b", root);
	if (mkdir(ra, 0700) == -1 || mkdir(rb, 0700) == -1)
		goto out_rmtree;

	/* A listens on 127.0.0.1 and dials nobody. */
	if (start_peer(&a, o->attuned, ra, NULL) < 0)
		goto out_rmtree;
	if (peer_port(a.sock, &aport) < 0 || build_log(o, a.sock, sr) < 0)
		goto out_daemons;
	printf("run %u: built A's log of %u entries with %u clients in "
	    "%.2f s (%.0f appends/s)\n", run, o->entries, o->clients,
	    sr->build_s, sr->build_rate);
	fflush(stdout);
	if (relay_start(&relay, aport) < 0) {
		fprintf(stderr, "bench-sync: cannot start the relay\n");
		goto out_daemons;
	}
	snprintf(relay_addr, sizeof(relay_addr), "127.0.0.1:%u", relay.port);
	if (start_peer(&b, o->attuned, rb, NULL) < 0)
		goto out_daemons;

	/* 1. Initial sync, between two slices of the verification limit. */
	v1[0] = verify_rate((uint8_t *)env.data, env.size, 1, o->verify / 2,
	    false);
	v2[0] = verify_rate((uint8_t *)env.data, env.size, 2, o->verify / 2,
	    false);
	if (invite(a.sock, code, sizeof(code)) < 0)
		goto out_daemons;
	if (bench_proc_usage(a.pid, &cpua0, &wb) < 0 ||
	    bench_proc_usage(b.pid, &cpub0, &wb) < 0)
		goto out_daemons;
	relay_reset(&relay);
	relay_cpu0 = atomic_load(&relay.cpu_ns);
	t0 = bench_now_ns();
	joined = join(b.sock, code, relay_addr, err, sizeof(err)) == 0;
	if (!joined) {
		/* The daemon gives a join 60 s: finish as a member. */
		fprintf(stderr, "bench-sync: join: %s; waiting for the sync "
		    "to finish in a member session\n", err);
		if (entries_of(a.sock, state, sizeof(state), &ea) < 0 ||
		    peers_add(b.sock, relay_addr) < 0 ||
		    wait_entries(b.sock, ea, SYNC_JOIN_MS * BENCH_MS) < 0)
			goto out_daemons;
	}
	el = bench_now_ns() - t0;
	if (bench_proc_usage(a.pid, &cpua1, &wb) < 0 ||
	    bench_proc_usage(b.pid, &cpub1, &wb) < 0 ||
	    entries_of(a.sock, state, sizeof(state), &ea) < 0 ||
	    entries_of(b.sock, state, sizeof(state), &eb) < 0)
		goto out_daemons;
	v2[1] = verify_rate((uint8_t *)env.data, env.size, 2, o->verify / 2,
	    false);
	v1[1] = verify_rate((uint8_t *)env.data, env.size, 1, o->verify / 2,
	    false);
	sr->p2 = verify_rate((uint8_t *)env.data, env.size, 2, o->verify / 4,
	    true);
	if (v1[0] < 0 || v1[1] < 0 || v2[0] < 0 || v2[1] < 0 || sr->p2 < 0) {
		fprintf(stderr, "bench-sync: a signature check failed\n");
		goto out_daemons;
	}
	sr->v1 = 2.0 / (1.0 / v1[0] + 1.0 / v1[1]);
	sr->v2 = 2.0 / (1.0 / v2[0] + 1.0 / v2[1]);
	sr->join_s = (double)el / BENCH_NS;
	sr->join_rate = (double)eb * BENCH_NS / (double)el;
	sr->join_cpu_a = (double)(cpua1 - cpua0) / (double)eb;
	sr->join_cpu_b = (double)(cpub1 - cpub0) / (double)eb;
	sr->join_bytes = (double)(atomic_load(&relay.bytes[0]) +
	    atomic_load(&relay.bytes[1])) / (double)eb;
	printf("run %u: 1. join%s in %.2f s: B has %llu entries, A %llu "
	    "(%s); %.0f entries/s; per entry: B CPU %.1f us, A CPU %.1f us, "
	    "%.0f bytes on the wire (relay CPU %.0f ms); signature checks "
	    "alone: %.0f/s on 1 thread, %.0f/s on 2 (parse+verify %.0f/s); "
	    "ratio %.2f\n", run, joined ? "" : " (timed out, finished as a "
	    "member)", sr->join_s, (unsigned long long)eb,
	    (unsigned long long)ea, eb == ea ? "equal" : "DIFFERENT",
	    sr->join_rate, sr->join_cpu_b, sr->join_cpu_a, sr->join_bytes,
	    (double)(atomic_load(&relay.cpu_ns) - relay_cpu0) / BENCH_MS,
	    sr->v1, sr->v2, sr->p2, sr->join_rate / sr->v2);
	fflush(stdout);
	if (eb != ea) {
		fprintf(stderr, "bench-sync: B has %llu entries, A %llu\n",
		    (unsigned long long)eb, (unsigned long long)ea);
		goto out_daemons;
	}

	/*
	 * 2. Reconnection with equal logs. B's peers file names the relay
	 * (it joined through it); --peer names it again. A has no target.
	 */
	if (bench_daemon_stop(&b, NULL) < 0)
		goto out_daemons;
	for (t0 = bench_now_ns(); atomic_load(&relay.pairs) > 0 &&
	    bench_now_ns() - t0 < 10 * BENCH_NS;)
		bench_sleep_ns(BENCH_MS);
	relay_reset(&relay);
	snprintf(peer_opt, sizeof(peer_opt), "--peer=%s", relay_addr);
	t0 = bench_now_ns();
	if (start_peer(&b, o->attuned, rb, peer_opt) < 0)
		goto out_daemons;
	if (sub_open(&sub, b.sock) < 0) {
		fprintf(stderr, "bench-sync: subscribe on B failed\n");
		goto out_daemons;
	}
	for (ready = false; !ready && bench_now_ns() - t0 < SYNC_READY_NS;) {
		if (session_ready(a.sock, &ready) < 0)
			goto out_daemons;
		if (!ready)
			bench_sleep_ns(2 * BENCH_MS);
	}
	if (!ready) {
		fprintf(stderr, "bench-sync: A sees no ready session\n");
		goto out_daemons;
	}
	sr->ready_ms = (double)(bench_now_ns() - t0) / BENCH_MS;
	if (conn_open(&ac, a.sock) < 0 ||
	    live_one(&ac, &req, 1, &sub, SYNC_ONE_NS, &ls) < 0)
		goto out_daemons;
	sr->one_bytes_ev = (double)(atomic_load(&relay.bytes[0]) +
	    atomic_load(&relay.bytes[1]));
	entries_of(b.sock, state, sizeof(state), &eb);
	sr->quiet_ms = (double)(relay_quiet(&relay) - ls.event) / BENCH_MS;
	sr->one_bytes = (double)(atomic_load(&relay.bytes[0]) +
	    atomic_load(&relay.bytes[1]));
	sr->one_ms = ((double)ls.event - (double)ls.reply) / BENCH_MS;
	sr->one_sent_ms = (double)(ls.event - ls.sent) / BENCH_MS;
	printf("run %u: 2. B restarted, session ready on A after %.0f ms; "
	    "one append: %.0f bytes on the wire (B->A %llu, A->B %llu, %llu "
	    "connection; %.0f when the event came, quiet from %.0f ms after "
	    "it), event on B %.2f "
	    "ms after A's reply (%.2f ms after the append was sent); B "
	    "verified \"%s\" then\n", run, sr->ready_ms,
	    sr->one_bytes, (unsigned long long)atomic_load(&relay.bytes[0]),
	    (unsigned long long)atomic_load(&relay.bytes[1]),
	    (unsigned long long)atomic_load(&relay.accepted),
	    sr->one_bytes_ev, sr->quiet_ms,
	    sr->one_ms,
	    sr->one_sent_ms, state);
	fflush(stdout);

	/* 3. Live, once B's background check is over, with syncthing. */
	for (t0 = bench_now_ns(); bench_now_ns() - t0 < SYNC_VERIFIED_NS;) {
		if (entries_of(b.sock, state, sizeof(state), &eb) == 0 &&
		    strcmp(state, "pending") != 0)
			break;
		bench_sleep_ns(20 * BENCH_MS);
	}
	printf("run %u: 3. B verified \"%s\" %.1f s later; live loop\n", run,
	    state, (double)(bench_now_ns() - t0) / BENCH_NS);
	fflush(stdout);
	per = (o->live + SYNC_SLICES - 1) / SYNC_SLICES;
	for (slice = 0; slice < SYNC_SLICES; slice++) {
		for (i = 0; i < per && done < o->live; i++, done++) {
			if (live_one(&ac, &req, 2 + done, &sub,
			    SYNC_EVENT_NS, &ls) < 0)
				goto out_daemons;
			lat[done] = ls.event - ls.sent;
			rep[done] = ls.reply - ls.sent;
		}
		while (sp->up && nst < o->files * (slice + 1) / SYNC_SLICES) {
			if (st_file(sp, &ns) < 0) {
				fprintf(stderr, "bench-sync: a syncthing "
				    "file did not arrive\n");
				st_stop(sp);
				break;
			}
			stl[nst++] = ns;
		}
	}
	bench_sort_u64(lat, done);
	bench_sort_u64(rep, done);
	sr->p50 = bench_pct_u64(lat, done, 50) / 1e6;
	sr->p99 = bench_pct_u64(lat, done, 99) / 1e6;
	sr->pmax = lat[done - 1] / 1e6;
	sr->reply50 = bench_pct_u64(rep, done, 50) / 1e6;
	if (nst > 0) {
		bench_sort_u64(stl, nst);
		sr->st50 = bench_pct_u64(stl, nst, 50) / 1e6;
		sr->st_max = stl[nst - 1] / 1e6;
	}
	loadavg(l);
	sr->load[1] = l[0];
	printf("run %u: 3. %u live appends: append sent on A -> event on B "
	    "p50 %.2f ms, p99 %.2f ms, max %.2f ms (A's reply p50 %.2f ms)",
	    run, done, sr->p50, sr->p99, sr->pmax, sr->reply50);
	if (nst > 0)
		printf("; syncthing, %u files: p50 %.1f ms, max %.1f ms", nst,
		    sr->st50, sr->st_max);
	printf("; load %.2f -> %.2f\n", sr->load[0], sr->load[1]);
	fflush(stdout);
	ret = 0;
out_daemons:
	conn_finish(&ac);
	conn_finish(&sub);
	if (b.pid > 0 && bench_daemon_stop(&b, NULL) < 0)
		ret = -1;
	if (a.pid > 0 && bench_daemon_stop(&a, NULL) < 0)
		ret = -1;
	relay_stop(&relay);
out_rmtree:
	if (ret == 0)
		bench_rmtree(root);
	else
		fprintf(stderr, "bench-sync: kept %s\n", root);
out_free:
	conn_finish(&ac);
	conn_finish(&sub);
	msgpack_sbuffer_destroy(&env);
	bench_req_finish(&req);
	free(lat);
	free(rep);
	free(stl);
	return (ret);
}

int
main(int argc, char **argv)
{
	struct sync_opts	 o;
	struct sync_run		 sr[SYNC_MAX_RUNS];
	struct st_pair		 sp;
	struct bench_stat	 st;
	char			 stroot[BENCH_PATH], why[2048], fig[128];
	double			 v[SYNC_MAX_RUNS];
	unsigned		 run, n;
	int			 ch, ret = 1;
	bool			 st_rows;

	memset(&o, 0, sizeof(o));
	o.attuned = BENCH_ATTUNED;
	o.syncthing = "/usr/bin/syncthing";
	o.entries = 100000;
	o.clients = 16;
	o.runs = 3;
	o.live = 1000;
	o.verify = 4000;
	o.files = 20;
	o.build_seconds = 600;
	while ((ch = getopt(argc, argv, "a:n:c:r:l:v:S:f:t:")) != -1) {
		switch (ch) {
		case 'a':
			o.attuned = optarg;
			break;
		case 'n':
			o.entries = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			o.clients = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o.runs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'l':
			o.live = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'v':
			o.verify = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'S':
			o.syncthing = strcmp(optarg, "none") == 0 ? NULL :
			    optarg;
			break;
		case 'f':
			o.files = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			o.build_seconds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (o.entries < 10 || o.entries > 10000000 || o.clients < 1 ||
	    o.clients > BENCH_MAX_CONNS || o.runs < 1 ||
	    o.runs > SYNC_MAX_RUNS || o.live < 1 || o.live > 1000000 ||
	    o.verify < 8 || o.verify > 10000000 || o.files > ST_MAX_FILES ||
	    o.build_seconds < 1 || o.build_seconds > 3600)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0)
		return (1);
	if (!bench_executable(o.attuned)) {
		fprintf(stderr, "bench-sync: no %s\n", o.attuned);
		return (1);
	}
	printf("bench-sync: %u runs; %u entries built by %u clients; %u live "
	    "appends; %u signature checks per thread; syncthing %s\n",
	    o.runs, o.entries, o.clients, o.live, o.verify,
	    o.syncthing != NULL ? o.syncthing : "not run (-S none)");
	memset(&sp, 0, sizeof(sp));
	stroot[0] = '\0';
	if (o.syncthing != NULL && o.files > 0) {
		if (!bench_executable(o.syncthing))
			printf("syncthing: not installed (%s): no reference\n",
			    o.syncthing);
		else if (bench_mkdtemp(stroot, sizeof(stroot), "st") < 0)
			printf("syncthing: no temporary dir: no reference\n");
		else if (st_setup(&sp, o.syncthing, stroot, why,
		    sizeof(why)) < 0)
			printf("syncthing: could not be set up: %s; no "
			    "reference\n", why);
	}
	fflush(stdout);
	for (run = 0; run < o.runs; run++) {
		if (one_run(&o, &sp, run + 1, &sr[run]) < 0)
			goto out;
	}
	st_rows = sp.up;
	for (run = 0; run < o.runs; run++)
		st_rows = st_rows && sr[run].st50 > 0;

	bench_table_head();
#define ROW(field, name, prec, unit, target, verdict) do {		\
	for (n = 0; n < o.runs; n++)					\
		v[n] = sr[n].field;					\
	bench_stat(&st, v, o.runs);					\
	bench_table_row(name, &st, prec, unit, target, verdict);	\
} while (0)
	snprintf(fig, sizeof(fig), "build of A's log, %u clients",
	    o.clients);
	ROW(build_rate, fig, 0, "/s", NULL, -1);
	snprintf(fig, sizeof(fig), "initial sync of %u entries: join call",
	    o.entries);
	ROW(join_s, fig, 2, "s", NULL, -1);
	ROW(join_rate, "**initial sync rate**", 0, "entries/s",
	    ">= 20000 entries/s", st.med >= SYNC_TARGET_RATE);
	ROW(v1, "signature checks alone, 1 thread", 0, "/s", NULL, -1);
	ROW(v2, "signature checks alone, 2 threads", 0, "/s", NULL, -1);
	ROW(p2, "parse + check (the daemon's sigcheck), 2 threads", 0, "/s",
	    NULL, -1);
	for (n = 0; n < o.runs; n++)
		v[n] = sr[n].join_rate / sr[n].v2;
	bench_stat(&st, v, o.runs);
	bench_table_row("sync rate / 2-thread signature limit", &st, 2, "x",
	    NULL, -1);
	ROW(join_cpu_b, "B's CPU per entry received", 1, "us", NULL, -1);
	ROW(join_cpu_a, "A's CPU per entry sent", 1, "us", NULL, -1);
	ROW(join_bytes, "bytes on the wire per entry, initial sync", 0, "B",
	    NULL, -1);
	ROW(ready_ms, "B restarted: start to session ready on A", 0, "ms",
	    NULL, -1);
	ROW(one_bytes, "**reconnect + 1 entry: bytes on the wire**", 0, "B",
	    "<= 4096 B", st.med <= SYNC_TARGET_BYTES);
	ROW(one_bytes_ev, "reconnect + 1 entry: bytes until the event", 0,
	    "B", NULL, -1);
	ROW(quiet_ms, "reconnect + 1 entry: wire quiet after the event", 0,
	    "ms", NULL, -1);
	ROW(one_ms, "**reconnect + 1 entry: A's reply -> event on B**", 2,
	    "ms", "<= 20 ms", st.med <= SYNC_TARGET_ONE_MS);
	snprintf(fig, sizeof(fig), "**live: append on A -> event on B, "
	    "p50** (%u appends)", o.live);
	ROW(p50, fig, 2, "ms", "<= 10 ms", st.med <= SYNC_TARGET_P50_MS);
	ROW(p99, "**live: append on A -> event on B, p99**", 2, "ms",
	    "<= 50 ms", st.med <= SYNC_TARGET_P99_MS);
	ROW(pmax, "live: append on A -> event on B, max", 2, "ms", NULL, -1);
	ROW(reply50, "live: append on A -> its reply, p50", 2, "ms", NULL,
	    -1);
	if (st_rows) {
		snprintf(fig, sizeof(fig), "reference: syncthing, small file "
		    "to the other instance, p50 (%u files)", o.files);
		ROW(st50, fig, 1, "ms", NULL, -1);
		for (n = 0; n < o.runs; n++)
			v[n] = sr[n].p50 / sr[n].st50;
		bench_stat(&st, v, o.runs);
		bench_table_row("live p50 / syncthing p50, same run", &st, 3,
		    "x", NULL, -1);
	}
	ROW(load[0], "load average (1 min) at the start of a run", 2, "",
	    NULL, -1);
	ROW(load[1], "load average (1 min) at the end of a run", 2, "",
	    NULL, -1);
#undef ROW
	ret = 0;
out:
	st_stop(&sp);
	if (stroot[0] != '\0')
		bench_rmtree(stroot);
	return (ret);
}
