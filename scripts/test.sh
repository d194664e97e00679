#!/bin/sh
# Build attune and run every test suite: unit, fuzz corpus replay and
# integration (real daemons on real sockets), then the same again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a clang -Werror
# build of the whole tree, then each libFuzzer target for a bounded time.
# Ends with one line "N passed, N failed".
#
#   scripts/test.sh            everything
#   FUZZ_SECONDS=0 scripts/test.sh   skip the libFuzzer runs
set -u
cd "$(dirname "$0")/.."
./scripts/deps.sh || exit 1

fuzz_seconds=${FUZZ_SECONDS:-60}
passed=0
failed=0
failures=""

# count_results DIR: add meson's results for DIR to the totals.
count_results() {
	log="$1/meson-logs/testlog.json"
	[ -f "$log" ] || return
	p=$(grep -c '"result": "OK"' "$log")
	s=$(grep -c '"result": "SKIP"' "$log")
	f=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures="$failures $(grep -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' \
		    "$log" | sed -n 's/.*"name": "\([^"]*\)".*/\1/p' | tr '\n' ' ')"
	fi
	[ "$s" -gt 0 ] && echo "($s skipped in $1)"
}

# build_dir DIR MESON_ARGS...: configure (once) and build one build dir,
# warnings as errors; a failure is counted. Return 0 if it built.
build_dir() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ] &&
	    ! meson setup "$dir" -Dwerror=true "$@" >/dev/null; then
		failed=$((failed + 1))
		failures="$failures setup:$dir"
		return 1
	fi
	if ! ninja -C "$dir" >"$dir/meson-logs/build.log" 2>&1; then
		cat "$dir/meson-logs/build.log"
		failed=$((failed + 1))
		failures="$failures build:$dir"
		return 1
	fi
}

# run_suite DIR MESON_ARGS...: build and test one build dir.
run_suite() {
	build_dir "$@" || return
	meson test -C "$1" --print-errorlogs --num-processes 2
	count_results "$1"
}

run_suite build-test
run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false
# The whole tree with clang too, counted as one result: a second
# compiler's warnings catch what gcc's miss.
CC=clang build_dir build-clang && passed=$((passed + 1))

if [ "$fuzz_seconds" -gt 0 ] && [ -x tests/fuzz/run-fuzzers.sh ]; then
	if tests/fuzz/run-fuzzers.sh "$fuzz_seconds"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures="$failures libfuzzer"
	fi
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
