/*
 * test-views-practices.c: unit tests for the practices' kinds
 * (daemon/kinds.c) and what the views derive from them (daemon/views*.c),
 * over views built the way the daemon builds them: client input through
 * kinds_build, the payload sealed with envelope_seal under fixed keys,
 * parsed, chain-checked and applied with views_apply. Times are UTC
 * (TZ=UTC) so that days are 24 hours here; DST is test-views-time's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "chain.h"
#include "envelope.h"
#include "harness.h"
#include "kinds.h"
#include "mp.h"
#include "mpcheck.h"
#include "proto.h"
#include "views.h"

#define DAY	86400000LL
#define T0	1774224000000LL		/* Mon 2026-03-23 00:00 UTC */

struct dev {
	uint8_t		pk[ENV_PK], sk[ENV_SK];
	uint64_t	seq;
	uint8_t		head[ENV_ID];
};

static uint8_t		fkey[ENV_KEY], fid[ENV_FAMILY_ID];
static struct dev	alex, sam;
static int64_t		hlc;

static void	setup(struct views *);
static void	seal_apply(struct views *, struct dev *, const char *,
		    size_t, uint8_t *);
static int	add(struct views *, struct dev *, int64_t now, uint8_t *id,
		    const char *fmt, ...);
static void	hex(char *, const uint8_t *);
static void	raw(struct views *, struct dev *, uint8_t *, int, ...);

static void
hex(char *out, const uint8_t *id)
{
	mp_hex(out, id, ENV_ID);
	out[2 * ENV_ID] = '\0';
}

/* Seal len bytes of payload as d's next event and apply it. */
static void
seal_apply(struct views *v, struct dev *d, const char *payload, size_t len,
    uint8_t *id)
{
	struct envelope	 e, p;
	msgpack_sbuffer	 sb;
	uint8_t		 plain[PROTO_MAX_PAYLOAD];
	size_t		 i, plen;

	memset(&e, 0, sizeof(e));
	memcpy(e.family_id, fid, ENV_FAMILY_ID);
	memcpy(e.author, d->pk, ENV_PK);
	e.seq = d->seq + 1;
	e.has_prev = d->seq > 0;
	memcpy(e.prev, d->head, ENV_ID);
	e.hlc_ms = (uint64_t)(hlc += 1000);
	for (i = 0; i < ENV_NONCE; i++)
		e.nonce[i] = (uint8_t)(e.hlc_ms >> (8 * (i % 8))) ^ (uint8_t)i;
	msgpack_sbuffer_init(&sb);
	ASSERT_EQ_INT(envelope_seal(&e, fkey, d->sk, (const uint8_t *)payload,
	    len, &sb), 0);
	ASSERT_EQ_INT(envelope_parse((uint8_t *)sb.data, sb.size, &p), 0);
	ASSERT_EQ_INT(envelope_open(&p, fkey, plain, sizeof(plain), &plen), 0);
	ASSERT_EQ_INT(chain_check(chain_find(&v->chain, d->pk), &p), 0);
	ASSERT_EQ_INT(views_apply(v, &p, plain, plen, NULL), 0);
	d->seq = p.seq;
	memcpy(d->head, p.id, ENV_ID);
	if (id != NULL)
		memcpy(id, p.id, ENV_ID);
	msgpack_sbuffer_destroy(&sb);
}

/*
 * Client input as "key=value;key=value" (t first); a value in [a,b] is
 * an array of strings, {k=v,k=v} a map of strings. Build it at now and
 * apply it; return kinds_build's code (nothing applied on error).
 */
static int	add(struct views *, struct dev *, int64_t, uint8_t *,
		    const char *, ...) __attribute__((format(printf, 5, 6)));

