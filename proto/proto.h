/*
 * proto.h: the contract shared by attuned and its clients: protocol
 * version, message kinds, RPC methods, error codes and every size limit.
 * Pure declarations; nothing here does I/O.
 */
#ifndef ATTUNE_PROTO_H
#define ATTUNE_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bump PROTO_VERSION whenever a method, a parameter, an error code or a
 * limit below changes meaning. "status" reports it, so a client can tell
 * a daemon of another version from a broken one.
 */
#define PROTO_VERSION		1

/* Largest frame body a daemon accepts from a client (bytes). */
#define PROTO_MAX_REQUEST	(1U << 20)
/* Largest frame body anyone accepts at all (responses may be long). */
#define PROTO_MAX_FRAME		(16U << 20)
/* Deepest msgpack nesting accepted anywhere. */
#define PROTO_MAX_DEPTH		12
/* Longest method name. */
#define PROTO_MAX_METHOD	32
/* Longest free-text field of an entry (note, what, activity...). */
#define PROTO_MAX_TEXT		4096
/* Longest name (kid, parent, family, feeling word). */
#define PROTO_MAX_NAME		64
/* Largest decrypted payload of one event. */
#define PROTO_MAX_PAYLOAD	(64U << 10)
/* Most entries one "log" call returns. */
#define PROTO_MAX_LIST		10000

/* msgpack-RPC message kinds: the first element of every message. */
enum rpc_msg_kind {
	RPC_REQUEST = 0,	/* [0, msgid, method, params] */
	RPC_RESPONSE = 1,	/* [1, msgid, error, result] */
	RPC_NOTIFY = 2,		/* [2, method, params] */
};

/*
 * Client RPC methods. The wire carries the name (proto_method_name);
 * the enum is what code uses. Keep RPC_M_COUNT last.
 */
enum rpc_method {
	RPC_M_UNKNOWN = 0,
	RPC_M_APPEND,		/* add an entry of any user kind */
	RPC_M_DEVICES,		/* the family's devices */
	RPC_M_DEVICES_REMOVE,	/* remove a device, rotate the key */
	RPC_M_DOCTOR,		/* discovery and peer diagnostics */
	RPC_M_INIT,		/* create the family on this device */
	RPC_M_INVITE,		/* open a single-use invite code */
	RPC_M_JOIN,		/* join a family with an invite code */
	RPC_M_KIDS,		/* list kids */
	RPC_M_LOG,		/* list entries, newest first */
	RPC_M_PEERS,		/* peer targets and sessions */
	RPC_M_PEERS_ADD,	/* keep syncing with HOST:PORT */
	RPC_M_PEERS_REMOVE,	/* stop syncing with HOST:PORT */
	RPC_M_STATUS,		/* daemon, family, device, counts */
	RPC_M_SUBSCRIBE,	/* receive "event" notifications */
	RPC_M_VERIFY,		/* re-check the whole local log */
	RPC_M_TODAY,		/* what to do today */
	RPC_M_WEEK,		/* the weekly summary per kid */
	RPC_M_KID_SHOW,		/* a kid's profile */
	RPC_M_REPAIRS,		/* repairs, open first */
	RPC_M_GOALS,		/* goals with their progress */
	RPC_M_FEELINGS,		/* check-ins: board, zones, entries */
	RPC_M_PLANS,		/* 1:1 plans in force */
	RPC_M_TWOXTEN,		/* 2x10 runs */
	RPC_M_PROMPT,		/* a reflection question */
	RPC_M_REMINDERS,	/* pending reminders */
	RPC_M_ENTRY,		/* one entry and its history */
	RPC_M_WORDS,		/* the feelings vocabulary */
	RPC_M_COMPLETE,		/* words for shell completion */
	RPC_M_COUNT
};

/* Notifications the daemon sends to subscribed clients. */
enum rpc_notify {
	RPC_N_UNKNOWN = 0,
	RPC_N_EVENT,		/* [entry]: a new entry, ours or a peer's */
	RPC_N_REMINDER,		/* [reminder]: a nudge (reminders.c) */
	RPC_N_COUNT
};

/*
 * Error codes. Functions return them negated (-PROTO_E_TYPE); the wire
 * carries them positive in [code, message]. Never renumber.
 */
enum proto_err {
	PROTO_OK = 0,
	PROTO_E_MALFORMED = 1,	/* not msgpack, bad frame, trailing bytes */
	PROTO_E_TOOBIG = 2,	/* over a PROTO_MAX_* limit */
	PROTO_E_TYPE = 3,	/* wrong type or arity */
	PROTO_E_METHOD = 4,	/* unknown method */
	PROTO_E_AUTH = 5,	/* signature, MAC or AEAD check failed */
	PROTO_E_NOFAMILY = 6,	/* no family on this device yet */
	PROTO_E_EXISTS = 7,	/* already there */
	PROTO_E_NOTFOUND = 8,	/* no such kid, member, entry */
	PROTO_E_AMBIGUOUS = 9,	/* a name prefix matches several */
	PROTO_E_INVALID = 10,	/* a value out of range or unparsable */
	PROTO_E_STORE = 11,	/* the database failed */
	PROTO_E_BUSY = 12,	/* too many clients or requests */
	PROTO_E_INTERNAL = 13,	/* a bug: please report */
	PROTO_E_PERM = 14,	/* not allowed */
	PROTO_E_VERSION = 15,	/* unsupported version */
	PROTO_E_CHAIN = 16,	/* seq or prev link broken */
	PROTO_E_COUNT
};

const char	*proto_strerror(int err);
const char	*proto_method_name(enum rpc_method m);
enum rpc_method	 proto_method_lookup(const char *name, size_t len);
const char	*proto_notify_name(enum rpc_notify n);
enum rpc_notify	 proto_notify_lookup(const char *name, size_t len);

#endif
