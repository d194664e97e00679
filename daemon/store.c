/*
 * store.c: the sqlite3 side of the event log (schema in store.h). One
 * writer: the loop thread. Statements are prepared once and cached by
 * enum, as fts5_storage.c does. Every sqlite result is mapped to a
 * PROTO_E_* code at this boundary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "diag.h"
#include "proto.h"
#include "store.h"

enum store_stmt {
	STORE_STMT_BEGIN,
	STORE_STMT_COMMIT,
	STORE_STMT_ROLLBACK,
	STORE_STMT_APPEND,
	STORE_STMT_ALL,
	STORE_STMT_COUNT_ROWS,
	STORE_STMT_ID_AT,
	STORE_STMT_RANGE,
	STORE_STMT_FORK,
	STORE_STMT_FORKS,
	STORE_STMT_COUNT
};

static const char *const store_sql[STORE_STMT_COUNT] = {
	[STORE_STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STORE_STMT_COMMIT] = "COMMIT",
	[STORE_STMT_ROLLBACK] = "ROLLBACK",
	[STORE_STMT_APPEND] = "INSERT INTO events (id, author, seq, hlc, env, "
	    "mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STORE_STMT_ALL] = "SELECT id, author, seq, hlc, env, mac FROM events "
	    "ORDER BY n",
	[STORE_STMT_COUNT_ROWS] = "SELECT count(*) FROM events",
	[STORE_STMT_ID_AT] = "SELECT id FROM events WHERE author = ?1 AND "
	    "seq = ?2",
	[STORE_STMT_RANGE] = "SELECT id, author, seq, hlc, env, mac FROM "
	    "events WHERE author = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3",
	[STORE_STMT_FORK] = "INSERT OR IGNORE INTO forks (id, author, seq, "
	    "hlc, env) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STORE_STMT_FORKS] = "SELECT id, author, seq, hlc, env, NULL FROM "
	    "forks ORDER BY author, seq",
};

static const char store_schema[] =
    "CREATE TABLE IF NOT EXISTS events ("
    " n INTEGER PRIMARY KEY,"
    " id BLOB NOT NULL CHECK (length(id) = 32),"
    " author BLOB NOT NULL CHECK (length(author) = 32),"
    " seq INTEGER NOT NULL CHECK (seq >= 1),"
    " hlc INTEGER NOT NULL,"
    " env BLOB NOT NULL,"
    " mac BLOB,"
    " UNIQUE (author, seq));"
    "CREATE TABLE IF NOT EXISTS forks ("
    " id BLOB PRIMARY KEY, author BLOB NOT NULL, seq INTEGER NOT NULL,"
    " hlc INTEGER NOT NULL, env BLOB NOT NULL);";

/* Run once the tables exist (and, for version 1, mac was added). */
static const char store_triggers[] =
    "CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events"
    " BEGIN SELECT RAISE(ABORT, 'attune: the event log is append-only');"
    " END;"
    "CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events"
    " BEGIN SELECT RAISE(ABORT, 'attune: the event log is append-only');"
    " END;"
    "CREATE TRIGGER IF NOT EXISTS events_no_replace BEFORE INSERT ON events"
    " WHEN EXISTS (SELECT 1 FROM events WHERE n = NEW.n"
    " OR (author = NEW.author AND seq = NEW.seq))"
    " BEGIN SELECT RAISE(ABORT, 'attune: the event log is append-only');"
    " END;"
    "PRAGMA user_version = 2;";

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[STORE_STMT_COUNT];
};

static int	store_get_stmt(struct store *, enum store_stmt,
		    sqlite3_stmt **);
static int	store_pragmas(struct store *, bool readonly, char **cause);
static int	store_migrate(struct store *, char **);
static int	store_exec_text(struct store *, const char *sql, char *out,
		    size_t size);
static int	store_insert(struct store *, const struct store_row *);
static int	store_rows(sqlite3_stmt *, store_row_cb, void *);

static int
store_get_stmt(struct store *st, enum store_stmt which, sqlite3_stmt **out)
{
	int	rc = SQLITE_OK;

	if (st->stmt[which] == NULL)
		rc = sqlite3_prepare_v3(st->db, store_sql[which], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[which], NULL);
	*out = st->stmt[which];
	return (rc == SQLITE_OK ? 0 : -PROTO_E_STORE);
}

/* Run sql that yields one text value; copy it to out. */
static int
store_exec_text(struct store *st, const char *sql, char *out, size_t size)
{
	sqlite3_stmt	*s;
	int		 rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return (-PROTO_E_STORE);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		snprintf(out, size, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -PROTO_E_STORE);
}

