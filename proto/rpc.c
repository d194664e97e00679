/*
 * rpc.c: encode and decode the msgpack-RPC messages of rpc.h. Pure: no
 * sockets, no dispatch. The packers write the message head; the caller
 * packs what follows (params array, or result).
 */
#include <string.h>

#include "mp.h"
#include "mpcheck.h"
#include "rpc.h"

static int	rpc_decode_request(const msgpack_object *, struct rpc_msg *);
static int	rpc_decode_response(const msgpack_object *, struct rpc_msg *);
static int	rpc_decode_notify(const msgpack_object *, struct rpc_msg *);
static int	rpc_get_msgid(const msgpack_object *, uint32_t *);
static int	rpc_get_method(const msgpack_object *, struct rpc_msg *);

/*
 * Decode one frame body. up must be msgpack_unpacked_init'ed; the caller
 * destroys it after using out. An unknown method name is not an error here
 * (out->method is RPC_M_UNKNOWN): the dispatcher answers it.
 * Return 0 or a negative PROTO_E_* code.
 */
int
rpc_decode(const uint8_t *body, size_t len, msgpack_unpacked *up,
    struct rpc_msg *out)
{
	const msgpack_object	*a;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mp_unpack(body, len, up)) < 0)
		return (rc);
	a = &up->data;
	if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size < 3 ||
	    a->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return (-PROTO_E_MALFORMED);
	switch (a->via.array.ptr[0].via.u64) {
	case RPC_REQUEST:
		return (rpc_decode_request(a, out));
	case RPC_RESPONSE:
		return (rpc_decode_response(a, out));
	case RPC_NOTIFY:
		return (rpc_decode_notify(a, out));
	default:
		return (-PROTO_E_MALFORMED);
	}
}

static int
rpc_get_msgid(const msgpack_object *o, uint32_t *id)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    o->via.u64 > UINT32_MAX)
		return (-PROTO_E_MALFORMED);
	*id = (uint32_t)o->via.u64;
	return (0);
}

static int
rpc_get_method(const msgpack_object *o, struct rpc_msg *out)
{
	if (o->type != MSGPACK_OBJECT_STR)
		return (-PROTO_E_MALFORMED);
	if (o->via.str.size == 0 || o->via.str.size > PROTO_MAX_METHOD)
		return (-PROTO_E_METHOD);
	out->method_name = o->via.str.ptr;
	out->method_len = o->via.str.size;
	out->method = proto_method_lookup(o->via.str.ptr, o->via.str.size);
	return (0);
}

static int
rpc_decode_request(const msgpack_object *a, struct rpc_msg *out)
{
	const msgpack_object	*e = a->via.array.ptr;
	int			 rc;

	if (a->via.array.size != 4)
		return (-PROTO_E_MALFORMED);
	out->kind = RPC_REQUEST;
	if ((rc = rpc_get_msgid(&e[1], &out->msgid)) < 0)
		return (rc);
	if ((rc = rpc_get_method(&e[2], out)) < 0)
		return (rc);
	if (e[3].type != MSGPACK_OBJECT_ARRAY)
		return (-PROTO_E_TYPE);
	out->params = &e[3];
	return (0);
}

static int
rpc_decode_response(const msgpack_object *a, struct rpc_msg *out)
{
	const msgpack_object	*e = a->via.array.ptr, *err;
	int			 rc;

	if (a->via.array.size != 4)
		return (-PROTO_E_MALFORMED);
	out->kind = RPC_RESPONSE;
	if ((rc = rpc_get_msgid(&e[1], &out->msgid)) < 0)
		return (rc);
	err = &e[2];
	if (err->type != MSGPACK_OBJECT_NIL) {
		if (err->type != MSGPACK_OBJECT_ARRAY ||
		    err->via.array.size != 2 ||
		    err->via.array.ptr[0].type !=
		    MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    err->via.array.ptr[0].via.u64 == 0 ||
		    err->via.array.ptr[0].via.u64 > INT32_MAX ||
		    err->via.array.ptr[1].type != MSGPACK_OBJECT_STR)
			return (-PROTO_E_MALFORMED);
		out->err_code = (int64_t)err->via.array.ptr[0].via.u64;
		out->err_msg = err->via.array.ptr[1].via.str.ptr;
		out->err_len = err->via.array.ptr[1].via.str.size;
		if (out->err_msg == NULL)	/* msgpack-c: "" may be NULL */
			out->err_msg = "";
	}
	out->result = &e[3];
	return (0);
}

static int
rpc_decode_notify(const msgpack_object *a, struct rpc_msg *out)
{
	const msgpack_object	*e = a->via.array.ptr;
	int			 rc;

	if (a->via.array.size != 3)
		return (-PROTO_E_MALFORMED);
	out->kind = RPC_NOTIFY;
	if ((rc = rpc_get_method(&e[1], out)) < 0)
		return (rc);
	if (e[2].type != MSGPACK_OBJECT_ARRAY)
		return (-PROTO_E_TYPE);
	out->params = &e[2];
	return (0);
}

/* Pack [0, msgid, method, then the caller packs the params array. */
void
rpc_pack_request(msgpack_packer *pk, uint32_t msgid, enum rpc_method m)
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint32(pk, RPC_REQUEST);
	msgpack_pack_uint32(pk, msgid);
	mp_pack_cstr(pk, proto_method_name(m));
}

/* Pack [2, method, then the caller packs the params array. */
void
rpc_pack_notify(msgpack_packer *pk, enum rpc_notify n)
{
	msgpack_pack_array(pk, 3);
	msgpack_pack_uint32(pk, RPC_NOTIFY);
	mp_pack_cstr(pk, proto_notify_name(n));
}

/* Pack [1, msgid, nil, then the caller packs the result. */
void
rpc_pack_response_ok(msgpack_packer *pk, uint32_t msgid)
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint32(pk, RPC_RESPONSE);
	msgpack_pack_uint32(pk, msgid);
	msgpack_pack_nil(pk);
}

/* Pack a whole error response [1, msgid, [code, message], nil]. */
void
rpc_pack_response_err(msgpack_packer *pk, uint32_t msgid, int code,
    const char *message)
{
	if (code < 0)
		code = code < -PROTO_E_COUNT ? PROTO_E_INTERNAL : -code;
	if (code == 0 || code >= PROTO_E_COUNT)
		code = PROTO_E_INTERNAL;
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint32(pk, RPC_RESPONSE);
	msgpack_pack_uint32(pk, msgid);
	msgpack_pack_array(pk, 2);
	msgpack_pack_uint32(pk, (uint32_t)code);
	mp_pack_cstr(pk, message != NULL ? message : proto_strerror(code));
	msgpack_pack_nil(pk);
}
