/*
 * discovery.h: find the family's other devices on the LAN with UDP
 * beacons (proto/beacon.h): IPv4 broadcast and IPv6 link-local multicast
 * (ff02::1) on every non-loopback interface, at start and every 30 s;
 * every 2 s while an invite is open. It only reports what it heard
 * (host, port); connecting is peer.c's business, wired in main.c.
 */
#ifndef ATTUNE_DISCOVERY_H
#define ATTUNE_DISCOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>
#include <uv.h>

#define DISCOVERY_PORT		47476
#define DISCOVERY_SLOTS		10
#define DISCOVERY_FAMILY	0	/* slot of the family key */
#define DISCOVERY_JOIN		9	/* slot of a join in progress */

struct discovery;

typedef void (*discovery_heard_cb)(void *arg, int slot, const char *host,
    uint16_t port);

int	discovery_start(uv_loop_t *, uint16_t udp_port, const uint8_t fp[8],
	    discovery_heard_cb, void *arg, struct discovery **, char **cause);
void	discovery_close(struct discovery *);
void	discovery_set_key(struct discovery *, int slot, const uint8_t *key,
	    bool announce, int64_t until_ms);
void	discovery_set_port(struct discovery *, uint16_t tcp_port);
void	discovery_announce(struct discovery *);
void	discovery_pack_status(const struct discovery *, msgpack_packer *);

#endif
