/*
 * bench.c: the benchmark harness of bench.h. Owns the child processes it
 * starts (attuned, redis-server, clients), the temporary directories they
 * use and the client side of the lock-step load. It never reads or writes
 * the daemon's files; it only talks to the daemon over its socket, and
 * every wait here has a deadline.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "frame.h"
#include "mp.h"

#define BENCH_READ_CHUNK	65536
#define BENCH_REPLY_GRACE_NS	(30 * BENCH_NS)	/* per outstanding reply */
#define BENCH_POLL_STEP_NS	(200 * 1000ULL)	/* readiness probes */

struct bench_conn {
	int			 fd;
	struct frame_reader	 fr;
	uint8_t			*out;		/* this connection's request */
	size_t			 out_len;
	size_t			 out_off;	/* bytes sent of out */
	uint32_t		 msgid;
	uint64_t		 sent_ns;
	bool			 waiting;	/* a reply is due */
	size_t			 resp_have;	/* RESP: bytes of "+PONG\r\n" */
};

static int	bench_rmtree_cb(const char *, const struct stat *, int,
		    struct FTW *);
static int	bench_reply_check(const uint8_t *, size_t, uint32_t,
		    char *, size_t);
static int	bench_conn_send(struct bench_conn *, bool, uint64_t now);
static int	bench_conn_flush(struct bench_conn *);
static int	bench_conn_next(struct bench_conn *, bool resp,
		    const uint8_t **, size_t *);
static int	bench_cmp_u64(const void *, const void *);
static int	bench_cmp_double(const void *, const void *);
static int	bench_probe_status(const char *sock, int timeout_ms);
static int	bench_redis_ping(const char *sock);
static int	bench_stat_cpu(const char *path, uint64_t *cpu_us);

uint64_t
bench_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * BENCH_NS + (uint64_t)ts.tv_nsec);
}

void
bench_sleep_ns(uint64_t ns)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(ns / BENCH_NS);
	ts.tv_nsec = (long)(ns % BENCH_NS);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Make a private directory for one run. It lives on a disk-backed
 * filesystem ($BENCH_DIR, else /var/tmp) because the append figures are
 * about fsync: tmpfs would make them meaningless. Return 0 or -errno.
 */
int
bench_mkdtemp(char *out, size_t size, const char *tag)
{
	const char	*base = getenv("BENCH_DIR");

	if (base == NULL || *base == '\0')
		base = "/var/tmp";
	if ((size_t)snprintf(out, size, "%s/attune-%s-XXXXXX", base, tag) >=
	    size)
		return (-ENAMETOOLONG);
	if (mkdtemp(out) == NULL)
		return (-errno);
	return (0);
}

static int
bench_rmtree_cb(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	remove(path);
	return (0);
}

void
bench_rmtree(const char *dir)
{
	if (dir == NULL || dir[0] == '\0' || getenv("BENCH_KEEP") != NULL)
		return;
	nftw(dir, bench_rmtree_cb, 16, FTW_DEPTH | FTW_PHYS);
}

bool
bench_executable(const char *path)
{
	return (path != NULL && access(path, X_OK) == 0);
}

/*
 * Start argv[0] with stdin from /dev/null and stdout and stderr to
 * out_path (NULL: /dev/null). Return 0 or -errno.
 */
int
bench_spawn(char *const argv[], const char *out_path, pid_t *pid)
{
	int	in, out;

	fflush(NULL);
	if ((*pid = fork()) == -1)
		return (-errno);
	if (*pid > 0)
		return (0);
	in = open("/dev/null", O_RDONLY);
	out = open(out_path != NULL ? out_path : "/dev/null",
	    O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (in == -1 || out == -1)
		_exit(126);
	dup2(in, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	if (in > STDERR_FILENO)
		close(in);
	if (out > STDERR_FILENO)
		close(out);
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], argv);
	_exit(127);
}

/*
 * Wait for pid at most timeout_ns, then SIGKILL it and reap it. Return 0
 * with *status set, or -ETIMEDOUT (killed) or another -errno.
 */
