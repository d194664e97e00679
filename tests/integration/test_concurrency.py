#!/usr/bin/python3
"""
test_concurrency.py: 100 raw clients at once, 20 appends each. Every
acknowledged id is in the log, then again after a restart; seqs are
unique and contiguous; verify passes; the answers each client got match
what the log says about them.
"""

import os
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (PROTO_MAX_LIST, Rpc, Suite, check, check_eq,  # noqa
                     frame, init_family, pack, short)

suite = Suite("concurrency")

NCLIENTS = 100
PER_CLIENT = 20


def run_clients(sock, pipelined):
    """NCLIENTS threads, each its own connection, PER_CLIENT appends.
    Return ({id: (client, j, seq, ts)}, [errors])."""
    acked = {}
    errors = []
    lock = threading.Lock()
    start = threading.Barrier(NCLIENTS, timeout=30.0)

    def worker(k):
        try:
            c = Rpc(sock, timeout=60.0)
        except OSError as e:
            with lock:
                errors.append("client %d: connect: %s" % (k, e))
            try:
                start.abort()
            except threading.BrokenBarrierError:
                pass
            return
        try:
            start.wait()
            params = [[{"t": "checkin", "who": "Maya" if k % 2 else "Alex",
                        "feeling": "c%d" % k, "intensity": 1 + j % 5,
                        "note": "client %d entry %d" % (k, j)}]
                      for j in range(PER_CLIENT)]
            if pipelined:
                ids = [c.send("append", p) for p in params]
                replies = [c.response(i, 60.0) for i in ids]
            else:
                replies = []
                for p in params:
                    i = c.send("append", p)
                    replies.append(c.response(i, 60.0))
            for j, m in enumerate(replies):
                if m[2] is not None:
                    with lock:
                        errors.append("client %d entry %d: %r"
                                      % (k, j, m[2]))
                    continue
                r = m[3]
                with lock:
                    if r["id"] in acked:
                        errors.append("id %s acknowledged twice"
                                      % r["id"][:12])
                    acked[r["id"]] = (k, j, r["seq"], r["ts"])
        except Exception as e:
            with lock:
                errors.append("client %d: %r" % (k, e))
        finally:
            c.close()

    threads = [threading.Thread(target=worker, args=(k,))
               for k in range(NCLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120.0)
    check(not any(t.is_alive() for t in threads), "client threads hung")
    return acked, errors


def check_log(env, acked, base, what):
    with env.rpc() as c:
        log = c.ok("log", [{"limit": PROTO_MAX_LIST}], timeout=60.0)
        st = c.ok("status")
    by_id = {e["id"]: e for e in log}
    check_eq(len(by_id), len(log), "%s: duplicate ids in the log" % what)
    missing = set(acked) - set(by_id)
    check(not missing, "%s: %d acknowledged ids missing: %s"
          % (what, len(missing), sorted(m[:12] for m in missing)[:5]))
    check_eq(len(log), base + len(acked), "%s: entries" % what)
    check_eq(st["entries"], len(log), "%s: status.entries" % what)
    seqs = [e["seq"] for e in log]
    check_eq(len(set(seqs)), len(seqs), "%s: duplicate seq" % what)
    check_eq(sorted(seqs), list(range(1, len(log) + 1)),
             "%s: seqs are 1..N" % what)
    check(all(a["seq"] > b["seq"] and a["ts"] > b["ts"]
              for a, b in zip(log, log[1:])),
          "%s: log not strictly newest first" % what)
    for i, (k, j, seq, ts) in acked.items():
        e = by_id[i]
        check(e["seq"] == seq and e["ts"] == ts and
              e["fields"]["note"] == "client %d entry %d" % (k, j) and
              e["fields"]["feeling"] == "c%d" % k,
              "%s: entry %s does not match its ack: %s"
              % (what, i[:12], short(repr(e))))
    # Each client's own entries keep the order it sent them in.
    per = {}
    for i, (k, j, seq, ts) in acked.items():
        per.setdefault(k, []).append((j, seq))
    for k, v in per.items():
        v.sort()
        check(all(a[1] < b[1] for a, b in zip(v, v[1:])),
              "%s: client %d's entries out of order: %s" % (what, k, v))
    return log


def verify_ok(env, n):
    r = env.cli("verify", timeout=120.0)
    check(r.rc == 0 and ("%d entries checked, all intact" % n) in r.out,
          "verify: %r" % r)


def scenario(env, pipelined):
    d = env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    base = 2
    t = time.monotonic()
    acked, errors = run_clients(env.sock, pipelined)
    dt = time.monotonic() - t
    check(not errors, "%d errors, first: %s" % (len(errors), errors[:3]))
    check_eq(len(acked), NCLIENTS * PER_CLIENT, "acknowledged appends")
    check_log(env, acked, base, "live")
    verify_ok(env, base + len(acked))
    check_eq(d.stop(), 0, "SIGTERM exit code")
    env.daemon()
    check_log(env, acked, base, "after restart")
    verify_ok(env, base + len(acked))
    return "%d appends in %.1fs (%.0f/s)" % (len(acked), dt,
                                             len(acked) / dt)


@suite.case
def hundred_clients_sequential_calls(env):
    return scenario(env, pipelined=False)


@suite.case
def hundred_clients_pipelined(env):
    return scenario(env, pipelined=True)


@suite.case
def readers_during_writes(env):
    # Readers (log, status, kids, verify) in parallel with writers: every
    # reader gets a consistent answer, never an error.
    env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    stop = threading.Event()
    errors = []
    reads = [0]
    lock = threading.Lock()

    def reader(k):
        try:
            with Rpc(env.sock, timeout=60.0) as c:
                for _ in range(10000):
                    if stop.is_set():
                        return
                    log = c.ok("log", [{"limit": 100}])
                    st = c.ok("status")
                    if k == 0:
                        v = c.ok("verify", timeout=60.0)
                        if v["problems"]:
                            raise AssertionError("verify: %r"
                                                 % v["problems"][:2])
                    seqs = [e["seq"] for e in log]
                    if seqs != sorted(seqs, reverse=True) or \
                            len(set(seqs)) != len(seqs):
                        raise AssertionError("log order: %r" % seqs[:10])
                    if st["entries"] < len(log):
                        raise AssertionError("status behind log")
                    with lock:
                        reads[0] += 1
        except Exception as e:
            with lock:
                errors.append("reader %d: %r" % (k, e))

    readers = [threading.Thread(target=reader, args=(k,))
               for k in range(8)]
    for t in readers:
        t.start()
    try:
        acked, werr = run_clients(env.sock, pipelined=True)
    finally:
        stop.set()
        for t in readers:
            t.join(60.0)
    check(not any(t.is_alive() for t in readers), "reader threads hung")
    check(not werr, "writer errors: %s" % werr[:3])
    check(not errors, "reader errors: %s" % errors[:3])
    check(reads[0] > 0, "no reads completed")
    check_log(env, acked, 2, "with readers")
    return "%d reads alongside %d appends" % (reads[0], len(acked))


def race(sock, nclients, params_fn):
    """nclients connections send one append each, released together.
    Return the list of (client, error, result)."""
    out = []
    lock = threading.Lock()
    conns = [Rpc(sock, timeout=30.0) for _ in range(nclients)]
    go = threading.Barrier(nclients, timeout=30.0)

    def worker(k):
        try:
            go.wait()
            err, res = conns[k].call(params_fn(k)[0], params_fn(k)[1], 30.0)
        except Exception as e:
            err, res = ("exception", repr(e)), None
        with lock:
            out.append((k, err, res))

    threads = [threading.Thread(target=worker, args=(k,))
               for k in range(nclients)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60.0)
    finally:
        for c in conns:
            c.close()
    check(not any(t.is_alive() for t in threads), "race threads hung")
    return out


@suite.case
def same_kid_added_twice_at_once(env):
    # Names are unique (case-insensitively): of several kid.add of one
    # name that arrive together, exactly one may succeed.
    env.daemon()
    init_family(env, "Alex")
    with env.rpc() as c:
        # Two in one write, on one connection: same loop iteration.
        c.send_raw(frame(pack([0, 10, "append", [{"t": "kid.add",
                                                  "name": "Maya"}]])) +
                   frame(pack([0, 11, "append", [{"t": "kid.add",
                                                  "name": "maya"}]])))
        r1, r2 = c.response(10), c.response(11)
        kids = c.ok("kids")
    problems = []
    oks = [r for r in (r1, r2) if r[2] is None]
    names = [k["name"] for k in kids]
    if len(oks) != 1 or len(kids) != 1:
        problems.append("pipelined kid.add Maya + maya on one connection:"
                        " %d accepted, kids now %s" % (len(oks), names))
    # Many clients at once.
    out = race(env.sock, 20, lambda k: ("append", [{"t": "kid.add",
                                                    "name": "Sam"}]))
    won = [o for o in out if o[1] is None]
    if len(won) != 1:
        problems.append("20 clients adding 'Sam' at once: %d accepted"
                        % len(won))
    if not all(o[1][0] == 7 for o in out if o[1] is not None):
        problems.append("losers should get EXISTS: %s"
                        % [o[1] for o in out if o[1] is not None][:3])
    with env.rpc() as c:
        kids = [k["name"] for k in c.ok("kids")]
    check(not problems, "; ".join(problems) + "; kids now: %s" % kids)
    return "kids: %s" % kids


@suite.case
def init_raced(env):
    # One family per device, even when 20 clients init at once.
    env.daemon()
    out = race(env.sock, 20, lambda k: ("init", [{"name": "P%d" % k}]))
    won = [o for o in out if o[1] is None]
    check_eq(len(won), 1, "inits accepted")
    check(all(o[1][0] == 7 for o in out if o[1] is not None),
          "losers should get EXISTS: %s" % [o[1] for o in out])
    st = None
    with env.rpc() as c:
        st = c.ok("status")
    check_eq(st["member"], "P%d" % won[0][0], "the winner is the member")
    check_eq(st["entries"], 1, "one genesis entry")


if __name__ == "__main__":
    sys.exit(suite.main())
