#!/usr/bin/env bash
# Benchmark (not run by default): the user's largest gap when the streaming server moves
#   (a) through the two daemons and the driver's client (freeze, migrate, move-vip, port move,
#       resume, announce), (b) with bare criu dump + port move + criu restore of the same kind of
#       server in the same run, (c) through the daemons in the wrong order (resume, then port move).
# usage: lab/bench/daemon-bench.sh [RUNS]   (default 5; the shared lab, or DEVLAB=1)
# Prints every run and the medians. Needs what lab/tests/daemon-system-test.sh needs.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$(cd "$HERE/.." && pwd)
RUNS=${1:-5}
# Reuse the system test's setup and helpers, without its test cases.
export DAEMON_TEST_LIBRARY_ONLY=1
# shellcheck source=../tests/daemon-system-test.sh
source "$LAB/tests/daemon-system-test.sh"
CRIU=${SM_CRIU:-/var/cache/session-migration/criu-4.2.1/criu/criu}

gap_of() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['largest_gap_ms'],1))" "$OUT/$1.json"; }

bare_run() {
  reset || return 1
  local pid dir=/dev/shm/sm-bench-img
  pid=$(for p in $(ip netns pids "$TEST_SRC_NS"); do [[ $(cat /proc/$p/comm) == smstream ]] && echo $p; done | head -1)
  client "$U1_NS" bare
  sleep 1.5
  rm -rf "$dir"; mkdir -p "$dir"
  nsenter --net="/run/netns/$TEST_SRC_NS" "$CRIU" dump -t "$pid" -D "$dir" --tcp-established -o dump.log 2>/dev/null
  ip -n "$TEST_DST_NS" addr add "$TEST_VIP/32" dev "$TEST_SERVER_IF"
  ip -n "$TEST_SW_NS" link set "$P1" master "$TEST_BR_BACKUP"
  nsenter --net="/run/netns/$TEST_DST_NS" "$CRIU" restore -D "$dir" --tcp-established -d -o restore.log 2>/dev/null
  stop_clients
  rm -rf "$dir"
  clear_lock_rules   # bare dump leaves CRIU's DROP rules at the source (lab-facts)
}

daemon_run() { # move | wrong-order
  reset || return 1
  client "$U1_NS" "$1"
  sleep 1.5
  MOVE_PORTS=$P1 scenario "$1" >"$OUT/$1.txt" 2>&1 || cat "$OUT/$1.txt"
  stop_clients
}

declare -a D B W
for ((i = 1; i <= RUNS; i++)); do
  daemon_run move; D+=("$(gap_of move)")
  bare_run; B+=("$(gap_of bare)")
  daemon_run wrong-order; W+=("$(gap_of wrong-order)")
  echo "run $i: daemons ${D[-1]} ms, bare criu ${B[-1]} ms, daemons wrong order ${W[-1]} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
md=$(median "${D[@]}") mb=$(median "${B[@]}") mw=$(median "${W[@]}")
echo "median largest gap over $RUNS runs: daemons $md ms, bare criu $mb ms (ratio $(python3 -c "print(round($md/$mb,2))")), wrong order $mw ms"
echo "machine: $(nproc) CPUs, $(uname -r), $(java -version 2>&1 | head -1)"
