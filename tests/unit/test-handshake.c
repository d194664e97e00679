/*
 * test-handshake.c: unit tests for proto/handshake.c: a whole exchange
 * between a client and a server in memory, every hello a side must
 * refuse (other key, reflection, low-order ephemeral with a valid MAC,
 * version, length), the binding of the identity signatures (peer device
 * key, session ephemerals, role label), and the key derivations, pinned
 * by known answers computed apart from this code (Python hashlib's
 * blake2b with the spec's key and personal).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "handshake.h"
#include "harness.h"
#include "mp.h"
#include "proto.h"

/* H(key = bytes 00..1f, personal "attune-net-key-1"), empty message. */
static const char kat_net[] =
    "345263e14ce1c54495865d2593bf8c6b3383096433033a30c864fb7797f5e2c7";
/* H(key = kat_net, personal "attune-beacon-k1"). */
static const char kat_beacon[] =
    "7f7717dbfe5a1e15c694db2158890c30b9e7345e2fd0193756cda551b5464097";
/* H(key = bytes 00..0f, personal "attune-invite-k1"). */
static const char kat_invite[] =
    "327f9896c90df4c2b530638a7244600d90860f2104d553ee416d9e8bffa97e0d";

/* The X25519 point of order 8 (libsodium's blacklist). */
static const char order8[] =
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800";

static uint8_t	key[HS_KEY];

static void	setup(void);
static void	pair(struct hs *, struct hs *);
static void	forged_hello(uint8_t out[HS_HELLO_LEN], char role,
		    uint8_t version, const uint8_t eph[32], const uint8_t *k);
static void	device(uint8_t pk[32], uint8_t sk[64], uint8_t seed);
static char	*hex(const uint8_t *, size_t);
static int	is_zero(const uint8_t *, size_t);

static void
setup(void)
{
	size_t	i;

	ASSERT(sodium_init() >= 0);
	for (i = 0; i < HS_KEY; i++)
		key[i] = (uint8_t)(0x60 + i);
}

/* A client and a server that have swapped hellos under key. */
static void
pair(struct hs *c, struct hs *s)
{
	uint8_t	ch[HS_HELLO_LEN], sh[HS_HELLO_LEN];

	hs_init(c, HS_CLIENT, key);
	hs_init(s, HS_SERVER, key);
	hs_hello(c, ch);
	hs_hello(s, sh);
	ASSERT_EQ_INT(hs_check_hello(s, ch, sizeof(ch)), 0);
	ASSERT_EQ_INT(hs_check_hello(c, sh, sizeof(sh)), 0);
}

/* A hello built by hand from the spec: version | eph | MAC. */
static void
forged_hello(uint8_t out[HS_HELLO_LEN], char role, uint8_t version,
    const uint8_t eph[32], const uint8_t *k)
{
	uint8_t	msg[2 + 32];

	msg[0] = (uint8_t)role;
	msg[1] = version;
	memcpy(msg + 2, eph, 32);
	out[0] = version;
	memcpy(out + 1, eph, 32);
	crypto_auth(out + 33, msg, sizeof(msg), k);
}

static void
device(uint8_t pk[32], uint8_t sk[64], uint8_t seed)
{
	uint8_t	s[32];

	memset(s, seed, sizeof(s));
	ASSERT_EQ_INT(crypto_sign_seed_keypair(pk, sk, s), 0);
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

static int
is_zero(const uint8_t *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n && p[i] == 0; i++)
		continue;
	return (i == n);
}

