#!/usr/bin/python3
"""
test_peer_adversary.py: a misbehaving peer (evilpeer, a C tool built
next to attuned) against a live attuned.

Each case makes a family of two daemons on 127.0.0.1 (A founded it, B
joined), writes a few entries on both, notes B's head (seq and id, from
B's own log), stops B and lets evilpeer play one misbehaviour against A
with B's keys (DATA/device.key, DATA/family.key). evilpeer prints what A
did and exits 0 when A behaved (it learned nothing it should not have and
A ended the session where it had to), 1 when not.

Then, for every case: A is still running, its log holds exactly the ids
it held before (nothing of what evilpeer offered was stored; the
exceptions are good-event, the positive control, and event-bye, whose
event must be stored), verify passes, no session with B's device is
left over, and the honest B, restarted, still syncs with A: new entries
on both converge (test_sync.Family.converged).

Cases: stranger, slowloris, replay, reflect, loworder, unknown_device,
good_event, event_bye, forged_sig, bad_aead, wrong_seq, broken_chain,
foreign_author, oversized, garbage_msg; then, in a family of three where
A removed B (devices.remove: device.remove + key.rotate): removed (B's
keys open no session; the honest B gets and gives nothing new; A and C
still sync under the new key) and removed_relay (C relays an event B
wrote after its final_seq: never stored).

Must not: address anything but 127.0.0.1 and its own Unix sockets; wait
without a deadline.
"""

import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as H  # noqa: E402
from harness import Failure, check, short  # noqa: E402
from test_sync import Family  # noqa: E402


def _find_evilpeer():
    path = os.environ.get("EVILPEER")
    if path:
        return path
    for build in ("build", "build-it", "build-sync"):
        cand = os.path.join(H.ROOT, build, "tests", "integration",
                            "evilpeer")
        if os.access(cand, os.X_OK):
            return cand
    return os.path.join(H.ROOT, "build", "tests", "integration",
                        "evilpeer")


EVILPEER = _find_evilpeer()
ID_RE = re.compile(r"^sent-id: ([0-9a-f]{64})$", re.M)


class World:
    """A and B of one family, B stopped, and what A held before."""

    def __init__(self, env):
        self.env = env
        self.f = Family(env)
        self.a, self.b = self.f.pair()
        self.f.write(self.a, 3, "a")
        self.f.write(self.b, 3, "b")
        self.f.converged()
        mine = [e for e in self.b.log() if e["author"] == self.b.device]
        top = max(mine, key=lambda e: e["seq"])
        self.seq, self.prev = top["seq"], top["id"]
        self.b.stop()
        self.before = self.a.ids()

    def evil(self, mode, *extra, wait_ms=3000, timeout=180.0, data=None,
             author=None):
        """Run evilpeer against A with B's keys (or data's); author: the
        data dir of the forged events' author. Return (rc, stdout, ids
        it offered)."""
        argv = [EVILPEER, mode] + list(extra) + [
            "--port", str(self.a.port),
            "--data", data or self.b.data_dir,
            "--seq", str(self.seq), "--prev", self.prev,
            "--wait", str(wait_ms)]
        if author:
            argv += ["--author-data", author]
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout,
                           cwd=self.env.tmp)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        if os.environ.get("EVILPEER_VERBOSE"):
            print("# evilpeer %s -> %d\n%s" % (mode, p.returncode,
                                                out.rstrip()))
        if p.returncode == 2:
            raise Failure("evilpeer %s could not run: %s %s"
                          % (mode, short(out, 800), short(err)))
        return p.returncode, out, set(ID_RE.findall(out))

    def expect_behaved(self, mode, *extra, **kw):
        rc, out, sent = self.evil(mode, *extra, **kw)
        check(rc == 0, "evilpeer %s: the target misbehaved (rc %d):\n%s"
              % (mode, rc, out.rstrip()))
        return out, sent

    def after(self, sent=(), stored=()):
        """A alive, its log unchanged (but for stored), verify ok, no
        session with B's device left; then honest B syncs with A."""
        a, b = self.a, self.b
        check(a.daemon.alive(), "A died: %s" % short(a.daemon.stderr(),
                                                     1500))
        now = a.ids()
        check(not (set(sent) - set(stored)) & now,
              "A stored an event evilpeer offered: %s"
              % sorted((set(sent) - set(stored)) & now))
        check(now == self.before | set(stored),
              "A's log changed: %d new, %d gone" % (
                  len(now - self.before - set(stored)),
                  len(self.before - now)))
        a.verify()
        H.wait_until(lambda: not any(s.get("device") == b.device
                                     for s in a.sessions()),
                     10.0, 0.05, "A to drop the evil session")
        for i in stored:
            self.f.ack(i)
        b.start()
        # B's own chain went on without B (the control event): B must
        # learn it before it writes, or its next entry is a fork.
        H.wait_until(lambda: set(stored) <= b.ids(), 10.0, 0.05,
                     "B to receive the event written with its key")
        self.f.write(b, 2, "honest")
        self.f.write(self.a, 2, "honest")
        self.f.converged()


