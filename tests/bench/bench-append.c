/*
 * bench-append.c: durable appends through RPC "append": the throughput of
 * 16 lock-step clients and the latency of one client's appends (p50, p99,
 * max), each run against a fresh attuned in its own directory. For
 * reference the same run measures this disk's fsync'd sqlite commits
 * (WAL, synchronous=FULL, one row per commit) with libsqlite3 directly,
 * in slices interleaved with the latency slices so that both see the
 * same disk: that is the only reason this program links sqlite3.
 * And it measures what bounds appends from above: one device's entries
 * are signed one after another (each prev is the id of the one before,
 * signature included), so no daemon can append faster than one thread
 * signs; the throughput is also reported as a share of that limit.
 */
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "bench.h"
#include "mp.h"

#define APPEND_MAX_RUNS		20
#define APPEND_TARGET_RATE	20000.0	/* appends/s with 16 clients */
#define APPEND_TARGET_P99_US	2000.0
#define APPEND_SLICES		10	/* latency and reference interleave */
#define APPEND_SIGNS		3000	/* for the signing limit */
#define APPEND_THREADS		3	/* the daemon's: loop, seal, commit */
#define APPEND_SEAL		1	/* the sealing thread's index */

/* The daemon's threads by name (daemon/writer.h), and what each does. */
static const char *const append_thread_names[APPEND_THREADS] = {
	"attuned", "attuned-seal", "attuned-commit"
};
static const char *const append_thread_roles[APPEND_THREADS] = {
	"loop", "sealing", "commit"
};

/* The reference sqlite database, open across its slices. */
struct ref_db {
	sqlite3		*db;
	sqlite3_stmt	*ins;
	uint64_t	*lat;		/* per commit */
	unsigned	 n;		/* commits done */
	unsigned	 max;
	uint64_t	 busy_ns;	/* time spent committing */
};

struct append_opts {
	const char	*attuned;
	unsigned	 total;		/* throughput: appends, at most */
	unsigned	 seconds;	/* throughput: time, at most */
	unsigned	 clients;
	unsigned	 latency;	/* single-client appends */
	unsigned	 commits;	/* reference sqlite commits */
	unsigned	 runs;
};

static void	usage(void);
static int	ref_open(struct ref_db *, const char *root, unsigned max);
static int	ref_commits(struct ref_db *, unsigned n);
static void	ref_close(struct ref_db *);
static double	sign_rate(void);
static int	threads_read(pid_t, struct bench_thread *);
static void	threads_rows(double busy[][APPEND_MAX_RUNS],
		    double wait[][APPEND_MAX_RUNS], unsigned runs, bool sched);

static void
usage(void)
{
	fprintf(stderr,
"usage: bench-append [-a attuned] [-n appends] [-t seconds] [-c clients]\n"
"                    [-l latency-appends] [-k ref-commits] [-r runs]\n");
	exit(2);
}

/*
 * The reference: commits of one ~300-byte row each, WAL and
 * synchronous=FULL as attuned's store uses, on the same filesystem.
 * Return 0 or -1 (reported).
 */