static int
add(struct views *v, struct dev *d, int64_t now, uint8_t *id,
    const char *fmt, ...)
{
	char		 spec[1024], *kv, *save = NULL, *eq, *it, *s2;
	char		*keys[16], *vals[16], *cause = NULL;
	msgpack_sbuffer	 in, out;
	msgpack_packer	 pk;
	msgpack_unpacked up;
	va_list		 ap;
	int		 n = 0, i, m, rc;

	va_start(ap, fmt);
	vsnprintf(spec, sizeof(spec), fmt, ap);
	va_end(ap);
	for (kv = strtok_r(spec, ";", &save); kv != NULL && n < 16;
	    kv = strtok_r(NULL, ";", &save)) {
		ASSERT((eq = strchr(kv, '=')) != NULL);
		*eq = '\0';
		keys[n] = kv;
		vals[n++] = eq + 1;
	}
	msgpack_sbuffer_init(&in);
	msgpack_packer_init(&pk, &in, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (uint32_t)n);
	for (i = 0; i < n; i++) {
		mp_pack_cstr(&pk, keys[i]);
		if (vals[i][0] == '[' || vals[i][0] == '{') {
			char	*list[16];

			m = 0;
			vals[i][strlen(vals[i]) - 1] = '\0';
			for (it = strtok_r(vals[i] + 1, ",", &s2); it != NULL;
			    it = strtok_r(NULL, ",", &s2))
				list[m++] = it;
			if (vals[i][0] == '[')
				msgpack_pack_array(&pk, (uint32_t)m);
			else
				msgpack_pack_map(&pk, (uint32_t)m);
			for (it = NULL; m > 0; m--) {
				char *e2 = strchr(list[0], '=');

				if (vals[i][0] == '{' && e2 != NULL) {
					*e2 = '\0';
					mp_pack_cstr(&pk, list[0]);
					mp_pack_cstr(&pk, e2 + 1);
				} else
					mp_pack_cstr(&pk, list[0]);
				memmove(list, list + 1, sizeof(list) -
				    sizeof(list[0]));
			}
		} else if (strcmp(vals[i], "true") == 0)
			msgpack_pack_true(&pk);
		else
			mp_pack_cstr(&pk, vals[i]);
	}
	msgpack_unpacked_init(&up);
	ASSERT_EQ_INT(mp_unpack((uint8_t *)in.data, in.size, &up), 0);
	msgpack_sbuffer_init(&out);
	rc = kinds_build(v, &up.data, now, &out, &cause);
	if (rc == 0)
		seal_apply(v, d, out.data, out.size, id);
	else
		printf("# refused: %s\n", cause != NULL ? cause : "?");
	free(cause);
	msgpack_unpacked_destroy(&up);
	msgpack_sbuffer_destroy(&in);
	msgpack_sbuffer_destroy(&out);
	return (rc);
}

/* A payload packed by hand: nkv pairs of (key, str value). */
static void
raw(struct views *v, struct dev *d, uint8_t *id, int nkv, ...)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	va_list		ap;
	int		i;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (uint32_t)nkv);
	va_start(ap, nkv);
	for (i = 0; i < nkv; i++) {
		const char *k = va_arg(ap, const char *);
		const char *s = va_arg(ap, const char *);

		mp_pack_kv_str(&pk, k, s);
	}
	va_end(ap);
	seal_apply(v, d, sb.data, sb.size, id);
	msgpack_sbuffer_destroy(&sb);
}

/* Alex (genesis), Sam, kids Maya (2019) and Leo (2012). */
static void
setup(struct views *v)
{
	uint8_t		s[32];
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	size_t		i;

	setenv("TZ", "UTC", 1);
	tzset();
	ASSERT(sodium_init() >= 0);
	for (i = 0; i < ENV_KEY; i++)
		fkey[i] = (uint8_t)(0x40 + i);
	for (i = 0; i < ENV_FAMILY_ID; i++)
		fid[i] = (uint8_t)(0xa0 + i);
	memset(&alex, 0, sizeof(alex));
	memset(&sam, 0, sizeof(sam));
	memset(s, 1, sizeof(s));
	crypto_sign_seed_keypair(alex.pk, alex.sk, s);
	memset(s, 2, sizeof(s));
	crypto_sign_seed_keypair(sam.pk, sam.sk, s);
	hlc = T0;
	views_init(v);
	raw(v, &alex, NULL, 3, "t", "family.create", "family", "Rivera",
	    "name", "Alex");
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	mp_pack_kv_str(&pk, "t", "device.add");
	mp_pack_kv_bin(&pk, "device", sam.pk, ENV_PK);
	mp_pack_kv_str(&pk, "name", "Sam");
	seal_apply(v, &alex, sb.data, sb.size, NULL);
	msgpack_sbuffer_destroy(&sb);
	ASSERT_EQ_INT(add(v, &alex, T0, NULL, "t=kid.add;name=Maya;"
	    "born=2019-06-01"), 0);
	ASSERT_EQ_INT(add(v, &sam, T0, NULL, "t=kid.add;name=Leo;"
	    "born=2012-01-01"), 0);
}

