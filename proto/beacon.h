/*
 * beacon.h: the LAN discovery beacon, one UDP datagram:
 *
 *	offset	size	field
 *	0	4	body length L = 67, big-endian (frame.h)
 *	4	1	version = 1
 *	5	16	tag = BLAKE2b-128(key = K, msg = bucket (u64 BE),
 *			  personal "attune-beacon-t1"), bucket = unix time / 300
 *	21	24	nonce, random
 *	45	26	XChaCha20-Poly1305(key = K, AD = bytes 4..44) of
 *			  port (u16 BE) | device fingerprint (8)
 *
 * K is the family's beacon key (hs_beacon_key) or, for a device waiting
 * to join, the invite's (beacon_invite_key). A receiver computes the tags
 * of the current bucket and its neighbours (clock skew) for each key it
 * knows and drops anything else unread: to a stranger a beacon is random
 * bytes, and a beacon of another family never matches. Replays within a
 * bucket only make a member try a connection, which the handshake gates.
 */
#ifndef ATTUNE_BEACON_H
#define ATTUNE_BEACON_H

#include <stdint.h>

#define BEACON_VERSION		1
#define BEACON_LEN		71	/* with the 4-byte length prefix */
#define BEACON_BUCKET_S		300
#define BEACON_FP		8

int	beacon_seal(uint8_t out[BEACON_LEN], const uint8_t key[32],
	    int64_t now_s, uint16_t port, const uint8_t fp[BEACON_FP]);
int	beacon_open(const uint8_t *in, size_t len, const uint8_t key[32],
	    int64_t now_s, uint16_t *port, uint8_t fp[BEACON_FP]);
void	beacon_invite_key(uint8_t out[32], const uint8_t invite_key[32]);

#endif
