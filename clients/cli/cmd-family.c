/*
 * cmd-family.c: the commands about the family and this device as a whole:
 * init, status and verify. Each makes one call and shows its result; what
 * the numbers mean is attuned's business.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mp.h"
#include "output.h"

static int	status_print(const msgpack_object *);
static void	status_peers(const msgpack_object *, char *, size_t);
static void	status_row(struct output_table *, const char *,
		    const char *);
static void	status_verified(const msgpack_object *, char *, size_t);
static uint64_t	verify_count(const msgpack_object *, uint32_t *);
static int	verify_print(const msgpack_object *);

int
do_init(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "family", required_argument, NULL, 'f' },
		{ "name", required_argument, NULL, 'n' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	const char			*name = NULL, *family = NULL;
	char				 fam[PROTO_MAX_NAME + 16];
	char				 cname[PROTO_MAX_NAME + 1];
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'f':
			family = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	if (name == NULL)
		return (cli_usage_error(cmd, "--name is required"));
	if ((rc = cli_check_name(cmd, "--name", name)) != 0 ||
	    (family != NULL &&
	    (rc = cli_check_name(cmd, "--family", family)) != 0))
		return (rc);
	cli_params_str(&p, "name", name);
	cli_params_str(&p, "family", family);
	if ((rc = cli_call(cli, RPC_M_INIT, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	/* The result has no name: it is the one we sent, or the default. */
	output_clean(cname, sizeof(cname), name, strlen(name));
	if (family != NULL)
		output_clean(fam, sizeof(fam), family, strlen(family));
	else
		snprintf(fam, sizeof(fam), "%s's family", cname);
	printf("Created family %s on this device (you are %s)\n", fam, cname);
	return (CLI_EXIT_OK);
}

static void
status_row(struct output_table *t, const char *key, const char *val)
{
	output_table_row(t);
	output_table_cell(t, OUTPUT_BOLD, "%s:", key);
	output_table_cell(t, OUTPUT_PLAIN, "%s", val != NULL ? val : "-");
}

/* "ok, 12 entries checked", "bad: 2 of 12 entries failed", "pending". */
static void
status_verified(const msgpack_object *v, char *buf, size_t size)
{
	char		state[16];
	uint64_t	checked = 0, bad = 0;

	if (cli_text(v, "state", state, sizeof(state)) == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	(void)cli_uint(v, "checked", &checked);
	(void)cli_uint(v, "bad", &bad);
	if (strcmp(state, "bad") == 0)
		snprintf(buf, size, "bad: %" PRIu64 " of %" PRIu64 " entries "
		    "failed (see: attune verify)", bad, checked);
	else if (strcmp(state, "ok") == 0)
		snprintf(buf, size, "ok, %" PRIu64 " entries checked",
		    checked);
	else
		snprintf(buf, size, "%s, %" PRIu64 " entries checked so far",
		    state, checked);
}

/* "2 connected, 1 unreachable (port 47475)" from the peers map. */
static void
status_peers(const msgpack_object *p, char *buf, size_t size)
{
	const msgpack_object	*l;
	char			 state[24];
	uint64_t		 port = 0;
	unsigned		 conn = 0, other = 0;
	uint32_t		 i;

	if (p == NULL || p->type != MSGPACK_OBJECT_MAP) {
		snprintf(buf, size, "-");
		return;
	}
	(void)cli_uint(p, "port", &port);
	l = mp_map_get(p, "targets");
	for (i = 0; l != NULL && l->type == MSGPACK_OBJECT_ARRAY &&
	    i < l->via.array.size; i++) {
		if (cli_text(&l->via.array.ptr[i], "state", state,
		    sizeof(state)) != NULL && (strcmp(state, "connected") == 0 ||
		    strcmp(state, "syncing") == 0))
			conn++;
		else
			other++;
	}
	l = mp_map_get(p, "sessions");
	if (conn == 0 && l != NULL && l->type == MSGPACK_OBJECT_ARRAY)
		conn = l->via.array.size;
	if (port == 0)
		snprintf(buf, size, "%u connected, %u not (not listening)",
		    conn, other);
	else
		snprintf(buf, size, "%u connected, %u not (port %" PRIu64 ")",
		    conn, other, port);
}

/* The status map as aligned "key: value" lines. */
static int
status_print(const msgpack_object *res)
{
	struct output_table	*t;
	char			 buf[PROTO_MAX_TEXT + 1];
	char			 id[OUTPUT_SHORT_ID + 1];
	uint64_t		 proto, skipped;
	int			 rc;

	if ((t = output_table_create(2)) == NULL)
		return (cli_table_print(t));
	status_row(t, "version", cli_text(res, "version", buf, sizeof(buf)));
	status_row(t, "protocol", cli_text(res, "proto", buf, sizeof(buf)));
	if (cli_text(res, "family", buf, sizeof(buf)) == NULL)
		snprintf(buf, sizeof(buf), "none yet (run: attune init)");
	status_row(t, "family", buf);
	status_row(t, "family id", cli_text(res, "family_id", buf,
	    sizeof(buf)));
	cli_short(res, "device", id, sizeof(id));
	status_row(t, "this device", id);
	status_row(t, "you", cli_text(res, "member", buf, sizeof(buf)));
	status_row(t, "entries", cli_text(res, "entries", buf, sizeof(buf)));
	if (cli_uint(res, "skipped", &skipped) && skipped > 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64, skipped);
		status_row(t, "skipped", buf);
	}
	status_row(t, "authors", cli_text(res, "authors", buf, sizeof(buf)));
	if (cli_uint(res, "forks", &skipped) && skipped > 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64 " (a device signed two "
		    "entries for one place: see attune verify)", skipped);
		status_row(t, "forks", buf);
	}
	status_peers(mp_map_get(res, "peers"), buf, sizeof(buf));
	status_row(t, "peers", buf);
	status_row(t, "socket", cli_text(res, "socket", buf, sizeof(buf)));
	status_row(t, "data dir", cli_text(res, "data_dir", buf, sizeof(buf)));
	status_verified(mp_map_get(res, "verified"), buf, sizeof(buf));
	status_row(t, "verified", buf);
	rc = cli_table_print(t);
	if (cli_uint(res, "proto", &proto) && proto != PROTO_VERSION)
		fprintf(stderr, "attune: warning: attuned speaks protocol %"
		    PRIu64 ", this attune speaks %d\n", proto, PROTO_VERSION);
	return (rc);
}