int
bench_wait(pid_t pid, uint64_t timeout_ns, int *status)
{
	uint64_t	deadline = bench_now_ns() + timeout_ns;
	unsigned	i;
	pid_t		r;

	for (i = 0;; i++) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return (0);
		if (r == -1 && errno != EINTR)
			return (-errno);
		if (bench_now_ns() > deadline)
			break;
		/* Spin briefly first: most children here live ~1 ms. */
		if (i > 200)
			bench_sleep_ns(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return (-ETIMEDOUT);
}

/* Run argv to completion, output discarded. Return its exit status. */
int
bench_run(char *const argv[], uint64_t timeout_ns)
{
	pid_t	pid;
	int	rc, status;

	if ((rc = bench_spawn(argv, NULL, &pid)) < 0)
		return (rc);
	if ((rc = bench_wait(pid, timeout_ns, &status)) < 0)
		return (rc);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

/*
 * Run argv to completion with its stdout in out (NUL-terminated, cut at
 * size). Return its exit status or -errno.
 */
int
bench_run_capture(char *const argv[], char *out, size_t size,
    uint64_t timeout_ns)
{
	struct pollfd	pfd;
	uint64_t	deadline = bench_now_ns() + timeout_ns;
	size_t		len = 0;
	ssize_t		n;
	pid_t		pid;
	int		p[2], status, rc, null;

	if (pipe2(p, O_CLOEXEC) == -1)
		return (-errno);
	fflush(NULL);
	if ((pid = fork()) == -1) {
		rc = -errno;
		close(p[0]);
		close(p[1]);
		return (rc);
	}
	if (pid == 0) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(null, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (bench_now_ns() < deadline) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(p[0], out + len, size - 1 - len);
		if (n <= 0 && !(n == -1 && errno == EINTR))
			break;
		if (n > 0)
			len += (size_t)n;
		if (len == size - 1)
			break;
	}
	out[len] = '\0';
	close(p[0]);
	if ((rc = bench_wait(pid, deadline > bench_now_ns() ?
	    deadline - bench_now_ns() : 0, &status)) < 0)
		return (rc);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

/* Connect to a Unix socket (blocking fd). Return the fd or -errno. */
int
bench_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, saved_errno;

	if (strlen(path) >= sizeof(sun.sun_path))
		return (-ENAMETOOLONG);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-errno);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved_errno = errno;
		close(fd);
		return (-saved_errno);
	}
	return (fd);
}

/*
 * Begin a request frame [0, msgid, method, params]; the caller packs the
 * params array with r->pk, then calls bench_req_end.
 */
void
bench_req_init(struct bench_req *r, enum rpc_method m)
{
	msgpack_sbuffer_init(&r->sb);
	msgpack_packer_init(&r->pk, &r->sb, msgpack_sbuffer_write);
	frame_begin(&r->sb);
	msgpack_pack_array(&r->pk, 4);
	msgpack_pack_uint32(&r->pk, RPC_REQUEST);
	msgpack_pack_fix_uint32(&r->pk, 0);
	mp_pack_cstr(&r->pk, proto_method_name(m));
}

int
bench_req_end(struct bench_req *r)
{
	return (frame_end(&r->sb, PROTO_MAX_REQUEST));
}

void
bench_req_finish(struct bench_req *r)
{
	msgpack_sbuffer_destroy(&r->sb);
}

void
bench_req_set_msgid(uint8_t *frame, uint32_t msgid)
{
	uint8_t	*p = frame + BENCH_REQ_MSGID_OFF;

	p[0] = (uint8_t)(msgid >> 24);
	p[1] = (uint8_t)(msgid >> 16);
	p[2] = (uint8_t)(msgid >> 8);
	p[3] = (uint8_t)msgid;
}

/*
 * Send one frame on a blocking fd and read one reply frame within
 * timeout_ms. Return 0 with *body set (OUT: caller frees) or -errno.
 */
