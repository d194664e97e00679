/*
 * test-writer.c: unit tests for daemon/writer.c with its real threads, a
 * real libuv loop, real keys and a real sqlite file: our entries come
 * out sealed in one chain (each prev the id of the one before, every
 * signature good) and stored with our MAC; an entry received from a
 * peer in our name moves the chain on; a failure fails everything
 * queued after it until the head is set again; stopping finishes what
 * was queued.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "harness.h"
#include "proto.h"
#include "store.h"
#include "writer.h"

#define MANY	300

struct fixture {
	char		 dir[256];
	char		 path[300];
	uv_loop_t	 loop;
	struct writer	*w;
	uint8_t		 pk[ENV_PK], *sk, *key, *mac_key;
	/* What came out, in order. */
	size_t		 ndone;
	int		 rc[MANY];
	uint64_t	 seq[MANY];
	uint8_t		 id[MANY][ENV_ID];
	uint8_t		 prev[MANY][ENV_ID];
	int		 bad_sig;
	size_t		 tie;		/* push the next tie entries together */
	size_t		 filled;
};

static void	fx_open(struct fixture *);
static void	fx_close(struct fixture *);
static void	fx_ready(void *);
static void	fx_take(struct fixture *);
static void	fx_run_until(struct fixture *, size_t n);
static void	push_own(struct fixture *, uint64_t seq);
static uint64_t	stored(struct fixture *);