static int
ref_open(struct ref_db *r, const char *root, unsigned max)
{
	char	path[BENCH_PATH + 16];

	memset(r, 0, sizeof(*r));
	if ((r->lat = calloc(max, sizeof(*r->lat))) == NULL)
		return (-1);
	r->max = max;
	snprintf(path, sizeof(path), "%s/ref.db", root);
	if (sqlite3_open(path, &r->db) != SQLITE_OK ||
	    sqlite3_exec(r->db, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; CREATE TABLE t (n INTEGER PRIMARY KEY,"
	    " id BLOB NOT NULL UNIQUE, env BLOB NOT NULL);", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "INSERT INTO t (id, env) VALUES "
	    "(?1, ?2)", -1, &r->ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench-append: sqlite: %s\n",
		    r->db != NULL ? sqlite3_errmsg(r->db) : "cannot open");
		return (-1);
	}
	return (0);
}

/* n more commits, each timed. Return 0 or -1 (reported). */
static int
ref_commits(struct ref_db *r, unsigned n)
{
	uint64_t	t0;
	uint8_t		id[32], env[300];
	unsigned	i;

	memset(env, 0xa5, sizeof(env));
	for (i = 0; i < n && r->n < r->max; i++) {
		memset(id, 0, sizeof(id));
		memcpy(id, &r->n, sizeof(r->n));
		t0 = bench_now_ns();
		sqlite3_bind_blob(r->ins, 1, id, sizeof(id), SQLITE_STATIC);
		sqlite3_bind_blob(r->ins, 2, env, sizeof(env), SQLITE_STATIC);
		if (sqlite3_step(r->ins) != SQLITE_DONE) {
			fprintf(stderr, "bench-append: sqlite insert: %s\n",
			    sqlite3_errmsg(r->db));
			sqlite3_reset(r->ins);
			return (-1);
		}
		sqlite3_reset(r->ins);
		r->lat[r->n] = bench_now_ns() - t0;
		r->busy_ns += r->lat[r->n];
		r->n++;
	}
	return (0);
}

static void
ref_close(struct ref_db *r)
{
	sqlite3_finalize(r->ins);
	sqlite3_close(r->db);
	free(r->lat);
	memset(r, 0, sizeof(*r));
}

/*
 * Ed25519 signatures per second on this thread, over 300 bytes (an
 * envelope's size with a short entry): the ceiling for one device's
 * appends.
 */
static double
sign_rate(void)
{
	uint8_t		pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t		sk[crypto_sign_SECRETKEYBYTES];
	uint8_t		sig[crypto_sign_BYTES], msg[300];
	uint64_t	t0;
	unsigned	i;

	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, sizeof(msg));
	t0 = bench_now_ns();
	for (i = 0; i < APPEND_SIGNS; i++) {
		msg[0] = (uint8_t)i;
		crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	}
	return ((double)APPEND_SIGNS * BENCH_NS /
	    (double)(bench_now_ns() - t0));
}

/* The times of the daemon's threads, in append_thread_names order. */
static int
threads_read(pid_t pid, struct bench_thread *t)
{
	unsigned	i;

	for (i = 0; i < APPEND_THREADS; i++) {
		if (bench_thread_times(pid, append_thread_names[i], &t[i]) < 0)
			return (-1);
	}
	return (0);
}

/*
 * Each thread's busy share of the throughput run and, where the kernel
 * keeps schedstat, its share spent ready but waiting for a core: where
 * a pipeline on a small machine loses its time.
 */
static void
threads_rows(double busy[][APPEND_MAX_RUNS], double wait[][APPEND_MAX_RUNS],
    unsigned runs, bool sched)
{
	struct bench_stat	st;
	char			fig[128];
	unsigned		i;

	for (i = 0; i < APPEND_THREADS; i++) {
		snprintf(fig, sizeof(fig), "%s thread busy, share of the "
		    "throughput run", append_thread_roles[i]);
		bench_stat(&st, busy[i], runs);
		bench_table_row(fig, &st, 2, "", NULL, -1);
		if (!sched)
			continue;
		snprintf(fig, sizeof(fig), "%s thread waiting for a core, "
		    "share of the throughput run", append_thread_roles[i]);
		bench_stat(&st, wait[i], runs);
		bench_table_row(fig, &st, 2, "", NULL, -1);
	}
}

