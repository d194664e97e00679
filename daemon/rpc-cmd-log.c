/*
 * rpc-cmd-log.c: commands over the event log: append, log, verify,
 * subscribe.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mp.h"
#include "rpc-cmd.h"
#include "when.h"

#define RPC_LOG_DEFAULT_LIMIT	50

static void	rpc_cmd_append_done(void *, int, const struct view_entry *);
static const char *rpc_cmd_append_why(int);
static void	rpc_cmd_verify_done(void *, int, const char *, size_t);

static void
rpc_cmd_append_done(void *arg, int rc, const struct view_entry *ve)
{
	struct rpc_cmd_async	*a = arg;
	struct control_reply	 r;

	if (rc < 0) {
		control_reply_error(a->conn, a->msgid, rc,
		    rpc_cmd_append_why(rc));
		rpc_cmd_async_free(a);
		return;
	}
	control_reply_begin(&r, a->msgid);
	msgpack_pack_map(&r.pk, 3);
	mp_pack_kv_hex(&r.pk, "id", ve->id, ENV_ID);
	mp_pack_kv_uint(&r.pk, "seq", ve->seq);
	mp_pack_kv_uint(&r.pk, "ts", ve->hlc);
	control_reply_end(a->conn, &r);
	rpc_cmd_async_free(a);
}

/* What a person can do about an append that failed in the store. */
static const char *
rpc_cmd_append_why(int rc)
{
	if (rc == -PROTO_E_STORE)
		return ("the entry could not be written to disk, so it was "
		    "not kept (is the disk full?); try again");
	return (NULL);
}

/* append [{t, ...}]: validate, seal, reply once durable. */
int
rpc_cmd_append(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	msgpack_sbuffer		 sb;
	struct rpc_cmd_async	*a;
	int			 rc;

	msgpack_sbuffer_init(&sb);
	rc = kinds_build(eventlog_views(d->log), rpc_cmd_param_map(req),
	    eventlog_now(d->log), &sb, cause);
	if (rc < 0)
		goto out;
	if ((rc = eventlog_check_queued(d->log, (uint8_t *)sb.data, sb.size,
	    cause)) < 0)
		goto out;
	if ((a = rpc_cmd_async_new(d, req)) == NULL) {
		rc = -PROTO_E_INTERNAL;
		goto out;
	}
	rc = eventlog_append(d->log, (uint8_t *)sb.data, sb.size,
	    rpc_cmd_append_done, a);
	if (rc < 0) {
		if (rpc_cmd_append_why(rc) != NULL)
			diag_cause(cause, "%s", rpc_cmd_append_why(rc));
		rpc_cmd_async_free(a);
	} else
		rc = RPC_CMD_ASYNC;
out:
	msgpack_sbuffer_destroy(&sb);
	return (rc);
}

/* The filters of a log request. */
struct rpc_log_filter {
	int		 subject;	/* member index, -1: any */
	const char	*kind;
	size_t		 kind_len;
	int64_t		 since;		/* entries at or after */
	int64_t		 until;		/* entries before */
	uint64_t	 limit;
};

/*
 * The WHEN string under key in in, if any, into *ms. Return 0 (absent:
 * *ms unchanged), -PROTO_E_TYPE, or -PROTO_E_INVALID with *cause set.
 */
static int
rpc_log_when(struct daemon *d, const msgpack_object *in, const char *key,
    int64_t *ms, char **cause)
{
	const char	*s;
	size_t		 len;
	char		 buf[PROTO_MAX_NAME + 1];
	int		 rc;

	if ((rc = mp_get_str(in, key, &s, &len, PROTO_MAX_NAME)) < 0)
		return (-PROTO_E_TYPE);
	if (rc != MP_FOUND)
		return (0);
	snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
	if (when_parse(buf, eventlog_now(d->log), ms) < 0) {
		diag_cause(cause, "%s: cannot read '%s' as a time", key, buf);
		return (-PROTO_E_INVALID);
	}
	return (0);
}

