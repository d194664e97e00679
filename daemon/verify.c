/*
 * verify.c: the full re-verification of verify.h, run in libuv's thread
 * pool. The worker owns copies of what it needs (path, family key), so
 * nothing it reads can change under it; results reach the loop thread
 * only in the after-work callback.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "chain.h"
#include "diag.h"
#include "mp.h"
#include "mpcheck.h"
#include "proto.h"
#include "store.h"
#include "verify.h"

#define VERIFY_MAX_PROBLEMS	1000
#define VERIFY_MAX_RUNNING	4	/* each holds ~150 KB and a thread */

static unsigned	verify_running;	/* loop thread only */
static atomic_bool verify_stop;		/* set by the loop, read by workers */

struct verify_problem {
	bool		has_id;
	uint8_t		id[ENV_ID];
	uint8_t		author[ENV_PK];
	uint64_t	seq;
	const char	*what;		/* static text */
};

struct verify_work {
	uv_work_t		 req;
	char			 db_path[4096];
	uint8_t			*epoch_keys;	/* sodium_malloc */
	uint32_t		 epoch_ids[KEYS_MAX_EPOCHS];
	uint32_t		 nepochs;
	uint8_t			 family_id[ENV_FAMILY_ID];
	struct verify_state	*state;
	eventlog_verify_cb	 cb;
	void			*arg;
	int			 rc;
	struct chain		 chain;
	bool			 has_founder;
	uint8_t			*pt;		/* sodium_malloc */
	uint64_t		 entries, ok, nproblems;
	struct verify_problem	 problems[VERIFY_MAX_PROBLEMS];
	msgpack_sbuffer		 result;
};

static void	verify_work_cb(uv_work_t *);
static void	verify_after_cb(uv_work_t *, int);
static int	verify_row(const struct store_row *, void *);
static int	verify_fork_row(const struct store_row *, void *);
static void	verify_problem(struct verify_work *, const uint8_t *id,
		    const uint8_t *author, uint64_t seq, const char *);
static void	verify_authorise(struct verify_work *, const struct envelope *,
		    const uint8_t *pt, size_t len);
static void	verify_pack(struct verify_work *);
static void	verify_free(struct verify_work *);

/* Ask running verifications to stop soon (shutdown). */
void
verify_stop_all(void)
{
	atomic_store(&verify_stop, true);
}

void
verify_init(struct verify_state *st)
{
	memset(st, 0, sizeof(*st));
	st->state = EVENTLOG_VERIFY_PENDING;
}

/*
 * Start a run. st (may be NULL) is updated when it ends; cb gets the
 * packed report. Return 0 or a negative PROTO_E_* code.
 */
int
verify_start(uv_loop_t *loop, const char *db_path, const struct keys *keys,
    struct verify_state *st, eventlog_verify_cb cb, void *arg)
{
	struct verify_work	*w;
	int			 rc;

	if (verify_running >= VERIFY_MAX_RUNNING)
		return (-PROTO_E_BUSY);
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (-PROTO_E_INTERNAL);
	w->epoch_keys = sodium_malloc(KEYS_MAX_EPOCHS * ENV_KEY);
	w->pt = sodium_malloc(PROTO_MAX_PAYLOAD);
	if (w->epoch_keys == NULL || w->pt == NULL) {
		verify_free(w);
		return (-PROTO_E_INTERNAL);
	}
	snprintf(w->db_path, sizeof(w->db_path), "%s", db_path);
	memcpy(w->epoch_keys, keys->epoch_keys, keys->nepochs * ENV_KEY);
	memcpy(w->epoch_ids, keys->epoch_ids, sizeof(w->epoch_ids));
	w->nepochs = keys->nepochs;
	memcpy(w->family_id, keys->family_id, ENV_FAMILY_ID);
	w->state = st;
	w->cb = cb;
	w->arg = arg;
	chain_init(&w->chain);
	msgpack_sbuffer_init(&w->result);
	w->req.data = w;
	if ((rc = uv_queue_work(loop, &w->req, verify_work_cb,
	    verify_after_cb)) < 0) {
		verify_free(w);
		return (-PROTO_E_INTERNAL);
	}
	verify_running++;
	return (0);
}

