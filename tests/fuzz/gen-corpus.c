/*
 * gen-corpus.c: write the seed corpora of the fuzz targets: valid
 * messages packed with msgpack-c and sealed with envelope_seal (with the
 * unit-test vector keys), and the adversarial inputs every decoder must
 * survive. The output is committed; rerun only when a format changes:
 *
 *	ninja -C build tests/fuzz/gen-corpus
 *	build/tests/fuzz/gen-corpus tests/fuzz/corpus
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "envelope.h"
#include "frame.h"
#include "mp.h"
#include "peermsg.h"
#include "proto.h"
#include "rpc.h"

static const char	*top;

/* Write a string literal's bytes, without the NUL. */
#define PUTS(t, name, lit)	put(t, name, lit, sizeof(lit) - 1)

static void	put(const char *, const char *, const void *, size_t);
static void	put_frame(const char *, const char *, const void *, size_t);
static void	pack_begin(msgpack_sbuffer *, msgpack_packer *);
static void	gen_rpc(void);
static void	gen_frame(void);
static void	gen_envelope(void);
static void	gen_peermsg(void);
static size_t	seal(uint8_t *, uint64_t, const uint8_t *, uint32_t, size_t);
static void	resign(uint8_t *, size_t);

static uint8_t	pk[ENV_PK], sk[ENV_SK], fkey[ENV_KEY];
static uint8_t	deep13[64], deep40[64];
static size_t	deep13_len, deep40_len;

