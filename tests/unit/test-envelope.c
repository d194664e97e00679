/*
 * test-envelope.c: unit tests for proto/envelope.c. Known-answer vectors
 * pin the wire format: the blob is built twice, once by envelope_seal and
 * once here by hand from the spec in envelope.h, and both must equal the
 * committed hex. A hand-built blob is properly signed and sealed, so when
 * parse refuses one (non-canonical form, broken chain, version 2) it is
 * for that reason alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "envelope.h"
#include "harness.h"
#include "mp.h"
#include "proto.h"

#define KAT_HLC		1767225600000ULL	/* 2026-01-01T00:00:00Z */

/* The KAT blobs and ids (seq 1, then seq 2 with prev = id of seq 1). */
static const char kat_blob1[] =
    "9901c410a0a1a2a3a4a5a6a7a8a9aaabacadaeafc42003a107bff3ce10be1d70"
    "dd18e74bc09967e4d6309ba50d5f1ddc8664125531b801c0cf0000019b76daa8"
    "0000c418101112131415161718191a1b1c1d1e1f2021222324252627c4251f4e"
    "bb9d2330a53ba99f434f7c57a0606e728e015141b579a6d763cb53cd18da46bb"
    "1616fbb9fe810d70325b8794ac48b0da502a6b5e8e9cb298c31a02e450d53816"
    "63f88c331af740ad782c5a6ec3ebf9cb311239662f974ffc1980f45917b0e515"
    "d7110b";
static const char kat_id1[] =
    "6c2507d8b5b87234ffdf872c8a97396194aff03201a42b810d0f0a8433ff8fde";
static const char kat_blob2[] =
    "9901c410a0a1a2a3a4a5a6a7a8a9aaabacadaeafc42003a107bff3ce10be1d70"
    "dd18e74bc09967e4d6309ba50d5f1ddc8664125531b802c4206c2507d8b5b872"
    "34ffdf872c8a97396194aff03201a42b810d0f0a8433ff8fdecf0000019b76da"
    "a80000c418101112131415161718191a1b1c1d1e1f2021222324252627c4251f"
    "4ebb9d2330a53ba99f434f7c57a0606e728e01513bbe50e006ee2820f7f0ca4e"
    "bb24d3f9dd6302f2bf71edfabce14355d919ba4793de8eddd4944e6ba346c345"
    "be34c38f914aa7249c2af4fc035da07cbc0aca9e530ff7c2eb6bb98f9c8f86a5"
    "4009c809";
static const char kat_id2[] =
    "d6e1d810c0e99a5582d280f162ff10268fb3a9bb19c778bcee276c9bfc9d56c1";

/* One raw msgpack element of a hand-built envelope. */
struct field {
	uint8_t	b[48];
	size_t	n;
};

static uint8_t	pk[ENV_PK], sk[ENV_SK], fkey[ENV_KEY], fid[ENV_FAMILY_ID];
static uint8_t	nonce[ENV_NONCE];
static uint8_t	payload[64];
static size_t	payload_len;

static void	setup(void);
static void	kat_header(struct envelope *, uint64_t, const uint8_t *);
static size_t	seal(struct envelope *, uint8_t *, size_t);
static void	field(struct field *, const void *, size_t);
static void	hand_fields(struct field *, uint64_t, const uint8_t *);
static size_t	hand_seal(uint8_t *, const struct field *, uint8_t);
static char	*hex(const uint8_t *, size_t);
static int	parse_verify_open(const uint8_t *, size_t);

