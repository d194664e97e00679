#!/usr/bin/python3
"""
test_basic.py: the attune CLI end to end against a real attuned: every
command, the JSON shapes, the log filters, and the errors a parent will
meet (second init, unknown kid, out-of-range values, oversized or empty
text, no daemon, bad command line).
"""

import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (E_INVALID, E_NOFAMILY, E_TOOBIG, EXIT_ERROR,  # noqa
                     EXIT_UNREACHABLE, EXIT_USAGE, PROTO_MAX_LIST,
                     PROTO_MAX_TEXT, Closed, Failure, RpcError, Suite,
                     check, check_eq, init_family, log_json, short,
                     frame, pack, status_json, wait_until)

suite = Suite("basic")


def pack_frame(obj):
    return frame(pack(obj))

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def count(env):
    """Entries the daemon holds, seen two ways that must agree."""
    n = status_json(env)["entries"]
    m = len(log_json(env, "--limit", str(PROTO_MAX_LIST)))
    check_eq(m, n, "log length vs status.entries")
    return n


def expect_refused(env, args, rc, words, before, what):
    r = env.cli(*args)
    check(r.rc == rc, "%s: expected exit %d: %r" % (what, rc, r))
    for w in words:
        check(w.lower() in r.err.lower(),
              "%s: stderr should mention %r: %r" % (what, w, r))
    check(r.out.strip() == "", "%s: nothing on stdout expected: %r"
          % (what, r))
    check_eq(count(env), before, "%s: entries after the refusal" % what)


@suite.case
def help_version_unknown(env):
    r = env.cli("--help", sock="/nonexistent/x.sock")
    check(r.rc == 0, "--help: %r" % r)
    check("usage: attune" in r.out, "--help has no usage line: %r" % r)
    for c in ("init", "kid add", "kids", "one-on-one (1on1)", "checkin",
              "checkout", "repair", "log", "status", "verify"):
        check(re.search(r"^\s+%s\s" % re.escape(c), r.out, re.M),
              "--help does not list %r: %s" % (c, short(r.out, 2000)))
    r = env.cli("--version", sock="/nonexistent/x.sock")
    check(r.rc == 0 and re.match(r"^attune \d+\.\d+\.\d+\S*\n$", r.out),
          "--version: %r" % r)
    r = env.cli("frobnicate")
    check(r.rc == EXIT_USAGE, "unknown command: %r" % r)
    check("unknown command" in r.err and "frobnicate" in r.err,
          "unknown command message: %r" % r)
    r = env.cli()
    check(r.rc == EXIT_USAGE and "usage" in r.err, "no command: %r" % r)
    r = env.cli("kid")
    check(r.rc == EXIT_USAGE and "subcommand" in r.err,
          "kid without subcommand: %r" % r)
    r = env.cli("log", "--bogus")
    check(r.rc == EXIT_USAGE and "--bogus" in r.err, "bad option: %r" % r)
    r = env.cli("log", "--help")
    check(r.rc == 0 and "--since" in r.out, "log --help: %r" % r)


@suite.case
def every_command_has_help(env):
    """COMMAND --help for every command `attune --help` lists: exit 0,
    its usage on stdout, nothing on stderr, and no daemon needed (none
    runs: a command that tried to reach one would exit 3)."""
    r = env.cli("--help", sock="/nonexistent/x.sock")
    names = []
    for line in r.out.split("commands:", 1)[1].splitlines():
        m = re.match(r"^  (\S[^(]*?)(?:\s+\(|\s{2,}|$)", line)
        if m:
            names.append(m.group(1).strip())
    check(len(names) >= 40, "commands listed: %r" % names)
    for name in names:
        r = env.cli(*(name.split() + ["--help"]), sock="/nonexistent/x.sock")
        check(r.rc == 0 and r.err == "" and
              ("usage: attune %s" % name) in r.out,
              "%s --help: %r" % (name, r))
    return "%d commands" % len(names)


