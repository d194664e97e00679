/*
 * sigcheck.c: the batch signature check of sigcheck.h. Each worker
 * parses and verifies a contiguous slice; the done callback runs on the
 * loop thread once every slice has finished.
 */
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "proto.h"
#include "sigcheck.h"

#define SIGCHECK_WORKERS	2

struct sigcheck_part {
	uv_work_t	 req;
	struct sigcheck	*sc;
	uint32_t	 lo, hi;
};

struct sigcheck {
	uint8_t			*data;		/* every blob, back to back */
	size_t			*off, *len;
	bool			*ok;
	uint32_t		 n;
	unsigned		 running;
	struct sigcheck_part	 part[SIGCHECK_WORKERS];
	sigcheck_done_cb	 cb;
	void			*arg;
};

static void
sigcheck_work_cb(uv_work_t *req)
{
	struct sigcheck_part	*p = req->data;
	struct sigcheck		*sc = p->sc;
	struct envelope		 e;
	uint32_t		 i;

	for (i = p->lo; i < p->hi; i++)
		sc->ok[i] = envelope_parse(sc->data + sc->off[i], sc->len[i],
		    &e) == 0 && envelope_verify(&e) == 0;
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
	if (--sc->running == 0)
		sc->cb(sc->arg, sc);
}

/*
 * Copy n blobs and start checking them. Return 0 (cb will run once) or
 * -PROTO_E_INTERNAL.
 */
int
sigcheck_start(uv_loop_t *loop, const uint8_t *const *blobs,
    const size_t *lens, uint32_t n, sigcheck_done_cb cb, void *arg,
    struct sigcheck **out)
{
	struct sigcheck	*sc;
	size_t		 total = 0;
	uint32_t	 i, w, per;

	for (i = 0; i < n; i++)
		total += lens[i];
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return (-PROTO_E_INTERNAL);
	sc->data = malloc(total > 0 ? total : 1);
	sc->off = calloc(n + 1, sizeof(*sc->off));
	sc->len = calloc(n + 1, sizeof(*sc->len));
	sc->ok = calloc(n + 1, sizeof(*sc->ok));
	if (sc->data == NULL || sc->off == NULL || sc->len == NULL ||
	    sc->ok == NULL) {
		sigcheck_free(sc);
		return (-PROTO_E_INTERNAL);
	}
	for (i = 0, total = 0; i < n; i++) {
		memcpy(sc->data + total, blobs[i], lens[i]);
		sc->off[i] = total;
		sc->len[i] = lens[i];
		total += lens[i];
	}
	sc->n = n;
	sc->cb = cb;
	sc->arg = arg;
	per = (n + SIGCHECK_WORKERS - 1) / SIGCHECK_WORKERS;
	for (w = 0; w < SIGCHECK_WORKERS; w++) {
		struct sigcheck_part	*p = &sc->part[w];

		p->sc = sc;
		p->req.data = p;
		p->lo = w * per < n ? w * per : n;
		p->hi = p->lo + per < n ? p->lo + per : n;
		sc->running++;
		if (uv_queue_work(loop, &p->req, sigcheck_work_cb,
		    sigcheck_after_cb) < 0) {
			/* Check this slice here rather than fail the batch. */
			sc->running--;
			sigcheck_work_cb(&p->req);
		}
	}
	*out = sc;
	if (sc->running == 0)
		cb(arg, sc);
	return (0);
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

void
sigcheck_free(struct sigcheck *sc)
{
	if (sc == NULL)
		return;
	free(sc->data);
	free(sc->off);
	free(sc->len);
	free(sc->ok);
	free(sc);
}
