/*
 * discovery.c: the beacons of discovery.h over libuv UDP handles, one
 * IPv4 (broadcast) and one IPv6 (link-local multicast). Incoming beacons
 * are rate-limited before any cryptography is spent on them. Keeps what
 * it did and heard for `attune doctor`.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "beacon.h"
#include "diag.h"
#include "discovery.h"
#include "mp.h"
#include "proto.h"

#define DISC_TICK_MS		2000
#define DISC_FAMILY_TICKS	15		/* family beacon every 30 s */
#define DISC_MAX_IFACES		16
#define DISC_MAX_HEARD		16
#define DISC_RATE_PER_S		20		/* beacons examined per second */
#define DISC_BURST		50

struct disc_key {
	bool		active;
	bool		announce;
	int64_t		until_ms;	/* 0: no end */
	uint8_t		key[32];
};

struct disc_iface {
	char		name[IF_NAMESIZE];
	char		addr[INET6_ADDRSTRLEN];
	int64_t		last_sent_ms;
	char		error[48];
};

struct disc_heard {
	char		addr[INET6_ADDRSTRLEN];
	uint16_t	port;
	int		slot;
	int64_t		last_ms;
	uint64_t	count;
};

struct discovery {
	uv_loop_t		*loop;
	uv_udp_t		 v4, v6;
	bool			 has_v6;
	uv_timer_t		 timer;
	uint16_t		 udp_port;
	uint16_t		 tcp_port;
	uint8_t			 fp[BEACON_FP];
	discovery_heard_cb	 cb;
	void			*arg;
	struct disc_key		*keys;		/* sodium_malloc, SLOTS */
	unsigned		 ticks;
	double			 tokens;
	uint64_t		 last_refill;
	uint8_t			 rxbuf[128];
	struct disc_iface	 ifaces[DISC_MAX_IFACES];
	unsigned		 nifaces;
	struct disc_heard	 heard[DISC_MAX_HEARD];
	unsigned		 nheard;
	uint64_t		 ignored, limited;
	unsigned		 closing;
};

static void	disc_tick_cb(uv_timer_t *);
static void	disc_send_all(struct discovery *, bool family);
static void	disc_alloc_cb(uv_handle_t *, size_t, uv_buf_t *);
static void	disc_recv_cb(uv_udp_t *, ssize_t, const uv_buf_t *,
		    const struct sockaddr *, unsigned);
static bool	disc_rate_ok(struct discovery *);
static void	disc_note_heard(struct discovery *, const char *, uint16_t,
		    int);
static struct disc_iface *disc_iface(struct discovery *, const char *,
		    const char *);
static int64_t	disc_now_ms(const struct discovery *);
static void	disc_closed_cb(uv_handle_t *);

