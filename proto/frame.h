/*
 * frame.h: length-prefixed framing used on every attune socket.
 *
 * Wire format of one frame:
 *
 *	offset	size	field
 *	0	4	body length L, unsigned, big-endian
 *	4	L	body: exactly one msgpack object
 *
 * A reader checks L against its maximum before it allocates or waits for
 * the body; a frame longer than the maximum is a protocol error and the
 * connection is closed. L = 0 is invalid (no msgpack object is empty).
 */
#ifndef ATTUNE_FRAME_H
#define ATTUNE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define FRAME_HEADER	4

/* Accumulates stream bytes and yields whole frames. */
struct frame_reader {
	uint8_t	*buf;
	size_t	 len;		/* bytes held */
	size_t	 off;		/* bytes already handed out by _next */
	size_t	 cap;
	size_t	 max;		/* largest body accepted */
};

void	frame_reader_init(struct frame_reader *, size_t max);
void	frame_reader_finish(struct frame_reader *);
int	frame_reader_reserve(struct frame_reader *, size_t want,
	    uint8_t **space, size_t *avail);
void	frame_reader_commit(struct frame_reader *, size_t n);
int	frame_reader_feed(struct frame_reader *, const void *, size_t,
	    size_t *used);
int	frame_reader_next(struct frame_reader *, const uint8_t **body,
	    size_t *len);
size_t	frame_reader_pending(const struct frame_reader *);

void	frame_put_header(uint8_t out[FRAME_HEADER], uint32_t len);
uint32_t frame_get_header(const uint8_t in[FRAME_HEADER]);

/* Build a frame in an sbuffer: _begin reserves the header, _end fills it. */
int	frame_begin(msgpack_sbuffer *);
int	frame_end(msgpack_sbuffer *, size_t max);

#endif
