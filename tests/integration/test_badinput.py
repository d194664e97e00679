#!/usr/bin/python3
"""
test_badinput.py: hostile and broken clients on the Unix socket. Each
bad input comes from its own raw client while a good client stays
connected; after each one the good client's status must still answer
correctly, the daemon must still run, and (with a sanitizer build) its
stderr must hold no report. A bad input gets an error reply or a closed
connection: never a crash, never silence.
"""

import os
import random
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (E_MALFORMED, E_METHOD, E_TOOBIG, E_TYPE,  # noqa
                     E_BUSY, E_INVALID, PROTO_MAX_REQUEST, Closed,
                     Failure, Rpc, RpcError, Suite, append_rpc, check,
                     check_eq, frame, pack, short, wait_until)

suite = Suite("badinput")


class World:
    """A daemon with a family, a kid, a few entries and a good client."""

    def __init__(self, env, entries=3, note_len=20):
        self.env = env
        self.d = env.daemon()
        self.good = Rpc(env.sock)
        self.good.ok("init", [{"name": "Alex"}])
        append_rpc(self.good, "kid.add", name="Maya")
        ids = [self.good.send("append", [{
            "t": "checkin", "who": "Maya", "feeling": "ok",
            "note": ("n%d " % i) + "x" * note_len}])
            for i in range(entries)]
        for i in ids:
            m = self.good.response(i, 30.0)
            check(m[2] is None, "setup append failed: %r" % (m[2],))
        self.entries = 2 + entries

    def check_good(self, what):
        check(self.d.alive(), "%s: the daemon died (rc %r): %s"
              % (what, self.d.proc.poll(), short(self.d.stderr(), 1500)))
        try:
            st = self.good.ok("status", timeout=10.0)
        except (Closed, TimeoutError, OSError) as e:
            raise Failure("%s: the good client got no status: %s"
                          % (what, e))
        check(st.get("family") == "Alex's family" and
              st.get("entries") == self.entries,
              "%s: good client's status is wrong: %r" % (what, st))
        rep = self.d.sanitizer_report()
        check(rep is None, "%s: sanitizer: %s" % (what, rep))


def outcome(c, timeout=5.0, expect=None):
    """What the daemon did with what c sent: 'error N' (and whether the
    connection stayed usable) or 'closed'. Fails on silence. expect: a
    set of acceptable error codes."""
    try:
        m = c.recv(timeout)
    except Closed:
        return "closed"
    except TimeoutError:
        raise Failure("no reply and connection not closed after %.0fs"
                      % timeout)
    check(isinstance(m, list) and len(m) == 4 and m[0] == 1 and
          m[2] is not None and isinstance(m[2], list) and len(m[2]) == 2,
          "expected an error response, got %r" % short(repr(m)))
    code = m[2][0]
    if expect is not None:
        check(code in expect, "error code %r (%r), expected one of %s"
              % (code, m[2][1], sorted(expect)))
    # Is the connection still usable, or closed after the error?
    try:
        c.send_frame(pack([0, 4242, "status", []]))
        m2 = c.response(4242, timeout)
        check(m2[2] is None, "status after the error failed: %r" % m2)
        return "error %d, connection kept" % code
    except (Closed, BrokenPipeError, ConnectionResetError):
        return "error %d, then closed" % code


def bad(world, what, data, expect=None, timeout=5.0):
    """Send data on a fresh connection, report what happened, check the
    good client."""
    with Rpc(world.env.sock) as c:
        c.try_send(data)
        res = outcome(c, timeout, expect)
    world.check_good(what)
    return "%s: %s" % (what, res)


# ------------------------------------------------------------------ cases

