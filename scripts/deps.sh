#!/bin/sh
# Install what building and testing attune needs on Debian 12, if missing,
# and the extra Debian packages named as arguments (the benchmarks'
# references). Idempotent: does nothing when every package is installed.
#
# usage: scripts/deps.sh [package ...]
set -eu

pkgs="meson ninja-build pkg-config gcc clang libclang-rt-14-dev libc6-dev libuv1-dev
libmsgpack-dev libsqlite3-dev libsodium-dev libncurses-dev sqlite3
python3 python3-msgpack iproute2 util-linux tmux redis-server redis-tools procps
$*"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "attune: missing packages:$missing" >&2
	echo "attune: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "attune: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
