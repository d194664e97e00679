/*
 * cmd-log.c: "attune log": one call, then each entry as a line a parent
 * can read ("1:1 with Maya, 15 min — lego"), newest first, with its note on
 * a second line. Entries show as corrected (attuned applies amends); a
 * retracted one is dimmed and says so. The wording is words.c's, shared
 * with attune-dash.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mp.h"
#include "output.h"
#include "words.h"

#define LOG_LIMIT_MAX		PROTO_MAX_LIST

static enum output_color log_color(const char *);
static void	log_entry(struct output_table *, const msgpack_object *,
		    int64_t);
static int	log_print(const struct cli *, const msgpack_object *);

static enum output_color
log_color(const char *kind)
{
	if (strcmp(kind, "one-on-one") == 0)
		return (OUTPUT_GREEN);
	if (strcmp(kind, "checkin") == 0 || strcmp(kind, "checkout") == 0)
		return (OUTPUT_CYAN);
	if (strncmp(kind, "repair", 6) == 0)
		return (OUTPUT_YELLOW);
	if (strcmp(kind, "amend") == 0 || strcmp(kind, "retract") == 0)
		return (OUTPUT_RED);
	if (strncmp(kind, "plan", 4) == 0 || strncmp(kind, "twoxten", 7) == 0 ||
	    strcmp(kind, "moment") == 0)
		return (OUTPUT_GREEN);
	if (strncmp(kind, "kid.", 4) == 0)
		return (OUTPUT_BLUE);
	return (OUTPUT_MAGENTA);
}

/* One entry: time, author, kind, summary; the note on a line below. */
static void
log_entry(struct output_table *t, const msgpack_object *e, int64_t now)
{
	const msgpack_object	*f = mp_map_get(e, "fields");
	char			 kind[PROTO_MAX_NAME + 1];
	char			 when[OUTPUT_TIME_MAX];
	char			 author[PROTO_MAX_NAME + 1];
	char			 note[PROTO_MAX_TEXT + 1];
	char			*words;
	int64_t			 ts = 0;
	bool			 retracted;

	if ((words = malloc(WORDS_MAX)) == NULL) {
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "?");
		return;
	}
	if (cli_text(e, "kind", kind, sizeof(kind)) == NULL)
		snprintf(kind, sizeof(kind), "?");
	if (cli_int(e, "ts", &ts))
		output_time(when, sizeof(when), ts, now);
	else
		snprintf(when, sizeof(when), "?");
	if (cli_text(e, "author_name", author, sizeof(author)) == NULL)
		cli_short(e, "author", author, sizeof(author));
	retracted = words_entry(words, WORDS_MAX, e, now);
	output_table_row(t);
	output_table_cell(t, OUTPUT_PLAIN, "%s", when);
	output_table_cell(t, OUTPUT_BOLD, "%s", author);
	output_table_cell(t, retracted ? OUTPUT_DIM : log_color(kind), "%s",
	    kind);
	output_table_cell(t, retracted ? OUTPUT_DIM : OUTPUT_PLAIN, "%s",
	    words);
	if (cli_text(f, "note", note, sizeof(note)) != NULL)
		output_table_note(t, OUTPUT_DIM, "note: %s", note);
	free(words);
}

static int
log_print(const struct cli *cli, const msgpack_object *res)
{
	struct output_table	*t;
	uint32_t		 i;

	if (res->type != MSGPACK_OBJECT_ARRAY || res->via.array.size == 0) {
		fprintf(stderr, "No entries.\n");
		return (CLI_EXIT_OK);
	}
	if ((t = output_table_create(4)) == NULL)
		return (cli_table_print(t));
	for (i = 0; i < res->via.array.size; i++)
		log_entry(t, &res->via.array.ptr[i], cli->now_ms);
	return (cli_table_print(t));
}

int
do_log(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "kid", required_argument, NULL, 'k' },
		{ "kind", required_argument, NULL, 'K' },
		{ "limit", required_argument, NULL, 'l' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	const char			*kid = NULL, *kind = NULL;
	const char			*since = NULL, *until = NULL;
	uint64_t			 limit = 0;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'k':
			if ((rc = cli_check_name(cmd, "--kid",
			    kid = optarg)) != 0)
				return (rc);
			break;
		case 'K':
			if ((rc = cli_check_name(cmd, "--kind",
			    kind = optarg)) != 0)
				return (rc);
			if (strcmp(kind, "1on1") == 0)
				kind = "one-on-one";
			break;
		case 'l':
			if ((rc = cli_parse_uint(cmd, "--limit", optarg, 1,
			    LOG_LIMIT_MAX, &limit)) != 0)
				return (rc);
			break;
		case 's':
			if ((rc = cli_check_when(cli, cmd, "--since",
			    since = optarg)) != 0)
				return (rc);
			break;
		case 'u':
			if ((rc = cli_check_when(cli, cmd, "--until",
			    until = optarg)) != 0)
				return (rc);
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	cli_params_str(&p, "kind", kind);
	cli_params_str(&p, "since", since);
	cli_params_str(&p, "until", until);
	if (limit != 0)
		cli_params_uint(&p, "limit", limit);
	if ((rc = cli_call(cli, RPC_M_LOG, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	return (log_print(cli, res));
}
