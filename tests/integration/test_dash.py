#!/usr/bin/python3
"""
test_dash.py: attune-dash in a real terminal. Each case starts attuned
with a fixed clock (ATTUNE_NOW) and seeded entries, runs attune-dash in a
pane of a private tmux server (its socket in the case's temp dir), types
with send-keys and reads the screen with capture-pane.

Cases: every pane with attuned's numbers at 80x24 and 200x50; entries
appended through the CLI and through a second, synced daemon appear
within a second (and the views they change follow); a refusing peer in
red; each uppercase form written, cancelled, and refused inline (by the
form and by attuned); search, help and an opened entry; resize; the
daemon killed and restarted (the dashboard says so and reconnects by
itself); the terminal given back on q, Ctrl-C, SIGTERM and a crash
signal; NO_COLOR and a terminal without colours; an attuned without the
practice views (a stand-in that answers METHOD); idle CPU over 10 s.

Must not: address anything but 127.0.0.1 and its own Unix sockets; wait
without a deadline; leave a tmux server behind (each is killed in a
finally).
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as H  # noqa: E402
from harness import Failure, check, check_eq, short  # noqa: E402

DASH = H._find_binary("ATTUNE_DASH", os.path.join("clients", "dash",
                                                   "attune-dash"))
TMUX = shutil.which("tmux") or "/usr/bin/tmux"
NOW = "2026-11-18T10:00"        # a Wednesday
LIVE_S = 1.0                    # an entry must show within this

suite = H.Suite("dash")


# ------------------------------------------------------------------ tmux

class Tmux:
    """A private tmux server with one window running attune-dash in a
    shell that reports its exit status ("DASH-EXIT=N") and stays."""

    def __init__(self, env, cols=80, rows=24, extra=None, sock=None,
                 term=None):
        self.env = env
        self.term = term
        self.sock = env.path("tmux-%d.sock" % id(self))
        self.err = env.path("dash-%d.err" % id(self))
        self.cols = cols
        self.rows = rows
        self.tenv = H.base_env(env.tmp, extra)
        self.daemon_sock = sock or env.sock

    def tmux(self, *args, check_rc=True):
        p = subprocess.run([TMUX, "-S", self.sock, "-f", "/dev/null"] +
                           list(args), capture_output=True,
                           env=self.tenv, timeout=20,
                           stdin=subprocess.DEVNULL)
        if check_rc and p.returncode != 0:
            raise Failure("tmux %s: %s" % (" ".join(args),
                                           p.stderr.decode()))
        return p.stdout.decode("utf-8", "replace")

    def start(self):
        # The shell outlives attune-dash to report how it ended; its
        # own trap keeps it alive through the Ctrl-C sent to the group.
        cmd = ("trap : INT TERM HUP; %s%s --socket %s 2>%s; "
               "echo DASH-EXIT=$?; exec sleep 600"
               % ("TERM=%s " % self.term if self.term else "", DASH,
                  self.daemon_sock, self.err))
        self.tmux("new-session", "-d", "-s", "t", "-x", str(self.cols),
                  "-y", str(self.rows), "sh", "-c", cmd)
        self.tmux("set-option", "-g", "remain-on-exit", "on")
        return self

    def kill(self):
        self.tmux("kill-server", check_rc=False)

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", "t"]
        if escapes:
            args.insert(2, "-e")
        return self.tmux(*args)

    def lines(self):
        return self.screen().split("\n")

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text):
        self.tmux("send-keys", "-t", "t", "-l", text)

    def fmt(self, f):
        return self.tmux("display-message", "-p", "-t", "t", f).strip()

    def resize(self, cols, rows):
        self.tmux("resize-window", "-t", "t", "-x", str(cols), "-y",
                  str(rows))

    def wait(self, what, pred=None, timeout=10.0):
        """Wait until the screen contains what (a str) or pred(screen)
        holds; return the screen."""
        last = [""]

        def ok():
            s = self.screen()
            last[0] = s
            return (pred(s) if pred else what in s) and s
        try:
            return H.wait_until(ok, timeout=timeout, step=0.02, what=what)
        except Failure:
            raise Failure("screen never showed %r:\n%s" % (what, last[0]))

    def gone(self, what, timeout=5.0):
        return self.wait("no " + what, lambda s: what not in s, timeout)

    def pid(self):
        """attune-dash's pid: the child of the pane's shell."""
        sh = self.fmt("#{pane_pid}")
        with open("/proc/%s/task/%s/children" % (sh, sh)) as f:
            kids = f.read().split()
        check(len(kids) >= 1, "attune-dash is not running under the pane")
        return int(kids[0])

    def exit_status(self, timeout=5.0):
        s = self.wait("DASH-EXIT=", timeout=timeout)
        return int(re.search(r"DASH-EXIT=(\d+)", s).group(1))

    def dash_stderr(self):
        try:
            with open(self.err) as f:
                return f.read()
        except OSError:
            return ""


def dash(env, cols=80, rows=24, extra=None, sock=None, term=None):
    t = Tmux(env, cols, rows, extra, sock, term)
    env.tmuxes.append(t)
    t.start()
    t.wait("live")
    return t


# ------------------------------------------------------------------ setup

def start(env, args=()):
    return env.daemon(env={"ATTUNE_NOW": NOW}, args=args)


def seed(env):
    """The family every case starts from: the CLI for what it has always
    had, the RPC for the practices (with times before NOW, so that they
    count in the week). 15 entries."""
    H.init_family(env, "Alex", [("Maya", "2018-03-01"), ("Leo", None),
                                ("Zoë", "2020-06-30")])
    env.ok("one-on-one", "Maya", "--minutes", "15", "--activity", "lego",
           "--at", "2026-11-16T17:00")
    env.ok("checkin", "Maya", "happy", "--intensity", "4")
    env.ok("checkin", "Alex", "calm")
    with env.rpc() as c:
        ap = H.append_rpc
        ap(c, "plan", kid="Maya", days="sat,wed", time="17:00", minutes=15)
        ap(c, "repair", kid="Leo", what="shouted at bedtime",
           at="2026-11-15T09:00")
        ap(c, "twoxten.start", kid="Leo", at="2026-11-16")
        ap(c, "twoxten.day", kid="Leo", at="2026-11-16T08:00")
        ap(c, "twoxten.day", kid="Leo", at="2026-11-17T08:00")
        g = ap(c, "goal", kid="Maya", text="ride a bike", due="2026-12-31")
        ap(c, "goal.progress", goal=g["id"][:12], note="rode 10 m",
           behaviors=["persistence"], at="2026-11-17T18:00")
        ap(c, "moment", kid="Leo", what="read together",
           at="2026-11-17T20:00")


SEEDED = 15


def log(env, sock=None):
    r = env.ok("--json", "log", "--limit", "1000",
               sock=sock if sock else env.sock)
    return r.json()


def count(env):
    return H.status_json(env)["entries"]


def row(screen, n):
    lines = screen.split("\n")
    return lines[n] if n < len(lines) else ""


def columns(screen, cols):
    """The screen as one column: in the two-column layout (150 columns
    and 30 rows or more: the left half, a rule, the right half), the left
    column's rows and then the right column's."""
    lines = screen.split("\n")
    if cols < 150 or len(lines) < 30:
        return lines
    half = cols // 2
    return [ln[:half] for ln in lines] + [ln[half + 1:] for ln in lines]


def pane_text(screen, title, titles, cols=80):
    """The lines under a pane title, up to the next pane's title."""
    out, inside = [], False
    for ln in columns(screen, cols):
        hit = [t for t in titles if re.search(r"(^|[─ ])%s( |$)"
                                                % re.escape(t), ln)]
        if title in hit:
            inside = True
            continue
        if inside and hit:
            break
        if inside:
            out.append(ln)
    return "\n".join(out)


