/*
 * cmd-plan.c: planning weekly one-on-one time ("plan", "plan list",
 * "plan stop") and 2x10 runs ("twoxten start", "twoxten log", and
 * "twoxten" to see where each run stands). Writing commands append one
 * entry; reading ones make one call and print what attuned derived.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mp.h"
#include "output.h"

#define PLAN_MINUTES_MAX	600
#define PLAN_TEXT_COLS		40

/* The commands that append one entry from their options and arguments
 * (cli_form_append): their fields. */
const struct cli_form_field cli_form_plan_stop[] = {
	{ NULL, "KID", "kid", CLI_FORM_NAME },
	{ "by", NULL, "by", CLI_FORM_NAME },
	{ NULL }
};

const struct cli_form_field cli_form_twoxten_start[] = {
	{ NULL, "KID", "kid", CLI_FORM_NAME },
	{ "at", NULL, "at", CLI_FORM_WHEN },
	{ NULL }
};

const struct cli_form_field cli_form_twoxten_log[] = {
	{ NULL, "KID", "kid", CLI_FORM_NAME },
	{ "at", NULL, "at", CLI_FORM_WHEN },
	{ "note", NULL, "note", CLI_FORM_TEXT },
	{ NULL }
};

static int	plan_print(const struct cli *, const msgpack_object *);
static int	twoxten_print(const struct cli *, const msgpack_object *);
static void	twoxten_days(const msgpack_object *, char *, size_t);
static void	twoxten_first_missed(const msgpack_object *, char *, size_t);

int
do_plan(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "at", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'b' },
		{ "every", required_argument, NULL, 'e' },
		{ "minutes", required_argument, NULL, 'm' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*at = NULL, *by = NULL, *every = NULL;
	const char			*kid;
	uint64_t			 minutes = 0;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		rc = 0;
		switch (ch) {
		case 't':
			at = optarg;
			if (strlen(at) < 4 || strlen(at) > 5 ||
			    strchr(at, ':') == NULL)
				return (cli_usage_error(cmd, "--at: a time of "
				    "day, HH:MM: %s", at));
			break;
		case 'b':
			rc = cli_check_name(cmd, "--by", by = optarg);
			break;
		case 'e':
			rc = cli_check_name(cmd, "--every", every = optarg);
			break;
		case 'm':
			rc = cli_parse_uint(cmd, "--minutes", optarg, 1,
			    PLAN_MINUTES_MAX, &minutes);
			break;
		default:
			return (cli_optend(cmd, ch));
		}
		if (rc != 0)
			return (rc);
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1, 1)) != 0 ||
	    (rc = cli_check_name(cmd, "KID", kid = argv[optind])) != 0)
		return (rc);
	if (every == NULL || at == NULL)
		return (cli_usage_error(cmd, "--every and --at are required"));
	cli_params_str(&p, "kid", kid);
	cli_params_str(&p, "days", every);
	cli_params_str(&p, "time", at);
	if (minutes != 0)
		cli_params_uint(&p, "minutes", minutes);
	cli_params_str(&p, "by", by);
	return (cli_append(cli, "plan", &p));
}

static int
plan_print(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*pl, *days;
	struct output_table	*t;
	char			 kid[PROTO_MAX_NAME + 1];
	char			 by[PROTO_MAX_NAME + 1];
	char			 d[64], tm[16], id[OUTPUT_SHORT_ID + 1];
	uint64_t		 minutes = 0;
	uint32_t		 i, j;
	size_t			 used;

	if (res->type != MSGPACK_OBJECT_ARRAY || res->via.array.size == 0) {
		fprintf(stderr, "No plans. Make one with: attune plan KID "
		    "--every sat --at 10:00\n");
		return (CLI_EXIT_OK);
	}
	if ((t = output_table_headed((const char *const []){
	    "KID", "BY", "EVERY", "AT", "MIN", "ID", NULL })) == NULL)
		return (cli_table_print(t));
	for (i = 0; i < res->via.array.size; i++) {
		pl = &res->via.array.ptr[i];
		if (cli_ref(pl, "kid", kid, sizeof(kid)) == NULL)
			snprintf(kid, sizeof(kid), "?");
		if (cli_ref(pl, "by", by, sizeof(by)) == NULL)
			snprintf(by, sizeof(by), "-");
		d[0] = '\0';
		used = 0;
		days = mp_map_get(pl, "days");
		for (j = 0; days != NULL && days->type ==
		    MSGPACK_OBJECT_ARRAY && j < days->via.array.size; j++) {
			const msgpack_object *o = &days->via.array.ptr[j];

			if (o->type == MSGPACK_OBJECT_STR && used + 5 <
			    sizeof(d))
				used += (size_t)snprintf(d + used,
				    sizeof(d) - used, "%s%.*s", j ? "," : "",
				    (int)(o->via.str.size > 3 ? 3 :
				    o->via.str.size), o->via.str.ptr);
		}
		if (cli_text(pl, "time", tm, sizeof(tm)) == NULL)
			snprintf(tm, sizeof(tm), "?");
		(void)cli_uint(pl, "minutes", &minutes);
		cli_short(pl, "id", id, sizeof(id));
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "%s", kid);
		output_table_cell(t, OUTPUT_PLAIN, "%s", by);
		output_table_cell(t, OUTPUT_PLAIN, "%s", d);
		output_table_cell(t, OUTPUT_PLAIN, "%s", tm);
		output_table_cell(t, OUTPUT_PLAIN, "%" PRIu64, minutes);
		output_table_cell(t, OUTPUT_DIM, "%s", id);
	}
	(void)cli;
	return (cli_table_print(t));
}

