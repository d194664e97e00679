/*
 * main.c: the attune command: global options, the command table, finding
 * the command from the words typed, and the exit status. Each command's
 * handler lives in a cmd-*.c file, parses its own options and makes one
 * RPC call through cli.c. Nothing here talks to the daemon.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"

#define CMD_MAX_WORDS	4

static const struct cli_cmd cli_cmds[] = {
	/* Keep alphabetized by name. Names starting with _ are hidden. */
	{ "_complete", NULL, "WHAT",
	  "Words for shell completion: commands, kids, members, parents, "
	  "ids, words",
	  NULL,
	  do_complete },
	{ "amend", NULL, "ID --FIELD VALUE...",
	  "Correct an entry: a new entry that changes some fields",
	  "  --FIELD VALUE       the field's new value, as the entry's kind\n"
	  "                      names it (--minutes 20, --note TEXT,\n"
	  "                      --kid Maya, --at yesterday, --my-part TEXT)\n",
	  do_amend },
	{ "checkin", NULL,
	  "WHO FEELING [--intensity 1-5] [--zone ZONE] [--note TEXT] "
	  "[--at WHEN]",
	  "Record how someone feels as the day starts",
	  "  --intensity N       how strongly, 1 to 5\n"
	  "  --zone ZONE         red, yellow, green or blue: places a word\n"
	  "                      the vocabulary lacks on the Mood Meter\n"
	  "  --note TEXT         free text\n"
	  "  --at WHEN           when (default now)\n",
	  do_checkin },
	{ "checkout", NULL,
	  "WHO FEELING [--intensity 1-5] [--zone ZONE] [--note TEXT] "
	  "[--at WHEN]",
	  "Record how someone feels as the day ends",
	  "  --intensity N       how strongly, 1 to 5\n"
	  "  --zone ZONE         red, yellow, green or blue: places a word\n"
	  "                      the vocabulary lacks on the Mood Meter\n"
	  "  --note TEXT         free text\n"
	  "  --at WHEN           when (default now)\n",
	  do_checkin },
	{ "devices", NULL, "",
	  "List the family's devices (laptops)",
	  NULL,
	  do_devices },
	{ "devices remove", NULL, "DEVICE",
	  "Remove a lost or retired laptop (by fingerprint or name)",
	  NULL,
	  do_devices_remove },
	{ "doctor", NULL, "",
	  "Explain discovery and why each peer is (not) connected",
	  NULL,
	  do_doctor },
	{ "feelings", NULL, "[--who WHO] [--since WHEN] [--words]",
	  "Show check-ins: today's board, the week by zone, entries",
	  "  --who WHO           only this kid or parent\n"
	  "  --since WHEN        entries from WHEN on (default: this week)\n"
	  "  --words             list the feelings vocabulary instead\n",
	  do_feelings },
	{ "goal", NULL, "KID TEXT [--due YYYY-MM-DD]",
	  "Record a goal the kid set",
	  "  --due YYYY-MM-DD    when the kid wants to get there\n",
	  cli_form_append, "goal", cli_form_goal },
	{ "goal done", NULL, "ID [--note TEXT]",
	  "Mark a goal done",
	  "  --note TEXT         free text\n",
	  cli_form_append, "goal.close", cli_form_goal_done },
	{ "goal drop", NULL, "ID [--note TEXT]",
	  "Drop a goal",
	  "  --note TEXT         free text\n",
	  cli_form_append, "goal.close", cli_form_goal_drop },
	{ "goal progress", NULL, "ID --note TEXT [--shows BEHAVIOURS]",
	  "Note progress on a goal (reviewed in a 1:1)",
	  "  --note TEXT         what happened (required)\n"
	  "  --shows LIST        power behaviours, comma separated:\n"
	  "                      strategy-shifting, challenge-seeking,\n"
	  "                      persistence, setbacks, help-seeking\n"
	  "  --at WHEN           when (default now)\n",
	  cli_form_append, "goal.progress", cli_form_goal_progress },
	{ "goals", NULL, "[KID] [--all]",
	  "List goals with their last progress",
	  "  --all               done and dropped goals too\n",
	  do_goals },
	{ "init", NULL, "--name NAME [--family FAMILY]",
	  "Create the family on this device, with you in it",
	  "  --name NAME         your name, as the kids' parent\n"
	  "  --family FAMILY     the family's name (default: NAME's family)\n",
	  do_init },
	{ "invite", NULL, "[--expires DURATION]",
	  "Print a single-use code that lets another laptop join",
	  "  --expires DURATION  how long the code works: 90s, 10m, 1h\n"
	  "                      (default 10m, at most 24h)\n",
	  do_invite },
	{ "join", NULL, "CODE --name NAME [--peer HOST:PORT]",
	  "Join the family of the laptop that printed CODE",
	  "  --name NAME         your name, as the kids' parent\n"
	  "  --peer HOST:PORT    the inviting laptop's address and port\n"
	  "                      (default: find it on the LAN)\n",
	  do_join },
	{ "kid add", NULL, "NAME [--born YYYY-MM-DD]",
	  "Add a kid to the family",
	  "  --born YYYY-MM-DD   date of birth\n",
	  do_kid_add },
	{ "kid show", NULL, "KID",
	  "A kid's profile: age, strengths, goals, bank, 1:1s, 2x10",
	  NULL,
	  do_kid_show },
	{ "kids", NULL, "",
	  "List the kids with their age",
	  NULL,
	  do_kids },
	{ "log", NULL,
	  "[--kid KID] [--kind KIND] [--since WHEN] [--until WHEN] "
	  "[--limit N]",
	  "Show the family log, newest first, as corrected",
	  "  --kid KID           only entries about this kid\n"
	  "  --kind KIND         only entries of this kind: one-on-one,\n"
	  "                      checkin, checkout, repair, plan, goal,\n"
	  "                      twoxten.day, moment, amend, kid.add...\n"
	  "  --since WHEN        only entries from WHEN on\n"
	  "  --until WHEN        only entries before WHEN (to see past\n"
	  "                      the newest ones)\n"
	  "  --limit N           at most N entries, 1 to 10000 "
	  "(default 50)\n",
	  do_log },
	{ "moment", NULL, "KID TEXT [--at WHEN]",
	  "Record a moment of connection (a hug, a laugh, a story)",
	  "  --at WHEN           when (default now)\n",
	  cli_form_append, "moment", cli_form_moment },
	{ "one-on-one", "1on1",
	  "KID [--minutes N] [--activity TEXT] [--note TEXT] [--at WHEN] "
	  "[--by PARENT | --both] [--parent-led] [--screens-on] "
	  "[--topics TEXT]",
	  "Record one-on-one special time with a kid",
	  "  --minutes N         how long, 1 to 600 (default 10)\n"
	  "  --activity TEXT     what you did together (the kid's pick)\n"
	  "  --note TEXT         free text\n"
	  "  --topics TEXT       what you talked about\n"
	  "  --at WHEN           when it happened (default now)\n"
	  "  --by PARENT         who was there (repeat for two; default you)\n"
	  "  --both              both parents were there\n"
	  "  --parent-led        the parent chose (default: child-led)\n"
	  "  --screens-on        screens were on (default: off)\n",
	  do_one_on_one },
	{ "peers", NULL, "",
	  "Show the other laptops: address, state, last sync",
	  NULL,
	  do_peers },
	{ "peers add", NULL, "HOST:PORT",
	  "Keep syncing with the laptop at HOST:PORT",
	  NULL,
	  do_peers_edit },
	{ "peers remove", NULL, "HOST:PORT",
	  "Stop syncing with the laptop at HOST:PORT",
	  NULL,
	  do_peers_edit },
	{ "plan", NULL,
	  "KID --every DAYS --at HH:MM [--minutes N] [--by PARENT]",
	  "Plan weekly 1:1 time (replaces PARENT's plan for KID)",
	  "  --every DAYS        weekdays, comma separated: sat,wed; or\n"
	  "                      daily, weekdays, weekends\n"
	  "  --at HH:MM          the time of day\n"
	  "  --minutes N         how long, 1 to 600 (default 10)\n"
	  "  --by PARENT         whose plan (default you)\n",
	  do_plan },
	{ "plan list", NULL, "[--kid KID]",
	  "List the one-on-one plans in force",
	  "  --kid KID           only this kid's plans\n",
	  do_plan_list },
	{ "plan stop", NULL, "KID [--by PARENT]",
	  "Stop planning one-on-one time with a kid",
	  "  --by PARENT         only PARENT's plan (default: every plan)\n",
	  cli_form_append, "plan.stop", cli_form_plan_stop },
	{ "prompt", NULL, "[KID] [--another]",
	  "Offer a question to start a talk, suited to the kid",
	  "  --another           a different question than today's\n",
	  do_prompt },
	{ "prompt add", NULL, "TEXT [--ages A-B]",
	  "Add the family's own question to the prompts",
	  "  --ages A-B          the ages it suits, e.g. 6-9\n",
	  cli_form_append, "prompt.add", cli_form_prompt_add },
	{ "reminders", NULL, "",
	  "List the reminders pending now and whether they were sent",
	  NULL,
	  do_reminders },
	{ "repair", NULL,
	  "KID [KID...] --what TEXT [--my-part TEXT] [--apologized] "
	  "[--heard TEXT] [--plan TEXT] [--empathy TEXT] [--concern TEXT] "
	  "[--invitation TEXT] [--note TEXT] [--done] [--at WHEN]",
	  "Record a conflict to repair with a kid (or kids)",
	  "  --what TEXT         what happened (required)\n"
	  "  --my-part TEXT      my part in it\n"
	  "  --apologized        you apologised (also --apologised)\n"
	  "  --heard TEXT        the kid's feelings, in their words\n"
	  "  --plan TEXT         the plan for next time\n"
	  "  --empathy TEXT      Plan B: what the kid's concern is\n"
	  "  --concern TEXT      Plan B: the adult's concern\n"
	  "  --invitation TEXT   Plan B: the solution you invited\n"
	  "  --note TEXT         free text\n"
	  "  --done              already repaired\n"
	  "  --at WHEN           when it happened (default now)\n",
	  do_repair },
	{ "repair done", NULL,
	  "ID [--apologized] [--heard TEXT] [--plan TEXT] [--note TEXT]",
	  "Mark a repair done (repaired)",
	  "  --apologized        you apologised (also --apologised)\n"
	  "  --heard TEXT        the kid's feelings, in their words\n"
	  "  --plan TEXT         the plan for next time\n"
	  "  --note TEXT         free text\n"
	  "  --at WHEN           when (default now)\n",
	  cli_form_append, "repair.done", cli_form_repair_done },
	{ "repairs", NULL, "[--open] [--kid KID]",
	  "List repairs: open ones first, flagged after 48 hours",
	  "  --open              only the open ones\n"
	  "  --kid KID           only with this kid\n",
	  do_repairs },
	{ "retract", NULL, "ID --reason TEXT",
	  "Withdraw an entry (a new entry; views leave it out)",
	  "  --reason TEXT       why (required)\n",
	  cli_form_append, "retract", cli_form_retract },
	{ "set", NULL, "week-start DAY",
	  "Change a family setting (the day weeks start on)",
	  NULL,
	  do_set },
	{ "show", NULL, "ID",
	  "Show an entry as it stands, as written, and its history",
	  NULL,
	  do_show },
	{ "status", NULL, "",
	  "Show the daemon, family, device and log state",
	  NULL,
	  do_status },
	{ "strength", NULL,
	  "KID TEXT [--kind interest|strength|skill|mirror]",
	  "Record a strength or interest of a kid",
	  "  --kind KIND         interest, strength (default), skill or\n"
	  "                      mirror (a positive trait to mirror back)\n",
	  cli_form_append, "strength", cli_form_strength },
	{ "today", NULL, "",
	  "What to do today: 1:1s due, 2x10, check-ins, open repairs",
	  NULL,
	  do_today },
	{ "twoxten", "2x10", "[KID]",
	  "Show 2x10 runs: day k of 10, missed days, state",
	  NULL,
	  do_twoxten },
	{ "twoxten log", "2x10", "KID [--note TEXT] [--at WHEN]",
	  "Log today's two minutes of connection of a 2x10 run",
	  "  --note TEXT         free text\n"
	  "  --at WHEN           the day it happened (default now)\n",
	  cli_form_append, "twoxten.day", cli_form_twoxten_log },
	{ "twoxten start", "2x10", "KID [--at WHEN]",
	  "Start (or restart) 10 days of 2 minutes a day with a kid",
	  "  --at WHEN           the first day (default today)\n",
	  cli_form_append, "twoxten.start", cli_form_twoxten_start },
	{ "verify", NULL, "",
	  "Re-check every signature, chain link and seal",
	  NULL,
	  do_verify },
	{ "week", NULL, "[--kid KID] [--date WHEN]",
	  "The week per kid: 1:1s, 2x10, feelings, repairs, goals",
	  "  --kid KID           only this kid\n"
	  "  --date WHEN         the week that contains WHEN (default: "
	  "this)\n",
	  do_week },
};
#define CLI_NCMDS	(sizeof(cli_cmds) / sizeof(cli_cmds[0]))

