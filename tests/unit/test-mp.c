/*
 * test-mp.c: unit tests for proto/mp.c: typed map getters on good types,
 * wrong types and absent keys, the kv packers, and hex encode/decode.
 */
#include <string.h>

#include "harness.h"
#include "mp.h"
#include "mpcheck.h"
#include "proto.h"

static void	pack_sample(msgpack_sbuffer *);

/*
 * {"s": "hello", "u": 42, "i": -5, "b": true, "bin": bin 4, "n": nil,
 *  "big": 2^63, "h": hex of 3 bytes, 7: "not a str key"}
 */
static void
pack_sample(msgpack_sbuffer *sb)
{
	msgpack_packer	pk;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 9);
	mp_pack_kv_str(&pk, "s", "hello");
	mp_pack_kv_uint(&pk, "u", 42);
	mp_pack_kv_int(&pk, "i", -5);
	mp_pack_kv_bool(&pk, "b", true);
	mp_pack_kv_bin(&pk, "bin", "\x01\x02\x03\x04", 4);
	mp_pack_kv_str(&pk, "n", NULL);
	mp_pack_kv_uint(&pk, "big", (uint64_t)1 << 63);
	mp_pack_kv_hex(&pk, "h", (const uint8_t *)"\x00\xab\xff", 3);
	msgpack_pack_int(&pk, 7);
	mp_pack_cstr(&pk, "not a str key");
}

TEST(getters_good_wrong_absent)
{
	msgpack_sbuffer		 sb;
	msgpack_unpacked	 up;
	const msgpack_object	*m;
	const char		*s;
	const uint8_t		*p;
	size_t			 len;
	uint64_t		 u;
	int64_t			 i;
	bool			 b;

	pack_sample(&sb);
	msgpack_unpacked_init(&up);
	ASSERT_EQ_INT(mp_unpack((uint8_t *)sb.data, sb.size, &up), 0);
	m = &up.data;

	ASSERT_EQ_INT(mp_get_str(m, "s", &s, &len, 64), MP_FOUND);
	ASSERT_EQ_UINT(len, 5);
	ASSERT_EQ_MEM(s, "hello", 5);
	ASSERT_EQ_INT(mp_get_str(m, "s", &s, &len, 5), MP_FOUND);
	ASSERT_EQ_INT(mp_get_str(m, "s", &s, &len, 4), -PROTO_E_TOOBIG);
	ASSERT_EQ_INT(mp_get_str(m, "u", &s, &len, 64), -PROTO_E_TYPE);
	ASSERT_EQ_INT(mp_get_str(m, "n", &s, &len, 64), MP_ABSENT);
	ASSERT_EQ_INT(mp_get_str(m, "nope", &s, &len, 64), MP_ABSENT);
	ASSERT_EQ_INT(mp_get_str(m, "h", &s, &len, 64), MP_FOUND);
	ASSERT_EQ_UINT(len, 6);
	ASSERT_EQ_MEM(s, "00abff", 6);

	ASSERT_EQ_INT(mp_get_uint(m, "u", &u), MP_FOUND);
	ASSERT_EQ_UINT(u, 42);
	ASSERT_EQ_INT(mp_get_uint(m, "big", &u), MP_FOUND);
	ASSERT_EQ_UINT(u, (uint64_t)1 << 63);
	ASSERT_EQ_INT(mp_get_uint(m, "i", &u), -PROTO_E_TYPE);
	ASSERT_EQ_INT(mp_get_uint(m, "s", &u), -PROTO_E_TYPE);
	ASSERT_EQ_INT(mp_get_uint(m, "n", &u), MP_ABSENT);
	ASSERT_EQ_INT(mp_get_uint(m, "nope", &u), MP_ABSENT);

	ASSERT_EQ_INT(mp_get_int(m, "i", &i), MP_FOUND);
	ASSERT_EQ_INT(i, -5);
	ASSERT_EQ_INT(mp_get_int(m, "u", &i), MP_FOUND);
	ASSERT_EQ_INT(i, 42);
	ASSERT_EQ_INT(mp_get_int(m, "big", &i), -PROTO_E_INVALID);
	ASSERT_EQ_INT(mp_get_int(m, "b", &i), -PROTO_E_TYPE);
	ASSERT_EQ_INT(mp_get_int(m, "nope", &i), MP_ABSENT);

	ASSERT_EQ_INT(mp_get_bool(m, "b", &b), MP_FOUND);
	ASSERT(b);
	ASSERT_EQ_INT(mp_get_bool(m, "u", &b), -PROTO_E_TYPE);
	ASSERT_EQ_INT(mp_get_bool(m, "n", &b), MP_ABSENT);

	ASSERT_EQ_INT(mp_get_bin(m, "bin", &p, 4), MP_FOUND);
	ASSERT_EQ_MEM(p, "\x01\x02\x03\x04", 4);
	ASSERT_EQ_INT(mp_get_bin(m, "bin", &p, 3), -PROTO_E_TYPE);
	ASSERT_EQ_INT(mp_get_bin(m, "s", &p, 5), -PROTO_E_TYPE);
	ASSERT_EQ_INT(mp_get_bin(m, "nope", &p, 4), MP_ABSENT);

	/* Getters on something that is not a map find nothing. */
	ASSERT(mp_map_get(&m->via.map.ptr[0].val, "s") == NULL);
	ASSERT(mp_map_get(NULL, "s") == NULL);
	ASSERT_EQ_INT(mp_get_uint(&m->via.map.ptr[1].val, "u", &u),
	    MP_ABSENT);
	/* The int key is skipped, not matched and not a crash. */
	ASSERT(mp_map_get(m, "7") == NULL);

	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&sb);
}

