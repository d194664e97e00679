/*
 * cmd-fix.c: corrections. "amend ID --field value..." and "retract ID
 * --reason TEXT" append a new entry naming the old one (nothing is edited
 * in place); "show ID" prints an entry as it stands, what was first
 * written where it differs, and its history. Which fields an entry has
 * and what values they take is attuned's to check.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mp.h"
#include "output.h"

#define FIX_VALUE_COLS	56

/* The commands that append one entry from their options and arguments
 * (cli_form_append): their fields. */
const struct cli_form_field cli_form_retract[] = {
	{ NULL, "ID", "target", CLI_FORM_ID },
	{ "reason", NULL, "reason", CLI_FORM_TEXT, true },
	{ NULL }
};

static int	fix_amend_args(const struct cli_cmd *, int, char **,
		    const char **, char [][PROTO_MAX_NAME + 1],
		    const char **, size_t *, bool *);
static void	fix_value(const struct cli *, const char *,
		    const msgpack_object *, char *, size_t);
static void	fix_fields(const struct cli *, struct output_table *,
		    const msgpack_object *, const msgpack_object *);
static int	fix_show(const struct cli *, const msgpack_object *);

/*
 * The arguments of amend: one ID and --name value (or --name=value)
 * pairs; names take '_' for '-'. Return 0, 'h' for help, or an exit code.
 */
static int
fix_amend_args(const struct cli_cmd *cmd, int argc, char **argv,
    const char **id, char names[][PROTO_MAX_NAME + 1], const char **vals,
    size_t *n, bool *json)
{
	const char	*a, *eq;
	size_t		 len, k;
	int		 i;

	*id = NULL;
	*n = 0;
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--json") == 0) {
			*json = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return ('h');
		if (strncmp(a, "--", 2) != 0) {
			if (*id != NULL)
				return (cli_usage_error(cmd, "unexpected "
				    "argument: %s", a));
			*id = a;
			continue;
		}
		a += 2;
		len = (eq = strchr(a, '=')) != NULL ? (size_t)(eq - a) :
		    strlen(a);
		if (len == 0 || len > PROTO_MAX_NAME)
			return (cli_usage_error(cmd, "not a field: %s",
			    argv[i]));
		if (*n == CLI_MAX_ITEMS)
			return (cli_usage_error(cmd, "at most %d fields at "
			    "once", CLI_MAX_ITEMS));
		for (k = 0; k < len; k++)
			names[*n][k] = a[k] == '-' ? '_' : a[k];
		names[*n][len] = '\0';
		if (eq != NULL)
			vals[*n] = eq + 1;
		else if (i + 1 < argc)
			vals[*n] = argv[++i];
		else
			return (cli_usage_error(cmd, "--%s needs a value",
			    names[*n]));
		if (strlen(vals[*n]) > PROTO_MAX_TEXT)
			return (cli_usage_error(cmd, "--%s is longer than %d "
			    "bytes", names[*n], PROTO_MAX_TEXT));
		(*n)++;
	}
	if (*id == NULL)
		return (cli_usage_error(cmd, "missing ID"));
	if (*n == 0)
		return (cli_usage_error(cmd, "nothing to change: give "
		    "--FIELD VALUE"));
	return (0);
}

int
do_amend(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static char	 names[CLI_MAX_ITEMS][PROTO_MAX_NAME + 1];
	const char	*vals[CLI_MAX_ITEMS], *keys[CLI_MAX_ITEMS];
	const char	*id;
	struct cli_params p = { .n = 0 };
	size_t		 n, i;
	int		 rc;

	rc = fix_amend_args(cmd, argc, argv, &id, names, vals, &n,
	    &cli->json);
	if (rc == 'h')
		return (cli_optend(cmd, 'h'));
	if (rc != 0 || (rc = cli_check_id(cmd, "ID", id)) != 0)
		return (rc);
	for (i = 0; i < n; i++)
		keys[i] = names[i];
	cli_params_str(&p, "target", id);
	cli_params_map(&p, "fields", keys, vals, n);
	return (cli_append(cli, "amend", &p));
}

