/*
 * bench-rpc.c: request rate of a cheap read call ("status", params [])
 * against attuned, with 1 and with 50 lock-step clients driven from one
 * thread, next to redis-benchmark's PING on a redis-server started in the
 * same run; then whole-process cost: `attune status` versus
 * `redis-cli ping`, fork+exec+connect+reply each. Prints figures, ratios
 * and PASS/MISS; it is a program, not a test, and changes nothing but its
 * own temporary directory.
 */
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "mp.h"

#define RPC_MAX_RUNS		20
#define RPC_TARGET_RATIO	0.8	/* ours / redis, at least */
#define RPC_TARGET_PROC		1.5	/* attune / redis-cli, at most */
#define RPC_TIME_LIMIT_NS	(30 * BENCH_NS)

struct rpc_opts {
	const char	*attuned;
	const char	*cli;
	const char	*redis_server;
	const char	*redis_benchmark;
	const char	*redis_cli;
	unsigned	 requests;
	unsigned	 runs;
	unsigned	 procs;
};

static const unsigned	rpc_conc[] = { 1, 50 };
#define RPC_NCONC	(sizeof(rpc_conc) / sizeof(rpc_conc[0]))

static void	usage(void);
static int	redis_rate(const struct rpc_opts *, const char *sock,
		    unsigned clients, double *rate, const char **which);
static int	our_rate(const char *sock, unsigned requests, unsigned clients,
		    bool resp_ping, double *rate);
static int	proc_costs(const struct rpc_opts *, const char *sock,
		    const char *rsock, double *ours_us, double *redis_us,
		    double *true_us);

static void
usage(void)
{
	fprintf(stderr,
"usage: bench-rpc [-a attuned] [-c attune] [-S redis-server]\n"
"                 [-B redis-benchmark] [-C redis-cli] [-n requests]\n"
"                 [-r runs] [-p process-runs]\n");
	exit(2);
}

/*
 * Run redis-benchmark -t ping at this concurrency; the better of
 * PING_INLINE and PING_MBULK goes to *rate, its name to *which.
 */
static int
redis_rate(const struct rpc_opts *o, const char *sock, unsigned clients,
    double *rate, const char **which)
{
	char		 out[4096], n[32], c[32], *p;
	char		*argv[16];
	double		 inl = 0, mb = 0;
	int		 i = 0, rc;

	snprintf(n, sizeof(n), "%u", o->requests);
	snprintf(c, sizeof(c), "%u", clients);
	argv[i++] = (char *)o->redis_benchmark;
	argv[i++] = (char *)"-s";
	argv[i++] = (char *)sock;
	argv[i++] = (char *)"-t";
	argv[i++] = (char *)"ping";
	argv[i++] = (char *)"-n";
	argv[i++] = n;
	argv[i++] = (char *)"-c";
	argv[i++] = c;
	argv[i++] = (char *)"--csv";
	argv[i] = NULL;
	rc = bench_run_capture(argv, out, sizeof(out), RPC_TIME_LIMIT_NS * 2);
	if (rc != 0) {
		fprintf(stderr, "bench-rpc: redis-benchmark failed (%d)\n",
		    rc);
		return (-1);
	}
	if ((p = strstr(out, "\"PING_INLINE\",\"")) != NULL)
		inl = strtod(p + 15, NULL);
	if ((p = strstr(out, "\"PING_MBULK\",\"")) != NULL)
		mb = strtod(p + 14, NULL);
	if (inl <= 0 && mb <= 0) {
		fprintf(stderr, "bench-rpc: cannot parse redis-benchmark "
		    "output:\n%s\n", out);
		return (-1);
	}
	*rate = inl > mb ? inl : mb;
	*which = inl > mb ? "PING_INLINE" : "PING_MBULK";
	return (0);
}

/*
 * Our lock-step driver: attuned "status", or (resp_ping) an inline PING
 * to redis-server, the control that shows the servers apart from the
 * benchmark clients.
 */