static void
verify_free(struct verify_work *w)
{
	sodium_free(w->epoch_keys);
	sodium_free(w->pt);
	chain_finish(&w->chain);
	msgpack_sbuffer_destroy(&w->result);
	free(w);
}

static void
verify_problem(struct verify_work *w, const uint8_t *id,
    const uint8_t *author, uint64_t seq, const char *what)
{
	struct verify_problem	*p;

	if (w->nproblems++ >= VERIFY_MAX_PROBLEMS)
		return;
	p = &w->problems[w->nproblems - 1];
	p->has_id = id != NULL;
	if (id != NULL)
		memcpy(p->id, id, ENV_ID);
	memcpy(p->author, author, ENV_PK);
	p->seq = seq;
	p->what = what;
}

/* family.create (seq 1, first one) founds; device.add admits a device. */
static void
verify_authorise(struct verify_work *w, const struct envelope *e,
    const uint8_t *pt, size_t len)
{
	msgpack_unpacked	 up;
	struct chain_author	*a;
	const msgpack_object	*t;
	const uint8_t		*dev;
	uint64_t		 fin;

	msgpack_unpacked_init(&up);
	if (mp_unpack(pt, len, &up) < 0 ||
	    (t = mp_map_get(&up.data, "t")) == NULL)
		goto out;
	if (mp_str_eq(t, "family.create") && e->seq == 1 &&
	    !w->has_founder) {
		w->has_founder = true;
		if ((a = chain_find(&w->chain, e->author)) != NULL)
			a->authorised = true;
	}
	if (mp_str_eq(t, "device.add") &&
	    mp_get_bin(&up.data, "device", &dev, ENV_PK) == MP_FOUND &&
	    chain_add(&w->chain, dev, &a) == 0)
		a->authorised = true;
	if (mp_str_eq(t, "device.remove") &&
	    mp_get_bin(&up.data, "device", &dev, ENV_PK) == MP_FOUND &&
	    mp_get_uint(&up.data, "final_seq", &fin) == MP_FOUND &&
	    chain_add(&w->chain, dev, &a) == 0) {
		a->removed = true;
		a->final_seq = fin;
	}
out:
	msgpack_unpacked_destroy(&up);
}

static int
verify_row(const struct store_row *r, void *arg)
{
	struct verify_work	*w = arg;
	struct chain_author	*a;
	struct envelope		 e;
	size_t			 len;
	int			 rc;

	if (atomic_load(&verify_stop)) {
		w->rc = -PROTO_E_BUSY;
		return (1);		/* ends store_foreach */
	}
	w->entries++;
	if ((rc = envelope_parse(r->env, r->env_len, &e)) < 0) {
		verify_problem(w, r->id, r->author, r->seq,
		    "unparsable envelope");
		goto relink;
	}
	if (memcmp(e.id, r->id, ENV_ID) != 0 || e.seq != r->seq ||
	    memcmp(e.author, r->author, ENV_PK) != 0) {
		verify_problem(w, r->id, r->author, r->seq,
		    "envelope does not match its stored id");
		goto relink;
	}
	if (envelope_verify(&e) < 0) {
		verify_problem(w, e.id, e.author, e.seq, "bad signature");
		goto relink;
	}
	if (memcmp(e.family_id, w->family_id, ENV_FAMILY_ID) != 0) {
		verify_problem(w, e.id, e.author, e.seq, "another family");
		goto relink;
	}
	if (chain_add(&w->chain, e.author, &a) < 0)
		return (-PROTO_E_INTERNAL);
	if (chain_check(a, &e) < 0) {
		verify_problem(w, e.id, e.author, e.seq, "broken chain link");
		goto relink;
	}
	if (a->removed && e.seq > a->final_seq) {
		verify_problem(w, e.id, e.author, e.seq,
		    "written after its device was removed");
		goto relink;
	}
	if (keys_open_with(w->epoch_ids, w->epoch_keys, w->nepochs, &e, w->pt,
	    PROTO_MAX_PAYLOAD, &len) < 0) {
		verify_problem(w, e.id, e.author, e.seq,
		    "payload fails its AEAD tag");
		goto relink;
	}
	/* Advance first: authorising may grow the table and move a. */
	chain_advance(a, &e);
	verify_authorise(w, &e, w->pt, len);
	sodium_memzero(w->pt, len);
	w->ok++;
	return (0);
relink:
	/* Keep checking the rest of this author's chain past the bad one. */
	if (chain_add(&w->chain, r->author, &a) == 0 && r->seq == a->seq + 1) {
		a->seq = r->seq;
		memcpy(a->head, r->id, ENV_ID);
	}
	return (0);
}