TEST(str_eq_and_as_int)
{
	msgpack_object	o;
	int64_t		v;

	memset(&o, 0, sizeof(o));
	o.type = MSGPACK_OBJECT_STR;
	o.via.str.ptr = "abc";
	o.via.str.size = 3;
	ASSERT(mp_str_eq(&o, "abc"));
	ASSERT(!mp_str_eq(&o, "ab"));
	ASSERT(!mp_str_eq(&o, "abcd"));
	o.via.str.size = 2;
	ASSERT(mp_str_eq(&o, "ab"));
	o.type = MSGPACK_OBJECT_BIN;
	ASSERT(!mp_str_eq(&o, "ab"));
	ASSERT_EQ_INT(mp_as_int(&o, &v), -PROTO_E_TYPE);

	o.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
	o.via.u64 = INT64_MAX;
	ASSERT_EQ_INT(mp_as_int(&o, &v), 0);
	ASSERT_EQ_INT(v, INT64_MAX);
	o.via.u64 = (uint64_t)INT64_MAX + 1;
	ASSERT_EQ_INT(mp_as_int(&o, &v), -PROTO_E_INVALID);
	o.type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
	o.via.i64 = INT64_MIN;
	ASSERT_EQ_INT(mp_as_int(&o, &v), 0);
	ASSERT_EQ_INT(v, INT64_MIN);
}

TEST(pack_helpers_bytes)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	uint8_t		many[100];

	memset(many, 0x11, sizeof(many));
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	mp_pack_cstr(&pk, NULL);
	mp_pack_cstr(&pk, "ab");
	mp_pack_bin(&pk, "\x00", 1);
	mp_pack_kv_strn(&pk, "k", "xyz", 2);
	mp_pack_kv_bool(&pk, "f", false);
	ASSERT_EQ_UINT(sb.size, 15);
	ASSERT_EQ_MEM(sb.data, "\xc0\xa2" "ab" "\xc4\x01\x00\xa1" "k" "\xa2"
	    "xy" "\xa1" "f" "\xc2", 15);
	/* mp_pack_hex writes every byte, past its 64-byte chunks too. */
	sb.size = 0;
	mp_pack_hex(&pk, many, sizeof(many));
	ASSERT_EQ_UINT(sb.size, 2 + 2 * sizeof(many));
	ASSERT_EQ_MEM(sb.data, "\xd9\xc8", 2);
	ASSERT_EQ_MEM(sb.data + sb.size - 4, "1111", 4);
	msgpack_sbuffer_destroy(&sb);
}

TEST(hex_round_trip)
{
	uint8_t	in[256], out[256];
	char	hex[2 * 256 + 1];
	size_t	i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	mp_hex(hex, in, sizeof(in));
	ASSERT_EQ_UINT(strlen(hex), 512);
	ASSERT_EQ_MEM(hex, "000102", 6);
	ASSERT_EQ_MEM(hex + 500, "fafbfcfdfeff", 12);
	ASSERT_EQ_INT(mp_unhex(out, sizeof(out), hex, strlen(hex)), 0);
	ASSERT_EQ_MEM(out, in, sizeof(in));
	/* Upper case is read too. */
	ASSERT_EQ_INT(mp_unhex(out, 4, "DEADbeef", 8), 0);
	ASSERT_EQ_MEM(out, "\xde\xad\xbe\xef", 4);
	mp_hex(hex, in, 0);
	ASSERT_EQ_STR(hex, "");
	ASSERT_EQ_INT(mp_unhex(out, 0, "", 0), 0);
}

TEST(unhex_rejects)
{
	uint8_t	out[4];

	ASSERT_EQ_INT(mp_unhex(out, 4, "deadbee", 7), -PROTO_E_INVALID);
	ASSERT_EQ_INT(mp_unhex(out, 4, "deadbeef0", 9), -PROTO_E_INVALID);
	ASSERT_EQ_INT(mp_unhex(out, 4, "deadbeeg", 8), -PROTO_E_INVALID);
	ASSERT_EQ_INT(mp_unhex(out, 4, "dead beef", 8), -PROTO_E_INVALID);
	ASSERT_EQ_INT(mp_unhex(out, 4, "0x00beef", 8), -PROTO_E_INVALID);
	ASSERT_EQ_INT(mp_unhex(out, 4, "deadbe\0f", 8), -PROTO_E_INVALID);
	ASSERT_EQ_INT(mp_unhex(out, 4, "", 0), -PROTO_E_INVALID);
	ASSERT_EQ_INT(mp_unhex(out, 1, "-1", 2), -PROTO_E_INVALID);
}