static int
rpc_log_parse(struct daemon *d, const msgpack_object *in,
    struct rpc_log_filter *f, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	const char		*s;
	size_t			 len;
	int			 rc;

	memset(f, 0, sizeof(*f));
	f->subject = -1;
	f->until = INT64_MAX;
	f->limit = RPC_LOG_DEFAULT_LIMIT;
	if (in == NULL)
		return (0);
	if ((rc = mp_get_str(in, "kid", &s, &len, PROTO_MAX_NAME)) < 0)
		goto bad;
	if (rc == MP_FOUND &&
	    (f->subject = views_member_find(v, s, len, VIEWS_KIDS, cause)) < 0)
		return (f->subject);
	if ((rc = mp_get_str(in, "kind", &f->kind, &f->kind_len,
	    PROTO_MAX_NAME)) < 0)
		goto bad;
	if ((rc = rpc_log_when(d, in, "since", &f->since, cause)) < 0 ||
	    (rc = rpc_log_when(d, in, "until", &f->until, cause)) < 0) {
		if (rc == -PROTO_E_TYPE)
			goto bad;
		return (rc);
	}
	if ((rc = mp_get_uint(in, "limit", &f->limit)) < 0)
		goto bad;
	if (f->limit == 0 || f->limit > PROTO_MAX_LIST) {
		diag_cause(cause, "limit: 1 to %d", PROTO_MAX_LIST);
		return (-PROTO_E_INVALID);
	}
	return (0);
bad:
	diag_cause(cause, "log: kid, kind, since and until are strings, limit "
	    "a number");
	return (-PROTO_E_TYPE);
}

static bool
rpc_log_match(const struct views *v, const struct view_entry *ve,
    const struct rpc_log_filter *f)
{
	const char	*name;

	if (f->subject >= 0 && ve->subject != f->subject)
		return (false);
	if ((int64_t)ve->hlc < f->since || (int64_t)ve->hlc >= f->until)
		return (false);
	if (f->kind != NULL) {
		name = kinds_name(ve->kind);
		if (name == NULL || strlen(name) != f->kind_len ||
		    memcmp(name, f->kind, f->kind_len) != 0)
			return (false);
	}
	return (true);
}

/* log [{kid?, kind?, since?, until?, limit?}]: entries, newest first. */
int
rpc_cmd_log(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	const struct views	*v = eventlog_views(d->log);
	struct rpc_log_filter	 f;
	const struct view_entry	**hits;
	size_t			 i, n = 0;
	int			 rc;

	if ((rc = rpc_log_parse(d, rpc_cmd_param_map(req), &f, cause)) < 0)
		return (rc);
	if ((hits = calloc(f.limit, sizeof(*hits))) == NULL)
		return (-PROTO_E_INTERNAL);
	for (i = v->nentries; i > 0 && n < f.limit; i--) {
		if (rpc_log_match(v, v->entries[i - 1], &f))
			hits[n++] = v->entries[i - 1];
	}
	msgpack_pack_array(pk, (uint32_t)n);
	for (i = 0; i < n; i++)
		views_pack_entry(v, hits[i], pk);
	free(hits);
	return (0);
}

static void
rpc_cmd_verify_done(void *arg, int rc, const char *result, size_t len)
{
	struct rpc_cmd_async	*a = arg;
	struct control_reply	 r;

	if (rc < 0) {
		control_reply_error(a->conn, a->msgid, rc, NULL);
	} else {
		control_reply_begin(&r, a->msgid);
		msgpack_sbuffer_write(&r.sb, result, len);
		control_reply_end(a->conn, &r);
	}
	rpc_cmd_async_free(a);
}

/* verify []: re-check the stored log off the loop. */
int
rpc_cmd_verify(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	struct rpc_cmd_async	*a;
	int			 rc;

	if ((a = rpc_cmd_async_new(d, req)) == NULL)
		return (-PROTO_E_INTERNAL);
	if ((rc = eventlog_verify(d->log, rpc_cmd_verify_done, a)) < 0) {
		rpc_cmd_async_free(a);
		if (rc == -PROTO_E_BUSY)
			diag_cause(cause, "verifications are already running; "
			    "try again in a moment");
		return (rc);
	}
	return (RPC_CMD_ASYNC);
}

/* subscribe []: "event" notifications from now on. */
int
rpc_cmd_subscribe(struct daemon *d, struct control_request *req,
    msgpack_packer *pk, char **cause)
{
	control_conn_subscribe(req->conn);
	msgpack_pack_true(pk);
	return (0);
}
