/*
 * peermsg.c: decode and encode the peer messages of peermsg.h. Decoding
 * is strict: exact arity, exact bin sizes, bounded lists; anything else
 * is -PROTO_E_MALFORMED and the session ends.
 */
#include <string.h>

#include "mp.h"
#include "mpcheck.h"
#include "peermsg.h"
#include "proto.h"

static bool
pm_bin(const msgpack_object *o, size_t n, const uint8_t **out)
{
	if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != n)
		return (false);
	*out = (const uint8_t *)o->via.bin.ptr;
	return (true);
}

static int
pm_decode_fields(const msgpack_object *f, uint32_t n, struct peermsg *m)
{
	switch (m->type) {
	case PM_IDENT:
		if (n != 4 || !pm_bin(&f[1], 32, &m->device) ||
		    f[3].type != MSGPACK_OBJECT_BOOLEAN)
			return (-PROTO_E_MALFORMED);
		if (f[2].type == MSGPACK_OBJECT_STR &&
		    f[2].via.str.size <= PROTO_MAX_NAME) {
			m->name = f[2].via.str.ptr;
			m->name_len = f[2].via.str.size;
		} else if (f[2].type != MSGPACK_OBJECT_NIL)
			return (-PROTO_E_MALFORMED);
		m->join = f[3].via.boolean;
		return (0);
	case PM_AUTH:
		return (n == 3 && pm_bin(&f[1], 32, &m->device) &&
		    pm_bin(&f[2], 64, &m->sig) ? 0 : -PROTO_E_MALFORMED);
	case PM_ACK:
		return (n == 2 && pm_bin(&f[1], 64, &m->sig) ? 0 :
		    -PROTO_E_MALFORMED);
	case PM_FAMILY:
		if (n != 4 || !pm_bin(&f[1], 16, &m->family_id) ||
		    f[2].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    f[2].via.u64 > UINT32_MAX || !pm_bin(&f[3], 32, &m->key))
			return (-PROTO_E_MALFORMED);
		m->epoch = (uint32_t)f[2].via.u64;
		return (0);
	case PM_HEADS:
	case PM_EVENTS:
		if (n != 2 || f[1].type != MSGPACK_OBJECT_ARRAY)
			return (-PROTO_E_MALFORMED);
		if (f[1].via.array.size > (m->type == PM_HEADS ?
		    PEER_MAX_HEADS : PEER_MAX_EVENTS))
			return (-PROTO_E_TOOBIG);
		m->list = &f[1];
		return (0);
	case PM_ERROR:
		if (n != 2 || f[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			return (-PROTO_E_MALFORMED);
		m->code = f[1].via.u64;
		return (0);
	}
	return (-PROTO_E_MALFORMED);
}

/*
 * Decode one message; up is msgpack_unpacked_init'ed by the caller and
 * destroyed after m is used. Return 0 or a negative PROTO_E_* code.
 */
int
peermsg_decode(const uint8_t *buf, size_t len, msgpack_unpacked *up,
    struct peermsg *m)
{
	const msgpack_object	*a;
	int			 rc;

	memset(m, 0, sizeof(*m));
	if (len > PEER_MAX_FRAME)
		return (-PROTO_E_TOOBIG);
	if ((rc = mp_unpack(buf, len, up)) < 0)
		return (rc);
	a = &up->data;
	if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size < 2 ||
	    a->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    a->via.array.ptr[0].via.u64 < PM_IDENT ||
	    a->via.array.ptr[0].via.u64 > PM_ERROR)
		return (-PROTO_E_MALFORMED);
	m->type = (enum peermsg_type)a->via.array.ptr[0].via.u64;
	return (pm_decode_fields(a->via.array.ptr, a->via.array.size, m));
}

/* The i-th head of a HEADS message. */
int
peermsg_head(const struct peermsg *m, uint32_t i, struct peermsg_head *h)
{
	const msgpack_object	*e;

	if (m->type != PM_HEADS || i >= m->list->via.array.size)
		return (-PROTO_E_MALFORMED);
	e = &m->list->via.array.ptr[i];
	if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 3 ||
	    !pm_bin(&e->via.array.ptr[0], 32, &h->author) ||
	    e->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    !pm_bin(&e->via.array.ptr[2], 32, &h->id))
		return (-PROTO_E_MALFORMED);
	h->seq = e->via.array.ptr[1].via.u64;
	return (0);
}

/* The i-th blob of an EVENTS message. */
int
peermsg_event(const struct peermsg *m, uint32_t i, const uint8_t **blob,
    size_t *len)
{
	const msgpack_object	*e;

	if (m->type != PM_EVENTS || i >= m->list->via.array.size)
		return (-PROTO_E_MALFORMED);
	e = &m->list->via.array.ptr[i];
	if (e->type != MSGPACK_OBJECT_BIN)
		return (-PROTO_E_MALFORMED);
	*blob = (const uint8_t *)e->via.bin.ptr;
	*len = e->via.bin.size;
	return (0);
}

void
peermsg_pack_ident(msgpack_packer *pk, const uint8_t device[32],
    const char *name, bool join)
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint32(pk, PM_IDENT);
	mp_pack_bin(pk, device, 32);
	mp_pack_cstr(pk, name);
	if (join)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

void
peermsg_pack_auth(msgpack_packer *pk, const uint8_t device[32],
    const uint8_t sig[64])
{
	msgpack_pack_array(pk, 3);
	msgpack_pack_uint32(pk, PM_AUTH);
	mp_pack_bin(pk, device, 32);
	mp_pack_bin(pk, sig, 64);
}

void
peermsg_pack_ack(msgpack_packer *pk, const uint8_t sig[64])
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_uint32(pk, PM_ACK);
	mp_pack_bin(pk, sig, 64);
}

void
peermsg_pack_family(msgpack_packer *pk, const uint8_t id[16],
    uint32_t epoch, const uint8_t key[32])
{
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint32(pk, PM_FAMILY);
	mp_pack_bin(pk, id, 16);
	msgpack_pack_uint32(pk, epoch);
	mp_pack_bin(pk, key, 32);
}

void
peermsg_pack_heads_begin(msgpack_packer *pk, uint32_t n)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_uint32(pk, PM_HEADS);
	msgpack_pack_array(pk, n);
}

void
peermsg_pack_head(msgpack_packer *pk, const uint8_t author[32],
    uint64_t seq, const uint8_t id[32])
{
	msgpack_pack_array(pk, 3);
	mp_pack_bin(pk, author, 32);
	msgpack_pack_uint64(pk, seq);
	mp_pack_bin(pk, id, 32);
}

void
peermsg_pack_events_begin(msgpack_packer *pk, uint32_t n)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_uint32(pk, PM_EVENTS);
	msgpack_pack_array(pk, n);
}

void
peermsg_pack_error(msgpack_packer *pk, int code)
{
	msgpack_pack_array(pk, 2);
	msgpack_pack_uint32(pk, PM_ERROR);
	if (code < 0)
		code = code <= -PROTO_E_COUNT ? PROTO_E_INTERNAL : -code;
	msgpack_pack_uint32(pk, (uint32_t)code);
}
