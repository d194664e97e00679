/*
 * test-store.c: unit tests for daemon/store.c on a real file in a
 * private temporary directory (WAL needs one; :memory: cannot do WAL):
 * batch appends and the three ways to read rows back, all-or-nothing
 * batches, the append-only triggers as another sqlite3 connection meets
 * them, the durability pragmas read back on the store's own connection
 * (caught with sqlite3_auto_extension), forks kept as evidence, and
 * read-only opens. The store never looks inside env, so rows carry
 * made-up bytes.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "harness.h"
#include "proto.h"
#include "store.h"

struct tmp {
	char	dir[256];
	char	path[300];
};

/* A row with its own env bytes. */
struct trow {
	struct store_row	r;
	uint8_t			env[64];
};

/* What a callback saw. */
struct seen {
	size_t		n;
	uint64_t	seq[64];
	uint8_t		author0[64];
	int		stop_at;	/* return 7 at this row (1-based) */
	int		bad;
};

static sqlite3	*caught;

static void	tmp_open(struct tmp *, struct store **);
static void	tmp_remove(struct tmp *);
static void	row(struct trow *, uint8_t author, uint64_t seq);
static void	rows_of(struct store_row *, const struct trow *, size_t);
static int	collect(const struct store_row *, void *);
static int	catch_db(sqlite3 *, char **, const sqlite3_api_routines *);
static void	raw_open(const struct tmp *, sqlite3 **, int flags);
static int64_t	raw_int(sqlite3 *, const char *);
static void	raw_text(sqlite3 *, const char *, char *, size_t);
static uint64_t	count(struct store *);

static void
tmp_open(struct tmp *t, struct store **st)
{
	const char	*base = getenv("TMPDIR");
	char		*cause = NULL;

	snprintf(t->dir, sizeof(t->dir), "%s/attune-test-store.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	ASSERT(mkdtemp(t->dir) != NULL);
	snprintf(t->path, sizeof(t->path), "%s/log.db", t->dir);
	if (st != NULL) {
		if (store_open(t->path, false, st, &cause) != 0)
			harness_fail(__FILE__, __LINE__, "store_open: %s",
			    cause ? cause : "(no cause)");
		ASSERT(*st != NULL);
		ASSERT(cause == NULL);
	}
}

static void
tmp_remove(struct tmp *t)
{
	static const char *const	sfx[] = { "", "-wal", "-shm",
	    "-journal" };
	char				p[320];
	size_t				i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, sfx[i]);
		unlink(p);
	}
	ASSERT_EQ_INT(rmdir(t->dir), 0);
}

/* Author a (32 bytes of a), seq, an id unique to (a, seq). */
static void
row(struct trow *t, uint8_t a, uint64_t seq)
{
	memset(t, 0, sizeof(*t));
	memset(t->r.author, a, ENV_PK);
	memset(t->r.id, 0x5a, ENV_ID);
	t->r.id[0] = a;
	memcpy(t->r.id + 1, &seq, sizeof(seq));
	t->r.seq = seq;
	t->r.hlc = 1767225600000ULL + seq * 1000 + a;
	memset(t->env, (int)(a ^ seq), sizeof(t->env));
	t->env[0] = a;
	t->r.env = t->env;
	t->r.env_len = 16 + (size_t)(seq % 40);
}

static void
rows_of(struct store_row *out, const struct trow *in, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		out[i] = in[i].r;
}

static int
collect(const struct store_row *r, void *arg)
{
	struct seen	*s = arg;
	struct trow	 want;

	if (s->n >= sizeof(s->seq) / sizeof(s->seq[0]))
		return (-1);
	/* Every field must be what row() made for (author, seq). */
	row(&want, r->author[0], r->seq);
	if (memcmp(r->id, want.r.id, ENV_ID) != 0 ||
	    memcmp(r->author, want.r.author, ENV_PK) != 0 ||
	    r->hlc != want.r.hlc || r->env_len != want.r.env_len ||
	    memcmp(r->env, want.env, r->env_len) != 0)
		s->bad++;
	s->seq[s->n] = r->seq;
	s->author0[s->n] = r->author[0];
	s->n++;
	if (s->stop_at > 0 && (int)s->n == s->stop_at)
		return (7);
	return (0);
}