# The bottom line: the keys, or a message (a reminder from attuned).
BOTTOM = re.compile(r"q quit|^reminder: ")
TITLES = ["This week", "Today", "Repairs", "Goals", "Peers", "Timeline"]


def has(text, pattern, what):
    """pattern (a regex, spaces meaning any run of spaces) in text."""
    rx = re.sub(r"\\? +", r" +", pattern)
    check(re.search(rx, text, re.M), "%s: no %r in:\n%s" % (what, pattern,
                                                             text))


def check_panes(env, scr, cols=80, entries=SEEDED):
    """What every layout must show, numbers included (attuned's at NOW;
    times are left out: they are shown against the wall clock)."""
    for t in TITLES:
        check(t in scr, "no %r pane:\n%s" % (t, scr))
    check("Alex's family" in scr and "%d entries" % entries in scr,
          "title bar: family and %d entries expected:\n%s"
          % (entries, scr))
    wk = pane_text(scr, "This week", TITLES, cols)
    has(wk, r"1:1s planned due missed minutes 2x10 bank 7d", "week header")
    has(wk, r"^Maya 1 2 1 0 Alex 15m no 2x10 run 1:0", "week, Maya")
    has(wk, r"^Leo 0 0 1 0 Alex 0m ●●○○○○○○○○ 3:1", "week, Leo")
    has(wk, r"^Zoë 0 0 1 0 Alex 0m no 2x10 run 0:0", "week, Zoë")
    td = pane_text(scr, "Today", TITLES, cols)
    has(td, r"Alex in calm out -", "today, Alex")
    has(td, r"Maya in happy 4/5 out -", "today, Maya")
    has(td, r"Leo in - out -", "today, Leo")
    has(td, r"1:1 with Maya at 17:00 by Alex, 15 min: done", "today, 1:1")
    has(td, r"2x10 with Leo, day 3 of 10: not logged yet", "today, 2x10")
    rp = pane_text(scr, "Repairs", TITLES, cols)
    has(rp, r"^! Leo shouted at bedtime open 3 d 1 h, not repaired after "
        r"48 h", "repairs")
    gl = pane_text(scr, "Goals", TITLES, cols)
    has(gl, r"^Maya ride a bike \(by 2026-12-31\) 1 note, last .*: rode "
        r"10 m", "goals")
    tl = pane_text(scr, "Timeline", TITLES, cols)
    for want in ("moment with Leo: read together",
                 "goal of Maya: ride a bike (due 2026-12-31)",
                 "2x10 day with Leo"):
        check(want in tl, "timeline lacks %r:\n%s" % (want, tl))
    peers = pane_text(scr, "Peers", TITLES, cols)
    check("this laptop, %d entries" % entries in peers,
          "peers pane: this laptop with %d entries expected:\n%s"
          % (entries, peers))


