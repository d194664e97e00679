/*
 * test-frame.c: unit tests for proto/frame.c: the length header, the
 * stream reader (feed/next and reserve/commit) and frame_begin/frame_end.
 * Frame bodies here are opaque bytes: the reader never parses msgpack.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "harness.h"
#include "proto.h"

#define MAX_FRAMES	16

/* What a stream produced: the frames in order and the final status. */
struct got {
	size_t	 n;
	size_t	 len[MAX_FRAMES];
	uint8_t	*body[MAX_FRAMES];
	int	 rc;
};

static size_t	put_frame(uint8_t *, const uint8_t *, uint32_t);
static void	fill(uint8_t *, size_t, unsigned);
static int	drain(struct frame_reader *, struct got *);
static void	feed_all(struct frame_reader *, const uint8_t *, size_t,
		    size_t, struct got *);
static void	got_free(struct got *);

/* Write header and body to out; return the frame's size. */
static size_t
put_frame(uint8_t *out, const uint8_t *body, uint32_t len)
{
	frame_put_header(out, len);
	memcpy(out + FRAME_HEADER, body, len);
	return (FRAME_HEADER + (size_t)len);
}

static void
fill(uint8_t *p, size_t n, unsigned seed)
{
	size_t	i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* Take every whole frame out; return 0 or the reader's error. */
static int
drain(struct frame_reader *fr, struct got *g)
{
	const uint8_t	*body;
	size_t		 len;
	int		 rc;

	while ((rc = frame_reader_next(fr, &body, &len)) == 1) {
		ASSERT(g->n < MAX_FRAMES);
		g->body[g->n] = malloc(len);
		ASSERT(g->body[g->n] != NULL);
		memcpy(g->body[g->n], body, len);
		g->len[g->n++] = len;
	}
	return (rc);
}

/* Feed data in chunks of at most chunk bytes, draining after each feed. */
static void
feed_all(struct frame_reader *fr, const uint8_t *data, size_t n,
    size_t chunk, struct got *g)
{
	size_t	pos = 0, k, used;
	int	rc;

	memset(g, 0, sizeof(*g));
	while (pos < n) {
		k = n - pos < chunk ? n - pos : chunk;
		rc = frame_reader_feed(fr, data + pos, k, &used);
		ASSERT(used <= k);
		pos += used;
		if (rc < 0 || (rc = drain(fr, g)) < 0) {
			g->rc = rc;
			return;
		}
		ASSERT(used > 0);
	}
	g->rc = 0;
}

static void
got_free(struct got *g)
{
	size_t	i;

	for (i = 0; i < g->n; i++)
		free(g->body[i]);
	g->n = 0;
}

TEST(header_encode_decode)
{
	static const uint32_t	v[] = { 0, 1, 0xff, 0x100, 0x01020304,
	    PROTO_MAX_FRAME, 0xffffffffU };
	uint8_t			h[FRAME_HEADER];
	size_t			i;

	frame_put_header(h, 0x01020304);
	ASSERT_EQ_MEM(h, "\x01\x02\x03\x04", 4);
	frame_put_header(h, 0xfffffffeU);
	ASSERT_EQ_MEM(h, "\xff\xff\xff\xfe", 4);
	ASSERT_EQ_UINT(frame_get_header((const uint8_t *)"\x00\x00\x01\x00"),
	    256);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		frame_put_header(h, v[i]);
		ASSERT_EQ_UINT(frame_get_header(h), v[i]);
	}
}

TEST(reader_whole_frame)
{
	struct frame_reader	 fr;
	uint8_t			 body[100], buf[200];
	const uint8_t		*p;
	size_t			 n, len, used;

	fill(body, sizeof(body), 1);
	n = put_frame(buf, body, sizeof(body));
	frame_reader_init(&fr, PROTO_MAX_REQUEST);
	ASSERT_EQ_INT(frame_reader_next(&fr, &p, &len), 0);
	ASSERT_EQ_INT(frame_reader_feed(&fr, buf, n, &used), 0);
	ASSERT_EQ_UINT(used, n);
	ASSERT_EQ_UINT(frame_reader_pending(&fr), n);
	ASSERT_EQ_INT(frame_reader_next(&fr, &p, &len), 1);
	ASSERT_EQ_UINT(len, sizeof(body));
	ASSERT_EQ_MEM(p, body, sizeof(body));
	ASSERT_EQ_INT(frame_reader_next(&fr, &p, &len), 0);
	ASSERT_EQ_UINT(frame_reader_pending(&fr), 0);
	frame_reader_finish(&fr);
}

