/*
 * mpcheck.h: the bounds pre-check run over raw msgpack bytes before
 * msgpack-c sees them, and the one safe way to unpack a frame body.
 *
 * msgpack-c 4.0 allocates for every *declared* array or map element
 * before the elements arrive, so five bytes (dd ff ff ff ff) can ask for
 * 96 GiB. mp_check walks the bytes first and refuses any declared count
 * or length larger than the bytes left, nesting deeper than the limit,
 * a truncated object, reserved bytes (0xc1), and trailing bytes.
 */
#ifndef ATTUNE_MPCHECK_H
#define ATTUNE_MPCHECK_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

int	mp_check(const uint8_t *buf, size_t len, unsigned max_depth);
int	mp_unpack(const uint8_t *buf, size_t len, msgpack_unpacked *up);

#endif
