/*
 * output.h: how clients show things to a person: colour (only on a tty
 * and only without NO_COLOR), aligned columns, local times, short ids,
 * and the scrubbing of text that came from the log (a co-parent's entry
 * must not be able to move a cursor or retitle a terminal). Never used
 * for --json output.
 */
#ifndef ATTUNE_OUTPUT_H
#define ATTUNE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"

#define OUTPUT_SHORT_ID		12	/* hex digits of a short id */
#define OUTPUT_TIME_MAX		40	/* output_time buffer size */
#define OUTPUT_CELL_MAX		(3 * PROTO_MAX_TEXT)
#define OUTPUT_TABLE_MAXCOLS	8
#define OUTPUT_TABLE_MAXROWS	(2 * PROTO_MAX_LIST + 64)

enum output_color {
	OUTPUT_PLAIN = 0,
	OUTPUT_BOLD,
	OUTPUT_DIM,
	OUTPUT_RED,
	OUTPUT_GREEN,
	OUTPUT_YELLOW,
	OUTPUT_BLUE,
	OUTPUT_MAGENTA,
	OUTPUT_CYAN,
};

struct output_table;

void	output_init(void);
bool	output_has_color(void);
const char *output_sgr(enum output_color);
const char *output_sgr_end(enum output_color);
const char *output_dash(void);
size_t	output_clean(char *dst, size_t size, const char *src, size_t len);
size_t	output_width(const char *);
void	output_time(char *buf, size_t size, int64_t ms, int64_t now_ms);
void	output_short_id(char *buf, size_t size, const char *hex,
	    size_t len);

struct output_table *output_table_create(unsigned ncols);
struct output_table *output_table_headed(const char *const *heads);
void	output_table_destroy(struct output_table *);
int	output_table_row(struct output_table *);
int	output_table_cell(struct output_table *, enum output_color,
	    const char *, ...) __attribute__((format(printf, 3, 4)));
int	output_table_note(struct output_table *, enum output_color,
	    const char *, ...) __attribute__((format(printf, 3, 4)));
int	output_table_print(const struct output_table *, FILE *);

#endif
