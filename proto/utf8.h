/*
 * utf8.h: a strict UTF-8 decoder, for the daemon's text checks and the
 * client output paths (JSON escaping, terminal sanitising, column
 * widths). Decodes only; it never allocates and never looks past the
 * length it is given.
 */
#ifndef ATTUNE_UTF8_H
#define ATTUNE_UTF8_H

#include <stddef.h>
#include <stdint.h>

size_t	utf8_next(const uint8_t *s, size_t len, uint32_t *cp);

#endif
