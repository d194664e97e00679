/*
 * cmd-peer.c: the commands about the family's other devices: invite,
 * join, peers (list, add, remove) and devices.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mp.h"
#include "output.h"

#define JOIN_TIMEOUT_MS	90000	/* the daemon gives up after 60 s */

static int	parse_duration(const char *, uint64_t *);
static int	peers_print(const struct cli *, const msgpack_object *);
static int	devices_print(const msgpack_object *);
static int	doctor_print(const struct cli *, const msgpack_object *);
static int	peer_show(struct cli *, const struct cli_cmd *, int, char **,
		    enum rpc_method, int (*)(const struct cli *,
		    const msgpack_object *));
static int	devices_show(const struct cli *, const msgpack_object *);

/* "90s", "10m", "2h", "600": seconds, at most a day. */
static int
parse_duration(const char *s, uint64_t *secs)
{
	char		*end;
	unsigned long	 n = strtoul(s, &end, 10);

	if (end == s)
		return (-1);
	if (*end == 'm' && end[1] == '\0')
		n *= 60;
	else if (*end == 'h' && end[1] == '\0')
		n *= 3600;
	else if (!(*end == '\0' || (*end == 's' && end[1] == '\0')))
		return (-1);
	if (n == 0 || n > 86400)
		return (-1);
	*secs = n;
	return (0);
}

/*
 * A command without arguments that makes one call and shows its result:
 * as JSON, or through print.
 */
static int
peer_show(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    enum rpc_method m, int (*print)(const struct cli *,
    const msgpack_object *))
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	const msgpack_object		*res;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	if ((rc = cli_call(cli, m, NULL, NULL, &res)) != 0)
		return (rc);
	return (cli->json ? cli_print_json(res) : print(cli, res));
}

