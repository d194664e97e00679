#!/usr/bin/python3
"""
harness.py: what the attune integration tests share.

Owns: starting real attuned processes on private temp dirs (data dir and
socket inside a mkdtemp directory), waiting for readiness by polling
connect() on the socket, stopping them (SIGTERM, bounded wait) or killing
them (SIGKILL); a raw msgpack-RPC client (frame = u32 big-endian length +
msgpack body; request [0, msgid, method, params], response
[1, msgid, error, result]); running the attune CLI with ATTUNE_SOCKET set;
running the sqlite3 shell; and a tiny runner that prints one line per
case ("ok NAME" / "FAIL NAME: why" / "skip NAME: why") and exits non-zero
on any failure (77 when every case was skipped, meson's skip code).

Must not: address anything but Unix sockets in its own temp dirs; sleep
without a bound; leave processes or temp dirs behind (every case is
cleaned up in a finally, and atexit kills anything still running).

Only the Python standard library and python3-msgpack are used.
"""

import atexit
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _find_binary(env, rel):
    path = os.environ.get(env)
    if path:
        return path
    for build in ("build", "build-it"):
        cand = os.path.join(ROOT, build, rel)
        if os.access(cand, os.X_OK):
            return cand
    return os.path.join(ROOT, "build", rel)


ATTUNED = _find_binary("ATTUNED", os.path.join("daemon", "attuned"))
ATTUNE = _find_binary("ATTUNE", os.path.join("clients", "cli", "attune"))
SQLITE3 = shutil.which("sqlite3") or "/usr/bin/sqlite3"

SKIP_EXIT = 77

# proto/proto.h
PROTO_VERSION = 1
PROTO_MAX_REQUEST = 1 << 20
PROTO_MAX_FRAME = 16 << 20
PROTO_MAX_DEPTH = 12
PROTO_MAX_TEXT = 4096
PROTO_MAX_NAME = 64
PROTO_MAX_LIST = 10000

E_MALFORMED = 1
E_TOOBIG = 2
E_TYPE = 3
E_METHOD = 4
E_AUTH = 5
E_NOFAMILY = 6
E_EXISTS = 7
E_NOTFOUND = 8
E_AMBIGUOUS = 9
E_INVALID = 10
E_STORE = 11
E_BUSY = 12
E_INTERNAL = 13

# CLI exit codes (clients/cli/cli.h)
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

# What a sanitizer prints when it finds something.
SANITIZER_RE = re.compile(
    r"(ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
    r"runtime error:|UndefinedBehaviorSanitizer|"
    r"WARNING: ThreadSanitizer|ERROR: MemorySanitizer)")


class Failure(Exception):
    """A check failed: the case fails with this message."""


class Skip(Exception):
    """The case cannot run here: printed as skip, not a failure."""


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def check_eq(got, want, what):
    if got != want:
        raise Failure("%s: expected %r, got %r" % (what, want, got))


def short(s, n=300):
    s = s if isinstance(s, str) else repr(s)
    return s if len(s) <= n else s[:n] + "...(%d more)" % (len(s) - n)


def wait_until(pred, timeout=10.0, step=0.02, what="condition"):
    """Poll pred() every step seconds for at most timeout; return its
    truthy value or raise Failure. Bounded in time and count."""
    deadline = time.monotonic() + timeout
    tries = int(timeout / step) + 2
    for _ in range(tries):
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            break
        time.sleep(step)
    raise Failure("timed out after %.1fs waiting for %s" % (timeout, what))


# ---------------------------------------------------------------- processes

_LIVE = set()            # every Popen we started and have not reaped
_LIVE_LOCK = threading.Lock()


def _kill_leftovers():
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for p in procs:
        try:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=5)
        except Exception:
            pass


atexit.register(_kill_leftovers)