# ------------------------------------------------------------------ cases

@suite.case
def panes_80x24(env):
    start(env)
    seed(env)
    t = dash(env, 80, 24)
    scr = t.wait("moment with Leo")
    lines = scr.split("\n")
    check(len([ln for ln in lines if ln != ""]) <= 24, "more than 24 rows")
    check(all(len(ln) <= 80 for ln in lines), "a row wider than 80")
    check_panes(env, scr)
    check("attune-dash" in row(scr, 0), "title bar not on row 0")
    check(BOTTOM.search(lines[23]), "key line not on row 24:\n%s" % scr)


@suite.case
def panes_200x50(env):
    start(env)
    seed(env)
    t = dash(env, 200, 50)
    scr = t.wait("moment with Leo")
    check_panes(env, scr, 200)
    tl = pane_text(scr, "Timeline", TITLES, 200)
    for want in ("1:1 with Maya on ", "15 min — lego",
                 "Maya checked in: happy (4/5)",
                 "repair with Leo: shouted at bedtime",
                 "added Zoë (born 2020-06-30)"):
        check(want in tl, "timeline lacks %r:\n%s" % (want, tl))
    check(tl.index("moment with Leo") < tl.index("added Zoë"),
          "timeline is not newest first:\n%s" % tl)
    # Two columns: the week on the left, the peers on the right.
    r1 = row(scr, 1)
    check("This week" in r1 and "Peers" in r1,
          "200x50: row 2 should hold This week and Peers: %r" % r1)
    check(BOTTOM.search(scr.split("\n")[49]), "key line not on row 50")


@suite.case
def live_from_cli(env):
    start(env)
    seed(env)
    t = dash(env)
    t.wait("moment with Leo")
    env.ok("one-on-one", "Leo", "--minutes", "20", "--activity",
           "Zoë's castle")
    t0 = time.monotonic()
    t.wait("1:1 with Leo, 20 min — Zoë's castle", timeout=LIVE_S)
    dt = time.monotonic() - t0
    # The views it changes follow, without a key: the week, the count.
    t.wait("Leo's week", lambda s: re.search(
        r"^Leo +1 +0 +0 +0 +Alex 20m", pane_text(s, "This week", TITLES),
        re.M) and "%d entries" % (SEEDED + 1) in s, timeout=LIVE_S)
    return "shown %.0f ms after the CLI returned" % (dt * 1000)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


