/*
 * envelope.h: the signed, encrypted event envelope: the unit of the
 * append-only log, stored verbatim and synced verbatim.
 *
 * A stored event ("blob") is the envelope followed by its signature:
 *
 *	blob = envelope || sig
 *	envelope = msgpack array of 9, encoded canonically (smallest int,
 *	    str and bin forms):
 *	  [0] v		 uint, 1
 *	  [1] family_id	 bin 16
 *	  [2] author	 bin 32, the author device's Ed25519 public key
 *	  [3] seq	 uint >= 1, 1, 2, 3... per author
 *	  [4] prev	 bin 32, id of the author's event seq-1; nil iff seq 1
 *	  [5] hlc_ms	 uint, hybrid logical clock, ms since the epoch (UTC)
 *	  [6] key_epoch	 uint <= 0xffffffff; ENV_EPOCH_PRIVATE is reserved
 *			 for entries sealed to the author's own key
 *	  [7] nonce	 bin 24, random
 *	  [8] ciphertext bin >= 16 bytes
 *	sig = Ed25519 detached signature (64 bytes) by author over envelope
 *	id = BLAKE2b-256(blob)
 *
 * The payload (a msgpack map {"t": kind, ...}) is sealed with
 * XChaCha20-Poly1305-IETF under the per-event key
 *	k = BLAKE2b-256(key = family key of key_epoch, msg = nonce,
 *	    personal = "attune-event-key")
 * with the envelope bytes before element [8] as additional data, so the
 * header cannot be changed without breaking the tag. Handing out k
 * discloses one event without the family key.
 *
 * Readers: parse (shape, canonical form, id), then verify the signature,
 * then check the chain and authorisation (daemon), then open.
 */
#ifndef ATTUNE_ENVELOPE_H
#define ATTUNE_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define ENV_VERSION		1
#define ENV_FAMILY_ID		16
#define ENV_PK			32
#define ENV_SK			64
#define ENV_ID			32
#define ENV_SIG			64
#define ENV_NONCE		24
#define ENV_KEY			32
#define ENV_TAG			16
#define ENV_EPOCH_PRIVATE	0xffffffffU
/* Longest blob: header, the largest payload, its tag and the signature. */
#define ENV_MAX_BLOB		(PROTO_MAX_PAYLOAD + 256)

struct envelope {
	uint8_t		 family_id[ENV_FAMILY_ID];
	uint8_t		 author[ENV_PK];
	uint64_t	 seq;
	bool		 has_prev;
	uint8_t		 prev[ENV_ID];
	uint64_t	 hlc_ms;
	uint32_t	 key_epoch;
	uint8_t		 nonce[ENV_NONCE];
	/* Set by parse and seal: */
	const uint8_t	*ct;		/* into the blob */
	size_t		 ct_len;
	const uint8_t	*blob;
	size_t		 blob_len;
	size_t		 ad_len;	/* bytes before element [8] */
	uint8_t		 id[ENV_ID];
};

int	envelope_seal(struct envelope *, const uint8_t key[ENV_KEY],
	    const uint8_t sk[ENV_SK], const uint8_t *payload, size_t len,
	    msgpack_sbuffer *out);
int	envelope_parse(const uint8_t *blob, size_t len, struct envelope *);
int	envelope_verify(const struct envelope *);
int	envelope_open(const struct envelope *, const uint8_t key[ENV_KEY],
	    uint8_t *out, size_t cap, size_t *len);
void	envelope_event_key(uint8_t out[ENV_KEY],
	    const uint8_t family_key[ENV_KEY], const uint8_t nonce[ENV_NONCE]);

#endif