int
bench_call(int fd, const uint8_t *frame, size_t len, int timeout_ms,
    uint8_t **body, size_t *body_len)
{
	struct frame_reader	 fr;
	struct pollfd		 pfd;
	const uint8_t		*b;
	uint64_t		 deadline;
	size_t			 off = 0, blen;
	ssize_t			 n;
	int			 rc = -ETIMEDOUT;

	*body = NULL;
	while (off < len) {
		if ((n = write(fd, frame + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			return (-errno);
		}
		off += (size_t)n;
	}
	frame_reader_init(&fr, PROTO_MAX_FRAME);
	deadline = bench_now_ns() + (uint64_t)timeout_ms * BENCH_MS;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (bench_now_ns() < deadline) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((rc = bench_frame_read(fd, &fr)) < 0)
			break;
		if ((rc = frame_reader_next(&fr, &b, &blen)) < 0) {
			rc = -EPROTO;
			break;
		}
		if (rc == 0) {
			rc = -ETIMEDOUT;
			continue;
		}
		if ((*body = malloc(blen)) == NULL) {
			rc = -ENOMEM;
			break;
		}
		memcpy(*body, b, blen);
		*body_len = blen;
		rc = 0;
		break;
	}
	frame_reader_finish(&fr);
	return (rc);
}

/*
 * One call on a fresh connection; the reply must not be an error. Return
 * 0, or -1 with err set.
 */
int
bench_call_ok(const char *sock, struct bench_req *r, char *err,
    size_t errsize)
{
	uint8_t	*body = NULL;
	size_t	 len;
	int	 fd, rc;

	if ((fd = bench_connect(sock)) < 0) {
		snprintf(err, errsize, "connect %s: %s", sock, strerror(-fd));
		return (-1);
	}
	bench_req_set_msgid((uint8_t *)r->sb.data, 1);
	rc = bench_call(fd, (uint8_t *)r->sb.data, r->sb.size, 30000, &body,
	    &len);
	close(fd);
	if (rc < 0) {
		snprintf(err, errsize, "call: %s", strerror(-rc));
		return (-1);
	}
	rc = bench_reply_check(body, len, 1, err, errsize);
	free(body);
	return (rc);
}

/*
 * Send r on fd, renumbered with a fresh msgid, and decode its reply into
 * up and *msg (whose objects point into *body). The reply must answer r
 * without an error. Return 0, or -1 with err set (nothing to free). OUT:
 * on success the caller frees *body and destroys up.
 */
int
bench_call_result(int fd, struct bench_req *r, int timeout_ms,
    uint8_t **body, msgpack_unpacked *up, struct rpc_msg *msg, char *err,
    size_t errsize)
{
	static uint32_t	msgid = 1000;
	size_t		len;
	int		rc;

	bench_req_set_msgid((uint8_t *)r->sb.data, ++msgid);
	if ((rc = bench_call(fd, (uint8_t *)r->sb.data, r->sb.size,
	    timeout_ms, body, &len)) < 0) {
		snprintf(err, errsize, "call: %s", strerror(-rc));
		return (-1);
	}
	msgpack_unpacked_init(up);
	if ((rc = rpc_decode(*body, len, up, msg)) < 0)
		snprintf(err, errsize, "undecodable reply: %s",
		    proto_strerror(rc));
	else if (msg->kind != RPC_RESPONSE || msg->msgid != msgid)
		snprintf(err, errsize, "reply %u to request %u", msg->msgid,
		    msgid);
	else if (msg->err_code != 0)
		snprintf(err, errsize, "error %lld: %.*s",
		    (long long)msg->err_code, (int)msg->err_len,
		    msg->err_msg != NULL ? msg->err_msg : "");
	else
		return (0);
	msgpack_unpacked_destroy(up);
	free(*body);
	*body = NULL;
	return (-1);
}

/*
 * Ask status on fd; copy verified.state to state and the entry count to
 * *entries. Return 0 or -1.
 */
int
bench_status_verified(int fd, char *state, size_t size, uint64_t *entries)
{
	static uint32_t		 msgid;
	struct bench_req	 r;
	struct rpc_msg		 msg;
	msgpack_unpacked	 up;
	const msgpack_object	*v, *s;
	uint8_t			*body = NULL;
	size_t			 len;
	int			 rc = -1;

	bench_req_init(&r, RPC_M_STATUS);
	msgpack_pack_array(&r.pk, 0);
	bench_req_end(&r);
	bench_req_set_msgid((uint8_t *)r.sb.data, ++msgid);
	if (bench_call(fd, (uint8_t *)r.sb.data, r.sb.size, 30000, &body,
	    &len) < 0) {
		bench_req_finish(&r);
		return (-1);
	}
	bench_req_finish(&r);
	msgpack_unpacked_init(&up);
	if (rpc_decode(body, len, &up, &msg) == 0 &&
	    msg.kind == RPC_RESPONSE && msg.err_code == 0 &&
	    msg.msgid == msgid && msg.result->type == MSGPACK_OBJECT_MAP &&
	    (v = mp_map_get(msg.result, "verified")) != NULL &&
	    v->type == MSGPACK_OBJECT_MAP &&
	    (s = mp_map_get(v, "state")) != NULL &&
	    s->type == MSGPACK_OBJECT_STR &&
	    mp_get_uint(msg.result, "entries", entries) == MP_FOUND) {
		snprintf(state, size, "%.*s", (int)s->via.str.size,
		    s->via.str.ptr);
		rc = 0;
	}
	msgpack_unpacked_destroy(&up);
	free(body);
	return (rc);
}

/* Connect and get one status reply within timeout_ms. Return 0 or -1. */
static int
bench_probe_status(const char *sock, int timeout_ms)
{
	struct bench_req	 r;
	uint8_t			*body = NULL;
	size_t			 len;
	int			 fd, rc;

	if ((fd = bench_connect(sock)) < 0)
		return (-1);
	bench_req_init(&r, RPC_M_STATUS);
	msgpack_pack_array(&r.pk, 0);
	bench_req_end(&r);
	bench_req_set_msgid((uint8_t *)r.sb.data, 1);
	rc = bench_call(fd, (uint8_t *)r.sb.data, r.sb.size, timeout_ms,
	    &body, &len);
	bench_req_finish(&r);
	close(fd);
	if (rc == 0)
		rc = bench_reply_check(body, len, 1, NULL, 0);
	free(body);
	return (rc < 0 ? -1 : 0);
}

/*
 * Start attuned in the foreground with its data and socket under root and
 * wait until its socket answers a status request. *ready_ns is the time
 * from just before fork to that answer. Return 0 or -1 (reported).
 */
int
bench_daemon_start(struct bench_daemon *d, const char *attuned,
    const char *root, uint64_t timeout_ns, uint64_t *ready_ns)
{
	/* Unix socket only: no peer listener, no LAN beacons. */
	static const char *const	extra[] = {
		"--listen=off", "--no-discovery", NULL
	};

	return (bench_daemon_start_args(d, attuned, root, extra, timeout_ns,
	    ready_ns));
}

/*
 * bench_daemon_start with the options after "-f -d DIR -s SOCK" taken
 * from extra (NULL-terminated, at most BENCH_MAX_EXTRA), in place of
 * "--listen=off --no-discovery". Return 0 or -1 (reported).
 */
int
bench_daemon_start_args(struct bench_daemon *d, const char *attuned,
    const char *root, const char *const *extra, uint64_t timeout_ns,
    uint64_t *ready_ns)
{
	char		*argv[6 + BENCH_MAX_EXTRA + 1];
	uint64_t	 t0, deadline;
	pid_t		 r;
	size_t		 i;
	int		 status;

	memset(d, 0, sizeof(*d));
	snprintf(d->root, sizeof(d->root), "%s", root);
	snprintf(d->data_dir, sizeof(d->data_dir), "%s/data", root);
	snprintf(d->diag, sizeof(d->diag), "%s/attuned.diag", root);
	if ((size_t)snprintf(d->sock, sizeof(d->sock), "%s/run/attuned.sock",
	    root) >= sizeof(d->sock)) {
		fprintf(stderr, "bench: socket path too long under %s\n", root);
		return (-1);
	}
	argv[0] = (char *)attuned;
	argv[1] = (char *)"-f";
	argv[2] = (char *)"-d";
	argv[3] = d->data_dir;
	argv[4] = (char *)"-s";
	argv[5] = d->sock;
	for (i = 0; extra[i] != NULL; i++) {
		if (i == BENCH_MAX_EXTRA) {
			fprintf(stderr, "bench: too many daemon options\n");
			return (-1);
		}
		argv[6 + i] = (char *)extra[i];
	}
	argv[6 + i] = NULL;
	t0 = bench_now_ns();
	if (bench_spawn(argv, d->diag, &d->pid) < 0) {
		fprintf(stderr, "bench: cannot start %s\n", attuned);
		return (-1);
	}
	deadline = t0 + timeout_ns;
	while (bench_now_ns() < deadline) {
		if (bench_probe_status(d->sock, 30000) == 0) {
			if (ready_ns != NULL)
				*ready_ns = bench_now_ns() - t0;
			if (getenv("BENCH_VERBOSE") != NULL)
				fprintf(stderr, "bench: attuned pid %ld in "
				    "%s\n", (long)d->pid, d->root);
			return (0);
		}
		r = waitpid(d->pid, &status, WNOHANG);
		if (r == d->pid) {
			fprintf(stderr, "bench: attuned exited during start "
			    "(see %s)\n", d->diag);
			d->pid = 0;
			return (-1);
		}
		bench_sleep_ns(BENCH_POLL_STEP_NS);
	}
	fprintf(stderr, "bench: attuned not ready after %llu ms\n",
	    (unsigned long long)(timeout_ns / BENCH_MS));
	bench_daemon_stop(d, NULL);
	return (-1);
}

/*
 * SIGTERM and reap (SIGKILL after 60 s). *stop_ns is how long the orderly
 * shutdown took. Return 0 if it exited with status 0, else -1.
 */
int
bench_daemon_stop(struct bench_daemon *d, uint64_t *stop_ns)
{
	uint64_t	t0;
	int		status, rc;

	if (d->pid <= 0)
		return (-1);
	t0 = bench_now_ns();
	kill(d->pid, SIGTERM);
	rc = bench_wait(d->pid, 60 * BENCH_NS, &status);
	if (stop_ns != NULL)
		*stop_ns = bench_now_ns() - t0;
	d->pid = 0;
	if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: attuned did not stop cleanly "
		    "(see %s)\n", d->diag);
		return (-1);
	}
	return (0);
}