/* A field's value for people: times as times, arrays joined. */
static void
fix_value(const struct cli *cli, const char *key, const msgpack_object *o,
    char *buf, size_t size)
{
	char		 item[PROTO_MAX_TEXT + 1], key2[PROTO_MAX_NAME + 1];
	size_t		 used = 0;
	uint32_t	 i;
	int		 n;
	int64_t		 ms;

	if (o->type == MSGPACK_OBJECT_ARRAY) {
		snprintf(buf, size, "-");
		for (i = 0; i < o->via.array.size; i++) {
			const msgpack_object *it = &o->via.array.ptr[i];

			if (it->type == MSGPACK_OBJECT_STR)
				snprintf(item, sizeof(item), "%.*s",
				    (int)it->via.str.size, it->via.str.ptr);
			else if (it->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
				snprintf(item, sizeof(item), "%" PRIu64,
				    it->via.u64);
			else
				snprintf(item, sizeof(item), "?");
			n = snprintf(buf + used, size - used, "%s%s",
			    used ? ", " : "", item);
			if (n < 0 || (size_t)n >= size - used)
				break;
			used += (size_t)n;
		}
		return;
	}
	if (o->type == MSGPACK_OBJECT_MAP) {
		snprintf(buf, size, "-");
		for (i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];

			if (kv->key.type != MSGPACK_OBJECT_STR ||
			    kv->key.via.str.size > PROTO_MAX_NAME ||
			    kv->val.type == MSGPACK_OBJECT_MAP)
				continue;
			snprintf(key2, sizeof(key2), "%.*s",
			    (int)kv->key.via.str.size, kv->key.via.str.ptr);
			fix_value(cli, key2, &kv->val, item, sizeof(item));
			n = snprintf(buf + used, size - used, "%s%s: %s",
			    used ? ", " : "", key2, item);
			if (n < 0 || (size_t)n >= size - used)
				break;
			used += (size_t)n;
		}
		return;
	}
	if (o->type == MSGPACK_OBJECT_STR && o->via.str.size == 64) {
		snprintf(buf, size, "%.12s", o->via.str.ptr);
		return;
	}
	if (strcmp(key, "at") == 0 && mp_as_int(o, &ms) == 0) {
		output_time(buf, size, ms, cli->now_ms);
		return;
	}
	{
		msgpack_object_kv	kv;
		msgpack_object		map;

		kv.key.type = MSGPACK_OBJECT_STR;
		kv.key.via.str.ptr = "v";
		kv.key.via.str.size = 1;
		kv.val = *o;
		map.type = MSGPACK_OBJECT_MAP;
		map.via.map.size = 1;
		map.via.map.ptr = &kv;
		if (cli_text(&map, "v", buf, size) == NULL)
			snprintf(buf, size, "-");
	}
}

/* "  key  value (was old)" for each field but the *_id companions. */
static void
fix_fields(const struct cli *cli, struct output_table *t,
    const msgpack_object *f, const msgpack_object *orig)
{
	const msgpack_object_kv	*kv;
	const msgpack_object	*was;
	char			 key[PROTO_MAX_NAME + 1];
	char			 val[2 * PROTO_MAX_TEXT + 16];
	char			 old[PROTO_MAX_TEXT + 1];
	char			 fit[FIX_VALUE_COLS * 4];
	uint32_t		 i;

	for (i = 0; f != NULL && f->type == MSGPACK_OBJECT_MAP &&
	    i < f->via.map.size; i++) {
		kv = &f->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR ||
		    kv->key.via.str.size > PROTO_MAX_NAME)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)kv->key.via.str.size,
		    kv->key.via.str.ptr);
		if (strlen(key) > 3 && strcmp(key + strlen(key) - 3,
		    "_id") == 0)
			continue;
		fix_value(cli, key, &kv->val, val, PROTO_MAX_TEXT + 1);
		if (orig != NULL && (was = mp_map_get(orig, key)) != NULL) {
			fix_value(cli, key, was, old, sizeof(old));
			if (strcmp(old, val) != 0) {
				size_t l = strlen(val);

				snprintf(val + l, sizeof(val) - l,
				    " (was %s)", old);
			}
		}
		cli_fit(fit, sizeof(fit), val, FIX_VALUE_COLS);
		output_table_row(t);
		output_table_cell(t, OUTPUT_DIM, "  %s", key);
		output_table_cell(t, OUTPUT_PLAIN, "%s", fit);
	}
}