@suite.case
def live_from_peer(env):
    """A second laptop (daemon B, joined to A) appends: A's dashboard
    shows it, with Sam as its author, within a second."""
    a = start(env, ["--listen", "127.0.0.1:%d" % free_port(),
                    "--no-discovery"])
    seed(env)
    bsock = env.path("run-b", "attuned.sock")
    env.daemon(data_dir=env.path("data-b"), sock=bsock,
               env={"ATTUNE_NOW": NOW},
               args=["--listen", "127.0.0.1:%d" % free_port(),
                     "--no-discovery"])
    port = H.status_json(env)["peer_port"]
    check(port > 0, "A listens on no peer port")
    code = env.ok("invite").out.strip()
    env.ok("join", code, "--name", "Sam", "--peer", "127.0.0.1:%d" % port,
           sock=bsock, timeout=120.0)
    t = dash(env)
    t.wait("connected", timeout=15.0)
    env.ok("checkin", "Leo", "sleepy", "--intensity", "2", sock=bsock)
    t0 = time.monotonic()
    scr = t.wait("Leo checked in: sleepy (2/5)", timeout=LIVE_S)
    dt = time.monotonic() - t0
    line = [ln for ln in scr.split("\n") if "checked in: sleepy" in ln][0]
    check(" Sam " in line, "the peer's entry should show Sam: %r" % line)
    peers = pane_text(scr, "Peers", TITLES)
    check("Sam" in peers and "connected" in peers,
          "peers pane should show Sam connected:\n%s" % peers)
    check(a.alive(), "daemon A died")
    return "peer entry shown %.0f ms after B acknowledged it" % (dt * 1000)


@suite.case
def peer_refused(env):
    """A peer address that refuses: shown in red with attuned's reason."""
    start(env)
    seed(env)
    t = dash(env)
    t.wait("moment with Leo")
    addr = "127.0.0.1:%d" % free_port()
    env.ok("peers", "add", addr)
    t.keys("r")             # no entry announces it: read again
    scr = t.wait(addr + "  unreachable", timeout=10.0)
    esc = t.screen(escapes=True)
    line = [ln for ln in esc.split("\n") if "unreachable" in ln][0]
    check(re.search(r"\x1b\[[0-9;]*31m[^\x1b]*unreachable", line),
          "unreachable should be red: %r" % line)
    check("never synced" in scr, "no last sync expected:\n%s" % scr)


def fill(t, fields):
    """Type each field (None: leave as it is) with Tab between."""
    for i, v in enumerate(fields):
        if v is not None:
            t.type(v)
        if i + 1 < len(fields):
            t.keys("Tab")


def submit(t):
    t.keys("Enter")
    t.wait("Write this to the log?")
    t.keys("y")


def newest(env, kind):
    for e in log(env):
        if e["kind"] == kind:
            return e
    raise Failure("no %s entry in attune log --json" % kind)


@suite.case
def forms_write(env):
    start(env)
    seed(env)
    t = dash(env)
    t.wait("moment with Leo")
    n = count(env)

    t.keys("C")
    t.wait("Check in")
    fill(t, ["Maya", "calm", "3", "after school"])
    submit(t)
    t.wait("Logged checkin")
    e = newest(env, "checkin")
    check_eq((e["fields"]["who"], e["fields"]["feeling"],
              e["fields"]["intensity"], e["fields"]["note"]),
             ("Maya", "calm", 3, "after school"), "C: the check-in")

    t.keys("O")
    t.wait("Check out")
    t.keys("Right")         # the first choice: a kid
    t.keys("Tab")
    t.type("tired")
    submit(t)
    t.wait("Logged checkout")
    e = newest(env, "checkout")
    check_eq((e["fields"]["who"], e["fields"]["feeling"]), ("Maya", "tired"),
             "O: the check-out")

    t.keys("S")
    t.wait("A 1:1")
    fill(t, ["Leo", "25", "puzzle", None])
    submit(t)
    t.wait("Logged one-on-one")
    e = newest(env, "one-on-one")
    check_eq((e["fields"]["kid"], e["fields"]["minutes"],
              e["fields"]["activity"]), ("Leo", 25, "puzzle"), "S: the 1:1")

    t.keys("R")
    t.wait("Open a repair")
    fill(t, ["Zo", "grabbed the tablet"])
    t.keys("Tab", "Right")  # apologised: n -> y
    submit(t)
    t.wait("Logged repair")
    e = newest(env, "repair")
    check_eq((e["fields"]["kid"], e["fields"]["what"],
              e["fields"]["apologized"]), ("Zoë", "grabbed the tablet",
                                           True), "R: the repair")

    t.keys("T")
    t.wait("A 2x10 day")
    scr = t.screen()
    if "does not support" in scr:
        t.keys("Escape")
        raise Failure("this attuned has no twoxten.day: %s" % short(scr))
    t.type("Maya")
    submit(t)
    t.wait("Logged twoxten.day")
    check_eq(newest(env, "twoxten.day")["fields"]["kid"], "Maya",
             "T: the 2x10 day")

    t.keys("M")
    t.wait("A moment")
    fill(t, ["Leo", "read together"])
    submit(t)
    t.wait("Logged moment")
    e = newest(env, "moment")
    check_eq((e["fields"]["kid"], e["fields"]["what"]),
             ("Leo", "read together"), "M: the moment")

    rid = [x for x in log(env) if x["kind"] == "repair" and
           x["fields"]["kid"] == "Leo"][0]["id"]
    t.keys("P")
    t.wait("Mark a repair repaired")
    t.keys("Right")         # the oldest open repair: Leo's
    t.wait("open repair with Leo: shouted at bedtime")
    t.keys("Tab")
    t.type("y")
    t.keys("Tab")
    t.type("he felt rushed")
    submit(t)
    t.wait("Logged repair.done")
    e = newest(env, "repair.done")
    check_eq(e["fields"].get("repair"), rid, "P: the repair repaired")
    check_eq(e["fields"].get("apologized"), True, "P: apologised")
    check_eq(e["fields"].get("heard"), "he felt rushed", "P: heard")
    # The repairs pane follows: Leo's is no longer open.
    t.gone("shouted at bedtime  open")
    check_eq(count(env), n + 7, "entries after seven forms")