/* VmRSS and VmHWM of pid, in KiB. Return 0 or -1. */
int
bench_proc_mem(pid_t pid, uint64_t *rss_kb, uint64_t *hwm_kb)
{
	char		 path[64], line[256];
	FILE		*f;
	int		 found = 0;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %lu", (unsigned long *)rss_kb) == 1)
			found |= 1;
		if (sscanf(line, "VmHWM: %lu", (unsigned long *)hwm_kb) == 1)
			found |= 2;
	}
	fclose(f);
	return (found == 3 ? 0 : -1);
}

/*
 * CPU time (user + system, every thread) and bytes sent to the block
 * layer (write_bytes) of pid so far. Return 0 or -1.
 */
int
bench_proc_usage(pid_t pid, uint64_t *cpu_us, uint64_t *wbytes)
{
	char			 path[64], buf[256];
	unsigned long long	 wb;
	FILE			*f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (bench_stat_cpu(path, cpu_us) < 0)
		return (-1);
	snprintf(path, sizeof(path), "/proc/%ld/io", (long)pid);
	*wbytes = 0;
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(buf, sizeof(buf), f) != NULL) {
			if (sscanf(buf, "write_bytes: %llu", &wb) == 1)
				*wbytes = wb;
		}
		fclose(f);
	}
	return (0);
}

