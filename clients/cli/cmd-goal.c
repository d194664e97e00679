/*
 * cmd-goal.c: goals a kid set ("goal", "goal progress", "goal done",
 * "goal drop", "goals"), strengths and interests ("strength") and
 * moments ("moment"). Writing commands append one entry; "goals" makes
 * one call and prints what attuned derived (state, last progress).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mp.h"
#include "output.h"

#define GOAL_WIDTH	78	/* what a line may take */

/* The commands that append one entry from their options and arguments
 * (cli_form_append): their fields. */
const struct cli_form_field cli_form_goal[] = {
	{ NULL, "KID", "kid", CLI_FORM_NAME },
	{ NULL, "TEXT", "text", CLI_FORM_TEXT },
	{ "due", NULL, "due", CLI_FORM_DATE },
	{ NULL }
};

const struct cli_form_field cli_form_goal_progress[] = {
	{ NULL, "ID", "goal", CLI_FORM_ID },
	{ "note", NULL, "note", CLI_FORM_TEXT, true },
	{ "shows", NULL, "behaviors", CLI_FORM_TEXT },
	{ "at", NULL, "at", CLI_FORM_WHEN },
	{ NULL }
};

static const char *const strength_kinds[] = { "interest", "strength",
    "skill", "mirror", NULL };

const struct cli_form_field cli_form_strength[] = {
	{ NULL, "KID", "kid", CLI_FORM_NAME },
	{ NULL, "TEXT", "text", CLI_FORM_TEXT },
	{ "kind", NULL, "type", CLI_FORM_CHOICE, false, strength_kinds },
	{ NULL }
};

const struct cli_form_field cli_form_moment[] = {
	{ NULL, "KID", "kid", CLI_FORM_NAME },
	{ NULL, "TEXT", "what", CLI_FORM_TEXT },
	{ "at", NULL, "at", CLI_FORM_WHEN },
	{ NULL }
};

const struct cli_form_field cli_form_goal_done[] = {
	{ NULL, "ID", "goal", CLI_FORM_ID },
	{ "note", NULL, "note", CLI_FORM_TEXT },
	{ NULL, NULL, "outcome", CLI_FORM_CONST, .value = "done" },
	{ NULL }
};

const struct cli_form_field cli_form_goal_drop[] = {
	{ NULL, "ID", "goal", CLI_FORM_ID },
	{ "note", NULL, "note", CLI_FORM_TEXT },
	{ NULL, NULL, "outcome", CLI_FORM_CONST, .value = "dropped" },
	{ NULL }
};

static int	goals_print(const struct cli *, const msgpack_object *);

static int
goals_print(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*g, *last;
	struct output_table	*t;
	char			 kid[PROTO_MAX_NAME + 1];
	char			 text[PROTO_MAX_TEXT + 1];
	char			 fit[GOAL_WIDTH * 4], due[16], state[16];
	char			 id[OUTPUT_SHORT_ID + 1];
	char			 note[PROTO_MAX_TEXT + 1];
	char			 lfit[80 * 4];
	uint64_t		 n = 0;
	uint32_t		 i;
	size_t			 kw, room;

	if (res->type != MSGPACK_OBJECT_ARRAY || res->via.array.size == 0) {
		fprintf(stderr, "No goals. Record one with: attune goal KID "
		    "TEXT\n");
		return (CLI_EXIT_OK);
	}
	/* The goal takes the room the other columns leave. */
	kw = 3;
	for (i = 0; i < res->via.array.size; i++) {
		if (cli_ref(&res->via.array.ptr[i], "kid", kid,
		    sizeof(kid)) != NULL && output_width(kid) > kw)
			kw = output_width(kid);
	}
	room = 8 + kw + 10 + 7 + 5 + 10;
	room = room + 16 < GOAL_WIDTH ? GOAL_WIDTH - room : 16;
	if ((t = output_table_headed((const char *const []){
	    "ID", "KID", "DUE", "STATE", "NOTES", "GOAL", NULL })) == NULL)
		return (cli_table_print(t));
	for (i = 0; i < res->via.array.size; i++) {
		g = &res->via.array.ptr[i];
		cli_short(g, "id", id, sizeof(id));
		id[8] = '\0';
		if (cli_ref(g, "kid", kid, sizeof(kid)) == NULL)
			snprintf(kid, sizeof(kid), "?");
		if (cli_text(g, "text", text, sizeof(text)) == NULL)
			snprintf(text, sizeof(text), "?");
		if (cli_text(g, "due", due, sizeof(due)) == NULL)
			snprintf(due, sizeof(due), "-");
		if (cli_text(g, "state", state, sizeof(state)) == NULL)
			snprintf(state, sizeof(state), "?");
		n = 0;
		(void)cli_uint(g, "progress", &n);
		cli_fit(fit, sizeof(fit), text, room);
		output_table_row(t);
		output_table_cell(t, OUTPUT_DIM, "%s", id);
		output_table_cell(t, OUTPUT_PLAIN, "%s", kid);
		output_table_cell(t, OUTPUT_PLAIN, "%s", due);
		output_table_cell(t, strcmp(state, "done") == 0 ?
		    OUTPUT_GREEN : strcmp(state, "dropped") == 0 ? OUTPUT_DIM :
		    OUTPUT_PLAIN, "%s", state);
		output_table_cell(t, OUTPUT_PLAIN, "%" PRIu64, n);
		output_table_cell(t, OUTPUT_PLAIN, "%s", fit);
		last = mp_map_get(g, "last_progress");
		if (last != NULL && last->type == MSGPACK_OBJECT_MAP &&
		    cli_text(last, "note", note, sizeof(note)) != NULL) {
			cli_fit(lfit, sizeof(lfit), note, room > 6 ?
			    room - 6 : room);
			output_table_note(t, OUTPUT_DIM, "last: %s", lfit);
		}
	}
	(void)cli;
	return (cli_table_print(t));
}

int
do_goals(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "all", no_argument, NULL, 'a' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	const char			*kid = NULL;
	bool				 all = false;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		if (ch != 'a')
			return (cli_optend(cmd, ch));
		all = true;
	}
	if ((rc = cli_optional_kid(cmd, argc - optind, argv + optind,
	    &kid)) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	if (all)
		cli_params_bool(&p, "all", true);
	if ((rc = cli_call(cli, RPC_M_GOALS, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	return (goals_print(cli, res));
}