int
do_plan_list(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		{ "kid", required_argument, NULL, 'k' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	const char			*kid = NULL;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		if (ch != 'k')
			return (cli_optend(cmd, ch));
		if ((rc = cli_check_name(cmd, "--kid", kid = optarg)) != 0)
			return (rc);
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	if ((rc = cli_call(cli, RPC_M_PLANS, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	return (plan_print(cli, res));
}

/* "x x x x . . - - - -": logged, missed, to come. */
static void
twoxten_days(const msgpack_object *run, char *buf, size_t size)
{
	const msgpack_object	*days = mp_map_get(run, "days");
	int64_t			 today = 0, k;
	bool			 logged;
	size_t			 used = 0;
	uint32_t		 i;

	(void)cli_int(run, "day", &today);
	buf[0] = '\0';
	for (i = 0; days != NULL && days->type == MSGPACK_OBJECT_ARRAY &&
	    i < days->via.array.size && used + 3 < size; i++) {
		logged = false;
		(void)mp_get_bool(&days->via.array.ptr[i], "logged", &logged);
		k = (int64_t)i + 1;
		buf[used++] = logged ? 'x' : k < today ? '!' : k == today ?
		    'o' : '.';
		buf[used++] = ' ';
		buf[used] = '\0';
	}
	if (used > 0)
		buf[used - 1] = '\0';
}

/* " (2026-03-23)": the first missed day of a run, or "". */
static void
twoxten_first_missed(const msgpack_object *r, char *buf, size_t size)
{
	const msgpack_object	*missed = mp_map_get(r, "missed");

	buf[0] = '\0';
	if (missed != NULL && missed->type == MSGPACK_OBJECT_ARRAY &&
	    missed->via.array.size > 0 &&
	    missed->via.array.ptr[0].type == MSGPACK_OBJECT_STR &&
	    missed->via.array.ptr[0].via.str.size < 16)
		snprintf(buf, size, " (%.*s)",
		    (int)missed->via.array.ptr[0].via.str.size,
		    missed->via.array.ptr[0].via.str.ptr);
}

static int
twoxten_print(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*r;
	struct output_table	*t;
	char			 kid[PROTO_MAX_NAME + 1], state[32];
	char			 days[64], start[16], first[32];
	int64_t			 day = 0, broken = 0;
	uint64_t		 streak = 0;
	uint32_t		 i, nbroken = 0;
	enum output_color	 c;
	int			 rc;

	if (res->type != MSGPACK_OBJECT_ARRAY || res->via.array.size == 0) {
		fprintf(stderr, "No 2x10 run. Start one with: attune twoxten "
		    "start KID\n");
		return (CLI_EXIT_OK);
	}
	if ((t = output_table_headed((const char *const []){
	    "KID", "STARTED", "DAY", "1 2 3 4 5 6 7 8 9 10", "STATE",
	    NULL })) == NULL)
		return (cli_table_print(t));
	for (i = 0; i < res->via.array.size; i++) {
		r = &res->via.array.ptr[i];
		if (cli_ref(r, "kid", kid, sizeof(kid)) == NULL)
			snprintf(kid, sizeof(kid), "?");
		if (cli_text(r, "start_date", start, sizeof(start)) == NULL)
			snprintf(start, sizeof(start), "?");
		if (cli_text(r, "state", state, sizeof(state)) == NULL)
			snprintf(state, sizeof(state), "?");
		(void)cli_int(r, "day", &day);
		(void)cli_uint(r, "streak", &streak);
		twoxten_days(r, days, sizeof(days));
		c = strcmp(state, "broken") == 0 ? OUTPUT_RED :
		    strcmp(state, "complete") == 0 ? OUTPUT_GREEN :
		    OUTPUT_PLAIN;
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "%s", kid);
		output_table_cell(t, OUTPUT_PLAIN, "%s", start);
		if (day >= 1 && day <= 10)
			output_table_cell(t, OUTPUT_PLAIN, "%" PRId64 " of 10",
			    day);
		else
			output_table_cell(t, OUTPUT_DIM, "over");
		output_table_cell(t, OUTPUT_PLAIN, "%s", days);
		if (strcmp(state, "on_track") == 0)
			output_table_cell(t, c, "on track, %" PRIu64 " in a "
			    "row", streak);
		else
			output_table_cell(t, c, "%s", state);
		if (strcmp(state, "broken") == 0)
			nbroken++;
	}
	(void)cli;
	if ((rc = cli_table_print(t)) != CLI_EXIT_OK || nbroken == 0)
		return (rc);
	/* A hint per broken run, under the table (the table is wide). */
	for (i = 0; i < res->via.array.size; i++) {
		r = &res->via.array.ptr[i];
		if (cli_text(r, "state", state, sizeof(state)) == NULL ||
		    strcmp(state, "broken") != 0 ||
		    cli_ref(r, "kid", kid, sizeof(kid)) == NULL ||
		    !cli_int(r, "broken_on", &broken))
			continue;
		twoxten_first_missed(r, first, sizeof(first));
		output_clean(kid, sizeof(kid), kid, strlen(kid));
		printf("%s: missed day %" PRId64 "%s; restart with: attune "
		    "twoxten start %s\n", kid, broken, first, kid);
	}
	return (CLI_EXIT_OK);
}

int
do_twoxten(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	const char			*kid = NULL;
	int				 ch, rc;

	if ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_optional_kid(cmd, argc - optind, argv + optind,
	    &kid)) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	if ((rc = cli_call(cli, RPC_M_TWOXTEN, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	return (twoxten_print(cli, res));
}
