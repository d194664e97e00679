/*
 * handshake.h: the cryptography of the peer handshake, as pure functions
 * (no sockets), and the keys derived from the family key.
 *
 * Keys (BLAKE2b-256 keyed by the parent key, with a 16-byte personal):
 *	network key  N = H(key = family key,   personal "attune-net-key-1")
 *	beacon key   B = H(key = N,            personal "attune-beacon-k1")
 *	invite key   I = H(key = code secret,  personal "attune-invite-k1")
 * A session is keyed by N between members, by I while pairing.
 *
 * Messages, each in one frame (frame.h), client first:
 *  1. hello, both ways (65 bytes): version (1) = 1 | eph_pk (32, X25519)
 *     | HMAC-SHA512-256(K, role (1: 'C' or 'S') | version | eph_pk) (32).
 *     The server reads the client's hello first; a bad MAC is met with
 *     silence (the connection is closed, nothing is sent), so a stranger
 *     without K learns nothing. The role byte stops reflection.
 *  2. session keys: crypto_kx over the ephemerals (client/server roles;
 *     a low-order key aborts), each then keyed by K:
 *     k' = H(key = K, msg = k, personal "attune-session-1"). Each side
 *     opens a crypto_secretstream with its tx key and sends the 24-byte
 *     header in a frame; every later frame is one secretstream message.
 *  3. identities, inside the streams (peermsg.h): the client sends its
 *     device key; the server answers with its device key and a signature;
 *     the client answers with its signature. A signature is Ed25519 by
 *     the device key over
 *	  label (16: "attune-auth-cli1" or "attune-auth-srv1") | client eph
 *	  | server eph | the *peer's* device key
 *     so it is bound to this session and to whom it was meant for. Device
 *     keys never enter a Diffie-Hellman.
 */
#ifndef ATTUNE_HANDSHAKE_H
#define ATTUNE_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#define HS_VERSION	1
#define HS_KEY		32
#define HS_HELLO_LEN	65
#define HS_SIGNED_LEN	(16 + 32 + 32 + 32)

enum hs_role {
	HS_CLIENT = 0,
	HS_SERVER = 1,
};

/* Handshake state; hold it in sodium_malloc'd memory. */
struct hs {
	enum hs_role	role;
	uint8_t		key[HS_KEY];
	uint8_t		eph_pk[32];
	uint8_t		eph_sk[32];
	uint8_t		peer_eph[32];
	uint8_t		rx[HS_KEY];
	uint8_t		tx[HS_KEY];
};

void	hs_net_key(uint8_t out[HS_KEY], const uint8_t family_key[32]);
void	hs_beacon_key(uint8_t out[HS_KEY], const uint8_t net_key[HS_KEY]);
void	hs_invite_key(uint8_t out[HS_KEY], const uint8_t *secret, size_t);

void	hs_init(struct hs *, enum hs_role, const uint8_t key[HS_KEY]);
void	hs_hello(const struct hs *, uint8_t out[HS_HELLO_LEN]);
int	hs_check_hello(struct hs *, const uint8_t *in, size_t len);
void	hs_sign(const struct hs *, const uint8_t sk[64],
	    const uint8_t peer_device[32], uint8_t sig[64]);
int	hs_verify(const struct hs *, const uint8_t peer_device[32],
	    const uint8_t my_device[32], const uint8_t sig[64]);

#endif
