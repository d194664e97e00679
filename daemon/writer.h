/*
 * writer.h: the event log's write pipeline. The loop thread queues
 * entries in order; a sealing thread encrypts and signs this device's
 * own entries (one after another: each one's prev is the id of the one
 * before, signature included); a commit thread writes what is sealed in
 * groups, one transaction and one fsync per group, on its own sqlite
 * connection. The threads overlap, so the next entries are signed while
 * the last group reaches the disk, and the loop thread never waits for
 * either.
 *
 * The queue is a ring of WRITER_SLOTS entries with four cursors, each
 * moved by one thread only:
 *
 *	done   <= committed <= sealed <= queued
 *	(loop)    (commit)     (seal)    (loop)
 *
 * A failed commit fails every entry queued after it (they may chain on
 * it) until the ring is empty and the owner sets the sealing head again
 * (writer_set_head).
 */
#ifndef ATTUNE_WRITER_H
#define ATTUNE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>
#include <uv.h>

#include "envelope.h"

#define WRITER_SLOTS	4096
/* Thread names (at most 15 bytes), as top -H shows them. */
#define WRITER_SEAL_THREAD	"attuned-seal"
#define WRITER_COMMIT_THREAD	"attuned-commit"

struct writer;
struct view_entry;

typedef void (*writer_done_cb)(void *arg, int rc,
    const struct view_entry *);
/* Entries finished (committed or failed): take them with writer_done. */
typedef void (*writer_ready_cb)(void *arg);

struct writer_entry {
	/* Set by the owner before writer_push and left alone after: */
	uint8_t			*payload;	/* plaintext (malloc) */
	size_t			 len;
	bool			 seal;		/* ours: seal it */
	const uint8_t		*key;		/* its epoch's key, to seal */
	writer_done_cb		 done;
	void			*arg;
	bool			 with_next;	/* set by writer_push */
	/* To seal: seq, hlc, key_epoch set; the sealer fills the rest.
	 * Received: parsed, with blob holding its bytes. */
	struct envelope		 env;
	msgpack_sbuffer		 blob;
	int			 rc;		/* 0, or why it failed */
};

int	writer_start(uv_loop_t *, const char *db_path, const uint8_t *sk,
	    const uint8_t *pk, const uint8_t *mac_key, writer_ready_cb,
	    void *arg, struct writer **, char **cause);
void	writer_set_head(struct writer *, uint64_t seq, const uint8_t *id);
int	writer_blob_init(struct writer_entry *, size_t);
struct writer_entry *writer_slot(struct writer *, size_t i);
void	writer_push(struct writer *, size_t n);
struct writer_entry *writer_done(struct writer *);
void	writer_release(struct writer *);
size_t	writer_count(const struct writer *);
const struct writer_entry *writer_at(const struct writer *, size_t i);
bool	writer_broken(struct writer *);
void	writer_drain(struct writer *);
void	writer_stop(struct writer *);
void	writer_destroy(struct writer *);

#endif
