/*
 * test-mpcheck.c: unit tests for proto/mpcheck.c: mp_check accepts every
 * msgpack type and refuses declared sizes not backed by bytes, truncation,
 * 0xc1, trailing bytes and deep nesting; mp_unpack agrees with msgpack-c.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mpcheck.h"
#include "proto.h"

#define S(x)	{ (const uint8_t *)(x), sizeof(x) - 1 }

struct bytes {
	const uint8_t	*p;
	size_t		 n;
};

static int	msgpack_c_says(const uint8_t *, size_t);
static size_t	nest(uint8_t *, unsigned, uint8_t, const char *, size_t);

/* msgpack-c's verdict: 0 for exactly one whole object, else -1. */
static int
msgpack_c_says(const uint8_t *p, size_t n)
{
	msgpack_unpacked	up;
	size_t			off = 0;
	int			rc;

	msgpack_unpacked_init(&up);
	rc = msgpack_unpack_next(&up, (const char *)p, n, &off);
	msgpack_unpacked_destroy(&up);
	return (rc == MSGPACK_UNPACK_SUCCESS && off == n ? 0 : -1);
}

/* depth containers of type head (0x91 or 0x81 + key), then inner. */
static size_t
nest(uint8_t *out, unsigned depth, uint8_t head, const char *inner,
    size_t ilen)
{
	size_t		n = 0;
	unsigned	i;

	for (i = 0; i < depth; i++) {
		out[n++] = head;
		if (head == 0x81)
			out[n++] = 0xa0;	/* key "" */
	}
	memcpy(out + n, inner, ilen);
	return (n + ilen);
}

static const struct bytes good[] = {
	S("\xc0"), S("\xc2"), S("\xc3"),
	S("\x00"), S("\x7f"), S("\xe0"), S("\xff"),
	S("\xcc\xff"), S("\xcd\xff\xff"), S("\xce\xff\xff\xff\xff"),
	S("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"),
	S("\xd0\x80"), S("\xd1\x80\x00"), S("\xd2\x80\x00\x00\x00"),
	S("\xd3\x80\x00\x00\x00\x00\x00\x00\x00"),
	S("\xca\x3f\x80\x00\x00"), S("\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"),
	S("\xa0"), S("\xa3" "abc"), S("\xbf" "0123456789abcdef0123456789abcde"),
	S("\xd9\x03" "abc"), S("\xda\x00\x03" "abc"),
	S("\xdb\x00\x00\x00\x03" "abc"), S("\xd9\x00"),
	S("\xc4\x02\x00\x01"), S("\xc5\x00\x02\x00\x01"),
	S("\xc6\x00\x00\x00\x02\x00\x01"), S("\xc4\x00"),
	S("\xc7\x02\x05\x00\x01"), S("\xc8\x00\x02\x05\x00\x01"),
	S("\xc9\x00\x00\x00\x02\x05\x00\x01"), S("\xc7\x00\x05"),
	S("\xd4\x05\x01"), S("\xd5\x05\x01\x02"), S("\xd6\xff\x01\x02\x03\x04"),
	S("\xd7\x05" "12345678"), S("\xd8\x05" "0123456789abcdef"),
	S("\x90"), S("\x93\x01\x02\x03"), S("\xdc\x00\x00"),
	S("\xdc\x00\x02\x01\x02"), S("\xdd\x00\x00\x00\x02\x01\x02"),
	S("\x80"), S("\x81\xa1" "a" "\x01"), S("\xde\x00\x01\xa1" "a" "\x01"),
	S("\xdf\x00\x00\x00\x01\xa1" "a" "\x01"),
	/* {"a": [1, [nil, true]], "b": {"c": bin 1}, 3: ext} */
	S("\x83\xa1" "a" "\x92\x01\x92\xc0\xc3\xa1" "b" "\x81\xa1" "c"
	    "\xc4\x01\x00\x03\xd4\x01\x02"),
};

TEST(accepts_every_type)
{
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (mp_check(good[i].p, good[i].n, PROTO_MAX_DEPTH) != 0)
			harness_fail(__FILE__, __LINE__, "good[%zu] refused",
			    i);
		ASSERT_EQ_INT(msgpack_c_says(good[i].p, good[i].n), 0);
	}
}

