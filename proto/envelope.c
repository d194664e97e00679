/*
 * envelope.c: seal, parse, verify and open the event envelope described
 * in envelope.h. Pure functions over bytes and keys; every cryptographic
 * operation is libsodium's.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "envelope.h"
#include "mpcheck.h"
#include "proto.h"

#define ENV_FIELDS	9
#define ENV_MAX_HEAD	192	/* a header is at most ~150 bytes */

static const unsigned char env_personal[crypto_generichash_blake2b_PERSONALBYTES] =
    "attune-event-key";

/* A bounded packer target for the header. */
struct headbuf {
	uint8_t	b[ENV_MAX_HEAD];
	size_t	n;
	bool	overflow;
};

static int	headbuf_write(void *, const char *, size_t);
static void	envelope_pack_head(const struct envelope *, struct headbuf *);
static int	envelope_fields(const msgpack_object *, struct envelope *);

static int
headbuf_write(void *data, const char *p, size_t n)
{
	struct headbuf	*hb = data;

	if (n > sizeof(hb->b) - hb->n) {
		hb->overflow = true;
		return (-1);
	}
	memcpy(hb->b + hb->n, p, n);
	hb->n += n;
	return (0);
}

/* Pack the array head and elements [0]..[7]: the AEAD additional data. */
static void
envelope_pack_head(const struct envelope *e, struct headbuf *hb)
{
	msgpack_packer	pk;

	hb->n = 0;
	hb->overflow = false;
	msgpack_packer_init(&pk, hb, headbuf_write);
	msgpack_pack_array(&pk, ENV_FIELDS);
	msgpack_pack_uint32(&pk, ENV_VERSION);
	msgpack_pack_bin_with_body(&pk, e->family_id, ENV_FAMILY_ID);
	msgpack_pack_bin_with_body(&pk, e->author, ENV_PK);
	msgpack_pack_uint64(&pk, e->seq);
	if (e->has_prev)
		msgpack_pack_bin_with_body(&pk, e->prev, ENV_ID);
	else
		msgpack_pack_nil(&pk);
	msgpack_pack_uint64(&pk, e->hlc_ms);
	msgpack_pack_uint32(&pk, e->key_epoch);
	msgpack_pack_bin_with_body(&pk, e->nonce, ENV_NONCE);
}

void
envelope_event_key(uint8_t out[ENV_KEY], const uint8_t family_key[ENV_KEY],
    const uint8_t nonce[ENV_NONCE])
{
	crypto_generichash_blake2b_salt_personal(out, ENV_KEY, nonce,
	    ENV_NONCE, family_key, ENV_KEY, NULL, env_personal);
}

/*
 * Seal payload into a new blob appended to out. The caller fills every
 * header field of e, including a fresh random nonce; on success e->id,
 * e->ad_len and e->blob_len are set (e->blob and e->ct stay NULL: out may
 * move). Return 0 or a negative PROTO_E_* code.
 */
int
envelope_seal(struct envelope *e, const uint8_t key[ENV_KEY],
    const uint8_t sk[ENV_SK], const uint8_t *payload, size_t len,
    msgpack_sbuffer *out)
{
	struct headbuf	 hb;
	msgpack_packer	 pk;
	uint8_t		 k[ENV_KEY], *ct = NULL, sig[ENV_SIG];
	size_t		 start = out->size, body;
	unsigned long long ctlen;
	int		 rc = -PROTO_E_INTERNAL;

	if (len > PROTO_MAX_PAYLOAD || e->seq == 0 ||
	    e->has_prev != (e->seq > 1))
		return (-PROTO_E_INVALID);
	envelope_pack_head(e, &hb);
	if (hb.overflow)
		return (-PROTO_E_INTERNAL);
	/* The ciphertext is not secret: plain malloc (sodium_malloc's guard
	 * pages cost ten system calls an append). */
	if ((ct = malloc(len + ENV_TAG)) == NULL)
		return (-PROTO_E_INTERNAL);
	envelope_event_key(k, key, e->nonce);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &ctlen, payload, len,
	    hb.b, hb.n, NULL, e->nonce, k);
	sodium_memzero(k, sizeof(k));

	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	if (msgpack_sbuffer_write(out, (const char *)hb.b, hb.n) != 0 ||
	    msgpack_pack_bin_with_body(&pk, ct, (size_t)ctlen) != 0)
		goto err_free_ct;
	body = out->size - start;
	crypto_sign_detached(sig, NULL, (uint8_t *)out->data + start, body,
	    sk);
	if (msgpack_sbuffer_write(out, (const char *)sig, ENV_SIG) != 0)
		goto err_free_ct;
	e->ad_len = hb.n;
	e->ct_len = (size_t)ctlen;
	e->blob_len = out->size - start;
	e->blob = NULL;
	e->ct = NULL;
	crypto_generichash(e->id, ENV_ID, (uint8_t *)out->data + start,
	    e->blob_len, NULL, 0);
	rc = 0;
err_free_ct:
	free(ct);
	return (rc);
}