static void
setup(void)
{
	uint8_t		seed[32];
	msgpack_sbuffer	sb;
	msgpack_packer	pk_;
	size_t		i;

	ASSERT(sodium_init() >= 0);
	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	ASSERT_EQ_INT(crypto_sign_seed_keypair(pk, sk, seed), 0);
	for (i = 0; i < ENV_KEY; i++)
		fkey[i] = (uint8_t)(0x40 + i);
	for (i = 0; i < ENV_FAMILY_ID; i++)
		fid[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < ENV_NONCE; i++)
		nonce[i] = (uint8_t)(0x10 + i);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk_, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk_, 2);
	mp_pack_kv_str(&pk_, "t", "kid.add");
	mp_pack_kv_str(&pk_, "name", "Maya");
	ASSERT(sb.size <= sizeof(payload));
	memcpy(payload, sb.data, sb.size);
	payload_len = sb.size;
	msgpack_sbuffer_destroy(&sb);
}

static void
kat_header(struct envelope *e, uint64_t seq, const uint8_t *prev)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->family_id, fid, ENV_FAMILY_ID);
	memcpy(e->author, pk, ENV_PK);
	e->seq = seq;
	e->has_prev = prev != NULL;
	if (prev != NULL)
		memcpy(e->prev, prev, ENV_ID);
	e->hlc_ms = KAT_HLC;
	e->key_epoch = 0;
	memcpy(e->nonce, nonce, ENV_NONCE);
}

/* Seal the KAT payload with e's header into out; return the length. */
static size_t
seal(struct envelope *e, uint8_t *out, size_t cap)
{
	msgpack_sbuffer	sb;
	size_t		n;

	msgpack_sbuffer_init(&sb);
	ASSERT_EQ_INT(envelope_seal(e, fkey, sk, payload, payload_len, &sb),
	    0);
	ASSERT_EQ_UINT(e->blob_len, sb.size);
	ASSERT(sb.size <= cap);
	memcpy(out, sb.data, sb.size);
	n = sb.size;
	msgpack_sbuffer_destroy(&sb);
	return (n);
}

static void
field(struct field *f, const void *p, size_t n)
{
	ASSERT(n <= sizeof(f->b));
	memcpy(f->b, p, n);
	f->n = n;
}

/* The canonical raw elements [0]..[7] of a KAT header, from the spec. */
static void
hand_fields(struct field *f, uint64_t seq, const uint8_t *prev)
{
	uint8_t	b[48];
	int	i;

	field(&f[0], "\x01", 1);
	b[0] = 0xc4;
	b[1] = ENV_FAMILY_ID;
	memcpy(b + 2, fid, ENV_FAMILY_ID);
	field(&f[1], b, 2 + ENV_FAMILY_ID);
	b[1] = ENV_PK;
	memcpy(b + 2, pk, ENV_PK);
	field(&f[2], b, 2 + ENV_PK);
	ASSERT(seq < 128);
	b[0] = (uint8_t)seq;
	field(&f[3], b, 1);
	if (prev != NULL) {
		b[0] = 0xc4;
		b[1] = ENV_ID;
		memcpy(b + 2, prev, ENV_ID);
		field(&f[4], b, 2 + ENV_ID);
	} else
		field(&f[4], "\xc0", 1);
	b[0] = 0xcf;
	for (i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)(KAT_HLC >> (56 - 8 * i));
	field(&f[5], b, 9);
	field(&f[6], "\x00", 1);
	b[0] = 0xc4;
	b[1] = ENV_NONCE;
	memcpy(b + 2, nonce, ENV_NONCE);
	field(&f[7], b, 2 + ENV_NONCE);
}

/*
 * Build a blob from raw elements: head byte, f[0..7], the KAT payload
 * sealed as the spec says (bin 8 head), and an Ed25519 signature.
 */
