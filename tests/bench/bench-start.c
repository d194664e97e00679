/*
 * bench-start.c: how attuned starts on a large log. Builds a log of
 * 100,000 entries through RPC appends (16 lock-step clients, timed), stops
 * the daemon with SIGTERM, then times starts: from fork+exec of attuned
 * until its socket answers "status"; its memory (VmRSS, VmHWM) then; and
 * the time until status reports verified.state "ok" (the background
 * signature check of every entry). Starts alternate between a page cache
 * emptied of the database (posix_fadvise DONTNEED, per file, nothing
 * machine-wide) and a warm one; a third start per run is stopped at its
 * first reply, to time SIGTERM while the check still runs. Touches only
 * its own temporary directory.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "mp.h"

#define START_MAX_RUNS		20
#define START_TARGET_NS		(1 * BENCH_NS)
#define START_TARGET_KB		(64 * 1024)
#define START_VERIFY_LIMIT_NS	(600 * BENCH_NS)
#define START_VERIFY_POLL_NS	(5 * BENCH_MS)

struct start_opts {
	const char	*attuned;
	unsigned	 entries;
	unsigned	 clients;
	unsigned	 runs;
	unsigned	 build_seconds;
};

/* What one start measured. */
struct start_run {
	double	ready_ms;
	double	rss_mb, hwm_mb;		/* when the socket answers */
	double	verified_ms;
	double	vrss_mb, vhwm_mb;	/* when verified is "ok" */
	double	stop_ms;
};

static void	usage(void);
static int	build_log(const struct start_opts *, const char *sock);
static void	evict(const char *data_dir);
static int	one_start(const struct start_opts *, const char *root,
		    bool cold, bool verify, struct start_run *);

static void
usage(void)
{
	fprintf(stderr,
"usage: bench-start [-a attuned] [-n entries] [-c clients] [-r runs]\n"
"                   [-t build-seconds]\n");
	exit(2);
}

/*
 * init, kid.add, then checkins up to o->entries in all, from o->clients
 * lock-step clients. Prints how long it took.
 */
static int
build_log(const struct start_opts *o, const char *sock)
{
	struct bench_result	res;

	if (bench_build_log(sock, o->entries, o->clients, o->build_seconds,
	    &res) < 0)
		return (-1);
	printf("built a log of %u entries with %u clients in %.2f s "
	    "(%.0f appends/s)\n", o->entries, o->clients,
	    (double)res.elapsed_ns / BENCH_NS, res.rate);
	return (0);
}

