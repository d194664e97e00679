#!/usr/bin/python3
"""
test_durability.py: what was acknowledged survives SIGKILL; SIGTERM is a
clean shutdown; a full disk fails appends clearly and loses nothing; one
daemon per data dir; a stale socket is replaced and a live one is not.
"""

import os
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (PROTO_MAX_LIST, Closed, Rpc, Skip, Suite,  # noqa
                     check, check_eq, init_family, log_json, short,
                     status_json)

suite = Suite("durability")


def verify_ok(env, n=None):
    r = env.cli("verify")
    check(r.rc == 0 and "all intact" in r.out, "verify: %r" % r)
    if n is not None:
        check("%d entries checked" % n in r.out,
              "verify should check %d entries: %r" % (n, r))


def all_ids(env):
    return {e["id"] for e in log_json(env, "--limit", str(PROTO_MAX_LIST))}


@suite.case
def kill9_after_cli_append(env):
    d = env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    for i in range(3):
        r = env.ok("--json", "checkin", "Maya", "brave%d" % i, "--note",
                   "round %d" % i)
        acked = r.json()["id"]
        d.kill9()
        check(d.returncode == -9, "daemon was not killed by SIGKILL: %r"
              % d.returncode)
        d = env.daemon()
        log = log_json(env)
        check(log and log[0]["id"] == acked,
              "round %d: acknowledged %s is not the newest entry after "
              "kill -9: %s" % (i, acked, short(repr(log[:2]))))
        check_eq(log[0]["fields"]["feeling"], "brave%d" % i, "feeling")
        check_eq(len(log), 3 + i, "entries after restart")
        verify_ok(env, 3 + i)
    # The chain goes on from the recovered head.
    env.ok("1on1", "Maya")
    verify_ok(env, 6)


def hammer(sock, nclients, per_client, stop_after=None, kill=None):
    """nclients raw clients pipeline per_client appends each. Return the
    set of acknowledged ids (and errors seen). With stop_after, kill() is
    called as soon as that many acks have arrived (from a thread)."""
    acked = set()
    errors = []
    lock = threading.Lock()
    killed = threading.Event()

    def worker(k):
        try:
            c = Rpc(sock, timeout=30.0)
        except OSError as e:
            # A client that starts after the kill finds no daemon: fine.
            if not killed.is_set():
                with lock:
                    errors.append("connect: %s" % e)
            return
        try:
            ids = []
            for j in range(per_client):
                ids.append(c.send("append", [{
                    "t": "checkin", "who": "Maya", "feeling": "f%d" % k,
                    "note": "client %d entry %d" % (k, j)}]))
            for mid in ids:
                try:
                    m = c.response(mid, timeout=30.0)
                except (Closed, TimeoutError) as e:
                    if not killed.is_set():
                        with lock:
                            errors.append("client %d: %s" % (k, e))
                    return
                if m[2] is not None:
                    with lock:
                        errors.append("client %d: error %r" % (k, m[2]))
                    continue
                with lock:
                    acked.add(m[3]["id"])
                    if (stop_after is not None and not killed.is_set() and
                            len(acked) >= stop_after):
                        killed.set()
                        kill()
        except Exception as e:      # noqa: the daemon may vanish
            if not killed.is_set():
                with lock:
                    errors.append("client %d: %r" % (k, e))
        finally:
            c.close()

    threads = [threading.Thread(target=worker, args=(k,))
               for k in range(nclients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60.0)
    check(not any(t.is_alive() for t in threads), "client threads hung")
    return acked, errors


@suite.case
def kill9_after_200_concurrent_appends(env):
    d = env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    acked, errors = hammer(env.sock, 8, 25)
    check(not errors, "errors while appending: %s" % errors[:5])
    check_eq(len(acked), 200, "acknowledged appends")
    d.kill9()
    env.daemon()
    have = all_ids(env)
    lost = acked - have
    check(not lost, "%d acknowledged entries lost after kill -9: %s"
          % (len(lost), sorted(lost)[:3]))
    check_eq(len(have), 202, "entries after restart")
    verify_ok(env, 202)


@suite.case
def kill9_in_the_middle_of_appends(env):
    d = env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    acked, errors = hammer(env.sock, 8, 100, stop_after=300,
                           kill=d.kill9)
    check(not errors, "errors before the kill: %s" % errors[:5])
    check(len(acked) >= 300, "acks before the kill: %d" % len(acked))
    env.daemon()
    have = all_ids(env)
    lost = acked - have
    check(not lost, "%d of %d acknowledged entries lost after kill -9: %s"
          % (len(lost), len(acked), sorted(lost)[:3]))
    verify_ok(env, len(have))
    # Everything stored is whole: entries == what status counts, and the
    # daemon appends on top of the recovered chain.
    check_eq(status_json(env)["entries"], len(have), "status.entries")
    env.ok("1on1", "Maya")
    verify_ok(env, len(have) + 1)


@suite.case
def sigterm_clean_shutdown(env):
    d = env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    idle = Rpc(env.sock)        # a connected client must not block it
    try:
        rc = d.stop(10.0)
    finally:
        idle.close()
    check(rc == 0, "SIGTERM exit code %r (stderr: %s)"
          % (rc, short(d.stderr())))
    check(not os.path.exists(env.sock), "socket file left after SIGTERM")
    check(not os.path.exists(os.path.join(env.data_dir, "events.db-wal"))
          or os.path.getsize(os.path.join(env.data_dir,
                                          "events.db-wal")) == 0,
          "WAL not checkpointed at clean shutdown")
    env.daemon()
    check_eq(len(log_json(env)), 2, "entries after a clean restart")
    # SIGINT is a clean shutdown too.
    d2 = env.daemons[-1]
    d2.proc.send_signal(2)
    rc = d2.wait_exit(10.0)
    check(rc == 0, "SIGINT exit code %r" % rc)
    check(not os.path.exists(env.sock), "socket file left after SIGINT")


def fill(path, limit):
    """Write zeros to path until the filesystem is full (at most limit
    bytes). Return how much was written."""
    n = 0
    with open(path, "wb") as f:
        while n < limit:
            try:
                f.write(b"\0" * 65536)
                f.flush()
                os.fsync(f.fileno())
            except OSError:
                break
            n += 65536
    return n


@suite.case
def disk_full_then_space_again(env):
    """The data dir on a 4 MiB tmpfs the test mounts: once it is full,
    appends fail with a clear error and no id, the daemon keeps serving,
    and nothing acknowledged is lost; with space again, appends go on from
    the durable head, verify is intact, and all of it survives a
    restart."""
    if os.geteuid() != 0:
        raise Skip("needs root to mount a tmpfs")
    mnt = env.path("small")
    os.makedirs(mnt, mode=0o700)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700",
                        "tmpfs", mnt], capture_output=True, text=True)
    if r.returncode != 0:
        raise Skip("cannot mount a tmpfs: %s" % r.stderr.strip())
    try:
        data = os.path.join(mnt, "data")
        d = env.daemon(data_dir=data)
        init_family(env, "Alex", [("Maya", None)])
        acked = set()
        for i in range(5):
            acked.add(env.ok("--json", "checkin", "Maya", "calm").json()["id"])
        filler = os.path.join(mnt, "filler")
        fill(filler, 8 << 20)
        failed, why = 0, ""
        for i in range(40):
            r = env.cli("--json", "checkin", "Maya", "worried", "--note",
                        "full %d %s" % (i, "x" * 1500))
            if r.rc == 0:
                acked.add(r.json()["id"])
            else:
                failed += 1
                why = r.err
        check(failed > 0, "no append failed on a full disk")
        check("disk" in why and "not kept" in why,
              "the error does not say what happened: %r" % why)
        check(all_ids(env) >= acked, "an acknowledged entry is missing")
        env.ok("status")
        os.unlink(filler)
        ok = None
        for i in range(50):             # the failed ones drain first
            r = env.cli("--json", "1on1", "Maya", "--note", "space again")
            if r.rc == 0:
                ok = r.json()["id"]
                break
            time.sleep(0.1)
        check(ok is not None, "appends do not work again: %r" % r)
        acked.add(ok)
        ids = all_ids(env)
        check(ids >= acked, "an acknowledged entry is missing")
        verify_ok(env, len(ids))
        d.stop()
        env.daemon(data_dir=data)
        check(all_ids(env) == ids, "entries changed across the restart")
        verify_ok(env, len(ids))
        return "%d appends refused, %d entries kept" % (failed, len(ids))
    finally:
        for x in env.stop_all():
            print("# " + x)
        subprocess.run(["umount", "-l", mnt], capture_output=True)


