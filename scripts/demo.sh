#!/bin/sh
# Build attune and run the main job on this machine: two daemons as two
# co-parents' laptops (Alex's and Sam's), paired with an invite code,
# logging on both, shown in sync. Only 127.0.0.1 and Unix sockets are
# used; everything is removed at the end.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build daemon/attuned clients/cli/attune >/dev/null

bin=$PWD/build
tmp=$(mktemp -d /tmp/attune-demo.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# laptop NAME PORT: start a daemon with its own data dir and socket.
laptop() {
	"$bin/daemon/attuned" --foreground --no-discovery \
	    --data-dir "$tmp/$1" --socket "$tmp/$1.sock" \
	    --listen "127.0.0.1:$2" 2>"$tmp/$1.diag" &
	pids="$pids $!"
	i=0
	until "$bin/clients/cli/attune" --socket "$tmp/$1.sock" status \
	    >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$tmp/$1.diag"; exit 1; }
		sleep 0.05
	done
}

# on NAME ARGS...: run attune on NAME's laptop, showing the command.
on() {
	who=$1
	shift
	printf '\n\033[1m[%s]$ attune %s\033[0m\n' "$who" "$*"
	"$bin/clients/cli/attune" --socket "$tmp/$who.sock" "$@"
}

laptop alex 47611
laptop sam 47612

on alex init --name Alex --family "The Riveras"
on alex kid add Maya --born 2017-05-14
on alex kid add Leo --born 2020-09-02
code=$("$bin/clients/cli/attune" --socket "$tmp/alex.sock" invite 2>/dev/null)
printf '\n[alex]$ attune invite\n%s\n' "$code"
on sam join "$code" --name Sam --peer 127.0.0.1:47611

on alex checkin Maya happy --intensity 4
on sam checkin Leo tired --intensity 2 --note "woke up at 5"
on sam one-on-one Leo --minutes 12 --activity "lego city" \
    --note "he led, no screens"
on alex repair Maya --what "I snapped at her over shoes" --apologized \
    --note "named it, listened; plan: shoes by the door at night"
on alex checkout Maya calm

# Live push is immediate; wait (bounded) until both hold the same ids.
ids() {
	"$bin/clients/cli/attune" --socket "$tmp/$1.sock" log --json \
	    --limit 10000 | grep '"id"' | sort
}
i=0
until [ "$(ids alex)" = "$(ids sam)" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "not in sync"; exit 1; }
	sleep 0.05
done

on alex log
on sam log
on sam devices
on alex peers
on sam verify
printf '\nBoth laptops hold the same %s entries.\n' \
    "$(ids alex | wc -l | tr -d ' ')"