static size_t
hand_seal(uint8_t *out, const struct field *f, uint8_t head)
{
	static const unsigned char	personal[16] = "attune-event-key";
	uint8_t				k[ENV_KEY];
	unsigned long long		ctlen;
	size_t				n = 0, ad;
	int				i;

	out[n++] = head;
	for (i = 0; i < 8; i++) {
		memcpy(out + n, f[i].b, f[i].n);
		n += f[i].n;
	}
	ad = n;
	ASSERT_EQ_INT(crypto_generichash_blake2b_salt_personal(k, ENV_KEY,
	    nonce, ENV_NONCE, fkey, ENV_KEY, NULL, personal), 0);
	out[n++] = 0xc4;
	out[n++] = (uint8_t)(payload_len + ENV_TAG);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + n, &ctlen, payload,
	    payload_len, out, ad, NULL, nonce, k);
	ASSERT_EQ_UINT(ctlen, payload_len + ENV_TAG);
	n += (size_t)ctlen;
	crypto_sign_detached(out + n, NULL, out, n, sk);
	return (n + ENV_SIG);
}

/* OUT: caller frees. */
static char *
hex(const uint8_t *p, size_t n)
{
	char	*s = malloc(2 * n + 1);

	ASSERT(s != NULL);
	mp_hex(s, p, n);
	return (s);
}

/* 0 if parse, verify and open (with the family key) all pass. */
static int
parse_verify_open(const uint8_t *blob, size_t len)
{
	struct envelope	e;
	uint8_t		out[PROTO_MAX_PAYLOAD];
	size_t		n;
	int		rc;

	if ((rc = envelope_parse(blob, len, &e)) < 0)
		return (rc);
	if ((rc = envelope_verify(&e)) < 0)
		return (rc);
	return (envelope_open(&e, fkey, out, sizeof(out), &n));
}

TEST(kat_seal_matches_spec)
{
	struct envelope	e1, e2;
	struct field	f[8];
	uint8_t		a[512], b[512], id[ENV_ID];
	size_t		na, nb;

	setup();
	kat_header(&e1, 1, NULL);
	na = seal(&e1, a, sizeof(a));
	hand_fields(f, 1, NULL);
	nb = hand_seal(b, f, 0x99);
	ASSERT_EQ_UINT(na, nb);
	ASSERT_EQ_MEM(a, b, na);
	/* id = BLAKE2b-256(blob), unkeyed. */
	crypto_generichash(id, ENV_ID, a, na, NULL, 0);
	ASSERT_EQ_MEM(e1.id, id, ENV_ID);
	ASSERT_EQ_UINT(e1.ad_len, 1 + 1 + 18 + 34 + 1 + 1 + 9 + 1 + 26);
	ASSERT_EQ_UINT(e1.ct_len, payload_len + ENV_TAG);

	kat_header(&e2, 2, e1.id);
	na = seal(&e2, a, sizeof(a));
	hand_fields(f, 2, e1.id);
	nb = hand_seal(b, f, 0x99);
	ASSERT_EQ_UINT(na, nb);
	ASSERT_EQ_MEM(a, b, na);
	crypto_generichash(id, ENV_ID, a, na, NULL, 0);
	ASSERT_EQ_MEM(e2.id, id, ENV_ID);
}

TEST(kat_literal)
{
	struct envelope	 e1, e2;
	uint8_t		 a[512], b[512];
	size_t		 na, nb;
	char		*s;

	setup();
	ASSERT_EQ_MEM(payload, "\x82\xa1" "t" "\xa7" "kid.add" "\xa4" "name"
	    "\xa4" "Maya", payload_len);
	/* The Ed25519 public key of seed 00..1f, as other libraries give it. */
	ASSERT_EQ_STR((s = hex(pk, ENV_PK)), "03a107bff3ce10be1d70dd18e74bc099"
	    "67e4d6309ba50d5f1ddc8664125531b8");
	free(s);
	kat_header(&e1, 1, NULL);
	na = seal(&e1, a, sizeof(a));
	kat_header(&e2, 2, e1.id);
	nb = seal(&e2, b, sizeof(b));
	if (getenv("KAT_PRINT") != NULL) {
		printf("# blob1 %s\n", (s = hex(a, na)));
		free(s);
		printf("# id1 %s\n", (s = hex(e1.id, ENV_ID)));
		free(s);
		printf("# blob2 %s\n", (s = hex(b, nb)));
		free(s);
		printf("# id2 %s\n", (s = hex(e2.id, ENV_ID)));
		free(s);
	}
	ASSERT_EQ_STR((s = hex(a, na)), kat_blob1);
	free(s);
	ASSERT_EQ_STR((s = hex(e1.id, ENV_ID)), kat_id1);
	free(s);
	ASSERT_EQ_STR((s = hex(b, nb)), kat_blob2);
	free(s);
	ASSERT_EQ_STR((s = hex(e2.id, ENV_ID)), kat_id2);
	free(s);
}

