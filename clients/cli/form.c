/*
 * form.c: a command's options and arguments read from a table (cli.h,
 * struct cli_form_field) into the params of its request: each value
 * checked as the field says, with the same messages a hand-written
 * option loop gives. For the commands that append one entry from
 * strings; the ones with counts, lists or choices between fields keep
 * their own loops.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define CLI_FORM_OPT	0x200	/* getopt value of field i: this + i */
#define CLI_FORM_GO	(-1)	/* form_read: send the request */

static int	form_read(struct cli *, const struct cli_cmd *, int, char **,
		    const struct cli_form_field *, struct cli_params *);
static int	form_check(struct cli *, const struct cli_cmd *,
		    const struct cli_form_field *, const char *label,
		    const char *value);
static bool	form_flag_before(const struct cli_form_field *,
		    const char **, size_t);

/* Check one value; label is "--name" or the argument's name. */
static int
form_check(struct cli *cli, const struct cli_cmd *cmd,
    const struct cli_form_field *f, const char *label, const char *value)
{
	const char *const	*c;
	char			 list[256];
	size_t			 n = 0;

	switch (f->check) {
	case CLI_FORM_TEXT:
		return (cli_check_text(cmd, label, value));
	case CLI_FORM_NAME:
		return (cli_check_name(cmd, label, value));
	case CLI_FORM_WHEN:
		return (cli_check_when(cli, cmd, label, value));
	case CLI_FORM_DATE:
		return (cli_check_date(cmd, label, value));
	case CLI_FORM_ID:
		return (cli_check_id(cmd, label, value));
	case CLI_FORM_CHOICE:
		for (c = f->choices; *c != NULL; c++) {
			if (strcmp(*c, value) == 0)
				return (0);
		}
		list[0] = '\0';
		for (c = f->choices; *c != NULL && n < sizeof(list); c++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
			    c == f->choices ? "" : c[1] == NULL ? " or " : ", ",
			    *c);
		return (cli_usage_error(cmd, "%s: %s, not %s", label, list,
		    value));
	case CLI_FORM_FLAG:
	case CLI_FORM_CONST:
		return (0);
	}
	return (0);
}

/*
 * Read argv as the fields say (options in any order, then exactly the
 * positional fields, in order) and add each value given to p under its
 * key. Return CLI_FORM_GO to send the request, or an exit status to
 * return at once (CLI_EXIT_OK after --help, CLI_EXIT_USAGE after an
 * error it reported).
 */
static int
form_read(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    const struct cli_form_field *fields, struct cli_params *p)
{
	struct option	 opts[CLI_FORM_MAX + 3];
	const char	*val[CLI_FORM_MAX] = { NULL };
	char		 label[80];
	size_t		 i, n, no = 0, npos = 0;
	int		 ch, rc;

	for (n = 0; fields[n].key != NULL; n++) {
		if (n == CLI_FORM_MAX)
			return (cli_usage_error(cmd, "too many fields"));
		if (fields[n].check == CLI_FORM_CONST)
			continue;
		if (fields[n].option == NULL) {
			npos++;
			continue;
		}
		opts[no].name = fields[n].option;
		opts[no].has_arg = fields[n].check == CLI_FORM_FLAG ?
		    no_argument : required_argument;
		opts[no].flag = NULL;
		opts[no++].val = CLI_FORM_OPT + (int)n;
	}
	opts[no++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[no++] = (struct option){ "json", no_argument, NULL,
	    CLI_OPT_JSON };
	opts[no] = (struct option){ NULL, 0, NULL, 0 };
	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		if (ch < CLI_FORM_OPT || ch >= CLI_FORM_OPT + (int)n)
			return (cli_optend(cmd, ch));
		i = (size_t)(ch - CLI_FORM_OPT);
		val[i] = fields[i].check == CLI_FORM_FLAG ? "" : optarg;
		snprintf(label, sizeof(label), "--%s", fields[i].option);
		if ((rc = form_check(cli, cmd, &fields[i], label,
		    val[i])) != 0)
			return (rc);
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, (int)npos,
	    (int)npos)) != 0)
		return (rc);
	for (i = 0; i < n; i++) {
		if (fields[i].option != NULL ||
		    fields[i].check == CLI_FORM_CONST)
			continue;
		val[i] = argv[optind++];
		if ((rc = form_check(cli, cmd, &fields[i], fields[i].label,
		    val[i])) != 0)
			return (rc);
	}
	for (i = 0; i < n; i++) {
		if (fields[i].required && val[i] == NULL)
			return (cli_usage_error(cmd, "--%s is required",
			    fields[i].option));
	}
	for (i = 0; i < n; i++) {
		if (fields[i].check == CLI_FORM_CONST)
			cli_params_str(p, fields[i].key, fields[i].value);
		else if (fields[i].check != CLI_FORM_FLAG)
			cli_params_str(p, fields[i].key, val[i]);
		else if (val[i] != NULL && !form_flag_before(fields, val, i))
			cli_params_bool(p, fields[i].key, true);
	}
	return (CLI_FORM_GO);
}

/* Did a flag before field i (a spelling of the same) set its key? */
static bool
form_flag_before(const struct cli_form_field *fields, const char **val,
    size_t i)
{
	size_t	j;

	for (j = 0; j < i; j++) {
		if (fields[j].check == CLI_FORM_FLAG && val[j] != NULL &&
		    strcmp(fields[j].key, fields[i].key) == 0)
			return (true);
	}
	return (false);
}

/* The exec of a command that appends one entry: cmd->kind from cmd->form. */
int
cli_form_append(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	struct cli_params	p = { .n = 0 };
	int			rc;

	if ((rc = form_read(cli, cmd, argc, argv, cmd->form, &p)) !=
	    CLI_FORM_GO)
		return (rc);
	return (cli_append(cli, cmd->kind, &p));
}
