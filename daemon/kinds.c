/*
 * kinds.c: the kind table and the validation of client appends (see
 * kinds.h). Input is checked field by field against the schema and
 * turned into the stored payload; a bad field writes nothing and says
 * which field and why.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "kinds.h"
#include "mp.h"
#include "mpcheck.h"
#include "utf8.h"
#include "views.h"
#include "when.h"

enum field_type {
	F_NAME,		/* str, 1..PROTO_MAX_NAME, no control chars */
	F_TEXT,		/* str, 1..PROTO_MAX_TEXT */
	F_DATE,		/* str YYYY-MM-DD */
	F_UINT,		/* uint in [min, max] */
	F_BOOL,
	F_WHEN,		/* WHEN str -> int ms */
	F_KID,		/* kid name -> bin 32 */
	F_WHO,		/* kid or parent name -> bin 32 */
};

struct kind_field {
	const char	*name;
	enum field_type	 type;
	bool		 required;
	bool		 has_def;
	int64_t		 min, max, def;
};

struct kind_spec {
	const char		*name;
	bool			 client;	/* may a client append it */
	const struct kind_field	*fields;
};

#define KIND_MAX_FIELDS	8

static const struct kind_field kid_add_fields[] = {
	{ "name", F_NAME, true },
	{ "born", F_DATE, false },
	{ NULL }
};
static const struct kind_field one_on_one_fields[] = {
	{ "kid", F_KID, true },
	{ "minutes", F_UINT, false, true, 1, 600, 10 },
	{ "activity", F_TEXT, false },
	{ "note", F_TEXT, false },
	{ "at", F_WHEN, false, true },
	{ NULL }
};
static const struct kind_field feeling_fields[] = {
	{ "who", F_WHO, true },
	{ "feeling", F_NAME, true },
	{ "intensity", F_UINT, false, false, 1, 5 },
	{ "note", F_TEXT, false },
	{ NULL }
};
static const struct kind_field repair_fields[] = {
	{ "kid", F_KID, true },
	{ "what", F_TEXT, true },
	{ "apologized", F_BOOL, false, true, 0, 1, 0 },
	{ "note", F_TEXT, false },
	{ NULL }
};

static const struct kind_spec kind_specs[KIND_COUNT] = {
	[KIND_OTHER] = { NULL, false, NULL },
	[KIND_FAMILY_CREATE] = { "family.create", false, NULL },
	[KIND_DEVICE_ADD] = { "device.add", false, NULL },
	[KIND_KID_ADD] = { "kid.add", true, kid_add_fields },
	[KIND_ONE_ON_ONE] = { "one-on-one", true, one_on_one_fields },
	[KIND_CHECKIN] = { "checkin", true, feeling_fields },
	[KIND_CHECKOUT] = { "checkout", true, feeling_fields },
	[KIND_REPAIR] = { "repair", true, repair_fields },
	[KIND_DEVICE_REMOVE] = { "device.remove", false, NULL },
	[KIND_KEY_ROTATE] = { "key.rotate", false, NULL },
};

/* One validated value, ready to pack. */
struct field_value {
	const struct kind_field	*f;
	const char		*s;
	size_t			 len;
	int64_t			 i;
	const uint8_t		*ref;
};

static int	kinds_check_str(const struct kind_field *,
		    const msgpack_object *, struct field_value *, char **);
static int	kinds_check_field(const struct views *,
		    const struct kind_field *, const msgpack_object *,
		    int64_t now_ms, struct field_value *, char **);
static int	kinds_check_date(const char *, size_t);
static void	kinds_pack_value(msgpack_packer *, const struct field_value *);

const char *
kinds_name(enum kind k)
{
	if ((unsigned)k >= KIND_COUNT)
		return (NULL);
	return (kind_specs[k].name);
}

enum kind
kinds_lookup(const char *s, size_t len)
{
	int	k;

	for (k = 1; k < KIND_COUNT; k++) {
		if (strlen(kind_specs[k].name) == len &&
		    memcmp(kind_specs[k].name, s, len) == 0)
			return ((enum kind)k);
	}
	return (KIND_OTHER);
}

/* YYYY-MM-DD, all digits, a real calendar day between 1900 and 2200. */
static int
kinds_check_date(const char *s, size_t len)
{
	int	y = 0, m = 0, d = 0, mdays;
	size_t	i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return (-PROTO_E_INVALID);
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return (-PROTO_E_INVALID);
		if (i < 4)
			y = y * 10 + (s[i] - '0');
		else if (i < 7)
			m = m * 10 + (s[i] - '0');
		else
			d = d * 10 + (s[i] - '0');
	}
	mdays = m == 2 ? (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ?
	    29 : 28) : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays)
		return (-PROTO_E_INVALID);
	return (0);
}

