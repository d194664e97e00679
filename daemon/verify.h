/*
 * verify.h: re-check the whole stored event log off the loop thread:
 * every envelope's form and id, signature, chain link, family, AEAD tag,
 * and that its author belongs to the family. Reads the database through
 * its own read-only connection, so the loop keeps serving meanwhile.
 */
#ifndef ATTUNE_VERIFY_H
#define ATTUNE_VERIFY_H

#include <stdint.h>

#include <uv.h>

#include "eventlog.h"
#include "keys.h"

/* Summary of the last finished run, updated on the loop thread. */
struct verify_state {
	enum eventlog_verified	state;
	uint64_t		checked;
	uint64_t		bad;
};

void	verify_init(struct verify_state *);
void	verify_stop_all(void);
int	verify_start(uv_loop_t *, const char *db_path, const struct keys *,
	    struct verify_state *, eventlog_verify_cb, void *arg);

#endif