TEST(exchange_derives_matching_keys)
{
	struct hs	c, s;
	uint8_t		ch[HS_HELLO_LEN];

	setup();
	pair(&c, &s);
	ASSERT_EQ_MEM(c.tx, s.rx, HS_KEY);
	ASSERT_EQ_MEM(c.rx, s.tx, HS_KEY);
	/* Two directions, two keys; neither is the network key. */
	ASSERT(memcmp(c.tx, c.rx, HS_KEY) != 0);
	ASSERT(memcmp(c.tx, key, HS_KEY) != 0);
	ASSERT(memcmp(c.rx, key, HS_KEY) != 0);
	ASSERT(!is_zero(c.tx, HS_KEY) && !is_zero(c.rx, HS_KEY));
	ASSERT_EQ_MEM(c.peer_eph, s.eph_pk, 32);
	ASSERT_EQ_MEM(s.peer_eph, c.eph_pk, 32);
	/* The ephemeral secrets are wiped once used. */
	ASSERT(is_zero(c.eph_sk, 32));
	ASSERT(is_zero(s.eph_sk, 32));
	/* The hello is version | eph | MAC over 'C' | version | eph. */
	hs_init(&c, HS_CLIENT, key);
	hs_hello(&c, ch);
	ASSERT_EQ_UINT(ch[0], HS_VERSION);
	ASSERT_EQ_MEM(ch + 1, c.eph_pk, 32);
	{
		uint8_t	want[HS_HELLO_LEN];

		forged_hello(want, 'C', HS_VERSION, c.eph_pk, key);
		ASSERT_EQ_MEM(ch, want, HS_HELLO_LEN);
	}
}

/* The session keys are crypto_kx keys, each keyed by K as specified. */
TEST(session_keys_follow_spec)
{
	struct hs	c, s;
	uint8_t		csk[32], rx[32], tx[32], want[HS_KEY];
	uint8_t		ch[HS_HELLO_LEN], sh[HS_HELLO_LEN];

	setup();
	hs_init(&c, HS_CLIENT, key);
	hs_init(&s, HS_SERVER, key);
	memcpy(csk, c.eph_sk, 32);
	hs_hello(&c, ch);
	hs_hello(&s, sh);
	ASSERT_EQ_INT(hs_check_hello(&c, sh, sizeof(sh)), 0);
	ASSERT_EQ_INT(hs_check_hello(&s, ch, sizeof(ch)), 0);
	ASSERT_EQ_INT(crypto_kx_client_session_keys(rx, tx, c.eph_pk, csk,
	    s.eph_pk), 0);
	crypto_generichash_blake2b_salt_personal(want, HS_KEY, tx, 32, key,
	    HS_KEY, NULL, (const uint8_t *)"attune-session-1");
	ASSERT_EQ_MEM(c.tx, want, HS_KEY);
	crypto_generichash_blake2b_salt_personal(want, HS_KEY, rx, 32, key,
	    HS_KEY, NULL, (const uint8_t *)"attune-session-1");
	ASSERT_EQ_MEM(c.rx, want, HS_KEY);
	/* The raw kx keys are never used as they are. */
	ASSERT(memcmp(c.tx, tx, 32) != 0);
}

/* Two sessions under the same key share nothing. */
TEST(sessions_are_fresh)
{
	struct hs	c1, s1, c2, s2;

	setup();
	pair(&c1, &s1);
	pair(&c2, &s2);
	ASSERT(memcmp(c1.eph_pk, c2.eph_pk, 32) != 0);
	ASSERT(memcmp(c1.tx, c2.tx, HS_KEY) != 0);
	ASSERT(memcmp(c1.rx, c2.rx, HS_KEY) != 0);
}

TEST(other_key_refused)
{
	struct hs	c, s;
	uint8_t		other[HS_KEY], ch[HS_HELLO_LEN], sh[HS_HELLO_LEN];

	setup();
	memcpy(other, key, HS_KEY);
	other[0] ^= 1;
	hs_init(&c, HS_CLIENT, other);
	hs_init(&s, HS_SERVER, key);
	hs_hello(&c, ch);
	hs_hello(&s, sh);
	ASSERT_EQ_INT(hs_check_hello(&s, ch, sizeof(ch)), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_check_hello(&c, sh, sizeof(sh)), -PROTO_E_AUTH);
	/* A refused hello leaves no trace: the right one still works. */
	ASSERT(is_zero(s.peer_eph, 32));
	ASSERT(is_zero(s.rx, HS_KEY) && is_zero(s.tx, HS_KEY));
	hs_init(&c, HS_CLIENT, key);
	hs_hello(&c, ch);
	ASSERT_EQ_INT(hs_check_hello(&s, ch, sizeof(ch)), 0);
}