@suite.case
def second_daemon_same_data_dir(env):
    d = env.daemon()
    init_family(env, "Alex")
    other_sock = env.path("run2", "attuned.sock")
    d2 = env.daemon(sock=other_sock, start=False)
    rc = d2.wait_exit(10.0)
    check(rc is not None and rc != 0, "second daemon on the same data dir "
          "should exit non-zero, got %r" % rc)
    err = d2.stderr()
    check(str(d.pid) in err, "message should name pid %d: %r"
          % (d.pid, err))
    check(env.data_dir in err, "message should name the dir: %r" % err)
    check(not os.path.exists(other_sock), "loser created its socket")
    check(d.alive(), "first daemon died")
    check_eq(status_json(env)["entries"], 1, "first daemon still serves")


@suite.case
def stale_socket_replaced(env):
    d = env.daemon()
    init_family(env, "Alex")
    d.kill9()
    check(os.path.exists(env.sock), "kill -9 should leave the socket file")
    env.daemon()            # start() polls connect: it must get through
    check_eq(status_json(env)["entries"], 1, "entries via new socket")


@suite.case
def live_socket_not_replaced(env):
    d = env.daemon()
    init_family(env, "Alex")
    ino = os.stat(env.sock).st_ino
    d2 = env.daemon(data_dir=env.path("data2"), start=False)
    rc = d2.wait_exit(10.0)
    check(rc is not None and rc != 0, "second daemon on a live socket "
          "should exit non-zero, got %r" % rc)
    err = d2.stderr()
    check(env.sock in err and ("already" in err or "in use" in err),
          "message should say the socket is in use: %r" % err)
    check(os.path.exists(env.sock) and os.stat(env.sock).st_ino == ino,
          "the live socket file was replaced or removed")
    check(d.alive(), "first daemon died")
    check_eq(status_json(env)["family"], "Alex's family",
             "first daemon still answers on its socket")


@suite.case
def socket_path_not_a_socket(env):
    os.makedirs(env.path("run"), mode=0o700)
    with open(env.sock, "w") as f:
        f.write("precious\n")
    d = env.daemon(start=False)
    rc = d.wait_exit(10.0)
    check(rc is not None and rc != 0, "daemon should refuse a regular file "
          "at its socket path, got %r" % rc)
    check("not a socket" in d.stderr(), "message: %r" % d.stderr())
    with open(env.sock) as f:
        check_eq(f.read(), "precious\n", "the file was clobbered")


if __name__ == "__main__":
    sys.exit(suite.main())
