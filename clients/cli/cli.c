/*
 * cli.c: the helpers every attune command uses: per-command option
 * parsing and usage errors, argument checks made before the daemon is
 * contacted, packing the params map, and the one call to attuned with its
 * mapping of failures to exit codes and messages. Output of results is the
 * commands' business (cmd-*.c); this file prints only errors and JSON.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "mp.h"
#include "output.h"
#include "words.h"
#include "when.h"

static void	cli_pack(msgpack_sbuffer *, const char *,
		    const struct cli_params *);
static void	cli_error(const char *, int);
static bool	cli_ambiguous(const struct option *, const char *);

/*
 * Print "usage: attune NAME ARGS" to f, wrapped before 80 columns at
 * word or [group] boundaries, continuation lines aligned after the name.
 */
void
cli_usage(const struct cli_cmd *cmd, FILE *f)
{
	const char	*p = cmd->args, *end;
	size_t		 col, indent, len;
	int		 n;

	if ((n = fprintf(f, "usage: attune %s", cmd->name)) < 0)
		return;
	col = indent = (size_t)n;
	while (*(p += strspn(p, " ")) != '\0') {
		if (*p == '[' && (end = strchr(p, ']')) != NULL)
			end++;
		else
			end = p + strcspn(p, " ");
		len = (size_t)(end - p);
		if (col + 1 + len > 79 && col > indent) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		}
		fprintf(f, " %.*s", (int)len, p);
		col += 1 + len;
		p = end;
	}
	fputc('\n', f);
}

/*
 * Print "attune: NAME: message" and the usage line on stderr.
 * Return CLI_EXIT_USAGE, for the handler to return in turn.
 */
int
cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "attune: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage(cmd, stderr);
	return (CLI_EXIT_USAGE);
}

/* Does "--pre[=value]" start the names of options that differ? */
static bool
cli_ambiguous(const struct option *opts, const char *arg)
{
	const struct option	*first = NULL;
	size_t			 len, i;

	if (strncmp(arg, "--", 2) != 0)
		return (false);
	arg += 2;
	if ((len = strcspn(arg, "=")) == 0)
		return (false);
	for (i = 0; opts[i].name != NULL; i++) {
		if (strncmp(opts[i].name, arg, len) != 0)
			continue;
		if (first == NULL)
			first = &opts[i];
		else if (opts[i].val != first->val)
			return (true);
	}
	return (false);
}

/*
 * getopt_long over a command's arguments (argv[0] is the command's last
 * word), with opts ending in CLI_OPTS_COMMON and a zero entry. Options may
 * follow positional arguments. Absorbs --json; reports a bad option on
 * stderr. Return the option's val, -1 at the end, 'h' for help, or '?'
 * for an error: pass 'h' and '?' to cli_optend.
 */
int
cli_getopt(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    const struct option *opts)
{
	int	ch;

	opterr = 0;
	for (;;) {
		ch = getopt_long(argc, argv, ":h", opts, NULL);
		if (ch == CLI_OPT_JSON) {
			cli->json = true;
			continue;
		}
		if (ch == '?' && optopt != 0 && optopt < 0x100)
			fprintf(stderr, "attune: %s: unknown option: -%c\n",
			    cmd->name, optopt);
		else if (ch == '?')
			fprintf(stderr, "attune: %s: %s option: %s\n",
			    cmd->name, cli_ambiguous(opts, argv[optind - 1]) ?
			    "ambiguous" : "unknown", argv[optind - 1]);
		else if (ch == ':') {
			fprintf(stderr, "attune: %s: option %s needs a value\n",
			    cmd->name, argv[optind - 1]);
			ch = '?';
		}
		return (ch);
	}
}

/*
 * The end of a handler's option loop for anything it does not take:
 * print the command's help on stdout for 'h' (return CLI_EXIT_OK), or
 * its usage on stderr (return CLI_EXIT_USAGE).
 */
