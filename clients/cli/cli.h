/*
 * cli.h: what the files of the attune command share: the invocation
 * context, the command table entry, the exit codes, the helpers of cli.c
 * (options, argument checks, the one RPC call each command makes) and the
 * do_* handlers of the cmd-*.c files. Method names are never spelled here:
 * commands name methods by enum rpc_method.
 */
#ifndef ATTUNE_CLI_H
#define ATTUNE_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <msgpack.h>

#include "client.h"
#include "output.h"
#include "proto.h"

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_ERROR = 1,		/* attuned answered an error */
	CLI_EXIT_USAGE = 2,		/* bad command line */
	CLI_EXIT_UNREACHABLE = 3,	/* no daemon at the socket */
};

/* Long-only options every command takes besides its own. */
#define CLI_OPT_JSON	0x100
#define CLI_OPTS_COMMON							\
	{ "help", no_argument, NULL, 'h' },				\
	{ "json", no_argument, NULL, CLI_OPT_JSON }

#define CLI_MAX_FIELDS	16	/* fields in one request map */
#define CLI_MAX_ITEMS	16	/* items of an array or nested map field */
#define CLI_MAX_WHEN	40	/* longest WHEN text (as in when.c) */

struct cli {
	const char	*socket;	/* --socket PATH, NULL: default */
	bool		 json;		/* --json */
	int64_t		 now_ms;
	struct client	*client;	/* connected on the first call */
};

struct cli_form_field;

struct cli_cmd {
	const char	*name;		/* words, space separated */
	const char	*alias;		/* one word, or NULL */
	const char	*args;		/* usage after the name */
	const char	*help;		/* one line */
	const char	*options;	/* lines for --help, or NULL */
	int		(*exec)(struct cli *, const struct cli_cmd *, int,
			    char **);
	/* exec = cli_form_append: the kind it appends, read from form. */
	const char	*kind;
	const struct cli_form_field *form;
};

enum cli_field_type {
	CLI_FIELD_STR,
	CLI_FIELD_UINT,
	CLI_FIELD_BOOL,
	CLI_FIELD_STRS,		/* array of str: items */
	CLI_FIELD_MAP,		/* map of str to str: keys, items */
};

/* How cli_form_append checks a field's value. */
enum cli_form_check {
	CLI_FORM_TEXT,		/* free text (cli_check_text) */
	CLI_FORM_NAME,		/* a name (cli_check_name) */
	CLI_FORM_WHEN,		/* a time (cli_check_when) */
	CLI_FORM_DATE,		/* YYYY-MM-DD (cli_check_date) */
	CLI_FORM_ID,		/* an entry id or prefix (cli_check_id) */
	CLI_FORM_CHOICE,	/* one of choices */
	CLI_FORM_FLAG,		/* an option without a value: key = true */
	CLI_FORM_CONST,		/* no option, no argument: key = value */
};

/* One option (--option) or positional argument (label) of a command. */
struct cli_form_field {
	const char		*option;	/* NULL: positional */
	const char		*label;		/* positional: "KID" */
	const char		*key;		/* its param; NULL ends */
	enum cli_form_check	 check;
	bool			 required;	/* an option that must be given */
	const char *const	*choices;	/* CLI_FORM_CHOICE, NULL-ended */
	const char		*value;		/* CLI_FORM_CONST */
};

#define CLI_FORM_MAX	12	/* fields of one command */

/* The map of [map] params, built field by field; NULL strs are skipped. */
struct cli_params {
	struct {
		const char		*key;
		enum cli_field_type	 type;
		const char		*s;
		uint64_t		 u;
		bool			 b;
		const char *const	*keys;
		const char *const	*items;
		size_t			 nitems;
	}		 f[CLI_MAX_FIELDS];
	size_t		 n;
};

