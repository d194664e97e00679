/*
 * rpc-cmd-family.c: commands about the family and this device: init,
 * status, kids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mp.h"
#include "rpc-cmd.h"

static void	rpc_cmd_init_done(void *, int, const struct view_entry *);

static void
rpc_cmd_init_done(void *arg, int rc, const struct view_entry *ve)
{
	struct rpc_cmd_async	*a = arg;
	struct control_reply	 r;

	if (rc < 0) {
		control_reply_error(a->conn, a->msgid, rc, NULL);
		rpc_cmd_async_free(a);
		return;
	}
	daemon_family_changed(a->d);
	control_reply_begin(&r, a->msgid);
	msgpack_pack_map(&r.pk, 5);
	mp_pack_kv_str(&r.pk, "family", eventlog_views(a->d->log)->family);
	mp_pack_kv_str(&r.pk, "member",
	    eventlog_views(a->d->log)->members[0].name);
	mp_pack_kv_hex(&r.pk, "family_id", a->d->keys.family_id,
	    ENV_FAMILY_ID);
	mp_pack_kv_hex(&r.pk, "device", a->d->keys.device_pk, ENV_PK);
	mp_pack_kv_hex(&r.pk, "id", ve->id, ENV_ID);
	control_reply_end(a->conn, &r);
	rpc_cmd_async_free(a);
	log_info("family created");
}

/* init [{name, family?}]: create the family and its genesis entry. */
int
rpc_cmd_init(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const msgpack_object	*in = rpc_cmd_param_map(req);
	const char		*name, *family = NULL;
	size_t			 nlen, flen = 0;
	char			 fam[PROTO_MAX_NAME + 1];
	msgpack_sbuffer		 sb;
	msgpack_packer		 p;
	struct rpc_cmd_async	*a;
	int			 rc;

	if (mp_get_str(in, "name", &name, &nlen, PROTO_MAX_NAME) !=
	    MP_FOUND) {
		diag_cause(cause, "name: required, 1 to %d bytes",
		    PROTO_MAX_NAME);
		return (-PROTO_E_INVALID);
	}
	if ((rc = kinds_check_name("name", name, nlen, cause)) < 0)
		return (rc);
	rc = mp_get_str(in, "family", &family, &flen, PROTO_MAX_NAME);
	if (rc < 0) {
		diag_cause(cause, "family: 1 to %d bytes", PROTO_MAX_NAME);
		return (-PROTO_E_INVALID);
	}
	if (rc == MP_FOUND &&
	    (rc = kinds_check_name("family", family, flen, cause)) < 0)
		return (rc);
	if (rc == MP_ABSENT) {
		snprintf(fam, sizeof(fam), "%.*s's family",
		    (int)(nlen > PROTO_MAX_NAME - 9 ? PROTO_MAX_NAME - 9 :
		    nlen), name);
		family = fam;
		flen = strlen(fam);
	}
	if ((rc = eventlog_create_family(d->log, d->cfg.data_dir,
	    cause)) < 0) {
		if (rc == -PROTO_E_EXISTS)
			diag_cause(cause, "this device already has a family "
			    "(%s)", eventlog_views(d->log)->has_family ?
			    eventlog_views(d->log)->family : "being created");
		return (rc);
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&p, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&p, 3);
	mp_pack_kv_str(&p, "t", "family.create");
	mp_pack_kv_strn(&p, "family", family, flen);
	mp_pack_kv_strn(&p, "name", name, nlen);
	if ((a = rpc_cmd_async_new(d, req)) == NULL) {
		msgpack_sbuffer_destroy(&sb);
		return (-PROTO_E_INTERNAL);
	}
	rc = eventlog_append(d->log, (uint8_t *)sb.data, sb.size,
	    rpc_cmd_init_done, a);
	msgpack_sbuffer_destroy(&sb);
	if (rc < 0) {
		rpc_cmd_async_free(a);
		return (rc);
	}
	return (RPC_CMD_ASYNC);
}

static const char *
rpc_cmd_verified_name(enum eventlog_verified v)
{
	switch (v) {
	case EVENTLOG_VERIFY_OK:
		return ("ok");
	case EVENTLOG_VERIFY_BAD:
		return ("bad");
	default:
		return ("pending");
	}
}

/* status []: daemon, family, device and counts. */
int
rpc_cmd_status(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views		*v = eventlog_views(d->log);
	const struct chain_author	*me;
	struct eventlog_stats		 st;

	eventlog_stats(d->log, &st);
	me = chain_find(&v->chain, d->keys.device_pk);
	msgpack_pack_map(pk, 16);
	mp_pack_kv_str(pk, "version", ATTUNE_VERSION);
	mp_pack_kv_uint(pk, "proto", PROTO_VERSION);
	mp_pack_cstr(pk, "family");
	mp_pack_cstr(pk, v->has_family ? v->family : NULL);
	mp_pack_cstr(pk, "family_id");
	if (d->keys.has_family)
		mp_pack_hex(pk, d->keys.family_id, ENV_FAMILY_ID);
	else
		msgpack_pack_nil(pk);
	mp_pack_kv_hex(pk, "device", d->keys.device_pk, ENV_PK);
	mp_pack_cstr(pk, "member");
	mp_pack_cstr(pk, me != NULL && me->member >= 0 ?
	    v->members[me->member].name : NULL);
	mp_pack_kv_uint(pk, "entries", st.entries);
	mp_pack_kv_uint(pk, "skipped", st.skipped);
	mp_pack_kv_uint(pk, "authors", st.authors);
	mp_pack_kv_uint(pk, "clients", control_clients(d->ctl));
	mp_pack_kv_str(pk, "socket", d->cfg.socket_path);
	mp_pack_kv_str(pk, "data_dir", d->cfg.data_dir);
	mp_pack_kv_uint(pk, "forks", st.forks);
	mp_pack_kv_uint(pk, "peer_port", peers_port(d->peers));
	mp_pack_cstr(pk, "peers");
	peers_pack_status(d->peers, pk);
	mp_pack_cstr(pk, "verified");
	msgpack_pack_map(pk, 3);
	mp_pack_kv_str(pk, "state", rpc_cmd_verified_name(st.verified));
	mp_pack_kv_uint(pk, "checked", st.checked);
	mp_pack_kv_uint(pk, "bad", st.bad);
	return (0);
}

/* kids []: every kid, in the order they were added. */
int
rpc_cmd_kids(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	size_t			 i;
	uint32_t		 n = 0;

	for (i = 0; i < v->nmembers; i++)
		n += v->members[i].kid;
	msgpack_pack_array(pk, n);
	for (i = 0; i < v->nmembers; i++) {
		if (v->members[i].kid)
			views_pack_member(v, &v->members[i], pk);
	}
	return (0);
}
