#!/bin/sh
# Test hosts in network namespaces, made and removed by the tests
# themselves: a bridge namespace "<prefix>br" with bridge br0, and hosts
# "<prefix>hN" each joined to it by a veth pair, with 10.77.N.0/24-free
# addresses 10.77.0.N/24 and IPv6 link-local addresses. Nothing else on
# the machine is touched or addressed.
#
#   netns.sh up PREFIX N      make the bridge and N hosts
#   netns.sh down PREFIX      remove every namespace of PREFIX
#   netns.sh link PREFIX N up|down   cut or heal host N's cable
set -eu

cmd=$1
prefix=$2

down() {
	for ns in $(ip netns list | awk '{print $1}' | grep "^${prefix}" || true); do
		ip netns delete "$ns" 2>/dev/null || true
	done
}

case "$cmd" in
up)
	n=$3
	down
	ip netns add "${prefix}br"
	ip -n "${prefix}br" link add br0 type bridge
	ip -n "${prefix}br" link set br0 up
	ip -n "${prefix}br" link set lo up
	i=1
	while [ "$i" -le "$n" ]; do
		h="${prefix}h$i"
		ip netns add "$h"
		ip link add "${prefix}v$i" netns "$h" type veth \
		    peer name "p$i" netns "${prefix}br"
		ip -n "$h" link set "${prefix}v$i" name eth0
		ip -n "$h" addr add "10.77.0.$i/24" dev eth0
		ip -n "$h" link set eth0 up
		ip -n "$h" link set lo up
		ip -n "${prefix}br" link set "p$i" master br0
		ip -n "${prefix}br" link set "p$i" up
		i=$((i + 1))
	done
	;;
down)
	down
	;;
link)
	ip -n "${prefix}br" link set "p$3" "$4"
	;;
*)
	echo "usage: netns.sh up|down|link PREFIX ..." >&2
	exit 2
	;;
esac
