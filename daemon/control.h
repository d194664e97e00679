/*
 * control.h: the Unix-socket listener for clients: accept (same uid only),
 * read frames, decode msgpack-RPC, hand requests to a dispatcher, write
 * replies with back-pressure. It knows no command: main.c wires the
 * dispatcher (rpc-cmd.c). Named after OpenSMTPD's control socket..
 */
#ifndef ATTUNE_CONTROL_H
#define ATTUNE_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>
#include <uv.h>

#include "proto.h"

struct control;
struct control_conn;

struct control_request {
	struct control_conn		*conn;
	uint32_t		 msgid;
	enum rpc_method		 method;
	const char		*method_name;	/* not NUL-terminated */
	size_t			 method_len;
	const msgpack_object	*params;	/* array; valid during dispatch */
};

/* A reply under construction: pack the result with pk. */
struct control_reply {
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	uint32_t	msgid;
};

typedef void (*control_dispatch_fn)(void *arg, struct control_request *);

int	control_listen(uv_loop_t *, const char *path, control_dispatch_fn,
	    void *arg, struct control **, char **cause);
void	control_close(struct control *);
void	control_broadcast(struct control *, const char *data,
	    size_t len);
bool	control_has_subscribers(const struct control *);
unsigned control_clients(const struct control *);

void	control_conn_ref(struct control_conn *);
void	control_conn_unref(struct control_conn *);
void	control_conn_hold(struct control_conn *);
void	control_conn_release(struct control_conn *);
void	control_conn_subscribe(struct control_conn *);
unsigned control_conn_id(const struct control_conn *);

void	control_reply_begin(struct control_reply *, uint32_t msgid);
void	control_reply_end(struct control_conn *, struct control_reply *);
void	control_reply_discard(struct control_reply *);
void	control_reply_error(struct control_conn *, uint32_t msgid, int code,
	    const char *message);

#endif
