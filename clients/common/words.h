/*
 * words.h: an entry of the family log in words, the same in every
 * client (words.c).
 */
#ifndef ATTUNE_WORDS_H
#define ATTUNE_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "proto.h"

#define WORDS_MAX	(3 * PROTO_MAX_TEXT)	/* one entry's wording */

bool		 words_entry(char *buf, size_t size, const msgpack_object *,
		    int64_t now_ms);
const char	*words_scalar(const msgpack_object *, const char *key,
		    char *buf, size_t size);
void		 words_short(const msgpack_object *, const char *key,
		    char *buf, size_t size);

#endif
