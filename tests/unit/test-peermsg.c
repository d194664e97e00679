/*
 * test-peermsg.c: unit tests for proto/peermsg.c: every message type
 * packed with peermsg_pack_* and read back with peermsg_decode and the
 * head/event accessors, and every shape the decoder must refuse (arity,
 * bin sizes, malformed heads, list limits, unknown types, not an array,
 * trailing bytes). Hand-made bytes are built with msgpack-c, so a refusal
 * is for the reason the test names and not for broken msgpack.
 */
#include <string.h>

#include "harness.h"
#include "mp.h"
#include "peermsg.h"
#include "proto.h"

#define S(x)	(const uint8_t *)(x), sizeof(x) - 1

struct buf {
	msgpack_sbuffer		sb;
	msgpack_packer		pk;
	msgpack_unpacked	up;
	struct peermsg		m;
};

static uint8_t	a32[32], b32[32], c32[32], s64[64], f16[16];

static void	setup(void);
static void	buf_begin(struct buf *);
static int	buf_decode(struct buf *);
static void	buf_end(struct buf *);
static int	decode(const uint8_t *, size_t);
static void	fill(uint8_t *, size_t, uint8_t);
static int	raw(uint32_t, int, const char *const *, const size_t *);
static size_t	bin(char *, size_t);
static int	one_head(const char *, size_t, int *);

static void
fill(uint8_t *p, size_t n, uint8_t from)
{
	size_t	i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(from + i);
}

static void
setup(void)
{
	fill(a32, sizeof(a32), 0x10);
	fill(b32, sizeof(b32), 0x50);
	fill(c32, sizeof(c32), 0x90);
	fill(s64, sizeof(s64), 0xa0);
	fill(f16, sizeof(f16), 0xe0);
}

static void
buf_begin(struct buf *b)
{
	msgpack_sbuffer_init(&b->sb);
	msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
	msgpack_unpacked_init(&b->up);
}

static int
buf_decode(struct buf *b)
{
	return (peermsg_decode((const uint8_t *)b->sb.data, b->sb.size,
	    &b->up, &b->m));
}

static void
buf_end(struct buf *b)
{
	msgpack_unpacked_destroy(&b->up);
	msgpack_sbuffer_destroy(&b->sb);
}

/* Decode raw bytes; return the result. */
static int
decode(const uint8_t *p, size_t n)
{
	msgpack_unpacked	up;
	struct peermsg		m;
	int			rc;

	msgpack_unpacked_init(&up);
	rc = peermsg_decode(p, n, &up, &m);
	msgpack_unpacked_destroy(&up);
	return (rc);
}

TEST(ident_round_trip)
{
	struct buf	b;

	setup();
	buf_begin(&b);
	peermsg_pack_ident(&b.pk, a32, "Sam's laptop", true);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_INT(b.m.type, PM_IDENT);
	ASSERT_EQ_MEM(b.m.device, a32, 32);
	ASSERT_EQ_UINT(b.m.name_len, strlen("Sam's laptop"));
	ASSERT_EQ_MEM(b.m.name, "Sam's laptop", b.m.name_len);
	ASSERT(b.m.join);
	buf_end(&b);

	buf_begin(&b);
	peermsg_pack_ident(&b.pk, b32, NULL, false);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_INT(b.m.type, PM_IDENT);
	ASSERT_EQ_MEM(b.m.device, b32, 32);
	ASSERT(b.m.name == NULL);
	ASSERT_EQ_UINT(b.m.name_len, 0);
	ASSERT(!b.m.join);
	/* The wire form of the header: [1, bin 32, nil, false]. */
	ASSERT_EQ_UINT(b.sb.size, 1 + 1 + 2 + 32 + 1 + 1);
	ASSERT_EQ_MEM(b.sb.data, "\x94\x01\xc4\x20", 4);
	ASSERT_EQ_MEM(b.sb.data + 36, "\xc0\xc2", 2);
	buf_end(&b);
}

