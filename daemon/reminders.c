/*
 * reminders.c: sends each pending reminder once (see reminders.h). Owns
 * the timer, the list of keys already sent and its file, and the
 * children that run the notify command. One instance per daemon, in
 * static storage: nothing to free at exit, so the loop can close the
 * timer like any other handle. Never decides what is pending (that is
 * views_reminders) and never writes the event log.
 *
 * DATA_DIR/reminders.sent: one line per reminder sent, "MS KEY\n", MS
 * the time it was sent (ms since the epoch). Rewritten whole (temporary
 * file, fsync, rename) after each round that sent something; lines older
 * than REMINDERS_KEEP_DAYS are dropped. An unreadable line is skipped.
 *
 * The command runs as /bin/sh -c 'COMMAND "$1"' attune-reminder TEXT:
 * the text is an argument, never shell syntax.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "diag.h"
#include "frame.h"
#include "mp.h"
#include "reminders.h"
#include "rpc.h"
#include "views.h"

#define REM_MAX_PENDING	64
#define REM_MAX_CHILDREN 4
#define REM_MAX_COMMAND	1024

struct rem_sent {
	char	key[VIEWS_REMINDER_KEY];
	int64_t	at;
};

struct rem_child {
	uv_process_t	proc;
	bool		busy;
};

static struct {
	bool			 running;
	struct daemon		*d;
	uv_timer_t		 timer;
	char			 path[4200];
	char			 command[REM_MAX_COMMAND];
	struct rem_sent		 sent[REMINDERS_MAX_SENT];
	size_t			 nsent;
	struct rem_child	 children[REM_MAX_CHILDREN];
} rem;

static void	reminders_timer_cb(uv_timer_t *);
static void	reminders_load(void);
static int	reminders_save(void);
static void	reminders_remember(const char *, int64_t);
static void	reminders_notify(const struct views *,
		    const struct views_reminder *);
static void	reminders_run(const char *);
static void	reminders_exit_cb(uv_process_t *, int64_t, int);
static void	reminders_child_close_cb(uv_handle_t *);

/*
 * Start checking, on d's loop. command (may be NULL or empty) is run for
 * each reminder sent. Return 0, or a negative code with *cause set. A
 * second call does nothing.
 */
int
reminders_start(struct daemon *d, const char *command, char **cause)
{
	int	rc;

	if (rem.running)
		return (0);
	memset(&rem, 0, sizeof(rem));
	rem.d = d;
	if (snprintf(rem.path, sizeof(rem.path), "%s/reminders.sent",
	    d->cfg.data_dir) >= (int)sizeof(rem.path)) {
		diag_cause(cause, "reminders: data dir path too long");
		return (-PROTO_E_TOOBIG);
	}
	if (command != NULL && snprintf(rem.command, sizeof(rem.command),
	    "%s", command) >= (int)sizeof(rem.command)) {
		diag_cause(cause, "reminders: command longer than %d bytes",
		    REM_MAX_COMMAND - 1);
		return (-PROTO_E_TOOBIG);
	}
	reminders_load();
	if ((rc = uv_timer_init(d->loop, &rem.timer)) < 0) {
		diag_cause(cause, "reminders: timer: %s", uv_strerror(rc));
		return (rc);
	}
	/* Never what keeps the loop alive: shutdown need not know us. */
	uv_unref((uv_handle_t *)&rem.timer);
	uv_timer_start(&rem.timer, reminders_timer_cb, 0, REMINDERS_PERIOD_MS);
	rem.running = true;
	return (0);
}

void
reminders_stop(void)
{
	if (!rem.running)
		return;
	rem.running = false;
	if (!uv_is_closing((uv_handle_t *)&rem.timer))
		uv_close((uv_handle_t *)&rem.timer, NULL);
}

bool
reminders_running(void)
{
	return (rem.running);
}

/* Was the reminder with this key sent (and not yet forgotten)? */
bool
reminders_sent(const char *key)
{
	size_t	i;

	for (i = 0; i < rem.nsent; i++) {
		if (strcmp(rem.sent[i].key, key) == 0)
			return (true);
	}
	return (false);
}

static void
reminders_timer_cb(uv_timer_t *t)
{
	reminders_check();
}

/* Send what is pending and was not sent; remember it durably. */
void
reminders_check(void)
{
	struct views_reminder	 list[REM_MAX_PENDING];
	struct views_clock	 c;
	const struct views	*v;
	size_t			 n, i, fresh = 0;

	if (!rem.running || rem.d->stopping || rem.d->log == NULL)
		return;
	v = eventlog_views(rem.d->log);
	if (!v->has_family)
		return;
	views_clock_init(v, eventlog_now(rem.d->log), &c);
	n = views_reminders(v, &c, list, REM_MAX_PENDING);
	for (i = 0; i < n; i++) {
		if (reminders_sent(list[i].key))
			continue;
		reminders_remember(list[i].key, c.now);
		reminders_notify(v, &list[i]);
		fresh++;
	}
	if (fresh > 0 && reminders_save() < 0)
		log_warn("reminders: cannot save %s", rem.path);
}