TEST(kat_literal_parses)
{
	struct envelope	e;
	uint8_t		blob[512], out[64], id[ENV_ID];
	size_t		n = (sizeof(kat_blob2) - 1) / 2, len;

	setup();
	ASSERT(n > 0 && n <= sizeof(blob));
	ASSERT_EQ_INT(mp_unhex(blob, n, kat_blob2, 2 * n), 0);
	ASSERT_EQ_INT(mp_unhex(id, ENV_ID, kat_id1, 2 * ENV_ID), 0);
	ASSERT_EQ_INT(envelope_parse(blob, n, &e), 0);
	ASSERT_EQ_UINT(e.seq, 2);
	ASSERT(e.has_prev);
	ASSERT_EQ_MEM(e.prev, id, ENV_ID);
	ASSERT_EQ_UINT(e.hlc_ms, KAT_HLC);
	ASSERT_EQ_MEM(e.author, pk, ENV_PK);
	ASSERT_EQ_INT(envelope_verify(&e), 0);
	ASSERT_EQ_INT(envelope_open(&e, fkey, out, sizeof(out), &len), 0);
	ASSERT_EQ_UINT(len, payload_len);
	ASSERT_EQ_MEM(out, payload, len);
}

TEST(round_trip)
{
	static const size_t	 sizes[] = { 0, 1, 200, 70, 65519,
	    PROTO_MAX_PAYLOAD };
	struct envelope		 e, p;
	msgpack_sbuffer		 sb;
	uint8_t			*in, *out, apk[ENV_PK], ask[ENV_SK];
	size_t			 i, len;

	setup();
	crypto_sign_keypair(apk, ask);
	in = malloc(PROTO_MAX_PAYLOAD);
	out = malloc(PROTO_MAX_PAYLOAD);
	ASSERT(in != NULL && out != NULL);
	randombytes_buf(in, PROTO_MAX_PAYLOAD);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&e, 0, sizeof(e));
		randombytes_buf(e.family_id, ENV_FAMILY_ID);
		memcpy(e.author, apk, ENV_PK);
		e.seq = i + 1;
		e.has_prev = i > 0;
		randombytes_buf(e.prev, ENV_ID);
		e.hlc_ms = UINT64_MAX - i;
		e.key_epoch = (uint32_t)i * 1000;
		randombytes_buf(e.nonce, ENV_NONCE);
		msgpack_sbuffer_init(&sb);
		ASSERT_EQ_INT(envelope_seal(&e, fkey, ask, in, sizes[i], &sb),
		    0);
		ASSERT(sb.size <= ENV_MAX_BLOB);
		ASSERT_EQ_INT(envelope_parse((uint8_t *)sb.data, sb.size, &p),
		    0);
		ASSERT_EQ_MEM(p.family_id, e.family_id, ENV_FAMILY_ID);
		ASSERT_EQ_MEM(p.author, apk, ENV_PK);
		ASSERT_EQ_UINT(p.seq, e.seq);
		ASSERT_EQ_INT(p.has_prev, e.has_prev);
		if (p.has_prev)
			ASSERT_EQ_MEM(p.prev, e.prev, ENV_ID);
		ASSERT_EQ_UINT(p.hlc_ms, e.hlc_ms);
		ASSERT_EQ_UINT(p.key_epoch, e.key_epoch);
		ASSERT_EQ_MEM(p.nonce, e.nonce, ENV_NONCE);
		ASSERT_EQ_MEM(p.id, e.id, ENV_ID);
		ASSERT_EQ_UINT(p.ad_len, e.ad_len);
		ASSERT_EQ_UINT(p.ct_len, e.ct_len);
		ASSERT_EQ_UINT(p.ct_len, sizes[i] + ENV_TAG);
		ASSERT_EQ_UINT(p.blob_len, sb.size);
		ASSERT_EQ_INT(envelope_verify(&p), 0);
		ASSERT_EQ_INT(envelope_open(&p, fkey, out, PROTO_MAX_PAYLOAD,
		    &len), 0);
		ASSERT_EQ_UINT(len, sizes[i]);
		ASSERT_EQ_MEM(out, in, len);
		/* One byte too small for the payload. */
		if (sizes[i] > 0)
			ASSERT_EQ_INT(envelope_open(&p, fkey, out,
			    sizes[i] - 1, &len), -PROTO_E_TOOBIG);
		msgpack_sbuffer_destroy(&sb);
	}
	free(in);
	free(out);
}

