/*
 * cmd-prompt.c: reflection questions ("prompt", "prompt add"), the
 * family's settings ("set week-start DAY") and the hidden "_complete"
 * that the bash and zsh completions call. Which question fits a kid is
 * attuned's choice; completion of commands and options reads the command
 * table, completion of names and ids asks attuned and stays silent when
 * it cannot.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mp.h"
#include "output.h"

/* The commands that append one entry from their options and arguments
 * (cli_form_append): their fields. */
const struct cli_form_field cli_form_prompt_add[] = {
	{ NULL, "TEXT", "text", CLI_FORM_TEXT },
	{ "ages", NULL, "ages", CLI_FORM_NAME },
	{ NULL }
};

static int	complete_commands(int, char **);
static int	complete_options(int, char **);
static int	complete_daemon(struct cli *, const char *);

int
do_prompt(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "another", no_argument, NULL, 'a' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	const char			*kid = NULL;
	char				 text[PROTO_MAX_TEXT + 1];
	char				 cat[32], why[160];
	char				 name[PROTO_MAX_NAME + 1];
	bool				 another = false;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		if (ch != 'a')
			return (cli_optend(cmd, ch));
		another = true;
	}
	if ((rc = cli_optional_kid(cmd, argc - optind, argv + optind,
	    &kid)) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	if (another)
		cli_params_uint(&p, "seed", (uint64_t)cli->now_ms / 1000 | 1);
	if ((rc = cli_call(cli, RPC_M_PROMPT, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	if (cli_text(res, "text", text, sizeof(text)) == NULL)
		return (CLI_EXIT_ERROR);
	output_clean(text, sizeof(text), text, strlen(text));
	printf("%s\n", text);
	if (cli_text(res, "category", cat, sizeof(cat)) == NULL)
		snprintf(cat, sizeof(cat), "general");
	if (cli_ref(res, "kid", name, sizeof(name)) != NULL) {
		if (cli_text(res, "why", why, sizeof(why)) != NULL)
			printf("%s(for %s: %s)%s\n", output_sgr(OUTPUT_DIM),
			    name, why, output_sgr_end(OUTPUT_DIM));
		else
			printf("%s(for %s)%s\n", output_sgr(OUTPUT_DIM), name,
			    output_sgr_end(OUTPUT_DIM));
	}
	return (CLI_EXIT_OK);
}

int
do_set(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	int				 ch, rc;

	if ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 2, 2)) != 0)
		return (rc);
	if (strcmp(argv[optind], "week-start") != 0 &&
	    strcmp(argv[optind], "week_start") != 0)
		return (cli_usage_error(cmd, "unknown setting: %s (known: "
		    "week-start)", argv[optind]));
	if ((rc = cli_check_name(cmd, "DAY", argv[optind + 1])) != 0)
		return (rc);
	cli_params_str(&p, "key", "week_start");
	cli_params_str(&p, "value", argv[optind + 1]);
	return (cli_append(cli, "setting", &p));
}

/*
 * The first words of the commands (argc 0), or the words that may follow
 * argv[0] ("kid" -> add, show), one per line.
 */
static int
complete_commands(int argc, char **argv)
{
	const struct cli_cmd	*cmds;
	const char		*name, *sp, *prev = "";
	size_t			 n, i, len, plen = 0;

	cmds = cli_commands(&n);
	for (i = 0; i < n; i++) {
		name = cmds[i].name;
		if (name[0] == '_')
			continue;
		if (argc > 0) {
			len = strlen(argv[0]);
			if ((strncmp(name, argv[0], len) != 0 ||
			    name[len] != ' ') && (cmds[i].alias == NULL ||
			    strcmp(cmds[i].alias, argv[0]) != 0 ||
			    strchr(name, ' ') == NULL))
				continue;
			if ((sp = strchr(name, ' ')) == NULL)
				continue;
			name = sp + 1;
		}
		sp = strchr(name, ' ');
		len = sp != NULL ? (size_t)(sp - name) : strlen(name);
		if (len == plen && strncmp(prev, name, len) == 0)
			continue;
		fwrite(name, 1, len, stdout);
		putchar('\n');
		if (argc == 0 && cmds[i].alias != NULL && sp == NULL)
			printf("%s\n", cmds[i].alias);
		prev = name;
		plen = len;
	}
	return (CLI_EXIT_OK);
}

