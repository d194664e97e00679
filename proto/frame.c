/*
 * frame.c: the length-prefixed framing of frame.h. Pure buffer handling:
 * no sockets, no msgpack parsing. Owns the only place where a declared
 * frame length is compared with the maximum.
 */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "proto.h"

#define FRAME_INITIAL_CAP	4096

static int	frame_reader_grow(struct frame_reader *, size_t need);
static int	frame_reader_check_header(const struct frame_reader *);

void
frame_put_header(uint8_t out[FRAME_HEADER], uint32_t len)
{
	out[0] = (uint8_t)(len >> 24);
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

uint32_t
frame_get_header(const uint8_t in[FRAME_HEADER])
{
	return ((uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
	    (uint32_t)in[2] << 8 | (uint32_t)in[3]);
}

void
frame_reader_init(struct frame_reader *fr, size_t max)
{
	memset(fr, 0, sizeof(*fr));
	fr->max = max;
}

void
frame_reader_finish(struct frame_reader *fr)
{
	if (fr == NULL)
		return;
	free(fr->buf);
	memset(fr, 0, sizeof(*fr));
}

/* Bytes received but not yet handed out as a whole frame. */
size_t
frame_reader_pending(const struct frame_reader *fr)
{
	return (fr->len - fr->off);
}

/*
 * Make room for at least need bytes past len, first by dropping the frames
 * already handed out. The buffer never exceeds one maximal frame.
 * Return 0, -PROTO_E_TOOBIG or -PROTO_E_INTERNAL (out of memory).
 */
static int
frame_reader_grow(struct frame_reader *fr, size_t need)
{
	size_t	 limit = fr->max + FRAME_HEADER, cap;
	uint8_t	*nbuf;

	if (fr->off > 0) {
		memmove(fr->buf, fr->buf + fr->off, fr->len - fr->off);
		fr->len -= fr->off;
		fr->off = 0;
	}
	if (fr->cap - fr->len >= need)
		return (0);
	if (need > limit - fr->len)
		return (-PROTO_E_TOOBIG);
	cap = fr->cap ? fr->cap : FRAME_INITIAL_CAP;
	while (cap < fr->len + need)
		cap *= 2;
	if (cap > limit)
		cap = limit;
	if ((nbuf = realloc(fr->buf, cap)) == NULL)
		return (-PROTO_E_INTERNAL);
	fr->buf = nbuf;
	fr->cap = cap;
	return (0);
}

/* Reject a declared length that is zero or over the maximum. */
static int
frame_reader_check_header(const struct frame_reader *fr)
{
	uint32_t	n;

	if (fr->len - fr->off < FRAME_HEADER)
		return (0);
	n = frame_get_header(fr->buf + fr->off);
	if (n == 0)
		return (-PROTO_E_MALFORMED);
	if (n > fr->max)
		return (-PROTO_E_TOOBIG);
	return (0);
}

/*
 * Hand out writable space for a read of up to want bytes (for a libuv
 * alloc callback). The space is sized by what the current frame still
 * needs, so a peer cannot make us hold more than one maximal frame.
 * Return 0, -PROTO_E_TOOBIG or -ENOMEM.
 */
int
frame_reader_reserve(struct frame_reader *fr, size_t want, uint8_t **space,
    size_t *avail)
{
	size_t	have = fr->len - fr->off, need;
	int	rc;

	if ((rc = frame_reader_check_header(fr)) < 0)
		return (rc);
	need = FRAME_HEADER;
	if (have >= FRAME_HEADER)
		need += frame_get_header(fr->buf + fr->off);
	need = need > have ? need - have : 1;
	if (need < want)
		need = want < fr->max + FRAME_HEADER - have ?
		    want : fr->max + FRAME_HEADER - have;
	if (need == 0)
		need = 1;
	if ((rc = frame_reader_grow(fr, need)) < 0)
		return (rc);
	*space = fr->buf + fr->len;
	*avail = fr->cap - fr->len;
	return (0);
}

void
frame_reader_commit(struct frame_reader *fr, size_t n)
{
	fr->len += n;
}

/*
 * Copy up to n bytes in; *used says how many were taken. Take the whole
 * frames out with frame_reader_next before feeding the rest.
 * Return 0, -PROTO_E_TOOBIG, -PROTO_E_MALFORMED or -ENOMEM.
 */
int
frame_reader_feed(struct frame_reader *fr, const void *data, size_t n,
    size_t *used)
{
	uint8_t	*space;
	size_t	 avail, k;
	int	 rc;

	*used = 0;
	if (n == 0)
		return (0);
	if ((rc = frame_reader_reserve(fr, n, &space, &avail)) < 0)
		return (rc);
	k = n < avail ? n : avail;
	memcpy(space, data, k);
	frame_reader_commit(fr, k);
	*used = k;
	return (frame_reader_check_header(fr));
}

/*
 * Take the next whole frame. *body stays valid until the next call to any
 * frame_reader function. Return 1 with a frame, 0 if more bytes are
 * needed, or a negative PROTO_E_* code for a bad header.
 */
int
frame_reader_next(struct frame_reader *fr, const uint8_t **body, size_t *len)
{
	uint32_t	n;
	int		rc;

	if ((rc = frame_reader_check_header(fr)) < 0)
		return (rc);
	if (fr->len - fr->off < FRAME_HEADER)
		return (0);
	n = frame_get_header(fr->buf + fr->off);
	if (fr->len - fr->off - FRAME_HEADER < n)
		return (0);
	*body = fr->buf + fr->off + FRAME_HEADER;
	*len = n;
	fr->off += FRAME_HEADER + n;
	if (fr->off == fr->len)
		fr->off = fr->len = 0;
	return (1);
}

int
frame_begin(msgpack_sbuffer *sb)
{
	static const uint8_t	zero[FRAME_HEADER];

	return (msgpack_sbuffer_write(sb, (const char *)zero, FRAME_HEADER));
}

/*
 * Patch the header of the frame that starts at the beginning of sb.
 * Return 0 or -PROTO_E_TOOBIG when the body exceeds max.
 */
int
frame_end(msgpack_sbuffer *sb, size_t max)
{
	size_t	body;

	if (sb->size <= FRAME_HEADER)
		return (-PROTO_E_MALFORMED);
	if ((body = sb->size - FRAME_HEADER) > max)
		return (-PROTO_E_TOOBIG);
	frame_put_header((uint8_t *)sb->data, (uint32_t)body);
	return (0);
}
