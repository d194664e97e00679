/*
 * sigcheck.c: the batch signature check of sigcheck.h. Each batch is cut
 * into contiguous slices, one per worker. Slices wait in one queue,
 * oldest batch first, and at most SIGCHECK_WORKERS of them are on the
 * thread pool at once: the pool has more threads than cores (four by
 * default, shared with verify.c), and a later batch running beside an
 * earlier one would only delay the batch its caller needs first. The
 * done callback runs on the loop thread once every slice has finished,
 * never from within sigcheck_start.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "envelope.h"
#include "proto.h"
#include "sigcheck.h"

#define SIGCHECK_WORKERS	2

struct sigcheck_part {
	uv_work_t		 req;
	struct sigcheck		*sc;
	struct sigcheck_part	*next;		/* in the wait queue */
	uint32_t		 lo, hi;
};

struct sigcheck {
	uv_loop_t		*loop;
	uint8_t			*data;		/* every blob, back to back */
	size_t			*off, *len;
	bool			*ok;
	struct envelope		*env;		/* parsed, where ok */
	uint32_t		 n;
	unsigned		 running;	/* slices not finished */
	struct sigcheck_part	 part[SIGCHECK_WORKERS];
	sigcheck_done_cb	 cb;
	void			*arg;
};

static void	sigcheck_work_cb(uv_work_t *);
static void	sigcheck_after_cb(uv_work_t *, int);
static void	sigcheck_dispatch(void);

/*
 * Slices waiting for a worker, oldest first, and how many are on the
 * pool. Only the loop thread touches these (a daemon has one loop).
 */
static struct sigcheck_part	 *sigcheck_wait;
static struct sigcheck_part	**sigcheck_wait_tail = &sigcheck_wait;
static unsigned			  sigcheck_busy;

static void
sigcheck_work_cb(uv_work_t *req)
{
	struct sigcheck_part	*p = req->data;
	struct sigcheck		*sc = p->sc;
	uint32_t		 i;

	for (i = p->lo; i < p->hi; i++)
		sc->ok[i] = envelope_parse(sc->data + sc->off[i], sc->len[i],
		    &sc->env[i]) == 0 && envelope_verify(&sc->env[i]) == 0;
}

static void
sigcheck_after_cb(uv_work_t *req, int status)
{
	struct sigcheck_part	*p = req->data;
	struct sigcheck		*sc = p->sc;
	uint32_t		 i;

	if (status < 0) {		/* cancelled: count as failed */
		for (i = p->lo; i < p->hi; i++)
			sc->ok[i] = false;
	}
	/* Refill the pool first: the callback may take a while. */
	sigcheck_busy--;
	sigcheck_dispatch();
	if (--sc->running == 0)
		sc->cb(sc->arg, sc);
}

/*
 * Hand waiting slices to the pool while fewer than SIGCHECK_WORKERS are
 * there. uv_queue_work fails only without a work callback, so a failure
 * is a broken invariant.
 */
static void
sigcheck_dispatch(void)
{
	struct sigcheck_part	*p;
	int			 rc;

	while (sigcheck_busy < SIGCHECK_WORKERS && sigcheck_wait != NULL) {
		p = sigcheck_wait;
		if ((sigcheck_wait = p->next) == NULL)
			sigcheck_wait_tail = &sigcheck_wait;
		p->next = NULL;
		if ((rc = uv_queue_work(p->sc->loop, &p->req,
		    sigcheck_work_cb, sigcheck_after_cb)) < 0)
			fatalx("sigcheck: uv_queue_work: %s", uv_strerror(rc));
		sigcheck_busy++;
	}
}

/*
 * Copy n blobs and queue them for checking, after every batch started
 * before. Return 0 (cb will run once, later, on the loop thread) or
 * -PROTO_E_INTERNAL.
 */
int
sigcheck_start(uv_loop_t *loop, const uint8_t *const *blobs,
    const size_t *lens, uint32_t n, sigcheck_done_cb cb, void *arg,
    struct sigcheck **out)
{
	struct sigcheck		*sc;
	struct sigcheck_part	*p;
	size_t			 total = 0;
	uint32_t		 i, w, per, nparts;

	for (i = 0; i < n; i++)
		total += lens[i];
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return (-PROTO_E_INTERNAL);
	sc->data = malloc(total > 0 ? total : 1);
	sc->off = calloc(n + 1, sizeof(*sc->off));
	sc->len = calloc(n + 1, sizeof(*sc->len));
	sc->ok = calloc(n + 1, sizeof(*sc->ok));
	sc->env = calloc(n + 1, sizeof(*sc->env));
	if (sc->data == NULL || sc->off == NULL || sc->len == NULL ||
	    sc->ok == NULL || sc->env == NULL) {
		sigcheck_free(sc);
		return (-PROTO_E_INTERNAL);
	}
	for (i = 0, total = 0; i < n; i++) {
		memcpy(sc->data + total, blobs[i], lens[i]);
		sc->off[i] = total;
		sc->len[i] = lens[i];
		total += lens[i];
	}
	sc->loop = loop;
	sc->n = n;
	sc->cb = cb;
	sc->arg = arg;
	/* Equal slices, none empty but one at least (so cb runs). */
	nparts = n < SIGCHECK_WORKERS ? (n > 0 ? n : 1) : SIGCHECK_WORKERS;
	per = (n + nparts - 1) / nparts;
	for (w = 0; w < nparts; w++) {
		p = &sc->part[w];
		p->sc = sc;
		p->req.data = p;
		p->lo = w * per < n ? w * per : n;
		p->hi = p->lo + per < n ? p->lo + per : n;
		*sigcheck_wait_tail = p;
		sigcheck_wait_tail = &p->next;
		sc->running++;
	}
	*out = sc;
	sigcheck_dispatch();
	return (0);
}

/* Has every signature of the batch been checked? */
bool
sigcheck_done(const struct sigcheck *sc)
{
	return (sc->running == 0);
}

uint32_t
sigcheck_count(const struct sigcheck *sc)
{
	return (sc->n);
}

const uint8_t *
sigcheck_blob(const struct sigcheck *sc, uint32_t i, size_t *len)
{
	*len = sc->len[i];
	return (sc->data + sc->off[i]);
}

bool
sigcheck_ok(const struct sigcheck *sc, uint32_t i)
{
	return (sc->ok[i]);
}

/*
 * The envelope as parsed for its check, pointing into the batch's copy:
 * valid while the batch is, and only where sigcheck_ok.
 */
const struct envelope *
sigcheck_envelope(const struct sigcheck *sc, uint32_t i)
{
	return (&sc->env[i]);
}

/* Free a batch that is done (or never started). */
void
sigcheck_free(struct sigcheck *sc)
{
	if (sc == NULL)
		return;
	if (sc->running > 0)
		fatalx("sigcheck: batch freed while being checked");
	free(sc->data);
	free(sc->off);
	free(sc->len);
	free(sc->ok);
	free(sc->env);
	free(sc);
}