@suite.case
def garbage_bytes(env):
    w = World(env)
    notes = [bad(w, "http", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    rnd = random.Random(20261122)
    for i in range(3):
        notes.append(bad(w, "random%d" % i,
                         bytes(rnd.getrandbits(8) for _ in range(4096))))
    # A well-formed length around a body that is not msgpack.
    notes.append(bad(w, "framed 0xc1", frame(b"\xc1" * 16), {E_MALFORMED}))
    notes.append(bad(w, "framed text", frame(b"hello, attuned"),
                     {E_MALFORMED}))
    # Trailing bytes after one whole object.
    notes.append(bad(w, "trailing", frame(pack([0, 1, "status", []]) +
                                           b"\x00"), {E_MALFORMED}))
    return "; ".join(notes)


@suite.case
def frame_lengths(env):
    w = World(env)
    notes = [bad(w, "0x7fffffff", b"\x7f\xff\xff\xff" + b"\x90" * 16,
                 {E_TOOBIG}),
             bad(w, "0xffffffff", b"\xff\xff\xff\xff", {E_TOOBIG}),
             bad(w, "max+1", struct.pack(">I", PROTO_MAX_REQUEST + 1) +
                 b"\x90", {E_TOOBIG}),
             bad(w, "zero", b"\x00\x00\x00\x00", {E_MALFORMED}),
             bad(w, "zero then valid", b"\x00\x00\x00\x00" +
                 frame(pack([0, 1, "status", []])), {E_MALFORMED})]
    # Exactly the maximum is a frame like any other: its request is
    # judged (status takes no parameter), not its size.
    head = pack([0, 9, "status", ["x" * 10]])
    pad = PROTO_MAX_REQUEST - len(head)
    body = pack([0, 9, "status", ["x" * (10 + pad - 4)]])
    body = pack([0, 9, "status", ["x" * (10 + pad - 4 +
                                         PROTO_MAX_REQUEST - len(body))]])
    check_eq(len(body), PROTO_MAX_REQUEST, "max-size body")
    notes.append(bad(w, "exactly max", frame(body), {E_TYPE}, 10.0))
    check("kept" in notes[-1], "a maximal frame closed the connection: %s"
          % notes[-1])
    return "; ".join(notes)


@suite.case
def huge_declared_counts(env):
    w = World(env)
    notes = []
    for name, body in (("dd ff ff ff ff", b"\xdd\xff\xff\xff\xff"),
                       ("dc ff ff", b"\xdc\xff\xff"),
                       ("df map32", b"\xdf\xff\xff\xff\xff"),
                       ("de map16", b"\xde\xff\xff"),
                       ("db str32", b"\xdb\xff\xff\xff\xff"),
                       ("c6 bin32", b"\xc6\xff\xff\xff\xff"),
                       ("c9 ext32", b"\xc9\xff\xff\xff\xff\x01"),
                       ("request with dd", b"\x94\x00\x01\xa6status"
                                           b"\xdd\xff\xff\xff\xff")):
        notes.append(bad(w, name, frame(body), {E_MALFORMED, E_TOOBIG}))
    return "; ".join(notes)


@suite.case
def deep_nesting(env):
    w = World(env)
    notes = [bad(w, "40 deep", frame(b"\x91" * 40 + b"\x01"),
                 {E_MALFORMED, E_TOOBIG})]
    # Inside a request: the request array, params, then total - 2 more
    # non-empty arrays: total levels in all (empty ones do not count).
    for total, ok in ((12, True), (13, False), (40, False)):
        body = b"\x94\x00\x07\xa6status\x91" + b"\x91" * (total - 2) + \
            b"\x01"
        what = "request %d deep" % total
        if ok:
            notes.append(bad(w, what, frame(body), {E_TYPE}))
        else:
            notes.append(bad(w, what, frame(body), {E_MALFORMED,
                                                    E_TOOBIG}))
    return "; ".join(notes)


@suite.case
def wrong_types(env):
    w = World(env)
    cases = [
        ("params a map", [0, 1, "status", {}], {E_TYPE, E_MALFORMED}),
        ("params a string", [0, 1, "log", "x"], {E_TYPE, E_MALFORMED}),
        ("method an int", [0, 1, 42, []], {E_MALFORMED, E_TYPE}),
        ("method nil", [0, 1, None, []], {E_MALFORMED, E_TYPE}),
        ("msgid negative", [0, -1, "status", []], {E_MALFORMED}),
        ("msgid > u32", [0, 1 << 33, "status", []], {E_MALFORMED}),
        ("msgid a string", [0, "1", "status", []], {E_MALFORMED}),
        ("kind 3", [3, 1, "status", []], {E_MALFORMED}),
        ("3 elements", [0, 1, "status"], {E_MALFORMED}),
        ("5 elements", [0, 1, "status", [], 0], {E_MALFORMED}),
        ("not an array", {"method": "status"}, {E_MALFORMED}),
        ("a bare int", 7, {E_MALFORMED}),
        ("two params", [0, 1, "log", [{}, {}]], {E_TYPE}),
        ("param not a map", [0, 1, "log", [[1]]], {E_TYPE}),
        ("log limit a string", [0, 1, "log", [{"limit": "many"}]],
         {E_TYPE}),
        ("log limit 0", [0, 1, "log", [{"limit": 0}]], {E_INVALID}),
        ("log limit huge", [0, 1, "log", [{"limit": 1 << 40}]],
         {E_INVALID}),
        ("log kid an int", [0, 1, "log", [{"kid": 5}]], {E_TYPE}),
        ("minutes 'ten'", [0, 1, "append", [{"t": "one-on-one",
                                              "kid": "Maya",
                                              "minutes": "ten"}]],
         {E_TYPE}),
        ("minutes a float", [0, 1, "append", [{"t": "one-on-one",
                                                "kid": "Maya",
                                                "minutes": 10.5}]],
         {E_TYPE, E_INVALID}),
        ("t an int", [0, 1, "append", [{"t": 1}]], {E_TYPE}),
        ("kind not for clients", [0, 1, "append",
                                  [{"t": "family.create",
                                    "family": "x", "name": "y"}]],
         {E_INVALID}),
        ("unknown field", [0, 1, "append", [{"t": "kid.add",
                                              "name": "Zed", "x": 1}]],
         {E_INVALID}),
        ("int map key", [0, 1, "append", [{"t": "kid.add", "name": "Zed",
                                           7: 1}]], {E_INVALID, E_TYPE}),
        ("name binary", [0, 1, "append", [{"t": "kid.add",
                                           "name": b"Zed"}]], {E_TYPE}),
        ("apologized a string", [0, 1, "append",
                                 [{"t": "repair", "kid": "Maya",
                                   "what": "x", "apologized": "yes"}]],
         {E_TYPE}),
        ("control chars", [0, 1, "append", [{"t": "kid.add",
                                             "name": "Ze\x1b[2Jd"}]],
         {E_INVALID}),
        ("init twice, raw", [0, 1, "init", [{"name": "Mallory"}]], {7}),
    ]
    notes = []
    for what, msg, expect in cases:
        notes.append(bad(w, what, frame(pack(msg)), expect))
    return "%d cases: %s" % (len(notes), "; ".join(notes))


@suite.case
def unknown_method(env):
    w = World(env)
    notes = []
    for name in ("frobnicate", "Status", "statu", "status\x00x", "",
                 "x" * 33, "x" * 1000, "append " * 2):
        with Rpc(env.sock) as c:
            err, res = c.call(name, [])
            check(err is not None and err[0] == E_METHOD,
                  "method %r: expected error %d, got %r %r"
                  % (short(name, 40), E_METHOD, err, short(repr(res))))
            check(isinstance(err[1], str) and err[1],
                  "no message with the error: %r" % err)
            notes.append("%r: %d %r" % (short(name, 12), err[0],
                                        short(err[1], 50)))
            check(c.ok("status")["entries"] == w.entries,
                  "connection unusable after an unknown method")
        w.check_good("unknown method %r" % short(name, 20))
    return "; ".join(notes)


@suite.case
def split_byte_by_byte(env):
    w = World(env)
    with Rpc(env.sock) as c:
        data = frame(pack([0, 77, "log", [{"kid": "Maya", "limit": 2}]]))
        t = time.monotonic()
        for b in data:
            c.send_raw(bytes([b]))
            time.sleep(0.01)
        m = c.response(77, 10.0)
        check(m[2] is None and isinstance(m[3], list) and len(m[3]) == 2,
              "byte-by-byte log: %r" % short(repr(m)))
        # And a second request split across the header boundary.
        data = frame(pack([0, 78, "status", []]))
        c.send_raw(data[:2])
        time.sleep(0.2)
        c.send_raw(data[2:5])
        time.sleep(0.2)
        c.send_raw(data[5:])
        st = c.response(78, 10.0)[3]
        check_eq(st["entries"], w.entries, "split status")
    w.check_good("split requests")
    return "%d bytes in %.1fs" % (len(data), time.monotonic() - t)


@suite.case
def pipelined_requests(env):
    w = World(env)
    with Rpc(env.sock) as c:
        data = b"".join(frame(pack([0, 1000 + i, "status", []]))
                        for i in range(200))
        c.send_raw(data)
        got = [c.recv(10.0) for _ in range(200)]
        check_eq([m[1] for m in got], list(range(1000, 1200)),
                 "msgids of 200 pipelined answers")
        check(all(m[2] is None and m[3]["entries"] == w.entries
                  for m in got), "a pipelined answer is wrong")
    w.check_good("pipelined")


def settle_rss(d, timeout=5.0):
    """The daemon's VmRSS once it stops moving (bounded)."""
    last = d.rss_kib()
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / 0.25) + 1):
        time.sleep(0.25)
        cur = d.rss_kib()
        if abs(cur - last) < 256 or time.monotonic() > deadline:
            return cur
        last = cur
    return last


