#!/usr/bin/python3
"""
test_tamper.py: a byte flipped inside one stored envelope (header,
ciphertext, signature), written with the sqlite3 shell after dropping the
append-only triggers, on a fresh copy of a stopped daemon's data dir each
time. After a restart: verify fails and names the entry, the entry is not
served, status counts it, the daemon keeps serving and appending.

Two attackers: a naive one (the stored id column left alone, so the
envelope no longer hashes to its id) and a careful one who also rewrites
the id column to BLAKE2b-256 of the new blob, on the newest entry, so
that nothing but the envelope's own checks (AEAD tag, signature) can
catch it.
"""

import hashlib
import os
import shutil
import sys

import msgpack

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (Suite, check, check_eq, db_rows,  # noqa
                     init_family, log_json, short, sqlite, status_json,
                     wait_until)

suite = Suite("tamper")

ENV_SIG = 64


def make_pristine(env):
    """A stopped daemon's data dir with 6 entries; return its path."""
    d = env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    env.ok("1on1", "Maya", "--note", "first")
    env.ok("checkin", "Maya", "happy", "--note", "the target")
    env.ok("checkout", "Alex", "tired")
    env.ok("repair", "Maya", "--what", "the last one")
    check_eq(d.stop(), 0, "SIGTERM exit code")
    rows = db_rows(os.path.join(env.data_dir, "events.db"))
    check_eq(len(rows), 6, "stored rows")
    for r in rows:
        blob = bytes.fromhex(r[5])
        check_eq(hashlib.blake2b(blob, digest_size=32).hexdigest(), r[1],
                 "id of row %d is BLAKE2b-256(blob)" % r[0])
    pristine = env.path("pristine")
    shutil.copytree(env.data_dir, pristine)
    return pristine, rows


def layout(blob):
    """Offsets of the envelope's 9 elements and of the signature."""
    u = msgpack.Unpacker(raw=True)
    u.feed(blob)
    n = u.read_array_header()
    check_eq(n, 9, "envelope elements")
    spans = []
    for _ in range(n):
        start = u.tell()
        u.skip()
        spans.append((start, u.tell()))
    end = u.tell()
    check_eq(len(blob) - end, ENV_SIG, "signature length")
    return spans, end


def position(blob, where):
    spans, end = layout(blob)
    if where == "header":           # the middle of the 24-byte nonce
        s, e = spans[7]
        check_eq(e - s, 26, "nonce element size")
        return s + 2 + 12
    if where == "ciphertext":
        s, e = spans[8]
        return (s + e) // 2
    if where == "signature":
        return end + ENV_SIG // 2
    raise ValueError(where)


def tamper(env, pristine, rows, target, where, fix_id):
    """A fresh copy of pristine with row target's env flipped at where.
    Return (data dir, original id, new id)."""
    data = env.path("data-%s-%s" % (where, "fixid" if fix_id else "naive"))
    shutil.copytree(pristine, data)
    db = os.path.join(data, "events.db")
    row = [r for r in rows if r[0] == target][0]
    blob = bytearray(bytes.fromhex(row[5]))
    pos = position(bytes(blob), where)
    blob[pos] ^= 0x01
    new_id = hashlib.blake2b(bytes(blob), digest_size=32).hexdigest()
    rc, out, err = sqlite(db, "SELECT name FROM sqlite_master WHERE "
                              "type = 'trigger' AND tbl_name = 'events';")
    check(rc == 0 and out.split(), "list triggers: %r %r" % (out, err))
    sql = "".join("DROP TRIGGER %s;" % t for t in out.split())
    sql += "UPDATE events SET env = X'%s'" % bytes(blob).hex()
    if fix_id:
        sql += ", id = X'%s'" % new_id
    sql += " WHERE n = %d;" % target
    rc, out, err = sqlite(db, sql)
    check(rc == 0, "tampering failed: %s" % err)
    after = [r for r in db_rows(db) if r[0] == target][0]
    check(after[5] == bytes(blob).hex(), "the flip did not land")
    return data, row[1], (new_id if fix_id else row[1])