/* The per-event key alone opens that event (selective disclosure). */
TEST(event_key_discloses_one_event)
{
	struct envelope		e;
	uint8_t			blob[512], k[ENV_KEY], out[64];
	unsigned long long	n;
	size_t			len;

	setup();
	kat_header(&e, 1, NULL);
	len = seal(&e, blob, sizeof(blob));
	ASSERT_EQ_INT(envelope_parse(blob, len, &e), 0);
	envelope_event_key(k, fkey, e.nonce);
	ASSERT_EQ_INT(crypto_aead_xchacha20poly1305_ietf_decrypt(out, &n,
	    NULL, e.ct, e.ct_len, blob, e.ad_len, e.nonce, k), 0);
	ASSERT_EQ_UINT(n, payload_len);
	ASSERT_EQ_MEM(out, payload, payload_len);
}

/* No single-byte change anywhere in a blob survives all three checks. */
TEST(every_byte_flip_fails)
{
	static const uint8_t	masks[] = { 0x01, 0x80, 0xff };
	struct envelope		e;
	uint8_t			blob[512], bad[512];
	size_t			len, i, m, sig_fail = 0;
	int			rc;

	setup();
	kat_header(&e, 1, NULL);
	len = seal(&e, blob, sizeof(blob));
	ASSERT_EQ_INT(parse_verify_open(blob, len), 0);
	for (i = 0; i < len; i++) {
		for (m = 0; m < sizeof(masks); m++) {
			memcpy(bad, blob, len);
			bad[i] ^= masks[m];
			if ((rc = parse_verify_open(bad, len)) == 0)
				harness_fail(__FILE__, __LINE__, "flip 0x%02x "
				    "at %zu/%zu passes", masks[m], i, len);
			if (rc == -PROTO_E_AUTH)
				sig_fail++;
		}
	}
	/* The signature and ciphertext bytes at least fail authentication. */
	ASSERT(sig_fail >= 3 * (ENV_SIG + payload_len + ENV_TAG));
}

TEST(wrong_family_key)
{
	struct envelope	e;
	uint8_t		blob[512], key[ENV_KEY], out[64];
	size_t		len, n;

	setup();
	kat_header(&e, 1, NULL);
	len = seal(&e, blob, sizeof(blob));
	ASSERT_EQ_INT(envelope_parse(blob, len, &e), 0);
	ASSERT_EQ_INT(envelope_verify(&e), 0);
	memcpy(key, fkey, ENV_KEY);
	key[31] ^= 1;
	ASSERT_EQ_INT(envelope_open(&e, key, out, sizeof(out), &n),
	    -PROTO_E_AUTH);
	memset(key, 0, sizeof(key));
	ASSERT_EQ_INT(envelope_open(&e, key, out, sizeof(out), &n),
	    -PROTO_E_AUTH);
}