int
do_status(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	const msgpack_object		*res;
	int				 ch, rc;

	if ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	if ((rc = cli_call(cli, RPC_M_STATUS, NULL, NULL, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	return (status_print(res));
}

/*
 * How many problems verify found: "problems_total" when attuned sends it
 * (the list may be cut short), else the length of "problems".
 */
static uint64_t
verify_count(const msgpack_object *res, uint32_t *listed)
{
	const msgpack_object	*probs = mp_map_get(res, "problems");
	uint64_t		 total;

	*listed = probs != NULL && probs->type == MSGPACK_OBJECT_ARRAY ?
	    probs->via.array.size : 0;
	if (!cli_uint(res, "problems_total", &total) || total < *listed)
		total = *listed;
	return (total);
}

/*
 * "N entries checked, all intact", or one line per problem. Return
 * CLI_EXIT_OK only when there is none.
 */
static int
verify_print(const msgpack_object *res)
{
	const msgpack_object	*probs = mp_map_get(res, "problems"), *pr;
	struct output_table	*t;
	char			 id[OUTPUT_SHORT_ID + 1];
	char			 author[OUTPUT_SHORT_ID + 1];
	char			 seq[24], what[PROTO_MAX_TEXT + 1];
	uint64_t		 entries = 0, total;
	uint32_t		 i, n;

	(void)cli_uint(res, "entries", &entries);
	if ((total = verify_count(res, &n)) == 0) {
		printf("%" PRIu64 " entries checked, all intact\n", entries);
		return (CLI_EXIT_OK);
	}
	printf("%" PRIu64 " entries checked, %" PRIu64 " problem%s%s\n",
	    entries, total, total == 1 ? "" : "s", n < total ?
	    " (the first ones):" : ":");
	if ((t = output_table_create(4)) == NULL)
		return (cli_table_print(t));
	for (i = 0; i < n; i++) {
		pr = &probs->via.array.ptr[i];
		cli_short(pr, "id", id, sizeof(id));
		cli_short(pr, "author", author, sizeof(author));
		if (cli_text(pr, "seq", seq, sizeof(seq)) == NULL)
			snprintf(seq, sizeof(seq), "-");
		if (cli_text(pr, "problem", what, sizeof(what)) == NULL)
			snprintf(what, sizeof(what), "?");
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "%s", id);
		output_table_cell(t, OUTPUT_DIM, "%s", author);
		output_table_cell(t, OUTPUT_PLAIN, "seq %s", seq);
		output_table_cell(t, OUTPUT_RED, "%s", what);
	}
	cli_table_print(t);
	return (CLI_EXIT_ERROR);
}

int
do_verify(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	const msgpack_object		*res;
	uint32_t			 listed;
	int				 ch, rc;

	if ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	if ((rc = cli_call(cli, RPC_M_VERIFY, NULL, NULL, &res)) != 0)
		return (rc);
	if (!cli->json)
		return (verify_print(res));
	if ((rc = cli_print_json(res)) != 0)
		return (rc);
	return (verify_count(res, &listed) > 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK);
}
