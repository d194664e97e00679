/*
 * sigcheck.h: check the Ed25519 signatures of a batch of envelopes on
 * libuv's thread pool, split across workers so every core helps: the
 * signature is the costly part of accepting a peer's events. The batch
 * keeps its own copy of the blobs; results are read on the loop thread.
 * Batches are checked in the order they were started (a later one may
 * still finish first), so a caller may keep several going and take them
 * back in that order.
 */
#ifndef ATTUNE_SIGCHECK_H
#define ATTUNE_SIGCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct envelope;
struct sigcheck;

typedef void (*sigcheck_done_cb)(void *arg, struct sigcheck *);

int		 sigcheck_start(uv_loop_t *, const uint8_t *const *blobs,
		    const size_t *lens, uint32_t n, sigcheck_done_cb, void *arg,
		    struct sigcheck **);
bool		 sigcheck_done(const struct sigcheck *);
uint32_t	 sigcheck_count(const struct sigcheck *);
const uint8_t	*sigcheck_blob(const struct sigcheck *, uint32_t i,
		    size_t *len);
bool		 sigcheck_ok(const struct sigcheck *, uint32_t i);
const struct envelope *sigcheck_envelope(const struct sigcheck *,
		    uint32_t i);
void		 sigcheck_free(struct sigcheck *);

#endif
