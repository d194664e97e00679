/*
 * rpc-cmd-peer.c: commands about the family's other devices: invite,
 * join, peers, peers.add, peers.remove, devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "diag.h"
#include "mp.h"
#include "rpc-cmd.h"

#define INVITE_DEFAULT_MS	(10 * 60 * 1000)
#define INVITE_MAX_MS		(24 * 60 * 60 * 1000)

static void	rpc_cmd_join_done(void *, int, const char *);

/* invite [{expires_s?}]: a single-use code for another device. */
int
rpc_cmd_invite(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const msgpack_object	*in = rpc_cmd_param_map(req);
	uint64_t		 secs = INVITE_DEFAULT_MS / 1000;
	uint8_t			 key[32];
	char			 code[80];
	int			 rc;

	if ((rc = mp_get_uint(in, "expires_s", &secs)) < 0 || secs == 0 ||
	    secs * 1000 > INVITE_MAX_MS) {
		diag_cause(cause, "expires: 1 second to 24 hours");
		return (-PROTO_E_INVALID);
	}
	rc = peers_invite(d->peers, (int64_t)secs * 1000, code, sizeof(code),
	    key);
	if (rc == -PROTO_E_INVALID)
		diag_cause(cause, "this daemon does not accept peers "
		    "(started with --listen off?)");
	else if (rc == -PROTO_E_BUSY)
		diag_cause(cause, "too many open invites; wait for one to "
		    "expire");
	if (rc < 0)
		return (rc);
	daemon_invite_opened(d, key, eventlog_now(d->log) +
	    (int64_t)secs * 1000);
	sodium_memzero(key, sizeof(key));
	msgpack_pack_map(pk, 4);
	mp_pack_kv_str(pk, "code", code);
	mp_pack_kv_int(pk, "expires", eventlog_now(d->log) +
	    (int64_t)secs * 1000);
	mp_pack_kv_uint(pk, "port", peers_port(d->peers));
	mp_pack_kv_hex(pk, "fingerprint", d->keys.device_pk, 8);
	return (0);
}

static void
rpc_cmd_join_done(void *arg, int rc, const char *why)
{
	struct rpc_cmd_async	*a = arg;
	const struct views	*v = eventlog_views(a->d->log);
	struct control_reply	 r;

	if (rc < 0) {
		control_reply_error(a->conn, a->msgid, rc, why);
		rpc_cmd_async_free(a);
		return;
	}
	daemon_family_changed(a->d);
	control_reply_begin(&r, a->msgid);
	msgpack_pack_map(&r.pk, 3);
	mp_pack_kv_str(&r.pk, "family", v->family);
	mp_pack_kv_hex(&r.pk, "family_id", a->d->keys.family_id,
	    ENV_FAMILY_ID);
	mp_pack_kv_uint(&r.pk, "entries", v->nentries);
	control_reply_end(a->conn, &r);
	rpc_cmd_async_free(a);
}

/* join [{code, name, peer}]: answers once joined and caught up. */
int
rpc_cmd_join(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const msgpack_object	*in = rpc_cmd_param_map(req);
	const char		*code, *name, *peer = NULL;
	size_t			 clen, nlen, plen = 0;
	char			 cbuf[80], nbuf[PROTO_MAX_NAME + 1], pbuf[128];
	struct rpc_cmd_async	*a;
	uint8_t			 key[32];
	int			 rc;

	if (mp_get_str(in, "code", &code, &clen, sizeof(cbuf) - 1) !=
	    MP_FOUND || mp_get_str(in, "name", &name, &nlen,
	    PROTO_MAX_NAME) != MP_FOUND || nlen == 0 ||
	    mp_get_str(in, "peer", &peer, &plen, sizeof(pbuf) - 1) < 0) {
		diag_cause(cause, "join: code and name are required");
		return (-PROTO_E_INVALID);
	}
	if ((rc = kinds_check_name("name", name, nlen, cause)) < 0)
		return (rc);
	if (eventlog_views(d->log)->has_family || d->keys.has_family) {
		diag_cause(cause, "this device already has a family");
		return (-PROTO_E_EXISTS);
	}
	snprintf(cbuf, sizeof(cbuf), "%.*s", (int)clen, code);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)nlen, name);
	snprintf(pbuf, sizeof(pbuf), "%.*s", (int)plen, peer ? peer : "");
	if ((a = rpc_cmd_async_new(d, req)) == NULL)
		return (-PROTO_E_INTERNAL);
	if (peer == NULL && d->disc == NULL) {
		rpc_cmd_async_free(a);
		diag_cause(cause, "discovery is off: give the inviter's "
		    "address with --peer HOST:PORT");
		return (-PROTO_E_INVALID);
	}
	rc = peers_join(d->peers, cbuf, nbuf, peer ? pbuf : NULL,
	    rpc_cmd_join_done, a, key, cause);
	if (rc < 0) {
		rpc_cmd_async_free(a);
		return (rc);
	}
	daemon_join_started(d, key, eventlog_now(d->log) + 60000);
	sodium_memzero(key, sizeof(key));
	return (RPC_CMD_ASYNC);
}