/* Any single flipped bit anywhere in a hello is refused. */
TEST(every_bit_flip_refused)
{
	struct hs	c, s;
	uint8_t		ch[HS_HELLO_LEN], bad[HS_HELLO_LEN];
	size_t		i;
	int		bit;

	setup();
	hs_init(&c, HS_CLIENT, key);
	hs_init(&s, HS_SERVER, key);
	hs_hello(&c, ch);
	for (i = 0; i < HS_HELLO_LEN; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, ch, sizeof(bad));
			bad[i] ^= (uint8_t)(1 << bit);
			if (hs_check_hello(&s, bad, sizeof(bad)) == 0)
				harness_fail(__FILE__, __LINE__, "bit %d of "
				    "byte %zu flipped, accepted", bit, i);
		}
	}
	ASSERT_EQ_INT(hs_check_hello(&s, ch, sizeof(ch)), 0);
}

TEST(reflection_refused)
{
	struct hs	c, s, c2, s2;
	uint8_t		ch[HS_HELLO_LEN], sh[HS_HELLO_LEN];

	setup();
	hs_init(&c, HS_CLIENT, key);
	hs_init(&s, HS_SERVER, key);
	hs_hello(&c, ch);
	hs_hello(&s, sh);
	/* Each side's own hello fed back to it. */
	ASSERT_EQ_INT(hs_check_hello(&s, sh, sizeof(sh)), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_check_hello(&c, ch, sizeof(ch)), -PROTO_E_AUTH);
	/* A hello of the same role from another session. */
	hs_init(&c2, HS_CLIENT, key);
	hs_init(&s2, HS_SERVER, key);
	ASSERT_EQ_INT(hs_check_hello(&c2, ch, sizeof(ch)), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_check_hello(&s2, sh, sizeof(sh)), -PROTO_E_AUTH);
	/* Our own ephemeral under the peer's role label (a valid MAC). */
	forged_hello(sh, 'C', HS_VERSION, s.eph_pk, key);
	ASSERT_EQ_INT(hs_check_hello(&s, sh, sizeof(sh)), -PROTO_E_AUTH);
	forged_hello(ch, 'S', HS_VERSION, c.eph_pk, key);
	ASSERT_EQ_INT(hs_check_hello(&c, ch, sizeof(ch)), -PROTO_E_AUTH);
}

TEST(low_order_point_refused)
{
	struct hs	c, s;
	uint8_t		eph[32], h[HS_HELLO_LEN];

	setup();
	hs_init(&s, HS_SERVER, key);
	hs_init(&c, HS_CLIENT, key);
	memset(eph, 0, sizeof(eph));
	forged_hello(h, 'C', HS_VERSION, eph, key);
	ASSERT_EQ_INT(hs_check_hello(&s, h, sizeof(h)), -PROTO_E_AUTH);
	forged_hello(h, 'S', HS_VERSION, eph, key);
	ASSERT_EQ_INT(hs_check_hello(&c, h, sizeof(h)), -PROTO_E_AUTH);
	/* The point of order 8. */
	ASSERT_EQ_INT(mp_unhex(eph, 32, order8, 64), 0);
	forged_hello(h, 'C', HS_VERSION, eph, key);
	ASSERT_EQ_INT(hs_check_hello(&s, h, sizeof(h)), -PROTO_E_AUTH);
	forged_hello(h, 'S', HS_VERSION, eph, key);
	ASSERT_EQ_INT(hs_check_hello(&c, h, sizeof(h)), -PROTO_E_AUTH);
	/* The identity (order 1, u = 1). */
	memset(eph, 0, sizeof(eph));
	eph[0] = 1;
	forged_hello(h, 'C', HS_VERSION, eph, key);
	ASSERT_EQ_INT(hs_check_hello(&s, h, sizeof(h)), -PROTO_E_AUTH);
	ASSERT(is_zero(s.rx, HS_KEY) && is_zero(s.tx, HS_KEY));
	/* The same hand-made hello with a real key passes. */
	forged_hello(h, 'C', HS_VERSION, c.eph_pk, key);
	ASSERT_EQ_INT(hs_check_hello(&s, h, sizeof(h)), 0);
}

