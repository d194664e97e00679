/*
 * bench.h: the harness shared by the attune benchmarks (tests/bench):
 * private temporary directories, starting and stopping attuned and
 * redis-server, msgpack-RPC connections driven in lock-step from one
 * thread with poll(2), child processes, clocks and statistics.
 *
 * A benchmark measures and prints; it must not change the daemon, and
 * every loop here is bounded both in count and in time. Only Unix sockets
 * are used here (bench-sync's daemons also listen on 127.0.0.1).
 */
#ifndef ATTUNE_BENCH_H
#define ATTUNE_BENCH_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "proto.h"
#include "rpc.h"

#define BENCH_PATH		512
#define BENCH_SUN_PATH		108
#define BENCH_NS		1000000000ULL
#define BENCH_MS		1000000ULL
#define BENCH_MAX_CONNS		256
#define BENCH_MAX_EXTRA		8	/* daemon options after -d, -s */

/* A daemon started by bench_daemon_start in a directory of its own. */
struct bench_daemon {
	pid_t	pid;
	char	root[BENCH_PATH];
	char	data_dir[BENCH_PATH];
	char	sock[BENCH_SUN_PATH];
	char	diag[BENCH_PATH];
};

/* A redis-server on a Unix socket only (--port 0), saving nothing. */
struct bench_redis {
	pid_t	pid;
	char	sock[BENCH_SUN_PATH];
	char	log[BENCH_PATH];
};

/*
 * A request frame built once and sent many times. The msgid is packed as
 * a fixed-width uint32 at BENCH_REQ_MSGID_OFF, so a copy can be renumbered
 * in place without packing again (as redis-benchmark reuses its buffer).
 */
#define BENCH_REQ_MSGID_OFF	7	/* 4 header, 0x94, 0x00, 0xce */
struct bench_req {
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
};

/* What bench_lockstep runs. */
struct bench_load {
	const char	*sock;
	const uint8_t	*req;		/* a frame from bench_req_end */
	size_t		 req_len;
	unsigned	 nconns;	/* 1 .. BENCH_MAX_CONNS */
	uint64_t	 max_requests;	/* stop issuing after this many */
	uint64_t	 max_ns;	/* or after this long */
	uint64_t	*lat_ns;	/* NULL, or max_requests slots */
	bool		 resp_ping;	/* req is a redis inline PING */
};

struct bench_result {
	uint64_t	done;		/* replies received */
	uint64_t	errors;		/* error replies among them */
	uint64_t	elapsed_ns;	/* first send to last reply */
	double		rate;		/* done per second */
	char		first_error[256];
};

/* Median and spread of the repeated runs of one figure. */
struct bench_stat {
	double	med;
	double	min;
	double	max;
	size_t	n;
};

/* One thread of a process, as far as /proc tells. */
struct bench_thread {
	uint64_t	cpu_us;		/* user + system */
	uint64_t	wait_ns;	/* ready, waiting for a core (schedstat) */
	bool		has_sched;	/* the kernel keeps schedstat */
};

uint64_t	bench_now_ns(void);
void		bench_sleep_ns(uint64_t);
int		bench_mkdtemp(char *out, size_t size, const char *tag);
void		bench_rmtree(const char *dir);
bool		bench_executable(const char *path);

int	bench_spawn(char *const argv[], const char *out_path, pid_t *pid);
int	bench_wait(pid_t pid, uint64_t timeout_ns, int *status);
int	bench_run(char *const argv[], uint64_t timeout_ns);
int	bench_run_capture(char *const argv[], char *out, size_t size,
	    uint64_t timeout_ns);

int	bench_daemon_start(struct bench_daemon *, const char *attuned,
	    const char *root, uint64_t timeout_ns, uint64_t *ready_ns);
int	bench_daemon_start_args(struct bench_daemon *, const char *attuned,
	    const char *root, const char *const *extra, uint64_t timeout_ns,
	    uint64_t *ready_ns);
int	bench_daemon_stop(struct bench_daemon *, uint64_t *stop_ns);
int	bench_proc_mem(pid_t pid, uint64_t *rss_kb, uint64_t *hwm_kb);
int	bench_proc_usage(pid_t pid, uint64_t *cpu_us, uint64_t *wbytes);
struct frame_reader;
int	bench_frame_read(int fd, struct frame_reader *);
int	bench_thread_times(pid_t pid, const char *name,
	    struct bench_thread *);
int	bench_machine_busy(uint64_t *busy_us);
uint64_t bench_self_cpu(void);

int	bench_redis_start(struct bench_redis *, const char *server,
	    const char *root);
void	bench_redis_stop(struct bench_redis *);

int	bench_connect(const char *path);
void	bench_req_init(struct bench_req *, enum rpc_method);
int	bench_req_end(struct bench_req *);
void	bench_req_finish(struct bench_req *);
void	bench_req_set_msgid(uint8_t *frame, uint32_t msgid);
int	bench_call(int fd, const uint8_t *frame, size_t len, int timeout_ms,
	    uint8_t **body, size_t *body_len);	/* OUT: caller frees body */
int	bench_call_ok(const char *sock, struct bench_req *, char *err,
	    size_t errsize);
int	bench_call_result(int fd, struct bench_req *, int timeout_ms,
	    uint8_t **body, msgpack_unpacked *, struct rpc_msg *, char *err,
	    size_t errsize);	/* OUT: caller frees body, destroys up */
int	bench_status_verified(int fd, char *state, size_t size,
	    uint64_t *entries);
int	bench_lockstep(const struct bench_load *, struct bench_result *);
int	bench_family(const char *sock);
void	bench_checkin_req(struct bench_req *);
int	bench_build_log(const char *sock, unsigned entries, unsigned clients,
	    unsigned seconds, struct bench_result *);

void	bench_sort_u64(uint64_t *, size_t);
uint64_t bench_pct_u64(const uint64_t *sorted, size_t n, double pct);
void	bench_stat(struct bench_stat *, const double *v, size_t n);
void	bench_table_head(void);
void	bench_table_row(const char *figure, const struct bench_stat *,
	    int prec, const char *unit, const char *target, int verdict);

#endif
