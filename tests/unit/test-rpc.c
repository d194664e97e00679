/*
 * test-rpc.c: unit tests for proto/rpc.c and proto/proto.c: messages
 * packed with rpc_pack_*, framed, read back and decoded; every shape
 * rpc_decode must refuse; the method and error name tables.
 */
#include <limits.h>
#include <string.h>

#include "frame.h"
#include "harness.h"
#include "mp.h"
#include "proto.h"
#include "rpc.h"

#define S(x)	(const uint8_t *)(x), sizeof(x) - 1

struct wire {
	msgpack_sbuffer		sb;
	msgpack_packer		pk;
	struct frame_reader	fr;
	msgpack_unpacked	up;
};

static void	wire_begin(struct wire *);
static int	wire_decode(struct wire *, struct rpc_msg *);
static void	wire_end(struct wire *);
static int	decode(const uint8_t *, size_t);

static void
wire_begin(struct wire *w)
{
	msgpack_sbuffer_init(&w->sb);
	msgpack_packer_init(&w->pk, &w->sb, msgpack_sbuffer_write);
	frame_reader_init(&w->fr, PROTO_MAX_REQUEST);
	msgpack_unpacked_init(&w->up);
	ASSERT_EQ_INT(frame_begin(&w->sb), 0);
}

/* Close the frame, push it through a reader and decode the body. */
static int
wire_decode(struct wire *w, struct rpc_msg *m)
{
	const uint8_t	*body;
	size_t		 len, used;

	ASSERT_EQ_INT(frame_end(&w->sb, PROTO_MAX_REQUEST), 0);
	ASSERT_EQ_INT(frame_reader_feed(&w->fr, w->sb.data, w->sb.size,
	    &used), 0);
	ASSERT_EQ_UINT(used, w->sb.size);
	ASSERT_EQ_INT(frame_reader_next(&w->fr, &body, &len), 1);
	ASSERT_EQ_UINT(len, w->sb.size - FRAME_HEADER);
	return (rpc_decode(body, len, &w->up, m));
}

static void
wire_end(struct wire *w)
{
	msgpack_unpacked_destroy(&w->up);
	frame_reader_finish(&w->fr);
	msgpack_sbuffer_destroy(&w->sb);
}

/* Decode raw bytes; return rpc_decode's result. */
static int
decode(const uint8_t *p, size_t n)
{
	msgpack_unpacked	up;
	struct rpc_msg		m;
	int			rc;

	msgpack_unpacked_init(&up);
	rc = rpc_decode(p, n, &up, &m);
	msgpack_unpacked_destroy(&up);
	return (rc);
}

TEST(request_round_trip)
{
	struct wire		 w;
	struct rpc_msg		 m;
	const char		*s;
	size_t			 len;

	wire_begin(&w);
	rpc_pack_request(&w.pk, UINT32_MAX, RPC_M_APPEND);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_map(&w.pk, 2);
	mp_pack_kv_str(&w.pk, "t", "kid.add");
	mp_pack_kv_str(&w.pk, "name", "Maya");
	ASSERT_EQ_INT(wire_decode(&w, &m), 0);
	ASSERT_EQ_INT(m.kind, RPC_REQUEST);
	ASSERT_EQ_UINT(m.msgid, UINT32_MAX);
	ASSERT_EQ_INT(m.method, RPC_M_APPEND);
	ASSERT_EQ_UINT(m.method_len, 6);
	ASSERT_EQ_MEM(m.method_name, "append", 6);
	ASSERT(m.params != NULL && m.params->type == MSGPACK_OBJECT_ARRAY);
	ASSERT_EQ_UINT(m.params->via.array.size, 1);
	ASSERT_EQ_INT(mp_get_str(&m.params->via.array.ptr[0], "name", &s,
	    &len, PROTO_MAX_NAME), MP_FOUND);
	ASSERT_EQ_MEM(s, "Maya", 4);
	ASSERT(m.result == NULL);
	wire_end(&w);

	wire_begin(&w);
	rpc_pack_request(&w.pk, 0, RPC_M_STATUS);
	msgpack_pack_array(&w.pk, 0);
	ASSERT_EQ_INT(wire_decode(&w, &m), 0);
	ASSERT_EQ_UINT(m.msgid, 0);
	ASSERT_EQ_INT(m.method, RPC_M_STATUS);
	ASSERT_EQ_UINT(m.params->via.array.size, 0);
	wire_end(&w);
}

