/*
 * evilpeer.c: a misbehaving attune peer for the integration tests
 * (test_peer_adversary.py). It dials 127.0.0.1:PORT and plays one
 * misbehaviour against a live attuned, borrowing the keys of a real
 * device whose data dir it is given (DATA/device.key: the 64-byte
 * Ed25519 secret key; DATA/family.key: "attune-family-v1" | family_id
 * (16), then one record per key epoch: epoch (u32, big-endian) | key
 * (32); the newest epoch is used). The test stops that device's daemon
 * first, so the target never sees the device twice.
 *
 *	evilpeer MODE [FILE] --port PORT [--data DIR] [--seq N --prev HEX]
 *	    [--author-data DIR] [--wait MS]
 *
 * --seq/--prev name the head of the author of the events we forge (by
 * default the borrowed device; with --author-data, the device of that
 * data dir, whose own family.key seals them).
 *
 * It prints one "observed: ..." line per thing the target did, "sent-id:
 * HEX" for every event it offered, and a last "verdict: ..." line. Exit
 * status: 0 the target behaved (it told us nothing it should not have,
 * ended the session where it had to), 1 it did not, 2 this tool could not
 * run the check (bad usage, no connection, unreadable keys).
 *
 * Modes without a member's keys: stranger, slowloris. With the family
 * key only: reflect, loworder, unknown-device, replay FILE (FILE made by
 * capture FILE, a legitimate session). With a member's keys, after a
 * correct handshake: good-event (the positive control: a well-formed
 * event the target must accept), event-bye (the same event with our
 * goodbye right behind it: still accepted), forged-sig, bad-aead, wrong-seq,
 * broken-chain, foreign-author, oversized, garbage-msg; removed (the
 * borrowed device has been removed from the family: its handshake must
 * be refused), removed-relay (a member relays an event its removed
 * author wrote after its final_seq: never stored; --author-data names
 * the removed device).
 *
 * Must not: address anything but 127.0.0.1, or wait without a deadline.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>
#include <sodium.h>

#include "envelope.h"
#include "frame.h"
#include "handshake.h"
#include "mpcheck.h"
#include "peermsg.h"
#include "proto.h"

#define SS_ABYTES	crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER	crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_STATE	crypto_secretstream_xchacha20poly1305_state
#define TAG_MESSAGE	crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define TAG_FINAL	crypto_secretstream_xchacha20poly1305_TAG_FINAL

#define EXIT_GOOD	0
#define EXIT_BAD	1
#define EXIT_SETUP	2

#define FAMILY_MAGIC	"attune-family-v1"
#define FAMILY_HEAD	(16 + 16)
#define FAMILY_EPOCH	(4 + 32)
#define FAMILY_MAX	(FAMILY_HEAD + 64 * FAMILY_EPOCH)
/* Most bad events sent to a target that keeps the session open. */
#define MAX_REPEAT	40
#define MAX_CAPTURE	(64U << 10)

enum io {
	IO_OK,
	IO_EOF,		/* orderly close before any byte of a frame */
	IO_TIMEOUT,
	IO_RESET,
	IO_TRUNC,	/* closed in the middle of a frame */
	IO_TOOBIG,	/* a frame longer than we accept */
	IO_CRYPT,	/* a stream message that does not decrypt */
};

static const char *io_name[] = {
	"ok", "closed", "timed out", "reset", "closed mid-frame",
	"frame too big", "undecryptable"
};

struct conn {
	int		 fd;
	struct hs	 hs;
	SS_STATE	 tx, rx;
	size_t		 got;		/* bytes received, all told */
	uint8_t		*cap;		/* capture of what we sent */
	size_t		 caplen;
};

/* What a target did after the misbehaviour. */
struct obs {
	unsigned	heads, events, auths, other, errors;
	uint64_t	code;		/* last ERROR code */
	bool		final;		/* authenticated goodbye */
	bool		closed;
	bool		timeout;
	bool		crypt;		/* sent something undecryptable */
	bool		echoed;		/* sent back a forged event */
};

struct opts {
	const char	*mode;
	const char	*file;
	uint16_t	 port;
	const char	*data;
	uint64_t	 seq;
	bool		 has_seq;
	uint8_t		 prev[32];
	bool		 has_prev;
	const char	*author_data;
	int		 wait_ms;
};

/* Borrowed keys. */
static uint8_t	dev_sk[64], dev_pk[32];
static uint8_t	fam_id[16], fam_key[32], net_key[32];
static uint32_t	fam_epoch;
static bool	have_dev, have_fam;
/* The author of the events we forge, and the key that seals them. */
static uint8_t	ev_sk[64], ev_pk[32], ev_key[32];
static uint32_t	ev_epoch;
/* The ACK signature of the last member session (for capture). */
static uint8_t	ack_sig[64];

static uint8_t	plain[PEER_MAX_FRAME + 64];
static uint8_t	rbuf[PEER_MAX_FRAME + SS_ABYTES + 64];
/* The ids of the events we forged: the target must never send them. */
static uint8_t	forged[MAX_REPEAT + 8][32];
static unsigned	nforged;
static struct opts opt;