def base_env(tmp, extra=None):
    """A clean environment: nothing of the caller's XDG dirs or socket,
    HOME inside the temp dir, a UTF-8 locale."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.path.join(tmp, "home"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    }
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
              "MSAN_OPTIONS", "LD_LIBRARY_PATH", "MALLOC_PERTURB_"):
        if k in os.environ:
            env[k] = os.environ[k]
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    # ASan keeps freed memory in a 256 MiB quarantine by default, which
    # the RSS bounds of the bad-input tests would read as growth.
    asan = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + \
        "quarantine_size_mb=16"
    if extra:
        env.update(extra)
    return env


_ISOLATION = None


def isolation_args():
    """Options that keep a test daemon off the LAN: no peer listener on
    0.0.0.0 and no discovery beacons, as far as this attuned knows them
    (asked once, from its --help)."""
    global _ISOLATION
    if _ISOLATION is None:
        p = subprocess.run([ATTUNED, "--help"], capture_output=True,
                           timeout=30, stdin=subprocess.DEVNULL)
        text = p.stdout.decode("utf-8", "replace")
        args = []
        if "--listen" in text and '"off"' in text:
            args += ["--listen", "off"]
        if "--no-discovery" in text:
            args.append("--no-discovery")
        _ISOLATION = args
    return list(_ISOLATION)


class Daemon:
    """One attuned --foreground on data_dir and sock, kept off the LAN
    (isolation_args). stderr goes to a file in the temp dir so that it
    can be read at any time."""

    _count = 0

    def __init__(self, tmp, data_dir, sock, env=None, args=()):
        self.tmp = tmp
        self.data_dir = data_dir
        self.sock = sock
        self.env = env or {}
        self.args = list(args)
        self.proc = None
        self.errpath = None
        self.returncode = None

    @property
    def pid(self):
        return self.proc.pid

    def spawn(self):
        """Start the process; do not wait for readiness."""
        Daemon._count += 1
        self.errpath = os.path.join(self.tmp, "attuned-%d.err"
                                    % Daemon._count)
        err = open(self.errpath, "wb")
        try:
            argv = [ATTUNED, "--foreground", "--data-dir", self.data_dir,
                    "--socket", self.sock] + isolation_args() + self.args
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                env=base_env(self.tmp, self.env), cwd=self.tmp,
                start_new_session=True)
        finally:
            err.close()
        self.returncode = None
        with _LIVE_LOCK:
            _LIVE.add(self.proc)
        return self

    def start(self, timeout=10.0):
        self.spawn()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=10.0, step=0.02):
        """Poll connect() on the socket: 10 s at most, 20 ms steps."""
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / step) + 2):
            rc = self.proc.poll()
            if rc is not None:
                self._reaped(rc)
                raise Failure("attuned exited with %d before it was ready:"
                              " %s" % (rc, short(self.stderr())))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.settimeout(1.0)
                s.connect(self.sock)
                return
            except OSError:
                pass
            finally:
                s.close()
            if time.monotonic() >= deadline:
                break
            time.sleep(step)
        raise Failure("attuned not ready after %.0fs: %s"
                      % (timeout, short(self.stderr())))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def _reaped(self, rc):
        self.returncode = rc
        with _LIVE_LOCK:
            _LIVE.discard(self.proc)

    def wait_exit(self, timeout=10.0):
        """Wait (bounded) for the process to end; return its exit code or
        None if it is still running."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._reaped(rc)
        return rc

    def stop(self, timeout=10.0):
        """SIGTERM and a bounded wait; SIGKILL if it does not end.
        Return the exit code of the SIGTERM (None if it had to be
        killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            self._reaped(self.proc.returncode)
            return self.returncode
        self.proc.send_signal(signal.SIGTERM)
        rc = self.wait_exit(timeout)
        if rc is None:
            self.kill9()
            return None
        return rc

    def kill9(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.wait_exit(10.0)

    def stderr(self):
        try:
            with open(self.errpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def sanitizer_report(self):
        text = self.stderr()
        m = SANITIZER_RE.search(text)
        if m is None:
            return None
        start = text.rfind("\n", 0, m.start()) + 1
        return text[start:start + 1500]

    def rss_kib(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise Failure("no VmRSS for pid %d" % self.pid)


# --------------------------------------------------------------------- RPC

class RpcError(Exception):
    def __init__(self, code, message):
        super().__init__("error %s: %s" % (code, message))
        self.code = code
        self.message = message


class Closed(Exception):
    """The daemon closed the connection."""


def frame(body):
    return struct.pack(">I", len(body)) + body


def pack(obj):
    return msgpack.packb(obj, use_bin_type=True)


def unpack(body):
    return msgpack.unpackb(body, raw=False, strict_map_key=False)


class Rpc:
    """A raw client: one Unix socket, frames in and out, no policy."""

    def __init__(self, path, timeout=10.0):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        # A full listen backlog answers EAGAIN to a socket with a timeout
        # (it is non-blocking underneath): retry, bounded.
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.005) + 2):
            try:
                self.sock.connect(path)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self.sock.close()
                    raise
                time.sleep(0.005)
            except OSError:
                self.sock.close()
                raise
        self.buf = bytearray()
        self.next_msgid = 1
        self.stash = []         # messages read while looking for another
        self.eof = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send_raw(self, data, timeout=10.0):
        self.sock.settimeout(timeout)
        self.sock.sendall(data)

    def try_send(self, data, timeout=10.0):
        """Send what the daemon takes; return False if it closed the
        connection (EPIPE/ECONNRESET) before taking it all."""
        try:
            self.send_raw(data, timeout)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def send_frame(self, body, timeout=10.0):
        self.send_raw(frame(body), timeout)

    def send(self, method, params=None, msgid=None):
        if msgid is None:
            msgid = self.next_msgid
            self.next_msgid += 1
        self.send_frame(pack([0, msgid, method,
                              [] if params is None else params]))
        return msgid

    def _read_more(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no message from attuned in time")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            raise TimeoutError("no message from attuned in time")
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            raise Closed("attuned closed the connection")
        self.buf += data

    def recv(self, timeout=10.0):
        """The next message (decoded), reading until timeout.
        Raise Closed on EOF, TimeoutError when nothing whole came."""
        if self.stash:
            return self.stash.pop(0)
        return self._recv_wire(timeout)

    def _recv_wire(self, timeout):
        """The next message off the socket (never from the stash)."""
        deadline = time.monotonic() + timeout
        # Each read takes at least one byte: bounded by frame size + 4.
        for _ in range(PROTO_MAX_FRAME + 8):
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if n == 0 or n > PROTO_MAX_FRAME:
                    raise Failure("attuned sent a bad frame length %d" % n)
                if len(self.buf) >= 4 + n:
                    body = bytes(self.buf[4:4 + n])
                    del self.buf[:4 + n]
                    return unpack(body)
            self._read_more(deadline)
        raise Failure("recv: loop bound reached")

    def response(self, msgid, timeout=10.0):
        """The response to msgid; other messages are kept for later."""
        deadline = time.monotonic() + timeout
        for i, m in enumerate(self.stash):
            if _is_response(m, msgid):
                return self.stash.pop(i)
        for _ in range(1000000):
            m = self._recv_wire(max(0.0, deadline - time.monotonic()))
            if _is_response(m, msgid):
                return m
            self.stash.append(m)
        raise Failure("response: loop bound reached")

    def call(self, method, params=None, timeout=10.0):
        """Return (error, result): error is None or [code, message]."""
        msgid = self.send(method, params)
        m = self.response(msgid, timeout)
        return m[2], m[3]

    def ok(self, method, params=None, timeout=10.0):
        """The result, or RpcError."""
        err, res = self.call(method, params, timeout)
        if err is not None:
            raise RpcError(err[0], err[1])
        return res

    def wait_closed(self, timeout=10.0):
        """Read and discard until EOF. Return (closed, messages read)."""
        got = []
        deadline = time.monotonic() + timeout
        got.extend(self.stash)
        self.stash = []
        for _ in range(1000000):
            try:
                got.append(self.recv(max(0.0, deadline - time.monotonic())))
            except Closed:
                return True, got
            except TimeoutError:
                return False, got
        return False, got


def _is_response(m, msgid):
    return (isinstance(m, list) and len(m) == 4 and m[0] == 1 and
            m[1] == msgid)


def append_rpc(rpc, kind, **fields):
    p = {"t": kind}
    p.update(fields)
    return rpc.ok("append", [p])


# --------------------------------------------------------------------- CLI

class CliResult:
    def __init__(self, args, rc, out, err):
        self.args = args
        self.rc = rc
        self.out = out
        self.err = err

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as e:
            raise Failure("attune %s: stdout is not JSON (%s): %s"
                          % (" ".join(self.args), e, short(self.out)))

    def __repr__(self):
        return ("attune %s -> rc %d, stdout %s, stderr %s"
                % (short(" ".join(self.args), 120), self.rc,
                   short(self.out), short(self.err)))


def run_cli(args, sock, tmp, env=None, timeout=30.0):
    e = {"ATTUNE_SOCKET": sock} if sock is not None else {}
    if env:
        e.update(env)
    p = subprocess.run([ATTUNE] + list(args), stdin=subprocess.DEVNULL,
                       capture_output=True, env=base_env(tmp, e),
                       cwd=tmp, timeout=timeout)
    return CliResult(list(args), p.returncode,
                     p.stdout.decode("utf-8", "replace"),
                     p.stderr.decode("utf-8", "replace"))


# ------------------------------------------------------------------ sqlite3

def sqlite(db, sql, timeout=30.0, readonly=False):
    """Run the sqlite3 shell on db. Return (rc, stdout, stderr)."""
    argv = [SQLITE3, "-batch", "-bail"]
    if readonly:
        argv.append("-readonly")
    argv += [db, sql]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def db_rows(db):
    """Every stored row as (n, id hex, author hex, seq, hlc, env hex)."""
    rc, out, err = sqlite(db, "SELECT n, hex(id), hex(author), seq, hlc, "
                              "hex(env) FROM events ORDER BY n;",
                          readonly=True)
    check(rc == 0, "sqlite3 select failed: %s" % err)
    rows = []
    for line in out.splitlines():
        n, i, a, s, h, e = line.split("|")
        rows.append((int(n), i.lower(), a.lower(), int(s), int(h),
                     e.lower()))
    return rows


def files_digest(d):
    """sha256 over every regular file's name and content under d."""
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(d)):
        dirs.sort()
        for name in sorted(files):
            p = os.path.join(root, name)
            if os.path.isfile(p) and not os.path.islink(p):
                h.update(p.encode() + b"\0")
                with open(p, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


# -------------------------------------------------------------- test cases

class Env:
    """One case's world: a private temp dir and the daemons started in
    it, all cleaned up by finish()."""

    def __init__(self, name):
        base = os.environ.get("ATTUNE_TEST_TMPDIR", "/tmp")
        self.tmp = tempfile.mkdtemp(prefix="attune-it-", dir=base)
        os.makedirs(os.path.join(self.tmp, "home"), mode=0o700)
        self.name = name
        self.daemons = []
        self.data_dir = os.path.join(self.tmp, "data")
        self.sock = os.path.join(self.tmp, "run", "attuned.sock")

    def daemon(self, data_dir=None, sock=None, env=None, args=(),
               start=True):
        d = Daemon(self.tmp, data_dir or self.data_dir, sock or self.sock,
                   env=env, args=args)
        self.daemons.append(d)
        if start:
            d.start()
        else:
            d.spawn()
        return d

    def cli(self, *args, sock=None, env=None, timeout=30.0):
        return run_cli(args, self.sock if sock is None else sock, self.tmp,
                       env=env, timeout=timeout)

    def ok(self, *args, **kw):
        """Run the CLI and require exit 0."""
        r = self.cli(*args, **kw)
        check(r.rc == 0, "expected success: %r" % r)
        return r

    def rpc(self, sock=None, timeout=10.0):
        return Rpc(self.sock if sock is None else sock, timeout)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def sanitizer_reports(self):
        out = []
        for d in self.daemons:
            r = d.sanitizer_report()
            if r:
                out.append("pid %s: %s" % (d.proc.pid if d.proc else "?",
                                           r))
        return out

    def stop_all(self):
        """SIGTERM every daemon still running; each must exit 0 (a
        sanitizer that finds leaks at exit makes it non-zero). Return a
        list of problems."""
        problems = []
        for d in self.daemons:
            try:
                if d.alive():
                    rc = d.stop(10.0)
                    if rc != 0:
                        problems.append("attuned pid %d: exit %r after "
                                        "SIGTERM: %s" % (d.pid, rc,
                                                         short(d.stderr())))
            except Exception as e:
                d.kill9()
                problems.append("attuned: stop failed: %r" % e)
        return problems

    def finish(self):
        self.stop_all()
        # The socket dir may have been opened up for a test; restore so
        # that rmtree works whatever happened.
        for root, dirs, files in os.walk(self.tmp):
            for x in dirs:
                try:
                    os.chmod(os.path.join(root, x), 0o700)
                except OSError:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def init_family(env, name="Alex", kids=()):
    """init with the CLI, then add kids: [(name, born or None)]."""
    env.ok("init", "--name", name)
    for k, born in kids:
        if born:
            env.ok("kid", "add", k, "--born", born)
        else:
            env.ok("kid", "add", k)


def log_json(env, *args):
    r = env.ok("--json", "log", *args)
    v = r.json()
    check(isinstance(v, list), "log --json is not an array: %s"
          % short(r.out))
    return v


def status_json(env):
    v = env.ok("--json", "status").json()
    check(isinstance(v, dict), "status --json is not an object")
    return v


class Suite:
    """Cases run in order, each in its own Env; one line each."""

    def __init__(self, name):
        self.name = name
        self.cases = []

    def case(self, fn):
        self.cases.append(fn)
        return fn

    def main(self):
        for b in (ATTUNED, ATTUNE):
            if not os.access(b, os.X_OK):
                print("FAIL setup: %s is not an executable (set ATTUNED "
                      "and ATTUNE)" % b)
                return 1
        only = set(sys.argv[1:])
        failed = skipped = ran = 0
        t0 = time.monotonic()
        for fn in self.cases:
            name = fn.__name__
            if only and name not in only:
                continue
            ran += 1
            env = Env(name)
            t = time.monotonic()
            status, why, note = "ok", "", None
            try:
                note = fn(env)
            except Skip as e:
                status, why = "skip", str(e)
            except Failure as e:
                status, why = "FAIL", str(e)
            except Exception as e:
                status = "FAIL"
                why = "%s: %s\n%s" % (type(e).__name__, e,
                                      traceback.format_exc())
            try:
                reps = env.stop_all() + env.sanitizer_reports()
                if reps and status != "FAIL":
                    status, why = "FAIL", "after the case: " + reps[0]
                elif reps:
                    why += "\nafter the case: " + reps[0]
            finally:
                env.finish()
            dt = time.monotonic() - t
            if status == "ok":
                print("ok %s (%.1fs)%s" % (name, dt, " -- " + note
                                            if isinstance(note, str)
                                            else ""))
            else:
                print("%s %s: %s" % (status, name, why.rstrip()))
                if status == "FAIL":
                    failed += 1
                else:
                    skipped += 1
            sys.stdout.flush()
        print("# %s: %d cases, %d failed, %d skipped, %.1fs"
              % (self.name, ran, failed, skipped, time.monotonic() - t0))
        if failed:
            return 1
        if ran and skipped == ran:
            return SKIP_EXIT
        return 0