TEST(response_ok_round_trip)
{
	struct wire	w;
	struct rpc_msg	m;
	uint64_t	u;

	wire_begin(&w);
	rpc_pack_response_ok(&w.pk, 77);
	msgpack_pack_map(&w.pk, 1);
	mp_pack_kv_uint(&w.pk, "seq", 3);
	ASSERT_EQ_INT(wire_decode(&w, &m), 0);
	ASSERT_EQ_INT(m.kind, RPC_RESPONSE);
	ASSERT_EQ_UINT(m.msgid, 77);
	ASSERT_EQ_INT(m.err_code, 0);
	ASSERT(m.err_msg == NULL);
	ASSERT(m.result != NULL);
	ASSERT_EQ_INT(mp_get_uint(m.result, "seq", &u), MP_FOUND);
	ASSERT_EQ_UINT(u, 3);
	wire_end(&w);
}

TEST(response_error_round_trip)
{
	struct wire	w;
	struct rpc_msg	m;
	const char	*text;

	wire_begin(&w);
	rpc_pack_response_err(&w.pk, 9, -PROTO_E_NOTFOUND, "no kid Maya");
	ASSERT_EQ_INT(wire_decode(&w, &m), 0);
	ASSERT_EQ_INT(m.kind, RPC_RESPONSE);
	ASSERT_EQ_UINT(m.msgid, 9);
	ASSERT_EQ_INT(m.err_code, PROTO_E_NOTFOUND);
	ASSERT_EQ_UINT(m.err_len, 11);
	ASSERT_EQ_MEM(m.err_msg, "no kid Maya", 11);
	ASSERT(m.result != NULL && m.result->type == MSGPACK_OBJECT_NIL);
	wire_end(&w);

	/* No message: the code's own text; a positive code works too. */
	wire_begin(&w);
	rpc_pack_response_err(&w.pk, 10, PROTO_E_BUSY, NULL);
	ASSERT_EQ_INT(wire_decode(&w, &m), 0);
	ASSERT_EQ_INT(m.err_code, PROTO_E_BUSY);
	text = proto_strerror(PROTO_E_BUSY);
	ASSERT_EQ_UINT(m.err_len, strlen(text));
	ASSERT_EQ_MEM(m.err_msg, text, m.err_len);
	wire_end(&w);
}

TEST(notify_round_trip)
{
	struct wire	w;
	struct rpc_msg	m;

	wire_begin(&w);
	rpc_pack_notify(&w.pk, RPC_N_EVENT);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_map(&w.pk, 0);
	ASSERT_EQ_INT(wire_decode(&w, &m), 0);
	ASSERT_EQ_INT(m.kind, RPC_NOTIFY);
	ASSERT_EQ_INT(m.method, RPC_M_UNKNOWN);
	ASSERT_EQ_UINT(m.method_len, 5);
	ASSERT_EQ_MEM(m.method_name, "event", 5);
	ASSERT_EQ_UINT(m.params->via.array.size, 1);
	wire_end(&w);

	ASSERT_EQ_INT(proto_notify_lookup("event", 5), RPC_N_EVENT);
	ASSERT_EQ_INT(proto_notify_lookup("even", 4), RPC_N_UNKNOWN);
	ASSERT(proto_notify_name(RPC_N_COUNT) == NULL);
}

TEST(unknown_method_decodes)
{
	msgpack_unpacked	up;
	struct rpc_msg		m;

	msgpack_unpacked_init(&up);
	ASSERT_EQ_INT(rpc_decode(S("\x94\x00\x05\xaa" "frobnicate" "\x90"),
	    &up, &m), 0);
	ASSERT_EQ_INT(m.kind, RPC_REQUEST);
	ASSERT_EQ_INT(m.method, RPC_M_UNKNOWN);
	ASSERT_EQ_UINT(m.method_len, 10);
	ASSERT_EQ_MEM(m.method_name, "frobnicate", 10);
	msgpack_unpacked_destroy(&up);
}

TEST(rejects_not_an_rpc_array)
{
	ASSERT_EQ_INT(decode(S("\xc0")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x81\xa1" "a" "\x01")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\xa4" "kids")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x90")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\x00\x01")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\xdd\xff\xff\xff\xff")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\xdc\xff\xff")), -PROTO_E_MALFORMED);
	/* A good request followed by a byte. */
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xa4" "kids" "\x90\xc0")),
	    -PROTO_E_MALFORMED);
	/* Params nested past PROTO_MAX_DEPTH. */
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xa4" "kids" "\x91\x91\x91\x91"
	    "\x91\x91\x91\x91\x91\x91\x91\x91\x01")), -PROTO_E_TOOBIG);
}

TEST(rejects_wrong_kind)
{
	ASSERT_EQ_INT(decode(S("\x94\x03\x01\xa4" "kids" "\x90")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\x7f\x01\xa4" "kids" "\x90")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\xff\x01\xa4" "kids" "\x90")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\xc0\x01\xa4" "kids" "\x90")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\xa1" "0" "\x01\xa4" "kids" "\x90")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\xcf\x00\x00\x00\x01\x00\x00\x00\x00"
	    "\x01\xa4" "kids" "\x90")), -PROTO_E_MALFORMED);
}