static int
catch_db(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api)
{
	caught = db;
	return (SQLITE_OK);
}

static void
raw_open(const struct tmp *t, sqlite3 **db, int flags)
{
	ASSERT_EQ_INT(sqlite3_open_v2(t->path, db, flags, NULL), SQLITE_OK);
}

static int64_t
raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*s;
	int64_t		 v;

	ASSERT_EQ_INT(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return (v);
}

static void
raw_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt	*s;

	ASSERT_EQ_INT(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, size, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

static uint64_t
count(struct store *st)
{
	uint64_t	n = UINT64_MAX;

	ASSERT_EQ_INT(store_count(st, &n), 0);
	return (n);
}

TEST(append_and_foreach)
{
	struct tmp		 t;
	struct store		*st;
	struct trow		 tr[6];
	struct store_row	 r[6];
	struct seen		 s;
	char			*cause = NULL;
	size_t			 i;

	tmp_open(&t, &st);
	ASSERT_EQ_UINT(count(st), 0);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_foreach(st, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 0);
	/* Arrival order, not (author, seq) order. */
	row(&tr[0], 2, 1);
	row(&tr[1], 1, 1);
	row(&tr[2], 2, 2);
	row(&tr[3], 1, 2);
	row(&tr[4], 3, 1);
	row(&tr[5], 1, 3);
	rows_of(r, tr, 6);
	ASSERT_EQ_INT(store_append(st, r, 4, &cause), 0);
	ASSERT(cause == NULL);
	ASSERT_EQ_INT(store_append(st, r + 4, 2, &cause), 0);
	ASSERT_EQ_UINT(count(st), 6);
	ASSERT_EQ_INT(store_foreach(st, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 6);
	ASSERT_EQ_INT(s.bad, 0);
	for (i = 0; i < 6; i++) {
		ASSERT_EQ_UINT(s.author0[i], tr[i].r.author[0]);
		ASSERT_EQ_UINT(s.seq[i], tr[i].r.seq);
	}
	/* An empty batch is a no-op. */
	ASSERT_EQ_INT(store_append(st, r, 0, &cause), 0);
	ASSERT_EQ_UINT(count(st), 6);
	/* A second pass over the cached statement sees the same. */
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_foreach(st, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 6);
	store_close(st);
	tmp_remove(&t);
}

TEST(foreach_stops)
{
	struct tmp		 t;
	struct store		*st;
	struct trow		 tr[5];
	struct store_row	 r[5];
	struct seen		 s;
	size_t			 i;

	tmp_open(&t, &st);
	for (i = 0; i < 5; i++)
		row(&tr[i], 1, i + 1);
	rows_of(r, tr, 5);
	ASSERT_EQ_INT(store_append(st, r, 5, NULL), 0);
	memset(&s, 0, sizeof(s));
	s.stop_at = 3;
	ASSERT_EQ_INT(store_foreach(st, collect, &s), 7);
	ASSERT_EQ_UINT(s.n, 3);
	/* The statement was reset: a new walk starts at the top. */
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_foreach(st, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 5);
	ASSERT_EQ_UINT(s.seq[0], 1);
	store_close(st);
	tmp_remove(&t);
}

TEST(range_and_id_at)
{
	struct tmp		 t;
	struct store		*st;
	struct trow		 tr[14];
	struct store_row	 r[14];
	struct seen		 s;
	uint8_t			 author[ENV_PK], id[ENV_ID];
	size_t			 i;

	tmp_open(&t, &st);
	/* Author 1: seq 1..10; author 2: seq 1..4; interleaved. */
	for (i = 0; i < 14; i++) {
		if (i % 3 == 2 && i / 3 < 4)
			row(&tr[i], 2, i / 3 + 1);
		else
			row(&tr[i], 1, i - (i + 1) / 3 + 1);
	}
	rows_of(r, tr, 14);
	ASSERT_EQ_INT(store_append(st, r, 7, NULL), 0);
	ASSERT_EQ_INT(store_append(st, r + 7, 7, NULL), 0);
	ASSERT_EQ_UINT(count(st), 14);

	memset(author, 1, sizeof(author));
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_range(st, author, 4, 3, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 3);
	ASSERT_EQ_INT(s.bad, 0);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ_UINT(s.seq[i], 4 + i);
		ASSERT_EQ_UINT(s.author0[i], 1);
	}
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_range(st, author, 9, 100, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 2);
	ASSERT_EQ_UINT(s.seq[0], 9);
	ASSERT_EQ_UINT(s.seq[1], 10);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_range(st, author, 1, 100, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 10);
	for (i = 0; i < 10; i++)
		ASSERT_EQ_UINT(s.seq[i], i + 1);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_range(st, author, 11, 100, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 0);
	ASSERT_EQ_INT(store_range(st, author, 1, 0, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 0);
	memset(author, 2, sizeof(author));
	ASSERT_EQ_INT(store_range(st, author, 2, 100, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 3);
	ASSERT_EQ_UINT(s.author0[0], 2);
	ASSERT_EQ_UINT(s.seq[0], 2);
	memset(author, 3, sizeof(author));
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_range(st, author, 1, 100, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 0);
	/* A callback's stop value comes back from store_range too. */
	memset(author, 1, sizeof(author));
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	ASSERT_EQ_INT(store_range(st, author, 1, 100, collect, &s), 7);

	for (i = 0; i < 14; i++) {
		memset(id, 0, sizeof(id));
		ASSERT_EQ_INT(store_id_at(st, tr[i].r.author, tr[i].r.seq, id),
		    0);
		ASSERT_EQ_MEM(id, tr[i].r.id, ENV_ID);
	}
	memset(author, 2, sizeof(author));
	ASSERT_EQ_INT(store_id_at(st, author, 5, id), -PROTO_E_NOTFOUND);
	ASSERT_EQ_INT(store_id_at(st, author, 0, id), -PROTO_E_NOTFOUND);
	memset(author, 9, sizeof(author));
	ASSERT_EQ_INT(store_id_at(st, author, 1, id), -PROTO_E_NOTFOUND);
	store_close(st);
	tmp_remove(&t);
}

/* A batch with one bad row stores nothing of itself. */
TEST(batch_all_or_nothing)
{
	struct tmp		 t;
	struct store		*st;
	struct trow		 tr[8];
	struct store_row	 r[8];
	struct seen		 s;
	uint8_t			 id[ENV_ID];
	char			*cause = NULL;
	size_t			 i;

	tmp_open(&t, &st);
	for (i = 0; i < 3; i++)
		row(&tr[i], 1, i + 1);
	rows_of(r, tr, 3);
	ASSERT_EQ_INT(store_append(st, r, 3, NULL), 0);

	/* New rows, then (author 1, seq 2) again with another id. */
	row(&tr[3], 2, 1);
	row(&tr[4], 1, 4);
	row(&tr[5], 1, 2);
	tr[5].r.id[31] ^= 0xff;
	rows_of(r, tr + 3, 3);
	ASSERT_EQ_INT(store_append(st, r, 3, &cause), -PROTO_E_EXISTS);
	ASSERT(cause != NULL && *cause != '\0');
	free(cause);
	cause = NULL;
	ASSERT_EQ_UINT(count(st), 3);
	ASSERT_EQ_INT(store_id_at(st, tr[3].r.author, 1, id),
	    -PROTO_E_NOTFOUND);
	ASSERT_EQ_INT(store_id_at(st, tr[4].r.author, 4, id),
	    -PROTO_E_NOTFOUND);
	ASSERT_EQ_INT(store_id_at(st, tr[5].r.author, 2, id), 0);
	ASSERT_EQ_MEM(id, tr[1].r.id, ENV_ID);

	/* A duplicate inside the batch itself. */
	row(&tr[6], 2, 1);
	rows_of(r, tr + 3, 1);
	r[1] = tr[6].r;
	ASSERT_EQ_INT(store_append(st, r, 2, &cause), -PROTO_E_EXISTS);
	free(cause);
	cause = NULL;
	ASSERT_EQ_UINT(count(st), 3);

	/* Ids are not indexed: an id hashes its envelope, author and seq
	 * included, so UNIQUE (author, seq) is what refuses a duplicate. */
	r[0] = tr[3].r;
	/* seq 0 breaks the CHECK: a store error, still all or nothing. */
	row(&tr[7], 3, 0);
	r[1] = tr[7].r;
	ASSERT_EQ_INT(store_append(st, r, 2, &cause), -PROTO_E_STORE);
	ASSERT(cause != NULL);
	free(cause);
	cause = NULL;
	ASSERT_EQ_UINT(count(st), 3);

	/* No transaction was left open: the good rows go in now. */
	rows_of(r, tr + 3, 2);
	ASSERT_EQ_INT(store_append(st, r, 2, &cause), 0);
	ASSERT(cause == NULL);
	ASSERT_EQ_UINT(count(st), 5);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_foreach(st, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 5);
	ASSERT_EQ_INT(s.bad, 0);
	store_close(st);
	/* And the refused rows are not in the file either. */
	ASSERT_EQ_INT(store_open(t.path, true, &st, &cause), 0);
	ASSERT_EQ_UINT(count(st), 5);
	store_close(st);
	tmp_remove(&t);
}

TEST(append_only_triggers)
{
	static const char *const	 sql[] = {
		"UPDATE events SET hlc = 0",
		"UPDATE events SET env = x'00' WHERE seq = 2",
		"DELETE FROM events",
		"DELETE FROM events WHERE seq = 1",
		"INSERT INTO events (id, author, seq, hlc, env) SELECT id, "
		    "author, seq, 0, x'00' FROM events WHERE true "
		    "ON CONFLICT DO UPDATE SET env = x'00'",
	};
	struct tmp			 t;
	struct store			*st;
	struct trow			 tr[3];
	struct store_row		 r[3];
	struct seen			 s;
	sqlite3				*db;
	char				*err;
	size_t				 i;
	int				 rc;

	tmp_open(&t, &st);
	for (i = 0; i < 3; i++)
		row(&tr[i], 4, i + 1);
	rows_of(r, tr, 3);
	ASSERT_EQ_INT(store_append(st, r, 3, NULL), 0);
	raw_open(&t, &db, SQLITE_OPEN_READWRITE);
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		err = NULL;
		rc = sqlite3_exec(db, sql[i], NULL, NULL, &err);
		if (rc == SQLITE_OK)
			harness_fail(__FILE__, __LINE__, "'%s' allowed",
			    sql[i]);
		ASSERT_EQ_INT(rc & 0xff, SQLITE_CONSTRAINT);
		ASSERT(err != NULL);
		if (strstr(err, "append-only") == NULL)
			harness_fail(__FILE__, __LINE__, "'%s': %s", sql[i],
			    err);
		sqlite3_free(err);
	}
	ASSERT_EQ_INT(raw_int(db, "SELECT count(*) FROM events"), 3);
	ASSERT_EQ_INT(raw_int(db, "SELECT min(hlc) FROM events"),
	    (int64_t)tr[0].r.hlc);
	ASSERT_EQ_INT(sqlite3_close(db), SQLITE_OK);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_foreach(st, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 3);
	ASSERT_EQ_INT(s.bad, 0);
	store_close(st);
	tmp_remove(&t);
}

/*
 * REPLACE resolves a UNIQUE conflict by deleting the old row, and SQLite
 * fires no DELETE trigger for that unless recursive_triggers is on, which
 * is a per-connection setting the sqlite3 shell does not turn on. So the
 * DELETE trigger alone does not make the log append-only.
 */
TEST(replace_refused)
{
	static const char *const	 sql[] = {
		"INSERT OR REPLACE INTO events (id, author, seq, hlc, env) "
		    "SELECT id, author, seq, 0, x'00' FROM events",
		"REPLACE INTO events (id, author, seq, hlc, env) "
		    "SELECT id, author, seq, hlc, x'00' FROM events",
	};
	struct tmp			 t;
	struct store			*st;
	struct trow			 tr[3];
	struct store_row		 r[3];
	struct seen			 s;
	sqlite3				*db;
	char				*err;
	size_t				 i;
	int				 rc, bad = 0;

	tmp_open(&t, &st);
	for (i = 0; i < 3; i++)
		row(&tr[i], 4, i + 1);
	rows_of(r, tr, 3);
	ASSERT_EQ_INT(store_append(st, r, 3, NULL), 0);
	raw_open(&t, &db, SQLITE_OPEN_READWRITE);
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		err = NULL;
		rc = sqlite3_exec(db, sql[i], NULL, NULL, &err);
		if (rc == SQLITE_OK) {
			printf("# allowed: %s\n", sql[i]);
			bad++;
		}
		sqlite3_free(err);
	}
	printf("# events whose env is now x'00': %lld of 3\n",
	    (long long)raw_int(db, "SELECT count(*) FROM events WHERE "
	    "env = x'00'"));
	ASSERT_EQ_INT(sqlite3_close(db), SQLITE_OK);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_foreach(st, collect, &s), 0);
	store_close(st);
	tmp_remove(&t);
	ASSERT_EQ_INT(bad, 0);
	ASSERT_EQ_UINT(s.n, 3);
	ASSERT_EQ_INT(s.bad, 0);
}

