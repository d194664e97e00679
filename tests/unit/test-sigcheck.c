/*
 * test-sigcheck.c: batch signature checks on a real libuv loop. Each
 * result must match the envelope it belongs to, whatever the batch size;
 * several batches may be in flight at once; the callback runs once per
 * batch and never from within sigcheck_start.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <uv.h>

#include "envelope.h"
#include "harness.h"
#include "sigcheck.h"

#define T_MAX_EVENTS	64
#define T_MAX_BATCHES	4

struct t_events {
	msgpack_sbuffer	 sb[T_MAX_EVENTS];
	const uint8_t	*blobs[T_MAX_EVENTS];
	size_t		 lens[T_MAX_EVENTS];
	uint32_t	 n;
};

struct t_done {
	struct sigcheck	*sc[T_MAX_BATCHES];
	unsigned	 calls[T_MAX_BATCHES];
};

/* n events of one author, seq 1..n; the signature of bad (if < n) broken. */
static void
t_events_make(struct t_events *ev, uint32_t n, uint32_t bad)
{
	static const uint8_t	 payload[] = "{}";
	struct envelope		 e;
	uint8_t			 pk[ENV_PK], sk[ENV_SK], key[ENV_KEY];
	uint32_t		 i;

	ASSERT(sodium_init() >= 0);
	ASSERT(n <= T_MAX_EVENTS);
	crypto_sign_keypair(pk, sk);
	randombytes_buf(key, sizeof(key));
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		memcpy(e.author, pk, ENV_PK);
		e.seq = i + 1;
		e.has_prev = i > 0;
		randombytes_buf(e.prev, ENV_ID);
		e.hlc_ms = 1000 + i;
		randombytes_buf(e.nonce, ENV_NONCE);
		msgpack_sbuffer_init(&ev->sb[i]);
		ASSERT_EQ_INT(envelope_seal(&e, key, sk, payload,
		    sizeof(payload) - 1, &ev->sb[i]), 0);
		if (i == bad)
			ev->sb[i].data[ev->sb[i].size - 1] ^= 0x01;
		ev->blobs[i] = (const uint8_t *)ev->sb[i].data;
		ev->lens[i] = ev->sb[i].size;
	}
	ev->n = n;
}

static void
t_events_free(struct t_events *ev)
{
	uint32_t	i;

	for (i = 0; i < ev->n; i++)
		msgpack_sbuffer_destroy(&ev->sb[i]);
}

static void
t_done_cb(void *arg, struct sigcheck *sc)
{
	struct t_done	*d = arg;
	unsigned	 i;

	for (i = 0; i < T_MAX_BATCHES; i++) {
		if (d->sc[i] == sc)
			d->calls[i]++;
	}
	ASSERT(sigcheck_done(sc));
}

/* Every result and parsed envelope matches its own blob. */
static void
t_check_batch(const struct sigcheck *sc, const struct t_events *ev,
    uint32_t bad)
{
	const struct envelope	*e;
	struct envelope		 p;
	const uint8_t		*blob;
	size_t			 len;
	uint32_t		 i;

	ASSERT_EQ_UINT(sigcheck_count(sc), ev->n);
	for (i = 0; i < ev->n; i++) {
		blob = sigcheck_blob(sc, i, &len);
		ASSERT_EQ_UINT(len, ev->lens[i]);
		ASSERT_EQ_MEM(blob, ev->blobs[i], len);
		ASSERT_EQ_INT(sigcheck_ok(sc, i), i != bad);
		if (i == bad)
			continue;
		e = sigcheck_envelope(sc, i);
		ASSERT_EQ_INT(envelope_parse(ev->blobs[i], ev->lens[i], &p), 0);
		ASSERT_EQ_UINT(e->seq, i + 1);
		ASSERT_EQ_MEM(e->author, p.author, ENV_PK);
		ASSERT_EQ_MEM(e->id, p.id, ENV_ID);
		ASSERT(e->blob == blob);
	}
}

TEST(one_batch_results)
{
	static const uint32_t	 sizes[] = { 1, 2, 3, 17, T_MAX_EVENTS };
	struct t_events		 ev;
	struct t_done		 d;
	uv_loop_t		 loop;
	size_t			 k;

	ASSERT_EQ_INT(uv_loop_init(&loop), 0);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		memset(&d, 0, sizeof(d));
		t_events_make(&ev, sizes[k], sizes[k] / 2);
		ASSERT_EQ_INT(sigcheck_start(&loop, ev.blobs, ev.lens, ev.n,
		    t_done_cb, &d, &d.sc[0]), 0);
		ASSERT_EQ_UINT(d.calls[0], 0);	/* not from within start */
		ASSERT_EQ_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);
		ASSERT_EQ_UINT(d.calls[0], 1);
		t_check_batch(d.sc[0], &ev, sizes[k] / 2);
		sigcheck_free(d.sc[0]);
		t_events_free(&ev);
	}
	ASSERT_EQ_INT(uv_loop_close(&loop), 0);
}

TEST(empty_batch_calls_back)
{
	struct t_done	d;
	uv_loop_t	loop;

	memset(&d, 0, sizeof(d));
	ASSERT_EQ_INT(uv_loop_init(&loop), 0);
	ASSERT_EQ_INT(sigcheck_start(&loop, NULL, NULL, 0, t_done_cb, &d,
	    &d.sc[0]), 0);
	ASSERT_EQ_UINT(d.calls[0], 0);
	ASSERT_EQ_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);
	ASSERT_EQ_UINT(d.calls[0], 1);
	ASSERT_EQ_UINT(sigcheck_count(d.sc[0]), 0);
	sigcheck_free(d.sc[0]);
	ASSERT_EQ_INT(uv_loop_close(&loop), 0);
}

/* More batches than workers, in flight together: each gets its own. */
TEST(batches_in_flight)
{
	static const uint32_t	 sizes[T_MAX_BATCHES] = { 40, 1, 9,
	    T_MAX_EVENTS };
	struct t_events		*ev;
	struct t_done		 d;
	uv_loop_t		 loop;
	unsigned		 k;

	ASSERT((ev = calloc(T_MAX_BATCHES, sizeof(*ev))) != NULL);
	memset(&d, 0, sizeof(d));
	ASSERT_EQ_INT(uv_loop_init(&loop), 0);
	for (k = 0; k < T_MAX_BATCHES; k++) {
		t_events_make(&ev[k], sizes[k], k);
		ASSERT_EQ_INT(sigcheck_start(&loop, ev[k].blobs, ev[k].lens,
		    ev[k].n, t_done_cb, &d, &d.sc[k]), 0);
	}
	ASSERT_EQ_INT(uv_run(&loop, UV_RUN_DEFAULT), 0);
	for (k = 0; k < T_MAX_BATCHES; k++) {
		ASSERT_EQ_UINT(d.calls[k], 1);
		t_check_batch(d.sc[k], &ev[k], k);
		sigcheck_free(d.sc[k]);
		t_events_free(&ev[k]);
	}
	ASSERT_EQ_INT(uv_loop_close(&loop), 0);
	free(ev);
}