def flood(sock, frames_fn, max_frames, seconds):
    """Send frames_fn(i) as fast as the daemon takes them, never reading,
    for at most max_frames / seconds. Return (client, frames sent,
    whether the daemon stopped taking them)."""
    c = Rpc(sock)
    sent = 0
    blocked = False
    deadline = time.monotonic() + seconds
    batch = 100
    while sent < max_frames and time.monotonic() < deadline:
        data = b"".join(frames_fn(sent + i) for i in range(batch))
        c.sock.settimeout(0.5)
        try:
            c.sock.sendall(data)
        except socket.timeout:
            blocked = True
            break
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += batch
    return c, sent, blocked


@suite.case
def never_reads_replies(env):
    # ~300 entries with 1 KB notes: each log reply is ~400 KB, so 3000
    # unread requests would be ~1.2 GB if the daemon queued them all.
    w = World(env, entries=300, note_len=1000)
    rss0 = settle_rss(w.d)
    req = frame(pack([0, 1, "log", [{"limit": 10000}]]))
    c, sent, blocked = flood(env.sock, lambda i: req, 3000, 8.0)
    try:
        rss1 = settle_rss(w.d)
        peak = rss1
        # The good client is served while the flooder is parked.
        w.check_good("while a client does not read")
        peak = max(peak, w.d.rss_kib())
        grow = (peak - rss0) / 1024.0
        check(grow < 64, "RSS grew by %.0f MiB (from %d to %d KiB) after "
              "%d unread log requests" % (grow, rss0, peak, sent))
    finally:
        c.close()
    w.check_good("after the flooder left")
    return ("%d requests sent (%s), RSS %d -> %d KiB"
            % (sent, "daemon stopped reading" if blocked else
               "all taken", rss0, peak))