static int
fix_show(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*e = mp_map_get(res, "entry"), *h, *r;
	struct output_table	*t;
	char			 kind[PROTO_MAX_NAME + 1];
	char			 id[OUTPUT_SHORT_ID + 1];
	char			 who[PROTO_MAX_NAME + 1], when[OUTPUT_TIME_MAX];
	char			 reason[PROTO_MAX_TEXT + 1];
	uint64_t		 amended = 0;
	uint32_t		 i;

	if (e == NULL || e->type != MSGPACK_OBJECT_MAP)
		return (CLI_EXIT_ERROR);
	if (cli_text(e, "kind", kind, sizeof(kind)) == NULL)
		snprintf(kind, sizeof(kind), "?");
	cli_short(e, "id", id, sizeof(id));
	if (cli_text(e, "author_name", who, sizeof(who)) == NULL)
		snprintf(who, sizeof(who), "?");
	cli_when(cli, e, "ts", when, sizeof(when));
	cli_heading("%s %s by %s, %s", kind, id, who, when);
	(void)cli_uint(e, "amended", &amended);
	r = mp_map_get(e, "retracted");
	if (r != NULL && r->type == MSGPACK_OBJECT_MAP) {
		if (cli_text(r, "reason", reason, sizeof(reason)) == NULL)
			snprintf(reason, sizeof(reason), "-");
		printf("%sretracted: %s%s\n", output_sgr(OUTPUT_RED), reason,
		    output_sgr_end(OUTPUT_RED));
	}
	if (amended > 0)
		printf("amended %" PRIu64 " time%s; (was ...) shows what was "
		    "first written\n", amended, amended == 1 ? "" : "s");
	if ((t = output_table_create(2)) == NULL)
		return (cli_table_print(t));
	fix_fields(cli, t, mp_map_get(e, "fields"), amended > 0 ?
	    mp_map_get(res, "original") : NULL);
	if (cli_table_print(t) != CLI_EXIT_OK)
		return (CLI_EXIT_ERROR);
	h = mp_map_get(res, "history");
	if (h == NULL || h->type != MSGPACK_OBJECT_ARRAY ||
	    h->via.array.size == 0)
		return (CLI_EXIT_OK);
	cli_heading("History");
	for (i = 0; i < h->via.array.size; i++) {
		e = &h->via.array.ptr[i];
		if (cli_text(e, "kind", kind, sizeof(kind)) == NULL)
			snprintf(kind, sizeof(kind), "?");
		cli_short(e, "id", id, sizeof(id));
		if (cli_text(e, "author_name", who, sizeof(who)) == NULL)
			snprintf(who, sizeof(who), "?");
		cli_when(cli, e, "ts", when, sizeof(when));
		printf("  %s  %s  %s %s\n", when, who, kind, id);
		if ((t = output_table_create(2)) == NULL)
			return (cli_table_print(t));
		fix_fields(cli, t, mp_map_get(e, "fields"), NULL);
		if (cli_table_print(t) != CLI_EXIT_OK)
			return (CLI_EXIT_ERROR);
	}
	return (CLI_EXIT_OK);
}

int
do_show(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	const char			*id;
	int				 ch, rc;

	if ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1, 1)) != 0 ||
	    (rc = cli_check_id(cmd, "ID", id = argv[optind])) != 0)
		return (rc);
	cli_params_str(&p, "id", id);
	if ((rc = cli_call(cli, RPC_M_ENTRY, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	return (fix_show(cli, res));
}
