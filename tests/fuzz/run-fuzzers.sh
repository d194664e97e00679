#!/bin/sh
#
# run-fuzzers.sh: build the clang libFuzzer tree (if missing) and run each
# fuzz target for SECONDS (default 60) over a scratch copy of its corpus,
# so the committed seeds never change. Failing inputs are written next to
# this script as crash-<target>-{crash,leak,timeout,oom}-<sha1> (ignored
# by git); replay one with build-fuzz/tests/fuzz/fuzz-<target> FILE.
# Exits non-zero if any target crashed, leaked, ran out of memory or
# timed out.
#
#	tests/fuzz/run-fuzzers.sh [SECONDS] [TARGET...]
#
# Environment: BUILD_FUZZ, the build directory (default build-fuzz at the
# top of the tree).

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-frame rpc envelope peermsg}
bdir=${BUILD_FUZZ:-$top/build-fuzz}

case $secs in
''|*[!0-9]*)
	echo "usage: $0 [SECONDS] [TARGET...]" >&2
	exit 2
	;;
esac

if [ ! -f "$bdir/build.ninja" ]; then
	CC=clang meson setup "$bdir" "$top" -Dfuzzing_engine=libfuzzer \
	    -Db_sanitize=address,undefined -Db_lundef=false || exit 1
fi
set --
for t in $targets; do
	set -- "$@" "tests/fuzz/fuzz-$t"
done
ninja -C "$bdir" "$@" || exit 1

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/attune-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT INT TERM

failed=
for t in $targets; do
	# Largest input worth trying: a little over each target's limit.
	case $t in
	frame)		maxlen=70000 ;;
	rpc)		maxlen=4096 ;;
	envelope)	maxlen=1024 ;;
	peermsg)	maxlen=20480 ;;
	*)		maxlen=4096 ;;
	esac
	mkdir -p "$scratch/$t"
	cp "$here/corpus/$t"/* "$scratch/$t/"
	echo "== fuzz-$t: ${secs}s, max_len $maxlen"
	"$bdir/tests/fuzz/fuzz-$t" "$scratch/$t" \
	    -dict="$here/fuzz-$t.dict" \
	    -max_total_time="$secs" -rss_limit_mb=2048 -max_len="$maxlen" \
	    -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$here/crash-$t-" 2>"$scratch/$t.log"
	rc=$?
	grep -E '^Done|^stat::(number_of_executed_units|average_exec_per_sec)' \
	    "$scratch/$t.log"
	grep -E '^stat::(new_units_added|peak_rss_mb)' "$scratch/$t.log"
	echo "corpus: $(ls "$scratch/$t" | wc -l) inputs (from $(ls \
	    "$here/corpus/$t" | wc -l) seeds)"
	if [ $rc -ne 0 ]; then
		echo "fuzz-$t: FAILED (exit $rc), log follows" >&2
		tail -n 60 "$scratch/$t.log" >&2
		failed="$failed $t"
	fi
done

if [ -n "$failed" ]; then
	echo "crashed:$failed (inputs: $here/crash-*)" >&2
	exit 1
fi
echo "no crashes"
