/*
 * cmd-entry.c: the commands that record a moment with a kid: one-on-one,
 * checkin/checkout, repair and repair done. Each checks its arguments
 * (lengths, ranges, WHEN syntax) before contacting attuned, then appends
 * one entry. Name resolution and the authoritative checks are attuned's.
 */
#include <string.h>

#include "cli.h"

#define ENTRY_MINUTES_MAX	600
#define ENTRY_INTENSITY_MAX	5
#define ENTRY_MAX_PARENTS	4
#define ENTRY_MAX_KIDS		8

/* The commands that append one entry from their options and arguments
 * (cli_form_append): their fields. */
const struct cli_form_field cli_form_repair_done[] = {
	{ NULL, "ID", "repair", CLI_FORM_ID },
	{ "apologised", NULL, "apologized", CLI_FORM_FLAG },
	{ "apologized", NULL, "apologized", CLI_FORM_FLAG },
	{ "heard", NULL, "heard", CLI_FORM_TEXT },
	{ "plan", NULL, "plan", CLI_FORM_TEXT },
	{ "note", NULL, "note", CLI_FORM_TEXT },
	{ "at", NULL, "at", CLI_FORM_WHEN },
	{ NULL }
};

static int	entry_zone(const struct cli_cmd *, const char *);

/* A Mood Meter zone. */
static int
entry_zone(const struct cli_cmd *cmd, const char *z)
{
	if (strcmp(z, "red") == 0 || strcmp(z, "yellow") == 0 ||
	    strcmp(z, "green") == 0 || strcmp(z, "blue") == 0)
		return (0);
	return (cli_usage_error(cmd, "--zone: red, yellow, green or blue, "
	    "not %s", z));
}

int
do_one_on_one(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		{ "activity", required_argument, NULL, 'a' },
		{ "at", required_argument, NULL, 't' },
		{ "both", no_argument, NULL, 'B' },
		{ "by", required_argument, NULL, 'b' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "note", required_argument, NULL, 'n' },
		{ "parent-led", no_argument, NULL, 'P' },
		{ "screens-on", no_argument, NULL, 'S' },
		{ "topics", required_argument, NULL, 'T' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*activity = NULL, *at = NULL;
	const char			*note = NULL, *kid, *topics = NULL;
	const char			*by[ENTRY_MAX_PARENTS];
	size_t				 nby = 0;
	uint64_t			 minutes = 0;
	bool				 both = false, parent_led = false;
	bool				 screens_on = false;
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
		case 'B':
			both = true;
			break;
		case 'b':
			if (nby == ENTRY_MAX_PARENTS)
				return (cli_usage_error(cmd, "--by: at most %d",
				    ENTRY_MAX_PARENTS));
			if ((rc = cli_check_name(cmd, "--by",
			    by[nby++] = optarg)) != 0)
				return (rc);
			break;
		case 'P':
			parent_led = true;
			break;
		case 'S':
			screens_on = true;
			break;
		case 'T':
			if ((rc = cli_check_text(cmd, "--topics",
			    topics = optarg)) != 0)
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
	if (both && nby > 0)
		return (cli_usage_error(cmd, "--both or --by, not both"));
	cli_params_str(&p, "kid", kid);
	if (minutes != 0)
		cli_params_uint(&p, "minutes", minutes);
	cli_params_str(&p, "activity", activity);
	cli_params_str(&p, "note", note);
	cli_params_str(&p, "at", at);
	cli_params_str(&p, "topics", topics);
	if (both)
		cli_params_str(&p, "parents", "both");
	cli_params_strs(&p, "parents", by, nby);
	if (parent_led)
		cli_params_bool(&p, "child_led", false);
	if (screens_on)
		cli_params_bool(&p, "screens_off", false);
	return (cli_append(cli, "one-on-one", &p));
}

/* checkin and checkout: the kind is the command's name. */
int
do_checkin(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		{ "at", required_argument, NULL, 't' },
		{ "intensity", required_argument, NULL, 'i' },
		{ "note", required_argument, NULL, 'n' },
		{ "zone", required_argument, NULL, 'z' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const char			*note = NULL, *who, *feeling;
	const char			*zone = NULL, *at = NULL;
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
		case 't':
			if ((rc = cli_check_when(cli, cmd, "--at",
			    at = optarg)) != 0)
				return (rc);
			break;
		case 'z':
			if ((rc = entry_zone(cmd, zone = optarg)) != 0)
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
	cli_params_str(&p, "zone", zone);
	cli_params_str(&p, "at", at);
	return (cli_append(cli, cmd->name, &p));
}

int
do_repair(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "apologised", no_argument, NULL, 'A' },
		{ "apologized", no_argument, NULL, 'A' },
		{ "at", required_argument, NULL, 't' },
		{ "concern", required_argument, NULL, 'c' },
		{ "done", no_argument, NULL, 'D' },
		{ "empathy", required_argument, NULL, 'e' },
		{ "heard", required_argument, NULL, 'H' },
		{ "invitation", required_argument, NULL, 'i' },
		{ "my-part", required_argument, NULL, 'm' },
		{ "note", required_argument, NULL, 'n' },
		{ "plan", required_argument, NULL, 'p' },
		{ "what", required_argument, NULL, 'w' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	/* Text options: option letter, field, value. */
	static const struct {
		int		 ch;
		const char	*opt, *field;
	}				 texts[] = {
		{ 'c', "--concern", "concern" },
		{ 'e', "--empathy", "empathy" },
		{ 'H', "--heard", "heard" },
		{ 'i', "--invitation", "invitation" },
		{ 'm', "--my-part", "my_part" },
		{ 'n', "--note", "note" },
		{ 'p', "--plan", "plan" },
		{ 'w', "--what", "what" },
	};
#define NTEXTS	(sizeof(texts) / sizeof(texts[0]))
	struct cli_params		 p = { .n = 0 };
	const char			*val[NTEXTS], *at = NULL;
	const char			*kids[ENTRY_MAX_KIDS];
	bool				 apologized = false, done = false;
	size_t				 i, nkids;
	int				 ch, rc;

	memset(val, 0, sizeof(val));
	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		for (i = 0; i < NTEXTS && texts[i].ch != ch; i++)
			;
		if (i < NTEXTS) {
			if ((rc = cli_check_text(cmd, texts[i].opt,
			    val[i] = optarg)) != 0)
				return (rc);
			continue;
		}
		switch (ch) {
		case 'A':
			apologized = true;
			break;
		case 'D':
			done = true;
			break;
		case 't':
			if ((rc = cli_check_when(cli, cmd, "--at",
			    at = optarg)) != 0)
				return (rc);
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1,
	    ENTRY_MAX_KIDS)) != 0)
		return (rc);
	for (nkids = 0; optind + (int)nkids < argc; nkids++) {
		if ((rc = cli_check_name(cmd, "KID",
		    kids[nkids] = argv[optind + nkids])) != 0)
			return (rc);
	}
	if (val[NTEXTS - 1] == NULL)
		return (cli_usage_error(cmd, "--what is required"));
	cli_params_str(&p, "kid", kids[0]);
	cli_params_strs(&p, "kids", kids + 1, nkids - 1);
	for (i = 0; i < NTEXTS; i++)
		cli_params_str(&p, texts[i].field, val[i]);
	cli_params_bool(&p, "apologized", apologized);
	if (done)
		cli_params_bool(&p, "repaired", true);
	cli_params_str(&p, "at", at);
	return (cli_append(cli, "repair", &p));
#undef NTEXTS
}
