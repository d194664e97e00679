/*
 * output.c: human output for the clients (see output.h). Decides colour
 * once, from the tty and NO_COLOR (https://no-color.org); formats times in
 * the local zone; lays out columns by display width. Every string that
 * reaches the terminal through here is scrubbed of control characters.
 * Knows nothing about entries or methods.
 */
#include <errno.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "output.h"
#include "utf8.h"
#include "when.h"

#define OUTPUT_GAP	2	/* spaces between columns */
#define OUTPUT_DAY_MS	(24 * 3600 * 1000LL)

struct output_row {
	char			*cells[OUTPUT_TABLE_MAXCOLS];
	enum output_color	 colors[OUTPUT_TABLE_MAXCOLS];
	unsigned		 ncells;
	char			*note;
	enum output_color	 note_color;
};

struct output_table {
	unsigned		 ncols;
	struct output_row	*rows;
	size_t			 nrows;
	size_t			 cap;
	int			 err;	/* first error while building */
};

static bool	output_color_on;
static bool	output_utf8;

static const char *const output_sgrs[] = {
	[OUTPUT_PLAIN] = "",
	[OUTPUT_BOLD] = "\033[1m",
	[OUTPUT_DIM] = "\033[2m",
	[OUTPUT_RED] = "\033[31m",
	[OUTPUT_GREEN] = "\033[32m",
	[OUTPUT_YELLOW] = "\033[33m",
	[OUTPUT_BLUE] = "\033[34m",
	[OUTPUT_MAGENTA] = "\033[35m",
	[OUTPUT_CYAN] = "\033[36m",
};

static char	*output_vformat(const char *, va_list)
		    __attribute__((format(printf, 1, 0)));
static void	 output_pad(FILE *, size_t);

/*
 * Decide colour and character set once, after the caller has run
 * setlocale(LC_CTYPE, ""). Colour needs a tty on stdout and NO_COLOR unset
 * or empty.
 */