int
do_invite(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "expires", required_argument, NULL, 'e' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	uint64_t			 secs = 600, port = 0;
	char				 code[80];
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'e':
			if (parse_duration(optarg, &secs) < 0)
				return (cli_usage_error(cmd, "--expires: a "
				    "duration such as 10m, 90s or 1h (at most "
				    "24h)"));
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	cli_params_uint(&p, "expires_s", secs);
	if ((rc = cli_call(cli, RPC_M_INVITE, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	cli_text(res, "code", code, sizeof(code));
	(void)cli_uint(res, "port", &port);
	printf("%s\n", code);
	fprintf(stderr, "On the other laptop, within %" PRIu64 " minute%s, "
	    "run:\n  attune join %s --name THEIR-NAME\n"
	    "(on a network without broadcast add --peer THIS-HOST:%" PRIu64
	    ")\nThe code works once.\n", (secs + 59) / 60,
	    secs > 60 ? "s" : "", code, port);
	return (CLI_EXIT_OK);
}

int
do_join(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "peer", required_argument, NULL, 'p' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	const char			*name = NULL, *peer = NULL;
	char				 fam[PROTO_MAX_NAME + 1];
	uint64_t			 n = 0;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'p':
			peer = optarg;
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1, 1)) != 0)
		return (rc);
	if (name == NULL)
		return (cli_usage_error(cmd, "--name is required"));
	if ((rc = cli_check_name(cmd, "--name", name)) != 0)
		return (rc);
	if ((peer != NULL && strlen(peer) > 120) || strlen(argv[optind]) > 70)
		return (cli_usage_error(cmd, "code or --peer too long"));
	cli_params_str(&p, "code", argv[optind]);
	cli_params_str(&p, "name", name);
	cli_params_str(&p, "peer", peer);
	if ((rc = cli_connect(cli)) != 0)
		return (rc);
	client_set_timeout(cli->client, JOIN_TIMEOUT_MS);
	if ((rc = cli_call(cli, RPC_M_JOIN, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	cli_text(res, "family", fam, sizeof(fam));
	(void)cli_uint(res, "entries", &n);
	printf("Joined %s: %" PRIu64 " entries synced\n", fam, n);
	return (CLI_EXIT_OK);
}

static int
peers_print(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*l, *e;
	struct output_table	*t;
	char			 addr[80], state[24], err[64], when[40];
	char			 dev[OUTPUT_SHORT_ID + 1];
	uint64_t		 port = 0, got, need;
	int64_t			 ok;
	uint32_t		 i;

	(void)cli_uint(res, "port", &port);
	printf("listening for peers on port %" PRIu64 "\n", port);
	if ((t = output_table_create(4)) == NULL)
		return (cli_table_print(t));
	l = mp_map_get(res, "targets");
	for (i = 0; l != NULL && l->type == MSGPACK_OBJECT_ARRAY &&
	    i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		cli_text(e, "address", addr, sizeof(addr));
		cli_text(e, "state", state, sizeof(state));
		cli_text(e, "error", err, sizeof(err));
		when[0] = '\0';
		if (cli_int(e, "last_ok", &ok) && ok > 0)
			output_time(when, sizeof(when), ok, cli->now_ms);
		output_table_row(t);
		output_table_cell(t, OUTPUT_BOLD, "%s", addr);
		output_table_cell(t, strcmp(state, "unreachable") == 0 ?
		    OUTPUT_RED : OUTPUT_GREEN, "%s", state);
		output_table_cell(t, OUTPUT_PLAIN, "%s", when[0] ?
		    when : "never synced");
		output_table_cell(t, OUTPUT_PLAIN, "%s", err);
	}
	l = mp_map_get(res, "sessions");
	for (i = 0; l != NULL && l->type == MSGPACK_OBJECT_ARRAY &&
	    i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		cli_text(e, "address", addr, sizeof(addr));
		cli_text(e, "state", state, sizeof(state));
		cli_short(e, "device", dev, sizeof(dev));
		got = need = 0;
		(void)cli_uint(e, "received", &got);
		(void)cli_uint(e, "needed", &need);
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "  session %s", addr);
		output_table_cell(t, OUTPUT_GREEN, "%s", state);
		output_table_cell(t, OUTPUT_PLAIN, "device %s", dev);
		output_table_cell(t, OUTPUT_PLAIN, "received %" PRIu64 "/%"
		    PRIu64, got, need > got ? need : got);
	}
	return (cli_table_print(t));
}

int
do_peers(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return (peer_show(cli, cmd, argc, argv, RPC_M_PEERS, peers_print));
}

/* "peers add" and "peers remove": the table entry's name says which. */
int
do_peers_edit(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	bool				 add = strcmp(cmd->name, "peers add") == 0;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1, 1)) != 0)
		return (rc);
	if (strlen(argv[optind]) > 120)
		return (cli_usage_error(cmd, "HOST:PORT too long"));
	cli_params_str(&p, "address", argv[optind]);
	if ((rc = cli_call(cli, add ? RPC_M_PEERS_ADD : RPC_M_PEERS_REMOVE,
	    NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	printf("%s %s\n", add ? "Syncing with" : "Stopped syncing with",
	    argv[optind]);
	return (CLI_EXIT_OK);
}

static int
devices_print(const msgpack_object *res)
{
	const msgpack_object	*e;
	struct output_table	*t;
	char			 name[PROTO_MAX_NAME + 1], fp[20];
	uint64_t		 n;
	uint32_t		 i;
	bool			 me;

	if ((t = output_table_create(4)) == NULL)
		return (cli_table_print(t));
	for (i = 0; res->type == MSGPACK_OBJECT_ARRAY &&
	    i < res->via.array.size; i++) {
		e = &res->via.array.ptr[i];
		cli_text(e, "fingerprint", fp, sizeof(fp));
		if (cli_text(e, "name", name, sizeof(name)) == NULL)
			snprintf(name, sizeof(name), "?");
		n = 0;
		(void)cli_uint(e, "entries", &n);
		me = mp_map_get(e, "this") != NULL &&
		    mp_map_get(e, "this")->type == MSGPACK_OBJECT_BOOLEAN &&
		    mp_map_get(e, "this")->via.boolean;
		output_table_row(t);
		output_table_cell(t, OUTPUT_BOLD, "%s", name);
		output_table_cell(t, OUTPUT_PLAIN, "%s", fp);
		output_table_cell(t, OUTPUT_PLAIN, "%" PRIu64 " entries", n);
		output_table_cell(t, OUTPUT_PLAIN, "%s", me ? "(this device)" :
		    mp_map_get(e, "removed") != NULL &&
		    mp_map_get(e, "removed")->type == MSGPACK_OBJECT_BOOLEAN &&
		    mp_map_get(e, "removed")->via.boolean ? "(removed)" : "");
	}
	return (cli_table_print(t));
}

static int
devices_show(const struct cli *cli, const msgpack_object *res)
{
	return (devices_print(res));
}

int
do_devices(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return (peer_show(cli, cmd, argc, argv, RPC_M_DEVICES, devices_show));
}

/* Say, in sentences, what discovery did and why each peer is as it is. */
static int
doctor_print(const struct cli *cli, const msgpack_object *res)
{
	const msgpack_object	*disc = mp_map_get(res, "discovery");
	const msgpack_object	*peers = mp_map_get(res, "peers");
	const msgpack_object	*l, *e;
	char			 a[80], b[64], c[64], when[40];
	uint64_t		 n = 0, port = 0;
	int64_t			 ms;
	uint32_t		 i;

	if (disc == NULL || disc->type != MSGPACK_OBJECT_MAP)
		printf("discovery: off (--no-discovery, or no peer port)\n");
	else {
		(void)cli_uint(disc, "port", &port);
		printf("discovery: UDP port %" PRIu64 "\n", port);
		l = mp_map_get(disc, "interfaces");
		for (i = 0; l != NULL && l->type == MSGPACK_OBJECT_ARRAY &&
		    i < l->via.array.size; i++) {
			e = &l->via.array.ptr[i];
			cli_text(e, "name", a, sizeof(a));
			cli_text(e, "address", b, sizeof(b));
			cli_text(e, "error", c, sizeof(c));
			when[0] = '\0';
			if (cli_int(e, "last_sent", &ms) && ms > 0)
				output_time(when, sizeof(when), ms,
				    cli->now_ms);
			printf("  announced on %s (%s)%s%s%s%s\n", a, b,
			    when[0] ? ", last " : "", when,
			    c[0] ? ", error: " : "", c);
		}
		if (i == 0)
			printf("  announced on no interface (no family yet, or "
			    "no network besides loopback)\n");
		l = mp_map_get(disc, "heard");
		for (i = 0; l != NULL && l->type == MSGPACK_OBJECT_ARRAY &&
		    i < l->via.array.size; i++) {
			e = &l->via.array.ptr[i];
			cli_text(e, "address", a, sizeof(a));
			cli_text(e, "what", b, sizeof(b));
			(void)cli_uint(e, "port", &port);
			(void)cli_uint(e, "count", &n);
			printf("  heard %s beacons from %s (port %" PRIu64
			    "), %" PRIu64 " times\n", b, a, port, n);
		}
		if (i == 0)
			printf("  heard no beacon of this family\n");
		if (cli_uint(disc, "ignored", &n) && n > 0)
			printf("  ignored %" PRIu64 " beacons of strangers or "
			    "other families\n", n);
	}
	l = peers != NULL ? mp_map_get(peers, "targets") : NULL;
	for (i = 0; l != NULL && l->type == MSGPACK_OBJECT_ARRAY &&
	    i < l->via.array.size; i++) {
		e = &l->via.array.ptr[i];
		cli_text(e, "address", a, sizeof(a));
		cli_text(e, "state", b, sizeof(b));
		cli_text(e, "error", c, sizeof(c));
		printf("peer %s: %s%s%s\n", a, b, c[0] ? ": " : "", c);
	}
	if (i == 0)
		printf("no peer known yet: pair with attune invite / attune "
		    "join, or add one with attune peers add HOST:PORT\n");
	return (CLI_EXIT_OK);
}

int
do_doctor(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return (peer_show(cli, cmd, argc, argv, RPC_M_DOCTOR, doctor_print));
}

int
do_devices_remove(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	static const struct option	 opts[] = {
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	uint64_t			 epoch = 0;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1)
		return (cli_optend(cmd, ch));
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 1, 1)) != 0)
		return (rc);
	if (strlen(argv[optind]) > 64)
		return (cli_usage_error(cmd, "DEVICE: a fingerprint or a name"));
	cli_params_str(&p, "device", argv[optind]);
	if ((rc = cli_call(cli, RPC_M_DEVICES_REMOVE, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	(void)cli_uint(res, "epoch", &epoch);
	printf("Removed %s. The family key is now epoch %" PRIu64 ": that "
	    "device keeps what it had and gets nothing new.\n", argv[optind],
	    epoch);
	return (CLI_EXIT_OK);
}