def last_verdict(out):
    v = [ln for ln in out.splitlines() if ln.startswith("verdict:")]
    return v[-1][len("verdict: "):] if v else "(no verdict)"


def behaved(env, *args, **kw):
    """Run evilpeer in one mode against A; A must behave and keep its
    log as it was. Return evilpeer's verdict."""
    w = World(env)
    out, _ = w.expect_behaved(*args, **kw)
    w.after()
    return last_verdict(out)


suite = H.Suite("peer_adversary")


@suite.case
def stranger(env):
    """Random bytes, a random hello, zero and 4 GiB lengths: A closes
    without sending a byte."""
    return behaved(env, "stranger")


@suite.case
def slowloris(env):
    """Half a hello, then silence: A drops the connection within its
    10 s handshake deadline."""
    return behaved(env, "slowloris", wait_ms=15000)


@suite.case
def replay(env):
    """A legitimate session of B is captured, then replayed byte for
    byte (it goes nowhere after the hellos), then its identity is
    claimed with the old signature (refused at the signature step)."""
    w = World(env)
    cap = env.path("b-session.bin")
    out, _ = w.expect_behaved("capture", cap)
    check(os.path.getsize(cap) > 100, "capture too short")
    w.before = w.a.ids()    # a legitimate session, nothing written
    out, _ = w.expect_behaved("replay", cap)
    w.after()
    return last_verdict(out)


@suite.case
def reflect(env):
    """A's own hello fed back to it, on a new connection and in place of
    the stream header: closed, nothing more said."""
    return behaved(env, "reflect")


@suite.case
def loworder(env):
    """Hellos with low-order X25519 keys and a valid MAC under the
    network key: closed without a word, no session."""
    return behaved(env, "loworder")


@suite.case
def unknown_device(env):
    """The family key with a device key the family never admitted (as a
    member, and as a joiner with no invite), and a member's key claimed
    without its secret: ERROR or close, never AUTH, HEADS or EVENTS."""
    w = World(env)
    out, _ = w.expect_behaved("unknown-device")
    check("ERROR 14" in out or "closed" in out, "no refusal seen: %s"
          % out)
    w.after()
    return last_verdict(out)


@suite.case
def good_event(env):
    """Positive control: the next event of B's chain, well formed, is
    accepted (so the bad-event cases fail only for their defect)."""
    w = World(env)
    out, sent = w.expect_behaved("good-event")
    check(len(sent) == 1, "evilpeer offered %d events" % len(sent))
    H.wait_until(lambda: sent <= w.a.ids(), 5.0, 0.05,
                 "the control event on A")
    w.after(sent=sent, stored=sent)
    return last_verdict(out)


@suite.case
def event_bye(env):
    """The control event with the peer's goodbye right behind it, in one
    write: the goodbye must not overtake the event while its signature
    is being checked, so the event is stored."""
    w = World(env)
    out, sent = w.expect_behaved("event-bye")
    check(len(sent) == 1, "evilpeer offered %d events" % len(sent))
    H.wait_until(lambda: sent <= w.a.ids(), 5.0, 0.05,
                 "the event sent before goodbye on A")
    w.after(sent=sent, stored=sent)
    return last_verdict(out)


def bad_event_case(env, mode):
    w = World(env)
    out, sent = w.expect_behaved(mode)
    check(sent, "evilpeer offered no event")
    w.after(sent=sent)
    return last_verdict(out)


@suite.case
def forged_sig(env):
    """An event with one signature byte flipped: ERROR/close, not
    stored."""
    return bad_event_case(env, "forged-sig")


@suite.case
def bad_aead(env):
    """An event signed by B but sealed under a wrong key: ERROR/close,
    not stored."""
    return bad_event_case(env, "bad-aead")