/* Signed by someone other than the author named in the header. */
TEST(wrong_signer)
{
	struct envelope	e;
	uint8_t		blob[512], opk[ENV_PK], osk[ENV_SK];
	msgpack_sbuffer	sb;

	setup();
	crypto_sign_keypair(opk, osk);
	kat_header(&e, 1, NULL);
	msgpack_sbuffer_init(&sb);
	ASSERT_EQ_INT(envelope_seal(&e, fkey, osk, payload, payload_len,
	    &sb), 0);
	memcpy(blob, sb.data, sb.size);
	ASSERT_EQ_INT(envelope_parse(blob, sb.size, &e), 0);
	ASSERT_EQ_INT(envelope_verify(&e), -PROTO_E_AUTH);
	msgpack_sbuffer_destroy(&sb);
}

/* Each element in a longer-than-needed form, otherwise valid: refused. */
TEST(non_canonical_refused)
{
	struct field	f[8], g[8];
	struct envelope	e;
	uint8_t		blob[512], b[48];
	size_t		len;

	setup();
	hand_fields(f, 1, NULL);
	len = hand_seal(blob, f, 0x99);
	ASSERT_EQ_INT(parse_verify_open(blob, len), 0);

#define REFUSE(i, raw) do {						\
	memcpy(g, f, sizeof(g));					\
	field(&g[i], raw, sizeof(raw) - 1);				\
	len = hand_seal(blob, g, 0x99);					\
	ASSERT_EQ_INT(envelope_parse(blob, len, &e), -PROTO_E_MALFORMED); \
} while (0)
	REFUSE(0, "\xcc\x01");				/* v as uint8 */
	REFUSE(0, "\xcf\x00\x00\x00\x00\x00\x00\x00\x01");
	REFUSE(3, "\xcf\x00\x00\x00\x00\x00\x00\x00\x01");	/* seq */
	REFUSE(3, "\xcc\x01");
	REFUSE(3, "\xce\x00\x00\x00\x01");
	REFUSE(6, "\xce\x00\x00\x00\x00");		/* key_epoch */
	REFUSE(6, "\xcc\x00");
	REFUSE(5, "\xcf\x00\x00\x00\x00\x00\x00\x00\x05");	/* hlc 5 */
	REFUSE(5, "\xd3\x00\x00\x01\x9b\x76\xda\xa8\x00");	/* as int64 */
	/* family_id as bin 16 with a bin16 head. */
	b[0] = 0xc5;
	b[1] = 0;
	b[2] = ENV_FAMILY_ID;
	memcpy(b + 3, fid, ENV_FAMILY_ID);
	memcpy(g, f, sizeof(g));
	field(&g[1], b, 3 + ENV_FAMILY_ID);
	len = hand_seal(blob, g, 0x99);
	ASSERT_EQ_INT(envelope_parse(blob, len, &e), -PROTO_E_MALFORMED);
	/* The array head as array16. */
	memmove(blob + 2, blob, len);
	memcpy(blob, "\xdc\x00\x09", 3);
	ASSERT_EQ_INT(envelope_parse(blob, len + 2, &e), -PROTO_E_MALFORMED);
}

/* The ciphertext under a bin16 head although it is shorter than 256. */
TEST(non_canonical_ct_head_refused)
{
	struct envelope	e;
	uint8_t		blob[512];
	size_t		len, body;

	setup();
	kat_header(&e, 1, NULL);
	len = seal(&e, blob, sizeof(blob));
	body = len - ENV_SIG;
	ASSERT_EQ_UINT(blob[e.ad_len], 0xc4);
	memmove(blob + e.ad_len + 3, blob + e.ad_len + 2, body - e.ad_len - 2);
	blob[e.ad_len] = 0xc5;
	blob[e.ad_len + 1] = 0;
	blob[e.ad_len + 2] = (uint8_t)(payload_len + ENV_TAG);
	crypto_sign_detached(blob + body + 1, NULL, blob, body + 1, sk);
	ASSERT_EQ_INT(envelope_parse(blob, len + 1, &e), -PROTO_E_MALFORMED);
}

