/*
 * proto.c: names for the enums of proto.h. The method table is the only
 * place where a method's wire name is spelled.
 */
#include <string.h>

#include "proto.h"

static const char *const method_names[RPC_M_COUNT] = {
	[RPC_M_UNKNOWN] = NULL,
	[RPC_M_APPEND] = "append",
	[RPC_M_DEVICES] = "devices",
	[RPC_M_DEVICES_REMOVE] = "devices.remove",
	[RPC_M_DOCTOR] = "doctor",
	[RPC_M_INIT] = "init",
	[RPC_M_INVITE] = "invite",
	[RPC_M_JOIN] = "join",
	[RPC_M_KIDS] = "kids",
	[RPC_M_LOG] = "log",
	[RPC_M_PEERS] = "peers",
	[RPC_M_PEERS_ADD] = "peers.add",
	[RPC_M_PEERS_REMOVE] = "peers.remove",
	[RPC_M_STATUS] = "status",
	[RPC_M_SUBSCRIBE] = "subscribe",
	[RPC_M_VERIFY] = "verify",
	[RPC_M_TODAY] = "today",
	[RPC_M_WEEK] = "week",
	[RPC_M_KID_SHOW] = "kid.show",
	[RPC_M_REPAIRS] = "repairs",
	[RPC_M_GOALS] = "goals",
	[RPC_M_FEELINGS] = "feelings",
	[RPC_M_PLANS] = "plans",
	[RPC_M_TWOXTEN] = "twoxten",
	[RPC_M_PROMPT] = "prompt",
	[RPC_M_REMINDERS] = "reminders",
	[RPC_M_ENTRY] = "entry",
	[RPC_M_WORDS] = "words",
	[RPC_M_COMPLETE] = "complete",
};

static const char *const notify_names[RPC_N_COUNT] = {
	[RPC_N_UNKNOWN] = NULL,
	[RPC_N_EVENT] = "event",
	[RPC_N_REMINDER] = "reminder",
};

static const char *const err_names[PROTO_E_COUNT] = {
	[PROTO_OK] = "ok",
	[PROTO_E_MALFORMED] = "malformed message",
	[PROTO_E_TOOBIG] = "message or value too large",
	[PROTO_E_TYPE] = "wrong type or number of parameters",
	[PROTO_E_METHOD] = "unknown method",
	[PROTO_E_AUTH] = "authentication failed",
	[PROTO_E_NOFAMILY] = "no family on this device (run: attune init)",
	[PROTO_E_EXISTS] = "already exists",
	[PROTO_E_NOTFOUND] = "not found",
	[PROTO_E_AMBIGUOUS] = "ambiguous name",
	[PROTO_E_INVALID] = "invalid value",
	[PROTO_E_STORE] = "database error",
	[PROTO_E_BUSY] = "busy",
	[PROTO_E_INTERNAL] = "internal error",
	[PROTO_E_PERM] = "permission denied",
	[PROTO_E_VERSION] = "unsupported version",
	[PROTO_E_CHAIN] = "broken chain",
};

/* Return a static description of a PROTO_E_* code, positive or negated. */
const char *
proto_strerror(int err)
{
	if (err < 0)
		err = err < -PROTO_E_COUNT ? PROTO_E_COUNT : -err;
	if (err >= PROTO_E_COUNT)
		return ("unknown error");
	return (err_names[err]);
}

/* Return the wire name of a method, or NULL for RPC_M_UNKNOWN. */
const char *
proto_method_name(enum rpc_method m)
{
	if ((unsigned)m >= RPC_M_COUNT)
		return (NULL);
	return (method_names[m]);
}

/* Map a wire name (not NUL-terminated) to its method, or RPC_M_UNKNOWN. */
enum rpc_method
proto_method_lookup(const char *name, size_t len)
{
	int	m;

	if (len == 0 || len > PROTO_MAX_METHOD)
		return (RPC_M_UNKNOWN);
	for (m = 1; m < RPC_M_COUNT; m++) {
		if (strlen(method_names[m]) == len &&
		    memcmp(method_names[m], name, len) == 0)
			return ((enum rpc_method)m);
	}
	return (RPC_M_UNKNOWN);
}

/* Return the wire name of a notification, or NULL. */
const char *
proto_notify_name(enum rpc_notify n)
{
	if ((unsigned)n >= RPC_N_COUNT)
		return (NULL);
	return (notify_names[n]);
}

/* Map a wire name to its notification, or RPC_N_UNKNOWN. */
enum rpc_notify
proto_notify_lookup(const char *name, size_t len)
{
	int	n;

	for (n = 1; n < RPC_N_COUNT; n++) {
		if (strlen(notify_names[n]) == len &&
		    memcmp(notify_names[n], name, len) == 0)
			return ((enum rpc_notify)n);
	}
	return (RPC_N_UNKNOWN);
}