TEST(version_refused)
{
	struct hs	c, s;
	uint8_t		h[HS_HELLO_LEN];

	setup();
	hs_init(&c, HS_CLIENT, key);
	hs_init(&s, HS_SERVER, key);
	/* The version byte changed on a version 1 hello. */
	hs_hello(&c, h);
	h[0] = HS_VERSION + 1;
	ASSERT(hs_check_hello(&s, h, sizeof(h)) < 0);
	h[0] = 0;
	ASSERT(hs_check_hello(&s, h, sizeof(h)) < 0);
	/* Hellos of versions 0, 2 and 255, MACed as such under K. */
	forged_hello(h, 'C', 2, c.eph_pk, key);
	ASSERT(hs_check_hello(&s, h, sizeof(h)) < 0);
	forged_hello(h, 'C', 0, c.eph_pk, key);
	ASSERT(hs_check_hello(&s, h, sizeof(h)) < 0);
	forged_hello(h, 'C', 255, c.eph_pk, key);
	ASSERT(hs_check_hello(&s, h, sizeof(h)) < 0);
	ASSERT(is_zero(s.rx, HS_KEY) && is_zero(s.peer_eph, 32));
	forged_hello(h, 'C', HS_VERSION, c.eph_pk, key);
	ASSERT_EQ_INT(hs_check_hello(&s, h, sizeof(h)), 0);
}

/*
 * A stranger learns nothing, not even which version we speak: a hello
 * whose MAC is not under K is refused as AUTH whatever its version byte.
 */
TEST(stranger_gets_auth_whatever_version)
{
	struct hs	c, s;
	uint8_t		h[HS_HELLO_LEN], other[HS_KEY];
	int		v;

	setup();
	memcpy(other, key, HS_KEY);
	other[5] ^= 0x20;
	hs_init(&c, HS_CLIENT, other);
	hs_init(&s, HS_SERVER, key);
	for (v = 0; v < 256; v++) {
		forged_hello(h, 'C', (uint8_t)v, c.eph_pk, other);
		ASSERT_EQ_INT(hs_check_hello(&s, h, sizeof(h)), -PROTO_E_AUTH);
	}
}

TEST(length_refused)
{
	struct hs	c, s;
	uint8_t		h[HS_HELLO_LEN + 1];

	setup();
	hs_init(&c, HS_CLIENT, key);
	hs_init(&s, HS_SERVER, key);
	hs_hello(&c, h);
	h[HS_HELLO_LEN] = 0;
	ASSERT_EQ_INT(hs_check_hello(&s, h, HS_HELLO_LEN - 1), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_check_hello(&s, h, HS_HELLO_LEN + 1), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_check_hello(&s, h, 0), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_check_hello(&s, h, 33), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_check_hello(&s, h, HS_HELLO_LEN), 0);
}

/* Client and server sign for each other; each verifies the other. */
TEST(sign_verify_both_ways)
{
	struct hs	c, s;
	uint8_t		cpk[32], csk[64], spk[32], ssk[64];
	uint8_t		csig[64], ssig[64];

	setup();
	device(cpk, csk, 1);
	device(spk, ssk, 2);
	pair(&c, &s);
	hs_sign(&s, ssk, cpk, ssig);
	hs_sign(&c, csk, spk, csig);
	ASSERT_EQ_INT(hs_verify(&c, spk, cpk, ssig), 0);
	ASSERT_EQ_INT(hs_verify(&s, cpk, spk, csig), 0);
	/* Signed by another key than the one claimed. */
	ASSERT_EQ_INT(hs_verify(&c, cpk, cpk, ssig), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_verify(&s, spk, spk, csig), -PROTO_E_AUTH);
	/* A flipped bit in the signature. */
	ssig[10] ^= 4;
	ASSERT_EQ_INT(hs_verify(&c, spk, cpk, ssig), -PROTO_E_AUTH);
}