int
cli_optend(const struct cli_cmd *cmd, int ch)
{
	if (ch != 'h') {
		cli_usage(cmd, stderr);
		return (CLI_EXIT_USAGE);
	}
	cli_usage(cmd, stdout);
	printf("\n%s.\n", cmd->help);
	if (cmd->alias != NULL)
		printf("\nalias: attune %s%s\n", cmd->alias,
		    strchr(cmd->name, ' ') != NULL ? strchr(cmd->name, ' ') :
		    "");
	printf("\noptions:\n%s", cmd->options != NULL ? cmd->options : "");
	printf("  --json              print the result as JSON\n"
	    "  -h, --help          show this help\n");
	return (CLI_EXIT_OK);
}

/*
 * Check the number of positional arguments (argc, argv after options).
 * A missing one is named from the usage: the leading words of cmd->args.
 */
int
cli_nargs(const struct cli_cmd *cmd, int argc, char **argv, int min,
    int max)
{
	const char	*p = cmd->args;
	size_t		 len;
	int		 i;

	if (argc > max)
		return (cli_usage_error(cmd, "unexpected argument: %s",
		    argv[max]));
	if (argc >= min)
		return (0);
	for (i = 0; i < argc && *p != '\0'; i++) {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	len = strcspn(p, " ");
	if (len == 0 || *p == '[' || *p == '-')
		return (cli_usage_error(cmd, "missing argument"));
	return (cli_usage_error(cmd, "missing %.*s", (int)len, p));
}

/*
 * The positional arguments of a command that takes at most one KID (a
 * filter): *kid is it, or NULL without one. Return 0 or the exit code.
 */
int
cli_optional_kid(const struct cli_cmd *cmd, int argc, char **argv,
    const char **kid)
{
	int	rc;

	*kid = NULL;
	if ((rc = cli_nargs(cmd, argc, argv, 0, 1)) != 0)
		return (rc);
	if (argc == 1 && (rc = cli_check_name(cmd, "KID", argv[0])) != 0)
		return (rc);
	*kid = argc == 1 ? argv[0] : NULL;
	return (0);
}

/* A name (kid, parent, family, feeling): 1 to PROTO_MAX_NAME bytes. */
int
cli_check_name(const struct cli_cmd *cmd, const char *what, const char *s)
{
	if (*s == '\0')
		return (cli_usage_error(cmd, "%s is empty", what));
	if (strlen(s) > PROTO_MAX_NAME)
		return (cli_usage_error(cmd, "%s is longer than %d bytes",
		    what, PROTO_MAX_NAME));
	return (0);
}

/* Free text (note, activity, what): 1 to PROTO_MAX_TEXT bytes. */
int
cli_check_text(const struct cli_cmd *cmd, const char *what, const char *s)
{
	if (*s == '\0')
		return (cli_usage_error(cmd, "%s is empty", what));
	if (strlen(s) > PROTO_MAX_TEXT)
		return (cli_usage_error(cmd, "%s is longer than %d bytes",
		    what, PROTO_MAX_TEXT));
	return (0);
}

/*
 * A WHEN the daemon will parse: checked here with the same parser so that
 * a typo is a usage error. The text, not the time, is sent: attuned
 * resolves it.
 */
int
cli_check_when(const struct cli *cli, const struct cli_cmd *cmd,
    const char *what, const char *s)
{
	int64_t	ms;

	if (strlen(s) > CLI_MAX_WHEN || when_parse(s, cli->now_ms, &ms) < 0)
		return (cli_usage_error(cmd, "%s: not a time: %s (try now, "
		    "today, yesterday, 18:30, 2026-11-21 or 2026-11-21T18:30)",
		    what, s));
	return (0);
}

/*
 * A calendar date, exactly YYYY-MM-DD, that exists. The year's range is
 * attuned's to decide (when_parse would refuse years before 1970).
 */
int
cli_check_date(const struct cli_cmd *cmd, const char *what, const char *s)
{
	static const int	mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			y, m, d;
	size_t			i;

	for (i = 0; i < 10 && s[i] != '\0'; i++) {
		if (i == 4 || i == 7 ? s[i] != '-' :
		    !isdigit((unsigned char)s[i]))
			break;
	}
	if (i != 10 || s[i] != '\0' || sscanf(s, "%4d-%2d-%2d", &y, &m,
	    &d) != 3 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0))))
		return (cli_usage_error(cmd, "%s: not a date (YYYY-MM-DD): "
		    "%s", what, s));
	return (0);
}

