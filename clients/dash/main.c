/*
 * main.c: the attune-dash program: options, signals, the terminal's
 * lifetime and the one loop. The loop sleeps in ppoll() on the terminal
 * and the socket to attuned, and wakes for a key, a notification, a
 * signal or one of conn.c's few timers (reconnecting, the peers' state,
 * the hourly refresh); then it fetches what an event made stale and
 * draws what changed. Termination signals only set a flag (they are
 * blocked outside ppoll, so none is lost); crash signals restore the
 * terminal and are raised again. Nothing here draws or talks to attuned
 * directly.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "dash.h"
#include "output.h"

static volatile sig_atomic_t	main_signal;

static const int main_crash_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS,
};
static const int main_term_signals[] = { SIGTERM, SIGINT, SIGHUP };

static void	main_usage(FILE *);
static void	main_term_cb(int);
static void	main_crash_cb(int);
static void	main_atexit(void);
static int	main_signals(sigset_t *);
static int	main_options(int, char **, const char **);
static void	main_keys(struct dash *);
static int	main_loop(struct dash *, const sigset_t *);

static void
main_usage(FILE *f)
{
	fprintf(f, "usage: attune-dash [--socket PATH]\n"
	    "       attune-dash --help | --version\n");
}

static void
main_term_cb(int sig)
{
	main_signal = sig;
}

/* Give the terminal back, then die of the same signal. */
static void
main_crash_cb(int sig)
{
	screen_crash_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
main_atexit(void)
{
	screen_end();
}

/*
 * Install the handlers and block the termination signals and SIGWINCH
 * outside ppoll (*wait is the mask ppoll uses). Curses installs its own
 * SIGWINCH and SIGTSTP handlers later; ours must exist first so that it
 * leaves SIGINT and SIGTERM alone. Return 0 or -errno.
 */
static int
main_signals(sigset_t *wait)
{
	struct sigaction	sa;
	sigset_t		block;
	size_t			i;

	sigemptyset(&block);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = main_term_cb;
	for (i = 0; i < sizeof(main_term_signals) / sizeof(int); i++) {
		if (sigaction(main_term_signals[i], &sa, NULL) == -1)
			return (-errno);
		sigaddset(&block, main_term_signals[i]);
	}
	sa.sa_handler = main_crash_cb;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (i = 0; i < sizeof(main_crash_signals) / sizeof(int); i++)
		(void)sigaction(main_crash_signals[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	(void)sigaction(SIGPIPE, &sa, NULL);
	sigaddset(&block, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &block, wait) == -1)
		return (-errno);
	sigdelset(wait, SIGWINCH);
	for (i = 0; i < sizeof(main_term_signals) / sizeof(int); i++)
		sigdelset(wait, main_term_signals[i]);
	return (0);
}

/*
 * Parse the options. Return -1 to run, or the exit status (after --help,
 * --version or a usage error).
 */
static int
main_options(int argc, char **argv, const char **sock)
{
	static const struct option	opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "socket", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int				ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hs:V", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			main_usage(stdout);
			printf("\nThe family's week at a glance, live: 1:1s, "
			    "2x10, check-ins and\ncheck-outs, repairs, goals, "
			    "the other laptop and the latest entries.\n\n"
			    "  -s, --socket PATH   talk to attuned at PATH\n"
			    "  -h, --help          show this help\n"
			    "  -V, --version       show the version\n\n"
			    "In the dashboard, ? shows the keys and q quits."
			    "\n");
			return (0);
		case 'V':
			printf("attune-dash %s\n", ATTUNE_VERSION);
			return (0);
		case 's':
			if (*optarg == '\0') {
				fprintf(stderr, "attune-dash: --socket: empty "
				    "path\n");
				return (2);
			}
			*sock = optarg;
			break;
		case ':':
			fprintf(stderr, "attune-dash: option %s needs a "
			    "value\n", argv[optind - 1]);
			main_usage(stderr);
			return (2);
		default:
			fprintf(stderr, "attune-dash: unknown option: %s\n",
			    argv[optind - 1]);
			main_usage(stderr);
			return (2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "attune-dash: unexpected argument: %s\n",
		    argv[optind]);
		main_usage(stderr);
		return (2);
	}
	return (-1);
}

/* Every key curses has for us now (KEY_RESIZE after a SIGWINCH too). */
static void
main_keys(struct dash *d)
{
	wint_t	wch;
	int	r, n;

	/* Bounded: a paste is handled over several turns of the loop. */
	for (n = 0; n < 4096 && (r = get_wch(&wch)) != ERR; n++)
		keys_handle(d, (int)wch, r == KEY_CODE_YES);
}

/* Run until q or a termination signal. Return the exit status. */
static int
main_loop(struct dash *d, const sigset_t *wait)
{
	struct pollfd	pfd[2];
	struct timespec	ts;
	nfds_t		n;
	int		t, saved_errno;

	while (!d->quit && main_signal == 0) {
		conn_timers(d, conn_now_mono());
		conn_work(d);
		if (d->more)
			conn_readable(d);
		screen_draw(d);
		t = conn_timeout(d, conn_now_mono());
		ts.tv_sec = t / 1000;
		ts.tv_nsec = (long)(t % 1000) * 1000000;
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		n = 1;
		if (conn_up(d)) {
			pfd[1].fd = client_fd(d->client);
			pfd[1].events = POLLIN;
			pfd[1].revents = 0;
			n = 2;
		}
		if (ppoll(pfd, n, &ts, wait) == -1) {
			if ((saved_errno = errno) != EINTR) {
				screen_end();
				fprintf(stderr, "attune-dash: poll: %s\n",
				    strerror(saved_errno));
				return (1);
			}
		} else {
			if (n == 2 && pfd[1].revents != 0)
				conn_readable(d);
			/* The terminal is gone (its POLLIN is only EOF). */
			if ((pfd[0].revents & (POLLHUP | POLLERR |
			    POLLNVAL)) != 0)
				break;
		}
		main_keys(d);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	struct dash	 d;
	sigset_t	 wait;
	const char	*sock = NULL;
	int		 rc, sig;

	setlocale(LC_CTYPE, "");
	output_init();
	if ((rc = main_options(argc, argv, &sock)) >= 0)
		return (rc);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "attune-dash: needs a terminal (for scripts: "
		    "attune --json)\n");
		return (1);
	}
	memset(&d, 0, sizeof(d));
	d.socket = sock;
	blob_init(&d.detail);
	conn_init(&d);
	panes_init(&d);
	if ((rc = main_signals(&wait)) < 0) {
		fprintf(stderr, "attune-dash: signals: %s\n", strerror(-rc));
		return (1);
	}
	atexit(main_atexit);
	if (screen_init() < 0) {
		fprintf(stderr, "attune-dash: cannot drive this terminal "
		    "(TERM=%s)\n", getenv("TERM") != NULL ? getenv("TERM") :
		    "unset");
		return (1);
	}
	rc = main_loop(&d, &wait);
	screen_end();
	form_close(&d);
	popup_finish();
	panes_finish(&d);
	conn_finish(&d);
	blob_finish(&d.detail);
	if ((sig = main_signal) != 0) {
		/* Die of it, as the shell expects of an interrupted job. */
		signal(sig, SIG_DFL);
		sigprocmask(SIG_SETMASK, &wait, NULL);
		raise(sig);
	}
	return (rc);
}
