/*
 * client.h: one blocking connection from a thin client to attuned. Owns
 * the socket, the msgid counter, the frame reader and the zone that holds
 * the last decoded message. Knows the msgpack-RPC envelope, not what any
 * method means. Never prints: every failure comes back as a negative code
 * with a *cause the caller frees.
 *
 * Return codes: 0, or a negative code that is either -errno (the socket
 * failed, timed out or was closed) or -PROTO_E_* (attuned answered an
 * error, or sent something malformed). The two ranges overlap, so tell
 * them apart with client_connected(): a failed connection is closed, an
 * error answer leaves it open for the next call.
 */
#ifndef ATTUNE_CLIENT_H
#define ATTUNE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <msgpack.h>

#include "proto.h"
#include "rpc.h"

#define CLIENT_TIMEOUT_DEFAULT	30000	/* ms */
#define CLIENT_TIMEOUT_MAX	600000	/* ms, set_timeout bound */
#define CLIENT_MAX_CAUSE	1024	/* longest error text kept */

struct client;

/* Called for a notification that arrives while a call waits. */
typedef void (*client_notify_cb)(const struct rpc_msg *, void *);

int	client_connect(const char *path, struct client **out, char **cause);
void	client_destroy(struct client *);
void	client_set_timeout(struct client *, int ms);
void	client_set_notify_cb(struct client *, client_notify_cb, void *);
bool	client_connected(const struct client *);
int	client_fd(const struct client *);
const char *client_path(const struct client *);
int	client_call(struct client *, enum rpc_method, const void *params,
	    size_t len, const msgpack_object **result, char **cause);
int	client_next_notify(struct client *, int timeout_ms,
	    struct rpc_msg *out, char **cause);

#endif