@suite.case
def daemon_not_running(env):
    # No socket file at all.
    r = env.cli("status")
    check(r.rc == EXIT_UNREACHABLE, "no socket: %r" % r)
    check("hint" in r.err and "attuned" in r.err, "no hint: %r" % r)
    check(env.sock in r.err, "message should name the socket: %r" % r)
    r = env.cli("--socket", env.path("elsewhere.sock"), "kids")
    check(r.rc == EXIT_UNREACHABLE and "elsewhere.sock" in r.err,
          "--socket to nothing: %r" % r)
    # The hint starts the daemon on that socket, not the default one.
    check("attuned --socket %s" % env.path("elsewhere.sock") in r.err,
          "hint for --socket: %r" % r)
    # A socket file left by a daemon killed with SIGKILL.
    d = env.daemon()
    d.kill9()
    check(os.path.exists(env.sock), "socket file should be left behind")
    r = env.cli("kid", "add", "Maya")
    check(r.rc == EXIT_UNREACHABLE and "hint" in r.err,
          "stale socket: %r" % r)


@suite.case
def init_and_second_init(env):
    env.daemon()
    r = env.ok("init", "--name", "Alex", "--family", "Rivera")
    check("Rivera" in r.out and "Alex" in r.out, "init output: %r" % r)
    st = status_json(env)
    check_eq(st["family"], "Rivera", "status.family")
    check_eq(st["member"], "Alex", "status.member")
    before = count(env)
    check_eq(before, 1, "entries after init (the genesis entry)")
    expect_refused(env, ["init", "--name", "Blake"], EXIT_ERROR,
                   ["already"], before, "second init")
    check_eq(status_json(env)["member"], "Alex", "member after 2nd init")
    r = env.cli("init")
    check(r.rc == EXIT_USAGE and "--name" in r.err, "init without --name:"
          " %r" % r)


@suite.case
def before_init(env):
    env.daemon()
    r = env.cli("kid", "add", "Maya")
    check(r.rc == EXIT_ERROR and "family" in r.err.lower(),
          "append before init: %r" % r)
    r = env.cli("verify")
    check(r.rc == EXIT_ERROR, "verify before init: %r" % r)
    st = status_json(env)
    check(st["family"] is None and st["entries"] == 0,
          "status before init: %r" % st)
    with env.rpc() as c:
        try:
            c.ok("append", [{"t": "kid.add", "name": "Maya"}])
            raise Failure("append before init succeeded")
        except RpcError as e:
            check_eq(e.code, E_NOFAMILY, "append before init: code")


