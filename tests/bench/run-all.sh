#!/bin/sh
# run-all.sh: build attune in release mode (build dir build-bench) and run
# the four benchmarks of tests/bench, printing the machine and every
# figure. It owns nothing but its build dir and the temporary directories
# the benchmarks make (under $BENCH_DIR, default /var/tmp) and remove.
#
# usage: tests/bench/run-all.sh [runs]   (default: 3 runs of each figure)
#
# Environment: BENCH_BUILD (build dir, default build-bench), BENCH_DIR,
# BENCH_KEEP=1 (keep the temporary directories), BENCH_VERBOSE=1.
set -eu

cd "$(dirname "$0")/../.."
B=${BENCH_BUILD:-build-bench}
RUNS=${1:-3}

# The build's packages and the references measured in the same run
# (redis-server, syncthing). As another user, a missing reference is
# only reported: its bench runs without it.
scripts/deps.sh syncthing ||
    echo "run-all: without the packages above, some references are skipped"

echo "== machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc:   $(nproc)"
echo "cpu:     $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
    head -n 1)"
echo "kernel:  $(uname -srm)"
echo "memory:  $(sed -n 's/^MemTotal:[[:space:]]*//p' /proc/meminfo)"
echo "disk:    $(df -PT "${BENCH_DIR:-/var/tmp}" |
    awk 'NR == 2 { print $1, $2 }')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before)"
# Read-only git: no optional index refresh.
echo "tree:    $(git rev-parse --short HEAD 2>/dev/null || echo unknown)," \
    "$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no \
    2>/dev/null | wc -l) files modified"
echo "sqlite:  $(pkg-config --modversion sqlite3)," \
    "libsodium $(pkg-config --modversion libsodium)," \
    "libuv $(pkg-config --modversion libuv)"
echo "redis:   $(redis-server --version | cut -d' ' -f1-3)"
if command -v syncthing >/dev/null 2>&1; then
	echo "syncthing: $(syncthing --version | cut -d' ' -f1-2)"
else
	echo "syncthing: not installed (bench-sync runs without its reference)"
fi

# CPU time stolen by the hypervisor and spent waiting for I/O over the
# whole run, from /proc/stat: a noisy neighbour shows up here.
cpustat() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9,
	    $6, $9 }' /proc/stat
}
STAT0=$(cpustat)

echo "== build ($B, release)"
if [ ! -f "$B/build.ninja" ]; then
	meson setup "$B" --buildtype=release
fi
ninja -C "$B"

X="$B/tests/bench"

echo "== bench-rpc"
"$X/bench-rpc" -r "$RUNS" -c "$B/clients/cli/attune"
echo "== bench-append"
"$X/bench-append" -r "$RUNS"
echo "== bench-start"
"$X/bench-start" -r "$RUNS"
echo "== bench-sync"
"$X/bench-sync" -r "$RUNS"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$STAT0 $(cpustat)" | awk '{ t = $4 - $1; if (t > 0)
    printf("== over the run: cpu steal %.1f%%, iowait %.1f%%\n",
    100 * ($6 - $3) / t, 100 * ($5 - $2) / t) }'