@suite.case
def verify_flood(env):
    # verify runs in the thread pool and replies later, so replies do not
    # hold back reading: each queued verify must be bounded some other
    # way (a per-client cap on requests in flight).
    w = World(env, entries=20)
    rss0 = settle_rss(w.d)
    req = frame(pack([0, 1, "verify", []]))
    peak = rss0
    stop = threading.Event()

    def sample():
        nonlocal peak
        for _ in range(2000):
            if stop.is_set():
                return
            try:
                peak = max(peak, w.d.rss_kib())
            except (OSError, Failure):
                return
            time.sleep(0.005)
    t = threading.Thread(target=sample)
    t.start()
    try:
        c, sent, blocked = flood(env.sock, lambda i: req, 3000, 5.0)
        time.sleep(1.0)
    finally:
        stop.set()
        t.join(15.0)
    try:
        w.check_good("verify flood")
        grow = (peak - rss0) / 1024.0
        check(grow < 64, "RSS peaked %.0f MiB above the start (%d -> %d "
              "KiB) during %d unread verify requests"
              % (grow, rss0, peak, sent))
    finally:
        c.close()
    w.check_good("after the verify flood")
    return "%d verify requests, RSS %d -> peak %d KiB" % (sent, rss0, peak)


@suite.case
def half_sent_frame(env):
    w = World(env)
    with Rpc(env.sock) as c:
        c.send_raw(struct.pack(">I", 100) + b"\x94\x00\x01")
        t0 = time.monotonic()
        # Meanwhile everyone else is served.
        for _ in range(3):
            w.check_good("during a half-sent frame")
        closed, got = c.wait_closed(20.0)
        dt = time.monotonic() - t0
    check(closed, "half-sent frame: not closed within 20 s")
    check(8.5 <= dt <= 15.0, "half-sent frame closed after %.1fs, "
          "expected about 10 s" % dt)
    check(all(m[0] == 1 and m[2] is not None for m in got),
          "unexpected messages before the close: %r" % got)
    # A slow but steady client is not the same as a stuck one: a client
    # with no partial frame is never timed out.
    with Rpc(env.sock) as idle:
        time.sleep(0.1)
        w.check_good("after the half-sent frame")
        check_eq(idle.ok("status")["entries"], w.entries, "idle client")
    return "closed after %.1fs" % dt