@suite.case
def forms_cancel_and_refuse(env):
    start(env)
    seed(env)
    t = dash(env)
    t.wait("moment with Leo")
    n = count(env)
    for key, title in (("C", "Check in"), ("O", "Check out"),
                       ("S", "A 1:1"), ("T", "A 2x10 day"),
                       ("R", "Open a repair"), ("P", "Mark a repair"),
                       ("M", "A moment")):
        t.keys(key)
        t.wait(title)
        t.type("Maya")
        t.keys("Escape")
        t.wait("cancelled: nothing was written")
    # Cancelled at the confirm too.
    t.keys("C")
    t.wait("Check in")
    fill(t, ["Maya", "calm"])
    t.keys("Enter")
    t.wait("Write this to the log?")
    t.keys("Escape")
    t.wait("cancelled")
    check_eq(count(env), n, "entries after cancelled forms")

    # Wrong values, caught in the form: each message under its field.
    t.keys("C")
    t.wait("Check in")
    fill(t, ["Maya", "calm", "9"])
    t.keys("Enter")
    t.wait("a whole number from 1 to 5")
    t.keys("Escape")
    t.keys("S")
    t.wait("A 1:1")
    t.keys("Enter")
    t.wait("Kid is required")
    fill(t, ["Leo", "0", None, None, "yesterdayish"])
    t.keys("Enter")
    t.wait("a whole number from 1 to 600")
    t.wait("not a time")
    t.keys("Escape")
    # Refused by attuned (no such kid): inline, and nothing written.
    t.keys("R")
    t.wait("Open a repair")
    fill(t, ["Nobody", "slammed a door"])
    submit(t)
    t.wait("no kid named")
    scr = t.screen()
    check("Open a repair" in scr, "the form should stay open:\n%s" % scr)
    t.keys("Escape")
    t.wait("cancelled")
    check_eq(count(env), n, "entries after refused forms")


@suite.case
def search_help_open(env):
    start(env)
    seed(env)
    t = dash(env)
    t.wait("moment with Leo")
    t.keys("/")
    t.type("lego")
    t.keys("Enter")
    scr = t.wait("/lego: 1 of %d" % SEEDED)
    tl = pane_text(scr, "Timeline", TITLES)
    check("1:1 with Maya" in tl and "moment with Leo" not in tl,
          "search should keep only the lego line:\n%s" % tl)
    t.keys("Enter")
    scr = t.wait("minutes: 15")
    check("kind: one-on-one" in scr and "activity: lego" in scr,
          "the opened entry:\n%s" % scr)
    t.keys("Escape")
    t.gone("minutes: 15")
    t.keys("Escape")        # clears the search
    t.wait("moment with Leo")
    t.keys("?")
    t.wait("attune-dash keys")
    t.keys("q")             # closes the help, not the dashboard
    t.gone("attune-dash keys")
    t.keys("F1")
    t.wait("attune-dash keys")
    t.keys("Escape")
    t.gone("attune-dash keys")
    check(t.fmt("#{pane_dead}") == "0" and "DASH-EXIT" not in t.screen(),
          "attune-dash should still run")