TEST(new_kinds_stored)
{
	struct views		 v;
	struct views_eff	 eff;
	const msgpack_object	*o;
	uint8_t			 id[ENV_ID];
	const char		*s;
	size_t			 len;

	setup(&v);
	ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=plan;kid=maya;days=Sat,wed;"
	    "time=9:30;by=sam"), 0);
	ASSERT_EQ_INT(views_eff_open(&v, views_entry_by_id(&v, id), &eff), 0);
	o = mp_map_get(eff.map, "days");
	ASSERT(o != NULL && o->via.array.size == 2);
	ASSERT_EQ_UINT(o->via.array.ptr[0].via.u64, 3);
	ASSERT_EQ_UINT(o->via.array.ptr[1].via.u64, 6);
	ASSERT_EQ_INT(mp_get_str(eff.map, "time", &s, &len, 8), MP_FOUND);
	ASSERT_EQ_MEM(s, "09:30", 5);
	ASSERT_EQ_INT(views_eff_member(&v, &eff, "by"), 1);
	ASSERT_EQ_UINT(views_eff_uint(&eff, "minutes", 0), 10);
	views_eff_close(&eff);
	/* "both" names every parent; the defaults are read, not stored. */
	ASSERT_EQ_INT(add(&v, &sam, T0, id, "t=one-on-one;kid=Leo;"
	    "parents=both"), 0);
	ASSERT_EQ_INT(views_eff_open(&v, views_entry_by_id(&v, id), &eff), 0);
	ASSERT(views_eff_has_member(&v, &eff, "parents", 0));
	ASSERT(views_eff_has_member(&v, &eff, "parents", 1));
	ASSERT(mp_map_get(eff.map, "child_led") == NULL);
	ASSERT(views_eff_bool(&eff, "child_led", true));
	views_eff_close(&eff);
	/* A setting is stored normalised. */
	ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=setting;key=week_start;"
	    "value=SUNDAY"), 0);
	ASSERT_EQ_INT(views_week_start(&v), 0);
	/* Behaviours in their canonical order and spelling. */
	ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=goal;kid=Leo;text=juggle"), 0);
	{
		char	g[2 * ENV_ID + 1];

		hex(g, id);
		g[10] = '\0';
		ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=goal.progress;goal=%s;"
		    "note=3 balls;behaviors=[Setbacks,persistence]", g), 0);
	}
	ASSERT_EQ_INT(views_eff_open(&v, views_entry_by_id(&v, id), &eff), 0);
	o = mp_map_get(eff.map, "behaviors");
	ASSERT(o != NULL && o->via.array.size == 2);
	ASSERT(mp_str_eq(&o->via.array.ptr[0], "persistence"));
	ASSERT(mp_str_eq(&o->via.array.ptr[1], "setbacks"));
	views_eff_close(&eff);
	ASSERT_EQ_UINT(views_active_goals(&v, 3), 1);
	views_finish(&v);
}

