/*
 * fuzz-peermsg.c: libFuzzer target for proto/peermsg.c: decode, then walk
 * every head and event accessor of what decode accepted. Whatever decode
 * accepts must keep its promises: a known type, lists within their
 * limits, every pointer inside the input with the size the spec gives,
 * accessors refusing past the end, and a message packed again from the
 * decoded fields decoding to the same fields. Any broken promise aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peermsg.h"
#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	inside(const uint8_t *, size_t, const void *, size_t);
static void	repack(const struct peermsg *, msgpack_sbuffer *);
static void	same(const struct peermsg *, const struct peermsg *);

/* Abort unless [p, p + n) lies within [data, data + size). */
static void
inside(const uint8_t *data, size_t size, const void *p, size_t n)
{
	const uint8_t	*q = p;

	if (q == NULL || q < data || n > size || q > data + size - n)
		abort();
}

/* Pack m again with the peermsg_pack_* functions. */
static void
repack(const struct peermsg *m, msgpack_sbuffer *sb)
{
	struct peermsg_head	 h;
	msgpack_packer		 pk;
	const uint8_t		*blob;
	size_t			 len;
	char			 name[PROTO_MAX_NAME + 1];
	uint32_t		 i, n;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	switch (m->type) {
	case PM_IDENT:
		if (m->name != NULL) {
			/* A name with a NUL cannot go through a C string. */
			if (memchr(m->name, '\0', m->name_len) != NULL)
				return;
			memcpy(name, m->name, m->name_len);
			name[m->name_len] = '\0';
		}
		peermsg_pack_ident(&pk, m->device, m->name ? name : NULL,
		    m->join);
		break;
	case PM_AUTH:
		peermsg_pack_auth(&pk, m->device, m->sig);
		break;
	case PM_ACK:
		peermsg_pack_ack(&pk, m->sig);
		break;
	case PM_FAMILY:
		peermsg_pack_family(&pk, m->family_id, m->epoch, m->key);
		break;
	case PM_HEADS:
		n = m->list->via.array.size;
		for (i = 0; i < n; i++) {
			if (peermsg_head(m, i, &h) != 0)
				return;
		}
		peermsg_pack_heads_begin(&pk, n);
		for (i = 0; i < n; i++) {
			if (peermsg_head(m, i, &h) != 0)
				abort();
			peermsg_pack_head(&pk, h.author, h.seq, h.id);
		}
		break;
	case PM_EVENTS:
		n = m->list->via.array.size;
		for (i = 0; i < n; i++) {
			if (peermsg_event(m, i, &blob, &len) != 0)
				return;
		}
		peermsg_pack_events_begin(&pk, n);
		for (i = 0; i < n; i++) {
			if (peermsg_event(m, i, &blob, &len) != 0)
				abort();
			msgpack_pack_bin_with_body(&pk, blob, len);
		}
		break;
	case PM_ERROR:
		if (m->code > INT32_MAX)
			return;
		peermsg_pack_error(&pk, (int)m->code);
		break;
	default:
		abort();
	}
}

