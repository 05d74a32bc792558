#!/usr/bin/env bash
# Benchmark (not run by default): the user's largest gap when the lab's VM is live-migrated through
# both daemons with the driver's client (QemuDaemonMover), against QEMU's own reported downtime and
# total time in the same run.
#   right order: main -> backup, u1's port moved after the migration completed, then cont + announce-self
#   wrong order: backup -> main, cont + announce-self first, the port moved after
# usage: lab/bench/vm-bench.sh [RUNS]   (default 5; each run is one right and one wrong move)
# Prints every run, the medians and the ratio gap / (QEMU downtime + port move). Needs what
# lab/tests/vm-system-test.sh needs.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$(cd "$HERE/.." && pwd)
RUNS=${1:-5}
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || { echo "usage: lab/bench/vm-bench.sh [RUNS]" >&2; exit 2; }
# Reuse the system test's setup (lab lock, vm-net, daemons) and helpers, without its test cases.
export VM_TEST_LIBRARY_ONLY=1
# shellcheck source=../tests/vm-system-test.sh
source "$LAB/tests/vm-system-test.sh"

scenario start >"$OUT/bench-start.txt" 2>&1 || { cat "$OUT/bench-start.txt"; exit 1; }

one() { # LABEL FROM TO BRIDGE SCENARIO -> "gap total downtime portmove completed_to_resumed"
  client sm-u1 "$1"
  sleep 1.5
  FROM=$2 TO=$3 PORT_BRIDGE=$4 MOVE_PORTS=p1 scenario "$5" >"$OUT/$1.txt" 2>"$OUT/$1.err" || { tail -3 "$OUT/$1.err" >&2; cat "$OUT/$1.txt" >&2; }
  stop_clients
  python3 - "$OUT/$1.json" "$OUT/$1.txt" "$LAB/tools" <<'P'
import json, sys
sys.path.insert(0, sys.argv[3])
from session_verdict import kept  # the one definition of "session kept"
r = json.load(open(sys.argv[1]))
s = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
print(round(r["largest_gap_ms"], 1), s["qemu_total_ms"], s["qemu_downtime_ms"], s["S708_port_move_ms"],
      s["completed_to_resumed_ms"], "kept" if kept(r) else "LOST")
P
}

declare -a RG RT RD RP RC WG WT WD WP
for ((i = 1; i <= RUNS; i++)); do
  read -r g t d p c k < <(one right main-srv bak-srv br-v2 move)
  RG+=("$g") RT+=("$t") RD+=("$d") RP+=("$p") RC+=("$c")
  echo "run $i right order: gap $g ms, QEMU total $t ms, downtime $d ms, port move $p ms, completion->running $c ms, session $k"
  read -r g t d p c k < <(one wrong bak-srv main-srv br-v1 wrong-order)
  WG+=("$g") WT+=("$t") WD+=("$d") WP+=("$p")
  echo "run $i wrong order: gap $g ms, QEMU total $t ms, downtime $d ms, port move $p ms, session $k"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mg=$(median "${RG[@]}") mt=$(median "${RT[@]}") md=$(median "${RD[@]}") mp=$(median "${RP[@]}") mc=$(median "${RC[@]}")
wg=$(median "${WG[@]}") wt=$(median "${WT[@]}") wd=$(median "${WD[@]}")
echo
echo "| order | user's largest gap | QEMU total-time | QEMU downtime | port move | completion -> running |"
echo "|---|---|---|---|---|---|"
echo "| right (port, then cont) | **$mg ms** | $mt ms | $md ms | $mp ms | $mc ms |"
echo "| wrong (cont, then port) | **$wg ms** | $wt ms | $wd ms | | |"
echo
echo "medians of $RUNS runs; ratio gap / (QEMU downtime + port move) = $(python3 -c "print(round($mg/($md+$mp),2))")"
echo "right-order gaps: ${RG[*]}; wrong-order gaps: ${WG[*]}"
echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -r), $(qemu-system-x86_64 --version | head -1), $(java -version 2>&1 | head -1)"
