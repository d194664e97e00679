/*
 * rpc-cmd.c: the command table and the dispatcher. Checks run in a fixed
 * order (method, arity, permission, family) before a handler sees the
 * request, so handlers only validate their own parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "rpc-cmd.h"

const struct rpc_cmd rpc_cmds[] = {
	/* Keep alphabetized: rpc_cmd_find uses bsearch. */
	{ "append", RPC_M_APPEND, 1, 1, RPC_PERM_WRITE, RPC_F_FAMILY,
	    rpc_cmd_append },
	{ "complete", RPC_M_COMPLETE, 1, 1, RPC_PERM_READ, 0,
	    rpc_cmd_complete },
	{ "devices", RPC_M_DEVICES, 0, 0, RPC_PERM_READ, 0,
	    rpc_cmd_devices },
	{ "devices.remove", RPC_M_DEVICES_REMOVE, 1, 1, RPC_PERM_WRITE,
	    RPC_F_FAMILY, rpc_cmd_devices_remove },
	{ "doctor", RPC_M_DOCTOR, 0, 0, RPC_PERM_READ, 0, rpc_cmd_doctor },
	{ "entry", RPC_M_ENTRY, 1, 1, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_entry },
	{ "feelings", RPC_M_FEELINGS, 0, 1, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_feelings },
	{ "goals", RPC_M_GOALS, 0, 1, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_goals },
	{ "init", RPC_M_INIT, 1, 1, RPC_PERM_WRITE, 0, rpc_cmd_init },
	{ "invite", RPC_M_INVITE, 0, 1, RPC_PERM_WRITE, RPC_F_FAMILY,
	    rpc_cmd_invite },
	{ "join", RPC_M_JOIN, 1, 1, RPC_PERM_WRITE, 0, rpc_cmd_join },
	{ "kid.show", RPC_M_KID_SHOW, 1, 1, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_kid_show },
	{ "kids", RPC_M_KIDS, 0, 0, RPC_PERM_READ, 0, rpc_cmd_kids },
	{ "log", RPC_M_LOG, 0, 1, RPC_PERM_READ, 0, rpc_cmd_log },
	{ "peers", RPC_M_PEERS, 0, 0, RPC_PERM_READ, 0, rpc_cmd_peers },
	{ "peers.add", RPC_M_PEERS_ADD, 1, 1, RPC_PERM_WRITE, 0,
	    rpc_cmd_peers_add },
	{ "peers.remove", RPC_M_PEERS_REMOVE, 1, 1, RPC_PERM_WRITE, 0,
	    rpc_cmd_peers_remove },
	{ "plans", RPC_M_PLANS, 0, 1, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_plans },
	{ "prompt", RPC_M_PROMPT, 0, 1, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_prompt },
	{ "reminders", RPC_M_REMINDERS, 0, 0, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_reminders },
	{ "repairs", RPC_M_REPAIRS, 0, 1, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_repairs },
	{ "status", RPC_M_STATUS, 0, 0, RPC_PERM_READ, 0, rpc_cmd_status },
	{ "subscribe", RPC_M_SUBSCRIBE, 0, 0, RPC_PERM_READ, 0,
	    rpc_cmd_subscribe },
	{ "today", RPC_M_TODAY, 0, 0, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_today },
	{ "twoxten", RPC_M_TWOXTEN, 0, 1, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_twoxten },
	{ "verify", RPC_M_VERIFY, 0, 0, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_verify },
	{ "week", RPC_M_WEEK, 0, 1, RPC_PERM_READ, RPC_F_FAMILY,
	    rpc_cmd_week },
	{ "words", RPC_M_WORDS, 0, 0, RPC_PERM_READ, 0, rpc_cmd_words },
};
const size_t rpc_ncmds = sizeof(rpc_cmds) / sizeof(rpc_cmds[0]);

struct rpc_cmd_key {
	const char	*name;
	size_t		 len;
};

static int
rpc_cmd_cmp(const void *k, const void *e)
{
	const struct rpc_cmd_key	*key = k;
	const struct rpc_cmd		*cmd = e;
	size_t				 n = strlen(cmd->name);
	int				 c;

	c = memcmp(key->name, cmd->name, key->len < n ? key->len : n);
	if (c != 0)
		return (c);
	return (key->len < n ? -1 : key->len > n ? 1 : 0);
}

const struct rpc_cmd *
rpc_cmd_find(const char *name, size_t len)
{
	struct rpc_cmd_key	key = { name, len };

	return (bsearch(&key, rpc_cmds, rpc_ncmds, sizeof(rpc_cmds[0]),
	    rpc_cmd_cmp));
}

/* The single map parameter, or NULL when params is []. */
const msgpack_object *
rpc_cmd_param_map(const struct control_request *req)
{
	if (req->params->via.array.size == 0)
		return (NULL);
	return (&req->params->via.array.ptr[0]);
}

struct rpc_cmd_async *
rpc_cmd_async_new(struct daemon *d, struct control_request *req)
{
	struct rpc_cmd_async	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return (NULL);
	a->d = d;
	a->conn = req->conn;
	a->msgid = req->msgid;
	control_conn_hold(a->conn);
	return (a);
}

void
rpc_cmd_async_free(struct rpc_cmd_async *a)
{
	if (a == NULL)
		return;
	control_conn_release(a->conn);
	free(a);
}

void
rpc_cmd_dispatch(void *arg, struct control_request *req)
{
	struct daemon		*d = arg;
	const struct rpc_cmd	*cmd;
	const msgpack_object	*map;
	struct control_reply	 r;
	char			*cause = NULL;
	unsigned		 n = req->params->via.array.size;
	int			 rc;

	if ((cmd = rpc_cmd_find(req->method_name, req->method_len)) == NULL) {
		diag_cause(&cause, "unknown method '%.*s'",
		    (int)req->method_len, req->method_name);
		rc = -PROTO_E_METHOD;
		goto fail;
	}
	if (n < cmd->min_params || n > cmd->max_params) {
		diag_cause(&cause, "%s takes %u to %u parameters, not %u",
		    cmd->name, cmd->min_params, cmd->max_params, n);
		rc = -PROTO_E_TYPE;
		goto fail;
	}
	if (n > 0 && (map = rpc_cmd_param_map(req))->type !=
	    MSGPACK_OBJECT_MAP) {
		diag_cause(&cause, "%s: the parameter must be a map",
		    cmd->name);
		rc = -PROTO_E_TYPE;
		goto fail;
	}
	if ((cmd->flags & RPC_F_FAMILY) && !eventlog_views(d->log)->has_family) {
		rc = -PROTO_E_NOFAMILY;
		goto fail;
	}
	control_reply_begin(&r, req->msgid);
	rc = cmd->exec(d, req, &r.pk, &cause);
	if (rc == 0) {
		control_reply_end(req->conn, &r);
		return;
	}
	control_reply_discard(&r);
	if (rc == RPC_CMD_ASYNC)
		return;
fail:
	control_reply_error(req->conn, req->msgid, rc, cause);
	free(cause);
}