TEST(rejects_wrong_arity)
{
	ASSERT_EQ_INT(decode(S("\x93\x00\x01\xa4" "kids")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x95\x00\x01\xa4" "kids" "\x90\xc0")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x93\x01\x01\xc0")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x95\x01\x01\xc0\xc0\xc0")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\x02\xa5" "event" "\x90\xc0")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x92\x02\xa5" "event")), -PROTO_E_MALFORMED);
	/* The same shapes with the right arity pass. */
	ASSERT_EQ_INT(decode(S("\x94\x01\x01\xc0\xc0")), 0);
	ASSERT_EQ_INT(decode(S("\x93\x02\xa5" "event" "\x90")), 0);
}

TEST(rejects_bad_msgid)
{
	ASSERT_EQ_INT(decode(S("\x94\x00\xcf\x00\x00\x00\x01\x00\x00\x00\x00"
	    "\xa4" "kids" "\x90")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\x01\xcf\xff\xff\xff\xff\xff\xff\xff\xff"
	    "\xc0\xc0")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\x00\xff\xa4" "kids" "\x90")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\x00\xc0\xa4" "kids" "\x90")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\x00\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"
	    "\xa4" "kids" "\x90")), -PROTO_E_MALFORMED);
	/* u32 max itself is fine, even in a non-minimal encoding. */
	ASSERT_EQ_INT(decode(S("\x94\x00\xce\xff\xff\xff\xff\xa4" "kids"
	    "\x90")), 0);
	ASSERT_EQ_INT(decode(S("\x94\x00\xcf\x00\x00\x00\x00\xff\xff\xff\xff"
	    "\xa4" "kids" "\x90")), 0);
}

TEST(rejects_bad_method)
{
	/* Not a str. */
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xc4\x04" "kids" "\x90")),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\x03\x90")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xc0\x90")), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(decode(S("\x93\x02\x91\xa4" "kids" "\x90")),
	    -PROTO_E_MALFORMED);
	/* Empty, and one byte longer than PROTO_MAX_METHOD. */
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xa0\x90")), -PROTO_E_METHOD);
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xd9\x21"
	    "abcdefghijklmnopqrstuvwxyz0123456" "\x90")), -PROTO_E_METHOD);
	ASSERT_EQ_INT(decode(S("\x93\x02\xd9\x21"
	    "abcdefghijklmnopqrstuvwxyz0123456" "\x90")), -PROTO_E_METHOD);
	/* Exactly PROTO_MAX_METHOD: decodes, as an unknown method. */
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xd9\x20"
	    "abcdefghijklmnopqrstuvwxyz012345" "\x90")), 0);
}

TEST(rejects_params_not_array)
{
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xa4" "kids" "\x80")),
	    -PROTO_E_TYPE);
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xa4" "kids" "\xc0")),
	    -PROTO_E_TYPE);
	ASSERT_EQ_INT(decode(S("\x94\x00\x01\xa4" "kids" "\xa0")),
	    -PROTO_E_TYPE);
	ASSERT_EQ_INT(decode(S("\x93\x02\xa5" "event" "\x80")),
	    -PROTO_E_TYPE);
}

TEST(rejects_bad_error_shapes)
{
	static const struct {
		const char	*p;
		size_t		 n;
	} bad[] = {
#define E(x)	{ "\x94\x01\x01" x "\xc0", sizeof("\x94\x01\x01" x) }
		E("\x90"),			/* [] */
		E("\x91\x01"),			/* [1] */
		E("\x93\x01\xa1" "x" "\x03"),	/* [1, "x", 3] */
		E("\x92\x00\xa1" "x"),		/* code 0 */
		E("\x92\xa1" "x" "\x01"),	/* [msg, code] */
		E("\x92\x01\x02"),		/* message not a str */
		E("\x92\x01\xc4\x01" "x"),	/* message a bin */
		E("\x92\xff\xa1" "x"),		/* negative code */
		E("\x92\xce\x80\x00\x00\x00\xa1" "x"),	/* > INT32_MAX */
		E("\xa1" "x"),			/* a str */
		E("\x05"),			/* an int */
		E("\x80"),			/* a map */
		E("\xc2"),			/* false */
#undef E
	};
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (decode((const uint8_t *)bad[i].p, bad[i].n) !=
		    -PROTO_E_MALFORMED)
			harness_fail(__FILE__, __LINE__,
			    "bad[%zu] not refused as MALFORMED", i);
	}
	/* The largest code is accepted. */
	ASSERT_EQ_INT(decode(S("\x94\x01\x01\x92\xce\x7f\xff\xff\xff\xa1" "x"
	    "\xc0")), 0);
}

