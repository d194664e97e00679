/*
 * cmd-entry.c: the commands that record a moment with a kid: one-on-one,
 * checkin/checkout and repair. Each checks its arguments (lengths, ranges,
 * WHEN syntax) before contacting attuned, then appends one entry. Name
 * resolution and the authoritative checks are attuned's.
 */
#include <string.h>

#include "cli.h"

#define ENTRY_MINUTES_MAX	600
#define ENTRY_INTENSITY_MAX	5

int
do_one_on_one(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		{ "activity", required_argument, NULL, 'a' },
		{ "at", required_argument, NULL, 't' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "note", required_argument, NULL, 'n' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*activity = NULL, *at = NULL;
	const char			*note = NULL, *kid;
	uint64_t			 minutes = 0;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'a':
			if ((rc = cli_check_text(cmd, "--activity",
			    activity = optarg)) != 0)
				return (rc);
			break;
		case 't':
			if ((rc = cli_check_when(cli, cmd, "--at",
			    at = optarg)) != 0)
				return (rc);
			break;
		case 'm':
			if ((rc = cli_parse_uint(cmd, "--minutes", optarg, 1,
			    ENTRY_MINUTES_MAX, &minutes)) != 0)
				return (rc);
			break;
		case 'n':
			if ((rc = cli_check_text(cmd, "--note",
			    note = optarg)) != 0)
				return (rc);
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1, 1)) != 0)
		return (rc);
	if ((rc = cli_check_name(cmd, "KID", kid = argv[optind])) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	if (minutes != 0)
		cli_params_uint(&p, "minutes", minutes);
	cli_params_str(&p, "activity", activity);
	cli_params_str(&p, "note", note);
	cli_params_str(&p, "at", at);
	return (cli_append(cli, "one-on-one", &p));
}

/* checkin and checkout: the kind is the command's name. */
int
do_checkin(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		{ "intensity", required_argument, NULL, 'i' },
		{ "note", required_argument, NULL, 'n' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*note = NULL, *who, *feeling;
	uint64_t			 intensity = 0;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'i':
			if ((rc = cli_parse_uint(cmd, "--intensity", optarg,
			    1, ENTRY_INTENSITY_MAX, &intensity)) != 0)
				return (rc);
			break;
		case 'n':
			if ((rc = cli_check_text(cmd, "--note",
			    note = optarg)) != 0)
				return (rc);
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 2, 2)) != 0)
		return (rc);
	who = argv[optind];
	feeling = argv[optind + 1];
	if ((rc = cli_check_name(cmd, "WHO", who)) != 0 ||
	    (rc = cli_check_name(cmd, "FEELING", feeling)) != 0)
		return (rc);
	cli_params_str(&p, "who", who);
	cli_params_str(&p, "feeling", feeling);
	if (intensity != 0)
		cli_params_uint(&p, "intensity", intensity);
	cli_params_str(&p, "note", note);
	return (cli_append(cli, cmd->name, &p));
}

int
do_repair(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "apologised", no_argument, NULL, 'A' },
		{ "apologized", no_argument, NULL, 'A' },
		{ "note", required_argument, NULL, 'n' },
		{ "what", required_argument, NULL, 'w' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*note = NULL, *what = NULL, *kid;
	bool				 apologized = false;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'A':
			apologized = true;
			break;
		case 'n':
			if ((rc = cli_check_text(cmd, "--note",
			    note = optarg)) != 0)
				return (rc);
			break;
		case 'w':
			if ((rc = cli_check_text(cmd, "--what",
			    what = optarg)) != 0)
				return (rc);
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1, 1)) != 0)
		return (rc);
	if ((rc = cli_check_name(cmd, "KID", kid = argv[optind])) != 0)
		return (rc);
	if (what == NULL)
		return (cli_usage_error(cmd, "--what is required"));
	cli_params_str(&p, "kid", kid);
	cli_params_str(&p, "what", what);
	cli_params_bool(&p, "apologized", apologized);
	cli_params_str(&p, "note", note);
	return (cli_append(cli, "repair", &p));
}