void
output_init(void)
{
	const char	*nc = getenv("NO_COLOR");

	output_color_on = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
	output_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

bool
output_has_color(void)
{
	return (output_color_on);
}

/* The escape that starts colour c, or "" when colour is off. */
const char *
output_sgr(enum output_color c)
{
	if (!output_color_on || (unsigned)c >= sizeof(output_sgrs) /
	    sizeof(output_sgrs[0]))
		return ("");
	return (output_sgrs[c]);
}

/* The escape that ends colour c ("" for plain or when colour is off). */
const char *
output_sgr_end(enum output_color c)
{
	if (!output_color_on || c == OUTPUT_PLAIN)
		return ("");
	return ("\033[0m");
}

/* A dash for "1:1 with Maya — lego": an em dash if the locale can. */
const char *
output_dash(void)
{
	return (output_utf8 ? "\xe2\x80\x94" : "-");
}

/*
 * Copy len bytes of src to dst (size > 0), NUL-terminated, making them
 * safe for a terminal: tabs and newlines become spaces; other control
 * characters (C0, DEL, C1), invalid UTF-8 and, outside a UTF-8 locale,
 * every non-ASCII byte become '?'. Truncates on a character boundary.
 * Return the length written (0 and nothing written when size is 0).
 */
size_t
output_clean(char *dst, size_t size, const char *src, size_t len)
{
	const uint8_t	*p = (const uint8_t *)src;
	uint32_t	 cp;
	size_t		 i = 0, o = 0, n;

	if (size == 0)
		return (0);
	while (i < len) {
		if (output_utf8)
			n = utf8_next(p + i, len - i, &cp);
		else if ((cp = p[i]) < 0x80)
			n = 1;
		else
			n = 0;
		/* A replaced character, whatever its length, is one byte. */
		if (n == 0) {
			n = 1;
			cp = '?';
		} else if (cp == '\t' || cp == '\n')
			cp = ' ';
		else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			cp = '?';
		if (o + (cp < 0x80 ? 1 : n) >= size)
			break;
		if (cp < 0x80)
			dst[o++] = (char)cp;
		else {
			memcpy(dst + o, p + i, n);
			o += n;
		}
		i += n;
	}
	dst[o] = '\0';
	return (o);
}

/* Columns s takes on a terminal (after output_clean). */
size_t
output_width(const char *s)
{
	const uint8_t	*p = (const uint8_t *)s;
	size_t		 len = strlen(s), i = 0, w = 0, n;
	uint32_t	 cp;
	int		 cw;

	while (i < len) {
		if (!output_utf8 || (n = utf8_next(p + i, len - i, &cp)) == 0) {
			w++;
			i++;
			continue;
		}
		cw = wcwidth((wchar_t)cp);
		w += cw < 0 ? 1 : (size_t)cw;
		i += n;
	}
	return (w);
}

/*
 * Format ms in local time: "Sat 18:30" within the last six days (and
 * today), "Sat 21 Nov 18:30" otherwise, with the year added when it is
 * not this year's. English names (the C locale's LC_TIME).
 */
void
output_time(char *buf, size_t size, int64_t ms, int64_t now_ms)
{
	struct tm	tm, now_tm;
	time_t		t = (time_t)(ms / 1000);
	time_t		now = (time_t)(now_ms / 1000);
	int64_t		today = when_day_start(now_ms);
	size_t		n;

	if (size == 0)
		return;
	if (localtime_r(&t, &tm) == NULL || localtime_r(&now, &now_tm) ==
	    NULL) {
		snprintf(buf, size, "?");
		return;
	}
	/* The literal formats let -Wformat check them. */
	if (ms >= when_day_start(today - 6 * OUTPUT_DAY_MS + OUTPUT_DAY_MS /
	    2) && ms < today + OUTPUT_DAY_MS)
		n = strftime(buf, size, "%a %H:%M", &tm);
	else if (tm.tm_year == now_tm.tm_year)
		n = strftime(buf, size, "%a %d %b %H:%M", &tm);
	else
		n = strftime(buf, size, "%a %d %b %Y %H:%M", &tm);
	if (n == 0)
		buf[0] = '\0';
}

/* The first OUTPUT_SHORT_ID characters of a hex id, scrubbed. */
void
output_short_id(char *buf, size_t size, const char *hex, size_t len)
{
	if (len > OUTPUT_SHORT_ID)
		len = OUTPUT_SHORT_ID;
	output_clean(buf, size, hex, len);
}

struct output_table *
output_table_create(unsigned ncols)
{
	struct output_table	*t;

	if (ncols == 0 || ncols > OUTPUT_TABLE_MAXCOLS)
		return (NULL);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	t->ncols = ncols;
	return (t);
}

/*
 * A table whose first row holds heads, a NULL-terminated list of column
 * names, in bold: one column per name. NULL when out of memory.
 */
struct output_table *
output_table_headed(const char *const *heads)
{
	struct output_table	*t;
	unsigned		 n;

	for (n = 0; heads[n] != NULL; n++)
		;
	if ((t = output_table_create(n)) == NULL)
		return (NULL);
	if (output_table_row(t) < 0)
		goto fail;
	for (n = 0; heads[n] != NULL; n++) {
		if (output_table_cell(t, OUTPUT_BOLD, "%s", heads[n]) < 0)
			goto fail;
	}
	return (t);
fail:
	output_table_destroy(t);
	return (NULL);
}

void
output_table_destroy(struct output_table *t)
{
	size_t		i;
	unsigned	j;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->rows[i].ncells; j++)
			free(t->rows[i].cells[j]);
		free(t->rows[i].note);
	}
	free(t->rows);
	free(t);
}

/* Start a new row. Return 0, -ENOMEM or -E2BIG past the row limit. */
int
output_table_row(struct output_table *t)
{
	struct output_row	*nrows;
	size_t			 ncap;

	if (t->nrows == OUTPUT_TABLE_MAXROWS)
		return (t->err = -E2BIG);
	if (t->nrows == t->cap) {
		ncap = t->cap == 0 ? 32 : t->cap * 2;
		if (ncap > OUTPUT_TABLE_MAXROWS)
			ncap = OUTPUT_TABLE_MAXROWS;
		if ((nrows = reallocarray(t->rows, ncap, sizeof(*nrows))) ==
		    NULL)
			return (t->err = -ENOMEM);
		t->rows = nrows;
		t->cap = ncap;
	}
	memset(&t->rows[t->nrows++], 0, sizeof(*t->rows));
	return (0);
}

