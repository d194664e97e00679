/*
 * mp.c: typed map getters and packing helpers over msgpack-c objects.
 * Knows msgpack types, not attune messages.
 */
#include <string.h>

#include "mp.h"
#include "proto.h"

/* Find key (a str) in a map; NULL if map is not a map or lacks key. */
const msgpack_object *
mp_map_get(const msgpack_object *map, const char *key)
{
	uint32_t	i;

	if (map == NULL || map->type != MSGPACK_OBJECT_MAP)
		return (NULL);
	for (i = 0; i < map->via.map.size; i++) {
		if (mp_str_eq(&map->via.map.ptr[i].key, key))
			return (&map->via.map.ptr[i].val);
	}
	return (NULL);
}

bool
mp_str_eq(const msgpack_object *o, const char *s)
{
	size_t	n = strlen(s);

	return (o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
	    memcmp(o->via.str.ptr, s, n) == 0);
}

/*
 * Get a str of at most max bytes. Return MP_FOUND, MP_ABSENT (missing or
 * nil), -PROTO_E_TYPE or -PROTO_E_TOOBIG.
 */
int
mp_get_str(const msgpack_object *map, const char *key, const char **s,
    size_t *len, size_t max)
{
	const msgpack_object	*o = mp_map_get(map, key);

	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return (MP_ABSENT);
	if (o->type != MSGPACK_OBJECT_STR)
		return (-PROTO_E_TYPE);
	if (o->via.str.size > max)
		return (-PROTO_E_TOOBIG);
	*s = o->via.str.ptr;
	*len = o->via.str.size;
	return (MP_FOUND);
}

int
mp_as_int(const msgpack_object *o, int64_t *v)
{
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 > INT64_MAX)
			return (-PROTO_E_INVALID);
		*v = (int64_t)o->via.u64;
		return (0);
	}
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*v = o->via.i64;
		return (0);
	}
	return (-PROTO_E_TYPE);
}

int
mp_get_int(const msgpack_object *map, const char *key, int64_t *v)
{
	const msgpack_object	*o = mp_map_get(map, key);
	int			 rc;

	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return (MP_ABSENT);
	if ((rc = mp_as_int(o, v)) < 0)
		return (rc);
	return (MP_FOUND);
}

int
mp_get_uint(const msgpack_object *map, const char *key, uint64_t *v)
{
	const msgpack_object	*o = mp_map_get(map, key);

	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return (MP_ABSENT);
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return (-PROTO_E_TYPE);
	*v = o->via.u64;
	return (MP_FOUND);
}

int
mp_get_bool(const msgpack_object *map, const char *key, bool *v)
{
	const msgpack_object	*o = mp_map_get(map, key);

	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return (MP_ABSENT);
	if (o->type != MSGPACK_OBJECT_BOOLEAN)
		return (-PROTO_E_TYPE);
	*v = o->via.boolean;
	return (MP_FOUND);
}

/* Get a bin of exactly want bytes. */
int
mp_get_bin(const msgpack_object *map, const char *key, const uint8_t **p,
    size_t want)
{
	const msgpack_object	*o = mp_map_get(map, key);

	if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
		return (MP_ABSENT);
	if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != want)
		return (-PROTO_E_TYPE);
	*p = (const uint8_t *)o->via.bin.ptr;
	return (MP_FOUND);
}

void
mp_pack_strn(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str_with_body(pk, s, n);
}

void
mp_pack_cstr(msgpack_packer *pk, const char *s)
{
	if (s == NULL)
		msgpack_pack_nil(pk);
	else
		mp_pack_strn(pk, s, strlen(s));
}

void
mp_pack_bin(msgpack_packer *pk, const void *p, size_t n)
{
	msgpack_pack_bin_with_body(pk, p, n);
}

/* Pack bytes as a lowercase hex str (ids and keys shown to people). */
void
mp_pack_hex(msgpack_packer *pk, const uint8_t *p, size_t n)
{
	char	hex[2 * 64 + 1];
	size_t	k;

	msgpack_pack_str(pk, 2 * n);
	for (; n > 0; n -= k, p += k) {
		k = n < 64 ? n : 64;
		mp_hex(hex, p, k);
		msgpack_pack_str_body(pk, hex, 2 * k);
	}
}

void
mp_pack_kv_str(msgpack_packer *pk, const char *key, const char *val)
{
	mp_pack_cstr(pk, key);
	mp_pack_cstr(pk, val);
}

void
mp_pack_kv_strn(msgpack_packer *pk, const char *key, const char *val,
    size_t len)
{
	mp_pack_cstr(pk, key);
	mp_pack_strn(pk, val, len);
}

void
mp_pack_kv_uint(msgpack_packer *pk, const char *key, uint64_t v)
{
	mp_pack_cstr(pk, key);
	msgpack_pack_uint64(pk, v);
}

void
mp_pack_kv_int(msgpack_packer *pk, const char *key, int64_t v)
{
	mp_pack_cstr(pk, key);
	msgpack_pack_int64(pk, v);
}

void
mp_pack_kv_bool(msgpack_packer *pk, const char *key, bool v)
{
	mp_pack_cstr(pk, key);
	if (v)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

void
mp_pack_kv_hex(msgpack_packer *pk, const char *key, const uint8_t *p,
    size_t n)
{
	mp_pack_cstr(pk, key);
	mp_pack_hex(pk, p, n);
}

void
mp_pack_kv_bin(msgpack_packer *pk, const char *key, const void *p, size_t n)
{
	mp_pack_cstr(pk, key);
	mp_pack_bin(pk, p, n);
}

/* Write 2n hex digits and a NUL to out. */
void
mp_hex(char *out, const uint8_t *in, size_t n)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Parse exactly 2n hex digits. Return 0 or -PROTO_E_INVALID. */
int
mp_unhex(uint8_t *out, size_t n, const char *in, size_t len)
{
	size_t	i;
	int	hi = 0, lo;

	if (len != 2 * n)
		return (-PROTO_E_INVALID);
	for (i = 0; i < 2 * n; i++) {
		char	c = in[i];

		lo = c >= '0' && c <= '9' ? c - '0' :
		    c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (lo < 0)
			return (-PROTO_E_INVALID);
		if (i % 2 == 0)
			hi = lo;
		else
			out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (0);
}
