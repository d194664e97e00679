/*
 * pairing.h: single-use invite codes. A code carries 128 random bits
 * (the secret), the first 8 bytes of the inviter's device key (its
 * fingerprint) and a 2-byte check, base32 (lowercase, RFC 4648 alphabet)
 * in groups of six joined by '-':
 *
 *	code = base32(secret (16) | fingerprint (8) | check (2))
 *	check = first 2 bytes of BLAKE2b-256(secret | fingerprint)
 *
 * The check catches typos before the one attempt is spent. The session
 * key is hs_invite_key(secret). An invite lives in the inviter daemon's
 * memory only: it expires, it is spent by the first hello that proves the
 * secret, and a restart forgets it.
 */
#ifndef ATTUNE_PAIRING_H
#define ATTUNE_PAIRING_H

#include <stdbool.h>
#include <stdint.h>

#include "handshake.h"

#define PAIRING_SECRET		16
#define PAIRING_FP		8
#define PAIRING_CODE_MAX	64
#define PAIRING_MAX_INVITES	8

struct invite {
	uint8_t		key[HS_KEY];
	int64_t		expires_ms;
	bool		used;
	bool		active;
};

struct pairing {
	struct invite	inv[PAIRING_MAX_INVITES];
};

int	pairing_create(struct pairing *, const uint8_t device_pk[32],
	    int64_t now_ms, int64_t ttl_ms, char code[PAIRING_CODE_MAX],
	    const struct invite **out);
int	pairing_parse(const char *code, uint8_t secret[PAIRING_SECRET],
	    uint8_t fp[PAIRING_FP]);
int	pairing_open_count(const struct pairing *, int64_t now_ms);
struct invite *pairing_next(struct pairing *, int64_t now_ms, int *iter);

#endif