def check_detected(env, d, bad_id, bad_seq, good_ids, where):
    """The daemon on tampered data: verify fails naming bad_id, bad_id is
    never served, status counts it, appends still work."""
    r = env.cli("--json", "verify")
    check(r.rc != 0, "%s: verify --json exited 0: %r" % (where, r))
    res = r.json()
    ids = [p.get("id") for p in res.get("problems", [])]
    check(bad_id in ids, "%s: verify does not report %s: %s"
          % (where, bad_id[:12], short(repr(res), 800)))
    r = env.cli("verify")
    check(r.rc != 0, "%s: verify exited 0: %r" % (where, r))
    check(bad_id[:12] in r.out, "%s: human verify does not name %s: %r"
          % (where, bad_id[:12], r))
    log = log_json(env, "--limit", "100")
    served = {e["id"] for e in log}
    check(bad_id not in served, "%s: tampered entry %s is served as valid:"
          " %s" % (where, bad_id[:12],
                   short(repr([e for e in log if e["id"] == bad_id]), 600)))
    # Nor under another id (say, the hash of the tampered blob).
    same_seq = [e for e in log if e["seq"] == bad_seq]
    check(not same_seq, "%s: an entry with the tampered seq %d is served:"
          " %s" % (where, bad_seq, short(repr(same_seq), 600)))
    missing = set(good_ids) - served
    check(not missing, "%s: authentic entries not served: %s"
          % (where, sorted(x[:12] for x in missing)))

    def settled():
        s = status_json(env)
        return s if s["verified"]["state"] != "pending" else None
    st = wait_until(settled, 10.0, 0.05, "the startup verification")
    check(st.get("skipped", 0) >= 1, "%s: status.skipped: %r"
          % (where, st.get("skipped")))
    check(st["verified"]["state"] == "bad" and st["verified"]["bad"] >= 1,
          "%s: status.verified: %r" % (where, st["verified"]))
    check_eq(st["entries"], len(good_ids), "%s: status.entries" % where)
    # Still serving, still appending on a sound chain.
    new = env.ok("--json", "checkin", "Maya", "calm").json()["id"]
    check(new in {e["id"] for e in log_json(env)}, "%s: new entry not "
          "served" % where)
    check(d.alive(), "%s: daemon died" % where)


def run_case(env, where, fix_id):
    pristine, rows = make_pristine(env)
    # Naive: the checkin in the middle. Careful: the newest entry.
    target = 4 if not fix_id else 6
    data, orig_id, bad_id = tamper(env, pristine, rows, target, where,
                                   fix_id)
    good = [r[1] for r in rows if r[0] != target]
    seq = [r[3] for r in rows if r[0] == target][0]
    d = env.daemon(data_dir=data)
    check_detected(env, d, bad_id, seq, good, where)


@suite.case
def flip_header(env):
    run_case(env, "header", False)


@suite.case
def flip_ciphertext(env):
    run_case(env, "ciphertext", False)


@suite.case
def flip_signature(env):
    run_case(env, "signature", False)


@suite.case
def flip_header_id_rewritten(env):
    run_case(env, "header", True)


@suite.case
def flip_ciphertext_id_rewritten(env):
    run_case(env, "ciphertext", True)


@suite.case
def flip_signature_id_rewritten(env):
    run_case(env, "signature", True)


@suite.case
def pristine_copy_is_clean(env):
    # The control: the same copy, untouched, verifies and serves all.
    pristine, rows = make_pristine(env)
    data = env.path("data-copy")
    shutil.copytree(pristine, data)
    env.daemon(data_dir=data)
    r = env.cli("verify")
    check(r.rc == 0, "verify on an untouched copy: %r" % r)
    check_eq({e["id"] for e in log_json(env)}, {r[1] for r in rows},
             "served ids")
    st = status_json(env)
    check_eq(st.get("skipped"), 0, "status.skipped")


if __name__ == "__main__":
    sys.exit(suite.main())
