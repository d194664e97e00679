#!/bin/sh
# Build attune and run a scripted morning on this machine: a daemon in a
# temporary directory, a family, two kids, a 1:1, check-ins, a repair,
# and the log. Everything is removed at the end.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

bin=$PWD/build
tmp=$(mktemp -d /tmp/attune-demo.XXXXXX)
export ATTUNE_SOCKET="$tmp/alex.sock"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$bin/daemon/attuned" --foreground --data-dir "$tmp/alex" \
    --socket "$ATTUNE_SOCKET" 2>"$tmp/alex.diag" &
pid=$!
i=0
until "$bin/clients/cli/attune" status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$tmp/alex.diag"; exit 1; }
	sleep 0.05
done

attune() {
	printf '$ attune %s\n' "$*"
	"$bin/clients/cli/attune" "$@"
}

attune init --name Alex --family "The Riveras"
attune kid add Maya --born 2017-05-14
attune kid add Sam --born 2020-09-02
attune kids
attune checkin Maya happy --intensity 4
attune checkin Sam tired --intensity 2 --note "woke up at 5"
attune checkin Alex calm
attune one-on-one Maya --minutes 12 --activity "lego city" --note "she led, no screens"
attune repair Sam --what "I snapped at him over shoes" --apologized \
    --note "named it, listened, plan: shoes by the door at night"
attune log
attune status
attune verify
