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
	/* Keep alphabetized by name. */
	{ "checkin", NULL, "WHO FEELING [--intensity 1-5] [--note TEXT]",
	  "Record how someone feels as the day starts",
	  "  --intensity N       how strongly, 1 to 5\n"
	  "  --note TEXT         free text\n",
	  do_checkin },
	{ "checkout", NULL, "WHO FEELING [--intensity 1-5] [--note TEXT]",
	  "Record how someone feels as the day ends",
	  "  --intensity N       how strongly, 1 to 5\n"
	  "  --note TEXT         free text\n",
	  do_checkin },
	{ "devices", NULL, "",
	  "List the family's devices (laptops)",
	  NULL,
	  do_devices },
	{ "devices remove", NULL, "DEVICE",
	  "Remove a lost or retired laptop (fingerprint or parent's name)",
	  NULL,
	  do_devices_remove },
	{ "doctor", NULL, "",
	  "Explain discovery and why each peer is (not) connected",
	  NULL,
	  do_doctor },
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
	{ "kids", NULL, "",
	  "List the kids with their age",
	  NULL,
	  do_kids },
	{ "log", NULL,
	  "[--kid KID] [--kind KIND] [--since WHEN] [--limit N]",
	  "Show the family log, newest first",
	  "  --kid KID           only entries about this kid\n"
	  "  --kind KIND         only entries of this kind: one-on-one,\n"
	  "                      checkin, checkout, repair, kid.add,\n"
	  "                      family.create, device.add\n"
	  "  --since WHEN        only entries from WHEN on\n"
	  "  --limit N           at most N entries, 1 to 10000 "
	  "(default 50)\n",
	  do_log },
	{ "one-on-one", "1on1",
	  "KID [--minutes N] [--activity TEXT] [--note TEXT] [--at WHEN]",
	  "Record one-on-one special time with a kid",
	  "  --minutes N         how long, 1 to 600 (default 10)\n"
	  "  --activity TEXT     what you did together (the kid's pick)\n"
	  "  --note TEXT         free text\n"
	  "  --at WHEN           when it happened (default now)\n",
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
	{ "repair", NULL, "KID --what TEXT [--apologized] [--note TEXT]",
	  "Record a repair with a kid after a conflict",
	  "  --what TEXT         what happened (required)\n"
	  "  --apologized        you apologised (also --apologised)\n"
	  "  --note TEXT         free text\n",
	  do_repair },
	{ "status", NULL, "",
	  "Show the daemon, family, device and log state",
	  NULL,
	  do_status },
	{ "verify", NULL, "",
	  "Re-check every signature, chain link and seal",
	  NULL,
	  do_verify },
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
	    "feelings check-ins and check-outs, repair after conflict.\n"
	    "\noptions:\n"
	    "  --socket PATH       talk to attuned at PATH\n"
	    "  --json              print results as JSON\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show the version\n"
	    "\ncommands:\n");
	for (i = 0; i < CLI_NCMDS; i++) {
		if (cli_cmds[i].alias != NULL)
			snprintf(name, sizeof(name), "%s (%s)",
			    cli_cmds[i].name, cli_cmds[i].alias);
		else
			snprintf(name, sizeof(name), "%s", cli_cmds[i].name);
		printf("  %-20s%s\n", name, cli_cmds[i].help);
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

/* How many words of argv name cmd (0: none). */
static int
main_match(const struct cli_cmd *cmd, int argc, char **argv)
{
	char	words[CMD_MAX_WORDS][32];
	int	n, i;

	if (cmd->alias != NULL && strcmp(cmd->alias, argv[0]) == 0)
		return (1);
	n = main_words(cmd->name, words);
	if (n > argc)
		return (0);
	for (i = 0; i < n; i++) {
		if (strcmp(words[i], argv[i]) != 0)
			return (0);
	}
	return (n);
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