TEST(reader_byte_by_byte)
{
	struct frame_reader	 fr;
	uint8_t			 body[37], buf[64];
	const uint8_t		*p;
	size_t			 n, i, len, used;

	fill(body, sizeof(body), 3);
	n = put_frame(buf, body, sizeof(body));
	frame_reader_init(&fr, PROTO_MAX_REQUEST);
	for (i = 0; i < n; i++) {
		ASSERT_EQ_INT(frame_reader_feed(&fr, buf + i, 1, &used), 0);
		ASSERT_EQ_UINT(used, 1);
		ASSERT_EQ_INT(frame_reader_next(&fr, &p, &len),
		    i == n - 1 ? 1 : 0);
	}
	ASSERT_EQ_UINT(len, sizeof(body));
	ASSERT_EQ_MEM(p, body, sizeof(body));
	frame_reader_finish(&fr);
}

TEST(reader_several_frames_one_feed)
{
	static const uint32_t	 sizes[] = { 1, 300, 5, 4096, 2 };
	struct frame_reader	 fr;
	struct got		 g;
	uint8_t			 body[4096], buf[5 * 4100];
	size_t			 i, n = 0, used;

	for (i = 0; i < 5; i++) {
		fill(body, sizes[i], (unsigned)i);
		n += put_frame(buf + n, body, sizes[i]);
	}
	frame_reader_init(&fr, PROTO_MAX_REQUEST);
	memset(&g, 0, sizeof(g));
	ASSERT_EQ_INT(frame_reader_feed(&fr, buf, n, &used), 0);
	ASSERT_EQ_UINT(used, n);
	ASSERT_EQ_INT(drain(&fr, &g), 0);
	ASSERT_EQ_UINT(g.n, 5);
	for (i = 0; i < 5; i++) {
		fill(body, sizes[i], (unsigned)i);
		ASSERT_EQ_UINT(g.len[i], sizes[i]);
		ASSERT_EQ_MEM(g.body[i], body, sizes[i]);
	}
	ASSERT_EQ_UINT(frame_reader_pending(&fr), 0);
	got_free(&g);
	frame_reader_finish(&fr);
}

/* Every split point, including inside the header, of two frames. */
TEST(reader_split_across_feeds)
{
	struct frame_reader	 fr;
	struct got		 g;
	uint8_t			 a[20], b[9], buf[64];
	size_t			 n, cut, used;

	fill(a, sizeof(a), 10);
	fill(b, sizeof(b), 20);
	n = put_frame(buf, a, sizeof(a));
	n += put_frame(buf + n, b, sizeof(b));
	for (cut = 1; cut < n; cut++) {
		frame_reader_init(&fr, PROTO_MAX_REQUEST);
		memset(&g, 0, sizeof(g));
		ASSERT_EQ_INT(frame_reader_feed(&fr, buf, cut, &used), 0);
		ASSERT_EQ_UINT(used, cut);
		ASSERT_EQ_INT(drain(&fr, &g), 0);
		ASSERT_EQ_UINT(g.n, cut >= FRAME_HEADER + sizeof(a) ? 1 : 0);
		ASSERT_EQ_INT(frame_reader_feed(&fr, buf + cut, n - cut,
		    &used), 0);
		ASSERT_EQ_UINT(used, n - cut);
		ASSERT_EQ_INT(drain(&fr, &g), 0);
		ASSERT_EQ_UINT(g.n, 2);
		ASSERT_EQ_UINT(g.len[0], sizeof(a));
		ASSERT_EQ_MEM(g.body[0], a, sizeof(a));
		ASSERT_EQ_UINT(g.len[1], sizeof(b));
		ASSERT_EQ_MEM(g.body[1], b, sizeof(b));
		got_free(&g);
		frame_reader_finish(&fr);
	}
}

/* A small maximum caps the buffer: feed takes part, the caller loops. */
TEST(reader_small_max_partial_feeds)
{
	struct frame_reader	fr;
	struct got		g;
	uint8_t			body[8], buf[64];
	size_t			n = 0, i;

	for (i = 0; i < 4; i++) {
		fill(body, 8, (unsigned)i);
		n += put_frame(buf + n, body, 8);
	}
	frame_reader_init(&fr, 8);
	feed_all(&fr, buf, n, n, &g);
	ASSERT_EQ_INT(g.rc, 0);
	ASSERT_EQ_UINT(g.n, 4);
	ASSERT(fr.cap <= 8 + FRAME_HEADER);
	for (i = 0; i < 4; i++) {
		fill(body, 8, (unsigned)i);
		ASSERT_EQ_MEM(g.body[i], body, 8);
	}
	got_free(&g);
	frame_reader_finish(&fr);
}

