/*
 * kinds.h: the entry kinds of the event log, their wire names, and the
 * schema a client's append must satisfy. Kinds a client may not append
 * (family.create, device.add) are written by the daemon itself.
 *
 * Stored payloads (msgpack maps, encrypted in the envelope):
 *	family.create	{t, family: str, name: str}
 *	device.add	{t, device: bin 32, name: str}
 *	kid.add		{t, name: str, born?: "YYYY-MM-DD"}
 *	one-on-one	{t, kid: bin 32, minutes: uint, activity?, note?,
 *			 at: int ms}
 *	checkin		{t, who: bin 32, feeling: str, intensity?: 1..5, note?}
 *	checkout	same as checkin
 *	repair		{t, kid: bin 32, what: str, apologized: bool, note?}
 *	device.remove	{t, device: bin 32, final_seq: uint}
 *	key.rotate	{t, epoch: uint32, keys: [[device (bin 32),
 *			 crypto_box_seal of the new key to the device's
 *			 X25519 key (bin 80)], ...]}
 * A kid/who reference is the id of the event that introduced the member.
 * Unknown kinds and fields from newer peers are kept as they are.
 */
#ifndef ATTUNE_KINDS_H
#define ATTUNE_KINDS_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

struct views;

enum kind {
	KIND_OTHER = 0,
	KIND_FAMILY_CREATE,
	KIND_DEVICE_ADD,
	KIND_KID_ADD,
	KIND_ONE_ON_ONE,
	KIND_CHECKIN,
	KIND_CHECKOUT,
	KIND_REPAIR,
	KIND_DEVICE_REMOVE,
	KIND_KEY_ROTATE,
	KIND_COUNT
};

const char	*kinds_name(enum kind);
enum kind	 kinds_lookup(const char *, size_t);
/* What a payload changes about who may write (kinds_peek). */
struct kinds_admin {
	enum kind	kind;
	uint8_t		device[32];	/* device.add, device.remove */
	uint64_t	final_seq;	/* device.remove */
};

enum kind	 kinds_peek(const uint8_t *payload, size_t len,
		    struct kinds_admin *);
int		 kinds_check_name(const char *field, const char *, size_t,
		    char **cause);
int		 kinds_build(const struct views *, const msgpack_object *input,
		    int64_t now_ms, msgpack_sbuffer *out, char **cause);

#endif
