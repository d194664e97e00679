/*
 * handshake.c: key derivation and the handshake steps of handshake.h.
 * Every primitive is libsodium's; this file only fixes what is hashed,
 * MACed and signed, in which order.
 */
#include <string.h>

#include <sodium.h>

#include "handshake.h"
#include "proto.h"

static void	hs_derive(uint8_t out[HS_KEY], const uint8_t *key, size_t klen,
		    const uint8_t *msg, size_t mlen, const char personal[17]);
static void	hs_mac(const struct hs *, enum hs_role, uint8_t,
		    const uint8_t eph[32], uint8_t out[32]);
static void	hs_signed_bytes(const struct hs *, enum hs_role signer,
		    const uint8_t peer_device[32], uint8_t out[HS_SIGNED_LEN]);

static void
hs_derive(uint8_t out[HS_KEY], const uint8_t *key, size_t klen,
    const uint8_t *msg, size_t mlen, const char personal[17])
{
	crypto_generichash_blake2b_salt_personal(out, HS_KEY, msg, mlen, key,
	    klen, NULL, (const unsigned char *)personal);
}

void
hs_net_key(uint8_t out[HS_KEY], const uint8_t family_key[32])
{
	hs_derive(out, family_key, 32, NULL, 0, "attune-net-key-1");
}

void
hs_beacon_key(uint8_t out[HS_KEY], const uint8_t net_key[HS_KEY])
{
	hs_derive(out, net_key, HS_KEY, NULL, 0, "attune-beacon-k1");
}

void
hs_invite_key(uint8_t out[HS_KEY], const uint8_t *secret, size_t len)
{
	hs_derive(out, secret, len, NULL, 0, "attune-invite-k1");
}

void
hs_init(struct hs *hs, enum hs_role role, const uint8_t key[HS_KEY])
{
	sodium_memzero(hs, sizeof(*hs));
	hs->role = role;
	memcpy(hs->key, key, HS_KEY);
	crypto_kx_keypair(hs->eph_pk, hs->eph_sk);
}

static void
hs_mac(const struct hs *hs, enum hs_role role, uint8_t version,
    const uint8_t eph[32], uint8_t out[32])
{
	uint8_t	msg[2 + 32];

	msg[0] = role == HS_CLIENT ? 'C' : 'S';
	msg[1] = version;
	memcpy(msg + 2, eph, 32);
	crypto_auth(out, msg, sizeof(msg), hs->key);
}

/* Our hello: version | eph_pk | MAC. */
void
hs_hello(const struct hs *hs, uint8_t out[HS_HELLO_LEN])
{
	out[0] = HS_VERSION;
	memcpy(out + 1, hs->eph_pk, 32);
	hs_mac(hs, hs->role, HS_VERSION, hs->eph_pk, out + 33);
}

/*
 * Check the peer's hello and derive the session keys.
 * Return 0, -PROTO_E_VERSION, or -PROTO_E_AUTH (bad MAC, reflected
 * hello, low-order key).
 */
int
hs_check_hello(struct hs *hs, const uint8_t *in, size_t len)
{
	enum hs_role	peer = hs->role == HS_CLIENT ? HS_SERVER : HS_CLIENT;
	uint8_t		mac[32], rx[HS_KEY], tx[HS_KEY];
	int		rc;

	if (len != HS_HELLO_LEN)
		return (-PROTO_E_AUTH);
	/* MAC over the version received: a genuine other version is told
	 * apart from a forgery. */
	hs_mac(hs, peer, in[0], in + 1, mac);
	if (sodium_memcmp(mac, in + 33, 32) != 0)
		return (-PROTO_E_AUTH);
	if (in[0] != HS_VERSION)
		return (-PROTO_E_VERSION);
	if (sodium_memcmp(in + 1, hs->eph_pk, 32) == 0)
		return (-PROTO_E_AUTH);
	memcpy(hs->peer_eph, in + 1, 32);
	if (hs->role == HS_CLIENT)
		rc = crypto_kx_client_session_keys(rx, tx, hs->eph_pk,
		    hs->eph_sk, hs->peer_eph);
	else
		rc = crypto_kx_server_session_keys(rx, tx, hs->eph_pk,
		    hs->eph_sk, hs->peer_eph);
	if (rc != 0)
		return (-PROTO_E_AUTH);
	hs_derive(hs->rx, hs->key, HS_KEY, rx, HS_KEY, "attune-session-1");
	hs_derive(hs->tx, hs->key, HS_KEY, tx, HS_KEY, "attune-session-1");
	sodium_memzero(rx, sizeof(rx));
	sodium_memzero(tx, sizeof(tx));
	sodium_memzero(hs->eph_sk, sizeof(hs->eph_sk));
	return (0);
}

static void
hs_signed_bytes(const struct hs *hs, enum hs_role signer,
    const uint8_t peer_device[32], uint8_t out[HS_SIGNED_LEN])
{
	const uint8_t	*c_eph, *s_eph;

	c_eph = hs->role == HS_CLIENT ? hs->eph_pk : hs->peer_eph;
	s_eph = hs->role == HS_CLIENT ? hs->peer_eph : hs->eph_pk;
	memcpy(out, signer == HS_CLIENT ? "attune-auth-cli1" :
	    "attune-auth-srv1", 16);
	memcpy(out + 16, c_eph, 32);
	memcpy(out + 48, s_eph, 32);
	memcpy(out + 80, peer_device, 32);
}

/* Sign this session for the peer whose device key is peer_device. */
void
hs_sign(const struct hs *hs, const uint8_t sk[64],
    const uint8_t peer_device[32], uint8_t sig[64])
{
	uint8_t	msg[HS_SIGNED_LEN];

	hs_signed_bytes(hs, hs->role, peer_device, msg);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
}

/* Check the peer's signature, made for my_device. 0 or -PROTO_E_AUTH. */
int
hs_verify(const struct hs *hs, const uint8_t peer_device[32],
    const uint8_t my_device[32], const uint8_t sig[64])
{
	uint8_t		msg[HS_SIGNED_LEN];
	enum hs_role	peer = hs->role == HS_CLIENT ? HS_SERVER : HS_CLIENT;

	hs_signed_bytes(hs, peer, my_device, msg);
	if (crypto_sign_verify_detached(sig, msg, sizeof(msg),
	    peer_device) != 0)
		return (-PROTO_E_AUTH);
	return (0);
}