@suite.case
def wrong_seq(env):
    """An event whose seq skips ahead: not stored, the session ends
    (attuned takes it for a gap and asks again a bounded number of
    times)."""
    return bad_event_case(env, "wrong-seq")


@suite.case
def broken_chain(env):
    """The right seq with a wrong prev: not stored, the session ends."""
    return bad_event_case(env, "broken-chain")


@suite.case
def foreign_author(env):
    """A first event by a device the family never admitted, relayed by
    a member: not stored, the session ends."""
    return bad_event_case(env, "foreign-author")


@suite.case
def oversized(env):
    """A frame header declaring more than PEER_MAX_FRAME + 17 bytes
    after the handshake: the session ends."""
    return behaved(env, "oversized")


@suite.case
def garbage_msg(env):
    """A correctly encrypted stream message that is not msgpack: ERROR
    or close."""
    return behaved(env, "garbage-msg")


class RemovedWorld(World):
    """A, B and C (both joined via A); B's head noted, then B stopped and
    removed on A (device.remove + key.rotate); A and C converged on the
    removal."""

    def __init__(self, env):
        self.env = env
        self.f = f = Family(env)
        self.a, self.b = f.pair()
        self.c = f.node("c")
        f.join(self.a, self.c, "Robin")
        for n in (self.a, self.b, self.c):
            f.write(n, 2, n.name)
        f.converged()
        mine = [e for e in self.b.log() if e["author"] == self.b.device]
        top = max(mine, key=lambda e: e["seq"])
        self.seq, self.prev = top["seq"], top["id"]
        self.b.stop()
        self.epoch = f.remove(self.a, self.b)["epoch"]
        f.converged([self.a, self.c])
        devs = {d["device"]: d for d in self.a.json("devices")}
        check(devs[self.b.device].get("removed") is True,
              "B not marked removed on A: %s" % devs[self.b.device])
        self.before = self.a.ids()

    def honest_c(self):
        """C (restarted if stopped) and A still sync, under the new key."""
        if not self.c.daemon.alive():
            self.c.start()
        self.f.write(self.a, 2, "after")
        self.f.write(self.c, 2, "after")
        self.f.converged([self.a, self.c])


@suite.case
def removed(env):
    """B removed from the family (A rotated the key): B's keys no
    longer open a session with A, and the honest B, restarted, receives
    nothing new and delivers nothing; A and C go on syncing."""
    w = RemovedWorld(env)
    out, _ = w.expect_behaved("removed")
    check(w.a.ids() == w.before, "A's log changed")
    w.a.verify()
    w.honest_c()
    # The honest B, restarted: refused, it gets nothing written since.
    b = w.b
    b.start()
    late = w.f.write(w.a, 1, "late")
    mine = w.f.write(b, 1, "from-removed")
    for i in mine:          # B wrote it: not for the others
        w.f.acked.discard(i)
    t0 = time.monotonic()
    for _ in range(40):     # 2 s, bounded: nothing may flow either way
        check(not set(late) & b.ids(), "the removed B received an entry "
              "written after its removal")
        check(not set(mine) & w.a.ids(), "A took an entry the removed B "
              "wrote")
        check(not w.a.ready_with(b) and not b.ready_with(w.a),
              "a session between A and the removed B")
        if time.monotonic() - t0 > 2.0:
            break
        time.sleep(0.05)
    b.stop()
    w.f.converged([w.a, w.c])
    return last_verdict(out)


@suite.case
def removed_relay(env):
    """C, a member, relays an event B wrote after its removal (seq past
    final_seq, sealed under the old key B still has): A never stores
    it, and C still syncs."""
    w = RemovedWorld(env)
    w.c.stop()
    out, sent = w.expect_behaved("removed-relay", data=w.c.data_dir,
                                 author=w.b.data_dir)
    check(len(sent) == 1, "evilpeer offered %d events" % len(sent))
    now = w.a.ids()
    check(not sent & now, "A stored an event its removed author wrote "
          "after final_seq, relayed by a member")
    check(now == w.before, "A's log changed")
    w.a.verify()
    H.wait_until(lambda: not any(s.get("device") == w.c.device
                                 for s in w.a.sessions()),
                 10.0, 0.05, "the relay session to end")
    w.honest_c()
    return last_verdict(out)


if __name__ == "__main__":
    if not os.access(EVILPEER, os.X_OK):
        print("FAIL setup: %s is not an executable (set EVILPEER)"
              % EVILPEER)
        sys.exit(1)
    sys.exit(suite.main())