/* The signature verifies only for the device it was meant for. */
TEST(signature_bound_to_peer_device)
{
	struct hs	c, s;
	uint8_t		cpk[32], csk[64], spk[32], ssk[64], opk[32], osk[64];
	uint8_t		sig[64];

	setup();
	device(cpk, csk, 1);
	device(spk, ssk, 2);
	device(opk, osk, 3);
	pair(&c, &s);
	/* The server signed for device o; the client c must refuse it. */
	hs_sign(&s, ssk, opk, sig);
	ASSERT_EQ_INT(hs_verify(&c, spk, cpk, sig), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_verify(&c, spk, opk, sig), 0);
	hs_sign(&c, csk, opk, sig);
	ASSERT_EQ_INT(hs_verify(&s, cpk, spk, sig), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_verify(&s, cpk, opk, sig), 0);
}

/* A signature from one session is worthless in another. */
TEST(signature_bound_to_session)
{
	struct hs	c1, s1, c2, s2;
	uint8_t		cpk[32], csk[64], spk[32], ssk[64], sig[64];

	setup();
	device(cpk, csk, 1);
	device(spk, ssk, 2);
	pair(&c1, &s1);
	pair(&c2, &s2);
	hs_sign(&s1, ssk, cpk, sig);
	ASSERT_EQ_INT(hs_verify(&c1, spk, cpk, sig), 0);
	ASSERT_EQ_INT(hs_verify(&c2, spk, cpk, sig), -PROTO_E_AUTH);
	hs_sign(&c1, csk, spk, sig);
	ASSERT_EQ_INT(hs_verify(&s1, cpk, spk, sig), 0);
	ASSERT_EQ_INT(hs_verify(&s2, cpk, spk, sig), -PROTO_E_AUTH);
	/* Same server ephemeral, another client ephemeral. */
	memcpy(&c2, &c1, sizeof(c2));
	c2.peer_eph[0] ^= 1;
	hs_sign(&s1, ssk, cpk, sig);
	ASSERT_EQ_INT(hs_verify(&c2, spk, cpk, sig), -PROTO_E_AUTH);
	memcpy(&c2, &c1, sizeof(c2));
	c2.eph_pk[31] ^= 0x40;
	ASSERT_EQ_INT(hs_verify(&c2, spk, cpk, sig), -PROTO_E_AUTH);
}

/*
 * One device key on both ends (a device that reaches itself), so only
 * the role label tells the two signatures apart.
 */
TEST(signature_bound_to_role)
{
	struct hs	c, s;
	uint8_t		pk[32], sk[64], csig[64], ssig[64];
	uint8_t		msg[HS_SIGNED_LEN], sig[64];

	setup();
	device(pk, sk, 7);
	pair(&c, &s);
	hs_sign(&c, sk, pk, csig);
	hs_sign(&s, sk, pk, ssig);
	ASSERT_EQ_INT(hs_verify(&s, pk, pk, csig), 0);
	ASSERT_EQ_INT(hs_verify(&c, pk, pk, ssig), 0);
	/* Each reflected to its signer: a client's is no server's. */
	ASSERT_EQ_INT(hs_verify(&c, pk, pk, csig), -PROTO_E_AUTH);
	ASSERT_EQ_INT(hs_verify(&s, pk, pk, ssig), -PROTO_E_AUTH);
	/* The signed bytes are as the header says. */
	memcpy(msg, "attune-auth-srv1", 16);
	memcpy(msg + 16, c.eph_pk, 32);
	memcpy(msg + 48, s.eph_pk, 32);
	memcpy(msg + 80, pk, 32);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	ASSERT_EQ_MEM(sig, ssig, 64);
	memcpy(msg, "attune-auth-cli1", 16);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	ASSERT_EQ_MEM(sig, csig, 64);
}

