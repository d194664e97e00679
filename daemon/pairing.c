/*
 * pairing.c: make, parse and track the invite codes of pairing.h. The
 * secret is used only through the derived invite key; the code itself
 * is shown once and never stored.
 */
#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "pairing.h"
#include "proto.h"

#define PAIRING_RAW	(PAIRING_SECRET + PAIRING_FP + 2)
#define PAIRING_CHARS	((PAIRING_RAW * 8 + 4) / 5)	/* base32 */

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

static void
pairing_check(const uint8_t *raw, uint8_t out[2])
{
	uint8_t	h[32];

	crypto_generichash(h, sizeof(h), raw, PAIRING_SECRET + PAIRING_FP,
	    NULL, 0);
	out[0] = h[0];
	out[1] = h[1];
}

/*
 * Make a new invite valid for ttl_ms. Return 0 with the code written
 * (and *out, if not NULL, pointing at the invite), or -PROTO_E_BUSY when PAIRING_MAX_INVITES are open.
 */
int
pairing_create(struct pairing *p, const uint8_t device_pk[32],
    int64_t now_ms, int64_t ttl_ms, char code[PAIRING_CODE_MAX],
    const struct invite **out)
{
	uint8_t		raw[PAIRING_RAW];
	struct invite	*inv = NULL;
	unsigned	bits = 0, acc = 0, n = 0, i, o = 0;

	for (i = 0; i < PAIRING_MAX_INVITES; i++) {
		struct invite	*c = &p->inv[i];

		if (!c->active || c->used || c->expires_ms <= now_ms) {
			inv = c;
			break;
		}
	}
	if (inv == NULL)
		return (-PROTO_E_BUSY);
	randombytes_buf(raw, PAIRING_SECRET);
	memcpy(raw + PAIRING_SECRET, device_pk, PAIRING_FP);
	pairing_check(raw, raw + PAIRING_SECRET + PAIRING_FP);
	memset(inv, 0, sizeof(*inv));
	hs_invite_key(inv->key, raw, PAIRING_SECRET);
	inv->expires_ms = now_ms + ttl_ms;
	inv->active = true;
	for (i = 0; i < PAIRING_RAW; i++) {
		acc = acc << 8 | raw[i];
		bits += 8;
		while (bits >= 5) {
			if (n > 0 && n % 6 == 0)
				code[o++] = '-';
			code[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
			n++;
		}
	}
	if (bits > 0) {
		if (n % 6 == 0)
			code[o++] = '-';
		code[o++] = b32[(acc << (5 - bits)) & 31];
	}
	code[o] = '\0';
	sodium_memzero(raw, sizeof(raw));
	if (out != NULL)
		*out = inv;
	return (0);
}

/*
 * Parse a code typed by a person: case, '-' and spaces are ignored.
 * Return 0 or -PROTO_E_INVALID (wrong length, alphabet or check).
 */
int
pairing_parse(const char *code, uint8_t secret[PAIRING_SECRET],
    uint8_t fp[PAIRING_FP])
{
	uint8_t		raw[PAIRING_RAW], check[2];
	unsigned	acc = 0, bits = 0, n = 0, chars = 0;
	const char	*c, *pos;

	for (c = code; *c != '\0'; c++) {
		if (*c == '-' || *c == ' ')
			continue;
		if ((pos = strchr(b32, tolower((unsigned char)*c))) == NULL ||
		    *c == '\0')
			return (-PROTO_E_INVALID);
		if (++chars > PAIRING_CHARS)
			return (-PROTO_E_INVALID);
		acc = acc << 5 | (unsigned)(pos - b32);
		bits += 5;
		if (bits >= 8) {
			if (n == PAIRING_RAW)
				return (-PROTO_E_INVALID);
			raw[n++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	/* Exactly the characters a code has, padded with zero bits. */
	if (n != PAIRING_RAW || chars != PAIRING_CHARS ||
	    (acc & ((1U << bits) - 1)) != 0)
		return (-PROTO_E_INVALID);
	pairing_check(raw, check);
	if (memcmp(check, raw + PAIRING_SECRET + PAIRING_FP, 2) != 0)
		return (-PROTO_E_INVALID);
	memcpy(secret, raw, PAIRING_SECRET);
	memcpy(fp, raw + PAIRING_SECRET, PAIRING_FP);
	sodium_memzero(raw, sizeof(raw));
	return (0);
}

int
pairing_open_count(const struct pairing *p, int64_t now_ms)
{
	int	i, n = 0;

	for (i = 0; i < PAIRING_MAX_INVITES; i++)
		n += p->inv[i].active && !p->inv[i].used &&
		    p->inv[i].expires_ms > now_ms;
	return (n);
}

/* Iterate the open invites: *iter starts at 0. NULL at the end. */
struct invite *
pairing_next(struct pairing *p, int64_t now_ms, int *iter)
{
	while (*iter < PAIRING_MAX_INVITES) {
		struct invite	*inv = &p->inv[(*iter)++];

		if (inv->active && !inv->used && inv->expires_ms > now_ms)
			return (inv);
	}
	return (NULL);
}