static void
put(const char *target, const char *name, const void *p, size_t n)
{
	char	path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", top, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", top, target, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void
put_frame(const char *target, const char *name, const void *p, size_t n)
{
	uint8_t	buf[4096];

	frame_put_header(buf, (uint32_t)n);
	memcpy(buf + FRAME_HEADER, p, n);
	put(target, name, buf, FRAME_HEADER + n);
}

static void
pack_begin(msgpack_sbuffer *sb, msgpack_packer *pk_)
{
	msgpack_sbuffer_init(sb);
	msgpack_packer_init(pk_, sb, msgpack_sbuffer_write);
}

static void
gen_rpc(void)
{
	msgpack_sbuffer	sb;
	msgpack_packer	p;
	uint8_t		b[64];

	pack_begin(&sb, &p);
	rpc_pack_request(&p, 1, RPC_M_STATUS);
	msgpack_pack_array(&p, 0);
	put("rpc", "req-status", sb.data, sb.size);
	sb.size = 0;
	rpc_pack_request(&p, 2, RPC_M_APPEND);
	msgpack_pack_array(&p, 1);
	msgpack_pack_map(&p, 2);
	mp_pack_kv_str(&p, "t", "kid.add");
	mp_pack_kv_str(&p, "name", "Maya");
	put("rpc", "req-append", sb.data, sb.size);
	sb.size = 0;
	rpc_pack_request(&p, 3, RPC_M_LOG);
	msgpack_pack_array(&p, 1);
	msgpack_pack_map(&p, 3);
	mp_pack_kv_str(&p, "kid", "Ma");
	mp_pack_kv_uint(&p, "limit", 50);
	mp_pack_kv_str(&p, "since", "yesterday");
	put("rpc", "req-log", sb.data, sb.size);
	sb.size = 0;
	rpc_pack_response_ok(&p, 2);
	msgpack_pack_map(&p, 3);
	mp_pack_kv_hex(&p, "id", (const uint8_t *)"\x01\x02\x03\x04", 4);
	mp_pack_kv_uint(&p, "seq", 3);
	mp_pack_kv_uint(&p, "ts", 1767225600000ULL);
	put("rpc", "resp-ok", sb.data, sb.size);
	sb.size = 0;
	rpc_pack_response_err(&p, 9, -PROTO_E_NOTFOUND, "no kid Maya");
	put("rpc", "resp-err", sb.data, sb.size);
	sb.size = 0;
	rpc_pack_notify(&p, RPC_N_EVENT);
	msgpack_pack_array(&p, 1);
	msgpack_pack_map(&p, 2);
	mp_pack_kv_str(&p, "kind", "kid.add");
	mp_pack_kv_int(&p, "seq", -1);
	put("rpc", "notify-event", sb.data, sb.size);
	sb.size = 0;
	/* Every msgpack type in the params. */
	rpc_pack_request(&p, UINT32_MAX, RPC_M_VERIFY);
	msgpack_pack_array(&p, 9);
	msgpack_pack_double(&p, 1.5);
	msgpack_pack_float(&p, -2.0f);
	msgpack_pack_int64(&p, INT64_MIN);
	msgpack_pack_uint64(&p, UINT64_MAX);
	mp_pack_bin(&p, "\x00\xff", 2);
	msgpack_pack_ext_with_body(&p, "\x01\x02\x03", 3, 5);
	msgpack_pack_ext_with_body(&p, "0123456789abcdef", 16, -1);
	msgpack_pack_true(&p);
	msgpack_pack_nil(&p);
	put("rpc", "req-all-types", sb.data, sb.size);
	sb.size = 0;
	rpc_pack_request(&p, 4, RPC_M_STATUS);
	msgpack_pack_array(&p, 0);
	msgpack_sbuffer_write(&sb, "\xc0", 1);
	put("rpc", "adv-trailing", sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);

	PUTS("rpc", "req-unknown", "\x94\x00\x05\xaa" "frobnicate" "\x90");
	PUTS("rpc", "adv-method-33", "\x94\x00\x01\xd9\x21"
	    "abcdefghijklmnopqrstuvwxyz0123456" "\x90");
	PUTS("rpc", "adv-array32", "\xdd\xff\xff\xff\xff");
	PUTS("rpc", "adv-array16", "\xdc\xff\xff");
	PUTS("rpc", "adv-map32", "\xdf\xff\xff\xff\xff");
	PUTS("rpc", "adv-str32", "\x94\x00\x01\xdb\xff\xff\xff\xff" "kids");
	memcpy(b, "\x94\x00\x01\xa4" "kids", 8);
	memcpy(b + 8, deep13 + 1, deep13_len - 1);
	put("rpc", "adv-deep13", b, 8 + deep13_len - 1);
	put("rpc", "adv-deep40", deep40, deep40_len);
	PUTS("rpc", "adv-c1", "\x94\x00\x01\xc1\x90");
}

static void
gen_frame(void)
{
	static const uint8_t	req[] = "\x94\x00\x01\xa6" "status" "\x90";
	static const uint8_t	resp[] = "\x94\x01\x01\xc0\x81\xa1" "a"
	    "\x01";
	static const uint8_t	ntf[] = "\x93\x02\xa5" "event" "\x91\x80";
	uint8_t			b[256], body[80];
	size_t			n = 0;

	put_frame("frame", "one", req, sizeof(req) - 1);
	frame_put_header(b, sizeof(req) - 1);
	memcpy(b + 4, req, sizeof(req) - 1);
	n = 4 + sizeof(req) - 1;
	frame_put_header(b + n, sizeof(resp) - 1);
	memcpy(b + n + 4, resp, sizeof(resp) - 1);
	n += 4 + sizeof(resp) - 1;
	frame_put_header(b + n, sizeof(ntf) - 1);
	memcpy(b + n + 4, ntf, sizeof(ntf) - 1);
	n += 4 + sizeof(ntf) - 1;
	put("frame", "three", b, n);
	/* A good frame, then a zero length. */
	memset(b + 4 + sizeof(req) - 1, 0, 4);
	put("frame", "adv-zero-after-good", b, 4 + sizeof(req) - 1 + 4);
	PUTS("frame", "adv-zero", "\0\0\0\0\xc0");
	PUTS("frame", "adv-len-max", "\xff\xff\xff\xff\x90");
	frame_put_header(b, PROTO_MAX_REQUEST + 1);
	memcpy(b + 4, "\x90\x90\x90", 3);
	put("frame", "adv-len-over", b, 7);
	PUTS("frame", "adv-partial", "\x00\x00\x00\x64\x94\x00\x01");
	put_frame("frame", "adv-array32", "\xdd\xff\xff\xff\xff", 5);
	put_frame("frame", "adv-array16", "\xdc\xff\xff", 3);
	put_frame("frame", "adv-deep13", deep13, deep13_len);
	put_frame("frame", "adv-c1", "\x91\xc1", 2);
	put_frame("frame", "adv-trailing", "\x90\x90", 2);
	/* Bodies at and over the fuzzer's tiny maximum (64). */
	memset(body, 0xc0, sizeof(body));
	body[0] = 0xdc;
	body[1] = 0;
	body[2] = 61;
	put_frame("frame", "tiny-max-64", body, 64);
	body[2] = 62;
	put_frame("frame", "tiny-max-65", body, 65);
}

/* Seal the vector payload; return the blob length. */
static size_t
seal(uint8_t *out, uint64_t seq, const uint8_t *prev, uint32_t epoch,
    size_t plen)
{
	struct envelope	e;
	msgpack_sbuffer	sb, pl;
	msgpack_packer	p;
	size_t		i, n;

	pack_begin(&pl, &p);
	msgpack_pack_map(&p, 2);
	mp_pack_kv_str(&p, "t", "kid.add");
	mp_pack_kv_str(&p, "name", "Maya");
	while (pl.size < plen)
		msgpack_sbuffer_write(&pl, "", 1);
	memset(&e, 0, sizeof(e));
	for (i = 0; i < ENV_FAMILY_ID; i++)
		e.family_id[i] = (uint8_t)(0xa0 + i);
	memcpy(e.author, pk, ENV_PK);
	e.seq = seq;
	e.has_prev = prev != NULL;
	if (prev != NULL)
		memcpy(e.prev, prev, ENV_ID);
	e.hlc_ms = 1767225600000ULL;
	e.key_epoch = epoch;
	for (i = 0; i < ENV_NONCE; i++)
		e.nonce[i] = (uint8_t)(0x10 + i);
	msgpack_sbuffer_init(&sb);
	if (envelope_seal(&e, fkey, sk, (uint8_t *)pl.data,
	    plen ? plen : pl.size, &sb) != 0)
		abort();
	memcpy(out, sb.data, sb.size);
	n = sb.size;
	msgpack_sbuffer_destroy(&sb);
	msgpack_sbuffer_destroy(&pl);
	return (n);
}

/* Replace the signature at the end of a len-byte blob. */
static void
resign(uint8_t *blob, size_t len)
{
	crypto_sign_detached(blob + len - ENV_SIG, NULL, blob, len - ENV_SIG,
	    sk);
}

static void
gen_envelope(void)
{
	uint8_t	a[1024], b[1024], c[1024], id[ENV_ID];
	size_t	na, nb, nc;

	na = seal(a, 1, NULL, 0, 0);
	crypto_generichash(id, ENV_ID, a, na, NULL, 0);
	put("envelope", "seq1", a, na);
	nb = seal(b, 2, id, 0, 0);
	put("envelope", "seq2", b, nb);
	nc = seal(c, 1, NULL, ENV_EPOCH_PRIVATE, 0);
	put("envelope", "private-epoch", c, nc);
	nc = seal(c, 3, id, 7, 300);
	put("envelope", "bin16-ct", c, nc);
	/* seq (offset 54) as uint64: non-canonical. */
	memcpy(c, a, 54);
	memcpy(c + 54, "\xcf\0\0\0\0\0\0\0\x01", 9);
	memcpy(c + 63, a + 55, na - 55);
	resign(c, na + 8);
	put("envelope", "adv-seq-uint64", c, na + 8);
	/* Version 2. */
	memcpy(c, a, na);
	c[1] = 2;
	resign(c, na);
	put("envelope", "adv-version2", c, na);
	/* seq 2 without prev: [4] (offset 55, bin 32) replaced by nil. */
	memcpy(c, b, 55);
	c[55] = 0xc0;
	memcpy(c + 56, b + 55 + 34, nb - 55 - 34);
	resign(c, nb - 33);
	put("envelope", "adv-seq2-no-prev", c, nb - 33);
	put("envelope", "adv-truncated", a, 100);
	PUTS("envelope", "adv-array32", "\xdd\xff\xff\xff\xff");
	PUTS("envelope", "adv-array16", "\xdc\xff\xff");
	memset(c, 0x55, sizeof(c));
	memcpy(c, deep40, deep40_len);
	put("envelope", "adv-deep40", c, deep40_len + ENV_SIG);
	memcpy(c, "\x99\xdd\xff\xff\xff\xff", 6);
	put("envelope", "adv-inner-array32", c, 6 + ENV_SIG + 10);
}

/*
 * Peer messages as peermsg_decode sees them (a secretstream message,
 * unframed): each type packed with peermsg_pack_*, sealed events for
 * EVENTS, then the shapes the decoder must refuse.
 */
static void
gen_peermsg(void)
{
	msgpack_sbuffer	sb;
	msgpack_packer	p;
	uint8_t		a[1024], b[1024], id[ENV_ID], sig[64], au[ENV_PK];
	uint8_t		fid[16], big[128];
	size_t		na, nb, i;

	for (i = 0; i < sizeof(sig); i++)
		sig[i] = (uint8_t)(0x80 + i);
	for (i = 0; i < sizeof(fid); i++)
		fid[i] = (uint8_t)(0xa0 + i);
	na = seal(a, 1, NULL, 0, 0);
	crypto_generichash(id, ENV_ID, a, na, NULL, 0);
	nb = seal(b, 2, id, 0, 0);

	pack_begin(&sb, &p);
	peermsg_pack_ident(&p, pk, "Sam's laptop", true);
	put("peermsg", "ident-join", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_ident(&p, pk, NULL, false);
	put("peermsg", "ident-nil-name", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_auth(&p, pk, sig);
	put("peermsg", "auth", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_ack(&p, sig);
	put("peermsg", "ack", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_family(&p, fid, 7, fkey);
	put("peermsg", "family", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_heads_begin(&p, 0);
	put("peermsg", "heads-0", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_heads_begin(&p, 3);
	peermsg_pack_head(&p, pk, 2, id);
	memset(au, 0x33, sizeof(au));
	peermsg_pack_head(&p, au, 1, id);
	peermsg_pack_head(&p, fkey, UINT64_MAX, sig);
	put("peermsg", "heads-3", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_events_begin(&p, 0);
	put("peermsg", "events-0", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_events_begin(&p, 2);
	mp_pack_bin(&p, a, na);
	mp_pack_bin(&p, b, nb);
	put("peermsg", "events-2", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_error(&p, -PROTO_E_CHAIN);
	put("peermsg", "error", sb.data, sb.size);
	sb.size = 0;
	/* The lists at and over their limits. */
	peermsg_pack_heads_begin(&p, PEER_MAX_HEADS);
	for (i = 0; i < PEER_MAX_HEADS; i++)
		peermsg_pack_head(&p, pk, i + 1, id);
	put("peermsg", "heads-max", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_heads_begin(&p, PEER_MAX_HEADS + 1);
	for (i = 0; i < PEER_MAX_HEADS + 1; i++)
		msgpack_pack_nil(&p);
	put("peermsg", "adv-heads-over", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_events_begin(&p, PEER_MAX_EVENTS + 1);
	for (i = 0; i < PEER_MAX_EVENTS + 1; i++)
		mp_pack_bin(&p, "", 0);
	put("peermsg", "adv-events-over", sb.data, sb.size);
	sb.size = 0;
	/* Each head entry broken in one way. */
	msgpack_pack_array(&p, 2);
	msgpack_pack_uint32(&p, PM_HEADS);
	msgpack_pack_array(&p, 5);
	msgpack_pack_array(&p, 3);
	mp_pack_bin(&p, pk, 31);
	msgpack_pack_uint64(&p, 1);
	mp_pack_bin(&p, id, 32);
	msgpack_pack_array(&p, 2);
	mp_pack_bin(&p, pk, 32);
	msgpack_pack_uint64(&p, 1);
	msgpack_pack_array(&p, 3);
	mp_pack_bin(&p, pk, 32);
	msgpack_pack_int64(&p, -1);
	mp_pack_bin(&p, id, 32);
	msgpack_pack_map(&p, 0);
	msgpack_pack_array(&p, 3);
	mp_pack_bin(&p, pk, 32);
	msgpack_pack_uint64(&p, 1);
	mp_pack_bin(&p, id, 33);
	put("peermsg", "adv-heads-broken", sb.data, sb.size);
	sb.size = 0;
	/* IDENT with a 65-byte name; FAMILY with a 2^32 epoch. */
	msgpack_pack_array(&p, 4);
	msgpack_pack_uint32(&p, PM_IDENT);
	mp_pack_bin(&p, pk, 32);
	memset(big, 'n', 65);
	mp_pack_strn(&p, (const char *)big, 65);
	msgpack_pack_true(&p);
	put("peermsg", "adv-ident-name65", sb.data, sb.size);
	sb.size = 0;
	msgpack_pack_array(&p, 4);
	msgpack_pack_uint32(&p, PM_FAMILY);
	mp_pack_bin(&p, fid, 16);
	msgpack_pack_uint64(&p, (uint64_t)UINT32_MAX + 1);
	mp_pack_bin(&p, fkey, 32);
	put("peermsg", "adv-family-epoch64", sb.data, sb.size);
	sb.size = 0;
	msgpack_pack_array(&p, 3);
	msgpack_pack_uint32(&p, PM_AUTH);
	mp_pack_bin(&p, pk, 32);
	mp_pack_bin(&p, sig, 63);
	put("peermsg", "adv-auth-sig63", sb.data, sb.size);
	sb.size = 0;
	peermsg_pack_error(&p, PROTO_E_BUSY);
	msgpack_pack_nil(&p);
	put("peermsg", "adv-trailing", sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);

	PUTS("peermsg", "adv-type0", "\x92\x00\x05");
	PUTS("peermsg", "adv-type8", "\x92\x08\x05");
	PUTS("peermsg", "adv-type-uint64", "\x92\xcf\0\0\0\x01\0\0\0\x07"
	    "\x05");
	PUTS("peermsg", "adv-map", "\x82\x00\x07\x01\x05");
	PUTS("peermsg", "adv-fixarray1", "\x91\x05");
	PUTS("peermsg", "adv-array32", "\xdd\xff\xff\xff\xff");
	PUTS("peermsg", "adv-heads-array32", "\x92\x05\xdd\xff\xff\xff"
	    "\xff");
	PUTS("peermsg", "adv-events-bin32", "\x92\x06\x91\xc6\xff\xff\xff"
	    "\xff");
	PUTS("peermsg", "adv-events-not-bin", "\x92\x06\x93\xc4\x02" "ab"
	    "\xa2" "ab" "\xc0");
	PUTS("peermsg", "adv-c1", "\x92\x07\xc1");
	/* [5, [[[...[1]...]]]] 13 arrays deep. */
	memcpy(big, "\x92\x05", 2);
	memcpy(big + 2, deep13 + 1, deep13_len - 1);
	put("peermsg", "adv-deep13", big, deep13_len + 1);
}

int
main(int argc, char **argv)
{
	uint8_t	seed[32];
	size_t	i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
		return (2);
	}
	top = argv[1];
	if (sodium_init() < 0)
		return (1);
	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	crypto_sign_seed_keypair(pk, sk, seed);
	for (i = 0; i < ENV_KEY; i++)
		fkey[i] = (uint8_t)(0x40 + i);
	/* [[[...[1]...]]] 13 and 40 arrays deep. */
	memset(deep13, 0x91, 13);
	deep13[13] = 0x01;
	deep13_len = 14;
	memset(deep40, 0x91, 40);
	deep40[40] = 0x01;
	deep40_len = 41;
	gen_rpc();
	gen_frame();
	gen_envelope();
	gen_peermsg();
	return (0);
}
