/*
 * daemon.c: wiring between modules that must not call each other (peer,
 * discovery, control): what happens when the family key appears, when an
 * invite opens, when a join starts. Called by the RPC commands.
 */
#include <string.h>

#include <sodium.h>

#include "beacon.h"
#include "daemon.h"
#include "handshake.h"

/* The family key is new (init, join): peers and beacons follow it. */
void
daemon_family_changed(struct daemon *d)
{
	uint8_t	bkey[HS_KEY];

	peers_key_changed(d->peers);
	if (d->disc == NULL || peers_net_key(d->peers) == NULL)
		return;
	hs_beacon_key(bkey, peers_net_key(d->peers));
	discovery_set_key(d->disc, DISCOVERY_FAMILY, bkey, true, 0);
	discovery_set_key(d->disc, DISCOVERY_JOIN, NULL, false, 0);
	sodium_memzero(bkey, sizeof(bkey));
}

/* An invite opened: announce it until it expires, so joiners find us. */
void
daemon_invite_opened(struct daemon *d, const uint8_t invite_key[HS_KEY],
    int64_t expires_ms)
{
	uint8_t	bkey[HS_KEY];

	if (d->disc == NULL)
		return;
	beacon_invite_key(bkey, invite_key);
	d->invite_slot = d->invite_slot % (DISCOVERY_JOIN - 1) + 1;
	discovery_set_key(d->disc, d->invite_slot, bkey, true, expires_ms);
	sodium_memzero(bkey, sizeof(bkey));
}

/* A join started: listen for the inviter's beacon. */
void
daemon_join_started(struct daemon *d, const uint8_t invite_key[HS_KEY],
    int64_t until_ms)
{
	uint8_t	bkey[HS_KEY];

	if (d->disc == NULL)
		return;
	beacon_invite_key(bkey, invite_key);
	discovery_set_key(d->disc, DISCOVERY_JOIN, bkey, false, until_ms);
	sodium_memzero(bkey, sizeof(bkey));
}

/* Discovery heard a beacon we can read. */
void
daemon_heard(void *arg, int slot, const char *host, uint16_t port)
{
	struct daemon	*d = arg;

	if (slot == DISCOVERY_FAMILY)
		peers_heard(d->peers, host, port);
	else if (slot == DISCOVERY_JOIN)
		peers_join_found(d->peers, host, port);
}