/* The decoded fields of a and b are equal. */
static void
same(const struct peermsg *a, const struct peermsg *b)
{
	struct peermsg_head	 ha, hb;
	const uint8_t		*pa, *pb;
	size_t			 la, lb;
	uint32_t		 i;

	if (a->type != b->type)
		abort();
	switch (a->type) {
	case PM_IDENT:
		if (memcmp(a->device, b->device, 32) != 0 ||
		    a->join != b->join || (a->name == NULL) !=
		    (b->name == NULL) || a->name_len != b->name_len ||
		    (a->name != NULL && memcmp(a->name, b->name,
		    a->name_len) != 0))
			abort();
		break;
	case PM_AUTH:
		if (memcmp(a->device, b->device, 32) != 0)
			abort();
		/* FALLTHROUGH */
	case PM_ACK:
		if (memcmp(a->sig, b->sig, 64) != 0)
			abort();
		break;
	case PM_FAMILY:
		if (memcmp(a->family_id, b->family_id, 16) != 0 ||
		    a->epoch != b->epoch || memcmp(a->key, b->key, 32) != 0)
			abort();
		break;
	case PM_HEADS:
		if (a->list->via.array.size != b->list->via.array.size)
			abort();
		for (i = 0; i < a->list->via.array.size; i++) {
			if (peermsg_head(a, i, &ha) != 0 ||
			    peermsg_head(b, i, &hb) != 0 || ha.seq != hb.seq ||
			    memcmp(ha.author, hb.author, 32) != 0 ||
			    memcmp(ha.id, hb.id, 32) != 0)
				abort();
		}
		break;
	case PM_EVENTS:
		if (a->list->via.array.size != b->list->via.array.size)
			abort();
		for (i = 0; i < a->list->via.array.size; i++) {
			if (peermsg_event(a, i, &pa, &la) != 0 ||
			    peermsg_event(b, i, &pb, &lb) != 0 || la != lb ||
			    memcmp(pa, pb, la) != 0)
				abort();
		}
		break;
	case PM_ERROR:
		if (a->code != b->code)
			abort();
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msgpack_unpacked	 up, up2;
	msgpack_sbuffer		 sb;
	struct peermsg		 m, m2;
	struct peermsg_head	 h;
	const uint8_t		*blob;
	size_t			 len;
	uint32_t		 i, n;
	int			 rc;

	/* A little over the limit, so the size check runs too. */
	if (size > PEER_MAX_FRAME + 64)
		return (0);
	msgpack_unpacked_init(&up);
	rc = peermsg_decode(data, size, &up, &m);
	if (size > PEER_MAX_FRAME && rc != -PROTO_E_TOOBIG)
		abort();
	if (rc != 0)
		goto out;
	if (m.type < PM_IDENT || m.type > PM_ERROR)
		abort();
	switch (m.type) {
	case PM_IDENT:
		inside(data, size, m.device, 32);
		if (m.name != NULL) {
			if (m.name_len > PROTO_MAX_NAME)
				abort();
			if (m.name_len > 0)
				inside(data, size, m.name, m.name_len);
		} else if (m.name_len != 0)
			abort();
		break;
	case PM_AUTH:
		inside(data, size, m.device, 32);
		inside(data, size, m.sig, 64);
		break;
	case PM_ACK:
		inside(data, size, m.sig, 64);
		break;
	case PM_FAMILY:
		inside(data, size, m.family_id, 16);
		inside(data, size, m.key, 32);
		break;
	case PM_HEADS:
	case PM_EVENTS:
		if (m.list == NULL || m.list->type != MSGPACK_OBJECT_ARRAY)
			abort();
		n = m.list->via.array.size;
		if (n > (m.type == PM_HEADS ? PEER_MAX_HEADS :
		    PEER_MAX_EVENTS))
			abort();
		for (i = 0; i < n; i++) {
			if (m.type == PM_HEADS) {
				rc = peermsg_head(&m, i, &h);
				if (rc == 0) {
					inside(data, size, h.author, 32);
					inside(data, size, h.id, 32);
				}
				if (peermsg_event(&m, i, &blob, &len) !=
				    -PROTO_E_MALFORMED)
					abort();
			} else {
				rc = peermsg_event(&m, i, &blob, &len);
				if (rc == 0 && len > 0)
					inside(data, size, blob, len);
				if (peermsg_head(&m, i, &h) !=
				    -PROTO_E_MALFORMED)
					abort();
			}
			if (rc != 0 && rc != -PROTO_E_MALFORMED)
				abort();
		}
		if (peermsg_head(&m, n, &h) != -PROTO_E_MALFORMED ||
		    peermsg_event(&m, n, &blob, &len) != -PROTO_E_MALFORMED)
			abort();
		break;
	case PM_ERROR:
		break;
	}
	/* Packed again, it decodes to the same message. */
	msgpack_sbuffer_init(&sb);
	repack(&m, &sb);
	if (sb.size > 0) {
		msgpack_unpacked_init(&up2);
		if (peermsg_decode((const uint8_t *)sb.data, sb.size, &up2,
		    &m2) != 0)
			abort();
		same(&m, &m2);
		msgpack_unpacked_destroy(&up2);
	}
	msgpack_sbuffer_destroy(&sb);
out:
	msgpack_unpacked_destroy(&up);
	return (0);
}
