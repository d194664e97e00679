/*
 * json.h: print any decoded msgpack object as JSON (RFC 8259) for
 * `--json` output. Never fails on odd input: invalid UTF-8 becomes
 * U+FFFD, bin becomes a hex string, non-string map keys are stringified.
 */
#ifndef ATTUNE_JSON_H
#define ATTUNE_JSON_H

#include <stddef.h>
#include <stdio.h>

#include <msgpack.h>

int	json_print(FILE *, const msgpack_object *);
void	json_print_string(FILE *, const char *, size_t);

#endif