/* Map the nine unpacked elements onto e, checking types and ranges. */
static int
envelope_fields(const msgpack_object *a, struct envelope *e)
{
	const msgpack_object	*f;

	if (a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size != ENV_FIELDS)
		return (-PROTO_E_MALFORMED);
	f = a->via.array.ptr;
	if (f[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return (-PROTO_E_MALFORMED);
	if (f[0].via.u64 != ENV_VERSION)
		return (-PROTO_E_VERSION);
	if (f[1].type != MSGPACK_OBJECT_BIN ||
	    f[1].via.bin.size != ENV_FAMILY_ID ||
	    f[2].type != MSGPACK_OBJECT_BIN || f[2].via.bin.size != ENV_PK ||
	    f[3].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    f[3].via.u64 == 0 ||
	    f[5].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    f[6].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    f[6].via.u64 > UINT32_MAX ||
	    f[7].type != MSGPACK_OBJECT_BIN || f[7].via.bin.size != ENV_NONCE ||
	    f[8].type != MSGPACK_OBJECT_BIN || f[8].via.bin.size < ENV_TAG)
		return (-PROTO_E_MALFORMED);
	memcpy(e->family_id, f[1].via.bin.ptr, ENV_FAMILY_ID);
	memcpy(e->author, f[2].via.bin.ptr, ENV_PK);
	e->seq = f[3].via.u64;
	if (f[4].type == MSGPACK_OBJECT_NIL)
		e->has_prev = false;
	else if (f[4].type == MSGPACK_OBJECT_BIN &&
	    f[4].via.bin.size == ENV_ID) {
		e->has_prev = true;
		memcpy(e->prev, f[4].via.bin.ptr, ENV_ID);
	} else
		return (-PROTO_E_MALFORMED);
	if (e->has_prev != (e->seq > 1))
		return (-PROTO_E_CHAIN);
	e->hlc_ms = f[5].via.u64;
	e->key_epoch = (uint32_t)f[6].via.u64;
	memcpy(e->nonce, f[7].via.bin.ptr, ENV_NONCE);
	e->ct_len = f[8].via.bin.size;
	return (0);
}

/*
 * Parse a blob: shape, types, canonical encoding, and the id. No
 * signature or AEAD check (envelope_verify, envelope_open). e points into
 * blob afterwards. Return 0 or a negative PROTO_E_* code.
 */
int
envelope_parse(const uint8_t *blob, size_t len, struct envelope *e)
{
	msgpack_unpacked	 up;
	msgpack_packer		 pk;
	struct headbuf		 hb;
	size_t			 body, binhead;
	int			 rc;

	memset(e, 0, sizeof(*e));
	if (len > ENV_MAX_BLOB)
		return (-PROTO_E_TOOBIG);
	if (len <= ENV_SIG + ENV_FIELDS)
		return (-PROTO_E_MALFORMED);
	body = len - ENV_SIG;
	msgpack_unpacked_init(&up);
	if ((rc = mp_unpack(blob, body, &up)) == 0)
		rc = envelope_fields(&up.data, e);
	msgpack_unpacked_destroy(&up);
	if (rc < 0)
		return (rc);
	/* Canonical: our own encoding of the header, then of the ciphertext's
	 * bin head, must be exactly what precedes the ciphertext. */
	if (e->ct_len > PROTO_MAX_PAYLOAD + ENV_TAG)
		return (-PROTO_E_TOOBIG);
	envelope_pack_head(e, &hb);
	binhead = hb.n;
	msgpack_packer_init(&pk, &hb, headbuf_write);
	msgpack_pack_bin(&pk, e->ct_len);
	if (hb.overflow || hb.n + e->ct_len != body ||
	    memcmp(hb.b, blob, hb.n) != 0)
		return (-PROTO_E_MALFORMED);
	e->ct = blob + hb.n;
	hb.n = binhead;
	e->ad_len = hb.n;
	e->blob = blob;
	e->blob_len = len;
	crypto_generichash(e->id, ENV_ID, blob, len, NULL, 0);
	return (0);
}

/* Check the author's signature. Return 0 or -PROTO_E_AUTH. */
int
envelope_verify(const struct envelope *e)
{
	size_t	body = e->blob_len - ENV_SIG;

	if (crypto_sign_verify_detached(e->blob + body, e->blob, body,
	    e->author) != 0)
		return (-PROTO_E_AUTH);
	return (0);
}

/*
 * Decrypt the payload into out (cap bytes). Return 0 with *len set,
 * -PROTO_E_TOOBIG, or -PROTO_E_AUTH when the tag does not verify.
 */
int
envelope_open(const struct envelope *e, const uint8_t key[ENV_KEY],
    uint8_t *out, size_t cap, size_t *len)
{
	uint8_t			k[ENV_KEY];
	unsigned long long	n;
	int			rc;

	if (e->ct_len - ENV_TAG > cap)
		return (-PROTO_E_TOOBIG);
	envelope_event_key(k, key, e->nonce);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out, &n, NULL, e->ct,
	    e->ct_len, e->blob, e->ad_len, e->nonce, k);
	sodium_memzero(k, sizeof(k));
	if (rc != 0)
		return (-PROTO_E_AUTH);
	*len = (size_t)n;
	return (0);
}
