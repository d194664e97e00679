#!/usr/bin/python3
"""
test_netns.py: several laptops on one machine, each a network namespace
made by this test (netns.sh: a bridge namespace and hosts 10.77.0.N/24
on veth pairs), each running attuned with its defaults: peer port 47475
on every address and LAN discovery on. No static peers anywhere: the
devices find each other by beacons alone. Every namespace is removed at
the end, even on failure. Only the test's own hosts are addressed.

Needs root (ip netns); exits 77 (skipped) otherwise.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))

import harness  # noqa: E402
from harness import Failure, Skip, check, wait_until  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NETNS = os.path.join(HERE, "netns.sh")
PREFIX = "atnt%d" % (os.getpid() % 10000)


def netns(*args):
    p = subprocess.run([NETNS] + list(args), capture_output=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise Failure("netns.sh %s: %s" % (" ".join(args),
                                           p.stderr.decode()[-300:]))


class NsDaemon(harness.Daemon):
    """attuned inside host namespace ns, with its LAN defaults."""

    def __init__(self, ns, *a, **kw):
        super().__init__(*a, **kw)
        self.ns = ns

    def spawn(self):
        harness.Daemon._count += 1
        self.errpath = os.path.join(self.tmp, "attuned-%s-%d.err"
                                    % (self.ns, harness.Daemon._count))
        err = open(self.errpath, "wb")
        try:
            argv = ["ip", "netns", "exec", self.ns, harness.ATTUNED,
                    "--foreground", "-v", "--data-dir", self.data_dir,
                    "--socket", self.sock] + self.args
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                env=harness.base_env(self.tmp, self.env), cwd=self.tmp,
                start_new_session=True)
        finally:
            err.close()
        self.returncode = None
        with harness._LIVE_LOCK:
            harness._LIVE.add(self.proc)
        return self


class Lan:
    """n hosts; host i has a daemon and a socket in the case's temp dir."""

    def __init__(self, env, n):
        self.env = env
        self.n = n
        netns("up", PREFIX, str(n))
        self.daemons = {}
        for i in range(1, n + 1):
            self.start(i)

    def start(self, i):
        d = NsDaemon("%sh%d" % (PREFIX, i), self.env.tmp,
                     self.env.path("d%d" % i), self.env.path("s%d" % i))
        self.env.daemons.append(d)
        d.start()
        self.daemons[i] = d

    def cli(self, i, *args, timeout=90.0):
        return self.env.cli(*args, sock=self.env.path("s%d" % i),
                            timeout=timeout)

    def ok(self, i, *args, timeout=90.0):
        r = self.cli(i, *args, timeout=timeout)
        check(r.rc == 0, "host %d: %r" % (i, r))
        return r

    def ids(self, i):
        r = self.ok(i, "--json", "log", "--limit", "10000")
        return sorted(e["id"] for e in r.json())

    def heads(self, i):
        r = self.ok(i, "--json", "devices")
        return sorted((d["device"], d["entries"]) for d in r.json())

    def converged(self, hosts, want_ids=None):
        ids = [self.ids(i) for i in hosts]
        heads = [self.heads(i) for i in hosts]
        if any(x != ids[0] for x in ids) or any(h != heads[0]
                                                 for h in heads):
            return False
        return want_ids is None or set(ids[0]) == set(want_ids)

    def wait_converged(self, hosts, want_ids, timeout=60.0):
        wait_until(lambda: self.converged(hosts, want_ids), timeout=timeout,
                   step=0.2, what="hosts %s converged" % (hosts,))
        for i in hosts:
            r = self.cli(i, "verify")
            check(r.rc == 0, "host %d verify: %r" % (i, r))

    def write(self, i, n, tag):
        """n acknowledged check-ins on host i; their ids."""
        out = []
        for k in range(n):
            r = self.ok(i, "--json", "checkin", "Maya", "calm-%s-%d"
                        % (tag, k))
            out.append(r.json()["id"])
        return out


def pair_by_discovery(lan, inviter, joiner, name):
    code = lan.ok(inviter, "invite").out.strip()
    t = time.monotonic()
    r = lan.cli(joiner, "join", code, "--name", name)
    check(r.rc == 0, "join by discovery failed: %r" % r)
    return time.monotonic() - t


