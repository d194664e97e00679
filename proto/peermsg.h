/*
 * peermsg.h: the messages peers exchange inside their secretstreams once
 * the handshake's hellos are done (handshake.h). Each is one msgpack
 * array in one secretstream message in one frame:
 *
 *	[1 IDENT,  device (bin 32), name (str or nil), join (bool)]
 *	[2 AUTH,   device (bin 32), sig (bin 64)]
 *	[3 ACK,    sig (bin 64)]
 *	[4 FAMILY, family_id (bin 16), epoch (uint32), key (bin 32)]
 *	[5 HEADS,  [[author (bin 32), seq (uint), id (bin 32)], ...]]
 *	[6 EVENTS, [blob (bin), ...]]        blobs as envelope.h, in order
 *	[7 ERROR,  code (uint, enum proto_err)]
 *
 * IDENT, AUTH and ACK carry the handshake's third step; FAMILY is sent
 * only to a device that joined with an invite; HEADS opens sync; EVENTS
 * carries what the other side lacks, per author in seq order. Peers get
 * error codes, never text. Limits: PEER_MAX_FRAME per frame,
 * PEER_MAX_HEADS heads, PEER_MAX_EVENTS events per message.
 */
#ifndef ATTUNE_PEERMSG_H
#define ATTUNE_PEERMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define PEER_MAX_FRAME		(1U << 20)
#define PEER_MAX_HEADS		256
#define PEER_MAX_EVENTS		1024

enum peermsg_type {
	PM_IDENT = 1,
	PM_AUTH = 2,
	PM_ACK = 3,
	PM_FAMILY = 4,
	PM_HEADS = 5,
	PM_EVENTS = 6,
	PM_ERROR = 7,
};

struct peermsg_head {
	const uint8_t	*author;
	uint64_t	 seq;
	const uint8_t	*id;
};

struct peermsg {
	enum peermsg_type	 type;
	const uint8_t		*device;	/* IDENT, AUTH */
	const char		*name;		/* IDENT, may be NULL */
	size_t			 name_len;
	bool			 join;		/* IDENT */
	const uint8_t		*sig;		/* AUTH, ACK */
	const uint8_t		*family_id;	/* FAMILY */
	uint32_t		 epoch;
	const uint8_t		*key;
	const msgpack_object	*list;		/* HEADS, EVENTS */
	uint64_t		 code;		/* ERROR */
};

int	peermsg_decode(const uint8_t *, size_t, msgpack_unpacked *,
	    struct peermsg *);
int	peermsg_head(const struct peermsg *, uint32_t i,
	    struct peermsg_head *);
int	peermsg_event(const struct peermsg *, uint32_t i, const uint8_t **,
	    size_t *);

void	peermsg_pack_ident(msgpack_packer *, const uint8_t device[32],
	    const char *name, bool join);
void	peermsg_pack_auth(msgpack_packer *, const uint8_t device[32],
	    const uint8_t sig[64]);
void	peermsg_pack_ack(msgpack_packer *, const uint8_t sig[64]);
void	peermsg_pack_family(msgpack_packer *, const uint8_t id[16],
	    uint32_t epoch, const uint8_t key[32]);
void	peermsg_pack_heads_begin(msgpack_packer *, uint32_t n);
void	peermsg_pack_head(msgpack_packer *, const uint8_t author[32],
	    uint64_t seq, const uint8_t id[32]);
void	peermsg_pack_events_begin(msgpack_packer *, uint32_t n);
void	peermsg_pack_error(msgpack_packer *, int code);

#endif
