/*
 * eventlog.c: queue, apply and load the event log (eventlog.h). Runs
 * on the loop thread; sealing and commits happen on writer.c's threads,
 * full re-verification on verify.c's.
 */
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "diag.h"
#include "eventlog.h"
#include "mp.h"
#include "mpcheck.h"
#include "verify.h"
#include "when.h"
#include "writer.h"

struct eventlog {
	uv_loop_t		*loop;
	struct store		*store;
	struct keys		*keys;
	struct views		 views;
	char			 db_path[4096];
	char			 data_dir[4096];
	struct writer		*writer;	/* queued, not yet applied */
	struct chain		 tip;		/* heads, counting queued */
	bool			 tip_founded;	/* family.create durable or queued */
	uint64_t		 last_hlc;
	uint64_t		 forks;
	/* Clock: fixed by ATTUNE_NOW for tests, else the wall clock. */
	int64_t			 fixed_now;
	uint64_t		 skipped;
	uint8_t			*mac_key;	/* sodium_malloc, STORE_MAC */
	struct verify_state	 verify;
	eventlog_entry_cb	 entry_cb;
	void			*entry_arg;
	eventlog_fork_cb	 fork_cb;
	void			*fork_arg;
	eventlog_commit_cb	 commit_cb;
	void			*commit_arg;
};

static int	eventlog_load_row(const struct store_row *, void *);
static bool	eventlog_mac_ok(const struct eventlog *,
		    const struct store_row *);
static void	eventlog_reset_head(struct eventlog *);
static void	eventlog_set_writer_head(struct eventlog *);
static void	eventlog_ready(void *);
static void	eventlog_apply_done(struct eventlog *);
static void	eventlog_own_entry(struct eventlog *, struct writer_entry *,
		    const uint8_t *payload, size_t len);
static void	eventlog_startup_verified(void *, int, const char *, size_t);
static int	eventlog_count_fork(const struct store_row *, void *);
static void	eventlog_tip_admit(struct eventlog *, const uint8_t *,
		    const struct kinds_admin *);
static void	eventlog_learn(struct eventlog *, const uint8_t *, size_t);
static int	eventlog_known(struct eventlog *, const struct chain_author *,
		    const struct envelope *);