static void
fx_open(struct fixture *f)
{
	const char	*base = getenv("TMPDIR");
	char		*cause = NULL;

	memset(f, 0, sizeof(*f));
	ASSERT(sodium_init() >= 0);
	snprintf(f->dir, sizeof(f->dir), "%s/attune-test-writer.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	ASSERT(mkdtemp(f->dir) != NULL);
	snprintf(f->path, sizeof(f->path), "%s/events.db", f->dir);
	f->sk = sodium_malloc(ENV_SK);
	f->key = sodium_malloc(ENV_KEY);
	f->mac_key = sodium_malloc(STORE_MAC);
	ASSERT(f->sk != NULL && f->key != NULL && f->mac_key != NULL);
	crypto_sign_keypair(f->pk, f->sk);
	randombytes_buf(f->key, ENV_KEY);
	randombytes_buf(f->mac_key, STORE_MAC);
	ASSERT(uv_loop_init(&f->loop) == 0);
	if (writer_start(&f->loop, f->path, f->sk, f->pk, f->mac_key,
	    fx_ready, f, &f->w, &cause) != 0)
		harness_fail(__FILE__, __LINE__, "writer_start: %s",
		    cause ? cause : "?");
	writer_set_head(f->w, 0, NULL);
}

static void
fx_close(struct fixture *f)
{
	char	p[400];

	writer_destroy(f->w);
	uv_run(&f->loop, UV_RUN_DEFAULT);	/* the async handle's close */
	ASSERT(uv_loop_close(&f->loop) == 0);
	snprintf(p, sizeof(p), "rm -rf '%s'", f->dir);
	ASSERT(system(p) == 0);
	sodium_free(f->sk);
	sodium_free(f->key);
	sodium_free(f->mac_key);
}

static void
fx_ready(void *arg)
{
	fx_take(arg);
}

/* Record and release every finished entry; check the sealed ones. */
static void
fx_take(struct fixture *f)
{
	struct writer_entry	*e;
	struct envelope		 env;

	while ((e = writer_done(f->w)) != NULL) {
		ASSERT(f->ndone < MANY);
		f->rc[f->ndone] = e->rc;
		f->seq[f->ndone] = e->env.seq;
		if (e->rc == 0) {
			memcpy(f->id[f->ndone], e->env.id, ENV_ID);
			memcpy(f->prev[f->ndone], e->env.prev, ENV_ID);
			if (envelope_parse((const uint8_t *)e->blob.data,
			    e->blob.size, &env) != 0 ||
			    envelope_verify(&env) != 0 ||
			    memcmp(env.id, e->env.id, ENV_ID) != 0)
				f->bad_sig++;
		}
		f->ndone++;
		writer_release(f->w);
	}
}

/* Run the loop until n entries came out (bounded: 10 s). */
static void
fx_run_until(struct fixture *f, size_t n)
{
	int	i;

	for (i = 0; i < 10000 && f->ndone < n; i++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		if (f->ndone < n)
			usleep(1000);
	}
	ASSERT_EQ_UINT(f->ndone, n);
}

static void
push_own(struct fixture *f, uint64_t seq)
{
	struct writer_entry	*e;
	static const uint8_t	 payload[] = { 0x81, 0xa1, 't', 0xa4,
	    'n', 'o', 't', 'e' };

	ASSERT((e = writer_slot(f->w, f->filled)) != NULL);
	ASSERT((e->payload = malloc(sizeof(payload))) != NULL);
	memcpy(e->payload, payload, sizeof(payload));
	e->len = sizeof(payload);
	e->seal = true;
	e->key = f->key;
	memset(e->env.family_id, 7, ENV_FAMILY_ID);
	memcpy(e->env.author, f->pk, ENV_PK);
	e->env.seq = seq;
	e->env.hlc_ms = 1700000000000ULL + seq;
	e->env.key_epoch = 1;
	if (++f->filled < f->tie)
		return;			/* pushed with the last of them */
	writer_push(f->w, f->filled);
	f->filled = 0;
	f->tie = 0;
}

static uint64_t
stored(struct fixture *f)
{
	struct store	*st;
	uint64_t	 n = 0;
	char		*cause = NULL;

	ASSERT(store_open(f->path, true, &st, &cause) == 0);
	ASSERT(store_count(st, &n) == 0);
	store_close(st);
	return (n);
}

TEST(own_entries_form_one_signed_chain)
{
	struct fixture	f;
	uint64_t	i;

	fx_open(&f);
	for (i = 1; i <= MANY; i++)
		push_own(&f, i);
	ASSERT_EQ_UINT(writer_count(f.w), MANY);
	fx_run_until(&f, MANY);
	ASSERT_EQ_INT(f.bad_sig, 0);
	for (i = 0; i < MANY; i++) {
		ASSERT_EQ_INT(f.rc[i], 0);
		ASSERT_EQ_UINT(f.seq[i], i + 1);
		if (i > 0)
			ASSERT_EQ_MEM(f.prev[i], f.id[i - 1], ENV_ID);
	}
	ASSERT_EQ_UINT(writer_count(f.w), 0);
	ASSERT_EQ_UINT(stored(&f), MANY);
	fx_close(&f);
}

TEST(a_received_entry_of_ours_moves_the_chain)
{
	struct fixture		f;
	struct writer_entry	*e;
	msgpack_sbuffer		 sb;
	struct envelope		 env;
	static const uint8_t	 payload[] = { 0x81, 0xa1, 't', 0xa1, 'x' };

	fx_open(&f);
	/* Seq 1, sealed elsewhere (as a peer would hand it back). */
	memset(&env, 0, sizeof(env));
	memset(env.family_id, 7, ENV_FAMILY_ID);
	memcpy(env.author, f.pk, ENV_PK);
	env.seq = 1;
	env.hlc_ms = 1;
	env.key_epoch = 1;
	randombytes_buf(env.nonce, ENV_NONCE);
	msgpack_sbuffer_init(&sb);
	ASSERT(envelope_seal(&env, f.key, f.sk, payload, sizeof(payload),
	    &sb) == 0);
	ASSERT((e = writer_slot(f.w, 0)) != NULL);
	e->env = env;
	e->blob = sb;
	ASSERT((e->payload = malloc(sizeof(payload))) != NULL);
	memcpy(e->payload, payload, sizeof(payload));
	e->len = sizeof(payload);
	writer_push(f.w, 1);
	push_own(&f, 2);
	fx_run_until(&f, 2);
	ASSERT_EQ_INT(f.rc[0], 0);
	ASSERT_EQ_INT(f.rc[1], 0);
	ASSERT_EQ_MEM(f.prev[1], f.id[0], ENV_ID);
	ASSERT_EQ_INT(f.bad_sig, 0);
	ASSERT_EQ_UINT(stored(&f), 2);
	fx_close(&f);
}

TEST(a_failure_fails_what_follows_until_the_head_is_set)
{
	struct fixture	f;
	uint8_t		head[ENV_ID];

	fx_open(&f);
	push_own(&f, 1);
	push_own(&f, 3);		/* a gap: the sealer refuses it */
	push_own(&f, 4);
	fx_run_until(&f, 3);
	ASSERT_EQ_INT(f.rc[0], 0);
	ASSERT_EQ_INT(f.rc[1], -PROTO_E_INTERNAL);
	ASSERT(f.rc[2] < 0);
	ASSERT(writer_broken(f.w));
	ASSERT_EQ_UINT(stored(&f), 1);
	memcpy(head, f.id[0], ENV_ID);
	writer_set_head(f.w, 1, head);
	ASSERT(!writer_broken(f.w));
	push_own(&f, 2);
	fx_run_until(&f, 4);
	ASSERT_EQ_INT(f.rc[3], 0);
	ASSERT_EQ_MEM(f.prev[3], head, ENV_ID);
	ASSERT_EQ_UINT(stored(&f), 2);
	fx_close(&f);
}

TEST(entries_pushed_together_fail_together)
{
	struct fixture	f;

	fx_open(&f);
	push_own(&f, 1);
	fx_run_until(&f, 1);
	/* Two tied entries, the second with a gap: neither is stored. */
	f.tie = 2;
	push_own(&f, 2);
	push_own(&f, 4);
	fx_run_until(&f, 3);
	ASSERT_EQ_INT(f.rc[0], 0);
	ASSERT(f.rc[1] < 0);
	ASSERT(f.rc[2] < 0);
	ASSERT_EQ_UINT(stored(&f), 1);
	writer_set_head(f.w, 1, f.id[0]);
	f.tie = 2;
	push_own(&f, 2);
	push_own(&f, 3);
	fx_run_until(&f, 5);
	ASSERT_EQ_INT(f.rc[3], 0);
	ASSERT_EQ_INT(f.rc[4], 0);
	ASSERT_EQ_UINT(stored(&f), 3);
	fx_close(&f);
}

TEST(stop_finishes_what_was_queued)
{
	struct fixture	f;
	uint64_t	i;

	fx_open(&f);
	for (i = 1; i <= 100; i++)
		push_own(&f, i);
	writer_stop(f.w);		/* the loop never ran */
	ASSERT(writer_slot(f.w, 0) == NULL);
	fx_take(&f);
	ASSERT_EQ_UINT(f.ndone, 100);
	for (i = 0; i < 100; i++)
		ASSERT_EQ_INT(f.rc[i], 0);
	ASSERT_EQ_UINT(stored(&f), 100);
	fx_close(&f);
}

TEST(a_full_ring_refuses_a_slot)
{
	struct fixture	f;
	uint64_t	i;

	fx_open(&f);
	for (i = 1; i <= WRITER_SLOTS; i++)
		push_own(&f, i);
	ASSERT(writer_slot(f.w, 0) == NULL);
	writer_drain(f.w);
	ASSERT(writer_slot(f.w, 0) == NULL);	/* until released */
	while (writer_done(f.w) != NULL)
		writer_release(f.w);
	ASSERT(writer_slot(f.w, 0) != NULL);
	ASSERT_EQ_UINT(stored(&f), WRITER_SLOTS);
	fx_close(&f);
}
