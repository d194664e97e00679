#!/usr/bin/python3
"""
test_practices.py: the practices of the playbook end to end, through the
attune CLI against real attuned daemons with a fixed clock (ATTUNE_NOW,
read once at start: a case restarts the daemon to move the clock) in the
Europe/Berlin zone, whose clocks go forward on 2026-03-29.

Cases: kinds_and_bad_input, week_dst_and_boundary, week_start_setting,
twoxten_broken_and_restarted, feelings_by_zone, repair_flagged_at_48h,
bank_ratio, balance_two_laptops, amend_retract_history,
prompts_by_age_and_entry, reminders_fire_once, json_schemas,
human_output_fits, completion.

Must not: address anything but 127.0.0.1 and its own Unix sockets; wait
without a deadline.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as H  # noqa: E402
from harness import Failure, check, check_eq, short  # noqa: E402

TZ = {"TZ": "Europe/Berlin"}
HOUR = 3600 * 1000


def utc_ms(s):
    """'2026-03-29T08:00' (UTC) in ms."""
    import calendar
    t = time.strptime(s, "%Y-%m-%dT%H:%M")
    return calendar.timegm(t) * 1000


class Clock:
    """One daemon on env's data dir whose clock can be moved by a
    restart."""

    def __init__(self, env, now, extra=None, args=(), data_dir=None,
                 sock=None):
        self.env = env
        self.extra = dict(extra or {})
        self.args = list(args)
        self.data_dir = data_dir
        self.sock = sock
        self.d = None
        self.start(now)

    def start(self, now):
        e = dict(TZ)
        e["ATTUNE_NOW"] = now
        e.update(self.extra)
        self.d = self.env.daemon(data_dir=self.data_dir, sock=self.sock,
                                 env=e, args=self.args)
        self.now = now
        return self

    def at(self, now):
        """Restart with the clock at now."""
        rc = self.d.stop(10.0)
        check(rc == 0, "attuned exit %r after SIGTERM: %s"
              % (rc, short(self.d.stderr(), 600)))
        return self.start(now)

    def cli(self, *args):
        return self.env.cli(*args, sock=self.sock, env=TZ)

    def ok(self, *args):
        r = self.cli(*args)
        check(r.rc == 0, "expected success: %r" % r)
        return r

    def json(self, *args):
        return self.ok("--json", *args).json()

    def fails(self, args, rc, words):
        """The CLI fails with exit rc and says each of words."""
        r = self.cli(*args)
        check(r.rc == rc, "expected exit %d: %r" % (rc, r))
        for w in words:
            check(w.lower() in r.err.lower(), "error should mention %r: %r"
                  % (w, r))
        return r

    def entries(self):
        return self.json("status")["entries"]

    def rpc(self):
        return H.Rpc(self.sock or self.env.sock)


def free_port():
    """A TCP port on 127.0.0.1 that nobody holds right now."""
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def family(c, kids=(("Maya", "2019-06-01"), ("Leo", "2012-01-01"))):
    c.ok("init", "--name", "Alex")
    for k, born in kids:
        c.ok("kid", "add", k, "--born", born)


def kid_of(view, name):
    for k in view["kids"]:
        if k["kid"]["name"] == name:
            return k
    raise Failure("no kid %s in %s" % (name, short(str(view))))


def one_id(c, kind):
    return c.json("log", "--kind", kind, "--limit", "1")[0]["id"]


suite = H.Suite("practices")


@suite.case
def kinds_and_bad_input(env):
    """Each new kind is accepted as the CLI writes it; bad input gets a
    clear error and writes nothing."""
    c = Clock(env, "2026-03-25T20:00")
    family(c)
    for args in (("plan", "Maya", "--every", "sat,wed", "--at", "10:00"),
                 ("1on1", "Maya", "--by", "Alex", "--topics", "school",
                  "--parent-led", "--screens-on"),
                 ("1on1", "Leo", "--both", "--minutes", "20"),
                 ("checkin", "Maya", "happy", "--intensity", "4"),
                 ("checkout", "Alex", "flabbergasted", "--zone", "yellow"),
                 ("repair", "Maya", "Leo", "--what", "I shouted",
                  "--my-part", "tired", "--heard", "it was scary",
                  "--plan", "count to ten", "--empathy", "you were hungry",
                  "--concern", "dinner matters", "--invitation",
                  "snack first"),
                 ("2x10", "start", "Leo"), ("twoxten", "log", "Leo"),
                 ("goal", "Leo", "juggle", "--due", "2026-06-01"),
                 ("strength", "Leo", "kind", "--kind", "mirror"),
                 ("moment", "Maya", "a hug"),
                 ("prompt", "add", "What surprised you?", "--ages", "6-9"),
                 ("set", "week-start", "monday")):
        c.ok(*args)
    log = c.json("log", "--limit", "100")
    f = [e for e in log if e["kind"] == "repair"][0]["fields"]
    check_eq(f["kids"], ["Leo"], "repair kids")
    for k in ("my_part", "heard", "plan", "empathy", "concern",
              "invitation"):
        check(k in f, "repair field %s stored: %r" % (k, f))
    o = [e for e in log if e["kind"] == "one-on-one"]
    check_eq(o[0]["fields"]["parents"], ["Alex"], "--both with one parent")
    check_eq(o[1]["fields"].get("child_led"), False, "--parent-led")
    check_eq(o[1]["fields"].get("screens_off"), False, "--screens-on")
    p = [e for e in log if e["kind"] == "plan"][0]["fields"]
    check_eq(p["days"], [3, 6], "plan days stored as weekdays")
    check_eq(p["time"], "10:00", "plan time")
    goal = one_id(c, "goal")
    c.ok("goal", "progress", goal[:8], "--note", "3 balls", "--shows",
         "persistence")
    before = c.entries()
    big = "n" * 5000
    bad = [
        (("1on1", "Zed"), 1, ["Zed"]),
        (("twoxten", "start", "Zed"), 1, ["Zed"]),
        (("checkin", "Maya", "happy", "--intensity", "9"), 2,
         ["intensity"]),
        (("checkin", "Maya", "happy", "--zone", "purple"), 2, ["zone"]),
        (("goal", "Leo", "x", "--due", "2026-02-31"), 2, ["--due"]),
        (("1on1", "Maya", "--at", "2026-13-01"), 2, ["--at"]),
        (("moment", "Maya", ""), 2, ["empty"]),
        (("moment", "Maya", big), 2, ["4096"]),
        (("plan", "Maya", "--every", "funday", "--at", "10:00"), 1,
         ["funday"]),
        (("plan", "Maya", "--every", "sat", "--at", "25:00"), 1, ["time"]),
        (("goal", "progress", "zzzz", "--note", "x"), 2, ["entry id"]),
        (("goal", "progress", "0000", "--note", "x"), 1, ["0000"]),
        (("goal", "progress", goal[:8], "--note", "x", "--shows",
          "luck"), 1, ["luck", "persistence"]),
        (("strength", "Leo", "x", "--kind", "talent"), 2, ["--kind"]),
        (("set", "week-start", "someday"), 1, ["weekday"]),
        (("repair", "Maya"), 2, ["--what"]),
        (("amend", goal[:8], "--colour", "red"), 1, ["colour"]),
        (("retract", goal[:8]), 2, ["--reason"]),
        (("week", "--date", "next week"), 2, ["--date"]),
        (("kid", "show", "Zed"), 1, ["Zed"]),
    ]
    for args, rc, words in bad:
        c.fails(args, rc, words)
    # An ambiguous prefix lists the candidates ("L" is only Leo: add Lia).
    c.ok("kid", "add", "Lia", "--born", "2016-01-01")
    before += 1
    c.fails(("1on1", "L"), 1, ["Leo", "Lia"])
    # The same refusals over the raw RPC, where the CLI cannot check.
    with c.rpc() as r:
        for fields, code in (
                ({"t": "checkin", "who": "Maya", "feeling": "ok",
                  "intensity": 9}, H.E_INVALID),
                ({"t": "moment", "kid": "Maya", "what": ""}, H.E_INVALID),
                ({"t": "moment", "kid": "Maya", "what": big}, H.E_TOOBIG),
                ({"t": "goal", "kid": "Leo", "text": "x",
                  "due": "2026-02-31"}, H.E_INVALID),
                ({"t": "one-on-one", "kid": "Zed"}, H.E_NOTFOUND),
                ({"t": "one-on-one", "kid": "Maya", "parents": ["Maya"]},
                 H.E_NOTFOUND),
                ({"t": "plan", "kid": "Maya", "days": [], "time": "10:00"},
                 H.E_INVALID),
                ({"t": "amend", "target": goal, "fields": {}}, H.E_TYPE),
                ({"t": "amend", "target": goal,
                  "fields": {"text": None}}, H.E_INVALID),
                ({"t": "retract", "target": goal[:8]}, H.E_INVALID)):
            err, res = r.call("append", [fields])
            check(err is not None and err[0] == code,
                  "%r: expected error %d, got %r" % (fields, code, err))
        # A 10 MB note never gets in: the frame is over the limit.
        note = "x" * (10 << 20)
        try:
            err, res = r.call("append", [{"t": "moment", "kid": "Maya",
                                          "what": note}], timeout=30)
            check(err is not None, "10 MB note accepted")
        except (H.Closed, BrokenPipeError, ConnectionResetError):
            pass
    check_eq(c.entries(), before, "entries after refused input")
    return "%d refusals, nothing written" % (len(bad) + 11)


@suite.case
def week_dst_and_boundary(env):
    """Planned/done/due/missed across the week of the spring change:
    Mon 23 to Sun 29 March 2026 is 167 hours; Monday 30 starts at 00:00
    CEST (22:00 UTC on Sunday)."""
    c = Clock(env, "2026-03-23T08:00")
    family(c)
    c.ok("plan", "Maya", "--every", "wed,sun", "--at", "18:00")
    # Thursday: Wednesday's slot is missed, Sunday's later.
    c.at("2026-03-26T09:00")
    w = kid_of(c.json("week"), "Maya")["one_on_one"]
    check_eq((w["planned"], w["done"], w["due"], w["missed"]),
             (2, 0, 1, 1), "Thu planned/done/due/missed")
    check_eq([s["state"] for s in w["slots"]], ["missed", "later"],
             "Thu slot states")
    week = c.json("week")
    check_eq(week["from"], utc_ms("2026-03-22T23:00"), "week from")
    check_eq(week["to"], utc_ms("2026-03-29T22:00"), "week to (DST)")
    check_eq(week["to"] - week["from"], 167 * HOUR, "a 167-hour week")
    # The Sunday slot at 18:00 CEST is 16:00 UTC.
    check_eq(w["slots"][1]["at"], utc_ms("2026-03-29T16:00"),
             "Sunday slot after the change")
    # Sunday noon, after the change: one session logged in the morning.
    c.at("2026-03-29T12:00")
    c.ok("1on1", "Maya", "--at", "10:30", "--minutes", "15")
    w = kid_of(c.json("week"), "Maya")["one_on_one"]
    check_eq((w["planned"], w["done"], w["due"], w["missed"]),
             (2, 1, 1, 0), "Sun planned/done/due/missed")
    check_eq([s["state"] for s in w["slots"]], ["done", "today"],
             "Sun slot states")
    check_eq(w["sessions"][0]["at"], utc_ms("2026-03-29T08:30"),
             "10:30 CEST")
    # Late Sunday and just after midnight: two weeks.
    c.ok("1on1", "Maya", "--at", "2026-03-29T23:30", "--minutes", "10")
    c.ok("1on1", "Maya", "--at", "2026-03-30T00:30", "--minutes", "20")
    c.at("2026-03-30T09:00")
    w2 = kid_of(c.json("week"), "Maya")["one_on_one"]
    check_eq((w2["planned"], w2["done"], w2["due"], w2["missed"]),
             (2, 1, 1, 0), "next week: the 00:30 session is in it")
    check_eq(w2["minutes"], 20, "next week minutes")
    check_eq(w2["streak"], 2, "streak over the boundary")
    w1 = kid_of(c.json("week", "--date", "last sunday"), "Maya")
    w1 = w1["one_on_one"]
    check_eq((w1["planned"], w1["done"], w1["due"], w1["missed"]),
             (2, 2, 0, 0), "the DST week, seen after it")
    check_eq(w1["minutes"], 25, "DST week minutes")
    # A kid without a plan: one a week is the target.
    leo = kid_of(c.json("week", "--date", "2026-03-25"), "Leo")
    check_eq((leo["one_on_one"]["due"], leo["one_on_one"]["missed"]),
             (0, 1), "Leo last week: missed")
    leo = kid_of(c.json("week"), "Leo")
    check_eq((leo["one_on_one"]["due"], leo["one_on_one"]["missed"]),
             (1, 0), "Leo this week: due")
    out = c.ok("week", "--kid", "Maya").out
    check("Maya" in out and "Leo" not in out.split("Feelings")[0],
          "week --kid: %s" % short(out))
    return "167-hour week, streak 2"


@suite.case
def week_start_setting(env):
    c = Clock(env, "2026-03-30T09:00")
    family(c)
    c.ok("1on1", "Maya", "--at", "2026-03-29T10:00")
    c.ok("1on1", "Maya", "--at", "2026-03-30T08:00")
    w = c.json("week")
    check_eq(w["week_start"], "mon", "default week start")
    check_eq(kid_of(w, "Maya")["one_on_one"]["done"], 1, "Mon week")
    c.ok("set", "week-start", "sunday")
    w = c.json("week")
    check_eq(w["week_start"], "sun", "week start setting")
    check_eq(w["from"], utc_ms("2026-03-28T23:00"), "Sunday midnight CET")
    check_eq(kid_of(w, "Maya")["one_on_one"]["done"], 2, "Sun week")
    # The setting is an entry: retract it and Monday is back.
    sid = one_id(c, "setting")
    c.ok("retract", sid[:10], "--reason", "we prefer Mondays")
    check_eq(c.json("week")["week_start"], "mon", "setting retracted")


@suite.case
def twoxten_broken_and_restarted(env):
    """Days are local days, the 23-hour Sunday included; the run breaks
    on day 6 and restarts."""
    c = Clock(env, "2026-03-26T08:00")
    family(c)
    c.ok("2x10", "start", "Leo")
    for day in ("2026-03-26 19:00", "2026-03-27 19:00", "2026-03-28 19:00",
                "2026-03-29 23:30", "2026-03-30 07:00"):
        c.ok("2x10", "log", "Leo", "--at", day)
    c.at("2026-03-31T12:00")
    r = c.json("twoxten", "Leo")[0]
    check_eq((r["day"], r["streak"], r["state"], r["logged_today"]),
             (6, 5, "on_track", False), "day 6, not logged yet")
    c.at("2026-04-01T12:00")
    r = c.json("twoxten", "Leo")[0]
    check_eq((r["day"], r["streak"], r["state"], r["broken_on"]),
             (7, 5, "broken", 6), "broken on day 6")
    check_eq(r["missed"], ["2026-03-31"], "missed days")
    check_eq([d["logged"] for d in r["days"]][:6],
             [True] * 5 + [False], "logged days")
    out = c.ok("2x10").out
    check("broken" in out and "restart" in out, "human: %s" % out)
    c.ok("twoxten", "start", "Leo")
    r = c.json("twoxten", "Leo")[0]
    check_eq((r["day"], r["streak"], r["state"], r["start_date"]),
             (1, 0, "on_track", "2026-04-01"), "restarted")
    c.ok("2x10", "log", "Leo")
    r = c.json("twoxten", "Leo")[0]
    check_eq((r["streak"], r["logged_today"]), (1, True), "day 1 logged")
    t = c.json("today")
    check_eq(len(t["twoxten"]), 1, "today shows the run")


@suite.case
def feelings_by_zone(env):
    c = Clock(env, "2026-03-25T20:00")
    family(c)
    for who, word, extra in (("Maya", "sad", ()), ("Maya", "worried", ()),
                             ("Maya", "MAD", ()), ("Maya", "happy", ()),
                             ("Leo", "flabbergasted", ("--zone", "yellow")),
                             ("Leo", "blorp", ()),
                             ("Alex", "furious", ())):
        c.ok("checkin", who, word, *extra)
    c.ok("checkout", "Alex", "calm", "--at", "19:00")
    c.ok("checkin", "Maya", "sad", "--at", "2026-03-20 08:00")
    f = c.json("feelings")
    zones = {w["who"]["name"]: w["zones"] for w in f["week"]}
    check_eq((zones["Maya"]["red"], zones["Maya"]["blue"],
              zones["Maya"]["yellow"], zones["Maya"]["total"]),
             (2, 1, 1, 4), "Maya by zone")
    check(zones["Maya"]["flag"], "Maya mostly red or blue: flagged")
    check_eq((zones["Leo"]["yellow"], zones["Leo"]["none"]), (1, 1),
             "unknown words: with --zone and without")
    check(not zones["Leo"]["flag"], "Leo not flagged")
    check_eq((zones["Alex"]["red"], zones["Alex"]["green"]), (1, 1),
             "a parent's zones")
    check(not zones["Alex"]["flag"], "parents are not flagged")
    board = {b["who"]["name"]: b for b in f["board"]}
    check_eq(board["Maya"]["checkin"]["feeling"], "happy", "latest in")
    check(board["Leo"]["checkout"] is None, "Leo has not checked out")
    check_eq(board["Alex"]["checkout"]["zone"], "green", "Alex out")
    check_eq(len(f["entries"]), 8, "entries of the week")
    one = c.json("feelings", "--who", "maya", "--since", "2026-03-01")
    check_eq(len(one["entries"]), 5, "--who --since")
    check_eq(len(one["week"]), 1, "--who: one member")
    check_eq(one["entries"][-1]["zone"], "blue", "oldest last")
    t = c.json("today")
    check_eq([m["name"] for m in t["feelings"]["missing_checkout"]],
             ["Maya", "Leo"], "still to check out")
    words = c.json("feelings", "--words")
    check(len(words) >= 90, "a vocabulary of about 100 words")
    kidset = {w["word"] for w in words if w["kids"]}
    for w in ("happy", "sad", "scared", "mad", "calm", "excited", "tired",
              "worried", "proud"):
        check(w in kidset, "kids' word %s" % w)
    out = c.ok("feelings").out
    check("mostly red or blue" in out, "the flag in words: %s" % out)


@suite.case
def repair_flagged_at_48h(env):
    c = Clock(env, "2026-03-23T10:00")
    family(c)
    c.ok("repair", "Maya", "--what", "I yelled", "--at", "09:00")
    c.ok("repair", "Leo", "--what", "I was late", "--done")
    c.at("2026-03-25T08:59")
    r = c.json("repairs", "--open")
    check_eq(len(r), 1, "one open repair")
    check_eq((r[0]["age_hours"], r[0]["flagged"]), (47, False), "47 h")
    c.at("2026-03-25T09:00")
    r = c.json("repairs", "--open")
    check_eq((r[0]["age_hours"], r[0]["flagged"]), (48, True), "48 h")
    check("!" in c.ok("repairs").out, "flag shown")
    c.ok("repair", "done", r[0]["id"][:8], "--heard", "you scared me",
         "--apologized")
    check_eq(c.json("repairs", "--open"), [], "no open repair")
    allr = c.json("repairs")
    check_eq([x["state"] for x in allr], ["repaired", "repaired"],
             "both repaired")
    mine = [x for x in allr if x["what"] == "I yelled"][0]
    check_eq((mine["heard"], mine["apologized"]), ("you scared me", True),
             "what the done added")
    check_eq(mine["repaired"], utc_ms("2026-03-25T08:00"), "repaired at")


@suite.case
def bank_ratio(env):
    c = Clock(env, "2026-03-25T20:00")
    family(c)
    c.ok("1on1", "Maya", "--at", "2026-03-20 10:00")
    c.ok("1on1", "Maya", "--at", "yesterday 18:00")
    c.ok("moment", "Maya", "a hug")
    c.ok("moment", "Maya", "a story", "--at", "monday")
    c.ok("2x10", "start", "Maya", "--at", "2026-03-23")
    for d in ("2026-03-23 19:00", "2026-03-24 19:00", "2026-03-24 20:00",
              "2026-03-25 08:00"):
        c.ok("2x10", "log", "Maya", "--at", d)
    c.ok("repair", "Maya", "--what", "shouted", "--at", "2026-03-22")
    rid = one_id(c, "repair")
    c.ok("repair", "done", rid[:8])
    c.ok("repair", "Maya", "--what", "forgot her show", "--at",
         "2026-03-05")
    c.ok("1on1", "Maya", "--at", "2026-02-01")
    b = c.json("kid", "show", "Maya")["bank"]
    check_eq((b["last7"]["deposits"], b["last7"]["withdrawals"]), (8, 1),
             "7 days: 2 1:1s, 2 moments, 3 2x10 days, 1 repair done")
    check_eq(b["last7"]["by"]["twoxten_days"], 3, "one deposit per day")
    check_eq((b["last7"]["ratio"], b["last7"]["meets"]), (8.0, True),
             "7-day ratio")
    check_eq((b["last30"]["deposits"], b["last30"]["withdrawals"]), (8, 2),
             "30 days")
    check_eq((b["last30"]["ratio"], b["last30"]["meets"]), (4.0, False),
             "30-day ratio below 5:1")
    check_eq(b["guideline"], 5, "guideline")
    leo = c.json("kid", "show", "Leo")["bank"]["last7"]
    check_eq((leo["deposits"], leo["ratio"], leo["meets"]), (0, None, False),
             "an empty account")


@suite.case
def balance_two_laptops(env):
    """Entries written on two synced laptops count once each, and both
    laptops show the same views."""
    now = "2026-03-25T20:00"
    a = Clock(env, now, args=["--listen", "127.0.0.1:%d" % free_port(),
                              "--no-discovery"],
              data_dir=env.path("data-a"),
              sock=env.path("run-a", "attuned.sock"))
    b = Clock(env, now, args=["--listen", "127.0.0.1:%d" % free_port(),
                              "--no-discovery"],
              data_dir=env.path("data-b"),
              sock=env.path("run-b", "attuned.sock"))
    family(a)
    code = a.ok("invite").out.strip()
    port = a.json("status")["peer_port"]
    r = b.env.cli("join", code, "--name", "Sam", "--peer",
                  "127.0.0.1:%d" % port, sock=b.sock, env=TZ, timeout=120)
    check(r.rc == 0, "join: %r" % r)
    a.ok("1on1", "Maya", "--minutes", "15", "--at", "monday 17:00")
    b.ok("1on1", "Maya", "--minutes", "20", "--at", "tuesday 17:00")
    b.ok("1on1", "Maya", "--minutes", "30", "--both", "--at", "2026-03-02")
    b.ok("1on1", "Leo", "--minutes", "5", "--by", "Alex")
    H.wait_until(lambda: a.entries() == b.entries() and
                 a.entries() >= 8, timeout=30, what="the laptops to sync")
    views = []
    for c in (a, b):
        w = c.json("week")
        maya = kid_of(w, "Maya")["balance"]
        wk = {p["parent"]["name"]: (p["count"], p["minutes"])
              for p in maya["week"]}
        mo = {p["parent"]["name"]: (p["count"], p["minutes"])
              for p in maya["month"]}
        check_eq(wk, {"Alex": (1, 15), "Sam": (1, 20)}, "week balance")
        check_eq(mo, {"Alex": (2, 45), "Sam": (2, 50)}, "month balance")
        leo = kid_of(w, "Leo")["balance"]["week"]
        check_eq({p["parent"]["name"]: p["count"] for p in leo},
                 {"Alex": 1, "Sam": 0}, "--by another parent")
        views.append((w, c.json("today"), c.json("kid", "show", "Maya"),
                      c.json("feelings"), c.json("repairs"),
                      c.json("goals")))
    check(views[0] == views[1], "both laptops agree on every view")
    return "views equal on both laptops"


@suite.case
def amend_retract_history(env):
    c = Clock(env, "2026-03-25T20:00")
    family(c)
    c.ok("1on1", "Maya", "--minutes", "15", "--activity", "lego")
    oid = one_id(c, "one-on-one")
    c.ok("amend", oid[:8], "--minutes", "25", "--note", "she led")
    w = kid_of(c.json("week"), "Maya")["one_on_one"]
    check_eq((w["done"], w["minutes"]), (1, 25), "amended minutes")
    e = c.json("log", "--kind", "one-on-one")[0]
    check_eq((e["fields"]["minutes"], e["fields"]["note"], e["amended"]),
             (25, "she led", 1), "log shows the latest state")
    c.ok("amend", oid[:8], "--kid", "leo")
    w = c.json("week")
    check_eq(kid_of(w, "Maya")["one_on_one"]["done"], 0, "moved off Maya")
    check_eq(kid_of(w, "Leo")["one_on_one"]["done"], 1, "moved to Leo")
    c.ok("retract", oid[:8], "--reason", "logged twice")
    w = c.json("week")
    check_eq(kid_of(w, "Leo")["one_on_one"]["done"], 0, "retracted")
    s = c.json("show", oid[:8])
    check_eq(s["original"]["minutes"], 15, "original kept")
    check_eq(s["original"]["kid"], "Maya", "original kid")
    check_eq(s["entry"]["fields"]["kid"], "Leo", "as it stands")
    check_eq(s["entry"]["retracted"]["reason"], "logged twice", "reason")
    check_eq([h["kind"] for h in s["history"]],
             ["amend", "amend", "retract"], "history")
    out = c.ok("show", oid[:8]).out
    check("retracted: logged twice" in out and "was 15" in out,
          "human show: %s" % out)
    check("(retracted)" in c.ok("log").out, "log marks it")
    # Retracting the amend undoes it.
    c.ok("1on1", "Maya", "--minutes", "10")
    o2 = one_id(c, "one-on-one")
    c.ok("amend", o2[:8], "--minutes", "40")
    a2 = one_id(c, "amend")
    c.ok("retract", a2[:8], "--reason", "typo")
    check_eq(c.json("show", o2[:8])["entry"]["fields"]["minutes"], 10,
             "amend retracted")
    before = c.entries()
    c.fails(("amend", oid[:8] + "zz", "--minutes", "1"), 2, ["entry id"])
    c.fails(("amend", o2[:8], "--minutes", "0"), 1, ["minutes"])
    c.fails(("amend", a2[:8], "--minutes", "1"), 1, ["kind"])
    kid = c.json("log", "--kind", "kid.add")[0]["id"]
    c.fails(("amend", kid[:8], "--born", "2020-01-01"), 1, ["kind"])
    check_eq(c.entries(), before, "refused corrections write nothing")


@suite.case
def prompts_by_age_and_entry(env):
    c = Clock(env, "2026-03-25T20:00")
    family(c, (("Maya", "2019-06-01"), ("Leo", "2012-01-01"),
               ("Tot", "2022-01-01")))
    for kid, ages in (("Maya", "6-9"), ("Leo", "13-18"), ("Tot", "3-5")):
        p = c.json("prompt", kid)
        check_eq((p["ages"], p["category"], p["source"]),
                 (ages, "general", "builtin"), "prompt for %s" % kid)
    c.ok("repair", "Maya", "--what", "I snapped")
    p = c.json("prompt", "Maya")
    check_eq(p["category"], "reconnect", "after a repair")
    check("repair" in p["why"], "why: %r" % p)
    check("repair" in c.ok("prompt", "Maya").out, "human says why")
    c.ok("repair", "done", one_id(c, "repair")[:8])
    check_eq(c.json("prompt", "Maya")["category"], "reconnect",
             "a repair closed today still reconnects")
    c.ok("goal", "Leo", "run 5k")
    p = c.json("prompt", "Leo")
    check_eq((p["category"], p["ages"]), ("goal", "13-18"), "during a goal")
    c.ok("prompt", "add", "What would you invent?", "--ages", "3-5")
    seen = set()
    # The pick hashes the seed with the kid's (random) id: one question
    # in a pool of about ten is missed by 60 seeds now and then, by 400
    # practically never.
    with c.rpc() as r:
        for seed in range(400):
            q = r.ok("prompt", [{"kid": "Tot", "seed": seed}])
            seen.add(q["source"])
            check(q["ages"] in ("3-5",), "ages for Tot: %r" % q)
            if "family" in seen and seed >= 60:
                break
    check("family" in seen, "the family's own question comes up")
    c.at("2026-03-30T20:00")
    check_eq(c.json("prompt", "Maya")["category"], "general",
             "five days later, a general question")
    p = c.json("prompt")
    check(p["kid"] is None and p["text"], "a question for anyone")


@suite.case
def reminders_fire_once(env):
    out = env.path("notified")
    note = {"ATTUNE_NOTIFY": "printf '%%s\\n' >>'%s'" % out}
    c = Clock(env, "2026-03-23T10:00", extra=note)
    family(c)
    c.ok("plan", "Maya", "--every", "mon", "--at", "10:30")
    c.ok("repair", "Maya", "--what", "I yelled")
    c.ok("2x10", "start", "Leo")
    with c.rpc() as sub:
        sub.ok("subscribe")
        rem = c.json("reminders")
        check_eq([r["kind"] for r in rem], ["one-on-one"], "1:1 soon")
        check(rem[0]["sent"] and "10:30" in rem[0]["text"],
              "sent: %r" % rem)
        msg = None
        for _ in range(50):
            m = sub.recv(5.0)
            if m[0] == 2 and m[1] == "reminder":
                msg = m
                break
        check(msg is not None and msg[2][0]["kind"] == "one-on-one",
              "reminder notification: %r" % (msg,))
    c.json("reminders")

    def lines():
        try:
            with open(out) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []
    H.wait_until(lambda: len(lines()) == 1, what="the command to run")
    c.at("2026-03-23T10:05")
    check_eq(c.json("reminders")[0]["sent"], True, "remembered")
    time.sleep(0.3)
    check_eq(len(lines()), 1, "not sent again after a restart")
    # Evening of day 1: the 2x10 day is not logged.
    c.at("2026-03-23T19:00")
    rem = c.json("reminders")
    check_eq([(r["kind"], r["sent"]) for r in rem],
             [("one-on-one", True), ("twoxten", True)],
             "2x10 by evening; the 1:1 of 10:30 still pending, sent")
    H.wait_until(lambda: len(lines()) == 2, what="the 2x10 nudge")
    c.ok("2x10", "log", "Leo")
    check_eq([r["kind"] for r in c.json("reminders")], ["one-on-one"],
             "logged: the 2x10 is no longer pending")
    # 48 hours later the repair (written a few ms after 10:00: the HLC
    # of a fixed clock moves 1 ms per entry).
    c.at("2026-03-25T10:01")
    rem = c.json("reminders")
    check_eq([r["kind"] for r in rem], ["repair"], "repair at 48 h")
    H.wait_until(lambda: len(lines()) == 3, what="the repair nudge")
    c.at("2026-03-25T10:02")
    c.json("reminders")
    c.json("today")
    time.sleep(0.3)
    got = lines()
    check_eq(len(got), 3, "each sent once: %r" % got)
    check("Maya" in got[0] and "Leo" in got[1] and "Repair" in got[2],
          "texts: %r" % got)
    check("Repair with Maya" in c.ok("reminders").out, "human list")
    return "3 reminders, each once"


def schema(v, s, path="$"):
    """Check v against s: a type, None (nil), a tuple of choices, [s]
    (a list of s), or a dict (exactly these keys)."""
    if isinstance(s, tuple):
        for alt in s:
            try:
                schema(v, alt, path)
                return
            except Failure:
                pass
        raise Failure("%s: %r matches none of %r" % (path, short(str(v)),
                                                    s))
    if s is None:
        check(v is None, "%s: expected null, got %r" % (path, v))
    elif isinstance(s, list):
        check(isinstance(v, list), "%s: expected a list" % path)
        for i, x in enumerate(v):
            schema(x, s[0], "%s[%d]" % (path, i))
    elif isinstance(s, dict):
        check(isinstance(v, dict), "%s: expected an object" % path)
        check_eq(sorted(v.keys()), sorted(s.keys()), "%s keys" % path)
        for k, sub in s.items():
            schema(v[k], sub, "%s.%s" % (path, k))
    elif s is int:
        check(isinstance(v, int) and not isinstance(v, bool),
              "%s: expected an integer, got %r" % (path, v))
    else:
        check(isinstance(v, s), "%s: expected %s, got %r"
              % (path, s.__name__, v))


REF = {"id": str, "name": str}
OREF = (REF, None)
OSTR = (str, None)
OINT = (int, None)
ZONES = {"red": int, "yellow": int, "green": int, "blue": int,
         "none": int, "total": int, "flag": bool}
SLOT = {"at": int, "by": OREF, "minutes": int, "state": str, "plan": str}
SESSION = {"id": str, "at": int, "minutes": int, "parents": [REF],
           "activity": OSTR, "child_led": bool, "screens_off": bool,
           "topics": OSTR}
SUMS = [{"parent": REF, "count": int, "minutes": int}]
ONE_ON_ONE = {"kid": REF, "from": int, "to": int, "planned": int,
              "done": int, "due": int, "missed": int, "minutes": int,
              "streak": int, "slots": [SLOT], "sessions": [SESSION],
              "by_parent": SUMS}
RUN = ({"kid": REF, "id": str, "started": int, "start_date": str,
        "day": int, "streak": int, "state": str, "logged_today": bool,
        "broken_on": OINT, "days": [{"day": int, "date": str,
                                     "logged": bool}],
        "missed": [str]}, None)
WINDOW = {"days": int, "deposits": int, "withdrawals": int,
          "ratio": (float, int, None), "meets": bool,
          "by": {"one_on_ones": int, "twoxten_days": int, "moments": int,
                 "repairs_done": int, "repairs_opened": int}}
BANK = {"kid": REF, "guideline": int, "last7": WINDOW, "last30": WINDOW}
REPAIR = {"id": str, "kids": [REF], "what": OSTR, "my_part": OSTR,
          "heard": OSTR, "plan": OSTR, "empathy": OSTR, "concern": OSTR,
          "invitation": OSTR, "note": OSTR, "apologized": bool,
          "opened": int, "state": str, "repaired": OINT, "age_hours": int,
          "flagged": bool}
BEHAVIORS = {"strategy-shifting": int, "challenge-seeking": int,
             "persistence": int, "setbacks": int, "help-seeking": int}
GOAL = {"id": str, "kid": REF, "text": OSTR, "due": OSTR, "set": int,
        "state": str, "closed": OINT, "progress": int,
        "last_progress": ({"id": str, "at": int, "note": OSTR,
                           "behaviors": [str]}, None),
        "behaviors_month": BEHAVIORS}
CHECK = ({"id": str, "kind": str, "who": REF, "feeling": OSTR,
          "zone": OSTR, "intensity": OINT, "note": OSTR, "at": int}, None)
BOARD = [{"who": REF, "kid": bool, "checkin": CHECK, "checkout": CHECK}]
REMINDER = {"kind": str, "text": str, "due": int, "kid": OREF}
PLAN = {"id": str, "kid": REF, "by": OREF, "days": [str], "time": str,
        "minutes": int, "since": int}
SCHEMAS = {
    ("today",): {"now": int, "date": str,
                 "one_on_ones": [{"kid": REF, "today": [
                     {"at": int, "by": OREF, "minutes": int,
                      "state": str}], "planned": int, "done": int,
                     "due": int, "missed": int, "streak": int}],
                 "twoxten": [RUN], "feelings": {
                     "board": BOARD, "missing_checkin": [REF],
                     "missing_checkout": [REF]},
                 "repairs": [REPAIR], "reminders": [REMINDER]},
    ("week",): {"week_start": str, "from": int, "to": int, "now": int,
                "kids": [{"kid": REF, "one_on_one": ONE_ON_ONE,
                          "balance": {"kid": REF, "week": SUMS,
                                      "month": SUMS},
                          "twoxten": RUN, "feelings": ZONES,
                          "repairs": {"opened": int, "repaired": int,
                                      "open": int},
                          "goals": {"active": int, "progress": int},
                          "bank": BANK}],
                "parents": [{"parent": REF, "feelings": ZONES}]},
    ("kid", "show", "Leo"): {
        "kid": REF, "born": OSTR, "age": OINT, "age_months": OINT,
        "strengths": [{"id": str, "text": OSTR, "type": str, "at": int}],
        "goals": [GOAL], "behaviors_month": BEHAVIORS, "bank": BANK,
        "one_on_one": ONE_ON_ONE, "twoxten": RUN, "plans": [PLAN],
        "repairs": [REPAIR], "feelings": ZONES},
    ("repairs",): [REPAIR],
    ("goals", "--all"): [GOAL],
    ("feelings",): {"since": int, "week_from": int, "board": BOARD,
                    "week": [{"who": REF, "kid": bool, "zones": ZONES}],
                    "entries": [CHECK]},
    ("feelings", "--words"): [{"word": str, "zone": str, "kids": bool}],
    ("plan", "list"): [PLAN],
    ("twoxten",): [RUN],
    ("prompt", "Leo"): {"text": str, "category": str, "ages": OSTR,
                        "source": str, "id": OSTR, "kid": OREF,
                        "age": OINT, "why": OSTR},
    ("reminders",): [dict(REMINDER, key=str, sent=bool)],
}


def rich_family(c):
    """A family with something of every practice."""
    family(c)
    for args in (("plan", "Maya", "--every", "wed,sat", "--at", "10:00"),
                 ("plan", "Leo", "--every", "daily", "--at", "19:30"),
                 ("1on1", "Maya", "--minutes", "15", "--at", "monday"),
                 ("1on1", "Leo", "--both", "--activity", "chess",
                  "--topics", "school"),
                 ("checkin", "Maya", "sad", "--intensity", "2"),
                 ("checkin", "Leo", "blorp"),
                 ("checkout", "Alex", "calm"),
                 ("repair", "Maya", "--what", "I yelled", "--at",
                  "2026-03-22"),
                 ("repair", "Leo", "--what", "late pickup", "--done"),
                 ("2x10", "start", "Leo", "--at", "2026-03-22"),
                 ("2x10", "log", "Leo", "--at", "2026-03-22 18:00"),
                 ("goal", "Leo", "learn to juggle five balls", "--due",
                  "2026-06-01"),
                 ("strength", "Leo", "kind to animals"),
                 ("moment", "Maya", "laughed together"),
                 ("prompt", "add", "What made you proud?")):
        c.ok(*args)
    g = one_id(c, "goal")
    c.ok("goal", "progress", g[:8], "--note", "three balls", "--shows",
         "persistence,setbacks")
    c.ok("goal", "Maya", "read a chapter book")
    c.ok("goal", "done", one_id(c, "goal")[:8])


@suite.case
def json_schemas(env):
    c = Clock(env, "2026-03-25T20:00")
    rich_family(c)
    for args, s in SCHEMAS.items():
        v = c.json(*args)
        schema(v, s, "attune --json " + " ".join(args))
        if isinstance(v, list):
            check(len(v) > 0, "%s: empty, the schema went unchecked"
                  % " ".join(args))
    s = c.json("show", one_id(c, "one-on-one")[:8])
    check_eq(sorted(s.keys()), ["entry", "history", "original"], "show")
    for k in ("id", "kind", "author", "author_name", "seq", "ts",
              "fields"):
        check(k in s["entry"], "show entry has %s" % k)
    return "%d schemas" % (len(SCHEMAS) + 1)


@suite.case
def human_output_fits(env):
    """Aligned, no escapes off a terminal, within 80 columns."""
    c = Clock(env, "2026-03-25T20:00")
    rich_family(c)
    c.ok("kid", "add", "Maximiliana-Josephine", "--born", "2015-03-03")
    c.ok("repair", "Maximiliana-Josephine", "Maya", "--what", "x" * 300)
    c.ok("goal", "Maximiliana-Josephine", "y " * 200)
    for args in (("today",), ("week",), ("kid", "show", "Leo"),
                 ("kid", "show", "Maximiliana-Josephine"), ("repairs",),
                 ("goals",), ("feelings",), ("plan", "list"), ("2x10",),
                 ("prompt", "Maya"), ("reminders",), ("feelings", "--words"),
                 ("show", one_id(c, "goal")[:8]), ("--help",)):
        out = c.ok(*args).out
        check(out.strip(), "%s printed nothing" % " ".join(args))
        check("\x1b" not in out, "%s: escapes off a tty" % " ".join(args))
        for line in out.splitlines():
            check(len(line) <= 80, "%s: a line of %d columns: %r"
                  % (" ".join(args), len(line), line))
    # Colours by zone on a terminal (a pty).
    import pty
    import subprocess
    master, slave = pty.openpty()
    e = H.base_env(env.tmp, dict(TZ, ATTUNE_SOCKET=env.sock))
    p = subprocess.run([H.ATTUNE, "feelings"], stdin=subprocess.DEVNULL,
                       stdout=slave, stderr=subprocess.PIPE, env=e,
                       timeout=30)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    check(p.returncode == 0, "feelings on a tty: %r" % p.stderr)
    check(b"\x1b[34m" in data and b"\x1b[31m" in data,
          "blue and red on a tty: %r" % data[:400])


@suite.case
def completion(env):
    c = Clock(env, "2026-03-25T20:00")
    family(c)
    cmds = c.ok("_complete", "commands").out.split()
    for w in ("today", "week", "plan", "twoxten", "2x10", "repairs",
              "amend", "retract", "show", "prompt", "kid"):
        check(w in cmds, "command %s completes" % w)
    check("_complete" not in cmds, "hidden command hidden")
    check_eq(c.ok("_complete", "commands", "kid").out.split(),
             ["add", "show"], "kid subcommands")
    check_eq(c.ok("_complete", "commands", "2x10").out.split(),
             ["log", "start"], "alias subcommands")
    check("--every" in c.ok("_complete", "options", "plan").out.split(),
          "plan options")
    check_eq(c.ok("_complete", "kids").out.split(), ["Maya", "Leo"], "kids")
    check_eq(c.ok("_complete", "members").out.split(),
             ["Alex", "Maya", "Leo"], "members")
    ids = c.ok("_complete", "ids").out.split()
    check(len(ids) == 2 and all(len(i) == 12 for i in ids), "ids: %r" % ids)
    check("_complete" not in c.ok("--help").out, "not in --help")
    r = env.cli("_complete", "kids", sock=env.path("nowhere.sock"))
    check_eq((r.out, r.err), ("", ""), "silent without a daemon")
    # The bash completion script, driven as bash would.
    script = os.path.join(H.ROOT, "packaging", "bash", "attune")
    e = H.base_env(env.tmp, {"ATTUNE_SOCKET": env.sock})
    e["PATH"] = os.path.dirname(os.path.abspath(H.ATTUNE)) + ":" + e["PATH"]
    for line, want in (("attune kid s", ["show"]),
                       ("attune 1on1 M", ["Maya"]),
                       ("attune checkin Alex ha", ["happy"]),
                       ("attune plan Maya --ev", ["--every"]),
                       ("attune week --kid L", ["Leo"]),
                       ("attune 2x10 st", ["start"])):
        words = line.split(" ")
        prog = ('source "$1"; COMP_WORDS=(%s); COMP_CWORD=%d; _attune; '
                'printf "%%s\\n" "${COMPREPLY[@]}"'
                % (" ".join('"%s"' % w for w in words), len(words) - 1))
        p = H.subprocess.run(["bash", "-c", prog, "bash", script],
                             capture_output=True, env=e, timeout=30)
        got = p.stdout.decode().split()
        check_eq(got, want, "bash completion of %r" % line)


if __name__ == "__main__":
    sys.exit(suite.main())
