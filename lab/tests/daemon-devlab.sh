#!/usr/bin/env bash
# A private, minimal lab for developing and testing the migration daemons while the shared lab
# (lab/lab) is busy: two server namespaces, one switch namespace with a bridge per VLAN, two
# users on one L2 segment per VLAN, a migration link and a control link per server.
# Prints a sourceable description (the same variables lab/tests/daemon-system-test.sh reads).
#
# usage: lab/tests/daemon-devlab.sh up|down|env
set -euo pipefail
P=${DEVLAB_PREFIX:-dmx}
MAIN=$P-main BAK=$P-bak SW=$P-sw
U1=$P-u1 U2=$P-u2
[[ $(id -u) == 0 ]] || { echo "run as root" >&2; exit 1; }

env_out() {
  cat <<E
TEST_SRC_NS=$MAIN
TEST_DST_NS=$BAK
TEST_SW_NS=$SW
TEST_VIP=10.21.0.100
TEST_SERVER_IF=eth0
TEST_CTL_SRC=10.97.1.2
TEST_CTL_DST=10.97.2.2
TEST_MIG_SRC=10.98.1.1
TEST_MIG_DST=10.98.1.2
TEST_USERS="$U1:p1 $U2:p2"
TEST_BR_MAIN=br-v1
TEST_BR_BACKUP=br-v2
E
}

down() {
  local ns pid
  for ns in $MAIN $BAK $SW $U1 $U2; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "${P}c-main" 2>/dev/null || true
  ip link del "${P}c-bak" 2>/dev/null || true
}

up() {
  down
  local ns
  for ns in $MAIN $BAK $SW $U1 $U2; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip -n $SW link add br-v1 type bridge
  ip -n $SW link add br-v2 type bridge
  ip -n $SW link set br-v1 up
  ip -n $SW link set br-v2 up
  # servers: eth0 into br-v1 (main) / br-v2 (backup); same LAN address plan, VIP /32
  ip link add "${P}-sm" type veth peer name eth0 netns $MAIN
  ip link set "${P}-sm" netns $SW
  ip -n $SW link set "${P}-sm" name s-main
  ip -n $SW link set s-main master br-v1 up
  ip -n $MAIN addr add 10.21.0.11/24 dev eth0
  ip -n $MAIN link set eth0 up
  ip link add "${P}-sb" type veth peer name eth0 netns $BAK
  ip link set "${P}-sb" netns $SW
  ip -n $SW link set "${P}-sb" name s-bak
  ip -n $SW link set s-bak master br-v2 up
  ip -n $BAK addr add 10.21.0.12/24 dev eth0
  ip -n $BAK link set eth0 up
  # users on access ports p1, p2 (VLAN 1 = br-v1 at start)
  local i=1 u
  for u in $U1 $U2; do
    ip link add "${P}-p$i" type veth peer name eth0 netns "$u"
    ip link set "${P}-p$i" netns $SW
    ip -n $SW link set "${P}-p$i" name "p$i"
    ip -n $SW link set "p$i" master br-v1 up
    ip -n "$u" addr add "10.21.0.$((200 + i))/24" dev eth0
    ip -n "$u" link set eth0 up
    i=$((i + 1))
  done
  # migration network
  ip link add mig0 netns $MAIN type veth peer name mig0 netns $BAK
  ip -n $MAIN addr add 10.98.1.1/30 dev mig0
  ip -n $BAK addr add 10.98.1.2/30 dev mig0
  ip -n $MAIN link set mig0 up
  ip -n $BAK link set mig0 up
  # control links from the root namespace
  ip link add "${P}c-main" type veth peer name ctl0 netns $MAIN
  ip addr add 10.97.1.1/30 dev "${P}c-main"
  ip link set "${P}c-main" up
  ip -n $MAIN addr add 10.97.1.2/30 dev ctl0
  ip -n $MAIN link set ctl0 up
  ip link add "${P}c-bak" type veth peer name ctl0 netns $BAK
  ip addr add 10.97.2.1/30 dev "${P}c-bak"
  ip link set "${P}c-bak" up
  ip -n $BAK addr add 10.97.2.2/30 dev ctl0
  ip -n $BAK link set ctl0 up
  ip -n $MAIN addr add 10.21.0.100/32 dev eth0
}

case ${1:-} in
  up) up; env_out ;;
  down) down ;;
  env) env_out ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