/* The durability settings, read back on the store's own connection. */
TEST(pragmas)
{
	struct tmp	 t;
	struct store	*st;
	sqlite3		*db;
	char		 v[64];

	caught = NULL;
	ASSERT_EQ_INT(sqlite3_auto_extension((void (*)(void))catch_db),
	    SQLITE_OK);
	tmp_open(&t, &st);
	sqlite3_reset_auto_extension();
	ASSERT(caught != NULL);
	ASSERT_EQ_INT(raw_int(caught, "PRAGMA synchronous"), 2);
	raw_text(caught, "PRAGMA journal_mode", v, sizeof(v));
	ASSERT_EQ_STR(v, "wal");
	ASSERT(raw_int(caught, "PRAGMA user_version") >= 1);
	/* WAL is a property of the file: another connection sees it. */
	raw_open(&t, &db, SQLITE_OPEN_READONLY);
	raw_text(db, "PRAGMA journal_mode", v, sizeof(v));
	ASSERT_EQ_STR(v, "wal");
	ASSERT_EQ_INT(raw_int(db, "PRAGMA user_version"),
	    raw_int(caught, "PRAGMA user_version"));
	ASSERT(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'trigger' AND tbl_name = 'events'") >= 2);
	ASSERT_EQ_INT(sqlite3_close(db), SQLITE_OK);
	store_close(st);
	tmp_remove(&t);
}

TEST(fork_kept_apart)
{
	struct tmp		 t;
	struct store		*st;
	struct trow		 tr[2], fork;
	struct store_row	 r[2];
	sqlite3			*db;
	uint8_t			 id[ENV_ID];

	tmp_open(&t, &st);
	row(&tr[0], 5, 1);
	row(&tr[1], 5, 2);
	rows_of(r, tr, 2);
	ASSERT_EQ_INT(store_append(st, r, 2, NULL), 0);
	/* Another event of author 5 at seq 2. */
	row(&fork, 5, 2);
	fork.r.id[31] ^= 1;
	fork.env[5] ^= 1;
	ASSERT_EQ_INT(store_add_fork(st, &fork.r), 1);
	/* The same evidence twice is kept once, and says so. */
	ASSERT_EQ_INT(store_add_fork(st, &fork.r), 0);
	ASSERT_EQ_UINT(count(st), 2);
	ASSERT_EQ_INT(store_id_at(st, tr[1].r.author, 2, id), 0);
	ASSERT_EQ_MEM(id, tr[1].r.id, ENV_ID);
	raw_open(&t, &db, SQLITE_OPEN_READONLY);
	ASSERT_EQ_INT(raw_int(db, "SELECT count(*) FROM forks"), 1);
	ASSERT_EQ_INT(raw_int(db, "SELECT seq FROM forks"), 2);
	ASSERT_EQ_INT(raw_int(db, "SELECT length(env) FROM forks"),
	    (int64_t)fork.r.env_len);
	ASSERT_EQ_INT(sqlite3_close(db), SQLITE_OK);
	store_close(st);
	tmp_remove(&t);
}

TEST(readonly_missing_file)
{
	struct tmp	 t;
	struct store	*st = (struct store *)&t;
	struct stat	 sb;
	char		*cause = NULL;

	tmp_open(&t, NULL);
	ASSERT_EQ_INT(store_open(t.path, true, &st, &cause), -PROTO_E_STORE);
	ASSERT(st == NULL);
	ASSERT(cause != NULL);
	ASSERT(strstr(cause, t.path) != NULL);
	free(cause);
	/* Nothing was created. */
	ASSERT(stat(t.path, &sb) != 0);
	tmp_remove(&t);
}

TEST(readonly_open)
{
	struct tmp		 t;
	struct store		*st;
	struct trow		 tr[3];
	struct store_row	 r[3];
	struct seen		 s;
	char			*cause = NULL;
	size_t			 i;

	tmp_open(&t, &st);
	for (i = 0; i < 3; i++)
		row(&tr[i], 6, i + 1);
	rows_of(r, tr, 3);
	ASSERT_EQ_INT(store_append(st, r, 2, NULL), 0);
	store_close(st);
	ASSERT_EQ_INT(store_open(t.path, true, &st, &cause), 0);
	ASSERT(cause == NULL);
	ASSERT_EQ_UINT(count(st), 2);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ_INT(store_foreach(st, collect, &s), 0);
	ASSERT_EQ_UINT(s.n, 2);
	ASSERT_EQ_INT(s.bad, 0);
	/* Writes are refused, with a cause. */
	ASSERT_EQ_INT(store_append(st, r + 2, 1, &cause), -PROTO_E_STORE);
	ASSERT(cause != NULL);
	free(cause);
	cause = NULL;
	ASSERT_EQ_UINT(count(st), 2);
	store_close(st);
	/* Reopened for writing, the log goes on where it was. */
	ASSERT_EQ_INT(store_open(t.path, false, &st, &cause), 0);
	ASSERT_EQ_INT(store_append(st, r + 2, 1, &cause), 0);
	ASSERT_EQ_UINT(count(st), 3);
	store_close(st);
	store_close(NULL);
	tmp_remove(&t);
}

/* A file that is not a database is refused with a cause, not a crash. */
TEST(not_a_database)
{
	struct tmp	 t;
	struct store	*st;
	FILE		*f;
	char		*cause = NULL;
	int		 i;

	tmp_open(&t, NULL);
	ASSERT((f = fopen(t.path, "wb")) != NULL);
	for (i = 0; i < 256; i++)
		fputs("not a database, just text. ", f);
	ASSERT_EQ_INT(fclose(f), 0);
	ASSERT_EQ_INT(store_open(t.path, false, &st, &cause), -PROTO_E_STORE);
	ASSERT(st == NULL);
	ASSERT(cause != NULL);
	free(cause);
	cause = NULL;
	ASSERT_EQ_INT(store_open(t.path, true, &st, &cause), -PROTO_E_STORE);
	ASSERT(cause != NULL);
	free(cause);
	tmp_remove(&t);
}