static int64_t	now_ms(void);
static void	usage(void) __attribute__((noreturn));
static int	verdict(bool good, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
static void	hexs(char *, const uint8_t *, size_t);
static int	unhex(uint8_t *, size_t, const char *);
static int	read_file(const char *, const char *, uint8_t *, size_t,
		    size_t *);
static int	read_family(const char *, uint8_t id[16], uint32_t *,
		    uint8_t key[32]);
static int	load_keys(bool need_dev);
static int	conn_open(struct conn *);
static void	conn_close(struct conn *);
static int	send_all(struct conn *, const void *, size_t);
static int	send_frame(struct conn *, const void *, size_t);
static enum io	recv_exact(struct conn *, uint8_t *, size_t, int64_t);
static enum io	recv_frame(struct conn *, uint8_t *, size_t, size_t *,
		    int64_t);
static enum io	drain(struct conn *, int64_t, size_t *);
static int	ss_send(struct conn *, const void *, size_t, unsigned char);
static int	ss_send_sb(struct conn *, const msgpack_sbuffer *);
static enum io	ss_recv(struct conn *, int64_t, size_t *, unsigned char *);
static int	hello_exchange(struct conn *, const uint8_t key[32]);
static int	member_session(struct conn *, msgpack_sbuffer *heads);
static int	member_settled(struct conn *);
static void	watch(struct conn *, int ms, struct obs *);
static void	note_events(const struct peermsg *, struct obs *);
static int	make_event(msgpack_sbuffer *, const uint8_t *pk,
		    const uint8_t *sk, const uint8_t *seal_key, uint64_t seq,
		    const uint8_t *prev, uint8_t id[32]);
static int	send_events(struct conn *, const msgpack_sbuffer *blob);
static int	expect_silence(const char *what, const void *, size_t,
		    bool framed);
static int	mode_stranger(void);
static int	mode_slowloris(void);
static int	mode_capture(void);
static int	mode_replay(void);
static int	mode_reflect(void);
static int	mode_loworder(void);
static int	mode_unknown_device(void);
static int	mode_bad_event(void);
static int	mode_oversized(void);
static int	mode_garbage(void);
static int	mode_removed(void);

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
usage(void)
{
	fprintf(stderr, "usage: evilpeer MODE [FILE] --port PORT [--data DIR]"
	    " [--seq N --prev HEX] [--wait MS]\n"
	    "modes: stranger slowloris capture replay reflect loworder "
	    "unknown-device good-event event-bye forged-sig bad-aead "
	    "wrong-seq broken-chain foreign-author oversized garbage-msg "
	    "removed removed-relay\n");
	exit(EXIT_SETUP);
}

static int
verdict(bool good, const char *fmt, ...)
{
	va_list	ap;

	printf("verdict: %s: ", good ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return (good ? EXIT_GOOD : EXIT_BAD);
}

static void
hexs(char *out, const uint8_t *in, size_t n)
{
	static const char	d[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
unhex(uint8_t *out, size_t n, const char *in)
{
	size_t	bin_len;

	if (strlen(in) != 2 * n || sodium_hex2bin(out, n, in, strlen(in),
	    NULL, &bin_len, NULL) != 0 || bin_len != n)
		return (-1);
	return (0);
}

/*
 * Read dir/name: exactly len bytes, or at most len when got is not NULL.
 * Return 0 or -1 (message printed).
 */
static int
read_file(const char *dir, const char *name, uint8_t *buf, size_t len,
    size_t *got)
{
	char	path[4096];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		printf("setup: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	n = read(fd, buf, len);
	close(fd);
	if (n < 0 || (got == NULL && n != (ssize_t)len)) {
		printf("setup: %s: expected %zu bytes\n", path, len);
		return (-1);
	}
	if (got != NULL)
		*got = (size_t)n;
	return (0);
}

/* The family id and the newest epoch's key of dir/family.key. */
static int
read_family(const char *dir, uint8_t id[16], uint32_t *epoch,
    uint8_t key[32])
{
	uint8_t		f[FAMILY_MAX], *r;
	size_t		got, i;
	uint32_t	e;
	bool		any = false;

	if (read_file(dir, "family.key", f, sizeof(f), &got) < 0)
		return (-1);
	if (got < FAMILY_HEAD + FAMILY_EPOCH ||
	    (got - FAMILY_HEAD) % FAMILY_EPOCH != 0 ||
	    memcmp(f, FAMILY_MAGIC, 16) != 0) {
		printf("setup: %s/family.key: not a family key\n", dir);
		return (-1);
	}
	memcpy(id, f + 16, 16);
	for (i = 0; i < (got - FAMILY_HEAD) / FAMILY_EPOCH; i++) {
		r = f + FAMILY_HEAD + i * FAMILY_EPOCH;
		e = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 |
		    (uint32_t)r[2] << 8 | r[3];
		if (!any || e > *epoch) {
			*epoch = e;
			memcpy(key, r + 4, 32);
			any = true;
		}
	}
	sodium_memzero(f, sizeof(f));
	return (0);
}

static int
load_keys(bool need_dev)
{
	uint8_t	aid[16];

	if (opt.data == NULL) {
		printf("setup: --data DIR is needed for mode %s\n", opt.mode);
		return (-1);
	}
	if (read_family(opt.data, fam_id, &fam_epoch, fam_key) < 0)
		return (-1);
	hs_net_key(net_key, fam_key);
	have_fam = true;
	if (need_dev) {
		if (read_file(opt.data, "device.key", dev_sk, 64, NULL) < 0)
			return (-1);
		memcpy(dev_pk, dev_sk + 32, 32);
		have_dev = true;
	}
	memcpy(ev_sk, dev_sk, 64);
	memcpy(ev_pk, dev_pk, 32);
	memcpy(ev_key, fam_key, 32);
	ev_epoch = fam_epoch;
	if (opt.author_data != NULL) {
		if (read_file(opt.author_data, "device.key", ev_sk, 64,
		    NULL) < 0 || read_family(opt.author_data, aid, &ev_epoch,
		    ev_key) < 0)
			return (-1);
		memcpy(ev_pk, ev_sk + 32, 32);
		if (memcmp(aid, fam_id, 16) != 0) {
			printf("setup: --author-data is of another family\n");
			return (-1);
		}
	}
	return (0);
}

/* ---- transport ---- */

static int
conn_open(struct conn *c)
{
	struct sockaddr_in	sin;
	int			one = 1;

	memset(c, 0, sizeof(*c));
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(opt.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		printf("setup: connect 127.0.0.1:%u: %s\n", opt.port,
		    strerror(errno));
		close(c->fd);
		c->fd = -1;
		return (-1);
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return (0);
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	free(c->cap);
	c->cap = NULL;
	sodium_memzero(&c->hs, sizeof(c->hs));
}

/* Return 0, or -1 when the target closed the connection first. */
static int
send_all(struct conn *c, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	if (c->cap != NULL && c->caplen + len <= MAX_CAPTURE) {
		memcpy(c->cap + c->caplen, buf, len);
		c->caplen += len;
	}
	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

static int
send_frame(struct conn *c, const void *body, size_t len)
{
	uint8_t	h[FRAME_HEADER];

	frame_put_header(h, (uint32_t)len);
	if (send_all(c, h, sizeof(h)) < 0)
		return (-1);
	return (send_all(c, body, len));
}

static enum io
recv_exact(struct conn *c, uint8_t *buf, size_t len, int64_t deadline)
{
	struct pollfd	pfd;
	size_t		have = 0;
	ssize_t		n;
	int64_t		left;

	while (have < len) {
		if ((left = deadline - now_ms()) <= 0)
			return (IO_TIMEOUT);
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;	/* EINTR, or the deadline next turn */
		n = recv(c->fd, buf + have, len - have, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (IO_RESET);
		if (n == 0)
			return (have == 0 ? IO_EOF : IO_TRUNC);
		have += (size_t)n;
		c->got += (size_t)n;
	}
	return (IO_OK);
}

static enum io
recv_frame(struct conn *c, uint8_t *buf, size_t cap, size_t *len,
    int64_t deadline)
{
	uint8_t	h[FRAME_HEADER];
	enum io	r;

	if ((r = recv_exact(c, h, sizeof(h), deadline)) != IO_OK)
		return (r);
	*len = frame_get_header(h);
	if (*len == 0 || *len > cap)
		return (IO_TOOBIG);
	r = recv_exact(c, buf, *len, deadline);
	return (r == IO_EOF ? IO_TRUNC : r);
}

/* Read and count bytes until the target closes or the deadline. */
static enum io
drain(struct conn *c, int64_t deadline, size_t *n)
{
	uint8_t	b[4096];
	enum io	r;

	*n = 0;
	for (;;) {
		struct pollfd	pfd = { .fd = c->fd, .events = POLLIN };
		int64_t		left = deadline - now_ms();
		ssize_t		k;

		if (left <= 0)
			return (IO_TIMEOUT);
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		k = recv(c->fd, b, sizeof(b), 0);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			r = IO_RESET;
			break;
		}
		if (k == 0) {
			r = IO_EOF;
			break;
		}
		*n += (size_t)k;
		c->got += (size_t)k;
	}
	return (r);
}

static int
ss_send(struct conn *c, const void *m, size_t len, unsigned char tag)
{
	uint8_t	*ct;
	int	 rc;

	if ((ct = malloc(len + SS_ABYTES)) == NULL)
		return (-1);
	crypto_secretstream_xchacha20poly1305_push(&c->tx, ct, NULL, m, len,
	    NULL, 0, tag);
	rc = send_frame(c, ct, len + SS_ABYTES);
	free(ct);
	return (rc);
}

static int
ss_send_sb(struct conn *c, const msgpack_sbuffer *sb)
{
	return (ss_send(c, sb->data, sb->size, TAG_MESSAGE));
}

/* The next stream message, decrypted into plain. */
static enum io
ss_recv(struct conn *c, int64_t deadline, size_t *plen, unsigned char *tag)
{
	unsigned long long	mlen;
	size_t			len;
	enum io			r;

	if ((r = recv_frame(c, rbuf, sizeof(rbuf), &len, deadline)) != IO_OK)
		return (r);
	if (len < SS_ABYTES || len - SS_ABYTES > sizeof(plain) ||
	    crypto_secretstream_xchacha20poly1305_pull(&c->rx, plain, &mlen,
	    tag, rbuf, len, NULL, 0) != 0)
		return (IO_CRYPT);
	*plen = (size_t)mlen;
	return (IO_OK);
}

/*
 * Hellos and stream headers as a client under key. Return 0, or -1 with
 * what the target did printed.
 */
static int
hello_exchange(struct conn *c, const uint8_t key[32])
{
	uint8_t	hello[HS_HELLO_LEN], header[SS_HEADER];
	size_t	len;
	enum io	r;
	int64_t	deadline = now_ms() + opt.wait_ms;

	hs_init(&c->hs, HS_CLIENT, key);
	hs_hello(&c->hs, hello);
	if (send_frame(c, hello, sizeof(hello)) < 0) {
		printf("observed: closed before our hello was sent\n");
		return (-1);
	}
	if ((r = recv_frame(c, rbuf, sizeof(rbuf), &len, deadline)) !=
	    IO_OK) {
		printf("observed: no hello back: %s\n", io_name[r]);
		return (-1);
	}
	if (hs_check_hello(&c->hs, rbuf, len) < 0) {
		printf("observed: a hello that does not check (%zu bytes)\n",
		    len);
		return (-1);
	}
	crypto_secretstream_xchacha20poly1305_init_push(&c->tx, header,
	    c->hs.tx);
	if (send_frame(c, header, sizeof(header)) < 0) {
		printf("observed: closed before our stream header\n");
		return (-1);
	}
	if ((r = recv_frame(c, rbuf, sizeof(rbuf), &len, deadline)) !=
	    IO_OK || len != SS_HEADER ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&c->rx, rbuf,
	    c->hs.rx) != 0) {
		printf("observed: no valid stream header: %s\n", io_name[r]);
		return (-1);
	}
	return (0);
}

/*
 * A whole legitimate session as the borrowed member: hellos, IDENT,
 * AUTH (checked), ACK, then the target's HEADS (copied into heads, to
 * echo back so that the target pushes nothing). Return 0 or -1.
 */
static int
member_session(struct conn *c, msgpack_sbuffer *heads)
{
	msgpack_sbuffer		sb;
	msgpack_packer		pk;
	msgpack_unpacked	up;
	struct peermsg		m;
	uint8_t			sig[64], server[32];
	unsigned char		tag;
	size_t			len;
	enum io			r;
	int64_t			deadline = now_ms() + opt.wait_ms;
	int			rc = -1;

	if (hello_exchange(c, net_key) < 0)
		return (-1);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	peermsg_pack_ident(&pk, dev_pk, NULL, false);
	if (ss_send_sb(c, &sb) < 0) {
		msgpack_sbuffer_destroy(&sb);
		printf("observed: closed before IDENT\n");
		return (-1);
	}
	msgpack_sbuffer_destroy(&sb);
	msgpack_unpacked_init(&up);
	if ((r = ss_recv(c, deadline, &len, &tag)) != IO_OK ||
	    peermsg_decode(plain, len, &up, &m) < 0 || m.type != PM_AUTH) {
		printf("setup: no AUTH from the target (%s)\n",
		    r == IO_OK ? "another message" : io_name[r]);
		goto out;
	}
	memcpy(server, m.device, 32);
	if (hs_verify(&c->hs, server, dev_pk, m.sig) < 0) {
		printf("observed: the target's AUTH signature is wrong\n");
		goto out;
	}
	msgpack_unpacked_destroy(&up);
	msgpack_unpacked_init(&up);
	hs_sign(&c->hs, dev_sk, server, sig);
	memcpy(ack_sig, sig, 64);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	peermsg_pack_ack(&pk, sig);
	rc = ss_send_sb(c, &sb);
	msgpack_sbuffer_destroy(&sb);
	if (rc < 0) {
		printf("setup: closed before ACK\n");
		rc = -1;
		goto out;
	}
	rc = -1;
	if ((r = ss_recv(c, deadline, &len, &tag)) != IO_OK ||
	    peermsg_decode(plain, len, &up, &m) < 0 || m.type != PM_HEADS) {
		printf("setup: no HEADS from the target (%s)\n",
		    r == IO_OK ? "another message" : io_name[r]);
		goto out;
	}
	/* The borrowed device's head, as the target knows it. */
	for (uint32_t i = 0; i < m.list->via.array.size; i++) {
		struct peermsg_head	h;
		char			hx[65];

		if (peermsg_head(&m, i, &h) < 0 ||
		    memcmp(h.author, ev_pk, 32) != 0)
			continue;
		hexs(hx, h.id, 32);
		printf("observed: target's head for the author: seq %llu id "
		    "%s\n", (unsigned long long)h.seq, hx);
		if (!opt.has_seq) {
			opt.seq = h.seq;
			opt.has_seq = true;
			memcpy(opt.prev, h.id, 32);
			opt.has_prev = true;
		} else if (opt.seq != h.seq || (opt.has_prev &&
		    memcmp(opt.prev, h.id, 32) != 0))
			printf("note: --seq/--prev differ from the target's "
			    "head\n");
	}
	if (heads != NULL)
		msgpack_sbuffer_write(heads, (const char *)plain, len);
	rc = 0;
out:
	msgpack_unpacked_destroy(&up);
	return (rc);
}

/*
 * The ground for a mode that misbehaves later: load the borrowed keys,
 * connect, run a legitimate session, echo the target's HEADS and let
 * whatever it pushes first go by. Return 0, or EXIT_SETUP (c closed).
 */
static int
member_settled(struct conn *c)
{
	msgpack_sbuffer	heads;
	struct obs	o;
	int		rc;

	if (load_keys(true) < 0 || conn_open(c) < 0)
		return (EXIT_SETUP);
	msgpack_sbuffer_init(&heads);
	if ((rc = member_session(c, &heads)) == 0)
		ss_send(c, heads.data, heads.size, TAG_MESSAGE);
	msgpack_sbuffer_destroy(&heads);
	if (rc < 0) {
		conn_close(c);
		return (EXIT_SETUP);
	}
	memset(&o, 0, sizeof(o));
	watch(c, 300, &o);
	return (0);
}

static void
note_events(const struct peermsg *m, struct obs *o)
{
	const uint8_t	*blob;
	uint8_t		 id[32];
	size_t		 len;
	unsigned	 k;

	for (uint32_t i = 0; i < m->list->via.array.size; i++) {
		if (peermsg_event(m, i, &blob, &len) < 0)
			continue;
		crypto_generichash(id, sizeof(id), blob, len, NULL, 0);
		for (k = 0; k < nforged; k++)
			if (memcmp(id, forged[k], 32) == 0)
				o->echoed = true;
	}
}

/* Read what the target sends for ms (or until it closes). */
static void
watch(struct conn *c, int ms, struct obs *o)
{
	msgpack_unpacked	up;
	struct peermsg		m;
	unsigned char		tag;
	size_t			len;
	enum io			r;
	int64_t			deadline = now_ms() + ms;

	while (!o->closed) {
		r = ss_recv(c, deadline, &len, &tag);
		if (r == IO_TIMEOUT) {
			o->timeout = true;
			return;
		}
		if (r == IO_CRYPT) {
			printf("observed: an undecryptable message\n");
			o->crypt = true;
			o->closed = true;
			return;
		}
		if (r != IO_OK) {
			printf("observed: connection %s\n", io_name[r]);
			o->closed = true;
			return;
		}
		if (tag == TAG_FINAL)
			o->final = true;
		msgpack_unpacked_init(&up);
		if (peermsg_decode(plain, len, &up, &m) < 0) {
			if (tag != TAG_FINAL)
				o->other++;
			printf("observed: %s%zu-byte message that is not a "
			    "peer message\n", tag == TAG_FINAL ? "goodbye: " :
			    "", len);
		} else if (m.type == PM_ERROR) {
			o->errors++;
			o->code = m.code;
			printf("observed: ERROR %llu (%s)%s\n",
			    (unsigned long long)m.code,
			    proto_strerror((int)m.code),
			    tag == TAG_FINAL ? " with goodbye" : "");
		} else if (m.type == PM_HEADS) {
			o->heads++;
			printf("observed: HEADS (%u authors)\n",
			    m.list->via.array.size);
		} else if (m.type == PM_EVENTS) {
			o->events++;
			note_events(&m, o);
			printf("observed: EVENTS (%u)\n",
			    m.list->via.array.size);
		} else if (m.type == PM_AUTH) {
			o->auths++;
			printf("observed: AUTH\n");
		} else {
			o->other++;
			printf("observed: message type %d\n", m.type);
		}
		msgpack_unpacked_destroy(&up);
	}
}

/*
 * Seal one event of ours: payload {"t": "x-evilpeer", "mode": MODE}.
 * seal_key is the family key (or a wrong one). Return 0 or -1.
 */
static int
make_event(msgpack_sbuffer *out, const uint8_t *pk, const uint8_t *sk,
    const uint8_t *seal_key, uint64_t seq, const uint8_t *prev,
    uint8_t id[32])
{
	struct envelope	e;
	msgpack_sbuffer	pl;
	msgpack_packer	pk2;
	struct timespec	ts;
	int		rc;

	memset(&e, 0, sizeof(e));
	memcpy(e.family_id, fam_id, 16);
	memcpy(e.author, pk, 32);
	e.seq = seq;
	e.has_prev = seq > 1;
	if (e.has_prev)
		memcpy(e.prev, prev, 32);
	clock_gettime(CLOCK_REALTIME, &ts);
	e.hlc_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	e.key_epoch = ev_epoch;
	randombytes_buf(e.nonce, sizeof(e.nonce));
	msgpack_sbuffer_init(&pl);
	msgpack_packer_init(&pk2, &pl, msgpack_sbuffer_write);
	msgpack_pack_map(&pk2, 2);
	msgpack_pack_str_with_body(&pk2, "t", 1);
	msgpack_pack_str_with_body(&pk2, "x-evilpeer", 10);
	msgpack_pack_str_with_body(&pk2, "mode", 4);
	msgpack_pack_str_with_body(&pk2, opt.mode, strlen(opt.mode));
	rc = envelope_seal(&e, seal_key, sk, (const uint8_t *)pl.data,
	    pl.size, out);
	msgpack_sbuffer_destroy(&pl);
	if (rc < 0) {
		printf("setup: envelope_seal: %s\n", proto_strerror(rc));
		return (-1);
	}
	memcpy(id, e.id, 32);
	return (0);
}

/* EVENTS [blob]; print and remember the blob's id. */
static int
send_events(struct conn *c, const msgpack_sbuffer *blob)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	char		hx[65];
	int		rc;

	if (nforged < MAX_REPEAT + 8)
		nforged++;
	crypto_generichash(forged[nforged - 1], 32,
	    (const uint8_t *)blob->data, blob->size, NULL, 0);
	hexs(hx, forged[nforged - 1], 32);
	printf("sent-id: %s\n", hx);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	peermsg_pack_events_begin(&pk, 1);
	msgpack_pack_bin_with_body(&pk, blob->data, blob->size);
	rc = ss_send_sb(c, &sb);
	msgpack_sbuffer_destroy(&sb);
	return (rc);
}

/*
 * One connection: send data (as a frame body if framed), then the
 * target must close without sending a single byte. Return 0 if so.
 */
static int
expect_silence(const char *what, const void *data, size_t len, bool framed)
{
	struct conn	c;
	size_t		n;
	enum io		r;
	int		sent;

	if (conn_open(&c) < 0)
		return (-2);
	sent = framed ? send_frame(&c, data, len) : send_all(&c, data, len);
	r = drain(&c, now_ms() + opt.wait_ms, &n);
	conn_close(&c);
	printf("observed: %s: %s%s after %zu bytes from the target\n", what,
	    sent < 0 ? "(refused mid-send) " : "", io_name[r], n);
	return (n == 0 && (r == IO_EOF || r == IO_RESET) ? 0 : -1);
}

/* ---- modes ---- */

/* Random bytes, random hellos, zero and huge lengths: silence. */
static int
mode_stranger(void)
{
	uint8_t	buf[4096], hello[HS_HELLO_LEN];
	int	bad = 0, rc;

	randombytes_buf(hello, sizeof(hello));
	hello[0] = HS_VERSION;
	if ((rc = expect_silence("random 65-byte hello", hello,
	    sizeof(hello), true)) == -2)
		return (EXIT_SETUP);
	bad += rc == -1;
	randombytes_buf(buf, sizeof(buf));
	buf[0] |= 0x80;		/* a declared length far over the limit */
	if ((rc = expect_silence("4 KiB of random bytes", buf, sizeof(buf),
	    false)) == -2)
		return (EXIT_SETUP);
	bad += rc == -1;
	randombytes_buf(buf, 100);
	if ((rc = expect_silence("a 100-byte random frame", buf, 100,
	    true)) == -2)
		return (EXIT_SETUP);
	bad += rc == -1;
	memset(buf, 0, 8);
	if ((rc = expect_silence("a zero-length frame", buf, 8, false)) == -2)
		return (EXIT_SETUP);
	bad += rc == -1;
	memset(buf, 0xff, 4);
	if ((rc = expect_silence("a 4 GiB frame header", buf, 4, false)) == -2)
		return (EXIT_SETUP);
	bad += rc == -1;
	return (verdict(bad == 0, "%d of 5 stranger probes got an answer or "
	    "an open connection", bad));
}

/*
 * Half a hello, then nothing: the target must give up within its
 * handshake deadline (10 s) instead of holding the connection.
 */
static int
mode_slowloris(void)
{
	struct conn	c;
	uint8_t		half[FRAME_HEADER + 30];
	size_t		n;
	enum io		r;
	int64_t		t0 = now_ms();

	if (conn_open(&c) < 0)
		return (EXIT_SETUP);
	frame_put_header(half, HS_HELLO_LEN);
	randombytes_buf(half + FRAME_HEADER, 30);
	send_all(&c, half, sizeof(half));
	r = drain(&c, now_ms() + opt.wait_ms, &n);
	conn_close(&c);
	printf("observed: %s after %lld ms, %zu bytes from the target\n",
	    io_name[r], (long long)(now_ms() - t0), n);
	return (verdict(n == 0 && r != IO_TIMEOUT, "half a hello %s",
	    r == IO_TIMEOUT ? "kept the connection open" :
	    "was dropped in time"));
}

/*
 * A legitimate session as the member, recording every byte we send:
 * FILE gets them, FILE.meta our device key and the ACK signature.
 */
static int
mode_capture(void)
{
	struct conn	c;
	msgpack_sbuffer	heads;
	char		path[4200];
	FILE		*f;
	int		rc;

	if (load_keys(true) < 0)
		return (EXIT_SETUP);
	if (conn_open(&c) < 0)
		return (EXIT_SETUP);
	if ((c.cap = malloc(MAX_CAPTURE)) == NULL)
		return (EXIT_SETUP);
	msgpack_sbuffer_init(&heads);
	rc = member_session(&c, &heads);
	if (rc == 0) {
		/* Echo the heads so that nothing is pushed, then goodbye. */
		rc = ss_send(&c, heads.data, heads.size, TAG_MESSAGE);
		if (rc == 0)
			rc = ss_send(&c, "\x90", 1, TAG_FINAL);
	}
	msgpack_sbuffer_destroy(&heads);
	if (rc < 0) {
		conn_close(&c);
		printf("setup: the legitimate session failed\n");
		return (EXIT_SETUP);
	}
	if ((f = fopen(opt.file, "wb")) == NULL ||
	    fwrite(c.cap, 1, c.caplen, f) != c.caplen || fclose(f) != 0) {
		conn_close(&c);
		printf("setup: cannot write %s\n", opt.file);
		return (EXIT_SETUP);
	}
	snprintf(path, sizeof(path), "%s.meta", opt.file);
	{
		uint8_t	meta[32 + 64];

		memcpy(meta, dev_pk, 32);
		memcpy(meta + 32, ack_sig, 64);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(meta, 1, sizeof(meta), f) != sizeof(meta) ||
		    fclose(f) != 0) {
			conn_close(&c);
			return (EXIT_SETUP);
		}
	}
	printf("observed: captured %zu bytes of a legitimate session\n",
	    c.caplen);
	conn_close(&c);
	return (verdict(true, "capture written to %s", opt.file));
}

/*
 * Replay a captured client transcript on a new connection. The target
 * may answer with its own hello and stream header (and an encrypted
 * error), nothing more: without the ephemeral secret the replay cannot
 * go on. Then, as an insider who knows the family key but not the
 * device key, claim the captured device and sign with junk: the
 * signature step must fail.
 */
static int
mode_replay(void)
{
	struct conn	c;
	uint8_t		*cap, meta[32 + 64], sig[64];
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	msgpack_unpacked up;
	struct peermsg	m;
	struct obs	o;
	unsigned char	tag;
	size_t		caplen, len, frames = 0, bytes[8] = { 0 };
	enum io		r;
	FILE		*f;
	char		path[4200];
	bool		good1, good2;
	int64_t		deadline;

	if (load_keys(false) < 0 || opt.file == NULL)
		return (EXIT_SETUP);
	if ((cap = malloc(MAX_CAPTURE)) == NULL ||
	    (f = fopen(opt.file, "rb")) == NULL)
		return (EXIT_SETUP);
	caplen = fread(cap, 1, MAX_CAPTURE, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s.meta", opt.file);
	if ((f = fopen(path, "rb")) == NULL ||
	    fread(meta, 1, sizeof(meta), f) != sizeof(meta)) {
		printf("setup: %s unreadable\n", path);
		return (EXIT_SETUP);
	}
	fclose(f);
	if (caplen < FRAME_HEADER + HS_HELLO_LEN)
		return (EXIT_SETUP);

	/* 1. The whole transcript, as recorded. */
	if (conn_open(&c) < 0)
		return (EXIT_SETUP);
	send_all(&c, cap, caplen);
	deadline = now_ms() + opt.wait_ms;
	for (;;) {
		r = recv_frame(&c, rbuf, sizeof(rbuf), &len, deadline);
		if (r != IO_OK)
			break;
		if (frames < 8)
			bytes[frames] = len;
		frames++;
	}
	conn_close(&c);
	printf("observed: replay: %zu frames back (%zu, %zu, %zu bytes), "
	    "then %s\n", frames, bytes[0], bytes[1], bytes[2], io_name[r]);
	/*
	 * Allowed: the target's hello (65), its stream header (24), and at
	 * most an encrypted ERROR (an AUTH would be > 100 bytes).
	 */
	good1 = r != IO_TIMEOUT && frames <= 3 &&
	    (frames < 1 || bytes[0] == HS_HELLO_LEN) &&
	    (frames < 2 || bytes[1] == SS_HEADER) &&
	    (frames < 3 || bytes[2] <= SS_ABYTES + 8);
	printf("observed: replayed transcript %s\n", good1 ? "went nowhere" :
	    "got further than the hellos");

	/* 2. An insider replays the device's identity without its key. */
	if (conn_open(&c) < 0)
		return (EXIT_SETUP);
	good2 = false;
	if (hello_exchange(&c, net_key) == 0) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		peermsg_pack_ident(&pk, meta, NULL, false);
		ss_send_sb(&c, &sb);
		msgpack_sbuffer_destroy(&sb);
		msgpack_unpacked_init(&up);
		r = ss_recv(&c, now_ms() + opt.wait_ms, &len, &tag);
		if (r == IO_OK && peermsg_decode(plain, len, &up, &m) == 0 &&
		    m.type == PM_AUTH) {
			printf("observed: AUTH for the claimed device (it is "
			    "a member: expected)\n");
			/* The signature of the captured session. */
			memcpy(sig, meta + 32, 64);
			msgpack_sbuffer_init(&sb);
			msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
			peermsg_pack_ack(&pk, sig);
			ss_send_sb(&c, &sb);
			msgpack_sbuffer_destroy(&sb);
			memset(&o, 0, sizeof(o));
			watch(&c, opt.wait_ms, &o);
			good2 = o.heads == 0 && o.events == 0 && !o.timeout;
			printf("observed: after a replayed signature: %s\n",
			    good2 ? "refused" : "NOT refused");
		} else
			printf("observed: no AUTH (%s)\n", io_name[r]);
		msgpack_unpacked_destroy(&up);
	}
	conn_close(&c);
	free(cap);
	return (verdict(good1 && good2, "replay %s; signature replay %s",
	    good1 ? "refused" : "accepted", good2 ? "refused" : "accepted"));
}

/*
 * Get the target's hello with a legitimate one, then hand it back: as a
 * client hello on a new connection, and in place of our stream header.
 */
static int
mode_reflect(void)
{
	struct conn	c1;
	uint8_t		hello[HS_HELLO_LEN], shello[HS_HELLO_LEN];
	size_t		len, n;
	enum io		r;
	int		rc, bad = 0;

	if (load_keys(false) < 0)
		return (EXIT_SETUP);
	if (conn_open(&c1) < 0)
		return (EXIT_SETUP);
	hs_init(&c1.hs, HS_CLIENT, net_key);
	hs_hello(&c1.hs, hello);
	send_frame(&c1, hello, sizeof(hello));
	r = recv_frame(&c1, rbuf, sizeof(rbuf), &len, now_ms() + opt.wait_ms);
	if (r != IO_OK || len != HS_HELLO_LEN) {
		printf("setup: no hello from the target: %s\n", io_name[r]);
		conn_close(&c1);
		return (EXIT_SETUP);
	}
	memcpy(shello, rbuf, HS_HELLO_LEN);
	rc = expect_silence("its own hello as a client hello", shello,
	    sizeof(shello), true);
	bad += rc != 0;
	/* In place of our stream header: nothing but its header, then EOF. */
	send_frame(&c1, shello, sizeof(shello));
	r = recv_frame(&c1, rbuf, sizeof(rbuf), &len, now_ms() + opt.wait_ms);
	if (r == IO_OK && len == SS_HEADER)
		r = drain(&c1, now_ms() + opt.wait_ms, &n);
	else
		n = r == IO_OK ? len : 0;
	printf("observed: its hello in place of our stream header: %s, %zu "
	    "more bytes\n", io_name[r], n);
	bad += !(n == 0 && (r == IO_EOF || r == IO_RESET));
	conn_close(&c1);
	return (verdict(bad == 0, "%d reflection(s) not refused", bad));
}

/* Low-order X25519 points (libsodium's list), with and without bit 255. */
static const char *loworder[] = {
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

static int
mode_loworder(void)
{
	uint8_t		hello[HS_HELLO_LEN], msg[34];
	char		what[64];
	size_t		i, v;
	int		bad = 0, n = 0, rc;

	if (load_keys(false) < 0)
		return (EXIT_SETUP);
	for (i = 0; i < sizeof(loworder) / sizeof(loworder[0]); i++) {
		for (v = 0; v < 2; v++) {
			hello[0] = HS_VERSION;
			if (unhex(hello + 1, 32, loworder[i]) < 0)
				return (EXIT_SETUP);
			if (v)
				hello[32] |= 0x80;
			/* A valid MAC: role 'C' | version | eph, under K. */
			msg[0] = 'C';
			msg[1] = HS_VERSION;
			memcpy(msg + 2, hello + 1, 32);
			crypto_auth(hello + 33, msg, sizeof(msg), net_key);
			snprintf(what, sizeof(what), "low-order point %zu%s",
			    i, v ? " (bit 255 set)" : "");
			rc = expect_silence(what, hello, sizeof(hello), true);
			if (rc == -2)
				return (EXIT_SETUP);
			bad += rc != 0;
			n++;
		}
	}
	return (verdict(bad == 0, "%d of %d low-order hellos answered", bad,
	    n));
}

/*
 * The family key with a device the family never admitted (as a member,
 * and as a joiner without an invite), then a member's device key claimed
 * without its secret key.
 */
static int
mode_unknown_device(void)
{
	struct conn	c;
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	msgpack_unpacked up;
	struct peermsg	m;
	struct obs	o;
	uint8_t		pk2[32], sk2[64], sig[64];
	unsigned char	tag;
	size_t		len;
	enum io		r;
	int		bad = 0, join;

	if (load_keys(true) < 0)
		return (EXIT_SETUP);
	crypto_sign_keypair(pk2, sk2);
	for (join = 0; join < 2; join++) {
		if (conn_open(&c) < 0)
			return (EXIT_SETUP);
		if (hello_exchange(&c, net_key) < 0) {
			conn_close(&c);
			return (EXIT_SETUP);
		}
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		peermsg_pack_ident(&pk, pk2, join ? "Eve" : NULL, join);
		ss_send_sb(&c, &sb);
		msgpack_sbuffer_destroy(&sb);
		memset(&o, 0, sizeof(o));
		watch(&c, opt.wait_ms, &o);
		printf("observed: unknown device%s: %u ERROR (last %llu), %u "
		    "AUTH, %u HEADS, %u EVENTS, %s\n", join ? " (join)" : "",
		    o.errors, (unsigned long long)o.code, o.auths, o.heads,
		    o.events, o.closed ? "closed" : "left open");
		if (o.auths || o.heads || o.events || o.other || o.timeout)
			bad++;
		conn_close(&c);
	}
	/* The member's public key without its secret key. */
	if (conn_open(&c) < 0)
		return (EXIT_SETUP);
	if (hello_exchange(&c, net_key) == 0) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		peermsg_pack_ident(&pk, dev_pk, NULL, false);
		ss_send_sb(&c, &sb);
		msgpack_sbuffer_destroy(&sb);
		msgpack_unpacked_init(&up);
		r = ss_recv(&c, now_ms() + opt.wait_ms, &len, &tag);
		if (r == IO_OK && peermsg_decode(plain, len, &up, &m) == 0 &&
		    m.type == PM_AUTH) {
			/* Signed by the wrong key: ours. */
			hs_sign(&c.hs, sk2, m.device, sig);
			msgpack_sbuffer_init(&sb);
			msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
			peermsg_pack_ack(&pk, sig);
			ss_send_sb(&c, &sb);
			msgpack_sbuffer_destroy(&sb);
			memset(&o, 0, sizeof(o));
			watch(&c, opt.wait_ms, &o);
			printf("observed: impostor: %u ERROR (last %llu), %u "
			    "HEADS, %u EVENTS, %s\n", o.errors,
			    (unsigned long long)o.code, o.heads, o.events,
			    o.closed ? "closed" : "left open");
			if (o.heads || o.events || o.timeout)
				bad++;
		} else {
			printf("observed: no AUTH for a member's key (%s)\n",
			    io_name[r]);
			bad++;
		}
		msgpack_unpacked_destroy(&up);
	} else
		bad++;
	conn_close(&c);
	return (verdict(bad == 0, "%d of 3 unknown-device sessions got "
	    "further than they should", bad));
}

/*
 * After a correct handshake as the member, offer events:
 *   good-event     the next event of the chain (must be kept: control)
 *   event-bye      the same, and our goodbye in the same write: the
 *                  target may end the session but must keep the event
 *   forged-sig     the next event, one signature byte flipped
 *   bad-aead       the next event sealed under a wrong key, signed well
 *   wrong-seq      seq skipping ahead (+3)
 *   broken-chain   the right seq, a wrong prev
 *   foreign-author a first event by a device never admitted
 * The target must end the session (or answer an ERROR) for all but the
 * control; for the ones that can look like a gap in a legitimate stream
 * it may ask again for a while: the bad event is re-sent, at most
 * MAX_REPEAT times, and the session must end before that.
 */
static int
mode_bad_event(void)
{
	struct conn	c;
	msgpack_sbuffer	blob;
	struct obs	o;
	uint8_t		id[32], prev[32], wrong[32], pk2[32], sk2[64];
	const char	*mode = opt.mode;
	bool		bye = strcmp(mode, "event-bye") == 0;
	bool		control = strcmp(mode, "good-event") == 0 || bye;
	bool		relay = strcmp(mode, "removed-relay") == 0;
	bool		gap = strcmp(mode, "wrong-seq") == 0 ||
			    strcmp(mode, "broken-chain") == 0 ||
			    strcmp(mode, "foreign-author") == 0;
	unsigned	tries, max = gap ? MAX_REPEAT : 1;
	uint64_t	seq;
	int		rc;

	if (!opt.has_seq || (opt.seq > 0 && !opt.has_prev)) {
		printf("setup: the device's head is unknown: pass --seq and "
		    "--prev\n");
		return (EXIT_SETUP);
	}
	if (member_settled(&c) != 0)
		return (EXIT_SETUP);
	memset(&o, 0, sizeof(o));
	memcpy(prev, opt.prev, 32);
	randombytes_buf(wrong, sizeof(wrong));
	randombytes_buf(id, sizeof(id));
	crypto_sign_keypair(pk2, sk2);
	for (tries = 0; tries < max && !o.closed && o.errors == 0; tries++) {
		msgpack_sbuffer_init(&blob);
		seq = opt.seq + 1;
		if (control || strcmp(mode, "forged-sig") == 0 || relay)
			rc = make_event(&blob, ev_pk, ev_sk, ev_key, seq,
			    prev, id);
		else if (strcmp(mode, "bad-aead") == 0)
			rc = make_event(&blob, ev_pk, ev_sk, wrong, seq,
			    prev, id);
		else if (strcmp(mode, "wrong-seq") == 0)
			rc = make_event(&blob, ev_pk, ev_sk, ev_key,
			    opt.seq + 3, wrong, id);
		else if (strcmp(mode, "broken-chain") == 0)
			rc = make_event(&blob, ev_pk, ev_sk, ev_key, seq,
			    wrong, id);
		else
			rc = make_event(&blob, pk2, sk2, ev_key, 1, NULL, id);
		if (rc < 0 || (seq == 1 && strcmp(mode, "broken-chain") == 0)) {
			msgpack_sbuffer_destroy(&blob);
			conn_close(&c);
			return (EXIT_SETUP);
		}
		if (strcmp(mode, "forged-sig") == 0)
			blob.data[blob.size - 10] ^= 0x01;
		rc = send_events(&c, &blob);
		msgpack_sbuffer_destroy(&blob);
		if (rc == 0 && bye)
			rc = ss_send(&c, "\x90", 1, TAG_FINAL);
		if (rc < 0) {
			printf("observed: closed while we sent\n");
			o.closed = true;
			break;
		}
		o.timeout = false;
		watch(&c, control || relay ? 1000 : gap ? 200 : opt.wait_ms,
		    &o);
	}
	if (relay) {
		conn_close(&c);
		/* The relaying member is not at fault: either is fine. */
		return (verdict(!o.echoed, "an event its removed author wrote "
		    "after final_seq: %s; session %s", o.echoed ? "sent back" :
		    "not sent back", o.closed ? "ended" : "kept"));
	}
	if (!o.closed && !control && o.errors > 0)
		watch(&c, opt.wait_ms, &o);	/* the close after the error */
	if (bye) {
		conn_close(&c);
		return (verdict(o.errors == 0, "a well-formed event, then "
		    "goodbye: %s", o.errors == 0 ? "no ERROR" : "an ERROR"));
	}
	if (control) {
		/* Stay polite: heads again, then goodbye. */
		conn_close(&c);
		return (verdict(!o.closed && o.errors == 0, "a well-formed "
		    "event %s", !o.closed && o.errors == 0 ? "kept the "
		    "session going" : "ended the session"));
	}
	conn_close(&c);
	printf("observed: %s: %u bad message(s) sent, %u ERROR (last %llu "
	    "%s), %u HEADS, %s\n", mode, tries, o.errors,
	    (unsigned long long)o.code, o.errors ? proto_strerror((int)o.code) :
	    "-", o.heads, o.closed ? "session ended" : "session left open");
	if (o.echoed)
		return (verdict(false, "the target sent our forged event "
		    "back: it stored it"));
	if (!o.closed && o.errors == 0)
		return (verdict(false, "%s: the session survived %u bad "
		    "messages", mode, tries));
	return (verdict(true, "%s: session ended after %u bad message(s)",
	    mode, tries));
}

/* A frame header over the limit, after a correct handshake. */
static int
mode_oversized(void)
{
	struct conn	c;
	struct obs	o;
	uint8_t		h[FRAME_HEADER], zero[4096];
	unsigned	i;

	if (member_settled(&c) != 0)
		return (EXIT_SETUP);
	memset(&o, 0, sizeof(o));
	frame_put_header(h, PEER_MAX_FRAME + SS_ABYTES + 1);
	printf("sent: a frame header declaring %u bytes\n",
	    PEER_MAX_FRAME + SS_ABYTES + 1);
	send_all(&c, h, sizeof(h));
	memset(zero, 0, sizeof(zero));
	for (i = 0; i < 16; i++)
		if (send_all(&c, zero, sizeof(zero)) < 0)
			break;
	watch(&c, opt.wait_ms, &o);
	conn_close(&c);
	return (verdict(o.closed, "oversized frame: session %s",
	    o.closed ? "ended" : "left open"));
}

/* A correctly encrypted stream message that is not msgpack. */
static int
mode_garbage(void)
{
	struct conn	c;
	struct obs	o;
	static const uint8_t junk[] = "\xc1\xc1 this is not msgpack \xc1";

	if (member_settled(&c) != 0)
		return (EXIT_SETUP);
	memset(&o, 0, sizeof(o));
	ss_send(&c, junk, sizeof(junk) - 1, TAG_MESSAGE);
	watch(&c, opt.wait_ms, &o);
	conn_close(&c);
	return (verdict(o.closed || o.errors > 0, "garbage message: %s",
	    o.errors ? "ERROR answered" : o.closed ? "session ended" :
	    "session left open"));
}

/*
 * The borrowed device was removed from the family (it only has the old
 * epoch's key): whatever the hellos do, the target must never AUTH it,
 * nor send it HEADS or EVENTS.
 */
static int
mode_removed(void)
{
	struct conn	c;
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	struct obs	o;
	uint8_t		sig[64], server[32];
	bool		good;

	if (load_keys(true) < 0)
		return (EXIT_SETUP);
	if (conn_open(&c) < 0)
		return (EXIT_SETUP);
	if (hello_exchange(&c, net_key) < 0) {
		conn_close(&c);
		return (verdict(true, "removed device: refused at the hello"));
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	peermsg_pack_ident(&pk, dev_pk, NULL, false);
	ss_send_sb(&c, &sb);
	msgpack_sbuffer_destroy(&sb);
	memset(&o, 0, sizeof(o));
	watch(&c, opt.wait_ms, &o);
	if (o.auths > 0 && !o.closed) {
		/* Go on as if it were fine: an ACK, then see what comes. */
		memset(server, 0, sizeof(server));
		hs_sign(&c.hs, dev_sk, server, sig);
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		peermsg_pack_ack(&pk, sig);
		ss_send_sb(&c, &sb);
		msgpack_sbuffer_destroy(&sb);
		watch(&c, opt.wait_ms, &o);
	}
	conn_close(&c);
	printf("observed: removed device: %u ERROR (last %llu), %u AUTH, %u "
	    "HEADS, %u EVENTS, %s\n", o.errors, (unsigned long long)o.code,
	    o.auths, o.heads, o.events, o.closed ? "closed" : "left open");
	good = o.auths == 0 && o.heads == 0 && o.events == 0 && !o.timeout;
	return (verdict(good, "removed device %s", good ? "refused" :
	    "got further than it should"));
}

int
main(int argc, char **argv)
{
	int	i;
	long	n;
	char	*end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (sodium_init() < 0)
		return (EXIT_SETUP);
	opt.mode = argv[1];
	opt.wait_ms = 5000;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			n = strtol(argv[++i], &end, 10);
			if (*end != '\0' || n < 1 || n > 65535)
				usage();
			opt.port = (uint16_t)n;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			opt.data = argv[++i];
		else if (strcmp(argv[i], "--seq") == 0 && i + 1 < argc) {
			opt.seq = strtoull(argv[++i], &end, 10);
			if (*end != '\0')
				usage();
			opt.has_seq = true;
		} else if (strcmp(argv[i], "--prev") == 0 && i + 1 < argc) {
			if (unhex(opt.prev, 32, argv[++i]) < 0)
				usage();
			opt.has_prev = true;
		} else if (strcmp(argv[i], "--author-data") == 0 &&
		    i + 1 < argc)
			opt.author_data = argv[++i];
		else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
			n = strtol(argv[++i], &end, 10);
			if (*end != '\0' || n < 1 || n > 60000)
				usage();
			opt.wait_ms = (int)n;
		} else if (argv[i][0] != '-' && opt.file == NULL)
			opt.file = argv[i];
		else
			usage();
	}
	if (opt.port == 0)
		usage();
	if (strcmp(opt.mode, "stranger") == 0)
		return (mode_stranger());
	if (strcmp(opt.mode, "slowloris") == 0)
		return (mode_slowloris());
	if (strcmp(opt.mode, "capture") == 0 && opt.file != NULL)
		return (mode_capture());
	if (strcmp(opt.mode, "replay") == 0 && opt.file != NULL)
		return (mode_replay());
	if (strcmp(opt.mode, "reflect") == 0)
		return (mode_reflect());
	if (strcmp(opt.mode, "loworder") == 0)
		return (mode_loworder());
	if (strcmp(opt.mode, "unknown-device") == 0)
		return (mode_unknown_device());
	if (strcmp(opt.mode, "good-event") == 0 ||
	    strcmp(opt.mode, "event-bye") == 0 ||
	    strcmp(opt.mode, "forged-sig") == 0 ||
	    strcmp(opt.mode, "bad-aead") == 0 ||
	    strcmp(opt.mode, "wrong-seq") == 0 ||
	    strcmp(opt.mode, "broken-chain") == 0 ||
	    strcmp(opt.mode, "foreign-author") == 0 ||
	    strcmp(opt.mode, "removed-relay") == 0)
		return (mode_bad_event());
	if (strcmp(opt.mode, "oversized") == 0)
		return (mode_oversized());
	if (strcmp(opt.mode, "garbage-msg") == 0)
		return (mode_garbage());
	if (strcmp(opt.mode, "removed") == 0)
		return (mode_removed());
	usage();
}