/* Strings: non-empty, bounded, no control characters. */
static int
kinds_check_str(const struct kind_field *f, const msgpack_object *o,
    struct field_value *fv, char **cause)
{
	size_t	max = f->type == F_TEXT ? PROTO_MAX_TEXT : PROTO_MAX_NAME, i, n;
	uint32_t cp;

	if (o->type != MSGPACK_OBJECT_STR) {
		diag_cause(cause, "%s: expected a string", f->name);
		return (-PROTO_E_TYPE);
	}
	fv->s = o->via.str.ptr;
	fv->len = o->via.str.size;
	if (fv->len > max) {
		diag_cause(cause, "%s: longer than %zu bytes", f->name, max);
		return (-PROTO_E_TOOBIG);
	}
	for (i = 0; i < fv->len && (fv->s[i] == ' ' || fv->s[i] == '\n' ||
	    fv->s[i] == '\t'); i++)
		;
	if (i == fv->len) {
		diag_cause(cause, "%s: must not be empty", f->name);
		return (-PROTO_E_INVALID);
	}
	for (i = 0; i < fv->len; i += n) {
		if ((n = utf8_next((const uint8_t *)fv->s + i, fv->len - i,
		    &cp)) == 0) {
			diag_cause(cause, "%s: not valid UTF-8", f->name);
			return (-PROTO_E_INVALID);
		}
		/* C0 (but a newline in text), DEL and C1 would reach
		 * terminals as control sequences. */
		if ((cp < 0x20 && !(f->type == F_TEXT && cp == '\n')) ||
		    (cp >= 0x7f && cp <= 0x9f)) {
			diag_cause(cause, "%s: control characters are not "
			    "allowed", f->name);
			return (-PROTO_E_INVALID);
		}
	}
	return (0);
}

static int
kinds_check_field(const struct views *v, const struct kind_field *f,
    const msgpack_object *o, int64_t now_ms, struct field_value *fv,
    char **cause)
{
	int	rc, idx;

	fv->f = f;
	switch (f->type) {
	case F_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN) {
			diag_cause(cause, "%s: expected true or false",
			    f->name);
			return (-PROTO_E_TYPE);
		}
		fv->i = o->via.boolean;
		return (0);
	case F_UINT:
		if (mp_as_int(o, &fv->i) < 0) {
			diag_cause(cause, "%s: expected a number", f->name);
			return (-PROTO_E_TYPE);
		}
		if (fv->i < f->min || fv->i > f->max) {
			diag_cause(cause, "%s: must be between %lld and %lld",
			    f->name, (long long)f->min, (long long)f->max);
			return (-PROTO_E_INVALID);
		}
		return (0);
	default:
		break;
	}
	if ((rc = kinds_check_str(f, o, fv, cause)) < 0)
		return (rc);
	switch (f->type) {
	case F_DATE:
		if (kinds_check_date(fv->s, fv->len) < 0) {
			diag_cause(cause, "%s: '%.*s' is not a date "
			    "(YYYY-MM-DD)", f->name, (int)fv->len, fv->s);
			return (-PROTO_E_INVALID);
		}
		return (0);
	case F_WHEN: {
		char	buf[PROTO_MAX_NAME + 1];

		snprintf(buf, sizeof(buf), "%.*s", (int)fv->len, fv->s);
		if (when_parse(buf, now_ms, &fv->i) < 0) {
			diag_cause(cause, "%s: cannot read '%s' as a time "
			    "(try today, yesterday, HH:MM or YYYY-MM-DD)",
			    f->name, buf);
			return (-PROTO_E_INVALID);
		}
		return (0);
	}
	case F_KID:
	case F_WHO:
		idx = views_member_find(v, fv->s, fv->len, f->type == F_KID ?
		    VIEWS_KIDS : VIEWS_KIDS | VIEWS_PARENTS, cause);
		if (idx < 0)
			return (idx);
		fv->ref = v->members[idx].id;
		return (0);
	default:
		return (0);
	}
}

static void
kinds_pack_value(msgpack_packer *pk, const struct field_value *fv)
{
	mp_pack_cstr(pk, fv->f->name);
	switch (fv->f->type) {
	case F_BOOL:
		if (fv->i)
			msgpack_pack_true(pk);
		else
			msgpack_pack_false(pk);
		break;
	case F_UINT:
	case F_WHEN:
		msgpack_pack_int64(pk, fv->i);
		break;
	case F_KID:
	case F_WHO:
		mp_pack_bin(pk, fv->ref, ENV_ID);
		break;
	default:
		mp_pack_strn(pk, fv->s, fv->len);
		break;
	}
}

/*
 * Validate a client's append input {t: kind, ...} and pack the payload
 * to store into out. Return 0 or a negative PROTO_E_* code with *cause.
 */
