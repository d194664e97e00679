/*
 * mp.h: typed, bounds-checked access to decoded msgpack maps, and small
 * packing helpers. A getter never trusts the object's type: it checks it
 * and reports -PROTO_E_TYPE, so a handler can answer a clear error.
 */
#ifndef ATTUNE_MP_H
#define ATTUNE_MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

/* Getter results besides the negative PROTO_E_* codes. */
#define MP_FOUND	0
#define MP_ABSENT	1

const msgpack_object	*mp_map_get(const msgpack_object *map,
			    const char *key);
bool	mp_str_eq(const msgpack_object *o, const char *s);
int	mp_get_str(const msgpack_object *map, const char *key,
	    const char **s, size_t *len, size_t max);
int	mp_get_uint(const msgpack_object *map, const char *key,
	    uint64_t *v);
int	mp_get_int(const msgpack_object *map, const char *key, int64_t *v);
int	mp_get_bool(const msgpack_object *map, const char *key, bool *v);
int	mp_get_bin(const msgpack_object *map, const char *key,
	    const uint8_t **p, size_t want);
int	mp_as_int(const msgpack_object *o, int64_t *v);

void	mp_pack_strn(msgpack_packer *, const char *, size_t);
void	mp_pack_cstr(msgpack_packer *, const char *);
void	mp_pack_bin(msgpack_packer *, const void *, size_t);
void	mp_pack_hex(msgpack_packer *, const uint8_t *, size_t);
void	mp_pack_kv_str(msgpack_packer *, const char *key, const char *val);
void	mp_pack_kv_strn(msgpack_packer *, const char *key, const char *val,
	    size_t len);
void	mp_pack_kv_uint(msgpack_packer *, const char *key, uint64_t);
void	mp_pack_kv_int(msgpack_packer *, const char *key, int64_t);
void	mp_pack_kv_bool(msgpack_packer *, const char *key, bool);
void	mp_pack_kv_hex(msgpack_packer *, const char *key, const uint8_t *,
	    size_t);
void	mp_pack_kv_bin(msgpack_packer *, const char *key, const void *,
	    size_t);

void	mp_hex(char *out, const uint8_t *in, size_t n);
int	mp_unhex(uint8_t *out, size_t n, const char *in, size_t len);

#endif