@suite.case
def record_everything(env):
    env.daemon()
    init_family(env, "Alex")
    r = env.ok("kid", "add", "Maya", "--born", "2018-03-04")
    check(re.match(r"^Logged kid\.add [0-9a-f]{6,}\n$", r.out),
          "kid add output: %r" % r)
    env.ok("kid", "add", "Sam")
    r = env.ok("kids")
    check(re.search(r"^Maya\s+2018-03-04\s+\d+ (years?|months?)", r.out,
                    re.M), "kids shows Maya with born and age: %r" % r)
    check(re.search(r"^Sam\s+-", r.out, re.M), "kids shows Sam: %r" % r)
    kids = env.ok("--json", "kids").json()
    check_eq([k["name"] for k in kids], ["Maya", "Sam"], "kids names")
    check_eq(kids[0]["born"], "2018-03-04", "Maya's born")
    check(kids[1]["born"] is None, "Sam's born should be null")
    for k in kids:
        check(HEX64.match(k["id"]), "kid id is not hex: %r" % k)

    added = []
    r = env.ok("--json", "one-on-one", "Maya", "--minutes", "15",
               "--activity", "lego", "--note", "she led")
    res = r.json()
    check(HEX64.match(res["id"]) and isinstance(res["seq"], int)
          and isinstance(res["ts"], int), "append --json result: %r" % res)
    added.append(("one-on-one", res["id"]))
    r = env.ok("1on1", "Sam")
    added.append(("one-on-one", None))
    r = env.ok("checkin", "Maya", "happy", "--intensity", "4", "--note",
               "after school")
    r = env.ok("checkout", "Alex", "tired", "--intensity", "2")
    r = env.ok("repair", "Sam", "--what", "shouted at bedtime",
               "--apologized", "--note", "talked after")

    entries = log_json(env)
    kinds = [e["kind"] for e in entries]
    check_eq(kinds, ["repair", "checkout", "checkin", "one-on-one",
                     "one-on-one", "kid.add", "kid.add", "family.create"],
             "log kinds, newest first")
    for e in entries:
        for k in ("id", "kind", "author", "ts", "fields", "seq"):
            check(k in e, "entry lacks %r: %r" % (k, e))
        check(HEX64.match(e["id"]) and HEX64.match(e["author"]),
              "id/author not hex: %r" % e)
        check(isinstance(e["fields"], dict), "fields not a map: %r" % e)
        check_eq(e["author_name"], "Alex", "author_name")
    for a, b in zip(entries, entries[1:]):
        check(a["ts"] >= b["ts"] and a["seq"] > b["seq"],
              "log not newest first: %r then %r" % (a, b))
    check_eq(len({e["id"] for e in entries}), len(entries), "unique ids")
    check_eq(entries[4]["id"], added[0][1], "1:1 id as acknowledged")
    f = entries[4]["fields"]
    check(f["kid"] == "Maya" and f["minutes"] == 15 and
          f["activity"] == "lego" and f["note"] == "she led" and
          HEX64.match(f["kid_id"]) and f["kid_id"] == kids[0]["id"],
          "1:1 fields: %r" % f)
    check_eq(entries[3]["fields"]["minutes"], 10, "default minutes")
    check_eq(entries[3]["fields"]["kid"], "Sam", "1on1 alias kid")
    f = entries[2]["fields"]
    check(f["who"] == "Maya" and f["feeling"] == "happy" and
          f["intensity"] == 4 and f["note"] == "after school",
          "checkin fields: %r" % f)
    f = entries[1]["fields"]
    check(f["who"] == "Alex" and f["feeling"] == "tired" and
          f["intensity"] == 2 and HEX64.match(f["who_id"]),
          "checkout (parent) fields: %r" % f)
    f = entries[0]["fields"]
    check(f["kid"] == "Sam" and f["what"] == "shouted at bedtime" and
          f["apologized"] is True and f["note"] == "talked after",
          "repair fields: %r" % f)

    # The human log says the same thing.
    r = env.ok("log")
    lines = r.out.splitlines()
    want = [r"repair with Sam: shouted at bedtime .* apologised",
            r"Alex checked out: tired \(2/5\)",
            r"Maya checked in: happy \(4/5\)",
            r"1:1 with Sam, 10 min",
            r"1:1 with Maya, 15 min .* lego",
            r"added Sam",
            r"added Maya \(born 2018-03-04\)"]
    pos = 0
    for w in want:
        for i in range(pos, len(lines)):
            if re.search(w, lines[i]):
                pos = i + 1
                break
        else:
            raise Failure("human log lacks %r (in order): %s"
                          % (w, short(r.out, 2000)))
    check("note: she led" in r.out and "note: talked after" in r.out,
          "human log shows notes: %r" % r)