TEST(ident_name_limits)
{
	struct buf	b;
	char		name[PROTO_MAX_NAME + 2];

	setup();
	memset(name, 'x', sizeof(name));
	name[PROTO_MAX_NAME] = '\0';
	buf_begin(&b);
	peermsg_pack_ident(&b.pk, a32, name, false);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_UINT(b.m.name_len, PROTO_MAX_NAME);
	buf_end(&b);
	name[PROTO_MAX_NAME] = 'x';
	name[PROTO_MAX_NAME + 1] = '\0';
	buf_begin(&b);
	peermsg_pack_ident(&b.pk, a32, name, false);
	ASSERT_EQ_INT(buf_decode(&b), -PROTO_E_MALFORMED);
	buf_end(&b);
	/* An empty name is a name. */
	buf_begin(&b);
	peermsg_pack_ident(&b.pk, a32, "", false);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT(b.m.name != NULL);
	ASSERT_EQ_UINT(b.m.name_len, 0);
	buf_end(&b);
}

TEST(auth_ack_round_trip)
{
	struct buf	b;

	setup();
	buf_begin(&b);
	peermsg_pack_auth(&b.pk, c32, s64);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_INT(b.m.type, PM_AUTH);
	ASSERT_EQ_MEM(b.m.device, c32, 32);
	ASSERT_EQ_MEM(b.m.sig, s64, 64);
	buf_end(&b);

	buf_begin(&b);
	peermsg_pack_ack(&b.pk, s64);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_INT(b.m.type, PM_ACK);
	ASSERT_EQ_MEM(b.m.sig, s64, 64);
	ASSERT(b.m.device == NULL);
	buf_end(&b);
}

TEST(family_round_trip)
{
	static const uint32_t	epochs[] = { 0, 1, 127, 128, 65536,
	    UINT32_MAX };
	struct buf		b;
	size_t			i;

	setup();
	for (i = 0; i < sizeof(epochs) / sizeof(epochs[0]); i++) {
		buf_begin(&b);
		peermsg_pack_family(&b.pk, f16, epochs[i], b32);
		ASSERT_EQ_INT(buf_decode(&b), 0);
		ASSERT_EQ_INT(b.m.type, PM_FAMILY);
		ASSERT_EQ_MEM(b.m.family_id, f16, 16);
		ASSERT_EQ_UINT(b.m.epoch, epochs[i]);
		ASSERT_EQ_MEM(b.m.key, b32, 32);
		buf_end(&b);
	}
}

