/*
 * utf8.c: decode one UTF-8 sequence (RFC 3629). Overlong forms,
 * surrogates (U+D800..U+DFFF), code points over U+10FFFF and truncated
 * sequences are invalid. Knows nothing about JSON or terminals.
 */
#include "utf8.h"

/*
 * Decode the sequence at s (len > 0 bytes available). Return its length
 * (1 to 4) with *cp set, or 0 if the byte at s does not start a valid
 * sequence; the caller then treats that one byte as invalid and moves on.
 */
size_t
utf8_next(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint32_t	c, min;
	size_t		n, i;

	if (len == 0)
		return (0);
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return (0);
	if (n > len)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (n);
}
