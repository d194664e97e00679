/*
 * kinds.h: the entry kinds of the event log, their wire names, and the
 * schema a client's append must satisfy. Kinds a client may not append
 * (family.create, device.add) are written by the daemon itself.
 *
 * Stored payloads (msgpack maps, encrypted in the envelope). "?" marks a
 * field that may be absent; a default applies on reading, never by
 * rewriting:
 *	family.create	{t, family: str, name: str}
 *	device.add	{t, device: bin 32, name: str}
 *	kid.add		{t, name: str, born?: "YYYY-MM-DD"}
 *	one-on-one	{t, kid: ref, minutes: uint, activity?, note?,
 *			 at: int ms, parents?: [ref...] (default: the
 *			 author's member), child_led?: bool (default true),
 *			 screens_off?: bool (default true), topics?: str}
 *	checkin		{t, who: ref, feeling: str, intensity?: 1..5, note?,
 *			 zone?: "red" | "yellow" | "green" | "blue"
 *			 (default: the feeling's zone in the vocabulary of
 *			 views-feelings.c), at?: int ms (default: the HLC)}
 *	checkout	same as checkin
 *	repair		{t, kid: ref, what: str, apologized: bool, note?,
 *			 kids?: [ref...] (more kids), my_part?, heard?,
 *			 plan?, empathy?, concern?, invitation? (str),
 *			 repaired?: bool (default false), at?: int ms}
 *	device.remove	{t, device: bin 32, final_seq: uint}
 *	key.rotate	{t, epoch: uint32, keys: [[device (bin 32),
 *			 crypto_box_seal of the new key to the device's
 *			 X25519 key (bin 80)], ...]}
 *	plan		{t, kid: ref, days: [uint 0..6, 0 = Sunday],
 *			 time: "HH:MM", minutes: uint, by?: ref (default:
 *			 the author's member)}
 *	plan.stop	{t, kid: ref, by?: ref (absent: every plan of kid)}
 *	twoxten.start	{t, kid: ref, at: int ms}
 *	twoxten.day	{t, kid: ref, at: int ms, note?}
 *	goal		{t, kid: ref, text: str, due?: "YYYY-MM-DD"}
 *	goal.progress	{t, goal: id, note: str, at: int ms,
 *			 behaviors?: [str...] of views_behaviors}
 *	goal.close	{t, goal: id, outcome: "done" | "dropped", note?}
 *	strength	{t, kid: ref, text: str, type: "interest" |
 *			 "strength" | "skill" | "mirror"}
 *	moment		{t, kid: ref, what: str, at: int ms}
 *	repair.done	{t, repair: id, at: int ms, apologized?, heard?,
 *			 plan?, note?}
 *	prompt.add	{t, text: str, ages?: "A-B" (years)}
 *	setting		{t, key: "week_start", value: str}
 *	amend		{t, target: id, fields: {field: value...}} (fields
 *			 of the target's kind, stored as that kind stores
 *			 them)
 *	retract		{t, target: id, reason: str}
 * A ref (kid, who, by, parents) is the id of the event that introduced
 * the member; an id (goal, repair, target) is the id of another entry.
 * Unknown kinds and fields from newer peers are kept as they are.
 */
#ifndef ATTUNE_KINDS_H
#define ATTUNE_KINDS_H

#include <stdbool.h>
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
	KIND_PLAN,
	KIND_PLAN_STOP,
	KIND_TWOXTEN_START,
	KIND_TWOXTEN_DAY,
	KIND_GOAL,
	KIND_GOAL_PROGRESS,
	KIND_GOAL_CLOSE,
	KIND_STRENGTH,
	KIND_MOMENT,
	KIND_REPAIR_DONE,
	KIND_PROMPT_ADD,
	KIND_SETTING,
	KIND_AMEND,
	KIND_RETRACT,
	KIND_COUNT
};

#define KIND_BIT(k)	(1U << (k))

/* Kinds whose entries name another entry (views keep an index). */
#define KINDS_LINKS	(KIND_BIT(KIND_GOAL_PROGRESS) |			\
	KIND_BIT(KIND_GOAL_CLOSE) | KIND_BIT(KIND_REPAIR_DONE) |	\
	KIND_BIT(KIND_AMEND) | KIND_BIT(KIND_RETRACT))

const char	*kinds_name(enum kind);
enum kind	 kinds_lookup(const char *, size_t);
bool		 kinds_client(enum kind);
/* What a payload changes about who may write (kinds_peek). */
struct kinds_admin {
	enum kind	kind;
	bool		readable;	/* a map with a str "t", 1-64 bytes */
	uint8_t		device[32];	/* device.add, device.remove */
	uint64_t	final_seq;	/* device.remove */
};

enum kind	 kinds_peek(const uint8_t *payload, size_t len,
		    struct kinds_admin *);
int		 kinds_check_name(const char *field, const char *, size_t,
		    char **cause);
int		 kinds_build(const struct views *, const msgpack_object *input,
		    int64_t now_ms, msgpack_sbuffer *out, char **cause);
int		 kinds_weekday(const char *, size_t);
int		 kinds_hhmm(const char *, size_t, int *minutes);
int		 kinds_ages(const char *, size_t, int *lo, int *hi);

#endif
