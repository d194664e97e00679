/*
 * blob.c: copies of msgpack objects that outlive the call that returned
 * them. client.c hands out results valid only until its next call; the
 * dashboard keeps what it shows as packed bytes plus their decoding, and
 * tells whether a new result differs from the one it replaces (so an
 * unchanged view is not redrawn). Knows nothing of what the objects mean.
 */
#include <errno.h>
#include <string.h>

#include "dash.h"

void
blob_init(struct blob *b)
{
	msgpack_sbuffer_init(&b->sb);
	msgpack_unpacked_init(&b->up);
	b->set = false;
}

void
blob_finish(struct blob *b)
{
	msgpack_unpacked_destroy(&b->up);
	msgpack_sbuffer_destroy(&b->sb);
	b->set = false;
}

/*
 * Make b a copy of o. *changed (if not NULL) says whether b now holds
 * something else than before. Return 0 or -ENOMEM (b unchanged).
 */
int
blob_set(struct blob *b, const msgpack_object *o, bool *changed)
{
	msgpack_sbuffer		sb;
	msgpack_packer		pk;
	msgpack_unpacked	up;
	size_t			off = 0;

	if (changed != NULL)
		*changed = false;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (msgpack_pack_object(&pk, *o) != 0 || sb.size == 0)
		goto err_free;
	if (b->set && b->sb.size == sb.size &&
	    memcmp(b->sb.data, sb.data, sb.size) == 0) {
		msgpack_sbuffer_destroy(&sb);
		return (0);
	}
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, sb.data, sb.size, &off) !=
	    MSGPACK_UNPACK_SUCCESS) {
		msgpack_unpacked_destroy(&up);
		goto err_free;
	}
	blob_finish(b);
	b->sb = sb;
	b->up = up;
	b->set = true;
	if (changed != NULL)
		*changed = true;
	return (0);

err_free:
	msgpack_sbuffer_destroy(&sb);
	return (-ENOMEM);
}

/* The copied object, or NULL when b holds nothing. */
const msgpack_object *
blob_get(const struct blob *b)
{
	return (b->set ? &b->up.data : NULL);
}
