/*
 * rpc-cmd.h: the table of client commands and the dispatcher that checks
 * a request (method, arity, permission, family) before a handler runs.
 * Handlers live in rpc-cmd-<group>.c.
 */
#ifndef ATTUNE_RPC_CMD_H
#define ATTUNE_RPC_CMD_H

#include <stddef.h>

#include <msgpack.h>

#include "control.h"
#include "daemon.h"
#include "proto.h"

/* A handler's return besides 0 and -PROTO_E_*: it will reply later. */
#define RPC_CMD_ASYNC	1

#define RPC_PERM_READ	0x1
#define RPC_PERM_WRITE	0x2

#define RPC_F_FAMILY	0x1	/* needs a family on this device */

/*
 * Run a request. Pack the result with pk and return 0; or return a
 * negative PROTO_E_* code with *cause set (or NULL for the default
 * text); or take a ref on req->conn and return RPC_CMD_ASYNC.
 */
typedef int (*rpc_cmd_exec)(struct daemon *, struct control_request *,
    msgpack_packer *pk, char **cause);

struct rpc_cmd {
	const char	*name;
	enum rpc_method	 method;
	unsigned	 min_params;
	unsigned	 max_params;
	int		 perm;
	int		 flags;
	rpc_cmd_exec	 exec;
};

extern const struct rpc_cmd	rpc_cmds[];
extern const size_t		rpc_ncmds;

void			 rpc_cmd_dispatch(void *daemon,
			    struct control_request *);
const struct rpc_cmd	*rpc_cmd_find(const char *name, size_t len);
const msgpack_object	*rpc_cmd_param_map(const struct control_request *);

/* Pending reply of an asynchronous command. */
struct rpc_cmd_async {
	struct daemon	*d;
	struct control_conn *conn;
	uint32_t	 msgid;
};

struct rpc_cmd_async	*rpc_cmd_async_new(struct daemon *,
			    struct control_request *);
void			 rpc_cmd_async_free(struct rpc_cmd_async *);

int	rpc_cmd_append(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_devices(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_devices_remove(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_doctor(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_invite(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_join(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_peers(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_peers_add(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_peers_remove(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_init(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_kids(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_log(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_status(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_subscribe(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_verify(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);

/* rpc-cmd-views.c */
int	rpc_cmd_complete(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_entry(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_feelings(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_goals(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_kid_show(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_plans(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_prompt(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_reminders(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_repairs(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_today(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_twoxten(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_week(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);
int	rpc_cmd_words(struct daemon *, struct control_request *,
	    msgpack_packer *, char **);

#endif