/* Format into a fresh scrubbed string of at most OUTPUT_CELL_MAX bytes. */
static char *
output_vformat(const char *fmt, va_list ap)
{
	char	tmp[OUTPUT_CELL_MAX], *s;
	int	n;

	if ((n = vsnprintf(tmp, sizeof(tmp), fmt, ap)) < 0)
		return (NULL);
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	if ((s = malloc((size_t)n + 1)) == NULL)
		return (NULL);
	output_clean(s, (size_t)n + 1, tmp, (size_t)n);
	return (s);
}

/* Add a cell to the current row. Return 0, -ENOMEM or -E2BIG. */
int
output_table_cell(struct output_table *t, enum output_color c,
    const char *fmt, ...)
{
	struct output_row	*r;
	va_list			 ap;
	char			*s;

	if (t->nrows == 0 || (r = &t->rows[t->nrows - 1])->ncells ==
	    t->ncols)
		return (t->err = -E2BIG);
	va_start(ap, fmt);
	s = output_vformat(fmt, ap);
	va_end(ap);
	if (s == NULL)
		return (t->err = -ENOMEM);
	r->colors[r->ncells] = c;
	r->cells[r->ncells++] = s;
	return (0);
}

/*
 * Attach a line to the current row, printed under it and indented to its
 * last column. Return 0, -ENOMEM or -E2BIG.
 */
int
output_table_note(struct output_table *t, enum output_color c,
    const char *fmt, ...)
{
	struct output_row	*r;
	va_list			 ap;
	char			*s;

	if (t->nrows == 0 || (r = &t->rows[t->nrows - 1])->note != NULL)
		return (t->err = -E2BIG);
	va_start(ap, fmt);
	s = output_vformat(fmt, ap);
	va_end(ap);
	if (s == NULL)
		return (t->err = -ENOMEM);
	r->note = s;
	r->note_color = c;
	return (0);
}

static void
output_pad(FILE *f, size_t n)
{
	while (n-- > 0)
		fputc(' ', f);
}

/*
 * Print the rows, every column but the last padded to its widest cell.
 * Return 0; the first error of building the table (nothing printed); or
 * -errno if writing failed. Building calls need no checks of their own.
 */
int
output_table_print(const struct output_table *t, FILE *f)
{
	size_t			 width[OUTPUT_TABLE_MAXCOLS] = { 0 };
	size_t			 indent = 0, w, i;
	const struct output_row	*r;
	unsigned		 j;

	if (t->err != 0)
		return (t->err);
	for (i = 0; i < t->nrows; i++) {
		r = &t->rows[i];
		for (j = 0; j + 1 < r->ncells; j++) {
			if ((w = output_width(r->cells[j])) > width[j])
				width[j] = w;
		}
	}
	for (j = 0; j + 1 < t->ncols; j++)
		indent += width[j] + OUTPUT_GAP;
	for (i = 0; i < t->nrows; i++) {
		r = &t->rows[i];
		for (j = 0; j < r->ncells; j++) {
			fprintf(f, "%s%s%s", output_sgr(r->colors[j]),
			    r->cells[j], output_sgr_end(r->colors[j]));
			if (j + 1 < r->ncells)
				output_pad(f, width[j] + OUTPUT_GAP -
				    output_width(r->cells[j]));
		}
		fputc('\n', f);
		if (r->note != NULL) {
			output_pad(f, indent);
			fprintf(f, "%s%s%s\n", output_sgr(r->note_color),
			    r->note, output_sgr_end(r->note_color));
		}
	}
	if (ferror(f))
		return (errno != 0 ? -errno : -EIO);
	return (0);
}
