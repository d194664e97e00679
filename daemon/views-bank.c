/*
 * views-bank.c: the emotional bank account per kid. Deposits are 1:1s,
 * 2x10 days (one per local day), moments and repairs completed;
 * withdrawals are repairs opened. Counted over the last 7 and the last
 * 30 days up to now, with the ratio set against the 5:1 guideline: a
 * window meets it with no withdrawal and at least one deposit, or with
 * five deposits or more per withdrawal.
 */
#include <string.h>

#include "mp.h"
#include "views.h"

#define BANK_GUIDE	5

struct bank_sum {
	uint64_t	one_on_ones, twoxten_days, moments, repairs_done;
	uint64_t	deposits, withdrawals;
};

static void	bank_sum(const struct views *, int kid, int64_t from,
		    int64_t to, struct bank_sum *);
static void	bank_pack_window(msgpack_packer *, const char *, int,
		    const struct bank_sum *);

static void
bank_sum(const struct views *v, int kid, int64_t from, int64_t to,
    struct bank_sum *b)
{
	struct views_iter	it;
	int64_t			last_day = -1, day;

	memset(b, 0, sizeof(*b));
	views_iter_init(&it, v, KIND_BIT(KIND_ONE_ON_ONE) |
	    KIND_BIT(KIND_MOMENT), from, to, kid);
	while (views_iter_next(&it)) {
		if (it.ve->kind == KIND_ONE_ON_ONE)
			b->one_on_ones++;
		else
			b->moments++;
	}
	/* 2x10 days: entries come in hlc order, days may repeat anywhere. */
	views_iter_init(&it, v, KIND_BIT(KIND_TWOXTEN_DAY), from, to, kid);
	{
		int64_t	days[64];
		size_t	n = 0, i;

		while (views_iter_next(&it)) {
			day = views_day_start(it.at);
			if (day == last_day)
				continue;
			for (i = 0; i < n && days[i] != day; i++)
				;
			if (i < n)
				continue;
			if (n < sizeof(days) / sizeof(days[0]))
				days[n++] = day;
			last_day = day;
			b->twoxten_days++;
		}
	}
	views_repair_counts(v, kid, from, to, &b->withdrawals,
	    &b->repairs_done);
	b->deposits = b->one_on_ones + b->twoxten_days + b->moments +
	    b->repairs_done;
}

/* {days, deposits, withdrawals, ratio (float or nil), meets, by: {...}} */
static void
bank_pack_window(msgpack_packer *pk, const char *key, int days,
    const struct bank_sum *b)
{
	mp_pack_cstr(pk, key);
	msgpack_pack_map(pk, 6);
	mp_pack_kv_uint(pk, "days", (uint64_t)days);
	mp_pack_kv_uint(pk, "deposits", b->deposits);
	mp_pack_kv_uint(pk, "withdrawals", b->withdrawals);
	mp_pack_cstr(pk, "ratio");
	if (b->withdrawals > 0)
		msgpack_pack_double(pk, (double)b->deposits /
		    (double)b->withdrawals);
	else
		msgpack_pack_nil(pk);
	mp_pack_kv_bool(pk, "meets", b->withdrawals == 0 ? b->deposits > 0 :
	    b->deposits >= BANK_GUIDE * b->withdrawals);
	mp_pack_cstr(pk, "by");
	msgpack_pack_map(pk, 5);
	mp_pack_kv_uint(pk, "one_on_ones", b->one_on_ones);
	mp_pack_kv_uint(pk, "twoxten_days", b->twoxten_days);
	mp_pack_kv_uint(pk, "moments", b->moments);
	mp_pack_kv_uint(pk, "repairs_done", b->repairs_done);
	mp_pack_kv_uint(pk, "repairs_opened", b->withdrawals);
}

/* kid's account: {kid, guideline: 5, last7: window, last30: window}. */
void
views_pack_bank(const struct views *v, const struct views_clock *c,
    int kid, msgpack_packer *pk)
{
	struct bank_sum	b;
	int64_t		to = c->now + 1;

	msgpack_pack_map(pk, 4);
	mp_pack_cstr(pk, "kid");
	views_pack_ref(v, pk, kid);
	mp_pack_kv_uint(pk, "guideline", BANK_GUIDE);
	bank_sum(v, kid, c->now - 7 * VIEWS_DAY_MS, to, &b);
	bank_pack_window(pk, "last7", 7, &b);
	bank_sum(v, kid, c->now - 30 * VIEWS_DAY_MS, to, &b);
	bank_pack_window(pk, "last30", 30, &b);
}