TEST(accepts_what_msgpack_c_packs)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	static char	big[70000];

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 20);
	msgpack_pack_uint64(&pk, UINT64_MAX);
	msgpack_pack_int64(&pk, INT64_MIN);
	msgpack_pack_int8(&pk, -1);
	msgpack_pack_uint16(&pk, 300);
	msgpack_pack_int32(&pk, -70000);
	msgpack_pack_float(&pk, 1.5f);
	msgpack_pack_double(&pk, -2.25);
	msgpack_pack_str_with_body(&pk, big, 40);
	msgpack_pack_str_with_body(&pk, big, 300);
	msgpack_pack_str_with_body(&pk, big, 70000);
	msgpack_pack_bin_with_body(&pk, big, 300);
	msgpack_pack_bin_with_body(&pk, big, 70000);
	msgpack_pack_ext_with_body(&pk, big, 3, 7);
	msgpack_pack_ext_with_body(&pk, big, 16, 7);
	msgpack_pack_ext_with_body(&pk, big, 70000, 7);
	msgpack_pack_map(&pk, 1);
	msgpack_pack_nil(&pk);
	msgpack_pack_array(&pk, 0);
	msgpack_pack_true(&pk);
	msgpack_pack_false(&pk);
	msgpack_pack_nil(&pk);
	msgpack_pack_int(&pk, 5);
	ASSERT_EQ_INT(mp_check((uint8_t *)sb.data, sb.size, PROTO_MAX_DEPTH),
	    0);
	msgpack_sbuffer_destroy(&sb);
}

TEST(rejects_declared_sizes_not_backed)
{
	static const struct bytes	bad[] = {
		S("\xdd\xff\xff\xff\xff"), S("\xdc\xff\xff"),
		S("\xdf\xff\xff\xff\xff"), S("\xde\xff\xff"),
		S("\xdb\x00\x00\x00\x04" "abc"), S("\xdb\xff\xff\xff\xff"),
		S("\xda\xff\xff" "a"), S("\xd9\x04" "abc"),
		S("\xc6\xff\xff\xff\xff" "x"), S("\xc4\x02\x00"),
		S("\xc9\xff\xff\xff\xff\x01"), S("\xc7\x02\x05\x00"),
		S("\xd8\x05" "0123456789abcde"),
		S("\x93\x01\x02"), S("\x82\xa1" "a" "\x01\xa1" "b"),
		S("\xde\x00\x02\xa1" "a" "\x01\xa1" "b"),
		S("\x91\xdd\xff\xff\xff\xff"),
	};
	size_t				i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mp_check(bad[i].p, bad[i].n, PROTO_MAX_DEPTH) !=
		    -PROTO_E_MALFORMED)
			harness_fail(__FILE__, __LINE__,
			    "bad[%zu] not refused as MALFORMED", i);
	}
}

/* A count exactly backed by bytes passes; one byte short does not. */
TEST(count_boundary)
{
	uint8_t	buf[3 + 256];

	memcpy(buf, "\xdc\x01\x00", 3);
	memset(buf + 3, 0xc0, 256);
	ASSERT_EQ_INT(mp_check(buf, sizeof(buf), PROTO_MAX_DEPTH), 0);
	ASSERT_EQ_INT(mp_check(buf, sizeof(buf) - 1, PROTO_MAX_DEPTH),
	    -PROTO_E_MALFORMED);
}