/* A decimal integer from min to max. */
int
cli_parse_uint(const struct cli_cmd *cmd, const char *what, const char *s,
    uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long	v;
	size_t			i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]) || i == 19)
			goto bad;
	}
	if (i == 0)
		goto bad;
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno != 0 || v < min || v > max)
		goto bad;
	*out = v;
	return (0);

bad:
	return (cli_usage_error(cmd, "%s must be a whole number from %" PRIu64
	    " to %" PRIu64 ": %s", what, min, max, s));
}

void
cli_params_str(struct cli_params *p, const char *key, const char *val)
{
	assert(p->n < CLI_MAX_FIELDS);
	if (val == NULL)
		return;
	p->f[p->n].key = key;
	p->f[p->n].type = CLI_FIELD_STR;
	p->f[p->n++].s = val;
}

void
cli_params_uint(struct cli_params *p, const char *key, uint64_t val)
{
	assert(p->n < CLI_MAX_FIELDS);
	p->f[p->n].key = key;
	p->f[p->n].type = CLI_FIELD_UINT;
	p->f[p->n++].u = val;
}

void
cli_params_bool(struct cli_params *p, const char *key, bool val)
{
	assert(p->n < CLI_MAX_FIELDS);
	p->f[p->n].key = key;
	p->f[p->n].type = CLI_FIELD_BOOL;
	p->f[p->n++].b = val;
}

void
cli_params_strs(struct cli_params *p, const char *key,
    const char *const *items, size_t n)
{
	assert(p->n < CLI_MAX_FIELDS && n <= CLI_MAX_ITEMS);
	if (n == 0)
		return;
	p->f[p->n].key = key;
	p->f[p->n].type = CLI_FIELD_STRS;
	p->f[p->n].items = items;
	p->f[p->n++].nitems = n;
}

void
cli_params_map(struct cli_params *p, const char *key,
    const char *const *keys, const char *const *items, size_t n)
{
	assert(p->n < CLI_MAX_FIELDS && n <= CLI_MAX_ITEMS);
	p->f[p->n].key = key;
	p->f[p->n].type = CLI_FIELD_MAP;
	p->f[p->n].keys = keys;
	p->f[p->n].items = items;
	p->f[p->n++].nitems = n;
}

/* Pack the params: [] with no fields, else [{t: kind?, fields...}]. */
static void
cli_pack(msgpack_sbuffer *sb, const char *kind, const struct cli_params *p)
{
	msgpack_packer	pk;
	size_t		n = (p != NULL ? p->n : 0) + (kind != NULL), i, j;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	if (n == 0) {
		msgpack_pack_array(&pk, 0);
		return;
	}
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, n);
	if (kind != NULL)
		mp_pack_kv_str(&pk, "t", kind);
	for (i = 0; p != NULL && i < p->n; i++) {
		switch (p->f[i].type) {
		case CLI_FIELD_STR:
			mp_pack_kv_str(&pk, p->f[i].key, p->f[i].s);
			break;
		case CLI_FIELD_UINT:
			mp_pack_kv_uint(&pk, p->f[i].key, p->f[i].u);
			break;
		case CLI_FIELD_BOOL:
			mp_pack_kv_bool(&pk, p->f[i].key, p->f[i].b);
			break;
		case CLI_FIELD_STRS:
			mp_pack_cstr(&pk, p->f[i].key);
			msgpack_pack_array(&pk, (uint32_t)p->f[i].nitems);
			for (j = 0; j < p->f[i].nitems; j++)
				mp_pack_cstr(&pk, p->f[i].items[j]);
			break;
		case CLI_FIELD_MAP:
			mp_pack_cstr(&pk, p->f[i].key);
			msgpack_pack_map(&pk, (uint32_t)p->f[i].nitems);
			for (j = 0; j < p->f[i].nitems; j++)
				mp_pack_kv_str(&pk, p->f[i].keys[j],
				    p->f[i].items[j]);
			break;
		}
	}
}