@suite.case
def log_filters(env):
    # A fixed clock (ATTUNE_NOW) on two days gives --since a boundary.
    d = env.daemon(env={"ATTUNE_NOW": "2026-01-10T12:00:00Z"})
    init_family(env, "Alex", [("Maya", None), ("Sam", None)])
    env.ok("1on1", "Maya")
    env.ok("checkin", "Sam", "calm")
    d.stop()
    env.daemon(env={"ATTUNE_NOW": "2026-01-12T12:00:00Z"})
    env.ok("1on1", "Sam", "--minutes", "20")
    env.ok("checkout", "Maya", "sleepy")
    env.ok("repair", "Maya", "--what", "late pickup")
    env.ok("1on1", "Maya", "--minutes", "30")
    everything = log_json(env, "--limit", "100")
    check_eq(len(everything), 9, "entries in all")

    maya = log_json(env, "--kid", "Maya")
    check(maya and all(e["fields"].get("kid") == "Maya" or
                       e["fields"].get("who") == "Maya" or
                       e["fields"].get("name") == "Maya" for e in maya),
          "--kid Maya returned others: %r" % maya)
    want = [e["id"] for e in everything
            if "Maya" in (e["fields"].get("kid"), e["fields"].get("who"))]
    got = [e["id"] for e in maya if e["kind"] != "kid.add"]
    check_eq(got, want, "--kid Maya entries")
    check_eq([e["id"] for e in log_json(env, "--kid", "ma")],
             [e["id"] for e in maya], "--kid by case-insensitive prefix")

    oo = log_json(env, "--kind", "one-on-one")
    check_eq([e["id"] for e in oo],
             [e["id"] for e in everything if e["kind"] == "one-on-one"],
             "--kind one-on-one")
    check_eq(len(oo), 3, "number of 1:1s")
    check_eq([e["id"] for e in log_json(env, "--kind", "1on1")],
             [e["id"] for e in oo], "--kind 1on1 alias")
    check_eq(log_json(env, "--kind", "nosuchkind"), [], "unknown kind")

    lim = log_json(env, "--limit", "2")
    check_eq([e["id"] for e in lim], [e["id"] for e in everything[:2]],
             "--limit 2 gives the newest two")

    since = log_json(env, "--since", "2026-01-11")
    check_eq([e["id"] for e in since], [e["id"] for e in everything[:4]],
             "--since 2026-01-11 gives the second day's 4")
    until = log_json(env, "--until", "2026-01-11")
    check_eq([e["id"] for e in until], [e["id"] for e in everything[4:]],
             "--until 2026-01-11 gives the first day's 5")
    page = log_json(env, "--until", "2026-01-11", "--limit", "2")
    check_eq([e["id"] for e in page], [e["id"] for e in everything[4:6]],
             "--until with --limit pages back from there")
    check_eq(log_json(env, "--since", "2026-01-11", "--until", "2026-01-11"),
             [], "an empty range")
    both = log_json(env, "--since", "2026-01-11", "--kind", "one-on-one",
                    "--kid", "Maya", "--limit", "5")
    check_eq(len(both), 1, "combined filters")
    check_eq(both[0]["fields"]["minutes"], 30, "combined filter entry")

    r = env.cli("log", "--limit", "0")
    check(r.rc == EXIT_USAGE, "--limit 0: %r" % r)
    r = env.cli("log", "--limit", str(PROTO_MAX_LIST + 1))
    check(r.rc == EXIT_USAGE, "--limit over max: %r" % r)
    r = env.cli("log", "--since", "next tuesday")
    check(r.rc == EXIT_USAGE and "not a time" in r.err,
          "--since garbage: %r" % r)
    r = env.cli("log", "--until", "next tuesday")
    check(r.rc == EXIT_USAGE and "not a time" in r.err,
          "--until garbage: %r" % r)
    r = env.cli("log", "--kid", "Nobody")
    check(r.rc == EXIT_ERROR and "Nobody" in r.err, "--kid unknown: %r" % r)


