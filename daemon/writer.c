/*
 * writer.c: the sealing and commit threads of writer.h. One mutex guards
 * the cursors; each thread works on its own range of slots outside it.
 * The loop learns of finished entries through a uv_async handle.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "diag.h"
#include "proto.h"
#include "store.h"
#include "writer.h"

/* An envelope's bytes beyond its payload: header, AEAD tag, signature. */
#define WRITER_SEAL_ROOM	256

struct writer {
	uv_loop_t		*loop;
	uv_async_t		 async;
	uv_thread_t		 sealer, committer;
	uv_mutex_t		 mu;
	uv_cond_t		 seal_cv;	/* queued moved, or stop */
	uv_cond_t		 commit_cv;	/* sealed moved, or stop */
	uv_cond_t		 done_cv;	/* committed moved */
	struct writer_entry	*ring;
	/* Cursors, counting entries since the start; under mu. */
	uint64_t		 done, committed, sealed, queued;
	bool			 broken;	/* a commit failed */
	bool			 stopping, sealer_out, started;
	/* The sealing thread's own: our last entry, sealed or received. */
	uint64_t		 my_seq;
	uint8_t			 my_head[ENV_ID];
	const uint8_t		*sk, *pk, *mac_key;
	/* The commit thread's own. */
	struct store		*store;
	struct store_row	*rows;
	uint8_t			*macs;
	writer_ready_cb		 ready;
	void			*ready_arg;
};

static struct writer_entry *writer_entry_at(const struct writer *,
		    uint64_t);
static uint64_t	writer_group_end(const struct writer *);
static void	writer_seal_main(void *);
static void	writer_commit_main(void *);
static int	writer_seal_one(struct writer *, struct writer_entry *);
static int	writer_commit(struct writer *, uint64_t from, uint64_t to);
static void	writer_async_cb(uv_async_t *);
static void	writer_thread_name(const char *);

static struct writer_entry *
writer_entry_at(const struct writer *w, uint64_t cursor)
{
	return (&w->ring[cursor % WRITER_SLOTS]);
}

/*
 * Under mu: where the commit thread's next group ends. Entries pushed
 * together stay together; once stopping, whatever is sealed goes.
 */
static uint64_t
writer_group_end(const struct writer *w)
{
	uint64_t	end = w->sealed;

	while (!w->sealer_out && end > w->committed &&
	    writer_entry_at(w, end - 1)->with_next)
		end--;
	return (end);
}

/*
 * Open a second connection to the store for the commit thread and start
 * both threads. sk, pk and mac_key must outlive the writer. Return 0 or
 * a negative PROTO_E_* code with *cause set.
 */
int
writer_start(uv_loop_t *loop, const char *db_path, const uint8_t *sk,
    const uint8_t *pk, const uint8_t *mac_key, writer_ready_cb ready,
    void *arg, struct writer **out, char **cause)
{
	struct writer	*w;
	int		 rc;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (-PROTO_E_INTERNAL);
	w->loop = loop;
	w->sk = sk;
	w->pk = pk;
	w->mac_key = mac_key;
	w->ready = ready;
	w->ready_arg = arg;
	w->ring = calloc(WRITER_SLOTS, sizeof(*w->ring));
	w->rows = calloc(WRITER_SLOTS, sizeof(*w->rows));
	w->macs = calloc(WRITER_SLOTS, STORE_MAC);
	if (w->ring == NULL || w->rows == NULL || w->macs == NULL) {
		rc = -PROTO_E_INTERNAL;
		goto err_free;
	}
	if ((rc = store_open(db_path, false, &w->store, cause)) < 0)
		goto err_free;
	if (uv_mutex_init(&w->mu) != 0 || uv_cond_init(&w->seal_cv) != 0 ||
	    uv_cond_init(&w->commit_cv) != 0 || uv_cond_init(&w->done_cv) != 0)
		fatalx("writer: cannot make a mutex");
	if (uv_async_init(loop, &w->async, writer_async_cb) != 0)
		fatalx("writer: cannot make an async handle");
	w->async.data = w;
	if (uv_thread_create(&w->sealer, writer_seal_main, w) != 0 ||
	    uv_thread_create(&w->committer, writer_commit_main, w) != 0)
		fatalx("writer: cannot start a thread");
	w->started = true;
	*out = w;
	return (0);
err_free:
	writer_destroy(w);
	return (rc);
}

/*
 * Where our own chain stands: the sealer's next entry follows id at seq.
 * Only while the ring is empty; clears a failed commit.
 */
void
writer_set_head(struct writer *w, uint64_t seq, const uint8_t *id)
{
	uv_mutex_lock(&w->mu);
	w->my_seq = seq;
	if (id != NULL)
		memcpy(w->my_head, id, ENV_ID);
	else
		memset(w->my_head, 0, ENV_ID);
	w->broken = false;
	uv_mutex_unlock(&w->mu);
}