/*
 * The /proc/PID/task/TID directory of pid's thread named name (as top -H
 * shows it) into dir. Return 0, or -1 if there is no such thread.
 */
static int
bench_thread_dir(pid_t pid, const char *name, char *dir, size_t size)
{
	char		 task[64], path[64 + 256 + 8], comm[64];
	struct dirent	*de;
	DIR		*d;
	FILE		*f;
	int		 ret = -1;

	snprintf(task, sizeof(task), "/proc/%ld/task", (long)pid);
	if ((d = opendir(task)) == NULL)
		return (-1);
	while (ret < 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", task, de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL) {
			comm[strcspn(comm, "\n")] = '\0';
			if (strcmp(comm, name) == 0 &&
			    (size_t)snprintf(dir, size, "%s/%s", task,
			    de->d_name) < size)
				ret = 0;
		}
		fclose(f);
	}
	closedir(d);
	return (ret);
}

/*
 * CPU time of pid's thread named name, and from its schedstat (where the
 * kernel keeps one) the time it was ready to run but waited for a core.
 * Return 0, or -1 if there is no such thread.
 */
int
bench_thread_times(pid_t pid, const char *name, struct bench_thread *t)
{
	char			 dir[512], path[512 + 16];
	unsigned long long	 wait;
	FILE			*f;

	memset(t, 0, sizeof(*t));
	if (bench_thread_dir(pid, name, dir, sizeof(dir)) < 0)
		return (-1);
	snprintf(path, sizeof(path), "%s/stat", dir);
	if (bench_stat_cpu(path, &t->cpu_us) < 0)
		return (-1);
	snprintf(path, sizeof(path), "%s/schedstat", dir);
	if ((f = fopen(path, "r")) != NULL) {
		/* Time on a core, then time waiting for one (ns). */
		if (fscanf(f, "%*u %llu", &wait) == 1) {
			t->wait_ns = wait;
			t->has_sched = true;
		}
		fclose(f);
	}
	return (0);
}

/* utime + stime of a /proc stat file, in microseconds; 0 or -1. */
static int
bench_stat_cpu(const char *path, uint64_t *cpu_us)
{
	char			 buf[1024], *p;
	unsigned long long	 ut, st;
	long			 hz = sysconf(_SC_CLK_TCK);
	FILE			*f;
	int			 ok = 0;

	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	/* Fields 14 and 15, counted after the ")" that ends the name. */
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
	    "%llu", &ut, &st) == 2 && hz > 0) {
		*cpu_us = (ut + st) * 1000000ULL / (unsigned long long)hz;
		ok = 1;
	}
	fclose(f);
	return (ok ? 0 : -1);
}

/*
 * CPU time every core of the machine spent busy (all but idle and
 * iowait), in microseconds, from /proc/stat. Return 0 or -1.
 */
int
bench_machine_busy(uint64_t *busy_us)
{
	unsigned long long	 v[8];
	long			 hz = sysconf(_SC_CLK_TCK);
	FILE			*f;
	int			 n;

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return (-1);
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8 || hz <= 0)
		return (-1);
	/* user nice system idle iowait irq softirq steal */
	*busy_us = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1000000ULL /
	    (unsigned long long)hz;
	return (0);
}