@suite.case
def response_shaped(env):
    w = World(env)
    notes = [bad(w, "response", frame(pack([1, 7, None, "hi"])),
                 {E_MALFORMED}),
             bad(w, "error response", frame(pack([1, 7, [4, "x"], None])),
                 {E_MALFORMED}),
             bad(w, "notification", frame(pack([2, "status", []])),
                 {E_MALFORMED, E_METHOD}),
             bad(w, "bad response", frame(pack([1, 7, [0, 5], None])),
                 {E_MALFORMED})]
    return "; ".join(notes)


@suite.case
def too_many_clients(env):
    # Up to 512 clients; the next ones get BUSY and are closed, and the
    # slots come back when clients leave.
    w = World(env)
    conns = []
    busy = 0
    try:
        for i in range(530):
            try:
                conns.append(Rpc(env.sock, timeout=5.0))
            except OSError as e:
                raise Failure("connect %d failed: %s" % (i, e))
        # Ask every connection for status; count who is served.
        req = frame(pack([0, 5, "status", []]))
        for c in conns:
            c.try_send(req)     # a refused client may be closed already
        served = 0
        for c in conns:
            try:
                m = c.recv(10.0)
            except Closed:
                continue
            if m[2] is None:
                served += 1
            elif m[2][0] == E_BUSY:
                busy += 1
                closed, _ = c.wait_closed(5.0)
                check(closed, "a BUSY client was not closed")
            else:
                raise Failure("unexpected reply %r" % m)
        # The good client holds one slot of 512.
        check_eq(served, 511, "clients served besides the good one")
        check_eq(busy, 530 - 511, "clients refused with BUSY")
        w.check_good("at the client limit")
    finally:
        for c in conns:
            c.close()

    def slot_free():
        try:
            with Rpc(env.sock) as c:
                return c.ok("status")["entries"] == w.entries
        except (Closed, RpcError, OSError):
            return False
    wait_until(slot_free, 10.0, 0.05, "a free client slot")
    w.check_good("after the crowd left")
    return "511 served + good client, %d BUSY" % busy


@suite.case
def all_in_a_row(env):
    # The fast cases, one after the other, against a single daemon with
    # a single good client that must keep working throughout.
    w = World(env)
    inputs = [
        b"GET / HTTP/1.1\r\n\r\n",
        b"\x7f\xff\xff\xff",
        b"\x00\x00\x00\x00",
        frame(b"\xdd\xff\xff\xff\xff"),
        frame(b"\xdc\xff\xff"),
        frame(b"\x91" * 40 + b"\x01"),
        frame(pack([0, 1, "status", {}])),
        frame(pack([0, 1, 42, []])),
        frame(pack([0, 1, "append", [{"t": "one-on-one", "kid": "Maya",
                                      "minutes": "ten"}]])),
        frame(pack([0, 1, "nosuchmethod", []])),
        frame(pack([1, 1, None, None])),
        frame(b"\xc1"),
    ]
    for i, data in enumerate(inputs):
        bad(w, "input %d" % i, data)
    return "%d inputs" % len(inputs)


if __name__ == "__main__":
    sys.exit(suite.main())
