/*
 * beacon.c: seal and open the discovery beacon of beacon.h. Pure: the
 * time is a parameter, the sockets are the daemon's.
 */
#include <string.h>

#include <sodium.h>

#include "beacon.h"
#include "frame.h"
#include "proto.h"

#define BEACON_BODY	(BEACON_LEN - FRAME_HEADER)
#define BEACON_AD	(1 + 16 + 24)
#define BEACON_PLAIN	(2 + BEACON_FP)

static void
beacon_tag(uint8_t out[16], const uint8_t key[32], int64_t bucket)
{
	uint8_t	msg[8];
	int	i;

	for (i = 0; i < 8; i++)
		msg[i] = (uint8_t)((uint64_t)bucket >> (56 - 8 * i));
	crypto_generichash_blake2b_salt_personal(out, 16, msg, sizeof(msg),
	    key, 32, NULL, (const unsigned char *)"attune-beacon-t1");
}

void
beacon_invite_key(uint8_t out[32], const uint8_t invite_key[32])
{
	crypto_generichash_blake2b_salt_personal(out, 32, NULL, 0,
	    invite_key, 32, NULL, (const unsigned char *)"attune-beacon-i1");
}

/* Build a beacon announcing port. Return 0. */
int
beacon_seal(uint8_t out[BEACON_LEN], const uint8_t key[32], int64_t now_s,
    uint16_t port, const uint8_t fp[BEACON_FP])
{
	uint8_t	*b = out + FRAME_HEADER, plain[BEACON_PLAIN];

	frame_put_header(out, BEACON_BODY);
	b[0] = BEACON_VERSION;
	beacon_tag(b + 1, key, now_s / BEACON_BUCKET_S);
	randombytes_buf(b + 17, 24);
	plain[0] = (uint8_t)(port >> 8);
	plain[1] = (uint8_t)port;
	memcpy(plain + 2, fp, BEACON_FP);
	crypto_aead_xchacha20poly1305_ietf_encrypt(b + BEACON_AD, NULL, plain,
	    sizeof(plain), b, BEACON_AD, NULL, b + 17, key);
	return (0);
}

/*
 * Open a beacon sealed under key. Return 0 with port and fingerprint,
 * or -PROTO_E_AUTH for anything else (wrong size, version, tag, tag
 * outside the neighbouring buckets, or a failed seal).
 */
int
beacon_open(const uint8_t *in, size_t len, const uint8_t key[32],
    int64_t now_s, uint16_t *port, uint8_t fp[BEACON_FP])
{
	const uint8_t	*b = in + FRAME_HEADER;
	uint8_t		 tag[16], plain[BEACON_PLAIN];
	int64_t		 bucket = now_s / BEACON_BUCKET_S, d;

	if (len != BEACON_LEN || frame_get_header(in) != BEACON_BODY ||
	    b[0] != BEACON_VERSION)
		return (-PROTO_E_AUTH);
	for (d = -1; d <= 1; d++) {
		beacon_tag(tag, key, bucket + d);
		if (sodium_memcmp(tag, b + 1, 16) == 0)
			break;
	}
	if (d > 1)
		return (-PROTO_E_AUTH);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL,
	    b + BEACON_AD, BEACON_BODY - BEACON_AD, b, BEACON_AD, b + 17,
	    key) != 0)
		return (-PROTO_E_AUTH);
	*port = (uint16_t)(plain[0] << 8 | plain[1]);
	memcpy(fp, plain + 2, BEACON_FP);
	return (0);
}