/* This process's own CPU time (all threads), in microseconds. */
uint64_t
bench_self_cpu(void)
{
	struct rusage	ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return (0);
	return ((uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	    1000000ULL + (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec));
}

/* One call of method with params [{t?: t, name: name}]; 0 or -1 (reported). */
static int
bench_call_named(const char *sock, enum rpc_method m, const char *t,
    const char *name)
{
	struct bench_req	r;
	char			err[256];
	int			rc;

	bench_req_init(&r, m);
	msgpack_pack_array(&r.pk, 1);
	msgpack_pack_map(&r.pk, t != NULL ? 2 : 1);
	if (t != NULL)
		mp_pack_kv_str(&r.pk, "t", t);
	mp_pack_kv_str(&r.pk, "name", name);
	bench_req_end(&r);
	rc = bench_call_ok(sock, &r, err, sizeof(err));
	bench_req_finish(&r);
	if (rc < 0)
		fprintf(stderr, "bench: %s: %s\n", t != NULL ? t : "init",
		    err);
	return (rc);
}

/* init [{name: "Alex"}], then a kid.add of "Kid". Return 0 or -1. */
int
bench_family(const char *sock)
{
	if (bench_call_named(sock, RPC_M_INIT, NULL, "Alex") < 0 ||
	    bench_call_named(sock, RPC_M_APPEND, "kid.add", "Kid") < 0)
		return (-1);
	return (0);
}

/* append [{t: checkin, who: "Kid", feeling: "happy", intensity: 3}] */
void
bench_checkin_req(struct bench_req *r)
{
	bench_req_init(r, RPC_M_APPEND);
	msgpack_pack_array(&r->pk, 1);
	msgpack_pack_map(&r->pk, 4);
	mp_pack_kv_str(&r->pk, "t", "checkin");
	mp_pack_kv_str(&r->pk, "who", "Kid");
	mp_pack_kv_str(&r->pk, "feeling", "happy");
	mp_pack_kv_uint(&r->pk, "intensity", 3);
	bench_req_end(r);
}

/*
 * A log of entries in all: the family, then checkins from clients
 * lock-step clients, in at most seconds. res says how it went. Return 0
 * or -1 (reported).
 */
int
bench_build_log(const char *sock, unsigned entries, unsigned clients,
    unsigned seconds, struct bench_result *res)
{
	struct bench_req	r;
	struct bench_load	ld;
	int			rc;

	memset(res, 0, sizeof(*res));
	if (entries < 3 || bench_family(sock) < 0)
		return (-1);
	bench_checkin_req(&r);
	memset(&ld, 0, sizeof(ld));
	ld.sock = sock;
	ld.req = (const uint8_t *)r.sb.data;
	ld.req_len = r.sb.size;
	ld.nconns = clients;
	ld.max_requests = entries - 2;
	ld.max_ns = (uint64_t)seconds * BENCH_NS;
	rc = bench_lockstep(&ld, res);
	bench_req_finish(&r);
	if (rc < 0 || res->errors > 0 || res->done != ld.max_requests) {
		fprintf(stderr, "bench: build stopped at %llu entries%s%s\n",
		    (unsigned long long)res->done, res->errors > 0 ? ": " : "",
		    res->first_error);
		return (-1);
	}
	return (0);
}

/* An inline PING on a fresh connection; 0 once "+PONG" comes back. */
static int
bench_redis_ping(const char *sock)
{
	struct pollfd	pfd;
	char		buf[64];
	ssize_t		n;
	int		fd, rc = -1;

	if ((fd = bench_connect(sock)) < 0)
		return (-1);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (write(fd, "PING\r\n", 6) == 6 && poll(&pfd, 1, 5000) == 1 &&
	    (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		rc = strncmp(buf, "+PONG", 5) == 0 ? 0 : -1;
	}
	close(fd);
	return (rc);
}

/*
 * Start redis-server on root/redis.sock, no TCP port, no persistence.
 * Return 0 once it answers PING, or -1 (reported).
 */
int
bench_redis_start(struct bench_redis *r, const char *server,
    const char *root)
{
	char		*argv[16];
	uint64_t	 deadline;
	int		 i = 0, status;

	memset(r, 0, sizeof(*r));
	snprintf(r->sock, sizeof(r->sock), "%s/redis.sock", root);
	snprintf(r->log, sizeof(r->log), "%s/redis.log", root);
	argv[i++] = (char *)server;
	argv[i++] = (char *)"--port";
	argv[i++] = (char *)"0";
	argv[i++] = (char *)"--unixsocket";
	argv[i++] = r->sock;
	argv[i++] = (char *)"--save";
	argv[i++] = (char *)"";
	argv[i++] = (char *)"--appendonly";
	argv[i++] = (char *)"no";
	argv[i++] = (char *)"--daemonize";
	argv[i++] = (char *)"no";
	argv[i] = NULL;
	if (bench_spawn(argv, r->log, &r->pid) < 0) {
		fprintf(stderr, "bench: cannot start %s\n", server);
		return (-1);
	}
	deadline = bench_now_ns() + 10 * BENCH_NS;
	while (bench_now_ns() < deadline) {
		if (bench_redis_ping(r->sock) == 0)
			return (0);
		if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
			fprintf(stderr, "bench: redis-server exited (see %s)\n",
			    r->log);
			r->pid = 0;
			return (-1);
		}
		bench_sleep_ns(BENCH_POLL_STEP_NS);
	}
	fprintf(stderr, "bench: redis-server not ready (see %s)\n", r->log);
	bench_redis_stop(r);
	return (-1);
}

void
bench_redis_stop(struct bench_redis *r)
{
	int	status;

	if (r->pid <= 0)
		return;
	kill(r->pid, SIGTERM);
	bench_wait(r->pid, 10 * BENCH_NS, &status);
	r->pid = 0;
}

/*
 * Check a response body for msgid: the common success shape
 * [1, msgid, nil, ...] is recognised from its first bytes, as
 * redis-benchmark only looks at the reply type; anything else is decoded
 * in full to report it. Return 0 (success) or -1 with err set.
 */
static int
bench_reply_check(const uint8_t *b, size_t len, uint32_t msgid, char *err,
    size_t errsize)
{
	struct rpc_msg		msg;
	msgpack_unpacked	up;
	uint32_t		id;
	size_t			off;
	int			rc;

	if (len >= 4 && b[0] == 0x94 && b[1] == RPC_RESPONSE) {
		if (b[2] <= 0x7f) {
			id = b[2];
			off = 3;
		} else if (b[2] == 0xcc && len >= 5) {
			id = b[3];
			off = 4;
		} else if (b[2] == 0xcd && len >= 6) {
			id = (uint32_t)b[3] << 8 | b[4];
			off = 5;
		} else if (b[2] == 0xce && len >= 8) {
			id = (uint32_t)b[3] << 24 | (uint32_t)b[4] << 16 |
			    (uint32_t)b[5] << 8 | b[6];
			off = 7;
		} else
			off = len;
		if (off < len && id == msgid && b[off] == 0xc0)
			return (0);
	}
	msgpack_unpacked_init(&up);
	rc = rpc_decode(b, len, &up, &msg);
	if (err != NULL) {
		if (rc < 0)
			snprintf(err, errsize, "undecodable reply: %s",
			    proto_strerror(rc));
		else if (msg.kind != RPC_RESPONSE || msg.msgid != msgid)
			snprintf(err, errsize, "reply %u to request %u",
			    msg.msgid, msgid);
		else
			snprintf(err, errsize, "error %lld: %.*s",
			    (long long)msg.err_code, (int)msg.err_len,
			    msg.err_msg != NULL ? msg.err_msg : "");
	}
	msgpack_unpacked_destroy(&up);
	return (-1);
}

/* Renumber and send this connection's request. Return 0 or -errno. */
static int
bench_conn_send(struct bench_conn *c, bool resp, uint64_t now)
{
	if (!resp)
		bench_req_set_msgid(c->out, ++c->msgid);
	c->out_off = 0;
	c->sent_ns = now;
	c->waiting = true;
	return (bench_conn_flush(c));
}

/* Write what is left of the request; a full socket leaves the rest. */
static int
bench_conn_flush(struct bench_conn *c)
{
	ssize_t	n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return (0);
			return (-errno);
		}
		c->out_off += (size_t)n;
	}
	return (0);
}

