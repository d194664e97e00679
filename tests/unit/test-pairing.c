/*
 * test-pairing.c: unit tests for daemon/pairing.c: a created code reads
 * back to the inviter's fingerprint and to a secret whose invite key is
 * the one kept; what a person may type differently (case, dashes,
 * spaces) and what must be refused (every single-character typo, a code
 * too short or too long, characters outside the alphabet); the table of
 * open invites (its cap, expiry, single use, slot reuse).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "harness.h"
#include "pairing.h"
#include "proto.h"

#define NOW	1767225600000LL		/* 2026-01-01T00:00:00Z */
#define TTL	(10 * 60 * 1000LL)

static const char	alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
static uint8_t		dev[32];

static void	setup(void);
static void	create(struct pairing *, char code[PAIRING_CODE_MAX]);
static size_t	strip(char *out, const char *code);
static void	unstrip(char *out, const char *bare);

static void
setup(void)
{
	size_t	i;

	ASSERT(sodium_init() >= 0);
	for (i = 0; i < sizeof(dev); i++)
		dev[i] = (uint8_t)(0xc0 + i);
}

static void
create(struct pairing *p, char code[PAIRING_CODE_MAX])
{
	ASSERT_EQ_INT(pairing_create(p, dev, NOW, TTL, code, NULL), 0);
}

/* The code without its dashes; return its length. */
static size_t
strip(char *out, const char *code)
{
	size_t	n = 0;

	for (; *code != '\0'; code++) {
		if (*code != '-')
			out[n++] = *code;
	}
	out[n] = '\0';
	return (n);
}

/* Put the dashes back, every six characters. */
static void
unstrip(char *out, const char *bare)
{
	size_t	i, o = 0;

	for (i = 0; bare[i] != '\0'; i++) {
		if (i > 0 && i % 6 == 0)
			out[o++] = '-';
		out[o++] = bare[i];
	}
	out[o] = '\0';
}

TEST(code_shape)
{
	struct pairing	p;
	char		code[PAIRING_CODE_MAX], bare[PAIRING_CODE_MAX];
	size_t		i, n;

	setup();
	memset(&p, 0, sizeof(p));
	create(&p, code);
	/* 26 bytes are 42 base32 characters, in seven groups of six. */
	n = strip(bare, code);
	ASSERT_EQ_UINT(n, 42);
	ASSERT_EQ_UINT(strlen(code), 42 + 6);
	for (i = 0; code[i] != '\0'; i++) {
		if (i % 7 == 6)
			ASSERT_EQ_INT(code[i], '-');
		else
			ASSERT(strchr(alphabet, code[i]) != NULL);
	}
	/* The 2 pad bits of the last character are zero. */
	ASSERT_EQ_INT((strchr(alphabet, bare[41]) - alphabet) & 3, 0);
}

TEST(parse_round_trip)
{
	struct pairing		 p;
	const struct invite	*inv;
	char			 code[PAIRING_CODE_MAX];
	uint8_t			 secret[PAIRING_SECRET], fp[PAIRING_FP];
	uint8_t			 k[HS_KEY];
	int			 i;

	setup();
	memset(&p, 0, sizeof(p));
	for (i = 0; i < 50; i++) {
		dev[0] = (uint8_t)i;
		inv = NULL;
		ASSERT_EQ_INT(pairing_create(&p, dev, NOW + i, TTL, code,
		    &inv), 0);
		ASSERT(inv == &p.inv[i % PAIRING_MAX_INVITES]);
		ASSERT_EQ_INT(pairing_parse(code, secret, fp), 0);
		ASSERT_EQ_MEM(fp, dev, PAIRING_FP);
		hs_invite_key(k, secret, PAIRING_SECRET);
		ASSERT_EQ_MEM(k, inv->key, HS_KEY);
		ASSERT(inv->active);
		ASSERT(!inv->used);
		ASSERT_EQ_INT(inv->expires_ms, NOW + i + TTL);
		/* Spend it, so the next takes the next free slot. */
		if (i % PAIRING_MAX_INVITES == PAIRING_MAX_INVITES - 1) {
			int	j;

			for (j = 0; j < PAIRING_MAX_INVITES; j++)
				p.inv[j].used = true;
		}
	}
}