/* peers []: targets and live sessions. */
int
rpc_cmd_peers(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	peers_pack_status(d->peers, pk);
	return (0);
}

static int
rpc_cmd_peer_addr(struct control_request *req, char *buf, size_t size,
    char **cause)
{
	const char	*s;
	size_t		 len;

	if (mp_get_str(rpc_cmd_param_map(req), "address", &s, &len,
	    size - 1) != MP_FOUND) {
		diag_cause(cause, "address: HOST:PORT required");
		return (-PROTO_E_INVALID);
	}
	snprintf(buf, size, "%.*s", (int)len, s);
	return (0);
}

/* peers.add [{address}]: keep syncing with HOST:PORT, persistently. */
int
rpc_cmd_peers_add(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	char	addr[128];
	int	rc;

	if ((rc = rpc_cmd_peer_addr(req, addr, sizeof(addr), cause)) < 0 ||
	    (rc = peers_add_target(d->peers, addr, true, cause)) < 0)
		return (rc);
	msgpack_pack_true(pk);
	return (0);
}

/* peers.remove [{address}] */
int
rpc_cmd_peers_remove(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	char	addr[128];
	int	rc;

	if ((rc = rpc_cmd_peer_addr(req, addr, sizeof(addr), cause)) < 0)
		return (rc);
	if ((rc = peers_remove_target(d->peers, addr)) < 0) {
		diag_cause(cause, "no peer %s", addr);
		return (rc);
	}
	msgpack_pack_true(pk);
	return (0);
}

/* devices []: every device of the family, with its parent's name. */
int
rpc_cmd_devices(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views		*v = eventlog_views(d->log);
	const struct chain_author	*a;
	size_t				 i;
	uint32_t			 n = 0;

	for (i = 0; i < v->chain.n; i++)
		n += v->chain.v[i].authorised;
	msgpack_pack_array(pk, n);
	for (i = 0; i < v->chain.n; i++) {
		a = &v->chain.v[i];
		if (!a->authorised)
			continue;
		msgpack_pack_map(pk, 7);
		mp_pack_kv_hex(pk, "device", a->pk, ENV_PK);
		mp_pack_kv_bool(pk, "removed", a->removed);
		mp_pack_kv_int(pk, "last_seen", memcmp(a->pk,
		    d->keys.device_pk, ENV_PK) == 0 ? eventlog_now(d->log) :
		    peers_last_seen(d->peers, a->pk));
		mp_pack_kv_hex(pk, "fingerprint", a->pk, 8);
		mp_pack_cstr(pk, "name");
		mp_pack_cstr(pk, a->member >= 0 ? v->members[a->member].name :
		    NULL);
		mp_pack_kv_uint(pk, "entries", a->seq);
		mp_pack_kv_bool(pk, "this", memcmp(a->pk, d->keys.device_pk,
		    ENV_PK) == 0);
	}
	return (0);
}

/* doctor []: what discovery announced and heard, and each peer's state. */
int
rpc_cmd_doctor(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	msgpack_pack_map(pk, 3);
	mp_pack_kv_bool(pk, "family", d->keys.has_family);
	mp_pack_cstr(pk, "discovery");
	discovery_pack_status(d->disc, pk);
	mp_pack_cstr(pk, "peers");
	peers_pack_status(d->peers, pk);
	return (0);
}

static void
rpc_cmd_remove_done(void *arg, int rc, const struct view_entry *ve)
{
	struct rpc_cmd_async	*a = arg;
	struct control_reply	 r;

	if (rc < 0) {
		control_reply_error(a->conn, a->msgid, rc, NULL);
		rpc_cmd_async_free(a);
		return;
	}
	control_reply_begin(&r, a->msgid);
	msgpack_pack_map(&r.pk, 2);
	mp_pack_kv_hex(&r.pk, "id", ve->id, ENV_ID);
	mp_pack_kv_uint(&r.pk, "epoch", a->d->keys.epoch);
	control_reply_end(a->conn, &r);
	rpc_cmd_async_free(a);
}

/*
 * The device a person means: a unique hex prefix of its key (the
 * fingerprint) or its parent's name. Return its index in the chain
 * table, or a negative PROTO_E_* with *cause set.
 */
static int
rpc_cmd_find_device(const struct views *v, const char *s, size_t len,
    char **cause)
{
	char	hex[2 * ENV_PK + 1];
	size_t	i;
	int	found = -1, n = 0;

	for (i = 0; i < v->chain.n; i++) {
		const struct chain_author *a = &v->chain.v[i];

		if (!a->authorised || a->removed)
			continue;
		mp_hex(hex, a->pk, ENV_PK);
		if ((len >= 4 && len <= 2 * ENV_PK &&
		    strncasecmp(hex, s, len) == 0) || (a->member >= 0 &&
		    strlen(v->members[a->member].name) == len &&
		    strncasecmp(v->members[a->member].name, s, len) == 0)) {
			found = (int)i;
			n++;
		}
	}
	if (n == 1)
		return (found);
	diag_cause(cause, n == 0 ? "no device '%.*s' in this family (see: "
	    "attune devices)" : "'%.*s' matches several devices; give more "
	    "of the fingerprint", (int)len, s);
	return (n == 0 ? -PROTO_E_NOTFOUND : -PROTO_E_AMBIGUOUS);
}