int64_t
eventlog_now(const struct eventlog *el)
{
	struct timeval	tv;

	if (el->fixed_now > 0)
		return (el->fixed_now);
	gettimeofday(&tv, NULL);
	return ((int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

const struct views *
eventlog_views(const struct eventlog *el)
{
	return (&el->views);
}

/* The tip is what is durable, plus what is queued: reset to durable. */
static void
eventlog_reset_head(struct eventlog *el)
{
	uint64_t	cap = (uint64_t)(eventlog_now(el) + EVENTLOG_MAX_SKEW_MS);

	if (chain_copy(&el->tip, &el->views.chain) < 0)
		fatalx("eventlog: out of memory");
	el->tip_founded = el->views.has_family;
	/* Entries from a clock far ahead do not set ours (views keep the
	 * newest as it was signed). */
	if (el->views.max_hlc <= cap)
		el->last_hlc = el->views.max_hlc;
	else if (el->last_hlc > cap)
		el->last_hlc = cap;
}

/*
 * Did this device store r after checking its signature? The MAC under
 * the device's store key says so, and costs a hash, not an Ed25519
 * verification: what makes a cold start of 100,000 entries fast.
 */
static bool
eventlog_mac_ok(const struct eventlog *el, const struct store_row *r)
{
	uint8_t	mac[STORE_MAC];

	if (r->mac == NULL)
		return (false);
	crypto_generichash(mac, STORE_MAC, r->env, r->env_len, el->mac_key,
	    STORE_MAC);
	return (sodium_memcmp(mac, r->mac, STORE_MAC) == 0);
}

/*
 * Load one stored row into the views: it must parse, match its columns,
 * carry our MAC or a good signature, belong to our family, extend its
 * author's chain and decrypt. A row that
 * fails is skipped (never served) and reported; its stored id still
 * links the chain so later authentic entries stay readable.
 */
static int
eventlog_load_row(const struct store_row *r, void *arg)
{
	struct eventlog		*el = arg;
	struct envelope		 e;
	struct chain_author	*a;
	static uint8_t		 pt[PROTO_MAX_PAYLOAD];
	size_t			 len;
	const char		*why = NULL;
	char			 hex[13];
	int			 rc;

	if (envelope_parse(r->env, r->env_len, &e) < 0)
		why = "unparsable envelope";
	else if (memcmp(e.id, r->id, ENV_ID) != 0 || e.seq != r->seq ||
	    memcmp(e.author, r->author, ENV_PK) != 0)
		why = "envelope does not match its id";
	else if (!eventlog_mac_ok(el, r) && envelope_verify(&e) < 0)
		why = "bad signature";
	else if (!el->keys->has_family ||
	    memcmp(e.family_id, el->keys->family_id, ENV_FAMILY_ID) != 0)
		why = "belongs to another family";
	else if (chain_check(chain_find(&el->views.chain, e.author), &e) < 0)
		why = "broken chain";
	else if ((rc = keys_open(el->keys, &e, pt, sizeof(pt), &len)) ==
	    -PROTO_E_PERM)
		why = "sealed under a key epoch this device does not have";
	else if (rc < 0)
		why = "does not decrypt";
	else {
		if (views_apply(&el->views, &e, pt, len, NULL) < 0)
			why = "unreadable payload";
		else
			eventlog_learn(el, pt, len);
		sodium_memzero(pt, len);
	}
	if (why == NULL)
		return (0);
	mp_hex(hex, r->id, 6);
	log_warnx("eventlog: entry %s (seq %llu) skipped: %s", hex,
	    (unsigned long long)r->seq, why);
	el->skipped++;
	if (chain_add(&el->views.chain, r->author, &a) == 0 &&
	    r->seq == a->seq + 1) {
		a->seq = r->seq;
		memcpy(a->head, r->id, ENV_ID);
	}
	return (0);
}

static int
eventlog_count_fork(const struct store_row *r, void *arg)
{
	((struct eventlog *)arg)->forks++;
	return (0);
}

static void
eventlog_startup_verified(void *arg, int rc, const char *result, size_t len)
{
	struct eventlog	*el = arg;

	if (rc < 0)
		log_warnx("eventlog: verification failed: %s",
		    proto_strerror(rc));
	else if (el->verify.bad > 0)
		log_warnx("eventlog: %llu stored entries failed verification "
		    "(run: attune verify)", (unsigned long long)el->verify.bad);
}

/*
 * Open the store in data_dir, rebuild the views from it and start a full
 * signature check in the background. Return 0 or a negative PROTO_E_*
 * code with *cause set.
 */
int
eventlog_open(uv_loop_t *loop, const char *data_dir, struct keys *keys,
    struct eventlog **out, char **cause)
{
	struct eventlog	*el;
	const char	*now;
	int		 rc;

	*out = NULL;
	if ((el = calloc(1, sizeof(*el))) == NULL)
		return (-PROTO_E_INTERNAL);
	el->loop = loop;
	el->keys = keys;
	views_init(&el->views);
	chain_init(&el->tip);
	el->mac_key = sodium_malloc(STORE_MAC);
	if (el->mac_key == NULL) {
		rc = -PROTO_E_INTERNAL;
		goto err_free;
	}
	/* Keyed by the device's secret seed: only this device makes it. */
	crypto_generichash_blake2b_salt_personal(el->mac_key, STORE_MAC, NULL,
	    0, keys->device_sk, 32, NULL,
	    (const unsigned char *)"attune-store-mac");
	snprintf(el->db_path, sizeof(el->db_path), "%s/events.db", data_dir);
	snprintf(el->data_dir, sizeof(el->data_dir), "%s", data_dir);
	if ((now = getenv("ATTUNE_NOW")) != NULL && *now != '\0') {
		struct timeval	tv;

		gettimeofday(&tv, NULL);
		if (when_parse(now, (int64_t)tv.tv_sec * 1000,
		    &el->fixed_now) < 0) {
			diag_cause(cause, "ATTUNE_NOW: cannot read '%s'", now);
			rc = -PROTO_E_INVALID;
			goto err_free;
		}
	}
	if ((rc = store_open(el->db_path, false, &el->store, cause)) < 0)
		goto err_free;
	if ((rc = store_foreach(el->store, eventlog_load_row, el)) < 0 ||
	    (rc = store_foreach_fork(el->store, eventlog_count_fork, el)) < 0) {
		diag_cause(cause, "cannot read %s", el->db_path);
		goto err_free;
	}
	eventlog_reset_head(el);
	/* Last: nothing may fail once the writer's threads run. */
	if ((rc = writer_start(loop, el->db_path, keys->device_sk,
	    keys->device_pk, el->mac_key, eventlog_ready, el, &el->writer,
	    cause)) < 0)
		goto err_free;
	eventlog_set_writer_head(el);
	verify_init(&el->verify);
	if (keys->has_family)
		verify_start(loop, el->db_path, keys, &el->verify,
		    eventlog_startup_verified, el);
	*out = el;
	return (0);
err_free:
	eventlog_close(el);
	return (rc);
}

void
eventlog_close(struct eventlog *el)
{
	if (el == NULL)
		return;
	eventlog_shutdown(el);
	writer_destroy(el->writer);
	store_close(el->store);
	views_finish(&el->views);
	chain_finish(&el->tip);
	sodium_free(el->mac_key);
	free(el);
}

void
eventlog_set_entry_cb(struct eventlog *el, eventlog_entry_cb cb, void *arg)
{
	el->entry_cb = cb;
	el->entry_arg = arg;
}

void
eventlog_set_fork_cb(struct eventlog *el, eventlog_fork_cb cb, void *arg)
{
	el->fork_cb = cb;
	el->fork_arg = arg;
}

void
eventlog_set_commit_cb(struct eventlog *el, eventlog_commit_cb cb, void *arg)
{
	el->commit_cb = cb;
	el->commit_arg = arg;
}

/* Queued or being sealed or committed. */
bool
eventlog_pending(const struct eventlog *el)
{
	return (el->writer != NULL && writer_count(el->writer) > 0);
}

size_t
eventlog_npending(const struct eventlog *el)
{
	return (el->writer != NULL ? writer_count(el->writer) : 0);
}

/* The sealer's next entry of ours follows our durable head. */
static void
eventlog_set_writer_head(struct eventlog *el)
{
	const struct chain_author	*me;

	me = chain_find(&el->views.chain, el->keys->device_pk);
	writer_set_head(el->writer, me != NULL ? me->seq : 0,
	    me != NULL ? me->head : NULL);
}

/*
 * A queued entry that changes who may write: family.create founds the
 * family with its author, device.add admits a device.
 */
static void
eventlog_tip_admit(struct eventlog *el, const uint8_t *author,
    const struct kinds_admin *adm)
{
	struct chain_author	*a;

	switch (adm->kind) {
	case KIND_FAMILY_CREATE:
		el->tip_founded = true;
		if ((a = chain_find(&el->tip, author)) != NULL)
			a->authorised = true;
		break;
	case KIND_DEVICE_ADD:
		if (chain_add(&el->tip, adm->device, &a) == 0)
			a->authorised = true;
		break;
	case KIND_DEVICE_REMOVE:
		if (chain_add(&el->tip, adm->device, &a) == 0) {
			a->removed = true;
			a->final_seq = adm->final_seq;
		}
		break;
	default:
		break;
	}
}

/*
 * Fill w as our next entry, to be sealed by the writer: seq and HLC are
 * taken here, in queue order; nonce, prev and signature there.
 */
static void
eventlog_own_entry(struct eventlog *el, struct writer_entry *w,
    const uint8_t *payload, size_t len)
{
	struct envelope	*e = &w->env;
	int64_t		 now = eventlog_now(el);

	memcpy(e->family_id, el->keys->family_id, ENV_FAMILY_ID);
	memcpy(e->author, el->keys->device_pk, ENV_PK);
	e->seq = chain_find(&el->tip, el->keys->device_pk)->seq + 1;
	e->hlc_ms = (uint64_t)now > el->last_hlc ? (uint64_t)now :
	    el->last_hlc + 1;
	e->key_epoch = el->keys->epoch;
	w->key = el->keys->family_key;
	w->seal = true;
	w->len = len;
	memcpy(w->payload, payload, len);
}

/*
 * Queue payload (a msgpack map {t, ...}) as this device's next entry.
 * done runs once, after the commit or its failure. Return 0 (queued) or
 * a negative PROTO_E_* code (done will not run).
 */
int
eventlog_append(struct eventlog *el, const uint8_t *payload, size_t len,
    eventlog_done_cb done, void *arg)
{
	return (eventlog_append_n(el, &payload, &len, 1, done, arg));
}

/*
 * Queue n payloads as this device's next entries, to be committed in one
 * transaction: all of them or none (device.remove with its key.rotate).
 * done runs once, for the last. Return 0 or a negative PROTO_E_* code
 * (then nothing was queued).
 */
int
eventlog_append_n(struct eventlog *el, const uint8_t *const *payloads,
    const size_t *lens, size_t n, eventlog_done_cb done, void *arg)
{
	struct writer_entry	*w[EVENTLOG_MAX_TIED];
	struct chain_author	*me;
	struct kinds_admin	 adm;
	size_t			 i;

	if (!el->keys->has_family)
		return (-PROTO_E_NOFAMILY);
	if (n == 0 || n > EVENTLOG_MAX_TIED)
		return (-PROTO_E_INVALID);
	for (i = 0; i < n; i++) {
		if (lens[i] > PROTO_MAX_PAYLOAD)
			return (-PROTO_E_TOOBIG);
	}
	if (writer_broken(el->writer))
		return (-PROTO_E_STORE);
	for (i = 0; i < n; i++) {
		if ((w[i] = writer_slot(el->writer, i)) == NULL)
			return (-PROTO_E_BUSY);
	}
	if (chain_add(&el->tip, el->keys->device_pk, &me) < 0)
		return (-PROTO_E_INTERNAL);
	for (i = 0; i < n; i++) {
		if ((w[i]->payload = malloc(lens[i] > 0 ? lens[i] : 1)) ==
		    NULL) {
			while (i-- > 0)
				free(w[i]->payload);
			return (-PROTO_E_INTERNAL);
		}
	}
	for (i = 0; i < n; i++) {
		eventlog_own_entry(el, w[i], payloads[i], lens[i]);
		/* Found again: admitting a device may grow the tip. */
		me = chain_find(&el->tip, el->keys->device_pk);
		me->seq = w[i]->env.seq;	/* its id is known once sealed */
		memset(me->head, 0, ENV_ID);
		kinds_peek(payloads[i], lens[i], &adm);
		eventlog_tip_admit(el, w[i]->env.author, &adm);
		el->last_hlc = w[i]->env.hlc_ms;
	}
	w[n - 1]->done = done;
	w[n - 1]->arg = arg;
	writer_push(el->writer, n);
	return (0);
}

/*
 * Apply what the writer finished, in order: a committed entry goes to the
 * views, then its callback runs; a failed one only reports. Callbacks may
 * queue more (a client's next request): that goes behind.
 */
static void
eventlog_apply_done(struct eventlog *el)
{
	struct writer_entry	*w;
	struct view_entry	*ve;
	int			 rc;

	while ((w = writer_done(el->writer)) != NULL) {
		ve = NULL;
		if ((rc = w->rc) == 0) {
			w->env.blob = (const uint8_t *)w->blob.data;
			rc = views_apply(&el->views, &w->env, w->payload,
			    w->len, &ve);
			/* A peer's key.rotate was learnt when queued. */
			if (rc == 0 && w->seal)
				eventlog_learn(el, w->payload, w->len);
		}
		if (w->done != NULL)
			w->done(w->arg, rc, ve);
		if (ve != NULL && el->entry_cb != NULL)
			el->entry_cb(el->entry_arg, ve);
		writer_release(el->writer);
	}
	if (writer_count(el->writer) > 0)
		return;
	eventlog_reset_head(el);	/* nothing queued: tip = durable */
	if (writer_broken(el->writer))
		eventlog_set_writer_head(el);	/* and write again */
}

/* The writer finished entries (a uv_async callback on the loop). */
static void
eventlog_ready(void *arg)
{
	struct eventlog	*el = arg;

	eventlog_apply_done(el);
	if (el->commit_cb != NULL)
		el->commit_cb(el->commit_arg);
}

/*
 * Make everything queued durable and applied, then stop the writer: at
 * shutdown, before the loop's handles close. Callbacks may queue more
 * (a paused client resumed): those are finished too, a bounded number
 * of rounds; anything queued later is refused (-PROTO_E_BUSY).
 */
void
eventlog_shutdown(struct eventlog *el)
{
	int	round;

	if (el->writer == NULL)
		return;
	for (round = 0; round < 64 && writer_count(el->writer) > 0; round++) {
		writer_drain(el->writer);
		eventlog_apply_done(el);
	}
	writer_stop(el->writer);
	eventlog_apply_done(el);
}

/*
 * Create the family key if this device has none (a key without a genesis
 * entry, left by a crash, is reused). Return 0, -PROTO_E_EXISTS when the
 * family already exists, or another negative code with *cause set.
 */
int
eventlog_create_family(struct eventlog *el, const char *data_dir,
    char **cause)
{
	if (el->views.has_family || eventlog_pending(el))
		return (-PROTO_E_EXISTS);
	if (el->keys->has_family)
		return (0);
	if (keys_create_family(el->keys, data_dir, cause) < 0)
		return (-PROTO_E_STORE);
	return (0);
}

/* Re-check the whole stored log off the loop; cb gets the report. */
int
eventlog_verify(struct eventlog *el, eventlog_verify_cb cb, void *arg)
{
	if (!el->keys->has_family)
		return (-PROTO_E_NOFAMILY);
	return (verify_start(el->loop, el->db_path, el->keys, &el->verify, cb,
	    arg));
}

void
eventlog_stats(const struct eventlog *el, struct eventlog_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->entries = el->views.nentries;
	st->skipped = el->skipped;
	st->authors = el->views.chain.n;
	st->forks = el->forks;
	st->verified = el->verify.state;
	st->checked = el->verify.checked;
	st->bad = el->verify.bad;
}

/*
 * Check an event received from a peer against everything we know: form,
 * family, signature (unless the caller checked it: sigcheck.c), chain (against the tip, so queued events count),
 * authorship and AEAD. Queue it for the next group commit if new.
 * Return 1 when queued, 0 when we already have it, 2 when it is refused
 * by policy (its device was removed before it was written), or a negative
 * PROTO_E_* code (PROTO_E_CHAIN for a gap, PROTO_E_PERM for an author
 * not, or not yet, in the family, PROTO_E_EXISTS for a fork).
 */
int
eventlog_ingest(struct eventlog *el, const uint8_t *blob, size_t len,
    bool sig_checked)
{
	struct envelope	e;
	int		rc;

	if ((rc = envelope_parse(blob, len, &e)) < 0)
		return (rc);
	return (eventlog_ingest_env(el, &e, sig_checked));
}

/* eventlog_ingest of an envelope parsed already (e->blob its bytes). */
int
eventlog_ingest_env(struct eventlog *el, const struct envelope *e,
    bool sig_checked)
{
	struct writer_entry	*p;
	struct chain_author	*a;
	struct kinds_admin	 adm;
	size_t			 cap;
	int			 rc;

	if (!el->keys->has_family)
		return (-PROTO_E_NOFAMILY);
	if (memcmp(e->family_id, el->keys->family_id, ENV_FAMILY_ID) != 0)
		return (-PROTO_E_AUTH);
	a = chain_find(&el->tip, e->author);
	if (a != NULL && e->seq <= a->seq)
		return (eventlog_known(el, a, e));
	if (a != NULL && a->removed && e->seq > a->final_seq)
		return (2);	/* written after its device was removed */
	if ((!sig_checked && (rc = envelope_verify(e)) < 0) ||
	    (rc = chain_check(a, e)) < 0)
		return (rc);
	if (writer_broken(el->writer))
		return (-PROTO_E_STORE);
	if ((p = writer_slot(el->writer, 0)) == NULL)
		return (-PROTO_E_BUSY);
	cap = e->ct_len > ENV_TAG ? e->ct_len - ENV_TAG : 0;
	if ((p->payload = malloc(cap > 0 ? cap : 1)) == NULL)
		return (-PROTO_E_INTERNAL);
	/* PERM: its key.rotate has not come yet. */
	if ((rc = keys_open(el->keys, e, p->payload, cap, &p->len)) < 0)
		goto err_free;
	/* One look at the payload: readable, its kind, whom it admits. */
	kinds_peek(p->payload, p->len, &adm);
	if (!adm.readable) {
		rc = -PROTO_E_MALFORMED;	/* views could not apply it */
		goto err_free;
	}
	if (!(a != NULL && a->authorised) && !(adm.kind ==
	    KIND_FAMILY_CREATE && e->seq == 1 && !el->tip_founded)) {
		rc = -PROTO_E_PERM;
		goto err_free;
	}
	if ((rc = chain_add(&el->tip, e->author, &a)) < 0 ||
	    (rc = writer_blob_init(p, e->blob_len)) < 0)
		goto err_free;
	msgpack_sbuffer_write(&p->blob, (const char *)e->blob, e->blob_len);
	p->env = *e;
	p->env.blob = NULL;
	p->env.ct = NULL;
	chain_advance(a, e);
	eventlog_tip_admit(el, e->author, &adm);
	/* A rotation's key at once: what follows in this batch needs it. */
	if (adm.kind == KIND_KEY_ROTATE)
		eventlog_learn(el, p->payload, p->len);
	/* A peer's clock far ahead must not drag ours along. */
	if (e->hlc_ms > el->last_hlc &&
	    (int64_t)e->hlc_ms <= eventlog_now(el) + EVENTLOG_MAX_SKEW_MS)
		el->last_hlc = e->hlc_ms;
	writer_push(el->writer, 1);
	return (1);
err_free:
	msgpack_sbuffer_destroy(&p->blob);
	if (p->payload != NULL)
		sodium_memzero(p->payload, p->len);
	free(p->payload);
	memset(p, 0, sizeof(*p));
	return (rc);
}

/*
 * An event at or below the author's tip: the same one (0), or a second
 * event for the same author and seq, a fork: kept as evidence, never
 * applied (-PROTO_E_EXISTS).
 */
static int
eventlog_known(struct eventlog *el, const struct chain_author *a,
    const struct envelope *e)
{
	struct store_row	r;
	const struct chain_author	*durable;
	uint8_t			id[ENV_ID];
	char			hex[13];
	int			rc;

	/* Ours, queued: its id is not known until it is sealed. */
	durable = chain_find(&el->views.chain, e->author);
	if (memcmp(e->author, el->keys->device_pk, ENV_PK) == 0 &&
	    (durable == NULL || e->seq > durable->seq))
		return (0);
	if (e->seq == a->seq)
		memcpy(id, a->head, ENV_ID);
	else if ((rc = store_id_at(el->store, e->author, e->seq, id)) < 0)
		return (rc == -PROTO_E_NOTFOUND ? 0 : rc);	/* queued */
	if (memcmp(id, e->id, ENV_ID) == 0)
		return (0);
	if (envelope_verify(e) < 0)
		return (-PROTO_E_AUTH);
	memset(&r, 0, sizeof(r));
	memcpy(r.id, e->id, ENV_ID);
	memcpy(r.author, e->author, ENV_PK);
	r.seq = e->seq;
	r.hlc = e->hlc_ms;
	r.env = e->blob;
	r.env_len = e->blob_len;
	if (store_add_fork(el->store, &r) == 1) {
		el->forks++;
		if (el->fork_cb != NULL)	/* show every peer the proof */
			el->fork_cb(el->fork_arg, e->blob, e->blob_len);
		mp_hex(hex, e->author, 6);
		log_warnx("eventlog: FORK: device %s signed two different "
		    "entries with seq %llu; both kept as evidence", hex,
		    (unsigned long long)e->seq);
	}
	return (-PROTO_E_EXISTS);
}

/*
 * A committed key.rotate: if the new key was sealed to this device, open
 * it with our X25519 form of the device key and keep it (saved).
 */
static void
eventlog_learn(struct eventlog *el, const uint8_t *payload, size_t len)
{
	msgpack_unpacked	 up;
	const msgpack_object	*keys, *e;
	uint8_t			 xpk[32], *xsk, *key;
	uint64_t		 epoch;
	uint32_t		 i;
	char			*cause = NULL;
	int			 rc;

	if (kinds_peek(payload, len, NULL) != KIND_KEY_ROTATE)
		return;
	xsk = sodium_malloc(32);
	key = sodium_malloc(ENV_KEY);
	msgpack_unpacked_init(&up);
	if (xsk == NULL || key == NULL || mp_unpack(payload, len, &up) < 0 ||
	    mp_get_uint(&up.data, "epoch", &epoch) != MP_FOUND ||
	    epoch >= ENV_EPOCH_PRIVATE || (keys = mp_map_get(&up.data, "keys")) ==
	    NULL || keys->type != MSGPACK_OBJECT_ARRAY ||
	    crypto_sign_ed25519_pk_to_curve25519(xpk, el->keys->device_pk) ||
	    crypto_sign_ed25519_sk_to_curve25519(xsk, el->keys->device_sk))
		goto out;
	for (i = 0; i < keys->via.array.size; i++) {
		e = &keys->via.array.ptr[i];
		if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 2 ||
		    e->via.array.ptr[0].type != MSGPACK_OBJECT_BIN ||
		    e->via.array.ptr[0].via.bin.size != ENV_PK ||
		    memcmp(e->via.array.ptr[0].via.bin.ptr,
		    el->keys->device_pk, ENV_PK) != 0 ||
		    e->via.array.ptr[1].type != MSGPACK_OBJECT_BIN ||
		    e->via.array.ptr[1].via.bin.size != ENV_KEY +
		    crypto_box_SEALBYTES)
			continue;
		if (crypto_box_seal_open(key, (const uint8_t *)
		    e->via.array.ptr[1].via.bin.ptr, ENV_KEY +
		    crypto_box_SEALBYTES, xpk, xsk) != 0)
			break;
		if ((rc = keys_add_epoch(el->keys, el->data_dir,
		    (uint32_t)epoch, key, &cause)) < 0)
			log_warnx("eventlog: cannot keep key epoch %llu: %s",
			    (unsigned long long)epoch, cause ? cause : "?");
		else if (rc == 1)
			log_info("eventlog: family key epoch %llu",
			    (unsigned long long)epoch);
		free(cause);
		break;
	}
out:
	msgpack_unpacked_destroy(&up);
	sodium_free(xsk);
	sodium_free(key);
}

/*
 * Views see only what is committed: check a new kid.add against the
 * ones still queued, so two adds of one name in one commit cannot both
 * pass. Return 0 or -PROTO_E_EXISTS with *cause set.
 */
int
eventlog_check_queued(const struct eventlog *el, const uint8_t *payload,
    size_t len, char **cause)
{
	msgpack_unpacked	 a, b;
	const char		*n1, *n2;
	size_t			 l1, l2, i;
	int			 rc = 0;

	if (kinds_peek(payload, len, NULL) != KIND_KID_ADD)
		return (0);
	msgpack_unpacked_init(&a);
	if (mp_unpack(payload, len, &a) < 0 || mp_get_str(&a.data, "name",
	    &n1, &l1, PROTO_MAX_NAME) != MP_FOUND)
		goto out;
	for (i = 0; i < writer_count(el->writer) && rc == 0; i++) {
		const struct writer_entry	*p = writer_at(el->writer, i);

		if (kinds_peek(p->payload, p->len, NULL) != KIND_KID_ADD)
			continue;
		msgpack_unpacked_init(&b);
		if (mp_unpack(p->payload, p->len, &b) == 0 &&
		    mp_get_str(&b.data, "name", &n2, &l2, PROTO_MAX_NAME) ==
		    MP_FOUND && l1 == l2 && strncasecmp(n1, n2, l1) == 0) {
			diag_cause(cause, "'%.*s' is already in the family",
			    (int)l1, n1);
			rc = -PROTO_E_EXISTS;
		}
		msgpack_unpacked_destroy(&b);
	}
out:
	msgpack_unpacked_destroy(&a);
	return (rc);
}

/* Call cb for author's stored events from seq from on, at most max. */
int
eventlog_read(struct eventlog *el, const uint8_t *author, uint64_t from,
    size_t max, store_row_cb cb, void *arg)
{
	return (store_range(el->store, author, from, max, cb, arg));
}

/*
 * Adopt a family key received while joining, durably, before anything of
 * the family is stored. Return 0 or a negative code with *cause set.
 */
int
eventlog_join_family(struct eventlog *el, const char *data_dir,
    const uint8_t id[ENV_FAMILY_ID], uint32_t epoch,
    const uint8_t key[ENV_KEY], char **cause)
{
	int	rc;

	if (el->keys->has_family)
		return (-PROTO_E_EXISTS);
	if ((rc = keys_set_family(el->keys, data_dir, id, epoch, key,
	    cause)) < 0)
		return (rc);
	return (0);
}

/* The id of author's stored event seq (0, or -PROTO_E_NOTFOUND). */
int
eventlog_id_at(struct eventlog *el, const uint8_t *author, uint64_t seq,
    uint8_t id[ENV_ID])
{
	return (store_id_at(el->store, author, seq, id));
}

/* Durable heads, for peers. */
const struct chain *
eventlog_heads(const struct eventlog *el)
{
	return (&el->views.chain);
}

/* Heads counting what is queued (what we will have). */
const struct chain *
eventlog_tip(const struct eventlog *el)
{
	return (&el->tip);
}

const struct keys *
eventlog_keys(const struct eventlog *el)
{
	return (el->keys);
}