/* Fresh randomness every time: no two codes, no two keys alike. */
TEST(codes_differ)
{
	struct pairing	p;
	char		c1[PAIRING_CODE_MAX], c2[PAIRING_CODE_MAX];
	uint8_t		s1[PAIRING_SECRET], s2[PAIRING_SECRET], fp[PAIRING_FP];

	setup();
	memset(&p, 0, sizeof(p));
	create(&p, c1);
	create(&p, c2);
	ASSERT(strcmp(c1, c2) != 0);
	ASSERT(memcmp(p.inv[0].key, p.inv[1].key, HS_KEY) != 0);
	ASSERT_EQ_INT(pairing_parse(c1, s1, fp), 0);
	ASSERT_EQ_INT(pairing_parse(c2, s2, fp), 0);
	ASSERT(memcmp(s1, s2, sizeof(s1)) != 0);
	/* The same fingerprint in both. */
	ASSERT_EQ_MEM(fp, dev, PAIRING_FP);
}

TEST(typing_variants_accepted)
{
	struct pairing	p;
	char		code[PAIRING_CODE_MAX], bare[PAIRING_CODE_MAX];
	char		alt[3 * PAIRING_CODE_MAX];
	uint8_t		s0[PAIRING_SECRET], f0[PAIRING_FP];
	uint8_t		s[PAIRING_SECRET], f[PAIRING_FP];
	size_t		i, o;

	setup();
	memset(&p, 0, sizeof(p));
	create(&p, code);
	ASSERT_EQ_INT(pairing_parse(code, s0, f0), 0);

	/* Upper case, mixed case. */
	for (i = 0; code[i] != '\0'; i++)
		alt[i] = (char)toupper((unsigned char)code[i]);
	alt[i] = '\0';
	ASSERT_EQ_INT(pairing_parse(alt, s, f), 0);
	ASSERT_EQ_MEM(s, s0, sizeof(s));
	ASSERT_EQ_MEM(f, f0, sizeof(f));
	for (i = 0; code[i] != '\0'; i += 2)
		alt[i] = code[i];
	ASSERT_EQ_INT(pairing_parse(alt, s, f), 0);
	ASSERT_EQ_MEM(s, s0, sizeof(s));

	/* No dashes at all. */
	strip(bare, code);
	ASSERT_EQ_INT(pairing_parse(bare, s, f), 0);
	ASSERT_EQ_MEM(s, s0, sizeof(s));
	ASSERT_EQ_MEM(f, f0, sizeof(f));

	/* Spaces for dashes, extra spaces and dashes anywhere. */
	for (i = 0; code[i] != '\0'; i++)
		alt[i] = code[i] == '-' ? ' ' : code[i];
	alt[i] = '\0';
	ASSERT_EQ_INT(pairing_parse(alt, s, f), 0);
	ASSERT_EQ_MEM(s, s0, sizeof(s));
	for (i = o = 0; bare[i] != '\0'; i++) {
		alt[o++] = i % 3 == 0 ? ' ' : '-';
		alt[o++] = bare[i];
	}
	memcpy(alt + o, " --  ", 6);
	ASSERT_EQ_INT(pairing_parse(alt, s, f), 0);
	ASSERT_EQ_MEM(s, s0, sizeof(s));
	ASSERT_EQ_MEM(f, f0, sizeof(f));
}

/*
 * Every single-character typo: each position, each other letter of the
 * alphabet. The 2-byte check lets about 1 in 65536 through; a change that
 * reads back to another secret or fingerprint is what matters, and more
 * than 2 of those in 1302 tries would mean a broken check. Changes that
 * read back to the very same bytes (the pad bits of the last character)
 * are counted apart and must be refused too (see pad_bits_refused).
 */
TEST(single_change_refused)
{
	struct pairing	p;
	char		code[PAIRING_CODE_MAX], bare[PAIRING_CODE_MAX];
	char		typo[PAIRING_CODE_MAX];
	uint8_t		s0[PAIRING_SECRET], f0[PAIRING_FP];
	uint8_t		s[PAIRING_SECRET], f[PAIRING_FP];
	size_t		i, a, n, tried = 0, other = 0, same = 0;

	setup();
	memset(&p, 0, sizeof(p));
	create(&p, code);
	ASSERT_EQ_INT(pairing_parse(code, s0, f0), 0);
	n = strip(bare, code);
	for (i = 0; i < n; i++) {
		for (a = 0; a < 32; a++) {
			if (alphabet[a] == bare[i])
				continue;
			memcpy(typo, code, sizeof(typo));
			typo[i + i / 6] = alphabet[a];
			tried++;
			if (pairing_parse(typo, s, f) != 0)
				continue;
			if (memcmp(s, s0, sizeof(s)) == 0 &&
			    memcmp(f, f0, sizeof(f)) == 0) {
				same++;
				printf("# typo '%c' at %zu reads as the same "
				    "code\n", alphabet[a], i);
			} else {
				other++;
				printf("# typo '%c' at %zu passes the check\n",
				    alphabet[a], i);
			}
		}
	}
	printf("# %zu typos tried: %zu read as another code, %zu as the same "
	    "one\n", tried, other, same);
	ASSERT_EQ_UINT(tried, 42 * 31);
	ASSERT(other <= 2);
}