/*
 * One read from fd into its frame reader fr. Return 0 or -errno (EOF:
 * -EPIPE).
 */
int
bench_frame_read(int fd, struct frame_reader *fr)
{
	uint8_t	*space;
	size_t	 avail;
	ssize_t	 n;

	if (frame_reader_reserve(fr, BENCH_READ_CHUNK, &space, &avail) < 0)
		return (-EMSGSIZE);
	n = read(fd, space, avail);
	if (n == 0)
		return (-EPIPE);
	if (n == -1)
		return (errno == EAGAIN || errno == EINTR ? 0 : -errno);
	frame_reader_commit(fr, (size_t)n);
	return (0);
}

/*
 * The next whole reply held, like frame_reader_next: 1 and *body set, 0
 * when none is whole yet, negative on a protocol error. In RESP mode (a
 * control run against redis-server with this same driver) a reply is the
 * 7 bytes "+PONG\r\n".
 */
static int
bench_conn_next(struct bench_conn *c, bool resp, const uint8_t **body,
    size_t *len)
{
	static const uint8_t	 ok[] = { 0x94, RPC_RESPONSE, 0, 0xc0 };
	const uint8_t		*b;
	size_t			 n;

	if (!resp)
		return (frame_reader_next(&c->fr, body, len));
	n = frame_reader_pending(&c->fr);
	if (n < 7)
		return (0);
	b = c->fr.buf + c->fr.off;
	if (n > 7 || memcmp(b, "+PONG\r\n", 7) != 0)
		return (-1);
	c->fr.off = c->fr.len = 0;
	/* Stand in a success reply for the shared checks. */
	*body = ok;
	*len = sizeof(ok);
	return (1);
}

/*
 * Drive nconns connections in lock-step from this one thread: each sends
 * its request, waits for the reply, and sends again, until max_requests
 * have been issued or max_ns has passed; then the outstanding replies are
 * collected. The clock starts after every connection is open. Return 0,
 * or -1 when the load could not run at all (reported); error replies are
 * counted in res, not fatal.
 */
