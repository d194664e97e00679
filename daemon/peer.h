/*
 * peer.h: sync with the family's other devices over TCP. Sessions run
 * the handshake of handshake.h, then exchange heads and stream what the
 * other side lacks (peermsg.h); new entries are pushed as they commit,
 * and whatever arrives from one peer is relayed to the others. Targets
 * are addresses to keep a session with (static --peer, `attune peers
 * add`, discovery, a join), retried with jittered backoff.
 */
#ifndef ATTUNE_PEER_H
#define ATTUNE_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>
#include <uv.h>

#include "eventlog.h"
#include "keys.h"

struct peers;

/* A join finished: rc 0 (family adopted, log caught up) or PROTO_E_*. */
typedef void (*peers_join_cb)(void *arg, int rc, const char *why);

int	peers_create(uv_loop_t *, struct eventlog *, struct keys *,
	    const char *data_dir, struct peers **);
int	peers_listen(struct peers *, const char *const *addrs, size_t n,
	    char **cause);
void	peers_close(struct peers *);
int	peers_split_hostport(const char *, long min_port, char *host,
	    size_t hsize, uint16_t *port);
void	peers_free(struct peers *);
int	peers_add_target(struct peers *, const char *hostport, bool persist,
	    char **cause);
int	peers_remove_target(struct peers *, const char *hostport);
void	peers_heard(struct peers *, const char *host, uint16_t port);
void	peers_pump(struct peers *);
void	peers_broadcast_event(struct peers *, const uint8_t *, size_t);
int	peers_invite(struct peers *, int64_t ttl_ms, char *code, size_t,
	    uint8_t key[32]);
int	peers_join(struct peers *, const char *code, const char *name,
	    const char *hostport, peers_join_cb, void *arg, uint8_t key[32],
	    char **cause);
void	peers_join_found(struct peers *, const char *host, uint16_t port);
uint16_t peers_port(const struct peers *);
int64_t	peers_last_seen(const struct peers *, const uint8_t *device);
void	peers_pack_status(const struct peers *, msgpack_packer *);
void	peers_key_changed(struct peers *);
const uint8_t *peers_net_key(const struct peers *);

#endif
