/*
 * cmd-kid.c: the kid commands: "kid add" appends a kid.add entry, "kids"
 * lists them with their age. Name rules (unique, case-insensitive) are
 * attuned's; only lengths are checked here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"

static void	kids_age(const char *, int64_t, char *, size_t);
static int	kids_print(const struct cli *, const msgpack_object *);

int
do_kid_add(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		{ "born", required_argument, NULL, 'b' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*born = NULL, *name;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'b':
			born = optarg;
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1, 1)) != 0)
		return (rc);
	name = argv[optind];
	if ((rc = cli_check_name(cmd, "NAME", name)) != 0 ||
	    (born != NULL && (rc = cli_check_date(cmd, "--born", born)) != 0))
		return (rc);
	cli_params_str(&p, "name", name);
	cli_params_str(&p, "born", born);
	return (cli_append(cli, "kid.add", &p));
}

/* Age from a YYYY-MM-DD birth date: "6 years", "7 months", or "". */
static void
kids_age(const char *born, int64_t now_ms, char *buf, size_t size)
{
	struct tm	now;
	time_t		t = (time_t)(now_ms / 1000);
	int		y, m, d, years, months;

	buf[0] = '\0';
	if (born == NULL || sscanf(born, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
	    localtime_r(&t, &now) == NULL)
		return;
	months = (now.tm_year + 1900 - y) * 12 + (now.tm_mon + 1 - m);
	if (now.tm_mday < d)
		months--;
	if (months < 0)
		return;
	years = months / 12;
	if (years >= 1)
		snprintf(buf, size, "%d year%s", years, years == 1 ? "" : "s");
	else
		snprintf(buf, size, "%d month%s", months, months == 1 ? "" :
		    "s");
}

static int
kids_print(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*k;
	struct output_table	*t;
	char			 name[PROTO_MAX_NAME + 1];
	char			 born[32], age[32];
	char			 id[OUTPUT_SHORT_ID + 1];
	uint32_t		 i;

	if (res->type != MSGPACK_OBJECT_ARRAY || res->via.array.size == 0) {
		fprintf(stderr, "No kids yet. Add one with: attune kid add "
		    "NAME [--born YYYY-MM-DD]\n");
		return (CLI_EXIT_OK);
	}
	if ((t = output_table_headed((const char *const []){
	    "NAME", "BORN", "AGE", "ID", NULL })) == NULL)
		return (cli_table_print(t));
	for (i = 0; i < res->via.array.size; i++) {
		k = &res->via.array.ptr[i];
		if (cli_text(k, "name", name, sizeof(name)) == NULL)
			snprintf(name, sizeof(name), "?");
		kids_age(cli_text(k, "born", born, sizeof(born)), cli->now_ms,
		    age, sizeof(age));
		if (cli_text(k, "born", born, sizeof(born)) == NULL)
			snprintf(born, sizeof(born), "-");
		cli_short(k, "id", id, sizeof(id));
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "%s", name);
		output_table_cell(t, OUTPUT_PLAIN, "%s", born);
		output_table_cell(t, OUTPUT_PLAIN, "%s", age[0] ? age : "-");
		output_table_cell(t, OUTPUT_DIM, "%s", id);
	}
	return (cli_table_print(t));
}

int
do_kids(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	const msgpack_object		*res;
	int				 ch, rc;

	if ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	if ((rc = cli_call(cli, RPC_M_KIDS, NULL, NULL, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	return (kids_print(cli, res));
}