/* Create the schema, or bring a version 1 file up to version 2. */
static int
store_migrate(struct store *st, char **cause)
{
	char	v[32];

	if (store_exec_text(st, "PRAGMA user_version", v, sizeof(v)) < 0)
		goto fail;
	if (strcmp(v, "1") == 0 && sqlite3_exec(st->db,
	    "ALTER TABLE events ADD COLUMN mac BLOB", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto fail;
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0 &&
	    strcmp(v, "2") != 0) {
		diag_cause(cause, "database version %s is newer than this "
		    "attuned", v);
		return (-PROTO_E_VERSION);
	}
	if (sqlite3_exec(st->db, store_schema, NULL, NULL, NULL) !=
	    SQLITE_OK || sqlite3_exec(st->db, store_triggers, NULL, NULL,
	    NULL) != SQLITE_OK)
		goto fail;
	return (0);
fail:
	diag_cause(cause, "schema: %s", sqlite3_errmsg(st->db));
	return (-PROTO_E_STORE);
}

/*
 * WAL with synchronous=FULL, both read back: a setting that did not take
 * is an error, not a silent loss of durability. Then the schema and a
 * quick_check.
 */
static int
store_pragmas(struct store *st, bool readonly, char **cause)
{
	char	v[256];

	sqlite3_busy_timeout(st->db, 5000);
	if (!readonly) {
		if (store_exec_text(st, "PRAGMA journal_mode=WAL", v,
		    sizeof(v)) < 0 || strcmp(v, "wal") != 0) {
			diag_cause(cause, "cannot enable WAL (got '%s')", v);
			return (-PROTO_E_STORE);
		}
		sqlite3_exec(st->db, "PRAGMA synchronous=FULL", NULL, NULL,
		    NULL);
		if (store_exec_text(st, "PRAGMA synchronous", v,
		    sizeof(v)) < 0 || strcmp(v, "2") != 0) {
			diag_cause(cause, "cannot set synchronous=FULL");
			return (-PROTO_E_STORE);
		}
		if (store_migrate(st, cause) < 0)
			return (-PROTO_E_STORE);
	}
	/* The whole-file check walks every page: the daemon's start leaves
	 * it to the background verification (a read-only open). */
	if (readonly && (store_exec_text(st, "PRAGMA quick_check", v,
	    sizeof(v)) < 0 || strcmp(v, "ok") != 0)) {
		diag_cause(cause, "database check failed: %s", v);
		return (-PROTO_E_STORE);
	}
	return (0);
}

/*
 * Open (creating, unless readonly) the database at path.
 * Return 0 or -PROTO_E_STORE with *cause set.
 */
int
store_open(const char *path, bool readonly, struct store **out,
    char **cause)
{
	struct store	*st;
	int		 flags, rc;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return (-PROTO_E_INTERNAL);
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	flags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		diag_cause(cause, "%s: %s", path, st->db ?
		    sqlite3_errmsg(st->db) : "cannot open");
		rc = -PROTO_E_STORE;
		goto err_close;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if ((rc = store_pragmas(st, readonly, cause)) < 0)
		goto err_close;
	*out = st;
	return (0);
err_close:
	store_close(st);
	return (rc);
}

void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	for (i = 0; i < STORE_STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(st->db));
	free(st);
}

static int
store_step_done(struct store *st, enum store_stmt which)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = store_get_stmt(st, which, &s)) < 0)
		return (rc);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return (rc == SQLITE_DONE ? 0 : -PROTO_E_STORE);
}

static int
store_insert(struct store *st, const struct store_row *r)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = store_get_stmt(st, STORE_STMT_APPEND, &s)) < 0)
		return (rc);
	sqlite3_bind_blob(s, 1, r->id, ENV_ID, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, r->author, ENV_PK, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->seq);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)r->hlc);
	sqlite3_bind_blob(s, 5, r->env, (int)r->env_len, SQLITE_STATIC);
	if (r->mac != NULL)
		sqlite3_bind_blob(s, 6, r->mac, STORE_MAC, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_DONE)
		return (0);
	if (rc == SQLITE_CONSTRAINT_UNIQUE ||
	    rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
	    rc == SQLITE_CONSTRAINT_TRIGGER)
		return (-PROTO_E_EXISTS);
	return (-PROTO_E_STORE);
}

/*
 * Append n rows in one transaction: all or none. Durable when this
 * returns 0 (synchronous=FULL). Return 0, -PROTO_E_EXISTS or
 * -PROTO_E_STORE with *cause set.
 */
