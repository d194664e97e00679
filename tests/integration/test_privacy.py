#!/usr/bin/python3
"""
test_privacy.py: plaintext never reaches the disk (every file of the data
dir searched for distinctive strings in several encodings, while the
daemon runs and after it stopped), file and directory modes, and the
append-only triggers seen from the sqlite3 shell.
"""

import os
import stat
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (Suite, check, check_eq, db_rows,  # noqa
                     files_digest, init_family, log_json, short, sqlite,
                     status_json)

suite = Suite("privacy")

SECRETS = {
    "kid": "Quillonia",
    "kid2": "Brumhildex",
    "parent": "Zephyrinus",
    "family": "Vantablackwood",
    "feeling": "flabbergasted",
    "feeling2": "melancholic",
    "note": "hidinginthewardrobe",
    "activity": "origamicranes",
    "what": "slammedthedoor",
    "utf8": "ÉléphantRosé",
}


def forms(s):
    """The encodings a careless implementation might leave on disk."""
    b = s.encode("utf-8")
    out = {"utf-8": b, "utf-16le": s.encode("utf-16le"),
           "utf-16be": s.encode("utf-16be"),
           "hex": b.hex().encode(), "HEX": b.hex().upper().encode(),
           "lower": s.lower().encode("utf-8"),
           "upper": s.upper().encode("utf-8")}
    # A prefix long enough to be distinctive catches a truncated copy.
    if len(b) > 8:
        out["prefix8"] = b[:8]
    return out


def write_secrets(env):
    init_family(env, SECRETS["parent"])
    env.ok("kid", "add", SECRETS["kid"], "--born", "2017-07-07")
    env.ok("kid", "add", SECRETS["kid2"])
    env.ok("kid", "add", SECRETS["utf8"])
    env.ok("1on1", SECRETS["kid"], "--activity", SECRETS["activity"],
           "--note", SECRETS["note"])
    env.ok("checkin", SECRETS["kid"], SECRETS["feeling"], "--note",
           "feeling " + SECRETS["feeling2"])
    env.ok("checkout", SECRETS["parent"], SECRETS["feeling2"])
    env.ok("repair", SECRETS["kid2"], "--what", SECRETS["what"])
    env.ok("checkin", SECRETS["utf8"], "ok")


def scan(d):
    """Return a list of (file, secret, encoding) found under d."""
    found = []
    nfiles = 0
    for root, dirs, files in os.walk(d):
        for name in files:
            p = os.path.join(root, name)
            if not os.path.isfile(p) or os.path.islink(p):
                continue
            with open(p, "rb") as f:
                data = f.read()
            nfiles += 1
            for key, s in SECRETS.items():
                for enc, b in forms(s).items():
                    if b in data:
                        found.append((os.path.relpath(p, d), key, enc))
    return found, nfiles


@suite.case
def no_plaintext_on_disk(env):
    d = env.daemon()
    write_secrets(env)
    # The log really holds them (so the search below is meaningful).
    log = log_json(env, "--limit", "100")
    text = repr(log)
    for key in ("kid", "note", "feeling", "activity", "what", "utf8"):
        check(SECRETS[key] in text, "%s missing from the log" % key)
    found, n = scan(env.tmp)
    check(n >= 4, "expected events.db, -wal, keys...: %d files" % n)
    check(not found, "plaintext on disk while running: %s" % found[:10])
    names = set(os.listdir(env.data_dir))
    check({"events.db", "events.db-wal"} <= names,
          "expected the WAL files while running: %s" % sorted(names))
    check_eq(d.stop(), 0, "SIGTERM exit code")
    found, n = scan(env.tmp)
    check(not found, "plaintext on disk after stop: %s" % found[:10])
    # And the database, read as sqlite: a dump shows only ciphertext.
    rc, out, err = sqlite(os.path.join(env.data_dir, "events.db"),
                          ".dump", readonly=True)
    check(rc == 0 and "INSERT INTO" in out, "sqlite3 .dump: %s" % err)
    for key, s in SECRETS.items():
        for enc, b in forms(s).items():
            check(b.decode("latin-1") not in out,
                  "%s (%s) visible in .dump" % (key, enc))