/*
 * The i-th free slot (0: the next), zeroed, or NULL when the ring has no
 * room for it. Nothing is queued until writer_push.
 */
struct writer_entry *
writer_slot(struct writer *w, size_t i)
{
	struct writer_entry	*e;

	if (w->stopping || w->queued - w->done + i >= WRITER_SLOTS)
		return (NULL);
	e = writer_entry_at(w, w->queued + i);
	memset(e, 0, sizeof(*e));
	return (e);
}

/*
 * Queue the next n slots, filled. Entries pushed together are committed
 * in one transaction: all of them or none.
 */
void
writer_push(struct writer *w, size_t n)
{
	size_t	i;

	for (i = 0; i + 1 < n; i++)
		writer_entry_at(w, w->queued + i)->with_next = true;
	uv_mutex_lock(&w->mu);
	w->queued += n;
	uv_cond_signal(&w->seal_cv);
	uv_mutex_unlock(&w->mu);
}

/* The oldest finished entry (its rc says how), or NULL. */
struct writer_entry *
writer_done(struct writer *w)
{
	bool	ready;

	uv_mutex_lock(&w->mu);
	ready = w->done < w->committed;
	uv_mutex_unlock(&w->mu);
	return (ready ? writer_entry_at(w, w->done) : NULL);
}

/* Free the entry writer_done returned. */
void
writer_release(struct writer *w)
{
	struct writer_entry	*e = writer_entry_at(w, w->done);

	msgpack_sbuffer_destroy(&e->blob);
	free(e->payload);
	memset(e, 0, sizeof(*e));
	w->done++;		/* only the loop reads or moves it */
}

/* Entries queued and not yet released. */
size_t
writer_count(const struct writer *w)
{
	return ((size_t)(w->queued - w->done));
}

/* The i-th of them, oldest first; read only what the owner set. */
const struct writer_entry *
writer_at(const struct writer *w, size_t i)
{
	return (writer_entry_at(w, w->done + i));
}

bool
writer_broken(struct writer *w)
{
	bool	broken;

	uv_mutex_lock(&w->mu);
	broken = w->broken;
	uv_mutex_unlock(&w->mu);
	return (broken);
}

/* Wait until everything queued is committed (or failed). */
void
writer_drain(struct writer *w)
{
	uv_mutex_lock(&w->mu);
	while (w->committed < w->queued)
		uv_cond_wait(&w->done_cv, &w->mu);
	uv_mutex_unlock(&w->mu);
}

/*
 * Finish what is queued, stop both threads and close the async handle.
 * Finished entries stay for writer_done; nothing more can be queued.
 */
void
writer_stop(struct writer *w)
{
	if (w == NULL || !w->started)
		return;
	uv_mutex_lock(&w->mu);
	w->stopping = true;
	uv_cond_signal(&w->seal_cv);
	uv_cond_signal(&w->commit_cv);
	uv_mutex_unlock(&w->mu);
	uv_thread_join(&w->sealer);
	uv_thread_join(&w->committer);
	w->started = false;
	if (!uv_is_closing((uv_handle_t *)&w->async))
		uv_close((uv_handle_t *)&w->async, NULL);
}

void
writer_destroy(struct writer *w)
{
	if (w == NULL)
		return;
	writer_stop(w);
	while (writer_done(w) != NULL)
		writer_release(w);
	store_close(w->store);
	free(w->ring);
	free(w->rows);
	free(w->macs);
	free(w);
}

/*
 * Give e->blob room for n bytes at once: msgpack's buffer would start at
 * 8 KiB for a 300-byte envelope, and a full ring holds 4096 of them.
 * Return 0 or -PROTO_E_INTERNAL.
 */
int
writer_blob_init(struct writer_entry *e, size_t n)
{
	msgpack_sbuffer_init(&e->blob);
	if ((e->blob.data = malloc(n > 0 ? n : 1)) == NULL)
		return (-PROTO_E_INTERNAL);
	e->blob.alloc = n > 0 ? n : 1;
	return (0);
}

/* ---- the sealing thread ---- */

static void
writer_seal_main(void *arg)
{
	struct writer		*w = arg;
	struct writer_entry	*e;
	uint64_t		 at, end;
	bool			 broken;

	writer_thread_name(WRITER_SEAL_THREAD);
	uv_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stopping && w->sealed == w->queued)
			uv_cond_wait(&w->seal_cv, &w->mu);
		if (w->sealed == w->queued)
			break;			/* stopping, and all sealed */
		at = w->sealed;
		end = w->queued;
		broken = w->broken;
		uv_mutex_unlock(&w->mu);
		for (; at < end; at++) {
			e = writer_entry_at(w, at);
			e->rc = broken ? -PROTO_E_STORE : writer_seal_one(w, e);
			uv_mutex_lock(&w->mu);
			w->sealed = at + 1;
			broken = w->broken;
			uv_cond_signal(&w->commit_cv);
			uv_mutex_unlock(&w->mu);
		}
		uv_mutex_lock(&w->mu);
	}
	w->sealer_out = true;
	uv_cond_signal(&w->commit_cv);
	uv_mutex_unlock(&w->mu);
}