@suite.case
def status_and_verify(env):
    d = env.daemon()
    init_family(env, "Alex", [("Maya", "2019-05-06")])
    env.ok("checkin", "Maya", "proud")
    st = status_json(env)
    v = env.ok("--version", sock="/nonexistent").out.split()[1]
    check_eq(st["version"], v, "status.version vs attune --version")
    check_eq(st["proto"], 1, "status.proto")
    check_eq(st["family"], "Alex's family", "default family name")
    check(re.match(r"^[0-9a-f]{32}$", st["family_id"] or ""),
          "family_id: %r" % st)
    check(HEX64.match(st["device"]), "device: %r" % st)
    check_eq(st["member"], "Alex", "member")
    check_eq(st["entries"], 3, "entries")
    check_eq(st["authors"], 1, "authors")
    check_eq(st["socket"], env.sock, "socket")
    check_eq(st["data_dir"], env.data_dir, "data_dir")
    check(isinstance(st["verified"], dict) and
          st["verified"]["state"] in ("pending", "ok", "bad") and
          {"checked", "bad"} <= set(st["verified"]),
          "verified: %r" % st.get("verified"))
    log = log_json(env)
    check(all(e["author"] == st["device"] for e in log),
          "entries are authored by this device")
    # The writer's threads carry names (top -H, perf, bench-append).
    tasks = "/proc/%d/task" % d.pid
    names = set()
    for t in os.listdir(tasks):
        with open(os.path.join(tasks, t, "comm")) as f:
            names.add(f.read().strip())
    check({"attuned-seal", "attuned-commit"} <= names,
          "thread names: %r" % sorted(names))
    r = env.ok("status")
    for k in ("family:", "entries:", "verified:", "socket:"):
        check(k in r.out, "human status lacks %r: %r" % (k, r))
    r = env.ok("verify")
    check(re.search(r"\b3 entries checked, all intact", r.out),
          "verify output: %r" % r)
    res = env.ok("--json", "verify").json()
    check(res["entries"] == 3 and res["ok"] == 3 and res["problems"] == [],
          "verify --json: %r" % res)
    # After a restart the startup check has run: state ok, 3 checked.
    d.stop()
    env.daemon()

    def verified():
        s = status_json(env)["verified"]
        return s if s["state"] != "pending" else None
    s = wait_until(verified, 10.0, 0.05, "the startup verification")
    check(s["state"] == "ok" and s["checked"] == 3 and s["bad"] == 0,
          "verified after restart: %r" % s)


@suite.case
def unknown_kid(env):
    env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    before = count(env)
    expect_refused(env, ["1on1", "Zed"], EXIT_ERROR, ["Zed"], before,
                   "1on1 unknown kid")
    expect_refused(env, ["checkin", "Zed", "happy"], EXIT_ERROR, ["Zed"],
                   before, "checkin unknown who")
    expect_refused(env, ["repair", "Zed", "--what", "x"], EXIT_ERROR,
                   ["Zed"], before, "repair unknown kid")
    # A parent is not a kid: 1:1 with Alex is refused.
    expect_refused(env, ["1on1", "Alex"], EXIT_ERROR, ["Alex"], before,
                   "1on1 with a parent")


@suite.case
def names_and_text(env):
    env.daemon()
    init_family(env, "Alex", [("Sam", None), ("Sasha", None),
                              ("Zoë", "2020-02-29")])
    before = count(env)
    expect_refused(env, ["kid", "add", "sam"], EXIT_ERROR, ["sam"], before,
                   "duplicate kid (case-insensitive)")
    expect_refused(env, ["1on1", "Sa"], EXIT_ERROR, ["Sam", "Sasha"],
                   before, "ambiguous prefix")
    env.ok("1on1", "sas")
    env.ok("checkin", "zo", "curious")
    log = log_json(env, "--limit", "2")
    check_eq(log[1]["fields"]["kid"], "Sasha", "prefix 'sas' resolves")
    check_eq(log[0]["fields"]["who"], "Zoë", "UTF-8 name round trip")
    tricky = 'she said "no" \\ then\nyes \u00e9\u4e2d\U0001F600'
    env.ok("repair", "Sam", "--what", "a \"quoted\" fight", "--note",
           tricky)
    e = log_json(env, "--limit", "1")[0]
    check_eq(e["fields"]["note"], tricky, "note survives JSON escaping")
    check_eq(e["fields"]["what"], 'a "quoted" fight', "what with quotes")
    r = env.cli("kid", "add", "Bad", "--born", "2021-02-30")
    check(r.rc == EXIT_USAGE and "date" in r.err, "bad --born: %r" % r)
    r = env.cli("kid", "add", "N" * 65)
    check(r.rc == EXIT_USAGE and "64" in r.err, "65-byte name: %r" % r)