/* A kept fork is a problem to show, if its signature is genuine. */
static int
verify_fork_row(const struct store_row *r, void *arg)
{
	struct verify_work	*w = arg;
	struct envelope		 e;

	if (envelope_parse(r->env, r->env_len, &e) == 0 &&
	    envelope_verify(&e) == 0)
		verify_problem(w, e.id, e.author, e.seq, "fork: this device "
		    "signed two different entries with this seq");
	return (0);
}

static void
verify_work_cb(uv_work_t *req)
{
	struct verify_work	*w = req->data;
	struct store		*st = NULL;
	char			*cause = NULL;
	size_t			 i;

	if ((w->rc = store_open(w->db_path, true, &st, &cause)) < 0) {
		free(cause);
		return;
	}
	if ((w->rc = store_foreach(st, verify_row, w)) == 1)
		w->rc = -PROTO_E_BUSY;	/* stopped: the daemon is leaving */
	if (w->rc == 0)
		w->rc = store_foreach_fork(st, verify_fork_row, w);
	store_close(st);
	for (i = 0; w->rc == 0 && i < w->chain.n; i++) {
		if (!w->chain.v[i].authorised && w->chain.v[i].seq > 0) {
			verify_problem(w, NULL, w->chain.v[i].pk,
			    w->chain.v[i].seq,
			    "author is not a device of this family");
			if (w->ok > 0)
				w->ok--;
		}
	}
	if (w->rc == 0)
		verify_pack(w);
}

/* {entries, ok, problems: [{id, author, seq, problem}], more} */
static void
verify_pack(struct verify_work *w)
{
	msgpack_packer	pk;
	uint64_t	i, n;

	n = w->nproblems < VERIFY_MAX_PROBLEMS ? w->nproblems :
	    VERIFY_MAX_PROBLEMS;
	msgpack_packer_init(&pk, &w->result, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	mp_pack_kv_uint(&pk, "entries", w->entries);
	mp_pack_kv_uint(&pk, "ok", w->ok);
	mp_pack_kv_uint(&pk, "problems_total", w->nproblems);
	mp_pack_cstr(&pk, "problems");
	msgpack_pack_array(&pk, (uint32_t)n);
	for (i = 0; i < n; i++) {
		struct verify_problem	*p = &w->problems[i];

		msgpack_pack_map(&pk, 4);
		mp_pack_cstr(&pk, "id");
		if (p->has_id)
			mp_pack_hex(&pk, p->id, ENV_ID);
		else
			msgpack_pack_nil(&pk);
		mp_pack_kv_hex(&pk, "author", p->author, ENV_PK);
		mp_pack_kv_uint(&pk, "seq", p->seq);
		mp_pack_kv_str(&pk, "problem", p->what);
	}
}

static void
verify_after_cb(uv_work_t *req, int status)
{
	struct verify_work	*w = req->data;
	int			 rc = status < 0 ? -PROTO_E_INTERNAL : w->rc;

	verify_running--;
	if (w->state != NULL) {
		w->state->checked = w->entries;
		w->state->bad = w->nproblems;
		w->state->state = rc == 0 && w->nproblems == 0 ?
		    EVENTLOG_VERIFY_OK : EVENTLOG_VERIFY_BAD;
	}
	if (w->cb != NULL)
		w->cb(w->arg, rc, w->result.data, w->result.size);
	verify_free(w);
}
