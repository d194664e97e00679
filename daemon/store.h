/*
 * store.h: the sqlite file that holds the event log as envelopes only.
 *
 * Schema (user_version 2):
 *
 *	CREATE TABLE events (
 *	    n      INTEGER PRIMARY KEY,  -- arrival order on this device
 *	    id     BLOB NOT NULL,        -- BLAKE2b-256 of env (32 bytes);
 *	                                 -- unique through (author, seq),
 *	                                 -- which it hashes: no index of
 *	                                 -- random keys to write
 *	    author BLOB NOT NULL,        -- Ed25519 public key (32 bytes)
 *	    seq    INTEGER NOT NULL,     -- >= 1
 *	    hlc    INTEGER NOT NULL,     -- ms, copied from the envelope
 *	    env    BLOB NOT NULL,        -- the blob, verbatim (envelope.h)
 *	    mac    BLOB,                 -- BLAKE2b-256 of env keyed by this
 *	                                 -- device's store key: "this device
 *	                                 -- checked env's signature"
 *	    UNIQUE (author, seq));
 *
 *	CREATE TABLE forks (id BLOB PRIMARY KEY, author, seq, hlc, env);
 *	    -- a second event an author signed for a seq already taken:
 *	    -- evidence, never applied
 *
 * Version 1 files lack mac and gain it (NULL for old rows) when opened.
 * Triggers abort every UPDATE and DELETE on events, and any INSERT that
 * would replace a row (INSERT OR REPLACE deletes without DELETE triggers): the log is
 * append-only even to someone holding the sqlite3 shell. id, author, seq
 * and hlc duplicate what the envelope says, for lookups; readers trust
 * env and treat a disagreement as corruption. Nothing here is plaintext.
 * WAL mode with synchronous=FULL: a commit is durable when it returns.
 * PRAGMA quick_check runs on every read-only open (the verification
 * that starts with the daemon, and attune verify), not in the start.
 */
#ifndef ATTUNE_STORE_H
#define ATTUNE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

struct store;

struct store_row {
	uint8_t		 id[ENV_ID];
	uint8_t		 author[ENV_PK];
	uint64_t	 seq;
	uint64_t	 hlc;
	const uint8_t	*env;
	size_t		 env_len;
	const uint8_t	*mac;		/* STORE_MAC bytes, or NULL */
};

#define STORE_MAC	32

/* Return 0 to go on, non-zero to stop (that value is returned). */
typedef int (*store_row_cb)(const struct store_row *, void *);

int	store_open(const char *path, bool readonly, struct store **out,
	    char **cause);
void	store_close(struct store *);
int	store_append(struct store *, const struct store_row *, size_t n,
	    char **cause);
int	store_foreach(struct store *, store_row_cb, void *);
int	store_count(struct store *, uint64_t *);
int	store_range(struct store *, const uint8_t *author, uint64_t from,
	    size_t max, store_row_cb, void *);
int	store_id_at(struct store *, const uint8_t *author, uint64_t seq,
	    uint8_t id[ENV_ID]);
int	store_add_fork(struct store *, const struct store_row *);
int	store_foreach_fork(struct store *, store_row_cb, void *);

#endif