TEST(rejects_reserved_trailing_empty)
{
	ASSERT_EQ_INT(mp_check((const uint8_t *)"\xc1", 1, 12),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(mp_check((const uint8_t *)"\x92\x01\xc1", 3, 12),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(mp_check((const uint8_t *)"\xc0\xc0", 2, 12),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(mp_check((const uint8_t *)"\x93\x01\x02\x03\x04", 5,
	    12), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(mp_check((const uint8_t *)"\xc0", 0, 12),
	    -PROTO_E_MALFORMED);
}

/* Every proper prefix of every good message is refused. */
TEST(rejects_every_truncation)
{
	size_t	i, cut;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		for (cut = 0; cut < good[i].n; cut++) {
			if (mp_check(good[i].p, cut, PROTO_MAX_DEPTH) !=
			    -PROTO_E_MALFORMED)
				harness_fail(__FILE__, __LINE__,
				    "good[%zu] cut at %zu accepted", i, cut);
			ASSERT(msgpack_c_says(good[i].p, cut) != 0);
		}
	}
}

TEST(depth_limit)
{
	uint8_t	buf[200];
	size_t	n;

	n = nest(buf, PROTO_MAX_DEPTH, 0x91, "\x01", 1);
	ASSERT_EQ_INT(mp_check(buf, n, PROTO_MAX_DEPTH), 0);
	ASSERT_EQ_INT(msgpack_c_says(buf, n), 0);
	n = nest(buf, PROTO_MAX_DEPTH, 0x81, "\x01", 1);
	ASSERT_EQ_INT(mp_check(buf, n, PROTO_MAX_DEPTH), 0);
	n = nest(buf, PROTO_MAX_DEPTH + 1, 0x91, "\x01", 1);
	ASSERT_EQ_INT(mp_check(buf, n, PROTO_MAX_DEPTH), -PROTO_E_TOOBIG);
	n = nest(buf, PROTO_MAX_DEPTH + 1, 0x81, "\x01", 1);
	ASSERT_EQ_INT(mp_check(buf, n, PROTO_MAX_DEPTH), -PROTO_E_TOOBIG);
	n = nest(buf, 40, 0x91, "\x01", 1);
	ASSERT_EQ_INT(mp_check(buf, n, PROTO_MAX_DEPTH), -PROTO_E_TOOBIG);
	/* A larger max_depth is clamped to PROTO_MAX_DEPTH. */
	ASSERT_EQ_INT(mp_check(buf, n, 1000), -PROTO_E_TOOBIG);
	/* A smaller one is honoured. */
	n = nest(buf, 3, 0x91, "\x01", 1);
	ASSERT_EQ_INT(mp_check(buf, n, 3), 0);
	ASSERT_EQ_INT(mp_check(buf, n, 2), -PROTO_E_TOOBIG);
	ASSERT_EQ_INT(mp_check((const uint8_t *)"\x01", 1, 0), 0);
	/* Deep but truncated: still refused (either way, never accepted). */
	n = nest(buf, 40, 0x91, "", 0);
	ASSERT(mp_check(buf, n, PROTO_MAX_DEPTH) < 0);
}

/*
 * An empty container is a level of nesting too: 13 arrays are 13 deep
 * whether or not the innermost one holds anything. (mp_check counts a
 * level only when it has children, so [[...[]...]] with 13 brackets and
 * mp_check(.., 0) on "[]" pass: see the report.)
 */
TEST(depth_limit_counts_empty_innermost)
{
	uint8_t	buf[64];
	size_t	n;

	n = nest(buf, PROTO_MAX_DEPTH, 0x91, "\x90", 1);
	ASSERT_EQ_INT(mp_check(buf, n, PROTO_MAX_DEPTH), -PROTO_E_TOOBIG);
	ASSERT_EQ_INT(mp_check((const uint8_t *)"\x90", 1, 0),
	    -PROTO_E_TOOBIG);
}

TEST(unpack_good)
{
	static const uint8_t	 in[] = "\x82\xa1" "a" "\x01\xa1" "b"
	    "\x92\xc3\xa3" "xyz";
	msgpack_unpacked	 up;
	const msgpack_object	*o, *b;

	msgpack_unpacked_init(&up);
	ASSERT_EQ_INT(mp_unpack(in, sizeof(in) - 1, &up), 0);
	o = &up.data;
	ASSERT_EQ_INT(o->type, MSGPACK_OBJECT_MAP);
	ASSERT_EQ_UINT(o->via.map.size, 2);
	ASSERT_EQ_INT(o->via.map.ptr[0].key.type, MSGPACK_OBJECT_STR);
	ASSERT_EQ_MEM(o->via.map.ptr[0].key.via.str.ptr, "a", 1);
	ASSERT_EQ_INT(o->via.map.ptr[0].val.type,
	    MSGPACK_OBJECT_POSITIVE_INTEGER);
	ASSERT_EQ_UINT(o->via.map.ptr[0].val.via.u64, 1);
	b = &o->via.map.ptr[1].val;
	ASSERT_EQ_INT(b->type, MSGPACK_OBJECT_ARRAY);
	ASSERT_EQ_UINT(b->via.array.size, 2);
	ASSERT_EQ_INT(b->via.array.ptr[0].type, MSGPACK_OBJECT_BOOLEAN);
	ASSERT(b->via.array.ptr[0].via.boolean);
	ASSERT_EQ_UINT(b->via.array.ptr[1].via.str.size, 3);
	/* Strings point into the input. */
	ASSERT(b->via.array.ptr[1].via.str.ptr == (const char *)in + 9);
	msgpack_unpacked_destroy(&up);
}

TEST(unpack_refuses_what_check_refuses)
{
	msgpack_unpacked	up;

	msgpack_unpacked_init(&up);
	ASSERT_EQ_INT(mp_unpack((const uint8_t *)"\xdd\xff\xff\xff\xff", 5,
	    &up), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(mp_unpack((const uint8_t *)"\x01\x02", 2, &up),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(mp_unpack((const uint8_t *)"", 0, &up),
	    -PROTO_E_MALFORMED);
	msgpack_unpacked_destroy(&up);
}

/* Whatever mp_check accepts among short random inputs, msgpack-c does. */
TEST(agrees_with_msgpack_c)
{
	uint8_t		buf[8];
	uint32_t	x = 2463534242U;
	size_t		n, i;
	unsigned	iter, accepted = 0;

	for (iter = 0; iter < 300000; iter++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n = 1 + x % sizeof(buf);
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (uint8_t)(x >> 8);
		}
		if (mp_check(buf, n, PROTO_MAX_DEPTH) == 0) {
			accepted++;
			ASSERT_EQ_INT(msgpack_c_says(buf, n), 0);
		}
	}
	ASSERT(accepted > 1000);
}
