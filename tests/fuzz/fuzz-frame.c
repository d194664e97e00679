/*
 * fuzz-frame.c: libFuzzer target for proto/frame.c and proto/mpcheck.c.
 * The input is a byte stream as a socket would deliver it. It is read
 * three ways (one feed, feeds in pseudo-random chunks, and reserve/commit
 * as a libuv alloc/read callback pair would), with a large and a tiny
 * maximum; all three must yield the same frames and the same final
 * status. Every body then goes through mp_check, and whatever mp_check
 * accepts msgpack-c must unpack whole. Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "mpcheck.h"
#include "proto.h"

#define FUZZ_MAX_INPUT	(PROTO_MAX_REQUEST + FRAME_HEADER)
#define FUZZ_TINY_MAX	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A digest of what a reader produced: frame count, sizes, a hash. */
struct digest {
	size_t		frames;
	uint64_t	hash;
	int		rc;
};

enum mode {
	MODE_WHOLE,
	MODE_CHUNKS,
	MODE_RESERVE
};

static uint32_t	rng_next(uint32_t *);
static int	digest_eq(const struct digest *, const struct digest *);
static void	check_body(const uint8_t *, size_t);
static int	drain(struct frame_reader *, struct digest *);
static void	run(const uint8_t *, size_t, size_t, enum mode, uint32_t,
		    struct digest *);

static uint32_t
rng_next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return (*x);
}

static int
digest_eq(const struct digest *a, const struct digest *b)
{
	return (a->frames == b->frames && a->hash == b->hash &&
	    a->rc == b->rc);
}

static void
check_body(const uint8_t *body, size_t len)
{
	msgpack_unpacked	up;
	size_t			off = 0;

	if (mp_check(body, len, PROTO_MAX_DEPTH) != 0)
		return;
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, (const char *)body, len, &off) !=
	    MSGPACK_UNPACK_SUCCESS || off != len)
		abort();	/* mp_check passed what msgpack-c refuses */
	msgpack_unpacked_destroy(&up);
}

static int
drain(struct frame_reader *fr, struct digest *d)
{
	const uint8_t	*body;
	size_t		 len, i;
	int		 rc;

	while ((rc = frame_reader_next(fr, &body, &len)) == 1) {
		if (len == 0 || len > fr->max)
			abort();
		d->frames++;
		d->hash = d->hash * 1099511628211ULL + len;
		for (i = 0; i < len; i++)
			d->hash = (d->hash ^ body[i]) * 1099511628211ULL;
		check_body(body, len);
	}
	return (rc);
}

static void
run(const uint8_t *data, size_t size, size_t max, enum mode mode,
    uint32_t seed, struct digest *d)
{
	struct frame_reader	 fr;
	uint8_t			*space;
	size_t			 pos = 0, k, used, avail;
	int			 rc = 0;

	memset(d, 0, sizeof(*d));
	frame_reader_init(&fr, max);
	while (pos < size && rc == 0) {
		k = size - pos;
		if (mode != MODE_WHOLE) {
			k = rng_next(&seed) % 8 == 0 ? rng_next(&seed) % 4096 :
			    rng_next(&seed) % 16;
			k = k == 0 ? 1 : k > size - pos ? size - pos : k;
		}
		if (mode == MODE_RESERVE) {
			if ((rc = frame_reader_reserve(&fr, 65536, &space,
			    &avail)) < 0)
				break;
			if (avail == 0 ||
			    frame_reader_pending(&fr) + avail > max +
			    FRAME_HEADER)
				abort();
			used = k < avail ? k : avail;
			memcpy(space, data + pos, used);
			frame_reader_commit(&fr, used);
		} else {
			rc = frame_reader_feed(&fr, data + pos, k, &used);
			if (used > k || (rc == 0 && used == 0))
				abort();
		}
		pos += used;
		if (fr.cap > max + FRAME_HEADER)
			abort();
		if (rc == 0)
			rc = drain(&fr, d);
	}
	d->rc = rc;
	frame_reader_finish(&fr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	maxes[] = { PROTO_MAX_REQUEST, FUZZ_TINY_MAX };
	struct digest		ref, got;
	uint32_t		seed = 2166136261U;
	size_t			i, m;

	if (size == 0 || size > FUZZ_MAX_INPUT)
		return (0);
	for (i = 0; i < size && i < 64; i++)
		seed = (seed ^ data[i]) * 16777619U;
	if (seed == 0)
		seed = 1;
	for (m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
		run(data, size, maxes[m], MODE_WHOLE, seed, &ref);
		run(data, size, maxes[m], MODE_CHUNKS, seed, &got);
		if (!digest_eq(&ref, &got))
			abort();
		run(data, size, maxes[m], MODE_RESERVE, seed, &got);
		if (!digest_eq(&ref, &got))
			abort();
	}
	return (0);
}