/* The long options of the command named by argv, one per line. */
static int
complete_options(int argc, char **argv)
{
	const struct cli_cmd	*cmds, *best = NULL;
	const char		*p, *e;
	char			 want[128];
	size_t			 n, i;

	if (argc == 0)
		return (CLI_EXIT_OK);
	snprintf(want, sizeof(want), "%s%s%s", argv[0], argc > 1 ? " " : "",
	    argc > 1 ? argv[1] : "");
	cmds = cli_commands(&n);
	for (i = 0; i < n && best == NULL; i++) {
		if (strcmp(cmds[i].name, want) == 0)
			best = &cmds[i];
	}
	for (i = 0; i < n && best == NULL; i++) {
		if (strcmp(cmds[i].name, argv[0]) == 0 ||
		    (cmds[i].alias != NULL && strcmp(cmds[i].alias,
		    argv[0]) == 0 && strchr(cmds[i].name, ' ') == NULL))
			best = &cmds[i];
	}
	if (best == NULL)
		return (CLI_EXIT_OK);
	for (p = best->options; p != NULL && (p = strstr(p, "--")) != NULL;
	    p = e) {
		for (e = p + 2; *e != '\0' && *e != ' ' && *e != '\n' &&
		    *e != ',' && *e != ')'; e++)
			;
		if (e > p + 2 && strncmp(p, "--FIELD", 7) != 0)
			printf("%.*s\n", (int)(e - p), p);
	}
	printf("--json\n--help\n");
	return (CLI_EXIT_OK);
}

/* Names, ids or words from attuned; silent when it is not there. */
static int
complete_daemon(struct cli *cli, const char *what)
{
	struct cli_params	 p = { .n = 0 };
	const msgpack_object	*res, *o;
	char			 buf[PROTO_MAX_NAME + 1];
	uint32_t		 i;
	bool			 words = strcmp(what, "words") == 0;

	if (freopen("/dev/null", "w", stderr) == NULL)
		return (CLI_EXIT_ERROR);
	cli_params_str(&p, "what", what);
	if (cli_call(cli, words ? RPC_M_WORDS : RPC_M_COMPLETE, NULL,
	    words ? NULL : &p, &res) != 0 ||
	    res->type != MSGPACK_OBJECT_ARRAY)
		return (CLI_EXIT_ERROR);
	for (i = 0; i < res->via.array.size; i++) {
		o = &res->via.array.ptr[i];
		if (words && cli_text(o, "word", buf, sizeof(buf)) == NULL)
			continue;
		if (!words) {
			if (o->type != MSGPACK_OBJECT_STR ||
			    o->via.str.size > PROTO_MAX_NAME)
				continue;
			snprintf(buf, sizeof(buf), "%.*s",
			    (int)o->via.str.size, o->via.str.ptr);
		}
		output_clean(buf, sizeof(buf), buf, strlen(buf));
		printf("%s\n", buf);
	}
	return (CLI_EXIT_OK);
}

/*
 * _complete commands [WORD] | options WORDS... | kids | members |
 * parents | ids | words.
 */
int
do_complete(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	const char	*what;

	if (argc < 2)
		return (cli_usage_error(cmd, "missing WHAT"));
	what = argv[1];
	if (strcmp(what, "commands") == 0)
		return (complete_commands(argc - 2, argv + 2));
	if (strcmp(what, "options") == 0)
		return (complete_options(argc - 2, argv + 2));
	if (strcmp(what, "kids") == 0 || strcmp(what, "members") == 0 ||
	    strcmp(what, "parents") == 0 || strcmp(what, "ids") == 0 ||
	    strcmp(what, "words") == 0)
		return (complete_daemon(cli, what));
	return (cli_usage_error(cmd, "WHAT: commands, options, kids, "
	    "members, parents, ids or words, not %s", what));
}