SUITE = harness.Suite("netns")


@SUITE.case
def two_hosts_find_each_other(env):
    lan = Lan(env, 2)
    try:
        lan.ok(1, "init", "--name", "Alex")
        lan.ok(1, "kid", "add", "Maya")
        dt = pair_by_discovery(lan, 1, 2, "Sam")
        acked = lan.write(1, 5, "a") + lan.write(2, 5, "b")
        want = set(lan.ids(1)) | set(acked)
        lan.wait_converged([1, 2], want)
        peers = lan.ok(2, "--json", "peers").json()
        check(not any(t.get("static") for t in peers["targets"]),
              "a static peer appeared: %r" % peers)
        return "joined by discovery in %.1fs" % dt
    finally:
        netns("down", PREFIX)


@SUITE.case
def three_hosts_and_a_partition(env):
    lan = Lan(env, 3)
    try:
        lan.ok(1, "init", "--name", "Alex")
        lan.ok(1, "kid", "add", "Maya")
        pair_by_discovery(lan, 1, 2, "Sam")
        pair_by_discovery(lan, 2, 3, "Kim")
        acked = lan.write(3, 3, "c")
        lan.wait_converged([1, 2, 3], set(lan.ids(1)) | set(acked))

        # Cut host 2's cable; both sides keep writing.
        netns("link", PREFIX, "2", "down")
        acked = lan.write(1, 10, "p1") + lan.write(2, 10, "p2")
        time.sleep(0.5)
        check(not set(lan.ids(2)) >= set(acked[:10]),
              "host 2 received entries through a cut cable")
        netns("link", PREFIX, "2", "up")
        t = time.monotonic()
        want = set(lan.ids(1)) | set(lan.ids(2)) | set(acked)
        lan.wait_converged([1, 2, 3], want, timeout=90.0)
        return "healed and converged in %.1fs" % (time.monotonic() - t)
    finally:
        netns("down", PREFIX)


@SUITE.case
def another_familys_beacons_are_ignored(env):
    lan = Lan(env, 3)
    try:
        lan.ok(1, "init", "--name", "Alex")
        pair_by_discovery(lan, 1, 2, "Sam")
        lan.ok(3, "init", "--name", "Stranger")   # a neighbour's family
        # Beacons go out every 30 s and at each (re)key: restart host 3
        # so it announces now, then give everyone time to hear it.
        lan.daemons[3].stop()
        lan.daemons[3].start()
        wait_until(lambda: lan.ok(1, "--json", "doctor").json()
                   ["discovery"]["ignored"] > 0, timeout=40, step=0.5,
                   what="host 1 ignoring the neighbour's beacons")
        for i in (1, 2):
            doc = lan.ok(i, "--json", "doctor").json()
            heard = [h["address"] for h in doc["discovery"]["heard"]]
            check(not any(a.startswith("10.77.0.3") for a in heard),
                  "host %d took host 3 for family: %r" % (i, heard))
            peers = lan.ok(i, "--json", "peers").json()
            check(not any(t["address"].startswith("10.77.0.3")
                          for t in peers["targets"]),
                  "host %d dials the neighbour: %r" % (i, peers))
        check(len(lan.ids(3)) == 1, "the neighbour got our entries")
    finally:
        netns("down", PREFIX)


def main():
    if os.geteuid() != 0:
        print("skip netns: needs root for ip netns")
        return harness.SKIP_EXIT
    p = subprocess.run(["ip", "netns", "add", PREFIX + "probe"],
                       capture_output=True, timeout=30)
    if p.returncode != 0:
        print("skip netns: cannot make network namespaces: %s"
              % p.stderr.decode().strip())
        return harness.SKIP_EXIT
    subprocess.run(["ip", "netns", "delete", PREFIX + "probe"],
                   capture_output=True, timeout=30)
    try:
        return SUITE.main()
    finally:
        subprocess.run([NETNS, "down", PREFIX], capture_output=True,
                       timeout=60)


if __name__ == "__main__":
    sys.exit(main())
