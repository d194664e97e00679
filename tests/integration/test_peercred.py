#!/usr/bin/python3
"""
test_peercred.py: another user cannot talk to attuned. Needs root, to run
a client as `nobody` with setpriv (util-linux); skipped (exit 77)
otherwise.

Two layers are checked separately and the output says which one stopped
the stranger:
  1. as deployed (0700 socket dir, 0600 socket): the kernel refuses the
     connect (EACCES) before attuned sees anything;
  2. with the directories and socket opened up for the test only (so the
     connect reaches attuned): the SO_PEERCRED check at accept drops the
     connection without an answer, and attuned logs the refusal.
"""

import os
import pwd
import shutil
import stat
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (Skip, Suite, check, check_eq,  # noqa
                     init_family, short, status_json)

suite = Suite("peercred")

# Runs as nobody: connect, send a status request, report what happened
# as one word and a detail. Standard library only: it must not need the
# test directory (nobody cannot read it).
CLIENT = r'''
import errno, socket, struct, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
try:
    s.connect(path)
except OSError as e:
    print("CONNECT-REFUSED", errno.errorcode.get(e.errno, e.errno))
    sys.exit(0)
body = b"\x94\x00\x01\xa6status\x90"
try:
    s.sendall(struct.pack(">I", len(body)) + body)
    data = s.recv(65536)
except socket.timeout:
    print("NO-ANSWER", "timeout")
    sys.exit(0)
except OSError as e:
    print("DROPPED", errno.errorcode.get(e.errno, e.errno))
    sys.exit(0)
if not data:
    print("DROPPED", "eof")
else:
    print("ANSWERED", data[:200].hex())
'''


def need_root():
    if os.geteuid() != 0:
        raise Skip("needs root to run a client as another user "
                   "(euid %d)" % os.geteuid())
    if shutil.which("setpriv") is None:
        raise Skip("setpriv (util-linux) not installed")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        raise Skip("no user 'nobody'")


def as_nobody(env, sock):
    group = "nogroup"
    try:
        import grp
        grp.getgrnam(group)
    except KeyError:
        group = "nobody"
    p = subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=" + group, "--clear-groups",
         "/usr/bin/python3", "-I", "-c", CLIENT, sock],
        capture_output=True, timeout=30, cwd="/",
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    out = p.stdout.decode().strip()
    check(p.returncode == 0 and out, "the nobody client failed: rc %d, "
          "stdout %r, stderr %r" % (p.returncode, out,
                                    short(p.stderr.decode())))
    # Prove it really ran as somebody else.
    who = subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=" + group, "--clear-groups",
         "id", "-u"], capture_output=True, timeout=30, cwd="/")
    check(who.stdout.decode().strip() == str(pwd.getpwnam("nobody").pw_uid),
          "setpriv did not switch to nobody: %r" % who.stdout)
    return out.split(" ", 1)


@suite.case
def stranger_refused_by_permissions(env):
    need_root()
    d = env.daemon()
    init_family(env, "Alex")
    word, detail = as_nobody(env, env.sock)
    check_eq(word, "CONNECT-REFUSED", "nobody, deployed modes (%s)"
             % detail)
    check(detail == "EACCES", "expected EACCES, got %s" % detail)
    check(d.alive(), "daemon died")
    check_eq(status_json(env)["entries"], 1, "owner still served")
    return "connect() refused by the kernel: %s" % detail


@suite.case
def stranger_dropped_by_peercred(env):
    need_root()
    d = env.daemon()
    init_family(env, "Alex")
    run = os.path.dirname(env.sock)
    saved = [(p, stat.S_IMODE(os.stat(p).st_mode))
             for p in (env.tmp, run, env.sock)]
    try:
        # For this test only: let others reach the socket.
        os.chmod(env.tmp, 0o711)
        os.chmod(run, 0o711)
        os.chmod(env.sock, 0o666)
        word, detail = as_nobody(env, env.sock)
    finally:
        for p, m in saved:
            os.chmod(p, m)
    check(word in ("DROPPED",), "nobody with open modes: %s %s (the "
          "daemon should drop a client of another uid)" % (word, detail))
    uid = pwd.getpwnam("nobody").pw_uid
    check("uid %d" % uid in d.stderr(), "attuned did not log the refusal "
          "of uid %d: %r" % (uid, short(d.stderr())))
    check(d.alive(), "daemon died")
    check_eq(status_json(env)["entries"], 1, "owner still served")
    return "connection reached attuned and was dropped by SO_PEERCRED (%s)"\
        % detail


if __name__ == "__main__":
    sys.exit(suite.main())