@suite.case
def resize(env):
    start(env)
    seed(env)
    t = dash(env, 80, 24)
    t.wait("moment with Leo")
    t.resize(200, 50)
    scr = t.wait("two columns", lambda s: "This week" in row(s, 1) and
                 "Peers" in row(s, 1))
    check_panes(env, scr, 200)
    check(len(scr.rstrip("\n").split("\n")) <= 50, "rows after resize")
    t.resize(80, 24)
    scr = t.wait("one column", lambda s: "This week" in row(s, 1) and
                 "Peers" not in row(s, 1) and
                 BOTTOM.search(s.split("\n")[23]))
    check_panes(env, scr)
    for t_ in TITLES:
        check(scr.count(t_) == 1, "%r drawn more than once after the "
              "resize:\n%s" % (t_, scr))


@suite.case
def reconnect(env):
    d = start(env)
    seed(env)
    t = dash(env)
    t.wait("moment with Leo")
    d.stop()
    scr = t.wait("daemon unreachable", timeout=2.0)
    check("moment with Leo" in scr, "the last screen should stay:\n%s"
          % scr)
    start(env)
    t.wait("live", lambda s: "daemon unreachable" not in s and
           "live" in row(s, 0), timeout=5.0)
    env.ok("checkin", "Leo", "proud")
    t.wait("Leo checked in: proud", timeout=LIVE_S)


def restored(t, how, want_rc):
    rc = t.exit_status()
    check_eq(rc, want_rc, "%s: exit status" % how)
    check_eq(t.fmt("#{alternate_on}"), "0", "%s: still on the alternate "
             "screen" % how)
    check_eq(t.fmt("#{cursor_flag}"), "1", "%s: cursor hidden" % how)
    scr = t.screen()
    check("Timeline" not in scr, "%s: the dashboard is left on the "
          "normal screen:\n%s" % (how, scr))


@suite.case
def terminal_restored(env):
    start(env)
    seed(env)
    for how, want in (("q", 0), ("C-c", 130), ("TERM", 143),
                      ("SEGV", 139)):
        t = dash(env)
        t.wait("moment with Leo")
        if how in ("q", "C-c"):
            t.keys(how)
        else:
            os.kill(t.pid(), getattr(__import__("signal"), "SIG" + how))
        restored(t, how, want)
        t.kill()


@suite.case
def no_color(env):
    start(env)
    seed(env)
    colour = re.compile(r"\x1b\[[0-9;]*(3[0-7]|38;)")
    t = dash(env)
    t.wait("moment with Leo")
    check(colour.search(t.screen(escapes=True)),
          "with colours, the screen should have some")
    t2 = dash(env, extra={"NO_COLOR": "1"})
    scr = t2.wait("moment with Leo")
    esc = t2.screen(escapes=True)
    check(not colour.search(esc), "NO_COLOR: colour escapes on screen: %r"
          % short(esc, 500))
    check("Timeline" in scr, "NO_COLOR: no dashboard")
    # A terminal without colours: the same screen, flags in words and bold.
    t3 = dash(env, term="vt100")
    scr = t3.wait("moment with Leo")
    check(not colour.search(t3.screen(escapes=True)),
          "vt100: colour escapes on screen")
    has(pane_text(scr, "Repairs", TITLES), r"^! Leo shouted at bedtime",
        "vt100: the flagged repair")