TEST(reader_zero_length_refused)
{
	struct frame_reader	 fr;
	struct got		 g;
	const uint8_t		*p;
	uint8_t			 buf[16];
	size_t			 len, used, n;

	frame_reader_init(&fr, PROTO_MAX_REQUEST);
	ASSERT_EQ_INT(frame_reader_feed(&fr, "\0\0\0\0", 4, &used),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(frame_reader_next(&fr, &p, &len), -PROTO_E_MALFORMED);
	frame_reader_finish(&fr);

	/* After a good frame in the same feed: the good one comes out. */
	n = put_frame(buf, (const uint8_t *)"\xc0", 1);
	memset(buf + n, 0, 4);
	frame_reader_init(&fr, PROTO_MAX_REQUEST);
	feed_all(&fr, buf, n + 4, n + 4, &g);
	ASSERT_EQ_UINT(g.n, 1);
	ASSERT_EQ_INT(g.rc, -PROTO_E_MALFORMED);
	got_free(&g);
	frame_reader_finish(&fr);
}

/* TOOBIG as soon as the fourth header byte is in, with no body sent. */
TEST(reader_too_big_refused_at_header)
{
	struct frame_reader	 fr;
	const uint8_t		*p;
	uint8_t			 h[FRAME_HEADER];
	size_t			 i, len, used;

	frame_put_header(h, PROTO_MAX_REQUEST + 1);
	frame_reader_init(&fr, PROTO_MAX_REQUEST);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ_INT(frame_reader_feed(&fr, h + i, 1, &used), 0);
		ASSERT_EQ_INT(frame_reader_next(&fr, &p, &len), 0);
	}
	ASSERT_EQ_INT(frame_reader_feed(&fr, h + 3, 1, &used),
	    -PROTO_E_TOOBIG);
	ASSERT_EQ_INT(frame_reader_next(&fr, &p, &len), -PROTO_E_TOOBIG);
	/* Nothing was allocated for the declared body. */
	ASSERT(fr.cap <= 4096);
	frame_reader_finish(&fr);

	frame_put_header(h, 0xffffffffU);
	frame_reader_init(&fr, PROTO_MAX_REQUEST);
	ASSERT_EQ_INT(frame_reader_feed(&fr, h, 4, &used), -PROTO_E_TOOBIG);
	ASSERT(fr.cap <= 4096);
	frame_reader_finish(&fr);
}

/* A body of exactly max is accepted; max + 1 is not. */
TEST(reader_max_boundary)
{
	struct frame_reader	 fr;
	struct got		 g;
	uint8_t			*buf;
	size_t			 max = PROTO_MAX_REQUEST, n;

	buf = malloc(FRAME_HEADER + max + 1);
	ASSERT(buf != NULL);
	fill(buf + FRAME_HEADER, max + 1, 5);
	frame_put_header(buf, (uint32_t)max);
	frame_reader_init(&fr, max);
	feed_all(&fr, buf, FRAME_HEADER + max, 65536, &g);
	ASSERT_EQ_INT(g.rc, 0);
	ASSERT_EQ_UINT(g.n, 1);
	ASSERT_EQ_UINT(g.len[0], max);
	ASSERT_EQ_MEM(g.body[0], buf + FRAME_HEADER, max);
	ASSERT(fr.cap <= max + FRAME_HEADER);
	got_free(&g);
	frame_reader_finish(&fr);

	n = FRAME_HEADER + max + 1;
	frame_put_header(buf, (uint32_t)max + 1);
	frame_reader_init(&fr, max);
	feed_all(&fr, buf, n, 65536, &g);
	ASSERT_EQ_INT(g.rc, -PROTO_E_TOOBIG);
	ASSERT_EQ_UINT(g.n, 0);
	frame_reader_finish(&fr);
	free(buf);
}

TEST(begin_end_round_trip)
{
	struct frame_reader	 fr;
	msgpack_sbuffer		 sb;
	msgpack_packer		 pk;
	const uint8_t		*p;
	size_t			 len, used;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	ASSERT_EQ_INT(frame_begin(&sb), 0);
	ASSERT_EQ_UINT(sb.size, FRAME_HEADER);
	msgpack_pack_array(&pk, 2);
	msgpack_pack_uint32(&pk, 7);
	msgpack_pack_str_with_body(&pk, "hello", 5);
	ASSERT_EQ_INT(frame_end(&sb, PROTO_MAX_REQUEST), 0);
	ASSERT_EQ_UINT(frame_get_header((uint8_t *)sb.data),
	    sb.size - FRAME_HEADER);
	ASSERT_EQ_MEM(sb.data + FRAME_HEADER, "\x92\x07\xa5hello", 8);

	frame_reader_init(&fr, PROTO_MAX_REQUEST);
	ASSERT_EQ_INT(frame_reader_feed(&fr, sb.data, sb.size, &used), 0);
	ASSERT_EQ_INT(frame_reader_next(&fr, &p, &len), 1);
	ASSERT_EQ_UINT(len, 8);
	ASSERT_EQ_MEM(p, "\x92\x07\xa5hello", 8);
	frame_reader_finish(&fr);
	msgpack_sbuffer_destroy(&sb);
}