int
kinds_build(const struct views *v, const msgpack_object *in, int64_t now_ms,
    msgpack_sbuffer *out, char **cause)
{
	struct field_value	 vals[KIND_MAX_FIELDS];
	const struct kind_spec	*spec;
	const struct kind_field	*f;
	const msgpack_object	*o;
	msgpack_packer		 pk;
	const char		*t;
	size_t			 tlen, n = 0, i;
	int			 rc;

	if (in->type != MSGPACK_OBJECT_MAP ||
	    mp_get_str(in, "t", &t, &tlen, PROTO_MAX_NAME) != MP_FOUND) {
		diag_cause(cause, "expected a map with the kind in \"t\"");
		return (-PROTO_E_TYPE);
	}
	spec = &kind_specs[kinds_lookup(t, tlen)];
	if (spec->name == NULL || !spec->client) {
		diag_cause(cause, "cannot append an entry of kind '%.*s'",
		    (int)tlen, t);
		return (-PROTO_E_INVALID);
	}
	for (i = 0; i < in->via.map.size; i++) {
		const msgpack_object	*key = &in->via.map.ptr[i].key;

		if (mp_str_eq(key, "t"))
			continue;
		for (f = spec->fields; f->name != NULL; f++) {
			if (mp_str_eq(key, f->name))
				break;
		}
		if (f->name == NULL) {
			diag_cause(cause, "%s has no field '%.*s'", spec->name,
			    key->type == MSGPACK_OBJECT_STR ?
			    (int)key->via.str.size : 1,
			    key->type == MSGPACK_OBJECT_STR ?
			    key->via.str.ptr : "?");
			return (-PROTO_E_INVALID);
		}
	}
	for (f = spec->fields; f->name != NULL; f++) {
		o = mp_map_get(in, f->name);
		if (o == NULL || o->type == MSGPACK_OBJECT_NIL) {
			if (f->required) {
				diag_cause(cause, "%s: required", f->name);
				return (-PROTO_E_INVALID);
			}
			if (!f->has_def)
				continue;
			memset(&vals[n], 0, sizeof(vals[n]));
			vals[n].f = f;
			vals[n++].i = f->type == F_WHEN ? now_ms : f->def;
			continue;
		}
		if ((rc = kinds_check_field(v, f, o, now_ms, &vals[n],
		    cause)) < 0)
			return (rc);
		n++;
	}
	if (kinds_lookup(t, tlen) == KIND_KID_ADD &&
	    views_member_named(v, vals[0].s, vals[0].len) >= 0) {
		diag_cause(cause, "'%.*s' is already in the family",
		    (int)vals[0].len, vals[0].s);
		return (-PROTO_E_EXISTS);
	}
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (uint32_t)n + 1);
	mp_pack_kv_str(&pk, "t", spec->name);
	for (i = 0; i < n; i++)
		kinds_pack_value(&pk, &vals[i]);
	return (0);
}

/*
 * The kind of a stored payload and, for device.add and device.remove,
 * the device (and final seq) it names, in *adm (may be NULL). Return
 * KIND_OTHER for anything unreadable or incomplete.
 */
enum kind
kinds_peek(const uint8_t *payload, size_t len, struct kinds_admin *adm)
{
	msgpack_unpacked	 up;
	const uint8_t		*dev;
	const char		*t;
	size_t			 tlen;
	uint64_t		 fin = 0;
	enum kind		 k = KIND_OTHER;

	msgpack_unpacked_init(&up);
	if (mp_unpack(payload, len, &up) == 0 &&
	    mp_get_str(&up.data, "t", &t, &tlen, PROTO_MAX_NAME) == MP_FOUND)
		k = kinds_lookup(t, tlen);
	if (k == KIND_DEVICE_ADD || k == KIND_DEVICE_REMOVE) {
		if (mp_get_bin(&up.data, "device", &dev, ENV_PK) != MP_FOUND ||
		    (k == KIND_DEVICE_REMOVE && mp_get_uint(&up.data,
		    "final_seq", &fin) != MP_FOUND))
			k = KIND_OTHER;
		else if (adm != NULL) {
			memcpy(adm->device, dev, ENV_PK);
			adm->final_seq = fin;
		}
	}
	if (adm != NULL)
		adm->kind = k;
	msgpack_unpacked_destroy(&up);
	return (k);
}

/*
 * Check a name typed by a person (init, join): what kinds_build checks
 * for any name field. Return 0 or a negative PROTO_E_* with *cause.
 */
int
kinds_check_name(const char *field, const char *s, size_t len, char **cause)
{
	struct kind_field	f = { field, F_NAME, true };
	struct field_value	fv;
	msgpack_object		o;

	o.type = MSGPACK_OBJECT_STR;
	o.via.str.ptr = s;
	o.via.str.size = (uint32_t)len;
	return (kinds_check_str(&f, &o, &fv, cause));
}