static const struct option main_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, CLI_OPT_JSON },
	{ "socket", required_argument, NULL, 's' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void	main_usage(FILE *);
static void	main_help(void);
static int	main_words(const char *, char [CMD_MAX_WORDS][32]);
static int	main_match(const struct cli_cmd *, int, char **);
static const struct cli_cmd *main_find(int, char **, int *);
static int	main_unknown(int, char **);
static int	main_options(struct cli *, int, char **);
static int64_t	main_now(void);
static bool	main_sorted(void);

static void
main_usage(FILE *f)
{
	fprintf(f, "usage: attune [--socket PATH] [--json] COMMAND "
	    "[ARGS...]\n"
	    "       attune COMMAND --help | --help | --version\n");
}

/* attune --help: the global options and one line per command. */
static void
main_help(void)
{
	char	name[64];
	size_t	i;

	main_usage(stdout);
	printf("\nKeep the attachment habits of a family: one-on-one time,\n"
	    "2x10, feelings check-ins and check-outs, repair after conflict,\n"
	    "goals, strengths, moments and prompts.\n"
	    "\noptions:\n"
	    "  --socket PATH       talk to attuned at PATH\n"
	    "  --json              print results as JSON\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show the version\n"
	    "\ncommands:\n");
	for (i = 0; i < CLI_NCMDS; i++) {
		const char	*rest = strchr(cli_cmds[i].name, ' ');

		if (cli_cmds[i].name[0] == '_')
			continue;
		if (cli_cmds[i].alias != NULL)
			snprintf(name, sizeof(name), "%s (%s%s)",
			    cli_cmds[i].name, cli_cmds[i].alias,
			    rest != NULL ? rest : "");
		else
			snprintf(name, sizeof(name), "%s", cli_cmds[i].name);
		if (strlen(name) < 20)
			printf("  %-20s%s\n", name, cli_cmds[i].help);
		else
			printf("  %s\n  %-20s%s\n", name, "",
			    cli_cmds[i].help);
	}
	printf("\nRun 'attune COMMAND --help' for a command's options.\n");
}

/* Split a table name into words. Return how many. */
static int
main_words(const char *name, char words[CMD_MAX_WORDS][32])
{
	const char	*p = name, *sp;
	size_t		 len;
	int		 n = 0;

	while (*p != '\0' && n < CMD_MAX_WORDS) {
		if ((sp = strchr(p, ' ')) == NULL)
			sp = p + strlen(p);
		len = (size_t)(sp - p);
		if (len >= sizeof(words[0]))
			len = sizeof(words[0]) - 1;
		memcpy(words[n], p, len);
		words[n++][len] = '\0';
		p = *sp == ' ' ? sp + 1 : sp;
	}
	return (n);
}

/*
 * How many words of argv name cmd (0: none). An alias stands for the
 * first word of the name ("2x10 log" is "twoxten log").
 */
static int
main_match(const struct cli_cmd *cmd, int argc, char **argv)
{
	char	words[CMD_MAX_WORDS][32];
	int	n, i;

	n = main_words(cmd->name, words);
	if (n > argc)
		return (0);
	for (i = 0; i < n; i++) {
		if (strcmp(words[i], argv[i]) != 0 && (i > 0 ||
		    cmd->alias == NULL || strcmp(cmd->alias, argv[0]) != 0))
			return (0);
	}
	return (n);
}

/* The command table, for completion. */
const struct cli_cmd *
cli_commands(size_t *n)
{
	*n = CLI_NCMDS;
	return (cli_cmds);
}

/* The command named by the first words of argv; *nwords says how many. */
static const struct cli_cmd *
main_find(int argc, char **argv, int *nwords)
{
	const struct cli_cmd	*best = NULL;
	size_t			 i;
	int			 n;

	*nwords = 0;
	for (i = 0; i < CLI_NCMDS; i++) {
		if ((n = main_match(&cli_cmds[i], argc, argv)) > *nwords) {
			*nwords = n;
			best = &cli_cmds[i];
		}
	}
	return (best);
}

/*
 * No command matched: if the first word starts some commands ("kid"),
 * list them; otherwise say so. Return CLI_EXIT_USAGE.
 */
static int
main_unknown(int argc, char **argv)
{
	char	words[CMD_MAX_WORDS][32];
	size_t	i;
	bool	found = false;

	for (i = 0; i < CLI_NCMDS; i++) {
		if (main_words(cli_cmds[i].name, words) < 2 ||
		    strcmp(words[0], argv[0]) != 0)
			continue;
		if (!found && argc > 1)
			fprintf(stderr, "attune: %s: unknown subcommand: %s\n",
			    argv[0], argv[1]);
		else if (!found)
			fprintf(stderr, "attune: %s: missing subcommand\n",
			    argv[0]);
		found = true;
		cli_usage(&cli_cmds[i], stderr);
	}
	if (!found) {
		fprintf(stderr, "attune: unknown command: %s\n", argv[0]);
		fprintf(stderr, "Run 'attune --help' for the commands.\n");
	}
	return (CLI_EXIT_USAGE);
}

/*
 * The global options, which come before the command. Return -1 to go on
 * with the command at argv[optind], or an exit code.
 */
static int
main_options(struct cli *cli, int argc, char **argv)
{
	int	ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hV", main_opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			main_help();
			return (CLI_EXIT_OK);
		case 'V':
			printf("attune %s\n", ATTUNE_VERSION);
			return (CLI_EXIT_OK);
		case 's':
			if (*optarg == '\0') {
				fprintf(stderr, "attune: --socket: empty "
				    "path\n");
				return (CLI_EXIT_USAGE);
			}
			cli->socket = optarg;
			break;
		case CLI_OPT_JSON:
			cli->json = true;
			break;
		case ':':
			fprintf(stderr, "attune: option %s needs a value\n",
			    argv[optind - 1]);
			main_usage(stderr);
			return (CLI_EXIT_USAGE);
		default:
			fprintf(stderr, "attune: unknown option: %s\n",
			    argv[optind - 1]);
			main_usage(stderr);
			return (CLI_EXIT_USAGE);
		}
	}
	if (optind == argc) {
		main_usage(stderr);
		return (CLI_EXIT_USAGE);
	}
	return (-1);
}