/*
 * Pack key.rotate: a fresh key for epoch, sealed to every device that
 * stays (this one included). Return 0 or a negative PROTO_E_*.
 */
static int
rpc_cmd_pack_rotate(const struct views *v, const uint8_t *gone,
    uint32_t epoch, msgpack_sbuffer *sb)
{
	msgpack_packer	 pk;
	uint8_t		*key, xpk[32], sealed[ENV_KEY + crypto_box_SEALBYTES];
	size_t		 i;
	uint32_t	 n = 0;

	if ((key = sodium_malloc(ENV_KEY)) == NULL)
		return (-PROTO_E_INTERNAL);
	randombytes_buf(key, ENV_KEY);
	for (i = 0; i < v->chain.n; i++)
		n += v->chain.v[i].authorised && !v->chain.v[i].removed &&
		    memcmp(v->chain.v[i].pk, gone, ENV_PK) != 0;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	mp_pack_kv_str(&pk, "t", "key.rotate");
	mp_pack_kv_uint(&pk, "epoch", epoch);
	mp_pack_cstr(&pk, "keys");
	msgpack_pack_array(&pk, n);
	for (i = 0; i < v->chain.n; i++) {
		const struct chain_author *a = &v->chain.v[i];

		if (!a->authorised || a->removed ||
		    memcmp(a->pk, gone, ENV_PK) == 0)
			continue;
		if (crypto_sign_ed25519_pk_to_curve25519(xpk, a->pk) != 0 ||
		    crypto_box_seal(sealed, key, ENV_KEY, xpk) != 0) {
			sodium_free(key);
			return (-PROTO_E_INTERNAL);
		}
		msgpack_pack_array(&pk, 2);
		mp_pack_bin(&pk, a->pk, ENV_PK);
		mp_pack_bin(&pk, sealed, sizeof(sealed));
	}
	sodium_free(key);
	return (0);
}

/*
 * devices.remove [{device}]: append device.remove {device, final_seq}
 * and key.rotate in one commit; answers once both are durable. From then
 * on the device is refused, and what is written is sealed under a key
 * it does not have.
 */
int
rpc_cmd_devices_remove(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	const struct chain_author *a;
	struct rpc_cmd_async	*as;
	msgpack_sbuffer		 rm, rot;
	msgpack_packer		 p;
	const uint8_t		*payloads[2];
	size_t			 lens[2];
	const char		*s;
	size_t			 len;
	int			 i, rc;

	if (mp_get_str(rpc_cmd_param_map(req), "device", &s, &len,
	    2 * ENV_PK) != MP_FOUND) {
		diag_cause(cause, "device: a fingerprint or a name");
		return (-PROTO_E_INVALID);
	}
	if ((i = rpc_cmd_find_device(v, s, len, cause)) < 0)
		return (i);
	a = &v->chain.v[i];
	if (memcmp(a->pk, d->keys.device_pk, ENV_PK) == 0) {
		diag_cause(cause, "this is this device; remove it from "
		    "another laptop");
		return (-PROTO_E_INVALID);
	}
	if (d->keys.epoch == UINT32_MAX - 1 ||
	    d->keys.nepochs >= KEYS_MAX_EPOCHS) {
		diag_cause(cause, "no key epochs left in this family");
		return (-PROTO_E_BUSY);
	}
	msgpack_sbuffer_init(&rm);
	msgpack_sbuffer_init(&rot);
	msgpack_packer_init(&p, &rm, msgpack_sbuffer_write);
	msgpack_pack_map(&p, 3);
	mp_pack_kv_str(&p, "t", "device.remove");
	mp_pack_kv_bin(&p, "device", a->pk, ENV_PK);
	mp_pack_kv_uint(&p, "final_seq", a->seq);
	rc = rpc_cmd_pack_rotate(v, a->pk, d->keys.epoch + 1, &rot);
	as = rc == 0 ? rpc_cmd_async_new(d, req) : NULL;
	if (as == NULL)
		rc = -PROTO_E_INTERNAL;
	payloads[0] = (const uint8_t *)rm.data;
	payloads[1] = (const uint8_t *)rot.data;
	lens[0] = rm.size;
	lens[1] = rot.size;
	/* Both or neither: one transaction. */
	if (rc == 0 && (rc = eventlog_append_n(d->log, payloads, lens, 2,
	    rpc_cmd_remove_done, as)) == 0)
		rc = RPC_CMD_ASYNC;
	else
		rpc_cmd_async_free(as);
	msgpack_sbuffer_destroy(&rm);
	msgpack_sbuffer_destroy(&rot);
	return (rc);
}