class OldAttuned:
    """A stand-in for an attuned older than the practice views: it
    answers status, devices, kids, log, subscribe and the appends of the
    first kinds, and METHOD (4) to anything else, as such a daemon does.
    One thread, one client at a time, on its own Unix socket."""

    DEVICE = "ab" * 32

    def __init__(self, env):
        self.path = env.path("old.sock")
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(self.path)
        self.srv.listen(4)
        self.srv.settimeout(0.2)
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def close(self):
        self.stop = True
        self.thread.join(5)
        self.srv.close()

    def answer(self, method, params):
        entry = {"id": "cd" * 32, "kind": "checkin", "author": self.DEVICE,
                 "author_name": "Alex", "seq": 3, "ts": 1794996000000,
                 "fields": {"who": "Maya", "feeling": "happy"}}
        if method == "status":
            return None, {"family": "Old family", "member": "Alex",
                          "entries": 3, "device": self.DEVICE, "forks": 0,
                          "peers": {"port": 0, "targets": [],
                                    "sessions": []}}
        if method == "devices":
            return None, [{"device": self.DEVICE, "name": "Alex",
                           "fingerprint": self.DEVICE[:16], "entries": 3,
                           "this": True, "removed": False}]
        if method == "kids":
            return None, [{"id": "ef" * 32, "name": "Maya", "born": None,
                           "kid": True, "ts": 1794996000000}]
        if method == "log":
            return None, [entry]
        if method == "subscribe":
            return None, True
        if method == "append":
            kind = params[0].get("t")
            if kind not in ("checkin", "checkout", "one-on-one", "repair"):
                return [10, "cannot append an entry of kind '%s'" % kind], \
                    None
            return [10, "%s has no field ''" % kind], None
        return [4, "unknown method '%s'" % method], None

    def serve(self, c):
        buf = b""
        c.settimeout(0.2)
        while not self.stop:
            try:
                data = c.recv(65536)
            except socket.timeout:
                continue
            if not data:
                return
            buf += data
            while len(buf) >= 4:
                n = int.from_bytes(buf[:4], "big")
                if len(buf) < 4 + n:
                    break
                msg = H.unpack(buf[4:4 + n])
                buf = buf[4 + n:]
                err, res = self.answer(msg[2], msg[3])
                c.sendall(H.frame(H.pack([1, msg[1], err, res])))

    def run(self):
        while not self.stop:
            try:
                c, _ = self.srv.accept()
            except socket.timeout:
                continue
            try:
                self.serve(c)
            except OSError:
                pass
            finally:
                c.close()


@suite.case
def older_attuned(env):
    """Against an attuned without the practice views: each pane says so,
    the rest works, and a form for a kind it lacks says so too."""
    old = OldAttuned(env)
    try:
        t = dash(env, sock=old.path)  # killed by the Env's finish
        scr = t.wait("Maya checked in: happy")
        for what in ("the week view", "the today view", "the repairs view",
                     "the goals view"):
            check("this attuned does not provide %s" % what in scr,
                  "no word that %s is missing:\n%s" % (what, scr))
        check("this laptop, 3 entries" in scr, "peers pane:\n%s" % scr)
        t.keys("T")
        t.wait("This attuned does not support 2x10 days")
        t.keys("Escape")
        t.keys("C")
        t.wait("Check in")
        check("does not support" not in t.screen(),
              "check-ins are supported by any attuned")
        t.keys("Escape")
    finally:
        old.close()


def ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])     # utime + stime


@suite.case
def idle_cpu(env):
    start(env)
    seed(env)
    t = dash(env)
    t.wait("moment with Leo")
    pid = t.pid()
    time.sleep(0.5)
    a = ticks(pid)
    time.sleep(10.0)
    b = ticks(pid)
    hz = os.sysconf("SC_CLK_TCK")
    check(b - a <= 1, "attune-dash used %d ticks (1/%d s) in 10 s idle"
          % (b - a, hz))
    return "%d ticks in 10 s idle" % (b - a)


def main():
    if not os.access(DASH, os.X_OK):
        print("skip all: %s is not built (no ncursesw?)" % DASH)
        return H.SKIP_EXIT
    if not os.access(TMUX, os.X_OK):
        print("skip all: tmux is not installed")
        return H.SKIP_EXIT
    # Every case's Env also owns its tmux servers: killed at the end, and
    # a sanitizer's report in attune-dash's stderr fails the case.
    orig_init = H.Env.__init__
    orig_finish = H.Env.finish
    orig_reports = H.Env.sanitizer_reports

    def init(self, name):
        orig_init(self, name)
        self.tmuxes = []

    def reports(self):
        out = orig_reports(self)
        for t in self.tmuxes:
            err = t.dash_stderr()
            if H.SANITIZER_RE.search(err):
                out.append("attune-dash: %s" % short(err, 1500))
        return out

    def finish(self):
        for t in self.tmuxes:
            t.kill()
        orig_finish(self)
    H.Env.__init__ = init
    H.Env.sanitizer_reports = reports
    H.Env.finish = finish
    return suite.main()


if __name__ == "__main__":
    sys.exit(main())