@suite.case
def modes(env):
    env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    st = os.lstat(env.data_dir)
    check_eq(oct(stat.S_IMODE(st.st_mode)), oct(0o700), "data dir mode")
    for name in os.listdir(env.data_dir):
        p = os.path.join(env.data_dir, name)
        m = stat.S_IMODE(os.lstat(p).st_mode)
        check(m & 0o077 == 0, "%s is open to others: %o" % (name, m))
    for key in ("device.key", "family.key"):
        p = os.path.join(env.data_dir, key)
        check(os.path.isfile(p), "%s missing (have %s)"
              % (key, sorted(os.listdir(env.data_dir))))
        check_eq(oct(stat.S_IMODE(os.lstat(p).st_mode)), oct(0o600),
                 "%s mode" % key)
        check_eq(os.lstat(p).st_uid, os.geteuid(), "%s owner" % key)
    st = os.lstat(env.sock)
    check(stat.S_ISSOCK(st.st_mode), "socket is not a socket")
    check_eq(oct(stat.S_IMODE(st.st_mode)), oct(0o600), "socket mode")
    st = os.lstat(os.path.dirname(env.sock))
    check_eq(oct(stat.S_IMODE(st.st_mode)), oct(0o700), "socket dir mode")


@suite.case
def open_dirs_refused(env):
    # A data dir or socket dir readable by others is refused at start.
    os.makedirs(env.data_dir, mode=0o700)
    os.chmod(env.data_dir, 0o755)
    d = env.daemon(start=False)
    rc = d.wait_exit(10.0)
    check(rc is not None and rc != 0, "daemon accepted a 0755 data dir "
          "(rc %r)" % rc)
    check("700" in d.stderr() or "open to other" in d.stderr(),
          "message: %r" % short(d.stderr()))
    os.chmod(env.data_dir, 0o700)
    os.makedirs(os.path.dirname(env.sock), mode=0o700)
    os.chmod(os.path.dirname(env.sock), 0o755)
    d = env.daemon(start=False)
    rc = d.wait_exit(10.0)
    check(rc is not None and rc != 0, "daemon accepted a 0755 socket dir "
          "(rc %r)" % rc)
    check("700" in d.stderr(), "message: %r" % short(d.stderr()))
    check(not os.path.exists(env.sock), "socket created in an open dir")


def stopped_db(env):
    d = env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    env.ok("checkin", "Maya", "happy")
    check_eq(d.stop(), 0, "SIGTERM exit code")
    return os.path.join(env.data_dir, "events.db")


def refused(env, db, sql, what):
    rows = db_rows(db)
    before = files_digest(env.data_dir)
    rc, out, err = sqlite(db, sql)
    check(rc != 0, "%s was accepted by sqlite3 (rc 0, out %r)"
          % (what, out))
    check("append-only" in err, "%s: not the append-only message: %r"
          % (what, err))
    check_eq(db_rows(db), rows, "rows after the refused %s" % what)
    check(files_digest(env.data_dir) == before,
          "files changed by the refused %s" % what)


@suite.case
def sqlite_update_refused(env):
    db = stopped_db(env)
    check_eq(len(db_rows(db)), 3, "stored rows")
    refused(env, db, "UPDATE events SET hlc = hlc + 1;", "UPDATE hlc")
    refused(env, db, "UPDATE events SET env = zeroblob(10) WHERE n = 2;",
            "UPDATE env")
    # The daemon still reads it all afterwards.
    env.daemon()
    check_eq(status_json(env)["entries"], 3, "entries after the attempts")
    r = env.cli("verify")
    check(r.rc == 0, "verify after refused UPDATEs: %r" % r)


@suite.case
def sqlite_delete_refused(env):
    db = stopped_db(env)
    refused(env, db, "DELETE FROM events;", "DELETE all")
    refused(env, db, "DELETE FROM events WHERE n = 3;", "DELETE one")
    env.daemon()
    check_eq(status_json(env)["entries"], 3, "entries after the attempts")


@suite.case
def sqlite_replace_refused(env):
    # INSERT OR REPLACE deletes the conflicting row without firing
    # DELETE triggers (unless recursive_triggers is on, which the shell
    # does not turn on): the same rewrite an UPDATE would be.
    db = stopped_db(env)
    refused(env, db, "INSERT OR REPLACE INTO events (n, id, author, seq, "
                     "hlc, env) SELECT n, id, author, seq, hlc, "
                     "zeroblob(200) FROM events WHERE n = 3;",
            "INSERT OR REPLACE")
    refused(env, db, "REPLACE INTO events (n, id, author, seq, hlc, env) "
                     "SELECT 99, id, author, seq, hlc, env FROM events "
                     "WHERE n = 2;", "REPLACE moving a row")


if __name__ == "__main__":
    sys.exit(suite.main())