/* Print "attune: cause", scrubbed; cause may be NULL after an OOM. */
static void
cli_error(const char *cause, int rc)
{
	char	buf[CLIENT_MAX_CAUSE + 64];

	if (cause == NULL)
		cause = rc == -ENOMEM ? "out of memory" : proto_strerror(rc);
	output_clean(buf, sizeof(buf), cause, strlen(cause));
	fprintf(stderr, "attune: %s\n", buf);
}

/* Connect on first use. Return 0, CLI_EXIT_UNREACHABLE or CLI_EXIT_ERROR. */
int
cli_connect(struct cli *cli)
{
	char	*cause = NULL;
	int	 rc;

	if (cli->client != NULL)
		return (0);
	if ((rc = client_connect(cli->socket, &cli->client, &cause)) == 0)
		return (0);
	cli_error(cause, rc);
	free(cause);
	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		/* The daemon reads ATTUNE_SOCKET too, but not our --socket. */
		if (cli->socket != NULL)
			fprintf(stderr, "hint: start it with: attuned --socket "
			    "%s  (or add --foreground)\n", cli->socket);
		else
			fprintf(stderr, "hint: start it with: attuned  "
			    "(or: attuned --foreground)\n");
		return (CLI_EXIT_UNREACHABLE);
	}
	return (CLI_EXIT_ERROR);
}

/*
 * Make the command's one call: method with params (and "t": kind when
 * kind is not NULL). Return CLI_EXIT_OK with *result set (valid until the
 * next call), or the exit code after printing the error.
 */
int
cli_call(struct cli *cli, enum rpc_method m, const char *kind,
    const struct cli_params *p, const msgpack_object **result)
{
	msgpack_sbuffer	 sb;
	char		*cause = NULL;
	int		 rc;

	if ((rc = cli_connect(cli)) != 0)
		return (rc);
	msgpack_sbuffer_init(&sb);
	cli_pack(&sb, kind, p);
	rc = client_call(cli->client, m, sb.data, sb.size, result, &cause);
	msgpack_sbuffer_destroy(&sb);
	if (rc == 0)
		return (CLI_EXIT_OK);
	cli_error(cause, rc);
	free(cause);
	return (CLI_EXIT_ERROR);
}