static int64_t
disc_now_ms(const struct discovery *d)
{
	uv_timeval64_t	tv;

	if (uv_gettimeofday(&tv) < 0)
		return ((int64_t)uv_now(d->loop));
	return ((int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

/*
 * Bind udp_port on every IPv4 address (and IPv6, when the host has it)
 * with SO_REUSEADDR, so several daemons of one host can listen. Return 0
 * or a negative errno with *cause set.
 */
int
discovery_start(uv_loop_t *loop, uint16_t udp_port, const uint8_t fp[8],
    discovery_heard_cb cb, void *arg, struct discovery **out, char **cause)
{
	struct discovery	*d;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	int			 rc;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return (-PROTO_E_INTERNAL);
	if ((d->keys = sodium_malloc(DISCOVERY_SLOTS *
	    sizeof(*d->keys))) == NULL) {
		free(d);
		return (-PROTO_E_INTERNAL);
	}
	memset(d->keys, 0, DISCOVERY_SLOTS * sizeof(*d->keys));
	d->loop = loop;
	d->udp_port = udp_port;
	memcpy(d->fp, fp, BEACON_FP);
	d->cb = cb;
	d->arg = arg;
	d->tokens = DISC_BURST;
	d->last_refill = uv_now(loop);
	uv_udp_init(loop, &d->v4);
	d->v4.data = d;
	uv_ip4_addr("0.0.0.0", udp_port, &sin);
	if ((rc = uv_udp_bind(&d->v4, (struct sockaddr *)&sin,
	    UV_UDP_REUSEADDR)) < 0 || (rc = uv_udp_set_broadcast(&d->v4,
	    1)) < 0 || (rc = uv_udp_recv_start(&d->v4, disc_alloc_cb,
	    disc_recv_cb)) < 0) {
		diag_cause(cause, "discovery: cannot use UDP port %u: %s",
		    udp_port, uv_strerror(rc));
		d->closing = 1;		/* the close callback frees d */
		uv_close((uv_handle_t *)&d->v4, disc_closed_cb);
		return (rc);
	}
	uv_udp_init(loop, &d->v6);
	d->v6.data = d;
	uv_ip6_addr("::", udp_port, &sin6);
	d->has_v6 = uv_udp_bind(&d->v6, (struct sockaddr *)&sin6,
	    UV_UDP_REUSEADDR | UV_UDP_IPV6ONLY) == 0 &&
	    uv_udp_recv_start(&d->v6, disc_alloc_cb, disc_recv_cb) == 0;
	uv_timer_init(loop, &d->timer);
	d->timer.data = d;
	uv_timer_start(&d->timer, disc_tick_cb, 100, DISC_TICK_MS);
	*out = d;
	return (0);
}

static void
disc_closed_cb(uv_handle_t *h)
{
	struct discovery	*d = h->data;

	if (--d->closing == 0) {
		sodium_free(d->keys);
		free(d);
	}
}

void
discovery_close(struct discovery *d)
{
	if (d == NULL)
		return;
	d->closing = 3;
	uv_close((uv_handle_t *)&d->timer, disc_closed_cb);
	uv_close((uv_handle_t *)&d->v4, disc_closed_cb);
	uv_close((uv_handle_t *)&d->v6, disc_closed_cb);
}

/*
 * Set (key != NULL) or clear slot. announce: send beacons under it;
 * every active key is also listened for. until_ms: 0 for no end.
 */
void
discovery_set_key(struct discovery *d, int slot, const uint8_t *key,
    bool announce, int64_t until_ms)
{
	struct disc_key	*k;

	if (d == NULL || slot < 0 || slot >= DISCOVERY_SLOTS)
		return;
	k = &d->keys[slot];
	sodium_memzero(k, sizeof(*k));
	if (key == NULL)
		return;
	k->active = true;
	k->announce = announce;
	k->until_ms = until_ms;
	memcpy(k->key, key, 32);
	if (announce)
		disc_send_all(d, slot == DISCOVERY_FAMILY);
}

void
discovery_set_port(struct discovery *d, uint16_t tcp_port)
{
	if (d != NULL)
		d->tcp_port = tcp_port;
}

/* Announce now (e.g. the family key just arrived). */
void
discovery_announce(struct discovery *d)
{
	if (d != NULL)
		disc_send_all(d, true);
}

static void
disc_tick_cb(uv_timer_t *t)
{
	struct discovery	*d = t->data;
	int64_t			 now = disc_now_ms(d);
	int			 i;

	for (i = 0; i < DISCOVERY_SLOTS; i++) {
		if (d->keys[i].active && d->keys[i].until_ms != 0 &&
		    d->keys[i].until_ms <= now)
			sodium_memzero(&d->keys[i], sizeof(d->keys[i]));
	}
	disc_send_all(d, d->ticks++ % DISC_FAMILY_TICKS == 0);
}

static struct disc_iface *
disc_iface(struct discovery *d, const char *name, const char *addr)
{
	unsigned	i;

	for (i = 0; i < d->nifaces; i++) {
		if (strcmp(d->ifaces[i].name, name) == 0 &&
		    strcmp(d->ifaces[i].addr, addr) == 0)
			return (&d->ifaces[i]);
	}
	if (d->nifaces == DISC_MAX_IFACES)
		return (NULL);
	snprintf(d->ifaces[d->nifaces].name, IF_NAMESIZE, "%s", name);
	snprintf(d->ifaces[d->nifaces].addr, INET6_ADDRSTRLEN, "%s", addr);
	return (&d->ifaces[d->nifaces++]);
}

/* One beacon to one interface's broadcast or link-local group. */
static void
disc_send_one(struct discovery *d, const uv_interface_address_t *ia,
    const uint8_t *beacon)
{
	struct sockaddr_storage	 ss;
	struct disc_iface	*f;
	char			 addr[INET6_ADDRSTRLEN];
	uv_buf_t		 buf = uv_buf_init((char *)beacon, BEACON_LEN);
	uint32_t		 a, m;
	int			 rc;

	memset(&ss, 0, sizeof(ss));
	if (ia->address.address4.sin_family == AF_INET) {
		struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;

		a = ntohl(ia->address.address4.sin_addr.s_addr);
		m = ntohl(ia->netmask.netmask4.sin_addr.s_addr);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(d->udp_port);
		sin->sin_addr.s_addr = htonl((a & m) | ~m);
		uv_ip4_name(&ia->address.address4, addr, sizeof(addr));
		rc = uv_udp_try_send(&d->v4, &buf, 1, (struct sockaddr *)sin);
	} else {
		struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

		if (!d->has_v6 || !IN6_IS_ADDR_LINKLOCAL(
		    &ia->address.address6.sin6_addr))
			return;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(d->udp_port);
		inet_pton(AF_INET6, "ff02::1", &sin6->sin6_addr);
		sin6->sin6_scope_id = if_nametoindex(ia->name);
		uv_ip6_name(&ia->address.address6, addr, sizeof(addr));
		rc = uv_udp_try_send(&d->v6, &buf, 1,
		    (struct sockaddr *)sin6);
	}
	if ((f = disc_iface(d, ia->name, addr)) == NULL)
		return;
	if (rc < 0)
		snprintf(f->error, sizeof(f->error), "%s", uv_strerror(rc));
	else {
		f->error[0] = '\0';
		f->last_sent_ms = disc_now_ms(d);
	}
}

/* Send each announcing key's beacon (family only when family is true). */
static void
disc_send_all(struct discovery *d, bool family)
{
	uv_interface_address_t	*ia;
	uint8_t			 beacon[BEACON_LEN];
	int			 n, i, slot;
	int64_t			 now_s = disc_now_ms(d) / 1000;

	if (d->tcp_port == 0 || uv_interface_addresses(&ia, &n) < 0)
		return;
	for (slot = 0; slot < DISCOVERY_SLOTS; slot++) {
		if (!d->keys[slot].active || !d->keys[slot].announce ||
		    (slot == DISCOVERY_FAMILY && !family))
			continue;
		beacon_seal(beacon, d->keys[slot].key, now_s, d->tcp_port,
		    d->fp);
		for (i = 0; i < n; i++) {
			if (!ia[i].is_internal)
				disc_send_one(d, &ia[i], beacon);
		}
	}
	uv_free_interface_addresses(ia, n);
}

static void
disc_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct discovery	*d = h->data;

	*buf = uv_buf_init((char *)d->rxbuf, sizeof(d->rxbuf));
}

/* Token bucket: at most DISC_RATE_PER_S examined, bursts of DISC_BURST. */
static bool
disc_rate_ok(struct discovery *d)
{
	uint64_t	now = uv_now(d->loop);

	d->tokens += (double)(now - d->last_refill) * DISC_RATE_PER_S / 1000;
	if (d->tokens > DISC_BURST)
		d->tokens = DISC_BURST;
	d->last_refill = now;
	if (d->tokens < 1) {
		d->limited++;
		return (false);
	}
	d->tokens -= 1;
	return (true);
}

static void
disc_note_heard(struct discovery *d, const char *addr, uint16_t port,
    int slot)
{
	struct disc_heard	*h = NULL;
	unsigned		 i, oldest = 0;

	for (i = 0; i < d->nheard; i++) {
		if (strcmp(d->heard[i].addr, addr) == 0 &&
		    d->heard[i].port == port) {
			h = &d->heard[i];
			break;
		}
		if (d->heard[i].last_ms < d->heard[oldest].last_ms)
			oldest = i;
	}
	if (h == NULL) {
		h = d->nheard < DISC_MAX_HEARD ? &d->heard[d->nheard++] :
		    &d->heard[oldest];
		memset(h, 0, sizeof(*h));
		snprintf(h->addr, sizeof(h->addr), "%s", addr);
		h->port = port;
	}
	h->slot = slot;
	h->last_ms = disc_now_ms(d);
	h->count++;
}

static void
disc_recv_cb(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *from, unsigned flags)
{
	struct discovery	*d = u->data;
	uint8_t			 fp[BEACON_FP];
	char			 host[INET6_ADDRSTRLEN] = "";
	uint16_t		 port;
	int64_t			 now_s;
	int			 slot;

	if (nread <= 0 || from == NULL || (flags & UV_UDP_PARTIAL))
		return;
	if (nread != BEACON_LEN) {
		d->ignored++;
		return;
	}
	if (!disc_rate_ok(d))
		return;
	now_s = disc_now_ms(d) / 1000;
	for (slot = 0; slot < DISCOVERY_SLOTS; slot++) {
		if (d->keys[slot].active && beacon_open((uint8_t *)buf->base,
		    (size_t)nread, d->keys[slot].key, now_s, &port, fp) == 0)
			break;
	}
	if (slot == DISCOVERY_SLOTS) {
		d->ignored++;
		return;
	}
	if (memcmp(fp, d->fp, BEACON_FP) == 0 || port == 0)
		return;				/* our own */
	if (from->sa_family == AF_INET6) {
		const struct sockaddr_in6	*s6 = (const void *)from;
		char				 ip[INET6_ADDRSTRLEN];
		char				 ifn[IF_NAMESIZE] = "";

		uv_ip6_name(s6, ip, sizeof(ip));
		if (s6->sin6_scope_id != 0)
			if_indextoname(s6->sin6_scope_id, ifn);
		snprintf(host, sizeof(host), ifn[0] ? "%s%%%s" : "%s", ip,
		    ifn);
	} else
		uv_ip4_name((const struct sockaddr_in *)from, host,
		    sizeof(host));
	disc_note_heard(d, host, port, slot);
	d->cb(d->arg, slot, host, port);
}

/*
 * {port, ipv6, interfaces: [{name, address, last_sent, error}],
 *  heard: [{address, port, what, last, count}], ignored, rate_limited}
 */
void
discovery_pack_status(const struct discovery *d, msgpack_packer *pk)
{
	unsigned	i;

	if (d == NULL) {
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 6);
	mp_pack_kv_uint(pk, "port", d->udp_port);
	mp_pack_kv_bool(pk, "ipv6", d->has_v6);
	mp_pack_cstr(pk, "interfaces");
	msgpack_pack_array(pk, d->nifaces);
	for (i = 0; i < d->nifaces; i++) {
		msgpack_pack_map(pk, 4);
		mp_pack_kv_str(pk, "name", d->ifaces[i].name);
		mp_pack_kv_str(pk, "address", d->ifaces[i].addr);
		mp_pack_kv_int(pk, "last_sent", d->ifaces[i].last_sent_ms);
		mp_pack_kv_str(pk, "error", d->ifaces[i].error);
	}
	mp_pack_cstr(pk, "heard");
	msgpack_pack_array(pk, d->nheard);
	for (i = 0; i < d->nheard; i++) {
		msgpack_pack_map(pk, 5);
		mp_pack_kv_str(pk, "address", d->heard[i].addr);
		mp_pack_kv_uint(pk, "port", d->heard[i].port);
		mp_pack_kv_str(pk, "what", d->heard[i].slot ==
		    DISCOVERY_FAMILY ? "family" : "invite");
		mp_pack_kv_int(pk, "last", d->heard[i].last_ms);
		mp_pack_kv_uint(pk, "count", d->heard[i].count);
	}
	mp_pack_kv_uint(pk, "ignored", d->ignored);
	mp_pack_kv_uint(pk, "rate_limited", d->limited);
}