TEST(heads_round_trip)
{
	static const uint64_t	seqs[] = { 1, 2, 255, 65536, UINT64_MAX };
	struct peermsg_head	h;
	struct buf		b;
	uint8_t			au[32], id[32];
	uint32_t		i, n = sizeof(seqs) / sizeof(seqs[0]);

	setup();
	buf_begin(&b);
	peermsg_pack_heads_begin(&b.pk, n);
	for (i = 0; i < n; i++) {
		memcpy(au, a32, 32);
		au[0] = (uint8_t)i;
		memcpy(id, c32, 32);
		id[31] = (uint8_t)i;
		peermsg_pack_head(&b.pk, au, seqs[i], id);
	}
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_INT(b.m.type, PM_HEADS);
	ASSERT(b.m.list != NULL);
	ASSERT_EQ_UINT(b.m.list->via.array.size, n);
	for (i = 0; i < n; i++) {
		memset(&h, 0, sizeof(h));
		ASSERT_EQ_INT(peermsg_head(&b.m, i, &h), 0);
		ASSERT_EQ_UINT(h.author[0], i);
		ASSERT_EQ_MEM(h.author + 1, a32 + 1, 31);
		ASSERT_EQ_UINT(h.seq, seqs[i]);
		ASSERT_EQ_UINT(h.id[31], i);
		ASSERT_EQ_MEM(h.id, c32, 31);
	}
	/* Past the end, and accessors of the wrong type. */
	ASSERT_EQ_INT(peermsg_head(&b.m, n, &h), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(peermsg_head(&b.m, UINT32_MAX, &h), -PROTO_E_MALFORMED);
	{
		const uint8_t	*p;
		size_t		 len;

		ASSERT_EQ_INT(peermsg_event(&b.m, 0, &p, &len),
		    -PROTO_E_MALFORMED);
	}
	buf_end(&b);

	/* No heads at all, and exactly PEER_MAX_HEADS. */
	buf_begin(&b);
	peermsg_pack_heads_begin(&b.pk, 0);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_UINT(b.m.list->via.array.size, 0);
	ASSERT_EQ_INT(peermsg_head(&b.m, 0, &h), -PROTO_E_MALFORMED);
	buf_end(&b);
	buf_begin(&b);
	peermsg_pack_heads_begin(&b.pk, PEER_MAX_HEADS);
	for (i = 0; i < PEER_MAX_HEADS; i++)
		peermsg_pack_head(&b.pk, a32, i + 1, c32);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_INT(peermsg_head(&b.m, PEER_MAX_HEADS - 1, &h), 0);
	ASSERT_EQ_UINT(h.seq, PEER_MAX_HEADS);
	buf_end(&b);
}

TEST(events_round_trip)
{
	static const size_t	 sizes[] = { 0, 1, 31, 32, 255, 256, 70000 };
	static uint8_t		 blob[70000 + 8];
	const uint8_t		*p;
	struct buf		 b;
	size_t			 len;
	uint32_t		 i, n = sizeof(sizes) / sizeof(sizes[0]);
	struct peermsg_head	 h;

	fill(blob, sizeof(blob), 3);
	buf_begin(&b);
	peermsg_pack_events_begin(&b.pk, n);
	for (i = 0; i < n; i++)
		mp_pack_bin(&b.pk, blob + i, sizes[i]);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_INT(b.m.type, PM_EVENTS);
	ASSERT_EQ_UINT(b.m.list->via.array.size, n);
	for (i = 0; i < n; i++) {
		ASSERT_EQ_INT(peermsg_event(&b.m, i, &p, &len), 0);
		ASSERT_EQ_UINT(len, sizes[i]);
		ASSERT_EQ_MEM(p, blob + i, len);
		/* Blobs point into the message, not into a copy. */
		ASSERT(p >= (const uint8_t *)b.sb.data &&
		    p + len <= (const uint8_t *)b.sb.data + b.sb.size);
	}
	ASSERT_EQ_INT(peermsg_event(&b.m, n, &p, &len), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(peermsg_head(&b.m, 0, &h), -PROTO_E_MALFORMED);
	buf_end(&b);

	buf_begin(&b);
	peermsg_pack_events_begin(&b.pk, PEER_MAX_EVENTS);
	for (i = 0; i < PEER_MAX_EVENTS; i++)
		mp_pack_bin(&b.pk, blob, 1);
	ASSERT_EQ_INT(buf_decode(&b), 0);
	ASSERT_EQ_INT(peermsg_event(&b.m, PEER_MAX_EVENTS - 1, &p, &len), 0);
	buf_end(&b);
}

TEST(error_round_trip)
{
	static const int	codes[] = { PROTO_E_MALFORMED, -PROTO_E_AUTH,
	    PROTO_E_CHAIN, 0, 300 };
	struct buf		b;
	size_t			i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		buf_begin(&b);
		peermsg_pack_error(&b.pk, codes[i]);
		ASSERT_EQ_INT(buf_decode(&b), 0);
		ASSERT_EQ_INT(b.m.type, PM_ERROR);
		/* Negated codes go out positive, as on the RPC wire. */
		ASSERT_EQ_UINT(b.m.code, codes[i] < 0 ? -codes[i] : codes[i]);
		buf_end(&b);
	}
}

TEST(too_many_refused)
{
	struct buf	b;
	uint32_t	i;

	setup();
	buf_begin(&b);
	peermsg_pack_heads_begin(&b.pk, PEER_MAX_HEADS + 1);
	for (i = 0; i < PEER_MAX_HEADS + 1; i++)
		peermsg_pack_head(&b.pk, a32, i + 1, c32);
	ASSERT_EQ_INT(buf_decode(&b), -PROTO_E_TOOBIG);
	buf_end(&b);
	buf_begin(&b);
	peermsg_pack_events_begin(&b.pk, PEER_MAX_EVENTS + 1);
	for (i = 0; i < PEER_MAX_EVENTS + 1; i++)
		mp_pack_bin(&b.pk, a32, 1);
	ASSERT_EQ_INT(buf_decode(&b), -PROTO_E_TOOBIG);
	buf_end(&b);
	/* Over the frame limit, refused before any parsing. */
	{
		static uint8_t	big[PEER_MAX_FRAME + 1];

		ASSERT_EQ_INT(decode(big, sizeof(big)), -PROTO_E_TOOBIG);
	}
}

/* Pack [type, ...] with each element given as raw msgpack bytes. */
static int
raw(uint32_t type, int n, const char *const *el, const size_t *len)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	int		i, rc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, (size_t)n + 1);
	msgpack_pack_uint32(&pk, type);
	for (i = 0; i < n; i++)
		msgpack_sbuffer_write(&sb, el[i], len[i]);
	rc = decode((const uint8_t *)sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return (rc);
}