int
bench_lockstep(const struct bench_load *ld, struct bench_result *res)
{
	struct bench_conn	*conns;
	struct pollfd		*pfds;
	const uint8_t		*body;
	uint64_t		 t0, now, issued = 0, outstanding = 0;
	uint64_t		 last_progress;
	size_t			 blen;
	unsigned		 i, n = ld->nconns;
	int			 rc, fd, ret = -1;
	bool			 more;

	memset(res, 0, sizeof(*res));
	if (n == 0 || n > BENCH_MAX_CONNS || ld->max_requests == 0)
		return (-1);
	conns = calloc(n, sizeof(*conns));
	pfds = calloc(n, sizeof(*pfds));
	if (conns == NULL || pfds == NULL)
		goto out;
	for (i = 0; i < n; i++)
		conns[i].fd = -1;
	for (i = 0; i < n; i++) {
		if ((fd = bench_connect(ld->sock)) < 0) {
			fprintf(stderr, "bench: connect %u: %s\n", i,
			    strerror(-fd));
			goto out;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		conns[i].fd = fd;
		frame_reader_init(&conns[i].fr, PROTO_MAX_FRAME);
		if ((conns[i].out = malloc(ld->req_len)) == NULL)
			goto out;
		memcpy(conns[i].out, ld->req, ld->req_len);
		conns[i].out_len = ld->req_len;
		conns[i].msgid = i * 1000000U;
		pfds[i].fd = fd;
	}
	t0 = last_progress = bench_now_ns();
	for (i = 0; i < n && issued < ld->max_requests; i++) {
		if (bench_conn_send(&conns[i], ld->resp_ping,
		    bench_now_ns()) < 0)
			goto out;
		issued++;
		outstanding++;
	}
	while (outstanding > 0) {
		for (i = 0; i < n; i++) {
			pfds[i].events = POLLIN;
			if (conns[i].out_off < conns[i].out_len)
				pfds[i].events |= POLLOUT;
			pfds[i].revents = 0;
		}
		if (poll(pfds, n, 100) == -1 && errno != EINTR)
			goto out;
		now = bench_now_ns();
		if (now - last_progress > BENCH_REPLY_GRACE_NS) {
			fprintf(stderr, "bench: no reply for %llu s, giving "
			    "up\n", (unsigned long long)(BENCH_REPLY_GRACE_NS /
			    BENCH_NS));
			goto out;
		}
		more = issued < ld->max_requests && now - t0 < ld->max_ns;
		for (i = 0; i < n; i++) {
			struct bench_conn	*c = &conns[i];

			if (pfds[i].revents == 0)
				continue;
			if ((pfds[i].revents & POLLOUT) &&
			    (rc = bench_conn_flush(c)) < 0)
				goto err_conn;
			if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((rc = bench_frame_read(c->fd, &c->fr)) < 0)
				goto err_conn;
			while ((rc = bench_conn_next(c, ld->resp_ping, &body,
			    &blen)) == 1) {
				if (!c->waiting) {
					fprintf(stderr, "bench: unexpected "
					    "frame on connection %u\n", i);
					goto out;
				}
				if (bench_reply_check(body, blen,
				    ld->resp_ping ? 0 : c->msgid,
				    res->errors == 0 ? res->first_error : NULL,
				    sizeof(res->first_error)) < 0)
					res->errors++;
				if (ld->lat_ns != NULL &&
				    res->done < ld->max_requests)
					ld->lat_ns[res->done] = now -
					    c->sent_ns;
				res->done++;
				outstanding--;
				c->waiting = false;
				last_progress = now;
				if (more) {
					if ((rc = bench_conn_send(c,
					    ld->resp_ping, now)) < 0)
						goto err_conn;
					issued++;
					outstanding++;
					more = issued < ld->max_requests;
				}
			}
			if (rc < 0) {
				fprintf(stderr, "bench: bad frame on "
				    "connection %u\n", i);
				goto out;
			}
			continue;
err_conn:
			fprintf(stderr, "bench: connection %u: %s\n", i,
			    strerror(-rc));
			goto out;
		}
	}
	res->elapsed_ns = bench_now_ns() - t0;
	res->rate = (double)res->done * BENCH_NS / (double)res->elapsed_ns;
	ret = 0;
out:
	for (i = 0; conns != NULL && i < n; i++) {
		if (conns[i].fd != -1)
			close(conns[i].fd);
		frame_reader_finish(&conns[i].fr);
		free(conns[i].out);
	}
	free(conns);
	free(pfds);
	return (ret);
}

static int
bench_cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

static int
bench_cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

void
bench_sort_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_u64);
}

/* Nearest-rank percentile of sorted v (pct in 0..100). */
uint64_t
bench_pct_u64(const uint64_t *sorted, size_t n, double pct)
{
	size_t	rank;

	if (n == 0)
		return (0);
	rank = (size_t)(pct / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (sorted[rank - 1]);
}

void
bench_stat(struct bench_stat *st, const double *v, size_t n)
{
	double	*s;

	memset(st, 0, sizeof(*st));
	if (n == 0 || (s = malloc(n * sizeof(*s))) == NULL)
		return;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), bench_cmp_double);
	st->n = n;
	st->min = s[0];
	st->max = s[n - 1];
	st->med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
}

void
bench_table_head(void)
{
	printf("\n| figure | median | spread (min .. max) | runs | target | "
	    "verdict |\n|---|---:|---:|---:|---|---|\n");
}

/* One markdown row; verdict 1 PASS, 0 MISS, -1 none (for reference). */
void
bench_table_row(const char *figure, const struct bench_stat *st, int prec,
    const char *unit, const char *target, int verdict)
{
	printf("| %s | %.*f %s | %.*f .. %.*f | %zu | %s | %s |\n", figure,
	    prec, st->med, unit, prec, st->min, prec, st->max, st->n,
	    target != NULL ? target : "-",
	    verdict > 0 ? "PASS" : verdict == 0 ? "**MISS**" : "-");
}
