/*
 * main.c: attuned's entry point: options, the data directory lock,
 * daemonising, and the wiring of keys, event log and control socket onto
 * one libuv loop. The only file with main().
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon.h"
#include "diag.h"
#include "frame.h"
#include "paths.h"
#include "rpc-cmd.h"
#include "rpc.h"
#include "reminders.h"
#include "verify.h"

static noreturn void usage(FILE *, int);
static void	parse_args(struct daemon_config *, int, char **);
static int	check_hostport(const char *, long min_port);
static int	lock_data_dir(const char *, char **cause);
static int	start(struct daemon *, char **cause);
static int	start_peers(struct daemon *, char **cause);
static void	commit_cb(void *);
static void	signal_cb(uv_signal_t *, int);
static void	entry_cb(void *, const struct view_entry *);
static void	fork_cb(void *, const uint8_t *, size_t);
static void	shutdown_daemon(struct daemon *);
static void	close_walk_cb(uv_handle_t *, void *);
static int	daemonise(int *ready_fd);
static void	report_ready(int fd, const char *error);

static noreturn void
usage(FILE *f, int status)
{
	fprintf(f,
"usage: attuned [options]\n"
"\n"
"The attune daemon: keeps this device's copy of the family's encrypted,\n"
"signed event log and serves the attune clients on a Unix socket.\n"
"\n"
"  -d, --data-dir DIR     keys and log (default $XDG_DATA_HOME/attune)\n"
"  -s, --socket PATH      control socket\n"
"                         (default $XDG_RUNTIME_DIR/attune/attuned.sock)\n"
"  -f, --foreground       stay in the foreground, diagnostics on stderr\n"
"  -v, --verbose          more diagnostics (twice: debug)\n"
"      --listen ADDR:PORT where to accept peers (default [::]:47475;\n"
"                         PORT 0: one the system picks; \"off\": none)\n"
"      --peer HOST:PORT   a peer to sync with, repeatable\n"
"      --no-discovery     do not announce or listen for LAN beacons\n"
"      --notify CMD       run CMD with each reminder's text as its argument\n"
"                         (default $ATTUNE_NOTIFY; e.g. notify-send)\n"
"  -h, --help             this help\n"
"  -V, --version          print the version\n"
"\n"
"Without --foreground attuned detaches once its socket is ready and\n"
"writes diagnostics to DIR/attuned.diag.\n");
	exit(status);
}

/* s is HOST:PORT with PORT in [min_port, 65535]: 0 or -1. */
static int
check_hostport(const char *s, long min_port)
{
	char		host[64];
	uint16_t	port;

	return (peers_split_hostport(s, min_port, host, sizeof(host),
	    &port) < 0 ? -1 : 0);
}