int
store_append(struct store *st, const struct store_row *rows, size_t n,
    char **cause)
{
	size_t	i;
	int	rc;

	if ((rc = store_step_done(st, STORE_STMT_BEGIN)) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((rc = store_insert(st, &rows[i])) < 0)
			goto err_rollback;
	}
	if ((rc = store_step_done(st, STORE_STMT_COMMIT)) < 0)
		goto err_rollback;
	return (0);
err_rollback:
	diag_cause(cause, "%s", sqlite3_errmsg(st->db));
	store_step_done(st, STORE_STMT_ROLLBACK);
	return (rc);
fail:
	diag_cause(cause, "%s", sqlite3_errmsg(st->db));
	return (rc);
}

/*
 * Call cb for every row in arrival order. Row pointers are valid only
 * during the call. Return 0, cb's non-zero value, or -PROTO_E_STORE.
 */
int
store_foreach(struct store *st, store_row_cb cb, void *arg)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = store_get_stmt(st, STORE_STMT_ALL, &s)) < 0)
		return (rc);
	return (store_rows(s, cb, arg));
}

/* Step s, a SELECT of (id, author, seq, hlc, env, mac), cb per row. */
static int
store_rows(sqlite3_stmt *s, store_row_cb cb, void *arg)
{
	struct store_row	r;
	int			rc, ret = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		if (sqlite3_column_bytes(s, 0) == ENV_ID)
			memcpy(r.id, sqlite3_column_blob(s, 0), ENV_ID);
		if (sqlite3_column_bytes(s, 1) == ENV_PK)
			memcpy(r.author, sqlite3_column_blob(s, 1), ENV_PK);
		r.seq = (uint64_t)sqlite3_column_int64(s, 2);
		r.hlc = (uint64_t)sqlite3_column_int64(s, 3);
		r.env = sqlite3_column_blob(s, 4);
		r.env_len = (size_t)sqlite3_column_bytes(s, 4);
		r.mac = sqlite3_column_bytes(s, 5) == STORE_MAC ?
		    sqlite3_column_blob(s, 5) : NULL;
		if ((ret = cb(&r, arg)) != 0)
			break;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (ret != 0)
		return (ret);
	return (rc == SQLITE_DONE ? 0 : -PROTO_E_STORE);
}

/* Rows of one author from seq from on, in seq order, at most max. */
int
store_range(struct store *st, const uint8_t *author, uint64_t from,
    size_t max, store_row_cb cb, void *arg)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = store_get_stmt(st, STORE_STMT_RANGE, &s)) < 0)
		return (rc);
	sqlite3_bind_blob(s, 1, author, ENV_PK, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	return (store_rows(s, cb, arg));
}

/* The id of author's event seq. Return 0 or -PROTO_E_NOTFOUND. */
int
store_id_at(struct store *st, const uint8_t *author, uint64_t seq,
    uint8_t id[ENV_ID])
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = store_get_stmt(st, STORE_STMT_ID_AT, &s)) < 0)
		return (rc);
	sqlite3_bind_blob(s, 1, author, ENV_PK, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) == ENV_ID)
		memcpy(id, sqlite3_column_blob(s, 0), ENV_ID);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_ROW)
		return (0);
	return (rc == SQLITE_DONE ? -PROTO_E_NOTFOUND : -PROTO_E_STORE);
}

/*
 * Keep a conflicting event (same author and seq) as evidence. Return 1
 * when new, 0 when already kept, or -PROTO_E_STORE.
 */
int
store_add_fork(struct store *st, const struct store_row *r)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = store_get_stmt(st, STORE_STMT_FORK, &s)) < 0)
		return (rc);
	sqlite3_bind_blob(s, 1, r->id, ENV_ID, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, r->author, ENV_PK, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->seq);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)r->hlc);
	sqlite3_bind_blob(s, 5, r->env, (int)r->env_len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return (-PROTO_E_STORE);
	return (sqlite3_changes(st->db) > 0 ? 1 : 0);
}

int
store_count(struct store *st, uint64_t *n)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = store_get_stmt(st, STORE_STMT_COUNT_ROWS, &s)) < 0)
		return (rc);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return (rc == SQLITE_ROW ? 0 : -PROTO_E_STORE);
}

/* Call cb for every fork kept as evidence. */
int
store_foreach_fork(struct store *st, store_row_cb cb, void *arg)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = store_get_stmt(st, STORE_STMT_FORKS, &s)) < 0)
		return (rc);
	return (store_rows(s, cb, arg));
}