/*
 * A code is 42 characters whose last carries 3 data bits and 2 zero pad
 * bits. A last character with other pad bits is not a code pairing_create
 * can make: a typo, to be refused like any other.
 */
TEST(pad_bits_refused)
{
	struct pairing	p;
	char		code[PAIRING_CODE_MAX];
	uint8_t		s[PAIRING_SECRET], f[PAIRING_FP];
	size_t		last, v, pad;
	int		accepted = 0;

	setup();
	memset(&p, 0, sizeof(p));
	create(&p, code);
	last = strlen(code) - 1;
	v = (size_t)(strchr(alphabet, code[last]) - alphabet);
	ASSERT_EQ_UINT(v & 3, 0);
	for (pad = 1; pad < 4; pad++) {
		code[last] = alphabet[v | pad];
		if (pairing_parse(code, s, f) == 0) {
			printf("# last character '%c' for '%c' accepted\n",
			    alphabet[v | pad], alphabet[v]);
			accepted++;
		}
	}
	ASSERT_EQ_INT(accepted, 0);
}

TEST(length_refused)
{
	struct pairing	p;
	char		code[PAIRING_CODE_MAX], bare[PAIRING_CODE_MAX];
	char		cut[PAIRING_CODE_MAX + 8], dashed[2 * PAIRING_CODE_MAX];
	uint8_t		s[PAIRING_SECRET], f[PAIRING_FP];
	size_t		n, k, a;

	setup();
	memset(&p, 0, sizeof(p));
	create(&p, code);
	n = strip(bare, code);
	/* Every truncation, with and without dashes. */
	for (k = 0; k < n; k++) {
		memcpy(cut, bare, k);
		cut[k] = '\0';
		if (pairing_parse(cut, s, f) == 0)
			harness_fail(__FILE__, __LINE__, "first %zu of %zu "
			    "characters accepted", k, n);
		unstrip(dashed, cut);
		ASSERT(pairing_parse(dashed, s, f) != 0);
	}
	/* The first character dropped (a shifted code). */
	ASSERT(pairing_parse(bare + 1, s, f) != 0);
	/* One to eight characters more, whatever they are. */
	for (k = 1; k <= 8; k++) {
		for (a = 0; a < 32; a++) {
			memcpy(cut, bare, n);
			memset(cut + n, alphabet[a], k);
			cut[n + k] = '\0';
			if (pairing_parse(cut, s, f) == 0)
				harness_fail(__FILE__, __LINE__, "%zu extra "
				    "'%c' accepted", k, alphabet[a]);
		}
	}
}

TEST(alphabet_refused)
{
	static const char	bad[] = "018!_.\t\n=+/O";
	struct pairing		p;
	char			code[PAIRING_CODE_MAX];
	uint8_t			s[PAIRING_SECRET], f[PAIRING_FP];
	size_t			i;
	char			keep;

	setup();
	memset(&p, 0, sizeof(p));
	create(&p, code);
	keep = code[3];
	for (i = 0; i < sizeof(bad) - 1; i++) {
		code[3] = bad[i];
		/* 'O' is o: a letter of the alphabet, upper case. */
		if (bad[i] == 'O')
			continue;
		if (pairing_parse(code, s, f) == 0)
			harness_fail(__FILE__, __LINE__, "0x%02x accepted",
			    (unsigned char)bad[i]);
	}
	code[3] = keep;
	ASSERT_EQ_INT(pairing_parse(code, s, f), 0);
	ASSERT(pairing_parse("", s, f) != 0);
	ASSERT(pairing_parse("------ ", s, f) != 0);
}

TEST(cap_busy)
{
	struct pairing	p;
	char		code[PAIRING_CODE_MAX];
	int		i;

	setup();
	memset(&p, 0, sizeof(p));
	for (i = 0; i < PAIRING_MAX_INVITES; i++) {
		create(&p, code);
		ASSERT_EQ_INT(pairing_open_count(&p, NOW), i + 1);
	}
	ASSERT_EQ_INT(pairing_create(&p, dev, NOW, TTL, code, NULL),
	    -PROTO_E_BUSY);
	ASSERT_EQ_INT(pairing_create(&p, dev, NOW + TTL - 1, TTL, code, NULL),
	    -PROTO_E_BUSY);
	ASSERT_EQ_INT(pairing_open_count(&p, NOW), PAIRING_MAX_INVITES);
}