/* Append an entry of kind; print "Logged KIND ID" or the JSON result. */
int
cli_append(struct cli *cli, const char *kind, const struct cli_params *p)
{
	const msgpack_object	*res;
	char			 id[OUTPUT_SHORT_ID + 1];
	int			 rc;

	if ((rc = cli_call(cli, RPC_M_APPEND, kind, p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	cli_short(res, "id", id, sizeof(id));
	printf("Logged %s %s\n", kind, id);
	return (CLI_EXIT_OK);
}

/*
 * Print o as JSON on stdout. Return CLI_EXIT_OK or CLI_EXIT_ERROR; main
 * reports a failed stdout once, at exit.
 */
int
cli_print_json(const msgpack_object *o)
{
	return (json_print(stdout, o) < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK);
}

/*
 * Print t on stdout and destroy it. Return CLI_EXIT_OK, or CLI_EXIT_ERROR
 * after saying why.
 */
int
cli_table_print(struct output_table *t)
{
	int	rc;

	if (t == NULL) {
		fprintf(stderr, "attune: out of memory\n");
		return (CLI_EXIT_ERROR);
	}
	rc = output_table_print(t, stdout);
	output_table_destroy(t);
	if (rc == 0)
		return (CLI_EXIT_OK);
	if (!ferror(stdout))	/* else main reports it */
		fprintf(stderr, "attune: %s\n", rc == -E2BIG ?
		    "too many rows" : strerror(-rc));
	return (CLI_EXIT_ERROR);
}

/*
 * The scalar at key in map as text in buf (not scrubbed: output_table
 * does that), or NULL when it is absent or nil.
 */
const char *
cli_text(const msgpack_object *map, const char *key, char *buf, size_t size)
{
	return (words_scalar(map, key, buf, size));
}

/* The unsigned integer at key; false when absent or of another type. */
bool
cli_uint(const msgpack_object *map, const char *key, uint64_t *v)
{
	return (mp_get_uint(map, key, v) == MP_FOUND);
}

/* Any integer at key that fits int64_t. */
bool
cli_int(const msgpack_object *map, const char *key, int64_t *v)
{
	return (mp_get_int(map, key, v) == MP_FOUND);
}

/* The short form of the hex id at key, scrubbed; "-" when absent. */
void
cli_short(const msgpack_object *map, const char *key, char *buf,
    size_t size)
{
	words_short(map, key, buf, size);
}

/*
 * The name of the ref ({id, name}) at key in map, or NULL when it is
 * absent or nil.
 */
const char *
cli_ref(const msgpack_object *map, const char *key, char *buf, size_t size)
{
	const msgpack_object	*o = mp_map_get(map, key);

	if (o == NULL || o->type != MSGPACK_OBJECT_MAP)
		return (NULL);
	return (cli_text(o, "name", buf, size));
}

/* The names of an array of refs at key, ", " between, or "-". */
void
cli_refs(const msgpack_object *map, const char *key, char *buf, size_t size)
{
	const msgpack_object	*o = mp_map_get(map, key);
	char			 name[PROTO_MAX_NAME + 1];
	size_t			 used = 0;
	uint32_t		 i;
	int			 n;

	snprintf(buf, size, "-");
	if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY)
		return;
	for (i = 0; i < o->via.array.size; i++) {
		if (cli_text(&o->via.array.ptr[i], "name", name,
		    sizeof(name)) == NULL)
			continue;
		n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
		    name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

/*
 * Copy src to dst scrubbed and cut to at most cols terminal columns, the
 * cut marked with an ellipsis. For free text in a table's last column.
 */
void
cli_fit(char *dst, size_t size, const char *src, size_t cols)
{
	const char	*ell = strcmp(output_dash(), "-") == 0 ? "..." :
			    "\xe2\x80\xa6";
	size_t		 len, w;

	output_clean(dst, size, src, strlen(src));
	if (cols < 4 || output_width(dst) <= cols)
		return;
	len = strlen(dst);
	while (len > 0) {
		/* Back to the start of a character. */
		do {
			len--;
		} while (len > 0 && ((unsigned char)dst[len] & 0xc0) == 0x80);
		dst[len] = '\0';
		w = output_width(dst) + (strlen(ell) == 3 &&
		    ell[0] == '.' ? 3 : 1);
		if (w <= cols)
			break;
	}
	if (len + strlen(ell) < size)
		memcpy(dst + len, ell, strlen(ell) + 1);
}

/* The colour of a Mood Meter zone. */
enum output_color
cli_zone_color(const char *zone)
{
	if (zone == NULL)
		return (OUTPUT_DIM);
	if (strcmp(zone, "red") == 0)
		return (OUTPUT_RED);
	if (strcmp(zone, "yellow") == 0)
		return (OUTPUT_YELLOW);
	if (strcmp(zone, "green") == 0)
		return (OUTPUT_GREEN);
	if (strcmp(zone, "blue") == 0)
		return (OUTPUT_BLUE);
	return (OUTPUT_DIM);
}

/* The time (ms) at key as output_time says it, or "-". */
void
cli_when(const struct cli *cli, const msgpack_object *map, const char *key,
    char *buf, size_t size)
{
	int64_t	ms;

	if (cli_int(map, key, &ms))
		output_time(buf, size, ms, cli->now_ms);
	else
		snprintf(buf, size, "-");
}

/* A section heading, bold on a terminal. */
void
cli_heading(const char *fmt, ...)
{
	char	buf[256], clean[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	output_clean(clean, sizeof(clean), buf, strlen(buf));
	printf("%s%s%s\n", output_sgr(OUTPUT_BOLD), clean,
	    output_sgr_end(OUTPUT_BOLD));
}

/* An entry id as attune log shows it: 4 to 64 hex digits. */
int
cli_check_id(const struct cli_cmd *cmd, const char *what, const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!isxdigit((unsigned char)s[i]))
			break;
	}
	if (s[i] != '\0' || i < 4 || i > 64)
		return (cli_usage_error(cmd, "%s: not an entry id (4 to 64 "
		    "hex digits, as attune log shows them): %s", what, s));
	return (0);
}