static void
parse_args(struct daemon_config *cfg, int argc, char **argv)
{
	static const struct option	opts[] = {
		{ "data-dir", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "listen", required_argument, NULL, 'L' },
		{ "peer", required_argument, NULL, 'P' },
		{ "no-discovery", no_argument, NULL, 'N' },
		{ "notify", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int				ch;

	memset(cfg, 0, sizeof(*cfg));
	while ((ch = getopt_long(argc, argv, "d:s:fvhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			if (snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s",
			    optarg) >= (int)sizeof(cfg->data_dir))
				fatalx("--data-dir: path too long");
			break;
		case 's':
			if (snprintf(cfg->socket_path, sizeof(cfg->socket_path),
			    "%s", optarg) >= (int)sizeof(cfg->socket_path))
				fatalx("--socket: path too long (max %zu "
				    "bytes)", sizeof(cfg->socket_path) - 1);
			break;
		case 'f':
			cfg->foreground = true;
			break;
		case 'v':
			cfg->verbosity++;
			break;
		case 'L':
			/* Port 0: one the system chooses (status shows it). */
			if (strcmp(optarg, "off") != 0 &&
			    check_hostport(optarg, 0) < 0)
				fatalx("--listen: expected ADDR:PORT (PORT 0 to "
				    "65535) or off, not '%s'", optarg);
			snprintf(cfg->listen, sizeof(cfg->listen), "%s",
			    optarg);
			break;
		case 'P':
			if (check_hostport(optarg, 1) < 0)
				fatalx("--peer: expected HOST:PORT (PORT 1 to "
				    "65535), not '%s'", optarg);
			if (cfg->npeers == DAEMON_MAX_PEERS)
				fatalx("--peer: at most %d peers",
				    DAEMON_MAX_PEERS);
			cfg->peers[cfg->npeers++] = optarg;
			break;
		case 'N':
			cfg->no_discovery = true;
			break;
		case 'n':
			cfg->notify = optarg;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("attuned %s (protocol %d)\n", ATTUNE_VERSION,
			    PROTO_VERSION);
			exit(0);
		default:
			usage(stderr, 2);
		}
	}
	if (cfg->notify == NULL)
		cfg->notify = getenv("ATTUNE_NOTIFY");
	if (optind != argc) {
		fprintf(stderr, "attuned: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr, 2);
	}
	if (cfg->data_dir[0] == '\0' &&
	    paths_data_dir(cfg->data_dir, sizeof(cfg->data_dir)) < 0)
		fatalx("no data directory: set --data-dir, XDG_DATA_HOME or "
		    "HOME");
	if (cfg->socket_path[0] == '\0' &&
	    paths_socket(cfg->socket_path, sizeof(cfg->socket_path)) < 0)
		fatalx("default socket path too long: use --socket");
}

/*
 * One daemon per data directory: an exclusive flock held for the life
 * of the process (released by the kernel even on kill -9).
 */
static int
lock_data_dir(const char *dir, char **cause)
{
	char	path[4200], pid[32];
	int	fd, n;

	snprintf(path, sizeof(path), "%s/attuned.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		diag_cause(cause, "%s: %s", path, strerror(errno));
		return (-errno);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int	saved_errno = errno;

		n = (int)read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(fd);
		if (saved_errno == EWOULDBLOCK) {
			diag_cause(cause, "another attuned (pid %s) is already "
			    "using %s", pid[0] ? pid : "?", dir);
			return (-EBUSY);
		}
		diag_cause(cause, "lock %s: %s", path, strerror(saved_errno));
		return (-saved_errno);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, pid, (size_t)n) != n)
		log_warn("cannot write pid to %s", path);
	return (0);		/* fd stays open: it holds the lock */
}

static void
entry_cb(void *arg, const struct view_entry *ve)
{
	struct daemon	*d = arg;
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;

	if (ve->kind == KIND_KEY_ROTATE)
		daemon_family_changed(d);	/* maybe a new epoch for us */
	if (!control_has_subscribers(d->ctl))
		return;		/* a sync of 100,000 entries packs none */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	frame_begin(&sb);
	rpc_pack_notify(&pk, RPC_N_EVENT);
	msgpack_pack_array(&pk, 1);
	views_pack_entry(eventlog_views(d->log), ve, &pk);
	if (frame_end(&sb, PROTO_MAX_FRAME) == 0)
		control_broadcast(d->ctl, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

static void
fork_cb(void *arg, const uint8_t *blob, size_t len)
{
	struct daemon	*d = arg;

	peers_broadcast_event(d->peers, blob, len);
}

/* Entries became durable: send them on, resume who waited for room. */
static void
commit_cb(void *arg)
{
	struct daemon	*d = arg;

	peers_pump(d->peers);
}

static void
close_walk_cb(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Finish what was acknowledged-to-be, then close every handle. */
static void
shutdown_daemon(struct daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = true;
	verify_stop_all();
	eventlog_shutdown(d->log);
	reminders_stop();
	peers_close(d->peers);
	discovery_close(d->disc);
	d->disc = NULL;
	control_close(d->ctl);
	d->ctl = NULL;
	uv_close((uv_handle_t *)&d->sigterm, NULL);
	uv_close((uv_handle_t *)&d->sigint, NULL);
}

static void
signal_cb(uv_signal_t *h, int signum)
{
	struct daemon	*d = h->data;

	log_info("%s: shutting down", strsignal(signum));
	shutdown_daemon(d);
}

/*
 * Peers: listen where asked, else on the default port on every address,
 * falling back to any free port when it is taken (another daemon of
 * this user, in tests); then the static peers.
 */
static int
start_peers(struct daemon *d, char **cause)
{
	static const char *const defaults[] = {
		"[::]:" DAEMON_PEER_PORT, "0.0.0.0:" DAEMON_PEER_PORT,
		"[::]:0", "0.0.0.0:0",
	};
	const char	*listen = d->cfg.listen;
	char		*ignored = NULL;
	int		 i, rc;

	if ((rc = peers_create(d->loop, d->log, &d->keys, d->cfg.data_dir,
	    &d->peers)) < 0)
		return (rc);
	if (strcmp(d->cfg.listen, "off") == 0)
		;
	else if (d->cfg.listen[0] != '\0') {
		if ((rc = peers_listen(d->peers, &listen, 1, cause)) < 0)
			return (rc);
	} else if (peers_listen(d->peers, defaults, 2, &ignored) < 0) {
		free(ignored);
		ignored = NULL;
		if ((rc = peers_listen(d->peers, defaults + 2, 2, cause)) < 0)
			return (rc);
		log_warnx("peer: port " DAEMON_PEER_PORT " is taken; "
		    "listening on %u", peers_port(d->peers));
	}
	for (i = 0; i < d->cfg.npeers; i++) {
		if ((rc = peers_add_target(d->peers, d->cfg.peers[i], false,
		    cause)) < 0)
			return (rc);
	}
	if (d->cfg.no_discovery || peers_port(d->peers) == 0)
		return (0);
	if (discovery_start(d->loop, DISCOVERY_PORT, d->keys.device_pk,
	    daemon_heard, d, &d->disc, &ignored) < 0) {
		log_warnx("%s; continuing without discovery", ignored);
		free(ignored);
		d->disc = NULL;
		return (0);
	}
	discovery_set_port(d->disc, peers_port(d->peers));
	daemon_family_changed(d);
	return (0);
}

static int
start(struct daemon *d, char **cause)
{
	int	rc;

	if ((rc = keys_dir_prepare(d->cfg.data_dir, cause)) < 0 ||
	    (rc = lock_data_dir(d->cfg.data_dir, cause)) < 0 ||
	    (rc = keys_load(&d->keys, d->cfg.data_dir, cause)) < 0)
		return (rc);
	if ((rc = eventlog_open(d->loop, d->cfg.data_dir, &d->keys, &d->log,
	    cause)) < 0)
		return (rc);
	eventlog_set_entry_cb(d->log, entry_cb, d);
	if ((rc = start_peers(d, cause)) < 0)
		return (rc);
	eventlog_set_fork_cb(d->log, fork_cb, d);
	eventlog_set_commit_cb(d->log, commit_cb, d);
	if ((rc = control_listen(d->loop, d->cfg.socket_path,
	    rpc_cmd_dispatch, d, &d->ctl, cause)) < 0)
		return (rc);
	if ((rc = reminders_start(d, d->cfg.notify, cause)) < 0)
		return (rc);
	uv_signal_init(d->loop, &d->sigterm);
	uv_signal_init(d->loop, &d->sigint);
	d->sigterm.data = d->sigint.data = d;
	uv_signal_start(&d->sigterm, signal_cb, SIGTERM);
	uv_signal_start(&d->sigint, signal_cb, SIGINT);
	log_info("ready: %s, %s", d->cfg.data_dir, d->cfg.socket_path);
	return (0);
}

/*
 * Fork; the parent waits until the child reports ready (or an error) on
 * a pipe, so "attuned && attune status" works and errors reach the
 * terminal. Return in the child only.
 */
static int
daemonise(int *ready_fd)
{
	char	buf[1024];
	int	p[2];
	ssize_t	n;
	pid_t	pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		n = read(p[0], buf, sizeof(buf) - 1);
		if (n <= 0)
			fatalx("failed to start (see its diagnostics)");
		buf[n] = '\0';
		if (strcmp(buf, "ok") != 0) {
			fprintf(stderr, "attuned: %s\n", buf);
			exit(1);
		}
		exit(0);
	}
	close(p[0]);
	setsid();
	*ready_fd = p[1];
	return (0);
}

static void
report_ready(int fd, const char *error)
{
	const char	*msg = error != NULL ? error : "ok";
	int		 null;

	if (fd < 0)
		return;
	if (write(fd, msg, strlen(msg)) < 0)
		log_warn("cannot report readiness");
	close(fd);
	if (error == NULL && (null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
}

int
main(int argc, char **argv)
{
	struct daemon	 d;
	char		*cause = NULL, diagpath[4200];
	int		 ready_fd = -1, fd;

	memset(&d, 0, sizeof(d));
	parse_args(&d.cfg, argc, argv);
	diag_init(d.cfg.verbosity);
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0)
		fatalx("libsodium failed to initialise");
	if (!d.cfg.foreground) {
		daemonise(&ready_fd);
		if (keys_dir_prepare(d.cfg.data_dir, &cause) == 0) {
			snprintf(diagpath, sizeof(diagpath),
			    "%s/attuned.diag", d.cfg.data_dir);
			fd = open(diagpath, O_WRONLY | O_CREAT | O_APPEND |
			    O_CLOEXEC, 0600);
			if (fd != -1) {
				dup2(fd, STDERR_FILENO);
				close(fd);
			}
		}
	}
	d.loop = uv_default_loop();
	if (cause == NULL && start(&d, &cause) < 0) {
		report_ready(ready_fd, cause ? cause : "cannot start");
		fatalx("%s", cause ? cause : "cannot start");
	}
	if (cause != NULL) {
		report_ready(ready_fd, cause);
		fatalx("%s", cause);
	}
	report_ready(ready_fd, NULL);
	uv_run(d.loop, UV_RUN_DEFAULT);
	/* Close anything left (e.g. when the loop ran out of work). */
	uv_walk(d.loop, close_walk_cb, NULL);
	uv_run(d.loop, UV_RUN_DEFAULT);
	eventlog_close(d.log);
	peers_free(d.peers);
	keys_finish(&d.keys);
	if (uv_loop_close(d.loop) != 0)
		log_warnx("loop closed with handles still open");
	log_info("stopped");
	return (0);
}