/* cli.c */
void	cli_usage(const struct cli_cmd *, FILE *);
int	cli_usage_error(const struct cli_cmd *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	cli_getopt(struct cli *, const struct cli_cmd *, int, char **,
	    const struct option *);
int	cli_optend(const struct cli_cmd *, int);
int	cli_nargs(const struct cli_cmd *, int, char **, int, int);
int	cli_optional_kid(const struct cli_cmd *, int, char **, const char **);
int	cli_check_name(const struct cli_cmd *, const char *, const char *);
int	cli_check_text(const struct cli_cmd *, const char *, const char *);
int	cli_check_when(const struct cli *, const struct cli_cmd *,
	    const char *, const char *);
int	cli_check_date(const struct cli_cmd *, const char *, const char *);
int	cli_parse_uint(const struct cli_cmd *, const char *, const char *,
	    uint64_t, uint64_t, uint64_t *);
void	cli_params_str(struct cli_params *, const char *, const char *);
void	cli_params_uint(struct cli_params *, const char *, uint64_t);
void	cli_params_bool(struct cli_params *, const char *, bool);
void	cli_params_strs(struct cli_params *, const char *,
	    const char *const *, size_t);
void	cli_params_map(struct cli_params *, const char *,
	    const char *const *, const char *const *, size_t);
int	cli_connect(struct cli *);
int	cli_call(struct cli *, enum rpc_method, const char *,
	    const struct cli_params *, const msgpack_object **);
int	cli_append(struct cli *, const char *, const struct cli_params *);
int	cli_print_json(const msgpack_object *);
int	cli_table_print(struct output_table *);
const char *cli_text(const msgpack_object *, const char *, char *, size_t);
bool	cli_uint(const msgpack_object *, const char *, uint64_t *);
bool	cli_int(const msgpack_object *, const char *, int64_t *);
void	cli_short(const msgpack_object *, const char *, char *, size_t);
const char *cli_ref(const msgpack_object *, const char *, char *, size_t);
void	cli_refs(const msgpack_object *, const char *, char *, size_t);
void	cli_fit(char *, size_t, const char *, size_t cols);
enum output_color cli_zone_color(const char *);
void	cli_when(const struct cli *, const msgpack_object *, const char *,
	    char *, size_t);
void	cli_heading(const char *, ...) __attribute__((format(printf, 1, 2)));
int	cli_check_id(const struct cli_cmd *, const char *, const char *);

/* form.c */
int	cli_form_append(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-entry.c */
int	do_checkin(struct cli *, const struct cli_cmd *, int, char **);
int	do_one_on_one(struct cli *, const struct cli_cmd *, int, char **);
int	do_repair(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-family.c */
int	do_init(struct cli *, const struct cli_cmd *, int, char **);
int	do_status(struct cli *, const struct cli_cmd *, int, char **);
int	do_verify(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-kid.c */
int	do_kid_add(struct cli *, const struct cli_cmd *, int, char **);
int	do_kids(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-peer.c */
int	do_devices(struct cli *, const struct cli_cmd *, int, char **);
int	do_devices_remove(struct cli *, const struct cli_cmd *, int, char **);
int	do_doctor(struct cli *, const struct cli_cmd *, int, char **);
int	do_invite(struct cli *, const struct cli_cmd *, int, char **);
int	do_join(struct cli *, const struct cli_cmd *, int, char **);
int	do_peers(struct cli *, const struct cli_cmd *, int, char **);
int	do_peers_edit(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-log.c */
int	do_log(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-entry.c */

/* cmd-plan.c: 1:1 plans and 2x10 */
int	do_plan(struct cli *, const struct cli_cmd *, int, char **);
int	do_plan_list(struct cli *, const struct cli_cmd *, int, char **);
int	do_twoxten(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-goal.c: goals, strengths, moments */
int	do_goals(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-view.c: the read views */
int	do_feelings(struct cli *, const struct cli_cmd *, int, char **);
int	do_kid_show(struct cli *, const struct cli_cmd *, int, char **);
int	do_reminders(struct cli *, const struct cli_cmd *, int, char **);
int	do_repairs(struct cli *, const struct cli_cmd *, int, char **);
int	do_today(struct cli *, const struct cli_cmd *, int, char **);
int	do_week(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-fix.c: corrections */
int	do_amend(struct cli *, const struct cli_cmd *, int, char **);
int	do_show(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-prompt.c: prompts, settings, completion */
int	do_complete(struct cli *, const struct cli_cmd *, int, char **);
int	do_prompt(struct cli *, const struct cli_cmd *, int, char **);
int	do_set(struct cli *, const struct cli_cmd *, int, char **);

/* cmd-*.c: the fields of the commands cli_form_append runs */
extern const struct cli_form_field cli_form_goal[];
extern const struct cli_form_field cli_form_goal_done[];
extern const struct cli_form_field cli_form_goal_drop[];
extern const struct cli_form_field cli_form_goal_progress[];
extern const struct cli_form_field cli_form_moment[];
extern const struct cli_form_field cli_form_plan_stop[];
extern const struct cli_form_field cli_form_prompt_add[];
extern const struct cli_form_field cli_form_repair_done[];
extern const struct cli_form_field cli_form_retract[];
extern const struct cli_form_field cli_form_strength[];
extern const struct cli_form_field cli_form_twoxten_log[];
extern const struct cli_form_field cli_form_twoxten_start[];

/* main.c */
const struct cli_cmd *cli_commands(size_t *);

#endif
