/*
 * mpcheck.c: walk msgpack bytes without allocating, so that msgpack-c is
 * only ever given input whose declared sizes are backed by real bytes.
 * Knows the msgpack format's type bytes and nothing about attune messages.
 */
#include <string.h>

#include "mpcheck.h"
#include "proto.h"

/* One open container: how many objects it still expects. */
struct mp_level {
	uint64_t	left;
};

static uint64_t	be(const uint8_t *p, unsigned n);
static int	mp_head(const uint8_t *p, size_t avail, size_t *hdr,
		    uint64_t *skip, uint64_t *children);

static uint64_t
be(const uint8_t *p, unsigned n)
{
	uint64_t	v = 0;
	unsigned	i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return (v);
}

/*
 * Decode the head of the object at p: its header size, the payload bytes
 * that follow the header and the number of child objects it contains.
 * Return 0 or -PROTO_E_MALFORMED for a reserved or truncated header.
 */
static int
mp_head(const uint8_t *p, size_t avail, size_t *hdr, uint64_t *skip,
    uint64_t *children)
{
	uint8_t		b = p[0];
	unsigned	n = 0;

	*hdr = 1;
	*skip = 0;
	*children = 0;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return (0);
	if ((b & 0xf0) == 0x80) {		/* fixmap */
		*children = 2 * (uint64_t)(b & 0x0f);
		return (0);
	}
	if ((b & 0xf0) == 0x90) {		/* fixarray */
		*children = b & 0x0f;
		return (0);
	}
	if ((b & 0xe0) == 0xa0) {		/* fixstr */
		*skip = b & 0x1f;
		return (0);
	}
	switch (b) {
	case 0xc4: case 0xc5: case 0xc6:	/* bin 8/16/32 */
	case 0xd9: case 0xda: case 0xdb:	/* str 8/16/32 */
		n = b >= 0xd9 ? 1U << (b - 0xd9) : 1U << (b - 0xc4);
		if (avail < 1 + (size_t)n)
			return (-PROTO_E_MALFORMED);
		*hdr = 1 + n;
		*skip = be(p + 1, n);
		return (0);
	case 0xc7: case 0xc8: case 0xc9:	/* ext 8/16/32 */
		n = 1U << (b - 0xc7);
		if (avail < 2 + (size_t)n)
			return (-PROTO_E_MALFORMED);
		*hdr = 2 + n;
		*skip = be(p + 1, n);
		return (0);
	case 0xca: *skip = 4; return (0);	/* float 32 */
	case 0xcb: *skip = 8; return (0);	/* float 64 */
	case 0xcc: case 0xd0: *skip = 1; return (0);
	case 0xcd: case 0xd1: *skip = 2; return (0);
	case 0xce: case 0xd2: *skip = 4; return (0);
	case 0xcf: case 0xd3: *skip = 8; return (0);
	case 0xd4: *skip = 2; return (0);	/* fixext 1..16, type byte */
	case 0xd5: *skip = 3; return (0);
	case 0xd6: *skip = 5; return (0);
	case 0xd7: *skip = 9; return (0);
	case 0xd8: *skip = 17; return (0);
	case 0xdc: case 0xdd:			/* array 16/32 */
	case 0xde: case 0xdf:			/* map 16/32 */
		n = (b & 1) ? 4 : 2;
		if (avail < 1 + (size_t)n)
			return (-PROTO_E_MALFORMED);
		*hdr = 1 + n;
		*children = be(p + 1, n);
		if (b >= 0xde)
			*children *= 2;
		return (0);
	default:				/* 0xc1: never used */
		return (-PROTO_E_MALFORMED);
	}
}

/*
 * Check that buf holds exactly one msgpack object whose every declared
 * size fits in the bytes that remain, nested at most max_depth deep.
 * Each child needs at least one byte, so a count is refused when it is
 * larger than the bytes left. Return 0, -PROTO_E_MALFORMED or
 * -PROTO_E_TOOBIG (too deep).
 */
int
mp_check(const uint8_t *buf, size_t len, unsigned max_depth)
{
	struct mp_level	stack[PROTO_MAX_DEPTH + 1];
	unsigned	depth = 0;
	size_t		pos = 0, hdr, left;
	uint64_t	skip, children;
	uint8_t		b;
	int		rc;

	if (max_depth > PROTO_MAX_DEPTH)
		max_depth = PROTO_MAX_DEPTH;
	if (len == 0)
		return (-PROTO_E_MALFORMED);
	stack[0].left = 1;
	for (;;) {
		while (depth > 0 && stack[depth].left == 0)
			depth--;
		if (stack[depth].left == 0)
			break;
		if (pos >= len)
			return (-PROTO_E_MALFORMED);
		stack[depth].left--;
		b = buf[pos];
		if ((rc = mp_head(buf + pos, len - pos, &hdr, &skip,
		    &children)) < 0)
			return (rc);
		/* A container is one level deeper, even an empty one. */
		if (((b & 0xe0) == 0x80 || (b >= 0xdc && b <= 0xdf)) &&
		    depth + 1 > max_depth)
			return (-PROTO_E_TOOBIG);
		pos += hdr;
		left = len - pos;
		if (skip > left)
			return (-PROTO_E_MALFORMED);
		pos += (size_t)skip;
		if (children == 0)
			continue;
		if (children > left)
			return (-PROTO_E_MALFORMED);
		stack[++depth].left = children;
	}
	return (pos == len ? 0 : -PROTO_E_MALFORMED);
}

/*
 * Unpack the single object in buf into up (msgpack_unpacked_init'ed by
 * the caller, destroyed by the caller) after mp_check has passed. Strings
 * and bins in the result point into buf. Return 0 or a negative PROTO_E_*.
 */
int
mp_unpack(const uint8_t *buf, size_t len, msgpack_unpacked *up)
{
	size_t	off = 0;
	int	rc;

	if ((rc = mp_check(buf, len, PROTO_MAX_DEPTH)) < 0)
		return (rc);
	if (msgpack_unpack_next(up, (const char *)buf, len, &off) !=
	    MSGPACK_UNPACK_SUCCESS || off != len)
		return (-PROTO_E_MALFORMED);
	return (0);
}