TEST(new_kinds_refused)
{
	struct views	v;

	setup(&v);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=plan;kid=Maya;days=funday;"
	    "time=10:00"), -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=plan;kid=Maya;days=sat;"
	    "time=24:00"), -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=plan;kid=Maya;days=sat"),
	    -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=plan;kid=Maya;days=sat;"
	    "time=10:00;by=Maya"), -PROTO_E_NOTFOUND);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=checkin;who=Maya;"
	    "feeling=odd;zone=purple"), -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=strength;kid=Leo;text=x;"
	    "type=talent"), -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=prompt.add;text=x;"
	    "ages=9-6"), -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=setting;key=week_start;"
	    "value=someday"), -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=setting;key=colour;"
	    "value=red"), -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=repair.done;repair=zz"),
	    -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=repair.done;repair=abcd"),
	    -PROTO_E_NOTFOUND);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=retract;target=abcdef;"
	    "reason=x"), -PROTO_E_NOTFOUND);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=one-on-one;kid=Maya;"
	    "at=last funday"), -PROTO_E_INVALID);
	views_finish(&v);
}

TEST(amend_and_retract)
{
	struct views		 v;
	struct views_eff	 eff;
	struct views_iter	 it;
	uint8_t			 one[ENV_ID], am[ENV_ID], id[ENV_ID];
	char			 h[2 * ENV_ID + 1], ha[2 * ENV_ID + 1];
	int			 n;

	setup(&v);
	ASSERT_EQ_INT(add(&v, &alex, T0, one, "t=one-on-one;kid=Maya;"
	    "minutes=15"), -PROTO_E_TYPE);
	ASSERT_EQ_INT(add(&v, &alex, T0, one, "t=one-on-one;kid=Maya;"
	    "activity=lego"), 0);
	hex(h, one);
	h[8] = '\0';
	ASSERT_EQ_INT(add(&v, &sam, T0, am, "t=amend;target=%s;"
	    "fields={minutes=25,kid=leo}", h), 0);
	ASSERT_EQ_INT(views_eff_open(&v, views_entry_by_id(&v, one), &eff), 0);
	ASSERT_EQ_UINT(eff.namends, 1);
	ASSERT_EQ_UINT(views_eff_uint(&eff, "minutes", 0), 25);
	ASSERT_EQ_INT(views_eff_member(&v, &eff, "kid"), 3);
	ASSERT(eff.retract == NULL);
	views_eff_close(&eff);
	/* The walk sees the amended subject. */
	n = 0;
	views_iter_init(&it, &v, KIND_BIT(KIND_ONE_ON_ONE), 0, 0, 3);
	while (views_iter_next(&it))
		n++;
	ASSERT_EQ_INT(n, 1);
	/* Refused: no such field, a bad value, amending an amend. */
	ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=amend;target=%s;"
	    "fields={colour=red}", h), -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=amend;target=%s;"
	    "fields={minutes=601}", h), -PROTO_E_INVALID);
	ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=amend;target=%s;"
	    "fields={child_led=maybe}", h), -PROTO_E_INVALID);
	hex(ha, am);
	ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=amend;target=%s;"
	    "fields={minutes=1}", ha), -PROTO_E_NOTFOUND);
	/* Retracting the amend undoes it; retracting the entry hides it. */
	ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=retract;target=%s;"
	    "reason=typo", ha), 0);
	ASSERT_EQ_INT(views_eff_open(&v, views_entry_by_id(&v, one), &eff), 0);
	ASSERT_EQ_UINT(views_eff_uint(&eff, "minutes", 0), 10);
	ASSERT_EQ_UINT(eff.namends, 0);
	views_eff_close(&eff);
	ASSERT_EQ_INT(add(&v, &alex, T0, id, "t=retract;target=%s;"
	    "reason=twice", h), 0);
	ASSERT(views_retracted(&v, views_entry_by_id(&v, one)) != NULL);
	n = 0;
	views_iter_init(&it, &v, KIND_BIT(KIND_ONE_ON_ONE), 0, 0, -1);
	while (views_iter_next(&it))
		n++;
	ASSERT_EQ_INT(n, 0);
	views_finish(&v);
}