/* Raw msgpack for a bin of n bytes (n < 256) of 0x11. */
static size_t
bin(char *out, size_t n)
{
	out[0] = (char)0xc4;
	out[1] = (char)n;
	memset(out + 2, 0x11, n);
	return (n + 2);
}

TEST(fields_refused)
{
	char		 d31[40], d32[40], d33[40], s63[80], s64_[80], s65[80];
	char		 f15[20], f16_[20];
	const char	*el[4];
	size_t		 len[4];

#define REFUSE(type, n) do {						\
	if (raw(type, n, el, len) != -PROTO_E_MALFORMED)		\
		harness_fail(__FILE__, __LINE__, "type %d with %d fields " \
		    "not refused", type, n);				\
} while (0)
#define ACCEPT(type, n) ASSERT_EQ_INT(raw(type, n, el, len), 0)
#define EL(i, p, l) do { el[i] = (p); len[i] = (l); } while (0)
	bin(d31, 31);
	bin(d32, 32);
	bin(d33, 33);
	bin(s63, 63);
	bin(s64_, 64);
	bin(s65, 65);
	bin(f15, 15);
	bin(f16_, 16);

	/* IDENT: [1, device, name, join] */
	EL(0, d32, 34);
	EL(1, "\xc0", 1);
	EL(2, "\xc3", 1);
	ACCEPT(PM_IDENT, 3);
	REFUSE(PM_IDENT, 2);
	EL(3, "\xc0", 1);
	REFUSE(PM_IDENT, 4);
	EL(0, d31, 33);
	REFUSE(PM_IDENT, 3);
	EL(0, d33, 35);
	REFUSE(PM_IDENT, 3);
	EL(0, "\xd9\x20" "0123456789abcdef" "0123456789abcdef", 34);
	REFUSE(PM_IDENT, 3);		/* device as a str */
	EL(0, d32, 34);
	EL(2, "\x01", 1);		/* join as an int */
	REFUSE(PM_IDENT, 3);
	EL(2, "\xc0", 1);
	REFUSE(PM_IDENT, 3);
	EL(2, "\xc2", 1);
	EL(1, "\xc4\x03" "Sam", 5);	/* name as a bin */
	REFUSE(PM_IDENT, 3);
	EL(1, "\x07", 1);
	REFUSE(PM_IDENT, 3);
	EL(1, "\xa3" "Sam", 4);
	ACCEPT(PM_IDENT, 3);

	/* AUTH: [2, device, sig] */
	EL(0, d32, 34);
	EL(1, s64_, 66);
	ACCEPT(PM_AUTH, 2);
	REFUSE(PM_AUTH, 1);
	EL(2, "\xc0", 1);
	REFUSE(PM_AUTH, 3);
	EL(1, s63, 65);
	REFUSE(PM_AUTH, 2);
	EL(1, s65, 67);
	REFUSE(PM_AUTH, 2);
	EL(1, s64_, 66);
	EL(0, d33, 35);
	REFUSE(PM_AUTH, 2);
	EL(0, s64_, 66);
	EL(1, d32, 34);			/* swapped */
	REFUSE(PM_AUTH, 2);

	/* ACK: [3, sig] */
	EL(0, s64_, 66);
	ACCEPT(PM_ACK, 1);
	REFUSE(PM_ACK, 0);
	EL(1, s64_, 66);
	REFUSE(PM_ACK, 2);
	EL(0, s63, 65);
	REFUSE(PM_ACK, 1);
	EL(0, d32, 34);
	REFUSE(PM_ACK, 1);

	/* FAMILY: [4, id, epoch, key] */
	EL(0, f16_, 18);
	EL(1, "\xce\xff\xff\xff\xff", 5);
	EL(2, d32, 34);
	ACCEPT(PM_FAMILY, 3);
	REFUSE(PM_FAMILY, 2);
	EL(3, "\xc0", 1);
	REFUSE(PM_FAMILY, 4);
	EL(1, "\xcf\x00\x00\x00\x01\x00\x00\x00\x00", 9);	/* 2^32 */
	REFUSE(PM_FAMILY, 3);
	EL(1, "\xff", 1);					/* -1 */
	REFUSE(PM_FAMILY, 3);
	EL(1, "\xc0", 1);
	REFUSE(PM_FAMILY, 3);
	EL(1, "\x00", 1);
	EL(0, f15, 17);
	REFUSE(PM_FAMILY, 3);
	EL(0, f16_, 18);
	EL(2, d31, 33);
	REFUSE(PM_FAMILY, 3);
	EL(2, d32, 34);
	ACCEPT(PM_FAMILY, 3);

	/* HEADS and EVENTS: [5|6, array] */
	EL(0, "\x90", 1);
	ACCEPT(PM_HEADS, 1);
	ACCEPT(PM_EVENTS, 1);
	REFUSE(PM_HEADS, 0);
	REFUSE(PM_EVENTS, 0);
	EL(1, "\x90", 1);
	REFUSE(PM_HEADS, 2);
	REFUSE(PM_EVENTS, 2);
	EL(0, "\x80", 1);
	REFUSE(PM_HEADS, 1);
	REFUSE(PM_EVENTS, 1);
	EL(0, "\xc0", 1);
	REFUSE(PM_HEADS, 1);
	REFUSE(PM_EVENTS, 1);
	EL(0, "\xc4\x00", 2);
	REFUSE(PM_EVENTS, 1);

	/* ERROR: [7, code] */
	EL(0, "\x05", 1);
	ACCEPT(PM_ERROR, 1);
	REFUSE(PM_ERROR, 0);
	EL(1, "\x05", 1);
	REFUSE(PM_ERROR, 2);
	EL(0, "\xfb", 1);		/* -5 */
	REFUSE(PM_ERROR, 1);
	EL(0, "\xa1" "5", 2);
	REFUSE(PM_ERROR, 1);
	EL(0, "\xcb\x40\x14\0\0\0\0\0\0", 9);	/* 5.0 */
	REFUSE(PM_ERROR, 1);