TEST(derivations_kat)
{
	uint8_t	 fk[32], out[HS_KEY];
	char	*s;
	size_t	 i;

	setup();
	for (i = 0; i < sizeof(fk); i++)
		fk[i] = (uint8_t)i;
	hs_net_key(out, fk);
	ASSERT_EQ_STR((s = hex(out, HS_KEY)), kat_net);
	free(s);
	hs_beacon_key(out, out);
	ASSERT_EQ_STR((s = hex(out, HS_KEY)), kat_beacon);
	free(s);
	hs_invite_key(out, fk, 16);
	ASSERT_EQ_STR((s = hex(out, HS_KEY)), kat_invite);
	free(s);
}

TEST(derivations_distinct)
{
	uint8_t	fk[32], net[HS_KEY], net2[HS_KEY], beacon[HS_KEY];
	uint8_t	beacon2[HS_KEY], inv[HS_KEY], inv2[HS_KEY];
	uint8_t	fk2[32];

	setup();
	randombytes_buf(fk, sizeof(fk));
	hs_net_key(net, fk);
	hs_net_key(net2, fk);
	ASSERT_EQ_MEM(net, net2, HS_KEY);
	hs_beacon_key(beacon, net);
	hs_beacon_key(beacon2, net2);
	ASSERT_EQ_MEM(beacon, beacon2, HS_KEY);
	hs_invite_key(inv, fk, 32);
	hs_invite_key(inv2, fk, 32);
	ASSERT_EQ_MEM(inv, inv2, HS_KEY);
	/* Distinct from each other and from their input. */
	ASSERT(memcmp(net, fk, HS_KEY) != 0);
	ASSERT(memcmp(beacon, net, HS_KEY) != 0);
	ASSERT(memcmp(beacon, fk, HS_KEY) != 0);
	ASSERT(memcmp(inv, fk, HS_KEY) != 0);
	ASSERT(memcmp(inv, net, HS_KEY) != 0);
	ASSERT(memcmp(inv, beacon, HS_KEY) != 0);
	/* The beacon key of the family key is not that of the net key. */
	hs_beacon_key(beacon2, fk);
	ASSERT(memcmp(beacon2, beacon, HS_KEY) != 0);
	/* The invite key depends on every byte and the length. */
	hs_invite_key(inv2, fk, 16);
	ASSERT(memcmp(inv2, inv, HS_KEY) != 0);
	memcpy(fk2, fk, sizeof(fk2));
	fk2[31] ^= 1;
	hs_invite_key(inv2, fk2, 32);
	ASSERT(memcmp(inv2, inv, HS_KEY) != 0);
	hs_net_key(net2, fk2);
	ASSERT(memcmp(net2, net, HS_KEY) != 0);
}

/* Members under N and an invitee under I cannot talk to each other. */
TEST(net_and_invite_sessions_apart)
{
	struct hs	c, s;
	uint8_t		fk[32], net[HS_KEY], inv[HS_KEY], h[HS_HELLO_LEN];

	setup();
	randombytes_buf(fk, sizeof(fk));
	hs_net_key(net, fk);
	hs_invite_key(inv, fk, 16);
	hs_init(&c, HS_CLIENT, inv);
	hs_init(&s, HS_SERVER, net);
	hs_hello(&c, h);
	ASSERT_EQ_INT(hs_check_hello(&s, h, sizeof(h)), -PROTO_E_AUTH);
	hs_init(&s, HS_SERVER, inv);
	ASSERT_EQ_INT(hs_check_hello(&s, h, sizeof(h)), 0);
}