static int
our_rate(const char *sock, unsigned requests, unsigned clients,
    bool resp_ping, double *rate)
{
	struct bench_req	r;
	struct bench_load	ld;
	struct bench_result	res;
	int			rc;

	bench_req_init(&r, RPC_M_STATUS);
	msgpack_pack_array(&r.pk, 0);
	bench_req_end(&r);
	memset(&ld, 0, sizeof(ld));
	ld.sock = sock;
	ld.req = (const uint8_t *)r.sb.data;
	ld.req_len = r.sb.size;
	if ((ld.resp_ping = resp_ping)) {
		ld.req = (const uint8_t *)"PING\r\n";
		ld.req_len = 6;
	}
	ld.nconns = clients;
	ld.max_requests = requests;
	ld.max_ns = RPC_TIME_LIMIT_NS;
	rc = bench_lockstep(&ld, &res);
	bench_req_finish(&r);
	if (rc < 0)
		return (-1);
	if (res.errors > 0) {
		fprintf(stderr, "bench-rpc: %llu error replies, first: %s\n",
		    (unsigned long long)res.errors, res.first_error);
		return (-1);
	}
	*rate = res.rate;
	return (0);
}

/*
 * Alternate `attune --socket S status`, `redis-cli -s R ping` and
 * /bin/true (the floor: fork, exec, exit), procs times each, so all see
 * the same machine noise. Mean wall time per run in microseconds; every
 * run must exit 0.
 */
static int
proc_costs(const struct rpc_opts *o, const char *sock, const char *rsock,
    double *ours_us, double *redis_us, double *true_us)
{
	char		*a[8], *b[8], *t[2];
	uint64_t	 t0, ours = 0, theirs = 0, floor = 0;
	unsigned	 i;
	int		 rc;

	a[0] = (char *)o->cli;
	a[1] = (char *)"--socket";
	a[2] = (char *)sock;
	a[3] = (char *)"status";
	a[4] = NULL;
	b[0] = (char *)o->redis_cli;
	b[1] = (char *)"-s";
	b[2] = (char *)rsock;
	b[3] = (char *)"ping";
	b[4] = NULL;
	t[0] = (char *)"/bin/true";
	t[1] = NULL;
	for (i = 0; i < o->procs; i++) {
		t0 = bench_now_ns();
		if ((rc = bench_run(a, 10 * BENCH_NS)) != 0) {
			fprintf(stderr, "bench-rpc: attune status exited %d\n",
			    rc);
			return (-1);
		}
		ours += bench_now_ns() - t0;
		t0 = bench_now_ns();
		if ((rc = bench_run(b, 10 * BENCH_NS)) != 0) {
			fprintf(stderr, "bench-rpc: redis-cli exited %d\n", rc);
			return (-1);
		}
		theirs += bench_now_ns() - t0;
		t0 = bench_now_ns();
		if (bench_run(t, 10 * BENCH_NS) != 0)
			return (-1);
		floor += bench_now_ns() - t0;
	}
	*ours_us = (double)ours / o->procs / 1000.0;
	*redis_us = (double)theirs / o->procs / 1000.0;
	*true_us = (double)floor / o->procs / 1000.0;
	return (0);
}