/* Drop the database files from the page cache (they are clean). */
static void
evict(const char *data_dir)
{
	static const char *const	 files[] = {
		"events.db", "events.db-wal", "events.db-shm"
	};
	char				 path[BENCH_PATH + 32];
	size_t				 i;
	int				 fd;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", data_dir, files[i]);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

/*
 * Start attuned on the log under root, measure, and stop it again: once
 * status says verified "ok" (verify), or right away, while the check of
 * every signature still runs. Return 0 or -1 (reported).
 */
static int
one_start(const struct start_opts *o, const char *root, bool cold,
    bool verify, struct start_run *sr)
{
	struct bench_daemon	d;
	char			data_dir[BENCH_PATH + 8], state[32];
	uint64_t		t0, ready, stop, rss, hwm, entries = 0;
	int			fd = -1, ret = -1;

	memset(sr, 0, sizeof(*sr));
	snprintf(data_dir, sizeof(data_dir), "%s/data", root);
	if (cold)
		evict(data_dir);
	t0 = bench_now_ns();
	if (bench_daemon_start(&d, o->attuned, root, 60 * BENCH_NS,
	    &ready) < 0)
		return (-1);
	if (bench_proc_mem(d.pid, &rss, &hwm) < 0)
		goto out;
	sr->ready_ms = (double)ready / BENCH_MS;
	sr->rss_mb = rss / 1024.0;
	sr->hwm_mb = hwm / 1024.0;
	if (!verify) {
		ret = 0;
		goto out;
	}
	if ((fd = bench_connect(d.sock)) < 0)
		goto out;
	for (;;) {
		if (bench_status_verified(fd, state, sizeof(state),
		    &entries) < 0) {
			fprintf(stderr, "bench-start: status failed\n");
			goto out;
		}
		if (strcmp(state, "pending") != 0)
			break;
		if (bench_now_ns() - t0 > START_VERIFY_LIMIT_NS) {
			fprintf(stderr, "bench-start: not verified after "
			    "%llu s\n", (unsigned long long)
			    (START_VERIFY_LIMIT_NS / BENCH_NS));
			goto out;
		}
		bench_sleep_ns(START_VERIFY_POLL_NS);
	}
	sr->verified_ms = (double)(bench_now_ns() - t0) / BENCH_MS;
	if (strcmp(state, "ok") != 0 || entries != o->entries) {
		fprintf(stderr, "bench-start: verified \"%s\" with %llu "
		    "entries, expected \"ok\" with %u\n", state,
		    (unsigned long long)entries, o->entries);
		goto out;
	}
	if (bench_proc_mem(d.pid, &rss, &hwm) < 0)
		goto out;
	sr->vrss_mb = rss / 1024.0;
	sr->vhwm_mb = hwm / 1024.0;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (bench_daemon_stop(&d, &stop) < 0)
		ret = -1;
	sr->stop_ms = (double)stop / BENCH_MS;
	return (ret);
}

int
main(int argc, char **argv)
{
	struct start_opts	 o;
	struct bench_daemon	 d;
	struct bench_stat	 st;
	struct start_run	 sr;
	char			 root[BENCH_PATH];
	double			 ready[2][START_MAX_RUNS];
	double			 rss[2][START_MAX_RUNS], hwm[2][START_MAX_RUNS];
	double			 ver[2][START_MAX_RUNS];
	double			 vrss[2][START_MAX_RUNS];
	double			 vhwm[2][START_MAX_RUNS];
	double			 stopms[2][START_MAX_RUNS];
	double			 early[START_MAX_RUNS];
	double			 mem[2 * START_MAX_RUNS];
	uint64_t		 stop;
	unsigned		 run, k;
	int			 ch, ret = 1;
	static const char *const kname[2] = { "DB evicted", "warm cache" };

	memset(&o, 0, sizeof(o));
	o.attuned = BENCH_ATTUNED;
	o.entries = 100000;
	o.clients = 16;
	o.runs = 3;
	o.build_seconds = 300;
	while ((ch = getopt(argc, argv, "a:n:c:r:t:")) != -1) {
		switch (ch) {
		case 'a':
			o.attuned = optarg;
			break;
		case 'n':
			o.entries = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			o.clients = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o.runs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			o.build_seconds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (o.entries < 10 || o.entries > 10000000 || o.clients < 1 ||
	    o.clients > BENCH_MAX_CONNS || o.runs < 1 ||
	    o.runs > START_MAX_RUNS || o.build_seconds < 1 ||
	    o.build_seconds > 3600)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (!bench_executable(o.attuned)) {
		fprintf(stderr, "bench-start: no %s\n", o.attuned);
		return (1);
	}
	if (bench_mkdtemp(root, sizeof(root), "start") < 0) {
		fprintf(stderr, "bench-start: no temporary dir\n");
		return (1);
	}
	printf("bench-start: %u entries, %u runs of (evicted, warm) starts\n",
	    o.entries, o.runs);
	fflush(stdout);
	if (bench_daemon_start(&d, o.attuned, root, 30 * BENCH_NS,
	    NULL) < 0)
		goto out_rmtree;
	if (build_log(&o, d.sock) < 0) {
		bench_daemon_stop(&d, NULL);
		goto out_rmtree;
	}
	if (bench_daemon_stop(&d, &stop) < 0)
		goto out_rmtree;
	printf("first stop (SIGTERM to exit) took %.1f ms\n",
	    (double)stop / BENCH_MS);
	for (run = 0; run < o.runs; run++) {
		for (k = 0; k < 2; k++) {
			if (one_start(&o, root, k == 0, true, &sr) < 0)
				goto out_rmtree;
			ready[k][run] = sr.ready_ms;
			rss[k][run] = sr.rss_mb;
			hwm[k][run] = sr.hwm_mb;
			ver[k][run] = sr.verified_ms;
			vrss[k][run] = sr.vrss_mb;
			vhwm[k][run] = sr.vhwm_mb;
			stopms[k][run] = sr.stop_ms;
			printf("run %u, %s: ready %.1f ms (VmRSS %.1f MiB, "
			    "VmHWM %.1f MiB); verified ok %.0f ms (VmRSS %.1f "
			    "MiB, VmHWM %.1f MiB); stop %.1f ms\n", run + 1,
			    kname[k], sr.ready_ms, sr.rss_mb, sr.hwm_mb,
			    sr.verified_ms, sr.vrss_mb, sr.vhwm_mb,
			    sr.stop_ms);
			fflush(stdout);
		}
		if (one_start(&o, root, false, false, &sr) < 0)
			goto out_rmtree;
		early[run] = sr.stop_ms;
		printf("run %u, SIGTERM at first reply, verification running: "
		    "exit after %.1f ms\n", run + 1, sr.stop_ms);
		fflush(stdout);
	}
	bench_table_head();
	for (k = 0; k < 2; k++) {
		char	fig[128];

		snprintf(fig, sizeof(fig), "start to first status reply, %u "
		    "entries, %s", o.entries, kname[k]);
		bench_stat(&st, ready[k], o.runs);
		bench_table_row(fig, &st, 1, "ms", "<= 1000 ms",
		    st.med <= (double)START_TARGET_NS / BENCH_MS);
	}
	for (k = 0; k < 2; k++) {
		char	fig[128];

		snprintf(fig, sizeof(fig), "VmRSS at first reply, %s",
		    kname[k]);
		bench_stat(&st, rss[k], o.runs);
		bench_table_row(fig, &st, 1, "MiB", "<= 64 MiB",
		    st.med <= START_TARGET_KB / 1024.0);
		snprintf(fig, sizeof(fig), "VmHWM at first reply, %s",
		    kname[k]);
		bench_stat(&st, hwm[k], o.runs);
		bench_table_row(fig, &st, 1, "MiB", "<= 64 MiB",
		    st.med <= START_TARGET_KB / 1024.0);
	}
	for (run = 0; run < o.runs; run++) {
		mem[2 * run] = vrss[0][run];
		mem[2 * run + 1] = vrss[1][run];
	}
	bench_stat(&st, mem, 2 * o.runs);
	bench_table_row("VmRSS once verified ok (all starts)", &st, 1, "MiB",
	    "<= 64 MiB", st.med <= START_TARGET_KB / 1024.0);
	for (run = 0; run < o.runs; run++) {
		mem[2 * run] = vhwm[0][run];
		mem[2 * run + 1] = vhwm[1][run];
	}
	bench_stat(&st, mem, 2 * o.runs);
	bench_table_row("VmHWM once verified ok (all starts)", &st, 1, "MiB",
	    "<= 64 MiB", st.med <= START_TARGET_KB / 1024.0);
	for (k = 0; k < 2; k++) {
		char	fig[128];

		snprintf(fig, sizeof(fig), "start to verified \"ok\", %s",
		    kname[k]);
		bench_stat(&st, ver[k], o.runs);
		bench_table_row(fig, &st, 0, "ms", NULL, -1);
	}
	for (run = 0; run < o.runs; run++) {
		mem[2 * run] = stopms[0][run];
		mem[2 * run + 1] = stopms[1][run];
	}
	bench_stat(&st, mem, 2 * o.runs);
	bench_table_row("SIGTERM to exit, verification done", &st, 1, "ms",
	    NULL, -1);
	bench_stat(&st, early, o.runs);
	bench_table_row("SIGTERM to exit, verification running", &st, 1, "ms",
	    NULL, -1);
	ret = 0;
out_rmtree:
	bench_rmtree(root);
	return (ret);
}