TEST(method_names)
{
	/* Wire names in use never change (new methods may be added). */
	static const struct {
		enum rpc_method	 m;
		const char	*name;
	} fixed[] = {
		{ RPC_M_APPEND, "append" }, { RPC_M_INIT, "init" },
		{ RPC_M_KIDS, "kids" }, { RPC_M_LOG, "log" },
		{ RPC_M_STATUS, "status" }, { RPC_M_SUBSCRIBE, "subscribe" },
		{ RPC_M_VERIFY, "verify" },
	};
	const char	*a, *b;
	size_t		 i;
	int		 m, k;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		ASSERT_EQ_STR(proto_method_name(fixed[i].m), fixed[i].name);
	ASSERT(proto_method_name(RPC_M_UNKNOWN) == NULL);
	ASSERT(proto_method_name(RPC_M_COUNT) == NULL);
	ASSERT(proto_method_name((enum rpc_method)-1) == NULL);
	for (m = 1; m < RPC_M_COUNT; m++) {
		a = proto_method_name((enum rpc_method)m);
		if (a == NULL)
			harness_fail(__FILE__, __LINE__, "method %d has no "
			    "name", m);
		ASSERT(strlen(a) > 0 && strlen(a) <= PROTO_MAX_METHOD);
		ASSERT_EQ_INT(proto_method_lookup(a, strlen(a)), m);
		for (k = 1; k < m; k++) {
			b = proto_method_name((enum rpc_method)k);
			ASSERT(strcmp(a, b) != 0);
		}
	}
	ASSERT_EQ_INT(proto_method_lookup("statusX", 6), RPC_M_STATUS);
	ASSERT_EQ_INT(proto_method_lookup("stat", 4), RPC_M_UNKNOWN);
	ASSERT_EQ_INT(proto_method_lookup("statuss", 7), RPC_M_UNKNOWN);
	ASSERT_EQ_INT(proto_method_lookup("STATUS", 6), RPC_M_UNKNOWN);
	ASSERT_EQ_INT(proto_method_lookup("", 0), RPC_M_UNKNOWN);
	ASSERT_EQ_INT(proto_method_lookup(NULL, 0), RPC_M_UNKNOWN);
	ASSERT_EQ_INT(proto_method_lookup("log\0", 4), RPC_M_UNKNOWN);
}

TEST(strerror_every_code)
{
	const char	*a, *b;
	int		 e, k;

	for (e = 0; e < PROTO_E_COUNT; e++) {
		a = proto_strerror(e);
		ASSERT(a != NULL && *a != '\0');
		ASSERT(strcmp(a, "unknown error") != 0);
		ASSERT(proto_strerror(-e) == a);
		for (k = 0; k < e; k++) {
			b = proto_strerror(k);
			ASSERT(strcmp(a, b) != 0);
		}
	}
	ASSERT_EQ_STR(proto_strerror(PROTO_E_COUNT), "unknown error");
	ASSERT_EQ_STR(proto_strerror(-PROTO_E_COUNT), "unknown error");
	ASSERT_EQ_STR(proto_strerror(1000), "unknown error");
	ASSERT_EQ_STR(proto_strerror(INT_MAX), "unknown error");
}

/* -INT_MIN overflows: proto_strerror must not index with it. */
TEST(strerror_int_min)
{
	ASSERT_EQ_STR(proto_strerror(INT_MIN), "unknown error");
}

/* The numbers are on the wire and in docs/protocol.md: never renumber. */
TEST(error_numbers_fixed)
{
	ASSERT_EQ_INT(PROTO_E_MALFORMED, 1);
	ASSERT_EQ_INT(PROTO_E_TOOBIG, 2);
	ASSERT_EQ_INT(PROTO_E_TYPE, 3);
	ASSERT_EQ_INT(PROTO_E_METHOD, 4);
	ASSERT_EQ_INT(PROTO_E_AUTH, 5);
	ASSERT_EQ_INT(PROTO_E_NOFAMILY, 6);
	ASSERT_EQ_INT(PROTO_E_EXISTS, 7);
	ASSERT_EQ_INT(PROTO_E_NOTFOUND, 8);
	ASSERT_EQ_INT(PROTO_E_AMBIGUOUS, 9);
	ASSERT_EQ_INT(PROTO_E_INVALID, 10);
	ASSERT_EQ_INT(PROTO_E_STORE, 11);
	ASSERT_EQ_INT(PROTO_E_BUSY, 12);
	ASSERT_EQ_INT(PROTO_E_INTERNAL, 13);
	ASSERT_EQ_INT(PROTO_E_PERM, 14);
	ASSERT_EQ_INT(PROTO_E_VERSION, 15);
	ASSERT_EQ_INT(PROTO_E_CHAIN, 16);
	ASSERT_EQ_INT(RPC_REQUEST, 0);
	ASSERT_EQ_INT(RPC_RESPONSE, 1);
	ASSERT_EQ_INT(RPC_NOTIFY, 2);
}