/* Keep key as sent at ms; the oldest is forgotten when full. */
static void
reminders_remember(const char *key, int64_t ms)
{
	if (rem.nsent == REMINDERS_MAX_SENT) {
		memmove(&rem.sent[0], &rem.sent[1],
		    (rem.nsent - 1) * sizeof(rem.sent[0]));
		rem.nsent--;
	}
	snprintf(rem.sent[rem.nsent].key, sizeof(rem.sent[0].key), "%s", key);
	rem.sent[rem.nsent++].at = ms;
}

static void
reminders_load(void)
{
	FILE		*f;
	char		 line[VIEWS_REMINDER_KEY + 32], *sp, *end;
	long long	 ms;
	size_t		 len;

	if ((f = fopen(rem.path, "re")) == NULL) {
		if (errno != ENOENT)
			log_warn("reminders: %s", rem.path);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strcspn(line, "\n");
		line[len] = '\0';
		if ((sp = strchr(line, ' ')) == NULL || sp[1] == '\0' ||
		    strlen(sp + 1) >= VIEWS_REMINDER_KEY)
			continue;
		*sp = '\0';
		ms = strtoll(line, &end, 10);
		if (*end != '\0' || ms <= 0)
			continue;
		reminders_remember(sp + 1, (int64_t)ms);
	}
	fclose(f);
}

/* Rewrite the file: temporary, fsync, rename. Return 0 or -errno. */
static int
reminders_save(void)
{
	char	 tmp[sizeof(rem.path) + 8];
	FILE	*f;
	int64_t	 now = eventlog_now(rem.d->log), keep;
	size_t	 i;
	int	 fd, rc = 0;

	keep = now - (int64_t)REMINDERS_KEEP_DAYS * VIEWS_DAY_MS;
	snprintf(tmp, sizeof(tmp), "%s.tmp", rem.path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		return (-errno);
	if ((f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		close(fd);
		return (rc);
	}
	for (i = 0; i < rem.nsent; i++) {
		if (rem.sent[i].at >= keep)
			fprintf(f, "%lld %s\n", (long long)rem.sent[i].at,
			    rem.sent[i].key);
	}
	if (fflush(f) != 0 || fsync(fd) != 0)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, rem.path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return (rc);
}

/* [2, "reminder", [{key, kind, text, due, kid}]] to subscribers. */
static void
reminders_notify(const struct views *v, const struct views_reminder *r)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;

	log_info("reminder: %s", r->kind);
	if (rem.d->ctl != NULL) {
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		frame_begin(&sb);
		rpc_pack_notify(&pk, RPC_N_REMINDER);
		msgpack_pack_array(&pk, 1);
		msgpack_pack_map(&pk, 5);
		mp_pack_kv_str(&pk, "key", r->key);
		mp_pack_kv_str(&pk, "kind", r->kind);
		mp_pack_kv_str(&pk, "text", r->text);
		mp_pack_kv_int(&pk, "due", r->due);
		mp_pack_cstr(&pk, "kid");
		views_pack_ref(v, &pk, r->kid);
		if (frame_end(&sb, PROTO_MAX_FRAME) == 0)
			control_broadcast(rem.d->ctl, sb.data, sb.size);
		msgpack_sbuffer_destroy(&sb);
	}
	if (rem.command[0] != '\0')
		reminders_run(r->text);
}

/* Run the command with text as "$1", in a free child slot. */
static void
reminders_run(const char *text)
{
	uv_process_options_t	 o;
	uv_stdio_container_t	 stdio[3];
	char			 script[REM_MAX_COMMAND + 16];
	char			*args[6];
	struct rem_child	*c = NULL;
	size_t			 i;
	int			 rc;

	for (i = 0; i < REM_MAX_CHILDREN && c == NULL; i++) {
		if (!rem.children[i].busy)
			c = &rem.children[i];
	}
	if (c == NULL) {
		log_warnx("reminders: %d commands still running; not "
		    "running another", REM_MAX_CHILDREN);
		return;
	}
	snprintf(script, sizeof(script), "%s \"$1\"", rem.command);
	args[0] = (char *)"/bin/sh";
	args[1] = (char *)"-c";
	args[2] = script;
	args[3] = (char *)"attune-reminder";
	args[4] = (char *)text;
	args[5] = NULL;
	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	for (i = 0; i < 3; i++)
		stdio[i].flags = UV_IGNORE;
	o.file = args[0];
	o.args = args;
	o.exit_cb = reminders_exit_cb;
	o.stdio = stdio;
	o.stdio_count = 3;
	memset(&c->proc, 0, sizeof(c->proc));
	c->proc.data = c;
	if ((rc = uv_spawn(rem.d->loop, &c->proc, &o)) < 0) {
		log_warnx("reminders: cannot run the command: %s",
		    uv_strerror(rc));
		c->busy = true;
		uv_close((uv_handle_t *)&c->proc, reminders_child_close_cb);
		return;
	}
	c->busy = true;
	uv_unref((uv_handle_t *)&c->proc);
}

static void
reminders_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	if (status != 0 || sig != 0)
		log_warnx("reminders: the command exited with %lld%s",
		    (long long)status, sig ? " (signal)" : "");
	uv_close((uv_handle_t *)p, reminders_child_close_cb);
}

static void
reminders_child_close_cb(uv_handle_t *h)
{
	struct rem_child	*c = h->data;

	c->busy = false;
}