@suite.case
def bad_intensity(env):
    env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    before = count(env)
    for bad in ("9", "0", "-1", "3.5", "x"):
        expect_refused(env, ["checkin", "Maya", "ok", "--intensity", bad],
                       EXIT_USAGE, ["intensity"], before,
                       "intensity %s" % bad)
    expect_refused(env, ["1on1", "Maya", "--minutes", "601"], EXIT_USAGE,
                   ["minutes"], before, "minutes 601")
    # The daemon checks for itself (a client is not trusted).
    with env.rpc() as c:
        for field, val in (("intensity", 9), ("intensity", 0),
                           ("intensity", -3)):
            err, res = c.call("append", [{"t": "checkin", "who": "Maya",
                                          "feeling": "ok", field: val}])
            check(err is not None and err[0] == E_INVALID and
                  field in err[1], "raw %s=%r: %r %r" % (field, val, err,
                                                         res))
        err, res = c.call("append", [{"t": "one-on-one", "kid": "Maya",
                                      "minutes": 601}])
        check(err is not None and err[0] == E_INVALID,
              "raw minutes 601: %r" % (err,))
    check_eq(count(env), before, "entries after refused raw appends")


@suite.case
def oversized_note(env):
    env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    before = count(env)
    for n in (PROTO_MAX_TEXT + 1, 100 * 1024):
        expect_refused(env, ["1on1", "Maya", "--note", "x" * n],
                       EXIT_USAGE, ["note", str(PROTO_MAX_TEXT)], before,
                       "%d-byte note" % n)
    # 10 MB cannot travel in argv (execve: E2BIG), so it goes raw: the
    # frame is over PROTO_MAX_REQUEST, refused before it is read whole.
    with env.rpc() as c:
        sent = c.try_send(pack_frame([0, 1, "append", [
            {"t": "one-on-one", "kid": "Maya",
             "note": "y" * (10 * 1024 * 1024)}]]))
        closed, got = c.wait_closed(10.0)
        check(closed, "10 MB note: connection should be closed (all sent:"
              " %s)" % sent)
        check(got and got[0][0] == 1 and got[0][2] is not None and
              got[0][2][0] == E_TOOBIG,
              "10 MB note: expected a TOOBIG error first: %r"
              % short(repr(got)))
    with env.rpc() as c:
        err, res = c.call("append", [{"t": "one-on-one", "kid": "Maya",
                                      "note": "z" * (PROTO_MAX_TEXT + 1)}])
        check(err is not None and err[0] == E_TOOBIG and "note" in err[1],
              "4097-byte note raw: %r" % (err,))
    check_eq(count(env), before, "entries after oversized notes")
    # The limit itself is accepted.
    env.ok("1on1", "Maya", "--note", "n" * PROTO_MAX_TEXT)
    e = log_json(env, "--limit", "1")[0]
    check_eq(len(e["fields"]["note"]), PROTO_MAX_TEXT, "4096-byte note")


@suite.case
def empty_text(env):
    env.daemon()
    init_family(env, "Alex", [("Maya", None)])
    before = count(env)
    for args, word in ((["1on1", "Maya", "--note", ""], "note"),
                       (["1on1", "Maya", "--activity", ""], "activity"),
                       (["checkin", "Maya", ""], "FEELING"),
                       (["checkin", "", "happy"], "WHO"),
                       (["repair", "Maya", "--what", ""], "what"),
                       (["repair", "Maya"], "what"),
                       (["kid", "add", ""], "NAME")):
        expect_refused(env, args, EXIT_USAGE, [word, "usage"], before,
                       "empty %s" % word)
    # Blank is empty too; the CLI passes it on and attuned refuses it.
    expect_refused(env, ["1on1", "Maya", "--note", "   "], EXIT_ERROR,
                   ["note"], before, "blank note")
    with env.rpc() as c:
        for f in ({"t": "checkin", "who": "Maya", "feeling": ""},
                  {"t": "one-on-one", "kid": "Maya", "note": ""},
                  {"t": "kid.add", "name": " "}):
            err, res = c.call("append", [f])
            check(err is not None and err[0] == E_INVALID,
                  "raw empty %r: %r" % (f, err))
        try:
            c.ok("status")
        except Closed:
            raise Failure("daemon closed a client after an empty field")
    check_eq(count(env), before, "entries after empty text")


if __name__ == "__main__":
    sys.exit(suite.main())