TEST(end_refuses_over_max_and_empty)
{
	msgpack_sbuffer	sb;
	char		body[11];

	memset(body, 'x', sizeof(body));
	msgpack_sbuffer_init(&sb);
	ASSERT_EQ_INT(frame_begin(&sb), 0);
	ASSERT(frame_end(&sb, 10) < 0);
	msgpack_sbuffer_write(&sb, body, 10);
	ASSERT_EQ_INT(frame_end(&sb, 10), 0);
	ASSERT_EQ_UINT(frame_get_header((uint8_t *)sb.data), 10);
	msgpack_sbuffer_write(&sb, body, 1);
	ASSERT_EQ_INT(frame_end(&sb, 10), -PROTO_E_TOOBIG);
	msgpack_sbuffer_destroy(&sb);
}

/*
 * Use reserve/commit as a libuv alloc callback and read callback would:
 * reserve with libuv's suggested size, "read" part of what is offered,
 * commit, take out whole frames, repeat.
 */
TEST(reserve_commit_like_libuv)
{
	static const uint32_t	 sizes[] = { 3, 70000, 1, 200, 65536 };
	struct frame_reader	 fr;
	struct got		 g;
	uint8_t			*buf, *space, *body;
	size_t			 n = 0, pos = 0, avail, k, i, step = 1;

	buf = malloc(5 * (65536 + 8000));
	body = malloc(70000);
	ASSERT(buf != NULL && body != NULL);
	for (i = 0; i < 5; i++) {
		fill(body, sizes[i], (unsigned)i);
		n += put_frame(buf + n, body, sizes[i]);
	}
	memset(&g, 0, sizeof(g));
	frame_reader_init(&fr, 100000);
	while (pos < n) {
		ASSERT_EQ_INT(frame_reader_reserve(&fr, 65536, &space,
		    &avail), 0);
		ASSERT(avail > 0);
		ASSERT(frame_reader_pending(&fr) + avail <=
		    100000 + FRAME_HEADER);
		/* A read returns some of what fits: vary it. */
		step = step * 3 % 9973 + 1;
		k = step < avail ? step : avail;
		if (k > n - pos)
			k = n - pos;
		memcpy(space, buf + pos, k);
		frame_reader_commit(&fr, k);
		pos += k;
		ASSERT_EQ_INT(drain(&fr, &g), 0);
	}
	ASSERT_EQ_UINT(g.n, 5);
	for (i = 0; i < 5; i++) {
		fill(body, sizes[i], (unsigned)i);
		ASSERT_EQ_UINT(g.len[i], sizes[i]);
		ASSERT_EQ_MEM(g.body[i], body, sizes[i]);
	}
	got_free(&g);
	frame_reader_finish(&fr);
	free(body);
	free(buf);
}

TEST(reserve_refuses_bad_header)
{
	struct frame_reader	 fr;
	uint8_t			*space, h[FRAME_HEADER];
	size_t			 avail;

	frame_reader_init(&fr, 1000);
	ASSERT_EQ_INT(frame_reader_reserve(&fr, 65536, &space, &avail), 0);
	ASSERT(avail >= FRAME_HEADER && avail <= 1000 + FRAME_HEADER);
	frame_put_header(h, 1001);
	memcpy(space, h, FRAME_HEADER);
	frame_reader_commit(&fr, FRAME_HEADER);
	ASSERT_EQ_INT(frame_reader_reserve(&fr, 65536, &space, &avail),
	    -PROTO_E_TOOBIG);
	frame_reader_finish(&fr);
}

TEST(finish_is_idempotent)
{
	struct frame_reader	fr;
	size_t			used;

	frame_reader_finish(NULL);
	memset(&fr, 0, sizeof(fr));
	frame_reader_finish(&fr);
	frame_reader_init(&fr, 100);
	ASSERT_EQ_INT(frame_reader_feed(&fr, "\0\0", 2, &used), 0);
	frame_reader_finish(&fr);
	ASSERT(fr.buf == NULL && fr.len == 0 && fr.cap == 0);
	frame_reader_finish(&fr);
}

/*
 * An allocation failure must not be reported as a PROTO_E_* code: the
 * caller passes the result to proto_strerror or onto the wire. The frame
 * reader returns -ENOMEM (-12), which is also -PROTO_E_BUSY (see the
 * report). A 1 PiB reservation cannot be satisfied on any host.
 */
TEST(enomem_not_a_proto_code)
{
	struct frame_reader	 fr;
	uint8_t			*space;
	size_t			 avail;
	int			 rc;

	frame_reader_init(&fr, (size_t)1 << 51);
	rc = frame_reader_reserve(&fr, (size_t)1 << 50, &space, &avail);
	/* Out of memory is reported as a proto code, not a bare errno. */
	ASSERT_EQ_INT(rc, -PROTO_E_INTERNAL);
	frame_reader_finish(&fr);
}