/* Is the table sorted by name, names and aliases unique? (assert) */
static bool
main_sorted(void)
{
	size_t	i, j;

	for (i = 1; i < CLI_NCMDS; i++) {
		if (strcmp(cli_cmds[i - 1].name, cli_cmds[i].name) >= 0)
			return (false);
	}
	for (i = 0; i < CLI_NCMDS; i++) {
		for (j = 0; cli_cmds[i].alias != NULL && j < CLI_NCMDS; j++) {
			if (strcmp(cli_cmds[i].alias, cli_cmds[j].name) == 0)
				return (false);
		}
	}
	return (true);
}

static int64_t
main_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int
main(int argc, char **argv)
{
	struct cli		 cli;
	const struct cli_cmd	*cmd;
	int			 rc, nwords, skip, saved_errno;

	assert(main_sorted());
	setlocale(LC_CTYPE, "");
	output_init();
	memset(&cli, 0, sizeof(cli));
	cli.now_ms = main_now();
	if ((rc = main_options(&cli, argc, argv)) >= 0)
		goto out;
	argc -= optind;
	argv += optind;
	if ((cmd = main_find(argc, argv, &nwords)) == NULL) {
		rc = main_unknown(argc, argv);
		goto out;
	}
	skip = nwords - 1;
	optind = 0;	/* glibc: start the next getopt_long afresh */
	rc = cmd->exec(&cli, cmd, argc - skip, argv + skip);
	client_destroy(cli.client);

out:
	/* The one place that reports a failed stdout (full disk, EIO). */
	saved_errno = fflush(stdout) != 0 ? errno : EIO;
	if (ferror(stdout)) {
		fprintf(stderr, "attune: stdout: %s\n", strerror(saved_errno));
		if (rc == CLI_EXIT_OK)
			rc = CLI_EXIT_ERROR;
	}
	return (rc);
}