TEST(chain_rules)
{
	struct envelope	e;
	struct field	f[8];
	msgpack_sbuffer	sb;
	uint8_t		blob[512], prev[ENV_ID];

	setup();
	memset(prev, 0x77, sizeof(prev));
	msgpack_sbuffer_init(&sb);
	kat_header(&e, 1, prev);
	ASSERT_EQ_INT(envelope_seal(&e, fkey, sk, payload, payload_len, &sb),
	    -PROTO_E_INVALID);
	kat_header(&e, 2, NULL);
	ASSERT_EQ_INT(envelope_seal(&e, fkey, sk, payload, payload_len, &sb),
	    -PROTO_E_INVALID);
	kat_header(&e, 0, NULL);
	ASSERT_EQ_INT(envelope_seal(&e, fkey, sk, payload, payload_len, &sb),
	    -PROTO_E_INVALID);
	ASSERT_EQ_UINT(sb.size, 0);
	msgpack_sbuffer_destroy(&sb);

	hand_fields(f, 1, prev);
	ASSERT_EQ_INT(envelope_parse(blob, hand_seal(blob, f, 0x99), &e),
	    -PROTO_E_CHAIN);
	hand_fields(f, 2, NULL);
	ASSERT_EQ_INT(envelope_parse(blob, hand_seal(blob, f, 0x99), &e),
	    -PROTO_E_CHAIN);
	hand_fields(f, 0, NULL);
	ASSERT_EQ_INT(envelope_parse(blob, hand_seal(blob, f, 0x99), &e),
	    -PROTO_E_MALFORMED);
	hand_fields(f, 2, prev);
	ASSERT_EQ_INT(parse_verify_open(blob, hand_seal(blob, f, 0x99)), 0);
}

TEST(version_refused)
{
	struct envelope	e;
	struct field	f[8];
	uint8_t		blob[512];

	setup();
	hand_fields(f, 1, NULL);
	field(&f[0], "\x02", 1);
	ASSERT_EQ_INT(envelope_parse(blob, hand_seal(blob, f, 0x99), &e),
	    -PROTO_E_VERSION);
	field(&f[0], "\x00", 1);
	ASSERT_EQ_INT(envelope_parse(blob, hand_seal(blob, f, 0x99), &e),
	    -PROTO_E_VERSION);
	field(&f[0], "\xa1" "1", 2);
	ASSERT_EQ_INT(envelope_parse(blob, hand_seal(blob, f, 0x99), &e),
	    -PROTO_E_MALFORMED);
}

TEST(wrong_shapes_refused)
{
	struct envelope	e;
	struct field	f[8], g[8];
	uint8_t		blob[512], b[48];

	setup();
	hand_fields(f, 1, NULL);
#define SHAPE(i, raw, n) do {						\
	memcpy(g, f, sizeof(g));					\
	field(&g[i], raw, n);						\
	if (envelope_parse(blob, hand_seal(blob, g, 0x99), &e) !=	\
	    -PROTO_E_MALFORMED)						\
		harness_fail(__FILE__, __LINE__, "field %d accepted", i); \
} while (0)
	memset(b, 0xc4, sizeof(b));
	b[1] = ENV_FAMILY_ID - 1;
	SHAPE(1, b, 2 + ENV_FAMILY_ID - 1);
	b[1] = ENV_FAMILY_ID + 1;
	SHAPE(1, b, 2 + ENV_FAMILY_ID + 1);
	b[1] = ENV_PK - 1;
	SHAPE(2, b, 2 + ENV_PK - 1);
	b[1] = ENV_ID - 1;
	SHAPE(4, b, 2 + ENV_ID - 1);
	b[1] = ENV_NONCE + 1;
	SHAPE(7, b, 2 + ENV_NONCE + 1);
	b[0] = 0xb0;			/* family id as a fixstr of 16 */
	SHAPE(1, b, 1 + ENV_FAMILY_ID);
	SHAPE(3, "\xff", 1);		/* seq -1 */
	SHAPE(3, "\xc0", 1);
	SHAPE(5, "\xc0", 1);
	SHAPE(5, "\xca\x00\x00\x00\x00", 5);
	SHAPE(6, "\xcf\x00\x00\x00\x01\x00\x00\x00\x00", 9);
	SHAPE(6, "\xff", 1);
	SHAPE(4, "\xc2", 1);
