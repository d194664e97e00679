/*
 * json.c: msgpack to JSON for the clients' --json output. Pretty-prints
 * with a 2-space indent; escapes every control character (C0, DEL, C1)
 * and U+2028/U+2029 so that output is safe on a terminal and in
 * JavaScript. Recursion is bounded by the PROTO_MAX_DEPTH that mp_check
 * enforced before the object was unpacked. Formatting only: no I/O
 * besides the FILE it is given.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "utf8.h"

static void	json_value(FILE *, const msgpack_object *, int);
static void	json_newline(FILE *, int);
static void	json_array(FILE *, const msgpack_object *, int);
static void	json_map(FILE *, const msgpack_object *, int);
static void	json_key(FILE *, const msgpack_object *);
static void	json_hex(FILE *, const char *, size_t);
static void	json_float(FILE *, double);

/* Start a new line at depth (pretty), or nothing (compact: depth < 0). */
static void
json_newline(FILE *f, int depth)
{
	if (depth < 0)
		return;
	fputc('\n', f);
	while (depth-- > 0)
		fputs("  ", f);
}

/* Write s (len bytes, any content) as a quoted JSON string. */
void
json_print_string(FILE *f, const char *s, size_t len)
{
	const uint8_t	*p = (const uint8_t *)s;
	uint32_t	 cp;
	size_t		 i = 0, n;

	fputc('"', f);
	while (i < len) {
		if ((n = utf8_next(p + i, len - i, &cp)) == 0) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		switch (cp) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
			    cp == 0x2028 || cp == 0x2029)
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fwrite(p + i, 1, n, f);
			break;
		}
		i += n;
	}
	fputc('"', f);
}

static void
json_hex(FILE *f, const char *p, size_t len)
{
	size_t	i;

	fputc('"', f);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", (unsigned char)p[i]);
	fputc('"', f);
}

/* Shortest form that reads back the same; JSON has no NaN or Infinity. */
static void
json_float(FILE *f, double d)
{
	char	buf[64];

	if (!isfinite(d)) {
		fputs("null", f);
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, sizeof(buf), "%.17g", d);
	fputs(buf, f);
}

/*
 * A map key: strings as they are, bin as hex, anything else rendered as
 * compact JSON and that text quoted (5 -> "5", [1,2] -> "[1,2]").
 */
static void
json_key(FILE *f, const msgpack_object *k)
{
	FILE	*m;
	char	*buf = NULL;
	size_t	 size = 0;

	if (k->type == MSGPACK_OBJECT_STR) {
		json_print_string(f, k->via.str.ptr, k->via.str.size);
		return;
	}
	if (k->type == MSGPACK_OBJECT_BIN) {
		json_hex(f, k->via.bin.ptr, k->via.bin.size);
		return;
	}
	if ((m = open_memstream(&buf, &size)) == NULL) {
		fputs("\"?\"", f);
		return;
	}
	json_value(m, k, -1);
	if (fclose(m) != 0 || buf == NULL)
		fputs("\"?\"", f);
	else
		json_print_string(f, buf, size);
	free(buf);
}

static void
json_array(FILE *f, const msgpack_object *o, int depth)
{
	uint32_t	i, n = o->via.array.size;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		json_newline(f, depth < 0 ? depth : depth + 1);
		json_value(f, &o->via.array.ptr[i], depth < 0 ? depth :
		    depth + 1);
	}
	if (n > 0)
		json_newline(f, depth);
	fputc(']', f);
}

static void
json_map(FILE *f, const msgpack_object *o, int depth)
{
	uint32_t	i, n = o->via.map.size;

	fputc('{', f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		json_newline(f, depth < 0 ? depth : depth + 1);
		json_key(f, &o->via.map.ptr[i].key);
		fputs(depth < 0 ? ":" : ": ", f);
		json_value(f, &o->via.map.ptr[i].val, depth < 0 ? depth :
		    depth + 1);
	}
	if (n > 0)
		json_newline(f, depth);
	fputc('}', f);
}

/* Write o at depth (pretty) or compact when depth < 0. */
static void
json_value(FILE *f, const msgpack_object *o, int depth)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		fputs("null", f);
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		fputs(o->via.boolean ? "true" : "false", f);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		fprintf(f, "%" PRIu64, o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		fprintf(f, "%" PRId64, o->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		json_float(f, o->via.f64);
		break;
	case MSGPACK_OBJECT_STR:
		json_print_string(f, o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN:
		json_hex(f, o->via.bin.ptr, o->via.bin.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		json_array(f, o, depth);
		break;
	case MSGPACK_OBJECT_MAP:
		json_map(f, o, depth);
		break;
	case MSGPACK_OBJECT_EXT:
		fprintf(f, "{\"ext\":%s%d,%s\"data\":%s", depth < 0 ? "" : " ",
		    (int)o->via.ext.type, depth < 0 ? "" : " ",
		    depth < 0 ? "" : " ");
		json_hex(f, o->via.ext.ptr, o->via.ext.size);
		fputc('}', f);
		break;
	default:
		fputs("null", f);
		break;
	}
}

/*
 * Print o pretty, followed by a newline. Return 0, or -errno if writing
 * to f failed.
 */
int
json_print(FILE *f, const msgpack_object *o)
{
	json_value(f, o, 0);
	fputc('\n', f);
	if (ferror(f))
		return (errno != 0 ? -errno : -EIO);
	return (0);
}