int
main(int argc, char **argv)
{
	struct append_opts	 o;
	struct bench_daemon	 d;
	struct bench_req	 req;
	struct bench_load	 ld;
	struct bench_result	 res;
	struct bench_stat	 st;
	struct ref_db		 ref_db;
	char			 root[BENCH_PATH], fig[128];
	double			 rate[APPEND_MAX_RUNS], p50[APPEND_MAX_RUNS];
	double			 p99[APPEND_MAX_RUNS], pmax[APPEND_MAX_RUNS];
	double			 lrate[APPEND_MAX_RUNS];
	double			 ref[APPEND_MAX_RUNS], ref50[APPEND_MAX_RUNS];
	double			 ref99[APPEND_MAX_RUNS];
	double			 cpu[APPEND_MAX_RUNS], wr[APPEND_MAX_RUNS];
	double			 sign[APPEND_MAX_RUNS], other[APPEND_MAX_RUNS];
	double			 seal[APPEND_MAX_RUNS];
	double			 busy_share[APPEND_THREADS][APPEND_MAX_RUNS];
	double			 wait_share[APPEND_THREADS][APPEND_MAX_RUNS];
	struct bench_thread	 th0[APPEND_THREADS], th1[APPEND_THREADS];
	bool			 sched = true;
	unsigned		 i;
	uint64_t		*lat = NULL, cpu0, cpu1, wb0, wb1, busy;
	uint64_t		 m0, m1, self0, self1;
	unsigned		 run, slice, done;
	int			 ch, ret = 1;

	memset(&o, 0, sizeof(o));
	o.attuned = BENCH_ATTUNED;
	o.total = 100000;
	o.seconds = 20;
	o.clients = 16;
	o.latency = 5000;
	o.commits = 2000;
	o.runs = 3;
	while ((ch = getopt(argc, argv, "a:n:t:c:l:k:r:")) != -1) {
		switch (ch) {
		case 'a':
			o.attuned = optarg;
			break;
		case 'n':
			o.total = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			o.seconds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			o.clients = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'l':
			o.latency = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			o.commits = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o.runs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (o.total < 100 || o.total > 10000000 || o.seconds < 1 ||
	    o.seconds > 600 || o.clients < 1 || o.clients > BENCH_MAX_CONNS ||
	    o.latency < 100 || o.latency > 1000000 || o.commits < 10 ||
	    o.commits > 1000000 || o.runs < 1 || o.runs > APPEND_MAX_RUNS ||
	    o.latency < APPEND_SLICES || o.commits < APPEND_SLICES)
		usage();
	signal(SIGPIPE, SIG_IGN);
	memset(&ref_db, 0, sizeof(ref_db));
	if (sodium_init() < 0) {
		fprintf(stderr, "bench-append: sodium_init failed\n");
		return (1);
	}
	if (!bench_executable(o.attuned)) {
		fprintf(stderr, "bench-append: no %s\n", o.attuned);
		return (1);
	}
	if ((lat = calloc(o.latency, sizeof(*lat))) == NULL)
		return (1);
	bench_checkin_req(&req);
	printf("bench-append: %u runs; throughput: %u clients, %u appends or "
	    "%u s; latency: 1 client, %u appends; reference: %u sqlite "
	    "commits\n", o.runs, o.clients, o.total, o.seconds, o.latency,
	    o.commits);
	for (run = 0; run < o.runs; run++) {
		if (bench_mkdtemp(root, sizeof(root), "append") < 0) {
			fprintf(stderr, "bench-append: no temporary dir\n");
			goto out;
		}
		if (ref_open(&ref_db, root, o.commits) < 0)
			goto out_rmtree;
		if (bench_daemon_start(&d, o.attuned, root, 30 * BENCH_NS,
		    NULL) < 0)
			goto out_rmtree;
		if (bench_family(d.sock) < 0)
			goto out_daemon;

		/*
		 * Latency: one client, one append in flight, in slices
		 * that alternate with slices of reference commits.
		 */
		memset(&ld, 0, sizeof(ld));
		ld.sock = d.sock;
		ld.req = (const uint8_t *)req.sb.data;
		ld.req_len = req.sb.size;
		ld.nconns = 1;
		ld.max_ns = (uint64_t)o.seconds * BENCH_NS / APPEND_SLICES;
		busy = 0;
		for (slice = done = 0; slice < APPEND_SLICES; slice++) {
			if (ref_commits(&ref_db, o.commits / APPEND_SLICES) < 0)
				goto out_daemon;
			ld.max_requests = o.latency / APPEND_SLICES;
			ld.lat_ns = lat + done;
			if (bench_lockstep(&ld, &res) < 0 || res.errors > 0)
				goto err_load;
			done += (unsigned)res.done;
			busy += res.elapsed_ns;
		}
		bench_sort_u64(lat, done);
		p50[run] = bench_pct_u64(lat, done, 50) / 1000.0;
		p99[run] = bench_pct_u64(lat, done, 99) / 1000.0;
		pmax[run] = lat[done - 1] / 1000.0;
		lrate[run] = (double)done * BENCH_NS / (double)busy;
		ref[run] = (double)ref_db.n * BENCH_NS /
		    (double)ref_db.busy_ns;
		bench_sort_u64(ref_db.lat, ref_db.n);
		ref50[run] = bench_pct_u64(ref_db.lat, ref_db.n, 50) / 1000.0;
		ref99[run] = bench_pct_u64(ref_db.lat, ref_db.n, 99) / 1000.0;
		ref_close(&ref_db);

		/* Throughput: o.clients in lock-step, after the limit. */
		sign[run] = sign_rate();
		ld.nconns = o.clients;
		ld.max_requests = o.total;
		ld.max_ns = (uint64_t)o.seconds * BENCH_NS;
		ld.lat_ns = NULL;
		self0 = bench_self_cpu();
		if (bench_proc_usage(d.pid, &cpu0, &wb0) < 0 ||
		    bench_machine_busy(&m0) < 0 ||
		    threads_read(d.pid, th0) < 0)
			goto err_load;
		if (bench_lockstep(&ld, &res) < 0 || res.errors > 0)
			goto err_load;
		if (bench_proc_usage(d.pid, &cpu1, &wb1) < 0 ||
		    bench_machine_busy(&m1) < 0 ||
		    threads_read(d.pid, th1) < 0)
			goto err_load;
		self1 = bench_self_cpu();
		/* Whatever else ran meanwhile, as cores' worth: the noise. */
		other[run] = (double)((int64_t)(m1 - m0) - (int64_t)(cpu1 -
		    cpu0) - (int64_t)(self1 - self0)) * 1000.0 /
		    (double)res.elapsed_ns;
		if (other[run] < 0)
			other[run] = 0;
		rate[run] = res.rate;
		cpu[run] = (double)(cpu1 - cpu0) / (double)res.done;
		wr[run] = (double)(wb1 - wb0) / (double)res.done;
		seal[run] = (double)(th1[APPEND_SEAL].cpu_us -
		    th0[APPEND_SEAL].cpu_us) / (double)res.done;
		for (i = 0; i < APPEND_THREADS; i++) {
			busy_share[i][run] = (double)(th1[i].cpu_us -
			    th0[i].cpu_us) * 1000.0 / (double)res.elapsed_ns;
			wait_share[i][run] = (double)(th1[i].wait_ns -
			    th0[i].wait_ns) / (double)res.elapsed_ns;
			sched = sched && th1[i].has_sched;
		}
		printf("run %u: %u clients %.0f appends/s (%llu in %.2f s, "
		    "daemon CPU %.0f us and %.0f bytes written per append, "
		    "%.0f%% of a core; sealing thread %.0f us per append; "
		    "busy (waiting for a core): loop %.0f%% (%.0f%%), "
		    "sealing %.0f%% (%.0f%%), commit %.0f%% (%.0f%%); "
		    "other processes %.0f%% of a core; "
		    "signing limit %.0f/s); 1 client p50 "
		    "%.0f us, p99 %.0f us, max %.0f us (%.0f/s); sqlite "
		    "commits %.0f/s (p50 %.0f us, p99 %.0f us)\n", run + 1,
		    o.clients, rate[run], (unsigned long long)res.done,
		    (double)res.elapsed_ns / BENCH_NS, cpu[run], wr[run],
		    (double)(cpu1 - cpu0) * 100000.0 / (double)res.elapsed_ns,
		    seal[run], busy_share[0][run] * 100.0,
		    wait_share[0][run] * 100.0, busy_share[1][run] * 100.0,
		    wait_share[1][run] * 100.0, busy_share[2][run] * 100.0,
		    wait_share[2][run] * 100.0,
		    other[run] * 100.0, sign[run],
		    p50[run], p99[run], pmax[run], lrate[run], ref[run],
		    ref50[run], ref99[run]);
		fflush(stdout);
		if (bench_daemon_stop(&d, NULL) < 0)
			goto out_rmtree;
		bench_rmtree(root);
	}
	bench_table_head();
	snprintf(fig, sizeof(fig), "append throughput, %u clients",
	    o.clients);
	bench_stat(&st, rate, o.runs);
	bench_table_row(fig, &st, 0, "/s", ">= 20000 /s",
	    st.med >= APPEND_TARGET_RATE);
	bench_stat(&st, sign, o.runs);
	bench_table_row("reference: Ed25519 signatures/s, one thread (the "
	    "limit)", &st, 0, "/s", NULL, -1);
	for (run = 0; run < o.runs; run++)
		sign[run] = rate[run] / sign[run];
	bench_stat(&st, sign, o.runs);
	bench_table_row("append throughput / signing limit, same run", &st, 2,
	    "x", NULL, -1);
	bench_stat(&st, seal, o.runs);
	bench_table_row("sealing thread CPU per append (sign, encrypt, hash)",
	    &st, 1, "us", NULL, -1);
	for (run = 0; run < o.runs; run++)
		seal[run] = seal[run] > 0 ? 1e6 / seal[run] : 0;
	bench_stat(&st, seal, o.runs);
	bench_table_row("sealing thread's own rate (1 / its CPU per append)",
	    &st, 0, "/s", NULL, -1);
	threads_rows(busy_share, wait_share, o.runs, sched);
	bench_stat(&st, other, o.runs);
	bench_table_row("other processes' CPU during the throughput run, "
	    "cores", &st, 2, "", NULL, -1);
	bench_stat(&st, cpu, o.runs);
	bench_table_row("daemon CPU per append (all threads), throughput run",
	    &st, 0, "us", NULL, -1);
	bench_stat(&st, wr, o.runs);
	bench_table_row("bytes written to disk per append, throughput run",
	    &st, 0, "B", NULL, -1);
	bench_stat(&st, p50, o.runs);
	bench_table_row("append latency p50, 1 client", &st, 0, "us", NULL,
	    -1);
	bench_stat(&st, p99, o.runs);
	bench_table_row("append latency p99, 1 client", &st, 0, "us",
	    "<= 2000 us", st.med <= APPEND_TARGET_P99_US);
	bench_stat(&st, pmax, o.runs);
	bench_table_row("append latency max, 1 client", &st, 0, "us", NULL,
	    -1);
	bench_stat(&st, lrate, o.runs);
	bench_table_row("append rate, 1 client", &st, 0, "/s", NULL, -1);
	bench_stat(&st, ref, o.runs);
	bench_table_row("reference: sqlite fsync'd commits, 1 row each", &st,
	    0, "/s", NULL, -1);
	bench_stat(&st, ref50, o.runs);
	bench_table_row("reference: sqlite commit p50", &st, 0, "us", NULL,
	    -1);
	bench_stat(&st, ref99, o.runs);
	bench_table_row("reference: sqlite commit p99", &st, 0, "us", NULL,
	    -1);
	for (run = 0; run < o.runs; run++)
		ref99[run] = p99[run] / ref99[run];
	bench_stat(&st, ref99, o.runs);
	bench_table_row("append p99 / sqlite commit p99, same window", &st, 2,
	    "x", NULL, -1);
	ret = 0;
	goto out;
err_load:
	fprintf(stderr, "bench-append: load failed%s%s\n",
	    res.errors > 0 ? ": " : "", res.errors > 0 ? res.first_error : "");
out_daemon:
	bench_daemon_stop(&d, NULL);
out_rmtree:
	ref_close(&ref_db);
	bench_rmtree(root);
out:
	bench_req_finish(&req);
	free(lat);
	return (ret);
}