#undef SHAPE
}

/* A ciphertext shorter than the tag, signed: refused by parse. */
TEST(short_ciphertext_refused)
{
	struct envelope	e;
	struct field	f[8];
	uint8_t		blob[512];
	size_t		n = 0;
	int		i;

	setup();
	hand_fields(f, 1, NULL);
	blob[n++] = 0x99;
	for (i = 0; i < 8; i++) {
		memcpy(blob + n, f[i].b, f[i].n);
		n += f[i].n;
	}
	blob[n++] = 0xc4;
	blob[n++] = ENV_TAG - 1;
	memset(blob + n, 0x55, ENV_TAG - 1);
	n += ENV_TAG - 1;
	crypto_sign_detached(blob + n, NULL, blob, n, sk);
	ASSERT_EQ_INT(envelope_parse(blob, n + ENV_SIG, &e),
	    -PROTO_E_MALFORMED);
}

TEST(size_limits)
{
	struct envelope	 e;
	msgpack_sbuffer	 sb;
	uint8_t		*big, blob[512];
	size_t		 len;

	setup();
	big = calloc(1, ENV_MAX_BLOB + 2);
	ASSERT(big != NULL);
	ASSERT_EQ_INT(envelope_parse(big, ENV_MAX_BLOB + 1, &e),
	    -PROTO_E_TOOBIG);
	ASSERT_EQ_INT(envelope_parse(big, ENV_MAX_BLOB, &e),
	    -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(envelope_parse(big, 0, &e), -PROTO_E_MALFORMED);
	ASSERT_EQ_INT(envelope_parse(big, ENV_SIG + 9, &e),
	    -PROTO_E_MALFORMED);
	kat_header(&e, 1, NULL);
	msgpack_sbuffer_init(&sb);
	ASSERT_EQ_INT(envelope_seal(&e, fkey, sk, big, PROTO_MAX_PAYLOAD + 1,
	    &sb), -PROTO_E_INVALID);
	msgpack_sbuffer_destroy(&sb);
	free(big);

	/* A good blob with a byte more or less. */
	kat_header(&e, 1, NULL);
	len = seal(&e, blob, sizeof(blob));
	blob[len] = 0;
	ASSERT(envelope_parse(blob, len + 1, &e) < 0);
	ASSERT(envelope_parse(blob, len - 1, &e) < 0);
	ASSERT_EQ_INT(envelope_parse(blob, len, &e), 0);
}

TEST(private_epoch_round_trip)
{
	struct envelope	e;
	uint8_t		blob[512], out[64];
	size_t		len, n;

	setup();
	kat_header(&e, 1, NULL);
	e.key_epoch = ENV_EPOCH_PRIVATE;
	len = seal(&e, blob, sizeof(blob));
	/* [6] is the canonical uint32 ce ff ff ff ff, just before [7]. */
	ASSERT_EQ_MEM(blob + e.ad_len - 2 - ENV_NONCE - 5,
	    "\xce\xff\xff\xff\xff", 5);
	ASSERT_EQ_INT(envelope_parse(blob, len, &e), 0);
	ASSERT_EQ_UINT(e.key_epoch, ENV_EPOCH_PRIVATE);
	ASSERT_EQ_INT(envelope_verify(&e), 0);
	ASSERT_EQ_INT(envelope_open(&e, fkey, out, sizeof(out), &n), 0);
	ASSERT_EQ_MEM(out, payload, payload_len);
}