TEST(next_iterates_open)
{
	struct pairing	 p;
	struct invite	*inv;
	char		 code[PAIRING_CODE_MAX];
	int		 i, it, n;

	setup();
	memset(&p, 0, sizeof(p));
	it = 0;
	ASSERT(pairing_next(&p, NOW, &it) == NULL);
	for (i = 0; i < 3; i++)
		create(&p, code);
	it = n = 0;
	while ((inv = pairing_next(&p, NOW, &it)) != NULL) {
		ASSERT(inv == &p.inv[n]);
		n++;
	}
	ASSERT_EQ_INT(n, 3);
	/* Once at the end, it stays there. */
	ASSERT(pairing_next(&p, NOW, &it) == NULL);
}

TEST(used_invite_closed_and_reused)
{
	struct pairing		 p;
	struct invite		*inv;
	const struct invite	*out = NULL;
	char		 code[PAIRING_CODE_MAX];
	uint8_t		 old[HS_KEY];
	int		 i, it;

	setup();
	memset(&p, 0, sizeof(p));
	for (i = 0; i < PAIRING_MAX_INVITES; i++)
		create(&p, code);
	p.inv[3].used = true;
	memcpy(old, p.inv[3].key, HS_KEY);
	ASSERT_EQ_INT(pairing_open_count(&p, NOW), PAIRING_MAX_INVITES - 1);
	it = 0;
	while ((inv = pairing_next(&p, NOW, &it)) != NULL)
		ASSERT(inv != &p.inv[3]);
	/* The spent slot is the one a new invite takes, fresh. */
	ASSERT_EQ_INT(pairing_create(&p, dev, NOW + 5, TTL, code, &out), 0);
	ASSERT(out == &p.inv[3]);
	ASSERT(!p.inv[3].used);
	ASSERT(p.inv[3].active);
	ASSERT_EQ_INT(p.inv[3].expires_ms, NOW + 5 + TTL);
	ASSERT(memcmp(p.inv[3].key, old, HS_KEY) != 0);
	ASSERT_EQ_INT(pairing_open_count(&p, NOW + 5), PAIRING_MAX_INVITES);
	ASSERT_EQ_INT(pairing_create(&p, dev, NOW + 5, TTL, code, NULL),
	    -PROTO_E_BUSY);
}

TEST(expired_invite_closed_and_reused)
{
	struct pairing		 p;
	struct invite		*inv;
	const struct invite	*out = NULL;
	char		 code[PAIRING_CODE_MAX];
	int		 i, it, n;

	setup();
	memset(&p, 0, sizeof(p));
	/* Slot i expires at NOW + TTL + i. */
	for (i = 0; i < PAIRING_MAX_INVITES; i++)
		ASSERT_EQ_INT(pairing_create(&p, dev, NOW + i, TTL, code,
		    NULL), 0);
	/* One millisecond before its end an invite is open; at it, not. */
	ASSERT_EQ_INT(pairing_open_count(&p, NOW + TTL - 1),
	    PAIRING_MAX_INVITES);
	ASSERT_EQ_INT(pairing_open_count(&p, NOW + TTL), PAIRING_MAX_INVITES
	    - 1);
	it = n = 0;
	while ((inv = pairing_next(&p, NOW + TTL + 2, &it)) != NULL) {
		ASSERT(inv != &p.inv[0] && inv != &p.inv[1] &&
		    inv != &p.inv[2]);
		n++;
	}
	ASSERT_EQ_INT(n, PAIRING_MAX_INVITES - 3);
	ASSERT_EQ_INT(pairing_open_count(&p, NOW + 2 * TTL), 0);
	it = 0;
	ASSERT(pairing_next(&p, NOW + 2 * TTL, &it) == NULL);
	/* The first expired slot is reused. */
	ASSERT_EQ_INT(pairing_create(&p, dev, NOW + TTL + 2, TTL, code,
	    &out), 0);
	ASSERT(out == &p.inv[0]);
	ASSERT_EQ_INT(p.inv[0].expires_ms, NOW + 2 * TTL + 2);
	ASSERT_EQ_INT(p.inv[3].expires_ms, NOW + TTL + 3);
	it = 0;
	ASSERT(pairing_next(&p, NOW + TTL + 2, &it) == &p.inv[0]);
}
