/*
 * fuzz-rpc.c: libFuzzer target for rpc_decode (proto/rpc.c) over one
 * frame body of at most PROTO_MAX_REQUEST bytes. A decoded message must
 * keep the promises of rpc.h, and re-packing the decoded object with
 * msgpack-c must decode again to the same message. Any broken promise
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "rpc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_msg(const struct rpc_msg *);

static void
check_msg(const struct rpc_msg *m)
{
	switch (m->kind) {
	case RPC_REQUEST:
	case RPC_NOTIFY:
		if (m->params == NULL ||
		    m->params->type != MSGPACK_OBJECT_ARRAY ||
		    m->method_len == 0 || m->method_len > PROTO_MAX_METHOD ||
		    m->method != proto_method_lookup(m->method_name,
		    m->method_len) || m->result != NULL || m->err_code != 0)
			abort();
		break;
	case RPC_RESPONSE:
		if (m->result == NULL || m->params != NULL ||
		    m->err_code < 0 || m->err_code > INT32_MAX ||
		    (m->err_code == 0) != (m->err_msg == NULL))
			abort();
		(void)proto_strerror((int)m->err_code);
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msgpack_unpacked	up, up2;
	msgpack_sbuffer		sb;
	msgpack_packer		pk;
	struct rpc_msg		m, m2;

	if (size > PROTO_MAX_REQUEST)
		return (0);
	msgpack_unpacked_init(&up);
	if (rpc_decode(data, size, &up, &m) == 0) {
		check_msg(&m);
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		if (msgpack_pack_object(&pk, up.data) != 0)
			abort();
		msgpack_unpacked_init(&up2);
		if (rpc_decode((uint8_t *)sb.data, sb.size, &up2, &m2) != 0 ||
		    m2.kind != m.kind || m2.msgid != m.msgid ||
		    m2.method != m.method || m2.method_len != m.method_len ||
		    m2.err_code != m.err_code || m2.err_len != m.err_len ||
		    (m.method_len > 0 && memcmp(m2.method_name, m.method_name,
		    m.method_len) != 0) ||
		    (m.err_len > 0 && memcmp(m2.err_msg, m.err_msg,
		    m.err_len) != 0))
			abort();
		msgpack_unpacked_destroy(&up2);
		msgpack_sbuffer_destroy(&sb);
	}
	msgpack_unpacked_destroy(&up);
	return (0);
}