TEST(twoxten_broken_on_day_6)
{
	struct views		v;
	struct views_clock	c;
	struct views_run	r;
	int			d;

	setup(&v);
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=twoxten.start;kid=Leo"), 0);
	for (d = 0; d < 5; d++)
		ASSERT_EQ_INT(add(&v, &alex, T0 + d * DAY + 18 * 3600000LL,
		    NULL, "t=twoxten.day;kid=Leo"), 0);
	/* Logged twice on day 2: still one day. */
	ASSERT_EQ_INT(add(&v, &sam, T0 + DAY + 19 * 3600000LL, NULL,
	    "t=twoxten.day;kid=Leo"), 0);
	views_clock_init(&v, T0 + 5 * DAY + 12 * 3600000LL, &c);
	ASSERT(views_twoxten_run(&v, &c, 3, &r));
	ASSERT_EQ_INT(r.today, 6);
	ASSERT_EQ_INT(r.streak, 5);
	ASSERT_EQ_STR(r.state, "on_track");
	views_clock_init(&v, T0 + 6 * DAY + 1, &c);
	ASSERT(views_twoxten_run(&v, &c, 3, &r));
	ASSERT_EQ_STR(r.state, "broken");
	ASSERT_EQ_INT(r.broken_on, 6);
	/* Restarted: day 1 again. */
	ASSERT_EQ_INT(add(&v, &alex, T0 + 6 * DAY + 1, NULL,
	    "t=twoxten.start;kid=Leo"), 0);
	ASSERT(views_twoxten_run(&v, &c, 3, &r));
	ASSERT_EQ_INT(r.today, 1);
	ASSERT_EQ_STR(r.state, "on_track");
	ASSERT(!views_twoxten_run(&v, &c, 2, &r));
	views_finish(&v);
}

TEST(slots_and_streak)
{
	struct views		v;
	struct views_clock	c;
	struct views_slot	s[16];
	size_t			n;

	setup(&v);
	/* Wed and Sun at 18:00, from Monday 23 March. */
	ASSERT_EQ_INT(add(&v, &alex, T0, NULL, "t=plan;kid=Maya;days=wed,sun;"
	    "time=18:00"), 0);
	views_clock_init(&v, T0 + 3 * DAY + 9 * 3600000LL, &c);	/* Thu */
	n = views_slots(&v, &c, 2, c.week, c.next_week, s, 16);
	ASSERT_EQ_UINT(n, 2);
	ASSERT_EQ_INT(s[0].at, T0 + 2 * DAY + 18 * 3600000LL);
	ASSERT_EQ_STR(s[0].state, "missed");
	ASSERT_EQ_STR(s[1].state, "later");
	/* A session on Thursday covers the first slot. */
	ASSERT_EQ_INT(add(&v, &alex, c.now, NULL, "t=one-on-one;kid=Maya"),
	    0);
	n = views_slots(&v, &c, 2, c.week, c.next_week, s, 16);
	ASSERT_EQ_STR(s[0].state, "done");
	ASSERT_EQ_INT(views_streak(&v, &c, 2), 1);
	/* Two weeks before: a gap, then the week before last. */
	ASSERT_EQ_INT(add(&v, &alex, c.now, NULL, "t=one-on-one;kid=Maya;"
	    "at=2026-03-10"), 0);
	ASSERT_EQ_INT(views_streak(&v, &c, 2), 1);
	ASSERT_EQ_INT(add(&v, &alex, c.now, NULL, "t=one-on-one;kid=Maya;"
	    "at=2026-03-17"), 0);
	ASSERT_EQ_INT(views_streak(&v, &c, 2), 3);
	/* Next Monday: this week has none yet, the streak lives on. */
	views_clock_init(&v, T0 + 7 * DAY + 1, &c);
	ASSERT_EQ_INT(views_streak(&v, &c, 2), 3);
	/* A stop ends the plan from then on. */
	ASSERT_EQ_INT(add(&v, &sam, c.now, NULL, "t=plan.stop;kid=Maya"), 0);
	n = views_slots(&v, &c, 2, c.week, c.next_week, s, 16);
	ASSERT_EQ_UINT(n, 0);
	views_finish(&v);
}