#undef REFUSE
#undef ACCEPT
#undef EL
}

/* Decode a HEADS message whose only entry is raw; return peermsg_head. */
static int
one_head(const char *entry, size_t n, int *decoded)
{
	msgpack_sbuffer		sb;
	msgpack_unpacked	up;
	struct peermsg		m;
	struct peermsg_head	h;
	int			rc = -1;

	msgpack_sbuffer_init(&sb);
	msgpack_sbuffer_write(&sb, "\x92\x05\x91", 3);
	msgpack_sbuffer_write(&sb, entry, n);
	msgpack_unpacked_init(&up);
	*decoded = peermsg_decode((const uint8_t *)sb.data, sb.size, &up, &m);
	if (*decoded == 0)
		rc = peermsg_head(&m, 0, &h);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
	return (rc);
}

TEST(heads_entries_refused)
{
	char	e[128], d31[40], d32[40], d33[40];
	size_t	n;
	int	dec;

#define ENTRY(...) do {							\
	const char	*parts_[] = { __VA_ARGS__ };			\
	size_t		 i_;						\
	n = 1;								\
	e[0] = (char)(0x90 | (sizeof(parts_) / sizeof(parts_[0]) / 2)); \
	for (i_ = 0; i_ < sizeof(parts_) / sizeof(parts_[0]); i_ += 2) { \
		memcpy(e + n, parts_[i_], (size_t)parts_[i_ + 1][0]);	\
		n += (size_t)parts_[i_ + 1][0];				\
	}								\
} while (0)
	bin(d31, 31);
	bin(d32, 32);
	bin(d33, 33);
	/* Each part: bytes, then a one-char string holding the length. */
	ENTRY(d32, "\x22", "\x07", "\x01", d32, "\x22");
	ASSERT_EQ_INT(one_head(e, n, &dec), 0);
	ASSERT_EQ_INT(dec, 0);
	ENTRY(d31, "\x21", "\x07", "\x01", d32, "\x22");
	ASSERT_EQ_INT(one_head(e, n, &dec), -PROTO_E_MALFORMED);
	ENTRY(d32, "\x22", "\x07", "\x01", d33, "\x23");
	ASSERT_EQ_INT(one_head(e, n, &dec), -PROTO_E_MALFORMED);
	ENTRY(d32, "\x22", "\xff", "\x01", d32, "\x22");	/* seq -1 */
	ASSERT_EQ_INT(one_head(e, n, &dec), -PROTO_E_MALFORMED);
	ENTRY(d32, "\x22", "\xc0", "\x01", d32, "\x22");	/* seq nil */
	ASSERT_EQ_INT(one_head(e, n, &dec), -PROTO_E_MALFORMED);
	ENTRY(d32, "\x22", "\xa1" "7", "\x02", d32, "\x22");
	ASSERT_EQ_INT(one_head(e, n, &dec), -PROTO_E_MALFORMED);
	ENTRY(d32, "\x22", "\x07", "\x01");			/* arity 2 */
	ASSERT_EQ_INT(one_head(e, n, &dec), -PROTO_E_MALFORMED);
	ENTRY(d32, "\x22", "\x07", "\x01", d32, "\x22", "\xc0", "\x01");
	ASSERT_EQ_INT(one_head(e, n, &dec), -PROTO_E_MALFORMED);
	ENTRY(d32, "\x22", d32, "\x22", "\x07", "\x01");	/* reordered */
	ASSERT_EQ_INT(one_head(e, n, &dec), -PROTO_E_MALFORMED);
	/* Not an array at all: a map, a bin, nil. */
	ASSERT_EQ_INT(one_head("\x81\x01\x02", 3, &dec), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(dec, 0);
	ASSERT_EQ_INT(one_head(d32, 34, &dec), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(one_head("\xc0", 1, &dec), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(dec, 0);
#undef ENTRY
}

TEST(events_entries_refused)
{
	msgpack_unpacked	 up;
	struct peermsg		 m;
	const uint8_t		*p;
	size_t			 len;

	msgpack_unpacked_init(&up);
	/* [6, [bin "ab", "ab", nil, 7]] */
	ASSERT_EQ_INT(peermsg_decode(S("\x92\x06\x94\xc4\x02" "ab" "\xa2" "ab"
	    "\xc0\x07"), &up, &m), 0);
	ASSERT_EQ_INT(peermsg_event(&m, 0, &p, &len), 0);
	ASSERT_EQ_UINT(len, 2);
	ASSERT_EQ_MEM(p, "ab", 2);
	ASSERT_EQ_INT(peermsg_event(&m, 1, &p, &len), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(peermsg_event(&m, 2, &p, &len), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(peermsg_event(&m, 3, &p, &len), -PROTO_E_MALFORMED);
	msgpack_unpacked_destroy(&up);
}

TEST(types_refused)
{
	/* Unknown types 0 and 8, and others around them. */
	ASSERT_EQ_INT(decode(S("\x92\x00\x05")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\x08\x05")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\x7f\x05")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\xff\x05")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\xcf\x00\x00\x00\x01\x00\x00\x00\x07"
	    "\x05")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\xa1" "7" "\x05")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\xc0\x05")), -PROTO_E_MALFORMED);
	/* The same ERROR with its type 7 spelled long is still type 7. */
	ASSERT_EQ_INT(decode(S("\x92\x07\x05")), 0);
	ASSERT_EQ_INT(decode(S("\x92\xcc\x07\x05")), 0);
}

TEST(shapes_refused)
{
	/* Not an array. */
	ASSERT_EQ_INT(decode(S("\x82\x00\x07\x01\x05")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x07")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\xc0")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\xc4\x02\x07\x05")), -PROTO_E_MALFORMED);
	/* Too short an array. */
	ASSERT_EQ_INT(decode(S("\x90")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x91\x07")), -PROTO_E_MALFORMED);
	/* Trailing bytes after a valid message, and truncation. */
	ASSERT_EQ_INT(decode(S("\x92\x07\x05\xc0")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\x07\x05\x00")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\x07")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode((const uint8_t *)"", 0), -PROTO_E_MALFORMED);
	/* Declared sizes larger than the message. */
	ASSERT_EQ_INT(decode(S("\xdd\xff\xff\xff\xff")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\x06\xdd\xff\xff\xff\xff")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\x06\x91\xc6\xff\xff\xff\xff")),
	    -PROTO_E_MALFORMED);
	/* Reserved byte. */
	ASSERT_EQ_INT(decode(S("\x92\x07\xc1")), -PROTO_E_MALFORMED);
}

/* A trailing-byte check that also holds for every type's valid form. */
TEST(trailing_byte_every_type)
{
	struct buf	b;
	int		t;

	setup();
	for (t = PM_IDENT; t <= PM_ERROR; t++) {
		buf_begin(&b);
		switch (t) {
		case PM_IDENT:
			peermsg_pack_ident(&b.pk, a32, "x", true);
			break;
		case PM_AUTH:
			peermsg_pack_auth(&b.pk, a32, s64);
			break;
		case PM_ACK:
			peermsg_pack_ack(&b.pk, s64);
			break;
		case PM_FAMILY:
			peermsg_pack_family(&b.pk, f16, 3, b32);
			break;
		case PM_HEADS:
			peermsg_pack_heads_begin(&b.pk, 1);
			peermsg_pack_head(&b.pk, a32, 1, c32);
			break;
		case PM_EVENTS:
			peermsg_pack_events_begin(&b.pk, 1);
			mp_pack_bin(&b.pk, "x", 1);
			break;
		default:
			peermsg_pack_error(&b.pk, PROTO_E_BUSY);
			break;
		}
		ASSERT_EQ_INT(buf_decode(&b), 0);
		ASSERT_EQ_INT(b.m.type, t);
		msgpack_unpacked_destroy(&b.up);
		msgpack_unpacked_init(&b.up);
		msgpack_sbuffer_write(&b.sb, "\xc0", 1);
		ASSERT_EQ_INT(buf_decode(&b), -PROTO_E_MALFORMED);
		msgpack_unpacked_destroy(&b.up);
		msgpack_unpacked_init(&b.up);
		ASSERT_EQ_INT(peermsg_decode((const uint8_t *)b.sb.data,
		    b.sb.size - 2, &b.up, &b.m), -PROTO_E_MALFORMED);
		buf_end(&b);
	}
}

/* A failed decode leaves nothing behind in the message. */
TEST(failed_decode_clears)
{
	msgpack_unpacked	up;
	struct peermsg		m;

	msgpack_unpacked_init(&up);
	ASSERT_EQ_INT(peermsg_decode(S("\x92\x07\x05"), &up, &m), 0);
	ASSERT_EQ_UINT(m.code, 5);
	msgpack_unpacked_destroy(&up);
	msgpack_unpacked_init(&up);
	ASSERT_EQ_INT(peermsg_decode(S("\x92\x08\x05"), &up, &m),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_UINT(m.code, 0);
	ASSERT(m.list == NULL && m.device == NULL);
	msgpack_unpacked_destroy(&up);
}
