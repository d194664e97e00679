/*
 * eventlog.h: the family's append-only event log on this device: it
 * queues new entries (seq, HLC) and received ones (checked), has them
 * sealed and committed in groups off the loop thread (writer.h), applies
 * them to the views once durable, and re-verifies the stored log. It
 * owns the store and the views; it never touches sockets.
 *
 * Group commit: eventlog_append and eventlog_ingest only queue; whatever
 * is sealed when the commit thread is free shares one transaction and
 * one fsync. Each entry's callback runs on the loop after its commit is
 * durable, then the commit callback once for the lot.
 */
#ifndef ATTUNE_EVENTLOG_H
#define ATTUNE_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "keys.h"
#include "store.h"
#include "views.h"
#include "writer.h"

struct eventlog;

/* Most entries queued at once. */
#define EVENTLOG_MAX_PENDING	WRITER_SLOTS
/* Most entries eventlog_append_n ties into one transaction. */
#define EVENTLOG_MAX_TIED	4
/* How far ahead of our clock a peer's HLC may move ours. */
#define EVENTLOG_MAX_SKEW_MS	(60 * 60 * 1000)

/* An append finished: rc is 0 (ve is the new entry) or a PROTO_E_* code. */
typedef writer_done_cb eventlog_done_cb;
/* A new entry was committed (for subscribers). */
typedef void (*eventlog_entry_cb)(void *arg, const struct view_entry *ve);
/* Entries became durable (after their own callbacks). */
typedef void (*eventlog_commit_cb)(void *arg);
/* A fork was found: blob is the second event (the evidence). */
typedef void (*eventlog_fork_cb)(void *arg, const uint8_t *blob, size_t len);
/* A verification finished: result is a packed msgpack map. */
typedef void (*eventlog_verify_cb)(void *arg, int rc, const char *result,
    size_t len);

enum eventlog_verified {
	EVENTLOG_VERIFY_PENDING,
	EVENTLOG_VERIFY_OK,
	EVENTLOG_VERIFY_BAD,
};

struct eventlog_stats {
	uint64_t		entries;	/* in the views */
	uint64_t		skipped;	/* stored but unreadable */
	size_t			authors;
	uint64_t		forks;		/* conflicting events kept */
	enum eventlog_verified	verified;
	uint64_t		checked;
	uint64_t		bad;
};

int	eventlog_open(uv_loop_t *, const char *data_dir, struct keys *,
	    struct eventlog **, char **cause);
void	eventlog_close(struct eventlog *);
void	eventlog_set_entry_cb(struct eventlog *, eventlog_entry_cb, void *);
void	eventlog_set_fork_cb(struct eventlog *, eventlog_fork_cb, void *);
void	eventlog_set_commit_cb(struct eventlog *, eventlog_commit_cb,
	    void *);
int	eventlog_append(struct eventlog *, const uint8_t *payload, size_t len,
	    eventlog_done_cb, void *arg);
int	eventlog_append_n(struct eventlog *, const uint8_t *const *payloads,
	    const size_t *lens, size_t n, eventlog_done_cb, void *arg);
bool	eventlog_pending(const struct eventlog *);
size_t	eventlog_npending(const struct eventlog *);
void	eventlog_shutdown(struct eventlog *);
int	eventlog_create_family(struct eventlog *, const char *data_dir,
	    char **cause);
int	eventlog_check_queued(const struct eventlog *, const uint8_t *,
	    size_t, char **cause);
int	eventlog_ingest(struct eventlog *, const uint8_t *blob, size_t len,
	    bool sig_checked);
int	eventlog_ingest_env(struct eventlog *, const struct envelope *,
	    bool sig_checked);
int	eventlog_read(struct eventlog *, const uint8_t *author, uint64_t from,
	    size_t max, store_row_cb, void *);
int	eventlog_join_family(struct eventlog *, const char *data_dir,
	    const uint8_t id[ENV_FAMILY_ID], uint32_t epoch,
	    const uint8_t key[ENV_KEY], char **cause);
int	eventlog_id_at(struct eventlog *, const uint8_t *author, uint64_t seq,
	    uint8_t id[ENV_ID]);
const struct chain *eventlog_heads(const struct eventlog *);
const struct chain *eventlog_tip(const struct eventlog *);
const struct keys *eventlog_keys(const struct eventlog *);
int	eventlog_verify(struct eventlog *, eventlog_verify_cb, void *arg);
int64_t	eventlog_now(const struct eventlog *);
const struct views *eventlog_views(const struct eventlog *);
void	eventlog_stats(const struct eventlog *, struct eventlog_stats *);

#endif