/*
 * Seal our entry e after the last one (fresh nonce, prev), or take note
 * of one of ours that came from a peer (a device restored from backup
 * catching up). Return 0 or a negative PROTO_E_* code.
 */
static int
writer_seal_one(struct writer *w, struct writer_entry *e)
{
	struct envelope	*env = &e->env;
	int		 rc;

	if (!e->seal) {
		if (memcmp(env->author, w->pk, ENV_PK) == 0) {
			w->my_seq = env->seq;
			memcpy(w->my_head, env->id, ENV_ID);
		}
		return (0);
	}
	if (env->seq != w->my_seq + 1)
		return (-PROTO_E_INTERNAL);	/* the loop lost count */
	env->has_prev = env->seq > 1;
	if (env->has_prev)
		memcpy(env->prev, w->my_head, ENV_ID);
	randombytes_buf(env->nonce, ENV_NONCE);
	if ((rc = writer_blob_init(e, e->len + WRITER_SEAL_ROOM)) < 0)
		return (rc);
	if ((rc = envelope_seal(env, e->key, w->sk, e->payload, e->len,
	    &e->blob)) < 0)
		return (rc);
	w->my_seq = env->seq;
	memcpy(w->my_head, env->id, ENV_ID);
	return (0);
}

/* ---- the commit thread ---- */

static void
writer_commit_main(void *arg)
{
	struct writer	*w = arg;
	uint64_t	 from, to;
	int		 rc;

	writer_thread_name(WRITER_COMMIT_THREAD);
	uv_mutex_lock(&w->mu);
	for (;;) {
		while (!w->sealer_out && writer_group_end(w) == w->committed)
			uv_cond_wait(&w->commit_cv, &w->mu);
		if (w->committed == w->sealed)
			break;			/* the sealer is gone */
		from = w->committed;
		to = writer_group_end(w);
		uv_mutex_unlock(&w->mu);
		rc = writer_commit(w, from, to);
		uv_mutex_lock(&w->mu);
		if (rc < 0)
			w->broken = true;
		w->committed = to;
		uv_cond_broadcast(&w->done_cv);
		uv_mutex_unlock(&w->mu);
		uv_async_send(&w->async);
		uv_mutex_lock(&w->mu);
	}
	uv_mutex_unlock(&w->mu);
}

/*
 * Write entries [from, to) in one transaction, each row with this
 * device's MAC ("checked here"), up to the first that failed to seal:
 * that one and the rest fail (they may chain on it), and so do the
 * entries pushed together with it, and all of it if the transaction
 * fails. Return 0 or the first failure.
 */
static int
writer_commit(struct writer *w, uint64_t from, uint64_t to)
{
	struct writer_entry	*e;
	struct store_row	*r;
	char			*cause = NULL;
	uint64_t		 at;
	size_t			 n = 0;
	int			 rc = 0;

	for (at = from; at < to && (rc = writer_entry_at(w, at)->rc) == 0;
	    at++) {
		e = writer_entry_at(w, at);
		r = &w->rows[n];
		memcpy(r->id, e->env.id, ENV_ID);
		memcpy(r->author, e->env.author, ENV_PK);
		r->seq = e->env.seq;
		r->hlc = e->env.hlc_ms;
		r->env = (const uint8_t *)e->blob.data;
		r->env_len = e->blob.size;
		r->mac = w->macs + n * STORE_MAC;
		crypto_generichash(w->macs + n * STORE_MAC, STORE_MAC, r->env,
		    r->env_len, w->mac_key, STORE_MAC);
		n++;
	}
	for (; rc < 0 && n > 0 && writer_entry_at(w, at - 1)->with_next; n--)
		at--;			/* its partner failed: none of them */
	if (n > 0 && store_append(w->store, w->rows, n, &cause) < 0) {
		log_warnx("writer: commit of %zu entries failed: %s", n,
		    cause != NULL ? cause : "?");
		free(cause);
		rc = -PROTO_E_STORE;
		at = from;
	}
	for (; rc < 0 && at < to; at++) {
		e = writer_entry_at(w, at);
		if (e->rc == 0)
			e->rc = rc;
	}
	return (rc);
}

static void
writer_async_cb(uv_async_t *h)
{
	struct writer	*w = h->data;

	w->ready(w->ready_arg);
}

/*
 * Name the calling thread, so that top -H, perf and the benchmarks can
 * tell the sealing thread (bound by Ed25519 signing) from the others.
 * Names are a diagnostic: a failure changes nothing.
 */
static void
writer_thread_name(const char *name)
{
	(void)pthread_setname_np(pthread_self(), name);
}