int
main(int argc, char **argv)
{
	struct rpc_opts		o;
	struct bench_daemon	d;
	struct bench_redis	rs;
	struct bench_req	init;
	struct bench_stat	st;
	char			root[BENCH_PATH], err[256], fig[128];
	double			ours[RPC_NCONC][RPC_MAX_RUNS];
	double			redis[RPC_NCONC][RPC_MAX_RUNS];
	double			ratio[RPC_NCONC][RPC_MAX_RUNS];
	double			ctl[RPC_NCONC][RPC_MAX_RUNS];
	double			ctlratio[RPC_NCONC][RPC_MAX_RUNS];
	double			pa[RPC_MAX_RUNS], pr[RPC_MAX_RUNS];
	double			pt[RPC_MAX_RUNS];
	double			pratio[RPC_MAX_RUNS];
	const char		*which[RPC_NCONC][RPC_MAX_RUNS];
	unsigned		run, k, inl;
	bool			have_cli;
	int			ch, ret = 1;

	memset(&o, 0, sizeof(o));
	o.attuned = BENCH_ATTUNED;
	o.cli = BENCH_ATTUNE_CLI;
	o.redis_server = "/usr/bin/redis-server";
	o.redis_benchmark = "/usr/bin/redis-benchmark";
	o.redis_cli = "/usr/bin/redis-cli";
	o.requests = 100000;
	o.runs = 3;
	o.procs = 200;
	while ((ch = getopt(argc, argv, "a:c:S:B:C:n:r:p:")) != -1) {
		switch (ch) {
		case 'a':
			o.attuned = optarg;
			break;
		case 'c':
			o.cli = optarg;
			break;
		case 'S':
			o.redis_server = optarg;
			break;
		case 'B':
			o.redis_benchmark = optarg;
			break;
		case 'C':
			o.redis_cli = optarg;
			break;
		case 'n':
			o.requests = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o.runs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			o.procs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (o.requests < 1000 || o.requests > 10000000 || o.runs < 1 ||
	    o.runs > RPC_MAX_RUNS || o.procs < 1 || o.procs > 100000)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (!bench_executable(o.attuned) ||
	    !bench_executable(o.redis_server) ||
	    !bench_executable(o.redis_benchmark)) {
		fprintf(stderr, "bench-rpc: need %s, %s and %s\n", o.attuned,
		    o.redis_server, o.redis_benchmark);
		return (1);
	}
	have_cli = bench_executable(o.cli) && bench_executable(o.redis_cli);
	if (bench_mkdtemp(root, sizeof(root), "rpc") < 0) {
		fprintf(stderr, "bench-rpc: cannot make a temporary dir\n");
		return (1);
	}
	if (bench_daemon_start(&d, o.attuned, root, 30 * BENCH_NS,
	    NULL) < 0)
		goto out_rmtree;
	if (bench_redis_start(&rs, o.redis_server, root) < 0)
		goto out_daemon;

	/* A family, so status reports what a real device reports. */
	bench_req_init(&init, RPC_M_INIT);
	msgpack_pack_array(&init.pk, 1);
	msgpack_pack_map(&init.pk, 1);
	mp_pack_kv_str(&init.pk, "name", "Alex");
	bench_req_end(&init);
	if (bench_call_ok(d.sock, &init, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench-rpc: init: %s\n", err);
		bench_req_finish(&init);
		goto out_redis;
	}
	bench_req_finish(&init);

	printf("bench-rpc: %u requests per measurement, %u runs; attuned "
	    "%s, redis %s\n", o.requests, o.runs, o.attuned, o.redis_server);
	for (run = 0; run < o.runs; run++) {
		for (k = 0; k < RPC_NCONC; k++) {
			/* Alternate who goes first, against drift. */
			if (run % 2 == 0 &&
			    our_rate(d.sock, o.requests, rpc_conc[k], false,
			    &ours[k][run]) < 0)
				goto out_redis;
			if (redis_rate(&o, rs.sock, rpc_conc[k],
			    &redis[k][run], &which[k][run]) < 0)
				goto out_redis;
			if (our_rate(rs.sock, o.requests, rpc_conc[k], true,
			    &ctl[k][run]) < 0)
				goto out_redis;
			if (run % 2 == 1 &&
			    our_rate(d.sock, o.requests, rpc_conc[k], false,
			    &ours[k][run]) < 0)
				goto out_redis;
			ratio[k][run] = ours[k][run] / redis[k][run];
			ctlratio[k][run] = ours[k][run] / ctl[k][run];
			printf("run %u, %2u clients: attuned status %9.0f/s, "
			    "redis-benchmark %s %9.0f/s (ratio %.2f); redis "
			    "PING with our driver %9.0f/s (ratio %.2f)\n",
			    run + 1, rpc_conc[k], ours[k][run], which[k][run],
			    redis[k][run], ratio[k][run], ctl[k][run],
			    ctlratio[k][run]);
			fflush(stdout);
		}
	}
	if (have_cli) {
		for (run = 0; run < o.runs; run++) {
			if (proc_costs(&o, d.sock, rs.sock, &pa[run],
			    &pr[run], &pt[run]) < 0)
				goto out_redis;
			pratio[run] = pa[run] / pr[run];
			printf("run %u, %u processes each: attune status "
			    "%.0f us/run, redis-cli ping %.0f us/run, ratio "
			    "%.2f; /bin/true %.0f us/run\n", run + 1, o.procs,
			    pa[run], pr[run], pratio[run], pt[run]);
			fflush(stdout);
		}
	} else
		printf("attune CLI %s (or %s) not found: whole-process figure "
		    "skipped\n", o.cli, o.redis_cli);

	bench_table_head();
	for (k = 0; k < RPC_NCONC; k++) {
		for (run = inl = 0; run < o.runs; run++)
			inl += strcmp(which[k][run], "PING_INLINE") == 0;
		snprintf(fig, sizeof(fig), "status, %u client%s, attuned",
		    rpc_conc[k], rpc_conc[k] > 1 ? "s" : "");
		bench_stat(&st, ours[k], o.runs);
		bench_table_row(fig, &st, 0, "req/s", NULL, -1);
		snprintf(fig, sizeof(fig), "PING, %u client%s, redis "
		    "(best of INLINE/MBULK: INLINE %u/%u runs)", rpc_conc[k],
		    rpc_conc[k] > 1 ? "s" : "", inl, o.runs);
		bench_stat(&st, redis[k], o.runs);
		bench_table_row(fig, &st, 0, "req/s", NULL, -1);
		snprintf(fig, sizeof(fig), "ratio attuned/redis, %u client%s",
		    rpc_conc[k], rpc_conc[k] > 1 ? "s" : "");
		bench_stat(&st, ratio[k], o.runs);
		bench_table_row(fig, &st, 2, "x", ">= 0.80 x",
		    st.med >= RPC_TARGET_RATIO);
		snprintf(fig, sizeof(fig), "control: redis PING, %u client%s, "
		    "our driver", rpc_conc[k], rpc_conc[k] > 1 ? "s" : "");
		bench_stat(&st, ctl[k], o.runs);
		bench_table_row(fig, &st, 0, "req/s", NULL, -1);
		snprintf(fig, sizeof(fig), "control ratio attuned/redis, "
		    "%u client%s, same driver", rpc_conc[k],
		    rpc_conc[k] > 1 ? "s" : "");
		bench_stat(&st, ctlratio[k], o.runs);
		bench_table_row(fig, &st, 2, "x", NULL, -1);
	}
	if (have_cli) {
		bench_stat(&st, pa, o.runs);
		bench_table_row("`attune status`, whole process", &st, 0,
		    "us/run", NULL, -1);
		bench_stat(&st, pr, o.runs);
		bench_table_row("`redis-cli ping`, whole process", &st, 0,
		    "us/run", NULL, -1);
		bench_stat(&st, pratio, o.runs);
		bench_table_row("ratio attune/redis-cli, whole process", &st, 2,
		    "x", "<= 1.50 x", st.med <= RPC_TARGET_PROC);
		bench_stat(&st, pt, o.runs);
		bench_table_row("floor: `/bin/true`, whole process", &st, 0,
		    "us/run", NULL, -1);
	} else
		printf("| `attune status`, whole process | skipped: no CLI | "
		    "- | - | <= 1.50 x | - |\n");
	ret = 0;
out_redis:
	bench_redis_stop(&rs);
out_daemon:
	if (bench_daemon_stop(&d, NULL) < 0)
		ret = 1;
out_rmtree:
	bench_rmtree(root);
	return (ret);
}
